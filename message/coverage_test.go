package message

import (
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/promotion"
)

// The enumerations are walked from their first value to the last one
// that has a name, so a kind, reason or status added to basket or
// promotion without a sentence in every shipped language fails here.
func TestEverySentenceIsShipped(t *testing.T) {
	cat, err := New()
	if err != nil {
		t.Fatal(err)
	}
	// The languages this package ships: each must say everything in its
	// own words, not by falling back.
	shipped := []string{"en", "fr"}
	seen := map[string]bool{}
	has := func(what, key string) {
		t.Helper()
		for _, tag := range shipped {
			if cat.langs[tag].sentences[key] == nil && !seen[tag+key] {
				seen[tag+key] = true
				t.Errorf("%s: %s has no sentence %q", what, tag, key)
			}
		}
	}
	kinds := 0
	for k := basket.ChangeKind(1); !strings.HasPrefix(k.String(), "change("); k++ {
		kinds++
		for _, detail := range []string{"", "some detail"} {
			c := basket.Change{Kind: k, Detail: detail}
			has(k.String(), changeKey(c))
			for _, tag := range shipped {
				if got := cat.Printer(tag).Change(c); got == k.String() {
					t.Errorf("%s: %s is said by its name", tag, k)
				}
			}
		}
	}
	if kinds < int(basket.ChangeTotal) {
		t.Errorf("walked %d change kinds, the last is %d", kinds, basket.ChangeTotal)
	}
	for m := channel.CarryOut; m.Valid(); m++ {
		has(m.String(), "mode."+m.String())
	}
	for s := promotion.Status(1); !strings.HasPrefix(s.String(), "status("); s++ {
		for r := promotion.ReasonNone; !strings.HasPrefix(r.String(), "reason("); r++ {
			for _, lane := range []promotion.Lane{promotion.Catalogue, promotion.Fulfilment} {
				for _, gap := range []*promotion.Gap{nil, {Quantity: 1}, {Quantity: 2, SKU: "A"}, {Quantity: 1, Category: "c"}, {Quantity: 3, Category: "c"}} {
					e := promotion.Explanation{Status: s, Reason: r, Lane: lane, Gap: gap}
					has(s.String()+" "+r.String(), explanationKey(e))
				}
			}
		}
	}
	for s := promotion.CouponStatus(1); !strings.HasPrefix(s.String(), "coupon-status("); s++ {
		has(s.String(), "coupon."+s.String())
		if s != promotion.CouponUnknown {
			has(s.String(), "coupon."+s.String()+variantExplained)
		}
	}
}

// Every built-in sentence is for a key, and every key has its English.
func TestBuiltInsMatchTheKeys(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range Keys() {
		keys[k.Name] = true
	}
	for tag, sentences := range map[string]map[string]string{"en": english(), "fr": french()} {
		for k := range sentences {
			if !keys[k] {
				t.Errorf("%s has a sentence for %q, which is no key", tag, k)
			}
		}
		if len(sentences) != len(keys) {
			t.Errorf("%s has %d sentences for %d keys", tag, len(sentences), len(keys))
		}
	}
}
