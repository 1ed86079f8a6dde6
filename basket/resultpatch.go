package basket

import (
	"cmp"
	"slices"

	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// ResultPatch is a pricing recorded as what changed since the basket's
// previous [Result], so that a history's size follows what its commands
// changed, not the basket's size times the number of commands: adding one
// line to a 1,000-line basket records that line, the totals and the change
// report, not the 1,000 lines again.
//
// Fields that are nil did not change. The scalar parts (version, policy,
// totals, completeness) and the change report, which belongs to this
// pricing alone, are always present.
type ResultPatch struct {
	BasketVersion int64  `json:"basket_version"`
	Policy        Policy `json:"policy"`
	Totals        Totals `json:"totals"`
	Complete      bool   `json:"complete"`
	// Lines are the priced lines that appeared, changed or went.
	Lines *LinesPatch `json:"lines,omitempty"`
	// Plan is the same for the fulfilment plan's lines.
	Plan *ListPatch[stock.LinePlan] `json:"plan,omitempty"`
	// Fees, Promotions and Coupons replace the previous lists when they
	// changed (they follow the promotions examined, not the lines).
	Fees       *[]PricedFee             `json:"fees,omitempty"`
	Promotions *[]promotion.Explanation `json:"promotions,omitempty"`
	Coupons    *[]promotion.CouponState `json:"coupons,omitempty"`
	// HoldsAtRisk replaces the previous list when it changed.
	HoldsAtRisk *[]HoldAtRisk `json:"holds_at_risk,omitempty"`
	// Overrides replaces the previous list when it changed.
	Overrides *[]AppliedOverride `json:"overrides,omitempty"`
	// Loyalty is the result's loyalty part, recorded whole each time (a
	// few figures and one explanation per earn rule).
	Loyalty *LoyaltyResult `json:"loyalty,omitempty"`
	Changes []Change       `json:"changes,omitempty"`
}

// ListPatch changes a list kept sorted by line ID: Set holds the items
// added or changed (sorted, one per line ID) and Removed the line IDs of
// the items gone (sorted).
type ListPatch[T any] struct {
	Set     []T      `json:"set,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// diffResult returns next as a patch of prev (nil prev: the first
// pricing), or nil when next cannot be recorded as one: its lines'
// fulfilment must be the plan's lines, which a patch records once (a
// Result from Recontextualize always is; a hand-built one may not be).
func diffResult(prev, next *Result) *ResultPatch {
	for i := range next.Lines {
		lp, _ := next.Plan.Line(next.Lines[i].LineID)
		if !sameLinePlan(lp, next.Lines[i].Fulfilment) {
			return nil
		}
	}
	p := &ResultPatch{
		BasketVersion: next.BasketVersion, Policy: next.Policy, Totals: next.Totals,
		Complete: next.Complete, Changes: next.Changes, Loyalty: next.Loyalty,
	}
	var old Result
	if prev != nil {
		old = *prev
	}
	p.Lines = diffLines(old.Lines, next.Lines)
	p.Plan = diffList(old.Plan.Lines, next.Plan.Lines, planLineID, cmp.Compare[string], sameLinePlan)
	p.Fees = replaced(old.Fees, next.Fees, samePricedFee)
	p.Promotions = replaced(old.Promotions, next.Promotions, sameExplanation)
	p.Coupons = replaced(old.Coupons, next.Coupons, sameCouponState)
	p.HoldsAtRisk = replaced(old.HoldsAtRisk, next.HoldsAtRisk, func(a, b HoldAtRisk) bool { return a == b })
	p.Overrides = replaced(old.Overrides, next.Overrides, sameAppliedOverride)
	return p
}

// apply rebuilds the Result the patch records on top of prev. A patch
// that does not fit prev (an unknown line removed, items out of order) is
// an [ErrInvalid] and nothing is built.
func (p *ResultPatch) apply(prev *Result, r *Result) error {
	var old Result
	if prev != nil {
		old = *prev
	}
	r.BasketVersion, r.Policy, r.Totals, r.Complete, r.Changes = p.BasketVersion, p.Policy, p.Totals, p.Complete, p.Changes
	r.Loyalty = p.Loyalty
	var err error
	if r.Plan.Lines, err = p.Plan.apply(old.Plan.Lines, planLineID, cmp.Compare[string], "Patch.Plan"); err != nil {
		return err
	}
	if r.Lines, err = p.Lines.apply(old.Lines); err != nil {
		return err
	}
	if p.Lines != nil || p.Plan != nil {
		lines := make([]PricedLine, len(r.Lines))
		for i, l := range r.Lines {
			lp, ok := r.Plan.Line(l.LineID)
			if !ok {
				return invalid("Patch.Plan", "no plan for line %q", l.LineID)
			}
			l.Fulfilment = lp
			lines[i] = l
		}
		r.Lines = lines
	}
	r.Fees = replace(old.Fees, p.Fees)
	r.Promotions = replace(old.Promotions, p.Promotions)
	r.Coupons = replace(old.Coupons, p.Coupons)
	r.HoldsAtRisk = replace(old.HoldsAtRisk, p.HoldsAtRisk)
	r.Overrides = replace(old.Overrides, p.Overrides)
	return nil
}

// LinesPatch changes the priced lines of a Result. Added are new lines,
// whole; Changed are lines whose pricing changed, each with only the fields
// that changed (a basket-wide discount spread again over every line changes
// their discounts and totals, not their names and list prices); Removed are
// the IDs of lines gone. Each list is sorted by line ID. Lines are recorded
// without their fulfilment, which is the plan's (ResultPatch.Plan).
type LinesPatch struct {
	Added   []PricedLine       `json:"added,omitempty"`
	Changed []PricedLineChange `json:"changed,omitempty"`
	Removed []string           `json:"removed,omitempty"`
}

// PricedLineChange is the fields of one priced line that changed; nil
// fields did not.
type PricedLineChange struct {
	LineID    string            `json:"line_id"`
	SKU       *string           `json:"sku,omitempty"`
	Name      *string           `json:"name,omitempty"`
	Quantity  *int64            `json:"quantity,omitempty"`
	Unit      *catalog.Unit     `json:"unit,omitempty"`
	Priced    *bool             `json:"priced,omitempty"`
	Problem   *string           `json:"problem,omitempty"`
	ListPrice *pricing.Money    `json:"list_price,omitempty"`
	Source    *pricing.PriceRef `json:"source,omitempty"`
	UnitPrice *pricing.Money    `json:"unit_price,omitempty"`
	// PreciseListPrice and PreciseUnitPrice hold the line's exact price
	// when one of those fields changed; see setPrecise.
	PreciseListPrice *pricing.UnitPrice      `json:"precise_list_price,omitempty"`
	PreciseUnitPrice *pricing.UnitPrice      `json:"precise_unit_price,omitempty"`
	Basis            *PriceBasis             `json:"basis,omitempty"`
	GrantedQuantity  *int64                  `json:"granted_quantity,omitempty"`
	Subtotal         *pricing.Money          `json:"subtotal,omitempty"`
	Discounts        *[]promotion.Adjustment `json:"discounts,omitempty"`
	Discount         *pricing.Money          `json:"discount,omitempty"`
	TaxRate          *pricing.Rate           `json:"tax_rate,omitempty"`
	Net              *pricing.Money          `json:"net,omitempty"`
	Tax              *pricing.Money          `json:"tax,omitempty"`
	Total            *pricing.Money          `json:"total,omitempty"`
}

// changed returns what differs from a to b (fulfilment aside).
func changed(a, b PricedLine) PricedLineChange {
	c := PricedLineChange{LineID: b.LineID}
	set(&c.SKU, a.SKU, b.SKU)
	set(&c.Name, a.Name, b.Name)
	set(&c.Quantity, a.Quantity, b.Quantity)
	set(&c.Unit, a.Unit, b.Unit)
	set(&c.Priced, a.Priced, b.Priced)
	set(&c.Problem, a.Problem, b.Problem)
	set(&c.ListPrice, a.ListPrice, b.ListPrice)
	set(&c.Source, a.Source, b.Source)
	set(&c.UnitPrice, a.UnitPrice, b.UnitPrice)
	setPrecise(&c.PreciseListPrice, a.PreciseListPrice, b.PreciseListPrice, b.ListPriceExact())
	setPrecise(&c.PreciseUnitPrice, a.PreciseUnitPrice, b.PreciseUnitPrice, b.UnitPriceExact())
	set(&c.Basis, a.Basis, b.Basis)
	set(&c.GrantedQuantity, a.GrantedQuantity, b.GrantedQuantity)
	set(&c.Subtotal, a.Subtotal, b.Subtotal)
	if !slices.Equal(a.Discounts, b.Discounts) {
		d := slices.Clip(b.Discounts)
		if d == nil {
			d = []promotion.Adjustment{} // "none now", not "unchanged"
		}
		c.Discounts = &d
	}
	set(&c.Discount, a.Discount, b.Discount)
	set(&c.TaxRate, a.TaxRate, b.TaxRate)
	set(&c.Net, a.Net, b.Net)
	set(&c.Tax, a.Tax, b.Tax)
	set(&c.Total, a.Total, b.Total)
	return c
}

// set points dst at b when it differs from a.
func set[T comparable](dst **T, a, b T) {
	if a != b {
		*dst = &b
	}
}

// setPrecise points dst at the line's exact price when its precise field
// changed from a to b. It records the exact price, never the zero
// UnitPrice a field is left at when a Money holds the price (that zero
// encodes as null, which would decode as "unchanged"); applied, an exact
// price that a Money holds clears the field again (precisePart).
func setPrecise(dst **pricing.UnitPrice, a, b, exact pricing.UnitPrice) {
	if a != b {
		*dst = &exact
	}
}

// precisePart is what a precise price field of a PricedLine holds for the
// exact price u: u when a Money cannot hold it, the zero UnitPrice when one
// can.
func precisePart(u pricing.UnitPrice) pricing.UnitPrice {
	if _, exact := u.Exact(); exact {
		return pricing.UnitPrice{}
	}
	return u
}

// take copies *v into dst when v is set.
func take[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// applyTo returns l with the change made.
func (c PricedLineChange) applyTo(l PricedLine) PricedLine {
	take(&l.SKU, c.SKU)
	take(&l.Name, c.Name)
	take(&l.Quantity, c.Quantity)
	take(&l.Unit, c.Unit)
	take(&l.Priced, c.Priced)
	take(&l.Problem, c.Problem)
	take(&l.ListPrice, c.ListPrice)
	take(&l.Source, c.Source)
	take(&l.UnitPrice, c.UnitPrice)
	if c.PreciseListPrice != nil {
		l.PreciseListPrice = precisePart(*c.PreciseListPrice)
	}
	if c.PreciseUnitPrice != nil {
		l.PreciseUnitPrice = precisePart(*c.PreciseUnitPrice)
	}
	take(&l.Basis, c.Basis)
	take(&l.GrantedQuantity, c.GrantedQuantity)
	take(&l.Subtotal, c.Subtotal)
	if c.Discounts != nil {
		l.Discounts = *c.Discounts
		if len(l.Discounts) == 0 {
			l.Discounts = nil
		}
	}
	take(&l.Discount, c.Discount)
	take(&l.TaxRate, c.TaxRate)
	take(&l.Net, c.Net)
	take(&l.Tax, c.Tax)
	take(&l.Total, c.Total)
	return l
}

// diffLines compares two line lists sorted by line ID; nil when nothing
// but fulfilment changed.
func diffLines(old, next []PricedLine) *LinesPatch {
	whole := diffList(old, next, pricedLineID, compareLineIDs, samePricing)
	if whole == nil {
		return nil
	}
	p := &LinesPatch{Removed: whole.Removed}
	i := 0
	for _, l := range whole.Set {
		for i < len(old) && compareLineIDs(old[i].LineID, l.LineID) < 0 {
			i++
		}
		if i < len(old) && old[i].LineID == l.LineID {
			p.Changed = append(p.Changed, changed(old[i], l))
			continue
		}
		l.Fulfilment = stock.LinePlan{} // restored from the plan
		p.Added = append(p.Added, l)
	}
	return p
}

// apply merges the patch into old (which it does not modify).
func (p *LinesPatch) apply(old []PricedLine) ([]PricedLine, error) {
	if p == nil {
		return (*ListPatch[PricedLine])(nil).apply(old, pricedLineID, compareLineIDs, "Patch.Lines")
	}
	for k := 1; k < len(p.Changed); k++ {
		if compareLineIDs(p.Changed[k-1].LineID, p.Changed[k].LineID) >= 0 {
			return nil, invalid("Patch.Lines.Changed", "not sorted by line ID at %q", p.Changed[k].LineID)
		}
	}
	whole := ListPatch[PricedLine]{Removed: p.Removed, Set: make([]PricedLine, 0, len(p.Added)+len(p.Changed))}
	a, i := 0, 0
	for _, c := range p.Changed {
		for i < len(old) && compareLineIDs(old[i].LineID, c.LineID) < 0 {
			i++
		}
		if i == len(old) || old[i].LineID != c.LineID {
			return nil, invalid("Patch.Lines.Changed", "line %q is not in the previous result", c.LineID)
		}
		for a < len(p.Added) && compareLineIDs(p.Added[a].LineID, c.LineID) < 0 {
			whole.Set = append(whole.Set, p.Added[a])
			a++
		}
		whole.Set = append(whole.Set, c.applyTo(old[i]))
	}
	whole.Set = append(whole.Set, p.Added[a:]...)
	return whole.apply(old, pricedLineID, compareLineIDs, "Patch.Lines")
}

func pricedLineID(l PricedLine) string   { return l.LineID }
func planLineID(l stock.LinePlan) string { return l.LineID }

// diffList compares two lists sorted by key; nil when nothing changed.
func diffList[T any](old, next []T, key func(T) string, order func(a, b string) int, same func(a, b T) bool) *ListPatch[T] {
	var p ListPatch[T]
	i, j := 0, 0
	for i < len(old) || j < len(next) {
		var c int
		switch {
		case i == len(old):
			c = 1
		case j == len(next):
			c = -1
		default:
			c = order(key(old[i]), key(next[j]))
		}
		switch {
		case c < 0:
			p.Removed = append(p.Removed, key(old[i]))
			i++
		case c > 0:
			p.Set = append(p.Set, next[j])
			j++
		default:
			if !same(old[i], next[j]) {
				p.Set = append(p.Set, next[j])
			}
			i, j = i+1, j+1
		}
	}
	if p.Set == nil && p.Removed == nil {
		return nil
	}
	return &p
}

// apply merges the patch into old (which it does not modify). The lists of
// a Result are never nil (they encode as [], not null), and neither is
// what apply returns.
func (p *ListPatch[T]) apply(old []T, key func(T) string, order func(a, b string) int, field string) ([]T, error) {
	if p == nil {
		if old == nil {
			return []T{}, nil
		}
		return old, nil
	}
	for k := 1; k < len(p.Set); k++ {
		if order(key(p.Set[k-1]), key(p.Set[k])) >= 0 {
			return nil, invalid(field+".Set", "not sorted by line ID at %q", key(p.Set[k]))
		}
	}
	for k := 1; k < len(p.Removed); k++ {
		if order(p.Removed[k-1], p.Removed[k]) >= 0 {
			return nil, invalid(field+".Removed", "not sorted by line ID at %q", p.Removed[k])
		}
	}
	out := make([]T, 0, len(old)+len(p.Set))
	i, s, r := 0, 0, 0
	for i < len(old) || s < len(p.Set) {
		if r < len(p.Removed) && i < len(old) && order(p.Removed[r], key(old[i])) < 0 {
			return nil, invalid(field+".Removed", "line %q is not in the previous result", p.Removed[r])
		}
		var c int
		switch {
		case i == len(old):
			c = 1
		case s == len(p.Set):
			c = -1
		default:
			c = order(key(old[i]), key(p.Set[s]))
		}
		switch {
		case c > 0: // a new item
			out = append(out, p.Set[s])
			s++
		case c == 0: // a changed item
			if r < len(p.Removed) && p.Removed[r] == key(old[i]) {
				return nil, invalid(field, "line %q is both set and removed", key(old[i]))
			}
			out = append(out, p.Set[s])
			i, s = i+1, s+1
		default: // kept or removed
			if r < len(p.Removed) && p.Removed[r] == key(old[i]) {
				r++
			} else {
				out = append(out, old[i])
			}
			i++
		}
	}
	if r < len(p.Removed) {
		return nil, invalid(field+".Removed", "line %q is not in the previous result", p.Removed[r])
	}
	return out, nil
}

// replaced returns next when it differs from old, nil when it does not.
// An empty next is recorded as an empty list (not null) so that it
// survives JSON as "replace with nothing".
func replaced[T any](old, next []T, same func(a, b T) bool) *[]T {
	if slices.EqualFunc(old, next, same) {
		return nil
	}
	if next == nil {
		next = []T{}
	}
	return &next
}

func replace[T any](old []T, p *[]T) []T {
	switch {
	case p == nil:
		return old
	case len(*p) == 0:
		return nil
	}
	return *p
}

// The equality functions below decide what a patch records: equal means
// identical encodings (times compare with ==, which also compares their
// locations). A test sets every field of each type in turn, so a field
// added later and forgotten here fails it.

// samePricing compares two priced lines but for their fulfilment, which a
// patch records in the plan.
func samePricing(a, b PricedLine) bool {
	return a.LineID == b.LineID && a.SKU == b.SKU && a.Name == b.Name && a.Quantity == b.Quantity && a.Unit == b.Unit &&
		a.Priced == b.Priced && a.Problem == b.Problem && a.ListPrice == b.ListPrice && a.Source == b.Source &&
		a.UnitPrice == b.UnitPrice && a.PreciseListPrice == b.PreciseListPrice && a.PreciseUnitPrice == b.PreciseUnitPrice && a.Basis == b.Basis && a.GrantedQuantity == b.GrantedQuantity && a.Subtotal == b.Subtotal &&
		slices.Equal(a.Discounts, b.Discounts) && a.Discount == b.Discount && a.TaxRate == b.TaxRate &&
		a.Net == b.Net && a.Tax == b.Tax && a.Total == b.Total
}

func sameLinePlan(a, b stock.LinePlan) bool {
	return a.LineID == b.LineID && a.SKU == b.SKU && a.Quantity == b.Quantity &&
		slices.Equal(a.Allocations, b.Allocations) && a.Short == b.Short && a.Unknown == b.Unknown &&
		a.NextArrival == b.NextArrival
}

func samePricedFee(a, b PricedFee) bool {
	return a.FeeID == b.FeeID && a.Mode == b.Mode && a.Amount == b.Amount && slices.Equal(a.Discounts, b.Discounts) &&
		a.TaxRate == b.TaxRate && a.Net == b.Net && a.Tax == b.Tax && a.Total == b.Total
}

func sameExplanation(a, b promotion.Explanation) bool {
	if (a.Gap == nil) != (b.Gap == nil) || (a.Gap != nil && *a.Gap != *b.Gap) {
		return false
	}
	a.Gap, b.Gap = nil, nil
	return a == b
}

func sameCouponState(a, b promotion.CouponState) bool {
	return a.Code == b.Code && a.Status == b.Status && slices.Equal(a.PromotionIDs, b.PromotionIDs) &&
		a.Reason == b.Reason && a.Message == b.Message
}
