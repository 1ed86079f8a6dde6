package basket

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Store persists baskets and their history. Implementations live in
// adapters (adapters/memory, adapters/postgres) and must pass the
// conformance suite in basket/baskettest. Every method is safe for
// concurrent use.
type Store interface {
	// Save writes a basket and its new events atomically: either both are
	// stored or neither is. With ExpectedVersion 0 it creates the basket
	// ([ErrAlreadyExists] if the ID is taken); otherwise it compares and
	// swaps on the version ([*VersionConflictError] with the current
	// version when another writer got there first). When Idempotency is
	// set, the record is stored in the same write and a key already
	// recorded fails the whole write with [ErrIdempotencyKeyUsed].
	Save(ctx context.Context, w Write) error
	// Get returns the basket, or [ErrNotFound].
	Get(ctx context.Context, id uuid.UUID) (*Basket, error)
	// Events returns the history of a basket with Seq > after, in order.
	Events(ctx context.Context, id uuid.UUID, after int64) ([]Event, error)
	// FindByOwner returns the IDs of a customer's baskets, oldest first.
	FindByOwner(ctx context.Context, customerID string) ([]uuid.UUID, error)
	// Idempotency returns the record stored under key, or [ErrNotFound].
	Idempotency(ctx context.Context, key string) (IdempotencyRecord, error)
}

// ErrIdempotencyKeyUsed: Save was given an idempotency key that is already
// recorded. The Service then reads the record to answer the retry.
var ErrIdempotencyKeyUsed = errors.New("basket: idempotency key already used")

// Write is one atomic change of the store.
type Write struct {
	Basket          *Basket
	ExpectedVersion int64
	Events          []Event
	Idempotency     *IdempotencyRecord
	// Also holds further baskets written in the same transaction (a merge
	// abandons its source). Each follows the same version rules.
	Also []Write
}

// Validate checks that the events continue the expected version one by one
// up to the basket's version and belong to it; stores call it first.
func (w Write) Validate() error {
	if w.Basket == nil {
		return invalid("Write.Basket", "must not be nil")
	}
	want := w.ExpectedVersion
	for _, e := range w.Events {
		want++
		if e.BasketID != w.Basket.ID || e.Seq != want {
			return invalid("Write.Events", "event %d of %s does not follow version %d", e.Seq, e.BasketID, want-1)
		}
	}
	if want != w.Basket.Version || len(w.Events) == 0 {
		return invalid("Write.Events", "events end at version %d, basket is at %d", want, w.Basket.Version)
	}
	if w.Idempotency != nil && w.Idempotency.Key == "" {
		return invalid("Write.Idempotency", "empty key")
	}
	for _, a := range w.Also {
		if a.Idempotency != nil || len(a.Also) > 0 {
			return invalid("Write.Also", "nested writes carry no idempotency records or further writes")
		}
		if err := a.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// IdempotencyRecord is what a store keeps for a caller-supplied key: a
// digest of the command, so that the same key with another command is
// refused, and the outcome to return to a retry.
type IdempotencyRecord struct {
	Key      string    `json:"key"`
	Digest   [32]byte  `json:"digest"`
	BasketID uuid.UUID `json:"basket_id"`
	Version  int64     `json:"version"`
	// Outcome is the command's answer, encoded by the Service.
	Outcome []byte `json:"outcome"`
}

// NotFound returns an error matching [ErrNotFound] for a basket ID, for
// stores to return.
func NotFound(id uuid.UUID) error { return fmt.Errorf("%w: %s", ErrNotFound, id) }
