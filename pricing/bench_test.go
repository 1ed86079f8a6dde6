package pricing_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/shopspring/decimal"
)

var sinkMoney pricing.Money

func BenchmarkMoneyAdd(b *testing.B) {
	x, y := pricing.MustParse("12.34", "EUR"), pricing.MustParse("0.01", "EUR")
	for b.Loop() {
		x, _ = x.Add(y)
	}
	sinkMoney = x
}

func BenchmarkMoneyMul(b *testing.B) {
	x := pricing.MustParse("12.34", "EUR")
	for i := 0; b.Loop(); i++ {
		sinkMoney, _ = x.Mul(int64(i & 63))
	}
}

func BenchmarkMoneyCmp(b *testing.B) {
	x, y := pricing.MustParse("12.34", "EUR"), pricing.MustParse("12.35", "EUR")
	n := 0
	for b.Loop() {
		c, _ := x.Cmp(y)
		n += c
	}
	_ = n
}

func BenchmarkDecimalAdd(b *testing.B) {
	x, y := decimal.RequireFromString("12.34"), decimal.RequireFromString("0.01")
	for b.Loop() {
		x = x.Add(y)
	}
	_ = x
}

func BenchmarkAllocate100(b *testing.B) {
	total := pricing.MustParse("123.45", "EUR")
	shares := make([]pricing.Share, 100)
	for i := range shares {
		shares[i] = pricing.Share{Key: synth.SKU(i), Weight: int64(100 + i*37%1000)}
	}
	for b.Loop() {
		if _, err := pricing.Allocate(total, shares); err != nil {
			b.Fatal(err)
		}
	}
}

// basketPricing is the 100-line job of the issue: resolve each line's unit
// price through a three-level chain over a 100,000-SKU catalogue, multiply
// by the quantity, tax each line by its category (prices include tax) and
// total the basket.
func BenchmarkPriceBasket100(b *testing.B) {
	cat := synth.NewCatalogue(1, 100_000)
	book, err := pricing.NewPriceBook(cat.Prices)
	if err != nil {
		b.Fatal(err)
	}
	ctx := cat.Context()
	lines := cat.Basket(7, 100)
	taxLines := make([]pricing.TaxLine, len(lines))
	policy := pricing.TaxPolicy{Inclusive: ctx.PricesIncludeTax}
	var taxed []pricing.Taxed
	b.Run("omnibasket", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			prices := book.For(ctx)
			rates := cat.Tax.Zone(ctx.TaxZone, ctx.AsOf)
			for i, l := range lines {
				r, err := prices.Resolve(l.Product.SKU, l.Quantity)
				if err != nil {
					b.Fatal(err)
				}
				amount, err := r.Unit.Mul(l.Quantity)
				if err != nil {
					b.Fatal(err)
				}
				rate, err := rates.Rate(l.Product.TaxCategory)
				if err != nil {
					b.Fatal(err)
				}
				taxLines[i] = pricing.TaxLine{Key: l.ID, Amount: amount, Quantity: l.Quantity, Rate: rate}
			}
			taxed, err = pricing.AppendTax(taxed[:0], taxLines, policy)
			if err != nil {
				b.Fatal(err)
			}
			total := pricing.Zero(cat.Currency)
			for _, t := range taxed {
				if total, err = total.Add(t.Gross); err != nil {
					b.Fatal(err)
				}
			}
			sinkMoney = total
		}
	})
	b.Run("naive-decimal", func(b *testing.B) {
		// The same job as most engines write it: decimal prices in a map,
		// decimal arithmetic with explicit rounding at the same points.
		type entry struct {
			list  string
			unit  decimal.Decimal
			tier  int64
			group string
		}
		idx := make(map[string][]entry, len(cat.Products))
		for _, p := range cat.Prices {
			idx[p.SKU] = append(idx[p.SKU], entry{p.ListID, p.Unit.Decimal(), p.MinQuantity, p.CustomerGroup})
		}
		rates := map[string]decimal.Decimal{"standard": decimal.RequireFromString("0.20"), "reduced": decimal.RequireFromString("0.055")}
		one := decimal.NewFromInt(1)
		b.ReportAllocs()
		for b.Loop() {
			total := decimal.Zero
			for _, l := range lines {
				var unit decimal.Decimal
				found := false
				for _, list := range ctx.PriceLists {
					bestTier := int64(-1)
					for _, e := range idx[l.Product.SKU] {
						if e.list == list && e.group == "" && e.tier <= l.Quantity && e.tier > bestTier {
							unit, bestTier, found = e.unit, e.tier, true
						}
					}
					if found {
						break
					}
				}
				if !found {
					b.Fatal("no price")
				}
				gross := unit.Mul(decimal.NewFromInt(l.Quantity))
				rate := rates[l.Product.TaxCategory]
				tax := gross.Mul(rate).DivRound(one.Add(rate), 2)
				net := gross.Sub(tax)
				total = total.Add(net.Add(tax))
			}
			_ = total.StringFixed(2)
		}
	})
}

// BenchmarkUnitPriceMul prices a line from a unit price: an ordinary one
// (no rounding), one with four decimals and one per 1,000.
func BenchmarkUnitPriceMul(b *testing.B) {
	perThousand, _ := pricing.MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	for _, bc := range []struct {
		name  string
		price pricing.UnitPrice
	}{
		{"ordinary", pricing.UnitPriceOf(pricing.MustParse("12.34", "EUR"))},
		{"precise", pricing.MustParseUnitPrice("0.0125", "EUR")},
		{"per-1000", perThousand},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				sinkMoney, _ = bc.price.Mul(int64(i&63), pricing.HalfEven)
			}
		})
	}
}
