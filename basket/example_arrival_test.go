package basket_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
)

// A shopper walks into the Bellecour store with a basket filled on the
// web and scans the tag posted by the door: the basket moves into the
// store and is priced there, and the shopper waits on the store's arrivals
// list. The associate who opens the arrival serves the basket. The same
// tag presented for another store is refused.
func ExampleService_SelfCheckIn() {
	ctx := context.Background()
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	book, err := pricing.NewPriceBook([]pricing.Price{
		{ListID: "store", SKU: "LAMP-ARC", Unit: eur("159.00")},
		{ListID: "web", SKU: "LAMP-ARC", Unit: eur("149.00")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")}})
	if err != nil {
		fmt.Println(err)
		return
	}
	modes := []channel.FulfilmentMode{channel.CarryOut, channel.ShipToAddress}
	shop := &memory.Catalog{PriceBook: book, TaxRules: tax, Sites: []stock.Location{
		{ID: "bellecour", Kind: stock.Store, Modes: modes, LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0, channel.ShipToAddress: 48 * time.Hour}},
		{ID: "wh", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress}, LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour}},
	}}
	shelf := memory.NewStockStore(clk)
	for _, site := range []string{"bellecour", "wh"} {
		if err := shelf.SetOnHand(ctx, "LAMP-ARC", site, 3); err != nil {
			fmt.Println(err)
			return
		}
	}
	keys, err := handoff.NewKeyRing(handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		fmt.Println(err)
		return
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: shop, Tax: shop, Stock: shelf,
		Locations: shop, Clock: clk, Handoff: tokens, Retailer: "maison-lumiere"})
	if err != nil {
		fmt.Println(err)
		return
	}
	web := channel.Context{ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR", PriceLists: []string{"web"},
		TaxZone: "FR", PricesIncludeTax: true, StockSources: []string{"wh"}, FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress}}
	store := func(location string) channel.Context {
		return channel.Context{ChannelID: "store-" + location, Kind: channel.Store, LocationID: location, Country: "FR",
			Currency: "EUR", PriceLists: []string{"store"}, TaxZone: "FR", PricesIncludeTax: true,
			StockSources: []string{location}, FulfilmentModes: modes}
	}
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	associate := basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: "bellecour"}

	b, err := svc.Create(ctx, shopper, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: web})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1,
		Product: basket.Product{Name: "Arc floor lamp", TaxCategory: "standard"}}); err != nil {
		fmt.Println(err)
		return
	}

	// The store prints today's tag; the shopper's phone reads it.
	tag, err := svc.LocationTag(ctx, associate, "bellecour")
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.SelfCheckIn(ctx, shopper, b.ID, basket.SelfCheckInRequest{Tag: tag.Tag, Method: "qr", Target: store("part-dieu")})
	fmt.Println("at another store:", errors.Is(err, handoff.ErrWrongAudience))

	b, err = svc.SelfCheckIn(ctx, shopper, b.ID, basket.SelfCheckInRequest{Tag: tag.Tag, Method: "qr", Target: store("bellecour")})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range b.Result.Changes {
		fmt.Println(c.Message())
	}
	_, err = svc.Get(ctx, associate, b.ID)
	fmt.Println("the store reads the basket before opening the arrival:", err == nil)

	arrivals, err := svc.Arrivals(ctx, associate, "bellecour")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("waiting:", len(arrivals), arrivals[0].CustomerID)
	if _, err := svc.OpenArrival(ctx, associate, arrivals[0].BasketID); err != nil {
		fmt.Println(err)
		return
	}
	b, err = svc.Get(ctx, associate, b.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("served by", b.Arrival.OpenedBy, "total", b.Result.Totals.Total)
	// Output:
	// at another store: true
	// Arc floor lamp is 159.00 EUR here (was 149.00 EUR)
	// Arc floor lamp: carry-out
	// total is now 159.00 EUR (was 149.00 EUR)
	// the store reads the basket before opening the arrival: false
	// waiting: 1 cust-42
	// served by staff-17 total 159.00 EUR
}
