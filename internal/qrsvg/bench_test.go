package qrsvg_test

import (
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/internal/qrsvg"
)

// BenchmarkEncode: a location tag's URL (what a page asks for) and the
// longest text allowed.
func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"tag URL", examples[0].text},
		{"longest", strings.Repeat("z", qrsvg.MaxTextBytes)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := qrsvg.Encode(c.text); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
