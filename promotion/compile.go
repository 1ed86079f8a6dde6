package promotion

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// Set is a compiled, immutable, indexed set of promotions. It is safe for
// concurrent use by any number of goroutines. A nil *Set is an empty set.
type Set struct {
	promos  []compiled            // in evaluation order: lane, priority (high first), ID
	byID    map[string]int32      // promotion ID → rank
	chanNo  map[string]int32      // channel ID named by a promotion → channel number (from 1)
	bySKU   map[string]*postings  // SKU named by a target → promotions
	byCat   map[string]*postings  // category named by a target → promotions
	wide    postings              // promotions concerning any basket (a target of All, fee discounts), thresholds aside
	thr     map[thrKey]*thrBucket // threshold promotions by lane, measure and place scope
	loose   [2][2][]int32         // threshold promotions of too many places, by lane and measure: checked one by one
	locNo   map[string]int32      // location ID named by a threshold promotion → location number (from 1)
	coupons map[string][]int32    // normalised code → ranks
	indexed bool                  // false only for the naive baseline of the benchmarks
	pool    sync.Pool             // *scratch, per-call working memory
}

// postings are the promotions under one index key, split by channel scope:
// those offered in every channel, and those restricted to listed channels
// (sorted by channel number). Every list is in rank order.
type postings struct {
	any   []int32
	chans []chanPostings
}

type chanPostings struct {
	ch    int32
	ranks []int32
}

func (p *postings) add(ch, rank int32) {
	if ch == 0 {
		p.any = append(p.any, rank)
		return
	}
	for i := range p.chans {
		if p.chans[i].ch == ch {
			p.chans[i].ranks = append(p.chans[i].ranks, rank)
			return
		}
	}
	p.chans = append(p.chans, chanPostings{ch: ch, ranks: []int32{rank}})
}

func (p *postings) finish() {
	slices.SortFunc(p.chans, func(a, b chanPostings) int { return cmp.Compare(a.ch, b.ch) })
}

// of returns the promotions of channel number ch (0 for none).
func (p *postings) of(ch int32) []int32 {
	if ch == 0 || len(p.chans) == 0 {
		return nil
	}
	// A binary search written out: it runs for every posting list a basket
	// hits, and the generic search with a comparison function is a call per
	// step.
	lo, hi := 0, len(p.chans)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p.chans[m].ch < ch {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(p.chans) && p.chans[lo].ch == ch {
		return p.chans[lo].ranks
	}
	return nil
}

// compiled is a validated, normalised promotion with its derived data.
type compiled struct {
	Promotion
	rank    int32
	group   int32            // best-of group index, -1 for none
	cur     pricing.Currency // currency of the fixed amounts; zero when currency-neutral
	wide    bool             // concerns every basket
	keySKUs []string         // sorted union of the SKUs named by the targets
	keyCats []string         // sorted union of the categories named by the targets
	thr     measure          // what a threshold promotion's key measures; noMeasure for the others
	thrKey  int64            // its key: the least lane-entry spend (minor units of cur) or quantity
	pct     ratio            // Effect.Percent as a fraction, for the percent discounts
}

// measure is what the key of a threshold promotion is compared with at the
// entry of its lane.
type measure uint8

const (
	noMeasure  measure = iota // not a threshold promotion
	bySpend                   // the lane-entry goods subtotal, in the key's currency
	byQuantity                // the units of the basket's counted (not measured) lines
)

// threshold classifies c: a threshold promotion is one of the basket or
// fulfilment lane that concerns every line, carries no coupon and whose
// condition is a spend threshold (the larger of MinSubtotal and the lowest
// tier) or, failing that, a minimum quantity of all lines. See "Threshold
// promotions" in the package documentation.
func threshold(c *compiled) (measure, int64) {
	if c.Lane == Catalogue || c.Coupon != "" || !c.Effect.Target.All && c.Effect.Kind != FeeDiscount {
		return noMeasure, 0
	}
	var spend int64
	if !c.MinSubtotal.Currency().IsZero() {
		spend = c.MinSubtotal.MinorUnits()
	}
	if c.Effect.Kind == Tiered { // tiers are sorted by threshold
		spend = max(spend, c.Effect.Tiers[0].Threshold.MinorUnits())
	}
	switch {
	case spend > 0:
		return bySpend, spend
	case c.MinQuantity > 0 && c.QuantityTarget.All:
		return byQuantity, c.MinQuantity
	}
	return noMeasure, 0
}

// thrKey names a bucket of threshold promotions: one lane and measure, and
// one place scope (channel number, kind, location number; 0 for "any").
// A promotion is listed under every combination of its channels, kinds and
// locations, so that a context finds the promotions of its place in the
// eight buckets combining its own channel, kind and location with "any".
type thrKey struct {
	lane    Lane
	measure measure
	kind    channel.Kind
	ch, loc int32
}

// thrBucket holds the threshold promotions of one bucket: how many there
// are, and their keys in lists sorted by key then rank, one per currency
// for spend (a key in another currency than the basket's is never met),
// one for quantity.
type thrBucket struct {
	n     int
	lists []thrList
}

type thrList struct {
	cur pricing.Currency
	es  []thrEntry
}

type thrEntry struct {
	key  int64
	rank int32
}

// maxPlaces bounds the buckets a threshold promotion is listed under (its
// channels × kinds × locations); one scoped more widely than that is kept
// in a list checked one by one at every evaluation of its lane.
const maxPlaces = 16

func (s *Set) indexThreshold(c *compiled) {
	chs, kinds, locs := []int32{0}, []channel.Kind{0}, []int32{0}
	if len(c.Channels) > 0 {
		chs = chs[:0]
		for _, ch := range c.Channels {
			chs = append(chs, s.chanNo[ch])
		}
	}
	if len(c.Kinds) > 0 {
		kinds = c.Kinds
	}
	if len(c.Locations) > 0 {
		locs = locs[:0]
		for _, loc := range c.Locations {
			no, ok := s.locNo[loc]
			if !ok {
				no = int32(len(s.locNo) + 1)
				s.locNo[loc] = no
			}
			locs = append(locs, no)
		}
	}
	if len(chs)*len(kinds)*len(locs) > maxPlaces {
		l := &s.loose[c.Lane-Basket][c.thr-bySpend]
		*l = append(*l, c.rank)
		return
	}
	var cur pricing.Currency
	if c.thr == bySpend {
		cur = c.cur
	}
	for _, ch := range chs {
		for _, kind := range kinds {
			for _, loc := range locs {
				k := thrKey{lane: c.Lane, measure: c.thr, kind: kind, ch: ch, loc: loc}
				b := s.thr[k]
				if b == nil {
					b = new(thrBucket)
					s.thr[k] = b
				}
				b.n++
				i := slices.IndexFunc(b.lists, func(l thrList) bool { return l.cur == cur })
				if i < 0 {
					i = len(b.lists)
					b.lists = append(b.lists, thrList{cur: cur})
				}
				b.lists[i].es = append(b.lists[i].es, thrEntry{key: c.thrKey, rank: c.rank})
			}
		}
	}
}

func (b *thrBucket) finish() {
	for _, l := range b.lists {
		slices.SortFunc(l.es, func(x, y thrEntry) int {
			if c := cmp.Compare(x.key, y.key); c != 0 {
				return c
			}
			return cmp.Compare(x.rank, y.rank)
		})
	}
}

func (c *compiled) name() string {
	if c.Name != "" {
		return c.Name
	}
	return c.ID
}

// Compile validates every promotion once and builds an immutable set indexed
// by channel, SKU and category. Promotions are copied: changing the input
// afterwards does not change the Set.
//
// An invalid input returns a nil Set and an error joining one
// [*ValidationError] per problem (in promotion ID order), each matching
// [ErrInvalid]; use errors.As to read the first one.
func Compile(promos []Promotion) (*Set, error) { return compile(promos, true) }

func compile(in []Promotion, indexed bool) (*Set, error) {
	return compileWith(in, indexed, CompileOptions{})
}

func compileWith(in []Promotion, indexed bool, opts CompileOptions) (*Set, error) {
	measured := opts.measuredSet()
	ps := make([]compiled, len(in))
	for i := range in {
		ps[i].Promotion = normalize(in[i])
	}
	slices.SortStableFunc(ps, func(a, b compiled) int { return cmp.Compare(a.ID, b.ID) })
	var errs []error
	for i := range ps {
		if i > 0 && ps[i].ID == ps[i-1].ID {
			errs = append(errs, &ValidationError{PromotionID: ps[i].ID, Field: "ID", Reason: "duplicate promotion ID"})
			continue
		}
		errs = validate(&ps[i].Promotion, errs)
		errs = refuseMeasured(&ps[i].Promotion, measured, errs)
	}
	errs = validateGroups(ps, errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(ps, func(a, b compiled) int {
		if c := cmp.Compare(a.Lane, b.Lane); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Priority, a.Priority); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	s := &Set{
		promos:  ps,
		byID:    make(map[string]int32, len(ps)),
		chanNo:  make(map[string]int32),
		bySKU:   make(map[string]*postings),
		byCat:   make(map[string]*postings),
		coupons: make(map[string][]int32),
		thr:     make(map[thrKey]*thrBucket),
		locNo:   make(map[string]int32),
		indexed: indexed,
	}
	s.pool.New = func() any { return new(scratch) }
	groups := make(map[string]int32)
	var chans []int32
	for i := range ps {
		c := &ps[i]
		c.rank = int32(i)
		s.byID[c.ID] = c.rank
		c.group = -1
		if c.BestOfGroup != "" {
			g, ok := groups[c.BestOfGroup]
			if !ok {
				g = int32(len(groups))
				groups[c.BestOfGroup] = g
			}
			c.group = g
		}
		c.cur = promoCurrency(&c.Promotion)
		c.pct = ratioOf(c.Effect.Percent)
		derive(c)
		c.thr, c.thrKey = threshold(c)
		if c.Coupon != "" {
			s.coupons[c.Coupon] = append(s.coupons[c.Coupon], c.rank)
		}
		if !indexed {
			continue
		}
		chans = chans[:0]
		for _, ch := range c.Channels {
			no, ok := s.chanNo[ch]
			if !ok {
				no = int32(len(s.chanNo) + 1)
				s.chanNo[ch] = no
			}
			chans = append(chans, no)
		}
		if len(chans) == 0 {
			chans = append(chans, 0)
		}
		if c.thr != noMeasure {
			// Found by its key at the entry of its lane, not listed among
			// the wide ones: see thresholds in evaluate.go.
			s.indexThreshold(c)
			continue
		}
		for _, ch := range chans {
			if c.wide {
				// A basket-wide coupon promotion can only apply when its code
				// is in the wallet, and it is found through the coupon index
				// then; listing it here would make every basket examine every
				// such code (thousands, at a coupon-heavy retailer).
				if c.Coupon == "" {
					s.wide.add(ch, c.rank)
				}
				continue
			}
			for _, k := range c.keySKUs {
				posting(s.bySKU, k).add(ch, c.rank)
			}
			for _, k := range c.keyCats {
				posting(s.byCat, k).add(ch, c.rank)
			}
		}
	}
	// Each list was filled in rank order; only the channel lists need sorting.
	s.wide.finish()
	for _, b := range s.thr {
		b.finish()
	}
	for _, p := range s.bySKU {
		p.finish()
	}
	for _, p := range s.byCat {
		p.finish()
	}
	return s, nil
}

func posting(m map[string]*postings, k string) *postings {
	p := m[k]
	if p == nil {
		p = new(postings)
		m[k] = p
	}
	return p
}

// derive computes the index keys of c.
func derive(c *compiled) {
	targets := []*Target{&c.Effect.Target, &c.QuantityTarget}
	for i := range c.Effect.Components {
		targets = append(targets, &c.Effect.Components[i].Target)
	}
	c.wide = c.Effect.Kind == FeeDiscount
	for _, t := range targets {
		c.wide = c.wide || t.All
		c.keySKUs = append(c.keySKUs, t.SKUs...)
		c.keyCats = append(c.keyCats, t.Categories...)
	}
	slices.Sort(c.keySKUs)
	c.keySKUs = slices.Compact(c.keySKUs)
	slices.Sort(c.keyCats)
	c.keyCats = slices.Compact(c.keyCats)
}

// touches reports whether line l is named by one of c's targets.
func (c *compiled) touches(l *Line) bool {
	if c.wide {
		return true
	}
	if containsSorted(c.keySKUs, l.SKU) {
		return true
	}
	for _, cat := range l.Categories {
		if containsSorted(c.keyCats, cat) {
			return true
		}
	}
	return false
}

// placeReason returns why the channel, kind or location of ctx is outside
// c's scope, or ReasonNone.
func (c *compiled) placeReason(ctx *channel.Context) Reason {
	if len(c.Channels) > 0 && !containsSorted(c.Channels, ctx.ChannelID) {
		return ReasonWrongChannel
	}
	if len(c.Kinds) > 0 {
		if _, ok := slices.BinarySearch(c.Kinds, ctx.Kind); !ok {
			return ReasonWrongChannel
		}
	}
	if len(c.Locations) > 0 && !containsSorted(c.Locations, ctx.LocationID) {
		return ReasonWrongLocation
	}
	return ReasonNone
}

// Len returns the number of promotions in the set.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.promos)
}

// Promotion returns a copy of the compiled (normalised) promotion with the
// given ID: lists sorted and de-duplicated, coupon normalised.
func (s *Set) Promotion(id string) (Promotion, bool) {
	if s == nil {
		return Promotion{}, false
	}
	r, ok := s.byID[id]
	if !ok {
		return Promotion{}, false
	}
	return clonePromotion(s.promos[r].Promotion), true
}

// normalize returns a deep copy of p with its sets sorted and de-duplicated,
// tiers sorted by threshold and the coupon normalised.
func normalize(p Promotion) Promotion {
	p = clonePromotion(p)
	p.Channels = sortedSet(p.Channels)
	p.Kinds = sortedSet(p.Kinds)
	p.Locations = sortedSet(p.Locations)
	p.CustomerGroups = sortedSet(p.CustomerGroups)
	p.LoyaltyTiers = sortedSet(p.LoyaltyTiers)
	p.Effect.FeeModes = sortedSet(p.Effect.FeeModes)
	normTarget(&p.QuantityTarget)
	normTarget(&p.Effect.Target)
	for i := range p.Effect.Components {
		normTarget(&p.Effect.Components[i].Target)
	}
	slices.SortStableFunc(p.Effect.Tiers, func(a, b Tier) int {
		return cmp.Compare(a.Threshold.MinorUnits(), b.Threshold.MinorUnits())
	})
	p.Coupon = NormalizeCoupon(p.Coupon)
	return p
}

func normTarget(t *Target) {
	t.SKUs = sortedSet(t.SKUs)
	t.Categories = sortedSet(t.Categories)
}

func sortedSet[T cmp.Ordered](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	slices.Sort(xs)
	return slices.Compact(xs)
}

// promoCurrency returns the currency of the fixed amounts of a valid promotion.
func promoCurrency(p *Promotion) pricing.Currency {
	var cur pricing.Currency
	visitMoney(p, func(_ string, m pricing.Money) {
		if cur.IsZero() {
			cur = m.Currency()
		}
	})
	return cur
}

// visitMoney calls f for every set (non-zero currency) money field of p.
func visitMoney(p *Promotion, f func(field string, m pricing.Money)) {
	if !p.MinSubtotal.Currency().IsZero() {
		f("MinSubtotal", p.MinSubtotal)
	}
	if !p.Effect.Amount.Currency().IsZero() {
		f("Effect.Amount", p.Effect.Amount)
	}
	for i, t := range p.Effect.Tiers {
		if !t.Threshold.Currency().IsZero() {
			f(fmt.Sprintf("Effect.Tiers[%d].Threshold", i), t.Threshold)
		}
		if !t.Amount.Currency().IsZero() {
			f(fmt.Sprintf("Effect.Tiers[%d].Amount", i), t.Amount)
		}
	}
}

// maxCount bounds quantities in promotions (Buy, Get, component quantities)
// so that their sums and products cannot overflow.
const maxCount = 1 << 30

func validate(p *Promotion, errs []error) []error {
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{PromotionID: p.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if p.ID == "" {
		bad("ID", "must not be empty")
	}
	if !p.Lane.Valid() {
		bad("Lane", "unknown lane %d", uint8(p.Lane))
	}
	for _, l := range []struct {
		field string
		xs    []string
	}{{"Channels", p.Channels}, {"Locations", p.Locations}, {"CustomerGroups", p.CustomerGroups}, {"LoyaltyTiers", p.LoyaltyTiers}} {
		if slices.Contains(l.xs, "") {
			bad(l.field, "contains an empty entry")
		}
	}
	for _, k := range p.Kinds {
		if !k.Valid() {
			bad("Kinds", "unknown channel kind %d", uint8(k))
		}
	}
	if !p.StartsAt.IsZero() && !p.EndsAt.IsZero() && !p.EndsAt.After(p.StartsAt) {
		bad("EndsAt", "must be after StartsAt")
	}
	if p.MinSubtotal.IsNegative() {
		bad("MinSubtotal", "negative amount %s", p.MinSubtotal)
	}
	switch {
	case p.MinQuantity < 0:
		bad("MinQuantity", "negative quantity %d", p.MinQuantity)
	case p.MinQuantity > 0:
		errs = validTarget(p.ID, "QuantityTarget", &p.QuantityTarget, errs)
	case !p.QuantityTarget.IsZero():
		bad("QuantityTarget", "set without MinQuantity")
	}
	if p.MaxApplications < 0 {
		bad("MaxApplications", "negative limit %d", p.MaxApplications)
	}
	// Currencies: all fixed amounts of one promotion share one currency.
	var cur pricing.Currency
	visitMoney(p, func(field string, m pricing.Money) {
		switch {
		case cur.IsZero():
			cur = m.Currency()
		case m.Currency() != cur:
			errs = append(errs, &ValidationError{PromotionID: p.ID, Field: field,
				Reason: fmt.Sprintf("currency %s differs from %s", m.Currency(), cur), Err: pricing.ErrCurrencyMismatch})
		}
	})
	return validateEffect(p, errs)
}

func validateEffect(p *Promotion, errs []error) []error {
	e := &p.Effect
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{PromotionID: p.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if !e.Kind.Valid() {
		bad("Effect.Kind", "unknown effect kind %d", uint8(e.Kind))
		return errs
	}
	switch {
	case p.Lane == Catalogue && e.Kind != PercentOff && e.Kind != AmountOff && e.Kind != FixedPrice:
		bad("Lane", "a catalogue promotion cannot have a %s effect", e.Kind)
	case p.Lane == Fulfilment && e.Kind != FeeDiscount:
		bad("Lane", "a fulfilment promotion must have a fee-discount effect, not %s", e.Kind)
	case p.Lane == Basket && e.Kind == FeeDiscount:
		bad("Lane", "a fee-discount effect belongs to the fulfilment lane")
	}
	percent := func(field string, r pricing.Rate) {
		switch {
		case r.IsZero():
			bad(field, "percent must be above 0")
		case !r.AtMostOne():
			bad(field, "percent %s is above 100", r.Percent())
		}
	}
	amount := func(field string, m pricing.Money, allowZero bool) {
		switch {
		case m.Currency().IsZero():
			bad(field, "amount not set (no currency)")
		case m.IsNegative():
			bad(field, "negative amount %s", m)
		case m.IsZero() && !allowZero:
			bad(field, "amount must be above 0")
		}
	}
	unused := func(field string, set bool) {
		if set {
			bad(field, "not used by a %s effect", e.Kind)
		}
	}
	usesPercent, usesAmount := false, false
	switch e.Kind {
	case PercentOff, BasketPercentOff:
		percent("Effect.Percent", e.Percent)
		usesPercent = true
	case AmountOff, BasketAmountOff:
		amount("Effect.Amount", e.Amount, false)
		usesAmount = true
	case FixedPrice, BundlePrice:
		amount("Effect.Amount", e.Amount, true)
		usesAmount = true
	case BuyXGetY:
		percent("Effect.Percent", e.Percent)
		usesPercent = true
		if e.Buy < 1 || e.Buy > maxCount {
			bad("Effect.Buy", "must be between 1 and %d, not %d", maxCount, e.Buy)
		}
		if e.Get < 1 || e.Get > maxCount {
			bad("Effect.Get", "must be between 1 and %d, not %d", maxCount, e.Get)
		}
		if !e.Pick.Valid() {
			bad("Effect.Pick", "unknown pick %d", uint8(e.Pick))
		}
	case FeeDiscount:
		switch hasP, hasA := !e.Percent.IsZero(), !e.Amount.Currency().IsZero(); {
		case hasP && hasA:
			bad("Effect.Amount", "set together with Effect.Percent; a fee discount has one of them")
		case hasA:
			amount("Effect.Amount", e.Amount, false)
		default:
			percent("Effect.Percent", e.Percent)
		}
		usesPercent, usesAmount = true, true
		for _, m := range e.FeeModes {
			if !m.Valid() {
				bad("Effect.FeeModes", "unknown fulfilment mode %d", uint8(m))
			}
		}
	}
	if !usesPercent {
		unused("Effect.Percent", !e.Percent.IsZero())
	}
	if !usesAmount {
		unused("Effect.Amount", !e.Amount.Currency().IsZero())
	}
	if e.Kind != BuyXGetY {
		unused("Effect.Buy", e.Buy != 0)
		unused("Effect.Get", e.Get != 0)
		unused("Effect.Pick", e.Pick != Cheapest)
	}
	if e.Kind != FeeDiscount {
		unused("Effect.FeeModes", len(e.FeeModes) > 0)
	}
	switch e.Kind {
	case BundlePrice, FeeDiscount:
		unused("Effect.Target", !e.Target.IsZero())
	default:
		errs = validTarget(p.ID, "Effect.Target", &e.Target, errs)
	}
	if e.Kind == BundlePrice {
		if len(e.Components) == 0 || len(e.Components) > 16 {
			bad("Effect.Components", "a bundle needs 1 to 16 components, not %d", len(e.Components))
		}
		for i := range e.Components {
			c := &e.Components[i]
			field := fmt.Sprintf("Effect.Components[%d]", i)
			errs = validTarget(p.ID, field+".Target", &c.Target, errs)
			if c.Quantity < 1 || c.Quantity > maxCount {
				bad(field+".Quantity", "must be between 1 and %d, not %d", maxCount, c.Quantity)
			}
		}
	} else {
		unused("Effect.Components", len(e.Components) > 0)
	}
	if e.Kind == Tiered {
		if len(e.Tiers) == 0 || len(e.Tiers) > 16 {
			bad("Effect.Tiers", "a tiered effect needs 1 to 16 tiers, not %d", len(e.Tiers))
		}
		for i, t := range e.Tiers {
			field := fmt.Sprintf("Effect.Tiers[%d]", i)
			amount(field+".Threshold", t.Threshold, true)
			if i > 0 && t.Threshold == e.Tiers[i-1].Threshold {
				bad(field+".Threshold", "duplicate threshold %s", t.Threshold)
			}
			switch hasP, hasA := !t.Percent.IsZero(), !t.Amount.Currency().IsZero(); {
			case hasP && hasA:
				bad(field, "has both Amount and Percent")
			case hasA:
				amount(field+".Amount", t.Amount, false)
			default:
				percent(field+".Percent", t.Percent)
			}
		}
	} else {
		unused("Effect.Tiers", len(e.Tiers) > 0)
	}
	return errs
}

func validTarget(id, field string, t *Target, errs []error) []error {
	bad := func(f, reason string) {
		errs = append(errs, &ValidationError{PromotionID: id, Field: f, Reason: reason})
	}
	switch {
	case t.IsZero():
		bad(field, "empty target: set All, SKUs or Categories")
	case t.All && (len(t.SKUs) > 0 || len(t.Categories) > 0):
		bad(field, "All excludes SKUs and Categories")
	}
	if slices.Contains(t.SKUs, "") {
		bad(field+".SKUs", "contains an empty SKU")
	}
	if slices.Contains(t.Categories, "") {
		bad(field+".Categories", "contains an empty category")
	}
	return errs
}

// validateGroups checks that every best-of group lies in one lane and is
// not larger than MaxBestOfGroup. ps is sorted by ID.
func validateGroups(ps []compiled, errs []error) []error {
	type info struct {
		lane  Lane
		first string
		n     int
	}
	groups := make(map[string]*info)
	for i := range ps {
		p := &ps[i].Promotion
		if p.BestOfGroup == "" {
			continue
		}
		g := groups[p.BestOfGroup]
		if g == nil {
			groups[p.BestOfGroup] = &info{lane: p.Lane, first: p.ID, n: 1}
			continue
		}
		g.n++
		if p.Lane != g.lane {
			errs = append(errs, &ValidationError{PromotionID: p.ID, Field: "BestOfGroup",
				Reason: fmt.Sprintf("group %q mixes lanes (%s here, %s in %q)", p.BestOfGroup, p.Lane, g.lane, g.first)})
		}
		if g.n == MaxBestOfGroup+1 {
			errs = append(errs, &ValidationError{PromotionID: p.ID, Field: "BestOfGroup",
				Reason: fmt.Sprintf("group %q has more than %d members", p.BestOfGroup, MaxBestOfGroup)})
		}
	}
	return errs
}
