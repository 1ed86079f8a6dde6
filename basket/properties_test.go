package basket_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"pgregory.net/rapid"
)

// drawContext picks one of the retailer's channels at time at.
func drawContext(t *rapid.T, label string, at time.Time) channel.Context {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return demo.Web(at)
	case 1:
		return demo.Store(demo.Bellecour, at)
	}
	return demo.Store(demo.PartDieu, at)
}

// drawBasket builds a random basket of the retailer's products, wallet
// codes and fulfilment preferences, priced once in a random context.
func drawBasket(t *rapid.T) *basket.Basket {
	at := demo.Start()
	start := drawContext(t, "start", at)
	m := basket.Meta{Actor: shopper, At: at}
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "cust-42"}, start, basket.Cart, m)
	if err != nil {
		t.Fatal(err)
	}
	items := demo.Items()
	n := rapid.IntRange(0, 12).Draw(t, "lines")
	for range n {
		it := rapid.SampledFrom(items).Draw(t, "item")
		id, _, err := b.AddLine(m, basket.NewLine{SKU: it.SKU, Quantity: rapid.Int64Range(1, 9).Draw(t, "qty"), Product: demo.Product(it.SKU)})
		if err != nil {
			t.Fatal(err)
		}
		if rapid.IntRange(0, 4).Draw(t, "pref") == 0 {
			if _, err := b.SetFulfilment(m, id, channel.ShipToAddress); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, code := range []string{"WELCOME10", "NOSUCHCODE"} {
		if rapid.Bool().Draw(t, "coupon "+code) {
			if _, err := b.AddCoupon(m, code); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

func snapshot(t interface{ Fatal(...any) }, target channel.Context) basket.Snapshot {
	snap, err := demo.Snapshot(target.ChannelID)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func recontextualize(t *rapid.T, b *basket.Basket, target channel.Context, snap basket.Snapshot, opts basket.Options) *basket.Result {
	r, err := basket.Recontextualize(b, target, snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func record(t *rapid.T, b *basket.Basket, r *basket.Result) {
	if _, err := b.SetResult(basket.Meta{Actor: shopper, At: r.Context.AsOf}, r); err != nil {
		t.Fatal(err)
	}
}

func jsonOf(t *rapid.T, v any) []byte {
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func drawOptions(t *rapid.T) basket.Options {
	return basket.Options{
		Policy:      basket.Policy(rapid.IntRange(0, 1).Draw(t, "policy")),
		TaxRounding: pricing.TaxRounding(rapid.IntRange(0, 2).Draw(t, "tax rounding")),
	}
}

// TestPermutationsChangeNothing: any order of promotions, price entries,
// stock levels and locations gives byte-identical results. Lines are kept
// sorted by line ID by the aggregate (an invariant: lookups rely on it), so
// a basket whose lines are out of order is refused, not priced.
func TestPermutationsChangeNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		record(t, b, recontextualize(t, b, b.Context, snapshot(t, b.Context), basket.Options{}))
		target := drawContext(t, "target", demo.Start().Add(time.Hour))
		opts := drawOptions(t)
		want := jsonOf(t, recontextualize(t, b, target, snapshot(t, target), opts))

		shuffled := b.Clone()
		shuffled.Lines = rapid.Permutation(b.Lines).Draw(t, "lines order")
		if !slices.EqualFunc(shuffled.Lines, b.Lines, func(x, y basket.Line) bool { return x.ID == y.ID }) {
			if _, err := basket.Recontextualize(shuffled, target, snapshot(t, target), opts); !errors.Is(err, basket.ErrInvalid) {
				t.Fatalf("lines out of order: got %v, want ErrInvalid", err)
			}
			shuffled = b.Clone()
		}
		prices, err := pricing.NewPriceBook(rapid.Permutation(demo.Prices()).Draw(t, "price order"))
		if err != nil {
			t.Fatal(err)
		}
		promos, err := promotion.Compile(rapid.Permutation(demo.Promotions()).Draw(t, "promotion order"))
		if err != nil {
			t.Fatal(err)
		}
		levels, err := stock.NewLevels(rapid.Permutation(demo.Stock()).Draw(t, "stock order"))
		if err != nil {
			t.Fatal(err)
		}
		snap := snapshot(t, target)
		snap.Prices, snap.Promotions, snap.Stock = prices, promos, levels
		snap.Locations = rapid.Permutation(snap.Locations).Draw(t, "location order")
		got := jsonOf(t, recontextualize(t, shuffled, target, snap, opts))
		if !bytes.Equal(want, got) {
			t.Fatalf("results differ after shuffling:\n%s\n%s", want, got)
		}
	})
}

// TestIdempotent: recontextualizing into the context the basket is in
// changes nothing and reports no change.
func TestIdempotent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		target := drawContext(t, "target", demo.Start().Add(time.Hour))
		opts := drawOptions(t)
		first := recontextualize(t, b, target, snapshot(t, target), opts)
		record(t, b, first)
		again := recontextualize(t, b, target, snapshot(t, target), opts)
		if len(again.Changes) != 0 {
			t.Fatalf("second pricing reported %d changes: %+v", len(again.Changes), again.Changes)
		}
		first.Changes = nil
		if a, g := jsonOf(t, b.Result.Lines), jsonOf(t, again.Lines); !bytes.Equal(a, g) {
			t.Fatalf("lines changed:\n%s\n%s", a, g)
		}
		if a, g := jsonOf(t, b.Result.Totals), jsonOf(t, again.Totals); !bytes.Equal(a, g) {
			t.Fatalf("totals changed:\n%s\n%s", a, g)
		}
	})
}

// TestPathIndependent: A → B → A prices like A when nothing else changed
// (target-price policy).
func TestPathIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		at := demo.Start().Add(time.Hour)
		a := drawContext(t, "A", at)
		direct := recontextualize(t, b.Clone(), a, snapshot(t, a), basket.Options{})

		viaB := b.Clone()
		bc := drawContext(t, "B", at)
		record(t, viaB, recontextualize(t, viaB, bc, snapshot(t, bc), basket.Options{}))
		back := recontextualize(t, viaB, a, snapshot(t, a), basket.Options{})
		type priced struct {
			Lines      []basket.PricedLine
			Fees       []basket.PricedFee
			Totals     basket.Totals
			Plan       stock.FulfilmentPlan
			Promotions []promotion.Explanation
			Coupons    []promotion.CouponState
		}
		d := jsonOf(t, priced{direct.Lines, direct.Fees, direct.Totals, direct.Plan, direct.Promotions, direct.Coupons})
		p := jsonOf(t, priced{back.Lines, back.Fees, back.Totals, back.Plan, back.Promotions, back.Coupons})
		if !bytes.Equal(d, p) {
			t.Fatalf("A→B→A differs from A:\n%s\n%s", d, p)
		}
	})
}

// TestMoneyInvariants: on every result, totals add up exactly, gross = net
// + tax per line, nothing is negative, discounts are what the lines lost.
func TestMoneyInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		record(t, b, recontextualize(t, b, b.Context, snapshot(t, b.Context), basket.Options{}))
		target := drawContext(t, "target", demo.Start().Add(time.Hour))
		r := recontextualize(t, b, target, snapshot(t, target), drawOptions(t))
		checkInvariants(t, r)
	})
}

func checkInvariants(t *rapid.T, r *basket.Result) {
	cur := pricing.MustCurrency(r.Context.Currency)
	var sub, disc, net, tax, total, fees int64
	for _, l := range r.Lines {
		if !l.Priced {
			if !l.Total.IsZero() || l.Problem == "" {
				t.Fatalf("unpriced line %s carries money or no reason", l.LineID)
			}
			continue
		}
		for _, m := range []pricing.Money{l.UnitPrice, l.Subtotal, l.Discount, l.Net, l.Tax, l.Total} {
			if m.IsNegative() || m.Currency() != cur {
				t.Fatalf("line %s: %v negative or in the wrong currency", l.LineID, m)
			}
		}
		if l.Net.MinorUnits()+l.Tax.MinorUnits() != l.Total.MinorUnits() {
			t.Fatalf("line %s: net %s + tax %s != total %s", l.LineID, l.Net, l.Tax, l.Total)
		}
		var adj int64
		for _, a := range l.Discounts {
			adj += a.Amount.MinorUnits()
		}
		if adj != l.Discount.MinorUnits() {
			t.Fatalf("line %s: adjustments %d != discount %s", l.LineID, adj, l.Discount)
		}
		after := l.Subtotal.MinorUnits() - l.Discount.MinorUnits()
		gross := l.Total.MinorUnits()
		if !r.Context.PricesIncludeTax {
			gross = l.Net.MinorUnits()
		}
		if after != gross {
			t.Fatalf("line %s: subtotal − discount = %d, taxed amount %d", l.LineID, after, gross)
		}
		if l.UnitPrice.MinorUnits()*l.Quantity != l.Subtotal.MinorUnits() {
			t.Fatalf("line %s: unit × quantity != subtotal", l.LineID)
		}
		sub += l.Subtotal.MinorUnits()
		disc += l.Discount.MinorUnits()
		net += l.Net.MinorUnits()
		tax += l.Tax.MinorUnits()
		total += l.Total.MinorUnits()
	}
	for _, f := range r.Fees {
		if f.Total.IsNegative() || f.Net.MinorUnits()+f.Tax.MinorUnits() != f.Total.MinorUnits() {
			t.Fatalf("fee %s broken: %+v", f.FeeID, f)
		}
		net += f.Net.MinorUnits()
		tax += f.Tax.MinorUnits()
		total += f.Total.MinorUnits()
		fees += f.Total.MinorUnits()
	}
	tt := r.Totals
	if tt.Subtotal.MinorUnits() != sub || tt.Discount.MinorUnits() != disc || tt.Net.MinorUnits() != net ||
		tt.Tax.MinorUnits() != tax || tt.Total.MinorUnits() != total || tt.Fees.MinorUnits() != fees {
		t.Fatalf("totals %+v do not add up (sub %d disc %d net %d tax %d total %d fees %d)", tt, sub, disc, net, tax, total, fees)
	}
	if tt.Net.MinorUnits()+tt.Tax.MinorUnits() != tt.Total.MinorUnits() || tt.Total.IsNegative() {
		t.Fatalf("net + tax != total: %+v", tt)
	}
	for _, l := range r.Lines {
		if lp, ok := r.Plan.Line(l.LineID); !ok || lp.Quantity != l.Quantity {
			t.Fatalf("line %s is missing from the plan", l.LineID)
		} else {
			var q int64
			for _, a := range lp.Allocations {
				q += a.Quantity
			}
			if q+lp.Short != l.Quantity {
				t.Fatalf("line %s: allocated %d + short %d != %d", l.LineID, q, lp.Short, l.Quantity)
			}
		}
	}
}
