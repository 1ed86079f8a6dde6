package stocktest

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/stock"
)

var (
	smSKUs      = []string{"s1", "s2"}
	smLocations = []string{"L1", "L2", "L3"}
	smBaskets   = []string{"b1", "b2", "b3"}
)

type smPair struct{ sku, loc string }

type smKey struct {
	digest  string
	outcome stock.Reservation
}

// machine is a model of a Reserver: it predicts the outcome of every call
// exactly, ranks included, and the invariant check compares the
// implementation with it. Small on-hand counts and restocks below what is
// held make shrinkage frequent.
type machine struct {
	e       *env
	start   time.Time
	onHand  map[smPair]int64
	res     map[string]map[string]stock.Reservation // basket → location → reservation (maybe expired)
	keys    map[string]map[string]smKey             // basket → request key → first success
	nextKey int
}

func testStateMachine(t *testing.T, newHarness func(t *testing.T) Harness) {
	rapid.Check(t, func(rt *rapid.T) {
		m := &machine{
			e:      newEnv(rt, newHarness(t)).needReserver(),
			onHand: map[smPair]int64{},
			res:    map[string]map[string]stock.Reservation{},
			keys:   map[string]map[string]smKey{},
		}
		m.start = m.e.now()
		for _, sku := range smSKUs {
			for _, loc := range smLocations {
				if rapid.IntRange(0, 4).Draw(rt, "known") == 0 {
					continue // some pairs stay unknown
				}
				n := rapid.Int64Range(0, 5).Draw(rt, "onhand")
				m.e.setOnHand(sku, loc, n)
				m.onHand[smPair{sku, loc}] = n
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"reserve":  m.reserve,
			"release":  m.release,
			"extend":   m.extend,
			"transfer": m.transfer,
			"expire":   m.expire,
			"restock":  m.restock,
			"":         m.check,
		})
	})
}

func (m *machine) now() time.Time { return m.e.now() }

// active returns the model's active reservation of basket at loc.
func (m *machine) active(basket, loc string) (stock.Reservation, bool) {
	r, ok := m.res[basket][loc]
	if !ok || !r.Active(m.now()) {
		return stock.Reservation{}, false
	}
	return r, true
}

// held is what active reservations hold of sku at loc, skipping one basket.
func (m *machine) held(sku, loc, except string) int64 {
	var n int64
	for b, byLoc := range m.res {
		if r, ok := byLoc[loc]; ok && b != except && r.Active(m.now()) {
			n += r.Quantity(sku)
		}
	}
	return n
}

func (m *machine) put(r stock.Reservation) {
	if m.res[r.BasketID] == nil {
		m.res[r.BasketID] = map[string]stock.Reservation{}
	}
	m.res[r.BasketID][r.LocationID] = r.Clone()
}

func (m *machine) remember(basket, key, digest string, outcome stock.Reservation) {
	if m.keys[basket] == nil {
		m.keys[basket] = map[string]smKey{}
	}
	m.keys[basket][key] = smKey{digest: digest, outcome: outcome.Clone()}
}

// drawKey returns a fresh key or, sometimes, one the basket already used.
func (m *machine) drawKey(t *rapid.T, basket string) string {
	used := slices.Sorted(maps.Keys(m.keys[basket]))
	if len(used) > 0 && rapid.IntRange(0, 3).Draw(t, "reuse") == 0 {
		return rapid.SampledFrom(used).Draw(t, "oldkey")
	}
	m.nextKey++
	return fmt.Sprintf("k%d", m.nextKey)
}

// replay handles a known key: it reports whether the key was known and
// checks the call returned the first outcome or a conflict.
func (m *machine) replay(t *rapid.T, basket, key, digest string, got stock.Reservation, err error) bool {
	rec, ok := m.keys[basket][key]
	if !ok {
		return false
	}
	if rec.digest == digest {
		if err != nil || !sameReservation(got, rec.outcome) {
			t.Fatalf("replay of %s/%s: got %+v, %v; want first outcome %+v", basket, key, got, err, rec.outcome)
		}
		return true
	}
	var ce *stock.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, stock.ErrConflict) {
		t.Fatalf("%s/%s reused with another payload: got %+v, %v; want a *ConflictError", basket, key, got, err)
	}
	return true
}

// covered ranks the active holds of sku at loc oldest first (HeldSince,
// then basket ID) and returns what on-hand covers of each basket's hold.
func (m *machine) covered(sku, loc string) map[string]int64 {
	type hold struct {
		basket string
		qty    int64
		since  time.Time
	}
	var holds []hold
	for _, b := range smBaskets {
		if r, ok := m.active(b, loc); ok {
			if l, ok := r.Line(sku); ok {
				holds = append(holds, hold{b, l.Quantity, l.HeldSince})
			}
		}
	}
	slices.SortFunc(holds, func(x, y hold) int {
		if c := x.since.Compare(y.since); c != 0 {
			return c
		}
		return cmp.Compare(x.basket, y.basket)
	})
	left := m.onHand[smPair{sku, loc}]
	out := map[string]int64{}
	for _, h := range holds {
		out[h.basket] = min(h.qty, left)
		left -= out[h.basket]
	}
	return out
}

// available predicts what basket may have of sku at loc: on-hand minus
// every other basket's active hold, or the covered part of its own hold
// if larger. With replace false (a transfer) its own hold counts as held.
func (m *machine) available(basket, sku, loc string, replace bool) int64 {
	on := m.onHand[smPair{sku, loc}]
	if !replace {
		return on - m.held(sku, loc, "")
	}
	return max(on-m.held(sku, loc, basket), m.covered(sku, loc)[basket])
}

// shortages predicts the shortages of taking lines at loc for basket, whose
// existing reservation there (if replace) does not count.
func (m *machine) shortages(basket, loc string, lines []stock.ReserveLine, replace bool) []stock.Shortage {
	var out []stock.Shortage
	for _, l := range lines {
		if _, known := m.onHand[smPair{l.SKU, loc}]; !known {
			out = append(out, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Unknown: true})
			continue
		}
		if avail := m.available(basket, l.SKU, loc, replace); l.Quantity > avail {
			out = append(out, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Available: max(avail, 0)})
		}
	}
	return out
}

func (m *machine) reserve(t *rapid.T) {
	basket := rapid.SampledFrom(smBaskets).Draw(t, "basket")
	loc := rapid.SampledFrom(smLocations).Draw(t, "location")
	n := rapid.IntRange(1, 3).Draw(t, "nlines")
	var lines []stock.ReserveLine
	for range n {
		lines = append(lines, ln(rapid.SampledFrom(smSKUs).Draw(t, "sku"), rapid.Int64Range(1, 3).Draw(t, "qty")))
	}
	key := m.drawKey(t, basket)
	req := rq(basket, key, loc, m.now().Add(time.Duration(rapid.IntRange(1, 1200).Draw(t, "ttl"))*time.Second), lines...)
	norm, err := req.Normalize()
	if err != nil {
		t.Fatalf("the model built an invalid request: %v", err)
	}
	got, err := m.e.reserve(req)
	if m.replay(t, basket, key, norm.PayloadDigest(), got, err) {
		return
	}
	if short := m.shortages(basket, loc, norm.Lines, true); len(short) > 0 {
		expectShortage(t, err, describe(req), short...)
		return
	}
	// A line keeps the rank of the line it replaces if it does not grow.
	want := heldSince(m.now(), rsv(basket, key, loc, req.ExpiresAt, norm.Lines...))
	if old, ok := m.active(basket, loc); ok {
		for i, l := range want.Lines {
			if o, ok := old.Line(l.SKU); ok && l.Quantity <= o.Quantity {
				want.Lines[i].HeldSince = o.HeldSince
			}
		}
	}
	if err != nil || !sameReservation(got, want) {
		t.Fatalf("%s: got %+v, %v; want %+v", describe(req), got, err, want)
	}
	m.put(want)
	m.remember(basket, key, norm.PayloadDigest(), want)
}

func (m *machine) release(t *rapid.T) {
	basket := rapid.SampledFrom(smBaskets).Draw(t, "basket")
	loc := rapid.SampledFrom(smLocations).Draw(t, "location")
	if err := m.e.h.Reserver.Release(m.e.ctx, basket, loc); err != nil {
		t.Fatalf("Release(%s, %s): %v", basket, loc, err)
	}
	delete(m.res[basket], loc)
}

func (m *machine) extend(t *rapid.T) {
	basket := rapid.SampledFrom(smBaskets).Draw(t, "basket")
	loc := rapid.SampledFrom(smLocations).Draw(t, "location")
	cur, ok := m.active(basket, loc)
	base := m.now()
	if ok && rapid.Bool().Draw(t, "fromExpiry") {
		base = cur.ExpiresAt
	}
	until := base.Add(time.Duration(rapid.IntRange(-300, 1200).Draw(t, "delta")) * time.Second)
	err := m.e.h.Reserver.Extend(m.e.ctx, basket, loc, until)
	what := fmt.Sprintf("Extend(%s, %s, now%+v)", basket, loc, until.Sub(m.now()))
	switch {
	case !m.now().Before(until):
		expectErr(t, err, what, stock.ErrInvalid)
	case !ok:
		expectErr(t, err, what, stock.ErrNotFound)
	case until.Before(cur.ExpiresAt):
		expectErr(t, err, what, stock.ErrInvalid)
	default:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		cur.ExpiresAt = until
		m.put(cur)
	}
}

func (m *machine) transfer(t *rapid.T) {
	basket := rapid.SampledFrom(smBaskets).Draw(t, "basket")
	route := rapid.Permutation(smLocations).Draw(t, "route")
	from, to := route[0], route[1]
	key := m.drawKey(t, basket)
	req := stock.TransferRequest{BasketID: basket, RequestKey: key, From: from, To: to}
	if rapid.Bool().Draw(t, "newExpiry") {
		req.ExpiresAt = m.now().Add(time.Duration(rapid.IntRange(1, 1200).Draw(t, "ttl")) * time.Second)
	}
	got, err := m.e.h.Reserver.Transfer(m.e.ctx, req)
	what := fmt.Sprintf("Transfer(%s/%s %s→%s)", basket, key, from, to)
	if m.replay(t, basket, key, req.PayloadDigest(), got, err) {
		return
	}
	src, ok := m.active(basket, from)
	if !ok {
		expectErr(t, err, what, stock.ErrNotFound)
		return
	}
	// The basket's own reservation at To stays, so it counts as held.
	if short := m.shortages(basket, to, src.Lines, false); len(short) > 0 {
		expectShortage(t, err, what, short...)
		return
	}
	// Lines arriving at To are ranked now; the basket's lines there that
	// receive nothing keep their rank.
	merged := map[string]stock.ReserveLine{}
	if dst, ok := m.active(basket, to); ok {
		for _, l := range dst.Lines {
			merged[l.SKU] = l
		}
	}
	for _, l := range src.Lines {
		merged[l.SKU] = stock.ReserveLine{SKU: l.SKU, Quantity: merged[l.SKU].Quantity + l.Quantity, HeldSince: m.now()}
	}
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = src.ExpiresAt
	}
	want := rsv(basket, key, to, exp)
	for _, sku := range slices.Sorted(maps.Keys(merged)) {
		want.Lines = append(want.Lines, merged[sku])
	}
	if err != nil || !sameReservation(got, want) {
		t.Fatalf("%s: got %+v, %v; want %+v", what, got, err, want)
	}
	delete(m.res[basket], from)
	m.put(want)
	m.remember(basket, key, req.PayloadDigest(), want)
}

// expire moves the fake clock: a little, or to just before or exactly at
// the expiry of an active reservation. The whole run stays well within
// stock.KeyRetention so that every key is still remembered.
func (m *machine) expire(t *rapid.T) {
	if m.now().Sub(m.start) > stock.KeyRetention/2 {
		t.Skip("long enough")
	}
	var expiries []time.Time
	for _, b := range smBaskets {
		for _, loc := range smLocations {
			if r, ok := m.active(b, loc); ok {
				expiries = append(expiries, r.ExpiresAt)
			}
		}
	}
	slices.SortFunc(expiries, func(a, b time.Time) int { return a.Compare(b) })
	switch choice := rapid.IntRange(0, 2).Draw(t, "how"); {
	case choice == 0 || len(expiries) == 0:
		m.e.h.Clock.Advance(time.Duration(rapid.IntRange(1, 600).Draw(t, "seconds")) * time.Second)
	default:
		at := rapid.SampledFrom(expiries).Draw(t, "expiry")
		if choice == 1 {
			at = at.Add(-time.Nanosecond)
		}
		m.e.h.Clock.Set(at)
	}
}

func (m *machine) restock(t *rapid.T) {
	p := smPair{rapid.SampledFrom(smSKUs).Draw(t, "sku"), rapid.SampledFrom(smLocations).Draw(t, "location")}
	n := rapid.Int64Range(0, 6).Draw(t, "onhand")
	m.e.setOnHand(p.sku, p.loc, n)
	m.onHand[p] = n
}

func (m *machine) check(t *rapid.T) {
	m.e.conserve(smBaskets, smSKUs, smLocations)
	levels, err := m.e.h.Provider.Levels(m.e.ctx, stock.Query{SKUs: smSKUs, Locations: smLocations})
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range smSKUs {
		for _, loc := range smLocations {
			l, known := levels.Get(sku, loc)
			on, want := m.onHand[smPair{sku, loc}]
			if known != want {
				t.Fatalf("%s at %s: known %t, model %t", sku, loc, known, want)
			}
			if !known {
				continue
			}
			if h := min(m.held(sku, loc, ""), on); l.OnHand != on || l.Reserved != h {
				t.Fatalf("%s at %s: on hand %d reserved %d, model %d and %d", sku, loc, l.OnHand, l.Reserved, on, h)
			}
		}
	}
	lists := map[string][]stock.Reservation{}
	for _, b := range smBaskets {
		var want []stock.Reservation
		for _, loc := range smLocations {
			if r, ok := m.active(b, loc); ok {
				r = r.Clone()
				for i, l := range r.Lines {
					r.Lines[i].AtRisk = l.Quantity - m.covered(l.SKU, loc)[b]
				}
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(x, y stock.Reservation) int { return cmp.Compare(x.LocationID, y.LocationID) })
		got := m.e.list(b)
		if !sameReservations(got, want) {
			t.Fatalf("Reservations(%s) =\n%+v\nmodel\n%+v", b, got, want)
		}
		lists[b] = got
	}
	m.checkPromises(t, levels, lists)
}

// checkPromises checks, from what the implementation reports only, that
// no unit is promised twice: at every pair, the units each basket may count
// on of its own hold (its hold, capped by what is available to it) sum to
// at most on-hand; each basket sees the free units plus exactly the
// covered part of its hold; and what is available to a basket is what the
// model says Reserve would grant it.
func (m *machine) checkPromises(t *rapid.T, levels stock.Levels, lists map[string][]stock.Reservation) {
	for _, sku := range smSKUs {
		for _, loc := range smLocations {
			l, known := levels.Get(sku, loc)
			if !known {
				continue
			}
			var promised, covered int64
			for _, b := range smBaskets {
				own, _ := levels.WithoutReservations(lists[b]).Get(sku, loc)
				var hold stock.ReserveLine
				for _, r := range lists[b] {
					if r.LocationID == loc {
						hold, _ = r.Line(sku)
					}
				}
				avail := own.Available()
				promised += min(hold.Quantity, avail)
				covered += hold.Covered()
				if avail != l.Available()+hold.Covered() {
					t.Fatalf("%s at %s: available to %s %d ≠ free %d + its covered %d (hold %+v)",
						sku, loc, b, avail, l.Available(), hold.Covered(), hold)
				}
				if want := max(m.available(b, sku, loc, true), 0); avail != want {
					t.Fatalf("%s at %s: available to %s %d, but Reserve would grant %d", sku, loc, b, avail, want)
				}
			}
			if promised > l.OnHand || covered > l.OnHand || covered != l.Reserved {
				t.Fatalf("%s at %s: on hand %d, reserved %d, but holds count on %d and %d are covered",
					sku, loc, l.OnHand, l.Reserved, promised, covered)
			}
		}
	}
}
