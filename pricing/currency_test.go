package pricing

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCurrenciesAgainstISOList checks the built-in table against the
// standard's list (testdata, 2024-06-25 publication): every spendable code
// is known with the published exponent, every unit of account (N.A.) is
// refused, and the only codes beyond the list are documented amendments.
func TestCurrenciesAgainstISOList(t *testing.T) {
	f, err := os.Open("testdata/iso4217-list-one.tsv")
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
