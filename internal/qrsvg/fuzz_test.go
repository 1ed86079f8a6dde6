package qrsvg_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/internal/qrsvg"
)

// FuzzEncode draws any text with any title: within the limits the
// document is well-formed and holds the library's symbol; outside them
// the refusal is an InputError of the right kind, never a fault of the
// encoder or a panic.
func FuzzEncode(f *testing.F) {
	for _, c := range examples {
		f.Add(c.text, "")
	}
	f.Add("x", `</title><script>alert(1)</script>`)
	f.Add("\x00\xff\xfe", "a\x00b\xffc")
	f.Add("", "t")
	f.Add(strings.Repeat("9", qrsvg.MaxTextBytes), strings.Repeat("é", qrsvg.MaxTitleBytes/2))
	f.Add(strings.Repeat("A", qrsvg.MaxTextBytes+1), "")
	f.Fuzz(func(t *testing.T, text, title string) {
		svg, err := qrsvg.Encode(text, qrsvg.WithTitle(title))
		valid := text != "" && len(text) <= qrsvg.MaxTextBytes && len(title) <= qrsvg.MaxTitleBytes
		if !valid {
			var in *qrsvg.InputError
			if !errors.As(err, &in) || (!errors.Is(err, qrsvg.ErrEmpty) && !errors.Is(err, qrsvg.ErrTooLong)) || svg != nil {
				t.Fatalf("text of %d bytes, title of %d: want an InputError, got %v", len(text), len(title), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("text %q, title %q: %v", text, title, err)
		}
		_, drawn := readSVG(t, svg)
		requireSameSymbol(t, librarySymbol(t, text), drawn)
	})
}
