package loyalty

import (
	"fmt"
	"math/big"

	"github.com/omnibasket/omnibasket/pricing"
)

// BurnRequest is what [Scheme.Burn] decides on.
type BurnRequest struct {
	// Balance is the account's available points (Balance.Available), ≥ 0.
	Balance int64
	// Requested is how many points the shopper asks to burn, ≥ 0.
	Requested int64
	// Due is what the points may pay, ≥ 0; its currency selects the
	// conversion. For a Discount it is the goods total after promotions
	// (before the points); for a Tender, the amount still due after tax
	// and the other tenders.
	Due pricing.Money
}

// Limit is what kept a burn below the points requested.
type Limit uint8

// The limits, in the order they are reported when several hold.
const (
	LimitNone     Limit = iota // every point requested is burnt
	LimitMinimum               // fewer than the policy's minimum could be burnt: none are
	LimitBalance               // the account's balance
	LimitDue                   // the amount due
	LimitMaxShare              // the policy's maximum share of the amount due
	LimitStep                  // points burn in whole steps (or in points worth whole minor units)
)

// String returns the lower-case name used in JSON.
func (l Limit) String() string {
	switch l {
	case LimitNone:
		return "none"
	case LimitMinimum:
		return "minimum"
	case LimitBalance:
		return "balance"
	case LimitDue:
		return "due"
	case LimitMaxShare:
		return "max-share"
	case LimitStep:
		return "step"
	}
	return fmt.Sprintf("limit(%d)", uint8(l))
}

// MarshalText encodes the limit by name.
func (l Limit) MarshalText() ([]byte, error) { return marshalEnum(l, l <= LimitStep, "limit") }

// UnmarshalText decodes a limit by name.
func (l *Limit) UnmarshalText(b []byte) error {
	return unmarshalEnum(l, b, LimitNone, LimitStep, "limit")
}

// Burn is the outcome of [Scheme.Burn]: how many points pay, and for how
// much.
type Burn struct {
	// Mode says what the value is to the basket. A Discount is allocated
	// over the lines before tax, like a basket promotion (the caller
	// spreads Value with pricing.Allocate by line totals and recomputes
	// tax); a Tender is a payment of Value against the amount due, after
	// tax, which changes neither lines nor tax.
	Mode BurnMode `json:"mode"`
	// Points are the points burnt: 0 ≤ Points ≤ min(Requested, Balance),
	// a multiple of the step, and 0 or at least the minimum.
	Points int64 `json:"points"`
	// Value is Points converted exactly: 0 ≤ Value ≤ Due, and at most the
	// maximum share of Due.
	Value pricing.Money `json:"value"`
	// Rate is the conversion applied.
	Rate Conversion `json:"rate"`
	// Limit is what kept Points below the request, LimitNone if nothing did.
	Limit Limit `json:"limit"`
}

// Burn decides how many of the requested points pay the amount due, and
// their value. It is pure and exact: the points are the most that satisfy
// every constraint (the request, the balance, the amount due, the maximum
// share, whole steps, and a value of whole minor units), and none when that
// is below the minimum; the value is Points × Rate.Value / Rate.Points with
// no rounding, because points only burn in quantities worth whole minor
// units (with 3 points = 0.01 EUR, in 3s). The maximum share is rounded
// down to the minor unit.
//
// Errors: a negative balance, request or amount due, or a zero Money,
// match [ErrInvalid]; a scheme without burning, or without a conversion
// for the currency of Due, match [ErrNotBurnable].
func (s *Scheme) Burn(req BurnRequest) (Burn, error) {
	if s == nil {
		s = &Scheme{}
	}
	cur := req.Due.Currency()
	switch {
	case req.Balance < 0:
		return Burn{}, invalid("Balance", "must not be negative, got %d", req.Balance)
	case req.Requested < 0:
		return Burn{}, invalid("Requested", "must not be negative, got %d", req.Requested)
	case cur.IsZero():
		return Burn{}, invalid("Due", "has no currency")
	case req.Due.IsNegative():
		return Burn{}, invalid("Due", "%s is negative", req.Due)
	}
	if !s.burn.Mode.Valid() {
		return Burn{}, fmt.Errorf("%w: the programme offers no burning", ErrNotBurnable)
	}
	rate, ok := s.rates[cur]
	if !ok {
		return Burn{}, fmt.Errorf("%w: no conversion for %s", ErrNotBurnable, cur)
	}
	out := Burn{Mode: s.burn.Mode, Rate: rate.Conversion, Value: pricing.Zero(cur)}
	if req.Requested == 0 {
		return out, nil
	}
	capValue, limit := req.Due, LimitDue
	if !s.burn.MaxShare.IsZero() {
		share, err := req.Due.MulRate(s.burn.MaxShare, pricing.Floor)
		if err != nil {
			return Burn{}, &InputError{Field: "Due", Reason: "the maximum share overflows", Err: err}
		}
		if share != req.Due {
			capValue, limit = share, LimitMaxShare
		}
	}
	// The most points whose value fits: ⌊cap × points / value⌋.
	byValue := new(big.Int).Mul(big.NewInt(capValue.MinorUnits()), big.NewInt(rate.Points))
	byValue.Quo(byValue, big.NewInt(rate.Value.MinorUnits()))
	n := req.Requested
	if req.Balance < n {
		n, limit = req.Balance, LimitBalance
	} else {
		limit = LimitNone
	}
	if byValue.IsInt64() && byValue.Int64() < n {
		n = byValue.Int64()
		if capValue == req.Due {
			limit = LimitDue
		} else {
			limit = LimitMaxShare
		}
	}
	if r := n % rate.grain; r != 0 {
		n -= r
		if limit == LimitNone {
			limit = LimitStep
		}
	}
	switch {
	case n == 0:
		out.Limit = limit
		return out, nil
	case n < s.burn.MinPoints:
		out.Limit = LimitMinimum
		return out, nil
	}
	// n is a multiple of grain, itself of points / gcd(points, value):
	// the value is exact.
	v := new(big.Int).Mul(big.NewInt(n), big.NewInt(rate.Value.MinorUnits()))
	v.Quo(v, big.NewInt(rate.Points))
	value, err := pricing.FromMinor(v.Int64(), cur) // ≤ capValue, so in range
	if err != nil {
		return Burn{}, err
	}
	out.Points, out.Value, out.Limit = n, value, limit
	return out, nil
}
