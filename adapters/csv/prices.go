package csv

import (
	"context"
	"fmt"
	"io"

	"github.com/omnibasket/omnibasket/pricing"
)

func priceSchema() schema {
	return schema{
		columns:  []string{"sku", "list", "currency", "unit_price", "price_per", "min_quantity", "customer_group", "valid_from", "valid_until"},
		required: []string{"sku", "list", "currency", "unit_price"},
	}
}

// ForEachPrice streams the price-list entries of r to fn, one row at a
// time, in constant memory.
//
// A unit_price may carry up to six decimals whatever the currency (B2B
// and fuel: 0,0125 EUR a screw, 1,859 EUR a litre; a seventh non-zero
// decimal is refused, never rounded), and the optional price_per column
// gives the quantity it is for (12,50 EUR per 1000 screws; empty or 1:
// per unit). An entry that a Money holds exactly comes in Price.Unit as
// before; any other in Price.Precise. Each entry delivered is valid on its own; rows
// are not checked against each other (see [LoadPrices]). It returns nil,
// a [*LoadError] listing the bad rows, the first error of fn (as is),
// ctx.Err(), or a read error of r. See [Options] for what happens after a
// bad row; entries before it have been delivered.
func ForEachPrice(ctx context.Context, r io.Reader, opts Options, fn func(pricing.Price) error) error {
	return run(ctx, r, opts, priceSchema(), parsePrice, func(_ *reader, p pricing.Price) error { return fn(p) })
}

// LoadPrices reads every price-list entry of r. Beyond the rows, it
// refuses an entry given twice (same list, SKU, currency, customer group,
// tier and start), so that pricing.NewPriceBook accepts the result. The
// load is all or nothing: on any problem it returns no entries and a
// [*LoadError], unless Options.SkipInvalidRows asks for the valid ones.
func LoadPrices(ctx context.Context, r io.Reader, opts Options) ([]pricing.Price, error) {
	type key struct {
		list, sku, cur, group string
		tier                  int64
		fromSec               int64
		fromNsec              int
	}
	var out []pricing.Price
	seen := map[key]int{}
	err := run(ctx, r, opts, priceSchema(), parsePrice, func(rd *reader, p pricing.Price) error {
		k := key{p.ListID, p.SKU, p.UnitPrice().Currency().Code(), p.CustomerGroup, p.MinQuantity, p.ValidFrom.Unix(), p.ValidFrom.Nanosecond()}
		if first, dup := seen[k]; dup {
			rd.fail("", fmt.Sprintf("duplicate of line %d: same list, SKU, currency, customer group, tier and start", first), nil)
			return errBadRow
		}
		seen[k] = rd.line(-1)
		out = append(out, p)
		return nil
	})
	return loaded(out, err, opts)
}

func parsePrice(rd *reader) (pricing.Price, bool) {
	var p pricing.Price
	ok := true
	check := func(good bool) { ok = ok && good }
	var good bool
	p.SKU, good = rd.required("sku")
	check(good)
	p.ListID, good = rd.required("list")
	check(good)
	p.CustomerGroup = rd.value("customer_group")
	p.MinQuantity, good = rd.count("min_quantity", 0)
	check(good)
	per, good := rd.count("price_per", 1) // 0: empty, per unit
	if good && per > pricing.MaxPer {
		rd.fail("price_per", fmt.Sprintf("%d is above %d", per, pricing.MaxPer), nil)
		good = false
	}
	check(good)
	p.ValidFrom, good = rd.time("valid_from")
	check(good)
	p.ValidUntil, good = rd.time("valid_until")
	check(good)
	if good && ok && !p.ValidFrom.IsZero() && !p.ValidUntil.IsZero() && !p.ValidUntil.After(p.ValidFrom) {
		rd.fail("valid_until", "must be after valid_from", nil)
		ok = false
	}
	if _, present := rd.required("currency"); !present {
		return p, false
	}
	cur, good := rd.currency("currency")
	if !good {
		return p, false
	}
	v, present := rd.required("unit_price")
	if !present {
		return p, false
	}
	unit, err := rd.parseUnitPrice(v, cur)
	switch {
	case err != nil:
		rd.fail("unit_price", err.Error(), err)
		return p, false
	case unit.IsNegative():
		rd.fail("unit_price", fmt.Sprintf("%s is negative", unit), nil)
		return p, false
	}
	if per > 1 {
		if unit, err = unit.WithPer(per); err != nil { // cannot fail: per was checked
			rd.fail("price_per", err.Error(), err)
			return p, false
		}
	}
	var exact bool
	if p.Unit, exact = unit.Exact(); !exact {
		p.Precise = unit
	}
	return p, ok
}

// parseUnitPrice reads an exact unit price of cur, with up to
// pricing.UnitPriceDecimals decimals.
func (rd *reader) parseUnitPrice(s string, cur pricing.Currency) (pricing.UnitPrice, error) {
	d, err := rd.decimalText(s)
	if err != nil {
		return pricing.UnitPrice{}, err
	}
	return pricing.ParseUnitPriceIn(d, cur)
}
