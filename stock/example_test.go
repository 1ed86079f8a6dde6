package stock_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// A shopper in store paris-01 wants 5 kettles and a toaster delivered home.
// The shelf has 2 kettles, the neighbouring store 1 and the warehouse 10;
// paris-01 itself does not ship parcels.
func Example() {
	ctx := channel.Context{
		ChannelID:       "store-paris-01",
		Kind:            channel.Store,
		LocationID:      "paris-01",
		StockSources:    []string{"paris-01", "paris-02", "dc-north"},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut, channel.Transfer, channel.ShipToAddress, channel.ShipFromStore},
		AsOf:            time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
	storeModes := []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipFromStore}
	locations := []stock.Location{
		{ID: "paris-01", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect}},
		{ID: "paris-02", Kind: stock.Store, Modes: storeModes,
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.Transfer: 24 * time.Hour}},
		{ID: "dc-north", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour}},
	}
	levels, err := stock.NewLevels([]stock.Level{
		{SKU: "kettle", LocationID: "paris-01", OnHand: 3, Reserved: 1},
		{SKU: "kettle", LocationID: "paris-02", OnHand: 1},
		{SKU: "kettle", LocationID: "dc-north", OnHand: 10},
		{SKU: "toaster", LocationID: "paris-01", OnHand: 4},
		{SKU: "toaster", LocationID: "dc-north", OnHand: 7},
	})
	if err != nil {
		panic(err)
	}
	plan, err := stock.Plan([]stock.Demand{
		{LineID: "l1", SKU: "kettle", Quantity: 5},
		{LineID: "l2", SKU: "toaster", Quantity: 1, Preferred: channel.ShipToAddress},
		{LineID: "l3", SKU: "mystery", Quantity: 1},
	}, ctx, locations, levels)
	if err != nil {
		panic(err)
	}
	for _, l := range plan.Lines {
		fmt.Printf("%s %s ×%d short=%d unknown=%t\n", l.LineID, l.SKU, l.Quantity, l.Short, l.Unknown)
		for _, a := range l.Allocations {
			fmt.Printf("  %d from %s by %s in %s\n", a.Quantity, a.LocationID, a.Mode, a.LeadTime)
		}
	}
	// Output:
	// l1 kettle ×5 short=0 unknown=false
	//   2 from paris-01 by carry-out in 0s
	//   1 from paris-02 by transfer in 24h0m0s
	//   2 from dc-north by ship-to-address in 48h0m0s
	// l2 toaster ×1 short=0 unknown=false
	//   1 from dc-north by ship-to-address in 48h0m0s
	// l3 mystery ×1 short=1 unknown=true
}

func ExampleShortageError() {
	err := error(&stock.ShortageError{Shortages: []stock.Shortage{
		{SKU: "kettle", LocationID: "paris-01", Requested: 3, Available: 1},
	}})
	var short *stock.ShortageError
	if errors.As(err, &short) {
		s := short.Shortages[0]
		fmt.Printf("%s at %s: %d missing\n", s.SKU, s.LocationID, s.Missing())
	}
	fmt.Println(errors.Is(err, stock.ErrOutOfStock), errors.Is(err, stock.ErrUnknown))
	// Output:
	// kettle at paris-01: 2 missing
	// true false
}

func ExampleLevels_Get() {
	levels, _ := stock.NewLevels([]stock.Level{
		{SKU: "kettle", LocationID: "paris-01", OnHand: 0},
	})
	if l, ok := levels.Get("kettle", "paris-01"); ok {
		fmt.Println("known, available:", l.Available())
	}
	if _, ok := levels.Get("kettle", "lyon-01"); !ok {
		fmt.Println("unknown at lyon-01")
	}
	// Output:
	// known, available: 0
	// unknown at lyon-01
}

// A store's till reports sales the library does not see as a delta feed,
// and a warehouse system re-delivers a batch: it is not counted twice.
// When a feed lowers on-hand below what baskets hold, the holds are kept
// and the report lists those no longer covered.
func ExampleFeed() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ledger := memory.NewStockStore(clk)
	_, _ = ledger.Feed(ctx, stock.Feed{ID: "count-0923", Kind: stock.FullFeed, Locations: []string{"paris-01"},
		Counts: []stock.Count{{SKU: "kettle", LocationID: "paris-01", Quantity: 3}}})
	_, _ = ledger.Apply(ctx, stock.Change{BasketID: "basket-1", Movements: []stock.Movement{{
		Kind: stock.MoveHold, LocationID: "paris-01", ExpiresAt: clk.Now().Add(time.Hour),
		Lines: []stock.ReserveLine{{SKU: "kettle", Quantity: 2}},
	}}})

	till := stock.Feed{ID: "till-7-0001", Kind: stock.DeltaFeed,
		Counts: []stock.Count{{SKU: "kettle", LocationID: "paris-01", Quantity: -2}}}
	for range 2 {
		rep, err := ledger.Feed(ctx, till)
		fmt.Printf("replayed=%t on hand %d → %d, %v\n", rep.Replayed, rep.OnHandBefore, rep.OnHandAfter, err)
		for _, h := range rep.AtRisk {
			fmt.Printf("  %s: %d of its %d %s at risk\n", h.BasketID, h.AtRisk, h.Quantity, h.SKU)
		}
	}

	till.Counts[0].Quantity = -5 // the same ID for another batch
	_, err := ledger.Feed(ctx, till)
	fmt.Println(errors.Is(err, stock.ErrConflict), err)
	// Output:
	// replayed=false on hand 3 → 1, <nil>
	//   basket-1: 1 of its 2 kettle at risk
	// replayed=true on hand 0 → 0, <nil>
	// true stock: feed "till-7-0001" was already applied with other counts
}

// Sync copies what an ERP knows of some articles at a store into the
// ledger as one full count: an article the ERP no longer reports there is
// counted as 0. Syncing the same batch again changes nothing.
func ExampleSync() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ledger := memory.NewStockStore(clk)
	_ = ledger.SetOnHand(ctx, "kettle", "paris-01", 4)
	_ = ledger.SetOnHand(ctx, "toaster", "paris-01", 2)

	erp := memory.NewStockStore(clk) // stands for the ERP's HTTP API
	_ = erp.SetOnHand(ctx, "kettle", "paris-01", 6)

	q := stock.Query{SKUs: []string{"kettle", "toaster"}, Locations: []string{"paris-01"}}
	for range 2 {
		rep, err := stock.Sync(ctx, erp, ledger, "erp-2026-11-23T09", q)
		fmt.Printf("replayed=%t pairs=%d on hand %d → %d, %v\n", rep.Replayed, rep.Pairs, rep.OnHandBefore, rep.OnHandAfter, err)
	}
	levels, _ := ledger.Levels(ctx, q)
	for _, l := range levels.All() {
		fmt.Printf("%s at %s: %d\n", l.SKU, l.LocationID, l.OnHand)
	}
	// Output:
	// replayed=false pairs=2 on hand 6 → 6, <nil>
	// replayed=true pairs=0 on hand 0 → 0, <nil>
	// kettle at paris-01: 6
	// toaster at paris-01: 0
}

// Click & collect with on-hand read from an ERP: basket-1 holds the last
// mug of the store in the ledger. The ERP still counts the mug (it has not
// left the shelf), yet basket-2 is offered none of it, while basket-1 still
// sees it as its own.
func ExampleNetOfHolds() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	erp := memory.NewStockStore(clk) // stands for the ERP's HTTP API
	_ = erp.SetOnHand(ctx, "mug", "store-9", 1)
	ledger := memory.NewStockStore(clk)
	q := stock.Query{SKUs: []string{"mug"}, Locations: []string{"store-9"}}
	_, _ = stock.Sync(ctx, erp, ledger, "erp-0900", q)
	_, _ = ledger.Apply(ctx, stock.Change{BasketID: "basket-1", Movements: []stock.Movement{{
		Kind: stock.MoveHold, LocationID: "store-9", ExpiresAt: clk.Now().Add(2 * time.Hour),
		Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 1}},
	}}})

	offer := stock.NetOfHolds(erp, ledger)
	levels, _ := offer.Levels(ctx, q)
	for _, basket := range []string{"basket-1", "basket-2"} {
		own, _ := ledger.Reservations(ctx, basket)
		l, _ := levels.WithoutReservations(own).Get("mug", "store-9")
		fmt.Printf("%s: on hand %d, available %d\n", basket, l.OnHand, l.Available())
	}
	// Output:
	// basket-1: on hand 1, available 1
	// basket-2: on hand 1, available 0
}
