package basket

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// Associate price overrides.
//
// An override is an associate's last word on one line's price, with a
// reason code: a price match, a damaged box, a goodwill gesture. It is
// kept on the basket ([Basket.Overrides], one per line, sorted by line ID)
// and applied by the pure [Recontextualize] at two fixed points of the
// pipeline:
//
//   - a set price ([SetPrice]) replaces the unit price in step 1, before
//     promotions, the common till rule: catalogue and basket promotions
//     still apply on top of it, as they would on the list price. The line's
//     [PricedLine.Basis] is then [BasisOverride];
//   - a discount ([AmountOff], [PercentOff]) is taken off what the line
//     costs after every promotion (step 3½, before fees and tax), so that
//     "fifteen percent off this one" means off what the shopper was about
//     to pay; it shows as an adjustment of the line's Discounts whose
//     promotion ID is [OverrideAdjustmentID].
//
// An override only ever lowers a line: a set price at or above the price
// the line would be charged does nothing, a discount is capped at what the
// line costs. So nothing goes negative and the sum of a line's adjustments
// is its discount, as for promotions. Result.Overrides lists every
// override that applied, with the amount it took off the line and what
// that amount is measured against (the line's subtotal without it).
//
// An override holds for the quantity it was granted at: a quantity change
// of its line ends it (granting 99.00 for one lamp is not granting it for
// ten), as does removing the line. It follows a declared policy when the
// basket changes channel ([OverrideCarry]): by default an override granted
// in one store ends when the basket leaves it, which the change report
// says ([ChangeOverrideEnded]).

// OverrideAdjustmentID is the promotion ID of the adjustment an override
// discount adds to its line's Discounts. Promotions must not use it.
const OverrideAdjustmentID = "omnibasket:override"

// OverrideTerms is what an override does to its line: exactly one field
// is set. Build them with [SetPrice], [AmountOff] or [PercentOff].
type OverrideTerms struct {
	// Price is the unit price charged instead of the line's price (0 gives
	// the line away).
	Price *pricing.Money `json:"price,omitempty"`
	// Off is an amount taken off the line as a whole.
	Off *pricing.Money `json:"off,omitempty"`
	// Percent is the fraction of the line taken off (0.15 for 15 %).
	Percent *pricing.Rate `json:"percent,omitempty"`
}

// SetPrice charges p per unit instead of the line's price.
func SetPrice(p pricing.Money) OverrideTerms { return OverrideTerms{Price: &p} }

// AmountOff takes a off the line as a whole.
func AmountOff(a pricing.Money) OverrideTerms { return OverrideTerms{Off: &a} }

// PercentOff takes the fraction r of the line off (pricing.MustPercent("15")).
func PercentOff(r pricing.Rate) OverrideTerms { return OverrideTerms{Percent: &r} }

// String describes the terms: "price 99.00 EUR", "10.00 EUR off", "15% off".
func (t OverrideTerms) String() string {
	switch {
	case t.Price != nil:
		return "price " + t.Price.String()
	case t.Off != nil:
		return t.Off.String() + " off"
	case t.Percent != nil:
		return t.Percent.Percent() + "% off"
	}
	return "no terms"
}

func (t OverrideTerms) validate() error {
	n := 0
	for _, set := range []bool{t.Price != nil, t.Off != nil, t.Percent != nil} {
		if set {
			n++
		}
	}
	switch {
	case n != 1:
		return invalid("Terms", "exactly one of Price, Off and Percent")
	case t.Price != nil && (t.Price.Currency().IsZero() || t.Price.IsNegative()):
		return invalid("Terms.Price", "a price in a currency, not below zero")
	case t.Off != nil && (t.Off.Currency().IsZero() || !t.Off.IsPositive()):
		return invalid("Terms.Off", "an amount in a currency, above zero")
	case t.Percent != nil && (t.Percent.IsZero() || !t.Percent.AtMostOne()):
		return invalid("Terms.Percent", "a fraction above 0 and at most 1 (pricing.MustPercent(\"15\") for 15 %%)")
	}
	return nil
}

func (t OverrideTerms) equal(o OverrideTerms) bool {
	return samePtr(t.Price, o.Price) && samePtr(t.Off, o.Off) && samePtr(t.Percent, o.Percent)
}

func samePtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func (t OverrideTerms) clone() OverrideTerms {
	c := OverrideTerms{}
	if t.Price != nil {
		v := *t.Price
		c.Price = &v
	}
	if t.Off != nil {
		v := *t.Off
		c.Off = &v
	}
	if t.Percent != nil {
		v := *t.Percent
		c.Percent = &v
	}
	return c
}

// discount reports whether the terms are a discount after promotions
// rather than a price before them.
func (t OverrideTerms) discount() bool { return t.Price == nil }

// OverrideCarry says what becomes of an override when the basket leaves
// the store where it was granted.
type OverrideCarry uint8

// The carry policies.
const (
	// EndOnLeave ends the override when the basket is priced anywhere but
	// the location where it was granted (a check-out to the web, a
	// check-in at another store): a store's gesture is the store's. The
	// default.
	EndOnLeave OverrideCarry = iota
	// Keep lets the override follow the basket to any channel.
	Keep
)

// String names the policy.
func (c OverrideCarry) String() string {
	switch c {
	case EndOnLeave:
		return "end-on-leave"
	case Keep:
		return "keep"
	}
	return fmt.Sprintf("carry(%d)", uint8(c))
}

// MarshalText encodes the policy by name.
func (c OverrideCarry) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a policy by name.
func (c *OverrideCarry) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, EndOnLeave, Keep, "OverrideCarry")
	if err == nil {
		*c = v
	}
	return err
}

// Override is an override in force on a basket's line.
type Override struct {
	LineID string        `json:"line_id"`
	Terms  OverrideTerms `json:"terms"`
	// Reason is the reason code, normalised like a wallet code.
	Reason string `json:"reason"`
	// GrantedBy is the associate (or system) who set it, Role their role.
	GrantedBy string `json:"granted_by"`
	Role      string `json:"role,omitempty"`
	// ApprovedBy is the manager whose approval token allowed it beyond
	// GrantedBy's limit; empty when it was within the limit.
	ApprovedBy string `json:"approved_by,omitempty"`
	// LocationID is the location where it was granted: the basket's
	// location at the time.
	LocationID string `json:"location_id,omitempty"`
	// Carry is the channel-change policy it was granted under.
	Carry OverrideCarry `json:"carry"`
	At    time.Time     `json:"at"`
}

// inForce reports whether the override applies in target.
func (o *Override) inForce(target channel.Context) bool {
	return o.Carry == Keep || o.LocationID == target.LocationID
}

func (o Override) clone() Override {
	o.Terms = o.Terms.clone()
	return o
}

func (o Override) equal(p Override) bool {
	ot, pt := o.Terms, p.Terms
	o.Terms, p.Terms = OverrideTerms{}, OverrideTerms{}
	return o == p && ot.equal(pt)
}

// AppliedOverride is an override as it applied in one pricing: the
// override, what it took off its line here, and what that is measured
// against.
type AppliedOverride struct {
	Override
	// Amount is what the override took off the line: for a set price, the
	// line's subtotal at the price it would otherwise be charged minus its
	// subtotal at the set price; for a discount, the discount. Never
	// negative.
	Amount pricing.Money `json:"amount"`
	// Base is the line's subtotal without the override (its price × its
	// quantity, before promotions): what an associate's limit is a
	// percentage of.
	Base pricing.Money `json:"base"`
}

func sameAppliedOverride(a, b AppliedOverride) bool {
	return a.Override.equal(b.Override) && a.Amount == b.Amount && a.Base == b.Base
}

// Override returns the override that applied to a line, if any.
func (r *Result) Override(lineID string) (AppliedOverride, bool) {
	i, ok := slices.BinarySearchFunc(r.Overrides, lineID, func(o AppliedOverride, id string) int { return compareLineIDs(o.LineID, id) })
	if !ok {
		return AppliedOverride{}, false
	}
	return r.Overrides[i], true
}

// Override returns the override in force on a line, if any.
func (b *Basket) Override(lineID string) (Override, bool) {
	i, ok := b.overrideIndex(lineID)
	if !ok {
		return Override{}, false
	}
	return b.Overrides[i], true
}

func (b *Basket) overrideIndex(lineID string) (int, bool) {
	return slices.BinarySearchFunc(b.Overrides, lineID, func(o Override, id string) int { return compareLineIDs(o.LineID, id) })
}

// OverridePrice records an override of a line (replacing the line's
// previous one). The caller (the Service) has checked the actor's
// authority and limits; o.At is set to the command time. Price the basket
// afterwards. Like every edit it is refused on a quote or a final basket.
func (b *Basket) OverridePrice(m Meta, o Override) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	o = o.clone()
	o.At = m.At.UTC()
	if err := b.validateOverride(o); err != nil {
		return Event{}, err
	}
	return b.record(m, EventPriceOverridden, PriceOverridden{Override: o})
}

// RemoveOverride takes a line's override away. Price the basket afterwards.
func (b *Basket) RemoveOverride(m Meta, lineID string) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	if _, ok := b.overrideIndex(lineID); !ok {
		return Event{}, &InputError{Field: "LineID", Reason: "line " + lineID + " has no override", Kind: ErrNoOverride}
	}
	return b.record(m, EventOverrideRemoved, OverrideRemoved{LineID: lineID})
}

// endOverrides records that the overrides of lines ended because the
// basket is moving to location to.
func (b *Basket) endOverrides(m Meta, lines []string, to string) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventOverrideEnded, OverridesEnded{LineIDs: lines, To: to})
}

// PriceOverridden is the payload of [EventPriceOverridden].
type PriceOverridden struct {
	Override Override `json:"override"`
}

// OverrideRemoved is the payload of [EventOverrideRemoved].
type OverrideRemoved struct {
	LineID string `json:"line_id"`
}

// OverridesEnded is the payload of [EventOverrideEnded]: the overrides of
// these lines ended because the basket left the location where they were
// granted for To ("" for a channel without a location, the web).
type OverridesEnded struct {
	LineIDs []string `json:"line_ids"`
	To      string   `json:"to,omitempty"`
}

// applyOverride applies the override events.
func (b *Basket) applyOverride(e Event, payload any) error {
	switch p := payload.(type) {
	case *PriceOverridden:
		if err := b.validateOverride(p.Override); err != nil {
			return err
		}
		i, found := b.overrideIndex(p.Override.LineID)
		b.Overrides = slices.Clone(b.Overrides)
		if found {
			b.Overrides[i] = p.Override
		} else {
			b.Overrides = slices.Insert(b.Overrides, i, p.Override)
		}
	case *OverrideRemoved:
		if _, found := b.overrideIndex(p.LineID); !found {
			return &InputError{Field: "LineID", Reason: "line " + p.LineID + " has no override", Kind: ErrNoOverride}
		}
		b.dropOverrides(p.LineID)
	case *OverridesEnded:
		if len(p.LineIDs) == 0 {
			return invalid("Event.Data", "%s without lines", e.Type)
		}
		for _, id := range p.LineIDs {
			if _, found := b.overrideIndex(id); !found {
				return &InputError{Field: "LineID", Reason: "line " + id + " has no override", Kind: ErrNoOverride}
			}
		}
		b.dropOverrides(p.LineIDs...)
	}
	return nil
}

// dropOverrides ends the overrides of lines, if they have any: a line
// removed, or whose quantity changed, loses its override.
func (b *Basket) dropOverrides(lines ...string) {
	if len(b.Overrides) == 0 {
		return
	}
	b.Overrides = slices.DeleteFunc(slices.Clone(b.Overrides), func(o Override) bool { return slices.Contains(lines, o.LineID) })
	if len(b.Overrides) == 0 {
		b.Overrides = nil
	}
}

// validateOverride checks one override against the basket's lines.
func (b *Basket) validateOverride(o Override) error {
	field := func(name string) string { return "Overrides[" + o.LineID + "]" + name }
	if _, ok := b.Line(o.LineID); !ok {
		return &InputError{Field: field(".LineID"), Reason: "not a line of the basket", Kind: ErrUnknownLine}
	}
	if err := o.Terms.validate(); err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return invalid(field("."+ie.Field), "%s", ie.Reason)
		}
		return err
	}
	switch {
	case validCode(field(".Reason"), o.Reason) != nil:
		return invalid(field(".Reason"), "%q is not a normalised reason code of 1 to 64 characters A-Z 0-9 - _", o.Reason)
	case o.GrantedBy == "":
		return invalid(field(".GrantedBy"), "must not be empty")
	case o.Carry > Keep:
		return invalid(field(".Carry"), "unknown policy %d", uint8(o.Carry))
	case o.At.IsZero():
		return invalid(field(".At"), "an override is granted at a time")
	}
	return nil
}

// validateOverrides is the overrides' part of [Basket.Validate]: each
// valid, on a line of the basket, sorted by line ID and unique.
func (b *Basket) validateOverrides() error {
	for i, o := range b.Overrides {
		if i > 0 && compareLineIDs(b.Overrides[i-1].LineID, o.LineID) >= 0 {
			return invalid("Overrides["+strconv.Itoa(i)+"]", "overrides must be unique and sorted by line ID")
		}
		if err := b.validateOverride(o); err != nil {
			return err
		}
	}
	return nil
}

// keptOverrides is what an order's overrides become when only kept units
// of each line are priced again (a return): none on a line returned in
// full, the same set price or percentage on the units kept, and an amount
// off shared out pro rata, so that the units kept keep only their part of
// it.
func keptOverrides(order *Basket, kept map[string]int64) ([]Override, error) {
	var out []Override
	for _, o := range order.Overrides {
		q := kept[o.LineID]
		l, ok := order.Line(o.LineID)
		if !ok || q <= 0 {
			continue
		}
		if o.Terms.Off != nil && q != l.Quantity {
			part, err := prorata(*o.Terms.Off, q, l.Quantity)
			if err != nil {
				return nil, err
			}
			if !part.IsPositive() {
				continue
			}
			o.Terms = AmountOff(part)
		}
		out = append(out, o)
	}
	return out, nil
}

// overridePricing applies a basket's overrides during one pricing (see
// [Recontextualize]): the ones in force in the target, and what each one
// did.
type overridePricing struct {
	list    []Override // in force in the target, sorted by line ID
	applied []AppliedOverride
	done    []bool
	next    int // cursor over list, lines being priced in line-ID order
}

func newOverridePricing(b *Basket, target channel.Context) *overridePricing {
	op := &overridePricing{}
	for i := range b.Overrides {
		if o := &b.Overrides[i]; o.inForce(target) {
			op.list = append(op.list, *o)
		}
	}
	op.applied = make([]AppliedOverride, len(op.list))
	op.done = make([]bool, len(op.list))
	return op
}

// find returns the index of the line's override, or -1.
func (op *overridePricing) find(lineID string) int {
	if len(op.list) == 0 {
		return -1
	}
	for op.next < len(op.list) && compareLineIDs(op.list[op.next].LineID, lineID) < 0 {
		op.next++
	}
	if op.next < len(op.list) && op.list[op.next].LineID == lineID {
		return op.next
	}
	i, ok := slices.BinarySearchFunc(op.list, lineID, func(o Override, id string) int { return compareLineIDs(o.LineID, id) })
	if !ok {
		return -1
	}
	return i
}

// price is step 1's hook: the unit price charged for pl (whose line it
// is), given the price it would otherwise be charged. A set price at or
// below that replaces it; a discount is only noted, to be taken in
// [overridePricing.discount] once promotions have run.
func (op *overridePricing) price(pl *PricedLine, charged pricing.UnitPrice, mode pricing.RoundingMode) (pricing.UnitPrice, error) {
	i := op.find(pl.LineID)
	if i < 0 {
		return charged, nil
	}
	o := &op.list[i]
	base, err := lineAmount(charged, pl.Quantity, pl.Unit, mode)
	if err != nil {
		return charged, err
	}
	if o.Terms.discount() {
		op.applied[i] = AppliedOverride{Override: *o, Base: base}
		return charged, nil
	}
	set := pricing.UnitPriceOf(*o.Terms.Price)
	if c, err := set.Cmp(charged); err != nil || c > 0 {
		return charged, nil // another currency, or above the price here: it does nothing
	}
	sub, err := lineAmount(set, pl.Quantity, pl.Unit, mode)
	if err != nil {
		return charged, err
	}
	amount, err := base.Sub(sub)
	if err != nil {
		return charged, err
	}
	pl.Basis = BasisOverride
	op.applied[i], op.done[i] = AppliedOverride{Override: *o, Amount: amount, Base: base}, true
	return set, nil
}

// discount is step 3½: it takes the override discounts off what their
// lines cost after promotions (eval, changed in place), and records in r
// every override that applied.
func (op *overridePricing) discount(r *Result, eval *promotion.Evaluation, mode pricing.RoundingMode) error {
	for i := range op.list {
		o := &op.list[i]
		if !o.Terms.discount() || op.applied[i].Base.Currency().IsZero() {
			continue // a set price, or a line without a price here
		}
		j := slices.IndexFunc(eval.Lines, func(lr promotion.LineResult) bool { return lr.LineID == o.LineID })
		if j < 0 {
			continue
		}
		lr := &eval.Lines[j]
		var off pricing.Money
		var err error
		switch {
		case o.Terms.Percent != nil:
			off, err = lr.Total.MulRate(*o.Terms.Percent, mode)
		case o.Terms.Off.Currency() != lr.Total.Currency():
			continue // granted in another currency: it does nothing here
		default:
			off, err = o.Terms.Off.Min(lr.Total)
		}
		if err != nil {
			return err
		}
		if off, err = off.Min(lr.Total); err != nil {
			return err
		}
		if off.IsPositive() {
			if lr.Total, err = lr.Total.Sub(off); err != nil {
				return err
			}
			lr.Adjustments = append(slices.Clip(lr.Adjustments), promotion.Adjustment{PromotionID: OverrideAdjustmentID, Lane: promotion.Basket, Amount: off})
		}
		op.applied[i].Amount, op.done[i] = off, true
	}
	for i, ok := range op.done {
		if ok {
			r.Overrides = append(r.Overrides, op.applied[i])
		}
	}
	return nil
}

// overrides finds the override changes between two results: an override
// applied that was not (or not so) before, and one that applied before
// and no longer does on a line still in the basket: ended when the basket
// left the location where it was granted under [EndOnLeave], removed
// otherwise.
func (d *differ) overrides() {
	prev, next := d.prev, d.next
	var before []AppliedOverride
	if prev != nil {
		before = prev.Overrides
	}
	for i := range next.Overrides {
		o := &next.Overrides[i]
		if j := findApplied(before, o.LineID); j < 0 || !before[j].Override.equal(o.Override) {
			d.add(ChangeOverrideApplied, lineIndex(next, o.LineID), -1, i)
		}
	}
	for j := range before {
		o := &before[j]
		line := lineIndex(next, o.LineID)
		if line < 0 || findApplied(next.Overrides, o.LineID) >= 0 {
			continue // the line went (reported as such), or its override still applies
		}
		if o.Carry == EndOnLeave && o.LocationID != next.Context.LocationID {
			d.add(ChangeOverrideEnded, line, -1, j)
		} else {
			d.add(ChangeOverrideRemoved, line, -1, j)
		}
	}
}

// buildOverride fills an override change.
func (d *differ) buildOverride(c *Change, p pending) {
	var o *AppliedOverride
	if p.kind == ChangeOverrideApplied {
		o = &d.next.Overrides[p.ref]
		c.New = o.Amount
	} else {
		o = &d.prev.Overrides[p.ref]
		c.Old = o.Amount
	}
	c.Reason = o.Reason
	if p.kind == ChangeOverrideEnded {
		c.LocationID = o.LocationID
	}
}

func findApplied(list []AppliedOverride, lineID string) int {
	i, ok := slices.BinarySearchFunc(list, lineID, func(o AppliedOverride, id string) int { return compareLineIDs(o.LineID, id) })
	if !ok {
		return -1
	}
	return i
}

func lineIndex(r *Result, lineID string) int {
	i, ok := slices.BinarySearchFunc(r.Lines, lineID, func(l PricedLine, id string) int { return compareLineIDs(l.LineID, id) })
	if !ok {
		return -1
	}
	return i
}
