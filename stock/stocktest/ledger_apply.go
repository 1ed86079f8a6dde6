package stocktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// testApplyHold: a hold sets the basket's hold at the location, counting
// the units it already holds there as available to it, ranked as Reserve
// ranks, without a request key.
func testApplyHold(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 3)
	e.setOnHand("a", "y", 2)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("other", "k", "x", exp, ln("a", 2)))
	e.mustReserve(rq("b1", "k1", "x", exp, ln("b", 1)))
	t0 := e.now()
	// Replaces the reservation Reserve set (b grows: ranked now).
	e.expectApply("b1", reservations(held("b1", "x", exp, lnAt("a", 3, t0), lnAt("b", 2, t0))),
		mvHold("x", exp, ln("a", 1), ln("b", 2), ln("a", 2)))
	e.expectLevel("a", "x", 5, 5)
	e.expectLevel("b", "x", 3, 2)

	t1 := h.Clock.Advance(time.Minute)
	exp2 := exp.Add(time.Hour)
	// Its own 3 count as available: 3 of a fit though only 0 are free; a
	// keeps its rank, b shrinks and keeps it, c is not held any more.
	e.expectApply("b1", reservations(
		held("b1", "x", exp2, lnAt("a", 3, t0), lnAt("b", 1, t0)),
		held("b1", "y", exp2, lnAt("a", 2, t1))),
		mvHold("y", exp2, ln("a", 2)), mvHold("x", exp2, ln("a", 3), ln("b", 1)))
	e.expectLevel("a", "x", 5, 5)
	e.expectLevel("b", "x", 3, 1)
	e.expectLevel("a", "y", 2, 2)
	e.expectAvailableTo("b1", "a", "x", 3)
	e.expectAvailableTo("other", "a", "x", 2)
	e.expectAvailableTo("nobody", "a", "x", 0)

	// One more than it holds plus what is free is short, by exactly that.
	skus, locs, baskets := []string{"a", "b"}, []string{"x", "y"}, []string{"b1", "other"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	_, err := e.apply("b1", mvHold("x", exp2, ln("a", 4)))
	expectShortage(t, err, "a hold of more than is available to the basket",
		stock.Shortage{SKU: "a", LocationID: "x", Requested: 4, Available: 3})
	e.expectLedgerUnchanged(before, skus, locs, baskets, "a short hold")
	e.conserve(baskets, skus, locs)
}

// testApplyHoldShortage: every short pair of the movement is reported,
// unknown ones too, and nothing is held.
func testApplyHoldShortage(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 1)
	e.setOnHand("b", "x", 0)
	e.setOnHand("d", "x", 4)
	exp := e.now().Add(time.Hour)
	skus, locs, baskets := []string{"a", "b", "c", "d"}, []string{"x"}, []string{"b1"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	_, err := e.apply("b1", mvHold("x", exp, ln("d", 1), ln("c", 1), ln("b", 1), ln("a", 2)))
	expectShortage(t, err, "a hold with three short lines",
		stock.Shortage{SKU: "a", LocationID: "x", Requested: 2, Available: 1},
		stock.Shortage{SKU: "b", LocationID: "x", Requested: 1, Available: 0},
		stock.Shortage{SKU: "c", LocationID: "x", Requested: 1, Unknown: true})
	e.expectLedgerUnchanged(before, skus, locs, baskets, "a short hold")
}

// testApplyRelease: some lines shrink (keeping their rank and the key), a
// release of what is not held is not an error, no lines ends the hold.
func testApplyRelease(t *testing.T, h Harness) {
	e := newEnv(t, h)
	for _, p := range [][2]string{{"a", "x"}, {"b", "x"}, {"a", "y"}} {
		e.setOnHand(p[0], p[1], 5)
	}
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 3), ln("b", 2)))
	y := e.mustApply("b1", mvHold("y", exp, ln("a", 1)))[1]
	h.Clock.Advance(time.Minute)
	x := rsv("b1", "k1", "x", exp, lnAt("a", 2, t0), lnAt("b", 2, t0))
	e.expectApply("b1", reservations(x, y), mvRelease("x", ln("a", 1)))
	e.expectLevel("a", "x", 5, 2)
	// More than held ends the line; a SKU not held, a location where
	// nothing is held and a basket holding nothing are no error.
	x.Lines = x.Lines[:1]
	e.expectApply("b1", reservations(x, y), mvRelease("x", ln("b", 9), ln("c", 1)), mvRelease("z", ln("a", 1)))
	e.expectApply("nobody", reservations(), mvRelease("x"))
	// No lines: the whole hold.
	e.expectApply("b1", reservations(y), mvRelease("x"))
	e.expectLevel("a", "x", 5, 0)
	e.expectLevel("b", "x", 5, 0)
	e.expectLevel("a", "y", 5, 1)
	// Releasing every line ends the hold too.
	e.expectApply("b1", reservations(), mvRelease("y", ln("a", 1)))
	e.expectLevel("a", "y", 5, 0)
	e.conserve([]string{"b1"}, []string{"a", "b"}, []string{"x", "y"})
}

// testApplyDeduct: the held units go first, then available ones; on-hand
// goes down by the quantity; other holds are untouched.
func testApplyDeduct(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 4)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	other := e.mustReserve(rq("other", "k", "x", exp, ln("a", 1)))
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2), ln("b", 2)))
	// Less than held: the hold shrinks at its rank, keeping its key.
	e.expectApply("b1", reservations(rsv("b1", "k1", "x", exp, lnAt("a", 2, t0), lnAt("b", 1, t0))), mvDeduct("x", ln("b", 1)))
	e.expectLevel("b", "x", 3, 1)
	// More than held: the 2 held, then 1 of the 2 available.
	e.expectApply("b1", reservations(rsv("b1", "k1", "x", exp, lnAt("b", 1, t0))), mvDeduct("x", ln("a", 3)))
	e.expectLevel("a", "x", 2, 1)
	e.expectList("other", other)
	e.expectAvailableTo("b1", "a", "x", 1)
	// Without any hold, from what is available; the last line ends the hold.
	e.expectApply("b1", reservations(), mvDeduct("x", ln("a", 1), ln("b", 3)))
	e.expectLevel("a", "x", 1, 1)
	e.expectLevel("b", "x", 0, 0)
	e.expectList("other", other)
	e.conserve([]string{"b1", "other"}, []string{"a", "b"}, []string{"x"})
}

// testApplyDeductShortage: every short pair of the movement is reported
// and nothing changes.
func testApplyDeductShortage(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 2)
	e.setOnHand("b", "x", 1)
	e.setOnHand("d", "x", 9)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("other", "k", "x", exp, ln("a", 1), ln("b", 1)))
	e.mustApply("b1", mvHold("x", exp, ln("a", 1)))
	skus, locs, baskets := []string{"a", "b", "c", "d"}, []string{"x"}, []string{"b1", "other"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	_, err := e.apply("b1", mvDeduct("x", ln("a", 3), ln("b", 1), ln("c", 1), ln("d", 9)))
	expectShortage(t, err, "a deduct with three short lines",
		stock.Shortage{SKU: "a", LocationID: "x", Requested: 3, Available: 1},
		stock.Shortage{SKU: "b", LocationID: "x", Requested: 1, Available: 0},
		stock.Shortage{SKU: "c", LocationID: "x", Requested: 1, Unknown: true})
	e.expectLedgerUnchanged(before, skus, locs, baskets, "a short deduct")
}

// testApplyDeductAtRisk: after shrinkage a basket hands over only the
// units covered for it, never those covered for an older hold.
func testApplyDeductAtRisk(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 4)
	exp := e.now().Add(time.Hour)
	older := e.mustApply("A", mvHold("x", exp, ln("a", 2)))[0]
	t1 := h.Clock.Advance(time.Second)
	e.mustApply("b1", mvHold("x", exp, ln("a", 2)))
	e.setOnHand("a", "x", 3) // b1: 1 covered, 1 at risk
	e.expectList("b1", held("b1", "x", exp, risky(lnAt("a", 2, t1), 1)))
	skus, locs, baskets := []string{"a"}, []string{"x"}, []string{"A", "b1", "C"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	_, err := e.apply("b1", mvDeduct("x", ln("a", 2)))
	expectShortage(t, err, "a deduct of units at risk", stock.Shortage{SKU: "a", LocationID: "x", Requested: 2, Available: 1})
	_, err = e.apply("C", mvDeduct("x", ln("a", 1)))
	expectShortage(t, err, "a deduct by a basket holding nothing", stock.Shortage{SKU: "a", LocationID: "x", Requested: 1, Available: 0})
	e.expectLedgerUnchanged(before, skus, locs, baskets, "a deduct of units at risk")
	e.expectApply("b1", reservations(held("b1", "x", exp, risky(lnAt("a", 1, t1), 1))), mvDeduct("x", ln("a", 1)))
	e.expectLevel("a", "x", 2, 2)
	e.expectList("A", older)
	e.conserve(baskets, skus, locs)
}

// testApplyTransfer: units leave one location and arrive at the other,
// held there for the basket, ranked new and merged into its hold there.
func testApplyTransfer(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "from", 5)
	e.setOnHand("b", "from", 3)
	e.setOnHand("a", "to", 4) // b is unknown at "to"
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	other := e.mustReserve(rq("other", "k", "to", exp, ln("a", 2)))
	e.mustApply("b1", mvHold("from", exp, ln("a", 3), ln("b", 2)), mvHold("to", exp, ln("a", 1)))
	skus, locs := []string{"a", "b"}, []string{"from", "to"}
	sum := func(sku string) int64 {
		var n int64
		for _, loc := range locs {
			if l, ok := e.level(sku, loc); ok {
				n += l.OnHand
			}
		}
		return n
	}
	sumA, sumB := sum("a"), sum("b")
	t1 := h.Clock.Advance(time.Minute)
	exp2 := exp.Add(time.Hour)
	e.expectApply("b1", reservations(
		held("b1", "from", exp, lnAt("a", 1, t0)),
		held("b1", "to", exp2, lnAt("a", 3, t1), lnAt("b", 2, t1))),
		mvTransfer("from", "to", exp2, ln("a", 2), ln("b", 2)))
	if sum("a") != sumA || sum("b") != sumB {
		t.Fatalf("a transfer changed the units over both locations: a %d → %d, b %d → %d", sumA, sum("a"), sumB, sum("b"))
	}
	e.expectLevel("a", "from", 3, 1)
	e.expectLevel("b", "from", 1, 0)
	e.expectLevel("a", "to", 6, 5)
	e.expectLevel("b", "to", 2, 2) // made known by the units that arrived
	e.expectList("other", other)
	// The arriving lines are ranked after the other basket's hold: a
	// shrink at "to" puts them at risk first.
	e.setOnHand("a", "to", 3)
	e.expectList("other", other)
	e.expectList("b1", held("b1", "from", exp, lnAt("a", 1, t0)),
		held("b1", "to", exp2, risky(lnAt("a", 3, t1), 2), lnAt("b", 2, t1)))
	e.conserve([]string{"b1", "other"}, skus, locs)
}

// testApplyTransferNotHeld: units not held at the source are a
// *NotFoundError naming the SKU; held units on-hand no longer covers are
// short at the source.
func testApplyTransferNotHeld(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 5)
	e.setOnHand("a", "y", 5)
	e.setOnHand("a", "z", 3)
	exp := e.now().Add(time.Minute)
	e.mustApply("b1", mvHold("x", exp, ln("a", 2)))
	skus, locs, baskets := []string{"a", "b"}, []string{"x", "y", "z"}, []string{"b1", "A"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	for _, c := range []struct {
		what, basket, sku string
		q                 int64
	}{
		{"more than held", "b1", "a", 3},
		{"a SKU not held", "b1", "b", 1},
		{"a basket holding nothing", "nobody", "a", 1},
	} {
		_, err := e.apply(c.basket, mvTransfer("x", "y", exp, ln(c.sku, c.q)))
		expectErr(t, err, "a transfer of "+c.what, stock.ErrNotFound)
		var nf *stock.NotFoundError
		if !errors.As(err, &nf) || nf.BasketID != c.basket || nf.LocationID != "x" || nf.SKU != c.sku {
			t.Fatalf("a transfer of %s: %v is not a *NotFoundError for %s, %s at x", c.what, err, c.basket, c.sku)
		}
		e.expectLedgerUnchanged(before, skus, locs, baskets, "a transfer of "+c.what)
	}

	// Held, but at risk after shrinkage: the units are not there.
	later := exp.Add(time.Hour)
	e.mustApply("A", mvHold("z", later, ln("a", 2)))
	h.Clock.Advance(time.Second)
	e.mustApply("b1", mvHold("z", later, ln("a", 1)))
	e.setOnHand("a", "z", 2)
	before = e.ledgerSnapshot(skus, locs, baskets)
	_, err := e.apply("b1", mvTransfer("z", "y", later, ln("a", 1)))
	expectShortage(t, err, "a transfer of units at risk", stock.Shortage{SKU: "a", LocationID: "z", Requested: 1, Available: 0})
	e.expectLedgerUnchanged(before, skus, locs, baskets, "a transfer of units at risk")

	// An expired hold holds nothing to transfer.
	h.Clock.Set(exp)
	_, err = e.apply("b1", mvTransfer("x", "y", later, ln("a", 1)))
	expectErr(t, err, "a transfer of an expired hold", stock.ErrNotFound)
}

// testApplyRestock: on-hand goes up, unknown pairs become known, and a
// hold at risk is covered again.
func testApplyRestock(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 2)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustApply("b1", mvHold("x", exp, ln("a", 2)))
	e.setOnHand("a", "x", 1)
	e.expectList("b1", held("b1", "x", exp, risky(lnAt("a", 2, t0), 1)))
	e.expectApply("b1", reservations(held("b1", "x", exp, lnAt("a", 2, t0))),
		mvRestock("x", ln("a", 1), ln("b", 4)), mvRestock("returns", ln("a", 1)))
	e.expectLevel("a", "x", 2, 2)
	e.expectLevel("b", "x", 4, 0)
	e.expectLevel("a", "returns", 1, 0)
	e.expectApply("nobody", reservations(), mvRestock("x", ln("b", 1)))
	e.expectLevel("b", "x", 5, 0)
}

// testApplySequence: a later movement sees what an earlier one did (an
// order held at a warehouse, sent to a store, collected there).
func testApplySequence(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "dc", 5)
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.expectApply("b1", reservations(held("b1", "store", exp, lnAt("a", 1, t0))),
		mvHold("dc", exp, ln("a", 2)), mvTransfer("dc", "store", exp, ln("a", 2)), mvDeduct("store", ln("a", 1)))
	e.expectLevel("a", "dc", 3, 0)
	e.expectLevel("a", "store", 1, 1)
	// Restocked units may be held in the same change; a hold released in
	// the same change holds nothing.
	e.setOnHand("b", "x", 0)
	e.expectApply("b2", reservations(held("b2", "x", exp, lnAt("b", 1, t0))),
		mvRestock("x", ln("b", 1)), mvHold("x", exp, ln("b", 1)), mvHold("dc", exp, ln("a", 3)), mvRelease("dc"))
	e.expectLevel("b", "x", 1, 1)
	e.expectLevel("a", "dc", 3, 0)
	e.conserve([]string{"b1", "b2"}, []string{"a", "b"}, []string{"dc", "store", "x"})
}

// testApplyAllOrNothing: a change whose third movement fails leaves levels,
// reservations and holds exactly as they were, whatever the two first
// movements did.
func testApplyAllOrNothing(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 2)
	e.setOnHand("a", "y", 3)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("other", "k", "x", exp, ln("b", 1)))
	e.mustApply("b1", mvHold("y", exp, ln("a", 1)))
	h.Clock.Advance(time.Minute)
	skus, locs, baskets := []string{"a", "b"}, []string{"x", "y", "z"}, []string{"b1", "other"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	first := []stock.Movement{mvHold("x", exp, ln("a", 2)), mvDeduct("y", ln("a", 2))}
	for _, c := range []struct {
		what  string
		third stock.Movement
		kind  error
	}{
		{"a short hold", mvHold("x", exp, ln("a", 2), ln("b", 2)), stock.ErrInsufficientStock},
		{"a short deduct", mvDeduct("x", ln("a", 6)), stock.ErrInsufficientStock},
		{"a transfer of units not held", mvTransfer("x", "z", exp, ln("a", 3)), stock.ErrNotFound},
		{"a deduct of units just deducted", mvDeduct("y", ln("a", 2)), stock.ErrInsufficientStock},
	} {
		_, err := e.apply("b1", append(append([]stock.Movement{}, first...), c.third)...)
		expectErr(t, err, "a change whose third movement is "+c.what, c.kind)
		e.expectLedgerUnchanged(before, skus, locs, baskets, "a change whose third movement is "+c.what)
	}
	// Each of the three alone succeeds, so the failure was the sequence.
	e.mustApply("b1", mvRestock("z", ln("a", 1)), first[0], first[1])
}

// testApplyExpiry: an expiry not after now is refused as input, before any
// movement is tried.
func testApplyExpiry(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	now := e.now()
	e.mustApply("b1", mvHold("x", now.Add(time.Hour), ln("a", 1)))
	skus, locs, baskets := []string{"a"}, []string{"x", "y"}, []string{"b1"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	for what, ms := range map[string][]stock.Movement{
		"a hold expiring now":            {mvHold("x", now, ln("a", 1))},
		"a hold expired":                 {mvHold("x", now.Add(-time.Second), ln("a", 1))},
		"a transfer expiring now":        {mvTransfer("x", "y", now, ln("a", 1))},
		"after a movement that is short": {mvHold("x", now.Add(time.Hour), ln("a", 9)), mvHold("y", now, ln("a", 1))},
	} {
		_, err := e.apply("b1", ms...)
		expectErr(t, err, what, stock.ErrInvalid)
		var ie *stock.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%s: %v is not an *InputError", what, err)
		}
		e.expectLedgerUnchanged(before, skus, locs, baskets, what)
	}
}

// testApplyInvalid: a malformed change is refused with an *InputError and
// changes nothing.
func testApplyInvalid(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	exp := e.now().Add(time.Hour)
	e.mustApply("b1", mvHold("x", exp, ln("a", 1)))
	skus, locs, baskets := []string{"a"}, []string{"x", "y"}, []string{"b1"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	ok := mvRestock("x", ln("a", 1))
	for what, c := range map[string]stock.Change{
		"no basket":              {Movements: []stock.Movement{ok}},
		"no movement":            {BasketID: "b1"},
		"an unknown kind":        {BasketID: "b1", Movements: []stock.Movement{ok, {LocationID: "x", Lines: []stock.ReserveLine{ln("a", 1)}}}},
		"no location":            {BasketID: "b1", Movements: []stock.Movement{ok, mvRestock("", ln("a", 1))}},
		"a transfer to nowhere":  {BasketID: "b1", Movements: []stock.Movement{mvTransfer("x", "", exp, ln("a", 1))}},
		"a transfer to itself":   {BasketID: "b1", Movements: []stock.Movement{mvTransfer("x", "x", exp, ln("a", 1))}},
		"a hold without expiry":  {BasketID: "b1", Movements: []stock.Movement{mvHold("x", time.Time{}, ln("a", 1))}},
		"a deduct with expiry":   {BasketID: "b1", Movements: []stock.Movement{{Kind: stock.MoveDeduct, LocationID: "x", Lines: []stock.ReserveLine{ln("a", 1)}, ExpiresAt: exp}}},
		"a hold without lines":   {BasketID: "b1", Movements: []stock.Movement{mvHold("x", exp)}},
		"an empty SKU":           {BasketID: "b1", Movements: []stock.Movement{mvDeduct("x", ln("", 1))}},
		"a zero quantity":        {BasketID: "b1", Movements: []stock.Movement{ok, mvRelease("x", ln("a", 0))}},
		"a negative quantity":    {BasketID: "b1", Movements: []stock.Movement{mvRestock("x", ln("a", 2), ln("a", -1))}},
		"a restock to somewhere": {BasketID: "b1", Movements: []stock.Movement{{Kind: stock.MoveRestock, LocationID: "x", To: "y", Lines: []stock.ReserveLine{ln("a", 1)}}}},
	} {
		_, err := h.Ledger.Apply(e.ctx, c)
		expectErr(t, err, "a change with "+what, stock.ErrInvalid)
		var ie *stock.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("a change with %s: %v is not an *InputError", what, err)
		}
		e.expectLedgerUnchanged(before, skus, locs, baskets, "a change with "+what)
	}
}

// testApplyCanceled: a canceled context changes nothing.
func testApplyCanceled(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 5)
	exp := e.now().Add(time.Hour)
	skus, locs, baskets := []string{"a"}, []string{"x"}, []string{"b1"}
	before := e.ledgerSnapshot(skus, locs, baskets)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Ledger.Apply(ctx, stock.Change{BasketID: "b1", Movements: []stock.Movement{mvHold("x", exp, ln("a", 1)), mvRestock("x", ln("a", 1))}}); err == nil {
		t.Fatal("Apply with a canceled context succeeded")
	}
	if _, err := h.Ledger.Feed(ctx, deltaFeed("f1", cnt("a", "x", 1))); err == nil {
		t.Fatal("Feed with a canceled context succeeded")
	}
	if _, err := h.Ledger.Holds(ctx, stock.Query{SKUs: skus, Locations: locs}); err == nil {
		t.Fatal("Holds with a canceled context succeeded")
	}
	e.expectLedgerUnchanged(before, skus, locs, baskets, "calls with a canceled context")
	// The feed was not applied, so its ID is free.
	e.mustFeed(deltaFeed("f1", cnt("a", "x", 1)))
	e.expectLevel("a", "x", 6, 0)
}
