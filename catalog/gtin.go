package catalog

import "strings"

// GTIN is a GS1 Global Trade Item Number, held in its 14-digit form so
// that the same item keys the same way however it was printed: the EAN-13
// 4006381333931 and the GTIN-14 04006381333931 are one GTIN, as are the
// UPC-A 036000291452 and the EAN-13 0036000291452. It is comparable (a map
// key); the zero GTIN is no item. Build one with [ParseGTIN].
type GTIN struct {
	d string // 14 digits, the last a valid check digit; "" for the zero GTIN
}

// ParseGTIN reads a GTIN-8, GTIN-12 (UPC-A), GTIN-13 (EAN-13) or GTIN-14:
// digits only (no spaces or dashes: a scanner sends digits, and a typed
// code is cleaned by the till), with a valid GS1 mod-10 check digit. A
// refused code is a [*BarcodeError] naming the rule it broke.
func ParseGTIN(code string) (GTIN, error) {
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return GTIN{}, badCode(code, RuleDigits, "byte %d is %q", i, code[i])
		}
	}
	n := len(code)
	if n != 8 && n != 12 && n != 13 && n != 14 {
		return GTIN{}, badCode(code, RuleLength, "%d digits", n)
	}
	if want := checkDigit(code[:n-1]); code[n-1] != want {
		return GTIN{}, badCode(code, RuleCheckDigit, "ends in %c, the check digit is %c", code[n-1], want)
	}
	return GTIN{d: strings.Repeat("0", 14-n) + code}, nil
}

// MustGTIN is ParseGTIN for codes known to be valid (fixtures, examples);
// it panics on a bad code.
func MustGTIN(code string) GTIN {
	g, err := ParseGTIN(code)
	if err != nil {
		panic(err)
	}
	return g
}

// String returns the 14-digit form, the lookup key ("" for the zero GTIN).
func (g GTIN) String() string { return g.d }

// IsZero reports whether g is the zero GTIN (no item).
func (g GTIN) IsZero() bool { return g.d == "" }

// MarshalText encodes the GTIN in its 14-digit form.
func (g GTIN) MarshalText() ([]byte, error) { return []byte(g.d), nil }

// UnmarshalText reads a GTIN in any of its lengths ([ParseGTIN]).
func (g *GTIN) UnmarshalText(b []byte) error {
	v, err := ParseGTIN(string(b))
	if err == nil {
		*g = v
	}
	return err
}

// checkDigit is the GS1 mod-10 check digit of body: weights 3 and 1
// alternating from the rightmost digit of the body, and the digit that
// brings the sum to a multiple of ten.
func checkDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}
