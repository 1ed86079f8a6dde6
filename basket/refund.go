package basket

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// QuoteReturn computes what returning lines of an order gives back. It is
// pure: it reads the order (its lines, its result as priced and paid, its
// terms and its earlier returns) and nothing else, and the same order and
// lines give an identical quote.
//
// The order must be [Ordered] or [Invoiced] with its Order recorded;
// otherwise the error matches [ErrNotReturnable]. Each returned line must
// be a line of the order ([ErrUnknownLine]) with a positive quantity
// ([ErrInvalid]); quantities of the same line are added up, and may not
// exceed what the order holds of the line minus what earlier returns took
// back ([ErrNotReturnable], naming the line). Whether the units were
// handed over, and whether the return window is open, is the Service's to
// check. Nothing is refunded twice: the earlier returns are part of the
// order.
//
// The rule is the recomputation rule: the shopper keeps what the kept
// lines cost under the order's own terms, and gets the rest back.
//
//   - Paid is the order's total minus every earlier refund.
//   - Kept is the order's lines, less every unit returned so far and now
//     (lines at 0 dropped), priced by [Recontextualize] under the order's
//     terms: its context and as-of time, its options, its price entries,
//     promotions, tax rules, fees and locations, with the order's result
//     as the previous one, so a protected or quote-locked price stays what
//     it was for the quantity it was granted at. The kept units are
//     sourced where the order sourced them (a line gives back the units
//     of its last sources first), so a fee the kept lines still incur is
//     still charged and one they no longer incur is refunded. Nothing
//     kept costs nothing, fees included.
//   - Refund = Paid − Kept, or 0 when the kept lines cost more than what
//     remains paid (a return never asks the shopper for money).
//   - Returned is what the order charged for the returned units: per line
//     its total × returned / ordered units, rounded once to the minor unit
//     half to even; it is for display next to the refund. Clawback =
//     Returned − Refund when positive: what broken promotions take back.
//   - Broken lists the promotions whose discount on the kept units is
//     lower than the share of it those units had in the order as it stood
//     before this return (earlier returns taken off), sorted by ID: a
//     threshold no longer reached, a free item whose condition went back.
//     A promotion that still applies is reported only when it lost more
//     than rounding can explain, two minor units per line and fee it
//     discounted; one that no longer applies always is, unless the kept
//     units had no share of it (the free item itself came back).
//   - Taxes split the refund per tax rate, sorted by rate: per rate, what
//     the order charged (lines and fees), less what earlier refunds gave
//     back at that rate, less what the kept lines and fees cost at that
//     rate. Net, Tax and Gross are each split that way, so Gross = Net +
//     Tax on each and Σ Gross = Refund exactly. A rate can be negative
//     when a broken promotion moves money from one rate to another (a
//     bundle of food and kitchenware). Taxes is empty when Refund is 0.
//   - KeptLines are the kept lines as re-priced.
func QuoteReturn(order *Basket, lines []ReturnLine) (RefundQuote, error) {
	if order == nil {
		return RefundQuote{}, invalid("Basket", "must not be nil")
	}
	if !order.Status.Final() || order.Order == nil || order.Result == nil {
		return RefundQuote{}, &InputError{Field: "Status", Reason: fmt.Sprintf("a %s basket is not an order", order.Status), Kind: ErrNotReturnable}
	}
	cur, err := pricing.LookupCurrency(order.Result.Context.Currency)
	if err != nil {
		return RefundQuote{}, &InputError{Field: "Result.Context.Currency", Reason: err.Error(), Kind: ErrInvalid}
	}
	if len(lines) == 0 {
		return RefundQuote{}, invalid("Lines", "nothing is returned")
	}
	returned := make([]ReturnLine, 0, len(lines))
	for i, l := range lines {
		if _, ok := order.Line(l.LineID); !ok {
			return RefundQuote{}, &InputError{Field: fmt.Sprintf("Lines[%d].LineID", i), Reason: fmt.Sprintf("%q is not a line of the order", l.LineID), Kind: ErrUnknownLine}
		}
		if l.Quantity <= 0 {
			return RefundQuote{}, invalid(fmt.Sprintf("Lines[%d].Quantity", i), "%d: a return takes back at least one unit", l.Quantity)
		}
		j := slices.IndexFunc(returned, func(r ReturnLine) bool { return r.LineID == l.LineID })
		if j < 0 {
			returned = append(returned, l)
		} else if returned[j].Quantity += l.Quantity; returned[j].Quantity > MaxMeasure*thousandths { // the most any line, measured ones too, holds
			return RefundQuote{}, invalid(fmt.Sprintf("Lines[%d].Quantity", i), "more units of %s than any line holds", l.LineID)
		}
	}
	slices.SortFunc(returned, func(a, b ReturnLine) int { return compareLineIDs(a.LineID, b.LineID) })

	// before: what the order holds now, earlier returns taken off; after:
	// what it keeps once this return is taken off too.
	before := make(map[string]int64, len(order.Lines))
	for _, l := range order.Lines {
		before[l.ID] = l.Quantity
	}
	paid := order.Result.Totals.Total
	for _, r := range order.Order.Returns {
		for _, l := range r.Lines {
			before[l.LineID] -= l.Quantity
		}
		if paid, err = paid.Sub(r.Quote.Refund); err != nil {
			return RefundQuote{}, err
		}
	}
	after := make(map[string]int64, len(before))
	for id, q := range before {
		after[id] = q
	}
	for _, l := range returned {
		out := before[l.LineID]
		if l.Quantity > out {
			ordered, _ := order.Line(l.LineID)
			return RefundQuote{}, &InputError{Field: "Lines[" + l.LineID + "].Quantity",
				Reason: fmt.Sprintf("%d units of %s returned, %d of the %d ordered are not returned yet", l.Quantity, l.LineID, max(out, 0), ordered.Quantity),
				Kind:   ErrNotReturnable}
		}
		after[l.LineID] = out - l.Quantity
	}

	base, err := order.Order.Terms.base()
	if err != nil {
		return RefundQuote{}, err
	}
	// Before the first return the order stands as it was priced: its
	// terms re-price it exactly (TestTermsRepriceTheOrder), so its own
	// result serves.
	prev := order.Result
	if len(order.Order.Returns) > 0 {
		if prev, err = repriceOnTerms(order, before, base); err != nil {
			return RefundQuote{}, err
		}
	}
	next, err := repriceOnTerms(order, after, base)
	if err != nil {
		return RefundQuote{}, err
	}
	zero := pricing.Zero(cur)
	q := RefundQuote{Paid: paid, Kept: zero, Refund: zero, Returned: zero, Clawback: zero}
	if next != nil {
		q.Kept, q.KeptLines = next.Totals.Total, next.Lines
	}
	if q.Refund, err = paid.Sub(q.Kept); err != nil {
		return RefundQuote{}, err
	}
	if q.Refund.IsNegative() {
		q.Refund = zero
	}
	for _, l := range returned {
		pl, ok := order.Result.Line(l.LineID)
		if !ok || !pl.Priced {
			continue
		}
		share, err := prorata(pl.Total, l.Quantity, pl.Quantity)
		if err != nil {
			return RefundQuote{}, err
		}
		if q.Returned, err = q.Returned.Add(share); err != nil {
			return RefundQuote{}, err
		}
	}
	if c, err := q.Returned.Sub(q.Refund); err != nil {
		return RefundQuote{}, err
	} else if c.IsPositive() {
		q.Clawback = c
	}
	if q.Broken, err = brokenPromotions(order.Order.Terms.Promotions, prev, next, after, zero); err != nil {
		return RefundQuote{}, err
	}
	if q.Refund.IsPositive() {
		if q.Taxes, err = refundTaxes(order, next, q.Refund); err != nil {
			return RefundQuote{}, err
		}
	}
	return q, nil
}

// refundTaxes splits refund per tax rate: the order's lines and fees, less
// earlier refunds, less the kept lines and fees (next, nil when nothing is
// kept). Rates whose share is zero are left out.
func refundTaxes(order *Basket, next *Result, refund pricing.Money) ([]TaxAmount, error) {
	var s rateSums
	if err := s.addResult(order.Result, 1); err != nil {
		return nil, err
	}
	for _, r := range order.Order.Returns {
		for _, t := range r.Quote.Taxes {
			if err := s.add(t.Rate, t.Net, t.Tax, t.Gross, -1); err != nil {
				return nil, err
			}
		}
	}
	if next != nil {
		if err := s.addResult(next, -1); err != nil {
			return nil, err
		}
	}
	taxes := s.amounts(false)
	var sum int64
	for _, t := range taxes {
		sum += t.Gross.MinorUnits()
	}
	if sum != refund.MinorUnits() {
		// Only a corrupt order (an earlier refund without its taxes, a
		// result whose totals do not add up) gets here.
		return nil, &InputError{Field: "Order.Returns", Reason: fmt.Sprintf("the refund %s does not split over its tax rates (%d minor units)", refund, sum), Kind: ErrInvalid}
	}
	return taxes, nil
}

// rateSums adds up net, tax and gross amounts per tax rate.
type rateSums []TaxAmount

// add adds (sign 1) or subtracts (sign -1) amounts at rate r.
func (s *rateSums) add(r pricing.Rate, net, tax, gross pricing.Money, sign int) error {
	if sign < 0 {
		net, tax, gross = net.Neg(), tax.Neg(), gross.Neg()
	}
	i := slices.IndexFunc(*s, func(t TaxAmount) bool { return t.Rate == r })
	if i < 0 {
		*s = append(*s, TaxAmount{Rate: r, Net: net, Tax: tax, Gross: gross})
		return nil
	}
	t := &(*s)[i]
	var err error
	if t.Net, err = t.Net.Add(net); err != nil {
		return err
	}
	if t.Tax, err = t.Tax.Add(tax); err != nil {
		return err
	}
	t.Gross, err = t.Gross.Add(gross)
	return err
}

// addResult adds the priced lines and the fees of r.
func (s *rateSums) addResult(r *Result, sign int) error {
	for _, l := range r.Lines {
		if !l.Priced {
			continue
		}
		if err := s.add(l.TaxRate, l.Net, l.Tax, l.Total, sign); err != nil {
			return err
		}
	}
	for _, f := range r.Fees {
		if err := s.add(f.TaxRate, f.Net, f.Tax, f.Total, sign); err != nil {
			return err
		}
	}
	return nil
}

// amounts returns the sums sorted by rate, the rates whose sums are all
// zero only when keepZero is set.
func (s rateSums) amounts(keepZero bool) []TaxAmount {
	var out []TaxAmount
	for _, t := range s {
		if keepZero || !t.Net.IsZero() || !t.Tax.IsZero() || !t.Gross.IsZero() {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b TaxAmount) int { return a.Rate.Cmp(b.Rate) })
	return out
}

// brokenPromotions compares each promotion that applied to the order as it
// stood (prev) with what it gives the kept lines (next, nil when nothing is
// kept); see [QuoteReturn] for the rule.
func brokenPromotions(defs []promotion.Promotion, prev, next *Result, kept map[string]int64, zero pricing.Money) ([]BrokenPromotion, error) {
	if prev == nil {
		return nil, nil
	}
	type acc struct {
		before, share, after pricing.Money
		touched              int64
	}
	var ids []string
	accs := map[string]*acc{}
	for _, e := range prev.Promotions {
		if e.Status == promotion.Applied && e.Amount.IsPositive() {
			ids = append(ids, e.PromotionID)
			accs[e.PromotionID] = &acc{before: e.Amount, share: zero, after: zero}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var err error
	addShare := func(a promotion.Adjustment, units, of int64) {
		x := accs[a.PromotionID]
		if x == nil || err != nil {
			return
		}
		x.touched++
		var s pricing.Money
		if s, err = prorata(a.Amount, units, of); err == nil {
			x.share, err = x.share.Add(s)
		}
	}
	for _, l := range prev.Lines {
		for _, a := range l.Discounts {
			addShare(a, kept[l.LineID], l.Quantity)
		}
	}
	for _, f := range prev.Fees {
		stillCharged := next != nil && slices.ContainsFunc(next.Fees, func(g PricedFee) bool { return g.FeeID == f.FeeID })
		for _, a := range f.Discounts {
			if stillCharged {
				addShare(a, 1, 1)
			} else {
				addShare(a, 0, 1)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if next != nil {
		for _, e := range next.Promotions {
			if x := accs[e.PromotionID]; x != nil && e.Status == promotion.Applied {
				x.after = e.Amount
			}
		}
	}
	slices.Sort(ids)
	var out []BrokenPromotion
	for _, id := range ids {
		x := accs[id]
		lost, err := x.share.Sub(x.after)
		if err != nil {
			return nil, err
		}
		gone := x.after.IsZero() && x.share.IsPositive()
		if !gone && lost.MinorUnits() <= 2*x.touched {
			continue
		}
		name := id
		if i := slices.IndexFunc(defs, func(p promotion.Promotion) bool { return p.ID == id }); i >= 0 && defs[i].Name != "" {
			name = defs[i].Name
		}
		msg := fmt.Sprintf("%q no longer applies to the items kept: %s of its discount is taken back", name, lost)
		if !gone {
			msg = fmt.Sprintf("%q saves %s on the items kept instead of %s: %s of its discount is taken back", name, x.after, x.share, lost)
		}
		out = append(out, BrokenPromotion{PromotionID: id, Before: x.before, After: x.after, Lost: lost, Message: msg})
	}
	return out, nil
}

// prorata returns m × part / whole, rounded once to the minor unit half to
// even: the share of a line amount that part of its whole units carry. It
// is exact (128-bit) for any amount and 0 ≤ part ≤ whole.
func prorata(m pricing.Money, part, whole int64) (pricing.Money, error) {
	if whole <= 0 || part < 0 || part > whole {
		return pricing.Money{}, invalid("Quantity", "%d of %d units", part, whole)
	}
	if part == whole {
		return m, nil
	}
	u := m.MinorUnits()
	a := uint64(u)
	if u < 0 {
		a = uint64(-u)
	}
	// a < 2^63 and part ≤ whole, so the high word is below whole and the
	// quotient fits: Div64 cannot panic.
	hi, lo := bits.Mul64(a, uint64(part))
	quo, rem := bits.Div64(hi, lo, uint64(whole))
	if d := uint64(whole) - rem; rem > d || (rem == d && quo&1 == 1) {
		quo++
	}
	v := int64(quo)
	if u < 0 {
		v = -v
	}
	return pricing.FromMinor(v, m.Currency())
}
