package insights_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
)

// A server on a memory store notes every save to an Outbox; a Tracker
// reads it into its model when a report is asked for.
func ExampleTracker() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	var outbox *insights.Outbox
	stock := memory.NewStockStore(clk)
	store := memory.NewBasketStore(memory.WithLedger(stock),
		memory.WithAfterSave(func(id uuid.UUID, version int64) { outbox.Note(id, version) }))
	outbox = insights.NewOutbox(store)
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk, Store: store, Stock: stock})
	if err != nil {
		fmt.Println(err)
		return
	}
	tracker, err := insights.NewTracker(outbox, insights.TrackerOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Camille fills a basket on the web, checks in at Bellecour the next
	// day, and orders there 20 minutes later.
	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	lea := basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	id := uuid.MustParse("8d1c6a4e-2b7f-4c1e-9a55-0f3c2d9b7e11")
	steps := []func() error{
		func() error {
			_, err := shop.Service.Create(ctx, camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
			return err
		},
		func() error {
			_, err := shop.Service.AddLine(ctx, camille, id, basket.NewLine{SKU: "THROW-WOOL", Quantity: 1, Product: demo.Product("THROW-WOOL")})
			return err
		},
		func() error {
			clk.Advance(24 * time.Hour)
			ticket, err := shop.Service.IssueCheckIn(ctx, camille, id, basket.HandoffRequest{TTL: 10 * time.Minute})
			if err != nil {
				return err
			}
			_, err = shop.Service.CheckIn(ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
			return err
		},
		func() error {
			clk.Advance(20 * time.Minute)
			_, err := shop.Service.PlaceOrder(ctx, lea, id)
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			fmt.Println(err)
			return
		}
	}

	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	ops := basket.Actor{Kind: basket.System, ID: "ops"}
	r, progress, err := tracker.Report(ctx, ops, insights.Period{From: monday, To: monday.AddDate(0, 0, 7), Granularity: insights.Week})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("events read:", progress.Events)
	for _, c := range r.Channels {
		fmt.Printf("%s: started %d, checked in %d, ordered %d, web to store %d\n", c.ID, c.Started, c.CheckedIn, c.Ordered, c.WebToStore)
	}
	wait := r.Total.CheckInToOrder
	fmt.Printf("check-in to order: %d order, median %s\n", wait.Count, time.Duration(wait.MedianSeconds)*time.Second)
	for _, p := range r.Total.Promotions {
		fmt.Printf("promotion on the order: %s\n", p.Name)
	}
	// Output:
	// events read: 9
	// store-lyon-bellecour: started 0, checked in 1, ordered 1, web to store 1
	// web: started 1, checked in 0, ordered 0, web to store 0
	// check-in to order: 1 order, median 20m0s
	// promotion on the order: Bellecour reopening: 20 % off textiles
}

// A model fed events, one at a time: here three events of one basket,
// written as the store holds them (only the fields the model reads), the
// last delivered twice.
func ExampleModel() {
	id := uuid.MustParse("3f2b8c1d-6e4a-4b5f-8c7d-1a2b3c4d5e6f")
	store := `{"channel_id":"store-lyon-bellecour","kind":"store","location_id":"lyon-bellecour"}`
	at := func(day, hour, minute int) time.Time {
		return time.Date(2026, 11, 23+day, hour, minute, 0, 0, time.UTC)
	}
	events := []basket.Event{
		{BasketID: id, Seq: 1, Type: basket.EventCreated, At: at(0, 10, 0), Data: json.RawMessage(`{"context":{"channel_id":"web","kind":"web"}}`)},
		{BasketID: id, Seq: 2, Type: basket.EventCheckedIn, At: at(1, 11, 0), Data: json.RawMessage(`{"to":` + store + `,"grant":{"location_id":"lyon-bellecour"}}`)},
		{BasketID: id, Seq: 3, Type: basket.EventOrderPlaced, At: at(1, 11, 25), Data: json.RawMessage(`{"terms":{"context":` + store + `}}`)},
	}
	m := insights.NewModel()
	for _, e := range append(events, events[2]) {
		if err := m.Apply(e); err != nil {
			fmt.Println(err)
			return
		}
	}
	r, err := m.Report(insights.Period{From: at(0, 0, 0), To: at(2, 0, 0)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, b := range r.Buckets {
		for _, c := range b.Channels {
			fmt.Printf("%s %s: started %d, checked in %d, ordered %d, web to store %d\n",
				b.From.Format("Mon"), c.ID, c.Started, c.CheckedIn, c.Ordered, c.WebToStore)
		}
	}
	fmt.Println("median wait:", time.Duration(r.Total.CheckInToOrder.MedianSeconds)*time.Second)
	// Output:
	// Mon web: started 1, checked in 0, ordered 0, web to store 0
	// Tue store-lyon-bellecour: started 0, checked in 1, ordered 1, web to store 1
	// median wait: 25m0s
}
