package basket

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// ChangeKind is what changed for the shopper when the basket was priced
// again. The numeric order is the order of the report.
type ChangeKind uint8

// The change kinds, in report order.
const (
	ChangeCurrency          ChangeKind = iota + 1 // the basket's currency changed
	ChangeLineUnpriced                            // no price (or tax rate) in the target: kept, not dropped
	ChangeLineRepriced                            // a line that had no price has one again
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
	ChangeFulfilment                              // how the line reaches the shopper changed
	ChangeTotal                                   // the basket total changed
)

// String names the kind.
func (k ChangeKind) String() string {
	switch k {
	case ChangeCurrency:
		return "currency-changed"
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
	case ChangeFulfilment:
		return "fulfilment-changed"
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
// shopper (also encoded in JSON as "message").
type Change struct {
	Kind        ChangeKind     `json:"kind"`
	LineID      string         `json:"line_id,omitempty"`
	SKU         string         `json:"sku,omitempty"`
	Name        string         `json:"name,omitempty"` // the product's name
	Quantity    int64          `json:"quantity,omitempty"`
	PromotionID string         `json:"promotion_id,omitempty"`
	Coupon      string         `json:"coupon,omitempty"`
	Old         *pricing.Money `json:"old,omitempty"`
	New         *pricing.Money `json:"new,omitempty"`
	OldRate     *pricing.Rate  `json:"old_rate,omitempty"`
	NewRate     *pricing.Rate  `json:"new_rate,omitempty"`
	OldCurrency string         `json:"old_currency,omitempty"`
	NewCurrency string         `json:"new_currency,omitempty"`
	// Missing is the quantity that cannot be sourced (line short/unavailable).
	Missing  int64                    `json:"missing,omitempty"`
	OldModes []channel.FulfilmentMode `json:"old_modes,omitempty"`
	NewModes []channel.FulfilmentMode `json:"new_modes,omitempty"`
	// Detail is the promotion engine's explanation, for coupon changes.
	Detail string `json:"detail,omitempty"`
}

// Message is the sentence an associate can read aloud. It is built on
// demand, so pricing pays nothing for reports nobody reads.
func (c Change) Message() string {
	m := func(p *pricing.Money) string {
		if p == nil {
			return "?"
		}
		return p.String()
	}
	switch c.Kind {
	case ChangeCurrency:
		return fmt.Sprintf("prices are now in %s instead of %s", c.NewCurrency, c.OldCurrency)
	case ChangeLineUnpriced:
		return fmt.Sprintf("%s: %s; the line is kept in the basket", c.Name, c.Detail)
	case ChangeLineRepriced:
		return fmt.Sprintf("%s is priced again at %s", c.Name, m(c.New))
	case ChangePrice:
		return fmt.Sprintf("%s is %s here (was %s)", c.Name, m(c.New), m(c.Old))
	case ChangePriceProtected:
		return fmt.Sprintf("%s stays at %s (price here %s)", c.Name, m(c.Old), m(c.New))
	case ChangeQuoteLockKept:
		return fmt.Sprintf("%s keeps its quoted price %s (price here %s)", c.Name, m(c.Old), m(c.New))
	case ChangeQuoteLockExpired:
		return fmt.Sprintf("the quoted price of %s has expired", c.Name)
	case ChangeTax:
		if c.OldRate != nil && c.NewRate != nil {
			return fmt.Sprintf("tax on %s is %s%% here (was %s%%)", c.Name, c.NewRate.Percent(), c.OldRate.Percent())
		}
	case ChangePromotionLost:
		return fmt.Sprintf("promotion %s (%s) does not apply here", c.PromotionID, m(c.Old))
	case ChangePromotionGained:
		return fmt.Sprintf("promotion %s saves %s here", c.PromotionID, m(c.New))
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
		return fmt.Sprintf("%s: %d of %d available", c.Name, c.Quantity-c.Missing, c.Quantity)
	case ChangeLineAvailable:
		return fmt.Sprintf("%s is available in full", c.Name)
	case ChangeFulfilment:
		return fmt.Sprintf("%s: %s", c.Name, describeModes(c.NewModes))
	case ChangeTotal:
		return fmt.Sprintf("total is now %s (was %s)", m(c.New), m(c.Old))
	}
	return c.Kind.String()
}

// MarshalJSON encodes the change with its message.
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	return json.Marshal(struct {
		plain
		Message string `json:"message"`
	}{plain(c), c.Message()})
}

// UnmarshalJSON decodes a change; the message is derived, not read.
func (c *Change) UnmarshalJSON(b []byte) error {
	type plain Change
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*c = Change(p)
	return nil
}

func moneyPtr(m pricing.Money) *pricing.Money { return &m }
func ratePtr(r pricing.Rate) *pricing.Rate    { return &r }

// Diff is the change report of next against prev, the same report
// [Recontextualize] puts in Result.Changes. Use it to tell a shopper what
// changed over several commands (since the tablet last looked, say). prev
// nil means a first pricing: then only problems are reported. A change is
// reported only when it differs from what prev already said, so pricing a
// result again in the same context reports nothing.
func Diff(prev, next *Result) []Change {
	// A channel change typically touches price and fulfilment of every line.
	out := make([]Change, 0, 2*len(next.Lines)+8)
	if prev != nil && prev.Context.Currency != next.Context.Currency {
		out = append(out, Change{Kind: ChangeCurrency, OldCurrency: prev.Context.Currency, NewCurrency: next.Context.Currency})
	}
	// Both line lists are sorted by line ID: walk them together.
	var before []PricedLine
	if prev != nil {
		before = prev.Lines
	}
	j := 0
	for i := range next.Lines {
		l := &next.Lines[i]
		for j < len(before) && compareLineIDs(before[j].LineID, l.LineID) < 0 {
			j++
		}
		if j < len(before) && before[j].LineID == l.LineID {
			out = lineChanges(out, l, &before[j])
		} else {
			out = lineChanges(out, l, nil)
		}
	}
	out = promotionChanges(out, prev, next)
	out = couponChanges(out, prev, next)
	if prev != nil && prev.Totals.Total != next.Totals.Total && prev.Context.Currency == next.Context.Currency {
		out = append(out, Change{Kind: ChangeTotal, Old: moneyPtr(prev.Totals.Total), New: moneyPtr(next.Totals.Total)})
	}
	sortChanges(out)
	return out
}

// sortChanges puts the report in its documented order: by kind, then line
// ID, promotion ID, coupon. Each kind is produced in line, then coupon
// order already, so a stable counting sort by kind, applied in place by
// following the permutation's cycles, does it in linear time without
// copying the (large) entries more than once; only the promotion kinds,
// produced in evaluation order, are sorted by ID afterwards.
func sortChanges(cs []Change) {
	var start [ChangeTotal + 2]int32
	for i := range cs {
		start[cs[i].Kind+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	pos := make([]int32, len(cs))
	for i := range cs {
		pos[i] = start[cs[i].Kind]
		start[cs[i].Kind]++
	}
	for i := range cs {
		for pos[i] != int32(i) {
			j := pos[i]
			cs[i], cs[j] = cs[j], cs[i]
			pos[i], pos[j] = pos[j], pos[i]
		}
	}
	for _, k := range [...]ChangeKind{ChangePromotionLost, ChangePromotionGained} {
		lo, _ := slices.BinarySearchFunc(cs, k, func(c Change, k ChangeKind) int { return cmp.Compare(c.Kind, k) })
		hi := lo
		for hi < len(cs) && cs[hi].Kind == k {
			hi++
		}
		slices.SortFunc(cs[lo:hi], func(a, b Change) int { return cmp.Compare(a.PromotionID, b.PromotionID) })
	}
}

// lineChanges appends what changed for one line; old is nil for a new line.
func lineChanges(out []Change, l, old *PricedLine) []Change {
	base := Change{LineID: l.LineID, SKU: l.SKU, Name: l.Name}
	with := func(k ChangeKind) *Change {
		c := base
		c.Kind = k
		out = append(out, c)
		return &out[len(out)-1]
	}
	had := old != nil
	switch {
	case !l.Priced && (!had || old.Priced || old.Problem != l.Problem):
		with(ChangeLineUnpriced).Detail = l.Problem
	case l.Priced && had && !old.Priced:
		with(ChangeLineRepriced).New = moneyPtr(l.UnitPrice)
	}
	if l.Priced && had && old.Priced {
		switch l.Basis {
		case BasisProtected:
			if old.Basis != BasisProtected || old.UnitPrice != l.UnitPrice || old.ListPrice != l.ListPrice {
				c := with(ChangePriceProtected)
				c.Old, c.New = moneyPtr(l.UnitPrice), moneyPtr(l.ListPrice)
			}
		case BasisQuoteLocked:
			if old.Basis != BasisQuoteLocked || old.UnitPrice != l.UnitPrice || old.ListPrice != l.ListPrice {
				c := with(ChangeQuoteLockKept)
				c.Old, c.New = moneyPtr(l.UnitPrice), moneyPtr(l.ListPrice)
			}
		default:
			if old.Basis == BasisQuoteLocked {
				with(ChangeQuoteLockExpired)
			}
			if old.UnitPrice != l.UnitPrice {
				c := with(ChangePrice)
				c.Old, c.New = moneyPtr(old.UnitPrice), moneyPtr(l.UnitPrice)
			}
		}
		if old.UnitPrice.Currency() == l.UnitPrice.Currency() && old.TaxRate != l.TaxRate {
			c := with(ChangeTax)
			c.OldRate, c.NewRate = ratePtr(old.TaxRate), ratePtr(l.TaxRate)
		}
	}
	return fulfilmentChanges(out, base, l, old)
}

func fulfilmentChanges(out []Change, base Change, l, old *PricedLine) []Change {
	f := &l.Fulfilment
	had := old != nil
	var of *stock.LinePlan
	var wasMissing int64
	if had {
		of, wasMissing = &old.Fulfilment, old.Fulfilment.Short
	}
	missing := f.Short
	add := func(k ChangeKind, miss int64, detail string) {
		c := base
		c.Kind, c.Quantity, c.Missing, c.Detail = k, l.Quantity, miss, detail
		out = append(out, c)
	}
	switch {
	case f.Unknown && (!had || !of.Unknown):
		add(ChangeLineUnavailable, l.Quantity, "stock is unknown here")
	case !f.Unknown && missing == l.Quantity && missing > 0 && (!had || wasMissing != missing || of.Unknown):
		add(ChangeLineUnavailable, missing, "")
	case !f.Unknown && missing > 0 && missing < l.Quantity && (!had || wasMissing != missing || of.Unknown):
		add(ChangeLineShort, missing, "")
	case had && missing == 0 && !f.Unknown && (wasMissing > 0 || of.Unknown):
		add(ChangeLineAvailable, 0, "")
	}
	if had {
		if nm, om := modeMask(f), modeMask(of); nm != om && nm != 0 {
			c := base
			c.Kind, c.OldModes, c.NewModes = ChangeFulfilment, maskModes(om), maskModes(nm)
			out = append(out, c)
		}
	}
	return out
}

// modeMask is the set of modes a plan uses, one bit per mode.
func modeMask(p *stock.LinePlan) uint32 {
	var m uint32
	for _, a := range p.Allocations {
		m |= 1 << a.Mode
	}
	return m
}

func maskModes(m uint32) []channel.FulfilmentMode {
	var ms []channel.FulfilmentMode
	for mode := channel.FulfilmentMode(1); mode < 32; mode++ {
		if m&(1<<mode) != 0 {
			ms = append(ms, mode)
		}
	}
	return ms
}

func describeModes(ms []channel.FulfilmentMode) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += " + "
		}
		s += m.String()
	}
	return s
}

// applied reports whether r applied promotion id. Explanations number a
// few dozen (the index keeps them to the promotions that could apply), so a
// scan beats building a map on every pricing.
func applied(r *Result, id string) bool {
	for i := range r.Promotions {
		if e := &r.Promotions[i]; e.PromotionID == id {
			return e.Status == promotion.Applied
		}
	}
	return false
}

func promotionChanges(out []Change, prev, next *Result) []Change {
	if prev == nil {
		return out // a first pricing gains nothing: everything is new
	}
	for _, e := range prev.Promotions {
		if e.Status == promotion.Applied && !applied(next, e.PromotionID) {
			out = append(out, Change{Kind: ChangePromotionLost, PromotionID: e.PromotionID, Old: moneyPtr(e.Amount)})
		}
	}
	for _, e := range next.Promotions {
		if e.Status == promotion.Applied && !applied(prev, e.PromotionID) {
			out = append(out, Change{Kind: ChangePromotionGained, PromotionID: e.PromotionID, New: moneyPtr(e.Amount)})
		}
	}
	return out
}

func couponChanges(out []Change, prev, next *Result) []Change {
	wasNotHonoured := map[string]bool{}
	if prev != nil {
		for _, c := range prev.Coupons {
			wasNotHonoured[c.Code] = c.Status != promotion.CouponApplied
		}
	}
	for _, c := range next.Coupons {
		notHonoured := c.Status != promotion.CouponApplied
		was, had := wasNotHonoured[c.Code]
		switch {
		case notHonoured && (!had || !was):
			out = append(out, Change{Kind: ChangeCouponNotHonoured, Coupon: c.Code, Detail: c.Message})
		case !notHonoured && had && was:
			out = append(out, Change{Kind: ChangeCouponHonoured, Coupon: c.Code})
		}
	}
	return out
}
