package message

import (
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// Printer says things in one locale. Get one from [Catalogue.Printer]; it
// resolves the locale's fallback chain once, so keep it for as many
// sentences as that shopper needs.
type Printer struct {
	chain  []*language // most specific first; English last
	format *Format
}

// Printer returns the printer for a BCP 47 locale such as
// channel.Context.Locale ("fr-FR"). Each sentence comes from the most
// specific language along the chain that has it (fr-CA → fr → en), the
// amounts from the first format along it; an empty, unknown or malformed
// locale is English.
func (c *Catalogue) Printer(locale string) *Printer {
	p := &Printer{}
	for _, tag := range fallbacks(locale) {
		if l := c.langs[tag]; l != nil {
			p.chain = append(p.chain, l)
			if p.format == nil {
				p.format = l.format
			}
		}
	}
	return p
}

// Report is r's change report ([basket.Result.Changes]) in r's locale
// (r.Context.Locale), one sentence per change in report order. A coupon
// not honoured is said from r's coupon state and the explanation of the
// promotion that decided it, so the shopper hears why in their language.
func (c *Catalogue) Report(r *basket.Result) []string {
	if r == nil || len(r.Changes) == 0 {
		return nil
	}
	p := c.Printer(r.Context.Locale)
	out := make([]string, len(r.Changes))
	for i, ch := range r.Changes {
		if ch.Kind == basket.ChangeCouponNotHonoured {
			if s, ok := couponState(r.Coupons, ch.Coupon); ok {
				out[i] = p.Coupon(s, r.Promotions...)
				continue
			}
		}
		out[i] = p.Change(ch)
	}
	return out
}

func couponState(states []promotion.CouponState, code string) (promotion.CouponState, bool) {
	for _, s := range states {
		if s.Code == code {
			return s, true
		}
	}
	return promotion.CouponState{}, false
}

// english is the end of every chain, the language with every sentence.
func (p *Printer) english() *language { return p.chain[len(p.chain)-1] }

// say renders key with the first sentence along the chain; ok is false
// for a key no language has (a kind newer than this package).
func (p *Printer) say(key string, value func(string) string) (string, bool) {
	for _, l := range p.chain {
		if s, ok := l.sentences[key]; ok {
			return s.render(value), true
		}
	}
	return "", false
}

// Money formats an amount for the locale: "1 234,50 €" in French,
// "€1,234.50" in English (see [Format]); the zero Money is "?".
func (p *Printer) Money(m pricing.Money) string { return p.format.Money(m) }

// UnitPrice says a unit price for the locale, as precise as it is
// ("€0.0125", "0,0125 €"), with what it is for: the quantity when it is
// not one ("€12.50 per 1,000", "12,50 € les 1 000") and the unit of
// measure of weighed and measured goods, which is what a price of theirs
// is per ("€24.90/kg", "24,90 €/kg"); pass [catalog.Each] for counted
// goods. The price sentences are "price.per-measure" and
// "price.per-quantity" (see [Key]). The zero UnitPrice is "?".
func (p *Printer) UnitPrice(u pricing.UnitPrice, unit catalog.Unit) string {
	amount := p.format.unitPrice(u)
	if u.Currency().IsZero() {
		return amount
	}
	per := u.Per()
	if per == 1 && !unit.Measured() {
		return amount
	}
	key := keyPerQuantity
	if per == 1 {
		key = keyPerMeasure
	}
	s, _ := p.say(key, func(ph string) string {
		switch ph {
		case phAmount:
			return amount
		case phUnit:
			return unit.String()
		}
		if unit.Measured() {
			return p.format.integer(per) + " " + unit.String()
		}
		return p.format.integer(per)
	})
	return s
}

// Change says one entry of a change report. A kind this catalogue has no
// sentence for is said by [basket.Change.Message].
func (p *Printer) Change(c basket.Change) string {
	s, ok := p.say(changeKey(c), func(ph string) string { return p.changeValue(c, ph) })
	if !ok {
		return c.Message()
	}
	return s
}

// changeKey picks the sentence of a change: its kind's, or the variant
// for a change that carries a detail.
func changeKey(c basket.Change) string {
	key := "change." + c.Kind.String()
	switch {
	case c.Kind == basket.ChangeCouponNotHonoured && c.Detail != "":
		key += variantDetail
	case c.Kind == basket.ChangeLineUnavailable && c.Detail != "":
		key += variantStockUnknown // the only detail Diff gives this kind
	case c.Kind == basket.ChangeLoyaltyBurnt || c.Kind == basket.ChangeLoyaltyEarned:
		if c.Quantity == 1 { // points
			return key + pluralOne
		}
		return key + pluralOther
	}
	return key
}

func (p *Printer) changeValue(c basket.Change, ph string) string {
	switch ph {
	case phName:
		if c.Name == "" && c.Kind == basket.ChangeHoldAtRisk {
			return c.SKU
		}
		return c.Name
	case phSKU:
		return c.SKU
	case phLine:
		return c.LineID
	case phQuantity:
		if c.Kind == basket.ChangeLoyaltyBurnt || c.Kind == basket.ChangeLoyaltyEarned {
			return strconv.FormatInt(c.Quantity, 10) // points, never measured
		}
		return p.quantity(c, c.Quantity)
	case phMissing:
		return p.figure(c, c.Missing)
	case phAvailable:
		return p.figure(c, c.Quantity-c.Missing)
	case phLocation:
		return c.LocationID
	case phPromotion:
		if c.PromotionName != "" {
			return c.PromotionName
		}
		return c.PromotionID
	case phCoupon:
		return c.Coupon
	case phDetail:
		return c.Detail
	case phReason:
		return c.Reason
	}
	old := ph == phOld
	switch c.Kind {
	case basket.ChangeCurrency:
		return pick(old, c.OldCurrency, c.NewCurrency)
	case basket.ChangeQuantity:
		return p.quantity(c, pick(old, c.OldQuantity, c.Quantity))
	case basket.ChangeTax:
		return p.format.number(pick(old, c.OldRate, c.NewRate).Percent())
	case basket.ChangeFulfilment:
		return p.modes(pick(old, c.OldModes, c.NewModes))
	case basket.ChangeLineRepriced, basket.ChangePrice, basket.ChangePriceProtected, basket.ChangeQuoteLockKept:
		return p.UnitPrice(pick(old, c.OldExact(), c.NewExact()), c.Unit)
	}
	return p.Money(pick(old, c.Old, c.New))
}

// quantity writes a quantity of the change's line: a whole number for
// counted goods, the measure and its unit for measured goods with the
// locale's decimal separator ("0.347 kg", "0,347 kg").
func (p *Printer) quantity(c basket.Change, q int64) string {
	return p.format.number(basket.FormatQuantity(q, c.Unit))
}

// figure is [Printer.quantity] without the unit, for a part said next to
// its whole ("1.2 of 2.5 m available").
func (p *Printer) figure(c basket.Change, q int64) string {
	if c.Unit.Measured() {
		return p.format.number(basket.FormatMeasureNumber(q))
	}
	return strconv.FormatInt(q, 10)
}

func pick[T any](old bool, a, b T) T {
	if old {
		return a
	}
	return b
}

// modes names fulfilment modes in mode order, joined by " + ".
func (p *Printer) modes(m basket.Modes) string {
	var names []string
	for _, mode := range m.List() {
		names = append(names, p.mode(mode))
	}
	return strings.Join(names, " + ")
}

func (p *Printer) mode(m channel.FulfilmentMode) string {
	if s, ok := p.say("mode."+m.String(), nil); ok {
		return s
	}
	return m.String()
}

// Explanation says what happened to a promotion, from the explanation's
// structured fields (never from its English Message): its display name,
// the discount, the gap to a threshold, the promotion that blocked it.
// Pass the result's other explanations (r.Promotions...) to name the
// blocking promotion by its display name; without them it is named by ID.
func (p *Printer) Explanation(e promotion.Explanation, others ...promotion.Explanation) string {
	value := func(ph string) string { return p.explanationValue(e, others, ph) }
	if s, ok := p.say(explanationKey(e), value); ok {
		return s
	}
	// A reason newer than this catalogue: said by status.
	e.Reason = promotion.ReasonNone
	s, _ := p.say(explanationKey(e), value)
	return s
}

// explanationKey picks the sentence of an explanation: by status when it
// applied or its reason is unknown, by reason otherwise.
func explanationKey(e promotion.Explanation) string {
	switch {
	case e.Status == promotion.Applied:
		return "promotion." + promotion.Applied.String()
	case e.Reason == promotion.ReasonMinQuantity:
		key := "promotion." + e.Reason.String()
		n := int64(0)
		if e.Gap != nil {
			n = e.Gap.Quantity
			switch {
			case e.Gap.SKU != "":
				key += variantSKU
			case e.Gap.Category != "":
				key += variantCategory
			}
		}
		if n == 1 {
			return key + pluralOne
		}
		return key + pluralOther
	case e.Reason == promotion.ReasonNoTarget && e.Lane == promotion.Fulfilment:
		return "promotion." + e.Reason.String() + variantFee
	case e.Reason == promotion.ReasonNone || strings.HasPrefix(e.Reason.String(), "reason("):
		if e.Status == promotion.Blocked {
			return "promotion." + promotion.Blocked.String()
		}
		return "promotion." + promotion.NotApplicable.String()
	}
	return "promotion." + e.Reason.String()
}

func (p *Printer) explanationValue(e promotion.Explanation, others []promotion.Explanation, ph string) string {
	switch ph {
	case phName:
		return displayName(e)
	case phCoupon:
		return e.Coupon
	case phAmount:
		return p.Money(e.Amount)
	case phOther:
		for _, o := range others {
			if o.PromotionID == e.BlockedBy {
				return displayName(o)
			}
		}
		return e.BlockedBy
	}
	var g promotion.Gap
	if e.Gap != nil {
		g = *e.Gap
	}
	switch ph {
	case phGap:
		return p.Money(g.Amount)
	case phQuantity:
		return strconv.FormatInt(g.Quantity, 10)
	case phSKU:
		return g.SKU
	}
	return g.Category
}

func displayName(e promotion.Explanation) string {
	if e.Name != "" {
		return e.Name
	}
	return e.PromotionID
}

// Coupon says what happened to a wallet code. Pass the result's
// explanations (r.Promotions...) to say why, from the promotion that
// decided the code's status; without them the sentence says what, not
// why. A status this catalogue does not know is said by s.Message.
func (p *Printer) Coupon(s promotion.CouponState, explanations ...promotion.Explanation) string {
	key := "coupon." + s.Status.String()
	if _, known := p.english().sentences[key]; !known {
		return s.Message
	}
	var decider *promotion.Explanation
	if s.Status != promotion.CouponUnknown {
		decider = decidedBy(s, explanations)
	}
	if decider != nil {
		key += variantExplained
	}
	out, _ := p.say(key, func(ph string) string {
		if ph == phExplanation {
			return p.Explanation(*decider, explanations...)
		}
		return s.Code
	})
	return out
}

// decidedBy finds the explanation that gave a coupon its status: the
// first of its promotions, in evaluation order, whose outcome is that
// status (how the engine picks it).
func decidedBy(s promotion.CouponState, explanations []promotion.Explanation) *promotion.Explanation {
	for _, id := range s.PromotionIDs {
		for i := range explanations {
			if e := &explanations[i]; e.PromotionID == id && couponStatusOf(e) == s.Status {
				return e
			}
		}
	}
	return nil
}

func couponStatusOf(e *promotion.Explanation) promotion.CouponStatus {
	switch {
	case e.Status == promotion.Applied:
		return promotion.CouponApplied
	case e.Status == promotion.Blocked:
		return promotion.CouponBlocked
	case e.Reason == promotion.ReasonWrongChannel || e.Reason == promotion.ReasonWrongLocation || e.Reason == promotion.ReasonCurrency:
		return promotion.CouponNotHonouredHere
	}
	return promotion.CouponConditionUnmet
}
