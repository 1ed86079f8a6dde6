package stocktest

import (
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

func (e *env) ledger() stock.Ledger {
	if e.h.Ledger == nil {
		e.t.Fatal("stocktest: the harness needs a Ledger")
	}
	return e.h.Ledger
}

func (e *env) apply(basket string, ms ...stock.Movement) ([]stock.Reservation, error) {
	return e.ledger().Apply(e.ctx, stock.Change{BasketID: basket, Movements: ms})
}

func (e *env) mustApply(basket string, ms ...stock.Movement) []stock.Reservation {
	e.t.Helper()
	rs, err := e.apply(basket, ms...)
	if err != nil {
		e.t.Fatalf("Apply(%s, %s): %v", basket, describeMoves(ms), err)
	}
	return rs
}

// expectApply applies the movements, and fails unless it succeeds with
// want, which Reservations then lists too.
func (e *env) expectApply(basket string, want []stock.Reservation, ms ...stock.Movement) {
	e.t.Helper()
	got := e.mustApply(basket, ms...)
	if !sameReservations(got, want) {
		e.t.Fatalf("Apply(%s, %s) returned\n%+v\nwant\n%+v", basket, describeMoves(ms), got, want)
	}
	e.expectList(basket, want...)
}

func (e *env) feed(f stock.Feed) (stock.FeedReport, error) { return e.ledger().Feed(e.ctx, f) }

func (e *env) mustFeed(f stock.Feed) stock.FeedReport {
	e.t.Helper()
	rep, err := e.feed(f)
	if err != nil {
		e.t.Fatalf("Feed(%s): %v", f.ID, err)
	}
	return rep
}

func (e *env) holds(skus, locs []string) []stock.Hold {
	e.t.Helper()
	hs, err := e.ledger().Holds(e.ctx, stock.Query{SKUs: skus, Locations: locs})
	if err != nil {
		e.t.Fatalf("Holds(%v × %v): %v", skus, locs, err)
	}
	return hs
}

// ledgerSnapshot is a snapshot plus the holds of every basket on the pairs.
type ledgerSnapshot struct {
	snapshot
	holds []stock.Hold
}

func (e *env) ledgerSnapshot(skus, locs, baskets []string) ledgerSnapshot {
	e.t.Helper()
	return ledgerSnapshot{e.snapshot(skus, locs, baskets), e.holds(skus, locs)}
}

func (e *env) expectLedgerUnchanged(before ledgerSnapshot, skus, locs, baskets []string, what string) {
	e.t.Helper()
	after := e.ledgerSnapshot(skus, locs, baskets)
	if !after.equal(before.snapshot) || !slices.EqualFunc(after.holds, before.holds, sameHold) {
		e.t.Fatalf("%s changed state:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

func mvHold(loc string, exp time.Time, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveHold, LocationID: loc, Lines: lines, ExpiresAt: exp}
}

func mvRelease(loc string, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveRelease, LocationID: loc, Lines: lines}
}

func mvDeduct(loc string, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveDeduct, LocationID: loc, Lines: lines}
}

func mvTransfer(from, to string, exp time.Time, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveTransfer, LocationID: from, To: to, Lines: lines, ExpiresAt: exp}
}

func mvRestock(loc string, lines ...stock.ReserveLine) stock.Movement {
	return stock.Movement{Kind: stock.MoveRestock, LocationID: loc, Lines: lines}
}

// lnAt is a held line ranked at since.
func lnAt(sku string, q int64, since time.Time) stock.ReserveLine {
	return stock.ReserveLine{SKU: sku, Quantity: q, HeldSince: since}
}

// risky returns l with n units at risk.
func risky(l stock.ReserveLine, n int64) stock.ReserveLine {
	l.AtRisk = n
	return l
}

// held is a reservation set by Apply: no request key.
func held(basket, loc string, exp time.Time, lines ...stock.ReserveLine) stock.Reservation {
	return stock.Reservation{BasketID: basket, LocationID: loc, Lines: lines, ExpiresAt: exp}
}

// reservations is what Apply returns: never nil.
func reservations(list ...stock.Reservation) []stock.Reservation {
	if list == nil {
		return []stock.Reservation{}
	}
	return list
}

func describeMoves(ms []stock.Movement) string {
	s := ""
	for i, m := range ms {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %s", m.Kind, m.LocationID)
		if m.To != "" {
			s += "→" + m.To
		}
		s += fmt.Sprintf(" %v", m.Lines)
	}
	return s
}

func fullFeed(id string, locs, skus []string, counts ...stock.Count) stock.Feed {
	return stock.Feed{ID: id, Kind: stock.FullFeed, Locations: locs, SKUs: skus, Counts: counts}
}

func deltaFeed(id string, counts ...stock.Count) stock.Feed {
	return stock.Feed{ID: id, Kind: stock.DeltaFeed, Counts: counts}
}

func cnt(sku, loc string, q int64) stock.Count {
	return stock.Count{SKU: sku, LocationID: loc, Quantity: q}
}

// expectReport fails unless the report says what want says, AtRisk
// compared as holds.
func expectReport(t tb, got, want stock.FeedReport, what string) {
	t.Helper()
	if got.Replayed != want.Replayed || got.Pairs != want.Pairs || got.OnHandBefore != want.OnHandBefore ||
		got.OnHandAfter != want.OnHandAfter || !slices.EqualFunc(got.AtRisk, want.AtRisk, sameHold) {
		t.Fatalf("%s: report\n%+v\nwant\n%+v", what, got, want)
	}
}
