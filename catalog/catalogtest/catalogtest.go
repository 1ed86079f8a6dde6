// Package catalogtest is the conformance suite for implementations of
// [catalog.ProductSource], in the style of gocloud.dev's drivertest: an
// adapter's own test hands the suite a [Harness] that builds the source
// holding given products, and the suite checks the contract documented on
// ProductSource.
//
//	func TestProducts(t *testing.T) {
//		catalogtest.RunProductSourceTests(t, func(t *testing.T, ps []catalog.Product) catalog.ProductSource {
//			src, err := memory.NewProducts(ps...)
//			if err != nil {
//				t.Fatal(err)
//			}
//			return src
//		})
//	}
//
// It checks one batched call by SKU, by barcode in any GTIN length, and
// both mixed; unknown keys absent without error; repeated keys answered
// once; the empty query; a cancelled context; answers that are copies
// (neither the caller's changes nor the builder's reach the source); and
// concurrent use.
package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/omnibasket/omnibasket/catalog"
)

// Harness builds the source under test holding exactly products (valid,
// no key naming two products). It is called once per test and may keep
// the slice it is given: the suite changes it afterwards to check that the
// source kept copies.
type Harness func(t *testing.T, products []catalog.Product) catalog.ProductSource

// Products is the catalogue every test starts from: counted and measured
// goods, with barcodes printed in every GTIN length, a product with none,
// and categories whose order matters. Each call returns fresh copies.
func Products() []catalog.Product {
	return []catalog.Product{
		{SKU: "PEN-STABILO", Name: "Stabilo highlighter", Categories: []string{"stationery", "pens"}, TaxCategory: "standard",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("4006381333931")}, ImageURL: "https://img.example/pen.jpg"},
		{SKU: "TISSUES", Name: "Facial tissues", Categories: []string{"hygiene"}, TaxCategory: "standard",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("036000291452"), catalog.MustGTIN("10614141000415")}},
		{SKU: "GUM-MINT", Name: "Mint gum", Categories: []string{"confectionery"}, TaxCategory: "reduced",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("96385074")}},
		{SKU: "BOOK-DATA", Name: "Book: Data", Categories: []string{"books"}, TaxCategory: "reduced",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("9780306406157")}},
		{SKU: "COMTE-18", Name: "Comté 18 months", Categories: []string{"cheese", "deli"}, TaxCategory: "reduced",
			Unit: catalog.Kilogram, Barcodes: []catalog.GTIN{catalog.MustGTIN("2112345000008")}},
		{SKU: "ASSEMBLY", Name: "Home assembly", Categories: []string{"services"}, TaxCategory: "services"},
	}
}

// RunProductSourceTests checks a [catalog.ProductSource] against its
// documented contract.
func RunProductSourceTests(t *testing.T, newSource Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, catalog.ProductSource)
	}{
		{"BySKU", testBySKU},
		{"ByBarcodeAnyLength", testByBarcode},
		{"Mixed", testMixed},
		{"UnknownAbsent", testUnknown},
		{"RepeatedKeysAnsweredOnce", testDuplicates},
		{"EmptyQuery", testEmpty},
		{"CancelledContext", testCancelled},
		{"AnswersAreCopies", testCopies},
		{"QueryNotRetained", testQueryNotRetained},
		{"ResolveRefusesMissing", testResolve},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newSource(t, Products())) })
	}
	t.Run("KeepsCopiesOfWhatItWasBuiltWith", func(t *testing.T) {
		ps := Products()
		src := newSource(t, ps)
		ps[0].Name = "changed"
		ps[0].Categories[0] = "changed"
		ps[1].Barcodes[0] = catalog.MustGTIN("5901234123457")
		expect(t, src, catalog.Query{SKUs: []string{"PEN-STABILO", "TISSUES"}}, "PEN-STABILO", "TISSUES")
	})
}

// expect asks src for q and checks the answer is exactly the fixture
// products with the SKUs want, each once, in any order.
func expect(t *testing.T, src catalog.ProductSource, q catalog.Query, want ...string) []catalog.Product {
	t.Helper()
	got, err := src.Products(context.Background(), q)
	if err != nil {
		t.Fatalf("Products(%s): %v", describe(q), err)
	}
	if err := same(got, want); err != nil {
		t.Fatalf("Products(%s): %v", describe(q), err)
	}
	return got
}

func same(got []catalog.Product, want []string) error {
	fixture := Products()
	var skus []string
	for _, p := range got {
		skus = append(skus, p.SKU)
		i := slices.IndexFunc(fixture, func(f catalog.Product) bool { return f.SKU == p.SKU })
		if i < 0 {
			return fmt.Errorf("returned %q, which is not in the catalogue", p.SKU)
		}
		if err := equal(p, fixture[i]); err != nil {
			return fmt.Errorf("%s: %w", p.SKU, err)
		}
	}
	sorted := slices.Clone(skus)
	slices.Sort(sorted)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(sorted, want) {
		return fmt.Errorf("returned SKUs %v, want %v (each once, any order)", skus, want)
	}
	return nil
}

// equal compares every attribute; barcodes may come back in any order,
// categories in theirs.
func equal(got, want catalog.Product) error {
	switch {
	case got.Name != want.Name, got.TaxCategory != want.TaxCategory, got.Unit != want.Unit, got.ImageURL != want.ImageURL:
		return fmt.Errorf("got %+v, want %+v", got, want)
	case !slices.Equal(got.Categories, want.Categories):
		return fmt.Errorf("categories %q, want %q in that order", got.Categories, want.Categories)
	}
	key := func(a, b catalog.GTIN) int { return strings.Compare(a.String(), b.String()) }
	g, w := slices.Clone(got.Barcodes), slices.Clone(want.Barcodes)
	slices.SortFunc(g, key)
	slices.SortFunc(w, key)
	if !slices.Equal(g, w) {
		return fmt.Errorf("barcodes %v, want %v", got.Barcodes, want.Barcodes)
	}
	return nil
}

func describe(q catalog.Query) string {
	return fmt.Sprintf("SKUs %q, barcodes %v", q.SKUs, q.Barcodes)
}

func testBySKU(t *testing.T, src catalog.ProductSource) {
	expect(t, src, catalog.Query{SKUs: []string{"TISSUES", "PEN-STABILO", "COMTE-18", "ASSEMBLY"}},
		"TISSUES", "PEN-STABILO", "COMTE-18", "ASSEMBLY")
	expect(t, src, catalog.Query{SKUs: []string{"GUM-MINT"}}, "GUM-MINT")
	expect(t, src, catalog.Query{SKUs: []string{"gum-mint"}}) // SKUs match exactly
}

func testByBarcode(t *testing.T, src catalog.ProductSource) {
	for _, tc := range []struct {
		code, sku string
	}{
		{"4006381333931", "PEN-STABILO"},  // EAN-13 as listed
		{"04006381333931", "PEN-STABILO"}, // the same as GTIN-14
		{"036000291452", "TISSUES"},       // UPC-A as listed
		{"0036000291452", "TISSUES"},      // the same as EAN-13
		{"00036000291452", "TISSUES"},     // and as GTIN-14
		{"10614141000415", "TISSUES"},     // a case GTIN-14, a second barcode
		{"96385074", "GUM-MINT"},          // EAN-8
		{"00000096385074", "GUM-MINT"},    // the same as GTIN-14
		{"2112345000008", "COMTE-18"},     // a variable-measure item's key
	} {
		expect(t, src, catalog.Query{Barcodes: []catalog.GTIN{catalog.MustGTIN(tc.code)}}, tc.sku)
	}
	expect(t, src, catalog.Query{Barcodes: []catalog.GTIN{
		catalog.MustGTIN("9780306406157"), catalog.MustGTIN("96385074"), catalog.MustGTIN("036000291452"),
	}}, "BOOK-DATA", "GUM-MINT", "TISSUES")
}

func testMixed(t *testing.T, src catalog.ProductSource) {
	expect(t, src, catalog.Query{
		SKUs:     []string{"ASSEMBLY", "PEN-STABILO"},
		Barcodes: []catalog.GTIN{catalog.MustGTIN("96385074"), catalog.MustGTIN("4006381333931")},
	}, "ASSEMBLY", "PEN-STABILO", "GUM-MINT")
}

func testUnknown(t *testing.T, src catalog.ProductSource) {
	expect(t, src, catalog.Query{
		SKUs:     []string{"NOPE", "BOOK-DATA", ""},
		Barcodes: []catalog.GTIN{catalog.MustGTIN("5901234123457"), catalog.MustGTIN("2112345003474"), {}},
	}, "BOOK-DATA")
	expect(t, src, catalog.Query{SKUs: []string{"NOPE"}, Barcodes: []catalog.GTIN{catalog.MustGTIN("73513537")}})
}

func testDuplicates(t *testing.T, src catalog.ProductSource) {
	expect(t, src, catalog.Query{
		SKUs: []string{"TISSUES", "TISSUES", "GUM-MINT"},
		Barcodes: []catalog.GTIN{
			catalog.MustGTIN("036000291452"), catalog.MustGTIN("00036000291452"), catalog.MustGTIN("10614141000415"),
			catalog.MustGTIN("96385074"),
		},
	}, "TISSUES", "GUM-MINT")
}

func testEmpty(t *testing.T, src catalog.ProductSource) {
	expect(t, src, catalog.Query{})
	expect(t, src, catalog.Query{SKUs: []string{}, Barcodes: []catalog.GTIN{}})
}

func testCancelled(t *testing.T, src catalog.ProductSource) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := src.Products(ctx, catalog.Query{SKUs: []string{"TISSUES"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Products with a cancelled context: %v, %+v; want context.Canceled", err, got)
	}
}

func testCopies(t *testing.T, src catalog.ProductSource) {
	q := catalog.Query{SKUs: []string{"PEN-STABILO", "TISSUES", "COMTE-18"}}
	got := expect(t, src, q, "PEN-STABILO", "TISSUES", "COMTE-18")
	for i := range got {
		got[i].Name = "changed"
		got[i].Unit = catalog.Litre
		got[i].Categories[0] = "changed"
		got[i].Barcodes[0] = catalog.MustGTIN("5901234123457")
	}
	expect(t, src, q, "PEN-STABILO", "TISSUES", "COMTE-18")
	expect(t, src, catalog.Query{Barcodes: []catalog.GTIN{catalog.MustGTIN("5901234123457")}})
}

func testQueryNotRetained(t *testing.T, src catalog.ProductSource) {
	q := catalog.Query{SKUs: []string{"TISSUES"}, Barcodes: []catalog.GTIN{catalog.MustGTIN("96385074")}}
	expect(t, src, q, "TISSUES", "GUM-MINT")
	q.SKUs[0] = "BOOK-DATA"
	q.Barcodes[0] = catalog.MustGTIN("4006381333931")
	expect(t, src, catalog.Query{SKUs: []string{"ASSEMBLY"}}, "ASSEMBLY")
}

func testResolve(t *testing.T, src catalog.ProductSource) {
	ctx := context.Background()
	found, err := catalog.Resolve(ctx, src, catalog.Query{SKUs: []string{"GUM-MINT"}, Barcodes: []catalog.GTIN{catalog.MustGTIN("0036000291452")}})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := found.Barcode(catalog.MustGTIN("036000291452")); !ok || p.SKU != "TISSUES" {
		t.Fatalf("Resolve: barcode 036000291452 gives %+v, %t; want TISSUES", p, ok)
	}
	_, err = catalog.Resolve(ctx, src, catalog.Query{SKUs: []string{"NOPE", "GUM-MINT", "NOPE"}, Barcodes: []catalog.GTIN{catalog.MustGTIN("73513537")}})
	var unknown *catalog.UnknownProductError
	if !errors.As(err, &unknown) || !errors.Is(err, catalog.ErrUnknownProduct) {
		t.Fatalf("Resolve of unknown keys: %v, want an *UnknownProductError", err)
	}
	if !slices.Equal(unknown.SKUs, []string{"NOPE"}) || !slices.Equal(unknown.Barcodes, []catalog.GTIN{catalog.MustGTIN("73513537")}) {
		t.Fatalf("Resolve names %q and %v missing, want NOPE and 00000073513537", unknown.SKUs, unknown.Barcodes)
	}
}

func testConcurrent(t *testing.T, src catalog.ProductSource) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			skus := []string{"TISSUES", "GUM-MINT", "BOOK-DATA"}[i%3:]
			for range 50 {
				got, err := src.Products(context.Background(), catalog.Query{SKUs: skus})
				if err == nil {
					err = same(got, skus)
				}
				if err != nil {
					errs <- err
					return
				}
				got[0].Categories[0] = "scribbled" // a caller changing its copy
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
