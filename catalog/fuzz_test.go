package catalog_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/catalog"
)

// FuzzParseGTIN feeds ParseGTIN anything a scanner or a keyboard can send:
// it never panics, refuses with a *BarcodeError, and a code it accepts is
// digits whose 14-digit form is the code left-padded with zeros and parses
// to the same GTIN (an accepted code re-encodes to itself).
func FuzzParseGTIN(f *testing.F) {
	for _, s := range []string{"96385074", "036000291452", "4006381333931", "10614141000415", "4006381333932", "", "0", "4OO6381333931", "٤٠٠٦", "00000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		g, err := catalog.ParseGTIN(code)
		if err != nil {
			var be *catalog.BarcodeError
			if !errors.As(err, &be) || !errors.Is(err, catalog.ErrInvalidBarcode) || be.Rule < catalog.RuleDigits || be.Rule > catalog.RuleCheckDigit {
				t.Fatalf("ParseGTIN(%q) failed with %T %v", code, err, err)
			}
			return
		}
		if want := strings.Repeat("0", 14-len(code)) + code; g.String() != want {
			t.Fatalf("ParseGTIN(%q) = %s, want %s", code, g, want)
		}
		again, err := catalog.ParseGTIN(g.String())
		if err != nil || again != g {
			t.Fatalf("%s does not parse back to itself: %v", g, err)
		}
	})
}

// FuzzDecode feeds a decoder holding the test layouts (weights and prices,
// with and without value check digits) arbitrary codes: it never panics,
// refuses with a *BarcodeError, and a scan it returns encodes back to the
// code scanned, with a key that is a GTIN and carries no value.
func FuzzDecode(f *testing.F) {
	d, err := catalog.NewDecoder(storeLayouts...)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"2112345003474", "2801234004202", "2412345928754", "2412345828757", "2212346146856", "2512345019800", "2112345000008", "4006381333931", "212345678909", "02112345003474"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		s, err := d.Decode(code)
		if err != nil {
			var be *catalog.BarcodeError
			if !errors.As(err, &be) || !errors.Is(err, catalog.ErrInvalidBarcode) {
				t.Fatalf("Decode(%q) failed with %T %v", code, err, err)
			}
			return
		}
		if s.Code != catalog.MustGTIN(code) {
			t.Fatalf("Decode(%q).Code = %s", code, s.Code)
		}
		back, err := d.Encode(s)
		if err != nil || back != s.Code {
			t.Fatalf("Decode(%q) = %+v encodes back to %s (%v)", code, s, back, err)
		}
		key, err := d.Decode(s.Key.String())
		if s.Embeds == 0 {
			if s.Key != s.Code {
				t.Fatalf("a plain GTIN %s keys as %s", s.Code, s.Key)
			}
			return
		}
		// A key carries no value: it decodes as a zero weight or price.
		var be *catalog.BarcodeError
		if !errors.As(err, &be) || be.Rule != catalog.RuleZeroValue {
			t.Fatalf("key %s of %s decodes as %+v, %v; want a zero value", s.Key, code, key, err)
		}
	})
}
