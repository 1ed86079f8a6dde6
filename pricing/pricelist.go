package pricing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

// Price is one entry of a price list: the unit price of a SKU, optionally
// only from a quantity (a tier), only for a customer group, or only within
// a validity window.
type Price struct {
	ListID string `json:"list_id"`
	SKU    string `json:"sku"`
	Unit   Money  `json:"unit"`
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

// Resolved is the unit price chosen for a SKU and its provenance.
type Resolved struct {
	SKU    string   `json:"sku"`
	Unit   Money    `json:"unit"`
	Source PriceRef `json:"source"`
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
// every price goes through.
type PriceBook struct {
	lists []string         // interned list IDs
	ids   map[string]int32 // list ID → index in lists
	bySKU map[string][]entry
	raw   map[string][]Price // for Prices: the entries as given, per SKU
	n     int
}

// entry is the compact resolution form of a Price: list IDs interned to
// integers so the hot loop compares ints, not strings.
type entry struct {
	list     int32
	minQty   int64
	group    string
	from, to time.Time
	unit     Money
}

// NewPriceBook validates and indexes entries. It rejects empty IDs,
// negative prices, negative tiers, empty windows and two entries with the
// same list, SKU, currency, group, tier and start, which would make
// resolution ambiguous.
func NewPriceBook(entries []Price) (*PriceBook, error) {
	b := &PriceBook{ids: map[string]int32{}, bySKU: make(map[string][]entry, len(entries)), raw: make(map[string][]Price, len(entries)), n: len(entries)}
	for i, p := range entries {
		field := fmt.Sprintf("prices[%d]", i)
		switch {
		case p.ListID == "":
			return nil, invalid(field+".ListID", "must not be empty")
		case p.SKU == "":
			return nil, invalid(field+".SKU", "must not be empty")
		case p.Unit.cur.IsZero():
			return nil, invalid(field+".Unit", "has no currency")
		case p.Unit.IsNegative():
			return nil, invalid(field+".Unit", "%s is negative", p.Unit)
		case p.MinQuantity < 0:
			return nil, invalid(field+".MinQuantity", "%d is negative", p.MinQuantity)
		case !p.ValidFrom.IsZero() && !p.ValidUntil.IsZero() && !p.ValidUntil.After(p.ValidFrom):
			return nil, invalid(field+".ValidUntil", "window is empty")
		}
		b.raw[p.SKU] = append(b.raw[p.SKU], p)
	}
	for sku, ps := range b.raw {
		slices.SortFunc(ps, comparePrice)
		es := make([]entry, len(ps))
		for i, p := range ps {
			if i > 0 && comparePrice(ps[i-1], p) == 0 {
				return nil, invalid("prices", "duplicate entry for %q in list %q (group %q, tier %d)", sku, p.ListID, p.CustomerGroup, p.MinQuantity)
			}
			id, ok := b.ids[p.ListID]
			if !ok {
				id = int32(len(b.lists))
				b.ids[p.ListID] = id
				b.lists = append(b.lists, p.ListID)
			}
			es[i] = entry{list: id, minQty: p.MinQuantity, group: p.CustomerGroup, from: p.ValidFrom, to: p.ValidUntil, unit: p.Unit}
		}
		b.bySKU[sku] = es
	}
	return b, nil
}

func comparePrice(a, b Price) int {
	return cmp.Or(
		cmp.Compare(a.ListID, b.ListID),
		cmp.Compare(a.Unit.cur.Code(), b.Unit.cur.Code()),
		cmp.Compare(a.CustomerGroup, b.CustomerGroup),
		cmp.Compare(a.MinQuantity, b.MinQuantity),
		a.ValidFrom.Compare(b.ValidFrom),
	)
}

// Len returns the number of entries.
func (b *PriceBook) Len() int { return b.n }

// Prices implements [PriceSource]: the entries of the queried SKUs in the
// queried lists, sorted by SKU then list.
func (b *PriceBook) Prices(ctx context.Context, q PriceQuery) ([]Price, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	skus := slices.Clone(q.SKUs)
	slices.Sort(skus)
	skus = slices.Compact(skus)
	var out []Price
	for _, sku := range skus {
		for _, p := range b.raw[sku] {
			if slices.Contains(q.Lists, p.ListID) {
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
	group string
	at    time.Time
}

// For binds the book to a context. A context currency the book cannot
// price in simply resolves nothing ([ErrNoPrice] per SKU).
func (b *PriceBook) For(c channel.Context) Resolver {
	r := Resolver{b: b, chain: make([]int32, len(c.PriceLists)), names: c.PriceLists, group: c.CustomerGroup, at: c.AsOf}
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
			return Resolved{SKU: sku, Unit: e.unit, Source: PriceRef{ListID: r.names[ci], MinQuantity: e.minQty, CustomerGroup: e.group}}, nil
		}
	}
	return Resolved{}, &NoPriceError{SKU: sku, Lists: slices.Clone(r.names)}
}

func (r *Resolver) applies(e *entry, qty int64) bool {
	return e.unit.cur == r.cur &&
		(e.group == "" || e.group == r.group) &&
		e.minQty <= qty &&
		(e.from.IsZero() || !r.at.Before(e.from)) &&
		(e.to.IsZero() || r.at.Before(e.to))
}

func better(p, q *entry) bool {
	if (p.group != "") != (q.group != "") {
		return p.group != ""
	}
	if p.minQty != q.minQty {
		return p.minQty > q.minQty
	}
	return p.from.After(q.from)
}
