package basket

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Result is a basket priced, promoted, taxed and sourced in one channel
// context. It is a pure value: the same basket, context and snapshot give a
// byte-identical Result (compare with encoding/json).
type Result struct {
	BasketID      uuid.UUID       `json:"basket_id"`
	BasketVersion int64           `json:"basket_version"`
	Context       channel.Context `json:"context"`
	Policy        Policy          `json:"policy"`
	Lines         []PricedLine    `json:"lines"` // sorted by line ID
	Fees          []PricedFee     `json:"fees,omitempty"`
	Totals        Totals          `json:"totals"`
	// Payment is how the basket's tenders ([Basket.Payment]) pay
	// Totals.Total: the amount due, what each tender pays, the cash
	// rounding and the change. Tenders are payment, not discount: nothing
	// else in the Result depends on them. Nil without tenders, or when they
	// cannot settle this total (taken in another currency before a channel
	// change).
	Payment *payment.Settlement `json:"payment,omitempty"`
	// Complete is false when some line has no price here; totals then
	// cover the priced lines only, and the basket cannot be ordered.
	Complete   bool                    `json:"complete"`
	Plan       stock.FulfilmentPlan    `json:"plan"`
	Promotions []promotion.Explanation `json:"promotions,omitempty"`
	// OmittedPromotions counts the basket-wide threshold promotions in
	// this context that the basket misses and that Promotions does not
	// explain: only the nearest few misses are ("spend 12.00 more"), so
	// that a retailer's thousands of spend thresholds do not make every
	// result list them ([promotion.Evaluation.Omitted], [Options.NearestMisses]).
	OmittedPromotions int                     `json:"omitted_promotions,omitempty"`
	Coupons           []promotion.CouponState `json:"coupons,omitempty"`
	// HoldsAtRisk are the basket's stock holds that on-hand no longer
	// covers (shrinkage, a recount): holds are served oldest first, so the
	// units of these went to older holds. Oldest first.
	HoldsAtRisk []HoldAtRisk `json:"holds_at_risk,omitempty"`
	// Overrides are the associates' price overrides that applied, sorted
	// by line ID: each with its reason, who granted and approved it, and
	// what it took off its line (see [Override]).
	Overrides []AppliedOverride `json:"overrides,omitempty"`
	// Loyalty is the loyalty account's part: points burnt and earned; nil
	// without an account in the wallet or a programme ([Config.LoyaltyScheme]).
	Loyalty *LoyaltyResult `json:"loyalty,omitempty"`
	Changes []Change       `json:"changes,omitempty"`
}

// HoldAtRisk is a hold of the basket, or the part of it, that stock no
// longer covers: AtRisk of the Quantity units of SKU held at LocationID
// since HeldSince. A plan cannot count on them, so an order relying on
// them is refused as short.
type HoldAtRisk struct {
	LocationID string    `json:"location_id"`
	SKU        string    `json:"sku"`
	Quantity   int64     `json:"quantity"`
	AtRisk     int64     `json:"at_risk"`
	HeldSince  time.Time `json:"held_since,omitzero"`
}

// PriceBasis says which price a line is charged at.
type PriceBasis uint8

// The price bases.
const (
	// BasisNone: the line has no price here.
	BasisNone PriceBasis = iota
	// BasisTarget: the target channel's price.
	BasisTarget
	// BasisProtected: the lower price the line carried in from the previous
	// channel (price protection).
	BasisProtected
	// BasisQuoteLocked: the price locked by a quote that has not expired.
	BasisQuoteLocked
	// BasisOverride: the price an associate set ([SetPrice]).
	BasisOverride
)

// String names the basis.
func (p PriceBasis) String() string {
	switch p {
	case BasisNone:
		return "none"
	case BasisTarget:
		return "target"
	case BasisProtected:
		return "protected"
	case BasisQuoteLocked:
		return "quote-locked"
	case BasisOverride:
		return "override"
	}
	return fmt.Sprintf("basis(%d)", uint8(p))
}

// MarshalText encodes the basis by name.
func (p PriceBasis) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes a basis by name.
func (p *PriceBasis) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, BasisNone, BasisOverride, "PriceBasis")
	if err == nil {
		*p = v
	}
	return err
}

// PricedLine is one line of a Result.
type PricedLine struct {
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
	// Unit is the line's unit of measure, for weighed and measured goods
	// (absent for counted goods): Quantity is then in thousandths of it,
	// and the unit prices are per it (24.90 EUR per kg).
	Unit catalog.Unit `json:"unit,omitempty"`
	// Priced is false when the target has no price (or no tax rate) for the
	// line; the money fields are then zero and Problem says why.
	Priced  bool   `json:"priced"`
	Problem string `json:"problem,omitempty"`
	// ListPrice is the target channel's unit price and Source where it came
	// from; UnitPrice is what is charged per unit, per Basis. Both are in
	// minor units: a price more precise than the currency (0.0125 EUR a
	// screw, 12.50 EUR per 1,000) shows there rounded with the pricing's
	// mode ([Options.Rounding]), and exactly in PreciseListPrice and
	// PreciseUnitPrice, which are set only then, so an ordinary line
	// encodes as it always did. Read the exact prices, whichever field
	// holds them, with [PricedLine.ListPriceExact] and
	// [PricedLine.UnitPriceExact]: protection and quote locks carry those.
	ListPrice        pricing.Money     `json:"list_price"`
	Source           pricing.PriceRef  `json:"source"`
	UnitPrice        pricing.Money     `json:"unit_price"`
	PreciseListPrice pricing.UnitPrice `json:"precise_list_price,omitzero"`
	PreciseUnitPrice pricing.UnitPrice `json:"precise_unit_price,omitzero"`
	Basis            PriceBasis        `json:"basis"`
	// GrantedQuantity is the smallest quantity of the SKU (merged over the
	// basket's lines, as tiers are) that UnitPrice holds for: the tier
	// threshold of the price list entry it came from, carried along with a
	// protected or quote-locked price. Below it the price is not carried.
	GrantedQuantity int64                  `json:"granted_quantity,omitempty"`
	Subtotal        pricing.Money          `json:"subtotal"` // exact unit price × Quantity, rounded once
	Discounts       []promotion.Adjustment `json:"discounts,omitempty"`
	Discount        pricing.Money          `json:"discount"`
	TaxRate         pricing.Rate           `json:"tax_rate"`
	Net             pricing.Money          `json:"net"`
	Tax             pricing.Money          `json:"tax"`
	Total           pricing.Money          `json:"total"` // gross: what the shopper pays for the line
	Fulfilment      stock.LinePlan         `json:"fulfilment,omitzero"`
}

// UnitPriceExact returns the unit price charged, exactly: PreciseUnitPrice
// when set, else UnitPrice (an ordinary price, or a line recorded before
// precise prices existed).
func (l *PricedLine) UnitPriceExact() pricing.UnitPrice {
	return exactPrice(l.PreciseUnitPrice, l.UnitPrice)
}

// ListPriceExact returns the target channel's unit price exactly, as
// [PricedLine.UnitPriceExact] does for the price charged.
func (l *PricedLine) ListPriceExact() pricing.UnitPrice {
	return exactPrice(l.PreciseListPrice, l.ListPrice)
}

func exactPrice(precise pricing.UnitPrice, rounded pricing.Money) pricing.UnitPrice {
	if !precise.Currency().IsZero() {
		return precise
	}
	return pricing.UnitPriceOf(rounded)
}

// PricedFee is a fulfilment fee of a Result (shipping, transfer …).
type PricedFee struct {
	FeeID     string                 `json:"fee_id"`
	Mode      channel.FulfilmentMode `json:"mode"`
	Amount    pricing.Money          `json:"amount"`
	Discounts []promotion.Adjustment `json:"discounts,omitempty"`
	TaxRate   pricing.Rate           `json:"tax_rate"`
	Net       pricing.Money          `json:"net"`
	Tax       pricing.Money          `json:"tax"`
	Total     pricing.Money          `json:"total"`
}

// Totals of a Result. Total = Σ line totals + Σ fee totals, and
// Total = Net + Tax, exactly.
type Totals struct {
	Subtotal pricing.Money `json:"subtotal"` // Σ line subtotals, before discounts
	Discount pricing.Money `json:"discount"` // Σ line discounts
	Fees     pricing.Money `json:"fees"`     // Σ fee totals, after fee discounts
	Net      pricing.Money `json:"net"`
	Tax      pricing.Money `json:"tax"`
	Total    pricing.Money `json:"total"`
}

// Line returns the priced line with the given ID.
func (r *Result) Line(id string) (PricedLine, bool) {
	for _, l := range r.Lines {
		if l.LineID == id {
			return l, true
		}
	}
	return PricedLine{}, false
}
