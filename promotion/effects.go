package promotion

import (
	"cmp"
	"math"
	"math/bits"
	"slices"

	"github.com/omnibasket/omnibasket/pricing"
)

// compute works out the discounts promotion c would give on the given
// running prices, writing them into out (per line position) and feeOut (per
// fee position), which must be zero on entry. With closures, lines closed by
// an exclusive catalogue promotion are skipped. Nothing else is changed.
//
// ev.hit is set to the lines out may have been written for. In a best-of
// trial (ev.trial) only the total and the reason are wanted: a discount of
// the whole target is not allocated over its lines.
func (ev *evaluator) compute(c *compiled, cd *cand, prices, feePrices []int64, closures bool, out, feeOut []int64) (outcome, error) {
	ev.hit = nil
	e := &c.Effect
	switch e.Kind {
	case FeeDiscount:
		return ev.computeFees(c, feePrices, feeOut)
	case BundlePrice:
		return ev.computeBundle(c, cd, prices, out)
	}
	sc := ev.sc
	ls, none := ev.eligible(cd, &e.Target, closures, sc.tmp[:0])
	if countsUnits(c) {
		ls, none = ev.dropMeasured(ls, 0, none)
	}
	sc.tmp = ls
	if len(ls) == 0 {
		return none, nil
	}
	ev.hit = ls
	var total int64
	switch e.Kind {
	case PercentOff, AmountOff, FixedPrice:
		limited := c.MaxApplications > 0
		if limited {
			ev.sortByUnitValue(ls, prices, true)
		}
		left := c.MaxApplications
		for _, li := range ls {
			q, k := sc.qty[li], sc.qty[li]
			if limited {
				if left == 0 {
					break
				}
				k = min(q, left)
				left -= k
			}
			v := part(prices[li], k, q)
			var d int64
			switch e.Kind {
			case PercentOff:
				var err error
				if d, err = ev.percent(v, e.Percent, c.pct); err != nil {
					return outcome{}, err
				}
			case AmountOff:
				d = v
				if a, ok := ev.perUnit(e.Amount, li, k); ok && a < v {
					d = a
				}
			case FixedPrice:
				if f, ok := ev.perUnit(e.Amount, li, k); ok && f < v {
					d = v - f
				}
			}
			out[li] = d
			total += d
		}
	case BasketPercentOff, BasketAmountOff, Tiered:
		var base int64
		for _, li := range ls {
			base += prices[li]
		}
		var d int64
		var err error
		switch e.Kind {
		case BasketPercentOff:
			d, err = ev.percent(base, e.Percent, c.pct)
		case BasketAmountOff:
			d = min(e.Amount.MinorUnits(), base)
		case Tiered:
			var spend int64 // judged on the lane-entry prices, like every condition
			for _, li := range ls {
				spend += sc.entry[li]
			}
			tier := -1
			for i := range e.Tiers {
				if e.Tiers[i].Threshold.MinorUnits() <= spend {
					tier = i
				}
			}
			if tier < 0 {
				return outcome{reason: ReasonMinSubtotal, gap: gapRec{set: true, amount: e.Tiers[0].Threshold.MinorUnits() - spend}}, nil
			}
			if t := &e.Tiers[tier]; t.Percent.IsZero() {
				d = min(t.Amount.MinorUnits(), base)
			} else {
				d, err = ev.percent(base, t.Percent, ratio{})
			}
		}
		if err != nil {
			return outcome{}, err
		}
		if d > 0 && !ev.trial {
			ev.allocate(d, ls, prices, out)
		}
		total = d
	case BuyXGetY:
		var units int64
		for _, li := range ls {
			units = satAdd(units, sc.qty[li])
		}
		size := e.Buy + e.Get
		groups := units / size
		if c.MaxApplications > 0 {
			groups = min(groups, c.MaxApplications)
		}
		if groups == 0 {
			return outcome{reason: ReasonMinQuantity, gap: qtyGap(size-units, &e.Target)}, nil
		}
		free := groups * e.Get // ≤ units: cannot overflow
		ev.sortByUnitValue(ls, prices, e.Pick == MostExpensive)
		for _, li := range ls {
			if free == 0 {
				break
			}
			k := min(sc.qty[li], free)
			free -= k
			d, err := ev.percent(part(prices[li], k, sc.qty[li]), e.Percent, c.pct)
			if err != nil {
				return outcome{}, err
			}
			out[li] = d
			total += d
		}
	}
	if total == 0 {
		return outcome{reason: ReasonNoBenefit}, nil
	}
	return outcome{total: total}, nil
}

// eligible appends to dst the lines of cd selected by t (and not closed,
// with closures). When it finds none it also returns why: no line is
// targeted, or every targeted line was closed by an exclusive promotion.
func (ev *evaluator) eligible(cd *cand, t *Target, closures bool, dst []int32) ([]int32, outcome) {
	start := len(dst)
	if t.All && !closures { // every line, the common basket discount
		dst = append(dst, ev.candidateLines(cd)...)
		if len(dst) > start {
			return dst, outcome{}
		}
		return dst, outcome{reason: ReasonNoTarget}
	}
	matched, closer := false, int32(-1)
	for _, li := range ev.candidateLines(cd) {
		if !t.matches(ev.line(li)) {
			continue
		}
		matched = true
		if closures && ev.sc.closedBy[li] >= 0 {
			if closer < 0 {
				closer = ev.sc.closedBy[li]
			}
			continue
		}
		dst = append(dst, li)
	}
	if len(dst) > start {
		return dst, outcome{}
	}
	if matched {
		return dst, outcome{reason: ReasonBlockedByExclusive, closer: closer}
	}
	return dst, outcome{reason: ReasonNoTarget}
}

// sortByUnitValue orders lines by running unit value (running line total /
// quantity, compared exactly), descending or ascending, ties by line ID.
func (ev *evaluator) sortByUnitValue(ls []int32, prices []int64, desc bool) {
	qty := ev.sc.qty
	slices.SortFunc(ls, func(a, b int32) int {
		c := cmpFrac(prices[a], qty[a], prices[b], qty[b])
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// computeBundle forms as many bundles as the basket allows (up to the
// limit), greedily: each component takes its units from the most valuable
// eligible lines first, in component order. Identical consecutive
// assignments are taken in one step, so the work grows with the number of
// lines, not of units. A bundle is only formed while its units are worth
// more than its price. The discount (value of the bundled units − bundles ×
// price) is allocated over the bundled lines in proportion to the value
// they contributed.
func (ev *evaluator) computeBundle(c *compiled, cd *cand, prices, out []int64) (outcome, error) {
	sc := ev.sc
	comps := c.Effect.Components
	sc.bLines, sc.bOff = sc.bLines[:0], sc.bOff[:0]
	found := false
	for i := range comps {
		start := len(sc.bLines)
		sc.bOff = append(sc.bOff, int32(start))
		sc.bLines, _ = ev.eligible(cd, &comps[i].Target, false, sc.bLines)
		sc.bLines, _ = ev.dropMeasured(sc.bLines, start, outcome{}) // a bundle counts units
		ev.sortByUnitValue(sc.bLines[start:], prices, true)
		found = found || len(sc.bLines) > start
	}
	sc.bOff = append(sc.bOff, int32(len(sc.bLines)))
	if !found {
		return outcome{reason: ReasonNoTarget}, nil
	}
	for _, li := range sc.bLines {
		sc.avail[li] = sc.qty[li]
	}
	defer func() {
		for _, li := range sc.bLines {
			sc.avail[li], sc.used[li], sc.consumed[li], sc.weight[li] = 0, 0, 0, 0
		}
	}()
	price := c.Effect.Amount.MinorUnits()
	sc.bCons = sc.bCons[:0]
	var bundles int64
	var fail outcome
	for c.MaxApplications == 0 || bundles < c.MaxApplications {
		sc.bTouch = sc.bTouch[:0]
		short := -1
		var missing int64
		for i := range comps {
			need := comps[i].Quantity
			for _, li := range sc.bLines[sc.bOff[i]:sc.bOff[i+1]] {
				a := sc.avail[li] - sc.used[li]
				if a <= 0 {
					continue
				}
				if sc.used[li] == 0 {
					sc.bTouch = append(sc.bTouch, li)
				}
				t := min(a, need)
				sc.used[li] += t
				if need -= t; need == 0 {
					break
				}
			}
			if need > 0 {
				short, missing = i, need
				break
			}
		}
		if short >= 0 {
			for _, li := range sc.bTouch {
				sc.used[li] = 0
			}
			if bundles == 0 {
				fail = outcome{reason: ReasonMinQuantity, gap: qtyGap(missing, &comps[short].Target)}
			}
			break
		}
		var value int64
		for _, li := range sc.bTouch {
			value += part(prices[li], sc.used[li], sc.qty[li])
		}
		if value <= price {
			for _, li := range sc.bTouch {
				sc.used[li] = 0
			}
			if bundles == 0 {
				fail = outcome{reason: ReasonNoBenefit}
			}
			break
		}
		repeat := int64(math.MaxInt64)
		for _, li := range sc.bTouch {
			repeat = min(repeat, sc.avail[li]/sc.used[li])
		}
		if c.MaxApplications > 0 {
			repeat = min(repeat, c.MaxApplications-bundles)
		}
		for _, li := range sc.bTouch {
			if sc.consumed[li] == 0 {
				sc.bCons = append(sc.bCons, li)
			}
			take := repeat * sc.used[li] // ≤ avail
			sc.avail[li] -= take
			sc.consumed[li] += take
			sc.used[li] = 0
		}
		bundles += repeat
	}
	if bundles == 0 {
		return fail, nil
	}
	slices.Sort(sc.bCons)
	var value int64
	for _, li := range sc.bCons {
		sc.weight[li] = part(prices[li], sc.consumed[li], sc.qty[li])
		value += sc.weight[li]
	}
	cost, ok := mul(price, bundles)
	if !ok || cost >= value {
		return outcome{reason: ReasonNoBenefit}, nil
	}
	d := value - cost
	ev.hit = sc.bCons
	if !ev.trial {
		ev.allocate(d, sc.bCons, sc.weight, out)
	}
	return outcome{total: d}, nil
}

// computeFees discounts the fees of the selected modes, the most expensive
// first when the promotion has a limit.
func (ev *evaluator) computeFees(c *compiled, feePrices, feeOut []int64) (outcome, error) {
	sc := ev.sc
	e := &c.Effect
	fs := sc.tmpFees[:0]
	for fi := range sc.feeOrder {
		if len(e.FeeModes) == 0 || slices.Contains(e.FeeModes, ev.fee(int32(fi)).Mode) {
			fs = append(fs, int32(fi))
		}
	}
	sc.tmpFees = fs
	if len(fs) == 0 {
		return outcome{reason: ReasonNoTarget}, nil
	}
	if c.MaxApplications > 0 && int64(len(fs)) > c.MaxApplications {
		slices.SortStableFunc(fs, func(a, b int32) int { return cmp.Compare(feePrices[b], feePrices[a]) })
		fs = fs[:c.MaxApplications]
	}
	var total int64
	for _, fi := range fs {
		v := feePrices[fi]
		d := min(e.Amount.MinorUnits(), v)
		if !e.Percent.IsZero() {
			var err error
			if d, err = ev.percent(v, e.Percent, c.pct); err != nil {
				return outcome{}, err
			}
		}
		feeOut[fi] = d
		total += d
	}
	if total == 0 {
		return outcome{reason: ReasonNoBenefit}, nil
	}
	return outcome{total: total}, nil
}

// allocate spreads total (0 ≤ total ≤ Σ weights) over lines ls in
// proportion to weights (indexed by line position) by the largest-remainder
// method on minor units, ties broken by line ID: the semantics of
// pricing.Allocate, mirrored here on int64 so that it reuses per-call scratch
// memory and skips re-checking line IDs that are already unique (line
// positions are in ID order, so comparing positions compares IDs). The
// parts sum to total and none exceeds its weight.
func (ev *evaluator) allocate(total int64, ls []int32, weights, out []int64) {
	var sum uint64 // ≤ Σ line subtotals, which was checked to fit an int64
	for _, li := range ls {
		sum += uint64(weights[li])
	}
	if total <= 0 || sum == 0 {
		return
	}
	sc := ev.sc
	sc.rests, sc.packed = sc.rests[:0], sc.packed[:0]
	// When the remainders fit 32 bits (a basket under 2^32 minor units, the
	// usual case) each is packed with its line position into one key that
	// sorts in the order of rest.before, so that selecting compares integers.
	packed := sum <= math.MaxUint32
	left := uint64(total)
	for _, li := range ls {
		hi, lo := bits.Mul64(uint64(total), uint64(weights[li]))
		q, r := bits.Div64(hi, lo, sum) // q ≤ weight: hi < sum
		out[li] = int64(q)
		left -= q
		switch {
		case r == 0:
		case packed:
			sc.packed = append(sc.packed, uint64(^uint32(r))<<32|uint64(uint32(li)))
		default:
			sc.rests = append(sc.rests, rest{rem: r, li: li})
		}
	}
	// left < number of positive remainders: they sum to left × sum. The
	// units left go to the left largest remainders (ties by line ID).
	switch {
	case left == 0:
	case packed:
		selectLeast(sc.packed, int(left))
		for _, k := range sc.packed[:left] {
			out[int32(uint32(k))]++
		}
	default:
		selectTop(sc.rests, int(left))
		for _, r := range sc.rests[:left] {
			out[r.li]++
		}
	}
}

type rest struct {
	rem uint64
	li  int32
}

// before orders remainders: larger first, then smaller line position (ID).
func (a rest) before(b rest) bool { return a.rem > b.rem || a.rem == b.rem && a.li < b.li }

// selectTop reorders rs (distinct under before) so that its first k
// elements are the k first under before, in no particular order: a
// deterministic quickselect in expected linear time, falling back to a sort
// of the remaining range when the pivots are unlucky.
func selectTop(rs []rest, k int) {
	lo, hi := 0, len(rs)
	for budget := 2*bits.Len(uint(len(rs))) + 8; hi-lo > 1; budget-- {
		if budget == 0 {
			slices.SortFunc(rs[lo:hi], func(a, b rest) int {
				if a.before(b) {
					return -1
				}
				return 1
			})
			return
		}
		// Median of three as the pivot, moved to the end.
		m := lo + (hi-lo)/2
		if rs[m].before(rs[lo]) {
			rs[m], rs[lo] = rs[lo], rs[m]
		}
		if rs[hi-1].before(rs[m]) {
			rs[hi-1], rs[m] = rs[m], rs[hi-1]
			if rs[m].before(rs[lo]) {
				rs[m], rs[lo] = rs[lo], rs[m]
			}
		}
		rs[m], rs[hi-1] = rs[hi-1], rs[m]
		pivot, store := rs[hi-1], lo
		for i := lo; i < hi-1; i++ {
			if rs[i].before(pivot) {
				rs[i], rs[store] = rs[store], rs[i]
				store++
			}
		}
		rs[store], rs[hi-1] = rs[hi-1], rs[store]
		// rs[lo:store] come before the pivot, rs[store+1:hi] after it.
		switch {
		case k == store || k == store+1:
			return
		case k < store:
			hi = store
		default:
			lo = store + 1
		}
	}
}

// selectLeast is selectTop for distinct integer keys, the least first.
func selectLeast(ks []uint64, k int) {
	lo, hi := 0, len(ks)
	for budget := 2*bits.Len(uint(len(ks))) + 8; hi-lo > 1; budget-- {
		if budget == 0 {
			slices.Sort(ks[lo:hi])
			return
		}
		m := lo + (hi-lo)/2
		if ks[m] < ks[lo] {
			ks[m], ks[lo] = ks[lo], ks[m]
		}
		if ks[hi-1] < ks[m] {
			ks[hi-1], ks[m] = ks[m], ks[hi-1]
			if ks[m] < ks[lo] {
				ks[m], ks[lo] = ks[lo], ks[m]
			}
		}
		ks[m], ks[hi-1] = ks[hi-1], ks[m]
		pivot, store := ks[hi-1], lo
		for i := lo; i < hi-1; i++ {
			if ks[i] < pivot {
				ks[i], ks[store] = ks[store], ks[i]
				store++
			}
		}
		ks[store], ks[hi-1] = ks[hi-1], ks[store]
		switch {
		case k == store || k == store+1:
			return
		case k < store:
			hi = store
		default:
			lo = store + 1
		}
	}
}

// ratio is a rate as the exact fraction num/den, so that a percent
// discount is worked out on integers rather than through Money values,
// which cost more to build than the arithmetic. ok is false in the zero
// value, and when the rate does not fit (then pricing works it out).
type ratio struct {
	num, den uint64
	ok       bool
}

// ratioOf returns r as a fraction: its coefficient over 10^scale.
func ratioOf(r pricing.Rate) ratio {
	d := r.Decimal()
	c, exp := d.Coefficient(), d.Exponent()
	if exp > 0 || exp < -18 || !c.IsInt64() || c.Sign() < 0 {
		return ratio{}
	}
	den := uint64(1)
	for range -exp {
		den *= 10
	}
	return ratio{num: uint64(c.Int64()), den: den, ok: true}
}

// percent returns r × v rounded half-even; with 0 ≤ r ≤ 1 it never exceeds
// v. q is r as a fraction (ratioOf), or the zero ratio: the result is
// pricing's Money.MulRate either way, on integers when q allows.
func (ev *evaluator) percent(v int64, r pricing.Rate, q ratio) (int64, error) {
	if q.ok && v >= 0 {
		hi, lo := bits.Mul64(uint64(v), q.num)
		if hi < q.den {
			quo, rem := bits.Div64(hi, lo, q.den)
			if quo < math.MaxInt64 { // rounding cannot leave the range
				if half := q.den - rem; rem > half || rem == half && rem != 0 && quo&1 == 1 {
					quo++
				}
				return min(int64(quo), v), nil
			}
		}
	}
	m, err := ev.money(v).MulRate(r, pricing.HalfEven)
	if err != nil {
		return 0, err
	}
	return min(m.MinorUnits(), v), nil
}

// money wraps minor units of the evaluation currency. FromMinor cannot fail
// here: the currency was looked up and amounts are never math.MinInt64.
func (ev *evaluator) money(u int64) pricing.Money {
	m, _ := pricing.FromMinor(u, ev.cur)
	return m
}

// part returns the value of k of the q units of a line whose running total
// is t: t·k/q rounded half-even, exactly t when k = q. 0 ≤ k ≤ q, q > 0, t ≥ 0.
func part(t, k, q int64) int64 {
	if k == q {
		return t
	}
	hi, lo := bits.Mul64(uint64(t), uint64(k))
	quo, rem := bits.Div64(hi, lo, uint64(q)) // quo ≤ t: no overflow
	if r2 := uint64(q) - rem; rem > r2 || rem == r2 && quo&1 == 1 {
		quo++
	}
	return int64(quo)
}

// cmpFrac compares a/qa with b/qb exactly (all non-negative, qa, qb > 0).
func cmpFrac(a, qa, b, qb int64) int {
	h1, l1 := bits.Mul64(uint64(a), uint64(qb))
	h2, l2 := bits.Mul64(uint64(b), uint64(qa))
	if c := cmp.Compare(h1, h2); c != 0 {
		return c
	}
	return cmp.Compare(l1, l2)
}

// mul returns a·b for non-negative a, b and whether it fits.
func mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}
