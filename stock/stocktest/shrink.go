package stocktest

import (
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// testShrinkRanksHolds is issue 12 item 8: two baskets hold 5 of 10, a
// feed lowers on-hand to 5. The older hold is covered, the newer one is at
// risk, and no unit is offered to both.
func testShrinkRanksHolds(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 10)
	e.setOnHand("b", "x", 3)
	exp := e.now().Add(time.Hour)
	older := e.mustReserve(rq("A", "k1", "x", exp, ln("a", 5), ln("b", 1)))
	h.Clock.Advance(time.Second)
	newer := e.mustReserve(rq("B", "k1", "x", exp, ln("a", 5)))
	for _, r := range []stock.Reservation{older, newer} {
		if risky := stock.HoldsAtRisk([]stock.Reservation{r}); len(r.Lines) == 0 || risky != nil {
			t.Fatalf("a reservation is whole when taken: %+v", r)
		}
	}

	e.setOnHand("a", "x", 5)
	e.expectLevel("a", "x", 5, 5) // Reserved: the covered units
	e.expectList("A", older)
	atRisk := newer.Clone()
	atRisk.Lines[0].AtRisk = 5
	e.expectList("B", atRisk)
	e.expectAvailableTo("A", "a", "x", 5)
	e.expectAvailableTo("B", "a", "x", 0)
	e.expectAvailableTo("C", "a", "x", 0)
	e.expectAvailableTo("A", "b", "x", 3) // the other SKU is untouched
	e.expectAvailableTo("C", "b", "x", 2)
	risky := stock.HoldsAtRisk(e.list("B"))
	want := []stock.Hold{{BasketID: "B", LocationID: "x", SKU: "a", Quantity: 5, AtRisk: 5,
		HeldSince: newer.Lines[0].HeldSince, ExpiresAt: exp}}
	if !slices.EqualFunc(risky, want, sameHold) {
		t.Fatalf("HoldsAtRisk(B) = %+v, want %+v", risky, want)
	}
	if risky := stock.HoldsAtRisk(e.list("A")); risky != nil {
		t.Fatalf("HoldsAtRisk(A) = %+v, want none", risky)
	}

	// Nobody takes what A's hold covers.
	_, err := e.reserve(rq("C", "k1", "x", exp, ln("a", 1)))
	expectShortage(t, err, "a newcomer after shrinkage", stock.Shortage{SKU: "a", LocationID: "x", Requested: 1, Available: 0})
	_, err = e.reserve(rq("B", "k2", "x", exp, ln("a", 3)))
	expectShortage(t, err, "the newer holder shrinking its hold", stock.Shortage{SKU: "a", LocationID: "x", Requested: 3, Available: 0})
	e.expectList("B", atRisk)
	// A may take again what it sees available, at its rank.
	again := e.mustReserve(rq("A", "k2", "x", exp, ln("a", 5), ln("b", 1)))
	if !again.Lines[0].HeldSince.Equal(older.Lines[0].HeldSince) {
		t.Fatalf("a replacement keeping the quantity re-ranked the hold: %+v, was %+v", again, older)
	}
	e.expectList("B", atRisk)

	// Partial cover: 8 on hand covers A's 5 and 3 of B's.
	e.setOnHand("a", "x", 8)
	e.expectLevel("a", "x", 8, 8)
	atRisk.Lines[0].AtRisk = 2
	e.expectList("B", atRisk)
	e.expectAvailableTo("A", "a", "x", 5)
	e.expectAvailableTo("B", "a", "x", 3)
	e.expectAvailableTo("C", "a", "x", 0)
	shrunk := e.mustReserve(rq("B", "k3", "x", exp, ln("a", 3))) // what B sees, B can keep
	if !shrunk.Lines[0].HeldSince.Equal(newer.Lines[0].HeldSince) {
		t.Fatalf("a shrinking replacement re-ranked the hold: %+v, was %+v", shrunk, newer)
	}
	e.expectList("B", shrunk)
	e.expectAvailableTo("C", "a", "x", 0)

	// The older hold expires: the newer one is covered again.
	e.mustReserve(rq("B", "k4", "x", exp.Add(time.Hour), ln("a", 3)))
	e.setOnHand("a", "x", 3)
	h.Clock.Set(exp)
	e.expectList("A")
	e.expectAvailableTo("B", "a", "x", 3)
	e.expectLevel("a", "x", 3, 3)
	e.conserve([]string{"A", "B", "C"}, []string{"a", "b"}, []string{"x"})
}

// testShrinkTies: holds taken at the same instant are ranked by basket ID,
// whatever the order of the calls.
func testShrinkTies(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	e.setOnHand("a", "x", 6)
	exp := e.now().Add(time.Hour)
	z := e.mustReserve(rq("zed", "k", "x", exp, ln("a", 2)))
	m := e.mustReserve(rq("mid", "k", "x", exp, ln("a", 2)))
	a := e.mustReserve(rq("abe", "k", "x", exp, ln("a", 2)))
	e.setOnHand("a", "x", 3)
	for _, c := range []struct {
		r      stock.Reservation
		atRisk int64
	}{{a, 0}, {m, 1}, {z, 2}} {
		want := c.r.Clone()
		want.Lines[0].AtRisk = c.atRisk
		e.expectList(c.r.BasketID, want)
		e.expectAvailableTo(c.r.BasketID, "a", "x", 2-c.atRisk)
	}
	e.conserve([]string{"abe", "mid", "zed"}, []string{"a"}, []string{"x"})
}

// testRankOnReplaceAndTransfer checks what replacement and transfer do to
// the rank of a hold.
func testRankOnReplaceAndTransfer(t *testing.T, h Harness) {
	e := newEnv(t, h).needReserver()
	for _, sku := range []string{"a", "b", "c", "d"} {
		e.setOnHand(sku, "x", 10)
		e.setOnHand(sku, "y", 10)
	}
	exp := e.now().Add(time.Hour)
	t0 := e.now()
	e.mustReserve(rq("b1", "k1", "x", exp, ln("a", 3), ln("b", 3)))
	t1 := h.Clock.Advance(time.Minute)
	// a shrinks (keeps t0), b grows (t1), c is new (t1).
	got := e.mustReserve(rq("b1", "k2", "x", exp, ln("a", 2), ln("b", 4), ln("c", 1)))
	want := rsv("b1", "k2", "x", exp, ln("a", 2), ln("b", 4), ln("c", 1))
	want.Lines[0].HeldSince, want.Lines[1].HeldSince, want.Lines[2].HeldSince = t0, t1, t1
	if !sameReservation(got, want) {
		t.Fatalf("replacement returned %+v, want %+v", got, want)
	}
	e.expectList("b1", want)

	e.mustReserve(rq("b1", "k3", "y", exp, ln("a", 1), ln("d", 1)))
	t2 := h.Clock.Advance(time.Minute)
	// At y: a merges and b, c arrive (t2); d, held at y alone, keeps t1.
	got, err := h.Reserver.Transfer(e.ctx, stock.TransferRequest{BasketID: "b1", RequestKey: "t1", From: "x", To: "y"})
	if err != nil {
		t.Fatal(err)
	}
	want = rsv("b1", "t1", "y", exp, ln("a", 3), ln("b", 4), ln("c", 1), ln("d", 1))
	for i, at := range []time.Time{t2, t2, t2, t1} {
		want.Lines[i].HeldSince = at
	}
	if !sameReservation(got, want) {
		t.Fatalf("transfer returned %+v, want %+v", got, want)
	}
	e.expectList("b1", want)
	// Extend keeps the rank.
	if err := h.Reserver.Extend(e.ctx, "b1", "y", exp.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(time.Minute)
	want.ExpiresAt = exp.Add(time.Hour)
	e.expectList("b1", want)
}

func sameHold(a, b stock.Hold) bool {
	return a.BasketID == b.BasketID && a.LocationID == b.LocationID && a.SKU == b.SKU &&
		a.Quantity == b.Quantity && a.AtRisk == b.AtRisk &&
		a.HeldSince.Equal(b.HeldSince) && a.ExpiresAt.Equal(b.ExpiresAt)
}
