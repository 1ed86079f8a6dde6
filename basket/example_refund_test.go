package basket_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// candleOrder is an order of three candles, the cheapest free, delivered
// from the warehouse. [basket.Service.PlaceOrder] prices the basket and
// keeps its terms in one step; here the order is written out by hand, to
// show what a return and an invoice read.
func candleOrder() (*basket.Basket, error) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	web := channel.Context{ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR",
		PriceLists: []string{"web"}, TaxZone: "FR", PricesIncludeTax: true, StockSources: []string{"wh"},
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress}, AsOf: at}
	terms := basket.OrderTerms{
		Context: web,
		Prices: []pricing.Price{
			{ListID: "web", SKU: "FIG", Unit: eur("19.00")},
			{ListID: "web", SKU: "CEDAR", Unit: eur("19.00")},
			{ListID: "web", SKU: "AMBER", Unit: eur("22.00")},
		},
		Tax: []pricing.TaxRule{{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")}},
		Promotions: []promotion.Promotion{{ID: "3FOR2", Name: "Candles: buy 2, get the cheapest third free", Lane: promotion.Basket,
			Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{Categories: []string{"candles"}},
				Buy: 2, Get: 1, Percent: pricing.MustPercent("100")}}},
		Locations: []stock.Location{{ID: "wh", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress}}},
	}

	book, err := pricing.NewPriceBook(terms.Prices)
	if err != nil {
		return nil, err
	}
	promos, err := promotion.Compile(terms.Promotions)
	if err != nil {
		return nil, err
	}
	tax, err := pricing.NewTaxTable(terms.Tax)
	if err != nil {
		return nil, err
	}
	var levels []stock.Level
	m := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, At: at}
	b, _, err := basket.New(uuid.MustParse("5a1e0c4e-9a3b-4f7e-8d65-2f0c3b7a9e11"), basket.Owner{CustomerID: "cust-7"}, web, basket.Cart, m)
	if err != nil {
		return nil, err
	}
	for _, c := range []struct{ sku, name string }{{"FIG", "Fig candle"}, {"CEDAR", "Cedar candle"}, {"AMBER", "Amber candle"}} {
		p := basket.Product{Name: c.name, Categories: []string{"candles"}, TaxCategory: "standard"}
		if _, _, err := b.AddLine(m, basket.NewLine{SKU: c.sku, Quantity: 1, Product: p}); err != nil {
			return nil, err
		}
		levels = append(levels, stock.Level{SKU: c.sku, LocationID: "wh", OnHand: 50})
	}
	lv, err := stock.NewLevels(levels)
	if err != nil {
		return nil, err
	}
	r, err := basket.Recontextualize(b, web, basket.Snapshot{Prices: book, Promotions: promos, Tax: tax, Stock: lv, Locations: terms.Locations}, terms.Options)
	if err != nil {
		return nil, err
	}
	if _, err := b.SetResult(m, r); err != nil {
		return nil, err
	}
	if _, err := b.Transition(m, basket.Ordered, time.Time{}); err != nil {
		return nil, err
	}
	b.Order = &basket.Order{PlacedAt: at, Terms: terms}
	return b, nil
}

// A shopper bought three candles, the fig one free, and brings the amber
// one back. The refund is not the 22.00 the amber candle was charged: the
// two candles kept no longer earn a free one, so the refund is what was
// paid (41.00) minus what the kept candles cost under the order's terms
// (38.00).
func ExampleQuoteReturn() {
	order, err := candleOrder()
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := basket.QuoteReturn(order, []basket.ReturnLine{{LineID: "L0003", Quantity: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("paid:", q.Paid, "- kept:", q.Kept, "= refund:", q.Refund)
	fmt.Println("the candle was charged", q.Returned, "and", q.Clawback, "is taken back")
	for _, b := range q.Broken {
		fmt.Println(b.Message)
	}
	for _, t := range q.Taxes {
		fmt.Printf("at %s %%: %s net + %s tax\n", t.Rate.Percent(), t.Net, t.Tax)
	}
	// Output:
	// paid: 41.00 EUR - kept: 38.00 EUR = refund: 3.00 EUR
	// the candle was charged 22.00 EUR and 19.00 EUR is taken back
	// "Candles: buy 2, get the cheapest third free" no longer applies to the items kept: 19.00 EUR of its discount is taken back
	// at 20 %: 2.50 EUR net + 0.50 EUR tax
}

// The invoice of the candle order: the lines as priced, tax per rate (3.17
// and 3.67, rounded per line, the default), and no number yet: the store
// assigns it from the series when it saves the document.
func ExampleNewInvoice() {
	order, err := candleOrder()
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	inv, err := basket.NewInvoice(order, uuid.MustParse("0b6f3f9e-4d0e-4a54-9a52-7d7c1c2f0a01"), "INV-web", at)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(inv.Kind, inv.Series, inv.Number, "for", inv.CustomerID)
	for _, l := range inv.Lines {
		fmt.Printf("%s × %d  %s − %s = %s\n", l.Name, l.Quantity, l.UnitPrice.Amount(), l.Discount.Amount(), l.Total.Amount())
	}
	for _, t := range inv.Taxes {
		fmt.Printf("VAT %s %%: net %s, tax %s\n", t.Rate.Percent(), t.Net.Amount(), t.Tax.Amount())
	}
	fmt.Println("total", inv.Total)
	// Output:
	// invoice INV-web 0 for cust-7
	// Fig candle × 1  19.00 − 19.00 = 0.00
	// Cedar candle × 1  19.00 − 0.00 = 19.00
	// Amber candle × 1  22.00 − 0.00 = 22.00
	// VAT 20 %: net 34.16, tax 6.84
	// total 41.00 EUR
}
