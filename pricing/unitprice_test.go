package pricing

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// unitPriceGen draws any unit price of cur the type can hold: 0 to 6
// decimals, extremes of the range favoured, per 1 most of the time.
func unitPriceGen(cur Currency) *rapid.Generator[UnitPrice] {
	return rapid.Custom(func(t *rapid.T) UnitPrice {
		scale := rapid.IntRange(0, UnitPriceDecimals).Draw(t, "scale")
		lim := int64(maxUnits)
		if k := cur.Exponent() - scale; k > 0 {
			lim /= int64(pow10(k)) // scaled up to minor units
		} else {
			lim /= int64(pow10(UnitPriceDecimals - scale)) // to millionths, unless whole minor units
		}
		coef := extremeInt64(-lim, lim).Draw(t, "coef")
		u, err := newUnitPrice(coef, scale, 1, cur)
		if err != nil {
			t.Fatalf("newUnitPrice(%d, %d, %s): %v", coef, scale, cur, err)
		}
		per := int64(1)
		switch rapid.IntRange(0, 3).Draw(t, "perKind") {
		case 1:
			per = rapid.SampledFrom([]int64{10, 100, 1000, 1_000_000}).Draw(t, "per")
		case 2:
			per = extremeInt64(1, MaxPer).Draw(t, "per")
		}
		if u, err = u.WithPer(per); err != nil {
			t.Fatal(err)
		}
		return u
	})
}

// anyUnitPriceGen draws a unit price in a currency of the whole table.
func anyUnitPriceGen() *rapid.Generator[UnitPrice] {
	curs := Currencies()
	return rapid.Custom(func(t *rapid.T) UnitPrice {
		return unitPriceGen(rapid.SampledFrom(curs).Draw(t, "cur")).Draw(t, "price")
	})
}

// unitPriceRat is the exact price of one unit.
func unitPriceRat(u UnitPrice) *big.Rat {
	den := new(big.Int).Mul(new(big.Int).SetUint64(pow10(u.scale())), big.NewInt(u.Per()))
	return new(big.Rat).SetFrac(big.NewInt(u.coef), den)
}

func TestUnitPriceParseAndFormat(t *testing.T) {
	tests := []struct {
		in, code string
		amount   string // "" when an error is expected
		err      error
	}{
		{"0.0125", "EUR", "0.0125", nil},
		{"12.5", "EUR", "12.50", nil},      // the currency's decimals at least
		{"12.500000", "EUR", "12.50", nil}, // trailing zeros are not precision
		{"1.859", "EUR", "1.859", nil},
		{"1.2345670", "EUR", "1.234567", nil},
		{"0.125", "JPY", "0.125", nil},
		{"100", "JPY", "100", nil},
		{"0.0005", "KWD", "0.0005", nil},
		{"-0.0125", "EUR", "-0.0125", nil},
		{"+.5", "EUR", "0.50", nil},
		{"0", "EUR", "0.00", nil},
		{"92233720368547758.07", "EUR", "92233720368547758.07", nil},
		{"9223372036854.775807", "EUR", "9223372036854.775807", nil},
		{"0.0000001", "EUR", "", ErrTooPrecise},
		{"0.01234567", "EUR", "", ErrTooPrecise},
		{"1.0000005", "JPY", "", ErrTooPrecise},
		{"92233720368547758.08", "EUR", "", ErrOverflow},
		{"9223372036854775808", "JPY", "", ErrOverflow},
		{"1e3", "EUR", "", ErrSyntax},
		{"1,5", "EUR", "", ErrSyntax},
		{"", "EUR", "", ErrSyntax},
		{"1.", "EUR", "", ErrSyntax},
		{"1", "XXX", "", ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.code, func(t *testing.T) {
			u, err := ParseUnitPrice(tt.in, tt.code)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				assert.Equal(t, UnitPrice{}, u)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.amount, u.Amount())
			assert.Equal(t, tt.amount+" "+tt.code, u.String())
			assert.Equal(t, int64(1), u.Per())
		})
	}
}

func TestUnitPriceNormalisedAndExact(t *testing.T) {
	a, b := MustParseUnitPrice("12.5", "EUR"), MustParseUnitPrice("12.500", "EUR")
	assert.True(t, a == b, "equal prices are ==")
	assert.Equal(t, UnitPriceOf(MustParse("12.50", "EUR")), a, "a Money is a unit price with fewer decimals")
	m, exact := a.Exact()
	assert.True(t, exact)
	assert.Equal(t, MustParse("12.50", "EUR"), m)

	_, exact = MustParseUnitPrice("0.0125", "EUR").Exact()
	assert.False(t, exact, "more decimals than the currency")
	per, err := a.WithPer(1000)
	require.NoError(t, err)
	_, exact = per.Exact()
	assert.False(t, exact, "a price per 1,000")
	assert.Equal(t, "12.50 EUR per 1000", per.String())

	m, exact = UnitPrice{}.Exact()
	assert.True(t, exact, "not set stays not set")
	assert.Equal(t, Money{}, m)
	assert.Equal(t, UnitPrice{}, UnitPriceOf(Money{}))

	for _, n := range []int64{0, -1, MaxPer + 1} {
		_, err := a.WithPer(n)
		assert.ErrorIs(t, err, ErrInvalid, "per %d", n)
	}
	_, err = UnitPrice{}.WithPer(10)
	assert.ErrorIs(t, err, ErrUnknownCurrency)
}

// TestUnitPriceMul is the worked examples: one rounding of the
// exact product, with the given mode.
func TestUnitPriceMul(t *testing.T) {
	screw := MustParseUnitPrice("0.0125", "EUR")
	perThousand, err := MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	require.NoError(t, err)
	tests := []struct {
		name  string
		price UnitPrice
		qty   int64
		want  [7]string // HalfEven, HalfUp, HalfDown, Up, Down, Ceiling, Floor
	}{
		{"10,000 screws at 0.0125", screw, 10_000, [7]string{"125.00", "125.00", "125.00", "125.00", "125.00", "125.00", "125.00"}},
		{"3 screws at 0.0125 = 0.0375", screw, 3, [7]string{"0.04", "0.04", "0.04", "0.04", "0.03", "0.04", "0.03"}},
		{"2 screws at 0.0125 = 0.025, a tie", screw, 2, [7]string{"0.02", "0.03", "0.02", "0.03", "0.02", "0.03", "0.02"}},
		{"1 screw at 0.0125", screw, 1, [7]string{"0.01", "0.01", "0.01", "0.02", "0.01", "0.02", "0.01"}},
		{"37 l of fuel at 1.859 = 68.783", MustParseUnitPrice("1.859", "EUR"), 37, [7]string{"68.78", "68.78", "68.78", "68.79", "68.78", "68.79", "68.78"}},
		{"45 l of fuel at 1.859 = 83.655", MustParseUnitPrice("1.859", "EUR"), 45, [7]string{"83.66", "83.66", "83.65", "83.66", "83.65", "83.66", "83.65"}},
		{"3 g at 12.5 JPY = 37.5", MustParseUnitPrice("12.5", "JPY"), 3, [7]string{"38", "38", "37", "38", "37", "38", "37"}},
		{"100 at 0.125 JPY = 12.5", MustParseUnitPrice("0.125", "JPY"), 100, [7]string{"12", "13", "12", "13", "12", "13", "12"}},
		{"3 at 0.0125 KWD = 0.0375", MustParseUnitPrice("0.0125", "KWD"), 3, [7]string{"0.038", "0.038", "0.037", "0.038", "0.037", "0.038", "0.037"}},
		{"10,000 at 12.50 per 1,000", perThousand, 10_000, [7]string{"125.00", "125.00", "125.00", "125.00", "125.00", "125.00", "125.00"}},
		{"2,500 at 12.50 per 1,000", perThousand, 2_500, [7]string{"31.25", "31.25", "31.25", "31.25", "31.25", "31.25", "31.25"}},
		{"3 at 12.50 per 1,000 = 0.0375", perThousand, 3, [7]string{"0.04", "0.04", "0.04", "0.04", "0.03", "0.04", "0.03"}},
		{"an ordinary price is not rounded", MustParseUnitPrice("1.08", "EUR"), 3, [7]string{"3.24", "3.24", "3.24", "3.24", "3.24", "3.24", "3.24"}},
		{"-3 at 0.0125 (a return)", screw, -3, [7]string{"-0.04", "-0.04", "-0.04", "-0.04", "-0.03", "-0.03", "-0.04"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, mode := range modes {
				got, err := tt.price.Mul(tt.qty, mode)
				require.NoError(t, err, mode)
				assert.Equal(t, tt.want[i], got.Amount(), "%s", mode)
				assert.Equal(t, tt.price.Currency(), got.Currency())
			}
		})
	}
	// Rounded once, not per unit: 3 × round(0.0125) would be 0.03.
	unit, err := screw.Round(HalfEven)
	require.NoError(t, err)
	perUnit, _ := unit.Mul(3)
	once, _ := screw.Mul(3, HalfEven)
	assert.Equal(t, "0.03", perUnit.Amount())
	assert.Equal(t, "0.04", once.Amount())

	_, err = screw.Mul(3, RoundingMode(99))
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = UnitPrice{}.Mul(3, HalfEven)
	assert.ErrorIs(t, err, ErrUnknownCurrency)
	_, err = MustParseUnitPrice("92233720368547758.07", "EUR").Mul(2, HalfEven)
	assert.ErrorIs(t, err, ErrOverflow)
}

// TestOracleUnitPriceMul: for every currency, rounding mode, price and
// quantity, Mul is the exact product price × q ÷ per rounded once with the
// mode, or ErrOverflow exactly when that does not fit.
func TestOracleUnitPriceMul(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := anyUnitPriceGen().Draw(t, "u")
		q := extremeInt64(math.MinInt64+1, math.MaxInt64).Draw(t, "q")
		mode := rapid.SampledFrom(modes).Draw(t, "mode")
		num := new(big.Int).Mul(big.NewInt(u.coef), big.NewInt(q))
		num.Mul(num, new(big.Int).SetUint64(pow10(u.cur.Exponent())))
		den := new(big.Int).Mul(new(big.Int).SetUint64(pow10(u.scale())), big.NewInt(u.Per()))
		got, err := u.Mul(q, mode)
		expect(t, fmt.Sprintf("%v × %d %s", u, q, mode), got.units, err, oracleRound(num, den, mode))
		if err == nil && got.cur != u.cur {
			t.Fatalf("currency %s, want %s", got.cur, u.cur)
		}
	})
}

// TestOracleUnitPriceMulShopspring checks the same against shopspring's
// decimal with explicit places, never its package globals.
func TestOracleUnitPriceMulShopspring(t *testing.T) {
	eur := MustCurrency("EUR")
	rapid.Check(t, func(t *rapid.T) {
		u := unitPriceGen(eur).Draw(t, "u")
		q := rapid.Int64Range(-1_000_000, 1_000_000).Draw(t, "q")
		mode := rapid.SampledFrom([]RoundingMode{HalfEven, HalfUp, Down}).Draw(t, "mode")
		exact := u.Decimal().Mul(decimal.NewFromInt(q)).DivRound(decimal.NewFromInt(u.Per()), 32)
		var want decimal.Decimal
		switch mode {
		case HalfEven:
			want = exact.RoundBank(2)
		case HalfUp:
			want = exact.Round(2) // away from zero on a tie
		case Down:
			want = exact.Truncate(2)
		}
		got, err := u.Mul(q, mode)
		if err != nil {
			if !errors.Is(err, ErrOverflow) {
				t.Fatal(err)
			}
			return
		}
		// 32 places leave the 2-place rounding of a quotient by per ≤ 10^9
		// exact: a quotient with more than 15 decimals is no tie.
		if !got.Decimal().Equal(want) {
			t.Fatalf("%v × %d %s = %s, decimal says %s", u, q, mode, got, want)
		}
	})
}

// TestOracleUnitPriceCmp: Cmp is the exact order of the prices of one unit.
func TestOracleUnitPriceCmp(t *testing.T) {
	eur := MustCurrency("EUR")
	rapid.Check(t, func(t *rapid.T) {
		a := unitPriceGen(eur).Draw(t, "a")
		b := unitPriceGen(eur).Draw(t, "b")
		if rapid.Bool().Draw(t, "same") {
			var err error
			if b, err = a.WithPer(rapid.SampledFrom([]int64{a.Per(), 1, 1000}).Draw(t, "per")); err != nil {
				t.Fatal(err)
			}
		}
		got, err := a.Cmp(b)
		require.NoError(t, err)
		if want := unitPriceRat(a).Cmp(unitPriceRat(b)); got != want {
			t.Fatalf("%v cmp %v = %d, want %d", a, b, got, want)
		}
		back, _ := b.Cmp(a)
		if back != -got {
			t.Fatalf("not antisymmetric: %d and %d", got, back)
		}
	})
	perThousand, _ := MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	c, err := perThousand.Cmp(MustParseUnitPrice("0.0125", "EUR"))
	require.NoError(t, err)
	assert.Equal(t, 0, c, "12.50 per 1,000 is 0.0125 each")
	_, err = MustParseUnitPrice("1", "EUR").Cmp(MustParseUnitPrice("1", "USD"))
	assert.ErrorIs(t, err, ErrCurrencyMismatch)
}

// TestUnitPriceRoundTrips: text, JSON and decimal give back the same
// price, and a Money converts exactly both ways.
func TestUnitPriceRoundTrips(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		u := anyUnitPriceGen().Draw(t, "u")
		b, err := json.Marshal(u)
		require.NoError(t, err)
		var back UnitPrice
		if err := json.Unmarshal(b, &back); err != nil || back != u {
			t.Fatalf("%v → %s → %v, %v", u, b, back, err)
		}
		one, err := u.WithPer(1)
		require.NoError(t, err)
		if p, err := ParseUnitPriceIn(u.Amount(), u.cur); err != nil || p != one {
			t.Fatalf("%v → %q → %v, %v", u, u.Amount(), p, err)
		}
		if p, err := UnitPriceFromDecimal(u.Decimal(), u.cur); err != nil || p != one {
			t.Fatalf("decimal %v → %v, %v", u.Decimal(), p, err)
		}
		if m, exact := one.Exact(); exact && UnitPriceOf(m) != one {
			t.Fatalf("%v is exactly %v, which converts back to %v", one, m, UnitPriceOf(m))
		}

		m := moneyGen(unitsGen()).Draw(t, "m")
		p := UnitPriceOf(m)
		if back, exact := p.Exact(); !exact || back != m {
			t.Fatalf("%v → %v → %v, %v", m, p, back, exact)
		}
		mj, _ := json.Marshal(m)
		pj, _ := json.Marshal(p)
		if string(mj) != string(pj) {
			t.Fatalf("a Money and its unit price encode differently: %s and %s", mj, pj)
		}
		var fromMoney UnitPrice
		if err := json.Unmarshal(mj, &fromMoney); err != nil || fromMoney != p {
			t.Fatalf("Money JSON %s decodes to %v, %v; want %v", mj, fromMoney, err, p)
		}
	})
}

// TestOracleUnitPriceFromDecimal: a decimal converts exactly when it has at
// most six decimals and fits, else ErrTooPrecise or ErrOverflow.
func TestOracleUnitPriceFromDecimal(t *testing.T) {
	curs := Currencies()
	rapid.Check(t, func(t *rapid.T) {
		d := decimalGen().Draw(t, "d")
		cur := rapid.SampledFrom(curs).Draw(t, "cur")
		u, err := UnitPriceFromDecimal(d, cur)
		num, den := decimalOracle(d, UnitPriceDecimals)
		q, r := new(big.Int).QuoRem(num, den, new(big.Int))
		c := new(big.Int).Set(q)
		if r.Sign() != 0 {
			if !errors.Is(err, ErrTooPrecise) {
				t.Fatalf("%s: %v, %v; want ErrTooPrecise", decText(d), u, err)
			}
			return
		}
		// c × 10^-s is the value with no trailing zero. It is held in
		// minor units when s is at most the currency's exponent, else in
		// millionths (q); it fits when that count does.
		s, ten := UnitPriceDecimals, big.NewInt(10)
		for s > 0 {
			q, m := new(big.Int).QuoRem(c, ten, new(big.Int))
			if m.Sign() != 0 {
				break
			}
			c, s = q, s-1
		}
		minor := new(big.Int).Mul(c, new(big.Int).Exp(ten, big.NewInt(int64(max(0, cur.Exponent()-s))), nil))
		held := minor
		if s > cur.Exponent() {
			held = q
		}
		if !fits(held) {
			if !errors.Is(err, ErrOverflow) {
				t.Fatalf("%s in %s: %v, %v; want ErrOverflow", decText(d), cur, u, err)
			}
			return
		}
		// Held with the currency's decimals at least.
		if s < cur.Exponent() {
			c, s = minor, cur.Exponent()
		}
		// Held in minor units when it has no more decimals than the
		// currency, in millionths otherwise.
		if err != nil || !u.Decimal().Equal(d) || u.precise() != (s > cur.Exponent()) || u.cur != cur || u.Per() != 1 {
			t.Fatalf("%s in %s → %+v, %v", decText(d), cur, u, err)
		}
	})
}

func TestUnitPriceJSON(t *testing.T) {
	perThousand, _ := MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	for _, tt := range []struct {
		price UnitPrice
		json  string
	}{
		{MustParseUnitPrice("0.0125", "EUR"), `{"amount":"0.0125","currency":"EUR"}`},
		{MustParseUnitPrice("12.5", "EUR"), `{"amount":"12.50","currency":"EUR"}`},
		{perThousand, `{"amount":"12.50","currency":"EUR","per":1000}`},
		{UnitPrice{}, `null`},
	} {
		b, err := json.Marshal(tt.price)
		require.NoError(t, err)
		assert.JSONEq(t, tt.json, string(b))
	}
	orig := MustParseUnitPrice("7", "USD")
	for _, bad := range []string{
		`{"amount":"0.0000001","currency":"EUR"}`,
		`{"amount":0.0125,"currency":"EUR"}`,
		`{"amount":"1","currency":"EUR","per":0}`,
		`{"amount":"1","currency":"EUR","per":1.5}`,
		`{"amount":"1","currency":"EUR","per":"1000"}`,
		`{"amount":"1","currency":"EUR","per":1000000001}`,
		`{"amount":"1"}`,
		`{"amount":"1","currency":"EUR","extra":1}`,
		`{"amount":"1","currency":"EUR"} {}`,
	} {
		u := orig
		assert.Error(t, json.Unmarshal([]byte(bad), &u), bad)
		assert.Equal(t, orig, u, "a failed decode changes nothing: %s", bad)
	}
	var u UnitPrice
	require.NoError(t, json.Unmarshal([]byte(`{"amount":"0.012500","currency":"EUR","per":1}`), &u))
	assert.Equal(t, MustParseUnitPrice("0.0125", "EUR"), u)
}

// FuzzParseUnitPrice: parsing never panics, refuses a seventh decimal, and
// what parses formats back to text that parses to the same price.
func FuzzParseUnitPrice(f *testing.F) {
	for _, s := range []string{"0.0125", "1.859", "12.50", "0.0000001", "1.2345670", "92233720368547758.07", "9223372036854.775807", "-0.5", "1e3", "."} {
		f.Add(s, "EUR")
	}
	f.Add("0.125", "JPY")
	f.Add("0.0005", "KWD")
	f.Fuzz(func(t *testing.T, s, code string) {
		u, err := ParseUnitPrice(s, code)
		if err != nil {
			if u != (UnitPrice{}) {
				t.Fatalf("failed parse returned %v", u)
			}
			return
		}
		if _, frac, ok := strings.Cut(s, "."); ok && len(strings.TrimRight(frac, "0")) > UnitPriceDecimals {
			t.Fatalf("%q parsed despite more than %d decimals", s, UnitPriceDecimals)
		}
		back, err := ParseUnitPrice(u.Amount(), code)
		if err != nil || back != u {
			t.Fatalf("ParseUnitPrice(%q) = %v, but its text %q parses to %v, %v", s, u, u.Amount(), back, err)
		}
		if !u.Decimal().Equal(decimal.RequireFromString(s)) {
			t.Fatalf("%q parsed as %v", s, u)
		}
	})
}

// FuzzUnitPriceJSON: decoding never panics, never changes the target on
// error, and round-trips.
func FuzzUnitPriceJSON(f *testing.F) {
	f.Add([]byte(`{"amount":"0.0125","currency":"EUR"}`))
	f.Add([]byte(`{"amount":"12.50","currency":"EUR","per":1000}`))
	f.Add([]byte(`{"amount":"0.0000001","currency":"EUR"}`))
	f.Add([]byte(`{"amount":"1","currency":"EUR","per":-1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		orig, _ := MustParseUnitPrice("7.125", "USD").WithPer(10)
		u := orig
		if err := json.Unmarshal(b, &u); err != nil {
			if u != orig {
				t.Fatalf("failed decode changed the value to %v", u)
			}
			return
		}
		out, err := json.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		var back UnitPrice
		if err := json.Unmarshal(out, &back); err != nil || back != u {
			t.Fatalf("round trip %s → %v, %v", out, back, err)
		}
	})
}
