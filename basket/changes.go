package basket

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// ChangeKind is what changed for the shopper when the basket was priced
// again. The numeric order is the order of the report.
type ChangeKind uint8

// The change kinds, in report order.
const (
	ChangeCurrency          ChangeKind = iota + 1 // the basket's currency changed
	ChangeLineAdded                               // a line is new to the basket
	ChangeLineRemoved                             // a line left the basket
	ChangeQuantity                                // a line's quantity changed
	ChangeLineUnpriced                            // no price (or tax rate) in the target: kept, not dropped
	ChangeLineRepriced                            // a line that had no price has one again
	ChangeOverrideApplied                         // an associate's override applies to the line (New: what it takes off)
	ChangeOverrideRemoved                         // an override no longer applies: removed, or its line's quantity changed (Old: what it took off)
	ChangeOverrideEnded                           // an override ended when the basket left the store that granted it (LocationID)
	ChangePrice                                   // unit price changed
	ChangePriceProtected                          // the target price is higher; the carried price is kept
	ChangeQuoteLockKept                           // the quote's locked price is kept
	ChangeQuoteLockExpired                        // the quote expired: target prices apply again
	ChangeTax                                     // tax rate changed
	ChangePromotionLost                           // a promotion applied before and does not here
	ChangePromotionGained                         // a promotion applies here that did not before
	ChangeCouponNotHonoured                       // a wallet coupon is not honoured in this channel (kept in the wallet)
	ChangeCouponHonoured                          // a coupon not honoured before is honoured here
	ChangeLineUnavailable                         // nothing of the line can be sourced here
	ChangeLineShort                               // part of the line cannot be sourced
	ChangeLineAvailable                           // a line short before can now be sourced in full
	ChangeHoldAtRisk                              // units the basket holds are no longer covered by stock
	ChangeFulfilment                              // how the line reaches the shopper changed
	ChangeLoyaltyBurnt                            // the loyalty points burnt (Quantity) and their value (New) changed
	ChangeLoyaltyEarned                           // the loyalty points the basket earns (Quantity) changed
	ChangeTotal                                   // the basket total changed
)

// String names the kind.
func (k ChangeKind) String() string {
	switch k {
	case ChangeCurrency:
		return "currency-changed"
	case ChangeLineAdded:
		return "line-added"
	case ChangeLineRemoved:
		return "line-removed"
	case ChangeQuantity:
		return "quantity-changed"
	case ChangeLineUnpriced:
		return "line-unpriced"
	case ChangeLineRepriced:
		return "line-priced-again"
	case ChangePrice:
		return "price-changed"
	case ChangePriceProtected:
		return "price-protected"
	case ChangeQuoteLockKept:
		return "quote-lock-kept"
	case ChangeQuoteLockExpired:
		return "quote-lock-expired"
	case ChangeOverrideApplied:
		return "override-applied"
	case ChangeOverrideRemoved:
		return "override-removed"
	case ChangeOverrideEnded:
		return "override-ended"
	case ChangeTax:
		return "tax-changed"
	case ChangePromotionLost:
		return "promotion-lost"
	case ChangePromotionGained:
		return "promotion-gained"
	case ChangeCouponNotHonoured:
		return "coupon-not-honoured"
	case ChangeCouponHonoured:
		return "coupon-honoured"
	case ChangeLineUnavailable:
		return "line-unavailable"
	case ChangeLineShort:
		return "line-short"
	case ChangeLineAvailable:
		return "line-available"
	case ChangeHoldAtRisk:
		return "hold-at-risk"
	case ChangeFulfilment:
		return "fulfilment-changed"
	case ChangeLoyaltyBurnt:
		return "loyalty-points-burnt"
	case ChangeLoyaltyEarned:
		return "loyalty-points-earned"
	case ChangeTotal:
		return "total-changed"
	}
	return fmt.Sprintf("change(%d)", uint8(k))
}

// MarshalText encodes the kind by name.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind by name.
func (k *ChangeKind) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, ChangeCurrency, ChangeTotal, "ChangeKind")
	if err == nil {
		*k = v
	}
	return err
}

// Change is one entry of the change report, with old and new values where
// they exist; [Change.Message] is the sentence an associate reads to the
// shopper (also encoded in JSON as "message"). Fields that do not apply to
// the kind are zero: Old and New have no currency, OldRate and NewRate are
// set for [ChangeTax] only.
//
// A line added reports its Quantity and, when it is priced, its unit price
// as New; a line removed is described from the previous result: its
// Quantity and its unit price as Old, so the report can still name what
// went. Where Old and New are unit prices (a line added, removed or
// priced again, a price changed, protected or kept by a quote) they are
// rounded to the currency, and OldPrecise and NewPrecise hold them exactly
// when they are more precise than that. A quantity change reports
// OldQuantity and Quantity. The loyalty changes count points in Quantity
// (now) and OldQuantity (before): the points burnt with their value as
// New and Old, the points earned.
type Change struct {
	Kind     ChangeKind
	LineID   string
	SKU      string
	Name     string // the product's name
	Quantity int64
	// OldQuantity is the line's quantity before, for [ChangeQuantity].
	OldQuantity int64
	// Unit is the line's unit of measure for weighed and measured goods:
	// Quantity, OldQuantity and Missing are then thousandths of it (write
	// them with [FormatQuantity]: "0.347 kg").
	Unit        catalog.Unit
	PromotionID string
	// PromotionName is the promotion's display name, for promotion changes
	// (from [promotion.Explanation.Name]): what a shopper is told, where
	// PromotionID is what a program matches.
	PromotionName string
	Coupon        string
	Old, New      pricing.Money
	// OldPrecise and NewPrecise are the unit prices Old and New exactly,
	// set only when a Money cannot hold them: more decimals than the
	// currency (a screw from 0.0125 to 0.0120 EUR, both 0.01 in Old and
	// New) or a price per a quantity (12.50 EUR per 1,000). An ordinary
	// price leaves them zero, so its report reads and encodes as it always
	// did. [Change.OldExact] and [Change.NewExact] read the exact price
	// whichever field holds it.
	OldPrecise, NewPrecise pricing.UnitPrice
	OldRate                pricing.Rate
	NewRate                pricing.Rate
	OldCurrency            string
	NewCurrency            string
	// Missing is the quantity that cannot be sourced (line short or
	// unavailable, hold at risk).
	Missing int64
	// LocationID is where the hold is, for a hold at risk.
	LocationID string
	OldModes   Modes
	NewModes   Modes
	// Detail is a sentence from the stage that found the change: the
	// promotion engine's explanation of a coupon not honoured, the pricing
	// problem of a line unpriced, and "stock is unknown here" for a line
	// unavailable because its stock is unknown (the only time that kind has
	// one). It is in English: a translated report keys on Kind instead.
	Detail string
	// Reason is an override's reason code, for the override changes.
	Reason string
}

// changeJSON is the wire form of a Change: fields that do not apply to its
// kind are left out.
type changeJSON struct {
	Kind          ChangeKind        `json:"kind"`
	LineID        string            `json:"line_id,omitempty"`
	SKU           string            `json:"sku,omitempty"`
	Name          string            `json:"name,omitempty"`
	Quantity      int64             `json:"quantity,omitempty"`
	OldQuantity   int64             `json:"old_quantity,omitempty"`
	Unit          catalog.Unit      `json:"unit,omitempty"`
	PromotionID   string            `json:"promotion_id,omitempty"`
	PromotionName string            `json:"promotion_name,omitempty"`
	Coupon        string            `json:"coupon,omitempty"`
	Old           *pricing.Money    `json:"old,omitempty"`
	New           *pricing.Money    `json:"new,omitempty"`
	OldPrecise    pricing.UnitPrice `json:"old_precise,omitzero"`
	NewPrecise    pricing.UnitPrice `json:"new_precise,omitzero"`
	OldRate       *pricing.Rate     `json:"old_rate,omitempty"`
	NewRate       *pricing.Rate     `json:"new_rate,omitempty"`
	OldCurrency   string            `json:"old_currency,omitempty"`
	NewCurrency   string            `json:"new_currency,omitempty"`
	Missing       int64             `json:"missing,omitempty"`
	LocationID    string            `json:"location_id,omitempty"`
	OldModes      Modes             `json:"old_modes,omitempty"`
	NewModes      Modes             `json:"new_modes,omitempty"`
	Detail        string            `json:"detail,omitempty"`
	Reason        string            `json:"reason,omitempty"`
	Message       string            `json:"message"`
}

// Message is the sentence an associate can read aloud, in English with
// amounts as "12.50 EUR" (package message says it in the shopper's
// language). A unit price is said exactly ("0.0125 EUR"), per its
// quantity ("12.50 EUR per 1000") and per the unit of measure of weighed
// and measured goods ("24.90 EUR/kg"). It is built on demand, so pricing
// pays nothing for reports nobody reads.
func (c Change) Message() string {
	m := func(p pricing.Money) string {
		if p.Currency().IsZero() {
			return "?"
		}
		return p.String()
	}
	switch c.Kind {
	case ChangeCurrency:
		return fmt.Sprintf("prices are now in %s instead of %s", c.NewCurrency, c.OldCurrency)
	case ChangeLineAdded:
		return fmt.Sprintf("added: %s × %s", c.quantity(c.Quantity), c.Name)
	case ChangeLineRemoved:
		return fmt.Sprintf("removed: %s × %s", c.quantity(c.Quantity), c.Name)
	case ChangeQuantity:
		return fmt.Sprintf("%s: quantity %s (was %s)", c.Name, c.quantity(c.Quantity), c.quantity(c.OldQuantity))
	case ChangeLineUnpriced:
		return fmt.Sprintf("%s: %s; the line is kept in the basket", c.Name, c.Detail)
	case ChangeLineRepriced:
		return fmt.Sprintf("%s is priced again at %s", c.Name, c.price(c.NewExact()))
	case ChangePrice:
		return fmt.Sprintf("%s is %s here (was %s)", c.Name, c.price(c.NewExact()), c.price(c.OldExact()))
	case ChangePriceProtected:
		return fmt.Sprintf("%s stays at %s (price here %s)", c.Name, c.price(c.OldExact()), c.price(c.NewExact()))
	case ChangeQuoteLockKept:
		return fmt.Sprintf("%s keeps its quoted price %s (price here %s)", c.Name, c.price(c.OldExact()), c.price(c.NewExact()))
	case ChangeQuoteLockExpired:
		return fmt.Sprintf("the quoted price of %s has expired", c.Name)
	case ChangeOverrideApplied:
		return fmt.Sprintf("%s: store discount of %s (%s)", c.Name, m(c.New), c.Reason)
	case ChangeOverrideRemoved:
		return fmt.Sprintf("the store discount on %s no longer applies (was %s)", c.Name, m(c.Old))
	case ChangeOverrideEnded:
		return fmt.Sprintf("the store discount on %s ended when the basket left %s (was %s)", c.Name, c.LocationID, m(c.Old))
	case ChangeTax:
		return fmt.Sprintf("tax on %s is %s%% here (was %s%%)", c.Name, c.NewRate.Percent(), c.OldRate.Percent())
	case ChangePromotionLost:
		return fmt.Sprintf("%s does not apply here (was %s off)", c.promotionName(), m(c.Old))
	case ChangePromotionGained:
		return fmt.Sprintf("%s saves %s here", c.promotionName(), m(c.New))
	case ChangeCouponNotHonoured:
		if c.Detail != "" {
			return c.Detail
		}
		return fmt.Sprintf("coupon %s is not honoured here; it stays in the wallet", c.Coupon)
	case ChangeCouponHonoured:
		return fmt.Sprintf("coupon %s applies here", c.Coupon)
	case ChangeLineUnavailable:
		if c.Detail != "" {
			return fmt.Sprintf("%s: %s", c.Name, c.Detail)
		}
		return fmt.Sprintf("%s is not available here", c.Name)
	case ChangeLineShort:
		return fmt.Sprintf("%s: %s of %s available", c.Name, c.figure(c.Quantity-c.Missing), c.quantity(c.Quantity))
	case ChangeLineAvailable:
		return fmt.Sprintf("%s is available in full", c.Name)
	case ChangeHoldAtRisk:
		name := c.Name
		if name == "" {
			name = c.SKU
		}
		return fmt.Sprintf("%s: %s of the %s held at %s are no longer in stock", name, c.figure(c.Missing), c.quantity(c.Quantity), c.LocationID)
	case ChangeFulfilment:
		return fmt.Sprintf("%s: %s", c.Name, c.NewModes)
	case ChangeLoyaltyBurnt:
		return fmt.Sprintf("%s = %s", points(c.Quantity), m(c.New))
	case ChangeLoyaltyEarned:
		return fmt.Sprintf("you earn %s", points(c.Quantity))
	case ChangeTotal:
		return fmt.Sprintf("total is now %s (was %s)", m(c.New), m(c.Old))
	}
	return c.Kind.String()
}

// OldExact returns the unit price Old exactly: OldPrecise when set, else
// Old (an ordinary price, or a change recorded before precise prices).
// Meaningful for the kinds whose Old is a unit price (see [Change]).
func (c Change) OldExact() pricing.UnitPrice { return exactPrice(c.OldPrecise, c.Old) }

// NewExact returns the unit price New exactly, as [Change.OldExact] does
// for Old.
func (c Change) NewExact() pricing.UnitPrice { return exactPrice(c.NewPrecise, c.New) }

// price says a unit price the way [Change.Message] says amounts, with the
// quantity and the unit of measure it is for: "0.0125 EUR",
// "12.50 EUR per 1000", "24.90 EUR/kg", "120.00 EUR per 10 kg". Package
// message's English printer in its CodeFormat says the same (a test holds
// them together).
func (c Change) price(u pricing.UnitPrice) string {
	if u.Currency().IsZero() {
		return "?"
	}
	s := u.Amount() + " " + u.Currency().String()
	switch per := u.Per(); {
	case per > 1 && c.Unit.Measured():
		return s + " per " + strconv.FormatInt(per, 10) + " " + c.Unit.String()
	case per > 1:
		return s + " per " + strconv.FormatInt(per, 10)
	case c.Unit.Measured():
		return s + "/" + c.Unit.String()
	}
	return s
}

// promotionName is the display name, or the ID for a change recorded
// before promotions had names.
func (c Change) promotionName() string {
	if c.PromotionName != "" {
		return c.PromotionName
	}
	return c.PromotionID
}

// MarshalJSON encodes the change with its message.
func (c Change) MarshalJSON() ([]byte, error) {
	w := changeJSON{Kind: c.Kind, LineID: c.LineID, SKU: c.SKU, Name: c.Name, Quantity: c.Quantity, OldQuantity: c.OldQuantity, Unit: c.Unit,
		PromotionID: c.PromotionID, PromotionName: c.PromotionName, Coupon: c.Coupon, OldCurrency: c.OldCurrency, NewCurrency: c.NewCurrency, Missing: c.Missing, LocationID: c.LocationID,
		OldPrecise: c.OldPrecise, NewPrecise: c.NewPrecise, OldModes: c.OldModes, NewModes: c.NewModes, Detail: c.Detail, Reason: c.Reason, Message: c.Message()}
	if !c.Old.Currency().IsZero() {
		w.Old = &c.Old
	}
	if !c.New.Currency().IsZero() {
		w.New = &c.New
	}
	if c.Kind == ChangeTax {
		w.OldRate, w.NewRate = &c.OldRate, &c.NewRate
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes a change; the message is derived, not read.
func (c *Change) UnmarshalJSON(b []byte) error {
	var w changeJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	v := Change{Kind: w.Kind, LineID: w.LineID, SKU: w.SKU, Name: w.Name, Quantity: w.Quantity, OldQuantity: w.OldQuantity, Unit: w.Unit,
		PromotionID: w.PromotionID, PromotionName: w.PromotionName, Coupon: w.Coupon, OldCurrency: w.OldCurrency, NewCurrency: w.NewCurrency, Missing: w.Missing, LocationID: w.LocationID,
		OldPrecise: w.OldPrecise, NewPrecise: w.NewPrecise, OldModes: w.OldModes, NewModes: w.NewModes, Detail: w.Detail, Reason: w.Reason}
	if w.Old != nil {
		v.Old = *w.Old
	}
	if w.New != nil {
		v.New = *w.New
	}
	if w.OldRate != nil && w.NewRate != nil {
		v.OldRate, v.NewRate = *w.OldRate, *w.NewRate
	}
	*c = v
	return nil
}

// Diff is the change report of next against prev, the same report
// [Recontextualize] puts in Result.Changes. Use it to tell a shopper what
// changed over several commands (since the tablet last looked, say): lines
// added, removed and whose quantity changed are reported with the rest.
// prev nil means a first pricing: then only problems are reported, not
// every line as added. A change is reported only when it differs from what
// prev already said, so pricing a result again in the same context reports
// nothing.
//
// The report is ordered by kind (the order of the [ChangeKind] constants),
// then line ID, promotion ID or coupon code, so the same two results give
// the same report.
func Diff(prev, next *Result) []Change {
	d := differ{prev: prev, next: next}
	d.find()
	out := make([]Change, len(d.list()))
	d.place(out)
	return out
}

// pending is a change found but not yet built: the comparison records what
// changed as indexes (16 bytes to sort), and only the changes that exist
// are built into full Change values, so a same-channel re-pricing that
// changes nothing allocates nothing for its report.
type pending struct {
	kind ChangeKind
	line int32 // index in next.Lines, -1 for none
	old  int32 // index in prev.Lines, -1 for none
	ref  int32 // index in prev or next Promotions, Coupons or HoldsAtRisk, by kind; a fulfilment change's modes (packModes)
}

// packModes keeps the old and new modes of a fulfilment change in its
// pending entry, so that building the change does not walk both plans
// again; -1 (modes beyond 15 bits, which no valid mode has) means walk
// them.
func packModes(old, now Modes) int32 {
	if old >= 1<<15 || now >= 1<<15 {
		return -1
	}
	return int32(old)<<15 | int32(now)
}

// differ finds the changes of next against prev. What a channel change of
// a hundred lines finds fits in its own array, on Diff's stack (a slice of
// a stack array kept in the struct would send the array to the heap); a
// larger report moves to the heap as it grows.
type differ struct {
	prev, next *Result
	n          int          // changes found in buf
	buf        [256]pending // the changes found, while they fit
	more       []pending    // all the changes found, once they no longer fit in buf
}

func (d *differ) add(k ChangeKind, line, old, ref int) {
	p := pending{kind: k, line: int32(line), old: int32(old), ref: int32(ref)}
	switch {
	case d.more != nil:
		d.more = append(d.more, p)
	case d.n < len(d.buf):
		d.buf[d.n] = p
		d.n++
	default:
		d.more = append(make([]pending, 0, 2*len(d.buf)), d.buf[:]...)
		d.more = append(d.more, p)
	}
}

// list returns the changes found, in the order found.
func (d *differ) list() []pending {
	if d.more != nil {
		return d.more
	}
	return d.buf[:d.n]
}

func (d *differ) find() {
	prev, next := d.prev, d.next
	if prev != nil && prev.Context.Currency != next.Context.Currency {
		d.add(ChangeCurrency, -1, -1, -1)
	}
	// Both line lists are sorted by line ID: walk them together. A line of
	// prev passed over is one that went.
	var before []PricedLine
	if prev != nil {
		before = prev.Lines
	}
	j := 0
	for i := range next.Lines {
		l := &next.Lines[i]
		o := -1 // one comparison per line tells a line that went, the same line, or a new one
		for ; j < len(before); j++ {
			c := compareLineIDs(before[j].LineID, l.LineID)
			if c == 0 {
				o = j
				j++
			}
			if c >= 0 {
				break
			}
			d.add(ChangeLineRemoved, -1, j, -1)
		}
		d.line(i, o)
	}
	for ; j < len(before); j++ {
		d.add(ChangeLineRemoved, -1, j, -1)
	}
	if prev != nil {
		d.promotions()
	}
	d.coupons()
	d.overrides()
	for i, h := range next.HoldsAtRisk {
		if prev == nil || !slices.Contains(prev.HoldsAtRisk, h) {
			d.add(ChangeHoldAtRisk, -1, -1, i)
		}
	}
	d.loyalty()
	if prev != nil && prev.Totals.Total != next.Totals.Total && prev.Context.Currency == next.Context.Currency {
		d.add(ChangeTotal, -1, -1, -1)
	}
}

// promotions records the promotions lost (applied in prev, not in next)
// and gained (the other way round), each kind's run sorted by ID. Whether
// a result applied a promotion is the status of the ID's first
// explanation there. Both questions are answered with one hash table, of
// next's explanations, however many prev explained: each of prev's
// explanations is looked up in it once, which tells whether next applied
// it and, for the IDs next explained, whether prev did (its first
// explanation of the ID seen decides). next's explanations are few (what
// the target can apply, and the nearest misses); prev's may be hundreds
// (a web basket under thousands of web-only offers).
func (d *differ) promotions() {
	prev, next := d.prev, d.next
	var slotBuf [256]int32
	slots := slotBuf[:]
	if need := tableSize(len(next.Promotions)); need > len(slots) {
		slots = make([]int32, need)
	} else {
		slots = slots[:need]
	}
	now := newAppliedIndex(next, slots)
	// was[k], for next's first explanation k of an ID, is what prev's first
	// explanation of that ID said: 0 none, 1 not applied, 2 applied.
	var wasBuf [128]uint8
	var was []uint8
	if len(next.Promotions) > len(wasBuf) {
		was = make([]uint8, len(next.Promotions))
	} else {
		was = wasBuf[:len(next.Promotions)]
	}
	start := len(d.list())
	for i := range prev.Promotions {
		e := &prev.Promotions[i]
		k := now.first(e.PromotionID)
		applied := e.Status == promotion.Applied
		if k >= 0 && was[k] == 0 {
			was[k] = 1
			if applied {
				was[k] = 2
			}
		}
		if applied && (k < 0 || next.Promotions[k].Status != promotion.Applied) {
			d.add(ChangePromotionLost, -1, -1, i)
		}
	}
	d.sortByPromotion(d.list()[start:], prev)
	start = len(d.list())
	for i := range next.Promotions {
		if e := &next.Promotions[i]; e.Status == promotion.Applied {
			if k := now.first(e.PromotionID); k >= 0 && was[k] != 2 {
				d.add(ChangePromotionGained, -1, -1, i)
			}
		}
	}
	d.sortByPromotion(d.list()[start:], next)
}

// line records what changed for next.Lines[i]; o indexes prev.Lines, -1
// for a line new to the basket.
func (d *differ) line(i, o int) {
	l := &d.next.Lines[i]
	var old *PricedLine
	if o >= 0 {
		old = &d.prev.Lines[o]
	}
	had := old != nil
	switch {
	case !had && d.prev != nil:
		d.add(ChangeLineAdded, i, o, -1)
	case had && old.Quantity != l.Quantity:
		d.add(ChangeQuantity, i, o, -1)
	}
	switch {
	case !l.Priced && (!had || old.Priced || old.Problem != l.Problem):
		d.add(ChangeLineUnpriced, i, o, -1)
	case l.Priced && had && !old.Priced:
		d.add(ChangeLineRepriced, i, o, -1)
	}
	if l.Priced && had && old.Priced {
		switch l.Basis {
		case BasisProtected:
			if old.Basis != BasisProtected || !samePrice(old.UnitPriceExact(), l.UnitPriceExact()) || !samePrice(old.ListPriceExact(), l.ListPriceExact()) {
				d.add(ChangePriceProtected, i, o, -1)
			}
		case BasisQuoteLocked:
			if old.Basis != BasisQuoteLocked || !samePrice(old.UnitPriceExact(), l.UnitPriceExact()) || !samePrice(old.ListPriceExact(), l.ListPriceExact()) {
				d.add(ChangeQuoteLockKept, i, o, -1)
			}
		default:
			if old.Basis == BasisQuoteLocked {
				d.add(ChangeQuoteLockExpired, i, o, -1)
			}
			if !sameCharged(old, l) && l.Basis != BasisOverride { // an override says so itself
				d.add(ChangePrice, i, o, -1)
			}
		}
		if old.UnitPrice.Currency() == l.UnitPrice.Currency() && old.TaxRate != l.TaxRate {
			d.add(ChangeTax, i, o, -1)
		}
	}
	f := &l.Fulfilment
	missing, wasMissing, wasUnknown := f.Short, int64(0), false
	if had {
		wasMissing, wasUnknown = old.Fulfilment.Short, old.Fulfilment.Unknown
	}
	switch {
	case f.Unknown && (!had || !wasUnknown):
		d.add(ChangeLineUnavailable, i, o, -1)
	case !f.Unknown && missing == l.Quantity && missing > 0 && (!had || wasMissing != missing || wasUnknown):
		d.add(ChangeLineUnavailable, i, o, -1)
	case !f.Unknown && missing > 0 && missing < l.Quantity && (!had || wasMissing != missing || wasUnknown):
		d.add(ChangeLineShort, i, o, -1)
	case had && missing == 0 && !f.Unknown && (wasMissing > 0 || wasUnknown):
		d.add(ChangeLineAvailable, i, o, -1)
	}
	if had {
		if nm, om := ModesOf(*f), ModesOf(old.Fulfilment); nm != om && nm != 0 {
			d.add(ChangeFulfilment, i, o, int(packModes(om, nm)))
		}
	}
}

func (d *differ) coupons() {
	wasNotHonoured := map[string]bool{}
	if d.prev != nil {
		for _, c := range d.prev.Coupons {
			wasNotHonoured[c.Code] = c.Status != promotion.CouponApplied
		}
	}
	for i, c := range d.next.Coupons {
		notHonoured := c.Status != promotion.CouponApplied
		was, had := wasNotHonoured[c.Code]
		switch {
		case notHonoured && (!had || !was):
			d.add(ChangeCouponNotHonoured, -1, -1, i)
		case !notHonoured && had && was:
			d.add(ChangeCouponHonoured, -1, -1, i)
		}
	}
}

// sortByPromotion sorts a run of changes of one promotion kind by the ID
// of the explanation of r they refer to (promotion changes concern no
// line). The run was found in explanation order, so ties on the ID are
// broken by the explanation's index, as a stable sort would keep them.
// Each entry is sorted with the first eight bytes of its ID as an integer
// (idPrefix) in 16 bytes, so that most comparisons are of integers and do
// not reach into the explanations, a few hundred bytes apart.
func (d *differ) sortByPromotion(run []pending, r *Result) {
	if len(run) < 2 {
		return
	}
	type keyed struct {
		prefix uint64
		ref    int32 // the explanation's index, also the tie-break
		kind   ChangeKind
	}
	var stack [256]keyed
	ks := stack[:0]
	if len(run) > len(stack) {
		ks = make([]keyed, 0, len(run))
	}
	for _, p := range run {
		ks = append(ks, keyed{prefix: idPrefix(r.Promotions[p.ref].PromotionID), ref: p.ref, kind: p.kind})
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.prefix != b.prefix {
			return cmp.Compare(a.prefix, b.prefix)
		}
		if c := strings.Compare(r.Promotions[a.ref].PromotionID, r.Promotions[b.ref].PromotionID); c != 0 {
			return c
		}
		return cmp.Compare(a.ref, b.ref)
	})
	for i, k := range ks {
		run[i] = pending{kind: k.kind, line: -1, old: -1, ref: k.ref}
	}
}

// idPrefix is the first eight bytes of s as a big-endian integer, padded
// with zero bytes: when two prefixes differ they order their strings as
// strings.Compare does (a string's end sorts like a zero byte, which is
// below or equal to any byte the other has there); when they are equal
// only a comparison of the strings can tell.
func idPrefix(s string) uint64 {
	if len(s) >= 8 { // one load
		return uint64(s[0])<<56 | uint64(s[1])<<48 | uint64(s[2])<<40 | uint64(s[3])<<32 |
			uint64(s[4])<<24 | uint64(s[5])<<16 | uint64(s[6])<<8 | uint64(s[7])
	}
	var p uint64
	for i := range 8 {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}

// place builds the changes found into out in the report's documented
// order: by kind, then line ID, promotion ID, coupon. Lines and coupons
// were visited in that order already, and promotions sorted by ID as they
// were found, so placing each change at the next free slot of its kind (a
// counting sort, stable) does it, with no sort of the whole report.
func (d *differ) place(out []Change) {
	var next [ChangeTotal + 2]int // first free slot per kind
	found := d.list()
	for _, p := range found {
		next[p.kind+1]++
	}
	for k := 1; k < len(next); k++ {
		next[k] += next[k-1]
	}
	for _, p := range found {
		d.build(&out[next[p.kind]], p)
		next[p.kind]++
	}
}

// build writes a pending change into c, a zero Change of the report
// (written in place: a Change is some 300 bytes), as the report entry.
func (d *differ) build(c *Change, p pending) {
	c.Kind = p.kind
	var l, old *PricedLine
	if p.line >= 0 {
		l = &d.next.Lines[p.line]
		c.LineID, c.SKU, c.Name, c.Unit = l.LineID, l.SKU, l.Name, l.Unit
	}
	if p.old >= 0 {
		old = &d.prev.Lines[p.old]
		if l == nil { // a line removed: described as it was
			c.LineID, c.SKU, c.Name, c.Unit = old.LineID, old.SKU, old.Name, old.Unit
		}
	}
	switch p.kind {
	case ChangeCurrency:
		c.OldCurrency, c.NewCurrency = d.prev.Context.Currency, d.next.Context.Currency
	case ChangeLineAdded:
		c.Quantity = l.Quantity
		if l.Priced {
			c.New, c.NewPrecise = l.UnitPrice, beyondMoney(l.UnitPriceExact())
		}
	case ChangeLineRemoved:
		c.Quantity = old.Quantity
		if old.Priced {
			c.Old, c.OldPrecise = old.UnitPrice, beyondMoney(old.UnitPriceExact())
		}
	case ChangeQuantity:
		c.OldQuantity, c.Quantity = old.Quantity, l.Quantity
	case ChangeLineUnpriced:
		c.Detail = l.Problem
	case ChangeLineRepriced:
		c.New, c.NewPrecise = l.UnitPrice, beyondMoney(l.UnitPriceExact())
	case ChangePriceProtected, ChangeQuoteLockKept:
		c.Old, c.New = l.UnitPrice, l.ListPrice
		c.OldPrecise, c.NewPrecise = beyondMoney(l.UnitPriceExact()), beyondMoney(l.ListPriceExact())
	case ChangePrice:
		c.Old, c.New = old.UnitPrice, l.UnitPrice
		c.OldPrecise, c.NewPrecise = beyondMoney(old.UnitPriceExact()), beyondMoney(l.UnitPriceExact())
	case ChangeTax:
		c.OldRate, c.NewRate = old.TaxRate, l.TaxRate
	case ChangeLineUnavailable:
		c.Quantity, c.Missing = l.Quantity, l.Fulfilment.Short
		if l.Fulfilment.Unknown {
			c.Missing, c.Detail = l.Quantity, "stock is unknown here"
		}
	case ChangeLineShort:
		c.Quantity, c.Missing = l.Quantity, l.Fulfilment.Short
	case ChangeLineAvailable:
		c.Quantity = l.Quantity
	case ChangeFulfilment:
		if p.ref >= 0 {
			c.OldModes, c.NewModes = Modes(p.ref>>15), Modes(p.ref&(1<<15-1))
		} else {
			c.OldModes, c.NewModes = ModesOf(old.Fulfilment), ModesOf(l.Fulfilment)
		}
	case ChangePromotionLost:
		e := &d.prev.Promotions[p.ref]
		c.PromotionID, c.PromotionName, c.Old = e.PromotionID, e.Name, e.Amount
	case ChangePromotionGained:
		e := &d.next.Promotions[p.ref]
		c.PromotionID, c.PromotionName, c.New = e.PromotionID, e.Name, e.Amount
	case ChangeCouponNotHonoured:
		cs := d.next.Coupons[p.ref]
		c.Coupon, c.Detail = cs.Code, cs.Message
	case ChangeCouponHonoured:
		c.Coupon = d.next.Coupons[p.ref].Code
	case ChangeHoldAtRisk:
		h := d.next.HoldsAtRisk[p.ref]
		c.SKU, c.LocationID, c.Quantity, c.Missing = h.SKU, h.LocationID, h.Quantity, h.AtRisk
		for i := range d.next.Lines {
			if l := &d.next.Lines[i]; l.SKU == h.SKU {
				c.LineID, c.Name, c.Unit = l.LineID, l.Name, l.Unit
				break
			}
		}
	case ChangeLoyaltyBurnt, ChangeLoyaltyEarned:
		d.buildLoyalty(c)
	case ChangeOverrideApplied, ChangeOverrideRemoved, ChangeOverrideEnded:
		d.buildOverride(c, p)
	case ChangeTotal:
		c.Old, c.New = d.prev.Totals.Total, d.next.Totals.Total
	}
}

// beyondMoney returns u when a Money cannot hold it (more decimals than
// the currency, or a price per a quantity) and the zero UnitPrice
// otherwise: a change carries the exact price only where its rounded Old
// or New would lose it, so ordinary reports encode as before.
func beyondMoney(u pricing.UnitPrice) pricing.UnitPrice {
	if _, ok := u.Exact(); ok {
		return pricing.UnitPrice{}
	}
	return u
}

// sameCharged is samePrice of two lines' charged unit prices. Ordinary
// prices, which Money holds exactly, compare as Money: the same amount
// in the same currency, and a currency, as samePrice requires.
func sameCharged(a, b *PricedLine) bool {
	if a.PreciseUnitPrice.Currency().IsZero() && b.PreciseUnitPrice.Currency().IsZero() {
		return a.UnitPrice == b.UnitPrice && !a.UnitPrice.Currency().IsZero()
	}
	return samePrice(a.UnitPriceExact(), b.UnitPriceExact())
}

// samePrice compares exact unit prices, so that a price more precise than
// the currency (0.0125 → 0.0120 a screw) is reported although both round
// to the same cent, and 12.50 per 1,000 equals 0.0125 each.
func samePrice(a, b pricing.UnitPrice) bool {
	c, err := a.Cmp(b)
	return err == nil && c == 0
}

// appliedIndex answers, for any promotion ID, whether a result applied
// it: the status of the ID's first explanation, as a scan of the
// explanations in order would find it. It is an open-addressing table of
// explanation indexes keyed by a hash of the ID; the hash decides where an
// ID is looked for, never an answer.
type appliedIndex struct {
	r     *Result
	slots []int32 // 1 + the index of an ID's first explanation; 0 is empty
}

// tableSize is the number of slots of an appliedIndex of n explanations:
// a power of two, at most half full.
func tableSize(n int) int {
	size := 1
	for size < 2*n {
		size <<= 1
	}
	return size
}

// newAppliedIndex indexes r's explanations into slots, zeroed, of
// tableSize(len(r.Promotions)).
func newAppliedIndex(r *Result, slots []int32) appliedIndex {
	clear(slots)
	mask := uint64(len(slots) - 1)
	for i := range r.Promotions {
		id := r.Promotions[i].PromotionID
		for k := strHash(id) & mask; ; k = (k + 1) & mask {
			if slots[k] == 0 {
				slots[k] = int32(i + 1)
				break
			}
			if r.Promotions[slots[k]-1].PromotionID == id {
				break // a later explanation of the same ID: the first decides
			}
		}
	}
	return appliedIndex{r: r, slots: slots}
}

// applied reports whether the indexed result applied promotion id.
func (x *appliedIndex) applied(id string) bool {
	k := x.first(id)
	return k >= 0 && x.r.Promotions[k].Status == promotion.Applied
}

// first returns the index of the indexed result's first explanation of
// promotion id, -1 when it has none.
func (x *appliedIndex) first(id string) int {
	mask := uint64(len(x.slots) - 1)
	for k := strHash(id) & mask; ; k = (k + 1) & mask {
		s := x.slots[k]
		if s == 0 {
			return -1
		}
		if x.r.Promotions[s-1].PromotionID == id {
			return int(s - 1)
		}
	}
}

// strHash hashes s for the package's small open-addressing tables, which
// take its low bits. It is FNV-1a over eight bytes at a time (one load
// each), with the high half of each product folded into the low half so
// that every byte reaches the bits a table uses; the tail goes four bytes,
// then one, at a time. IDs and SKUs are a dozen bytes: a few steps, where
// byte-wise FNV-1a took one per byte. The hash decides where a key is
// looked for, never an answer.
func strHash(s string) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for ; len(s) >= 8; s = s[8:] {
		x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		h = (h ^ x) * prime
		h ^= h >> 32
	}
	if len(s) >= 4 {
		h = (h ^ (uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24)) * prime
		h ^= h >> 32
		s = s[4:]
	}
	for k := 0; k < len(s); k++ {
		h = (h ^ uint64(s[k])) * prime
	}
	return h ^ h>>32
}
