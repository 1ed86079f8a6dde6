package promotion

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// scratch is the per-call working memory of an evaluation, pooled per Set
// so that a warm evaluation allocates little more than its result.
type scratch struct {
	order    []int32 // line positions sorted by ID: order[li] is the input index
	qty      []int64
	sub      []int64 // line subtotals
	run      []int64 // running line totals
	entry    []int64 // line totals at the entry of the current lane
	disc     []int64 // line discounts of the promotion being applied
	disc2    []int64 // line discounts of a best-of trial
	closedBy []int32 // catalogue lane: rank of the exclusive promotion that closed the line, or -1
	allLines []int32 // 0 … n-1
	feeOrder []int32 // fee positions sorted by ID
	feeRun   []int64
	feeEntry []int64
	feeDisc  []int64
	feeDisc2 []int64

	codes     []string // normalised wallet codes, sorted, distinct
	pairs     []uint64 // rank<<32 | line position (or a marker)
	cands     []cand
	candLines []int32
	expls     []explRec
	groups    []groupRec
	adjs      []adjRec

	tmp      []int32
	tmpFees  []int32
	bLines   []int32 // bundle: eligible lines of every component, back to back
	bOff     []int32 // bundle: component c owns bLines[bOff[c]:bOff[c+1]]
	bTouch   []int32
	bCons    []int32
	avail    []int64
	used     []int64
	consumed []int64
	weight   []int64
	counts   []int32
	rests    []rest
	packed   []uint64 // rests packed in one integer each, when they fit
	keys     []keyPos
	msg      []byte
	msgOff   []int32

	thrRanks []int32    // threshold promotions examined in the lane being entered
	near     []thrEntry // their nearest misses, before the k nearest are kept
	merged   []cand
	tail     []cand
	misses   []miss // naive baseline: the unmet threshold promotions of a lane and measure
	drop     []bool // naive baseline: explanations dropped by the nearest-misses rule
}

// cand is an examined promotion of this evaluation.
type cand struct {
	rank    int32
	lo, hi  int32 // its lines: candLines[lo:hi], ascending
	all     bool  // it concerns every line
	place   bool  // channel, kind and location admit the context
	wallet  bool  // its coupon is in the wallet
	benefit int64 // best-of: the discount it would give at lane entry
	memo    outcome
}

type groupRec struct {
	group  int32
	winner int32 // index in cands, -1 when no member gives anything
}

type adjRec struct {
	rank   int32
	at     int32 // line position, or fee position when fee
	fee    bool
	amount int64
}

type explRec struct {
	status    Status
	reason    Reason
	amount    int64
	gap       gapRec
	blockedBy int32 // rank, -1 for none
}

type gapRec struct {
	set      bool
	amount   int64
	qty      int64
	sku, cat string
}

// outcome is what computing an effect gives.
type outcome struct {
	total  int64
	reason Reason // when total is 0
	gap    gapRec
	closer int32 // rank blocking it, with ReasonBlockedByExclusive
}

const (
	allMark    = math.MaxUint32     // pair marker: the promotion concerns every line
	walletMark = math.MaxUint32 - 1 // pair marker: found through a wallet code
)

type evaluator struct {
	s       *Set
	sc      *scratch
	lines   []Line
	fees    []Fee
	ctx     *channel.Context
	w       *Wallet
	opt     *Options
	cur     pricing.Currency
	laneSub int64   // goods subtotal at the entry of the current lane
	hit     []int32 // lines the last compute may have written discounts for
	trial   bool    // compute is a best-of trial: only its total and reason are used

	units    int64    // units of the counted (not measured) lines: the quantity measure
	laneSubs [4]int64 // laneSub of every lane, by Lane
	omitted  int      // unmet threshold promotions left unexplained
}

// Evaluate prices a basket against the set: lines and fees at their prices
// before promotions, the channel context (its Currency and AsOf are
// required; AsOf judges validity windows, the clock is never read) and the
// shopper's wallet. It is [Set.EvaluateWith] with no options.
//
// The pipeline is catalogue lane → basket lane → fulfilment lane. Within a
// lane promotions run in a total order (priority, highest first, then ID),
// each on the running prices left by the previous ones; the conditions of a
// promotion (MinSubtotal, MinQuantity, tiers) are judged on the prices at
// the entry of its lane, so basket conditions see the subtotal after
// catalogue discounts. Every discount is capped at the running price it
// applies to, so no line, fee or total goes below zero. The result does not
// depend on the order of lines, fees, wallet codes or of the promotions
// given to [Compile].
//
// Invalid input (an empty or duplicate line ID, a quantity below 1, a price
// in another currency or negative …) returns an [*InputError].
func (s *Set) Evaluate(lines []Line, fees []Fee, ctx channel.Context, w Wallet) (Evaluation, error) {
	return s.EvaluateWith(lines, fees, ctx, w, Options{})
}

// EvaluateWith is [Set.Evaluate] with options: spent budgets, the rounding
// of precise prices, and how many missed thresholds to explain.
func (s *Set) EvaluateWith(lines []Line, fees []Fee, ctx channel.Context, w Wallet, opt Options) (Evaluation, error) {
	cur, err := pricing.LookupCurrency(ctx.Currency)
	if err != nil {
		return Evaluation{}, &InputError{Field: "ctx.Currency", Reason: err.Error(), Err: err}
	}
	if ctx.AsOf.IsZero() {
		return Evaluation{}, &InputError{Field: "ctx.AsOf", Reason: "the as-of time must be set"}
	}
	if !opt.Rounding.Valid() {
		return Evaluation{}, &InputError{Field: "opt.Rounding", Reason: fmt.Sprintf("unknown rounding %s", opt.Rounding)}
	}
	if len(lines) >= math.MaxInt32-2 || len(fees) >= math.MaxInt32-2 {
		return Evaluation{}, &InputError{Field: "lines", Reason: "too many lines or fees"}
	}
	var sc *scratch
	if s != nil {
		sc = s.pool.Get().(*scratch)
		defer s.pool.Put(sc)
	} else {
		sc = new(scratch)
	}
	ev := evaluator{s: s, sc: sc, lines: lines, fees: fees, ctx: &ctx, w: &w, opt: &opt, cur: cur}
	defer ev.release()
	if err := ev.prepare(); err != nil {
		return Evaluation{}, err
	}
	ev.gather()
	if err := ev.run(); err != nil {
		return Evaluation{}, err
	}
	return ev.result(), nil
}

// release drops the references to the caller's strings kept in scratch.
func (ev *evaluator) release() {
	clear(ev.sc.codes)
}

func (ev *evaluator) line(li int32) *Line { return &ev.lines[ev.sc.order[li]] }

func (ev *evaluator) fee(fi int32) *Fee { return &ev.fees[ev.sc.feeOrder[fi]] }

// resize returns s with length n, zeroed, reusing its array when it can.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func inputErr(field string, idx int, sub, reason string, cause error) error {
	return &InputError{Field: fmt.Sprintf("%s[%d].%s", field, idx, sub), Reason: reason, Err: cause}
}

// prepare validates lines, fees and wallet and lays them out in ID order.
func (ev *evaluator) prepare() error {
	sc := ev.sc
	n := len(ev.lines)
	inOrder := true // checked here, where the comparison inlines: a caller's lines come sorted, as a rule
	for i := 1; i < n && inOrder; i++ {
		inOrder = ev.lines[i-1].ID <= ev.lines[i].ID
	}
	sc.order, sc.keys = sortedOrder(sc.order, sc.keys, n, inOrder, func(i int) string { return ev.lines[i].ID })
	sc.qty = resize(sc.qty, n)
	sc.sub = resize(sc.sub, n)
	sc.run = resize(sc.run, n)
	sc.entry = resize(sc.entry, n)
	sc.disc = resize(sc.disc, n)
	sc.disc2 = resize(sc.disc2, n)
	sc.avail = resize(sc.avail, n)
	sc.used = resize(sc.used, n)
	sc.consumed = resize(sc.consumed, n)
	sc.weight = resize(sc.weight, n)
	sc.closedBy = resize(sc.closedBy, n)
	sc.allLines = resize(sc.allLines, n)
	var total int64 // Σ subtotals and fees: checked once, so no later sum overflows
	for li, oi := range sc.order {
		l := &ev.lines[oi]
		sc.closedBy[li] = -1
		sc.allLines[li] = int32(li)
		switch {
		case l.ID == "":
			return inputErr("lines", int(oi), "ID", "must not be empty", nil)
		case li > 0 && l.ID == ev.lines[sc.order[li-1]].ID:
			return inputErr("lines", int(oi), "ID", fmt.Sprintf("duplicate line ID %q", l.ID), nil)
		case l.SKU == "":
			return inputErr("lines", int(oi), "SKU", "must not be empty", nil)
		case l.Quantity < 1:
			return inputErr("lines", int(oi), "Quantity", fmt.Sprintf("must be at least 1, not %d", l.Quantity), nil)
		}
		sub, ok, err := ev.subtotal(l, int(oi))
		if err != nil {
			return err
		}
		if ok {
			total, ok = checkedAdd(total, sub)
		}
		if !ok {
			return inputErr("lines", int(oi), "Quantity", "subtotal out of range", pricing.ErrOverflow)
		}
		sc.qty[li] = l.Quantity
		sc.sub[li] = sub
		sc.run[li] = sub
		if !l.Measured {
			ev.units = satAdd(ev.units, l.Quantity)
		}
	}
	nf := len(ev.fees)
	feesInOrder := true
	for i := 1; i < nf && feesInOrder; i++ {
		feesInOrder = ev.fees[i-1].ID <= ev.fees[i].ID
	}
	sc.feeOrder, sc.keys = sortedOrder(sc.feeOrder, sc.keys, nf, feesInOrder, func(i int) string { return ev.fees[i].ID })
	sc.feeRun = resize(sc.feeRun, nf)
	sc.feeEntry = resize(sc.feeEntry, nf)
	sc.feeDisc = resize(sc.feeDisc, nf)
	sc.feeDisc2 = resize(sc.feeDisc2, nf)
	for fi, oi := range sc.feeOrder {
		f := &ev.fees[oi]
		switch {
		case f.ID == "":
			return inputErr("fees", int(oi), "ID", "must not be empty", nil)
		case fi > 0 && f.ID == ev.fees[sc.feeOrder[fi-1]].ID:
			return inputErr("fees", int(oi), "ID", fmt.Sprintf("duplicate fee ID %q", f.ID), nil)
		case !f.Mode.Valid():
			return inputErr("fees", int(oi), "Mode", fmt.Sprintf("unknown fulfilment mode %d", uint8(f.Mode)), nil)
		case f.Amount.Currency() != ev.cur:
			return inputErr("fees", int(oi), "Amount", fmt.Sprintf("%s is not in %s", f.Amount.Currency(), ev.ctx.Currency), pricing.ErrCurrencyMismatch)
		case f.Amount.IsNegative():
			return inputErr("fees", int(oi), "Amount", "negative amount "+f.Amount.String(), nil)
		}
		var ok bool
		if total, ok = checkedAdd(total, f.Amount.MinorUnits()); !ok {
			return inputErr("fees", int(oi), "Amount", "total out of range", pricing.ErrOverflow)
		}
		sc.feeRun[fi] = f.Amount.MinorUnits()
	}
	sc.codes = sc.codes[:0]
	for _, c := range ev.w.Coupons {
		if c = NormalizeCoupon(c); c != "" {
			sc.codes = append(sc.codes, c)
		}
	}
	slices.Sort(sc.codes)
	sc.codes = slices.Compact(sc.codes)
	return nil
}

// subtotal validates the unit price of line l (input index oi) and returns
// its subtotal before promotions: UnitPrice × Quantity exactly, or Precise
// × Quantity rounded once with the options' mode; ok is false when it does
// not fit.
func (ev *evaluator) subtotal(l *Line, oi int) (sub int64, ok bool, err error) {
	if l.Precise.Currency().IsZero() {
		switch {
		case l.UnitPrice.Currency() != ev.cur:
			return 0, false, inputErr("lines", oi, "UnitPrice", fmt.Sprintf("%s is not in %s", l.UnitPrice.Currency(), ev.ctx.Currency), pricing.ErrCurrencyMismatch)
		case l.UnitPrice.IsNegative():
			return 0, false, inputErr("lines", oi, "UnitPrice", "negative price "+l.UnitPrice.String(), nil)
		}
		if l.Measured {
			return measuredSubtotal(pricing.UnitPriceOf(l.UnitPrice), l, ev.opt.Rounding)
		}
		sub, ok = mul(l.UnitPrice.MinorUnits(), l.Quantity)
		return sub, ok, nil
	}
	switch {
	case !l.UnitPrice.Currency().IsZero():
		return 0, false, inputErr("lines", oi, "Precise", "set with UnitPrice: a line has one unit price", nil)
	case l.Precise.Currency() != ev.cur:
		return 0, false, inputErr("lines", oi, "Precise", fmt.Sprintf("%s is not in %s", l.Precise.Currency(), ev.ctx.Currency), pricing.ErrCurrencyMismatch)
	case l.Precise.IsNegative():
		return 0, false, inputErr("lines", oi, "Precise", "negative price "+l.Precise.String(), nil)
	}
	if l.Measured {
		return measuredSubtotal(l.Precise, l, ev.opt.Rounding)
	}
	m, err := l.Precise.Mul(l.Quantity, ev.opt.Rounding)
	return m.MinorUnits(), err == nil, nil
}

// sortedOrder returns the positions 0 … n-1 sorted by key, using keys as
// scratch; sorted says the keys are in order already (non-decreasing).
func sortedOrder(order []int32, keys []keyPos, n int, sorted bool, key func(int) string) ([]int32, []keyPos) {
	order = resize(order, n)
	for i := range order {
		order[i] = int32(i)
	}
	if sorted {
		return order, keys
	}
	keys = resize(keys, n)
	for i := range keys {
		keys[i] = keyPos{key: key(i), pos: int32(i)}
	}
	slices.SortFunc(keys, func(a, b keyPos) int { return strings.Compare(a.key, b.key) })
	for i := range keys {
		order[i] = keys[i].pos
	}
	clear(keys) // drop the caller's strings
	return order, keys
}

type keyPos struct {
	key string
	pos int32
}

// gather finds the examined promotions: through the index (SKU and
// categories of every line, then channel, plus the wide ones and the wallet
// codes), or, for the naive baseline, by looking at every promotion.
func (ev *evaluator) gather() {
	sc := ev.sc
	sc.pairs = sc.pairs[:0]
	sc.cands = sc.cands[:0]
	sc.candLines = sc.candLines[:0]
	s := ev.s
	if s == nil || len(s.promos) == 0 {
		return
	}
	if !s.indexed {
		for r := range s.promos {
			c := &s.promos[r]
			if c.wide && c.Coupon != "" && !slices.Contains(sc.codes, c.Coupon) {
				continue // the same rule as the index: see Compile
			}
			cd := cand{rank: int32(r), lo: int32(len(sc.candLines)), all: c.wide}
			if !c.wide {
				for li := range sc.order {
					if c.touches(ev.line(int32(li))) {
						sc.candLines = append(sc.candLines, int32(li))
					}
				}
			}
			cd.hi = int32(len(sc.candLines))
			ev.admit(cd)
		}
		return
	}
	ev.collect()
	for _, code := range sc.codes {
		for _, r := range s.coupons[code] {
			sc.pairs = append(sc.pairs, uint64(r)<<32|walletMark)
		}
	}
	// packed, the scratch of allocate (which runs later), is the radix
	// sort's other buffer: the two swap their arrays.
	sc.pairs, sc.packed = sortByRank(sc.pairs, sc.packed, int32(len(s.promos)-1))
	for i := 0; i < len(sc.pairs); {
		r := int32(sc.pairs[i] >> 32)
		cd := cand{rank: r, lo: int32(len(sc.candLines))}
		for ; i < len(sc.pairs) && int32(sc.pairs[i]>>32) == r; i++ {
			switch low := uint32(sc.pairs[i]); low {
			case allMark:
				cd.all = true
			case walletMark:
			default:
				if n := len(sc.candLines); n == int(cd.lo) || sc.candLines[n-1] != int32(low) {
					sc.candLines = append(sc.candLines, int32(low))
				}
			}
		}
		cd.hi = int32(len(sc.candLines))
		cd.all = cd.all || s.promos[r].wide // a wide coupon promotion found through the wallet
		ev.admit(cd)
	}
}

// sortByRank orders pairs by rank (their high half) and returns them with
// the spare buffer; ranks are at most maxRank. A rank's pairs keep the
// order they were collected in: lines ascending (collect walks the lines in
// order), then the markers, which is all gather needs of them. Short lists
// are sorted outright; longer ones, a few hundred pairs for a large
// basket, by a stable radix sort on the rank's bytes, a pass per byte of
// maxRank, with no comparisons.
func sortByRank(pairs, spare []uint64, maxRank int32) ([]uint64, []uint64) {
	if len(pairs) < 64 {
		slices.Sort(pairs)
		return pairs, spare
	}
	if cap(spare) < len(pairs) {
		spare = make([]uint64, len(pairs))
	}
	src, dst := pairs, spare[:len(pairs)]
	for shift := uint(32); shift < 64 && uint64(maxRank)>>(shift-32) > 0; shift += 8 {
		var at [256]int32
		for _, p := range src {
			at[byte(p>>shift)]++
		}
		var sum int32
		for d, n := range at {
			at[d], sum = sum, sum+n
		}
		for _, p := range src {
			d := byte(p >> shift)
			dst[at[d]] = p
			at[d]++
		}
		src, dst = dst, src
	}
	return src, dst[:0]
}

// collect appends a pair for every promotion indexed under the SKU or a
// category of a line, in the context's channel or in every channel, and for
// the wide ones.
func (ev *evaluator) collect() {
	s, sc := ev.s, ev.sc
	ch := s.chanNo[ev.ctx.ChannelID] // 0 when no promotion names the channel
	emit := func(p *postings, low uint64) {
		for _, r := range p.any {
			sc.pairs = append(sc.pairs, uint64(r)<<32|low)
		}
		for _, r := range p.of(ch) {
			sc.pairs = append(sc.pairs, uint64(r)<<32|low)
		}
	}
	for li := range sc.order {
		l := ev.line(int32(li))
		if p := s.bySKU[l.SKU]; p != nil {
			emit(p, uint64(li))
		}
		if len(s.byCat) > 0 {
			for _, cat := range l.Categories {
				if p := s.byCat[cat]; p != nil {
					emit(p, uint64(li))
				}
			}
		}
	}
	emit(&s.wide, allMark)
}

// admit keeps cd when the promotion is examined: its place scope admits the
// context and it concerns the basket, or its coupon is in the wallet.
func (ev *evaluator) admit(cd cand) {
	sc := ev.sc
	c := &ev.s.promos[cd.rank]
	cd.place = c.placeReason(ev.ctx) == ReasonNone
	cd.wallet = c.Coupon != "" && containsSorted(sc.codes, c.Coupon)
	if cd.place && (cd.all || cd.hi > cd.lo) || cd.wallet {
		sc.cands = append(sc.cands, cd)
		return
	}
	sc.candLines = sc.candLines[:cd.lo]
}

// candidateLines returns the lines cd concerns.
func (ev *evaluator) candidateLines(cd *cand) []int32 {
	if cd.all {
		return ev.sc.allLines
	}
	return ev.sc.candLines[cd.lo:cd.hi]
}

// run walks the examined promotions in evaluation order, lane by lane. At
// the entry of the basket and fulfilment lanes, whose measures are known
// only then, the index adds the threshold promotions the lane examines;
// the naive baseline examines them all and applies the same rule after
// the walk.
func (ev *evaluator) run() error {
	sc := ev.sc
	sc.expls = resize(sc.expls, len(sc.cands))
	sc.groups = sc.groups[:0]
	sc.adjs = sc.adjs[:0]
	if ev.s == nil {
		return nil
	}
	ci := 0
	for lane := Catalogue; lane <= Fulfilment; lane++ {
		copy(sc.entry, sc.run)
		copy(sc.feeEntry, sc.feeRun)
		ev.laneSub = 0
		for _, v := range sc.run {
			ev.laneSub += v // cannot overflow: bounded by the checked subtotal
		}
		ev.laneSubs[lane] = ev.laneSub
		if lane != Catalogue && ev.s.indexed {
			ev.thresholds(lane, ci)
		}
		closed := int32(-1) // basket and fulfilment lanes: the exclusive promotion that stopped the lane
		for ; ci < len(sc.cands) && ev.s.promos[sc.cands[ci].rank].Lane == lane; ci++ {
			if err := ev.decide(ci, &closed); err != nil {
				return err
			}
		}
	}
	if !ev.s.indexed {
		ev.prune()
	}
	return nil
}

// thresholds adds to the examined promotions of lane, whose first is
// cands[lo] (or which has none yet), the lane's threshold promotions in the
// context's place scope that the basket meets and, per measure, the k
// nearest it misses and could meet by buying more, and counts the other
// unmet ones as omitted. Each bucket is searched by key, then walked over
// about k entries, so the cost follows the met promotions and k, not the
// unmet ones.
func (ev *evaluator) thresholds(lane Lane, lo int) {
	s, sc := ev.s, ev.sc
	li := lane - Basket
	if len(s.thr) == 0 && len(s.loose[li][0]) == 0 && len(s.loose[li][1]) == 0 {
		return
	}
	k := ev.opt.nearest()
	// The context's place and "any", in each dimension.
	chs, kinds, locs := [2]int32{0, s.chanNo[ev.ctx.ChannelID]}, [2]channel.Kind{0, ev.ctx.Kind}, [2]int32{0, s.locNo[ev.ctx.LocationID]}
	nch, nkind, nloc := 1+min(chs[1], 1), 1+min(int(kinds[1]), 1), 1+min(locs[1], 1)
	sc.thrRanks = sc.thrRanks[:0]
	for m := bySpend; m <= byQuantity; m++ {
		have := ev.units
		if m == bySpend {
			have = ev.laneSub
		}
		sc.near = sc.near[:0]
		inScope, met := 0, 0
		for _, ch := range chs[:nch] {
			for _, kind := range kinds[:nkind] {
				for _, loc := range locs[:nloc] {
					b := s.thr[thrKey{lane: lane, measure: m, kind: kind, ch: ch, loc: loc}]
					if b == nil {
						continue
					}
					inScope += b.n
					for i := range b.lists {
						l := &b.lists[i]
						if m == bySpend && l.cur != ev.cur {
							continue // never met, and refused for its currency
						}
						j := sort.Search(len(l.es), func(i int) bool { return l.es[i].key > have }) // the first unmet
						met += j
						for _, e := range l.es[:j] {
							sc.thrRanks = append(sc.thrRanks, e.rank)
						}
						ev.nearest(l.es[j:], k)
					}
				}
			}
		}
		for _, r := range s.loose[li][m-bySpend] {
			c := &s.promos[r]
			if c.placeReason(ev.ctx) != ReasonNone {
				continue
			}
			inScope++
			switch {
			case c.thrKey <= have && (m == byQuantity || c.cur == ev.cur):
				met++
				sc.thrRanks = append(sc.thrRanks, r)
			case !ev.refused(c):
				sc.near = append(sc.near, thrEntry{key: c.thrKey, rank: r})
			}
		}
		slices.SortFunc(sc.near, func(x, y thrEntry) int {
			if c := cmp.Compare(x.key, y.key); c != 0 {
				return c
			}
			return cmp.Compare(x.rank, y.rank)
		})
		explained := min(k, len(sc.near))
		for _, e := range sc.near[:explained] {
			sc.thrRanks = append(sc.thrRanks, e.rank)
		}
		ev.omitted += inScope - met - explained
	}
	if len(sc.thrRanks) > 0 {
		slices.Sort(sc.thrRanks)
		ev.insert(lo, lane)
	}
}

// nearest appends to sc.near the first k promotions of es (unmet, sorted by
// key then rank) that are not refused to the shopper. It walks past the
// refused ones: the walk is about k entries unless many promotions refused
// to this shopper (another customer group or loyalty tier, outside their
// window, budget spent) crowd just above the basket.
func (ev *evaluator) nearest(es []thrEntry, k int) {
	for _, e := range es {
		if k == 0 {
			return
		}
		if !ev.refused(&ev.s.promos[e.rank]) {
			ev.sc.near = append(ev.sc.near, e)
			k--
		}
	}
}

// refused reports whether c is refused to this shopper whatever the basket
// holds: customer group, validity window, currency, loyalty tier or spent
// budget (the checks of eligibility that come before the thresholds).
func (ev *evaluator) refused(c *compiled) bool {
	ctx := ev.ctx
	return len(c.CustomerGroups) > 0 && !containsSorted(c.CustomerGroups, ctx.CustomerGroup) ||
		!c.StartsAt.IsZero() && ctx.AsOf.Before(c.StartsAt) ||
		!c.EndsAt.IsZero() && !ctx.AsOf.Before(c.EndsAt) ||
		!c.cur.IsZero() && c.cur != ev.cur ||
		len(c.LoyaltyTiers) > 0 && !containsSorted(c.LoyaltyTiers, ev.w.LoyaltyTier) ||
		len(ev.opt.Exhausted) > 0 && slices.Contains(ev.opt.Exhausted, c.ID)
}

// insert merges the promotions of sc.thrRanks (sorted, none examined yet)
// into the examined promotions of lane, which start at cands[lo].
func (ev *evaluator) insert(lo int, lane Lane) {
	sc := ev.sc
	hi := lo
	for hi < len(sc.cands) && ev.s.promos[sc.cands[hi].rank].Lane == lane {
		hi++
	}
	sc.tail = append(sc.tail[:0], sc.cands[hi:]...)
	sc.merged = sc.merged[:0]
	i, rs := lo, sc.thrRanks
	for i < hi || len(rs) > 0 {
		if len(rs) == 0 || i < hi && sc.cands[i].rank < rs[0] {
			sc.merged = append(sc.merged, sc.cands[i])
			i++
			continue
		}
		at := int32(len(sc.candLines))
		sc.merged = append(sc.merged, cand{rank: rs[0], lo: at, hi: at, all: true, place: true})
		rs = rs[1:]
	}
	sc.cands = append(append(sc.cands[:lo], sc.merged...), sc.tail...)
	if n := len(sc.cands); n > len(sc.expls) {
		sc.expls = slices.Grow(sc.expls, n-len(sc.expls))[:n]
	}
}

// miss is an unmet threshold promotion of the naive baseline.
type miss struct {
	ci   int   // index in cands
	gap  int64 // key − measure
	rank int32
}

// prune applies the nearest-misses rule to the naive baseline, as a pass
// of its own over the full list of explanations, so that the index can be
// checked against it: per lane and measure, the threshold promotions the
// basket misses keep their explanation only when it is not a refusal to
// the shopper (customer group, window, currency, loyalty tier, budget) and
// they are among the k nearest by (key − measure, evaluation order); the
// others are dropped and counted.
func (ev *evaluator) prune() {
	sc, k := ev.sc, ev.opt.nearest()
	sc.drop = resize(sc.drop, len(sc.cands))
	dropped := 0
	for lane := Basket; lane <= Fulfilment; lane++ {
		for m := bySpend; m <= byQuantity; m++ {
			have := ev.units
			if m == bySpend {
				have = ev.laneSubs[lane]
			}
			sc.misses = sc.misses[:0]
			for ci := range sc.cands {
				cd := &sc.cands[ci]
				c := &ev.s.promos[cd.rank]
				if c.Lane != lane || c.thr != m || !cd.place {
					continue
				}
				if c.thrKey <= have && (m == byQuantity || c.cur == ev.cur) {
					continue // met: explained as any promotion
				}
				switch sc.expls[ci].reason {
				case ReasonCustomerGroup, ReasonNotStarted, ReasonExpired, ReasonCurrency, ReasonLoyaltyTier, ReasonLimitReached:
					sc.drop[ci] = true
					dropped++
					continue
				}
				sc.misses = append(sc.misses, miss{ci: ci, gap: c.thrKey - have, rank: cd.rank})
			}
			slices.SortFunc(sc.misses, func(a, b miss) int {
				if c := cmp.Compare(a.gap, b.gap); c != 0 {
					return c
				}
				return cmp.Compare(a.rank, b.rank)
			})
			for _, x := range sc.misses[min(k, len(sc.misses)):] {
				sc.drop[x.ci] = true
				dropped++
			}
		}
	}
	ev.omitted = dropped
	if dropped == 0 {
		return
	}
	n := 0
	for ci := range sc.cands {
		if !sc.drop[ci] {
			sc.cands[n], sc.expls[n] = sc.cands[ci], sc.expls[ci]
			n++
		}
	}
	sc.cands, sc.expls = sc.cands[:n], sc.expls[:n]
}

// decide explains and, when it applies, applies the promotion cands[ci].
func (ev *evaluator) decide(ci int, closed *int32) error {
	sc := ev.sc
	cd := &sc.cands[ci]
	c := &ev.s.promos[cd.rank]
	e := &sc.expls[ci]
	*e = explRec{status: NotApplicable, blockedBy: -1}
	if r, gap := ev.eligibility(c, cd); r != ReasonNone {
		e.reason, e.gap = r, gap
		return nil
	}
	if c.Lane != Catalogue && *closed >= 0 {
		e.status, e.reason, e.blockedBy = Blocked, ReasonBlockedByExclusive, *closed
		return nil
	}
	if c.group >= 0 {
		w, err := ev.winner(ci)
		if err != nil {
			return err
		}
		if w != ci {
			if cd.benefit > 0 {
				e.status, e.reason, e.blockedBy = Blocked, ReasonBestOfLost, sc.cands[w].rank
			} else {
				e.reason, e.gap = cd.memo.reason, cd.memo.gap
			}
			return nil
		}
	}
	o, err := ev.compute(c, cd, sc.run, sc.feeRun, c.Lane == Catalogue, sc.disc, sc.feeDisc)
	if err != nil {
		return err
	}
	if o.total == 0 {
		ev.clearOut(sc.disc, sc.feeDisc)
		e.reason, e.gap = o.reason, o.gap
		if o.reason == ReasonBlockedByExclusive {
			e.status, e.blockedBy = Blocked, o.closer
		}
		return nil
	}
	// The discounts are cleared for the next compute as they are read (the
	// lines of ev.hit are distinct), rather than in a pass of their own.
	for _, li := range ev.hit {
		d := sc.disc[li]
		if d == 0 {
			continue
		}
		sc.disc[li] = 0
		sc.run[li] -= d
		sc.adjs = append(sc.adjs, adjRec{rank: cd.rank, at: li, amount: d})
		if c.Exclusive && c.Lane == Catalogue {
			sc.closedBy[li] = cd.rank
		}
	}
	for fi, d := range sc.feeDisc {
		if d == 0 {
			continue
		}
		sc.feeRun[fi] -= d
		sc.adjs = append(sc.adjs, adjRec{rank: cd.rank, at: int32(fi), fee: true, amount: d})
	}
	clear(sc.feeDisc)
	e.status, e.amount = Applied, o.total
	if c.Exclusive && c.Lane != Catalogue {
		*closed = cd.rank
	}
	return nil
}

// clearOut zeroes the discounts written by the last compute.
func (ev *evaluator) clearOut(out, feeOut []int64) {
	for _, li := range ev.hit {
		out[li] = 0
	}
	clear(feeOut)
}

// winner resolves the best-of group of cands[ci], the first member met in
// the lane: every eligible member is tried alone on the lane-entry prices
// and the largest benefit wins, ties going to the earlier member in the
// evaluation order. The winner then applies at its own place in the lane.
func (ev *evaluator) winner(ci int) (int, error) {
	sc := ev.sc
	first := &ev.s.promos[sc.cands[ci].rank]
	for _, g := range sc.groups {
		if g.group == first.group {
			return int(g.winner), nil
		}
	}
	best, bestBenefit := -1, int64(0)
	for cj := ci; cj < len(sc.cands); cj++ {
		cd := &sc.cands[cj]
		c := &ev.s.promos[cd.rank]
		if c.Lane != first.Lane {
			break
		}
		if c.group != first.group {
			continue
		}
		cd.benefit, cd.memo = 0, outcome{}
		if r, _ := ev.eligibility(c, cd); r != ReasonNone {
			continue
		}
		ev.trial = true
		o, err := ev.compute(c, cd, sc.entry, sc.feeEntry, false, sc.disc2, sc.feeDisc2)
		ev.trial = false
		ev.clearOut(sc.disc2, sc.feeDisc2)
		if err != nil {
			return 0, err
		}
		cd.benefit, cd.memo = o.total, o
		if o.total > bestBenefit {
			best, bestBenefit = cj, o.total
		}
	}
	sc.groups = append(sc.groups, groupRec{group: first.group, winner: int32(best)})
	return best, nil
}

// eligibility checks scope, wallet, budget and conditions, in the order of
// the Reason constants.
func (ev *evaluator) eligibility(c *compiled, cd *cand) (Reason, gapRec) {
	ctx := ev.ctx
	switch {
	case !cd.place:
		return c.placeReason(ctx), gapRec{}
	case len(c.CustomerGroups) > 0 && !containsSorted(c.CustomerGroups, ctx.CustomerGroup):
		return ReasonCustomerGroup, gapRec{}
	case !c.StartsAt.IsZero() && ctx.AsOf.Before(c.StartsAt):
		return ReasonNotStarted, gapRec{}
	case !c.EndsAt.IsZero() && !ctx.AsOf.Before(c.EndsAt):
		return ReasonExpired, gapRec{}
	case !c.cur.IsZero() && c.cur != ev.cur:
		return ReasonCurrency, gapRec{}
	case c.Coupon != "" && !cd.wallet:
		return ReasonMissingCoupon, gapRec{}
	case len(c.LoyaltyTiers) > 0 && !containsSorted(c.LoyaltyTiers, ev.w.LoyaltyTier):
		return ReasonLoyaltyTier, gapRec{}
	case len(ev.opt.Exhausted) > 0 && slices.Contains(ev.opt.Exhausted, c.ID):
		return ReasonLimitReached, gapRec{}
	case !c.MinSubtotal.Currency().IsZero() && ev.laneSub < c.MinSubtotal.MinorUnits():
		return ReasonMinSubtotal, gapRec{set: true, amount: c.MinSubtotal.MinorUnits() - ev.laneSub}
	}
	if c.MinQuantity > 0 {
		have := ev.units // the units of every counted line: the sum below when every line counts
		if !cd.all || !c.QuantityTarget.All {
			have = 0
			for _, li := range ev.candidateLines(cd) {
				if l := ev.line(li); !l.Measured && c.QuantityTarget.matches(l) { // measured goods have no units
					have = satAdd(have, ev.sc.qty[li])
				}
			}
		}
		if have < c.MinQuantity {
			return ReasonMinQuantity, qtyGap(c.MinQuantity-have, &c.QuantityTarget)
		}
	}
	return ReasonNone, gapRec{}
}

// qtyGap is a quantity gap, naming the SKU or category when t names exactly one.
func qtyGap(n int64, t *Target) gapRec {
	g := gapRec{set: true, qty: n}
	switch {
	case t.All:
	case len(t.SKUs) == 1 && len(t.Categories) == 0:
		g.sku = t.SKUs[0]
	case len(t.SKUs) == 0 && len(t.Categories) == 1:
		g.cat = t.Categories[0]
	}
	return g
}

// checkedAdd returns a+b for non-negative a, b and whether it fits.
func checkedAdd(a, b int64) (int64, bool) {
	if a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}

func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
