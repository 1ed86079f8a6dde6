package stocktest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// testOversellRace: one unit, 50 baskets reserving it at the same instant,
// many rounds; exactly one wins each round and the level never goes
// negative.
func testOversellRace(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	const racers = 50
	rounds := h.rounds()
	exp := e.now().Add(time.Hour)
	for round := range rounds {
		sku := fmt.Sprintf("race-%d", round)
		e.setOnHand(sku, "x", 1)
		var (
			start    = make(chan struct{})
			wg       sync.WaitGroup
			wins     atomic.Int32
			failures = make(chan error, racers)
		)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := h.Reserver.Reserve(e.ctx, rq(fmt.Sprintf("b%d", i), sku, "x", exp, ln(sku, 1)))
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, stock.ErrInsufficientStock):
					failures <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatalf("round %d: unexpected error %v", round, err)
		}
		if n := wins.Load(); n != 1 {
			t.Fatalf("round %d: %d reservations of a single unit succeeded", round, n)
		}
		l, ok := e.level(sku, "x")
		if !ok || l.OnHand != 1 || l.Reserved != 1 || l.Available() != 0 {
			t.Fatalf("round %d: level %+v (known %t), want on hand 1 reserved 1", round, l, ok)
		}
	}
}

// testConcurrentConservation runs random reserves, replacements, releases,
// extensions and transfers from several goroutines on shared SKUs while a
// reader watches the levels, then checks conservation.
func testConcurrentConservation(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	skus := []string{"a", "b"}
	locs := []string{"x", "y"}
	for _, s := range skus {
		for _, l := range locs {
			e.setOnHand(s, l, 6)
		}
	}
	const workers = 8
	ops := 300
	if testing.Short() {
		ops = 100
	}
	var baskets []string
	for w := range workers {
		baskets = append(baskets, fmt.Sprintf("w%d-b0", w), fmt.Sprintf("w%d-b1", w))
	}
	var (
		wg      sync.WaitGroup
		done    = make(chan struct{})
		errs    = make(chan error, workers+1)
		keySeq  atomic.Int64
		readers sync.WaitGroup
	)
	readers.Add(1)
	go func() { // watch: available never negative, reserved never above on hand
		defer readers.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			levels, err := h.Provider.Levels(e.ctx, stock.Query{SKUs: skus, Locations: locs})
			if err != nil {
				errs <- err
				return
			}
			for _, l := range levels.All() {
				if l.Reserved < 0 || l.Reserved > l.OnHand || l.Available() < 0 {
					errs <- fmt.Errorf("level seen under load: %+v", l)
					return
				}
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
			for range ops {
				b := fmt.Sprintf("w%d-b%d", w, rng.IntN(2))
				key := fmt.Sprintf("k%d", keySeq.Add(1))
				exp := h.Clock.Now().Add(time.Duration(1+rng.IntN(30)) * time.Minute)
				var err error
				switch rng.IntN(6) {
				case 0, 1, 2:
					lines := []stock.ReserveLine{ln(pick(skus), int64(1+rng.IntN(3)))}
					if rng.IntN(2) == 0 {
						lines = append(lines, ln(pick(skus), int64(1+rng.IntN(2))))
					}
					_, err = h.Reserver.Reserve(e.ctx, rq(b, key, pick(locs), exp, lines...))
				case 3:
					err = h.Reserver.Release(e.ctx, b, pick(locs))
				case 4:
					err = h.Reserver.Extend(e.ctx, b, pick(locs), exp.Add(time.Hour))
				case 5:
					from := rng.IntN(len(locs))
					_, err = h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: b, RequestKey: key,
						From: locs[from], To: locs[1-from], ExpiresAt: exp})
				}
				if err != nil && !errors.Is(err, stock.ErrInsufficientStock) && !errors.Is(err, stock.ErrNotFound) && !errors.Is(err, stock.ErrInvalid) {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				if rng.IntN(50) == 0 {
					h.Clock.Advance(time.Minute)
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.conserve(baskets, skus, locs)
}
