package message_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/message"
)

// FuzzSentences feeds a retailer's locale and template to New: either it
// is refused with a typed error, or the catalogue says the template
// exactly, placeholders filled and escaped braces unescaped, in that
// locale.
func FuzzSentences(f *testing.F) {
	f.Add("fr-CA", "{name} : quantité {new} (au lieu de {old})")
	f.Add("de", "Summe {neu}")
	f.Add("fr--CA", "{{x}}")
	f.Add("en-US-u-ca-gregory", "}{")
	f.Add("zh_hant_tw", "{{{name}}}")
	f.Add("x-private", "{sku}{line}")
	f.Fuzz(func(t *testing.T, locale, tmpl string) {
		cat, err := message.New(message.WithSentences(locale, map[string]string{"change.quantity-changed": tmpl}))
		if err != nil {
			var ie *message.InputError
			if !errors.As(err, &ie) || !errors.Is(err, message.ErrInvalid) || !errors.Is(err, ie.Kind) {
				t.Fatalf("New(%q, %q): untyped error %v", locale, tmpl, err)
			}
			return
		}
		c := basket.Change{Kind: basket.ChangeQuantity, LineID: "L1", SKU: "S", Name: "N", OldQuantity: 1, Quantity: 2}
		got := cat.Printer(locale).Change(c)
		want := strings.NewReplacer("{{", "{", "}}", "}", "{name}", "N", "{sku}", "S", "{line}", "L1", "{old}", "1", "{new}", "2").Replace(tmpl)
		if got != want {
			t.Fatalf("locale %q template %q: said %q, want %q", locale, tmpl, got, want)
		}
	})
}
