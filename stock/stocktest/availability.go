package stocktest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// Availability is a way of offering units to baskets, checked by
// [RunAvailabilityTests]: the provider baskets are offered units from and
// the ledger that decides every hold.
type Availability struct {
	// Ledger takes every hold and is fed every on-hand count.
	Ledger stock.Ledger
	// Offer is what baskets read their levels from: the Ledger itself, or
	// stock.NetOfHolds(source, Ledger) where source reports the on-hand
	// counts the Ledger was fed (an ERP).
	Offer stock.Provider
	// Source, when Offer reads on-hand from another system, takes the
	// same feeds as the Ledger, in the same order (the suite feeds the
	// Ledger first, then Source). Nil when Offer is the Ledger.
	Source stock.Feeder
	// Clock is the fake clock the Ledger judges expiry with.
	Clock *clock.Fake
	// Rounds is the number of rounds of the concurrent test; 0 means 40,
	// or 10 under testing.Short().
	Rounds int
}

func (a Availability) rounds() int {
	switch {
	case a.Rounds > 0:
		return a.Rounds
	case testing.Short():
		return 10
	}
	return 40
}

// RunAvailabilityTests checks that no unit is ever offered to two baskets
// by an [Availability]: baskets reading Offer and subtracting their own
// reservations (levels.WithoutReservations(own), as the basket Service
// does) are never offered a unit covered for another basket, while other
// goroutines feed on-hand changes and baskets hold what they were offered
// through Apply and Reserve. It includes the click & collect regression:
// a basket holding the last unit of a store leaves 0 available to every
// other basket, whatever the source of on-hand still reports. newAvailability
// is called once per test and must return an empty ledger (and source).
func RunAvailabilityTests(t *testing.T, newAvailability func(t *testing.T) Availability) {
	na := func(t *testing.T) Availability {
		t.Helper()
		a := newAvailability(t)
		if a.Ledger == nil || a.Offer == nil || a.Clock == nil {
			t.Fatal("stocktest: RunAvailabilityTests needs a Ledger, an Offer and a Clock")
		}
		return a
	}
	t.Run("ClickAndCollectLastUnit", func(t *testing.T) { testClickAndCollect(t, na(t)) })
	t.Run("OwnHoldOffered", func(t *testing.T) { testOwnHoldOffered(t, na(t)) })
	t.Run("ShrinkageOffersNoUnitTwice", func(t *testing.T) { testOfferShrinkage(t, na(t)) })
	t.Run("ConcurrentOffers", func(t *testing.T) { testConcurrentOffers(t, na(t)) })
}

// offerEnv drives an [Availability] for one test.
type offerEnv struct {
	t   tb
	a   Availability
	ctx context.Context
}

func newOfferEnv(t tb, a Availability) *offerEnv {
	return &offerEnv{t: t, a: a, ctx: context.Background()}
}

// feed feeds the ledger, then the source if the ledger took the feed: a
// source refusing what the ledger took is a broken harness.
func (o *offerEnv) feed(f stock.Feed) (stock.FeedReport, error) {
	rep, err := o.a.Ledger.Feed(o.ctx, f)
	if err != nil || o.a.Source == nil {
		return rep, err
	}
	if _, serr := o.a.Source.Feed(o.ctx, f); serr != nil {
		return rep, fmt.Errorf("stocktest: the source refused feed %s that the ledger took: %w", f.ID, serr)
	}
	return rep, nil
}

func (o *offerEnv) mustFeed(f stock.Feed) stock.FeedReport {
	o.t.Helper()
	rep, err := o.feed(f)
	if err != nil {
		o.t.Fatalf("Feed(%s): %v", f.ID, err)
	}
	return rep
}

// offered reads what basket is offered of every pair of q, as the basket
// Service does: the Offer's levels without the basket's own reservations.
func (o *offerEnv) offered(basket string, q stock.Query) (stock.Levels, error) {
	levels, err := o.a.Offer.Levels(o.ctx, q)
	if err != nil {
		return stock.Levels{}, fmt.Errorf("levels from the offer: %w", err)
	}
	own, err := o.a.Ledger.Reservations(o.ctx, basket)
	if err != nil {
		return stock.Levels{}, fmt.Errorf("reservations of %s: %w", basket, err)
	}
	return levels.WithoutReservations(own), nil
}

func (o *offerEnv) expectOffered(basket, sku, loc string, want int64) {
	o.t.Helper()
	levels, err := o.offered(basket, stock.Query{SKUs: []string{sku}, Locations: []string{loc}})
	if err != nil {
		o.t.Fatal(err)
	}
	if l, ok := levels.Get(sku, loc); !ok || l.Available() != want {
		o.t.Fatalf("%s is offered %d of %s at %s (known %t), want %d", basket, l.Available(), sku, loc, ok, want)
	}
}

func (o *offerEnv) hold(basket, loc string, exp time.Time, lines ...stock.ReserveLine) ([]stock.Reservation, error) {
	return o.a.Ledger.Apply(o.ctx, stock.Change{BasketID: basket, Movements: []stock.Movement{mvHold(loc, exp, lines...)}})
}

// audit checks, while nothing changes, that what every basket given is
// offered of each pair of q is exactly on-hand minus the units covered for
// the other baskets: never a unit covered for another basket (no unit
// promised twice), never less than the basket may count on. Covered units
// are ranked here from the holds the ledger lists ([stock.Cover]), and the
// ledger's own AtRisk must agree.
func (o *offerEnv) audit(baskets []string, q stock.Query) error {
	now := o.a.Clock.Now()
	ledger, err := o.a.Ledger.Levels(o.ctx, q)
	if err != nil {
		return fmt.Errorf("levels from the ledger: %w", err)
	}
	holds, err := o.a.Ledger.Holds(o.ctx, q)
	if err != nil {
		return fmt.Errorf("holds: %w", err)
	}
	type pair struct{ sku, loc string }
	byPair := map[pair][]stock.Hold{}
	for _, h := range holds {
		byPair[pair{h.SKU, h.LocationID}] = append(byPair[pair{h.SKU, h.LocationID}], h)
	}
	covered := map[pair]map[string]int64{}
	for p, hs := range byPair {
		l, ok := ledger.Get(p.sku, p.loc)
		if !ok {
			return fmt.Errorf("%s at %s: holds %+v on a pair the ledger does not know", p.sku, p.loc, hs)
		}
		ranked := stock.Cover(l.OnHand, now, hs)
		if !slices.EqualFunc(ranked, hs, sameHold) {
			return fmt.Errorf("%s at %s (on hand %d): Holds lists\n%+v\nranked and covered, they are\n%+v", p.sku, p.loc, l.OnHand, hs, ranked)
		}
		covered[p] = map[string]int64{}
		for _, h := range ranked {
			covered[p][h.BasketID] += h.Covered()
		}
	}
	for _, b := range baskets {
		levels, err := o.offered(b, q)
		if err != nil {
			return err
		}
		for _, l := range ledger.All() {
			off, ok := levels.Get(l.SKU, l.LocationID)
			if !ok {
				return fmt.Errorf("%s at %s: known to the ledger, unknown to the offer", l.SKU, l.LocationID)
			}
			if off.OnHand != l.OnHand {
				return fmt.Errorf("%s at %s: the offer reads on hand %d, the ledger was fed %d", l.SKU, l.LocationID, off.OnHand, l.OnHand)
			}
			var others int64
			for holder, c := range covered[pair{l.SKU, l.LocationID}] {
				if holder != b {
					others += c
				}
			}
			switch may := l.OnHand - others; {
			case off.Available() > may:
				return fmt.Errorf("%s at %s: %s is offered %d, but %d of the %d on hand are covered for other baskets: a unit promised twice",
					l.SKU, l.LocationID, b, off.Available(), others, l.OnHand)
			case off.Available() < may:
				return fmt.Errorf("%s at %s: %s is offered %d, but may count on %d (%d on hand, %d covered for others)",
					l.SKU, l.LocationID, b, off.Available(), may, l.OnHand, others)
			}
		}
		if levels.Len() != ledger.Len() {
			return fmt.Errorf("the offer knows %d pairs, the ledger %d", levels.Len(), ledger.Len())
		}
	}
	return nil
}

func (o *offerEnv) mustAudit(baskets []string, q stock.Query) {
	o.t.Helper()
	if err := o.audit(baskets, q); err != nil {
		o.t.Fatal(err)
	}
}

// testClickAndCollect is the regression: basket A holds the last mug of
// store S for collection; B, whose on-hand source still reports the mug,
// must be offered none of it and cannot hold it.
func testClickAndCollect(t *testing.T, a Availability) {
	o := newOfferEnv(t, a)
	o.mustFeed(fullFeed("count-1", []string{"S", "DC"}, nil, cnt("mug", "S", 1), cnt("mug", "DC", 2)))
	exp := a.Clock.Now().Add(2 * time.Hour)
	if _, err := o.hold("A", "S", exp, ln("mug", 1)); err != nil {
		t.Fatalf("A holds the last mug: %v", err)
	}
	q := stock.Query{SKUs: []string{"mug"}, Locations: []string{"S", "DC"}}
	raw, err := a.Offer.Levels(o.ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := raw.Get("mug", "S"); !ok || l.OnHand != 1 || l.Available() != 0 {
		t.Fatalf("mug at S read by the offer: %+v (known %t), want on hand 1 (the source still has it), available 0", l, ok)
	}
	o.expectOffered("B", "mug", "S", 0)
	o.expectOffered("B", "mug", "DC", 2)
	o.expectOffered("A", "mug", "S", 1)
	_, err = o.hold("B", "S", exp, ln("mug", 1))
	expectShortage(t, err, "B holding the mug A holds", stock.Shortage{SKU: "mug", LocationID: "S", Requested: 1, Available: 0})
	_, err = a.Ledger.Reserve(o.ctx, rq("B", "k", "S", exp, ln("mug", 1)))
	expectShortage(t, err, "B reserving the mug A holds", stock.Shortage{SKU: "mug", LocationID: "S", Requested: 1, Available: 0})
	o.mustAudit([]string{"A", "B", "C"}, q)
	// A's hold expires: the mug is B's to take.
	a.Clock.Set(exp)
	o.expectOffered("B", "mug", "S", 1)
	if _, err := o.hold("B", "S", exp.Add(time.Hour), ln("mug", 1)); err != nil {
		t.Fatalf("B holds the mug after A's hold expired: %v", err)
	}
	o.expectOffered("A", "mug", "S", 0)
	o.mustAudit([]string{"A", "B", "C"}, q)
}

// testOwnHoldOffered: a basket is offered its own hold plus what is free,
// every other basket only what is free.
func testOwnHoldOffered(t *testing.T, a Availability) {
	o := newOfferEnv(t, a)
	o.mustFeed(fullFeed("count-1", []string{"S"}, nil, cnt("mug", "S", 3), cnt("cup", "S", 2)))
	exp := a.Clock.Now().Add(time.Hour)
	if _, err := o.hold("A", "S", exp, ln("mug", 2), ln("cup", 2)); err != nil {
		t.Fatal(err)
	}
	o.expectOffered("A", "mug", "S", 3)
	o.expectOffered("A", "cup", "S", 2)
	o.expectOffered("B", "mug", "S", 1)
	o.expectOffered("B", "cup", "S", 0)
	// What A is offered, A can hold; what B is offered, B can hold.
	if _, err := o.hold("A", "S", exp, ln("mug", 3)); err != nil {
		t.Fatalf("A holding what it was offered: %v", err)
	}
	o.expectOffered("B", "mug", "S", 0)
	o.expectOffered("B", "cup", "S", 2)
	if _, err := o.hold("B", "S", exp, ln("cup", 2)); err != nil {
		t.Fatalf("B holding what it was offered: %v", err)
	}
	o.mustAudit([]string{"A", "B"}, stock.Query{SKUs: []string{"mug", "cup"}, Locations: []string{"S"}})
}

// testOfferShrinkage: after a feed lowers on-hand below the holds, the
// older hold is offered to its basket, the newer one only what remains,
// and nobody else anything.
func testOfferShrinkage(t *testing.T, a Availability) {
	o := newOfferEnv(t, a)
	o.mustFeed(fullFeed("count-1", []string{"S"}, nil, cnt("mug", "S", 10)))
	exp := a.Clock.Now().Add(time.Hour)
	if _, err := o.hold("A", "S", exp, ln("mug", 5)); err != nil {
		t.Fatal(err)
	}
	a.Clock.Advance(time.Second)
	if _, err := a.Ledger.Reserve(o.ctx, rq("B", "k", "S", exp, ln("mug", 5))); err != nil {
		t.Fatal(err)
	}
	q := stock.Query{SKUs: []string{"mug"}, Locations: []string{"S"}}
	for _, c := range []struct {
		feed          stock.Feed
		onA, onB, onC int64
	}{
		{fullFeed("count-2", []string{"S"}, nil, cnt("mug", "S", 5)), 5, 0, 0},
		{deltaFeed("delta-1", cnt("mug", "S", 3)), 5, 3, 0},
		{deltaFeed("delta-2", cnt("mug", "S", 4)), 7, 7, 2}, // 2 free
	} {
		o.mustFeed(c.feed)
		o.expectOffered("A", "mug", "S", c.onA)
		o.expectOffered("B", "mug", "S", c.onB)
		o.expectOffered("C", "mug", "S", c.onC)
		o.mustAudit([]string{"A", "B", "C"}, q)
	}
	_, err := o.hold("C", "S", exp, ln("mug", 3))
	expectShortage(t, err, "C holding more than is free", stock.Shortage{SKU: "mug", LocationID: "S", Requested: 3, Available: 2})
}
