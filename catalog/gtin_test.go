package catalog_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/catalog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestParseGTIN(t *testing.T) {
	for _, tc := range []struct {
		name, code, key string
	}{
		{"EAN-8", "96385074", "00000096385074"},
		{"EAN-8 (another)", "73513537", "00000073513537"},
		{"UPC-A", "036000291452", "00036000291452"},
		{"UPC-A (tissues)", "036000241457", "00036000241457"},
		{"EAN-13", "4006381333931", "04006381333931"},
		{"EAN-13 (GS1 Poland)", "5901234123457", "05901234123457"},
		{"EAN-13 (ISBN)", "9780306406157", "09780306406157"},
		{"EAN-13 of a UPC-A", "0036000291452", "00036000291452"},
		{"GTIN-14 case", "10614141000415", "10614141000415"},
		{"GTIN-14 of an EAN-13", "04006381333931", "04006381333931"},
		{"GTIN-14 of an EAN-8", "00000096385074", "00000096385074"},
		{"in-store number", "2112345000008", "02112345000008"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := catalog.ParseGTIN(tc.code)
			require.NoError(t, err)
			assert.Equal(t, tc.key, g.String())
			assert.False(t, g.IsZero())
			again, err := catalog.ParseGTIN(g.String())
			require.NoError(t, err)
			assert.Equal(t, g, again, "the 14-digit form is the same GTIN")
		})
	}
}

func TestParseGTINRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, code string
		rule       catalog.BarcodeRule
	}{
		{"empty", "", catalog.RuleLength},
		{"EAN-8 wrong check", "96385075", catalog.RuleCheckDigit},
		{"UPC-A wrong check", "036000291453", catalog.RuleCheckDigit},
		{"EAN-13 wrong check", "4006381333932", catalog.RuleCheckDigit},
		{"GTIN-14 wrong check", "10614141000416", catalog.RuleCheckDigit},
		{"two digits swapped", "4006381339331", catalog.RuleCheckDigit},
		{"11 digits", "03600029145", catalog.RuleLength},
		{"7 digits", "9638507", catalog.RuleLength},
		{"15 digits", "004006381333931", catalog.RuleLength},
		{"spaces", "4006381 333931", catalog.RuleDigits},
		{"dash", "400-6381333931", catalog.RuleDigits},
		{"letter O for zero", "4OO6381333931", catalog.RuleDigits},
		{"Arabic-Indic digits", "٤٠٠٦٣٨١٣٣٣٩٣١", catalog.RuleDigits},
		{"trailing newline from a scanner", "4006381333931\n", catalog.RuleDigits},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := catalog.ParseGTIN(tc.code)
			assert.True(t, g.IsZero())
			require.ErrorIs(t, err, catalog.ErrInvalidBarcode)
			var be *catalog.BarcodeError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.rule, be.Rule, be.Error())
			assert.Contains(t, err.Error(), tc.rule.String())
		})
	}
}

func TestGTINText(t *testing.T) {
	type row struct {
		Barcodes []catalog.GTIN `json:"barcodes"`
	}
	var r row
	require.NoError(t, json.Unmarshal([]byte(`{"barcodes":["036000291452","96385074"]}`), &r))
	assert.Equal(t, []catalog.GTIN{catalog.MustGTIN("0036000291452"), catalog.MustGTIN("00000096385074")}, r.Barcodes)
	out, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"barcodes":["00036000291452","00000096385074"]}`, string(out))
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"barcodes":["036000291453"]}`), &r), catalog.ErrInvalidBarcode)
	assert.Panics(t, func() { catalog.MustGTIN("12") })
}

// genGTIN draws a valid GTIN in one of its printed lengths: a random body
// completed with the check digit that makes it valid (the one digit
// ParseGTIN accepts).
func genGTIN(t *rapid.T) string {
	n := rapid.SampledFrom([]int{8, 12, 13, 14}).Draw(t, "length")
	body := rapid.StringMatching("[0-9]{"+strconv.Itoa(n-1)+"}").Draw(t, "body")
	for c := '0'; c <= '9'; c++ {
		if _, err := catalog.ParseGTIN(body + string(c)); err == nil {
			return body + string(c)
		}
	}
	t.Fatalf("no check digit makes %s valid", body)
	return ""
}

// Exactly one check digit completes any body, and the GTIN's key is the
// code left-padded to 14 digits.
func TestGTINProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.SampledFrom([]int{8, 12, 13, 14}).Draw(t, "length")
		body := rapid.StringMatching("[0-9]{"+strconv.Itoa(n-1)+"}").Draw(t, "body")
		valid := 0
		for c := '0'; c <= '9'; c++ {
			g, err := catalog.ParseGTIN(body + string(c))
			if err == nil {
				valid++
				if g.String() != strings.Repeat("0", 14-n)+body+string(c) {
					t.Fatalf("%s%c keys as %s", body, c, g)
				}
			}
		}
		if valid != 1 {
			t.Fatalf("%d check digits complete %s, want exactly 1", valid, body)
		}
	})
}

// Any single-digit change to a valid GTIN is refused: a misread digit
// never names another item.
func TestGTINSingleDigitChangeRefused(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		code := genGTIN(t)
		i := rapid.IntRange(0, len(code)-1).Draw(t, "position")
		d := byte(rapid.IntRange(0, 9).Filter(func(d int) bool { return byte('0'+d) != code[i] }).Draw(t, "digit"))
		changed := code[:i] + string('0'+d) + code[i+1:]
		_, err := catalog.ParseGTIN(changed)
		var be *catalog.BarcodeError
		if !assert.ErrorAs(t, err, &be) || be.Rule != catalog.RuleCheckDigit {
			t.Fatalf("%s (from %s) was not refused on its check digit: %v", changed, code, err)
		}
	})
}
