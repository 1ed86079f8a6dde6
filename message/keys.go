package message

import (
	"slices"
	"strings"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/promotion"
)

// Key is one sentence of the catalogue: its name and the placeholders a
// template for it may use, each as often as it likes or not at all.
//
// Names follow what they say: "change." and the [basket.ChangeKind] name
// ("change.price-changed"), with a variant after a further dot where one
// kind or reason reads two ways (".detail" when the change carries one,
// ".fee" for a fee promotion, ".sku" or ".category" for the units a gap
// names, ".one" or ".other" for one unit or several, or one loyalty
// point or several); "promotion." and
// the [promotion.Reason] name for an
// explanation ("promotion.min-subtotal"), "promotion.applied",
// "promotion.not-applicable" and "promotion.blocked" for an explanation
// without a known reason; "coupon." and the [promotion.CouponStatus] name,
// with ".explained" when the deciding promotion's explanation follows;
// "mode." and the [channel.FulfilmentMode] name for the fulfilment modes a
// change lists; "price.per-measure" and "price.per-quantity" for how a
// unit price says what it is for: a unit of measure ("€24.90/kg"), a
// quantity other than one ("€12.50 per 1,000").
//
// The placeholders: {name} is the product's name in a change and the
// promotion's display name in an explanation; {sku}, {line}, {quantity},
// {coupon}, {location} are the change's or explanation's own; {old} and
// {new} are the values before and now (amounts, currency codes,
// quantities, tax rates as a percentage without the sign, or fulfilment
// modes, by key); {promotion} is a changed promotion's display name;
// {missing} and {available} are the units that cannot and can be sourced;
// {amount} is the discount given, {gap} the amount missing to a
// threshold, {category} the category of a quantity gap, {other} the
// promotion that took precedence; {explanation} is the deciding
// promotion's explanation, said in the same language; {detail} is the
// English detail a change carries; {reason} is an override's reason code,
// {location} also the store an override ended leaving. In a price sentence
// {amount} is the unit price, {unit} the unit of measure's symbol ("kg")
// and {per} the quantity the price is for ("1,000", or "10 kg" for
// measured goods). Amounts are formatted for the locale ([Format]), a
// unit price with every decimal it has ("0,0125 €"); in the change
// sentences of unit prices (a price changed, protected, kept by a quote,
// a line priced again) {old} and {new} are the exact prices with what
// they are for, said by the price sentences ("24,90 €/kg"). Quantities
// are plain whole numbers, or for weighed and measured goods the measure
// with the locale's decimal separator, and its unit in {quantity}, {old}
// and {new} ("0,347 kg"; {missing} and {available} without it: "1,2 sur
// 2,5 m").
type Key struct {
	Name         string
	Placeholders []string
}

// The placeholders (see [Key]).
const (
	phName        = "name"        // the product's name (a change) or the promotion's display name (an explanation)
	phSKU         = "sku"         // the product's SKU
	phLine        = "line"        // the line ID
	phQuantity    = "quantity"    // the line's quantity, or the units missing for a promotion
	phOld         = "old"         // the value before: amount, currency code, quantity, rate or modes, by key
	phNew         = "new"         // the value now, same types
	phPromotion   = "promotion"   // the promotion's display name (a change)
	phCoupon      = "coupon"      // the coupon code
	phDetail      = "detail"      // the English detail the change carries
	phMissing     = "missing"     // the units that cannot be sourced
	phAvailable   = "available"   // the units that can
	phLocation    = "location"    // the location ID of a hold
	phAmount      = "amount"      // the discount an explanation gives, or the unit price in a price sentence
	phGap         = "gap"         // the amount missing to meet a threshold
	phCategory    = "category"    // the category of a quantity gap
	phOther       = "other"       // the display name of the promotion that took precedence
	phExplanation = "explanation" // the deciding promotion's explanation, in the same language
	phReason      = "reason"      // an override's reason code
	phUnit        = "unit"        // the unit of measure's symbol a price is for
	phPer         = "per"         // the quantity a price is for, with its unit of measure if any
)

// The price sentences: a unit price per a unit of measure, per a quantity.
const (
	keyPerMeasure  = "price.per-measure"
	keyPerQuantity = "price.per-quantity"
)

// The variants.
const (
	variantDetail       = ".detail"
	variantStockUnknown = ".stock-unknown"
	variantFee          = ".fee"
	variantExplained    = ".explained"
	variantSKU          = ".sku"
	variantCategory     = ".category"
	pluralOne           = ".one"
	pluralOther         = ".other"
)

// Keys returns every sentence key with its placeholders, sorted by name:
// what a retailer may reword or translate with [WithSentences].
func Keys() []Key {
	line := []string{phName, phSKU, phLine}
	with := func(base []string, more ...string) []string { return append(slices.Clone(base), more...) }
	change := func(k basket.ChangeKind) string { return "change." + k.String() }
	keys := []Key{
		{change(basket.ChangeCurrency), []string{phOld, phNew}},
		{change(basket.ChangeLineAdded), with(line, phQuantity)},
		{change(basket.ChangeLineRemoved), with(line, phQuantity)},
		{change(basket.ChangeQuantity), with(line, phOld, phNew)},
		{change(basket.ChangeLineUnpriced), with(line, phDetail)},
		{change(basket.ChangeLineRepriced), with(line, phNew)},
		{change(basket.ChangePrice), with(line, phOld, phNew)},
		{change(basket.ChangePriceProtected), with(line, phOld, phNew)},
		{change(basket.ChangeQuoteLockKept), with(line, phOld, phNew)},
		{change(basket.ChangeQuoteLockExpired), line},
		{change(basket.ChangeOverrideApplied), with(line, phNew, phReason)},
		{change(basket.ChangeOverrideRemoved), with(line, phOld, phReason)},
		{change(basket.ChangeOverrideEnded), with(line, phOld, phReason, phLocation)},
		{change(basket.ChangeTax), with(line, phOld, phNew)},
		{change(basket.ChangePromotionLost), []string{phPromotion, phOld}},
		{change(basket.ChangePromotionGained), []string{phPromotion, phNew}},
		{change(basket.ChangeCouponNotHonoured), []string{phCoupon}},
		{change(basket.ChangeCouponNotHonoured) + variantDetail, []string{phCoupon, phDetail}},
		{change(basket.ChangeCouponHonoured), []string{phCoupon}},
		{change(basket.ChangeLineUnavailable), with(line, phQuantity)},
		{change(basket.ChangeLineUnavailable) + variantStockUnknown, with(line, phQuantity, phDetail)},
		{change(basket.ChangeLineShort), with(line, phQuantity, phMissing, phAvailable)},
		{change(basket.ChangeLineAvailable), with(line, phQuantity)},
		{change(basket.ChangeHoldAtRisk), with(line, phQuantity, phMissing, phLocation)},
		{change(basket.ChangeFulfilment), with(line, phOld, phNew)},
		{change(basket.ChangeTotal), []string{phOld, phNew}},
	}
	for _, n := range []string{pluralOne, pluralOther} {
		keys = append(keys, Key{change(basket.ChangeLoyaltyBurnt) + n, []string{phQuantity, phOld, phNew}},
			Key{change(basket.ChangeLoyaltyEarned) + n, []string{phQuantity}})
	}
	for m := channel.CarryOut; m.Valid(); m++ {
		keys = append(keys, Key{"mode." + m.String(), nil})
	}
	keys = append(keys, Key{keyPerMeasure, []string{phAmount, phUnit}}, Key{keyPerQuantity, []string{phAmount, phPer}})
	promo := []string{phName, phCoupon}
	keys = append(keys,
		Key{"promotion." + promotion.Applied.String(), with(promo, phAmount)},
		Key{"promotion." + promotion.NotApplicable.String(), promo},
		Key{"promotion." + promotion.Blocked.String(), promo},
		Key{"promotion." + promotion.ReasonMinSubtotal.String(), with(promo, phGap)},
		Key{"promotion." + promotion.ReasonNoTarget.String() + variantFee, promo},
		Key{"promotion." + promotion.ReasonBlockedByExclusive.String(), with(promo, phOther)},
		Key{"promotion." + promotion.ReasonBestOfLost.String(), with(promo, phOther)},
	)
	for _, n := range []string{pluralOne, pluralOther} {
		q := "promotion." + promotion.ReasonMinQuantity.String()
		keys = append(keys, Key{q + n, with(promo, phQuantity)}, Key{q + variantSKU + n, with(promo, phQuantity, phSKU)},
			Key{q + variantCategory + n, with(promo, phQuantity, phCategory)})
	}
	for _, r := range []promotion.Reason{promotion.ReasonWrongChannel, promotion.ReasonWrongLocation, promotion.ReasonCustomerGroup,
		promotion.ReasonNotStarted, promotion.ReasonExpired, promotion.ReasonCurrency, promotion.ReasonMissingCoupon,
		promotion.ReasonLoyaltyTier, promotion.ReasonLimitReached, promotion.ReasonNoTarget, promotion.ReasonNoBenefit} {
		keys = append(keys, Key{"promotion." + r.String(), promo})
	}
	for _, s := range []promotion.CouponStatus{promotion.CouponApplied, promotion.CouponNotHonouredHere, promotion.CouponConditionUnmet, promotion.CouponBlocked} {
		keys = append(keys, Key{"coupon." + s.String(), []string{phCoupon}}, Key{"coupon." + s.String() + variantExplained, []string{phCoupon, phExplanation}})
	}
	keys = append(keys, Key{"coupon." + promotion.CouponUnknown.String(), []string{phCoupon}})
	slices.SortFunc(keys, func(a, b Key) int { return strings.Compare(a.Name, b.Name) })
	return keys
}
