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
	// Idempotency returns the record stored under key (the caller's scope
	// and key together), or [ErrNotFound]. Records of other scopes are
	// invisible: the same Key string in another scope is another key.
	Idempotency(ctx context.Context, key IdempotencyKey) (IdempotencyRecord, error)
	// HistoryAt returns what rebuilding the basket as it was at version
	// needs, without reading its whole history: the newest checkpoint
	// stored at or before version (nil when there is none) and the events
	// after it, up to and including version, in order. A version the
	// basket has not reached, or not positive, is an [ErrInvalid]; an
	// unknown basket is [ErrNotFound]. [ReplayFrom] turns the answer into
	// the basket.
	HistoryAt(ctx context.Context, id uuid.UUID, version int64) (*Basket, []Event, error)
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
	// Checkpoint asks the store to keep a copy of Basket, as it is after
	// this write, for [Store.HistoryAt]: the Service sets it every
	// [DefaultCheckpointEvery] events or so, which bounds the events an
	// idempotent retry replays whatever the length of the history.
	Checkpoint bool
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
	if w.Idempotency != nil {
		if err := w.Idempotency.Key.Validate(); err != nil {
			return err
		}
	}
	for _, a := range w.Also {
		if a.Idempotency != nil || len(a.Also) > 0 || a.Checkpoint {
			return invalid("Write.Also", "nested writes carry no idempotency records or further writes")
		}
		if err := a.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// IdempotencyKey is a caller-supplied key in the caller's scope. Keys
// belong to the caller who sent them and to the basket they address, as
// payment APIs scope them per account: the same string sent by another
// actor, or for another basket, is another key, so no caller can observe or
// block another's keys.
type IdempotencyKey struct {
	ActorKind ActorKind `json:"actor_kind"`
	ActorID   string    `json:"actor_id"`
	// Basket is the basket the command addresses; uuid.Nil for a check-in,
	// which names its basket through the token it redeems.
	Basket uuid.UUID `json:"basket"`
	Key    string    `json:"key"`
}

// MaxIdempotencyKeyLen bounds a key's length in bytes.
const MaxIdempotencyKeyLen = 255

// Validate reports an incomplete scope or an empty or oversized key.
func (k IdempotencyKey) Validate() error {
	switch {
	case k.ActorKind < Shopper || k.ActorKind > System:
		return invalid("IdempotencyKey.ActorKind", "unknown actor kind %d", uint8(k.ActorKind))
	case k.ActorID == "":
		return invalid("IdempotencyKey.ActorID", "must not be empty")
	case k.Key == "":
		return invalid("IdempotencyKey.Key", "must not be empty")
	case len(k.Key) > MaxIdempotencyKeyLen:
		return invalid("IdempotencyKey.Key", "%d bytes, at most %d", len(k.Key), MaxIdempotencyKeyLen)
	}
	return nil
}

// IdempotencyRecord is what a store keeps for a caller's key: a digest of
// the command, so that the same key with another command is refused, and
// where the outcome is (the basket and the version the command left it at)
// so that a retry gets the first answer.
type IdempotencyRecord struct {
	Key      IdempotencyKey `json:"key"`
	Digest   [32]byte       `json:"digest"`
	BasketID uuid.UUID      `json:"basket_id"`
	Version  int64          `json:"version"`
}

// NotFound returns an error matching [ErrNotFound] for a basket ID, for
// stores to return.
func NotFound(id uuid.UUID) error { return fmt.Errorf("%w: %s", ErrNotFound, id) }
