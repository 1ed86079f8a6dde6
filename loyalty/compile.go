package loyalty

import (
	"cmp"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/omnibasket/omnibasket/pricing"
)

// Scheme is a compiled, immutable loyalty programme: validated rules in a
// fixed order, tier multipliers and burn conversions as exact rationals. It
// is safe for concurrent use by any number of goroutines. A nil *Scheme is
// an empty programme: it earns nothing and burns nothing ([ErrNotBurnable]).
type Scheme struct {
	rules   []compiledRule // by kind, then ID
	tiers   map[string]*big.Rat
	tierIDs []string // sorted, for Program
	tierIn  []Tier
	exclude Target
	burn    BurnPolicy
	rates   map[pricing.Currency]compiledRate
}

type compiledRule struct {
	Rule
	perPoint *big.Rat // Base: Points / Per in minor units; PerUnit: Points; Multiplier: Factor − 1
}

type compiledRate struct {
	Conversion
	// grain is the least number of points that burns: a multiple of the
	// step worth a whole number of minor units.
	grain int64
}

// Compile validates every rule, tier and the burn policy once, and returns
// an immutable [Scheme]. The program is copied: changing it afterwards does
// not change the Scheme.
//
// An invalid program returns a nil Scheme and an error joining one
// [*ValidationError] per problem (rules in ID order first), each matching
// [ErrInvalid]; use errors.As to read the first one.
func Compile(p Program) (*Scheme, error) {
	rules := make([]compiledRule, len(p.Rules))
	for i := range p.Rules {
		rules[i].Rule = normalizeRule(p.Rules[i])
	}
	slices.SortStableFunc(rules, func(a, b compiledRule) int { return cmp.Compare(a.ID, b.ID) })
	var errs []error
	for i := range rules {
		if i > 0 && rules[i].ID == rules[i-1].ID {
			errs = append(errs, &ValidationError{RuleID: rules[i].ID, Field: "ID", Reason: "duplicate rule ID"})
			continue
		}
		errs = validateRule(&rules[i], errs)
	}
	s := &Scheme{
		tiers:   make(map[string]*big.Rat, len(p.Tiers)),
		exclude: normalizeTarget(p.Exclude),
		rates:   make(map[pricing.Currency]compiledRate, len(p.Burn.Rates)),
	}
	errs = s.compileTiers(p.Tiers, errs)
	errs = validateTarget("", "Exclude", s.exclude, errs)
	errs = s.compileBurn(p.Burn, errs)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(rules, func(a, b compiledRule) int {
		if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	s.rules = rules
	return s, nil
}

func normalizeRule(r Rule) Rule {
	r.Target = normalizeTarget(r.Target)
	r.Channels = sortedSet(r.Channels)
	r.Kinds = sortedSet(r.Kinds)
	return r
}

func normalizeTarget(t Target) Target {
	return Target{SKUs: sortedSet(t.SKUs), Categories: sortedSet(t.Categories)}
}

// sortedSet returns a sorted copy without duplicates; nil for an empty list.
func sortedSet[T cmp.Ordered](xs []T) []T {
	if len(xs) == 0 {
		return nil
	}
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func validateRule(c *compiledRule, errs []error) []error {
	r := &c.Rule
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{RuleID: r.ID, Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	if r.ID == "" {
		bad("ID", "must not be empty")
	}
	switch r.Kind {
	case Base:
		okPoints, okPer := r.Points > 0, !r.Per.Currency().IsZero() && r.Per.IsPositive()
		if !okPoints {
			bad("Points", "must be positive, got %d", r.Points)
		}
		if !okPer {
			bad("Per", "must be a positive amount, got %s", r.Per)
		}
		if okPoints && okPer {
			c.perPoint = new(big.Rat).SetFrac(big.NewInt(r.Points), big.NewInt(r.Per.MinorUnits()))
		}
		if !r.Factor.IsZero() {
			bad("Factor", "only a multiplier rule has a factor")
		}
	case PerUnit:
		if r.Points <= 0 {
			bad("Points", "must be positive, got %d", r.Points)
		} else {
			c.perPoint = new(big.Rat).SetInt64(r.Points)
		}
		if !r.Per.Currency().IsZero() {
			bad("Per", "only a base rule has an amount")
		}
		if !r.Factor.IsZero() {
			bad("Factor", "only a multiplier rule has a factor")
		}
	case Multiplier:
		f := rat(r.Factor)
		if f.Cmp(big.NewRat(1, 1)) <= 0 {
			bad("Factor", "must be above 1, got %s", r.Factor)
		} else {
			c.perPoint = f.Sub(f, big.NewRat(1, 1))
		}
		if r.Points != 0 {
			bad("Points", "a multiplier rule earns through its factor, not points")
		}
		if !r.Per.Currency().IsZero() {
			bad("Per", "only a base rule has an amount")
		}
	default:
		bad("Kind", "unknown rule kind %d", uint8(r.Kind))
	}
	errs = validateTarget(r.ID, "Target", r.Target, errs)
	for i, ch := range r.Channels {
		if ch == "" {
			bad(fmt.Sprintf("Channels[%d]", i), "must not be empty")
		}
	}
	for i, k := range r.Kinds {
		if !k.Valid() {
			bad(fmt.Sprintf("Kinds[%d]", i), "unknown channel kind %d", uint8(k))
		}
	}
	if !r.StartsAt.IsZero() && !r.EndsAt.IsZero() && !r.EndsAt.After(r.StartsAt) {
		bad("EndsAt", "must be after StartsAt")
	}
	return errs
}

func validateTarget(ruleID, field string, t Target, errs []error) []error {
	for _, sku := range t.SKUs {
		if sku == "" {
			errs = append(errs, &ValidationError{RuleID: ruleID, Field: field + ".SKUs", Reason: "must not contain an empty SKU"})
			break
		}
	}
	for _, c := range t.Categories {
		if c == "" {
			errs = append(errs, &ValidationError{RuleID: ruleID, Field: field + ".Categories", Reason: "must not contain an empty category"})
			break
		}
	}
	return errs
}

func (s *Scheme) compileTiers(tiers []Tier, errs []error) []error {
	for i, t := range tiers {
		field := fmt.Sprintf("Tiers[%d]", i)
		switch {
		case t.ID == "":
			errs = append(errs, &ValidationError{Field: field + ".ID", Reason: "must not be empty"})
		case s.tiers[t.ID] != nil:
			errs = append(errs, &ValidationError{Field: field + ".ID", Reason: fmt.Sprintf("duplicate tier %q", t.ID)})
		case t.Multiplier.IsZero():
			errs = append(errs, &ValidationError{Field: field + ".Multiplier", Reason: "must be positive"})
		default:
			s.tiers[t.ID] = rat(t.Multiplier)
			s.tierIDs = append(s.tierIDs, t.ID)
			s.tierIn = append(s.tierIn, t)
		}
	}
	slices.Sort(s.tierIDs)
	slices.SortFunc(s.tierIn, func(a, b Tier) int { return cmp.Compare(a.ID, b.ID) })
	return errs
}

func (s *Scheme) compileBurn(p BurnPolicy, errs []error) []error {
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ValidationError{Field: "Burn." + field, Reason: fmt.Sprintf(format, args...)})
	}
	if p.IsZero() {
		return errs
	}
	if !p.Mode.Valid() {
		bad("Mode", "must be tender or discount, got %d", uint8(p.Mode))
	}
	if len(p.Rates) == 0 {
		bad("Rates", "at least one conversion is required to burn")
	}
	if p.MinPoints < 0 {
		bad("MinPoints", "must not be negative, got %d", p.MinPoints)
	}
	if !p.MaxShare.AtMostOne() {
		bad("MaxShare", "must be at most 1, got %s", p.MaxShare)
	}
	step := p.Step
	switch {
	case step < 0:
		bad("Step", "must not be negative, got %d", step)
	case step == 0:
		step = 1
	}
	for i, c := range p.Rates {
		field := fmt.Sprintf("Rates[%d]", i)
		cur := c.Value.Currency()
		switch {
		case c.Points <= 0:
			bad(field+".Points", "must be positive, got %d", c.Points)
			continue
		case cur.IsZero() || !c.Value.IsPositive():
			bad(field+".Value", "must be a positive amount, got %s", c.Value)
			continue
		}
		if _, dup := s.rates[cur]; dup {
			bad(field+".Value", "a second conversion for %s", cur)
			continue
		}
		// The least number of points worth whole minor units, then the least
		// multiple of it that is also a multiple of the step.
		unit := c.Points / gcd(c.Points, c.Value.MinorUnits())
		grain, ok := lcm(unit, max(step, 1))
		if !ok {
			errs = append(errs, &ValidationError{Field: "Burn." + field, Reason: "the step and the conversion have no common multiple within range", Err: pricing.ErrOverflow})
			continue
		}
		s.rates[cur] = compiledRate{Conversion: c, grain: grain}
	}
	s.burn = p
	s.burn.Rates = slices.Clone(p.Rates)
	return errs
}

// Program returns a copy of the compiled (normalised) programme: rules in
// evaluation order (kind, then ID) with their lists sorted and
// de-duplicated, tiers sorted by ID.
func (s *Scheme) Program() Program {
	if s == nil {
		return Program{}
	}
	p := Program{
		Tiers:   slices.Clone(s.tierIn),
		Exclude: cloneTarget(s.exclude),
		Burn:    s.burn,
	}
	p.Burn.Rates = slices.Clone(s.burn.Rates)
	for _, r := range s.rules {
		c := r.Rule
		c.Target = cloneTarget(c.Target)
		c.Channels = slices.Clone(c.Channels)
		c.Kinds = slices.Clone(c.Kinds)
		p.Rules = append(p.Rules, c)
	}
	return p
}

// BurnMode is the programme's burn mode, 0 when it offers no burning: a
// basket asks it on every pricing to know whether points are a discount
// (before tax) or a tender (after), without copying the whole programme.
func (s *Scheme) BurnMode() BurnMode {
	if s == nil {
		return 0
	}
	return s.burn.Mode
}

func cloneTarget(t Target) Target {
	return Target{SKUs: slices.Clone(t.SKUs), Categories: slices.Clone(t.Categories)}
}

// rat returns r as an exact rational.
func rat(r pricing.Rate) *big.Rat {
	d := r.Decimal()
	q := new(big.Rat).SetInt(d.Coefficient())
	if e := d.Exponent(); e < 0 {
		q.Quo(q, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-e)), nil)))
	} else if e > 0 {
		q.Mul(q, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil)))
	}
	return q
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// lcm returns the least common multiple of two positive numbers, false on
// overflow.
func lcm(a, b int64) (int64, bool) {
	q := a / gcd(a, b)
	if q > (1<<63-1)/b {
		return 0, false
	}
	return q * b, true
}
