package stock_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/channel"
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
