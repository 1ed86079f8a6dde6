package promotion_test

import (
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

func Example() {
	set, err := promotion.Compile([]promotion.Promotion{
		{
			ID: "shoes-10", Name: "10 % off shoes", Lane: promotion.Catalogue,
			Effect: promotion.Effect{Kind: promotion.PercentOff, Percent: pricing.MustPercent("10"),
				Target: promotion.Target{Categories: []string{"shoes"}}},
		},
		{
			ID: "summer", Name: "10.00 off from 100.00", Lane: promotion.Basket,
			Coupon: "SUMMER", MinSubtotal: pricing.MustParse("100.00", "EUR"),
			Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Amount: pricing.MustParse("10.00", "EUR"),
				Target: promotion.Target{All: true}},
		},
		{
			ID: "web-ship", Name: "free shipping online", Lane: promotion.Fulfilment,
			Coupon: "WEBSHIP", Kinds: []channel.Kind{channel.Web},
			Effect: promotion.Effect{Kind: promotion.FeeDiscount, Percent: pricing.MustPercent("100")},
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := channel.Context{ChannelID: "store-paris", Kind: channel.Store, LocationID: "paris-01",
		Currency: "EUR", AsOf: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	lines := []promotion.Line{
		{ID: "l1", SKU: "sneaker", Categories: []string{"shoes"}, Quantity: 1, UnitPrice: pricing.MustParse("80.00", "EUR")},
		{ID: "l2", SKU: "socks", Categories: []string{"textile"}, Quantity: 3, UnitPrice: pricing.MustParse("9.00", "EUR")},
	}
	ev, err := set.Evaluate(lines, nil, ctx, promotion.Wallet{Coupons: []string{" summer", "webship"}})
	if err != nil {
		panic(err)
	}
	for _, l := range ev.Lines {
		fmt.Println(l.LineID, l.Subtotal, "→", l.Total)
	}
	for _, x := range ev.Explanations {
		fmt.Println(x.Status, x.Message)
	}
	for _, c := range ev.Coupons {
		fmt.Println(c.Code, c.Status)
	}
	fmt.Println("total", ev.Total, "discount", ev.Discount)
	// Output:
	// l1 80.00 EUR → 72.00 EUR
	// l2 27.00 EUR → 27.00 EUR
	// applied 10 % off shoes: 8.00 EUR off
	// not-applicable add 1.00 EUR more to get 10.00 off from 100.00
	// not-applicable free shipping online is not offered in this channel (store-paris)
	// SUMMER condition-unmet
	// WEBSHIP not-honoured-here
	// total 99.00 EUR discount 8.00 EUR
}

// A retailer runs a ladder of "spend X, get Y %" promotions. A basket of
// 100.00 meets the first step; of the steps it misses, only the nearest
// NearestMisses are explained, and Omitted counts the others, so the
// explanations stay short however long the ladder.
func ExampleOptions_nearestMisses() {
	var ladder []promotion.Promotion
	for i, step := range []string{"50.00", "120.00", "150.00", "200.00", "500.00", "1000.00"} {
		ladder = append(ladder, promotion.Promotion{
			ID: fmt.Sprintf("spend-%d", i+1), Name: fmt.Sprintf("%d %% off from %s", 5*(i+1), step),
			Lane: promotion.Basket, MinSubtotal: pricing.MustParse(step, "EUR"),
			Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Percent: pricing.MustPercent(fmt.Sprint(5 * (i + 1))),
				Target: promotion.Target{All: true}},
		})
	}
	set, err := promotion.Compile(ladder)
	if err != nil {
		panic(err)
	}
	ctx := channel.Context{ChannelID: "web-fr", Kind: channel.Web, Currency: "EUR",
		AsOf: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)}
	lines := []promotion.Line{{ID: "l1", SKU: "coat", Quantity: 1, UnitPrice: pricing.MustParse("100.00", "EUR")}}
	ev, err := set.EvaluateWith(lines, nil, ctx, promotion.Wallet{}, promotion.Options{NearestMisses: 2})
	if err != nil {
		panic(err)
	}
	for _, x := range ev.Explanations {
		fmt.Println(x.Message)
	}
	fmt.Println("omitted:", ev.Omitted)
	// Output:
	// 5 % off from 50.00: 5.00 EUR off
	// add 20.00 EUR more to get 10 % off from 120.00
	// add 50.00 EUR more to get 15 % off from 150.00
	// omitted: 3
}
