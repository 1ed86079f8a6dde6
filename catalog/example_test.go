package catalog_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
)

// A deli counter: the scale prints weight labels on prefix 21 and price
// labels on 28; the till decodes a label into the key the catalogue lists
// the item under, and looks the item up.
func Example() {
	ctx := context.Background()
	dec, err := catalog.NewDecoder(
		catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram},
		catalog.Layout{Prefix: "28", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Decimals: 2, Currency: pricing.MustCurrency("EUR")},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	products, _ := memory.NewProducts(
		catalog.Product{SKU: "COMTE-18", Name: "Comté 18 months", Categories: []string{"cheese"}, TaxCategory: "reduced",
			Unit: catalog.Kilogram, Barcodes: []catalog.GTIN{catalog.MustGTIN("2112345000008")}},
		catalog.Product{SKU: "PATE-CAMPAGNE", Name: "Pâté de campagne", Categories: []string{"deli"}, TaxCategory: "reduced",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("2801234000006")}},
	)
	for _, code := range []string{"2112345003474", "2801234004202", "2112345003475"} {
		s, err := dec.Decode(code)
		if err != nil {
			fmt.Println(err)
			continue
		}
		found, err := catalog.Resolve(ctx, products, catalog.Query{Barcodes: []catalog.GTIN{s.Key}})
		if err != nil {
			fmt.Println(err)
			continue
		}
		p, _ := found.Barcode(s.Key)
		switch s.Embeds {
		case catalog.Weight:
			fmt.Printf("%s: %s, %s\n", code, p.Name, s.Weight)
		case catalog.Price:
			fmt.Printf("%s: %s, %s\n", code, p.Name, s.Price)
		}
	}
	// Output:
	// 2112345003474: Comté 18 months, 0.347 kg
	// 2801234004202: Pâté de campagne, 4.20 EUR
	// catalog: barcode "2112345003475": breaks GS1 check digit: ends in 5, the check digit is 4
}

// A platform implements ProductSource over its own catalogue (here the
// in-memory one): one call answers SKUs and barcodes together, whatever
// length the barcode was printed in; unknown keys are simply absent, and
// Resolve turns them into a typed error.
func ExampleProductSource() {
	ctx := context.Background()
	var src catalog.ProductSource
	src, _ = memory.NewProducts(
		catalog.Product{SKU: "PEN-STABILO", Name: "Stabilo highlighter", TaxCategory: "standard",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("4006381333931")}},
		catalog.Product{SKU: "TISSUES", Name: "Facial tissues", TaxCategory: "standard",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("036000291452")}},
	)
	upc, _ := catalog.ParseGTIN("0036000291452") // the UPC-A printed as an EAN-13
	ps, _ := src.Products(ctx, catalog.Query{SKUs: []string{"PEN-STABILO", "PEN-STABLIO"}, Barcodes: []catalog.GTIN{upc}})
	for _, p := range ps {
		fmt.Println(p.SKU, p.Name, p.Barcodes)
	}

	_, err := catalog.Resolve(ctx, src, catalog.Query{SKUs: []string{"PEN-STABLIO"}})
	var unknown *catalog.UnknownProductError
	fmt.Println(errors.As(err, &unknown), unknown.SKUs)
	// Output:
	// PEN-STABILO Stabilo highlighter [04006381333931]
	// TISSUES Facial tissues [00036000291452]
	// true [PEN-STABLIO]
}

// GTINs compare in their 14-digit form: an EAN-13 and the same number as
// a GTIN-14 are one key, and a misread digit is refused.
func ExampleParseGTIN() {
	ean, _ := catalog.ParseGTIN("4006381333931")
	gtin14, _ := catalog.ParseGTIN("04006381333931")
	fmt.Println(ean, ean == gtin14)
	_, err := catalog.ParseGTIN("4006381383931")
	fmt.Println(errors.Is(err, catalog.ErrInvalidBarcode), err)
	// Output:
	// 04006381333931 true
	// true catalog: barcode "4006381383931": breaks GS1 check digit: ends in 1, the check digit is 6
}
