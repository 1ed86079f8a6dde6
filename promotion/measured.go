package promotion

import (
	"errors"
	"fmt"
	"slices"

	"github.com/omnibasket/omnibasket/pricing"
)

// ErrMeasuredUnits is matched (errors.Is) by a [*MeasuredError]: a
// promotion counts units of a SKU sold by measure.
var ErrMeasuredUnits = errors.New("promotion: counts units of goods sold by measure")

// CompileOptions are optional inputs of [CompileWith].
type CompileOptions struct {
	// Measured lists the SKUs sold by measure (weighed cheese by the kg,
	// fabric by the metre): the catalogue's products whose unit is
	// measured. A promotion that counts units of one of them by SKU is
	// refused, since 0.347 kg is not 347 cheeses: buy X get Y, a bundle
	// component, a minimum quantity, or a limit in units
	// (MaxApplications) of a percent, amount or fixed-price effect.
	// Percent off, amount off per unit of measure and a fixed price per
	// unit of measure are fine. Categories are not known at compile time:
	// a measured line that a category brings into such a promotion is
	// simply never counted as units when the set is evaluated.
	Measured []string
}

// measuredSet returns the measured SKUs sorted and de-duplicated.
func (o CompileOptions) measuredSet() []string { return sortedSet(slices.Clone(o.Measured)) }

// CompileWith is [Compile] with options. A promotion that counts units of
// a measured SKU ([CompileOptions.Measured]) is refused like any invalid
// promotion: a [*ValidationError] naming the promotion and the field,
// whose cause is a [*MeasuredError] naming the SKU (errors.As finds
// either; errors.Is matches [ErrInvalid] and [ErrMeasuredUnits]).
func CompileWith(promos []Promotion, opts CompileOptions) (*Set, error) {
	return compileWith(promos, true, opts)
}

// MeasuredError says which promotion counts units of which measured SKU,
// and how (Use: "buy-x-get-y", "bundle-price", "min-quantity" or
// "max-applications"). It is the cause of the [*ValidationError] that
// [CompileWith] returns, and matches [ErrInvalid] and [ErrMeasuredUnits].
type MeasuredError struct {
	PromotionID string
	SKU         string
	Use         string
}

// Error names the promotion, the SKU and the use.
func (e *MeasuredError) Error() string {
	return fmt.Sprintf("promotion: %q counts units of %s (%s), which is sold by measure", e.PromotionID, e.SKU, e.Use)
}

// Is matches [ErrInvalid] and [ErrMeasuredUnits].
func (e *MeasuredError) Is(target error) bool {
	return target == ErrInvalid || target == ErrMeasuredUnits
}

// refuseMeasured appends an error for every measured SKU (sorted) that a
// normalised promotion names where it counts units.
func refuseMeasured(p *Promotion, measured []string, errs []error) []error {
	if len(measured) == 0 {
		return errs
	}
	check := func(field, use string, t *Target) {
		for _, sku := range t.SKUs {
			if containsSorted(measured, sku) {
				errs = append(errs, &ValidationError{PromotionID: p.ID, Field: field,
					Reason: fmt.Sprintf("%s is sold by measure and has no units for %s to count", sku, use),
					Err:    &MeasuredError{PromotionID: p.ID, SKU: sku, Use: use}})
			}
		}
	}
	if p.MinQuantity > 0 {
		check("QuantityTarget.SKUs", "min-quantity", &p.QuantityTarget)
	}
	switch e := &p.Effect; e.Kind {
	case BuyXGetY:
		check("Effect.Target.SKUs", BuyXGetY.String(), &e.Target)
	case BundlePrice:
		for i := range e.Components {
			check(fmt.Sprintf("Effect.Components[%d].Target.SKUs", i), BundlePrice.String(), &e.Components[i].Target)
		}
	case PercentOff, AmountOff, FixedPrice:
		if p.MaxApplications > 0 {
			check("Effect.Target.SKUs", "max-applications", &e.Target)
		}
	}
	return errs
}

// countsUnits reports whether c's effect works on units: buy X get Y, and
// a line effect limited to a number of units. (Bundles drop measured lines
// per component; minimum quantities skip them in eligibility.)
func countsUnits(c *compiled) bool {
	switch c.Effect.Kind {
	case BuyXGetY:
		return true
	case PercentOff, AmountOff, FixedPrice:
		return c.MaxApplications > 0
	}
	return false
}

// dropMeasured removes the measured lines from ls[from:], in place and in
// order: they have no units to count. When that leaves nothing of lines
// there were, the outcome says no line is targeted.
func (ev *evaluator) dropMeasured(ls []int32, from int, none outcome) ([]int32, outcome) {
	n := from
	for _, li := range ls[from:] {
		if !ev.line(li).Measured {
			ls[n] = li
			n++
		}
	}
	if n == from && len(ls) > from {
		none = outcome{reason: ReasonNoTarget}
	}
	return ls[:n], none
}

// perUnit is a fixed amount per unit for k units of line li: amount × k,
// or, for a measured line, the amount per unit of measure times its
// measured quantity, rounded once with the options' mode (0.50 off per kg
// on 0.347 kg is 0.1735, 0.17 half-even). ok is false when it does not fit.
func (ev *evaluator) perUnit(amount pricing.Money, li int32, k int64) (int64, bool) {
	if ev.line(li).Measured {
		m, err := pricing.UnitPriceOf(amount).MulMeasure(ev.sc.qty[li], ev.opt.Rounding)
		return m.MinorUnits(), err == nil && !m.IsNegative()
	}
	return mul(amount.MinorUnits(), k)
}

// measuredSubtotal is the subtotal of a measured line priced at price per
// unit of measure: price × thousandths ÷ 1,000, rounded once.
func measuredSubtotal(price pricing.UnitPrice, l *Line, mode pricing.RoundingMode) (int64, bool, error) {
	m, err := price.MulMeasure(l.Quantity, mode)
	return m.MinorUnits(), err == nil, nil
}
