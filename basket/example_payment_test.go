package basket_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
)

// At a Zurich till: 87.63 CHF of cheese, wine and chocolate, paid with a
// gift card worth 50.00, 30.00 on a card and a 10 franc note. The order
// is placed (the total is then fixed), and paid: the gift card is redeemed
// at the voucher source, and only the cash part is rounded to 0.05.
func ExampleService_Pay() {
	ctx := context.Background()
	chf := func(s string) pricing.Money { return pricing.MustParse(s, "CHF") }
	clk := clock.NewFake(time.Date(2026, 12, 19, 15, 0, 0, 0, time.UTC))
	book, _ := pricing.NewPriceBook([]pricing.Price{
		{ListID: "ch-store", SKU: "GRUYERE", Unit: chf("39.90")},
		{ListID: "ch-store", SKU: "FENDANT", Unit: chf("29.95")},
		{ListID: "ch-store", SKU: "CHOC-BAR", Unit: chf("8.89")},
	})
	tax, _ := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "CH", Category: "standard", Rate: pricing.MustPercent("8.1")},
		{Zone: "CH", Category: "food", Rate: pricing.MustPercent("2.6")},
	})
	shop := &memory.Catalog{PriceBook: book, TaxRules: tax, Sites: []stock.Location{{ID: "zurich-hb", Kind: stock.Store,
		Modes: []channel.FulfilmentMode{channel.CarryOut}, LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0}}}}
	shelf := memory.NewStockStore(clk)
	for _, sku := range []string{"GRUYERE", "FENDANT", "CHOC-BAR"} {
		_ = shelf.SetOnHand(ctx, sku, "zurich-hb", 10)
	}
	giftCards := memory.NewVoucherStore(clk)
	_ = giftCards.Issue(ctx, "GC-1001", chf("50.00"), time.Time{})
	svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: shop, Tax: shop, Stock: shelf,
		Locations: shop, Clock: clk, Vouchers: giftCards})
	if err != nil {
		fmt.Println(err)
		return
	}

	clerk := basket.Actor{Kind: basket.Associate, ID: "clerk-7", LocationID: "zurich-hb"}
	till := channel.Context{ChannelID: "store-zurich", Kind: channel.Store, LocationID: "zurich-hb", Country: "CH",
		Currency: "CHF", PriceLists: []string{"ch-store"}, TaxZone: "CH", PricesIncludeTax: true,
		StockSources: []string{"zurich-hb"}, FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}}
	b, _ := svc.Create(ctx, clerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{AnonymousID: "walk-in"}, Context: till})
	for _, l := range []basket.NewLine{
		{SKU: "GRUYERE", Quantity: 1, Product: basket.Product{Name: "Gruyère AOP", TaxCategory: "food"}},
		{SKU: "FENDANT", Quantity: 1, Product: basket.Product{Name: "Fendant du Valais", TaxCategory: "standard"}},
		{SKU: "CHOC-BAR", Quantity: 2, Product: basket.Product{Name: "Dark chocolate", TaxCategory: "food"}},
	} {
		b, _ = svc.AddLine(ctx, clerk, b.ID, l)
	}
	for _, t := range []payment.Tender{
		{Kind: payment.GiftCard, Code: "gc-1001"}, // its balance is read from the source
		{Kind: payment.Card, Amount: chf("30.00")},
		{Kind: payment.Cash, Amount: chf("10.00")}, // handed over
	} {
		if b, err = svc.AddTender(ctx, clerk, b.ID, t); err != nil {
			fmt.Println(err)
			return
		}
	}
	_, err = svc.Pay(ctx, clerk, b.ID)
	fmt.Println("a cart is not paid:", errors.Is(err, basket.ErrNotPayable))

	b, _ = svc.PlaceOrder(ctx, clerk, b.ID)
	b, err = svc.Pay(ctx, clerk, b.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := b.Payment.Paid.Settlement
	fmt.Println("due", s.Due, "tax", b.Result.Totals.Tax)
	for _, a := range s.Tenders {
		fmt.Println(" ", a.Tender.Kind, a.Amount)
	}
	fmt.Println("rounding", s.CashRounding, "change", s.Change)
	left, _ := giftCards.Balances(ctx, []string{"GC-1001"})
	fmt.Println("left on the gift card", left[0].Amount)
	// Output:
	// a cart is not paid: true
	// due 87.63 CHF tax 3.70 CHF
	//   gift-card 50.00 CHF
	//   card 30.00 CHF
	//   cash 7.65 CHF
	// rounding 0.02 CHF change 2.35 CHF
	// left on the gift card 0.00 CHF
}
