package basket_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// A tier-2 shopper burns 500 points at the Paris till, where points are
// a discount: 5.00 EUR comes off the lines before tax, the order reserves
// the points, and paying spends them and credits what the basket earned.
func ExampleService_UseLoyaltyPoints() {
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	book, err := pricing.NewPriceBook([]pricing.Price{
		{ListID: "fr", SKU: "bordeaux-2019", Unit: pricing.MustParse("35.50", "EUR")},
		{ListID: "fr", SKU: "confiture", Unit: pricing.MustParse("6.60", "EUR")},
	})
	must(err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "food", Rate: pricing.MustPercent("5.5")},
	})
	must(err)
	none, err := promotion.Compile(nil)
	must(err)
	cat := &memory.Catalog{PriceBook: book, PromotionSet: none, TaxRules: tax,
		Sites: []stock.Location{{ID: "paris-01", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut}}}}
	clk := clock.NewFake(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
	shelf := memory.NewStockStore(clk)
	must(shelf.SetOnHand(ctx, "bordeaux-2019", "paris-01", 10))
	must(shelf.SetOnHand(ctx, "confiture", "paris-01", 10))
	points := memory.NewLoyaltyStore()
	must(points.SetAccount(ctx, "card-42", "2", 1157))
	scheme, err := loyalty.Compile(loyalty.Program{
		Rules: []loyalty.Rule{{ID: "base", Kind: loyalty.Base, Points: 1, Per: pricing.MustParse("1.00", "EUR")}},
		Tiers: []loyalty.Tier{{ID: "2", Multiplier: pricing.MustRate("1.5")}},
		Burn: loyalty.BurnPolicy{Mode: loyalty.Discount, MinPoints: 500, Step: 100,
			Rates: []loyalty.Conversion{{Points: 100, Value: pricing.MustParse("1.00", "EUR")}}},
	})
	must(err)
	svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat,
		Stock: shelf, Locations: cat, Clock: clk, Loyalty: points, LoyaltyScheme: scheme})
	must(err)

	clerk := basket.Actor{Kind: basket.Associate, ID: "clerk-3", LocationID: "paris-01"}
	till := channel.Context{ChannelID: "store-paris-01", Kind: channel.Store, LocationID: "paris-01", Country: "FR", Currency: "EUR",
		Locale: "fr-FR", PriceLists: []string{"fr"}, TaxZone: "FR", PricesIncludeTax: true, StockSources: []string{"paris-01"},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}}
	b, err := svc.Create(ctx, clerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: till})
	must(err)
	_, err = svc.SetLoyalty(ctx, clerk, b.ID, &basket.Loyalty{Account: "card-42"})
	must(err)
	_, err = svc.AddLine(ctx, clerk, b.ID, basket.NewLine{SKU: "bordeaux-2019", Quantity: 1,
		Product: basket.Product{Name: "Bordeaux 2019", TaxCategory: "standard"}})
	must(err)
	_, err = svc.AddLine(ctx, clerk, b.ID, basket.NewLine{SKU: "confiture", Quantity: 1,
		Product: basket.Product{Name: "Confiture de figues", TaxCategory: "food"}})
	must(err)
	b, err = svc.UseLoyaltyPoints(ctx, clerk, b.ID, 500)
	must(err)

	lr := b.Result.Loyalty
	fmt.Printf("%d points pay %s as a %s; total %s; earns %d\n", lr.Burn.Points, lr.Burn.Value, lr.Burn.Mode,
		b.Result.Totals.Total, lr.Earned.Points)
	msgs, err := message.New()
	must(err)
	for _, s := range msgs.Report(b.Result) {
		fmt.Println(s)
	}

	b, err = svc.PlaceOrder(ctx, clerk, b.ID)
	must(err)
	bs, _ := points.Balances(ctx, []string{"card-42"})
	fmt.Printf("ordered: %d available, %d reserved\n", bs[0].Available, bs[0].Reserved)
	_, err = svc.AddTender(ctx, clerk, b.ID, payment.Tender{Kind: payment.Card})
	must(err)
	_, err = svc.Pay(ctx, clerk, b.ID)
	must(err)
	bs, _ = points.Balances(ctx, []string{"card-42"})
	fmt.Printf("paid: %d available, %d reserved\n", bs[0].Available, bs[0].Reserved)
	// Output:
	// 500 points pay 5.00 EUR as a discount; total 37.10 EUR; earns 55
	// 500 points = 5,00 €
	// vous gagnez 55 points
	// le total est maintenant de 37,10 € (au lieu de 42,10 €)
	// ordered: 657 available, 500 reserved
	// paid: 712 available, 0 reserved
}
