package stocktest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// testHolds: every basket's active holds on the pairs asked, sorted by
// location, SKU and rank, with the part at risk.
func testHolds(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 3)
	e.setOnHand("b", "x", 5)
	e.setOnHand("a", "y", 2)
	e.setOnHand("a", "w", 2)
	exp, soon := e.now().Add(time.Hour), e.now().Add(10*time.Minute)
	t0 := e.now()
	e.mustApply("A", mvHold("x", exp, ln("a", 2), ln("b", 1)))
	t1 := h.Clock.Advance(time.Second)
	e.mustApply("C", mvHold("x", exp, ln("b", 2)))
	e.mustReserve(rq("B", "k", "x", exp, ln("a", 1), ln("b", 2)))
	e.mustApply("B", mvHold("y", soon, ln("a", 2)))
	e.mustApply("D", mvHold("w", exp, ln("a", 1))) // not asked for
	hold := func(basket, loc, sku string, q int64, since, exp time.Time, atRisk int64) stock.Hold {
		return stock.Hold{BasketID: basket, LocationID: loc, SKU: sku, Quantity: q, HeldSince: since, ExpiresAt: exp, AtRisk: atRisk}
	}
	expect := func(what string, skus, locs []string, want ...stock.Hold) {
		t.Helper()
		if got := e.holds(skus, locs); !slices.EqualFunc(got, want, sameHold) {
			t.Fatalf("Holds %s =\n%+v\nwant\n%+v", what, got, want)
		}
	}
	skus, locs := []string{"b", "ghost", "a", "b"}, []string{"z", "y", "x"}
	expect("of every basket", skus, locs,
		hold("A", "x", "a", 2, t0, exp, 0), hold("B", "x", "a", 1, t1, exp, 0),
		hold("A", "x", "b", 1, t0, exp, 0), hold("B", "x", "b", 2, t1, exp, 0), hold("C", "x", "b", 2, t1, exp, 0),
		hold("B", "y", "a", 2, t1, soon, 0))
	expect("of one pair", []string{"b"}, []string{"x"},
		hold("A", "x", "b", 1, t0, exp, 0), hold("B", "x", "b", 2, t1, exp, 0), hold("C", "x", "b", 2, t1, exp, 0))
	expect("of nothing", nil, locs)

	// Shrinkage: ranked oldest first, ties by basket ID.
	e.setOnHand("b", "x", 2)
	h.Clock.Set(soon) // B's hold at y has expired
	expect("after shrinkage and expiry", skus, locs,
		hold("A", "x", "a", 2, t0, exp, 0), hold("B", "x", "a", 1, t1, exp, 0),
		hold("A", "x", "b", 1, t0, exp, 0), hold("B", "x", "b", 2, t1, exp, 1), hold("C", "x", "b", 2, t1, exp, 2))
	e.conserve([]string{"A", "B", "C", "D"}, []string{"a", "b"}, []string{"w", "x", "y"})

	for _, q := range []stock.Query{{SKUs: []string{"a", ""}, Locations: []string{"x"}}, {SKUs: []string{"a"}, Locations: []string{""}}} {
		_, err := h.Ledger.Holds(e.ctx, q)
		expectErr(t, err, "Holds with an empty ID", stock.ErrInvalid)
	}
}

// testFeedFull: a full feed sets the pairs it lists and zeroes the known
// pairs of its locations it does not list; holds stay, and those on-hand
// no longer covers are reported.
func testFeedFull(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 3)
	e.setOnHand("c", "x", 2)
	e.setOnHand("a", "y", 4)
	e.setOnHand("a", "z", 1)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustApply("b1", mvHold("x", exp, ln("a", 2)))
	hold := stock.Hold{BasketID: "b1", LocationID: "x", SKU: "a", Quantity: 2, HeldSince: t0, ExpiresAt: exp}

	rep := e.mustFeed(fullFeed("f1", []string{"x"}, nil, cnt("a", "x", 1), cnt("d", "x", 6)))
	atRisk := hold
	atRisk.AtRisk = 1
	expectReport(t, rep, stock.FeedReport{Pairs: 4, OnHandBefore: 10, OnHandAfter: 7, AtRisk: []stock.Hold{atRisk}}, "full feed of x")
	e.expectLevel("a", "x", 1, 1)
	e.expectLevel("b", "x", 0, 0) // counted and not found
	e.expectLevel("c", "x", 0, 0)
	e.expectLevel("d", "x", 6, 0)
	e.expectLevel("a", "y", 4, 0) // another location
	e.expectList("b1", held("b1", "x", exp, risky(lnAt("a", 2, t0), 1)))

	rep = e.mustFeed(fullFeed("f2", []string{"y", "x"}, nil, cnt("a", "y", 2)))
	atRisk.AtRisk = 2
	expectReport(t, rep, stock.FeedReport{Pairs: 5, OnHandBefore: 11, OnHandAfter: 2, AtRisk: []stock.Hold{atRisk}}, "full feed of x and y")
	for _, sku := range []string{"a", "b", "c", "d"} {
		e.expectLevel(sku, "x", 0, 0)
	}
	e.expectLevel("a", "y", 2, 0)
	e.expectLevel("a", "z", 1, 0)
	if _, ok := e.level("b", "y"); ok {
		t.Fatal("a full feed made a pair known that it did not list")
	}
	e.expectList("b1", held("b1", "x", exp, risky(lnAt("a", 2, t0), 2)))

	rep = e.mustFeed(fullFeed("f3", []string{"x"}, nil, cnt("a", "x", 2)))
	expectReport(t, rep, stock.FeedReport{Pairs: 4, OnHandBefore: 0, OnHandAfter: 2}, "a full feed covering the hold again")
	e.expectList("b1", held("b1", "x", exp, lnAt("a", 2, t0)))
	e.conserve([]string{"b1"}, []string{"a", "b", "c", "d"}, []string{"x", "y", "z"})
}

// testFeedFullSKUScope: a full feed narrowed to some SKUs zeroes only the
// known pairs of those SKUs.
func testFeedFullSKUScope(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 3)
	e.setOnHand("a", "y", 4)
	rep := e.mustFeed(fullFeed("f1", []string{"x"}, []string{"a", "c"}, cnt("c", "x", 2)))
	expectReport(t, rep, stock.FeedReport{Pairs: 2, OnHandBefore: 5, OnHandAfter: 2}, "full feed of a and c at x")
	e.expectLevel("a", "x", 0, 0)
	e.expectLevel("c", "x", 2, 0)
	e.expectLevel("b", "x", 3, 0)
	e.expectLevel("a", "y", 4, 0)
}

// testFeedDelta: deltas change on-hand by exactly their sum; a positive
// delta on an unknown pair makes it known.
func testFeedDelta(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 0)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustApply("b1", mvHold("x", exp, ln("a", 3)))
	rep := e.mustFeed(deltaFeed("f1", cnt("a", "x", -2), cnt("c", "y", 4), cnt("b", "x", 3)))
	expectReport(t, rep, stock.FeedReport{Pairs: 3, OnHandBefore: 5, OnHandAfter: 10}, "delta feed")
	e.expectLevel("a", "x", 3, 3)
	e.expectLevel("b", "x", 3, 0)
	e.expectLevel("c", "y", 4, 0)
	rep = e.mustFeed(deltaFeed("f2", cnt("a", "x", -3)))
	expectReport(t, rep, stock.FeedReport{Pairs: 1, OnHandBefore: 3, OnHandAfter: 0, AtRisk: []stock.Hold{
		{BasketID: "b1", LocationID: "x", SKU: "a", Quantity: 3, HeldSince: t0, ExpiresAt: exp, AtRisk: 3}}}, "delta feed to zero")
	e.expectLevel("a", "x", 0, 0)
	e.expectList("b1", held("b1", "x", exp, risky(lnAt("a", 3, t0), 3)))
}

// testFeedReplay: a feed whose ID was applied is not applied again, in
// whatever order its counts come, even after on-hand moved on.
func testFeedReplay(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	full := fullFeed("f0", []string{"x", "y"}, nil, cnt("a", "x", 4), cnt("b", "y", 2))
	delta := deltaFeed("f1", cnt("a", "x", 1), cnt("b", "y", -1))
	e.mustFeed(full)
	e.mustFeed(delta)
	e.expectLevel("a", "x", 5, 0)
	e.expectLevel("b", "y", 1, 0)
	skus, locs := []string{"a", "b"}, []string{"x", "y"}
	before := e.ledgerSnapshot(skus, locs, nil)
	for what, f := range map[string]stock.Feed{
		"the delta":                      delta,
		"the delta, counts reordered":    deltaFeed("f1", cnt("b", "y", -1), cnt("a", "x", 1)),
		"the full feed":                  full,
		"the full feed, scope reordered": fullFeed("f0", []string{"y", "x"}, nil, cnt("b", "y", 2), cnt("a", "x", 4)),
	} {
		rep, err := e.feed(f)
		if err != nil {
			t.Fatalf("replay of %s: %v", what, err)
		}
		expectReport(t, rep, stock.FeedReport{Replayed: true}, "replay of "+what)
		e.expectLedgerUnchanged(before, skus, locs, nil, "replay of "+what)
	}
}

// testFeedConflict: an ID reused for other counts is a *ConflictError
// naming the feed, and changes nothing.
func testFeedConflict(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.mustFeed(deltaFeed("f1", cnt("a", "x", 1)))
	e.mustFeed(fullFeed("f2", []string{"x"}, []string{"a"}, cnt("a", "x", 7)))
	skus, locs := []string{"a", "b"}, []string{"x", "y"}
	before := e.ledgerSnapshot(skus, locs, nil)
	for what, f := range map[string]stock.Feed{
		"another delta":           deltaFeed("f1", cnt("a", "x", 2)),
		"another pair":            deltaFeed("f1", cnt("a", "x", 1), cnt("b", "x", 1)),
		"another kind":            fullFeed("f1", []string{"x"}, nil, cnt("a", "x", 1)),
		"another scope":           fullFeed("f2", []string{"x", "y"}, []string{"a"}, cnt("a", "x", 7)),
		"another SKU scope":       fullFeed("f2", []string{"x"}, nil, cnt("a", "x", 7)),
		"a delta reusing a count": deltaFeed("f2", cnt("a", "x", 7)),
	} {
		_, err := e.feed(f)
		expectErr(t, err, "feed ID reused for "+what, stock.ErrConflict)
		var ce *stock.ConflictError
		if !errors.As(err, &ce) || ce.RequestKey != f.ID || ce.BasketID != "" {
			t.Fatalf("feed ID reused for %s: %v is not a *ConflictError for feed %s", what, err, f.ID)
		}
		if !strings.Contains(err.Error(), "feed") || !strings.Contains(err.Error(), f.ID) {
			t.Fatalf("feed ID reused for %s: %q does not name the feed", what, err)
		}
		e.expectLedgerUnchanged(before, skus, locs, nil, "feed ID reused for "+what)
	}
}

// testFeedNegative: a delta taking a pair below zero, or lowering an
// unknown pair, refuses the whole feed with an *InputError naming the
// count; the ID is not spent.
func testFeedNegative(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 2)
	e.setOnHand("b", "x", 5)
	skus, locs := []string{"a", "b", "c"}, []string{"x"}
	before := e.ledgerSnapshot(skus, locs, nil)
	for _, c := range []struct {
		what  string
		feed  stock.Feed
		field string
	}{
		{"below zero", deltaFeed("f1", cnt("b", "x", -1), cnt("a", "x", -3), cnt("c", "x", 2)), "Counts[1]"},
		{"down from unknown", deltaFeed("f1", cnt("b", "x", 1), cnt("c", "x", -1)), "Counts[1]"},
	} {
		_, err := e.feed(c.feed)
		expectErr(t, err, "a delta "+c.what, stock.ErrInvalid)
		var ie *stock.InputError
		if !errors.As(err, &ie) || !strings.HasPrefix(ie.Field, c.field) {
			t.Fatalf("a delta %s: %v is not an *InputError naming %s", c.what, err, c.field)
		}
		e.expectLedgerUnchanged(before, skus, locs, nil, "a delta "+c.what)
	}
	e.mustFeed(deltaFeed("f1", cnt("b", "x", -1), cnt("a", "x", -2), cnt("c", "x", 2)))
	e.expectLevel("a", "x", 0, 0)
	e.expectLevel("b", "x", 4, 0)
	e.expectLevel("c", "x", 2, 0)
}

// testFeedInvalid: a malformed feed changes nothing and spends no ID.
func testFeedInvalid(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 2)
	skus, locs := []string{"a", "b"}, []string{"x", "y"}
	before := e.ledgerSnapshot(skus, locs, nil)
	for what, f := range map[string]stock.Feed{
		"no ID":                     deltaFeed("", cnt("a", "x", 1)),
		"no kind":                   {ID: "f1", Counts: []stock.Count{cnt("a", "x", 1)}},
		"a full feed of nowhere":    fullFeed("f1", nil, nil, cnt("a", "x", 1)),
		"a delta with locations":    {ID: "f1", Kind: stock.DeltaFeed, Locations: []string{"x"}, Counts: []stock.Count{cnt("a", "x", 1)}},
		"a pair outside the scope":  fullFeed("f1", []string{"x"}, nil, cnt("a", "x", 1), cnt("a", "y", 1)),
		"a SKU outside the scope":   fullFeed("f1", []string{"x"}, []string{"a"}, cnt("b", "x", 1)),
		"a pair twice":              deltaFeed("f1", cnt("a", "x", 1), cnt("a", "x", 1)),
		"a negative count":          fullFeed("f1", []string{"x"}, nil, cnt("a", "x", -1)),
		"a zero delta":              deltaFeed("f1", cnt("a", "x", 0)),
		"an empty SKU":              deltaFeed("f1", cnt("", "x", 1)),
		"an empty location in list": fullFeed("f1", []string{"x", ""}, nil),
	} {
		_, err := e.feed(f)
		expectErr(t, err, "a feed with "+what, stock.ErrInvalid)
		e.expectLedgerUnchanged(before, skus, locs, nil, "a feed with "+what)
	}
	e.mustFeed(deltaFeed("f1", cnt("a", "x", 1)))
	e.expectLevel("a", "x", 3, 0)
}

// testFeedAtRisk: feeds never touch holds; a feed reports the holds of the
// pairs it set that on-hand no longer covers, oldest first, and only those.
func testFeedAtRisk(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "y", 1)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustApply("B", mvHold("y", exp, ln("b", 1)))
	t1 := h.Clock.Advance(time.Second)
	e.mustApply("A", mvHold("x", exp, ln("a", 3)))
	e.mustApply("B", mvHold("x", exp, ln("a", 2)))
	short := exp.Add(-30 * time.Minute)
	e.mustApply("E", mvRestock("w", ln("a", 1)), mvHold("w", short, ln("a", 1)))
	e.setOnHand("b", "y", 0) // B's hold at y is at risk, and stays so
	h.Clock.Set(short)       // E's hold has expired: nothing is at risk of it

	rep := e.mustFeed(fullFeed("f1", []string{"x", "w"}, []string{"a"}, cnt("a", "x", 2)))
	expectReport(t, rep, stock.FeedReport{Pairs: 2, OnHandBefore: 6, OnHandAfter: 2, AtRisk: []stock.Hold{
		{BasketID: "A", LocationID: "x", SKU: "a", Quantity: 3, HeldSince: t1, ExpiresAt: exp, AtRisk: 1},
		{BasketID: "B", LocationID: "x", SKU: "a", Quantity: 2, HeldSince: t1, ExpiresAt: exp, AtRisk: 2},
	}}, "a feed below the holds")
	e.expectList("A", held("A", "x", exp, risky(lnAt("a", 3, t1), 1)))
	e.expectList("B", held("B", "x", exp, risky(lnAt("a", 2, t1), 2)), held("B", "y", exp, risky(lnAt("b", 1, t0), 1)))

	rep = e.mustFeed(deltaFeed("f2", cnt("a", "x", 3)))
	expectReport(t, rep, stock.FeedReport{Pairs: 1, OnHandBefore: 2, OnHandAfter: 5}, "a delta covering the holds again")
	e.expectList("A", held("A", "x", exp, lnAt("a", 3, t1)))
	e.conserve([]string{"A", "B", "E"}, []string{"a", "b"}, []string{"w", "x", "y"})
}

// fixedLevels is a provider answering from a fixed list, as an ERP export.
type fixedLevels []stock.Level

func (f fixedLevels) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	if err := q.Validate(); err != nil {
		return stock.Levels{}, err
	}
	var out []stock.Level
	for _, l := range f {
		if slices.Contains(q.SKUs, l.SKU) && slices.Contains(q.Locations, l.LocationID) {
			out = append(out, l)
		}
	}
	return stock.NewLevels(out)
}

// testSync: Sync makes the ledger know what the provider knows of the
// query's pairs, zeroing those it no longer reports, and a replay of the
// same ID changes nothing.
func testSync(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 3)
	e.setOnHand("c", "x", 2)
	erp := fixedLevels{
		{SKU: "a", LocationID: "x", OnHand: 7, Reserved: 2},
		{SKU: "a", LocationID: "y", OnHand: 1},
		{SKU: "c", LocationID: "x", OnHand: 9},
	}
	q := stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x", "y"}}
	rep, err := stock.Sync(e.ctx, erp, h.Ledger, "sync-1", q)
	if err != nil {
		t.Fatal(err)
	}
	// The ERP's own allocations (Reserved 2) are not the library's to hold.
	expectReport(t, rep, stock.FeedReport{Pairs: 3, OnHandBefore: 8, OnHandAfter: 6}, "Sync")
	e.expectLevel("a", "x", 5, 0)
	e.expectLevel("a", "y", 1, 0)
	e.expectLevel("b", "x", 0, 0)
	e.expectLevel("c", "x", 2, 0) // not in the query
	e.mustFeed(deltaFeed("d1", cnt("a", "x", -1)))
	rep, err = stock.Sync(e.ctx, erp, h.Ledger, "sync-1", q)
	if err != nil {
		t.Fatal(err)
	}
	expectReport(t, rep, stock.FeedReport{Replayed: true}, "Sync replayed")
	e.expectLevel("a", "x", 4, 0)
}
