package basket

import (
	"cmp"
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
	for v := ChangeCurrency; v <= ChangeTotal; v++ {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return invalid("ChangeKind", "unknown change kind %q", b)
}

// Change is one entry of the change report, with old and new values where
// they exist and a sentence an associate can read to the shopper.
type Change struct {
	Kind        ChangeKind     `json:"kind"`
	LineID      string         `json:"line_id,omitempty"`
	SKU         string         `json:"sku,omitempty"`
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
	Message  string                   `json:"message"`
}

func moneyPtr(m pricing.Money) *pricing.Money { return &m }
func ratePtr(r pricing.Rate) *pricing.Rate    { return &r }

// diff builds the change report of next against prev (nil for a basket
// priced for the first time: then only problems are reported). A change is
// reported only when it differs from what prev already said, so pricing a
// result again in the same context reports nothing.
func diff(prev, next *Result) []Change {
	var out []Change
	add := func(c Change) { out = append(out, c) }
	if prev != nil && prev.Context.Currency != next.Context.Currency {
		add(Change{Kind: ChangeCurrency, OldCurrency: prev.Context.Currency, NewCurrency: next.Context.Currency,
			Message: fmt.Sprintf("prices are now in %s instead of %s", next.Context.Currency, prev.Context.Currency)})
	}
	var before map[string]PricedLine
	if prev != nil {
		before = make(map[string]PricedLine, len(prev.Lines))
		for _, l := range prev.Lines {
			before[l.LineID] = l
		}
	}
	for _, l := range next.Lines {
		old, had := before[l.LineID]
		lineChanges(add, l, old, had)
	}
	promotionChanges(add, prev, next)
	couponChanges(add, prev, next)
	if prev != nil && prev.Totals.Total != next.Totals.Total && prev.Context.Currency == next.Context.Currency {
		add(Change{Kind: ChangeTotal, Old: moneyPtr(prev.Totals.Total), New: moneyPtr(next.Totals.Total),
			Message: fmt.Sprintf("total is now %s (was %s)", next.Totals.Total, prev.Totals.Total)})
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), compareLineIDs(a.LineID, b.LineID),
			cmp.Compare(a.PromotionID, b.PromotionID), cmp.Compare(a.Coupon, b.Coupon))
	})
	return out
}

func lineChanges(add func(Change), l, old PricedLine, had bool) {
	base := Change{LineID: l.LineID, SKU: l.SKU}
	with := func(k ChangeKind, msg string, f func(*Change)) {
		c := base
		c.Kind, c.Message = k, msg
		if f != nil {
			f(&c)
		}
		add(c)
	}
	switch {
	case !l.Priced && (!had || old.Priced || old.Problem != l.Problem):
		with(ChangeLineUnpriced, fmt.Sprintf("%s: %s; the line is kept in the basket", l.Name, l.Problem), nil)
	case l.Priced && had && !old.Priced:
		with(ChangeLineRepriced, fmt.Sprintf("%s is priced again at %s", l.Name, l.UnitPrice), nil)
	}
	if l.Priced && had && old.Priced {
		sameCurrency := old.UnitPrice.Currency() == l.UnitPrice.Currency()
		switch l.Basis {
		case BasisProtected:
			if old.Basis != BasisProtected || old.UnitPrice != l.UnitPrice || old.ListPrice != l.ListPrice {
				with(ChangePriceProtected, fmt.Sprintf("%s stays at %s (price here %s)", l.Name, l.UnitPrice, l.ListPrice), func(c *Change) {
					c.Old, c.New = moneyPtr(l.UnitPrice), moneyPtr(l.ListPrice)
				})
			}
		case BasisQuoteLocked:
			if old.Basis != BasisQuoteLocked || old.UnitPrice != l.UnitPrice || old.ListPrice != l.ListPrice {
				with(ChangeQuoteLockKept, fmt.Sprintf("%s keeps its quoted price %s (price here %s)", l.Name, l.UnitPrice, l.ListPrice), func(c *Change) {
					c.Old, c.New = moneyPtr(l.UnitPrice), moneyPtr(l.ListPrice)
				})
			}
		default:
			if old.Basis == BasisQuoteLocked {
				with(ChangeQuoteLockExpired, fmt.Sprintf("the quoted price of %s has expired", l.Name), nil)
			}
			if old.UnitPrice != l.UnitPrice {
				msg := fmt.Sprintf("%s is %s here (was %s)", l.Name, l.UnitPrice, old.UnitPrice)
				with(ChangePrice, msg, func(c *Change) { c.Old, c.New = moneyPtr(old.UnitPrice), moneyPtr(l.UnitPrice) })
			}
		}
		if sameCurrency && old.TaxRate != l.TaxRate {
			with(ChangeTax, fmt.Sprintf("tax on %s is %s%% here (was %s%%)", l.Name, l.TaxRate.Percent(), old.TaxRate.Percent()), func(c *Change) {
				c.OldRate, c.NewRate = ratePtr(old.TaxRate), ratePtr(l.TaxRate)
			})
		}
	}
	fulfilmentChanges(with, l, old, had)
}

func fulfilmentChanges(with func(ChangeKind, string, func(*Change)), l, old PricedLine, had bool) {
	f, of := l.Fulfilment, old.Fulfilment
	missing := f.Short
	wasMissing := int64(0)
	if had {
		wasMissing = of.Short
	}
	switch {
	case f.Unknown && (!had || !of.Unknown):
		with(ChangeLineUnavailable, fmt.Sprintf("%s: stock is unknown here", l.Name), func(c *Change) { c.Missing = l.Quantity })
	case !f.Unknown && missing == l.Quantity && missing > 0 && (!had || wasMissing != missing || of.Unknown):
		with(ChangeLineUnavailable, fmt.Sprintf("%s is not available here", l.Name), func(c *Change) { c.Missing = missing })
	case !f.Unknown && missing > 0 && missing < l.Quantity && (!had || wasMissing != missing || of.Unknown):
		with(ChangeLineShort, fmt.Sprintf("%s: %d of %d available", l.Name, l.Quantity-missing, l.Quantity), func(c *Change) { c.Missing = missing })
	case had && missing == 0 && !f.Unknown && (wasMissing > 0 || of.Unknown):
		with(ChangeLineAvailable, fmt.Sprintf("%s is available in full", l.Name), nil)
	}
	newModes, oldModes := modes(f), modes(of)
	if had && !slices.Equal(newModes, oldModes) && len(newModes) > 0 {
		with(ChangeFulfilment, fmt.Sprintf("%s: %s", l.Name, describeModes(newModes)), func(c *Change) {
			c.OldModes, c.NewModes = oldModes, newModes
		})
	}
}

func modes(p stock.LinePlan) []channel.FulfilmentMode {
	var ms []channel.FulfilmentMode
	for _, a := range p.Allocations {
		if !slices.Contains(ms, a.Mode) {
			ms = append(ms, a.Mode)
		}
	}
	slices.Sort(ms)
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

func appliedPromotions(r *Result) map[string]pricing.Money {
	out := map[string]pricing.Money{}
	if r == nil {
		return out
	}
	for _, e := range r.Promotions {
		if e.Status == promotion.Applied {
			out[e.PromotionID] = e.Amount
		}
	}
	return out
}

func promotionChanges(add func(Change), prev, next *Result) {
	if prev == nil {
		return // a first pricing gains nothing: everything is new
	}
	before, after := appliedPromotions(prev), appliedPromotions(next)
	for _, e := range prev.Promotions {
		if _, still := after[e.PromotionID]; e.Status == promotion.Applied && !still {
			add(Change{Kind: ChangePromotionLost, PromotionID: e.PromotionID, Old: moneyPtr(e.Amount),
				Message: fmt.Sprintf("promotion %s (%s) does not apply here", e.PromotionID, e.Amount)})
		}
	}
	for _, e := range next.Promotions {
		if _, had := before[e.PromotionID]; e.Status == promotion.Applied && !had {
			add(Change{Kind: ChangePromotionGained, PromotionID: e.PromotionID, New: moneyPtr(e.Amount),
				Message: fmt.Sprintf("promotion %s saves %s here", e.PromotionID, e.Amount)})
		}
	}
}

func couponChanges(add func(Change), prev, next *Result) {
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
			msg := c.Message
			if msg == "" {
				msg = fmt.Sprintf("coupon %s is not honoured here; it stays in the wallet", c.Code)
			}
			add(Change{Kind: ChangeCouponNotHonoured, Coupon: c.Code, Message: msg})
		case !notHonoured && had && was:
			add(Change{Kind: ChangeCouponHonoured, Coupon: c.Code, Message: fmt.Sprintf("coupon %s applies here", c.Code)})
		}
	}
}
