package pricing

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAndFormat(t *testing.T) {
	tests := []struct {
		in, code, want string
		units          int64
		err            error
	}{
		{in: "12.50", code: "EUR", want: "12.50 EUR", units: 1250},
		{in: "12.5", code: "EUR", want: "12.50 EUR", units: 1250},
		{in: "12.500", code: "EUR", want: "12.50 EUR", units: 1250},
		{in: "-0.05", code: "EUR", want: "-0.05 EUR", units: -5},
		{in: "+7", code: "EUR", want: "7.00 EUR", units: 700},
		{in: ".5", code: "EUR", want: "0.50 EUR", units: 50},
		{in: "1000", code: "JPY", want: "1000 JPY", units: 1000},
		{in: "1000.0", code: "JPY", want: "1000 JPY", units: 1000},
		{in: "1.5", code: "JPY", err: ErrTooPrecise},
		{in: "1.234", code: "KWD", want: "1.234 KWD", units: 1234},
		{in: "1.2345", code: "KWD", err: ErrTooPrecise},
		{in: "8.925", code: "EUR", err: ErrTooPrecise}, // Sylius#14522 truncated this to 8.92
		{in: "92233720368547758.07", code: "EUR", want: "92233720368547758.07 EUR", units: math.MaxInt64},
		{in: "92233720368547758.08", code: "EUR", err: ErrOverflow},
		{in: "1e-2000000000", code: "EUR", err: ErrSyntax},
		{in: "1e5", code: "EUR", err: ErrSyntax},
		{in: "1,50", code: "EUR", err: ErrSyntax},
		{in: " 1", code: "EUR", err: ErrSyntax},
		{in: "", code: "EUR", err: ErrSyntax},
		{in: "-", code: "EUR", err: ErrSyntax},
		{in: "1.", code: "EUR", err: ErrSyntax},
		{in: ".", code: "EUR", err: ErrSyntax},
		{in: "--1", code: "EUR", err: ErrSyntax},
		{in: "1", code: "EUX", err: ErrUnknownCurrency},
		{in: "1", code: "eur", err: ErrUnknownCurrency},
		{in: "1", code: "XAU", err: ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.in+"_"+tt.code, func(t *testing.T) {
			m, err := Parse(tt.in, tt.code)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.String())
			assert.Equal(t, tt.units, m.MinorUnits())
		})
	}
}

func TestParseRejectsHugeExponentQuickly(t *testing.T) {
	start := time.Now()
	_, err := Parse("1e-2000000000", "EUR")
	require.ErrorIs(t, err, ErrSyntax)
	// decimal 1.6 refuses such a string itself (MaxDecodeExponent); a
	// decimal built in code still reaches us, so build it directly.
	d := decimal.New(1, -2000000000)
	_, err = FromDecimal(d, MustCurrency("EUR"))
	require.ErrorIs(t, err, ErrTooPrecise)
	m, err := FromDecimalRounded(d, MustCurrency("EUR"), Up)
	require.NoError(t, err)
	assert.Equal(t, "0.01 EUR", m.String())
	big := decimal.New(1, 2000000000)
	_, err = FromDecimal(big, MustCurrency("EUR"))
	require.ErrorIs(t, err, ErrOverflow)
	// A generous bound: the point is "not minutes", not a speed target.
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestParseRounded(t *testing.T) {
	tests := []struct {
		in   string
		mode RoundingMode
		want string
	}{
		{"8.925", HalfEven, "8.92"}, {"8.935", HalfEven, "8.94"}, {"8.925", HalfUp, "8.93"},
		{"8.925", HalfDown, "8.92"}, {"8.9251", HalfDown, "8.93"}, {"8.921", Up, "8.93"},
		{"8.929", Down, "8.92"}, {"-8.921", Ceiling, "-8.92"}, {"-8.921", Floor, "-8.93"},
		{"-161.915", HalfEven, "-161.92"}, {"-161.925", HalfUp, "-161.93"}, {"0.005", HalfEven, "0.00"},
		{"0.0051", HalfEven, "0.01"},
	}
	for _, tt := range tests {
		m, err := ParseRounded(tt.in, "EUR", tt.mode)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, m.Amount(), "%s %s", tt.in, tt.mode)
		// The decimal path must agree with the text path.
		d := decimal.RequireFromString(tt.in)
		m2, err := FromDecimalRounded(d, MustCurrency("EUR"), tt.mode)
		require.NoError(t, err)
		assert.Equal(t, m, m2, "%s %s via decimal", tt.in, tt.mode)
	}
}

func TestExactArithmetic(t *testing.T) {
	a, b := MustParse("0.1", "EUR"), MustParse("0.2", "EUR")
	s, err := a.Add(b)
	require.NoError(t, err)
	assert.Equal(t, MustParse("0.30", "EUR"), s)
	assert.True(t, s == MustParse("0.3", "EUR"), "1 and 1.00 must be == as Money")

	_, err = a.Add(MustParse("0.1", "USD"))
	assert.ErrorIs(t, err, ErrCurrencyMismatch)
	_, err = a.Cmp(MustParse("0.1", "USD"))
	assert.ErrorIs(t, err, ErrCurrencyMismatch)
	_, err = a.Add(Money{})
	assert.ErrorIs(t, err, ErrCurrencyMismatch)

	max, _ := FromMinor(math.MaxInt64, MustCurrency("EUR"))
	_, err = max.Add(MustParse("0.01", "EUR"))
	assert.ErrorIs(t, err, ErrOverflow)
	_, err = max.Neg().Sub(MustParse("0.01", "EUR"))
	assert.ErrorIs(t, err, ErrOverflow)
	_, err = max.Mul(2)
	assert.ErrorIs(t, err, ErrOverflow)
	_, err = FromMinor(math.MinInt64, MustCurrency("EUR"))
	assert.ErrorIs(t, err, ErrOverflow)

	p, err := MustParse("1.08", "EUR").Mul(3)
	require.NoError(t, err)
	assert.Equal(t, "3.24", p.Amount())
	n, err := MustParse("1.08", "EUR").Mul(-3)
	require.NoError(t, err)
	assert.Equal(t, "-3.24", n.Amount())

	// Vendure#3003: 10 % off applied once on the line, not per unit.
	line, _ := MustParse("11.11", "EUR").Mul(111) // 1233.21
	off, err := line.MulRate(MustPercent("10"), HalfEven)
	require.NoError(t, err)
	net, _ := line.Sub(off)
	assert.Equal(t, "1109.89", net.Amount())

	c, _ := MustParse("1", "EUR").Cmp(MustParse("2", "EUR"))
	assert.Equal(t, -1, c)
	lo, _ := MustParse("3", "EUR").Min(MustParse("2", "EUR"))
	assert.Equal(t, "2.00", lo.Amount())
	assert.Equal(t, 1, MustParse("2", "EUR").Sign())
	assert.True(t, MustParse("-2", "EUR").IsNegative())
	assert.Equal(t, "2.00 EUR", MustParse("-2", "EUR").Abs().String())
}

func TestCurrencyExponents(t *testing.T) {
	for code, exp := range map[string]int{"JPY": 0, "EUR": 2, "KWD": 3, "BHD": 3, "JOD": 3, "CLF": 4, "USD": 2, "CHF": 2, "XCG": 2} {
		c, err := LookupCurrency(code)
		require.NoError(t, err, code)
		assert.Equal(t, exp, c.Exponent(), code)
	}
	inc, ok := MustCurrency("CHF").CashIncrement()
	require.True(t, ok)
	assert.Equal(t, "0.05 CHF", inc.String())
	_, ok = MustCurrency("EUR").CashIncrement()
	assert.False(t, ok)
}

func TestCurrencyJSONAndDecimal(t *testing.T) {
	m := MustParse("-161.92", "EUR")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"-161.92","currency":"EUR"}`, string(b))
	var back Money
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, back)
	assert.True(t, m.Decimal().Equal(decimal.RequireFromString("-161.92")))
	assert.Equal(t, "-161.92", m.Decimal().String())

	for _, bad := range []string{`{"amount":12.5,"currency":"EUR"}`, `{"amount":"12.5"}`, `{"amount":"12.505","currency":"EUR"}`,
		`{"amount":"1","currency":"EUR","x":1}`, `{"amount":"1","currency":"ZZZ"}`, `[]`, `{"amount":"1","currency":"EUR"} {}`, `{"amount":null,"currency":"EUR"}`} {
		orig := MustParse("1.00", "USD")
		v := orig
		err := json.Unmarshal([]byte(bad), &v)
		assert.Error(t, err, bad)
		assert.Equal(t, orig, v, "a failed decode must not change the value: %s", bad)
	}
	null, err := json.Marshal(Money{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(null), "the zero Money means not set")
}

func TestRates(t *testing.T) {
	r, err := ParsePercent("19")
	require.NoError(t, err)
	assert.Equal(t, MustRate("0.19"), r)
	assert.Equal(t, MustRate("0.190"), r)
	assert.Equal(t, "19", r.Percent())
	assert.Equal(t, "0.055", MustPercent("5.5").String())
	_, err = ParsePercent("-5")
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = ParseRate("0.0000000000000000001")
	assert.ErrorIs(t, err, ErrInvalid)
	d, err := RateFromDecimal(decimal.RequireFromString("0.2000"))
	require.NoError(t, err)
	assert.Equal(t, MustRate("0.2"), d)
	assert.Equal(t, 1, MustPercent("20").Cmp(MustPercent("19.99")))
	assert.True(t, MustPercent("100").AtMostOne())
	assert.False(t, MustPercent("100.01").AtMostOne())
	tax, err := MustParse("3.24", "EUR").MulRate(r, HalfEven)
	require.NoError(t, err)
	assert.Equal(t, "0.62", tax.Amount())
}

func TestErrorsAreTyped(t *testing.T) {
	_, err := NewPriceBook([]Price{{ListID: "", SKU: "x"}})
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "prices[0].ListID", ie.Field)
	assert.True(t, errors.Is(err, ErrInvalid))
}
