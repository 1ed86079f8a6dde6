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
// exactly, and the invariant check compares the implementation with it.
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

// shortages predicts the shortages of taking lines at loc for basket, whose
// existing reservation there (if replace) does not count.
func (m *machine) shortages(basket, loc string, lines []stock.ReserveLine, replace bool) []stock.Shortage {
	var out []stock.Shortage
	except := ""
	if replace {
		except = basket
	}
	for _, l := range lines {
		on, known := m.onHand[smPair{l.SKU, loc}]
		if !known {
			out = append(out, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Unknown: true})
			continue
		}
		if avail := on - m.held(l.SKU, loc, except); l.Quantity > avail {
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
	want := rsv(basket, key, loc, req.ExpiresAt, norm.Lines...)
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
	merged := map[string]int64{}
	if dst, ok := m.active(basket, to); ok {
		for _, l := range dst.Lines {
			merged[l.SKU] += l.Quantity
		}
	}
	for _, l := range src.Lines {
		merged[l.SKU] += l.Quantity
	}
	exp := req.ExpiresAt
	if exp.IsZero() {
		exp = src.ExpiresAt
	}
	want := rsv(basket, key, to, exp)
	for _, sku := range slices.Sorted(maps.Keys(merged)) {
		want.Lines = append(want.Lines, ln(sku, merged[sku]))
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
	for _, b := range smBaskets {
		var want []stock.Reservation
		for _, loc := range smLocations {
			if r, ok := m.active(b, loc); ok {
				want = append(want, r)
			}
		}
		slices.SortFunc(want, func(x, y stock.Reservation) int { return cmp.Compare(x.LocationID, y.LocationID) })
		if got := m.e.list(b); !sameReservations(got, want) {
			t.Fatalf("Reservations(%s) =\n%+v\nmodel\n%+v", b, got, want)
		}
	}
}
