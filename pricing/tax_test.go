package pricing

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestTaxWorkedExamples(t *testing.T) {
	eur := func(s string) Money { return MustParse(s, "EUR") }
	tests := []struct {
		name            string
		lines           []TaxLine
		policy          TaxPolicy
		net, tax, gross []string
	}{
		{"3 × 1.08 at 19 % net, per line", []TaxLine{{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19")}}, TaxPolicy{Rounding: PerLine},
			[]string{"3.24"}, []string{"0.62"}, []string{"3.86"}},
		{"3 × 1.08 at 19 % net, per unit", []TaxLine{{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19")}}, TaxPolicy{Rounding: PerUnit},
			[]string{"3.24"}, []string{"0.63"}, []string{"3.87"}},
		{"3 × 1.08 at 19 % gross, per line", []TaxLine{{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19")}}, TaxPolicy{Inclusive: true},
			[]string{"2.72"}, []string{"0.52"}, []string{"3.24"}},
		{"3 × 1.08 at 19 % gross, per unit", []TaxLine{{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19")}}, TaxPolicy{Inclusive: true, Rounding: PerUnit},
			[]string{"2.73"}, []string{"0.51"}, []string{"3.24"}},
		{"per unit after an indivisible discount", []TaxLine{{Key: "a", Amount: eur("3.23"), Quantity: 3, Rate: MustPercent("19")}}, TaxPolicy{Rounding: PerUnit},
			// units 1.08, 1.08, 1.07: taxes 0.21, 0.21, 0.20
			[]string{"3.23"}, []string{"0.62"}, []string{"3.85"}},
		{"per line vs per document", []TaxLine{{Key: "a", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}, {Key: "b", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}, {Key: "c", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}},
			TaxPolicy{Rounding: PerLine}, []string{"0.05", "0.05", "0.05"}, []string{"0.00", "0.00", "0.00"}, []string{"0.05", "0.05", "0.05"}},
		{"per document rounds once per rate", []TaxLine{{Key: "a", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}, {Key: "b", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}, {Key: "c", Amount: eur("0.05"), Quantity: 1, Rate: MustPercent("10")}},
			TaxPolicy{Rounding: PerDocument}, []string{"0.05", "0.05", "0.05"}, []string{"0.01", "0.01", "0.00"}, []string{"0.06", "0.06", "0.05"}}, // 0.015 → 0.02 half-even
		{"mixed rates per document", []TaxLine{{Key: "food", Amount: eur("10.00"), Quantity: 1, Rate: MustPercent("5.5")}, {Key: "toy", Amount: eur("10.00"), Quantity: 1, Rate: MustPercent("20")}},
			TaxPolicy{Rounding: PerDocument, Inclusive: true}, []string{"9.48", "8.33"}, []string{"0.52", "1.67"}, []string{"10.00", "10.00"}},
		{"half-up vs half-even", []TaxLine{{Key: "a", Amount: eur("0.25"), Quantity: 1, Rate: MustPercent("10")}}, TaxPolicy{Mode: HalfUp},
			[]string{"0.25"}, []string{"0.03"}, []string{"0.28"}},
		{"half-even", []TaxLine{{Key: "a", Amount: eur("0.25"), Quantity: 1, Rate: MustPercent("10")}}, TaxPolicy{Mode: HalfEven},
			[]string{"0.25"}, []string{"0.02"}, []string{"0.27"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeTax(tt.lines, tt.policy)
			require.NoError(t, err)
			for i, g := range got {
				assert.Equal(t, tt.net[i], g.Net.Amount(), "net %d", i)
				assert.Equal(t, tt.tax[i], g.Tax.Amount(), "tax %d", i)
				assert.Equal(t, tt.gross[i], g.Gross.Amount(), "gross %d", i)
			}
		})
	}
}

func TestTaxRejectsBadInput(t *testing.T) {
	_, err := ComputeTax([]TaxLine{{Key: "a", Amount: MustParse("1", "EUR"), Quantity: 1, Rate: MustPercent("10")}, {Key: "b", Amount: MustParse("1", "USD"), Quantity: 1, Rate: MustPercent("10")}}, TaxPolicy{})
	assert.ErrorIs(t, err, ErrCurrencyMismatch)
	_, err = ComputeTax([]TaxLine{{Key: "a", Amount: MustParse("-1", "EUR"), Quantity: 1, Rate: MustPercent("10")}}, TaxPolicy{})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = ComputeTax([]TaxLine{{Key: "a", Amount: MustParse("1", "EUR"), Quantity: 0, Rate: MustPercent("10")}}, TaxPolicy{Rounding: PerUnit})
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = ComputeTax([]TaxLine{{Key: "a", Amount: MustParse("1", "EUR"), Quantity: 1, Rate: MustPercent("10")}}, TaxPolicy{Mode: 99})
	assert.ErrorIs(t, err, ErrInvalid)
}

func TestTaxTable(t *testing.T) {
	change := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	tbl, err := NewTaxTable([]TaxRule{
		{Zone: "FR", Category: "standard", Rate: MustPercent("20")},
		{Zone: "DE", Category: "standard", Rate: MustPercent("19"), ValidUntil: change},
		{Zone: "DE", Category: "standard", Rate: MustPercent("21"), ValidFrom: change},
	})
	require.NoError(t, err)
	r, err := tbl.Rate("DE", "standard", change.Add(-time.Nanosecond))
	require.NoError(t, err)
	assert.Equal(t, MustPercent("19"), r)
	r, err = tbl.Rate("DE", "standard", change)
	require.NoError(t, err)
	assert.Equal(t, MustPercent("21"), r)
	_, err = tbl.Rate("FR", "food", change)
	var nt *NoTaxRateError
	require.ErrorAs(t, err, &nt)
	assert.ErrorIs(t, err, ErrNoTaxRate)
	assert.Equal(t, "food", nt.Category)

	_, err = NewTaxTable([]TaxRule{{Zone: "FR", Category: "a", Rate: MustPercent("5")}, {Zone: "FR", Category: "a", Rate: MustPercent("6"), ValidFrom: change}})
	assert.ErrorIs(t, err, ErrInvalid, "overlapping windows")
	_, err = NewTaxTable([]TaxRule{{Zone: "FR", Category: "a", Rate: MustPercent("101")}})
	assert.ErrorIs(t, err, ErrInvalid)
}

// TestTaxIdentity: for every policy, gross = net + tax exactly on every
// line, nothing is negative, and the result does not depend on line order.
func TestTaxIdentity(t *testing.T) {
	rates := []Rate{MustPercent("0"), MustPercent("5.5"), MustPercent("7.7"), MustPercent("19"), MustPercent("20"), MustPercent("8.875")}
	rapid.Check(t, func(t *rapid.T) {
		cur := rapid.SampledFrom([]Currency{MustCurrency("EUR"), MustCurrency("JPY"), MustCurrency("KWD")}).Draw(t, "cur")
		n := rapid.IntRange(1, 20).Draw(t, "n")
		lines := make([]TaxLine, n)
		for i := range lines {
			lines[i] = TaxLine{
				Key:      fmt.Sprintf("l%02d", i),
				Amount:   Money{units: rapid.Int64Range(0, 10_000_000).Draw(t, "amount"), cur: cur},
				Quantity: rapid.Int64Range(1, 500).Draw(t, "qty"),
				Rate:     rapid.SampledFrom(rates).Draw(t, "rate"),
			}
		}
		p := TaxPolicy{
			Inclusive: rapid.Bool().Draw(t, "inclusive"),
			Rounding:  TaxRounding(rapid.IntRange(0, 2).Draw(t, "rounding")),
			Mode:      RoundingMode(rapid.IntRange(0, 6).Draw(t, "mode")),
		}
		got, err := ComputeTax(lines, p)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]Taxed{}
		for i, g := range got {
			s, err := g.Net.Add(g.Tax)
			if err != nil || s != g.Gross {
				t.Fatalf("line %d: %s + %s != %s", i, g.Net, g.Tax, g.Gross)
			}
			if g.Net.IsNegative() || g.Tax.IsNegative() {
				t.Fatalf("line %d negative: %+v", i, g)
			}
			byKey[lines[i].Key] = g
		}
		perm := rapid.Permutation(lines).Draw(t, "perm")
		got2, err := ComputeTax(perm, p)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got2 {
			if byKey[perm[i].Key] != g {
				t.Fatalf("order changed line %s: %+v vs %+v", perm[i].Key, g, byKey[perm[i].Key])
			}
		}
	})
}

// TestTaxPerUnitWithPrecisePrices: per-unit rounding taxes a line priced
// more precisely than the currency as a whole. Split into cents, 10,000
// screws at 0.0125 (125.00 EUR incl. 20 %) would carry no tax at all.
func TestTaxPerUnitWithPrecisePrices(t *testing.T) {
	eur := func(s string) Money { return MustParse(s, "EUR") }
	perThousand, err := MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	require.NoError(t, err)
	rate := MustPercent("20")
	tests := []struct {
		name   string
		line   TaxLine
		policy TaxPolicy
		tax    string
	}{
		{"screws, no unit price given: split into cents", TaxLine{Key: "a", Amount: eur("125.00"), Quantity: 10_000, Rate: rate},
			TaxPolicy{Inclusive: true, Rounding: PerUnit}, "0.00"},
		{"screws at 0.0125: taxed as a whole", TaxLine{Key: "a", Amount: eur("125.00"), Quantity: 10_000, Rate: rate, Unit: MustParseUnitPrice("0.0125", "EUR")},
			TaxPolicy{Inclusive: true, Rounding: PerUnit}, "20.83"},
		{"screws at 12.50 per 1,000: as a whole", TaxLine{Key: "a", Amount: eur("125.00"), Quantity: 10_000, Rate: rate, Unit: perThousand},
			TaxPolicy{Inclusive: true, Rounding: PerUnit}, "20.83"},
		{"net screws at 0.0125: as a whole", TaxLine{Key: "a", Amount: eur("0.04"), Quantity: 3, Rate: rate, Unit: MustParseUnitPrice("0.0125", "EUR")},
			TaxPolicy{Rounding: PerUnit}, "0.01"},
		{"an ordinary unit price changes nothing", TaxLine{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19"), Unit: MustParseUnitPrice("1.08", "EUR")},
			TaxPolicy{Rounding: PerUnit}, "0.63"},
		{"per line ignores the unit price", TaxLine{Key: "a", Amount: eur("3.24"), Quantity: 3, Rate: MustPercent("19"), Unit: MustParseUnitPrice("1.08", "EUR")},
			TaxPolicy{Rounding: PerLine}, "0.62"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeTax([]TaxLine{tt.line}, tt.policy)
			require.NoError(t, err)
			assert.Equal(t, tt.tax, got[0].Tax.Amount())
			gross, _ := got[0].Net.Add(got[0].Tax)
			assert.Equal(t, got[0].Gross, gross)
		})
	}
	_, err = ComputeTax([]TaxLine{{Key: "a", Amount: eur("1.00"), Quantity: 1, Rate: rate, Unit: MustParseUnitPrice("1", "USD")}}, TaxPolicy{})
	assert.ErrorIs(t, err, ErrCurrencyMismatch)
}

// Zone resolves a zone's rates once per basket; each category's rate must
// be the one TaxTable.Rate gives, rate changes on a date included, and a
// category without a rate in the zone (or not yet, or no longer) must
// fail as Rate does.
func TestZoneRatesMatchTheTable(t *testing.T) {
	t1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t2 := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	table, err := NewTaxTable([]TaxRule{
		{Zone: "FR", Category: "standard", Rate: MustPercent("20"), ValidUntil: t1},
		{Zone: "FR", Category: "standard", Rate: MustPercent("21"), ValidFrom: t1},
		{Zone: "FR", Category: "reduced", Rate: MustPercent("5.5")},
		{Zone: "DE", Category: "standard", Rate: MustPercent("19")},
		{Zone: "BE", Category: "food", Rate: MustPercent("6"), ValidFrom: t2},
		{Zone: "AT", Category: "standard", Rate: MustPercent("20"), ValidUntil: t2},
	})
	require.NoError(t, err)
	for _, zone := range []string{"AT", "BE", "DE", "FR", "ES", ""} {
		for _, at := range []time.Time{t1.Add(-time.Hour), t1, t2.Add(-time.Nanosecond), t2, t2.Add(time.Hour)} {
			rates := table.Zone(zone, at)
			for _, cat := range []string{"standard", "reduced", "food", "none"} {
				want, wantErr := table.Rate(zone, cat, at)
				got, err := rates.Rate(cat)
				if wantErr != nil {
					assert.ErrorIs(t, err, ErrNoTaxRate, "%s %s %s", zone, cat, at)
					assert.Equal(t, wantErr.Error(), err.Error())
					continue
				}
				require.NoError(t, err, "%s %s %s", zone, cat, at)
				assert.Equal(t, want, got, "%s %s %s", zone, cat, at)
			}
		}
	}
	got, err := table.Zone("FR", t1).Rate("standard")
	require.NoError(t, err)
	assert.Equal(t, MustPercent("21"), got, "the new rate from its first instant")
}
