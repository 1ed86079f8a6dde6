package promotion

import (
	"slices"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/pricing"
)

// result builds the Evaluation from the scratch state. Each kind of value
// has one backing array for the whole result: the adjustments of every
// line and fee, the gaps, the promotion IDs of every coupon state, and the
// messages, cut from one string built in one buffer.
func (ev *evaluator) result() Evaluation {
	sc := ev.sc
	n, nf := len(sc.order), len(sc.feeOrder)
	var out Evaluation

	// Adjustments, grouped per line then per fee, in application order.
	sc.counts = resize(sc.counts, n+nf+1)
	for _, a := range sc.adjs {
		at := a.at
		if a.fee {
			at += int32(n)
		}
		sc.counts[at+1]++
	}
	for i := 1; i < len(sc.counts); i++ {
		sc.counts[i] += sc.counts[i-1]
	}
	var adjs []Adjustment
	var discount, subtotal, total int64
	if len(sc.adjs) > 0 {
		adjs = make([]Adjustment, len(sc.adjs))
		discount = ev.fillAdjustments(adjs, n)
	}
	// After filling, counts[i] is the end of target i and its start is
	// counts[i-1] (0 for the first).
	span := func(i int) []Adjustment {
		lo := int32(0)
		if i > 0 {
			lo = sc.counts[i-1]
		}
		hi := sc.counts[i]
		if lo == hi {
			return nil
		}
		return adjs[lo:hi:hi]
	}
	out.Lines = make([]LineResult, n)
	cur := ev.cur // amounts are built with FromMinor inlined, not through ev.money: a call each
	for li := range out.Lines {
		x := &out.Lines[li]
		x.LineID, x.Adjustments = ev.line(int32(li)).ID, span(li)
		x.Subtotal, _ = pricing.FromMinor(sc.sub[li], cur)
		if x.Total = x.Subtotal; len(x.Adjustments) > 0 { // building a Money costs more than copying one
			x.Total, _ = pricing.FromMinor(sc.run[li], cur)
		}
		subtotal += sc.sub[li]
		total += sc.run[li]
	}
	if nf > 0 {
		out.Fees = make([]FeeResult, nf)
	}
	for fi := range out.Fees {
		f, x := ev.fee(int32(fi)), &out.Fees[fi]
		x.FeeID, x.Amount, x.Adjustments, x.Total = f.ID, f.Amount, span(n+fi), ev.money(sc.feeRun[fi])
		subtotal += f.Amount.MinorUnits()
		total += sc.feeRun[fi]
	}
	out.Subtotal, out.Discount, out.Total = ev.money(subtotal), ev.money(discount), ev.money(total)
	out.Omitted = ev.omitted

	// Explanations and coupon states, messages in one buffer.
	sc.msg, sc.msgOff = sc.msg[:0], sc.msgOff[:0]
	ngaps := 0
	for i := range sc.expls {
		if sc.expls[i].gap.set {
			ngaps++
		}
	}
	var gaps []Gap
	if ngaps > 0 {
		gaps = make([]Gap, 0, ngaps)
	}
	if len(sc.cands) > 0 {
		out.Explanations = make([]Explanation, len(sc.cands))
	}
	for i := range sc.cands {
		c := &ev.s.promos[sc.cands[i].rank]
		e := &sc.expls[i]
		x := &out.Explanations[i]
		x.PromotionID, x.Name, x.Lane, x.Status, x.Reason, x.Coupon = c.ID, c.name(), c.Lane, e.status, e.reason, c.Coupon
		x.Amount = ev.money(e.amount)
		if e.blockedBy >= 0 {
			x.BlockedBy = ev.s.promos[e.blockedBy].ID
		}
		if e.gap.set {
			gaps = append(gaps, Gap{Amount: ev.money(e.gap.amount), Quantity: e.gap.qty, SKU: e.gap.sku, Category: e.gap.cat})
			x.Gap = &gaps[len(gaps)-1]
		}
		start := len(sc.msg)
		sc.msg = ev.appendExplanation(sc.msg, c, e)
		sc.msgOff = append(sc.msgOff, int32(start), int32(len(sc.msg)))
	}
	var ids []string // the promotion IDs of every coupon state, back to back
	if len(sc.codes) > 0 {
		out.Coupons = make([]CouponState, len(sc.codes))
		nids := 0
		for _, code := range sc.codes {
			nids += len(ev.s.couponRanks(code))
		}
		if nids > 0 {
			ids = make([]string, 0, nids)
		}
	}
	for i, code := range sc.codes {
		st := &out.Coupons[i]
		st.Code = code
		start := len(sc.msg)
		ranks := ev.s.couponRanks(code)
		if len(ranks) == 0 {
			st.Status = CouponUnknown
			sc.msg = append(sc.msg, "code "...)
			sc.msg = append(sc.msg, code...)
			sc.msg = append(sc.msg, " is not known"...)
			sc.msgOff = append(sc.msgOff, int32(start), int32(len(sc.msg)))
			continue
		}
		from := len(ids)
		decider := -1
		for _, r := range ranks {
			ids = append(ids, ev.s.promos[r].ID)
			ci := ev.candIndex(r) // every wallet promotion is examined
			s := couponStatus(&sc.expls[ci])
			if decider < 0 || couponRank(s) < couponRank(st.Status) {
				decider, st.Status = ci, s
			}
		}
		st.PromotionIDs = ids[from:len(ids):len(ids)]
		st.Reason = sc.expls[decider].reason
		sc.msg = append(sc.msg, "code "...)
		sc.msg = append(sc.msg, code...)
		switch st.Status {
		case CouponApplied:
			sc.msg = append(sc.msg, " applied: "...)
		case CouponNotHonouredHere:
			sc.msg = append(sc.msg, " is not honoured here and stays in the wallet: "...)
		default:
			sc.msg = append(sc.msg, ": "...)
		}
		sc.msg = append(sc.msg, sc.msg[sc.msgOff[2*decider]:sc.msgOff[2*decider+1]]...)
		sc.msgOff = append(sc.msgOff, int32(start), int32(len(sc.msg)))
	}
	all := string(sc.msg)
	for i := range out.Explanations {
		out.Explanations[i].Message = all[sc.msgOff[2*i]:sc.msgOff[2*i+1]]
	}
	for i := range out.Coupons {
		k := 2 * (len(out.Explanations) + i)
		out.Coupons[i].Message = all[sc.msgOff[k]:sc.msgOff[k+1]]
	}
	return out
}

// fillAdjustments writes the adjustments of sc.adjs into adjs, grouped by
// target (lines, then fees after the n lines) in application order, and
// returns their sum. On entry sc.counts[t] is the start of target t; on
// return it is its end. It is a loop of its own, for it runs once per
// adjustment (a basket discount has one per line).
func (ev *evaluator) fillAdjustments(adjs []Adjustment, n int) (discount int64) {
	sc := ev.sc
	counts, promos, cur := sc.counts, ev.s.promos, ev.cur
	var id string // of the promotion of rank last: a promotion's adjustments are consecutive
	lane, last := Lane(0), int32(-1)
	for _, a := range sc.adjs {
		at := a.at
		if a.fee {
			at += int32(n)
		}
		if a.rank != last {
			c := &promos[a.rank]
			id, lane, last = c.ID, c.Lane, a.rank
		}
		// The fields are set one by one: the array is fresh and zero, and a
		// whole-struct copy would go through a bulk write barrier while the
		// collector runs.
		x := &adjs[counts[at]]
		x.PromotionID, x.Lane = id, lane
		x.Amount, _ = pricing.FromMinor(a.amount, cur) // inlined, where ev.money is a call per adjustment
		counts[at]++
		discount += a.amount
	}
	return discount
}

func (s *Set) couponRanks(code string) []int32 {
	if s == nil {
		return nil
	}
	return s.coupons[code]
}

// candIndex returns the index in cands of the promotion of rank r.
func (ev *evaluator) candIndex(r int32) int {
	i, _ := slices.BinarySearchFunc(ev.sc.cands, r, func(c cand, r int32) int { return int(c.rank - r) })
	return i
}

func couponStatus(e *explRec) CouponStatus {
	switch {
	case e.status == Applied:
		return CouponApplied
	case e.status == Blocked:
		return CouponBlocked
	case e.reason.notHonouredHere():
		return CouponNotHonouredHere
	}
	return CouponConditionUnmet
}

// couponRank orders coupon outcomes, best first.
func couponRank(s CouponStatus) int {
	switch s {
	case CouponApplied:
		return 0
	case CouponBlocked:
		return 1
	case CouponConditionUnmet:
		return 2
	}
	return 3
}

// appendExplanation appends the sentence of explanation e of promotion c.
func (ev *evaluator) appendExplanation(b []byte, c *compiled, e *explRec) []byte {
	name := c.name()
	other := func() string { return ev.s.promos[e.blockedBy].name() }
	switch e.reason {
	case ReasonNone:
		b = append(b, name...)
		b = append(b, ": "...)
		b = ev.appendMoney(b, e.amount)
		return append(b, " off"...)
	case ReasonMinSubtotal:
		b = append(b, "add "...)
		b = ev.appendMoney(b, e.gap.amount)
		b = append(b, " more to get "...)
		return append(b, name...)
	case ReasonMinQuantity:
		b = append(b, "add "...)
		b = strconv.AppendInt(b, e.gap.qty, 10)
		b = append(b, " more "...)
		switch {
		case e.gap.sku != "":
			b = appendItems(b, e.gap.qty, "item")
			b = append(b, " of SKU "...)
			b = append(b, e.gap.sku...)
		case e.gap.cat != "":
			b = appendItems(b, e.gap.qty, "item")
			b = append(b, " of category "...)
			b = append(b, e.gap.cat...)
		default:
			b = append(b, "qualifying "...)
			b = appendItems(b, e.gap.qty, "item")
		}
		b = append(b, " to get "...)
		return append(b, name...)
	}
	b = append(b, name...)
	switch e.reason {
	case ReasonWrongChannel:
		b = append(b, " is not offered in this channel ("...)
		b = append(b, ev.ctx.ChannelID...)
		b = append(b, ')')
	case ReasonWrongLocation:
		b = append(b, " is not offered at this location ("...)
		b = append(b, ev.ctx.LocationID...)
		b = append(b, ')')
	case ReasonCustomerGroup:
		b = append(b, " is reserved for other customer groups"...)
	case ReasonNotStarted:
		b = append(b, " starts on "...)
		b = c.StartsAt.UTC().AppendFormat(b, time.RFC3339)
	case ReasonExpired:
		b = append(b, " ended on "...)
		b = c.EndsAt.UTC().AppendFormat(b, time.RFC3339)
	case ReasonCurrency:
		b = append(b, " is priced in "...)
		b = append(b, c.cur.String()...)
		b = append(b, ", not "...)
		b = append(b, ev.ctx.Currency...)
	case ReasonMissingCoupon:
		b = append(b, " needs the code "...)
		b = append(b, c.Coupon...)
	case ReasonLoyaltyTier:
		b = append(b, " needs loyalty tier "...)
		for i, t := range c.LoyaltyTiers {
			if i > 0 {
				b = append(b, " or "...)
			}
			b = append(b, t...)
		}
	case ReasonLimitReached:
		b = append(b, " has reached its limit"...)
	case ReasonNoTarget:
		if c.Effect.Kind == FeeDiscount {
			b = append(b, " needs an eligible fulfilment fee"...)
		} else {
			b = append(b, " needs an eligible item in the basket"...)
		}
	case ReasonNoBenefit:
		b = append(b, " gives no further discount on this basket"...)
	case ReasonBlockedByExclusive:
		b = append(b, " cannot be combined with "...)
		b = append(b, other()...)
	case ReasonBestOfLost:
		b = append(b, " is not applied: "...)
		b = append(b, other()...)
		b = append(b, " gives a larger discount"...)
	}
	return b
}

func appendItems(b []byte, n int64, word string) []byte {
	b = append(b, word...)
	if n != 1 {
		b = append(b, 's')
	}
	return b
}

// appendMoney appends "12.50 EUR" without going through a float or an
// intermediate string.
func (ev *evaluator) appendMoney(b []byte, units int64) []byte {
	var tmp [24]byte
	neg := units < 0
	u := uint64(units)
	if neg {
		u = uint64(-units)
	}
	digits := strconv.AppendUint(tmp[:0], u, 10)
	exp := ev.cur.Exponent()
	if neg {
		b = append(b, '-')
	}
	if exp > 0 {
		if len(digits) <= exp {
			b = append(b, '0', '.')
			for i := len(digits); i < exp; i++ {
				b = append(b, '0')
			}
			b = append(b, digits...)
		} else {
			b = append(b, digits[:len(digits)-exp]...)
			b = append(b, '.')
			b = append(b, digits[len(digits)-exp:]...)
		}
	} else {
		b = append(b, digits...)
	}
	b = append(b, ' ')
	return append(b, ev.ctx.Currency...)
}
