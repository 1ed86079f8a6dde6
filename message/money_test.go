package message_test

import (
	"math"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The exact characters: French groups thousands with U+202F (narrow
// no-break space) and puts U+00A0 (no-break space) before the symbol;
// English puts the symbol first, and U+00A0 after a symbol ending in a
// letter. Both write a negative amount with "-" in front of everything.
const (
	nnbsp = "\u202f"
	nbsp  = "\u00a0"
)

func TestMoneyForTheLocale(t *testing.T) {
	cat, err := message.New()
	require.NoError(t, err)
	code, err := message.New(message.WithFormat("en", message.CodeFormat()))
	require.NoError(t, err)
	cases := []struct {
		amount, currency string
		fr, en, code     string
	}{
		{"1234.50", "EUR", "1" + nnbsp + "234,50" + nbsp + "€", "€1,234.50", "1234.50 EUR"},
		{"-1234.50", "EUR", "-1" + nnbsp + "234,50" + nbsp + "€", "-€1,234.50", "-1234.50 EUR"},
		{"0.05", "EUR", "0,05" + nbsp + "€", "€0.05", "0.05 EUR"},
		{"-0.01", "EUR", "-0,01" + nbsp + "€", "-€0.01", "-0.01 EUR"},
		{"0.00", "EUR", "0,00" + nbsp + "€", "€0.00", "0.00 EUR"},
		{"999.99", "EUR", "999,99" + nbsp + "€", "€999.99", "999.99 EUR"},
		{"1234567.89", "EUR", "1" + nnbsp + "234" + nnbsp + "567,89" + nbsp + "€", "€1,234,567.89", "1234567.89 EUR"},
		{"92233720368547758.07", "EUR", "92" + nnbsp + "233" + nnbsp + "720" + nnbsp + "368" + nnbsp + "547" + nnbsp + "758,07" + nbsp + "€",
			"€92,233,720,368,547,758.07", "92233720368547758.07 EUR"},
		{"1234.50", "USD", "1" + nnbsp + "234,50" + nbsp + "$US", "$1,234.50", "1234.50 USD"},
		{"1234.50", "GBP", "1" + nnbsp + "234,50" + nbsp + "£GB", "£1,234.50", "1234.50 GBP"},
		{"1234.55", "CHF", "1" + nnbsp + "234,55" + nbsp + "CHF", "CHF" + nbsp + "1,234.55", "1234.55 CHF"},
		{"-0.05", "CHF", "-0,05" + nbsp + "CHF", "-CHF" + nbsp + "0.05", "-0.05 CHF"},
		{"1235", "JPY", "1" + nnbsp + "235" + nbsp + "JPY", "¥1,235", "1235 JPY"},
		{"-5", "JPY", "-5" + nbsp + "JPY", "-¥5", "-5 JPY"},
		{"1234.567", "KWD", "1" + nnbsp + "234,567" + nbsp + "KWD", "KWD" + nbsp + "1,234.567", "1234.567 KWD"},
		{"0.005", "BHD", "0,005" + nbsp + "BHD", "BHD" + nbsp + "0.005", "0.005 BHD"},
		{"1234.50", "CAD", "1" + nnbsp + "234,50" + nbsp + "$CA", "CA$1,234.50", "1234.50 CAD"},
	}
	for _, c := range cases {
		m := pricing.MustParse(c.amount, c.currency)
		assert.Equal(t, c.fr, cat.Printer("fr-FR").Money(m), "fr-FR %s %s", c.amount, c.currency)
		assert.Equal(t, c.en, cat.Printer("en-US").Money(m), "en-US %s %s", c.amount, c.currency)
		assert.Equal(t, c.code, code.Printer("en").Money(m), "code %s %s", c.amount, c.currency)
		assert.Equal(t, m.String(), code.Printer("en").Money(m), "CodeFormat is Money.String")
	}
	eur := pricing.MustParse("1234.50", "EUR")
	assert.Equal(t, "1"+nnbsp+"234,50"+nbsp+"€", cat.Printer("fr-CA").Money(eur), "fr-CA has no format of its own: French")
	assert.Equal(t, "€1,234.50", cat.Printer("de-DE").Money(eur), "an unknown language: English")
	assert.Equal(t, "€1,234.50", cat.Printer("").Money(eur), "no locale: English")
	assert.Equal(t, "?", cat.Printer("fr").Money(pricing.Money{}), "the zero Money has no currency")
}

// A retailer's format: German, with its own separators and no symbol for
// the Swiss franc.
func TestMoneyWithARetailersFormat(t *testing.T) {
	cat, err := message.New(message.WithFormat("de", message.Format{Decimal: ",", Group: ".", Space: nbsp, Symbols: map[string]string{"EUR": "€"}}),
		message.WithFormat("de-CH", message.Format{Decimal: ".", Group: "’", SymbolFirst: true, Space: " "}))
	require.NoError(t, err)
	assert.Equal(t, "1.234,50"+nbsp+"€", cat.Printer("de-DE").Money(pricing.MustParse("1234.50", "EUR")))
	assert.Equal(t, "-1.234,50"+nbsp+"CHF", cat.Printer("de-AT").Money(pricing.MustParse("-1234.50", "CHF")))
	assert.Equal(t, "CHF 1’234.55", cat.Printer("de-CH").Money(pricing.MustParse("1234.55", "CHF")))
}

// Property: the digits are never touched. Taking the symbol, the grouping
// and the spaces away and reading the decimal separator as "." gives back
// Money.Amount, in every shipped format and for every currency.
func TestMoneyDigitsRoundTrip(t *testing.T) {
	cat, err := message.New()
	require.NoError(t, err)
	code, err := message.New(message.WithFormat("en", message.CodeFormat()))
	require.NoError(t, err)
	printers := map[string]*message.Printer{"fr": cat.Printer("fr"), "en": cat.Printer("en"), "code": code.Printer("en")}
	formats := map[string]struct{ decimal, group string }{"fr": {",", nnbsp}, "en": {".", ","}, "code": {".", ""}}
	currencies := pricing.Currencies()
	rapid.Check(t, func(t *rapid.T) {
		cur := rapid.SampledFrom(currencies).Draw(t, "currency")
		units := rapid.OneOf(rapid.Int64Range(-1_000_000, 1_000_000), rapid.Int64Range(-math.MaxInt64, math.MaxInt64)).Draw(t, "units")
		m, err := pricing.FromMinor(units, cur)
		if err != nil {
			t.Fatal(err)
		}
		name := rapid.SampledFrom([]string{"fr", "en", "code"}).Draw(t, "format")
		s := printers[name].Money(m)
		f := formats[name]
		sym := strings.TrimFunc(s, func(r rune) bool {
			return r == '-' || r >= '0' && r <= '9' || strings.ContainsRune(f.decimal+f.group, r)
		})
		if f.group != "" {
			s = strings.ReplaceAll(s, f.group, "")
		}
		s = strings.NewReplacer(sym, "", nbsp, "", " ", "").Replace(s)
		if f.decimal != "." {
			s = strings.Replace(s, f.decimal, ".", 1)
		}
		if s != m.Amount() {
			t.Fatalf("%s: %q reads back as %q, want %q (symbol %q)", name, printers[name].Money(m), s, m.Amount(), sym)
		}
		if groups := strings.Split(strings.TrimLeft(printers[name].Money(m), "-"), f.group); f.group != "" && len(groups) > 1 {
			for _, g := range groups[1 : len(groups)-1] {
				if len(g) != 3 {
					t.Fatalf("%s: group %q of %q is not three digits", name, g, printers[name].Money(m))
				}
			}
		}
	})
}
