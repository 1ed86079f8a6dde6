package pricing_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

func Example() {
	// 0.1 + 0.2 is exactly 0.30, not 0.30000000000000004.
	a := pricing.MustParse("0.10", "EUR")
	b := pricing.MustParse("0.20", "EUR")
	sum, _ := a.Add(b)
	fmt.Println(sum)

	// 10.00 off spread over three equal lines: the parts sum to the whole.
	parts, _ := pricing.Allocate(pricing.MustParse("10.00", "EUR"), []pricing.Share{
		{Key: "line-a", Weight: 333}, {Key: "line-b", Weight: 333}, {Key: "line-c", Weight: 333},
	})
	fmt.Println(parts)

	// Tax on 3 × 1.08 at 19 %: the rounding policy is explicit.
	line := []pricing.TaxLine{{Key: "l1", Amount: pricing.MustParse("3.24", "EUR"), Quantity: 3, Rate: pricing.MustPercent("19")}}
	perLine, _ := pricing.ComputeTax(line, pricing.TaxPolicy{Rounding: pricing.PerLine})
	perUnit, _ := pricing.ComputeTax(line, pricing.TaxPolicy{Rounding: pricing.PerUnit})
	fmt.Println(perLine[0].Tax, perUnit[0].Tax)

	// Cash in Switzerland is paid in steps of 0.05.
	cash, _ := pricing.CashRound(pricing.MustParse("34.12", "CHF"), pricing.HalfUp)
	fmt.Println(cash.Rounded, cash.Difference)
	// Output:
	// 0.30 EUR
	// [3.34 EUR 3.33 EUR 3.33 EUR]
	// 0.62 EUR 0.63 EUR
	// 34.10 CHF -0.02 CHF
}

func ExamplePriceBook_Resolve() {
	eur := pricing.MustCurrency("EUR")
	unit := func(s string) pricing.Money { m, _ := pricing.ParseIn(s, eur); return m }
	book, _ := pricing.NewPriceBook([]pricing.Price{
		{ListID: "default", SKU: "mug", Unit: unit("12.00")},
		{ListID: "store-paris", SKU: "mug", Unit: unit("11.00")},
		{ListID: "store-paris", SKU: "mug", Unit: unit("9.50"), MinQuantity: 6},
	})
	ctx := channel.Context{Currency: "EUR", PriceLists: []string{"store-paris", "default"}, AsOf: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	for _, qty := range []int64{1, 6} {
		r, _ := book.Resolve("mug", qty, ctx)
		fmt.Printf("%d × mug: %s from %s (tier %d)\n", qty, r.Unit, r.Source.ListID, r.Source.MinQuantity)
	}
	_, err := book.Resolve("teapot", 1, ctx)
	fmt.Println(err)
	// Output:
	// 1 × mug: 11.00 EUR from store-paris (tier 0)
	// 6 × mug: 9.50 EUR from store-paris (tier 6)
	// pricing: no price for "teapot" in lists store-paris → default
}

// A unit price may carry six decimals, or be given per 1,000: only the
// line amount is rounded, once.
func ExampleUnitPrice_Mul() {
	screw := pricing.MustParseUnitPrice("0.0125", "EUR")
	for _, qty := range []int64{3, 10_000} {
		line, _ := screw.Mul(qty, pricing.HalfEven)
		fmt.Printf("%d × %s = %s\n", qty, screw, line)
	}
	perThousand, _ := pricing.MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	line, _ := perThousand.Mul(2_500, pricing.HalfEven)
	fmt.Printf("2500 at %s = %s\n", perThousand, line)

	fuel := pricing.MustParseUnitPrice("1.859", "EUR")
	for _, mode := range []pricing.RoundingMode{pricing.HalfEven, pricing.Down} {
		line, _ := fuel.Mul(45, mode)
		fmt.Printf("45 l at %s, %s: %s\n", fuel, mode, line)
	}
	_, err := pricing.ParseUnitPrice("0.0000001", "EUR")
	fmt.Println(errors.Is(err, pricing.ErrTooPrecise))
	// Output:
	// 3 × 0.0125 EUR = 0.04 EUR
	// 10000 × 0.0125 EUR = 125.00 EUR
	// 2500 at 12.50 EUR per 1000 = 31.25 EUR
	// 45 l at 1.859 EUR, half-even: 83.66 EUR
	// 45 l at 1.859 EUR, down: 83.65 EUR
	// true
}
