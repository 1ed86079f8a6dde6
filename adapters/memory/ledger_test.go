package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

func newLedgerHarness(t *testing.T) stocktest.Harness {
	clk := clock.NewFake(stocktest.Epoch)
	return stocktest.Harness{Ledger: memory.NewStockStore(clk), Clock: clk}
}

func TestStockStoreLedger(t *testing.T) {
	stocktest.RunLedgerTests(t, newLedgerHarness)
}

// The reserver suite passes with on-hand set through feeds only.
func TestStockStoreReserverFedOnly(t *testing.T) {
	stocktest.RunReserverTests(t, func(t *testing.T) stocktest.Harness {
		h := newLedgerHarness(t)
		h.OversellRounds = 50
		return h
	})
}

func TestStockStoreAvailability(t *testing.T) {
	t.Run("Ledger", func(t *testing.T) {
		stocktest.RunAvailabilityTests(t, func(t *testing.T) stocktest.Availability {
			clk := clock.NewFake(stocktest.Epoch)
			s := memory.NewStockStore(clk)
			return stocktest.Availability{Ledger: s, Offer: s, Clock: clk}
		})
	})
	// On-hand read from another system that the ledger is fed from: a
	// second store stands for the ERP (it holds nothing, so it reports
	// Reserved 0, as an ERP without allocations does).
	t.Run("NetOfHolds", func(t *testing.T) {
		stocktest.RunAvailabilityTests(t, func(t *testing.T) stocktest.Availability {
			clk := clock.NewFake(stocktest.Epoch)
			ledger, erp := memory.NewStockStore(clk), memory.NewStockStore(clk)
			return stocktest.Availability{Ledger: ledger, Offer: stock.NetOfHolds(erp, ledger), Source: erp, Clock: clk}
		})
	})
}

// A feed ID is remembered for 30 days: a batch re-delivered within them
// counts nothing, one re-delivered later is a new batch.
func TestStockStoreFeedRetention(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(stocktest.Epoch)
	s := memory.NewStockStore(clk)
	f := stock.Feed{ID: "till-1", Kind: stock.DeltaFeed, Counts: []stock.Count{{SKU: "a", LocationID: "x", Quantity: 2}}}
	onHand := func() int64 {
		t.Helper()
		levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
		if err != nil {
			t.Fatal(err)
		}
		l, _ := levels.Get("a", "x")
		return l.OnHand
	}
	if _, err := s.Feed(ctx, f); err != nil {
		t.Fatal(err)
	}
	for range 3 { // other feeds meanwhile tidy what is past retention
		clk.Advance(9 * 24 * time.Hour)
		if _, err := s.Feed(ctx, stock.Feed{ID: clk.Now().String(), Kind: stock.DeltaFeed, Counts: []stock.Count{{SKU: "b", LocationID: "x", Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(stocktest.Epoch.Add(30*24*time.Hour - time.Nanosecond))
	if rep, err := s.Feed(ctx, f); err != nil || !rep.Replayed || onHand() != 2 {
		t.Fatalf("re-delivery within 30 days: %+v, %v, on hand %d; want a replay and 2", rep, err, onHand())
	}
	clk.Advance(time.Nanosecond)
	if rep, err := s.Feed(ctx, f); err != nil || rep.Replayed || onHand() != 4 {
		t.Fatalf("re-delivery after 30 days: %+v, %v, on hand %d; want a new batch and 4", rep, err, onHand())
	}
}

// Apply takes no lock but the store's and calls nothing outside it: a
// basket store may call it while holding its own lock, from many
// goroutines at once, and units are still never promised twice.
func TestStockStoreApplyUnderCallerLock(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(stocktest.Epoch)
	s := memory.NewStockStore(clk)
	if err := s.SetOnHand(ctx, "mug", "S", 5); err != nil {
		t.Fatal(err)
	}
	var (
		wg     sync.WaitGroup
		locks  [4]sync.Mutex // one per "basket store"
		wins   atomic.Int64
		failed = make(chan error, 40)
	)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu := &locks[i%len(locks)]
			mu.Lock()
			defer mu.Unlock()
			_, err := s.Apply(ctx, stock.Change{BasketID: fmt.Sprintf("b%d", i), Movements: []stock.Movement{
				{Kind: stock.MoveHold, LocationID: "S", ExpiresAt: clk.Now().Add(time.Hour), Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 1}}},
				{Kind: stock.MoveDeduct, LocationID: "S", Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 1}}},
			}})
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, stock.ErrInsufficientStock):
				failed <- err
			}
		}()
	}
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Fatal(err)
	}
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"mug"}, Locations: []string{"S"}})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := levels.Get("mug", "S"); wins.Load() != 5 || l.OnHand != 0 || l.Reserved != 0 {
		t.Fatalf("%d collections of 5 mugs succeeded, level %+v", wins.Load(), l)
	}
}

// BenchmarkStockApply measures an order's change: hold 3 lines at a store,
// send one to another store, hand over the rest, release.
func BenchmarkStockApply(b *testing.B) {
	ctx := context.Background()
	s := memory.NewStockStore(benchClock())
	for _, sku := range []string{"a", "b", "c"} {
		for _, loc := range []string{"S1", "S2"} {
			if err := s.SetOnHand(ctx, sku, loc, 1<<40); err != nil {
				b.Fatal(err)
			}
		}
	}
	exp := stocktest.Epoch.Add(24 * 365 * time.Hour)
	lines := []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "b", Quantity: 2}, {SKU: "c", Quantity: 1}}
	c := stock.Change{BasketID: "basket", Movements: []stock.Movement{
		{Kind: stock.MoveHold, LocationID: "S1", Lines: lines, ExpiresAt: exp},
		{Kind: stock.MoveTransfer, LocationID: "S1", To: "S2", Lines: lines[:1], ExpiresAt: exp},
		{Kind: stock.MoveDeduct, LocationID: "S1", Lines: lines[1:]},
		{Kind: stock.MoveRelease, LocationID: "S2"},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Apply(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
}
