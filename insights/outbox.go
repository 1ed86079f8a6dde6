package insights

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// EventReader reads a basket's events after a sequence number, as
// [basket.Store] does.
type EventReader interface {
	Events(ctx context.Context, id uuid.UUID, after int64) ([]basket.Event, error)
}

// Outbox is a [Feed] for a store that keeps no outbox (adapters/memory):
// the store tells it which baskets changed ([Outbox.Note], the store's
// after-save hook), and [Outbox.Read] first reads their new events from
// the store, in sequence, and gives them positions, in process memory.
// Noting costs the writer a map insertion; the reading is done by the
// reader. The baskets' events come in the order their notes were read, not
// in commit order across baskets, which a [Model] does not need.
//
//	var outbox *insights.Outbox
//	store := memory.NewBasketStore(memory.WithAfterSave(func(id uuid.UUID, v int64) { outbox.Note(id, v) }))
//	outbox = insights.NewOutbox(store)
//
// A process that restarts starts an empty outbox over an empty memory
// store, so nothing is lost that the store kept.
type Outbox struct {
	src EventReader

	mu      sync.Mutex
	pending map[uuid.UUID]int64 // noted baskets → the highest version noted
	seen    map[uuid.UUID]int64 // the last sequence number read per basket
	log     []Positioned        // position i+1 at index i
}

// NewOutbox returns an empty outbox reading events from src.
func NewOutbox(src EventReader) *Outbox {
	return &Outbox{src: src, pending: map[uuid.UUID]int64{}, seen: map[uuid.UUID]int64{}}
}

// Note records that basket id changed and now has the given version; its
// events are read at the next [Outbox.Read]. It never blocks on I/O and
// never fails, so it fits an after-save hook.
func (o *Outbox) Note(id uuid.UUID, version int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if version > o.seen[id] && version > o.pending[id] {
		o.pending[id] = version
	}
}

// Read implements [Feed]: up to limit events with a position above after,
// once the events of the baskets noted since the last read are in. A
// failed read from the store keeps the baskets it did not read noted.
func (o *Outbox) Read(ctx context.Context, after int64, limit int) ([]Positioned, error) {
	if limit <= 0 {
		return nil, &basket.InputError{Field: "limit", Reason: fmt.Sprintf("must be positive, got %d", limit)}
	}
	if after < 0 {
		return nil, &basket.InputError{Field: "after", Reason: fmt.Sprintf("must not be negative, got %d", after)}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.drain(ctx); err != nil {
		return nil, err
	}
	if after >= int64(len(o.log)) {
		return []Positioned{}, nil
	}
	end := min(int64(len(o.log)), after+int64(limit))
	return slices.Clone(o.log[after:end]), nil
}

// Len returns how many events the outbox holds.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.log)
}

// drain reads the events of the noted baskets, in ID order so that the
// positions do not follow the map's order.
func (o *Outbox) drain(ctx context.Context) error {
	ids := make([]uuid.UUID, 0, len(o.pending))
	for id := range o.pending {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	for _, id := range ids {
		es, err := o.src.Events(ctx, id, o.seen[id])
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.Seq != o.seen[id]+1 {
				continue // a store answering more than asked: keep the sequence
			}
			o.seen[id] = e.Seq
			o.log = append(o.log, Positioned{Position: int64(len(o.log)) + 1, Event: e})
		}
		if o.seen[id] >= o.pending[id] {
			delete(o.pending, id)
		}
	}
	return nil
}
