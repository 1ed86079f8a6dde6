package basket

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// termsOf returns the terms an order placed from result r keeps: what
// re-pricing any part of its lines later needs, and nothing that could not
// matter to it, so that the terms stay small and a return months later
// does not depend on today's catalogue.
//
//   - Context and Options are those of r (the as-of time is the order's).
//   - Prices are the entries of the basket's SKUs in the context's chain
//     that resolution could pick at the as-of time: in its currency, for
//     everyone or its customer group, valid then. Every tier is kept, so
//     a return that drops below a tier loses the tier price.
//   - Tax is the zone's rules in force at the as-of time.
//   - Promotions are the definitions of the promotions r applied or that
//     another blocked (an exclusive one, a best-of winner: if the return
//     breaks the winner, the loser may apply), sorted by ID. Promotions
//     that were not applicable are left out: they were out of scope, or
//     their condition was unmet, and taking units away does not meet it.
//   - Fees are the first rule of each fulfilment mode, in mode order (the
//     rule pricing uses); Locations the context's stock sources, by ID.
//
// Everything is sorted, so equal orders have byte-identical terms.
func termsOf(snap Snapshot, r *Result, opts Options) (OrderTerms, error) {
	if r == nil {
		return OrderTerms{}, invalid("Result", "an order's terms are taken from its pricing")
	}
	if snap.Prices == nil || snap.Tax == nil {
		return OrderTerms{}, &InputError{Field: "Snapshot", Reason: "prices and tax are required", Kind: ErrSnapshot}
	}
	ctx := r.Context.Clone()
	cur, err := pricing.LookupCurrency(ctx.Currency)
	if err != nil {
		return OrderTerms{}, &InputError{Field: "Result.Context.Currency", Reason: err.Error(), Kind: ErrInvalid}
	}
	t := OrderTerms{Context: ctx, Options: opts}

	skus := make([]string, 0, len(r.Lines))
	for _, l := range r.Lines {
		skus = append(skus, l.SKU)
	}
	// The book is in memory: the context only lets PriceBook serve as a
	// PriceSource too, it is never cancelled here.
	entries, err := snap.Prices.Prices(context.Background(), pricing.PriceQuery{Lists: ctx.PriceLists, SKUs: skus})
	if err != nil {
		return OrderTerms{}, err
	}
	for _, p := range entries {
		if p.UnitPrice().Currency() == cur && (p.CustomerGroup == "" || p.CustomerGroup == ctx.CustomerGroup) &&
			(p.ValidFrom.IsZero() || !ctx.AsOf.Before(p.ValidFrom)) && (p.ValidUntil.IsZero() || ctx.AsOf.Before(p.ValidUntil)) {
			t.Prices = append(t.Prices, p)
		}
	}

	for _, rule := range snap.Tax.Rules() {
		if rule.Zone == ctx.TaxZone && (rule.ValidFrom.IsZero() || !ctx.AsOf.Before(rule.ValidFrom)) &&
			(rule.ValidUntil.IsZero() || ctx.AsOf.Before(rule.ValidUntil)) {
			t.Tax = append(t.Tax, rule)
		}
	}

	for _, e := range r.Promotions {
		if e.Status != promotion.Applied && e.Status != promotion.Blocked {
			continue
		}
		p, ok := snap.Promotions.Promotion(e.PromotionID)
		if !ok {
			return OrderTerms{}, &InputError{Field: "Snapshot.Promotions", Reason: fmt.Sprintf("promotion %q of the result is not in the snapshot", e.PromotionID), Kind: ErrSnapshot}
		}
		t.Promotions = append(t.Promotions, p)
	}
	slices.SortFunc(t.Promotions, func(a, b promotion.Promotion) int { return strings.Compare(a.ID, b.ID) })
	t.Promotions = slices.CompactFunc(t.Promotions, func(a, b promotion.Promotion) bool { return a.ID == b.ID })

	for _, f := range snap.Fees {
		if !slices.ContainsFunc(t.Fees, func(g FeeRule) bool { return g.Mode == f.Mode }) {
			t.Fees = append(t.Fees, f)
		}
	}
	slices.SortFunc(t.Fees, func(a, b FeeRule) int { return cmp.Compare(a.Mode, b.Mode) })

	for _, loc := range snap.Locations {
		if slices.Contains(ctx.StockSources, loc.ID) && !slices.ContainsFunc(t.Locations, func(l stock.Location) bool { return l.ID == loc.ID }) {
			t.Locations = append(t.Locations, cloneLocation(loc))
		}
	}
	slices.SortFunc(t.Locations, func(a, b stock.Location) int { return strings.Compare(a.ID, b.ID) })
	return t, nil
}

func cloneLocation(l stock.Location) stock.Location {
	l.Modes = slices.Clone(l.Modes)
	if l.LeadTimes != nil {
		l.LeadTimes = maps.Clone(l.LeadTimes)
	}
	return l
}

// snapshot rebuilds the pricing data of the terms. Its stock is made up
// from plan: each location gets, per SKU, exactly the units the plan
// allocates there, so that planning the same lines again allocates them
// the same way (lines take from the sources in order, and no source has a
// unit the plan did not take). Given the order's plan with some units
// taken off the end of each line's allocations ([keptPlan]), it sources
// the kept units where the order sourced them.
func (t OrderTerms) snapshot(plan stock.FulfilmentPlan) (Snapshot, error) {
	snap, err := t.base()
	if err != nil {
		return Snapshot{}, err
	}
	if snap.Stock, err = planLevels(plan); err != nil {
		return Snapshot{}, fmt.Errorf("%w: order terms: stock: %w", ErrSnapshot, err)
	}
	return snap, nil
}

// base is the snapshot of the terms without stock: the price book, the
// compiled promotions, the tax table, fees and locations, built once for
// every pricing a return needs.
func (t OrderTerms) base() (Snapshot, error) {
	fail := func(what string, err error) (Snapshot, error) {
		return Snapshot{}, fmt.Errorf("%w: order terms: %s: %w", ErrSnapshot, what, err)
	}
	prices, err := pricing.NewPriceBook(t.Prices)
	if err != nil {
		return fail("prices", err)
	}
	promos, err := promotion.Compile(t.Promotions)
	if err != nil {
		return fail("promotions", err)
	}
	tax, err := pricing.NewTaxTable(t.Tax)
	if err != nil {
		return fail("tax", err)
	}
	locs := make([]stock.Location, len(t.Locations))
	for i, l := range t.Locations {
		locs[i] = cloneLocation(l)
	}
	return Snapshot{Prices: prices, Promotions: promos, Tax: tax, Locations: locs, Fees: slices.Clone(t.Fees)}, nil
}

// planLevels is the stock that reproduces a plan's allocations: each
// allocated SKU × location holds exactly the units allocated there.
func planLevels(plan stock.FulfilmentPlan) (stock.Levels, error) {
	type key struct{ sku, loc string }
	units := map[key]int64{}
	var keys []key
	for _, l := range plan.Lines {
		for _, a := range l.Allocations {
			k := key{l.SKU, a.LocationID}
			if _, seen := units[k]; !seen {
				keys = append(keys, k)
			}
			units[k] += a.Quantity
		}
	}
	levels := make([]stock.Level, len(keys))
	for i, k := range keys {
		levels[i] = stock.Level{SKU: k.sku, LocationID: k.loc, OnHand: units[k]}
	}
	return stock.NewLevels(levels)
}

// keptPlan is the order's plan for the kept quantities (line ID → units,
// lines absent or at 0 dropped): each line keeps a prefix of its
// allocations in source order, the returned units coming off the last
// sources first. Synthesised into stock by [OrderTerms.snapshot], such a
// plan is what planning the kept lines gives again: a line that took from
// a later source had exhausted the earlier ones for every line after it.
func keptPlan(plan stock.FulfilmentPlan, kept map[string]int64) stock.FulfilmentPlan {
	var out stock.FulfilmentPlan
	for _, l := range plan.Lines {
		q := kept[l.LineID]
		if q <= 0 {
			continue
		}
		k := stock.LinePlan{LineID: l.LineID, SKU: l.SKU, Quantity: q}
		left := q
		for _, a := range l.Allocations {
			if left == 0 {
				break
			}
			a.Quantity = min(a.Quantity, left)
			left -= a.Quantity
			k.Allocations = append(k.Allocations, a)
		}
		k.Short = left
		out.Lines = append(out.Lines, k)
	}
	return out
}

// repriceOnTerms prices the order's lines at the kept quantities (line ID
// → units; lines absent or at 0 are left out) under the order's terms, as
// the order would have been priced had it held only those: same context
// and as-of time, same options, the order's result as the previous one so
// that protected and quote-locked prices carry over exactly as they did
// (and, like them, not below the quantity they were granted at). It
// returns nil when nothing is kept.
func repriceOnTerms(order *Basket, kept map[string]int64, base Snapshot) (*Result, error) {
	k := order.Clone()
	k.Lines = k.Lines[:0:0]
	for _, l := range order.Lines {
		if q := kept[l.ID]; q > 0 {
			l.Quantity = q
			l.Product.Categories = slices.Clone(l.Product.Categories)
			k.Lines = append(k.Lines, l)
		}
	}
	if len(k.Lines) == 0 {
		return nil, nil
	}
	for i := range k.Lines {
		// A service whose line went back stays, priced as it was; it
		// is no longer attached to anything.
		if p := k.Lines[i].ParentID; p != "" && kept[p] <= 0 {
			k.Lines[i].ParentID = ""
		}
	}
	var err error
	if k.Overrides, err = keptOverrides(order, kept); err != nil {
		return nil, err
	}
	terms := order.Order.Terms
	// A quote-locked price is carried only by a quote whose lock runs at
	// the as-of time: an order placed from a quote is re-priced as that
	// quote was.
	if slices.ContainsFunc(order.Result.Lines, func(l PricedLine) bool { return l.Basis == BasisQuoteLocked }) {
		k.Status, k.QuoteLockedUntil = Quote, terms.Context.AsOf.Add(time.Nanosecond)
	}
	snap := base
	if snap.Stock, err = planLevels(keptPlan(order.Result.Plan, kept)); err != nil {
		return nil, fmt.Errorf("%w: order terms: stock: %w", ErrSnapshot, err)
	}
	r, err := Recontextualize(k, terms.Context, snap, terms.Options)
	if err != nil {
		return nil, err
	}
	if !r.Complete {
		return nil, &InputError{Field: "Order.Terms", Reason: "the order's terms do not price every kept line", Kind: ErrSnapshot}
	}
	return r, nil
}
