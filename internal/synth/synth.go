// Package synth generates seeded synthetic retail workloads for benchmarks
// and property tests: a catalogue of SKUs with categories and tax
// categories, three-level price chains, tax tables and baskets. The same
// seed gives the same workload on every machine, so benchmark figures are
// comparable across runs and the in-repo naive baselines see the same data.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// AsOf returns the fixed instant every synthetic context is evaluated at.
func AsOf() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

// Product is one synthetic catalogue item.
type Product struct {
	SKU         string
	Name        string
	Categories  []string
	TaxCategory string
}

// Catalogue is a synthetic assortment with prices in three lists
// (location → channel → default) and a tax table.
type Catalogue struct {
	Products []Product
	Prices   []pricing.Price
	Tax      *pricing.TaxTable
	Lists    []string // most specific first
	Currency pricing.Currency
}

// Categories used by synthetic products.
func Categories() []string {
	return []string{"shoes", "shirts", "trousers", "coats", "bags", "kitchen", "books", "toys", "garden", "food"}
}

// NewCatalogue builds n products. Every product has a default price; about
// a third also have a channel price and a tenth a location price, and one in
// five a quantity tier, so resolution walks all three levels.
func NewCatalogue(seed uint64, n int) *Catalogue {
	r := rand.New(rand.NewPCG(seed, 0x0b5e))
	eur := pricing.MustCurrency("EUR")
	cats := Categories()
	c := &Catalogue{
		Products: make([]Product, n),
		Prices:   make([]pricing.Price, 0, n*3/2),
		Lists:    []string{"loc-store-01", "chan-web", "default"},
		Currency: eur,
	}
	for i := range c.Products {
		sku := SKU(i)
		cat := cats[r.IntN(len(cats))]
		tc := "standard"
		if cat == "food" || cat == "books" {
			tc = "reduced"
		}
		c.Products[i] = Product{SKU: sku, Name: fmt.Sprintf("Product %d", i), Categories: []string{cat}, TaxCategory: tc}
		base := 100 + r.Int64N(20_000) // 1.00 to 201.00 EUR
		money := func(u int64) pricing.Money { m, _ := pricing.FromMinor(u, eur); return m }
		c.Prices = append(c.Prices, pricing.Price{ListID: "default", SKU: sku, Unit: money(base)})
		if r.IntN(3) == 0 {
			c.Prices = append(c.Prices, pricing.Price{ListID: "chan-web", SKU: sku, Unit: money(base * 95 / 100)})
		}
		if r.IntN(10) == 0 {
			c.Prices = append(c.Prices, pricing.Price{ListID: "loc-store-01", SKU: sku, Unit: money(base * 90 / 100)})
		}
		if r.IntN(5) == 0 {
			c.Prices = append(c.Prices, pricing.Price{ListID: "default", SKU: sku, Unit: money(base * 85 / 100), MinQuantity: 5})
		}
	}
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "reduced", Rate: pricing.MustPercent("5.5")},
	})
	if err != nil {
		panic(err)
	}
	c.Tax = tax
	return c
}

// SKU names product i.
func SKU(i int) string { return fmt.Sprintf("SKU-%06d", i) }

// Context returns a store context over the catalogue's three-level chain.
func (c *Catalogue) Context() channel.Context {
	return channel.Context{
		ChannelID: "store-01", Kind: channel.Store, LocationID: "loc-store-01", Country: "FR",
		Currency: c.Currency.Code(), Locale: "fr-FR", PriceLists: c.Lists, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{"loc-store-01", "loc-store-02", "loc-store-03", "loc-store-04", "loc-warehouse"}, // 5 of the 10 locations
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipToAddress},
		AsOf:            AsOf(),
	}
}

// Line is a synthetic basket line.
type Line struct {
	ID       string
	Product  Product
	Quantity int64
}

// Basket draws n distinct products with quantities 1 to 6.
func (c *Catalogue) Basket(seed uint64, n int) []Line {
	r := rand.New(rand.NewPCG(seed, 0xba5e))
	seen := make(map[int]bool, n)
	lines := make([]Line, 0, n)
	for len(lines) < n {
		i := r.IntN(len(c.Products))
		if seen[i] {
			continue
		}
		seen[i] = true
		lines = append(lines, Line{ID: fmt.Sprintf("line-%04d", len(lines)), Product: c.Products[i], Quantity: 1 + r.Int64N(6)})
	}
	return lines
}
