package promotion

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// tb is what the helpers need from *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
}

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

func pct(s string) pricing.Rate { return pricing.MustPercent(s) }

func asOf() time.Time { return time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC) }

func webCtx() channel.Context {
	return channel.Context{ChannelID: "web-fr", Kind: channel.Web, Country: "FR", Currency: "EUR", AsOf: asOf()}
}

func storeCtx() channel.Context {
	return channel.Context{ChannelID: "store-paris", Kind: channel.Store, LocationID: "paris-01", Country: "FR", Currency: "EUR", AsOf: asOf()}
}

func ln(id, sku string, qty int64, unit string, cats ...string) Line {
	return Line{ID: id, SKU: sku, Categories: cats, Quantity: qty, UnitPrice: eur(unit)}
}

func cats(c ...string) Target { return Target{Categories: c} }
func skus(s ...string) Target { return Target{SKUs: s} }
func all() Target             { return Target{All: true} }

func mustCompile(t testing.TB, ps ...Promotion) *Set {
	t.Helper()
	s, err := Compile(ps)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

func mustEval(t testing.TB, s *Set, lines []Line, fees []Fee, ctx channel.Context, w Wallet) Evaluation {
	t.Helper()
	ev, err := s.Evaluate(lines, fees, ctx, w)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	checkInvariants(t, ev)
	return ev
}

// totals returns line ID → total amount text.
func totals(ev Evaluation) map[string]string {
	m := make(map[string]string, len(ev.Lines)+len(ev.Fees))
	for _, l := range ev.Lines {
		m[l.LineID] = l.Total.Amount()
	}
	for _, f := range ev.Fees {
		m[f.FeeID] = f.Total.Amount()
	}
	return m
}

func explanation(t testing.TB, ev Evaluation, id string) Explanation {
	t.Helper()
	for _, x := range ev.Explanations {
		if x.PromotionID == id {
			return x
		}
	}
	t.Fatalf("no explanation for %q in %+v", id, ev.Explanations)
	return Explanation{}
}

func hasExplanation(ev Evaluation, id string) bool {
	for _, x := range ev.Explanations {
		if x.PromotionID == id {
			return true
		}
	}
	return false
}

func mustJSON(t tb, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json: %v", err)
	}
	return string(b)
}

// checkInvariants checks the money invariants every evaluation must keep.
func checkInvariants(t tb, ev Evaluation) {
	t.Helper()
	cur := ev.Total.Currency()
	var subtotal, discount, total int64
	perPromo := map[string]int64{}
	check := func(what string, sub pricing.Money, adjs []Adjustment, tot pricing.Money) {
		if sub.Currency() != cur || tot.Currency() != cur {
			t.Fatalf("%s: currency %s/%s, want %s", what, sub.Currency(), tot.Currency(), cur)
		}
		if tot.IsNegative() {
			t.Fatalf("%s: negative total %s", what, tot)
		}
		run := sub.MinorUnits()
		for _, a := range adjs {
			if !a.Amount.IsPositive() || a.Amount.Currency() != cur {
				t.Fatalf("%s: adjustment %+v is not a positive %s amount", what, a, cur)
			}
			run -= a.Amount.MinorUnits()
			discount += a.Amount.MinorUnits()
			perPromo[a.PromotionID] += a.Amount.MinorUnits()
		}
		if run != tot.MinorUnits() {
			t.Fatalf("%s: subtotal %s − adjustments = %d, total %s", what, sub, run, tot)
		}
		subtotal += sub.MinorUnits()
		total += tot.MinorUnits()
	}
	for i, l := range ev.Lines {
		if i > 0 && ev.Lines[i-1].LineID >= l.LineID {
			t.Fatalf("lines not sorted by ID")
		}
		check("line "+l.LineID, l.Subtotal, l.Adjustments, l.Total)
	}
	for i, f := range ev.Fees {
		if i > 0 && ev.Fees[i-1].FeeID >= f.FeeID {
			t.Fatalf("fees not sorted by ID")
		}
		check("fee "+f.FeeID, f.Amount, f.Adjustments, f.Total)
	}
	if subtotal != ev.Subtotal.MinorUnits() || discount != ev.Discount.MinorUnits() || total != ev.Total.MinorUnits() {
		t.Fatalf("totals: subtotal %d/%s discount %d/%s total %d/%s", subtotal, ev.Subtotal, discount, ev.Discount, total, ev.Total)
	}
	if ev.Total.IsNegative() || subtotal-discount != total {
		t.Fatalf("total %s ≠ subtotal %s − discount %s", ev.Total, ev.Subtotal, ev.Discount)
	}
	var explained int64
	for _, x := range ev.Explanations {
		if x.Amount.Currency() != cur {
			t.Fatalf("explanation %s: currency %s", x.PromotionID, x.Amount.Currency())
		}
		if x.Message == "" {
			t.Fatalf("explanation %s: empty message", x.PromotionID)
		}
		switch x.Status {
		case Applied:
			if !x.Amount.IsPositive() || x.Reason != ReasonNone {
				t.Fatalf("applied %s with amount %s reason %s", x.PromotionID, x.Amount, x.Reason)
			}
			// Σ allocated = the promotion's discount, exactly.
			if perPromo[x.PromotionID] != x.Amount.MinorUnits() {
				t.Fatalf("%s: adjustments sum to %d, explanation says %s", x.PromotionID, perPromo[x.PromotionID], x.Amount)
			}
			explained += x.Amount.MinorUnits()
		case NotApplicable, Blocked:
			if !x.Amount.IsZero() || x.Reason == ReasonNone || perPromo[x.PromotionID] != 0 {
				t.Fatalf("%s %s with amount %s reason %s", x.Status, x.PromotionID, x.Amount, x.Reason)
			}
			if (x.Status == Blocked) != (x.BlockedBy != "") {
				t.Fatalf("%s: status %s blocked by %q", x.PromotionID, x.Status, x.BlockedBy)
			}
		default:
			t.Fatalf("%s: status %d", x.PromotionID, x.Status)
		}
	}
	if explained != discount {
		t.Fatalf("explained %d ≠ discount %d", explained, discount)
	}
	for i, c := range ev.Coupons {
		if i > 0 && ev.Coupons[i-1].Code >= c.Code {
			t.Fatalf("coupons not sorted")
		}
		if c.Message == "" {
			t.Fatalf("coupon %s: empty message", c.Code)
		}
	}
}
