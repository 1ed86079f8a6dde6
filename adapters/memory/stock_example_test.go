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
	fmt.Println(res.Lines, err)

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
	// [{kettle 1}] <nil>
	// true
	// available: 1
}
