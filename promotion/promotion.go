package promotion

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// Promotion is one promotion as plain data: scope, conditions, one effect,
// stacking and limits. It is meant to be loaded from CSV or JSON; [Compile]
// validates it and copies it, so the caller may reuse or change the value
// afterwards.
//
// Empty lists mean "no restriction" for the scope fields (Channels, Kinds,
// Locations, CustomerGroups, LoyaltyTiers); a zero time means "unbounded";
// a zero [pricing.Money] (no currency) means "not set".
type Promotion struct {
	// ID identifies the promotion; unique within a set. It is the last key
	// of the evaluation order and appears in every result.
	ID string `json:"id"`
	// Name is what an associate reads aloud ("10 % off shoes"); defaults to ID.
	Name string `json:"name,omitempty"`
	// Lane is the pipeline stage the promotion runs in. Catalogue allows
	// PercentOff, AmountOff and FixedPrice; Fulfilment allows FeeDiscount
	// only; Basket allows every effect but FeeDiscount.
	Lane Lane `json:"lane"`

	// Channels lists the channel IDs (channel.Context.ChannelID) the
	// promotion is offered in; empty means every channel.
	Channels []string `json:"channels,omitempty"`
	// Kinds restricts the promotion to channel kinds (web, store …); empty
	// means every kind.
	Kinds []channel.Kind `json:"kinds,omitempty"`
	// Locations lists the location IDs (channel.Context.LocationID) the
	// promotion is offered at; empty means everywhere.
	Locations []string `json:"locations,omitempty"`
	// CustomerGroups lists the customer groups (channel.Context.CustomerGroup)
	// the promotion is reserved for; empty means everybody.
	CustomerGroups []string `json:"customer_groups,omitempty"`
	// StartsAt is the first instant the promotion is valid (inclusive),
	// judged against channel.Context.AsOf; zero means no start.
	StartsAt time.Time `json:"starts_at,omitzero"`
	// EndsAt is the first instant the promotion is no longer valid
	// (exclusive); zero means no end.
	EndsAt time.Time `json:"ends_at,omitzero"`

	// Coupon is the code that must be in the wallet; empty means none.
	// Codes compare after [NormalizeCoupon] (trimmed, case-insensitive).
	Coupon string `json:"coupon,omitempty"`
	// LoyaltyTiers lists the wallet loyalty tiers (exact match) that may use
	// the promotion; empty means any tier or none.
	LoyaltyTiers []string `json:"loyalty_tiers,omitempty"`
	// MinSubtotal is the goods subtotal the basket must reach, measured at
	// the entry of the promotion's lane (so a basket-lane threshold sees the
	// prices after catalogue promotions). Zero Money means no threshold.
	MinSubtotal pricing.Money `json:"min_subtotal"`
	// MinQuantity is the number of units of QuantityTarget the basket must
	// hold; 0 means no quantity condition.
	MinQuantity int64 `json:"min_quantity,omitempty"`
	// QuantityTarget selects the lines counted by MinQuantity; it must be set
	// exactly when MinQuantity > 0.
	QuantityTarget Target `json:"quantity_target,omitzero"`

	// Effect is what the promotion does.
	Effect Effect `json:"effect"`

	// Priority orders promotions within a lane: higher runs first; equal
	// priorities run in ID order.
	Priority int64 `json:"priority,omitempty"`
	// Exclusive stops the stacking once the promotion applies: in the basket
	// and fulfilment lanes no later promotion of the lane applies; in the
	// catalogue lane no later catalogue promotion applies to the lines it
	// discounted (other lines keep stacking).
	Exclusive bool `json:"exclusive,omitempty"`
	// BestOfGroup names a group of alternative promotions of the same lane
	// of which only the one with the largest benefit applies; empty means
	// none. A group has at most [MaxBestOfGroup] members.
	BestOfGroup string `json:"best_of_group,omitempty"`

	// MaxApplications caps how often the effect applies in one basket (0 =
	// no cap): units for PercentOff, AmountOff and FixedPrice (the most
	// valuable units first), groups for BuyXGetY, bundles for BundlePrice,
	// fees for FeeDiscount (the most expensive fees first). BasketPercentOff,
	// BasketAmountOff and Tiered apply at most once anyway. Budgets are the
	// caller's: see [Options].
	MaxApplications int64 `json:"max_applications,omitempty"`
}

// Target selects basket lines: every line (All), or the lines whose SKU is
// listed or that carry one of the listed categories. An empty target is
// invalid wherever a target is required, so that a forgotten column never
// means "the whole basket".
type Target struct {
	// All selects every line; it excludes SKUs and Categories.
	All bool `json:"all,omitempty"`
	// SKUs selects lines by SKU (exact match).
	SKUs []string `json:"skus,omitempty"`
	// Categories selects lines carrying any of these categories (exact match).
	Categories []string `json:"categories,omitempty"`
}

// IsZero reports whether the target selects nothing (the unset target).
func (t Target) IsZero() bool { return !t.All && len(t.SKUs) == 0 && len(t.Categories) == 0 }

// Matches reports whether line l is selected by t.
func (t Target) Matches(l Line) bool { return t.matches(&l) }

func (t *Target) matches(l *Line) bool {
	if t.All {
		return true
	}
	if len(t.SKUs) > 0 && containsSorted(t.SKUs, l.SKU) {
		return true
	}
	if len(t.Categories) > 0 {
		for _, c := range l.Categories {
			if containsSorted(t.Categories, c) {
				return true
			}
		}
	}
	return false
}

// Effect is the single effect of a promotion: a Kind and the parameters it
// uses. Parameters a kind does not use must be left unset.
//
//	Kind              Target            Parameters
//	PercentOff        lines             Percent: off each target line's running total
//	AmountOff         lines             Amount: off each target unit (capped at its price)
//	FixedPrice        lines             Amount: the unit price of target units (never raises a price)
//	BasketPercentOff  lines or All      Percent: off the running subtotal of the target lines, allocated back
//	BasketAmountOff   lines or All      Amount: off that subtotal (capped), allocated back
//	BuyXGetY          qualifying units  Buy, Get, Percent (100 % = free), Pick
//	BundlePrice       —                 Components, Amount: the price of one bundle
//	Tiered            lines or All      Tiers: the highest tier reached by the target lines' lane-entry subtotal
//	FeeDiscount       —                 FeeModes (empty = every fee), Percent or Amount off each fee
type Effect struct {
	// Kind selects the effect.
	Kind EffectKind `json:"kind"`
	// Target selects the lines the effect works on.
	Target Target `json:"target,omitzero"`
	// Percent is a factor in (0, 1]: 0.1 is 10 % (build it with
	// pricing.MustPercent("10")).
	Percent pricing.Rate `json:"percent"`
	// Amount is a fixed amount in the basket's currency; a promotion whose
	// amounts are in another currency is not applicable (never converted).
	Amount pricing.Money `json:"amount"`
	// Buy and Get: for every Buy+Get qualifying units, Get units are
	// discounted by Percent.
	Buy int64 `json:"buy,omitempty"`
	Get int64 `json:"get,omitempty"`
	// Pick chooses which qualifying units BuyXGetY discounts.
	Pick Pick `json:"pick,omitempty"`
	// Components are the parts of one bundle (BundlePrice), in the order
	// they are filled.
	Components []Component `json:"components,omitempty"`
	// Tiers are the spend thresholds of a Tiered effect; order does not matter.
	Tiers []Tier `json:"tiers,omitempty"`
	// FeeModes selects the fees a FeeDiscount applies to; empty means every fee.
	FeeModes []channel.FulfilmentMode `json:"fee_modes,omitempty"`
}

// Component is one part of a bundle: Quantity units selected by Target.
type Component struct {
	Target   Target `json:"target"`
	Quantity int64  `json:"quantity"`
}

// Tier is one step of a Tiered effect: from Threshold of spend, either
// Amount off or Percent off (exactly one of them).
type Tier struct {
	Threshold pricing.Money `json:"threshold"`
	Amount    pricing.Money `json:"amount"`
	Percent   pricing.Rate  `json:"percent"`
}

// MaxBestOfGroup bounds the number of promotions in one best-of group, so
// that choosing the best member is a bounded search.
const MaxBestOfGroup = 32

// NormalizeCoupon returns the canonical form of a coupon code: surrounding
// white space removed and upper-cased, so " summer10" and "SUMMER10" are the
// same code. Coupon states report codes in this form.
func NormalizeCoupon(code string) string {
	return strings.ToUpper(strings.TrimSpace(code))
}

// Lane is a stage of the promotion pipeline. Lanes run in order:
// catalogue (per line) → basket → fulfilment.
type Lane uint8

// The lanes. The zero value is invalid so that a forgotten field is caught
// by [Compile].
const (
	Catalogue  Lane = iota + 1 // per-line promotions on the list price
	Basket                     // basket promotions, after catalogue ones
	Fulfilment                 // fee promotions, after basket ones
)

// String returns the lower-case name used in JSON.
func (l Lane) String() string {
	switch l {
	case Catalogue:
		return "catalogue"
	case Basket:
		return "basket"
	case Fulfilment:
		return "fulfilment"
	}
	return fmt.Sprintf("lane(%d)", uint8(l))
}

// Valid reports whether l is a declared lane.
func (l Lane) Valid() bool { return l >= Catalogue && l <= Fulfilment }

// MarshalText encodes the lane by name.
func (l Lane) MarshalText() ([]byte, error) { return marshalEnum(l, l.Valid(), "lane") }

// UnmarshalText decodes a lane by name.
func (l *Lane) UnmarshalText(b []byte) error {
	return unmarshalEnum(l, b, Catalogue, Fulfilment, "lane")
}

// EffectKind selects the effect of a promotion; see [Effect].
type EffectKind uint8

// The effect kinds. The zero value is invalid.
const (
	PercentOff       EffectKind = iota + 1 // percent off each target line
	AmountOff                              // amount off each target unit
	FixedPrice                             // fixed unit price for target units
	BasketPercentOff                       // percent off the subtotal of target lines, allocated
	BasketAmountOff                        // amount off the subtotal of target lines, allocated
	BuyXGetY                               // buy X get Y free or discounted
	BundlePrice                            // a set of components together for a price
	Tiered                                 // spend thresholds giving increasing discounts
	FeeDiscount                            // free or discounted fulfilment fee
)

// String returns the lower-case name used in JSON and CSV.
func (k EffectKind) String() string {
	switch k {
	case PercentOff:
		return "percent-off"
	case AmountOff:
		return "amount-off"
	case FixedPrice:
		return "fixed-price"
	case BasketPercentOff:
		return "basket-percent-off"
	case BasketAmountOff:
		return "basket-amount-off"
	case BuyXGetY:
		return "buy-x-get-y"
	case BundlePrice:
		return "bundle-price"
	case Tiered:
		return "tiered"
	case FeeDiscount:
		return "fee-discount"
	}
	return fmt.Sprintf("effect(%d)", uint8(k))
}

// Valid reports whether k is a declared kind.
func (k EffectKind) Valid() bool { return k >= PercentOff && k <= FeeDiscount }

// MarshalText encodes the kind by name.
func (k EffectKind) MarshalText() ([]byte, error) { return marshalEnum(k, k.Valid(), "effect kind") }

// UnmarshalText decodes a kind by name.
func (k *EffectKind) UnmarshalText(b []byte) error {
	return unmarshalEnum(k, b, PercentOff, FeeDiscount, "effect kind")
}

// Pick chooses which qualifying units a BuyXGetY effect discounts.
type Pick uint8

// The picks. The zero value, Cheapest, is the usual retail rule.
const (
	Cheapest      Pick = iota // the cheapest qualifying units are discounted
	MostExpensive             // the most expensive qualifying units are discounted
)

// String returns the lower-case name used in JSON.
func (p Pick) String() string {
	switch p {
	case Cheapest:
		return "cheapest"
	case MostExpensive:
		return "most-expensive"
	}
	return fmt.Sprintf("pick(%d)", uint8(p))
}

// Valid reports whether p is a declared pick.
func (p Pick) Valid() bool { return p <= MostExpensive }

// MarshalText encodes the pick by name.
func (p Pick) MarshalText() ([]byte, error) { return marshalEnum(p, p.Valid(), "pick") }

// UnmarshalText decodes a pick by name.
func (p *Pick) UnmarshalText(b []byte) error {
	return unmarshalEnum(p, b, Cheapest, MostExpensive, "pick")
}

type enum interface {
	~uint8
	String() string
}

func marshalEnum[T enum](v T, valid bool, what string) ([]byte, error) {
	if !valid {
		return nil, fmt.Errorf("%w: unknown %s %d", ErrInvalid, what, uint8(v))
	}
	return []byte(v.String()), nil
}

func unmarshalEnum[T enum](dst *T, b []byte, lo, hi T, what string) error {
	for v := lo; v <= hi; v++ {
		if v.String() == string(b) {
			*dst = v
			return nil
		}
	}
	return fmt.Errorf("%w: unknown %s %q", ErrInvalid, what, b)
}

// containsSorted reports whether x is in xs, sorted. A promotion's target
// or scope lists a few SKUs, categories or groups at most, as a rule, and
// over a few a scan for equality (a length check first) beats a binary
// search, whose every step is a three-way comparison.
func containsSorted(xs []string, x string) bool {
	if len(xs) <= 8 {
		for _, v := range xs {
			if v == x {
				return true
			}
		}
		return false
	}
	_, ok := slices.BinarySearch(xs, x)
	return ok
}

// clonePromotion returns a deep copy of p.
func clonePromotion(p Promotion) Promotion {
	p.Channels = slices.Clone(p.Channels)
	p.Kinds = slices.Clone(p.Kinds)
	p.Locations = slices.Clone(p.Locations)
	p.CustomerGroups = slices.Clone(p.CustomerGroups)
	p.LoyaltyTiers = slices.Clone(p.LoyaltyTiers)
	p.QuantityTarget = cloneTarget(p.QuantityTarget)
	p.Effect.Target = cloneTarget(p.Effect.Target)
	p.Effect.Components = slices.Clone(p.Effect.Components)
	for i := range p.Effect.Components {
		p.Effect.Components[i].Target = cloneTarget(p.Effect.Components[i].Target)
	}
	p.Effect.Tiers = slices.Clone(p.Effect.Tiers)
	p.Effect.FeeModes = slices.Clone(p.Effect.FeeModes)
	return p
}

func cloneTarget(t Target) Target {
	t.SKUs = slices.Clone(t.SKUs)
	t.Categories = slices.Clone(t.Categories)
	return t
}
