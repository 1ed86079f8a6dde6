package memory

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/stock"
)

// BasketStore is the reference basket.Store: baskets, their histories,
// checkpoints, idempotency records and documents in memory, safe for
// concurrent use. Everything it returns is a copy, so callers cannot
// change what is stored by accident.
type BasketStore struct {
	ledger    *StockStore                         // nil: Write.Stock is refused
	afterSave []func(id uuid.UUID, version int64) // see WithAfterSave

	mu          sync.RWMutex
	baskets     map[uuid.UUID]*basket.Basket
	events      map[uuid.UUID][]basket.Event
	checkpoints map[uuid.UUID][]*basket.Basket // by version, ascending
	owners      map[string][]uuid.UUID
	arrivals    map[uuid.UUID]basket.Arrival // the baskets with an arrival
	keys        map[basket.IdempotencyKey]basket.IdempotencyRecord
	documents   map[uuid.UUID]*basket.Document // by ID
	byBasket    map[uuid.UUID][]uuid.UUID      // basket ID → its document IDs
	series      map[string]documentSeries
}

var (
	_ basket.Store         = (*BasketStore)(nil)
	_ basket.LedgerStore   = (*BasketStore)(nil)
	_ basket.DocumentStore = (*BasketStore)(nil)
	_ basket.ArrivalStore  = (*BasketStore)(nil)

	_ basket.IdempotencyExpirer = (*BasketStore)(nil)
	_ basket.InactiveStore      = (*BasketStore)(nil)
	_ basket.ErasureStore       = (*BasketStore)(nil)
)

// BasketOption configures a [BasketStore].
type BasketOption func(*BasketStore)

// WithLedger makes the store apply Write.Stock to l, under the store's
// lock and after every other check of the write has passed, so that a
// basket write and its stock change are stored together or not at all.
// Readers of l may see the change a moment before the basket (the two
// are separate stores), never one without the other once Save returns.
func WithLedger(l *StockStore) BasketOption {
	return func(s *BasketStore) { s.ledger = l }
}

// NewBasketStore returns an empty store; without [WithLedger] it keeps no
// ledger and refuses Write.Stock.
func NewBasketStore(opts ...BasketOption) *BasketStore {
	s := &BasketStore{
		baskets:     map[uuid.UUID]*basket.Basket{},
		events:      map[uuid.UUID][]basket.Event{},
		checkpoints: map[uuid.UUID][]*basket.Basket{},
		owners:      map[string][]uuid.UUID{},
		arrivals:    map[uuid.UUID]basket.Arrival{},
		keys:        map[basket.IdempotencyKey]basket.IdempotencyRecord{},
		documents:   map[uuid.UUID]*basket.Document{},
		byBasket:    map[uuid.UUID][]uuid.UUID{},
		series:      map[string]documentSeries{},
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Ledger implements basket.LedgerStore: the [StockStore] given to
// [WithLedger], or nil.
func (s *BasketStore) Ledger() stock.Ledger {
	if s.ledger == nil {
		return nil // not a typed nil: callers compare with nil
	}
	return s.ledger
}

// Save implements basket.Store: all writes of w, or none. Every check
// (versions, idempotency key, document IDs and series) runs before
// anything is written; the stock change is applied last, and its failure
// leaves everything as it was.
func (s *BasketStore) Save(ctx context.Context, w basket.Write) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.Validate(); err != nil {
		return err
	}
	if w.Stock != nil && s.ledger == nil {
		return &basket.InputError{Field: "Write.Stock", Reason: "the store keeps no stock ledger", Kind: basket.ErrNotConfigured}
	}
	writes := append([]basket.Write{w}, w.Also...)
	saved := false
	defer s.announce(writes, &saved) // deferred first, so it runs after the unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range writes {
		cur, exists := s.baskets[x.Basket.ID]
		switch {
		case x.ExpectedVersion == 0 && exists:
			return basket.ErrAlreadyExists
		case x.ExpectedVersion != 0 && !exists:
			return basket.NotFound(x.Basket.ID)
		case exists && cur.Version != x.ExpectedVersion:
			return &basket.VersionConflictError{ID: x.Basket.ID, Expected: x.ExpectedVersion, Current: cur.Version}
		}
	}
	if w.Idempotency != nil {
		if _, used := s.keys[w.Idempotency.Key]; used {
			return basket.ErrIdempotencyKeyUsed
		}
	}
	numbered, series, err := s.number(w.Documents)
	if err != nil {
		return err
	}
	if w.Stock != nil {
		// The ledger's own lock makes the change atomic; nothing below
		// can fail, so the write cannot end half done.
		if _, err := s.ledger.Apply(ctx, *w.Stock); err != nil {
			return err
		}
	}

	if w.Idempotency != nil {
		s.keys[w.Idempotency.Key] = *w.Idempotency
	}
	if w.Checkpoint {
		s.checkpoints[w.Basket.ID] = append(s.checkpoints[w.Basket.ID], w.Basket.Clone())
	}
	for _, x := range writes {
		id := x.Basket.ID
		if x.ExpectedVersion == 0 && x.Basket.Owner.CustomerID != "" {
			s.owners[x.Basket.Owner.CustomerID] = append(s.owners[x.Basket.Owner.CustomerID], id)
		}
		if prev, ok := s.baskets[id]; ok && prev.Owner.CustomerID != x.Basket.Owner.CustomerID && x.Basket.Owner.CustomerID != "" {
			s.owners[x.Basket.Owner.CustomerID] = append(s.owners[x.Basket.Owner.CustomerID], id)
		}
		s.baskets[id] = x.Basket.Clone()
		s.events[id] = append(s.events[id], cloneEvents(x.Events)...)
		if a := x.Basket.Arrival; a != nil {
			s.arrivals[id] = *a
		} else {
			delete(s.arrivals, id)
		}
	}
	for i, d := range numbered {
		s.documents[d.ID] = &numbered[i]
		s.byBasket[d.BasketID] = append(s.byBasket[d.BasketID], d.ID)
		w.Documents[i].Number = d.Number
	}
	for name, sr := range series {
		s.series[name] = sr
	}
	saved = true
	return nil
}

// Get implements basket.Store.
func (s *BasketStore) Get(ctx context.Context, id uuid.UUID) (*basket.Basket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.baskets[id]
	if !ok {
		return nil, basket.NotFound(id)
	}
	return b.Clone(), nil
}

// Events implements basket.Store.
func (s *BasketStore) Events(ctx context.Context, id uuid.UUID, after int64) ([]basket.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	es, ok := s.events[id]
	if !ok {
		return nil, basket.NotFound(id)
	}
	if after < 0 {
		after = 0
	}
	if after >= int64(len(es)) {
		return []basket.Event{}, nil
	}
	return cloneEvents(es[after:]), nil
}

// FindByOwner implements basket.Store.
func (s *BasketStore) FindByOwner(ctx context.Context, customerID string) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.owners[customerID]), nil
}

// Idempotency implements basket.Store.
func (s *BasketStore) Idempotency(ctx context.Context, key basket.IdempotencyKey) (basket.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return basket.IdempotencyRecord{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	rec, ok := s.keys[key]
	if !ok {
		return basket.IdempotencyRecord{}, basket.ErrNotFound
	}
	return rec, nil
}

// HistoryAt implements basket.Store.
func (s *BasketStore) HistoryAt(ctx context.Context, id uuid.UUID, version int64) (*basket.Basket, []basket.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	es, ok := s.events[id]
	if !ok {
		return nil, nil, basket.NotFound(id)
	}
	if version < 1 || version > int64(len(es)) {
		return nil, nil, &basket.InputError{Field: "version", Reason: fmt.Sprintf("%d is not a version of basket %s (1…%d)", version, id, len(es))}
	}
	cps := s.checkpoints[id]
	i, found := slices.BinarySearchFunc(cps, version, func(b *basket.Basket, v int64) int { return cmp.Compare(b.Version, v) })
	if found {
		i++
	}
	if i == 0 {
		return nil, cloneEvents(es[:version]), nil
	}
	cp := cps[i-1]
	return cp.Clone(), cloneEvents(es[cp.Version:version]), nil
}

func cloneEvents(es []basket.Event) []basket.Event {
	out := make([]basket.Event, len(es))
	for i, e := range es {
		e.Data = slices.Clone(e.Data)
		out[i] = e
	}
	return out
}

// Arrivals implements basket.ArrivalStore.
func (s *BasketStore) Arrivals(ctx context.Context, locationID string, since time.Time) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	type hit struct {
		id uuid.UUID
		at time.Time
	}
	var hits []hit
	for id, a := range s.arrivals {
		if a.LocationID == locationID && !a.At.Before(since) {
			hits = append(hits, hit{id, a.At})
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(hits, func(x, y hit) int {
		if c := y.at.Compare(x.at); c != 0 {
			return c
		}
		return bytes.Compare(x.id[:], y.id[:])
	})
	ids := make([]uuid.UUID, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return ids, nil
}

// ExpireIdempotency implements basket.IdempotencyExpirer: the records
// stored before before, the oldest first (ties in key order, so that
// every run deletes the same ones), at most limit.
func (s *BasketStore) ExpireIdempotency(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, &basket.InputError{Field: "limit", Reason: fmt.Sprintf("must be positive, got %d", limit)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var old []basket.IdempotencyRecord
	for _, r := range s.keys {
		if r.At.Before(before) {
			old = append(old, r)
		}
	}
	slices.SortFunc(old, func(a, b basket.IdempotencyRecord) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return compareKeys(a.Key, b.Key)
	})
	old = old[:min(limit, len(old))]
	for _, r := range old {
		delete(s.keys, r.Key)
	}
	return len(old), nil
}

func compareKeys(a, b basket.IdempotencyKey) int {
	return cmp.Or(cmp.Compare(a.ActorKind, b.ActorKind), cmp.Compare(a.ActorID, b.ActorID),
		bytes.Compare(a.Basket[:], b.Basket[:]), cmp.Compare(a.Key, b.Key))
}

// Inactive implements basket.InactiveStore by a scan of every basket.
func (s *BasketStore) Inactive(ctx context.Context, q basket.InactiveQuery) ([]basket.InactiveBasket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		return nil, &basket.InputError{Field: "InactiveQuery.Limit", Reason: fmt.Sprintf("must be positive, got %d", q.Limit)}
	}
	s.mu.RLock()
	var page []basket.InactiveBasket
	for id, b := range s.baskets {
		ib := basket.InactiveBasket{ID: id, UpdatedAt: b.UpdatedAt}
		if q.Matches(b) && (q.After == nil || basket.CompareInactive(*q.After, ib) < 0) {
			page = append(page, ib)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(page, basket.CompareInactive)
	return page[:min(q.Limit, len(page))], nil
}

// EraseBasket implements basket.ErasureStore, under the store's lock:
// every check and every scrub runs before anything is replaced, so a
// history that does not decode leaves the basket as it was.
func (s *BasketStore) EraseBasket(ctx context.Context, x basket.Erasure, id uuid.UUID) (basket.ErasureCounts, error) {
	var n basket.ErasureCounts
	if err := ctx.Err(); err != nil {
		return n, err
	}
	if err := x.Validate(); err != nil {
		return n, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.baskets[id]
	if !ok {
		return n, basket.NotFound(id)
	}
	events := cloneEvents(s.events[id])
	for i, e := range events {
		scrubbed, changed, err := x.ScrubEvent(e)
		if err != nil {
			return basket.ErasureCounts{}, err
		}
		if changed {
			events[i] = scrubbed
			n.Events++
		}
	}
	checkpoints := slices.Clone(s.checkpoints[id])
	for i, cp := range checkpoints {
		if c, changed := x.ScrubBasket(cp); changed {
			checkpoints[i] = c
			n.Checkpoints++
		}
	}
	scrubbed, changed := x.ScrubBasket(b)
	if changed {
		n.Baskets++
		if old := b.Owner.CustomerID; old != scrubbed.Owner.CustomerID {
			s.reown(id, old, scrubbed.Owner.CustomerID)
		}
		s.baskets[id] = scrubbed
	}
	s.events[id] = events
	if len(checkpoints) > 0 {
		s.checkpoints[id] = checkpoints
	}
	for _, docID := range s.byBasket[id] {
		if d, changed := x.ScrubDocument(*s.documents[docID]); changed {
			s.documents[docID] = &d
			n.Documents++
		}
	}
	for k, r := range s.keys {
		if x.ErasesRecord(r, id) {
			delete(s.keys, k)
			n.IdempotencyRecords++
		}
	}
	return n, nil
}

// reown moves basket id from one customer's list to another's (an empty
// customer has none).
func (s *BasketStore) reown(id uuid.UUID, from, to string) {
	if from != "" {
		s.owners[from] = slices.DeleteFunc(s.owners[from], func(x uuid.UUID) bool { return x == id })
		if len(s.owners[from]) == 0 {
			delete(s.owners, from)
		}
	}
	if to != "" && !slices.Contains(s.owners[to], id) {
		s.owners[to] = append(s.owners[to], id)
	}
}
