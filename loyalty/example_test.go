package loyalty_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

// A tier-2 shopper spends 84.30 EUR at a Paris store, 21.00 of it on
// cheese (double points), and earns 157 points: (84.30 + 21.00) × 1.5 =
// 157.95, rounded down once. At the next visit she pays 5.00 EUR of a
// 42.10 EUR basket with 500 points.
func Example() {
	scheme, err := loyalty.Compile(loyalty.Program{
		Rules: []loyalty.Rule{
			{ID: "base", Name: "1 point per euro", Kind: loyalty.Base, Points: 1, Per: pricing.MustParse("1.00", "EUR")},
			{ID: "cheese-x2", Name: "double points on cheese", Kind: loyalty.Multiplier, Factor: pricing.MustRate("2"),
				Target: loyalty.Target{Categories: []string{"cheese"}}},
		},
		Tiers: []loyalty.Tier{{ID: "2", Multiplier: pricing.MustRate("1.5")}},
		Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, MinPoints: 500, Step: 100,
			Rates: []loyalty.Conversion{{Points: 100, Value: pricing.MustParse("1.00", "EUR")}},
		},
	})
	if err != nil {
		panic(err)
	}
	lines := []loyalty.Line{
		{ID: "l1", SKU: "comte-250g", Categories: []string{"cheese"}, Quantity: 2, Amount: pricing.MustParse("21.00", "EUR")},
		{ID: "l2", SKU: "bordeaux-2019", Categories: []string{"wine"}, Quantity: 1, Amount: pricing.MustParse("35.50", "EUR")},
		{ID: "l3", SKU: "baguette", Categories: []string{"bakery"}, Quantity: 4, Amount: pricing.MustParse("27.80", "EUR")},
	}
	till := channel.Context{
		ChannelID: "store-paris-01", Kind: channel.Store, LocationID: "paris-01", Country: "FR", Currency: "EUR",
		PriceLists: []string{"fr"}, TaxZone: "FR", PricesIncludeTax: true,
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}, AsOf: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
	earned, err := scheme.Earn(lines, "2", till)
	if err != nil {
		panic(err)
	}
	fmt.Printf("earned %d points on %s (tier %s, ×%s)\n", earned.Points, earned.Amount, earned.Tier, earned.Multiplier)
	for _, x := range earned.Explanations {
		fmt.Printf("  %s: %d points on %s\n", x.Name, x.Points, x.Amount)
	}

	burn, err := scheme.Burn(loyalty.BurnRequest{Balance: 1000 + earned.Points, Requested: 500, Due: pricing.MustParse("42.10", "EUR")})
	if err != nil {
		panic(err)
	}
	fmt.Printf("next visit: %d points pay %s as a %s\n", burn.Points, burn.Value, burn.Mode)
	// Output:
	// earned 157 points on 84.30 EUR (tier 2, ×1.5)
	//   1 point per euro: 126 points on 84.30 EUR
	//   double points on cheese: 31 points on 21.00 EUR
	// next visit: 500 points pay 5.00 EUR as a tender
}

// The basket reads balances in one call, reserves the points it burns
// when the order is placed, releases them if the order is abandoned,
// commits them when it is paid, and credits what was earned. Every call
// carries the caller's ID, so a retry never burns or credits twice.
func ExampleLoyaltySource() {
	ctx := context.Background()
	store := memory.NewLoyaltyStore()
	_ = store.SetAccount(ctx, "card-42", "2", 1157)
	var src loyalty.LoyaltySource = store

	bs, _ := src.Balances(ctx, []string{"card-42", "card-unknown"})
	fmt.Printf("%s: tier %s, %d available\n", bs[0].Account, bs[0].Tier, bs[0].Available)

	r, _ := src.Reserve(ctx, loyalty.ReserveRequest{ID: "basket-7/order-1", Account: "card-42", Points: 500})
	fmt.Println(r.ID, r.State, r.Points)
	_, err := src.Reserve(ctx, loyalty.ReserveRequest{ID: "basket-9/order-1", Account: "card-42", Points: 700})
	var short *loyalty.InsufficientError
	if errors.As(err, &short) {
		fmt.Printf("%s has only %d available\n", short.Account, short.Available)
	}
	r, _ = src.Commit(ctx, "basket-7/order-1") // paid
	fmt.Println(r.ID, r.State)
	_ = src.Credit(ctx, loyalty.CreditRequest{ID: "basket-7/earn", Account: "card-42", Points: 92})
	_ = src.Credit(ctx, loyalty.CreditRequest{ID: "basket-7/earn", Account: "card-42", Points: 92}) // a retry: once only

	bs, _ = src.Balances(ctx, []string{"card-42"})
	fmt.Printf("%s: %d available, %d reserved\n", bs[0].Account, bs[0].Available, bs[0].Reserved)
	// Output:
	// card-42: tier 2, 1157 available
	// basket-7/order-1 reserved 500
	// card-42 has only 657 available
	// basket-7/order-1 committed
	// card-42: 749 available, 0 reserved
}

// A programme is configuration: DecodeProgram reads it strictly and
// Compile validates it.
func ExampleDecodeProgram() {
	p, err := loyalty.DecodeProgram([]byte(`{
		"rules": [{"id": "base", "kind": "base", "points": 1, "per": {"amount": "1.00", "currency": "EUR"}}],
		"tiers": [{"id": "2", "multiplier": "1.5"}],
		"burn": {"mode": "discount", "rates": [{"points": 100, "value": {"amount": "1.00", "currency": "EUR"}}]}
	}`))
	if err != nil {
		panic(err)
	}
	scheme, err := loyalty.Compile(p)
	if err != nil {
		panic(err)
	}
	web := channel.Context{
		ChannelID: "web-fr", Kind: channel.Web, Country: "FR", Currency: "EUR", PriceLists: []string{"fr"}, TaxZone: "FR",
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress}, AsOf: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
	e, _ := scheme.Earn([]loyalty.Line{{ID: "l1", SKU: "kettle", Quantity: 1, Amount: pricing.MustParse("49.99", "EUR")}}, "2", web)
	fmt.Println(e.Points)

	_, err = loyalty.DecodeProgram([]byte(`{"rules": [{"id": "base", "kind": "base", "points": 1.5}]}`))
	fmt.Println(errors.Is(err, loyalty.ErrInvalid))
	// Output:
	// 74
	// true
}
