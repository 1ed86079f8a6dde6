package memory_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/catalog/catalogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProducts(t *testing.T) {
	catalogtest.RunProductSourceTests(t, func(t *testing.T, ps []catalog.Product) catalog.ProductSource {
		src, err := memory.NewProducts(ps...)
		require.NoError(t, err)
		return src
	})
}

func TestNewProductsRefusesBadCatalogues(t *testing.T) {
	pen := catalog.Product{SKU: "PEN", Name: "Pen", TaxCategory: "standard", Barcodes: []catalog.GTIN{catalog.MustGTIN("4006381333931")}}
	with := func(change func(*catalog.Product)) catalog.Product {
		p := pen.Clone()
		change(&p)
		return p
	}
	for _, tc := range []struct {
		name     string
		products []catalog.Product
		kind     error
		field    string
	}{
		{"duplicate SKU", []catalog.Product{pen, with(func(p *catalog.Product) { p.Barcodes = nil })}, catalog.ErrDuplicateKey, "SKU"},
		{"barcode on two products", []catalog.Product{pen, with(func(p *catalog.Product) { p.SKU = "PEN-2" })}, catalog.ErrDuplicateKey, "Barcodes"},
		{"same barcode printed in two lengths", []catalog.Product{pen, with(func(p *catalog.Product) {
			p.SKU, p.Barcodes = "PEN-2", []catalog.GTIN{catalog.MustGTIN("04006381333931")}
		})}, catalog.ErrDuplicateKey, "Barcodes"},
		{"barcode twice on one product", []catalog.Product{with(func(p *catalog.Product) {
			p.Barcodes = append(p.Barcodes, catalog.MustGTIN("04006381333931"))
		})}, catalog.ErrDuplicateKey, "Barcodes"},
		{"no name", []catalog.Product{with(func(p *catalog.Product) { p.Name = "" })}, catalog.ErrInvalidProduct, "Name"},
		{"no tax category", []catalog.Product{with(func(p *catalog.Product) { p.TaxCategory = "" })}, catalog.ErrInvalidProduct, "TaxCategory"},
		{"padded SKU", []catalog.Product{with(func(p *catalog.Product) { p.SKU = " PEN" })}, catalog.ErrInvalidProduct, "SKU"},
		{"unknown unit", []catalog.Product{with(func(p *catalog.Product) { p.Unit = 42 })}, catalog.ErrInvalidProduct, "Unit"},
		{"zero barcode", []catalog.Product{with(func(p *catalog.Product) { p.Barcodes = []catalog.GTIN{{}} })}, catalog.ErrInvalidProduct, "Barcodes"},
		{"repeated category", []catalog.Product{with(func(p *catalog.Product) { p.Categories = []string{"a", "a"} })}, catalog.ErrInvalidProduct, "Categories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := memory.NewProducts(tc.products...)
			assert.Nil(t, src)
			require.ErrorIs(t, err, tc.kind)
			var pe *catalog.ProductError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.field, pe.Field)
		})
	}
	src, err := memory.NewProducts()
	require.NoError(t, err, "an empty catalogue is a catalogue")
	require.NotNil(t, src)
}
