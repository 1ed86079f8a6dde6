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

// At a Lyon store, a shopper shows a competitor's price for the floor
// lamp: 129.00 instead of 159.00. The associate may take 10 % off alone;
// 30.00 is above that, so the store manager approves this exact override
// with a single-use token, and the associate applies it. Leaving the store
// for the web ends it, and the report says so.
func ExampleService_OverridePrice() {
	ctx := context.Background()
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	book, _ := pricing.NewPriceBook([]pricing.Price{
		{ListID: "store", SKU: "LAMP-ARC", Unit: eur("159.00")},
		{ListID: "web", SKU: "LAMP-ARC", Unit: eur("149.00")},
	})
	tax, _ := pricing.NewTaxTable([]pricing.TaxRule{{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")}})
	shop := &memory.Catalog{PriceBook: book, TaxRules: tax, Sites: []stock.Location{{ID: "bellecour", Kind: stock.Store,
		Modes:     []channel.FulfilmentMode{channel.CarryOut, channel.ShipFromStore},
		LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0, channel.ShipFromStore: 48 * time.Hour}}}}
	shelf := memory.NewStockStore(clk)
	_ = shelf.SetOnHand(ctx, "LAMP-ARC", "bellecour", 3)
	keys, _ := handoff.NewKeyRing(handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	tokens, _ := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk})
	svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: shop, Tax: shop, Stock: shelf,
		Locations: shop, Clock: clk, Handoff: tokens, Retailer: "maison-lumiere",
		Overrides: basket.OverridePolicy{
			Roles: map[string]basket.OverrideLimit{
				"associate": {MaxPercent: pricing.MustPercent("10")},
				"manager":   {MaxPercent: pricing.MustPercent("40"), Approves: true},
			},
			Reasons: []string{"PRICE-MATCH", "DAMAGED"},
		}})
	if err != nil {
		fmt.Println(err)
		return
	}
	store := channel.Context{ChannelID: "store-bellecour", Kind: channel.Store, LocationID: "bellecour", Country: "FR",
		Currency: "EUR", PriceLists: []string{"store"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources: []string{"bellecour"}, FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}}
	associate := basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: "bellecour", Role: "associate"}
	manager := basket.Actor{Kind: basket.Associate, ID: "mgr-3", LocationID: "bellecour", Role: "manager"}

	b, _ := svc.Create(ctx, associate, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: store})
	b, _ = svc.AddLine(ctx, associate, b.ID, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1,
		Product: basket.Product{Name: "Arc floor lamp", TaxCategory: "standard"}})

	req := basket.OverrideRequest{LineID: "L0001", Terms: basket.SetPrice(eur("129.00")), Reason: "price-match"}
	_, err = svc.OverridePrice(ctx, associate, b.ID, req)
	var limit *basket.LimitError
	if errors.As(err, &limit) {
		fmt.Println("refused:", limit.Asked, "asked, the limit is", limit.Limit)
	}

	approval, err := svc.ApproveOverride(ctx, manager, b.ID, req) // on the manager's phone
	if err != nil {
		fmt.Println(err)
		return
	}
	req.Approval = approval.Token // scanned by the associate's tablet
	b, err = svc.OverridePrice(ctx, associate, b.ID, req)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range b.Result.Changes {
		fmt.Println(c.Message())
	}
	o := b.Result.Overrides[0]
	fmt.Println(o.Reason, "granted by", o.GrantedBy, "approved by", o.ApprovedBy, "amount", o.Amount)
	_, err = svc.OverridePrice(ctx, associate, b.ID, req)
	fmt.Println("the approval again:", errors.Is(err, handoff.ErrAlreadyUsed))

	web := channel.Context{ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR", PriceLists: []string{"web"},
		TaxZone: "FR", PricesIncludeTax: true, StockSources: []string{"bellecour"}, FulfilmentModes: []channel.FulfilmentMode{channel.ShipFromStore}}
	b, _ = svc.CheckOut(ctx, associate, b.ID, web)
	for _, c := range b.Result.Changes {
		fmt.Println(c.Message())
	}
	// Output:
	// refused: 30.00 EUR asked, the limit is 15.90 EUR
	// Arc floor lamp: store discount of 30.00 EUR (PRICE-MATCH)
	// total is now 129.00 EUR (was 159.00 EUR)
	// PRICE-MATCH granted by staff-17 approved by mgr-3 amount 30.00 EUR
	// the approval again: true
	// the store discount on Arc floor lamp ended when the basket left bellecour (was 30.00 EUR)
	// Arc floor lamp is 149.00 EUR here (was 129.00 EUR)
	// Arc floor lamp: ship-from-store
	// total is now 149.00 EUR (was 129.00 EUR)
}
