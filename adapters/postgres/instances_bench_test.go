package postgres

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// BenchmarkServiceInstances runs Service commands (SetQuantity, 1 ⇄ 2 on a
// line of the demo catalogue: read, re-price, compare-and-swap save with
// its event) through 1, 2 and 4 basket.Service instances sharing one
// database, each with a pool and a Store of its own (as separate
// processes would have), 8 writers per instance, each writer on a basket
// of its own. It reports commands/s for all instances together and per
// instance: how throughput grows with instances on this machine (the
// Service's CPU and the database's share one here; on separate machines
// the instances add CPU and only the database is shared).
func BenchmarkServiceInstances(b *testing.B) {
	const writersPerInstance = 8
	cat, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	for _, instances := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			ctx := context.Background()
			schema := newTestStore(b, nil).Schema()
			svcs := make([]*basket.Service, instances)
			for i := range svcs {
				s := New(benchPool(b, writersPerInstance+2), Options{Schema: schema})
				svc, err := basket.NewService(basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: s,
					Locations: cat, Fees: cat, Clock: clock.System{}})
				if err != nil {
					b.Fatal(err)
				}
				svcs[i] = svc
			}
			actor := basket.Actor{Kind: basket.System, ID: "bench"}
			type target struct {
				svc  *basket.Service
				id   uuid.UUID
				line string
				qty  int64
			}
			targets := make([]*target, instances*writersPerInstance)
			for w := range targets {
				svc := svcs[w%instances]
				bk, err := svc.Create(ctx, actor, basket.CreateRequest{ID: uuid.New(),
					Owner: basket.Owner{CustomerID: fmt.Sprintf("c-%d", w)}, Context: demo.Web(time.Now())})
				if err != nil {
					b.Fatal(err)
				}
				bk, err = svc.AddLine(ctx, actor, bk.ID, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1, Product: demo.Product("CANDLE-FIG")})
				if err != nil {
					b.Fatal(err)
				}
				targets[w] = &target{svc: svc, id: bk.ID, line: bk.Lines[0].ID, qty: 1}
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, len(targets))
			b.ResetTimer()
			start := time.Now()
			for _, t := range targets {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						t.qty = 3 - t.qty
						if _, err := t.svc.SetQuantity(ctx, actor, t.id, t.line, t.qty); err != nil {
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
			rate := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "commands/s")
			b.ReportMetric(rate/float64(instances), "commands/s/instance")
		})
	}
}
