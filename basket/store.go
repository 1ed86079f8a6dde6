package basket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/stock"
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
	//
	// Write.Stock and Write.Documents are part of the same all-or-nothing
	// write: see [LedgerStore] and [DocumentStore]. A store that keeps no
	// ledger (or no documents) refuses a write that carries them with
	// [ErrNotConfigured], and writes nothing.
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
	// Stock, when set, is applied to the store's ledger in the same
	// transaction ([LedgerStore]): the holds an order takes, the units a
	// collection hands over, a return puts back. The basket's version
	// check makes it happen exactly once. A stock failure (a shortage, an
	// expiry in the past) fails the whole write with the stock error.
	Stock *stock.Change
	// Documents are invoices or credit notes issued by this write, with
	// Number 0: the store numbers each from its series in the same
	// transaction and writes the number back into this slice. A document
	// issued before the last one of its series fails the write with a
	// [*SeriesConflictError] (a version conflict: the Service re-runs the
	// command with a fresh time), so numbers follow issue times.
	Documents []Document
}

// LedgerStore is a [Store] that applies Write.Stock to a stock ledger in
// the same transaction as the basket write, so an order and its holds,
// a collection and its hand-over, a return and its restock are stored
// together or not at all.
type LedgerStore interface {
	Store
	// Ledger returns the ledger stock changes are applied to (nil: none,
	// and a write carrying one is refused with [ErrNotConfigured]).
	Ledger() stock.Ledger
}

// SeriesConflictError reports a document issued before the last document
// of its series. It matches [ErrVersionConflict].
type SeriesConflictError struct {
	Series string
	// Last is the issue time of the series' last document.
	Last time.Time
}

func (e *SeriesConflictError) Error() string {
	return fmt.Sprintf("basket: document series %q has a document issued at %s, after this one", e.Series, e.Last.Format(time.RFC3339Nano))
}

// Unwrap returns [ErrVersionConflict].
func (e *SeriesConflictError) Unwrap() error { return ErrVersionConflict }

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
	if w.Stock != nil {
		if w.Stock.BasketID != w.Basket.ID.String() {
			return invalid("Write.Stock.BasketID", "%q is not the basket written (%s)", w.Stock.BasketID, w.Basket.ID)
		}
		if err := w.Stock.Validate(); err != nil {
			return fmt.Errorf("%w: Write.Stock: %w", ErrInvalid, err)
		}
	}
	for i, d := range w.Documents {
		f := func(s string) string { return fmt.Sprintf("Write.Documents[%d].%s", i, s) }
		switch {
		case d.ID == uuid.Nil:
			return invalid(f("ID"), "must be set")
		case d.Kind != Invoice && d.Kind != CreditNote:
			return invalid(f("Kind"), "unknown document kind %d", uint8(d.Kind))
		case d.Series == "":
			return invalid(f("Series"), "must not be empty")
		case d.Number != 0:
			return invalid(f("Number"), "is assigned by the store")
		case d.BasketID != w.Basket.ID:
			return invalid(f("BasketID"), "%s is not the basket written (%s)", d.BasketID, w.Basket.ID)
		case d.IssuedAt.IsZero():
			return invalid(f("IssuedAt"), "must be set")
		}
	}
	for _, a := range w.Also {
		if a.Idempotency != nil || len(a.Also) > 0 || a.Checkpoint || a.Stock != nil || len(a.Documents) > 0 {
			return invalid("Write.Also", "nested writes carry no idempotency records, stock, documents or further writes")
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
	// At is when the command was run: a store forgets the record once it
	// is older than the retention ([IdempotencyExpirer]), and a retry
	// after that is a new command.
	At time.Time `json:"at,omitzero"`
}

// NotFound returns an error matching [ErrNotFound] for a basket ID, for
// stores to return.
func NotFound(id uuid.UUID) error { return fmt.Errorf("%w: %s", ErrNotFound, id) }
