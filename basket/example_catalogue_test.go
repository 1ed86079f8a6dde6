package basket_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
)

// At a store till, the associate scans what the shopper brings: the
// catalogue names each barcode's product, a second scan adds to its line,
// a misread or unknown code is refused, and a deli label carrying a weight
// adds the cheese it weighed, priced per kg and rounded once. A typed SKU
// is checked against the same catalogue.
func ExampleService_Scan() {
	ctx := context.Background()
	cat, _ := demo.Catalog()
	// The deli's Comté is 24.90 EUR per kg in the stores.
	cat.PriceBook, _ = pricing.NewPriceBook(append(demo.Prices(),
		pricing.Price{ListID: "store", SKU: "COMTE-18", Unit: pricing.MustParse("24.90", "EUR")}))
	clk := clock.NewFake(demo.Start())
	st := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		_ = st.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand)
	}
	products, _ := memory.NewProducts(
		catalog.Product{SKU: "MUG-STONE", Name: "Stoneware mug", Categories: []string{"kitchen"}, TaxCategory: "standard",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("5901234123457")}},
		catalog.Product{SKU: "TEA-EARL", Name: "Earl Grey loose tea 100 g", Categories: []string{"food"}, TaxCategory: "reduced",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("96385074")}},
		catalog.Product{SKU: "COMTE-18", Name: "Comté 18 months", Categories: []string{"food"}, TaxCategory: "reduced",
			Unit: catalog.Kilogram, Barcodes: []catalog.GTIN{catalog.MustGTIN("2112345000008")}},
	)
	labels, _ := catalog.NewDecoder(catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight,
		ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram})
	svc, _ := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat,
		Stock: st, Locations: cat, Fees: cat, Clock: clk, Products: products, Barcodes: labels})

	associate := basket.Actor{Kind: basket.Associate, ID: "staff-7", LocationID: demo.Bellecour}
	b, err := svc.Create(ctx, associate, basket.CreateRequest{ID: uuid.MustParse("0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"),
		Owner: basket.Owner{AnonymousID: "walk-in-1"}, Context: demo.Store(demo.Bellecour, demo.Start())})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, code := range []string{"5901234123457", "96385074", "05901234123457", "5901234123458", "4006381333931", "2112345003474"} {
		next, err := svc.Scan(ctx, associate, b.ID, code)
		switch {
		case errors.Is(err, catalog.ErrInvalidBarcode):
			fmt.Println(code, "misread, scan again")
		case errors.Is(err, catalog.ErrUnknownProduct):
			fmt.Println(code, "not in the catalogue")
		case err != nil:
			fmt.Println(err)
		default:
			b = next
		}
	}
	_, err = svc.AddLine(ctx, associate, b.ID, basket.NewLine{SKU: "MUG-STOEN", Quantity: 1})
	fmt.Println(err)
	for _, l := range b.Result.Lines {
		fmt.Printf("%s × %s %s\n", basket.FormatQuantity(l.Quantity, l.Unit), l.Name, l.Total)
	}
	fmt.Println("total", b.Result.Totals.Total)
	// Output:
	// 5901234123458 misread, scan again
	// 4006381333931 not in the catalogue
	// basket: SKU: MUG-STOEN is not in the catalogue
	// 2 × Stoneware mug 30.00 EUR
	// 1 × Earl Grey loose tea 100 g 8.50 EUR
	// 0.347 kg × Comté 18 months 8.64 EUR
	// total 47.14 EUR
}
