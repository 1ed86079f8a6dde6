package demo_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/demo"
)

// TestProductsAreACatalogue checks that every item has a valid, distinct
// barcode that the catalogue finds it by.
func TestProductsAreACatalogue(t *testing.T) {
	src, err := memory.NewProducts(demo.Products()...)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range demo.Items() {
		code := demo.Barcode(it.SKU)
		if _, err := catalog.ParseGTIN(code.String()); err != nil {
			t.Fatalf("%s: %v", it.SKU, err)
		}
		found, err := src.Products(t.Context(), catalog.Query{Barcodes: []catalog.GTIN{code}})
		if err != nil || len(found) != 1 || found[0].SKU != it.SKU {
			t.Fatalf("%s: barcode %s finds %v, %v", it.SKU, code, found, err)
		}
	}
}

// TestScaleLabelsFindTheCheese checks that a label the counter's scale
// prints decodes to the key the catalogue lists the Comté under.
func TestScaleLabelsFindTheCheese(t *testing.T) {
	src, err := memory.NewProducts(demo.Products()...)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := catalog.NewDecoder(demo.ScaleLayout())
	if err != nil {
		t.Fatal(err)
	}
	label, err := demo.ScaleLabel(347)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := dec.Decode(label.String())
	if err != nil {
		t.Fatal(err)
	}
	found, err := src.Products(t.Context(), catalog.Query{Barcodes: []catalog.GTIN{scan.Key}})
	if err != nil || len(found) != 1 || found[0].SKU != "COMTE-18M" || scan.Weight.String() != "0.347 kg" {
		t.Fatalf("label %s: %+v finds %v, %v", label, scan, found, err)
	}
}
