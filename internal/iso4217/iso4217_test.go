package iso4217_test

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/internal/iso4217"
)

// amendments are the codes beyond the 2024-06-25 publication, each with
// the amendment that introduced it.
var amendments = map[string]string{"XCG": "amendment 176 (2025): Caribbean guilder"}

// TestTableAgainstISOList checks the table against the standard's list one
// (testdata): every spendable code is known with the published exponent,
// every unit of account (N.A.) is unknown, and every known code is either
// listed or a documented amendment.
func TestTableAgainstISOList(t *testing.T) {
	f, err := os.Open("testdata/iso4217-list-one.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		code, units, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("malformed line %q", line)
		}
		listed[code] = true
		exp, known := iso4217.Exponent(code)
		if units == "N.A." {
			if known || iso4217.Known(code) {
				t.Errorf("%s is a unit of account, but the table knows it", code)
			}
			continue
		}
		want, err := strconv.Atoi(units)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if !known || int(exp) != want || !iso4217.Known(code) {
			t.Errorf("%s: exponent %d, %t; the list says %d", code, exp, known, want)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	codes := iso4217.Codes()
	if len(codes) < 160 || !slices.IsSorted(codes) || len(slices.Compact(slices.Clone(codes))) != len(codes) {
		t.Fatalf("Codes is not a sorted set of at least 160 codes: %v", codes)
	}
	for _, c := range codes {
		if _, ok := iso4217.Exponent(c); !ok {
			t.Errorf("Codes lists %s, Exponent does not know it", c)
		}
		if !listed[c] && amendments[c] == "" {
			t.Errorf("%s is neither in the list nor a documented amendment", c)
		}
	}
	for c := range amendments {
		if !iso4217.Known(c) {
			t.Errorf("amendment %s is missing", c)
		}
	}
	codes[0] = "changed"
	if iso4217.Codes()[0] == "changed" {
		t.Fatal("Codes shares its slice")
	}
}

func TestKnownRefusesNonCodes(t *testing.T) {
	for _, code := range []string{"", "XYZ", "eur", "EURO", "EU", "XAU", "XDR", "XTS", "XXX", "\x00\x00\x00"} {
		if iso4217.Known(code) {
			t.Errorf("Known(%q) = true", code)
		}
	}
}

func TestCashIncrement(t *testing.T) {
	tests := []struct {
		code string
		want int64
	}{
		{"CHF", 5}, {"DKK", 50}, {"SEK", 100}, {"HUF", 500}, {"EUR", 0}, {"JPY", 0}, {"XYZ", 0},
	}
	for _, tt := range tests {
		if got := iso4217.CashIncrement(tt.code); got != tt.want {
			t.Errorf("CashIncrement(%s) = %d, want %d", tt.code, got, tt.want)
		}
	}
	for _, c := range iso4217.Codes() {
		if inc := iso4217.CashIncrement(c); inc < 0 {
			t.Errorf("%s: negative increment %d", c, inc)
		}
	}
}
