package stocktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

func testReserveAndList(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 10)
	e.setOnHand("b", "x", 10)
	e.setOnHand("a", "w", 10)
	exp := e.now().Add(15 * time.Minute)
	got := e.mustReserve(rq("b1", "k1", "x", exp, ln("b", 1), ln("a", 2), ln("b", 3)))
	want := heldSince(e.now(), rsv("b1", "k1", "x", exp, ln("a", 2), ln("b", 4)))
	if !sameReservation(got, want) {
		t.Fatalf("Reserve returned %+v, want %+v (lines merged per SKU, sorted)", got, want)
	}
	second := e.mustReserve(rq("b1", "k2", "w", exp.Add(time.Minute), ln("a", 1)))
	e.expectList("b1", second, want) // sorted by location: w < x
	e.expectList("b2")
	e.expectLevel("a", "x", 10, 2)
	e.expectLevel("b", "x", 10, 4)
	e.expectLevel("a", "w", 10, 1)
	// The returned value is the caller's: changing it changes nothing.
	got.Lines[0].Quantity = 99
	e.expectList("b1", second, want)
	e.conserve([]string{"b1", "b2"}, []string{"a", "b"}, []string{"w", "x"})
}

func testAllOrNothing(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	e.setOnHand("b", "x", 2)
	e.setOnHand("c", "x", 1)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("other", "k", "x", exp, ln("b", 1)))
	skus, locs, baskets := []string{"a", "b", "c"}, []string{"x"}, []string{"b1", "other"}
	before := e.snapshot(skus, locs, baskets)
	_, err := e.reserve(rq("b1", "k1", "x", exp, ln("a", 5), ln("c", 3), ln("b", 2)))
	expectShortage(t, err, "Reserve with two short lines",
		stock.Shortage{SKU: "b", LocationID: "x", Requested: 2, Available: 1},
		stock.Shortage{SKU: "c", LocationID: "x", Requested: 3, Available: 1})
	e.expectUnchanged(before, skus, locs, baskets, "a failed Reserve")
	e.mustReserve(rq("b1", "k2", "x", exp, ln("a", 5), ln("b", 1), ln("c", 1)))
	e.expectLevel("a", "x", 5, 5)
	e.expectLevel("b", "x", 2, 2)
	e.expectLevel("c", "x", 1, 1)
}

func testUnknownLevel(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	exp := e.now().Add(time.Hour)
	_, err := e.reserve(rq("b1", "k", "x", exp, ln("a", 1), ln("ghost", 1)))
	expectShortage(t, err, "Reserve of an unknown pair",
		stock.Shortage{SKU: "ghost", LocationID: "x", Requested: 1, Unknown: true})
	_, err = e.reserve(rq("b1", "k", "nowhere", exp, ln("a", 1)))
	expectShortage(t, err, "Reserve at an unknown location",
		stock.Shortage{SKU: "a", LocationID: "nowhere", Requested: 1, Unknown: true})
	e.expectLevel("a", "x", 5, 0)
	e.expectList("b1")
}

func testInvalidInput(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	e.setOnHand("a", "y", 5)
	now := e.now()
	exp := now.Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	skus, locs, baskets := []string{"a"}, []string{"x", "y"}, []string{"b1"}
	before := e.snapshot(skus, locs, baskets)
	r := h.Reserver
	ctx := e.ctx
	calls := map[string]func() error{
		"Reserve without basket": func() error { _, err := r.Reserve(ctx, rq("", "k", "x", exp, ln("a", 1))); return err },
		"Reserve without key":    func() error { _, err := r.Reserve(ctx, rq("b1", "", "x", exp, ln("a", 1))); return err },
		"Reserve without place":  func() error { _, err := r.Reserve(ctx, rq("b1", "k", "", exp, ln("a", 1))); return err },
		"Reserve without lines":  func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", exp)); return err },
		"Reserve without SKU":    func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", exp, ln("", 1))); return err },
		"Reserve zero":           func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", exp, ln("a", 1), ln("a", 0))); return err },
		"Reserve negative":       func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", exp, ln("a", 3), ln("a", -2))); return err },
		"Reserve no expiry":      func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", time.Time{}, ln("a", 1))); return err },
		"Reserve expiring now":   func() error { _, err := r.Reserve(ctx, rq("b1", "k", "x", now, ln("a", 1))); return err },
		"Reserve expired": func() error {
			_, err := r.Reserve(ctx, rq("b1", "k", "y", now.Add(-time.Second), ln("a", 1)))
			return err
		},
		"Release without basket":  func() error { return r.Release(ctx, "", "x") },
		"Release without place":   func() error { return r.Release(ctx, "b1", "") },
		"Extend without basket":   func() error { return r.Extend(ctx, "", "x", exp.Add(time.Hour)) },
		"Extend without place":    func() error { return r.Extend(ctx, "b1", "", exp.Add(time.Hour)) },
		"Extend to now":           func() error { return r.Extend(ctx, "b1", "x", now) },
		"Extend shorter":          func() error { return r.Extend(ctx, "b1", "x", exp.Add(-time.Minute)) },
		"Transfer to itself":      func() error { return transfer(ctx, r, "b1", "k", "x", "x", exp) },
		"Transfer without key":    func() error { return transfer(ctx, r, "b1", "", "x", "y", exp) },
		"Transfer without basket": func() error { return transfer(ctx, r, "", "k", "x", "y", exp) },
		"Transfer without from":   func() error { return transfer(ctx, r, "b1", "k", "", "y", exp) },
		"Transfer without to":     func() error { return transfer(ctx, r, "b1", "k", "x", "", exp) },
		"Transfer expiring now":   func() error { return transfer(ctx, r, "b1", "k", "x", "y", now) },
		"Reservations no basket":  func() error { _, err := r.Reservations(ctx, ""); return err },
	}
	for name, call := range calls {
		expectErr(t, call(), name, stock.ErrInvalid)
		e.expectUnchanged(before, skus, locs, baskets, name)
	}
	// The failed attempts did not burn key "k".
	e.mustReserve(rq("b1", "k", "y", exp, ln("a", 1)))
}

func transfer(ctx context.Context, r stock.Reserver, basket, key, from, to string, exp time.Time) error {
	_, err := r.Transfer(ctx, stock.TransferRequest{BasketID: basket, RequestKey: key, From: from, To: to, ExpiresAt: exp})
	return err
}

func testCanceledContext(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	e.setOnHand("a", "y", 5)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	skus, locs, baskets := []string{"a"}, []string{"x", "y"}, []string{"b1"}
	before := e.snapshot(skus, locs, baskets)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := h.Reserver
	calls := map[string]func() error{
		"Reserve":      func() error { _, err := r.Reserve(ctx, rq("b1", "k2", "y", exp, ln("a", 1))); return err },
		"Release":      func() error { return r.Release(ctx, "b1", "x") },
		"Extend":       func() error { return r.Extend(ctx, "b1", "x", exp.Add(time.Hour)) },
		"Transfer":     func() error { return transfer(ctx, r, "b1", "k3", "x", "y", exp) },
		"Reservations": func() error { _, err := r.Reservations(ctx, "b1"); return err },
		"Levels":       func() error { _, err := h.Provider.Levels(ctx, stock.Query{SKUs: skus, Locations: locs}); return err },
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Fatalf("%s with a canceled context succeeded", name)
		}
		e.expectUnchanged(before, skus, locs, baskets, name+" with a canceled context")
	}
}

func testReplace(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 3)
	e.setOnHand("b", "x", 1)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2), ln("b", 1)))
	// Replacing frees the old units for the new request: 3 fits though 2 are held.
	second := e.mustReserve(rq("b1", "k2", "x", exp.Add(time.Minute), ln("a", 3)))
	e.expectList("b1", second)
	e.expectLevel("a", "x", 3, 3)
	e.expectLevel("b", "x", 1, 0)
	// A replacement that does not fit keeps the old reservation untouched.
	skus, locs, baskets := []string{"a", "b"}, []string{"x"}, []string{"b1"}
	before := e.snapshot(skus, locs, baskets)
	_, err := e.reserve(rq("b1", "k3", "x", exp, ln("a", 4)))
	expectShortage(t, err, "a replacement too big", stock.Shortage{SKU: "a", LocationID: "x", Requested: 4, Available: 3})
	e.expectUnchanged(before, skus, locs, baskets, "a failed replacement")
	// Another basket cannot take what b1 holds.
	_, err = e.reserve(rq("b2", "k1", "x", exp, ln("a", 1)))
	expectShortage(t, err, "another basket", stock.Shortage{SKU: "a", LocationID: "x", Requested: 1, Available: 0})
	e.conserve([]string{"b1", "b2"}, skus, locs)
}

func testReplay(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 4)
	e.setOnHand("b", "x", 4)
	exp := e.now().Add(time.Hour)
	first := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2), ln("b", 1)))
	// Same payload, lines in another order and split, expiry recomputed a
	// moment later: the first outcome, nothing reserved twice.
	e.h.Clock.Advance(time.Second)
	again := e.mustReserve(rq("b1", "k1", "x", exp.Add(time.Second), ln("b", 1), ln("a", 1), ln("a", 1)))
	if !sameReservation(again, first) {
		t.Fatalf("replay returned %+v, want the first outcome %+v", again, first)
	}
	e.expectLevel("a", "x", 4, 2)
	e.expectLevel("b", "x", 4, 1)
	e.expectList("b1", first)
	// The key belongs to the basket: another basket may use the same key.
	e.mustReserve(rq("b2", "k1", "x", exp, ln("a", 1)))
	e.expectLevel("a", "x", 4, 3)
	// After a release, a replay still returns the first outcome and takes
	// nothing.
	if err := h.Reserver.Release(e.ctx, "b1", "x"); err != nil {
		t.Fatal(err)
	}
	e.expectLevel("a", "x", 4, 1)
	again = e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2), ln("b", 1)))
	if !sameReservation(again, first) {
		t.Fatalf("replay after release returned %+v, want %+v", again, first)
	}
	e.expectLevel("a", "x", 4, 1)
	e.expectLevel("b", "x", 4, 0)
	e.expectList("b1")
	e.conserve([]string{"b1", "b2"}, []string{"a", "b"}, []string{"x"})
}

func testConflict(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 4)
	e.setOnHand("a", "y", 4)
	exp := e.now().Add(time.Hour)
	first := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	skus, locs, baskets := []string{"a"}, []string{"x", "y"}, []string{"b1"}
	before := e.snapshot(skus, locs, baskets)
	for name, req := range map[string]stock.ReserveRequest{
		"other quantity": rq("b1", "k1", "x", exp, ln("a", 3)),
		"other SKU":      rq("b1", "k1", "x", exp, ln("a", 2), ln("b", 1)),
		"other location": rq("b1", "k1", "y", exp, ln("a", 2)),
	} {
		_, err := e.reserve(req)
		expectErr(t, err, "same key, "+name, stock.ErrConflict)
		var ce *stock.ConflictError
		if !errors.As(err, &ce) || ce.BasketID != "b1" || ce.RequestKey != "k1" {
			t.Fatalf("same key, %s: %v is not a *ConflictError for b1/k1", name, err)
		}
		e.expectUnchanged(before, skus, locs, baskets, "a conflicting Reserve")
	}
	_, err := h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "k1", From: "x", To: "y"})
	expectErr(t, err, "a transfer reusing a reserve key", stock.ErrConflict)
	e.expectUnchanged(before, skus, locs, baskets, "a conflicting Transfer")
	e.expectList("b1", first)
}

func testFailedKeyRetry(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 1)
	exp := e.now().Add(time.Hour)
	_, err := e.reserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	expectShortage(t, err, "first attempt", stock.Shortage{SKU: "a", LocationID: "x", Requested: 2, Available: 1})
	e.setOnHand("a", "x", 2)
	got := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	e.expectList("b1", got)
	e.expectLevel("a", "x", 2, 2)
	// A failed key may even be retried with another payload.
	_, err = e.reserve(rq("b1", "k2", "x", exp, ln("a", 3)))
	expectErr(t, err, "k2 first attempt", stock.ErrInsufficientStock)
	e.mustReserve(rq("b1", "k2", "x", exp, ln("a", 1)))
	e.expectLevel("a", "x", 2, 1)
}

func testExpiry(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 2)
	exp := e.now().Add(15 * time.Minute)
	res := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	h.Clock.Set(exp.Add(-time.Nanosecond))
	e.expectList("b1", res)
	e.expectLevel("a", "x", 2, 2)
	_, err := e.reserve(rq("b2", "k1", "x", exp.Add(time.Hour), ln("a", 1)))
	expectShortage(t, err, "one nanosecond before expiry", stock.Shortage{SKU: "a", LocationID: "x", Requested: 1, Available: 0})
	h.Clock.Set(exp)
	e.expectList("b1")
	e.expectLevel("a", "x", 2, 0)
	expectErr(t, h.Reserver.Extend(e.ctx, "b1", "x", exp.Add(time.Hour)), "Extend of an expired reservation", stock.ErrNotFound)
	_, err = h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "t", From: "x", To: "y"})
	expectErr(t, err, "Transfer of an expired reservation", stock.ErrNotFound)
	var nf *stock.NotFoundError
	if !errors.As(err, &nf) || nf.BasketID != "b1" || nf.LocationID != "x" {
		t.Fatalf("Transfer of an expired reservation: %v is not a *NotFoundError for b1 at x", err)
	}
	if err := h.Reserver.Release(e.ctx, "b1", "x"); err != nil {
		t.Fatalf("Release of an expired reservation: %v", err)
	}
	e.mustReserve(rq("b2", "k1", "x", exp.Add(time.Hour), ln("a", 2)))
	e.expectLevel("a", "x", 2, 2)
	e.conserve([]string{"b1", "b2"}, []string{"a"}, []string{"x"})
}

func testExtend(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 2)
	exp := e.now().Add(10 * time.Minute)
	res := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 1)))
	expectErr(t, h.Reserver.Extend(e.ctx, "b1", "nowhere", exp.Add(time.Hour)), "Extend where nothing is held", stock.ErrNotFound)
	expectErr(t, h.Reserver.Extend(e.ctx, "nobody", "x", exp.Add(time.Hour)), "Extend of another basket", stock.ErrNotFound)
	if err := h.Reserver.Extend(e.ctx, "b1", "x", exp); err != nil {
		t.Fatalf("Extend to the same expiry: %v", err)
	}
	later := exp.Add(20 * time.Minute)
	if err := h.Reserver.Extend(e.ctx, "b1", "x", later); err != nil {
		t.Fatal(err)
	}
	res.ExpiresAt = later
	h.Clock.Set(exp)
	e.expectList("b1", res)
	e.expectLevel("a", "x", 2, 1)
	h.Clock.Set(later.Add(-time.Nanosecond))
	e.expectLevel("a", "x", 2, 1)
	h.Clock.Set(later)
	e.expectLevel("a", "x", 2, 0)
	e.expectList("b1")
}

func testRelease(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 2)
	e.setOnHand("a", "y", 2)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	y := e.mustReserve(rq("b1", "k2", "y", exp, ln("a", 1)))
	for i := range 2 { // releasing twice is not an error
		if err := h.Reserver.Release(e.ctx, "b1", "x"); err != nil {
			t.Fatalf("Release #%d: %v", i+1, err)
		}
	}
	if err := h.Reserver.Release(e.ctx, "never", "x"); err != nil {
		t.Fatalf("Release of nothing: %v", err)
	}
	e.expectList("b1", y)
	e.expectLevel("a", "x", 2, 0)
	e.expectLevel("a", "y", 2, 1)
	e.mustReserve(rq("b2", "k1", "x", exp, ln("a", 2)))
}

func testTransferAllOrNothing(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "from", 5)
	e.setOnHand("b", "from", 5)
	e.setOnHand("a", "to", 5)
	e.setOnHand("b", "to", 1)
	exp := e.now().Add(time.Hour)
	src := e.mustReserve(rq("b1", "k1", "from", exp, ln("a", 2), ln("b", 2)))
	skus, locs, baskets := []string{"a", "b", "c"}, []string{"from", "to"}, []string{"b1"}
	before := e.snapshot(skus, locs, baskets)
	treq := stock.TransferRequest{BasketID: "b1", RequestKey: "t1", From: "from", To: "to", ExpiresAt: exp.Add(time.Hour)}
	_, err := h.Reserver.Transfer(e.ctx, treq)
	expectShortage(t, err, "Transfer to a short target", stock.Shortage{SKU: "b", LocationID: "to", Requested: 2, Available: 1})
	e.expectUnchanged(before, skus, locs, baskets, "a failed Transfer")
	e.expectList("b1", src)

	_, err = h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "t2", From: "from", To: "unknown"})
	expectShortage(t, err, "Transfer to an unknown location",
		stock.Shortage{SKU: "a", LocationID: "unknown", Requested: 2, Unknown: true},
		stock.Shortage{SKU: "b", LocationID: "unknown", Requested: 2, Unknown: true})
	e.expectUnchanged(before, skus, locs, baskets, "a failed Transfer")

	_, err = h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "nobody", RequestKey: "t1", From: "from", To: "to"})
	expectErr(t, err, "Transfer without a source reservation", stock.ErrNotFound)

	// The failed attempt did not burn the key: restock and retry.
	e.setOnHand("b", "to", 2)
	got, err := h.Reserver.Transfer(e.ctx, treq)
	if err != nil {
		t.Fatal(err)
	}
	want := heldSince(e.now(), rsv("b1", "t1", "to", treq.ExpiresAt, ln("a", 2), ln("b", 2)))
	if !sameReservation(got, want) {
		t.Fatalf("Transfer returned %+v, want %+v", got, want)
	}
	e.expectList("b1", want)
	e.expectLevel("a", "from", 5, 0)
	e.expectLevel("b", "from", 5, 0)
	e.expectLevel("a", "to", 5, 2)
	e.expectLevel("b", "to", 2, 2)
	e.conserve(baskets, skus, locs)
}

func testTransferMerge(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	e.setOnHand("a", "y", 5)
	e.setOnHand("b", "y", 5)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	e.mustReserve(rq("b1", "k2", "y", exp.Add(time.Hour), ln("a", 3), ln("b", 1)))
	// Target already holds 3 of a: 2 more fit exactly (5 on hand).
	got, err := h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "t1", From: "x", To: "y"})
	if err != nil {
		t.Fatal(err)
	}
	// Zero ExpiresAt keeps the source's expiry.
	want := heldSince(e.now(), rsv("b1", "t1", "y", exp, ln("a", 5), ln("b", 1)))
	if !sameReservation(got, want) {
		t.Fatalf("Transfer returned %+v, want %+v", got, want)
	}
	e.expectList("b1", want)
	e.expectLevel("a", "x", 5, 0)
	e.expectLevel("a", "y", 5, 5)
	e.conserve([]string{"b1"}, []string{"a", "b"}, []string{"x", "y"})
}

func testTransferReplay(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	e.setOnHand("a", "y", 5)
	exp := e.now().Add(time.Hour)
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 2)))
	treq := stock.TransferRequest{BasketID: "b1", RequestKey: "t1", From: "x", To: "y", ExpiresAt: exp}
	first, err := h.Reserver.Transfer(e.ctx, treq)
	if err != nil {
		t.Fatal(err)
	}
	// The source is gone now, yet the replay returns the first outcome.
	treq.ExpiresAt = exp.Add(time.Minute)
	again, err := h.Reserver.Transfer(e.ctx, treq)
	if err != nil {
		t.Fatalf("Transfer replay: %v", err)
	}
	if !sameReservation(again, first) {
		t.Fatalf("Transfer replay returned %+v, want %+v", again, first)
	}
	e.expectLevel("a", "y", 5, 2)
	e.expectList("b1", first)
	_, err = h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "t1", From: "y", To: "x"})
	expectErr(t, err, "Transfer key reused for another route", stock.ErrConflict)
	_, err = e.reserve(rq("b1", "t1", "y", exp, ln("a", 2)))
	expectErr(t, err, "Reserve reusing a transfer key", stock.ErrConflict)
	e.expectList("b1", first)
}

// testShrink checks the documented choice for a stock feed that lowers the
// on-hand count below what is reserved: the feed is accepted, reservations
// are kept (the uncovered part reported at risk), Reserved is capped at
// OnHand (Available 0) and nothing more can be reserved until stock
// returns or reservations end.
func testShrink(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 5)
	exp := e.now().Add(time.Hour)
	res := e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 4)))
	e.setOnHand("a", "x", 2)
	e.expectLevel("a", "x", 2, 2)
	short := res.Clone()
	short.Lines[0].AtRisk = 2
	e.expectList("b1", short)
	_, err := e.reserve(rq("b2", "k1", "x", exp, ln("a", 1)))
	expectShortage(t, err, "Reserve after shrink", stock.Shortage{SKU: "a", LocationID: "x", Requested: 1, Available: 0})
	e.conserve([]string{"b1", "b2"}, []string{"a"}, []string{"x"})
	e.setOnHand("a", "x", 6)
	e.expectLevel("a", "x", 6, 4)
	e.expectList("b1", res)
	e.mustReserve(rq("b2", "k1", "x", exp, ln("a", 2)))
	e.expectLevel("a", "x", 6, 6)
}
