package catalog_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/catalog/catalogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer is a ProductSource that answers whatever it is given, to play a
// platform's catalogue returning broken rows.
type answer struct {
	products []catalog.Product
	err      error
	calls    int
}

func (a *answer) Products(ctx context.Context, q catalog.Query) ([]catalog.Product, error) {
	a.calls++
	return a.products, a.err
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	src, err := memory.NewProducts(catalogtest.Products()...)
	require.NoError(t, err)

	found, err := catalog.Resolve(ctx, src, catalog.Query{
		SKUs:     []string{"COMTE-18", "TISSUES"},
		Barcodes: []catalog.GTIN{catalog.MustGTIN("036000291452"), catalog.MustGTIN("96385074")},
	})
	require.NoError(t, err)
	assert.Equal(t, 3, found.Len(), "TISSUES is named twice, found once")
	p, ok := found.SKU("COMTE-18")
	require.True(t, ok)
	assert.Equal(t, catalog.Kilogram, p.Unit)
	p.Categories[0] = "changed"
	again, _ := found.SKU("COMTE-18")
	assert.Equal(t, "cheese", again.Categories[0], "Found hands out copies")
	p, ok = found.Barcode(catalog.MustGTIN("00000096385074"))
	require.True(t, ok)
	assert.Equal(t, "GUM-MINT", p.SKU)
	_, ok = found.Barcode(catalog.MustGTIN("4006381333931"))
	assert.False(t, ok, "only what was asked is found")

	_, err = catalog.Resolve(ctx, src, catalog.Query{
		SKUs:     []string{"TYPO", "TISSUES", "ALSO-TYPO", "TYPO"},
		Barcodes: []catalog.GTIN{catalog.MustGTIN("5901234123457"), catalog.MustGTIN("96385074"), catalog.MustGTIN("05901234123457")},
	})
	var unknown *catalog.UnknownProductError
	require.ErrorAs(t, err, &unknown)
	assert.ErrorIs(t, err, catalog.ErrUnknownProduct)
	assert.Equal(t, []string{"ALSO-TYPO", "TYPO"}, unknown.SKUs)
	assert.Equal(t, []catalog.GTIN{catalog.MustGTIN("5901234123457")}, unknown.Barcodes)
	assert.Equal(t, "catalog: unknown product: SKU ALSO-TYPO, TYPO; barcode 05901234123457", err.Error())

	empty := &answer{}
	found, err = catalog.Resolve(ctx, empty, catalog.Query{})
	require.NoError(t, err)
	assert.Zero(t, found.Len())
	assert.Zero(t, empty.calls, "an empty query asks nothing")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = catalog.Resolve(cancelled, src, catalog.Query{SKUs: []string{"TISSUES"}})
	assert.ErrorIs(t, err, context.Canceled)
}

func TestResolveRefusesBrokenAnswers(t *testing.T) {
	pen := catalog.Product{SKU: "PEN", Name: "Pen", TaxCategory: "standard", Barcodes: []catalog.GTIN{catalog.MustGTIN("4006381333931")}}
	other := catalog.Product{SKU: "INK", Name: "Ink", TaxCategory: "standard", Barcodes: []catalog.GTIN{catalog.MustGTIN("04006381333931")}}
	renamed := pen.Clone()
	renamed.Name = "Ballpoint"
	failure := errors.New("pim down")
	for _, tc := range []struct {
		name string
		src  *answer
		kind error
	}{
		{"one barcode, two products", &answer{products: []catalog.Product{pen, other}}, catalog.ErrDuplicateKey},
		{"one SKU, two products", &answer{products: []catalog.Product{pen, renamed}}, catalog.ErrDuplicateKey},
		{"a row without a tax category", &answer{products: []catalog.Product{{SKU: "PEN", Name: "Pen"}}}, catalog.ErrInvalidProduct},
		{"the source fails", &answer{err: failure}, failure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.Resolve(context.Background(), tc.src, catalog.Query{SKUs: []string{"PEN"}})
			assert.ErrorIs(t, err, tc.kind)
			assert.Equal(t, 1, tc.src.calls, "one call")
		})
	}
	// The same product twice (named by SKU and barcode) is one product.
	twice := &answer{products: []catalog.Product{pen, pen.Clone()}}
	found, err := catalog.Resolve(context.Background(), twice, catalog.Query{SKUs: []string{"PEN"}, Barcodes: pen.Barcodes})
	require.NoError(t, err)
	assert.Equal(t, 1, found.Len())
}

func TestUnitText(t *testing.T) {
	for u, name := range map[catalog.Unit]string{catalog.Each: "each", catalog.Kilogram: "kg", catalog.Gram: "g", catalog.Metre: "m", catalog.Litre: "l"} {
		b, err := u.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, name, string(b))
		var back catalog.Unit
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, u, back)
		assert.Equal(t, u != catalog.Each, u.Measured())
	}
	var u catalog.Unit
	assert.Error(t, u.UnmarshalText([]byte("lb")))
	_, err := catalog.Unit(9).MarshalText()
	assert.Error(t, err)
	var p catalog.Product
	require.NoError(t, json.Unmarshal([]byte(`{"sku":"X","name":"X","tax_category":"std"}`), &p))
	assert.Equal(t, catalog.Each, p.Unit, "a product says nothing: counted")
}
