package basket_test

import (
	"context"
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The deli, the fabric shop and the pump: products sold by measure,
// priced per unit of measure in the web and store lists.
var (
	comte = basket.Product{Name: "Comté 18 months", Categories: []string{"food"}, TaxCategory: "reduced"}
	linen = basket.Product{Name: "Linen by the metre", Categories: []string{"textiles"}, TaxCategory: "standard"}
	oil   = basket.Product{Name: "Olive oil on tap", Categories: []string{"food"}, TaxCategory: "reduced"}
)

func measuredPrices() []pricing.Price {
	var ps []pricing.Price
	for _, list := range []string{"web", "store"} {
		ps = append(ps,
			pricing.Price{ListID: list, SKU: "COMTE-18", Unit: pricing.MustParse("24.90", "EUR")},
			pricing.Price{ListID: list, SKU: "LINEN-ROLL", Unit: pricing.MustParse("12.99", "EUR")},
			pricing.Price{ListID: list, SKU: "OIL-TAP", Precise: pricing.MustParseUnitPrice("1.859", "EUR")},
		)
	}
	return ps
}

// cheese20 is the deli's promotion: 20 % off cheese, by SKU.
var cheese20 = promotion.Promotion{ID: "CHEESE-20", Name: "20 % off Comté", Lane: promotion.Catalogue,
	Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{SKUs: []string{"COMTE-18"}}, Percent: pricing.MustPercent("20")}}

// deliCatalog is the demo retailer with the measured goods priced and the
// cheese promotion, compiled knowing which SKUs are measured.
func deliCatalog(t testing.TB) *memory.Catalog {
	t.Helper()
	book, err := pricing.NewPriceBook(append(demo.Prices(), measuredPrices()...))
	require.NoError(t, err)
	set, err := promotion.CompileWith(append(demo.Promotions(), cheese20), promotion.CompileOptions{Measured: []string{"COMTE-18", "LINEN-ROLL", "OIL-TAP"}})
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable(demo.TaxRules())
	require.NoError(t, err)
	return &memory.Catalog{PriceBook: book, PromotionSet: set, TaxRules: tax, Sites: demo.Sites(), ChannelFees: demo.Fees()}
}

func withDeli(cat *memory.Catalog) func(*basket.Config) {
	return func(c *basket.Config) { c.Prices, c.Promotions, c.Tax = cat, cat, cat }
}

// measuredSnapshot is the pure core's snapshot of the deli in the web
// channel, with levels (in thousandths for measured goods) everywhere.
func measuredSnapshot(t testing.TB, levels ...stock.Level) basket.Snapshot {
	t.Helper()
	cat := deliCatalog(t)
	all := demo.Stock()
	for _, sku := range []string{"COMTE-18", "LINEN-ROLL", "OIL-TAP"} {
		for _, loc := range demo.Web(demo.Start()).StockSources {
			all = append(all, stock.Level{SKU: sku, LocationID: loc, OnHand: 0})
		}
	}
	for _, l := range levels { // later levels replace the zeros
		for i := range all {
			if all[i].SKU == l.SKU && all[i].LocationID == l.LocationID {
				all[i] = l
			}
		}
	}
	lv, err := stock.NewLevels(all)
	require.NoError(t, err)
	return basket.Snapshot{Prices: cat.PriceBook, Promotions: cat.PromotionSet, Tax: cat.TaxRules, Stock: lv, Locations: cat.Sites}
}

var deliMeta = basket.Meta{Actor: basket.Actor{Kind: basket.Associate, ID: "staff-7", LocationID: demo.Bellecour}, At: demo.Start()}

// newMeasured returns a web cart holding the given lines.
func newMeasured(t testing.TB, lines ...basket.NewLine) *basket.Basket {
	t.Helper()
	b, err := buildMeasured(lines...)
	require.NoError(t, err)
	return b
}

func buildMeasured(lines ...basket.NewLine) (*basket.Basket, error) {
	b, _, err := basket.New(uuid.MustParse("5b0c6e6e-0d1f-4b53-9b8e-1d1b7a0c2f10"), basket.Owner{CustomerID: "cust-42"}, demo.Web(demo.Start()), basket.Cart, deliMeta)
	if err != nil {
		return nil, err
	}
	for _, n := range lines {
		if _, _, err := b.AddLine(deliMeta, n); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func kg(v int64, decimals int) catalog.Measure {
	return catalog.Measure{Value: v, Decimals: decimals, Unit: catalog.Kilogram}
}

func TestParseMeasure(t *testing.T) {
	for _, c := range []struct {
		in   string
		want catalog.Measure
		kind error
	}{
		{in: "0.347 kg", want: kg(347, 3)},
		{in: "2.5 m", want: catalog.Measure{Value: 25, Decimals: 1, Unit: catalog.Metre}},
		{in: "1.25 l", want: catalog.Measure{Value: 125, Decimals: 2, Unit: catalog.Litre}},
		{in: "0.001 kg", want: kg(1, 3)},
		{in: "0.3470 kg", want: kg(347, 3)},
		{in: "12 g", want: catalog.Measure{Value: 12, Decimals: 0, Unit: catalog.Gram}},
		{in: "00100000 kg", want: kg(100_000, 0)},
		{in: "3", want: catalog.Measure{Value: 3}},
		{in: "3.00", want: catalog.Measure{Value: 3}},
		{in: "0.3475 kg", kind: basket.ErrMeasureTooPrecise},
		{in: "0.0001 kg", kind: basket.ErrMeasureTooPrecise},
		{in: "1.5", kind: basket.ErrFractionalQuantity},
		{in: "0 kg", kind: basket.ErrInvalid},
		{in: "0.000 kg", kind: basket.ErrInvalid},
		{in: "100000.001 kg", kind: basket.ErrInvalid},
		{in: "100001", kind: basket.ErrInvalid},
		{in: "-1 kg", kind: basket.ErrInvalid},
		{in: "1e3 kg", kind: basket.ErrInvalid},
		{in: "1,5 kg", kind: basket.ErrInvalid},
		{in: ".5 kg", kind: basket.ErrInvalid},
		{in: "5. kg", kind: basket.ErrInvalid},
		{in: "1  kg", kind: basket.ErrInvalid},
		{in: " 1 kg", kind: basket.ErrInvalid},
		{in: "1 lb", kind: basket.ErrInvalid},
		{in: "1 each", kind: basket.ErrInvalid},
		{in: "", kind: basket.ErrInvalid},
	} {
		got, err := basket.ParseMeasure(c.in)
		if c.kind != nil {
			require.ErrorIs(t, err, c.kind, c.in)
			require.ErrorIs(t, err, basket.ErrInvalid, c.in)
			var ie *basket.InputError
			require.ErrorAs(t, err, &ie, c.in)
			assert.Equal(t, "Measure", ie.Field)
			continue
		}
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
}

// FuzzParseMeasure: whatever is typed, ParseMeasure refuses it with an
// input error or returns an exact measure of at most three decimals that
// reads back the same.
func FuzzParseMeasure(f *testing.F) {
	for _, s := range []string{"0.347 kg", "2.5 m", "1.25 l", "3", "0.3475 kg", "1.5", "100000 kg", "0.0010 g", "1e3", "-0 kg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := basket.ParseMeasure(s)
		if err != nil {
			var ie *basket.InputError
			if !assert.ErrorAs(t, err, &ie) || !assert.ErrorIs(t, err, basket.ErrInvalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if m.Value <= 0 || m.Decimals < 0 || m.Decimals > basket.MeasureDecimals || !m.Unit.Valid() {
			t.Fatalf("%q: %+v", s, m)
		}
		if !m.Unit.Measured() && m.Decimals != 0 {
			t.Fatalf("%q: a counted quantity with decimals: %+v", s, m)
		}
		again := strconv.FormatInt(m.Value, 10)
		if m.Unit.Measured() {
			again = m.String()
		}
		back, err := basket.ParseMeasure(again)
		if err != nil || back != m {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, m, again, back, err)
		}
	})
}

func TestFormatQuantity(t *testing.T) {
	assert.Equal(t, "0.347 kg", basket.FormatQuantity(347, catalog.Kilogram))
	assert.Equal(t, "2.5 m", basket.FormatQuantity(2500, catalog.Metre))
	assert.Equal(t, "1 l", basket.FormatQuantity(1000, catalog.Litre))
	assert.Equal(t, "0.001 g", basket.FormatQuantity(1, catalog.Gram))
	assert.Equal(t, "3", basket.FormatQuantity(3, catalog.Each))
	assert.Equal(t, "1.2", basket.FormatMeasureNumber(1200))
}

// TestMeasuredLineAmounts: a measured line costs its price per unit of
// measure × the measure, rounded once with the pricing's mode; the line
// shows the price per unit of measure and keeps its unit.
func TestMeasuredLineAmounts(t *testing.T) {
	cases := []struct {
		name     string
		line     basket.NewLine
		mode     pricing.RoundingMode
		qty      int64
		unit     catalog.Unit
		subtotal string
		price    string
	}{
		{"cheese 0.347 kg × 24.90 half-even (8.6403)", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.HalfEven, 347, catalog.Kilogram, "8.64", "24.90"},
		{"… half-up", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.HalfUp, 347, catalog.Kilogram, "8.64", "24.90"},
		{"… up", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.Up, 347, catalog.Kilogram, "8.65", "24.90"},
		{"… down", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.Down, 347, catalog.Kilogram, "8.64", "24.90"},
		{"… ceiling", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.Ceiling, 347, catalog.Kilogram, "8.65", "24.90"},
		{"… floor", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.Floor, 347, catalog.Kilogram, "8.64", "24.90"},
		{"… half-down", basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, pricing.HalfDown, 347, catalog.Kilogram, "8.64", "24.90"},
		{"cheese weighed in grams: 347 g", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 347, Unit: catalog.Gram}, Product: comte}, pricing.HalfEven, 347_000, catalog.Gram, "8640.30", "24.90"},
		{"fabric 2.5 m × 12.99 half-even (32.475)", basket.NewLine{SKU: "LINEN-ROLL", Measure: catalog.Measure{Value: 25, Decimals: 1, Unit: catalog.Metre}, Product: linen}, pricing.HalfEven, 2500, catalog.Metre, "32.48", "12.99"},
		{"fabric 2.5 m × 12.99 half-down", basket.NewLine{SKU: "LINEN-ROLL", Measure: catalog.Measure{Value: 25, Decimals: 1, Unit: catalog.Metre}, Product: linen}, pricing.HalfDown, 2500, catalog.Metre, "32.47", "12.99"},
		{"oil 1.25 l × 1.859 (2.32375)", basket.NewLine{SKU: "OIL-TAP", Measure: catalog.Measure{Value: 125, Decimals: 2, Unit: catalog.Litre}, Product: oil}, pricing.HalfEven, 1250, catalog.Litre, "2.32", "1.86"},
		{"the smallest weighing, 0.001 kg (0.0249)", basket.NewLine{SKU: "COMTE-18", Measure: kg(1, 3), Product: comte}, pricing.HalfEven, 1, catalog.Kilogram, "0.02", "24.90"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newMeasured(t, c.line)
			r, err := basket.Recontextualize(b, b.Context, measuredSnapshot(t), basket.Options{Rounding: c.mode})
			require.NoError(t, err)
			l := r.Lines[0]
			assert.Equal(t, c.qty, l.Quantity)
			assert.Equal(t, c.unit, l.Unit)
			assert.Equal(t, c.subtotal, l.Subtotal.Amount())
			assert.Equal(t, c.price, l.UnitPrice.Amount(), "the price per unit of measure")
			assert.True(t, l.Priced)
		})
	}
}

// TestMeasuredTaxPerLine: per-unit tax rounding taxes a measured line as
// a whole, so it equals per-line rounding; 347 thousandths are not 347
// units with a tax each.
func TestMeasuredTaxPerLine(t *testing.T) {
	b := newMeasured(t,
		basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte},
		basket.NewLine{SKU: "LINEN-ROLL", Measure: catalog.Measure{Value: 2503, Decimals: 3, Unit: catalog.Metre}, Product: linen})
	snap := measuredSnapshot(t)
	perLine, err := basket.Recontextualize(b, b.Context, snap, basket.Options{TaxRounding: pricing.PerLine})
	require.NoError(t, err)
	perUnit, err := basket.Recontextualize(b, b.Context, snap, basket.Options{TaxRounding: pricing.PerUnit})
	require.NoError(t, err)
	for i := range perLine.Lines {
		assert.Equal(t, perLine.Lines[i].Tax, perUnit.Lines[i].Tax, perLine.Lines[i].LineID)
	}
	// 6.91 (8.64 less the cheese promotion) incl. 5.5 %: 0.3603… → 0.36;
	// 32.51 incl. 20 %: 5.418… → 5.42.
	assert.Equal(t, "0.36", perUnit.Lines[0].Tax.Amount())
	assert.Equal(t, "5.42", perUnit.Lines[1].Tax.Amount())
}

// TestMeasuredLineRefusals: bad measures change nothing.
func TestMeasuredLineRefusals(t *testing.T) {
	for _, c := range []struct {
		name string
		line basket.NewLine
		kind error
	}{
		{"four decimals", basket.NewLine{SKU: "COMTE-18", Measure: kg(3475, 4), Product: comte}, basket.ErrMeasureTooPrecise},
		{"half a gram", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 5, Decimals: 4, Unit: catalog.Gram}, Product: comte}, basket.ErrMeasureTooPrecise},
		{"1.5 counted mugs", basket.NewLine{SKU: "MUG-STONE", Measure: catalog.Measure{Value: 15, Decimals: 1}, Product: demo.Product("MUG-STONE")}, basket.ErrFractionalQuantity},
		{"both a quantity and a measure", basket.NewLine{SKU: "COMTE-18", Quantity: 1, Measure: kg(347, 3), Product: comte}, basket.ErrInvalid},
		{"zero", basket.NewLine{SKU: "COMTE-18", Measure: kg(0, 3), Product: comte}, basket.ErrInvalid},
		{"above the maximum", basket.NewLine{SKU: "COMTE-18", Measure: kg(100_000_001, 3), Product: comte}, basket.ErrInvalid},
		{"an unknown unit", basket.NewLine{SKU: "COMTE-18", Measure: catalog.Measure{Value: 1, Unit: catalog.Unit(42)}, Product: comte}, basket.ErrInvalid},
	} {
		b := newMeasured(t)
		before := b.Version
		_, _, err := b.AddLine(deliMeta, c.line)
		require.ErrorIs(t, err, c.kind, c.name)
		assert.Equal(t, before, b.Version, c.name)
		assert.Empty(t, b.Lines, c.name)
	}
}

// TestMeasuredLinesStayApart: a second weighing is a second pack; a
// measure is corrected with SetMeasure, never SetQuantity; a merge keeps
// weighed packs apart and still sums counted goods.
func TestMeasuredLinesStayApart(t *testing.T) {
	b := newMeasured(t,
		basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte},
		basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte},
		line("MUG-STONE", 1), line("MUG-STONE", 2))
	require.Len(t, b.Lines, 3)
	assert.Equal(t, []int64{347, 347, 3}, []int64{b.Lines[0].Quantity, b.Lines[1].Quantity, b.Lines[2].Quantity})

	_, err := b.SetQuantity(deliMeta, "L0001", 500)
	require.ErrorIs(t, err, basket.ErrUnitMismatch, "a whole number is never read as thousandths")
	_, err = b.SetMeasure(deliMeta, "L0003", kg(1, 0))
	require.ErrorIs(t, err, basket.ErrUnitMismatch, "counted goods take a quantity")
	_, err = b.SetMeasure(deliMeta, "L0001", catalog.Measure{Value: 347, Unit: catalog.Gram})
	require.ErrorIs(t, err, basket.ErrInvalid, "347 g is the measure it has")
	_, err = b.SetMeasure(deliMeta, "L0001", kg(5005, 4))
	require.ErrorIs(t, err, basket.ErrMeasureTooPrecise)
	_, err = b.SetMeasure(deliMeta, "L0001", catalog.Measure{Value: 512, Unit: catalog.Gram})
	require.NoError(t, err)
	l, _ := b.Line("L0001")
	assert.Equal(t, int64(512), l.Quantity)

	anon, _, err := basket.New(uuid.MustParse("6c1d7f7f-1e20-4c64-8c9f-2e2c8b1d3f21"), basket.Owner{AnonymousID: "anon-1"}, demo.Web(demo.Start()), basket.Cart, deliMeta)
	require.NoError(t, err)
	for _, n := range []basket.NewLine{{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, line("MUG-STONE", 1)} {
		_, _, err := anon.AddLine(deliMeta, n)
		require.NoError(t, err)
	}
	_, _, err = b.Merge(deliMeta, anon, basket.MergeSum)
	require.NoError(t, err)
	require.Len(t, b.Lines, 4, "the anonymous cheese is a pack of its own")
	assert.Equal(t, int64(347), b.Lines[3].Quantity)
	assert.Equal(t, catalog.Kilogram, b.Lines[3].Unit)
	mugs, _ := b.Line("L0003")
	assert.Equal(t, int64(4), mugs.Quantity, "counted goods still sum")
}

// TestMeasuredLineJSON: a measured line says its unit, and its quantity is
// thousandths of it; counted lines encode as before; a basket reads back.
func TestMeasuredLineJSON(t *testing.T) {
	b := newMeasured(t, basket.NewLine{SKU: "COMTE-18", Measure: kg(347, 3), Product: comte}, line("MUG-STONE", 2))
	r, err := basket.Recontextualize(b, b.Context, measuredSnapshot(t), basket.Options{})
	require.NoError(t, err)
	_, err = b.SetResult(deliMeta, r)
	require.NoError(t, err)
	data, err := json.Marshal(b)
	require.NoError(t, err)
	s := string(data)
	assert.Contains(t, s, `"sku":"COMTE-18","quantity":347,"unit":"kg"`)
	assert.Contains(t, s, `"sku":"MUG-STONE","quantity":2,"product"`, "no unit for counted goods")
	var back basket.Basket
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, b.Lines, back.Lines)
	assert.Equal(t, catalog.Kilogram, back.Result.Lines[0].Unit)

	// A stored measured line beyond the maximum is refused.
	bad := strings.Replace(s, `"quantity":347,"unit":"kg"`, `"quantity":100000001,"unit":"kg"`, 1)
	require.ErrorIs(t, json.Unmarshal([]byte(bad), &back), basket.ErrInvalid)
	// A counted one may not carry a measured line's quantity.
	bad = strings.Replace(s, `"quantity":347,"unit":"kg"`, `"quantity":347000`, 1)
	require.ErrorIs(t, json.Unmarshal([]byte(bad), &back), basket.ErrInvalid)
}

// TestMeasuredStockShort: stock of measured goods is in thousandths; a
// line short says so in its unit.
func TestMeasuredStockShort(t *testing.T) {
	b := newMeasured(t, basket.NewLine{SKU: "LINEN-ROLL", Measure: catalog.Measure{Value: 25, Decimals: 1, Unit: catalog.Metre}, Product: linen})
	snap := measuredSnapshot(t, stock.Level{SKU: "LINEN-ROLL", LocationID: demo.Warehouse, OnHand: 1200})
	r, err := basket.Recontextualize(b, b.Context, snap, basket.Options{})
	require.NoError(t, err)
	lp := r.Lines[0].Fulfilment
	assert.Equal(t, int64(1300), lp.Short)
	var short *basket.Change
	for i := range r.Changes {
		if r.Changes[i].Kind == basket.ChangeLineShort {
			short = &r.Changes[i]
		}
	}
	require.NotNil(t, short)
	assert.Equal(t, catalog.Metre, short.Unit)
	assert.Equal(t, "Linen by the metre: 1.2 of 2.5 m available", short.Message())

	// Added, removed, quantity changed: each says the measure.
	added := basket.Change{Kind: basket.ChangeLineAdded, Name: "Comté", Quantity: 347, Unit: catalog.Kilogram}
	assert.Equal(t, "added: 0.347 kg × Comté", added.Message())
	changed := basket.Change{Kind: basket.ChangeQuantity, Name: "Comté", OldQuantity: 347, Quantity: 512, Unit: catalog.Kilogram}
	assert.Equal(t, "Comté: quantity 0.512 kg (was 0.347 kg)", changed.Message())
	data, err := json.Marshal(changed)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"quantity":512,"old_quantity":347,"unit":"kg"`)
	var back basket.Change
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, changed, back)
}

// TestMeasuredProperties: over random baskets of weighed and counted
// goods, every measured line's subtotal is the exact price × measure
// rounded once (a big.Rat oracle), the totals add up exactly, nothing is
// negative, and the order lines were added in does not change the money.
func TestMeasuredProperties(t *testing.T) {
	snap := measuredSnapshot(t)
	type item struct {
		sku   string
		p     basket.Product
		unit  catalog.Unit
		price *big.Rat // per unit of measure, in cents
	}
	items := []item{
		{"COMTE-18", comte, catalog.Kilogram, big.NewRat(2490, 1)},
		{"LINEN-ROLL", linen, catalog.Metre, big.NewRat(1299, 1)},
		{"OIL-TAP", oil, catalog.Litre, big.NewRat(1859, 10)},
	}
	rapid.Check(t, func(t *rapid.T) {
		mode := pricing.RoundingMode(rapid.IntRange(0, int(pricing.Floor)).Draw(t, "mode"))
		n := rapid.IntRange(1, 6).Draw(t, "lines")
		var lines []basket.NewLine
		for range n {
			if rapid.Bool().Draw(t, "counted") {
				lines = append(lines, line(rapid.SampledFrom([]string{"MUG-STONE", "TEA-EARL", "LAMP-ARC"}).Draw(t, "sku"), rapid.Int64Range(1, 20).Draw(t, "qty")))
				continue
			}
			it := rapid.SampledFrom(items).Draw(t, "item")
			lines = append(lines, basket.NewLine{SKU: it.sku, Product: it.p,
				Measure: catalog.Measure{Value: rapid.Int64Range(1, 100_000_000).Draw(t, "thousandths"), Decimals: 3, Unit: it.unit}})
		}
		price := func(lines []basket.NewLine) *basket.Result {
			b, err := buildMeasured(lines...)
			if err != nil {
				t.Fatal(err)
			}
			r, err := basket.Recontextualize(b, b.Context, snap, basket.Options{Rounding: mode})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := price(lines)
		var sum int64
		for i, l := range r.Lines {
			if l.Total.IsNegative() || l.Net.IsNegative() || l.Tax.IsNegative() || l.Discount.IsNegative() {
				t.Fatalf("%s: negative amounts %+v", l.LineID, l)
			}
			if l.Net.MinorUnits()+l.Tax.MinorUnits() != l.Total.MinorUnits() {
				t.Fatalf("%s: net + tax ≠ total", l.LineID)
			}
			sum += l.Total.MinorUnits()
			if !l.Unit.Measured() {
				continue
			}
			var p *big.Rat
			for _, it := range items {
				if it.sku == l.SKU {
					p = it.price
				}
			}
			exact := new(big.Rat).Mul(p, big.NewRat(l.Quantity, 1000))
			want := roundRat(exact, mode)
			if l.Subtotal.MinorUnits() != want {
				t.Fatalf("line %d %s: %d thousandths in %s: subtotal %d, exact %s", i, l.SKU, l.Quantity, mode, l.Subtotal.MinorUnits(), exact.FloatString(6))
			}
		}
		if r.Totals.Total.IsNegative() || sum+r.Totals.Fees.MinorUnits() != r.Totals.Total.MinorUnits() ||
			r.Totals.Net.MinorUnits()+r.Totals.Tax.MinorUnits() != r.Totals.Total.MinorUnits() {
			t.Fatalf("totals do not add up: %+v, Σ lines %d", r.Totals, sum)
		}
		// Order independence: the same lines added the other way round
		// have the same subtotals and totals. (Line IDs follow the order
		// of adding, and break the ties of allocations by design, so the
		// tax split of a basket discount over rates may differ by a cent.)
		rev := make([]basket.NewLine, len(lines))
		for i := range lines {
			rev[len(lines)-1-i] = lines[i]
		}
		r2 := price(rev)
		if r2.Totals.Subtotal != r.Totals.Subtotal || r2.Totals.Discount != r.Totals.Discount || r2.Totals.Total != r.Totals.Total {
			t.Fatalf("order dependence: %+v vs %+v", r.Totals, r2.Totals)
		}
		priced := func(r *basket.Result) []string {
			var out []string
			for _, l := range r.Lines {
				out = append(out, l.SKU+" "+basket.FormatQuantity(l.Quantity, l.Unit)+" "+l.Subtotal.String())
			}
			slices.Sort(out)
			return out
		}
		if a, b := priced(r), priced(r2); !slices.Equal(a, b) {
			t.Fatalf("lines priced %v, reversed %v", a, b)
		}
	})
}

// roundRat rounds a non-negative exact amount in minor units with mode.
func roundRat(x *big.Rat, mode pricing.RoundingMode) int64 {
	fl := new(big.Int).Quo(x.Num(), x.Denom())
	frac := new(big.Rat).Sub(x, new(big.Rat).SetInt(fl))
	v := fl.Int64()
	if frac.Sign() == 0 {
		return v
	}
	half := frac.Cmp(big.NewRat(1, 2))
	switch mode {
	case pricing.Up, pricing.Ceiling:
		return v + 1
	case pricing.HalfUp:
		if half >= 0 {
			return v + 1
		}
	case pricing.HalfDown:
		if half > 0 {
			return v + 1
		}
	case pricing.HalfEven:
		if half > 0 || half == 0 && v%2 == 1 {
			return v + 1
		}
	}
	return v
}

// TestDeliCounterEndToEnd: at the till, a weight label adds 0.347 kg of
// Comté (a label in grams too), the cheese promotion applies to it, and
// placing the order holds 347 thousandths of stock.
func TestDeliCounterEndToEnd(t *testing.T) {
	ctx := context.Background()
	labels, err := catalog.NewDecoder(
		catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram},
		catalog.Layout{Prefix: "22", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 0, Unit: catalog.Gram},
		catalog.Layout{Prefix: "28", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Decimals: 2, Currency: pricing.MustCurrency("EUR")},
	)
	require.NoError(t, err)
	products, err := memory.NewProducts(
		catalog.Product{SKU: "COMTE-18", Name: comte.Name, Categories: comte.Categories, TaxCategory: comte.TaxCategory, Unit: catalog.Kilogram,
			Barcodes: []catalog.GTIN{catalog.MustGTIN("2112345000008"), catalog.MustGTIN("2212345000005")}},
		catalog.Product{SKU: "OLIVES-JAR", Name: "Olives jar", Categories: []string{"food"}, TaxCategory: "reduced",
			Barcodes: []catalog.GTIN{catalog.MustGTIN("2154321000008")}},
	)
	require.NoError(t, err)
	cat := deliCatalog(t)
	var store *memory.BasketStore // keeping the stock ledger: order holds reach the stock store
	withLedger := func(c *basket.Config) {
		store = memory.NewBasketStore(memory.WithLedger(c.Stock.(*memory.StockStore)))
		c.Store = store
	}
	f := newFixture(t, withDeli(cat), withCatalogue(products, labels), withLedger)
	f.store = store
	for _, loc := range []string{demo.Warehouse, demo.Bellecour, demo.PartDieu} {
		require.NoError(t, f.stock.SetOnHand(ctx, "COMTE-18", loc, 12_500)) // 12.5 kg
	}
	associate := basket.Actor{Kind: basket.Associate, ID: "staff-7", LocationID: demo.Bellecour}
	b, err := f.svc.Create(ctx, associate, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"},
		Context: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)

	b, err = f.svc.Scan(ctx, associate, b.ID, "2112345003474") // 0.347 kg
	require.NoError(t, err)
	require.Len(t, b.Lines, 1)
	l := b.Lines[0]
	assert.Equal(t, int64(347), l.Quantity)
	assert.Equal(t, catalog.Kilogram, l.Unit)
	pl := b.Result.Lines[0]
	assert.Equal(t, "8.64", pl.Subtotal.Amount(), "0.347 × 24.90 = 8.6403")
	assert.Equal(t, "1.73", pl.Discount.Amount(), "20 % of 8.64 = 1.728")
	assert.Equal(t, "6.91", pl.Total.Amount())
	var gained, added bool
	for _, c := range b.Result.Changes {
		gained = gained || c.Kind == basket.ChangePromotionGained && c.PromotionID == "CHEESE-20"
		if c.Kind == basket.ChangeLineAdded {
			added = true
			assert.Equal(t, "added: 0.347 kg × Comté 18 months", c.Message())
		}
	}
	assert.True(t, gained && added, "%+v", b.Result.Changes)

	// The same weight printed in grams by another scale: a second pack.
	b, err = f.svc.Scan(ctx, associate, b.ID, "2212345003471")
	require.NoError(t, err)
	require.Len(t, b.Lines, 2)
	assert.Equal(t, int64(347), b.Lines[1].Quantity)
	assert.Equal(t, catalog.Kilogram, b.Lines[1].Unit, "converted to the unit the cheese is sold in")

	// Refused: a price label, a weight label of counted goods.
	_, err = f.svc.Scan(ctx, associate, b.ID, "2801234004202")
	assert.ErrorIs(t, err, basket.ErrPriceLabel)
	assert.ErrorIs(t, err, basket.ErrMeasuredGoods)
	_, err = f.svc.Scan(ctx, associate, b.ID, "2154321002507")
	assert.ErrorIs(t, err, basket.ErrUnitMismatch)
	f.unchanged(t, b)

	// Typed at the till: 0.5 kg, then corrected to 0.512 kg.
	m, err := basket.ParseMeasure("0.5 kg")
	require.NoError(t, err)
	b, err = f.svc.AddLine(ctx, associate, b.ID, basket.NewLine{SKU: "COMTE-18", Measure: m})
	require.NoError(t, err)
	b, err = f.svc.SetMeasure(ctx, associate, b.ID, "L0003", catalog.Measure{Value: 512, Unit: catalog.Gram})
	require.NoError(t, err)
	l3, _ := b.Line("L0003")
	assert.Equal(t, int64(512), l3.Quantity)

	// The first pack is collected this afternoon: held, not handed over.
	_, err = f.svc.SetFulfilment(ctx, associate, b.ID, "L0001", channel.ClickCollect)
	require.NoError(t, err)
	b, err = f.svc.PlaceOrder(ctx, associate, b.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.Ordered, b.Status)
	var ordered int64
	for _, fo := range b.Order.Fulfilment {
		for _, fl := range fo.Lines {
			ordered += fl.Quantity
		}
	}
	assert.Equal(t, int64(347+347+512), ordered, "fulfilment orders in thousandths of a kg")
	assert.Equal(t, catalog.Kilogram, b.Order.Fulfilment[0].Lines[0].Unit, "a warehouse reading the order sees the unit")
	levels, err := f.stock.Levels(ctx, stock.Query{SKUs: []string{"COMTE-18"}, Locations: []string{demo.Bellecour, demo.PartDieu}})
	require.NoError(t, err)
	here, _ := levels.Get("COMTE-18", demo.Bellecour)
	there, _ := levels.Get("COMTE-18", demo.PartDieu)
	// The pack to collect is cut from this counter's wheel and held here
	// until the shopper comes back; the other store is untouched.
	assert.Equal(t, int64(347), here.Reserved, "the pack to collect holds 347 thousandths of a kg")
	assert.Equal(t, int64(12_500-347-512), here.OnHand, "the packs carried out left the shelf")
	assert.Equal(t, int64(0), there.Reserved)
	assert.Equal(t, int64(12_500), there.OnHand)
}
