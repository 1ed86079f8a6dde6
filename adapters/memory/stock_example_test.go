package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

func ExampleStockStore() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := memory.NewStockStore(clk)
	_ = s.SetOnHand(ctx, "kettle", "paris-01", 1)

	res, err := s.Reserve(ctx, stock.ReserveRequest{
		BasketID: "basket-1", RequestKey: "checkout-1", LocationID: "paris-01",
		Lines:     []stock.ReserveLine{{SKU: "kettle", Quantity: 1}},
		ExpiresAt: clk.Now().Add(15 * time.Minute),
	})
	fmt.Println(res.Quantity("kettle"), err)

	_, err = s.Reserve(ctx, stock.ReserveRequest{
		BasketID: "basket-2", RequestKey: "checkout-1", LocationID: "paris-01",
		Lines:     []stock.ReserveLine{{SKU: "kettle", Quantity: 1}},
		ExpiresAt: clk.Now().Add(15 * time.Minute),
	})
	fmt.Println(errors.Is(err, stock.ErrOutOfStock))

	clk.Advance(15 * time.Minute) // basket-1's hold expires
	levels, _ := s.Levels(ctx, stock.Query{SKUs: []string{"kettle"}, Locations: []string{"paris-01"}})
	l, _ := levels.Get("kettle", "paris-01")
	fmt.Println("available:", l.Available())
	// Output:
	// 1 <nil>
	// true
	// available: 1
}

// A stock feed reports shrinkage: two baskets each hold 5 of the 10
// kettles, and only 5 are left. The older hold is covered; the newer one is
// at risk, and neither is offered the same units.
func ExampleStockStore_shrinkage() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := memory.NewStockStore(clk)
	_ = s.SetOnHand(ctx, "kettle", "paris-01", 10)
	for _, basket := range []string{"basket-1", "basket-2"} {
		_, _ = s.Reserve(ctx, stock.ReserveRequest{
			BasketID: basket, RequestKey: "order", LocationID: "paris-01",
			Lines:     []stock.ReserveLine{{SKU: "kettle", Quantity: 5}},
			ExpiresAt: clk.Now().Add(time.Hour),
		})
		clk.Advance(time.Second)
	}
	_ = s.SetOnHand(ctx, "kettle", "paris-01", 5)

	levels, _ := s.Levels(ctx, stock.Query{SKUs: []string{"kettle"}, Locations: []string{"paris-01"}})
	for _, basket := range []string{"basket-1", "basket-2"} {
		own, _ := s.Reservations(ctx, basket)
		l, _ := levels.WithoutReservations(own).Get("kettle", "paris-01")
		fmt.Printf("%s: %d available to it\n", basket, l.Available())
		for _, h := range stock.HoldsAtRisk(own) {
			fmt.Printf("  %d of its %d %s at %s at risk\n", h.AtRisk, h.Quantity, h.SKU, h.LocationID)
		}
	}
	// Output:
	// basket-1: 5 available to it
	// basket-2: 0 available to it
	//   5 of its 5 kettle at paris-01 at risk
}
