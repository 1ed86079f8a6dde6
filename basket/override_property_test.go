package basket_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"pgregory.net/rapid"
)

// drawOverrides draws overrides (a set price, an amount or a percentage
// off, any carry policy) for some lines of b, granted where b is.
func drawOverrides(t *rapid.T, b *basket.Basket) []basket.Override {
	var out []basket.Override
	for _, l := range b.Lines {
		if !rapid.Bool().Draw(t, "override "+l.ID) {
			continue
		}
		var terms basket.OverrideTerms
		switch rapid.IntRange(0, 2).Draw(t, "terms") {
		case 0:
			p, err := pricing.FromMinor(rapid.Int64Range(0, 30000).Draw(t, "price"), pricing.MustCurrency("EUR"))
			if err != nil {
				t.Fatal(err)
			}
			terms = basket.SetPrice(p)
		case 1:
			a, err := pricing.FromMinor(rapid.Int64Range(1, 200000).Draw(t, "off"), pricing.MustCurrency("EUR"))
			if err != nil {
				t.Fatal(err)
			}
			terms = basket.AmountOff(a)
		default:
			terms = basket.PercentOff(pricing.MustPercent(rapid.SampledFrom([]string{"0.5", "5", "12.5", "33", "99.99", "100"}).Draw(t, "percent")))
		}
		out = append(out, basket.Override{LineID: l.ID, Terms: terms, Reason: "GOODWILL", GrantedBy: "staff-17", Role: "associate",
			LocationID: b.Context.LocationID, Carry: basket.OverrideCarry(rapid.IntRange(0, 1).Draw(t, "carry"))})
	}
	return out
}

func grant(t *rapid.T, b *basket.Basket, overrides []basket.Override) {
	m := basket.Meta{Actor: clerk, At: demo.Start().Add(time.Minute)}
	for _, o := range overrides {
		if _, err := b.OverridePrice(m, o); err != nil {
			t.Fatal(err)
		}
	}
}

// With random overrides on top of the retailer's promotions, in any
// channel: totals are exact, nothing is negative, each line's adjustments
// are its discount, and each override took off between nothing and the
// line's subtotal without it.
func TestOverrideMoneyInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		record(t, b, recontextualize(t, b, b.Context, snapshot(t, b.Context), basket.Options{}))
		grant(t, b, drawOverrides(t, b))
		target := drawContext(t, "target", demo.Start().Add(time.Hour))
		r := recontextualize(t, b, target, snapshot(t, target), drawOptions(t))
		checkInvariants(t, r)
		for _, a := range r.Overrides {
			if a.Amount.IsNegative() || a.Amount.MinorUnits() > a.Base.MinorUnits() {
				t.Fatalf("override on %s took %s off a line of %s", a.LineID, a.Amount, a.Base)
			}
			if a.Carry == basket.EndOnLeave && a.LocationID != target.LocationID {
				t.Fatalf("override on %s applied away from %q", a.LineID, a.LocationID)
			}
			l, _ := r.Line(a.LineID)
			if a.Terms.Price != nil && l.UnitPrice != *a.Terms.Price {
				t.Fatalf("line %s charged %s, set to %s", a.LineID, l.UnitPrice, *a.Terms.Price)
			}
		}
	})
}

// The order in which overrides were granted does not matter, nor does the
// order of the promotions they sit among; pricing again in the same
// context reports nothing new.
func TestOverrideOrderIndependence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		record(t, b, recontextualize(t, b, b.Context, snapshot(t, b.Context), basket.Options{}))
		overrides := drawOverrides(t, b)
		shuffled := b.Clone()
		grant(t, b, overrides)
		grant(t, shuffled, rapid.Permutation(overrides).Draw(t, "grant order"))
		target := drawContext(t, "target", demo.Start().Add(time.Hour))
		opts := drawOptions(t)
		want := recontextualize(t, b, target, snapshot(t, target), opts)
		got := recontextualize(t, shuffled, target, snapshot(t, target), opts)
		if w, g := jsonOf(t, want), jsonOf(t, got); !bytes.Equal(w, g) {
			t.Fatalf("results differ with the grant order:\n%s\n%s", w, g)
		}
		record(t, b, want)
		again := recontextualize(t, b, target, snapshot(t, target), opts)
		if len(again.Changes) != 0 {
			t.Fatalf("pricing again reported %v", changeKinds(again.Changes))
		}
	})
}
