package pricing

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

// Price is one entry of a price list: the unit price of a SKU, optionally
// only from a quantity (a tier), only for a customer group, or only within
// a validity window.
//
// Exactly one of Unit and Precise carries the price: Unit for an ordinary
// price in minor units, Precise for one with more decimals than the
// currency or given per a quantity (0.0125 EUR a screw, 12.50 EUR per
// 1,000). [Price.UnitPrice] reads either.
type Price struct {
	ListID string `json:"list_id"`
	SKU    string `json:"sku"`
	Unit   Money  `json:"unit"`
	// Precise is the price when Unit cannot hold it; Unit is then unset.
	Precise UnitPrice `json:"precise,omitzero"`
	// MinQuantity is the tier threshold: the price applies when the merged
	// quantity of the SKU in the basket is at least this. 0 and 1 both mean
	// the base price.
	MinQuantity int64 `json:"min_quantity,omitempty"`
	// CustomerGroup restricts the price to one group; empty means everyone.
	CustomerGroup string `json:"customer_group,omitempty"`
	// ValidFrom and ValidUntil bound the price in time, [from, until); a
	// zero time leaves that side open.
	ValidFrom  time.Time `json:"valid_from,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// UnitPrice returns the entry's price, whichever of Unit and Precise
// carries it (Precise when both are set, which [NewPriceBook] refuses).
func (p Price) UnitPrice() UnitPrice {
	if !p.Precise.cur.IsZero() {
		return p.Precise
	}
	return UnitPriceOf(p.Unit)
}

// PriceQuery asks a [PriceSource] for the entries of many SKUs in the lists
// of one chain.
type PriceQuery struct {
	Lists []string
	SKUs  []string
}

// PriceSource answers a whole basket in one call. Implementations may
// return entries in any order and may include entries that do not apply
// (other tiers, groups, windows); resolution picks.
type PriceSource interface {
	Prices(ctx context.Context, q PriceQuery) ([]Price, error)
}

// PriceRef says where a resolved price came from, so that a change report
// can tell the shopper "store price list, 3-for tier".
type PriceRef struct {
	ListID        string `json:"list_id"`
	MinQuantity   int64  `json:"min_quantity,omitempty"`
	CustomerGroup string `json:"customer_group,omitempty"`
}

// Resolved is the unit price chosen for a SKU and its provenance. Precise
// is the price exactly, always set; Unit is the price of one unit rounded
// half-even to the currency, for display and for callers that predate
// precise prices: it is exact for an ordinary price. Price a line with
// Precise.Mul, which rounds once.
type Resolved struct {
	SKU     string    `json:"sku"`
	Unit    Money     `json:"unit"`
	Precise UnitPrice `json:"precise,omitzero"`
	Source  PriceRef  `json:"source"`
}

// NoPriceError reports a SKU that no list in the chain prices in the
// context's currency at its as-of time. It matches [ErrNoPrice]: a missing
// price is never a zero price.
type NoPriceError struct {
	SKU   string
	Lists []string
}

func (e *NoPriceError) Error() string {
	return fmt.Sprintf("pricing: no price for %q in lists %s", e.SKU, strings.Join(e.Lists, " → "))
}

// Unwrap returns [ErrNoPrice].
func (e *NoPriceError) Unwrap() error { return ErrNoPrice }

// PriceBook is an immutable, indexed set of price-list entries, safe for
// concurrent use. It is both a [PriceSource] (in memory) and the resolver
// every price goes through. Entries are stored without pointers (list and
// group IDs interned, times as integers), so a book of millions of prices
// costs the garbage collector almost nothing to scan.
type PriceBook struct {
	lists  []string         // interned list IDs
	groups []string         // interned customer groups; index 0 is ""
	ids    map[string]int32 // list ID → index in lists
	gids   map[string]int32 // group → index in groups
	bySKU  map[string][]entry
	n      int
}

// entry is the compact resolution form of a Price.
type entry struct {
	list   int32
	group  int32 // 0: everyone
	minQty int64
	from   int64 // UnixNano, or openFrom
	to     int64 // UnixNano, or openTo
	unit   UnitPrice
}

const (
	openFrom = math.MinInt64
	openTo   = math.MaxInt64
)

// nanos maps a validity bound to an integer, clamping times outside the
// int64 nanosecond range (years before 1678 or after 2262) to the open end
// they are equivalent to for any realistic as-of time.
func nanos(t time.Time, open int64) int64 {
	switch {
	case t.IsZero():
		return open
	case t.Before(time.Unix(0, math.MinInt64+1)):
		return math.MinInt64 + 1
	case t.After(time.Unix(0, math.MaxInt64-1)):
		return math.MaxInt64 - 1
	}
	return t.UnixNano()
}

func fromNanos(n, open int64) time.Time {
	if n == open {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// NewPriceBook validates and indexes entries. It rejects empty IDs, an
// entry with no price or with both Unit and Precise set, negative prices,
// negative tiers, empty windows and two entries with the same list, SKU,
// currency, group, tier and start, which would make resolution ambiguous.
func NewPriceBook(entries []Price) (*PriceBook, error) {
	b := &PriceBook{groups: []string{""}, ids: map[string]int32{}, gids: map[string]int32{"": 0}, bySKU: make(map[string][]entry, len(entries)), n: len(entries)}
	for i, p := range entries {
		field := fmt.Sprintf("prices[%d]", i)
		switch {
		case p.ListID == "":
			return nil, invalid(field+".ListID", "must not be empty")
		case p.SKU == "":
			return nil, invalid(field+".SKU", "must not be empty")
		case p.Unit.cur.IsZero() && p.Precise.cur.IsZero():
			return nil, invalid(field+".Unit", "has no currency")
		case !p.Unit.cur.IsZero() && !p.Precise.cur.IsZero():
			return nil, invalid(field+".Precise", "set with Unit: an entry has one price")
		case p.UnitPrice().IsNegative():
			return nil, invalid(field+".Unit", "%s is negative", p.UnitPrice())
		case p.MinQuantity < 0:
			return nil, invalid(field+".MinQuantity", "%d is negative", p.MinQuantity)
		case !p.ValidFrom.IsZero() && !p.ValidUntil.IsZero() && !p.ValidUntil.After(p.ValidFrom):
			return nil, invalid(field+".ValidUntil", "window is empty")
		}
		b.bySKU[p.SKU] = append(b.bySKU[p.SKU], entry{
			list: intern(&b.lists, b.ids, p.ListID), group: intern(&b.groups, b.gids, p.CustomerGroup),
			minQty: p.MinQuantity, from: nanos(p.ValidFrom, openFrom), to: nanos(p.ValidUntil, openTo), unit: p.UnitPrice(),
		})
	}
	for sku, es := range b.bySKU {
		slices.SortFunc(es, b.compareEntry)
		for i := 1; i < len(es); i++ {
			if b.compareEntry(es[i-1], es[i]) == 0 {
				e := es[i]
				return nil, invalid("prices", "duplicate entry for %q in list %q (group %q, tier %d)", sku, b.lists[e.list], b.groups[e.group], e.minQty)
			}
		}
	}
	return b, nil
}

func intern(names *[]string, ids map[string]int32, s string) int32 {
	id, ok := ids[s]
	if !ok {
		id = int32(len(*names))
		ids[s] = id
		*names = append(*names, s)
	}
	return id
}

// compareEntry orders entries by list, currency, group, tier and start by
// name (not by interned number), so the order does not depend on input order.
func (b *PriceBook) compareEntry(x, y entry) int {
	return cmp.Or(
		cmp.Compare(b.lists[x.list], b.lists[y.list]),
		cmp.Compare(x.unit.cur.Code(), y.unit.cur.Code()),
		cmp.Compare(b.groups[x.group], b.groups[y.group]),
		cmp.Compare(x.minQty, y.minQty),
		cmp.Compare(x.from, y.from),
	)
}

// Len returns the number of entries.
func (b *PriceBook) Len() int { return b.n }

// Prices implements [PriceSource]: the entries of the queried SKUs in the
// queried lists, sorted by SKU, then list, currency, group, tier and start.
// A price that a Money holds exactly comes back in Unit, any other in
// Precise.
func (b *PriceBook) Prices(ctx context.Context, q PriceQuery) ([]Price, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	skus := slices.Clone(q.SKUs)
	slices.Sort(skus)
	skus = slices.Compact(skus)
	var out []Price
	for _, sku := range skus {
		for _, e := range b.bySKU[sku] {
			if list := b.lists[e.list]; slices.Contains(q.Lists, list) {
				p := Price{ListID: list, SKU: sku, MinQuantity: e.minQty, CustomerGroup: b.groups[e.group],
					ValidFrom: fromNanos(e.from, openFrom), ValidUntil: fromNanos(e.to, openTo)}
				var exact bool
				if p.Unit, exact = e.unit.Exact(); !exact {
					p.Precise = e.unit
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Resolver resolves prices for one channel context. Build it once per
// basket with [PriceBook.For]: the chain, currency, group and time are
// bound up front so that each line costs one map lookup and a short scan.
type Resolver struct {
	b     *PriceBook
	chain []int32 // -1 for a list the book does not know
	names []string
	cur   Currency
	group int32 // -1: a group the book has no price for
	at    int64
}

// For binds the book to a context. A context currency the book cannot
// price in simply resolves nothing ([ErrNoPrice] per SKU).
func (b *PriceBook) For(c channel.Context) Resolver {
	r := Resolver{b: b, chain: make([]int32, len(c.PriceLists)), names: c.PriceLists, group: -1, at: nanos(c.AsOf, 0)}
	if g, ok := b.gids[c.CustomerGroup]; ok {
		r.group = g
	}
	r.cur, _ = LookupCurrency(c.Currency)
	for i, l := range c.PriceLists {
		id, ok := b.ids[l]
		if !ok {
			id = -1
		}
		r.chain[i] = id
	}
	return r
}

// Resolve picks the unit price of sku for a merged basket quantity in a
// channel context; see [Resolver.Resolve].
func (b *PriceBook) Resolve(sku string, qty int64, c channel.Context) (Resolved, error) {
	return b.For(c).Resolve(sku, qty)
}

// Resolve picks the unit price of sku for a merged basket quantity. The
// lists of the chain are tried most specific first; the first list with an
// applicable entry wins. Within that list an entry applies when it is in
// the context's currency, valid at the as-of time, for everyone or for the
// context's customer group, and its tier is reached by qty; among those, a
// customer-group price beats a public one, then the highest tier reached
// wins, then the most recent window start. A SKU with no applicable entry
// anywhere gives a [*NoPriceError].
func (r Resolver) Resolve(sku string, qty int64) (Resolved, error) {
	entries := r.b.bySKU[sku]
	for ci, list := range r.chain {
		if list < 0 {
			continue
		}
		best := -1
		for i := range entries {
			e := &entries[i]
			if e.list != list || !r.applies(e, qty) {
				continue
			}
			if best < 0 || better(e, &entries[best]) {
				best = i
			}
		}
		if best >= 0 {
			e := &entries[best]
			unit := Money{units: e.unit.coef, cur: e.unit.cur}
			if e.unit.ps != 1<<1 { // not an ordinary price (per 1, in minor units)
				unit = e.unit.rounded()
			}
			return Resolved{SKU: sku, Unit: unit, Precise: e.unit, Source: PriceRef{ListID: r.names[ci], MinQuantity: e.minQty, CustomerGroup: r.b.groups[e.group]}}, nil
		}
	}
	return Resolved{}, &NoPriceError{SKU: sku, Lists: slices.Clone(r.names)}
}

func (r *Resolver) applies(e *entry, qty int64) bool {
	return e.unit.cur == r.cur &&
		(e.group == 0 || e.group == r.group) &&
		e.minQty <= qty &&
		e.from <= r.at && r.at < e.to
}

func better(p, q *entry) bool {
	if (p.group != 0) != (q.group != 0) {
		return p.group != 0
	}
	if p.minQty != q.minQty {
		return p.minQty > q.minQty
	}
	return p.from > q.from
}

// rounded is the price of one unit rounded half-even, as [Resolved.Unit]
// shows a precise price. It cannot fail: the price of one unit is at most
// that of Per units. Kept out of line so that resolving an ordinary price
// costs what it did before precise prices.
//
//go:noinline
func (u UnitPrice) rounded() Money {
	m, _ := u.Round(HalfEven)
	return m
}
