package memory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// Abandoned baskets do not pin memory: once their reservations have expired
// and their keys are past retention, the amortized sweep forgets them.
func TestStockStoreForgetsAbandonedBaskets(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	s := NewStockStore(clk)
	if err := s.SetOnHand(ctx, "a", "x", 1_000_000); err != nil {
		t.Fatal(err)
	}
	reserve := func(basket string) {
		t.Helper()
		_, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: basket, RequestKey: "k", LocationID: "x",
			Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1}}, ExpiresAt: clk.Now().Add(15 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 * stockMinSweep {
		reserve(fmt.Sprintf("old-%d", i))
	}
	clk.Advance(stock.KeyRetention)
	for i := range stockMinSweep {
		reserve(fmt.Sprintf("new-%d", i))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.baskets); n > 2*stockMinSweep {
		t.Fatalf("%d baskets remembered, want at most %d", n, 2*stockMinSweep)
	}
	for id := range s.baskets {
		if id[:3] == "old" {
			t.Fatalf("abandoned basket %s still remembered", id)
		}
	}
	if n := len(s.levels[stockPair{"a", "x"}].holds); n > stockMinSweep {
		t.Fatalf("%d holds on a×x, want at most %d", n, stockMinSweep)
	}
}

// A request key is remembered for stock.KeyRetention, then forgotten.
func TestStockStoreKeyRetention(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := NewStockStore(clk)
	if err := s.SetOnHand(ctx, "a", "x", 10); err != nil {
		t.Fatal(err)
	}
	req := func(q int64) stock.ReserveRequest {
		return stock.ReserveRequest{BasketID: "b", RequestKey: "k", LocationID: "x",
			Lines: []stock.ReserveLine{{SKU: "a", Quantity: q}}, ExpiresAt: clk.Now().Add(48 * time.Hour)}
	}
	if _, err := s.Reserve(ctx, req(1)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(stock.KeyRetention - time.Nanosecond)
	if _, err := s.Reserve(ctx, req(2)); err == nil {
		t.Fatal("key forgotten before retention")
	}
	clk.Advance(time.Nanosecond)
	res, err := s.Reserve(ctx, req(2))
	if err != nil {
		t.Fatalf("key still remembered after retention: %v", err)
	}
	if res.Quantity("a") != 2 {
		t.Fatalf("reservation %+v, want 2 of a", res)
	}
}
