package stocktest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/stock"
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// env wraps a harness with failing helpers for one test.
type env struct {
	t   tb
	h   Harness
	ctx context.Context
}

func newEnv(t tb, h Harness) *env {
	if h.Provider == nil || h.SetOnHand == nil || h.Clock == nil {
		t.Fatal("stocktest: the harness needs a Provider, SetOnHand and a Clock")
	}
	return &env{t: t, h: h, ctx: context.Background()}
}

func (e *env) needReserver() *env {
	if e.h.Reserver == nil {
		e.t.Fatal("stocktest: the harness needs a Reserver")
	}
	return e
}

func (e *env) now() time.Time { return e.h.Clock.Now() }

func (e *env) setOnHand(sku, loc string, n int64) {
	e.t.Helper()
	if err := e.h.SetOnHand(e.ctx, sku, loc, n); err != nil {
		e.t.Fatalf("SetOnHand(%s, %s, %d): %v", sku, loc, n, err)
	}
}

func (e *env) level(sku, loc string) (stock.Level, bool) {
	e.t.Helper()
	levels, err := e.h.Provider.Levels(e.ctx, stock.Query{SKUs: []string{sku}, Locations: []string{loc}})
	if err != nil {
		e.t.Fatalf("Levels(%s at %s): %v", sku, loc, err)
	}
	return levels.Get(sku, loc)
}

// expectLevel fails unless sku at loc is known with that on hand and reserved.
func (e *env) expectLevel(sku, loc string, onHand, reserved int64) {
	e.t.Helper()
	l, ok := e.level(sku, loc)
	switch {
	case !ok:
		e.t.Fatalf("%s at %s: unknown, want on hand %d reserved %d", sku, loc, onHand, reserved)
	case l.OnHand != onHand || l.Reserved != reserved || l.Available() != onHand-reserved:
		e.t.Fatalf("%s at %s: on hand %d reserved %d available %d, want %d, %d, %d",
			sku, loc, l.OnHand, l.Reserved, l.Available(), onHand, reserved, onHand-reserved)
	}
}

func (e *env) reserve(r stock.ReserveRequest) (stock.Reservation, error) {
	return e.h.Reserver.Reserve(e.ctx, r)
}

func (e *env) mustReserve(r stock.ReserveRequest) stock.Reservation {
	e.t.Helper()
	res, err := e.reserve(r)
	if err != nil {
		e.t.Fatalf("Reserve(%+v): %v", r, err)
	}
	return res
}

func (e *env) list(basket string) []stock.Reservation {
	e.t.Helper()
	rs, err := e.h.Reserver.Reservations(e.ctx, basket)
	if err != nil {
		e.t.Fatalf("Reservations(%s): %v", basket, err)
	}
	return rs
}

func (e *env) expectList(basket string, want ...stock.Reservation) {
	e.t.Helper()
	got := e.list(basket)
	if !sameReservations(got, want) {
		e.t.Fatalf("Reservations(%s) =\n%+v\nwant\n%+v", basket, got, want)
	}
}

// snapshot is everything visible about some pairs and baskets.
type snapshot struct {
	levels       []stock.Level
	reservations map[string][]stock.Reservation
}

func (e *env) snapshot(skus, locs, baskets []string) snapshot {
	e.t.Helper()
	levels, err := e.h.Provider.Levels(e.ctx, stock.Query{SKUs: skus, Locations: locs})
	if err != nil {
		e.t.Fatalf("Levels: %v", err)
	}
	s := snapshot{levels: levels.All(), reservations: map[string][]stock.Reservation{}}
	if e.h.Reserver != nil {
		for _, b := range baskets {
			s.reservations[b] = e.list(b)
		}
	}
	return s
}

func (s snapshot) equal(o snapshot) bool {
	if !slices.EqualFunc(s.levels, o.levels, func(a, b stock.Level) bool {
		return a.SKU == b.SKU && a.LocationID == b.LocationID && a.OnHand == b.OnHand &&
			a.Reserved == b.Reserved && a.NextArrival.Equal(b.NextArrival)
	}) || len(s.reservations) != len(o.reservations) {
		return false
	}
	for b, rs := range s.reservations {
		if !sameReservations(rs, o.reservations[b]) {
			return false
		}
	}
	return true
}

func (e *env) expectUnchanged(before snapshot, skus, locs, baskets []string, what string) {
	e.t.Helper()
	if after := e.snapshot(skus, locs, baskets); !after.equal(before) {
		e.t.Fatalf("%s changed state:\nbefore %+v\nafter  %+v", what, before, after)
	}
}

func (e *env) conserve(baskets, skus, locs []string) {
	e.t.Helper()
	if err := CheckConservation(e.ctx, e.h.Provider, e.h.Reserver, e.now(), baskets, skus, locs); err != nil {
		e.t.Fatal(err)
	}
}

// expectErr fails unless err matches every kind.
func expectErr(t tb, err error, what string, kinds ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %v", what, kinds)
	}
	for _, k := range kinds {
		if !errors.Is(err, k) {
			t.Fatalf("%s: error %q (%T) does not match %v", what, err, err, k)
		}
	}
}

// expectShortage fails unless err is a *stock.ShortageError with exactly want.
func expectShortage(t tb, err error, what string, want ...stock.Shortage) {
	t.Helper()
	expectErr(t, err, what, stock.ErrInsufficientStock, stock.ErrOutOfStock)
	var se *stock.ShortageError
	if !errors.As(err, &se) {
		t.Fatalf("%s: %T is not a *stock.ShortageError", what, err)
	}
	if !slices.Equal(se.Shortages, want) {
		t.Fatalf("%s: shortages %+v, want %+v", what, se.Shortages, want)
	}
	unknown := slices.ContainsFunc(want, func(s stock.Shortage) bool { return s.Unknown })
	if errors.Is(err, stock.ErrUnknown) != unknown {
		t.Fatalf("%s: errors.Is(err, ErrUnknown) = %t, want %t", what, !unknown, unknown)
	}
}

func ln(sku string, q int64) stock.ReserveLine { return stock.ReserveLine{SKU: sku, Quantity: q} }

func rq(basket, key, loc string, exp time.Time, lines ...stock.ReserveLine) stock.ReserveRequest {
	return stock.ReserveRequest{BasketID: basket, RequestKey: key, LocationID: loc, Lines: lines, ExpiresAt: exp}
}

func rsv(basket, key, loc string, exp time.Time, lines ...stock.ReserveLine) stock.Reservation {
	return stock.Reservation{BasketID: basket, RequestKey: key, LocationID: loc, Lines: lines, ExpiresAt: exp}
}

// heldSince returns r with every line ranked at t and whole.
func heldSince(t time.Time, r stock.Reservation) stock.Reservation {
	r = r.Clone()
	for i := range r.Lines {
		r.Lines[i].HeldSince, r.Lines[i].AtRisk = t, 0
	}
	return r
}

// availableTo is what basket may count on of sku at loc: the provider's
// level without the basket's own reservations, as the basket layer reads
// it. known is false for an unknown level.
func (e *env) availableTo(basket, sku, loc string) (avail int64, known bool) {
	e.t.Helper()
	levels, err := e.h.Provider.Levels(e.ctx, stock.Query{SKUs: []string{sku}, Locations: []string{loc}})
	if err != nil {
		e.t.Fatalf("Levels(%s at %s): %v", sku, loc, err)
	}
	l, ok := levels.WithoutReservations(e.list(basket)).Get(sku, loc)
	return l.Available(), ok
}

func (e *env) expectAvailableTo(basket, sku, loc string, want int64) {
	e.t.Helper()
	got, ok := e.availableTo(basket, sku, loc)
	if !ok || got != want {
		e.t.Fatalf("available to %s of %s at %s: %d (known %t), want %d", basket, sku, loc, got, ok, want)
	}
}

func describe(r stock.ReserveRequest) string {
	return fmt.Sprintf("Reserve(%s/%s at %s %v)", r.BasketID, r.RequestKey, r.LocationID, r.Lines)
}
