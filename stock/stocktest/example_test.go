package stocktest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// CheckConservation can be called from any test that drives a reserver, to
// check that levels and reservations agree.
func ExampleCheckConservation() {
	ctx := context.Background()
	clk := clock.NewFake(stocktest.Epoch)
	s := memory.NewStockStore(clk)
	_ = s.SetOnHand(ctx, "kettle", "paris-01", 3)
	_, _ = s.Reserve(ctx, stock.ReserveRequest{
		BasketID: "b1", RequestKey: "k1", LocationID: "paris-01",
		Lines: []stock.ReserveLine{{SKU: "kettle", Quantity: 2}}, ExpiresAt: clk.Now().Add(time.Hour),
	})
	err := stocktest.CheckConservation(ctx, s, s, clk.Now(),
		[]string{"b1"}, []string{"kettle"}, []string{"paris-01"})
	fmt.Println("conserved:", err == nil)

	// Forgetting a basket that holds stock is caught.
	err = stocktest.CheckConservation(ctx, s, s, clk.Now(),
		nil, []string{"kettle"}, []string{"paris-01"})
	fmt.Println(err)
	// Output:
	// conserved: true
	// kettle at paris-01: reserved 2, but active reservations hold 0 (on hand 3)
}
