package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// runWorkers splits b.N operations over workers goroutines and reports
// the throughput as unit/s.
func runWorkers(b *testing.B, workers int, unit string, op func(worker int, n int64) error) {
	elapsed := baskettest.RunWorkers(b, workers, op)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), unit+"/s")
}

// BenchmarkBasketUpdate measures read → command → compare-and-swap Save
// (with its event), retried on a version conflict, by 1, 4 and 16 workers
// on a basket each or on one hot basket.
func BenchmarkBasketUpdate(b *testing.B) {
	for _, hot := range []bool{false, true} {
		for _, workers := range []int{1, 4, 16} {
			name := fmt.Sprintf("distinct/workers=%d", workers)
			if hot {
				name = fmt.Sprintf("hot/workers=%d", workers)
			}
			b.Run(name, func(b *testing.B) {
				s := newTestStore(b, nil)
				ctx := context.Background()
				at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
				ids := make([]uuid.UUID, workers)
				lines := make([]string, workers)
				for w := range workers {
					if hot && w > 0 {
						ids[w], lines[w] = ids[0], lines[0]
						continue
					}
					bk, cw := baskettest.NewBasket(b, fmt.Sprintf("c-%d", w))
					lineID, e, err := bk.AddLine(testMeta(at), basket.NewLine{SKU: "sku-1", Quantity: 1,
						Product: basket.Product{Name: "Kettle", TaxCategory: "standard"}})
					if err != nil {
						b.Fatal(err)
					}
					cw.Basket, cw.Events = bk.Clone(), append(cw.Events, e)
					if err := s.Save(ctx, cw); err != nil {
						b.Fatal(err)
					}
					ids[w], lines[w] = bk.ID, lineID
				}
				var retries atomic.Int64
				runWorkers(b, workers, "updates", func(w int, _ int64) error {
					for {
						cur, err := s.Get(ctx, ids[w])
						if err != nil {
							return err
						}
						l, _ := cur.Line(lines[w])
						before := cur.Version
						e, err := cur.SetQuantity(testMeta(at), lines[w], 3-l.Quantity) // 1 ⇄ 2
						if err != nil {
							return err
						}
						err = s.Save(ctx, basket.Write{Basket: cur, ExpectedVersion: before, Events: []basket.Event{e}})
						if !errors.Is(err, basket.ErrVersionConflict) {
							return err
						}
						retries.Add(1)
					}
				})
				b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/update")
			})
		}
	}
}

// BenchmarkReserve measures Reserve by 1, 4 and 16 workers, each call a
// new basket holding one unit, on a SKU per worker or on one hot SKU.
func BenchmarkReserve(b *testing.B) {
	for _, hot := range []bool{false, true} {
		for _, workers := range []int{1, 4, 16} {
			name := fmt.Sprintf("distinct/workers=%d", workers)
			if hot {
				name = fmt.Sprintf("hot/workers=%d", workers)
			}
			b.Run(name, func(b *testing.B) {
				clk := clock.NewFake(stocktest.Epoch)
				s := newTestStore(b, clk)
				ctx := context.Background()
				skus := make([]string, workers)
				for w := range workers {
					skus[w] = fmt.Sprintf("sku-%d", w)
					if hot {
						skus[w] = "hot"
					}
					if err := s.SetOnHand(ctx, skus[w], "store-1", 1<<40); err != nil {
						b.Fatal(err)
					}
				}
				exp := clk.Now().Add(time.Hour)
				runWorkers(b, workers, "reservations", func(w int, n int64) error {
					_, err := s.Reserve(ctx, stock.ReserveRequest{
						BasketID: fmt.Sprintf("b-%d", n), RequestKey: "k", LocationID: "store-1",
						Lines: []stock.ReserveLine{{SKU: skus[w], Quantity: 1}}, ExpiresAt: exp,
					})
					return err
				})
			})
		}
	}
}
