package basket_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
	"pgregory.net/rapid"
)

// proportional are the promotions of the test shop whose discount on a
// line follows its units: a return can lessen them only by rounding.
var proportional = []string{"LIGHT10", "ALL5", "MUG2", "WELCOME"}

// drawOrder places a random order in the test shop: up to six lines of
// distinct SKUs, random quantities, promotions, a coupon, fees, store
// stock (so lines split between the store and the warehouse), prices with
// or without tax, tax rounding and rounding mode.
func drawOrder(t *rapid.T) (*basket.Basket, rtShop) {
	shop := rtShop{fees: rapid.Bool().Draw(t, "fees"), store: map[string]int64{}}
	for _, p := range rtPromotions() {
		if rapid.Bool().Draw(t, "promotion "+p.ID) {
			shop.promos = append(shop.promos, p.ID)
		}
	}
	skus := make([]string, len(rtItems))
	for i, it := range rtItems {
		skus[i] = it.sku
	}
	n := rapid.IntRange(1, 6).Draw(t, "lines")
	picked := rapid.SliceOfNDistinct(rapid.SampledFrom(skus), n, n, rapid.ID[string]).Draw(t, "skus")
	lines := make([]rtLine, len(picked))
	for i, sku := range picked {
		lines[i] = rtLine{sku, rapid.Int64Range(1, 8).Draw(t, "qty")}
		shop.store[sku] = rapid.Int64Range(0, 6).Draw(t, "store stock")
	}
	var coupons []string
	if rapid.Bool().Draw(t, "coupon") {
		coupons = []string{"WELCOME"}
	}
	opts := basket.Options{
		TaxRounding: pricing.TaxRounding(rapid.IntRange(0, 2).Draw(t, "tax rounding")),
		Rounding:    rapid.SampledFrom([]pricing.RoundingMode{pricing.HalfEven, pricing.HalfUp}).Draw(t, "rounding"),
	}
	ctx := rtContext([]string{"shop"}, rapid.Bool().Draw(t, "tax included"), rtAt)
	b := rtCart(t, shop, ctx, opts, coupons, lines...)
	return rtPlace(t, b, shop, opts), shop
}

// drawReturn picks units still out, at least one, as return lines
// (sometimes one line in two entries).
func drawReturn(t *rapid.T, out map[string]int64, ids []string) []basket.ReturnLine {
	var lines []basket.ReturnLine
	for _, id := range ids {
		if out[id] == 0 {
			continue
		}
		q := rapid.Int64Range(0, out[id]).Draw(t, "units of "+id)
		switch {
		case q == 0:
		case q > 1 && rapid.Bool().Draw(t, "split"):
			lines = append(lines, basket.ReturnLine{LineID: id, Quantity: 1}, basket.ReturnLine{LineID: id, Quantity: q - 1})
		default:
			lines = append(lines, basket.ReturnLine{LineID: id, Quantity: q})
		}
	}
	if len(lines) == 0 {
		for _, id := range ids {
			if out[id] > 0 {
				return []basket.ReturnLine{{LineID: id, Quantity: 1}}
			}
		}
	}
	return lines
}

// TestReturnsNeverRefundMoreThanPaid: for any order and any sequence of
// partial returns, ending with everything back:
//   - no refund is negative, and the refunds never add up to more than
//     the order's total;
//   - each quote keeps its identities (refund = max(paid − kept, 0),
//     clawback, Σ Taxes.Gross = Refund, Gross = Net + Tax per rate);
//   - paid is the total minus the refunds so far;
//   - while no refund was clamped, Σ refunds = total − kept (telescoping:
//     what the returned units cost under the recomputation rule);
//   - once everything is back, Σ refunds = total, exactly;
//   - units already returned, or never ordered, are refused, and nothing
//     is refunded twice;
//   - the quote is deterministic whatever the order and grouping of the
//     return lines;
//   - with only proportional promotions, none is reported broken.
func TestReturnsNeverRefundMoreThanPaid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		order, shop := drawOrder(t)
		total := order.Result.Totals.Total.MinorUnits()
		out := map[string]int64{}
		var ids []string
		for _, l := range order.Lines {
			out[l.ID] = l.Quantity
			ids = append(ids, l.ID)
		}
		onlyProportional := !slices.ContainsFunc(shop.promos, func(id string) bool { return !slices.Contains(proportional, id) })

		var refunded int64
		clamped := false
		for step := 0; ; step++ {
			left := int64(0)
			for _, q := range out {
				left += q
			}
			if left == 0 {
				break
			}
			var lines []basket.ReturnLine
			if step >= 4 || rapid.IntRange(0, 3).Draw(t, "everything") == 0 {
				for _, id := range ids {
					if out[id] > 0 {
						lines = append(lines, basket.ReturnLine{LineID: id, Quantity: out[id]})
					}
				}
			} else {
				lines = drawReturn(t, out, ids)
			}

			// One unit too many of a line is refused, and changes nothing.
			over := rapid.SampledFrom(ids).Draw(t, "over")
			if _, err := basket.QuoteReturn(order, []basket.ReturnLine{{LineID: over, Quantity: out[over] + 1}}); !errors.Is(err, basket.ErrNotReturnable) {
				t.Fatalf("returning %d of %s with %d out: got %v, want ErrNotReturnable", out[over]+1, over, out[over], err)
			}

			q, err := basket.QuoteReturn(order, lines)
			if err != nil {
				t.Fatal(err)
			}
			checkQuote(t, order, q)
			if q.Refund.IsNegative() {
				t.Fatalf("negative refund %s", q.Refund)
			}
			if q.Paid.MinorUnits() != total-refunded {
				t.Fatalf("paid %s, want total %d − refunded %d", q.Paid, total, refunded)
			}
			if q.Paid.MinorUnits() < q.Kept.MinorUnits() {
				clamped = true
			}
			if onlyProportional && len(q.Broken) > 0 {
				t.Fatalf("proportional promotions reported broken: %+v", q.Broken)
			}

			// Same return, lines reversed and merged: the same quote.
			again := slices.Clone(lines)
			slices.Reverse(again)
			if !bytes.Equal(jsonOf(t, q), jsonOf(t, quote(t, order, again))) {
				t.Fatalf("the quote depends on the order of the return lines")
			}
			merged := map[string]int64{}
			for _, l := range lines {
				merged[l.LineID] += l.Quantity
			}
			var one []basket.ReturnLine
			for _, id := range ids {
				if merged[id] > 0 {
					one = append(one, basket.ReturnLine{LineID: id, Quantity: merged[id]})
				}
			}
			if !bytes.Equal(jsonOf(t, q), jsonOf(t, quote(t, order, one))) {
				t.Fatalf("the quote depends on how the return lines are grouped")
			}

			rtReturn(t, order, lines...)
			refunded += q.Refund.MinorUnits()
			for id, n := range merged {
				out[id] -= n
			}
			if refunded > total {
				t.Fatalf("refunded %d of a %d order", refunded, total)
			}
			if !clamped && refunded != total-q.Kept.MinorUnits() {
				t.Fatalf("refunded %d, want total %d − kept %s", refunded, total, q.Kept)
			}
		}
		if refunded != total {
			t.Fatalf("everything back: refunded %d, want the total %d", refunded, total)
		}
		for _, id := range ids {
			if _, err := basket.QuoteReturn(order, []basket.ReturnLine{{LineID: id, Quantity: 1}}); !errors.Is(err, basket.ErrNotReturnable) {
				t.Fatalf("returning %s again: got %v, want ErrNotReturnable", id, err)
			}
		}
	})
}

func quote(t *rapid.T, order *basket.Basket, lines []basket.ReturnLine) basket.RefundQuote {
	q, err := basket.QuoteReturn(order, lines)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestTermsRepriceTheOrder: on the demo retailer (several channels, price
// protection, tiers, group prices, stores, transfers, delivery fees), the
// terms of any orderable basket survive JSON byte for byte, and re-pricing
// the order on them — the stock made up from its plan — gives its lines,
// fees, totals and plan back exactly.
func TestTermsRepriceTheOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		if len(b.Lines) == 0 {
			return
		}
		record(t, b, recontextualize(t, b, b.Context, snapshot(t, b.Context), basket.Options{}))
		target := drawContext(t, "target", b.Context.AsOf.Add(time.Hour))
		opts := drawOptions(t)
		snap := snapshot(t, target)
		record(t, b, recontextualize(t, b, target, snap, opts))
		if !b.Result.Complete || !b.Result.Plan.Complete() {
			return // not orderable
		}
		terms, err := basket.TermsOfForTest(snap, b.Result, opts)
		if err != nil {
			t.Fatal(err)
		}
		raw := jsonOf(t, terms)
		var back basket.OrderTerms
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		if again := jsonOf(t, back); !bytes.Equal(raw, again) {
			t.Fatalf("terms changed through JSON:\n%s\n%s", raw, again)
		}
		rs, err := back.SnapshotForTest(b.Result.Plan)
		if err != nil {
			t.Fatal(err)
		}
		order := b.Clone()
		order.Status = basket.Ordered
		r := recontextualize(t, order, back.Context, rs, back.Options)
		type priced struct {
			Lines  []basket.PricedLine
			Fees   []basket.PricedFee
			Totals basket.Totals
			Plan   stock.FulfilmentPlan
		}
		want := jsonOf(t, priced{b.Result.Lines, b.Result.Fees, b.Result.Totals, b.Result.Plan})
		if got := jsonOf(t, priced{r.Lines, r.Fees, r.Totals, r.Plan}); !bytes.Equal(want, got) {
			t.Fatalf("re-priced on its terms, the order differs:\n%s\n%s", want, got)
		}
	})
}
