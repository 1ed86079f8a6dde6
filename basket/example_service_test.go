package basket_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// A Service on the in-memory store, priced with the demo retailer's data
// (package demo: prices, promotions, tax, sites and fees behind
// memory.Catalog). The shopper fills a basket on the web, uses a web
// coupon, makes a mistake the Service refuses with a typed error, then
// walks into the Bellecour store: the basket is re-priced there and the
// change report says what changed. Every error is handled.
func ExampleNewService() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start()) // clock.System{} in production
	sources, err := demo.Catalog()
	if err != nil {
		fmt.Println("catalogue:", err)
		return
	}
	shelves := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		if err := shelves.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			fmt.Println("stock:", err)
			return
		}
	}
	svc, err := basket.NewService(basket.Config{
		Store:  memory.NewBasketStore(memory.WithLedger(shelves)),
		Prices: sources, Promotions: sources, Tax: sources, Locations: sources, Fees: sources,
		Stock: shelves, Clock: clk,
	})
	if err != nil {
		fmt.Println("service:", err)
		return
	}

	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	id := uuid.MustParse("5f0c6a52-8c1e-4d5b-9a43-2f6d3b7e1c01")
	b, err := svc.Create(ctx, shopper, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Web(clk.Now())})
	if err != nil {
		fmt.Println("create:", err)
		return
	}
	for _, sku := range []string{"LAMP-DESK", "CANDLE-FIG"} {
		if b, err = svc.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)}); err != nil {
			fmt.Println("add line:", err)
			return
		}
	}
	if b, err = svc.AddCoupon(ctx, shopper, b.ID, "welcome10"); err != nil {
		fmt.Println("coupon:", err)
		return
	}
	fmt.Println("on the web:", b.Result.Totals.Total)

	// Bad input is a typed error and changes nothing.
	_, err = svc.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: "MUG-STONE", Quantity: 0, Product: demo.Product("MUG-STONE")})
	var bad *basket.InputError
	switch {
	case errors.As(err, &bad):
		fmt.Printf("refused: %s (%s)\n", bad.Field, bad.Reason)
	case err != nil:
		fmt.Println("add line:", err)
		return
	default:
		fmt.Println("a line of 0 units was accepted")
		return
	}
	// A basket ID alone grants nothing: to another shopper it does not exist.
	if _, err := svc.Get(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, b.ID); !errors.Is(err, basket.ErrNotFound) {
		fmt.Println("get:", err)
		return
	}

	clk.Advance(26 * time.Hour) // the next day, in the store
	if b, err = svc.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, clk.Now())); err != nil {
		fmt.Println("check-in:", err)
		return
	}
	for _, c := range b.Result.Changes {
		fmt.Println("-", c.Message())
	}
	fmt.Println("in store:", b.Result.Totals.Total, "version", b.Version)
	// Output:
	// on the web: 80.99 EUR
	// refused: Quantity (0 is outside 1…100000)
	// - 5 % off lighting online does not apply here (was 3.45 EUR off)
	// - 10 % off with code WELCOME10 (web) does not apply here (was 8.46 EUR off)
	// - code WELCOME10 is not honoured here and stays in the wallet: 10 % off with code WELCOME10 (web) is not offered in this channel (store-lyon-bellecour)
	// - Brass desk lamp: carry-out
	// - Fig scented candle: carry-out
	// - total is now 88.00 EUR (was 80.99 EUR)
	// in store: 88.00 EUR version 9
}
