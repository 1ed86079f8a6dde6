package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

// Open a store, migrate its schema, feed stock, hold it for a basket, save
// the basket and follow the outbox. The example needs a server, so it has
// no Output comment: go test compiles it but does not run it.
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("OMNIBASKET_POSTGRES_URL"), postgres.Options{Schema: "shop"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil { // explicit, idempotent
		log.Fatal(err)
	}

	// The retailer's stock feed, then a reservation that cannot oversell.
	if err := store.SetOnHand(ctx, "kettle-01", "paris-opera", 3); err != nil {
		log.Fatal(err)
	}
	res, err := store.Reserve(ctx, stock.ReserveRequest{
		BasketID: "basket-42", RequestKey: "checkout-1", LocationID: "paris-opera",
		Lines:     []stock.ReserveLine{{SKU: "kettle-01", Quantity: 1}},
		ExpiresAt: time.Now().Add(15 * time.Minute),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("held until", res.ExpiresAt)

	// Baskets are usually saved by a basket.Service configured with the
	// store; Save is the low-level call.
	now := time.Now().UTC()
	b, created, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c-1"}, channel.Context{
		ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR",
		PriceLists: []string{"web"}, TaxZone: "FR", PricesIncludeTax: true, AsOf: now,
	}, basket.Cart, basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "c-1"}, At: now})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.Save(ctx, basket.Write{Basket: b, Events: []basket.Event{created}}); err != nil {
		log.Fatal(err)
	}

	// A publisher follows the outbox with a cursor it persists.
	var cursor postgres.Cursor // kept as cursor.String(), read back with postgres.ParseCursor
	events, err := store.ReadOutbox(ctx, cursor, 100)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		fmt.Println(e.Cursor, e.Event.Type, e.Event.BasketID)
		cursor = e.Cursor
	}
}

// Keep the history of the last 13 months: prepare the coming months, then
// drop whole months older than that, never one a relay still needs. Run
// it on a schedule from one or every instance. It needs a server, so it
// has no Output comment.
func ExampleStore_DropHistory() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("OMNIBASKET_POSTGRES_URL"), postgres.Options{Schema: "shop"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	now := time.Now()
	if _, err := store.PrepareHistory(ctx, now.AddDate(0, 2, 0)); err != nil {
		log.Fatal(err)
	}
	dropped, err := store.DropHistory(ctx, now.AddDate(0, -13, 0), &postgres.DropHistoryOptions{
		Progress: func(m postgres.DroppedMonth) {
			log.Printf("dropped %s: %d events", m.Start.Format("2006-01"), m.Events)
		},
	})
	var held *postgres.HistoryHeldError
	switch {
	case errors.As(err, &held):
		log.Printf("kept %s for relay %s", held.Month.Start.Format("2006-01"), held.Relay)
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(len(dropped), "months dropped")
}
