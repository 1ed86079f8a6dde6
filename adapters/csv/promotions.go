package csv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/excerpt"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

func promotionSchema() schema {
	return schema{
		columns: []string{
			"id", "name", "lane", "effect", "currency",
			"channels", "kinds", "locations", "customer_groups", "loyalty_tiers", "starts_at", "ends_at",
			"coupon", "min_subtotal", "min_quantity", "quantity_skus", "quantity_categories",
			"skus", "categories", "percent", "amount", "buy", "get", "pick", "components", "tiers", "fee_modes",
			"priority", "exclusive", "best_of_group", "max_applications",
		},
		required: []string{"id", "effect"},
	}
}

// ForEachPromotion streams the promotions of r to fn, one row at a time.
// Each promotion delivered is valid on its own (promotion.Compile accepts
// it alone); rows are not checked against each other (see
// [LoadPromotions]). It returns nil, a [*LoadError] listing the bad rows,
// the first error of fn (as is), ctx.Err(), or a read error of r.
func ForEachPromotion(ctx context.Context, r io.Reader, opts Options, fn func(promotion.Promotion) error) error {
	return run(ctx, r, opts, promotionSchema(), parsePromotion, func(_ *reader, p promotion.Promotion) error { return fn(p) })
}

// LoadPromotions reads every promotion of r and checks them together as
// promotion.Compile does (unique IDs, best-of groups within one lane and
// of bounded size), so that Compile accepts the result. The load is all
// or nothing: on any problem it returns no promotions and a [*LoadError],
// unless Options.SkipInvalidRows asks for the valid ones (a promotion that
// only fails with others is then left out).
func LoadPromotions(ctx context.Context, r io.Reader, opts Options) ([]promotion.Promotion, error) {
	var out []promotion.Promotion
	lines := map[string]int{}
	var rd *reader
	err := run(ctx, r, opts, promotionSchema(), parsePromotion, func(x *reader, p promotion.Promotion) error {
		rd = x
		if first, dup := lines[p.ID]; dup {
			x.fail("id", fmt.Sprintf("promotion %s is already defined on line %d", excerpt.Quote(p.ID), first), nil)
			return errBadRow
		}
		lines[p.ID] = x.line(-1)
		out = append(out, p)
		return nil
	})
	var le *LoadError
	if err != nil && !errors.As(err, &le) || le != nil && le.Aborted || rd == nil {
		return loaded(out, err, opts)
	}
	// Checks across rows; each round drops the promotions named.
	for {
		_, cerr := promotion.Compile(out)
		if cerr == nil {
			break
		}
		drop := map[string]bool{}
		for _, ve := range validationErrors(cerr) {
			rd.add(lines[ve.PromotionID], rd.columnName(promotionColumn(ve.Field)), ve.Reason, ve.Err)
			drop[ve.PromotionID] = true
		}
		if len(drop) == 0 { // not a validation error: give up
			return nil, cerr
		}
		out = slices.DeleteFunc(out, func(p promotion.Promotion) bool { return drop[p.ID] })
	}
	return loaded(out, rd.result(), opts)
}

// columnName returns the header name of a canonical column when the file
// has it.
func (rd *reader) columnName(column string) string {
	if i, ok := rd.col[column]; ok {
		return rd.header[i]
	}
	return column
}

// validationErrors lists the *promotion.ValidationError of a Compile error.
func validationErrors(err error) []*promotion.ValidationError {
	var out []*promotion.ValidationError
	var walk func(error)
	walk = func(err error) {
		var ve *promotion.ValidationError
		if errors.As(err, &ve) && ve == err {
			out = append(out, ve)
			return
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		if errors.As(err, &ve) {
			out = append(out, ve)
		}
	}
	walk(err)
	return out
}

// promotionColumn maps a field of promotion.ValidationError to a column.
func promotionColumn(field string) string {
	switch {
	case strings.HasPrefix(field, "QuantityTarget"):
		if strings.Contains(field, "Categories") {
			return "quantity_categories"
		}
		return "quantity_skus"
	case strings.HasPrefix(field, "Effect.Target"):
		if strings.Contains(field, "Categories") {
			return "categories"
		}
		return "skus"
	case strings.HasPrefix(field, "Effect.Components"):
		return "components"
	case strings.HasPrefix(field, "Effect.Tiers"):
		return "tiers"
	}
	switch field {
	case "ID":
		return "id"
	case "Name":
		return "name"
	case "Lane":
		return "lane"
	case "Channels":
		return "channels"
	case "Kinds":
		return "kinds"
	case "Locations":
		return "locations"
	case "CustomerGroups":
		return "customer_groups"
	case "LoyaltyTiers":
		return "loyalty_tiers"
	case "StartsAt":
		return "starts_at"
	case "EndsAt":
		return "ends_at"
	case "Coupon":
		return "coupon"
	case "MinSubtotal":
		return "min_subtotal"
	case "MinQuantity":
		return "min_quantity"
	case "MaxApplications":
		return "max_applications"
	case "BestOfGroup":
		return "best_of_group"
	case "Priority":
		return "priority"
	case "Effect.Kind":
		return "effect"
	case "Effect.Percent":
		return "percent"
	case "Effect.Amount":
		return "amount"
	case "Effect.Buy":
		return "buy"
	case "Effect.Get":
		return "get"
	case "Effect.Pick":
		return "pick"
	case "Effect.FeeModes":
		return "fee_modes"
	}
	return ""
}

// enumValues lists the valid values of an enumeration starting at first.
func enumValues[T ~uint8](first T, valid func(T) bool) []T {
	var out []T
	for v := first; valid(v) && len(out) < math.MaxUint8; v++ {
		out = append(out, v)
	}
	return out
}

// defaultLane is the lane of an effect when the lane column is empty.
func defaultLane(k promotion.EffectKind) promotion.Lane {
	switch k {
	case promotion.PercentOff, promotion.AmountOff, promotion.FixedPrice:
		return promotion.Catalogue
	case promotion.FeeDiscount:
		return promotion.Fulfilment
	}
	return promotion.Basket
}

func parsePromotion(rd *reader) (promotion.Promotion, bool) {
	var p promotion.Promotion
	ok := true
	step := func(good bool) { ok = ok && good }
	var good bool

	p.ID, good = rd.required("id")
	step(good)
	p.Name = rd.value("name")
	if v, present := rd.required("effect"); present {
		k, err := enum(v, enumValues(promotion.PercentOff, promotion.EffectKind.Valid), nil)
		if err != nil {
			rd.fail("effect", err.Error(), nil)
			ok = false
		}
		p.Effect.Kind = k
	} else {
		ok = false
	}
	if v := rd.value("lane"); v != "" {
		l, err := enum(v, enumValues(promotion.Catalogue, promotion.Lane.Valid),
			map[string]promotion.Lane{"catalog": promotion.Catalogue, "fulfillment": promotion.Fulfilment})
		if err != nil {
			rd.fail("lane", err.Error(), nil)
			ok = false
		}
		p.Lane = l
	} else if p.Effect.Kind.Valid() {
		p.Lane = defaultLane(p.Effect.Kind)
	}

	// Scope.
	p.Channels, good = rd.list("channels")
	step(good)
	p.Kinds, good = enumList(rd, "kinds", enumValues(channel.Web, channel.Kind.Valid))
	step(good)
	p.Locations, good = rd.list("locations")
	step(good)
	p.CustomerGroups, good = rd.list("customer_groups")
	step(good)
	p.LoyaltyTiers, good = rd.list("loyalty_tiers")
	step(good)
	p.StartsAt, good = rd.time("starts_at")
	step(good)
	p.EndsAt, good = rd.time("ends_at")
	step(good)

	// Conditions.
	p.Coupon = rd.value("coupon")
	cur, curOK := rd.currency("currency")
	step(curOK)
	if curOK && cur.IsZero() {
		for _, c := range []string{"min_subtotal", "amount", "tiers"} {
			if rd.value(c) != "" {
				rd.fail("currency", fmt.Sprintf("required when %s is given", c), nil)
				ok, curOK = false, false
				break
			}
		}
	}
	if curOK {
		p.MinSubtotal, good = rd.money("min_subtotal", cur)
		step(good)
		p.Effect.Amount, good = rd.money("amount", cur)
		step(good)
		p.Effect.Tiers, good = rd.tiers("tiers", cur)
		step(good)
	}
	p.MinQuantity, good = rd.count("min_quantity", 0)
	step(good)
	p.QuantityTarget, good = rd.target("quantity_skus", "quantity_categories")
	step(good)

	// Effect.
	p.Effect.Target, good = rd.target("skus", "categories")
	step(good)
	if v := rd.value("percent"); v != "" {
		r, err := rd.parsePercent(v)
		if err != nil {
			rd.fail("percent", err.Error(), err)
			ok = false
		}
		p.Effect.Percent = r
	}
	p.Effect.Buy, good = rd.count("buy", 0)
	step(good)
	p.Effect.Get, good = rd.count("get", 0)
	step(good)
	if v := rd.value("pick"); v != "" {
		pk, err := enum(v, enumValues(promotion.Cheapest, promotion.Pick.Valid), nil)
		if err != nil {
			rd.fail("pick", err.Error(), nil)
			ok = false
		}
		p.Effect.Pick = pk
	}
	if v := rd.value("components"); v != "" {
		cs, err := parseComponents(v)
		if err != nil {
			rd.fail("components", err.Error(), nil)
			ok = false
		}
		p.Effect.Components = cs
	}
	p.Effect.FeeModes, good = enumList(rd, "fee_modes", enumValues(channel.CarryOut, channel.FulfilmentMode.Valid))
	step(good)

	// Stacking and limits.
	p.Priority, good = rd.count("priority", math.MinInt64)
	step(good)
	p.Exclusive, good = rd.flag("exclusive")
	step(good)
	p.BestOfGroup = rd.value("best_of_group")
	p.MaxApplications, good = rd.count("max_applications", 0)
	step(good)
	if !ok {
		return p, false
	}
	// The promotion engine's own rules, reported against the columns.
	if _, err := promotion.Compile([]promotion.Promotion{p}); err != nil {
		ves := validationErrors(err)
		if len(ves) == 0 {
			rd.fail("", err.Error(), err)
		}
		for _, ve := range ves {
			rd.fail(promotionColumn(ve.Field), ve.Reason, ve.Err)
		}
		return p, false
	}
	return p, true
}

// enumList reads a '|'-separated list of enumeration names.
func enumList[T interface{ String() string }](rd *reader, column string, values []T) ([]T, bool) {
	names, ok := rd.list(column)
	if !ok || len(names) == 0 {
		return nil, ok
	}
	out := make([]T, len(names))
	for i, n := range names {
		v, err := enum(n, values, nil)
		if err != nil {
			rd.fail(column, err.Error(), nil)
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// target reads a target from a SKU column and a category column: '|'
// lists, the SKU column holding "*" alone for every line.
func (rd *reader) target(skuColumn, catColumn string) (promotion.Target, bool) {
	var t promotion.Target
	skus, ok1 := rd.list(skuColumn)
	cats, ok2 := rd.list(catColumn)
	if !ok1 || !ok2 {
		return t, false
	}
	if slices.Contains(skus, "*") {
		if len(skus) > 1 {
			rd.fail(skuColumn, `"*" (every line) cannot be combined with SKUs`, nil)
			return t, false
		}
		t.All = true
		skus = nil
	}
	t.SKUs, t.Categories = skus, cats
	return t, true
}

// parseTarget reads a target of the components column: "*" or "all", or
// terms joined by '+', each "sku=A,B" or "category=c,d".
func parseTarget(s string) (promotion.Target, error) {
	var t promotion.Target
	if s == "*" || strings.EqualFold(s, "all") {
		t.All = true
		return t, nil
	}
	terms, err := splitList(s, "+")
	if err != nil || len(terms) == 0 {
		return t, fmt.Errorf("%s: empty target", excerpt.Quote(s))
	}
	for _, term := range terms {
		key, vals, found := strings.Cut(term, "=")
		if !found {
			return t, fmt.Errorf("%s: want sku=… or category=…", excerpt.Quote(term))
		}
		xs, err := splitList(strings.TrimSpace(vals), ",")
		if err != nil || len(xs) == 0 {
			return t, fmt.Errorf("%s: empty list", excerpt.Quote(term))
		}
		switch enumKey(key) {
		case "sku", "skus":
			t.SKUs = append(t.SKUs, xs...)
		case "category", "categories":
			t.Categories = append(t.Categories, xs...)
		default:
			return t, fmt.Errorf("%s: want sku=… or category=…", excerpt.Quote(term))
		}
	}
	return t, nil
}

// parseComponents reads "TARGET:QUANTITY|TARGET:QUANTITY…".
func parseComponents(s string) ([]promotion.Component, error) {
	parts, err := splitList(s, "|")
	if err != nil {
		return nil, err
	}
	out := make([]promotion.Component, len(parts))
	for i, part := range parts {
		j := strings.LastIndexByte(part, ':')
		if j < 0 {
			return nil, fmt.Errorf("component %s: want TARGET:QUANTITY", excerpt.Quote(part))
		}
		q, err := strconv.ParseInt(strings.TrimSpace(part[j+1:]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("component %s: quantity is not a whole number", excerpt.Quote(part))
		}
		t, err := parseTarget(strings.TrimSpace(part[:j]))
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", excerpt.Quote(part), err)
		}
		out[i] = promotion.Component{Target: t, Quantity: q}
	}
	return out, nil
}

// tiers reads "THRESHOLD:DISCOUNT|…", a discount being an amount or a
// percentage ending in '%'.
func (rd *reader) tiers(column string, cur pricing.Currency) ([]promotion.Tier, bool) {
	parts, err := splitList(rd.value(column), "|")
	if err != nil {
		rd.fail(column, err.Error(), nil)
		return nil, false
	}
	var out []promotion.Tier
	for _, part := range parts {
		j := strings.LastIndexByte(part, ':')
		if j < 0 {
			rd.fail(column, fmt.Sprintf("tier %s: want THRESHOLD:AMOUNT or THRESHOLD:PERCENT%%", excerpt.Quote(part)), nil)
			return nil, false
		}
		var t promotion.Tier
		if t.Threshold, err = rd.parseMoney(strings.TrimSpace(part[:j]), cur); err != nil {
			rd.fail(column, fmt.Sprintf("tier %s: threshold: %v", excerpt.Quote(part), err), err)
			return nil, false
		}
		d := strings.TrimSpace(part[j+1:])
		if strings.HasSuffix(d, "%") {
			t.Percent, err = rd.parsePercent(d)
		} else {
			t.Amount, err = rd.parseMoney(d, cur)
		}
		if err != nil {
			rd.fail(column, fmt.Sprintf("tier %s: discount: %v", excerpt.Quote(part), err), err)
			return nil, false
		}
		out = append(out, t)
	}
	return out, true
}
