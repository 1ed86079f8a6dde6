package basket_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// BenchmarkRecontextualize prices 10-, 100- and 500-line baskets from a
// 100,000-SKU catalogue with three-level price chains, 1,000 active
// promotions and 5 stock sources: the whole pure pipeline, change report
// included (the basket was priced in another channel first).
func BenchmarkRecontextualize(b *testing.B) {
	cat := synth.NewCatalogue(1, 100_000)
	book, err := pricing.NewPriceBook(cat.Prices)
	if err != nil {
		b.Fatal(err)
	}
	set, err := promotion.Compile(cat.Promotions(2, 1_000))
	if err != nil {
		b.Fatal(err)
	}
	locations := cat.Locations(5)
	target := cat.Context()
	web := target.Clone()
	web.ChannelID, web.LocationID, web.Kind, web.PriceLists = "web", "", channel.Web, []string{"chan-web", "default"}
	for _, n := range []int{10, 100, 500} {
		lines := cat.Basket(uint64(n), n)
		levels, err := stock.NewLevels(synth.Stock(3, lines, locations))
		if err != nil {
			b.Fatal(err)
		}
		snap := basket.Snapshot{Prices: book, Promotions: set, Tax: cat.Tax, Stock: levels, Locations: locations}
		bk := syntheticBasket(b, lines, web, snap)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := basket.Recontextualize(bk, target, snap, basket.Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/line")
		})
	}
}

// syntheticBasket builds a basket of lines in start and prices it there,
// so that the benchmarked call is a real channel change.
func syntheticBasket(b *testing.B, lines []synth.Line, start channel.Context, snap basket.Snapshot) *basket.Basket {
	b.Helper()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "bench"}, At: start.AsOf}
	bk, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "bench"}, start, basket.Cart, m)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range lines {
		p := basket.Product{Name: l.Product.Name, Categories: l.Product.Categories, TaxCategory: l.Product.TaxCategory}
		if _, _, err := bk.AddLine(m, basket.NewLine{SKU: l.Product.SKU, Quantity: l.Quantity, Product: p}); err != nil {
			b.Fatal(err)
		}
	}
	r, err := basket.Recontextualize(bk, start, snap, basket.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bk.SetResult(m, r); err != nil {
		b.Fatal(err)
	}
	return bk
}
