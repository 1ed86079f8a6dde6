package pricing

import (
	"errors"
	"math"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The deli counter, the fabric shop and the fuel pump, under every mode.
func TestMulMeasureTable(t *testing.T) {
	per100g := MustParseUnitPrice("2.49", "EUR")
	per100g, err := per100g.WithPer(100)
	require.NoError(t, err)
	cases := []struct {
		name  string
		price UnitPrice
		q     int64 // thousandths of the unit the price is per
		want  map[RoundingMode]string
	}{
		{"cheese 0.347 kg at 24.90/kg (8.6403)", MustParseUnitPrice("24.90", "EUR"), 347, map[RoundingMode]string{
			HalfEven: "8.64", HalfUp: "8.64", HalfDown: "8.64", Up: "8.65", Down: "8.64", Ceiling: "8.65", Floor: "8.64"}},
		{"fabric 2.5 m at 12.99/m (32.475)", MustParseUnitPrice("12.99", "EUR"), 2500, map[RoundingMode]string{
			HalfEven: "32.48", HalfUp: "32.48", HalfDown: "32.47", Up: "32.48", Down: "32.47", Ceiling: "32.48", Floor: "32.47"}},
		{"fuel 1.25 l at 1.859/l (2.32375)", MustParseUnitPrice("1.859", "EUR"), 1250, map[RoundingMode]string{
			HalfEven: "2.32", HalfUp: "2.32", HalfDown: "2.32", Up: "2.33", Down: "2.32", Ceiling: "2.33", Floor: "2.32"}},
		{"the smallest weighing, 0.001 kg at 24.90/kg (0.0249)", MustParseUnitPrice("24.90", "EUR"), 1, map[RoundingMode]string{
			HalfEven: "0.02", HalfUp: "0.02", HalfDown: "0.02", Up: "0.03", Down: "0.02", Ceiling: "0.03", Floor: "0.02"}},
		{"0.001 kg at 5.00/kg is a tie (0.005)", MustParseUnitPrice("5.00", "EUR"), 1, map[RoundingMode]string{
			HalfEven: "0.00", HalfUp: "0.01", HalfDown: "0.00", Up: "0.01", Down: "0.00", Ceiling: "0.01", Floor: "0.00"}},
		{"whole kilograms are exact: 2 kg at 24.90", MustParseUnitPrice("24.90", "EUR"), 2000, map[RoundingMode]string{
			HalfEven: "49.80", HalfUp: "49.80", HalfDown: "49.80", Up: "49.80", Down: "49.80", Ceiling: "49.80", Floor: "49.80"}},
		{"saffron 1.5 g at 2.49 per 100 g (0.03735)", per100g, 1500, map[RoundingMode]string{
			HalfEven: "0.04", HalfUp: "0.04", HalfDown: "0.04", Up: "0.04", Down: "0.03", Ceiling: "0.04", Floor: "0.03"}},
		{"yen: 0.347 kg at 3000 JPY/kg (1041)", MustParseUnitPrice("3000", "JPY"), 347, map[RoundingMode]string{
			HalfEven: "1041", HalfUp: "1041", HalfDown: "1041", Up: "1041", Down: "1041", Ceiling: "1041", Floor: "1041"}},
	}
	for _, c := range cases {
		for mode := HalfEven; mode.Valid(); mode++ {
			got, err := c.price.MulMeasure(c.q, mode)
			require.NoError(t, err, c.name)
			assert.Equal(t, c.want[mode], got.Amount(), "%s, %s", c.name, mode)
		}
	}
}

func TestMulMeasureRefusals(t *testing.T) {
	_, err := UnitPrice{}.MulMeasure(347, HalfEven)
	assert.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = MustParseUnitPrice("24.90", "EUR").MulMeasure(347, RoundingMode(99))
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = MustParseUnitPrice("92233720368547758.07", "EUR").MulMeasure(math.MaxInt64, HalfEven)
	assert.ErrorIs(t, err, ErrOverflow)
}

// A measured line's amount is the exact product price × q ÷ (per × 1000)
// rounded once, for every mode: checked against big.Rat arithmetic.
func TestOracleMulMeasure(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := anyUnitPriceGen().Draw(t, "price")
		q := rapid.OneOf(rapid.Int64Range(1, 100_000_000), extremeInt64(math.MinInt64+1, math.MaxInt64)).Draw(t, "q")
		mode := RoundingMode(rapid.IntRange(0, int(Floor)).Draw(t, "mode"))
		exact := new(big.Rat).Mul(unitPriceRat(u), new(big.Rat).SetFrac64(q, measureScale))
		// In minor units: × 10^exp.
		exact.Mul(exact, new(big.Rat).SetInt(new(big.Int).SetUint64(pow10(u.cur.Exponent()))))
		want := oracleRound(exact.Num(), exact.Denom(), mode)
		got, err := u.MulMeasure(q, mode)
		if !fits(want) {
			if !errors.Is(err, ErrOverflow) {
				t.Fatalf("%s × %d: want overflow, got %v, %v", u, q, got, err)
			}
			return
		}
		expect(t, "MulMeasure", got.MinorUnits(), err, want)
		if got.Currency() != u.Currency() {
			t.Fatalf("currency %s, want %s", got.Currency(), u.Currency())
		}
	})
}

// A measured quantity of whole units costs what that many units cost
// through Mul: one formula, two scales.
func TestMulMeasureAgreesWithMul(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := anyUnitPriceGen().Draw(t, "price")
		n := rapid.Int64Range(1, 100_000).Draw(t, "units")
		mode := RoundingMode(rapid.IntRange(0, int(Floor)).Draw(t, "mode"))
		a, errA := u.Mul(n, mode)
		b, errB := u.MulMeasure(n*measureScale, mode)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("Mul %v, MulMeasure %v", errA, errB)
		}
		if errA == nil && a != b {
			t.Fatalf("%s × %d: Mul %s, MulMeasure %s", u, n, a, b)
		}
	})
}
