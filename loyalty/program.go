package loyalty

import (
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// Program is a loyalty programme as plain data: earn rules, tier
// multipliers, the lines that never earn, and the burn policy. It is meant
// to be loaded from configuration ([DecodeProgram] reads JSON); [Compile]
// validates and copies it, so the caller may reuse or change the value
// afterwards.
type Program struct {
	// Rules are the earn rules; their order does not matter.
	Rules []Rule `json:"rules"`
	// Tiers multiply everything an account of that tier earns. A tier not
	// listed (or none) earns at ×1.
	Tiers []Tier `json:"tiers,omitempty"`
	// Exclude selects lines that earn nothing under any rule (gift cards,
	// tobacco, deposits).
	Exclude Target `json:"exclude,omitzero"`
	// Burn says how points pay; its zero value offers no burning.
	Burn BurnPolicy `json:"burn,omitzero"`
}

// RuleKind is what an earn rule counts.
type RuleKind uint8

// The rule kinds. The zero value is invalid so that a forgotten field is
// refused by [Compile] instead of silently meaning "base".
const (
	// Base earns Points for every Per of a line's amount (1 point per
	// 1.00 EUR), exactly: 84.30 EUR earns 84.3 before the one rounding.
	Base RuleKind = iota + 1
	// PerUnit earns Points extra for every unit of the lines it targets.
	PerUnit
	// Multiplier earns (Factor − 1) × the base points of the lines it
	// targets on top of them: Factor 2 is "double points".
	Multiplier
)

// String returns the lower-case name used in JSON.
func (k RuleKind) String() string {
	switch k {
	case Base:
		return "base"
	case PerUnit:
		return "per-unit"
	case Multiplier:
		return "multiplier"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a declared kind.
func (k RuleKind) Valid() bool { return k >= Base && k <= Multiplier }

// MarshalText encodes the kind by name.
func (k RuleKind) MarshalText() ([]byte, error) { return marshalEnum(k, k.Valid(), "rule kind") }

// UnmarshalText decodes a kind by name.
func (k *RuleKind) UnmarshalText(b []byte) error {
	return unmarshalEnum(k, b, Base, Multiplier, "rule kind")
}

// Rule is one earn rule. Empty scope lists mean "no restriction"; a zero
// time means "unbounded".
type Rule struct {
	// ID identifies the rule; unique within a program. It orders the
	// explanations and breaks the ties of the rounding.
	ID string `json:"id"`
	// Name is what a receipt or an associate says ("double points on
	// cheese"); defaults to ID.
	Name string   `json:"name,omitempty"`
	Kind RuleKind `json:"kind"`
	// Points is what the rule earns: per Per of amount for Base, per unit
	// for PerUnit; > 0 for both, 0 for Multiplier.
	Points int64 `json:"points,omitempty"`
	// Per is the amount that earns Points under a Base rule (1.00 EUR),
	// > 0; its currency is the rule's: in a context of another currency
	// the rule does not apply (never converted). Zero Money for the other
	// kinds.
	Per pricing.Money `json:"per"`
	// Factor is the multiplier of a Multiplier rule, > 1 (2 = double
	// points); zero for the other kinds.
	Factor pricing.Rate `json:"factor,omitzero"`
	// Target selects the lines the rule counts; empty means every line.
	Target Target `json:"target,omitzero"`
	// Channels lists the channel IDs (channel.Context.ChannelID) the rule
	// earns in; empty means every channel.
	Channels []string `json:"channels,omitempty"`
	// Kinds restricts the rule to channel kinds; empty means every kind.
	Kinds []channel.Kind `json:"kinds,omitempty"`
	// StartsAt is the first instant the rule earns (inclusive), judged
	// against channel.Context.AsOf; zero means no start.
	StartsAt time.Time `json:"starts_at,omitzero"`
	// EndsAt is the first instant the rule no longer earns (exclusive);
	// zero means no end.
	EndsAt time.Time `json:"ends_at,omitzero"`
}

// Target selects lines by SKU or by category: a line is selected when its
// SKU is listed or one of its categories is. The zero Target is empty.
type Target struct {
	SKUs       []string `json:"skus,omitempty"`
	Categories []string `json:"categories,omitempty"`
}

// IsZero reports whether the target names nothing.
func (t Target) IsZero() bool { return len(t.SKUs) == 0 && len(t.Categories) == 0 }

// Tier is a loyalty tier and the multiplier of everything its accounts earn.
type Tier struct {
	// ID is the tier as the loyalty source reports it ("2", "gold"),
	// compared exactly.
	ID string `json:"id"`
	// Multiplier is > 0, exact (1.5, never a float).
	Multiplier pricing.Rate `json:"multiplier"`
}

// BurnMode says what burnt points are to the basket.
type BurnMode uint8

// The burn modes. The zero value offers no burning.
const (
	// Tender: points are a payment after tax, like a gift card. Tax and
	// line totals are unchanged; the value goes against the amount due.
	Tender BurnMode = iota + 1
	// Discount: points are a basket reduction before tax, like a
	// promotion: the value is allocated over the lines, which lowers their
	// totals and so their tax.
	Discount
)

// String returns the lower-case name used in JSON.
func (m BurnMode) String() string {
	switch m {
	case Tender:
		return "tender"
	case Discount:
		return "discount"
	}
	return fmt.Sprintf("burn-mode(%d)", uint8(m))
}

// Valid reports whether m is a declared mode.
func (m BurnMode) Valid() bool { return m == Tender || m == Discount }

// MarshalText encodes the mode by name.
func (m BurnMode) MarshalText() ([]byte, error) { return marshalEnum(m, m.Valid(), "burn mode") }

// UnmarshalText decodes a mode by name.
func (m *BurnMode) UnmarshalText(b []byte) error {
	return unmarshalEnum(m, b, Tender, Discount, "burn mode")
}

// BurnPolicy is how points pay. Its zero value offers no burning.
type BurnPolicy struct {
	// Mode is tender or discount; zero offers no burning at all.
	Mode BurnMode `json:"mode,omitempty"`
	// Rates convert points to money, at most one per currency
	// (100 points = 1.00 EUR). A currency without a rate cannot be paid
	// with points ([ErrNotBurnable]).
	Rates []Conversion `json:"rates,omitempty"`
	// MinPoints is the least a burn may use; asking for fewer burns none.
	MinPoints int64 `json:"min_points,omitempty"`
	// MaxShare caps the value burnt at this share of the amount due
	// (0.5 = half), rounded down to the minor unit; zero means no cap
	// beyond the amount due itself. At most 1.
	MaxShare pricing.Rate `json:"max_share,omitzero"`
	// Step makes points burn in whole multiples of it (burn by 100s); 0
	// or 1 means any number.
	Step int64 `json:"step,omitempty"`
}

// IsZero reports whether the policy is the zero value (no burning).
func (p BurnPolicy) IsZero() bool {
	return p.Mode == 0 && len(p.Rates) == 0 && p.MinPoints == 0 && p.MaxShare.IsZero() && p.Step == 0
}

// Conversion is what a number of points is worth in one currency.
type Conversion struct {
	// Points, > 0, are worth Value, > 0.
	Points int64         `json:"points"`
	Value  pricing.Money `json:"value"`
}

type enum interface {
	~uint8
	String() string
}

func marshalEnum[E enum](e E, ok bool, what string) ([]byte, error) {
	if !ok {
		return nil, invalid(what, "unknown %s %d", what, uint8(e))
	}
	return []byte(e.String()), nil
}

func unmarshalEnum[E enum](e *E, b []byte, lo, hi E, what string) error {
	for v := lo; v <= hi; v++ {
		if v.String() == string(b) {
			*e = v
			return nil
		}
	}
	return invalid(what, "unknown %s %.32q", what, b)
}
