package basket

import (
	"cmp"
	"slices"

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
	// Lines are the priced lines that appeared or changed, and those gone.
	Lines *ListPatch[PricedLine] `json:"lines,omitempty"`
	// Plan is the same for the fulfilment plan's lines.
	Plan *ListPatch[stock.LinePlan] `json:"plan,omitempty"`
	// Fees, Promotions and Coupons replace the previous lists when they
	// changed (they follow the promotions examined, not the lines).
	Fees       *[]PricedFee             `json:"fees,omitempty"`
	Promotions *[]promotion.Explanation `json:"promotions,omitempty"`
	Coupons    *[]promotion.CouponState `json:"coupons,omitempty"`
	Changes    []Change                 `json:"changes,omitempty"`
}

// ListPatch changes a list kept sorted by line ID: Set holds the items
// added or changed (sorted, one per line ID) and Removed the line IDs of
// the items gone (sorted).
type ListPatch[T any] struct {
	Set     []T      `json:"set,omitempty"`
	Removed []string `json:"removed,omitempty"`
}

// diffResult returns next as a patch of prev (nil prev: the first pricing).
func diffResult(prev, next *Result) *ResultPatch {
	p := &ResultPatch{
		BasketVersion: next.BasketVersion, Policy: next.Policy, Totals: next.Totals,
		Complete: next.Complete, Changes: next.Changes,
	}
	var old Result
	if prev != nil {
		old = *prev
	}
	p.Lines = diffList(old.Lines, next.Lines, pricedLineID, compareLineIDs, samePricedLine)
	p.Plan = diffList(old.Plan.Lines, next.Plan.Lines, planLineID, cmp.Compare[string], sameLinePlan)
	p.Fees = replaced(old.Fees, next.Fees, samePricedFee)
	p.Promotions = replaced(old.Promotions, next.Promotions, sameExplanation)
	p.Coupons = replaced(old.Coupons, next.Coupons, sameCouponState)
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
	var err error
	if r.Lines, err = p.Lines.apply(old.Lines, pricedLineID, compareLineIDs, "Patch.Lines"); err != nil {
		return err
	}
	if r.Plan.Lines, err = p.Plan.apply(old.Plan.Lines, planLineID, cmp.Compare[string], "Patch.Plan"); err != nil {
		return err
	}
	r.Fees = replace(old.Fees, p.Fees)
	r.Promotions = replace(old.Promotions, p.Promotions)
	r.Coupons = replace(old.Coupons, p.Coupons)
	return nil
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

func samePricedLine(a, b PricedLine) bool {
	return a.LineID == b.LineID && a.SKU == b.SKU && a.Name == b.Name && a.Quantity == b.Quantity &&
		a.Priced == b.Priced && a.Problem == b.Problem && a.ListPrice == b.ListPrice && a.Source == b.Source &&
		a.UnitPrice == b.UnitPrice && a.Basis == b.Basis && a.Subtotal == b.Subtotal &&
		slices.Equal(a.Discounts, b.Discounts) && a.Discount == b.Discount && a.TaxRate == b.TaxRate &&
		a.Net == b.Net && a.Tax == b.Tax && a.Total == b.Total && sameLinePlan(a.Fulfilment, b.Fulfilment)
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
