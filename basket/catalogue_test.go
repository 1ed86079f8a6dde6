package basket_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countingSource counts the calls made to a real source, to check that a
// command looks its products up in one call.
type countingSource struct {
	catalog.ProductSource
	calls atomic.Int64
}

func (c *countingSource) Products(ctx context.Context, q catalog.Query) ([]catalog.Product, error) {
	c.calls.Add(1)
	return c.ProductSource.Products(ctx, q)
}

// demoBarcodes are the barcodes printed on some of the demo items, in
// every GTIN length.
var demoBarcodes = map[string]string{
	"MUG-STONE":  "5901234123457", // EAN-13
	"CANDLE-FIG": "036000291452",  // UPC-A
	"TEA-EARL":   "96385074",      // EAN-8
	"BOOK-TEA":   "9780306406157", // ISBN as EAN-13
}

// demoProducts is the demo assortment as a catalogue, plus a cheese sold
// by the kg (listed under its scale label's key) and linen sold by the
// metre.
func demoProducts(t testing.TB) *countingSource {
	t.Helper()
	var ps []catalog.Product
	for _, it := range demo.Items() {
		p := catalog.Product{SKU: it.SKU, Name: it.Name, Categories: []string{it.Category}, TaxCategory: it.TaxCategory}
		if code, ok := demoBarcodes[it.SKU]; ok {
			p.Barcodes = []catalog.GTIN{catalog.MustGTIN(code)}
		}
		ps = append(ps, p)
	}
	ps = append(ps,
		catalog.Product{SKU: "COMTE-18", Name: "Comté 18 months", Categories: []string{"food"}, TaxCategory: "reduced",
			Unit: catalog.Kilogram, Barcodes: []catalog.GTIN{catalog.MustGTIN("2112345000008")}},
		catalog.Product{SKU: "LINEN-ROLL", Name: "Linen by the metre", Categories: []string{"textiles"}, TaxCategory: "standard",
			Unit: catalog.Metre, Barcodes: []catalog.GTIN{catalog.MustGTIN("73513537")}},
	)
	src, err := memory.NewProducts(ps...)
	require.NoError(t, err)
	return &countingSource{ProductSource: src}
}

// demoLayouts are the deli's scale labels: weights on 21, prices on 28.
func demoLayouts(t testing.TB) *catalog.Decoder {
	t.Helper()
	d, err := catalog.NewDecoder(
		catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram},
		catalog.Layout{Prefix: "28", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Decimals: 2, Currency: pricing.MustCurrency("EUR")},
	)
	require.NoError(t, err)
	return d
}

func withCatalogue(src catalog.ProductSource, d *catalog.Decoder) func(*basket.Config) {
	return func(c *basket.Config) { c.Products, c.Barcodes = src, d }
}

// unchanged checks that a refused command wrote nothing.
func (f *fixture) unchanged(t *testing.T, before *basket.Basket) {
	t.Helper()
	ctx := context.Background()
	after, err := f.store.Get(ctx, before.ID)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "nothing written")
	events, err := f.store.Events(ctx, before.ID, 0)
	require.NoError(t, err)
	assert.Len(t, events, int(before.Version))
}

func TestAddLineFromCatalogue(t *testing.T) {
	lamp := demo.Product("LAMP-ARC")
	for _, tc := range []struct {
		name    string
		line    basket.NewLine
		want    basket.Product // the line's snapshot when added
		qty     int64          // the line's quantity when added, if not the NewLine's
		unit    catalog.Unit
		kind    error // when refused
		field   string
		unknown []string
	}{
		{"empty snapshot taken from the catalogue", basket.NewLine{SKU: "LAMP-ARC", Quantity: 2}, lamp, 0, 0, nil, "", nil},
		{"snapshot agreeing with the catalogue", line("LAMP-ARC", 2), lamp, 0, 0, nil, "", nil},
		{"stale name on the tablet", basket.NewLine{SKU: "LAMP-ARC", Quantity: 1,
			Product: basket.Product{Name: "Arc lamp", Categories: lamp.Categories, TaxCategory: lamp.TaxCategory}}, basket.Product{}, 0, 0, basket.ErrProductMismatch, "Product", nil},
		{"wrong tax category", basket.NewLine{SKU: "TEA-EARL", Quantity: 1,
			Product: basket.Product{Name: "Earl Grey loose tea 100 g", Categories: []string{"food"}, TaxCategory: "standard"}}, basket.Product{}, 0, 0, basket.ErrProductMismatch, "Product", nil},
		{"name only: partly filled disagrees", basket.NewLine{SKU: "LAMP-ARC", Quantity: 1, Product: basket.Product{Name: lamp.Name}}, basket.Product{}, 0, 0, basket.ErrProductMismatch, "Product", nil},
		{"typo in the SKU", basket.NewLine{SKU: "LAMP-ACR", Quantity: 1}, basket.Product{}, 0, 0, catalog.ErrUnknownProduct, "SKU", []string{"LAMP-ACR"}},
		{"typo with a snapshot", basket.NewLine{SKU: "LAMP-ACR", Quantity: 1, Product: lamp}, basket.Product{}, 0, 0, catalog.ErrUnknownProduct, "SKU", []string{"LAMP-ACR"}},
		{"cheese counted instead of weighed", basket.NewLine{SKU: "COMTE-18", Quantity: 1}, basket.Product{}, 0, 0, basket.ErrMeasuredGoods, "Measure", nil},
		{"linen counted instead of measured", basket.NewLine{SKU: "LINEN-ROLL", Quantity: 3}, basket.Product{}, 0, 0, basket.ErrMeasuredGoods, "Measure", nil},
		{"cheese weighed at 0.347 kg", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3)}, comte, 347, catalog.Kilogram, nil, "", nil},
		{"cheese weighed in grams, sold by the kg", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 347, Unit: catalog.Gram}}, comte, 347, catalog.Kilogram, nil, "", nil},
		{"linen measured at 2.5 m", basket.NewLine{SKU: "LINEN-ROLL", Measure: catalog.Measure{Value: 25, Decimals: 1, Unit: catalog.Metre}},
			basket.Product{Name: "Linen by the metre", Categories: []string{"textiles"}, TaxCategory: "standard"}, 2500, catalog.Metre, nil, "", nil},
		{"a whole count given as a measure", basket.NewLine{SKU: "LAMP-ARC", Measure: catalog.Measure{Value: 2}}, lamp, 2, 0, nil, "", nil},
		{"cheese to a tenth of a gram", basket.NewLine{SKU: "COMTE-18", Measure: kg(3475, 4)}, basket.Product{}, 0, 0, basket.ErrMeasureTooPrecise, "Measure", nil},
		{"half a gram of cheese sold by the kg", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 3475, Decimals: 1, Unit: catalog.Gram}}, basket.Product{}, 0, 0, basket.ErrMeasureTooPrecise, "Measure", nil},
		{"litres of cheese", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 1, Unit: catalog.Litre}}, basket.Product{}, 0, 0, basket.ErrUnitMismatch, "Measure", nil},
		{"a kilogram of lamps", basket.NewLine{SKU: "LAMP-ARC", Measure: kg(1, 0)}, basket.Product{}, 0, 0, basket.ErrUnitMismatch, "Measure", nil},
		{"one and a half lamps", basket.NewLine{SKU: "LAMP-ARC", Measure: catalog.Measure{Value: 15, Decimals: 1}}, basket.Product{}, 0, 0, basket.ErrFractionalQuantity, "Measure", nil},
		{"empty SKU", basket.NewLine{SKU: "", Quantity: 1}, basket.Product{}, 0, 0, basket.ErrInvalid, "SKU", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			src := demoProducts(t)
			f := newFixture(t, withCatalogue(src, nil), withDeli(deliCatalog(t)))
			b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
			got, err := f.svc.AddLine(ctx, shopper, b.ID, tc.line)
			if tc.kind == nil {
				require.NoError(t, err)
				l, ok := got.Line("L0001")
				require.True(t, ok)
				assert.Equal(t, tc.want, l.Product)
				if tc.qty == 0 {
					tc.qty = tc.line.Quantity
				}
				assert.Equal(t, tc.qty, l.Quantity)
				assert.Equal(t, tc.unit, l.Unit)
				require.NotNil(t, got.Result)
				assert.True(t, got.Result.Lines[0].Priced, "a catalogued SKU is priced")
				assert.Equal(t, int64(1), src.calls.Load(), "one lookup")
				return
			}
			require.ErrorIs(t, err, tc.kind)
			var ie *basket.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			if tc.unknown != nil {
				var unknown *catalog.UnknownProductError
				require.ErrorAs(t, err, &unknown)
				assert.Equal(t, tc.unknown, unknown.SKUs)
			}
			assert.LessOrEqual(t, src.calls.Load(), int64(1), "at most one lookup")
			f.unchanged(t, b)
		})
	}
}

func TestAddLineWithoutCatalogueTrustsTheCaller(t *testing.T) {
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	b, err := f.svc.AddLine(context.Background(), shopper, b.ID, basket.NewLine{SKU: "LAMP-ACR", Quantity: 1, Product: demo.Product("LAMP-ARC")})
	require.NoError(t, err, "without Config.Products a typo is accepted…")
	assert.False(t, b.Result.Lines[0].Priced, "…and becomes an unpriced line: what Config.Products prevents")
}

func TestAddLineCatalogueFailure(t *testing.T) {
	f := newFixture(t, withCatalogue(failingSource{}, nil))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.AddLine(context.Background(), shopper, b.ID, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1})
	assert.ErrorIs(t, err, basket.ErrSnapshot)
	assert.ErrorIs(t, err, errPIMDown)
	f.unchanged(t, b)
}

var errPIMDown = errors.New("PIM unreachable")

// failingSource is a catalogue whose backend is down.
type failingSource struct{}

func (failingSource) Products(context.Context, catalog.Query) ([]catalog.Product, error) {
	return nil, errPIMDown
}

func TestScan(t *testing.T) {
	type step struct {
		code string
		sku  string // the line scanned into, with its quantity after the scan
		qty  int64
		kind error // when refused
		rule catalog.BarcodeRule
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"EAN-13, then the same as GTIN-14 adds to the line", []step{
			{code: "5901234123457", sku: "MUG-STONE", qty: 1},
			{code: "05901234123457", sku: "MUG-STONE", qty: 2},
		}},
		{"UPC-A, its EAN-13 form, EAN-8 and an ISBN", []step{
			{code: "036000291452", sku: "CANDLE-FIG", qty: 1},
			{code: "0036000291452", sku: "CANDLE-FIG", qty: 2},
			{code: "96385074", sku: "TEA-EARL", qty: 1},
			{code: "9780306406157", sku: "BOOK-TEA", qty: 1},
		}},
		{"unknown barcode", []step{{code: "4006381333931", kind: catalog.ErrUnknownProduct}}},
		{"misread: wrong check digit", []step{{code: "5901234123458", kind: catalog.ErrInvalidBarcode, rule: catalog.RuleCheckDigit}}},
		{"not a barcode", []step{{code: "MUG-STONE", kind: catalog.ErrInvalidBarcode, rule: catalog.RuleDigits}}},
		{"cheese weighed at 0.347 kg: a measured line", []step{{code: "2112345003474", sku: "COMTE-18", qty: 347}}},
		{"price label 4.20 EUR", []step{{code: "2801234004202", kind: basket.ErrPriceLabel}}},
		{"zero-weight label", []step{{code: "2112345000008", kind: catalog.ErrInvalidBarcode, rule: catalog.RuleZeroValue}}},
		{"linen sold by the metre", []step{{code: "73513537", kind: basket.ErrMeasuredGoods}}},
		{"a refused scan between two good ones", []step{
			{code: "96385074", sku: "TEA-EARL", qty: 1},
			{code: "2801234004202", kind: basket.ErrPriceLabel},
			{code: "96385074", sku: "TEA-EARL", qty: 2},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			src := demoProducts(t)
			f := newFixture(t, withCatalogue(src, demoLayouts(t)))
			b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
			for _, s := range tc.steps {
				calls := src.calls.Load()
				got, err := f.svc.Scan(ctx, shopper, b.ID, s.code)
				if s.kind != nil {
					require.ErrorIs(t, err, s.kind, s.code)
					var ie *basket.InputError
					require.ErrorAs(t, err, &ie)
					assert.Contains(t, []string{"Code", "SKU", "Measure"}, ie.Field)
					if s.rule != 0 {
						var be *catalog.BarcodeError
						require.ErrorAs(t, err, &be)
						assert.Equal(t, s.rule, be.Rule)
					}
					f.unchanged(t, b)
					continue
				}
				require.NoError(t, err, s.code)
				assert.Equal(t, calls+1, src.calls.Load(), "one lookup per scan")
				var found bool
				for _, l := range got.Lines {
					if l.SKU == s.sku {
						found = true
						assert.Equal(t, s.qty, l.Quantity, s.code)
						if s.sku == "COMTE-18" {
							assert.Equal(t, comte, l.Product)
							assert.Equal(t, catalog.Kilogram, l.Unit)
							continue
						}
						assert.Equal(t, demo.Product(s.sku), l.Product)
					}
				}
				assert.True(t, found, "%s scanned into %s", s.code, s.sku)
				b = got
			}
		})
	}
}

func TestScanIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withCatalogue(demoProducts(t), demoLayouts(t)))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	first, err := f.svc.Scan(ctx, shopper, b.ID, "5901234123457", basket.WithIdempotencyKey("scan-1"))
	require.NoError(t, err)
	retry, err := f.svc.Scan(ctx, shopper, b.ID, "05901234123457", basket.WithIdempotencyKey("scan-1"))
	require.NoError(t, err, "the same code in another length is the same command")
	assert.Equal(t, first.Version, retry.Version)
	l, _ := retry.Line("L0001")
	assert.Equal(t, int64(1), l.Quantity, "applied once")

	_, err = f.svc.Scan(ctx, shopper, b.ID, "96385074", basket.WithIdempotencyKey("scan-1"))
	assert.ErrorIs(t, err, basket.ErrIdempotencyMismatch)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: "MUG-STONE", Quantity: 1}, basket.WithIdempotencyKey("scan-1"))
	assert.ErrorIs(t, err, basket.ErrIdempotencyMismatch, "a scan is not an AddLine")

	again, err := f.svc.Scan(ctx, shopper, b.ID, "5901234123457", basket.WithIdempotencyKey("scan-2"))
	require.NoError(t, err)
	l, _ = again.Line("L0001")
	assert.Equal(t, int64(2), l.Quantity, "a new key is a new scan")
}

func TestScanGuards(t *testing.T) {
	ctx := context.Background()
	t.Run("needs a catalogue", func(t *testing.T) {
		f := newFixture(t)
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		_, err := f.svc.Scan(ctx, shopper, b.ID, "5901234123457")
		assert.ErrorIs(t, err, basket.ErrNotConfigured)
		f.unchanged(t, b)
	})
	t.Run("no layouts: a scale label is a plain, unknown GTIN", func(t *testing.T) {
		f := newFixture(t, withCatalogue(demoProducts(t), nil))
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		_, err := f.svc.Scan(ctx, shopper, b.ID, "2112345003474")
		var unknown *catalog.UnknownProductError
		require.ErrorAs(t, err, &unknown)
		assert.Equal(t, []catalog.GTIN{catalog.MustGTIN("2112345003474")}, unknown.Barcodes)
	})
	t.Run("another shopper's basket is not found and not looked up", func(t *testing.T) {
		src := demoProducts(t)
		f := newFixture(t, withCatalogue(src, nil))
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		_, err := f.svc.Scan(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, b.ID, "5901234123457")
		assert.ErrorIs(t, err, basket.ErrNotFound)
		_, err = f.svc.Scan(ctx, shopper, uuid.New(), "5901234123457")
		assert.ErrorIs(t, err, basket.ErrNotFound)
		assert.Zero(t, src.calls.Load())
	})
}
