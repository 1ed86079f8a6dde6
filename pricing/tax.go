package pricing

import (
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// TaxRule is the rate of one tax category in one zone, optionally bounded
// in time [ValidFrom, ValidUntil) so that a rate change on a given date is
// data, not a deployment.
type TaxRule struct {
	Zone       string    `json:"zone"`
	Category   string    `json:"category"`
	Rate       Rate      `json:"rate"`
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// NoTaxRateError reports a zone and category without a rate at a time. It
// matches [ErrNoTaxRate].
type NoTaxRateError struct {
	Zone, Category string
	At             time.Time
}

func (e *NoTaxRateError) Error() string {
	return fmt.Sprintf("pricing: no tax rate for category %q in zone %q at %s", e.Category, e.Zone, e.At.UTC().Format(time.RFC3339))
}

// Unwrap returns [ErrNoTaxRate].
func (e *NoTaxRateError) Unwrap() error { return ErrNoTaxRate }

// TaxTable is an immutable set of tax rules, safe for concurrent use.
type TaxTable struct {
	rules []TaxRule // sorted by zone, category, start
}

// NewTaxTable validates rules: non-empty zone and category, rates of at most
// 100 %, no two rules of one zone and category overlapping in time.
func NewTaxTable(rules []TaxRule) (*TaxTable, error) {
	rs := slices.Clone(rules)
	for i, r := range rs {
		field := fmt.Sprintf("rules[%d]", i)
		switch {
		case r.Zone == "":
			return nil, invalid(field+".Zone", "must not be empty")
		case r.Category == "":
			return nil, invalid(field+".Category", "must not be empty")
		case !r.Rate.AtMostOne():
			return nil, invalid(field+".Rate", "%s%% is above 100%%", r.Rate.Percent())
		case !r.ValidFrom.IsZero() && !r.ValidUntil.IsZero() && !r.ValidUntil.After(r.ValidFrom):
			return nil, invalid(field+".ValidUntil", "window is empty")
		}
	}
	slices.SortFunc(rs, func(a, b TaxRule) int {
		if a.Zone != b.Zone {
			return compareStrings(a.Zone, b.Zone)
		}
		if a.Category != b.Category {
			return compareStrings(a.Category, b.Category)
		}
		return a.ValidFrom.Compare(b.ValidFrom)
	})
	for i := 1; i < len(rs); i++ {
		p, r := rs[i-1], rs[i]
		if p.Zone == r.Zone && p.Category == r.Category && (p.ValidUntil.IsZero() || p.ValidUntil.After(r.ValidFrom)) {
			return nil, invalid("rules", "rules for category %q in zone %q overlap in time", r.Category, r.Zone)
		}
	}
	return &TaxTable{rules: rs}, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Rules returns a copy of the rules, sorted by zone, category and start.
func (t *TaxTable) Rules() []TaxRule { return slices.Clone(t.rules) }

// Rate returns the rate of category in zone at time at, or a
// [*NoTaxRateError].
func (t *TaxTable) Rate(zone, category string, at time.Time) (Rate, error) {
	i, _ := slices.BinarySearchFunc(t.rules, [2]string{zone, category}, func(r TaxRule, k [2]string) int {
		if r.Zone != k[0] {
			return compareStrings(r.Zone, k[0])
		}
		return compareStrings(r.Category, k[1])
	})
	for ; i < len(t.rules) && t.rules[i].Zone == zone && t.rules[i].Category == category; i++ {
		r := t.rules[i]
		if (r.ValidFrom.IsZero() || !at.Before(r.ValidFrom)) && (r.ValidUntil.IsZero() || at.Before(r.ValidUntil)) {
			return r.Rate, nil
		}
	}
	return Rate{}, &NoTaxRateError{Zone: zone, Category: category, At: at}
}

// ZoneRates are the rates of one zone at one instant, resolved once per
// basket so that each line's lookup is a scan of a handful of categories.
type ZoneRates struct {
	zone  string
	at    time.Time
	cats  []string
	rates []Rate
}

// Zone returns the rates in force in zone at time at.
func (t *TaxTable) Zone(zone string, at time.Time) ZoneRates {
	z := ZoneRates{zone: zone, at: at}
	// The rules are sorted by zone: the zone's are a run, found by search.
	lo, _ := slices.BinarySearchFunc(t.rules, zone, func(r TaxRule, zone string) int { return compareStrings(r.Zone, zone) })
	hi := lo
	for hi < len(t.rules) && t.rules[hi].Zone == zone {
		hi++
	}
	rules := t.rules[lo:hi]
	in := func(r *TaxRule) bool {
		return (r.ValidFrom.IsZero() || !at.Before(r.ValidFrom)) && (r.ValidUntil.IsZero() || at.Before(r.ValidUntil))
	}
	n := 0 // counted first: arrays of the exact size, made once per basket
	for i := range rules {
		if in(&rules[i]) {
			n++
		}
	}
	if n == 0 {
		return z
	}
	z.cats, z.rates = make([]string, 0, n), make([]Rate, 0, n)
	for i := range rules {
		if r := &rules[i]; in(r) {
			z.cats, z.rates = append(z.cats, r.Category), append(z.rates, r.Rate)
		}
	}
	return z
}

// Rate returns the rate of a category, or a [*NoTaxRateError].
func (z ZoneRates) Rate(category string) (Rate, error) {
	for i, c := range z.cats {
		if c == category {
			return z.rates[i], nil
		}
	}
	return Rate{}, &NoTaxRateError{Zone: z.zone, Category: category, At: z.at}
}

// TaxRounding is where tax is rounded to the minor unit. All three are
// legitimate and give different cents (3 × 1.08 at 19 % exclusive: 0.62 per
// line, 0.63 per unit); the policy is always explicit.
type TaxRounding uint8

// The tax rounding policies.
const (
	// PerLine rounds the tax of each line once (the default).
	PerLine TaxRounding = iota
	// PerUnit rounds the tax of one unit and multiplies, as a till printing
	// unit prices with tax does. A line whose unit price is more precise
	// than the currency ([TaxLine.Unit]) is taxed per line instead: its
	// units have no whole-minor-unit price whose tax a till could print,
	// and splitting 125.00 EUR over 10,000 screws at 0.0125 into cents
	// would tax each cent at nothing.
	PerUnit
	// PerDocument rounds the tax once per rate over the whole basket and
	// spreads it back over the lines by largest remainder.
	PerDocument
)

// String names the policy.
func (r TaxRounding) String() string {
	switch r {
	case PerLine:
		return "per-line"
	case PerUnit:
		return "per-unit"
	case PerDocument:
		return "per-document"
	}
	return fmt.Sprintf("tax-rounding(%d)", uint8(r))
}

// TaxPolicy says how amounts are taxed.
type TaxPolicy struct {
	// Inclusive: amounts are gross and the tax is extracted from them;
	// otherwise amounts are net and the tax is added.
	Inclusive bool
	Rounding  TaxRounding
	Mode      RoundingMode
}

// TaxLine is one amount to tax: a line total after discounts, its quantity
// (for per-unit rounding) and its rate. Keys must be unique; they break
// allocation ties under per-document rounding.
type TaxLine struct {
	Key      string
	Amount   Money
	Quantity int64
	Rate     Rate
	// Unit is the unit price the line was priced at, optional. Only
	// per-unit rounding reads it: a unit price that a Money does not hold
	// exactly ([UnitPrice.Exact] false) makes the line taxed as a whole.
	Unit UnitPrice
}

// wholeLine reports whether per-unit rounding taxes l as a whole.
func (l *TaxLine) wholeLine() bool {
	_, exact := l.Unit.Exact()
	return !exact
}

// Taxed is the outcome for one line. Gross = Net + Tax holds exactly.
type Taxed struct {
	Net   Money `json:"net"`
	Tax   Money `json:"tax"`
	Gross Money `json:"gross"`
}

// ComputeTax taxes lines under a policy, returning one [Taxed] per line in
// input order. All lines must share one currency and be non-negative.
func ComputeTax(lines []TaxLine, p TaxPolicy) ([]Taxed, error) {
	return AppendTax(make([]Taxed, 0, len(lines)), lines, p)
}

// AppendTax is [ComputeTax] appending to dst, so that a caller pricing many
// baskets can reuse one buffer and allocate nothing. On error dst is
// returned unchanged.
func AppendTax(dst []Taxed, lines []TaxLine, p TaxPolicy) ([]Taxed, error) {
	if !p.Mode.Valid() || p.Rounding > PerDocument {
		return dst, invalid("policy", "unknown rounding %s / %s", p.Rounding, p.Mode)
	}
	if len(lines) == 0 {
		return dst, nil
	}
	cur := lines[0].Amount.cur
	for i, l := range lines {
		switch {
		case l.Amount.cur != cur || cur.IsZero():
			return dst, mismatch(cur, l.Amount.cur)
		case !l.Unit.cur.IsZero() && l.Unit.cur != cur:
			return dst, mismatch(cur, l.Unit.cur)
		case l.Amount.IsNegative():
			return dst, invalid(fmt.Sprintf("lines[%d].Amount", i), "%s is negative", l.Amount)
		case l.Quantity < 1 && p.Rounding == PerUnit:
			return dst, invalid(fmt.Sprintf("lines[%d].Quantity", i), "must be at least 1 for per-unit rounding")
		case !l.Rate.AtMostOne():
			return dst, invalid(fmt.Sprintf("lines[%d].Rate", i), "above 100%%")
		}
	}
	base := len(dst)
	dst = slices.Grow(dst, len(lines))[:base+len(lines)]
	out := dst[base:]
	var ok bool
	switch p.Rounding {
	case PerLine:
		for i, l := range lines {
			if out[i].Tax.units, ok = taxOf(l.Amount.units, l.Rate, p); !ok {
				return dst[:base], ErrOverflow
			}
		}
	case PerUnit:
		for i := range lines {
			l := &lines[i]
			if l.wholeLine() {
				out[i].Tax.units, ok = taxOf(l.Amount.units, l.Rate, p)
			} else {
				out[i].Tax.units, ok = taxPerUnit(l.Amount.units, l.Quantity, l.Rate, p)
			}
			if !ok {
				return dst[:base], ErrOverflow
			}
		}
	case PerDocument:
		if err := taxPerDocument(lines, out, p); err != nil {
			return dst[:base], err
		}
	}
	for i, l := range lines {
		t := out[i].Tax.units
		out[i].Tax.cur = cur
		if p.Inclusive {
			out[i].Net, out[i].Gross = Money{units: l.Amount.units - t, cur: cur}, l.Amount
			continue
		}
		g, ok := addUnits(l.Amount.units, t)
		if !ok {
			return dst[:base], ErrOverflow
		}
		out[i].Net, out[i].Gross = l.Amount, Money{units: g, cur: cur}
	}
	return dst, nil
}

// taxOf is the tax on an amount, rounded once: a·r for a net amount,
// a·r/(1+r) for a gross one, each computed exactly before rounding.
func taxOf(a int64, r Rate, p TaxPolicy) (int64, bool) {
	den := pow10(int(r.scale))
	if p.Inclusive {
		den += uint64(r.coef)
	}
	return mulDivRound(a, r.coef, den, p.Mode)
}

// taxPerUnit splits amount into qty units as evenly as minor units allow
// (amount mod qty units carry one more), taxes one unit of each kind and
// multiplies, so it also works after a discount left the line indivisible.
func taxPerUnit(amount, qty int64, r Rate, p TaxPolicy) (int64, bool) {
	base, extra := amount/qty, amount%qty
	t0, ok := taxOf(base, r, p)
	if !ok {
		return 0, false
	}
	var t1 int64
	if extra > 0 { // then base+1 ≤ amount: no wrap at MaxInt64
		if t1, ok = taxOf(base+1, r, p); !ok {
			return 0, false
		}
	}
	hi0, lo0 := bits.Mul64(uint64(t0), uint64(qty-extra))
	hi1, lo1 := bits.Mul64(uint64(t1), uint64(extra))
	sum, carry := bits.Add64(lo0, lo1, 0)
	if hi0 != 0 || hi1 != 0 || carry != 0 || sum > maxUnits {
		return 0, false
	}
	return int64(sum), true
}

func taxPerDocument(lines []TaxLine, out []Taxed, p TaxPolicy) error {
	cur := lines[0].Amount.cur
	var rates []Rate
	for _, l := range lines {
		if !slices.Contains(rates, l.Rate) {
			rates = append(rates, l.Rate)
		}
	}
	for _, r := range rates {
		var idx []int
		var sum int64
		for i, l := range lines {
			if l.Rate == r {
				idx = append(idx, i)
				var ok bool
				if sum, ok = addUnits(sum, l.Amount.units); !ok {
					return ErrOverflow
				}
			}
		}
		total, ok := taxOf(sum, r, p)
		if !ok {
			return ErrOverflow
		}
		shares := make([]Share, len(idx))
		for j, i := range idx {
			shares[j] = Share{Key: lines[i].Key, Weight: lines[i].Amount.units}
		}
		if sum == 0 {
			continue // nothing to tax; taxes stay 0
		}
		parts, err := Allocate(Money{units: total, cur: cur}, shares)
		if err != nil {
			return err
		}
		for j, i := range idx {
			out[i].Tax.units = parts[j].units
		}
	}
	return nil
}
