package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

var (
	_ stock.Provider = (*memory.StockStore)(nil)
	_ stock.Reserver = (*memory.StockStore)(nil)
)

func newStockHarness(t *testing.T) stocktest.Harness {
	clk := clock.NewFake(stocktest.Epoch)
	s := memory.NewStockStore(clk)
	return stocktest.Harness{Reserver: s, Provider: s, SetOnHand: s.SetOnHand, Clock: clk}
}

func TestStockStore(t *testing.T) {
	stocktest.RunReserverTests(t, newStockHarness)
}

func TestStockStoreNextArrival(t *testing.T) {
	ctx := context.Background()
	s := memory.NewStockStore(clock.NewFake(stocktest.Epoch))
	at := stocktest.Epoch.Add(72 * time.Hour)
	err := s.SetNextArrival(ctx, "kettle", "paris", at)
	if !errors.Is(err, stock.ErrUnknown) {
		t.Fatalf("SetNextArrival on an unknown pair: %v, want ErrUnknown", err)
	}
	if err := s.SetOnHand(ctx, "kettle", "paris", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNextArrival(ctx, "kettle", "paris", at); err != nil {
		t.Fatal(err)
	}
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"kettle"}, Locations: []string{"paris"}})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := levels.Get("kettle", "paris"); !ok || !l.NextArrival.Equal(at) {
		t.Fatalf("level %+v (known %t), want next arrival %s", l, ok, at)
	}
	if err := s.SetNextArrival(ctx, "", "paris", at); !errors.Is(err, stock.ErrInvalid) {
		t.Fatalf("empty SKU: %v, want ErrInvalid", err)
	}
	if err := s.SetOnHand(ctx, "kettle", "", 1); !errors.Is(err, stock.ErrInvalid) {
		t.Fatalf("empty location: %v, want ErrInvalid", err)
	}
}

// benchClock advances one microsecond per reading, so that request keys
// age out of retention during long benchmarks as they would in production.
func benchClock() clock.Clock {
	var n atomic.Int64
	return clock.Func(func() time.Time {
		return stocktest.Epoch.Add(time.Duration(n.Add(1)) * time.Microsecond)
	})
}

// benchmarkReserveRelease runs reserve+release pairs from two goroutines;
// sameSKU makes them compete for one SKU at one location.
func benchmarkReserveRelease(b *testing.B, sameSKU bool) {
	ctx := context.Background()
	s := memory.NewStockStore(benchClock())
	for g := range 2 {
		if err := s.SetOnHand(ctx, fmt.Sprintf("sku-%d", g), "paris", 1_000_000); err != nil {
			b.Fatal(err)
		}
	}
	exp := stocktest.Epoch.Add(24 * 365 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for g := range 2 {
		n := b.N / 2
		if g == 0 {
			n += b.N % 2
		}
		sku := fmt.Sprintf("sku-%d", g)
		if sameSKU {
			sku = "sku-0"
		}
		basket := fmt.Sprintf("basket-%d", g)
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := stock.ReserveRequest{BasketID: basket, LocationID: "paris", ExpiresAt: exp,
				Lines: []stock.ReserveLine{{SKU: sku, Quantity: 2}}}
			for i := range n {
				req.RequestKey = strconv.Itoa(i) // a new request each time
				if _, err := s.Reserve(ctx, req); err != nil {
					b.Error(err)
					return
				}
				if err := s.Release(ctx, basket, "paris"); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func BenchmarkStockReserveRelease(b *testing.B) {
	b.Run("distinct-skus", func(b *testing.B) { benchmarkReserveRelease(b, false) })
	b.Run("same-sku", func(b *testing.B) { benchmarkReserveRelease(b, true) })
}

func BenchmarkStockLevels(b *testing.B) {
	ctx := context.Background()
	s := memory.NewStockStore(clock.NewFake(stocktest.Epoch))
	var q stock.Query
	for i := range 10 {
		q.Locations = append(q.Locations, fmt.Sprintf("loc-%d", i))
	}
	for i := range 100 {
		q.SKUs = append(q.SKUs, fmt.Sprintf("sku-%03d", i))
		for _, loc := range q.Locations {
			if err := s.SetOnHand(ctx, q.SKUs[i], loc, int64(i)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Levels(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}
