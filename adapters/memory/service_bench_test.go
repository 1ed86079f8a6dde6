package memory_test

import (
	"context"
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

// BenchmarkServiceCommands runs the command of the PostgreSQL adapter's
// BenchmarkServiceInstances (SetQuantity, 1 ⇄ 2 on a line of the demo
// catalogue: read, re-price, compare-and-swap save with its event) on the
// in-memory store, by 1 and 8 writers each on a basket of its own: what
// one Service does per core when the store costs nothing, the figure
// docs/capacity.md sets beside the database's.
func BenchmarkServiceCommands(b *testing.B) {
	cat, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			ctx := context.Background()
			st := memory.NewStockStore(clock.System{})
			svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat,
				Stock: st, Locations: cat, Fees: cat, Clock: clock.System{}})
			if err != nil {
				b.Fatal(err)
			}
			actor := basket.Actor{Kind: basket.System, ID: "bench"}
			type target struct {
				id   uuid.UUID
				line string
				qty  int64
			}
			targets := make([]*target, writers)
			for w := range targets {
				bk, err := svc.Create(ctx, actor, basket.CreateRequest{ID: uuid.New(),
					Owner: basket.Owner{CustomerID: fmt.Sprintf("c-%d", w)}, Context: demo.Web(time.Now())})
				if err != nil {
					b.Fatal(err)
				}
				bk, err = svc.AddLine(ctx, actor, bk.ID, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1, Product: demo.Product("CANDLE-FIG")})
				if err != nil {
					b.Fatal(err)
				}
				targets[w] = &target{id: bk.ID, line: bk.Lines[0].ID, qty: 1}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for _, t := range targets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						t.qty = 3 - t.qty
						if _, err := svc.SetQuantity(ctx, actor, t.id, t.line, t.qty); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "commands/s")
		})
	}
}
