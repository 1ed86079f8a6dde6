package memory

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

var _ stock.Ledger = (*StockStore)(nil)

// stockFeedRetention is how long a StockStore remembers a feed ID after
// the feed was applied: long enough for any re-delivery of a batch.
const stockFeedRetention = 30 * 24 * time.Hour

type stockFeedRecord struct {
	digest string
	at     time.Time // when it was applied
}

// Holds implements [stock.HoldLister]: the active holds of every basket on
// the known pairs of q, sorted by location, SKU, then rank, each with the
// part on-hand does not cover as AtRisk.
func (s *StockStore) Holds(ctx context.Context, q stock.Query) ([]stock.Hold, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	skus, locs := stockSorted(q.SKUs), stockSorted(q.Locations)
	var out []stock.Hold
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	for _, loc := range locs {
		for _, sku := range skus {
			if lv := s.levels[stockPair{sku, loc}]; lv != nil {
				out = append(out, lv.cover(sku, now)...)
			}
		}
	}
	return out, nil
}

// stockSorted returns xs sorted without duplicates, in a new slice.
func stockSorted(xs []string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// cover returns the active holds of sku here in rank order, with AtRisk
// set against on-hand ([stock.Cover]).
func (lv *stockLevel) cover(sku string, now time.Time) []stock.Hold {
	return stock.Cover(lv.onHand, now, lv.holdsOf(sku, ""))
}

// holdsOf lists the holds of sku here (expired ones included: [stock.Cover]
// leaves them out), except the one of basket except.
func (lv *stockLevel) holdsOf(sku, except string) []stock.Hold {
	holds := make([]stock.Hold, 0, len(lv.holds))
	for id, r := range lv.holds {
		if id == except {
			continue
		}
		if l, ok := r.Line(sku); ok {
			holds = append(holds, stock.Hold{BasketID: id, LocationID: r.LocationID, SKU: sku,
				Quantity: l.Quantity, HeldSince: l.HeldSince, ExpiresAt: r.ExpiresAt})
		}
	}
	return holds
}

// Feed implements [stock.Feeder]. Feed IDs are remembered for 30 days
// after the feed was applied (a feed re-delivered after that is applied
// again), and dropped from memory by later feeds. A feed
// that fails is not remembered: its ID may be sent again, with any counts.
//
// A full feed sets every pair it lists and zeroes every known pair in its
// scope ([stock.Feed.InScope]) that it does not list; Pairs counts both.
func (s *StockStore) Feed(ctx context.Context, f stock.Feed) (stock.FeedReport, error) {
	if err := ctx.Err(); err != nil {
		return stock.FeedReport{}, err
	}
	if err := f.Validate(); err != nil {
		return stock.FeedReport{}, err
	}
	digest := f.Digest()

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	s.forgetFeeds(now)
	if rec, ok := s.feeds[f.ID]; ok {
		if rec.digest != digest {
			return stock.FeedReport{}, &stock.ConflictError{RequestKey: f.ID}
		}
		return stock.FeedReport{Replayed: true}, nil
	}

	// Compute every new count before changing anything.
	type set struct {
		p          stockPair
		before, to int64
	}
	var sets []set
	switch f.Kind {
	case stock.FullFeed:
		listed := make(map[stockPair]bool, len(f.Counts))
		for _, c := range f.Counts {
			p := stockPair{c.SKU, c.LocationID}
			listed[p] = true
			var before int64
			if lv := s.levels[p]; lv != nil {
				before = lv.onHand
			}
			sets = append(sets, set{p, before, c.Quantity})
		}
		for p, lv := range s.levels {
			if !listed[p] && f.InScope(p.sku, p.loc) {
				sets = append(sets, set{p, lv.onHand, 0})
			}
		}
	case stock.DeltaFeed:
		for i, c := range f.Counts {
			p := stockPair{c.SKU, c.LocationID}
			lv := s.levels[p]
			field := fmt.Sprintf("Counts[%d].Quantity", i)
			switch {
			case lv == nil && c.Quantity < 0:
				return stock.FeedReport{}, &stock.InputError{Field: field,
					Reason: fmt.Sprintf("%s at %s has no known on-hand to lower by %d", c.SKU, c.LocationID, -c.Quantity)}
			case lv == nil:
				sets = append(sets, set{p, 0, c.Quantity})
			case lv.onHand+c.Quantity < 0:
				return stock.FeedReport{}, &stock.InputError{Field: field,
					Reason: fmt.Sprintf("would take %s at %s from %d to %d", c.SKU, c.LocationID, lv.onHand, lv.onHand+c.Quantity)}
			case c.Quantity > 0 && lv.onHand > math.MaxInt64-c.Quantity:
				return stock.FeedReport{}, &stock.InputError{Field: field,
					Reason: fmt.Sprintf("on-hand of %s at %s would overflow", c.SKU, c.LocationID)}
			default:
				sets = append(sets, set{p, lv.onHand, lv.onHand + c.Quantity})
			}
		}
	}

	var rep stock.FeedReport
	var atRisk []stock.Reservation
	for _, st := range sets {
		lv := s.level(st.p)
		s.dropExpired(lv, now)
		lv.onHand = st.to
		rep.Pairs++
		rep.OnHandBefore += st.before
		rep.OnHandAfter += st.to
		for _, h := range lv.cover(st.p.sku, now) {
			if h.AtRisk > 0 {
				atRisk = append(atRisk, stock.Reservation{BasketID: h.BasketID, LocationID: h.LocationID, ExpiresAt: h.ExpiresAt,
					Lines: []stock.ReserveLine{{SKU: h.SKU, Quantity: h.Quantity, HeldSince: h.HeldSince, AtRisk: h.AtRisk}}})
			}
		}
	}
	rep.AtRisk = stock.HoldsAtRisk(atRisk)
	s.feeds[f.ID] = stockFeedRecord{digest: digest, at: now}
	s.feedOrder = append(s.feedOrder, stockKeyAge{key: f.ID, at: now})
	return rep, nil
}

// level returns the level of p, making the pair known (at 0) if it was not.
func (s *StockStore) level(p stockPair) *stockLevel {
	lv := s.levels[p]
	if lv == nil {
		lv = &stockLevel{holds: map[string]*stock.Reservation{}}
		s.levels[p] = lv
	}
	return lv
}

// forgetFeeds drops the feed IDs applied stockFeedRetention or more ago.
func (s *StockStore) forgetFeeds(now time.Time) {
	for s.feedHead < len(s.feedOrder) && !now.Before(s.feedOrder[s.feedHead].at.Add(stockFeedRetention)) {
		old := s.feedOrder[s.feedHead]
		if rec, ok := s.feeds[old.key]; ok && rec.at.Equal(old.at) { // not re-applied since
			delete(s.feeds, old.key)
		}
		s.feedOrder[s.feedHead] = stockKeyAge{}
		s.feedHead++
	}
	if s.feedHead > 64 && s.feedHead*2 > len(s.feedOrder) {
		s.feedOrder = append(s.feedOrder[:0], s.feedOrder[s.feedHead:]...)
		s.feedHead = 0
	}
}

// Apply implements [stock.Ledger]: the movements are played by
// [stock.Play] on the store's state under its lock, and committed only
// when all of them succeed. It takes only the store's own lock and calls
// nothing outside the store, so a basket store may call it while holding
// its own lock.
//
// A hold or transfer sets a reservation without a request key (Apply has
// none; see [stock.Ledger]); a release or deduct keeps the key of the
// reservation it shrinks.
func (s *StockStore) Apply(ctx context.Context, c stock.Change) ([]stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := c.Normalize()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	played, err := stock.Play(c, now, ledgerState{s: s, basket: c.BasketID, now: now})
	if err != nil {
		return nil, err
	}
	s.commit(c.BasketID, now, played)
	return s.reservations(c.BasketID, now), nil
}

// ledgerState is the store's state as [stock.Play] reads it, for one
// basket at one time; the caller holds the lock.
type ledgerState struct {
	s      *StockStore
	basket string
	now    time.Time
}

func (st ledgerState) OnHand(p stock.Pair) (int64, bool) {
	if lv := st.s.levels[stockPair{p.SKU, p.LocationID}]; lv != nil {
		return lv.onHand, true
	}
	return 0, false
}

func (st ledgerState) Held(loc string) *stock.Reservation {
	return st.s.baskets[st.basket].active(loc, st.now)
}

// others returns the active holds of p of every other basket.
func (st ledgerState) others(p stock.Pair) []stock.Hold {
	lv := st.s.levels[stockPair{p.SKU, p.LocationID}]
	if lv == nil {
		return nil
	}
	var out []stock.Hold
	for _, h := range lv.holdsOf(p.SKU, st.basket) {
		if st.now.Before(h.ExpiresAt) {
			out = append(out, h)
		}
	}
	return out
}

func (st ledgerState) OthersHeld(p stock.Pair) int64 {
	var held int64
	for _, h := range st.others(p) {
		held += h.Quantity
	}
	return held
}

func (st ledgerState) Covered(p stock.Pair, onHand int64, line stock.ReserveLine) (int64, error) {
	own := stock.Hold{BasketID: st.basket, LocationID: p.LocationID, SKU: p.SKU,
		Quantity: line.Quantity, HeldSince: line.HeldSince, ExpiresAt: st.now.Add(time.Hour)} // active: it is the basket's
	for _, h := range stock.Cover(onHand, st.now, append(st.others(p), own)) {
		if h.BasketID == st.basket {
			return h.Covered(), nil
		}
	}
	return 0, nil
}

// commit writes what a change did into the store: on-hand counts first (a
// hold needs its level), then the basket's reservations at every touched
// location.
func (s *StockStore) commit(basketID string, now time.Time, played stock.Played) {
	for p, n := range played.OnHand {
		s.level(stockPair{p.SKU, p.LocationID}).onHand = n
	}
	if len(played.Reservations) == 0 {
		return
	}
	b := s.basket(basketID)
	for loc, r := range played.Reservations {
		s.unlink(b, loc)
		if r != nil {
			s.link(b, r)
		}
	}
	s.tidy(basketID, b, now)
}

// reservations lists the basket's active reservations sorted by location,
// each line with its AtRisk; the caller holds the lock.
func (s *StockStore) reservations(basketID string, now time.Time) []stock.Reservation {
	b := s.baskets[basketID]
	if b == nil {
		return []stock.Reservation{}
	}
	out := make([]stock.Reservation, 0, len(b.byLoc))
	for _, r := range b.byLoc {
		if !r.Active(now) {
			continue
		}
		c := r.Clone()
		for i, l := range c.Lines {
			c.Lines[i].AtRisk = s.levels[stockPair{l.SKU, c.LocationID}].atRisk(l.SKU, basketID, now)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y stock.Reservation) int { return cmp.Compare(x.LocationID, y.LocationID) })
	return out
}
