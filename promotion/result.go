package promotion

import (
	"fmt"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// Line is a basket line as the promotion engine sees it.
type Line struct {
	// ID identifies the line; unique within a basket. Results are sorted by
	// it and it breaks every tie (allocation remainders, equal unit prices).
	ID string
	// SKU and Categories are what targets select lines by.
	SKU        string
	Categories []string
	// Quantity is the number of units, at least 1.
	Quantity int64
	// UnitPrice is the price of one unit before any promotion (from the
	// price list), in the context's currency.
	UnitPrice pricing.Money
	// Precise is the unit price instead of UnitPrice when it is more
	// precise than the currency or given per a quantity (0.0125 EUR a
	// screw, 12.50 EUR per 1,000); UnitPrice is then left unset. The line's
	// subtotal is Precise × Quantity rounded once ([Options.Rounding]), and
	// every effect works on that subtotal, never on a rounded unit price.
	Precise pricing.UnitPrice
	// Measured says the line is weighed or measured goods: Quantity counts
	// thousandths of the unit of measure the price is per
	// ([pricing.MeasureDecimals]: 0.347 kg at 24.90 per kg is Quantity
	// 347), and the subtotal is [pricing.UnitPrice.MulMeasure], rounded
	// once. Such a line has no units: see "Weighed and measured goods" in
	// the package documentation.
	Measured bool
}

// Fee is a fulfilment fee of the basket, such as shipping.
type Fee struct {
	ID     string
	Mode   channel.FulfilmentMode
	Amount pricing.Money
}

// Wallet is what the shopper carries: coupon codes and a loyalty tier.
// Evaluation only reads it: a code not honoured here stays in the wallet.
type Wallet struct {
	Coupons     []string
	LoyaltyTier string
}

// Options are optional inputs of [Set.EvaluateWith].
type Options struct {
	// Exhausted lists the IDs of promotions whose budget the caller has
	// spent (this package keeps no budgets): they are reported not applicable
	// with ReasonLimitReached.
	Exhausted []string
	// Rounding rounds the subtotal of a line priced at a precise unit
	// price ([Line.Precise]), once; half-even by default. It should be the
	// mode the caller prices its own lines with, so that both agree.
	Rounding pricing.RoundingMode
	// NearestMisses is how many unmet threshold promotions are explained
	// per lane and per measure (spend, quantity): the ones nearest to the
	// basket, so that "spend 12.00 more" names what the shopper can still
	// reach without a list that grows with the catalogue of promotions
	// (see "Threshold promotions" in the package documentation). 0 means
	// [DefaultNearestMisses]; a negative value explains none.
	NearestMisses int
}

// DefaultNearestMisses is the number of unmet threshold promotions
// explained per lane and measure when [Options.NearestMisses] is 0: enough
// for an associate to offer the next steps, few enough to read aloud.
const DefaultNearestMisses = 3

// nearest returns the number of nearest misses to explain.
func (o *Options) nearest() int {
	switch {
	case o.NearestMisses == 0:
		return DefaultNearestMisses
	case o.NearestMisses < 0:
		return 0
	}
	return o.NearestMisses
}

// Evaluation is the outcome of [Set.Evaluate]. All amounts are in the
// context's currency and are whole minor units.
type Evaluation struct {
	// Lines has one result per input line, sorted by line ID.
	Lines []LineResult `json:"lines"`
	// Fees has one result per input fee, sorted by fee ID.
	Fees []FeeResult `json:"fees"`
	// Explanations has one entry per examined promotion, in evaluation
	// order: lane, then priority (highest first), then promotion ID. A
	// promotion is examined when its channel, kind and location scope admits
	// the context and it concerns the basket (a target of All, a fee
	// discount, or a target naming a SKU or category of a line), or when
	// its coupon code is in the wallet. A basket-wide coupon promotion is
	// examined only when its code is in the wallet: at a retailer with
	// thousands of codes, listing every code a shopper does not hold would
	// make each evaluation cost follow the codes, not the basket. For the
	// same reason the threshold promotions the basket misses are examined
	// only when they are among the [Options.NearestMisses] nearest it could
	// still reach (see "Threshold promotions" in the package documentation;
	// Omitted counts the others). Other promotions are not listed and
	// cannot change the result.
	Explanations []Explanation `json:"explanations"`
	// Coupons has one state per distinct wallet code, sorted by normalised code.
	Coupons []CouponState `json:"coupons"`
	// Subtotal is Σ line subtotals + Σ fee amounts, before promotions.
	Subtotal pricing.Money `json:"subtotal"`
	// Discount is all the promotion money: Σ of every adjustment.
	Discount pricing.Money `json:"discount"`
	// Total is Σ line totals + Σ fee totals = Subtotal − Discount, never negative.
	Total pricing.Money `json:"total"`
	// Omitted counts the threshold promotions in the context's channel,
	// kind and location scope that the basket does not meet and that have
	// no explanation: beyond the [Options.NearestMisses] nearest of their
	// lane and measure, or refused to this shopper anyway (customer group,
	// validity window, currency, loyalty tier, spent budget). They cannot
	// change the result; the count says the list of misses is not complete.
	Omitted int `json:"omitted,omitempty"`
}

// LineResult is the outcome for one line.
type LineResult struct {
	LineID string `json:"line_id"`
	// Subtotal is Quantity × UnitPrice, or Precise × Quantity rounded once.
	Subtotal pricing.Money `json:"subtotal"`
	// Adjustments are the discounts on this line in the order they were
	// applied; basket discounts appear as the part allocated to this line.
	Adjustments []Adjustment `json:"adjustments,omitempty"`
	// Total is Subtotal − Σ adjustments, never negative.
	Total pricing.Money `json:"total"`
}

// Adjustment is one promotion's discount on a line or fee.
type Adjustment struct {
	PromotionID string        `json:"promotion_id"`
	Lane        Lane          `json:"lane"`
	Amount      pricing.Money `json:"amount"` // positive = discount
}

// FeeResult is the outcome for one fee.
type FeeResult struct {
	FeeID       string        `json:"fee_id"`
	Amount      pricing.Money `json:"amount"`
	Adjustments []Adjustment  `json:"adjustments,omitempty"`
	Total       pricing.Money `json:"total"`
}

// Explanation says what happened to one examined promotion.
type Explanation struct {
	PromotionID string `json:"promotion_id"`
	// Name is the promotion's display name (its ID when it has none), so
	// that a report can name it to the shopper without the promotion set.
	Name   string `json:"name"`
	Lane   Lane   `json:"lane"`
	Status Status `json:"status"`
	// Amount is the total discount given (zero unless Applied).
	Amount pricing.Money `json:"amount"`
	// Reason is why the promotion did not apply (ReasonNone when Applied).
	Reason Reason `json:"reason"`
	// Gap is what is missing for an unmet threshold, nil otherwise.
	Gap *Gap `json:"gap,omitempty"`
	// BlockedBy is the exclusive promotion or best-of winner that blocked it.
	BlockedBy string `json:"blocked_by,omitempty"`
	// Coupon is the promotion's normalised coupon code, if any.
	Coupon string `json:"coupon,omitempty"`
	// Message is a sentence an associate can read aloud.
	Message string `json:"message"`
}

// Gap is what the basket lacks to meet a threshold: money (Amount, with a
// zero amount for quantity gaps) or units (Quantity), the units named by a
// SKU or Category when the condition names exactly one.
type Gap struct {
	Amount   pricing.Money `json:"amount"`
	Quantity int64         `json:"quantity,omitempty"`
	SKU      string        `json:"sku,omitempty"`
	Category string        `json:"category,omitempty"`
}

// CouponState is what happened to one wallet code. Evaluation never
// removes a code: a code not honoured here stays in the wallet.
type CouponState struct {
	// Code is the normalised code ([NormalizeCoupon]).
	Code   string       `json:"code"`
	Status CouponStatus `json:"status"`
	// PromotionIDs are the promotions carrying the code, in evaluation order.
	PromotionIDs []string `json:"promotion_ids,omitempty"`
	// Reason is the reason of the promotion that decided the status.
	Reason  Reason `json:"reason"`
	Message string `json:"message"`
}

// Status is the outcome of an examined promotion.
type Status uint8

// The statuses.
const (
	Applied       Status = iota + 1 // gave a discount
	NotApplicable                   // out of scope, condition unmet or no benefit (see Reason)
	Blocked                         // would apply, but an exclusive promotion or a best-of winner took precedence
)

// String returns the lower-case name used in JSON.
func (s Status) String() string {
	switch s {
	case Applied:
		return "applied"
	case NotApplicable:
		return "not-applicable"
	case Blocked:
		return "blocked"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// MarshalText encodes the status by name.
func (s Status) MarshalText() ([]byte, error) {
	return marshalEnum(s, s >= Applied && s <= Blocked, "status")
}

// UnmarshalText decodes a status by name.
func (s *Status) UnmarshalText(b []byte) error {
	return unmarshalEnum(s, b, Applied, Blocked, "status")
}

// CouponStatus is the outcome of a wallet code.
type CouponStatus uint8

// The coupon statuses. When a code carries several promotions, the best
// outcome wins: applied, then blocked, then condition unmet, then not
// honoured here.
const (
	CouponApplied         CouponStatus = iota + 1 // at least one of its promotions applied
	CouponNotHonouredHere                         // its promotions exclude this channel, location or currency; it stays in the wallet
	CouponConditionUnmet                          // honoured here, but a condition is unmet (window, group, tier, threshold, target …)
	CouponUnknown                                 // no promotion carries the code
	CouponBlocked                                 // an exclusive promotion or a best-of winner took precedence
)

// String returns the lower-case name used in JSON.
func (s CouponStatus) String() string {
	switch s {
	case CouponApplied:
		return "applied"
	case CouponNotHonouredHere:
		return "not-honoured-here"
	case CouponConditionUnmet:
		return "condition-unmet"
	case CouponUnknown:
		return "unknown"
	case CouponBlocked:
		return "blocked"
	}
	return fmt.Sprintf("coupon-status(%d)", uint8(s))
}

// MarshalText encodes the coupon status by name.
func (s CouponStatus) MarshalText() ([]byte, error) {
	return marshalEnum(s, s >= CouponApplied && s <= CouponBlocked, "coupon status")
}

// UnmarshalText decodes a coupon status by name.
func (s *CouponStatus) UnmarshalText(b []byte) error {
	return unmarshalEnum(s, b, CouponApplied, CouponBlocked, "coupon status")
}

// Reason is the typed cause of a status.
type Reason uint8

// The reasons, in the order the checks are made.
const (
	ReasonNone               Reason = iota // applied
	ReasonWrongChannel                     // channel ID or kind outside the scope
	ReasonWrongLocation                    // location outside the scope
	ReasonCustomerGroup                    // customer group outside the scope
	ReasonNotStarted                       // as-of time before StartsAt
	ReasonExpired                          // as-of time at or after EndsAt
	ReasonCurrency                         // fixed amounts in another currency than the context's
	ReasonMissingCoupon                    // the coupon code is not in the wallet
	ReasonLoyaltyTier                      // the wallet's loyalty tier is not eligible
	ReasonLimitReached                     // the caller reported the budget exhausted
	ReasonMinSubtotal                      // subtotal (or tier) threshold not reached; Gap.Amount says how much is missing
	ReasonMinQuantity                      // not enough qualifying units; Gap.Quantity says how many are missing
	ReasonNoTarget                         // no line (or fee) of the basket is targeted
	ReasonNoBenefit                        // the effect gives nothing on these prices
	ReasonBlockedByExclusive               // an exclusive promotion applied before it
	ReasonBestOfLost                       // another member of its best-of group gives more
)

// String returns the lower-case name used in JSON.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonWrongChannel:
		return "wrong-channel"
	case ReasonWrongLocation:
		return "wrong-location"
	case ReasonCustomerGroup:
		return "customer-group"
	case ReasonNotStarted:
		return "not-started"
	case ReasonExpired:
		return "expired"
	case ReasonCurrency:
		return "currency"
	case ReasonMissingCoupon:
		return "missing-coupon"
	case ReasonLoyaltyTier:
		return "loyalty-tier"
	case ReasonLimitReached:
		return "limit-reached"
	case ReasonMinSubtotal:
		return "min-subtotal"
	case ReasonMinQuantity:
		return "min-quantity"
	case ReasonNoTarget:
		return "no-target"
	case ReasonNoBenefit:
		return "no-benefit"
	case ReasonBlockedByExclusive:
		return "blocked-by-exclusive"
	case ReasonBestOfLost:
		return "best-of-lost"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// MarshalText encodes the reason by name.
func (r Reason) MarshalText() ([]byte, error) {
	return marshalEnum(r, r <= ReasonBestOfLost, "reason")
}

// UnmarshalText decodes a reason by name.
func (r *Reason) UnmarshalText(b []byte) error {
	return unmarshalEnum(r, b, ReasonNone, ReasonBestOfLost, "reason")
}

// notHonouredHere reports whether a reason is about the place (channel,
// location, currency) rather than about the basket or the shopper.
func (r Reason) notHonouredHere() bool {
	return r == ReasonWrongChannel || r == ReasonWrongLocation || r == ReasonCurrency
}
