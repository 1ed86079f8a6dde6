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

// Apply implements [stock.Ledger]: the movements are played on a copy of
// the basket's reservations and of the on-hand counts they touch, under
// the store's lock, and committed only when all of them succeed. It takes
// only the store's own lock and calls nothing outside the store, so a
// basket store may call it while holding its own lock.
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
	for i, m := range c.Movements {
		if !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt) {
			return nil, &stock.InputError{Field: fmt.Sprintf("Movements[%d].ExpiresAt", i),
				Reason: fmt.Sprintf("%s is not after now (%s)", m.ExpiresAt, now)}
		}
	}
	w := &stockWork{s: s, basket: c.BasketID, now: now,
		onHand: map[stockPair]int64{}, res: map[string]*stock.Reservation{}}
	for i, m := range c.Movements {
		if err := w.apply(i, m); err != nil {
			return nil, err
		}
	}
	w.commit()
	return s.reservations(c.BasketID, now), nil
}

// stockWork is a change being played: the on-hand counts and the basket's
// reservations it has touched so far, over the store's state, which it
// does not change until commit.
type stockWork struct {
	s      *StockStore
	basket string
	now    time.Time
	onHand map[stockPair]int64           // touched pairs (known by now)
	res    map[string]*stock.Reservation // touched locations → the basket's reservation there (nil: none)
}

// level returns the on-hand of p as played so far; known is false for a
// pair neither the store nor the change knows.
func (w *stockWork) level(p stockPair) (onHand int64, known bool) {
	if n, ok := w.onHand[p]; ok {
		return n, true
	}
	if lv := w.s.levels[p]; lv != nil {
		return lv.onHand, true
	}
	return 0, false
}

// own returns the basket's active reservation at loc as played so far
// (nil: none); the store's is copied before the work changes it.
func (w *stockWork) own(loc string) *stock.Reservation {
	if r, ok := w.res[loc]; ok {
		return r
	}
	r := w.s.baskets[w.basket].active(loc, w.now)
	if r == nil {
		return nil
	}
	c := r.Clone()
	return &c
}

// others returns the active holds of p of every other basket.
func (w *stockWork) others(p stockPair) []stock.Hold {
	lv := w.s.levels[p]
	if lv == nil {
		return nil
	}
	var out []stock.Hold
	for _, h := range lv.holdsOf(p.sku, w.basket) {
		if w.now.Before(h.ExpiresAt) {
			out = append(out, h)
		}
	}
	return out
}

// available returns what the basket may take of p, its own hold included:
// the larger of on-hand minus every other basket's hold and the part of
// its own hold that on-hand covers (the rule of [stock.Reserver.Reserve]).
func (w *stockWork) available(p stockPair, onHand int64) int64 {
	others := w.others(p)
	var held int64
	for _, h := range others {
		held += h.Quantity
	}
	return max(onHand-held, w.covered(p, onHand, others), 0)
}

// covered returns the part of the basket's own hold of p that onHand
// covers, ranked among the other holds.
func (w *stockWork) covered(p stockPair, onHand int64, others []stock.Hold) int64 {
	r := w.own(p.loc)
	l, ok := lineOf(r, p.sku)
	if !ok {
		return 0
	}
	holds := append(others, stock.Hold{BasketID: w.basket, LocationID: p.loc, SKU: p.sku,
		Quantity: l.Quantity, HeldSince: l.HeldSince, ExpiresAt: r.ExpiresAt})
	for _, h := range stock.Cover(onHand, w.now, holds) {
		if h.BasketID == w.basket {
			return h.Covered()
		}
	}
	return 0
}

// add changes the on-hand of p by n (making it known), or reports an
// overflow as an error on field.
func (w *stockWork) add(p stockPair, n int64, field string) error {
	on, _ := w.level(p)
	if n > 0 && on > math.MaxInt64-n {
		return &stock.InputError{Field: field, Reason: fmt.Sprintf("on-hand of %s at %s would overflow", p.sku, p.loc)}
	}
	w.onHand[p] = on + n
	return nil
}

// shrink takes q units of sku off the reservation's line (at most the
// line), dropping empty lines and returning nil when nothing is left.
func shrink(r *stock.Reservation, sku string, q int64) *stock.Reservation {
	if r == nil {
		return nil
	}
	r.Lines = slices.DeleteFunc(r.Lines, func(l stock.ReserveLine) bool { return l.SKU == sku && l.Quantity <= q })
	for i := range r.Lines {
		if r.Lines[i].SKU == sku {
			r.Lines[i].Quantity -= q
		}
	}
	if len(r.Lines) == 0 {
		return nil
	}
	return r
}

func (w *stockWork) apply(i int, m stock.Movement) error {
	field := func(j int) string { return fmt.Sprintf("Movements[%d].Lines[%d].Quantity", i, j) }
	switch m.Kind {
	case stock.MoveHold:
		old := w.own(m.LocationID)
		var short []stock.Shortage
		lines := slices.Clone(m.Lines)
		for j, l := range lines {
			p := stockPair{l.SKU, m.LocationID}
			on, known := w.level(p)
			if !known {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Unknown: true})
				continue
			}
			if avail := w.available(p, on); l.Quantity > avail {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Available: avail})
				continue
			}
			lines[j].HeldSince = w.now // ranked as new unless it keeps an old line's rank
			if o, ok := lineOf(old, l.SKU); ok && l.Quantity <= o.Quantity {
				lines[j].HeldSince = o.HeldSince
			}
		}
		if len(short) > 0 {
			return &stock.ShortageError{Shortages: short}
		}
		w.res[m.LocationID] = &stock.Reservation{BasketID: w.basket, LocationID: m.LocationID, Lines: lines, ExpiresAt: m.ExpiresAt}

	case stock.MoveRelease:
		r := w.own(m.LocationID)
		if len(m.Lines) == 0 {
			r = nil
		}
		for _, l := range m.Lines {
			r = shrink(r, l.SKU, l.Quantity)
		}
		w.res[m.LocationID] = r

	case stock.MoveDeduct:
		var short []stock.Shortage
		for _, l := range m.Lines {
			p := stockPair{l.SKU, m.LocationID}
			on, known := w.level(p)
			switch {
			case !known:
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Unknown: true})
			case l.Quantity > w.available(p, on):
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Available: w.available(p, on)})
			}
		}
		if len(short) > 0 {
			return &stock.ShortageError{Shortages: short}
		}
		r := w.own(m.LocationID)
		for _, l := range m.Lines {
			r = shrink(r, l.SKU, l.Quantity) // the held units first
			on, _ := w.level(stockPair{l.SKU, m.LocationID})
			w.onHand[stockPair{l.SKU, m.LocationID}] = on - l.Quantity
		}
		w.res[m.LocationID] = r

	case stock.MoveTransfer:
		src := w.own(m.LocationID)
		for _, l := range m.Lines {
			if held, _ := lineOf(src, l.SKU); held.Quantity < l.Quantity {
				return &stock.NotFoundError{BasketID: w.basket, LocationID: m.LocationID, SKU: l.SKU}
			}
		}
		var short []stock.Shortage
		for _, l := range m.Lines {
			p := stockPair{l.SKU, m.LocationID}
			on, _ := w.level(p)
			if c := w.covered(p, on, w.others(p)); l.Quantity > c {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Available: c})
			}
		}
		if len(short) > 0 {
			return &stock.ShortageError{Shortages: short}
		}
		arriving := slices.Clone(m.Lines)
		for j, l := range m.Lines {
			src = shrink(src, l.SKU, l.Quantity)
			from := stockPair{l.SKU, m.LocationID}
			on, _ := w.level(from)
			w.onHand[from] = on - l.Quantity
			if err := w.add(stockPair{l.SKU, m.To}, l.Quantity, field(j)); err != nil {
				return err
			}
			arriving[j].HeldSince = w.now // ranked as new at To
		}
		w.res[m.LocationID] = src
		until := m.ExpiresAt
		if dst := w.own(m.To); dst != nil {
			arriving = stock.MergeLines(dst.Lines, arriving)
			if dst.ExpiresAt.After(until) {
				until = dst.ExpiresAt
			}
		}
		w.res[m.To] = &stock.Reservation{BasketID: w.basket, LocationID: m.To, Lines: arriving, ExpiresAt: until}

	case stock.MoveRestock:
		for j, l := range m.Lines {
			if err := w.add(stockPair{l.SKU, m.LocationID}, l.Quantity, field(j)); err != nil {
				return err
			}
		}
	}
	return nil
}

// commit writes the work into the store: on-hand counts first (a hold
// needs its level), then the basket's reservations at every touched
// location.
func (w *stockWork) commit() {
	for p, n := range w.onHand {
		w.s.level(p).onHand = n
	}
	if len(w.res) == 0 {
		return
	}
	b := w.s.basket(w.basket)
	for loc, r := range w.res {
		w.s.unlink(b, loc)
		if r != nil {
			w.s.link(b, r)
		}
	}
	w.s.tidy(w.basket, b, w.now)
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
