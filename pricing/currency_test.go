package pricing

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/internal/iso4217"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCurrenciesAgainstISOList checks the built-in table against the
// standard's list (testdata, 2024-06-25 publication): every spendable code
// is known with the published exponent, every unit of account (N.A.) is
// refused, and the only codes beyond the list are documented amendments.
func TestCurrenciesAgainstISOList(t *testing.T) {
	f, err := os.Open("../internal/iso4217/testdata/iso4217-list-one.tsv")
	require.NoError(t, err)
	defer f.Close()
	listed := map[string]bool{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		code, units, ok := strings.Cut(line, "\t")
		require.True(t, ok, line)
		listed[code] = true
		c, err := LookupCurrency(code)
		if units == "N.A." {
			assert.ErrorIs(t, err, ErrUnknownCurrency, "%s is a unit of account", code)
			continue
		}
		require.NoError(t, err, code)
		want, _ := strconv.Atoi(units)
		assert.Equal(t, want, c.Exponent(), code)
	}
	require.NoError(t, s.Err())
	amendments := map[string]bool{"XCG": true}
	all := Currencies()
	assert.GreaterOrEqual(t, len(all), 160)
	for i, c := range all {
		if i > 0 {
			assert.Less(t, all[i-1].Code(), c.Code(), "sorted")
		}
		assert.True(t, listed[c.Code()] || amendments[c.Code()], "%s is neither in the list nor a documented amendment", c.Code())
	}
}

// TestCurrenciesAreTheSharedTable: pricing's currencies are exactly the
// table channel validates against, with the same exponents and cash steps.
func TestCurrenciesAreTheSharedTable(t *testing.T) {
	codes := iso4217.Codes()
	all := Currencies()
	require.Len(t, all, len(codes))
	for i, c := range all {
		exp, ok := iso4217.Exponent(codes[i])
		require.True(t, ok)
		assert.Equal(t, codes[i], c.Code())
		assert.Equal(t, int(exp), c.Exponent(), c.Code())
		inc, cash := c.CashIncrement()
		assert.Equal(t, iso4217.CashIncrement(c.Code()) != 0, cash, c.Code())
		assert.Equal(t, iso4217.CashIncrement(c.Code()), inc.MinorUnits(), c.Code())
	}
}

// TestErrorsQuoteAnExcerpt: an error quotes at most a short escaped
// excerpt of a hostile input, with its length, never the whole of it
// (LookupCurrency used to quote a 10 MB code whole).
func TestErrorsQuoteAnExcerpt(t *testing.T) {
	const size = 10 << 20
	for _, tt := range []struct {
		name string
		err  func(s string) error
		kind error
	}{
		{"LookupCurrency", func(s string) error { _, err := LookupCurrency(s); return err }, ErrUnknownCurrency},
		{"Parse", func(s string) error { _, err := Parse(s, "EUR"); return err }, ErrSyntax},
		{"ParsePercent", func(s string) error { _, err := ParsePercent(s); return err }, ErrSyntax},
	} {
		for _, cell := range []string{strings.Repeat("x", size), strings.Repeat("\x00", size)} {
			err := tt.err(cell)
			require.ErrorIs(t, err, tt.kind, tt.name)
			assert.Less(t, len(err.Error()), 160, tt.name)
			assert.Contains(t, err.Error(), "(10485760 bytes)", tt.name)
		}
	}
	_, err := Parse("12.345", "EUR")
	assert.EqualError(t, err, `pricing: more decimals than the currency allows: "12.345" has more than 2 decimals for EUR`, "short values are quoted whole")
}
