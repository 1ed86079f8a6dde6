package csv

import (
	"context"
	"fmt"
	"io"

	"github.com/omnibasket/omnibasket/internal/excerpt"
	"github.com/omnibasket/omnibasket/stock"
)

func stockSchema() schema {
	return schema{
		columns:  []string{"sku", "location", "on_hand", "reserved", "next_arrival"},
		required: []string{"sku", "location", "on_hand"},
	}
}

// ForEachStock streams the stock levels of r to fn, one row at a time, in
// constant memory whatever the number of rows. Each level delivered is
// valid on its own; rows are not checked against each other (see
// [LoadStock]). It returns nil, a [*LoadError] listing the bad rows, the
// first error of fn (as is), ctx.Err(), or a read error of r. See
// [Options] for what happens after a bad row; levels before it have been
// delivered.
func ForEachStock(ctx context.Context, r io.Reader, opts Options, fn func(stock.Level) error) error {
	return run(ctx, r, opts, stockSchema(), parseLevel, func(_ *reader, l stock.Level) error { return fn(l) })
}

// LoadStock reads every stock level of r. Beyond the rows, it refuses a
// SKU × location pair given twice, so that stock.NewLevels accepts the
// result. The load is all or nothing: on any problem it returns no levels
// and a [*LoadError], unless Options.SkipInvalidRows asks for the valid
// ones.
func LoadStock(ctx context.Context, r io.Reader, opts Options) ([]stock.Level, error) {
	type key struct{ sku, loc string }
	var out []stock.Level
	seen := map[key]int{}
	err := run(ctx, r, opts, stockSchema(), parseLevel, func(rd *reader, l stock.Level) error {
		k := key{l.SKU, l.LocationID}
		if first, dup := seen[k]; dup {
			rd.fail("", fmt.Sprintf("duplicate of line %d: %s at %s", first, excerpt.Quote(l.SKU), excerpt.Quote(l.LocationID)), nil)
			return errBadRow
		}
		seen[k] = rd.line(-1)
		out = append(out, l)
		return nil
	})
	return loaded(out, err, opts)
}

func parseLevel(rd *reader) (stock.Level, bool) {
	var l stock.Level
	ok := true
	var good bool
	l.SKU, good = rd.required("sku")
	ok = ok && good
	l.LocationID, good = rd.required("location")
	ok = ok && good
	if _, present := rd.required("on_hand"); present {
		l.OnHand, good = rd.count("on_hand", 0)
		ok = ok && good
	} else {
		ok = false
	}
	l.Reserved, good = rd.count("reserved", 0)
	ok = ok && good
	l.NextArrival, good = rd.time("next_arrival")
	return l, ok && good
}
