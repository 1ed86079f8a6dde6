package stock

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Level is the stock of one SKU at one location.
type Level struct {
	// SKU and LocationID name the pair.
	SKU        string `json:"sku"`
	LocationID string `json:"location_id"`
	// OnHand is the physical count; Reserved the part held by active
	// reservations. A conforming [Provider] never reports Reserved above
	// OnHand.
	OnHand   int64 `json:"on_hand"`
	Reserved int64 `json:"reserved"`
	// NextArrival is when more units are announced; zero when none is.
	NextArrival time.Time `json:"next_arrival,omitzero"`
}

// Available returns OnHand − Reserved, never below 0 (negative inputs count
// as 0).
func (l Level) Available() int64 {
	on, res := max(l.OnHand, 0), max(l.Reserved, 0)
	if res >= on {
		return 0
	}
	return on - res
}

// Query asks for every SKU × location combination of its two lists.
type Query struct {
	SKUs, Locations []string
}

// Validate reports an empty SKU or location ID as an [*InputError].
// Duplicates are allowed; an empty list simply asks for nothing.
func (q Query) Validate() error {
	for i, s := range q.SKUs {
		if s == "" {
			return invalid(fmt.Sprintf("SKUs[%d]", i), "must not be empty")
		}
	}
	for i, l := range q.Locations {
		if l == "" {
			return invalid(fmt.Sprintf("Locations[%d]", i), "must not be empty")
		}
	}
	return nil
}

// Provider answers many SKUs × locations in one call.
//
// A pair the provider does not know is simply absent from the answer: that
// means "unknown", which is distinct from a [Level] with OnHand 0 ("known to
// be out"). A provider failure is an error, and callers treat it as stock
// unknown, never as in stock. An invalid query returns an error matching
// [ErrInvalid].
//
// Quantities are whole numbers: units for counted goods and, for goods
// weighed or measured (cheese by the kg, fabric by the metre), thousandths
// of the unit they are sold in (pricing.MeasureDecimals), as basket lines
// count them: 12.5 kg of Comté on hand is OnHand 12500, and a basket's
// hold of 0.347 kg reserves 347. A provider or feed converting an ERP's
// decimal stock must do it exactly, never through a float.
type Provider interface {
	Levels(ctx context.Context, q Query) (Levels, error)
}

// Levels is an immutable lookup of [Level] by SKU and location, built with
// [NewLevels]. The zero value is empty (every pair unknown). It is safe to
// share between goroutines.
type Levels struct {
	sorted []Level             // by SKU, then location
	index  map[string][2]int32 // SKU → its range [lo, hi) in sorted
	// locs are the distinct location IDs of sorted, sorted, and locOf[i]
	// the index in locs of sorted[i].LocationID: Plan matches a SKU's
	// levels to the context's sources through these small integers rather
	// than comparing location IDs, once per level, on every pricing.
	locs  []string
	locOf []int32
}

// NewLevels validates levels and builds the lookup. It rejects an empty SKU
// or location ID, a negative OnHand or Reserved, and a pair given twice,
// with an [*InputError] naming the entry. Reserved above OnHand is accepted
// (some feeds report it); [Level.Available] is then 0. The input slice is
// not retained.
func NewLevels(levels []Level) (Levels, error) {
	if len(levels) == 0 {
		return Levels{}, nil
	}
	for i, l := range levels {
		field := func(f string) string { return fmt.Sprintf("levels[%d].%s", i, f) }
		switch {
		case l.SKU == "":
			return Levels{}, invalid(field("SKU"), "must not be empty")
		case l.LocationID == "":
			return Levels{}, invalid(field("LocationID"), "must not be empty")
		case l.OnHand < 0:
			return Levels{}, invalid(field("OnHand"), "negative (%d)", l.OnHand)
		case l.Reserved < 0:
			return Levels{}, invalid(field("Reserved"), "negative (%d)", l.Reserved)
		}
	}
	sorted := slices.Clone(levels)
	if !slices.IsSortedFunc(sorted, compareLevel) {
		slices.SortFunc(sorted, compareLevel)
	}
	index := make(map[string][2]int32)
	for i, l := range sorted {
		if i > 0 && compareLevel(sorted[i-1], l) == 0 {
			return Levels{}, duplicateLevel(levels, l)
		}
		r := index[l.SKU]
		if r[1] == 0 {
			r[0] = int32(i)
		}
		r[1] = int32(i + 1)
		index[l.SKU] = r
	}
	locs, locOf := numberLocations(sorted)
	return Levels{sorted: sorted, index: index, locs: locs, locOf: locOf}, nil
}

// numberLocations returns the distinct location IDs of levels, sorted, and
// for each level the index of its location among them.
func numberLocations(levels []Level) ([]string, []int32) {
	locs := make([]string, len(levels))
	for i := range levels {
		locs[i] = levels[i].LocationID
	}
	slices.Sort(locs)
	locs = slices.Clip(slices.Compact(locs))
	locOf := make([]int32, len(levels))
	for i := range levels {
		k, _ := slices.BinarySearch(locs, levels[i].LocationID)
		locOf[i] = int32(k)
	}
	return locs, locOf
}

// duplicateLevel names the second occurrence of d's pair in levels.
func duplicateLevel(levels []Level, d Level) error {
	first := -1
	for i, l := range levels {
		if compareLevel(l, d) != 0 {
			continue
		}
		if first >= 0 {
			return invalid(fmt.Sprintf("levels[%d]", i), "duplicate of levels[%d] (%s at %s)", first, l.SKU, l.LocationID)
		}
		first = i
	}
	panic("stock: duplicateLevel called without a duplicate")
}

func compareLevel(a, b Level) int {
	if c := cmp.Compare(a.SKU, b.SKU); c != 0 {
		return c
	}
	return cmp.Compare(a.LocationID, b.LocationID)
}

// Get returns the level of sku at location; false means the level is
// unknown.
func (l Levels) Get(sku, location string) (Level, bool) {
	i, ok := l.find(sku, location)
	if !ok {
		return Level{}, false
	}
	return l.sorted[i], true
}

// ofSKU returns the levels of one SKU, sorted by location, and the index
// of the first in l.sorted: one map lookup for all the locations of a SKU,
// as Plan needs them.
func (l Levels) ofSKU(sku string) (int, []Level) {
	r, ok := l.index[sku]
	if !ok {
		return 0, nil
	}
	return int(r[0]), l.sorted[r[0]:r[1]]
}

func (l Levels) find(sku, location string) (int, bool) {
	r, ok := l.index[sku]
	if !ok {
		return 0, false
	}
	i, found := slices.BinarySearchFunc(l.sorted[r[0]:r[1]], location, func(x Level, loc string) int { return strings.Compare(x.LocationID, loc) })
	return int(r[0]) + i, found
}

// Len returns the number of known pairs.
func (l Levels) Len() int { return len(l.sorted) }

// All returns a copy of every level, sorted by SKU, then location.
func (l Levels) All() []Level { return slices.Clone(l.sorted) }

// WithoutReservations returns the levels as they would be if the given
// reservations were not held: each reservation line lowers Reserved of its
// SKU at the reservation's location by the units it has covered
// ([ReserveLine.Covered]: Quantity − AtRisk), never below 0. Pairs that are
// unknown stay unknown. Use it to plan a basket against the stock it
// already holds, with its reservations just read from the [Reserver]:
//
//	own, _ := reserver.Reservations(ctx, basketID)
//	plan, err := stock.Plan(demands, chctx, locations, levels.WithoutReservations(own))
//
// With a conforming [Provider] (Reserved = the units covered across all
// holders), Available is then OnHand minus the units covered for other
// baskets: a hold at risk after shrinkage is not counted as the basket's,
// so no unit is offered to two baskets (see [Reserver]).
func (l Levels) WithoutReservations(rs []Reservation) Levels {
	if len(rs) == 0 || len(l.sorted) == 0 {
		return l
	}
	sorted := slices.Clone(l.sorted)
	for _, r := range rs {
		for _, ln := range r.Lines {
			if i, ok := l.find(ln.SKU, r.LocationID); ok {
				if c := ln.Covered(); c > 0 {
					sorted[i].Reserved = max(sorted[i].Reserved-c, 0)
				}
			}
		}
	}
	return Levels{sorted: sorted, index: l.index, locs: l.locs, locOf: l.locOf}
}
