package stock

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// FeedKind says how a [Feed]'s counts are read.
type FeedKind uint8

// The feed kinds. The zero value is invalid.
const (
	// FullFeed is a stock count of whole locations (or of some SKUs at
	// them): every pair listed gets its Quantity as on-hand, and every
	// known pair in the feed's scope that is not listed gets 0 (it was
	// counted and not found).
	FullFeed FeedKind = iota + 1
	// DeltaFeed is movements reported by another system (receipts,
	// sales at a till the library does not see, breakage): every pair
	// listed has its on-hand changed by Quantity, positive or negative.
	// Deltas conserve units: on-hand after = on-hand before + Σ deltas,
	// exactly.
	DeltaFeed
)

// String names the kind.
func (k FeedKind) String() string {
	switch k {
	case FullFeed:
		return "full"
	case DeltaFeed:
		return "delta"
	}
	return fmt.Sprintf("feed-kind(%d)", uint8(k))
}

// Count is one pair of a [Feed]: an on-hand count (full feed) or a change
// of it (delta feed).
type Count struct {
	SKU, LocationID string
	Quantity        int64
}

// Feed is a batch of on-hand counts from an ERP, a warehouse system or a
// CSV export, applied to a [Ledger] in one step. Holds are never touched
// by a feed: when a feed lowers on-hand below what is held, the holds are
// ranked (see [Reserver]) and the uncovered ones are at risk.
type Feed struct {
	// ID identifies the batch: a feed whose ID was already applied is
	// not applied again (a re-delivered delta must not count twice), and
	// the same ID with other counts is a [*ConflictError] (with an empty
	// BasketID). A feed that failed was not applied: its ID may be sent
	// again. Required.
	ID   string
	Kind FeedKind
	// Locations are the locations a full feed counted; empty for a delta
	// feed. Every pair of a full feed must be at one of them.
	Locations []string
	// SKUs, when set, narrows a full feed's scope to these SKUs at its
	// Locations (a count of some articles, not of the whole location);
	// every pair of the feed must then be of one of them. Empty for a
	// delta feed.
	SKUs []string
	// Counts list each pair at most once.
	Counts []Count
}

// FeedReport says what a feed did.
type FeedReport struct {
	// Replayed is true when the feed's ID had already been applied:
	// nothing changed this time, and the other fields are zero.
	Replayed bool
	// Pairs is how many pairs the feed set or changed (for a full feed,
	// including the known pairs of its scope it set to 0, whether or not
	// they were 0 already).
	Pairs int
	// OnHandBefore and OnHandAfter are Σ on-hand over those pairs before
	// and after: for a delta feed OnHandAfter − OnHandBefore = Σ deltas.
	OnHandBefore, OnHandAfter int64
	// AtRisk lists the holds on those pairs that on-hand no longer covers
	// after the feed, oldest first (see [HoldsAtRisk]).
	AtRisk []Hold
}

// Feeder takes batches of on-hand counts.
type Feeder interface {
	// Feed applies every count of f, or none: a delta that would take a
	// pair below zero, or a delta on an unknown pair that is negative, is
	// an [*InputError] naming it and nothing changes. See [Feed] for
	// replays.
	Feed(ctx context.Context, f Feed) (FeedReport, error)
}

// Validate reports the first problem of the feed's shape as an
// [*InputError]: no ID, an unknown kind, a full feed without locations or
// a delta feed with some, an empty SKU or location, a pair of a full feed
// outside its Locations, a pair listed twice, a negative count in a full
// feed, a zero delta.
func (f Feed) Validate() error {
	switch {
	case f.ID == "":
		return invalid("ID", "must not be empty")
	case f.Kind != FullFeed && f.Kind != DeltaFeed:
		return invalid("Kind", "unknown feed kind %d", uint8(f.Kind))
	case f.Kind == FullFeed && len(f.Locations) == 0:
		return invalid("Locations", "a full feed names the locations it counted")
	case f.Kind == DeltaFeed && len(f.Locations) > 0:
		return invalid("Locations", "a delta feed counts no whole location")
	case f.Kind == DeltaFeed && len(f.SKUs) > 0:
		return invalid("SKUs", "a delta feed has no scope")
	}
	for i, l := range f.Locations {
		if l == "" {
			return invalid(fmt.Sprintf("Locations[%d]", i), "must not be empty")
		}
	}
	for i, s := range f.SKUs {
		if s == "" {
			return invalid(fmt.Sprintf("SKUs[%d]", i), "must not be empty")
		}
	}
	seen := make(map[[2]string]int, len(f.Counts))
	for i, c := range f.Counts {
		field := func(s string) string { return fmt.Sprintf("Counts[%d].%s", i, s) }
		switch {
		case c.SKU == "":
			return invalid(field("SKU"), "must not be empty")
		case c.LocationID == "":
			return invalid(field("LocationID"), "must not be empty")
		case f.Kind == FullFeed && !slices.Contains(f.Locations, c.LocationID):
			return invalid(field("LocationID"), "%q is not one of the feed's locations", c.LocationID)
		case f.Kind == FullFeed && len(f.SKUs) > 0 && !slices.Contains(f.SKUs, c.SKU):
			return invalid(field("SKU"), "%q is not one of the feed's SKUs", c.SKU)
		case f.Kind == FullFeed && c.Quantity < 0:
			return invalid(field("Quantity"), "a count cannot be negative (%d)", c.Quantity)
		case f.Kind == DeltaFeed && c.Quantity == 0:
			return invalid(field("Quantity"), "a delta of 0 changes nothing")
		case f.Kind == DeltaFeed && c.Quantity == math.MinInt64:
			return invalid(field("Quantity"), "out of range")
		}
		k := [2]string{c.SKU, c.LocationID}
		if j, dup := seen[k]; dup {
			return invalid(fmt.Sprintf("Counts[%d]", i), "duplicate of Counts[%d] (%s at %s)", j, c.SKU, c.LocationID)
		}
		seen[k] = i
	}
	return nil
}

// InScope reports whether a full feed counted the pair (sku, location):
// the location is one of its Locations and, when SKUs is set, the SKU is
// one of them. A delta feed has no scope.
func (f Feed) InScope(sku, location string) bool {
	return f.Kind == FullFeed && slices.Contains(f.Locations, location) && (len(f.SKUs) == 0 || slices.Contains(f.SKUs, sku))
}

// Digest is a stable digest of what the feed's ID stands for: its kind,
// scope and counts, whatever their order. Ledgers store it to tell a
// replay from a conflicting reuse of the ID.
func (f Feed) Digest() string {
	sorted := func(xs []string) []string {
		xs = slices.Clone(xs)
		slices.Sort(xs)
		return slices.Compact(xs)
	}
	locs, skus := sorted(f.Locations), sorted(f.SKUs)
	counts := slices.Clone(f.Counts)
	slices.SortFunc(counts, func(a, b Count) int {
		if c := cmp.Compare(a.LocationID, b.LocationID); c != 0 {
			return c
		}
		return cmp.Compare(a.SKU, b.SKU)
	})
	d := newDigest("feed")
	d.str(f.Kind.String())
	d.num(uint64(len(locs)))
	for _, l := range locs {
		d.str(l)
	}
	d.num(uint64(len(skus)))
	for _, s := range skus {
		d.str(s)
	}
	d.num(uint64(len(counts)))
	for _, c := range counts {
		d.str(c.LocationID)
		d.str(c.SKU)
		d.num(uint64(c.Quantity))
	}
	return d.sum()
}

// Sync reads the on-hand counts of every SKU × location of q from a
// provider (an ERP over HTTP, a CSV export) and feeds them into a ledger
// as one full feed of q's SKUs at q's locations with the given ID: the
// ledger then knows what the provider knows, and pairs of that scope the
// provider no longer reports go to 0. q must name at least one SKU and
// one location.
//
// What the ledger is fed is each pair's Available (OnHand − Reserved):
// units the provider reports as reserved are allocated outside the
// library (the ERP's own orders), so the ledger must never hold them for
// a basket. [NetOfHolds] reads the same provider the same way.
func Sync(ctx context.Context, from Provider, into Feeder, id string, q Query) (FeedReport, error) {
	if id == "" { // checked before the provider is read for nothing
		return FeedReport{}, invalid("ID", "must not be empty")
	}
	if err := q.Validate(); err != nil {
		return FeedReport{}, err
	}
	if len(q.Locations) == 0 || len(q.SKUs) == 0 {
		return FeedReport{}, invalid("Query", "a sync counts at least one SKU at one location")
	}
	levels, err := from.Levels(ctx, q)
	if err != nil {
		return FeedReport{}, err
	}
	f := Feed{ID: id, Kind: FullFeed, Locations: q.Locations, SKUs: q.SKUs}
	for _, l := range levels.All() {
		if f.InScope(l.SKU, l.LocationID) {
			f.Counts = append(f.Counts, Count{SKU: l.SKU, LocationID: l.LocationID, Quantity: l.Available()})
		}
	}
	return into.Feed(ctx, f)
}
