package basket_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// A cart left alone for a month is abandoned by the nightly sweep, and
// the mugs it held for collection go back on sale; a cart the shopper
// touched yesterday is left as it is.
func ExampleService_SweepAbandoned() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	ines := basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
	start := func() (uuid.UUID, error) {
		id := uuid.New()
		_, err := shop.Service.Create(ctx, ines, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-ines"},
			Context: demo.WebCollect(demo.Bellecour, time.Time{})})
		if err != nil {
			return id, err
		}
		_, err = shop.Service.AddLine(ctx, ines, id, basket.NewLine{SKU: "MUG-STONE", Quantity: 2, Product: demo.Product("MUG-STONE")})
		return id, err
	}
	old, err := start()
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := shop.Service.Hold(ctx, ines, old, clk.Now().Add(4*time.Hour)); err != nil {
		fmt.Println(err)
		return
	}
	clk.Advance(30 * 24 * time.Hour)
	recent, err := start()
	if err != nil {
		fmt.Println(err)
		return
	}
	clk.Advance(24 * time.Hour)

	ops := basket.Actor{Kind: basket.System, ID: "nightly-sweep"}
	r, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("examined %d, abandoned %d\n", r.Examined, r.Abandoned)
	for _, id := range []uuid.UUID{old, recent} {
		b, err := shop.Service.Get(ctx, ops, id)
		if err != nil {
			fmt.Println(err)
			return
		}
		held, err := shop.Stock.Reservations(ctx, id.String())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s, %d holds\n", b.Status, len(held))
	}
	// Output:
	// examined 1, abandoned 1
	// abandoned, 0 holds
	// cart, 0 holds
}

// A customer asks to be forgotten. The platform verifies the request and
// erases her: her baskets now belong to a pseudonym, no query by her ID
// finds anything, and her invoice keeps its number and total.
func ExampleService_Erase() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	lea := basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	id := uuid.New()
	if _, err := shop.Service.Create(ctx, lea, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-zoe"},
		Context: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := shop.Service.AddLine(ctx, lea, id, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1, Product: demo.Product("LAMP-ARC")}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := shop.Service.PlaceOrder(ctx, lea, id); err != nil {
		fmt.Println(err)
		return
	}
	invoice, err := shop.Service.Invoice(ctx, lea, id)
	if err != nil {
		fmt.Println(err)
		return
	}

	ops := basket.Actor{Kind: basket.System, ID: "privacy-desk"}
	request := basket.Erasure{ID: uuid.MustParse("7c0ffee0-0000-4000-8000-000000000001"), CustomerID: "cust-zoe"}
	receipt, err := shop.Service.Erase(ctx, ops, request)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d basket(s) now held by %s\n", len(receipt.Baskets), receipt.Pseudonym)
	left, err := shop.Service.FindByOwner(ctx, ops, "cust-zoe")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("baskets of cust-zoe:", len(left))
	docs, err := shop.Service.Documents(ctx, ops, id)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := docs[0]
	fmt.Println(d.Series, d.Number, d.Total, d.Number == invoice.Number && d.Total == invoice.Total, strings.HasPrefix(d.CustomerID, basket.ErasurePrefix))
	again, err := shop.Service.Erase(ctx, ops, request)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("erased again:", len(again.Baskets), again.Erased)
	// Output:
	// 1 basket(s) now held by erased-7c0ffee0-0000-4000-8000-000000000001
	// baskets of cust-zoe: 0
	// INV-maison-lumiere 1 144.00 EUR true true
	// erased again: 0 {0 0 0 0 0}
}

// Idempotency records answer a client's retries for a day, then are
// forgotten: a retry after that is a new command.
func ExampleService_ExpireIdempotency() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	ines := basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
	for i := range 3 {
		if _, err := shop.Service.Create(ctx, ines, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-ines"},
			Context: demo.Web(time.Time{})}, basket.WithIdempotencyKey(fmt.Sprint("create-", i))); err != nil {
			fmt.Println(err)
			return
		}
		clk.Advance(12 * time.Hour)
	}
	r, err := shop.Service.ExpireIdempotency(ctx, basket.Actor{Kind: basket.System, ID: "cron"}, basket.ExpiryOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("forgot %d record(s) stored before %s\n", r.Deleted, r.Before.Format(time.DateTime))
	// Output:
	// forgot 1 record(s) stored before 2026-11-23 21:00:00
}
