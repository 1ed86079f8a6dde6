package loyalty

import (
	"cmp"
	"fmt"
	"math/big"
	"slices"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// Line is a priced basket line as the earn rules see it.
type Line struct {
	// ID identifies the line; unique among the lines given.
	ID string
	// SKU and Categories are what targets and exclusions select lines by.
	SKU        string
	Categories []string
	// Quantity is the number of units, at least 1.
	Quantity int64
	// Amount is what the shopper pays for the line: its total after every
	// promotion (and after points burnt as a discount), tax included, in
	// the context's currency, never negative. That is the amount on the
	// receipt, the common retail base; points burnt as a tender do not
	// lower it (a payment is not a price).
	Amount pricing.Money
}

// Status is the outcome of an examined rule.
type Status uint8

// The statuses.
const (
	Earned        Status = iota + 1 // the rule counted (its Points may still be 0 on a tiny amount)
	NotApplicable                   // out of scope here and now (see Reason)
)

// String returns the lower-case name used in JSON.
func (s Status) String() string {
	switch s {
	case Earned:
		return "earned"
	case NotApplicable:
		return "not-applicable"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// MarshalText encodes the status by name.
func (s Status) MarshalText() ([]byte, error) {
	return marshalEnum(s, s >= Earned && s <= NotApplicable, "status")
}

// UnmarshalText decodes a status by name.
func (s *Status) UnmarshalText(b []byte) error {
	return unmarshalEnum(s, b, Earned, NotApplicable, "status")
}

// Reason is why a rule did not earn.
type Reason uint8

// The reasons, in the order the checks are made.
const (
	ReasonNone         Reason = iota // earned
	ReasonWrongChannel               // channel ID or kind outside the rule's scope
	ReasonNotStarted                 // as-of time before StartsAt
	ReasonExpired                    // as-of time at or after EndsAt
	ReasonCurrency                   // a base rule of another currency than the context's
)

// String returns the lower-case name used in JSON.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return "none"
	case ReasonWrongChannel:
		return "wrong-channel"
	case ReasonNotStarted:
		return "not-started"
	case ReasonExpired:
		return "expired"
	case ReasonCurrency:
		return "currency"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// MarshalText encodes the reason by name.
func (r Reason) MarshalText() ([]byte, error) {
	return marshalEnum(r, r <= ReasonCurrency, "reason")
}

// UnmarshalText decodes a reason by name.
func (r *Reason) UnmarshalText(b []byte) error {
	return unmarshalEnum(r, b, ReasonNone, ReasonCurrency, "reason")
}

// Earning is the outcome of [Scheme.Earn]: the points a basket earns, and
// one explanation per rule that concerns it.
type Earning struct {
	// Points is the total earned: the exact sum of every rule's points
	// times the tier multiplier, rounded down once (see [Scheme.Earn]).
	Points int64 `json:"points"`
	// Tier is the account's tier as given; Multiplier the one applied (1
	// when the tier is empty or not in the programme).
	Tier       string       `json:"tier,omitempty"`
	Multiplier pricing.Rate `json:"multiplier"`
	// Amount is the earn base: Σ amounts of the lines not excluded.
	Amount pricing.Money `json:"amount"`
	// Explanations has one entry per rule that targets at least one line
	// not excluded, ordered by kind (base, per unit, multiplier) then rule
	// ID. The Points of the entries sum exactly to the total.
	Explanations []Explanation `json:"explanations"`
}

// Explanation is what one rule did: the data a message catalogue renders
// ("double points on cheese: 63 points on 21.00 EUR").
type Explanation struct {
	RuleID string `json:"rule_id"`
	// Name is the rule's display name (its ID when it has none).
	Name   string   `json:"name"`
	Kind   RuleKind `json:"kind"`
	Status Status   `json:"status"`
	Reason Reason   `json:"reason"`
	// Points is this rule's part of the total, tier multiplier included:
	// its exact points, rounded down, plus one of the units the basket
	// rounding left over when its fraction is among the largest (ties to
	// the earlier explanation). Zero unless Earned.
	Points int64 `json:"points"`
	// Amount and Quantity are the sums over the lines the rule targets
	// (LineIDs, sorted), whatever its status.
	Amount   pricing.Money `json:"amount"`
	Quantity int64         `json:"quantity"`
	LineIDs  []string      `json:"line_ids"`
	// Factor is a multiplier rule's factor, zero for the other kinds.
	Factor pricing.Rate `json:"factor,omitzero"`
}

// Earn returns the points the lines earn for an account of the given tier
// in ctx (its currency, channel and as-of time). It is pure and
// deterministic: the result does not depend on the order of the lines, of
// their categories or of the rules given to [Compile].
//
// Every line's base points are Σ over the base rules that apply of
// Amount × Points / Per, as exact rationals; a per-unit rule adds Points ×
// Quantity; a multiplier rule adds (Factor − 1) × the line's base points.
// Rules stack by addition. The sum is multiplied by the tier multiplier
// and rounded down ONCE, per basket: 84.30 EUR at 1 point per euro earns
// 84, and two baskets of 0.50 EUR earn 0 each where one of 1.00 EUR earns
// 1, so Earn(a ∪ b) is Earn(a) + Earn(b) or one more. Lines matched by the
// programme's exclusions earn nothing. A rule out of scope (channel, kind,
// window, or a base rule in another currency) is listed NotApplicable.
//
// Errors match [ErrInvalid] ([*InputError]): an invalid ctx (also
// channel.ErrInvalid), an empty or duplicate line ID, a quantity below 1,
// a negative amount, an amount in another currency than ctx's (also
// pricing.ErrCurrencyMismatch), a total beyond int64 (also
// pricing.ErrOverflow).
func (s *Scheme) Earn(lines []Line, tier string, ctx channel.Context) (Earning, error) {
	if s == nil {
		s = &Scheme{}
	}
	if err := ctx.Validate(); err != nil {
		return Earning{}, &InputError{Field: "ctx", Reason: "invalid context", Err: err}
	}
	cur, err := pricing.LookupCurrency(ctx.Currency)
	if err != nil {
		return Earning{}, &InputError{Field: "ctx.Currency", Reason: "unknown currency", Err: err}
	}
	ls, err := checkLines(lines, cur)
	if err != nil {
		return Earning{}, err
	}
	out := Earning{Tier: tier, Multiplier: pricing.MustRate("1"), Amount: pricing.Zero(cur), Explanations: []Explanation{}}
	mult := big.NewRat(1, 1)
	if m, ok := s.tiers[tier]; ok {
		mult = m
		i, _ := slices.BinarySearchFunc(s.tierIn, tier, func(t Tier, id string) int { return cmp.Compare(t.ID, id) })
		out.Multiplier = s.tierIn[i].Multiplier
	}
	earning := ls[:0:0]
	for _, l := range ls {
		if !matches(s.exclude, l, false) {
			earning = append(earning, l)
			if out.Amount, err = out.Amount.Add(l.Amount); err != nil {
				return Earning{}, &InputError{Field: "lines", Reason: "the amounts overflow", Err: err}
			}
		}
	}
	base := make([]big.Rat, len(earning)) // base points of each earning line
	var exact []*big.Rat                  // exact points of each Earned explanation, tier included
	var earned []int                      // their indices in out.Explanations
	for ri := range s.rules {
		r := &s.rules[ri]
		x := Explanation{RuleID: r.ID, Name: r.Name, Kind: r.Kind, Status: Earned, Amount: pricing.Zero(cur), Factor: r.Factor}
		if x.Name == "" {
			x.Name = r.ID
		}
		var hit []int
		for i := range earning {
			if matches(r.Target, earning[i], true) {
				hit = append(hit, i)
				x.LineIDs = append(x.LineIDs, earning[i].ID)
				if x.Amount, err = x.Amount.Add(earning[i].Amount); err != nil {
					return Earning{}, &InputError{Field: "lines", Reason: "the amounts overflow", Err: err}
				}
				if x.Quantity += earning[i].Quantity; x.Quantity < 0 {
					return Earning{}, &InputError{Field: "lines", Reason: "the quantities overflow", Err: pricing.ErrOverflow}
				}
			}
		}
		if len(hit) == 0 {
			continue
		}
		if x.Reason = r.reason(&ctx, cur); x.Reason != ReasonNone {
			x.Status = NotApplicable
			out.Explanations = append(out.Explanations, x)
			continue
		}
		sum := new(big.Rat)
		var p big.Rat
		for _, i := range hit {
			switch r.Kind {
			case Base:
				p.Mul(r.perPoint, p.SetInt64(earning[i].Amount.MinorUnits()))
				base[i].Add(&base[i], &p)
			case PerUnit:
				p.Mul(r.perPoint, p.SetInt64(earning[i].Quantity))
			case Multiplier:
				p.Mul(r.perPoint, &base[i])
			}
			sum.Add(sum, &p)
		}
		exact = append(exact, sum.Mul(sum, mult))
		earned = append(earned, len(out.Explanations))
		out.Explanations = append(out.Explanations, x)
	}
	parts, total, err := allocatePoints(exact)
	if err != nil {
		return Earning{}, err
	}
	out.Points = total
	for k, i := range earned {
		out.Explanations[i].Points = parts[k]
	}
	return out, nil
}

// allocatePoints rounds Σ exact down once and splits that whole over the
// parts: each gets its floor, and the units left over (fewer than the
// parts) go one each to the largest fractions, ties to the earlier part
// (the lower rule ID within a kind: the parts are in rule order).
func allocatePoints(exact []*big.Rat) ([]int64, int64, error) {
	sum := new(big.Rat)
	for _, x := range exact {
		sum.Add(sum, x)
	}
	total, ok := floorInt64(sum)
	if !ok {
		return nil, 0, &InputError{Field: "lines", Reason: "the points overflow", Err: pricing.ErrOverflow}
	}
	parts := make([]int64, len(exact))
	fracs := make([]big.Rat, len(exact))
	left := total
	for i, x := range exact {
		parts[i], _ = floorInt64(x) // ≤ total, so in range
		fracs[i].Sub(x, new(big.Rat).SetInt64(parts[i]))
		left -= parts[i]
	}
	order := make([]int, len(exact))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return fracs[b].Cmp(&fracs[a]) })
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, total, nil
}

// floorInt64 returns ⌊x⌋ for x ≥ 0, false beyond int64.
func floorInt64(x *big.Rat) (int64, bool) {
	q := new(big.Int).Quo(x.Num(), x.Denom()) // truncation = floor for x ≥ 0
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}

// reason returns why r does not earn in ctx, or ReasonNone.
func (r *compiledRule) reason(ctx *channel.Context, cur pricing.Currency) Reason {
	switch {
	case len(r.Channels) > 0 && !containsSorted(r.Channels, ctx.ChannelID),
		len(r.Kinds) > 0 && !containsSorted(r.Kinds, ctx.Kind):
		return ReasonWrongChannel
	case !r.StartsAt.IsZero() && ctx.AsOf.Before(r.StartsAt):
		return ReasonNotStarted
	case !r.EndsAt.IsZero() && !ctx.AsOf.Before(r.EndsAt):
		return ReasonExpired
	case r.Kind == Base && r.Per.Currency() != cur:
		return ReasonCurrency
	}
	return ReasonNone
}

// matches reports whether t selects l; an empty target selects every line
// when empty is true, none otherwise.
func matches(t Target, l Line, empty bool) bool {
	if t.IsZero() {
		return empty
	}
	if containsSorted(t.SKUs, l.SKU) {
		return true
	}
	for _, c := range l.Categories {
		if containsSorted(t.Categories, c) {
			return true
		}
	}
	return false
}

func containsSorted[T cmp.Ordered](xs []T, x T) bool {
	_, ok := slices.BinarySearch(xs, x)
	return ok
}

// checkLines validates the lines and returns a copy sorted by ID.
func checkLines(lines []Line, cur pricing.Currency) ([]Line, error) {
	ls := slices.Clone(lines)
	slices.SortStableFunc(ls, func(a, b Line) int { return cmp.Compare(a.ID, b.ID) })
	for i, l := range ls {
		field := func(f string) string { return fmt.Sprintf("lines[%s].%s", l.ID, f) }
		switch {
		case l.ID == "":
			return nil, invalid("lines.ID", "must not be empty")
		case i > 0 && ls[i-1].ID == l.ID:
			return nil, invalid(field("ID"), "duplicate line ID")
		case l.Quantity < 1:
			return nil, invalid(field("Quantity"), "must be at least 1, got %d", l.Quantity)
		case l.Amount.Currency() != cur:
			return nil, &InputError{Field: field("Amount"), Reason: fmt.Sprintf("%s is not in %s", l.Amount, cur), Err: pricing.ErrCurrencyMismatch}
		case l.Amount.IsNegative():
			return nil, invalid(field("Amount"), "%s is negative", l.Amount)
		}
	}
	return ls, nil
}
