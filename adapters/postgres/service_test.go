package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// hotServices are instances of basket.Service sharing one PostgreSQL
// schema, with the demo retailer's data, and one basket that every writer
// will change.
func hotServices(tb testing.TB, instances int, change func(*basket.Config)) ([]*basket.Service, uuid.UUID) {
	tb.Helper()
	s := newTestStore(tb, nil)
	cat, err := demo.Catalog()
	if err != nil {
		tb.Fatal(err)
	}
	stock := memory.NewStockStore(clock.System{})
	cfg := basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: stock, Locations: cat, Fees: cat, Clock: clock.System{}}
	if change != nil {
		change(&cfg)
	}
	svcs := make([]*basket.Service, instances)
	for i := range svcs {
		if svcs[i], err = basket.NewService(cfg); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := svcs[0].Create(context.Background(), basket.Actor{Kind: basket.System, ID: "hot"},
		basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "hot"}, Context: demo.Web(time.Now())})
	if err != nil {
		tb.Fatal(err)
	}
	return svcs, b.ID
}

// hammer runs commands commands spread over writers goroutines on one
// basket and returns how many failed.
// Writer w goes through instance w mod len(svcs).
func hammer(svcs []*basket.Service, id uuid.UUID, writers, commands int) (failed int64, firstErr error) {
	var next, fails atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	actor := basket.Actor{Kind: basket.System, ID: "hot"}
	round := uuid.NewString()[:8] // codes stay new across calls
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := next.Add(1); n <= int64(commands); n = next.Add(1) {
				code := fmt.Sprintf("%s-W%d-%d", round, w, n)
				if _, err := svcs[w%len(svcs)].AddCoupon(context.Background(), actor, id, code); err != nil {
					fails.Add(1)
					once.Do(func() { firstErr = err })
				}
			}
		}()
	}
	wg.Wait()
	return fails.Load(), firstErr
}

// noBackoff is the Service's retry before backoff existed: 5 attempts,
// re-run at once.
func noBackoff(c *basket.Config) {
	c.MaxAttempts = 5
	c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
}

// TestServiceHotBasketDefaultsLoseNoCommand: 40 writers on one basket, at
// the Service's default settings, through one instance and through two
// sharing the database, and every command gets through.
func TestServiceHotBasketDefaultsLoseNoCommand(t *testing.T) {
	for _, instances := range []int{1, 2} {
		t.Run(fmt.Sprintf("instances=%d", instances), func(t *testing.T) {
			svcs, id := hotServices(t, instances, nil)
			failed, err := hammer(svcs, id, 40, 200)
			if failed != 0 {
				t.Fatalf("%d of 200 commands failed at default settings; first: %v", failed, err)
			}
			b, err := svcs[0].Get(context.Background(), basket.Actor{Kind: basket.System, ID: "hot"}, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Wallet.Coupons) != 200 {
				t.Fatalf("%d coupons in the wallet, want 200: an update was lost", len(b.Wallet.Coupons))
			}
		})
	}
}

// BenchmarkServiceHotBasket runs AddCoupon by 16 writers on one basket
// through the whole Service (read, price, compare-and-swap, retry), on one
// instance and on two sharing the database, with the default settings and,
// side by side, the retry the Service had before (5 attempts, no backoff,
// no queueing per basket: emulated by one instance per writer); it reports
// commands/s and the share of commands that failed after all their
// attempts.
func BenchmarkServiceHotBasket(b *testing.B) {
	const writers, commands = 16, 200
	for _, tc := range []struct {
		name      string
		instances int
		change    func(*basket.Config)
	}{
		{"defaults/instances=1", 1, nil},
		{"defaults/instances=2", 2, nil},
		{"before/no-backoff", writers, noBackoff},
	} {
		b.Run(tc.name, func(b *testing.B) {
			svcs, id := hotServices(b, tc.instances, tc.change)
			var failed int64
			var err error
			start := time.Now()
			for b.Loop() {
				var f int64
				f, err = hammer(svcs, id, writers, commands)
				failed += f
			}
			elapsed := time.Since(start)
			if err != nil && !errors.Is(err, basket.ErrVersionConflict) {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N*commands)/elapsed.Seconds(), "commands/s")
			b.ReportMetric(100*float64(failed)/float64(b.N*commands), "%failed")
		})
	}
}
