package excerpt_test

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnibasket/omnibasket/internal/excerpt"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"EUR", `"EUR"`},
		{strings.Repeat("a", 32), `"` + strings.Repeat("a", 32) + `"`},
		{strings.Repeat("a", 33), `"` + strings.Repeat("a", 32) + `"… (33 bytes)`},
		{"\x00\x00", `"\x00\x00"`},
		{strings.Repeat("\x00", 10<<20), `"` + strings.Repeat(`\x00`, 12) + `"… (10485760 bytes)`},
		{strings.Repeat("é", 40), `"` + strings.Repeat("é", 24) + `"… (80 bytes)`},
	} {
		got := excerpt.Quote(tc.in)
		if got != tc.want {
			t.Errorf("Quote(%d bytes) = %s, want %s", len(tc.in), got, tc.want)
		}
		if !utf8.ValidString(got) || len(got) > excerpt.MaxBytes+2+len("… (10485760 bytes)")+2 {
			t.Errorf("Quote(%d bytes) = %d bytes: not a short, valid excerpt", len(tc.in), len(got))
		}
	}
}

func Example() {
	fmt.Println(excerpt.Quote(strings.Repeat("x", 1<<20)))
	// Output: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (1048576 bytes)
}
