package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// StockStore is an in-memory [stock.Ledger]: one process's stock levels,
// reservations and feeds, safe for concurrent use. Every operation runs
// under one mutex, so availability is checked and taken in the same
// critical section and concurrent reservations can never oversell.
//
// Expiry is judged on every read against the injected clock (a reservation
// holds units while now < ExpiresAt). Expired reservations are also dropped
// from memory by the next write touching their basket or their SKU at that
// location, and by an occasional sweep; that only reclaims memory, except
// that a clock set back afterwards does not revive them.
//
// Request keys are remembered for [stock.KeyRetention] after their first
// success (a retry at or after that is a new request), and dropped from
// memory lazily in the same way.
//
// On-hand counts come from [StockStore.Feed] or [StockStore.SetOnHand] and
// change with the movements of [StockStore.Apply]. A count set below what
// active reservations hold (a stock feed after shrinkage) is accepted: the
// reservations are kept and ranked oldest first as [stock.Reserver]
// documents ([stock.Cover]); Reserved is reported capped at OnHand (the
// units covered), Reservations reports the uncovered part of each line as
// AtRisk, and nothing more of that SKU can be reserved there by a basket
// that holds none of it until stock returns or reservations end.
type StockStore struct {
	clock clock.Clock

	mu      sync.Mutex
	levels  map[stockPair]*stockLevel
	baskets map[string]*stockBasket
	sweepAt int // sweep every basket when len(baskets) reaches this

	feeds     map[string]stockFeedRecord // feed ID → what it stood for
	feedOrder []stockKeyAge              // oldest first, from feedHead on
	feedHead  int
}

type stockPair struct{ sku, loc string }

type stockLevel struct {
	onHand      int64
	nextArrival time.Time
	holds       map[string]*stock.Reservation // basket ID → its reservation at this location
}

type stockBasket struct {
	byLoc    map[string]*stock.Reservation
	keys     map[string]stockKeyRecord
	keyOrder []stockKeyAge // oldest first, from keyHead on
	keyHead  int
}

type stockKeyRecord struct {
	digest  string
	outcome stock.Reservation
	at      time.Time // of the first success
}

type stockKeyAge struct {
	key string
	at  time.Time
}

const stockMinSweep = 1024

// NewStockStore returns an empty store judging expiry with clk.
func NewStockStore(clk clock.Clock) *StockStore {
	return &StockStore{
		clock:   clk,
		levels:  map[stockPair]*stockLevel{},
		baskets: map[string]*stockBasket{},
		sweepAt: stockMinSweep,
		feeds:   map[string]stockFeedRecord{},
	}
}

// SetOnHand sets the on-hand count of sku at location, making the pair
// known. A negative count or an empty ID is an error matching
// [stock.ErrInvalid] and changes nothing. See [StockStore] for a count below
// what is reserved.
func (s *StockStore) SetOnHand(ctx context.Context, sku, location string, onHand int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := stockPairValid(sku, location); err != nil {
		return err
	}
	if onHand < 0 {
		return &stock.InputError{Field: "onHand", Reason: fmt.Sprintf("negative (%d)", onHand)}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.levels[stockPair{sku, location}]
	if lv == nil {
		lv = &stockLevel{holds: map[string]*stock.Reservation{}}
		s.levels[stockPair{sku, location}] = lv
	}
	lv.onHand = onHand
	return nil
}

// SetNextArrival announces when more of sku is expected at location; the
// zero time withdraws the announcement. The pair must already be known
// (see [StockStore.SetOnHand]), else the error matches [stock.ErrUnknown].
func (s *StockStore) SetNextArrival(ctx context.Context, sku, location string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := stockPairValid(sku, location); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lv := s.levels[stockPair{sku, location}]
	if lv == nil {
		return fmt.Errorf("%w: %s at %s has no on-hand count", stock.ErrUnknown, sku, location)
	}
	lv.nextArrival = at
	return nil
}

func stockPairValid(sku, location string) error {
	switch {
	case sku == "":
		return &stock.InputError{Field: "sku", Reason: "must not be empty"}
	case location == "":
		return &stock.InputError{Field: "location", Reason: "must not be empty"}
	}
	return nil
}

// Levels implements [stock.Provider]: every known pair of q, with Reserved
// the sum of active reservations capped at OnHand.
func (s *StockStore) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	if err := ctx.Err(); err != nil {
		return stock.Levels{}, err
	}
	if err := q.Validate(); err != nil {
		return stock.Levels{}, err
	}
	skus, locs := stockUnique(q.SKUs), stockUnique(q.Locations)
	out := make([]stock.Level, 0, min(len(skus)*len(locs), 1024))
	s.mu.Lock()
	now := s.clock.Now()
	for _, sku := range skus {
		for _, loc := range locs {
			lv := s.levels[stockPair{sku, loc}]
			if lv == nil {
				continue
			}
			out = append(out, stock.Level{
				SKU: sku, LocationID: loc, OnHand: lv.onHand,
				Reserved: min(lv.held(sku, now), lv.onHand), NextArrival: lv.nextArrival,
			})
		}
	}
	s.mu.Unlock()
	return stock.NewLevels(out)
}

func stockUnique(xs []string) []string {
	if len(xs) < 2 {
		return xs
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// held sums what active reservations hold of sku here.
func (lv *stockLevel) held(sku string, now time.Time) int64 {
	var n int64
	for _, r := range lv.holds {
		if r.Active(now) {
			n += r.Quantity(sku)
		}
	}
	return n
}

// atRisk returns the part of basket's active hold of sku here that on-hand
// does not cover, ranking every active hold with [stock.Cover].
func (lv *stockLevel) atRisk(sku, basket string, now time.Time) int64 {
	if lv.held(sku, now) <= lv.onHand {
		return 0 // every hold is covered
	}
	holds := make([]stock.Hold, 0, len(lv.holds))
	for id, r := range lv.holds {
		if l, ok := r.Line(sku); ok {
			holds = append(holds, stock.Hold{BasketID: id, LocationID: r.LocationID, SKU: sku,
				Quantity: l.Quantity, HeldSince: l.HeldSince, ExpiresAt: r.ExpiresAt})
		}
	}
	for _, h := range stock.Cover(lv.onHand, now, holds) {
		if h.BasketID == basket {
			return h.AtRisk
		}
	}
	return 0
}

// Reserve implements [stock.Reserver].
func (s *StockStore) Reserve(ctx context.Context, req stock.ReserveRequest) (stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return stock.Reservation{}, err
	}
	norm, err := req.Normalize()
	if err != nil {
		return stock.Reservation{}, err
	}
	digest := norm.PayloadDigest()

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	b := s.baskets[norm.BasketID]
	if out, ok, err := b.replay(norm.BasketID, norm.RequestKey, digest, now); ok {
		return out, err
	}
	if !now.Before(norm.ExpiresAt) {
		return stock.Reservation{}, &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is not after now (%s)", norm.ExpiresAt, now)}
	}
	existing := b.active(norm.LocationID, now)
	var short []stock.Shortage
	for i, l := range norm.Lines { // sorted by SKU, so shortages are sorted too
		lv := s.levels[stockPair{l.SKU, norm.LocationID}]
		if lv == nil {
			short = append(short, stock.Shortage{SKU: l.SKU, LocationID: norm.LocationID, Requested: l.Quantity, Unknown: true})
			continue
		}
		s.dropExpired(lv, now)
		avail := lv.onHand - lv.held(l.SKU, now)
		norm.Lines[i].HeldSince = now // ranked as new unless it keeps an old line's rank
		if old, ok := lineOf(existing, l.SKU); ok {
			// Replaced: its units are free for this request, and what of
			// them is covered stays the basket's, at the old rank.
			avail += old.Quantity
			if l.Quantity > avail {
				avail = max(avail, old.Quantity-lv.atRisk(l.SKU, norm.BasketID, now))
			}
			if l.Quantity <= old.Quantity {
				norm.Lines[i].HeldSince = old.HeldSince
			}
		}
		if l.Quantity > avail {
			short = append(short, stock.Shortage{SKU: l.SKU, LocationID: norm.LocationID, Requested: l.Quantity, Available: max(avail, 0)})
		}
	}
	if len(short) > 0 {
		return stock.Reservation{}, &stock.ShortageError{Shortages: short}
	}
	b = s.basket(norm.BasketID)
	res := &stock.Reservation{
		BasketID: norm.BasketID, LocationID: norm.LocationID, RequestKey: norm.RequestKey,
		Lines: norm.Lines, ExpiresAt: norm.ExpiresAt,
	}
	s.unlink(b, norm.LocationID)
	s.link(b, res)
	s.remember(b, norm.RequestKey, digest, *res, now)
	return res.Clone(), nil
}

// Release implements [stock.Reserver].
func (s *StockStore) Release(ctx context.Context, basketID, locationID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := stockIDsValid(basketID, locationID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.baskets[basketID]; b != nil {
		s.unlink(b, locationID)
		s.tidy(basketID, b, s.clock.Now())
	}
	return nil
}

// Extend implements [stock.Reserver].
func (s *StockStore) Extend(ctx context.Context, basketID, locationID string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := stockIDsValid(basketID, locationID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if !now.Before(until) {
		return &stock.InputError{Field: "until", Reason: fmt.Sprintf("%s is not after now (%s)", until, now)}
	}
	r := s.baskets[basketID].active(locationID, now)
	if r == nil {
		return &stock.NotFoundError{BasketID: basketID, LocationID: locationID}
	}
	if until.Before(r.ExpiresAt) {
		return &stock.InputError{Field: "until", Reason: fmt.Sprintf("%s is before the current expiry %s", until, r.ExpiresAt)}
	}
	r.ExpiresAt = until // shared with the holds of every line
	return nil
}

// Transfer implements [stock.Reserver].
func (s *StockStore) Transfer(ctx context.Context, req stock.TransferRequest) (stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return stock.Reservation{}, err
	}
	if err := req.Validate(); err != nil {
		return stock.Reservation{}, err
	}
	digest := req.PayloadDigest()

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	b := s.baskets[req.BasketID]
	if out, ok, err := b.replay(req.BasketID, req.RequestKey, digest, now); ok {
		return out, err
	}
	if !req.ExpiresAt.IsZero() && !now.Before(req.ExpiresAt) {
		return stock.Reservation{}, &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is not after now (%s)", req.ExpiresAt, now)}
	}
	src := b.active(req.From, now)
	if src == nil {
		return stock.Reservation{}, &stock.NotFoundError{BasketID: req.BasketID, LocationID: req.From}
	}
	var short []stock.Shortage
	for _, l := range src.Lines {
		lv := s.levels[stockPair{l.SKU, req.To}]
		if lv == nil {
			short = append(short, stock.Shortage{SKU: l.SKU, LocationID: req.To, Requested: l.Quantity, Unknown: true})
			continue
		}
		s.dropExpired(lv, now)
		// What the basket already holds at To stays held: count it.
		if avail := lv.onHand - lv.held(l.SKU, now); l.Quantity > avail {
			short = append(short, stock.Shortage{SKU: l.SKU, LocationID: req.To, Requested: l.Quantity, Available: max(avail, 0)})
		}
	}
	if len(short) > 0 {
		return stock.Reservation{}, &stock.ShortageError{Shortages: short}
	}
	lines := slices.Clone(src.Lines)
	for i := range lines {
		lines[i].HeldSince = now // ranked as new at To
	}
	if dst := b.active(req.To, now); dst != nil {
		lines = stock.MergeLines(dst.Lines, lines)
	}
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = src.ExpiresAt
	}
	res := &stock.Reservation{BasketID: req.BasketID, LocationID: req.To, RequestKey: req.RequestKey, Lines: lines, ExpiresAt: exp}
	s.unlink(b, req.From)
	s.unlink(b, req.To)
	s.link(b, res)
	s.remember(b, req.RequestKey, digest, *res, now)
	return res.Clone(), nil
}

// Reservations implements [stock.Reserver], with the AtRisk of every line
// computed under the same lock.
func (s *StockStore) Reservations(ctx context.Context, basketID string) ([]stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if basketID == "" {
		return nil, &stock.InputError{Field: "basketID", Reason: "must not be empty"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reservations(basketID, s.clock.Now()), nil
}

// lineOf returns r's line of sku; r may be nil.
func lineOf(r *stock.Reservation, sku string) (stock.ReserveLine, bool) {
	if r == nil {
		return stock.ReserveLine{}, false
	}
	return r.Line(sku)
}

func stockIDsValid(basketID, locationID string) error {
	switch {
	case basketID == "":
		return &stock.InputError{Field: "basketID", Reason: "must not be empty"}
	case locationID == "":
		return &stock.InputError{Field: "locationID", Reason: "must not be empty"}
	}
	return nil
}

// replay answers a request key the basket used within retention: the first
// outcome for the same payload, a conflict otherwise. ok is false for a new
// or forgotten key. b may be nil.
func (b *stockBasket) replay(basketID, key, digest string, now time.Time) (out stock.Reservation, ok bool, err error) {
	if b == nil {
		return stock.Reservation{}, false, nil
	}
	rec, ok := b.keys[key]
	if !ok || !now.Before(rec.at.Add(stock.KeyRetention)) {
		return stock.Reservation{}, false, nil
	}
	if rec.digest != digest {
		return stock.Reservation{}, true, &stock.ConflictError{BasketID: basketID, RequestKey: key}
	}
	return rec.outcome.Clone(), true, nil
}

// active returns the basket's active reservation at loc, or nil. b may be nil.
func (b *stockBasket) active(loc string, now time.Time) *stock.Reservation {
	if b == nil {
		return nil
	}
	if r := b.byLoc[loc]; r != nil && r.Active(now) {
		return r
	}
	return nil
}

func (s *StockStore) basket(id string) *stockBasket {
	b := s.baskets[id]
	if b == nil {
		if len(s.baskets)+1 >= s.sweepAt {
			s.sweep(s.clock.Now()) // before adding b, which is still empty
		}
		b = &stockBasket{byLoc: map[string]*stock.Reservation{}, keys: map[string]stockKeyRecord{}}
		s.baskets[id] = b
	}
	return b
}

// link records r as the basket's reservation at its location, holding its
// lines. Every line's level exists: it was checked under the same lock.
func (s *StockStore) link(b *stockBasket, r *stock.Reservation) {
	b.byLoc[r.LocationID] = r
	for _, l := range r.Lines {
		s.levels[stockPair{l.SKU, r.LocationID}].holds[r.BasketID] = r
	}
}

// unlink removes the basket's reservation at loc, active or not.
func (s *StockStore) unlink(b *stockBasket, loc string) {
	r := b.byLoc[loc]
	if r == nil {
		return
	}
	for _, l := range r.Lines {
		delete(s.levels[stockPair{l.SKU, loc}].holds, r.BasketID)
	}
	delete(b.byLoc, loc)
}

// dropExpired forgets the expired reservations holding lv.
func (s *StockStore) dropExpired(lv *stockLevel, now time.Time) {
	for basketID, r := range lv.holds {
		if !r.Active(now) {
			if b := s.baskets[basketID]; b != nil && b.byLoc[r.LocationID] == r {
				s.unlink(b, r.LocationID)
			} else {
				delete(lv.holds, basketID)
			}
		}
	}
}

// remember records the first success of a key and forgets keys past
// retention.
func (s *StockStore) remember(b *stockBasket, key, digest string, outcome stock.Reservation, now time.Time) {
	b.keys[key] = stockKeyRecord{digest: digest, outcome: outcome.Clone(), at: now}
	b.keyOrder = append(b.keyOrder, stockKeyAge{key: key, at: now})
	b.forgetKeys(now)
}

// forgetKeys drops the keys recorded KeyRetention or more ago.
func (b *stockBasket) forgetKeys(now time.Time) {
	for b.keyHead < len(b.keyOrder) && !now.Before(b.keyOrder[b.keyHead].at.Add(stock.KeyRetention)) {
		old := b.keyOrder[b.keyHead]
		if rec, ok := b.keys[old.key]; ok && rec.at.Equal(old.at) { // not re-recorded since
			delete(b.keys, old.key)
		}
		b.keyOrder[b.keyHead] = stockKeyAge{}
		b.keyHead++
	}
	if b.keyHead > 64 && b.keyHead*2 > len(b.keyOrder) {
		b.keyOrder = append(b.keyOrder[:0], b.keyOrder[b.keyHead:]...)
		b.keyHead = 0
	}
}

// tidy drops the basket's expired reservations and old keys, and the basket
// itself when nothing is left.
func (s *StockStore) tidy(id string, b *stockBasket, now time.Time) {
	for loc, r := range b.byLoc {
		if !r.Active(now) {
			s.unlink(b, loc)
		}
	}
	b.forgetKeys(now)
	if len(b.byLoc) == 0 && len(b.keys) == 0 {
		delete(s.baskets, id)
	}
}

// sweep tidies every basket; it runs when the number of baskets has doubled
// since the last sweep, an amortized O(1) per new basket.
func (s *StockStore) sweep(now time.Time) {
	for id, b := range s.baskets {
		s.tidy(id, b, now)
	}
	s.sweepAt = max(2*len(s.baskets), stockMinSweep)
}
