package stocktest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// testConcurrentOffers: shoppers read what they are offered and hold it
// while a feeder sends full and delta counts to the ledger and the source.
//
// Reads cannot be checked against "the state at that moment" while writes
// run, so the test freezes the moment instead: every write (a hold, a
// release, a feed into the ledger and then the source) runs under the read
// side of a lock, and an audited read takes the write side, so nothing
// changes while it compares what each basket is offered with the holds the
// ledger lists (see [offerEnv.audit]). Unaudited reads run unlocked, and
// the shoppers hold what they were offered, so holds race with each other,
// with feeds and with reads.
//
// Each round has two phases, then moves the clock (some holds expire).
// In the first, the feeder runs with the shoppers; in the second, the
// shoppers alone. At the end of each phase nothing runs and the test
// checks: on-hand is what the feeds made it (shoppers never move units,
// and the feeder predicts every outcome, refusals included); every basket
// is offered exactly on-hand minus what is covered for the others;
// [CheckConservation]. After the second phase it also checks that the
// units at risk on each pair did not grow: with no feed, a hold is granted
// only from units on-hand covers, so a ledger that promised a unit twice
// would show it there.
func testConcurrentOffers(t *testing.T, a Availability) {
	o := newOfferEnv(t, a)
	skus, locs := []string{"cup", "mug"}, []string{"S1", "S2"}
	q := stock.Query{SKUs: skus, Locations: locs}
	const shoppers = 6
	ops := 12
	var baskets []string
	for i := range shoppers {
		baskets = append(baskets, fmt.Sprintf("shopper-%d", i))
	}
	type pair struct{ sku, loc string }
	model := map[pair]int64{}
	var pairs []pair // in a fixed order, so that a seed replays a run
	var counts []stock.Count
	for _, sku := range skus {
		for _, loc := range locs {
			pairs = append(pairs, pair{sku, loc})
			model[pair{sku, loc}] = 2
			counts = append(counts, cnt(sku, loc, 2))
		}
	}
	o.mustFeed(fullFeed("count-0", locs, nil, counts...))

	var (
		world                      sync.RWMutex
		granted, refused, audited  atomic.Int64
		fedFull, fedDelta, replays int
		applied                    []stock.Feed
	)

	shop := func(round, phase, i int) error {
		rng := rand.New(rand.NewPCG(uint64(round), uint64(phase*shoppers+i)))
		basket := baskets[i]
		for n := range ops {
			loc := locs[rng.IntN(len(locs))]
			switch r := rng.IntN(10); {
			case r < 2:
				world.Lock()
				err := o.audit(baskets, q)
				world.Unlock()
				if err != nil {
					return fmt.Errorf("audit by %s: %w", basket, err)
				}
				audited.Add(1)
			case r == 2:
				world.RLock()
				var err error
				if rng.IntN(2) == 0 {
					err = a.Ledger.Release(o.ctx, basket, loc)
				} else {
					_, err = a.Ledger.Apply(o.ctx, stock.Change{BasketID: basket,
						Movements: []stock.Movement{mvRelease(loc, ln(skus[rng.IntN(len(skus))], 1))}})
				}
				world.RUnlock()
				if err != nil {
					return fmt.Errorf("release by %s at %s: %w", basket, loc, err)
				}
			default:
				levels, err := o.offered(basket, stock.Query{SKUs: skus, Locations: []string{loc}})
				if err != nil {
					return err
				}
				var lines []stock.ReserveLine
				for _, sku := range skus {
					if l, _ := levels.Get(sku, loc); l.Available() > 0 && rng.IntN(3) > 0 {
						avail := l.Available()
						lines = append(lines, ln(sku, 1+rng.Int64N(avail)))
					}
				}
				if len(lines) == 0 {
					continue
				}
				exp := a.Clock.Now().Add(time.Duration(1+rng.IntN(10)) * time.Minute)
				world.RLock()
				var got stock.Reservation
				if rng.IntN(2) == 0 {
					var list []stock.Reservation
					list, err = o.hold(basket, loc, exp, lines...)
					if i := slices.IndexFunc(list, func(r stock.Reservation) bool { return r.LocationID == loc }); i >= 0 {
						got = list[i]
					}
				} else {
					got, err = a.Ledger.Reserve(o.ctx, rq(basket, fmt.Sprintf("r%d-%d-%d", round, phase, n), loc, exp, lines...))
				}
				world.RUnlock()
				switch {
				case errors.Is(err, stock.ErrInsufficientStock):
					refused.Add(1) // offered, then taken or counted away meanwhile
				case err != nil:
					return fmt.Errorf("hold by %s at %s of %v: %w", basket, loc, lines, err)
				default:
					granted.Add(1)
					if len(got.Lines) != len(lines) {
						return fmt.Errorf("hold by %s at %s of %v: got %+v", basket, loc, lines, got)
					}
					for j, l := range got.Lines {
						if l.SKU != lines[j].SKU || l.Quantity != lines[j].Quantity || l.AtRisk != 0 {
							return fmt.Errorf("hold by %s at %s of %v: got %+v, not whole", basket, loc, lines, got)
						}
					}
				}
			}
		}
		return nil
	}

	// feed sends n feeds, predicting each outcome from the model: only
	// feeds change on-hand here.
	feed := func(round, n int) error {
		rng := rand.New(rand.NewPCG(uint64(round), 99))
		for k := range n {
			id := fmt.Sprintf("count-%d-%d", round, k)
			var f stock.Feed
			next := map[pair]int64{}
			refuse := false
			switch r := rng.IntN(5); {
			case r == 0 && len(applied) > 0:
				f = applied[rng.IntN(len(applied))]
			case r < 3:
				f = fullFeed(id, slices.Clone(locs), nil)
				if rng.IntN(2) == 0 {
					f.Locations = []string{locs[rng.IntN(len(locs))]}
				}
				if rng.IntN(2) == 0 {
					f.SKUs = []string{skus[rng.IntN(len(skus))]}
				}
				for _, p := range pairs {
					if !f.InScope(p.sku, p.loc) {
						continue
					}
					next[p] = 0
					if rng.IntN(3) > 0 {
						next[p] = rng.Int64N(5)
						f.Counts = append(f.Counts, cnt(p.sku, p.loc, next[p]))
					}
				}
			default:
				f = deltaFeed(id)
				for _, p := range pairs {
					if rng.IntN(2) == 0 {
						continue
					}
					d := rng.Int64N(6) - 2
					if d >= 0 {
						d++
					}
					f.Counts = append(f.Counts, cnt(p.sku, p.loc, d))
					next[p] = model[p] + d
					refuse = refuse || next[p] < 0
				}
				if len(f.Counts) == 0 {
					continue
				}
			}
			world.RLock()
			rep, err := o.feed(f)
			world.RUnlock()
			replay := f.ID != id
			switch {
			case replay:
				if err != nil || !rep.Replayed {
					return fmt.Errorf("replay of feed %s: %+v, %v", f.ID, rep, err)
				}
				replays++
				continue
			case refuse:
				var ie *stock.InputError
				if !errors.As(err, &ie) {
					return fmt.Errorf("feed %s taking a pair below zero: %+v, %v; want an *InputError", f.ID, rep, err)
				}
				continue
			case err != nil:
				return fmt.Errorf("feed %s: %w", f.ID, err)
			}
			var before, after int64
			for p, n := range next {
				before += model[p]
				after += n
				model[p] = n
			}
			if rep.Replayed || rep.OnHandBefore != before || rep.OnHandAfter != after {
				return fmt.Errorf("feed %s (%s): report %+v, want on hand %d → %d", f.ID, f.Kind, rep, before, after)
			}
			applied = append(applied, f)
			if f.Kind == stock.FullFeed {
				fedFull++
			} else {
				fedDelta++
			}
		}
		return nil
	}

	// atRisk sums the units at risk on each pair.
	atRisk := func() map[pair]int64 {
		hs, err := a.Ledger.Holds(o.ctx, q)
		if err != nil {
			t.Fatalf("Holds: %v", err)
		}
		out := map[pair]int64{}
		for _, h := range hs {
			out[pair{h.SKU, h.LocationID}] += h.AtRisk
		}
		return out
	}
	quiescent := func(round int, phase string) {
		t.Helper()
		levels, err := a.Ledger.Levels(o.ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for p, n := range model {
			if l, ok := levels.Get(p.sku, p.loc); !ok || l.OnHand != n {
				t.Fatalf("round %d, %s: %s at %s: %+v (known %t), but the feeds made it %d", round, phase, p.sku, p.loc, l, ok, n)
			}
		}
		if err := o.audit(baskets, q); err != nil {
			t.Fatalf("round %d, %s: %v", round, phase, err)
		}
		if err := CheckConservation(o.ctx, a.Ledger, a.Ledger, a.Clock.Now(), baskets, skus, locs); err != nil {
			t.Fatalf("round %d, %s: %v", round, phase, err)
		}
	}

	for round := range a.rounds() {
		var risk map[pair]int64
		for phase, feeds := range []int{8, 0} {
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, shoppers+1)
			run := func(f func() error) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if err := f(); err != nil {
						errs <- err
					}
				}()
			}
			for i := range shoppers {
				run(func() error { return shop(round, phase, i) })
			}
			if feeds > 0 {
				run(func() error { return feed(round, feeds) })
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("round %d, phase %d: %v", round, phase, err)
			}
			name := []string{"after shoppers and feeds", "after shoppers alone"}[phase]
			quiescent(round, name)
			now := atRisk()
			if phase == 1 {
				for p, n := range now {
					if n > risk[p] {
						t.Fatalf("round %d: with no feed, the units at risk of %s at %s grew from %d to %d: a hold was granted units covered for another",
							round, p.sku, p.loc, risk[p], n)
					}
				}
			}
			risk = now
		}
		a.Clock.Advance(time.Duration(rand.New(rand.NewPCG(uint64(round), 7)).IntN(4)) * time.Minute)
	}
	if granted.Load() == 0 || audited.Load() == 0 || fedFull == 0 || fedDelta == 0 {
		t.Fatalf("the test exercised too little: %d holds granted, %d refused, %d audits, %d full and %d delta feeds",
			granted.Load(), refused.Load(), audited.Load(), fedFull, fedDelta)
	}
	t.Logf("%d holds granted, %d refused, %d audits, %d full and %d delta feeds, %d replays",
		granted.Load(), refused.Load(), audited.Load(), fedFull, fedDelta, replays)
}
