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

// testDeltaConservation: over any sequence of delta feeds, replays and
// conflicting reuses, on-hand after = on-hand before + Σ deltas of the
// feeds taken, a refused feed changes nothing, and holds are untouched.
func testDeltaConservation(t *testing.T, newHarness func(t *testing.T) Harness) {
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(rt, newHarness(t))
		model := map[smPair]int64{}
		for _, sku := range smSKUs {
			for _, loc := range smLocations {
				if rapid.Bool().Draw(rt, "known") {
					model[smPair{sku, loc}] = rapid.Int64Range(0, 5).Draw(rt, "onhand")
					e.setOnHand(sku, loc, model[smPair{sku, loc}])
				}
			}
		}
		exp := e.now().Add(time.Hour)
		for _, b := range smBaskets {
			loc := rapid.SampledFrom(smLocations).Draw(rt, "holdAt")
			if n := model[smPair{"s1", loc}]; n > 0 {
				if _, err := e.apply(b, mvHold(loc, exp, ln("s1", 1))); err != nil && !errors.Is(err, stock.ErrInsufficientStock) {
					rt.Fatalf("hold: %v", err)
				}
			}
		}
		holdsBefore := map[string][]stock.Reservation{}
		for _, b := range smBaskets {
			holdsBefore[b] = e.list(b)
		}
		total := func(m map[smPair]int64) (n int64) {
			for _, v := range m {
				n += v
			}
			return n
		}
		start, deltas := total(model), int64(0)
		var fed []stock.Feed
		for step := range rapid.IntRange(1, 12).Draw(rt, "steps") {
			switch kind := rapid.IntRange(0, 3).Draw(rt, "kind"); {
			case kind == 0 && len(fed) > 0:
				f := rapid.SampledFrom(fed).Draw(rt, "replayed")
				f.Counts = slices.Clone(f.Counts)
				slices.Reverse(f.Counts) // the order of counts does not matter
				rep, err := e.feed(f)
				if err != nil || !rep.Replayed {
					rt.Fatalf("replay of %s: %+v, %v", f.ID, rep, err)
				}
			case kind == 1 && len(fed) > 0:
				f := rapid.SampledFrom(fed).Draw(rt, "reused")
				f.Counts = slices.Clone(f.Counts)
				f.Counts[0].Quantity += rapid.SampledFrom([]int64{-1, 1}).Draw(rt, "nudge")
				if f.Counts[0].Quantity == 0 {
					f.Counts[0].Quantity = 2
				}
				_, err := e.feed(f)
				expectErr(rt, err, "feed ID "+f.ID+" reused for other counts", stock.ErrConflict)
			default:
				f := deltaFeed(fmt.Sprintf("d%d", step))
				next := maps.Clone(model)
				refuse := false
				var sum int64
				for _, i := range rapid.Permutation([]int{0, 1, 2, 3, 4, 5}).Draw(rt, "pairs")[:rapid.IntRange(1, 4).Draw(rt, "npairs")] {
					p := smPair{smSKUs[i%2], smLocations[i/2]}
					d := rapid.Int64Range(-4, 4).Filter(func(d int64) bool { return d != 0 }).Draw(rt, "delta")
					f.Counts = append(f.Counts, cnt(p.sku, p.loc, d))
					on, known := model[p]
					refuse = refuse || on+d < 0 || (!known && d < 0)
					next[p] = on + d
					sum += d
				}
				rep, err := e.feed(f)
				if refuse {
					expectErr(rt, err, fmt.Sprintf("delta feed %v taking a pair below zero", f.Counts), stock.ErrInvalid)
					break
				}
				if err != nil {
					rt.Fatalf("delta feed %v: %v", f.Counts, err)
				}
				if rep.Replayed || rep.Pairs != len(f.Counts) || rep.OnHandAfter-rep.OnHandBefore != sum {
					rt.Fatalf("delta feed %v (Σ %d): report %+v", f.Counts, sum, rep)
				}
				model, deltas = next, deltas+sum
				fed = append(fed, f)
			}
			levels, err := e.h.Provider.Levels(e.ctx, stock.Query{SKUs: smSKUs, Locations: smLocations})
			if err != nil {
				rt.Fatal(err)
			}
			var got int64
			for _, l := range levels.All() {
				got += l.OnHand
				if want, ok := model[smPair{l.SKU, l.LocationID}]; !ok || l.OnHand != want {
					rt.Fatalf("%s at %s: on hand %d, want %d (known %t)", l.SKU, l.LocationID, l.OnHand, want, ok)
				}
			}
			if levels.Len() != len(model) || got != start+deltas {
				rt.Fatalf("Σ on hand %d over %d pairs, want %d + Σ deltas %d over %d", got, levels.Len(), start, deltas, len(model))
			}
		}
		for _, b := range smBaskets {
			after := e.list(b)
			for i := range after {
				for j := range after[i].Lines {
					after[i].Lines[j].AtRisk = 0 // feeds may put holds at risk, not change them
				}
			}
			if !sameReservations(after, holdsBefore[b]) {
				rt.Fatalf("feeds changed the holds of %s: %+v, were %+v", b, after, holdsBefore[b])
			}
		}
	})
}

// lmLocations are fewer than the reserver machine's: baskets meet on the
// same pairs more often.
var lmLocations = []string{"L1", "L2"}

// lmRes is a model reservation: lines sorted by SKU.
type lmRes struct {
	lines []stock.ReserveLine
	exp   time.Time
	key   string
}

// ledgerModel predicts a ledger exactly: on-hand counts and the holds of
// every basket, with Apply and Feed written as plainly as possible.
type ledgerModel struct {
	now    time.Time
	onHand map[smPair]int64
	res    map[string]map[string]lmRes // basket → location → reservation, maybe expired
	feeds  map[string]string           // feed ID → digest
}

func (m *ledgerModel) clone() *ledgerModel {
	c := &ledgerModel{now: m.now, onHand: maps.Clone(m.onHand), res: map[string]map[string]lmRes{}, feeds: maps.Clone(m.feeds)}
	for b, byLoc := range m.res {
		c.res[b] = map[string]lmRes{}
		for loc, r := range byLoc {
			r.lines = slices.Clone(r.lines)
			c.res[b][loc] = r
		}
	}
	return c
}

func (m *ledgerModel) active(basket, loc string) (lmRes, bool) {
	r, ok := m.res[basket][loc]
	if !ok || !m.now.Before(r.exp) {
		return lmRes{}, false
	}
	return r, true
}

func (m *ledgerModel) set(basket, loc string, r lmRes) {
	if m.res[basket] == nil {
		m.res[basket] = map[string]lmRes{}
	}
	if len(r.lines) == 0 {
		delete(m.res[basket], loc)
		return
	}
	m.res[basket][loc] = r
}

func line(lines []stock.ReserveLine, sku string) stock.ReserveLine {
	for _, l := range lines {
		if l.SKU == sku {
			return l
		}
	}
	return stock.ReserveLine{}
}

// holds ranks and covers the active holds of a pair.
func (m *ledgerModel) holds(sku, loc string) []stock.Hold {
	var hs []stock.Hold
	for _, b := range smBaskets {
		if r, ok := m.active(b, loc); ok {
			if l := line(r.lines, sku); l.Quantity > 0 {
				hs = append(hs, stock.Hold{BasketID: b, LocationID: loc, SKU: sku, Quantity: l.Quantity, HeldSince: l.HeldSince, ExpiresAt: r.exp})
			}
		}
	}
	return stock.Cover(m.onHand[smPair{sku, loc}], m.now, hs)
}

// available is what basket may take of a pair: the larger of on-hand minus
// the other baskets' holds and the covered part of its own.
func (m *ledgerModel) available(basket, sku, loc string) int64 {
	free := m.onHand[smPair{sku, loc}]
	var own int64
	for _, h := range m.holds(sku, loc) {
		if h.BasketID == basket {
			own = h.Covered()
		} else {
			free -= h.Quantity
		}
	}
	return max(free, own, 0)
}

func (m *ledgerModel) covered(basket, sku, loc string) int64 {
	for _, h := range m.holds(sku, loc) {
		if h.BasketID == basket {
			return h.Covered()
		}
	}
	return 0
}

// apply plays a normalized change on m and returns the error the ledger
// must return (m is then to be thrown away).
func (m *ledgerModel) apply(c stock.Change) error {
	for i, mv := range c.Movements {
		if !mv.ExpiresAt.IsZero() && !m.now.Before(mv.ExpiresAt) {
			return &stock.InputError{Field: fmt.Sprintf("Movements[%d].ExpiresAt", i)}
		}
	}
	b := c.BasketID
	for _, mv := range c.Movements {
		loc := mv.LocationID
		var short []stock.Shortage
		shortOf := func(l stock.ReserveLine, avail int64) {
			if _, known := m.onHand[smPair{l.SKU, loc}]; !known {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Unknown: true})
			} else if l.Quantity > avail {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Available: avail})
			}
		}
		old, _ := m.active(b, loc)
		switch mv.Kind {
		case stock.MoveHold:
			r := lmRes{exp: mv.ExpiresAt}
			for _, l := range mv.Lines {
				shortOf(l, m.available(b, l.SKU, loc))
				since := m.now
				if o := line(old.lines, l.SKU); o.Quantity >= l.Quantity {
					since = o.HeldSince
				}
				r.lines = append(r.lines, lnAt(l.SKU, l.Quantity, since))
			}
			if len(short) > 0 {
				return &stock.ShortageError{Shortages: short}
			}
			m.set(b, loc, r)
		case stock.MoveRelease:
			if len(mv.Lines) == 0 {
				old.lines = nil
			}
			for _, l := range mv.Lines {
				old.lines = take(old.lines, l)
			}
			m.set(b, loc, old)
		case stock.MoveDeduct:
			for _, l := range mv.Lines {
				shortOf(l, m.available(b, l.SKU, loc))
			}
			if len(short) > 0 {
				return &stock.ShortageError{Shortages: short}
			}
			for _, l := range mv.Lines {
				old.lines = take(old.lines, l)
				m.onHand[smPair{l.SKU, loc}] -= l.Quantity
			}
			m.set(b, loc, old)
		case stock.MoveTransfer:
			for _, l := range mv.Lines {
				if line(old.lines, l.SKU).Quantity < l.Quantity {
					return &stock.NotFoundError{BasketID: b, LocationID: loc, SKU: l.SKU}
				}
			}
			for _, l := range mv.Lines {
				shortOf(l, m.covered(b, l.SKU, loc))
			}
			if len(short) > 0 {
				return &stock.ShortageError{Shortages: short}
			}
			dst, _ := m.active(b, mv.To)
			if !dst.exp.After(mv.ExpiresAt) || len(dst.lines) == 0 {
				dst.exp = mv.ExpiresAt // the later expiry wins; a new hold takes the transfer's
			}
			dst.key = ""
			for _, l := range mv.Lines {
				old.lines = take(old.lines, l)
				m.onHand[smPair{l.SKU, loc}] -= l.Quantity
				m.onHand[smPair{l.SKU, mv.To}] += l.Quantity
				merged := lnAt(l.SKU, line(dst.lines, l.SKU).Quantity+l.Quantity, m.now)
				dst.lines = append(slices.DeleteFunc(dst.lines, func(x stock.ReserveLine) bool { return x.SKU == l.SKU }), merged)
			}
			slices.SortFunc(dst.lines, func(x, y stock.ReserveLine) int { return cmp.Compare(x.SKU, y.SKU) })
			m.set(b, loc, old)
			m.set(b, mv.To, dst)
		case stock.MoveRestock:
			for _, l := range mv.Lines {
				m.onHand[smPair{l.SKU, loc}] += l.Quantity
			}
		}
	}
	return nil
}

// take removes up to l.Quantity of l.SKU from lines, in a new slice.
func take(lines []stock.ReserveLine, l stock.ReserveLine) []stock.ReserveLine {
	var out []stock.ReserveLine
	for _, x := range lines {
		if x.SKU == l.SKU {
			x.Quantity -= l.Quantity
		}
		if x.Quantity > 0 {
			out = append(out, x)
		}
	}
	return out
}

// reservations lists what Reservations must return for basket.
func (m *ledgerModel) reservations(basket string) []stock.Reservation {
	out := []stock.Reservation{}
	for _, loc := range lmLocations {
		r, ok := m.active(basket, loc)
		if !ok {
			continue
		}
		res := stock.Reservation{BasketID: basket, LocationID: loc, RequestKey: r.key, ExpiresAt: r.exp}
		for _, l := range r.lines {
			l.AtRisk = l.Quantity - m.covered(basket, l.SKU, loc)
			res.Lines = append(res.Lines, l)
		}
		out = append(out, res)
	}
	return out
}

// lmachine drives a ledger and its model.
type lmachine struct {
	e     *env
	m     *ledgerModel
	feeds int
}

func testLedgerMachine(t *testing.T, newHarness func(t *testing.T) Harness) {
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(rt, newHarness(t))
		lm := &lmachine{e: e, m: &ledgerModel{now: e.now(), onHand: map[smPair]int64{}, res: map[string]map[string]lmRes{}, feeds: map[string]string{}}}
		for _, sku := range smSKUs {
			for _, loc := range lmLocations {
				if rapid.IntRange(0, 5).Draw(rt, "known") > 0 {
					lm.m.onHand[smPair{sku, loc}] = rapid.Int64Range(0, 8).Draw(rt, "onhand")
					e.setOnHand(sku, loc, lm.m.onHand[smPair{sku, loc}])
				}
			}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"apply": func(t *rapid.T) { // a few in a row: holds live long enough to be moved
				for range rapid.IntRange(1, 4).Draw(t, "changes") {
					lm.apply(t)
					lm.check(t)
				}
			},
			"feed":    lm.feed,
			"advance": lm.advance,
			"":        lm.check,
		})
	})
}

func (lm *lmachine) drawLines(t *rapid.T, min int) []stock.ReserveLine {
	var lines []stock.ReserveLine
	for range rapid.IntRange(min, 2).Draw(t, "nlines") {
		lines = append(lines, ln(rapid.SampledFrom(smSKUs).Draw(t, "sku"), rapid.Int64Range(1, 2).Draw(t, "qty")))
	}
	return lines
}

func (lm *lmachine) drawExpiry(t *rapid.T) time.Time {
	if rapid.IntRange(0, 15).Draw(t, "expired") == 0 {
		return lm.m.now.Add(-time.Duration(rapid.IntRange(0, 60).Draw(t, "ago")) * time.Second)
	}
	return lm.m.now.Add(time.Duration(rapid.IntRange(1, 1200).Draw(t, "ttl")) * time.Second)
}

func (lm *lmachine) apply(t *rapid.T) {
	c := stock.Change{BasketID: rapid.SampledFrom(smBaskets).Draw(t, "basket")}
	var heldAt []string // where the basket holds something: most releases, deducts and transfers start there
	for _, loc := range lmLocations {
		if _, ok := lm.m.active(c.BasketID, loc); ok {
			heldAt = append(heldAt, loc)
		}
	}
	// Mostly one or two movements (the more, the likelier one fails), and
	// more holds and transfers: they make the states worth checking.
	for range []int{1, 1, 1, 2, 2, 3}[rapid.IntRange(0, 5).Draw(t, "nmoves")] {
		kind := rapid.SampledFrom([]stock.MoveKind{stock.MoveHold, stock.MoveHold, stock.MoveRelease, stock.MoveDeduct,
			stock.MoveTransfer, stock.MoveTransfer, stock.MoveRestock}).Draw(t, "kind")
		mv := stock.Movement{Kind: kind, LocationID: rapid.SampledFrom(lmLocations).Draw(t, "location")}
		fromHold := kind != stock.MoveHold && kind != stock.MoveRestock && len(heldAt) > 0 && rapid.IntRange(0, 3).Draw(t, "fromHold") > 0
		if fromHold {
			mv.LocationID = rapid.SampledFrom(heldAt).Draw(t, "heldAt")
		}
		switch kind {
		case stock.MoveHold:
			mv.Lines, mv.ExpiresAt = lm.drawLines(t, 1), lm.drawExpiry(t)
		case stock.MoveRelease:
			mv.Lines = lm.drawLines(t, 0)
		case stock.MoveTransfer:
			others := slices.DeleteFunc(slices.Clone(lmLocations), func(l string) bool { return l == mv.LocationID })
			mv.To = rapid.SampledFrom(others).Draw(t, "to")
			mv.Lines, mv.ExpiresAt = lm.drawLines(t, 1), lm.drawExpiry(t)
		default:
			mv.Lines = lm.drawLines(t, 1)
		}
		if r, _ := lm.m.active(c.BasketID, mv.LocationID); fromHold && len(r.lines) > 0 {
			mv.Lines = nil
			for _, l := range r.lines {
				if rapid.Bool().Draw(t, "takeLine") || len(mv.Lines) == 0 {
					mv.Lines = append(mv.Lines, ln(l.SKU, rapid.Int64Range(1, l.Quantity).Draw(t, "part")))
				}
			}
		}
		c.Movements = append(c.Movements, mv)
	}
	norm, err := c.Normalize()
	if err != nil {
		t.Fatalf("the model built an invalid change: %v", err)
	}
	next := lm.m.clone()
	want := next.apply(norm)
	got, err := lm.e.h.Ledger.Apply(lm.e.ctx, c)
	what := fmt.Sprintf("Apply(%s: %s)", c.BasketID, describeMoves(c.Movements))
	var se *stock.ShortageError
	var nf *stock.NotFoundError
	switch {
	case want == nil:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		lm.m = next
		if exp := lm.m.reservations(c.BasketID); !sameReservations(got, exp) {
			t.Fatalf("%s returned\n%+v\nmodel\n%+v", what, got, exp)
		}
	case errors.As(want, &se):
		expectShortage(t, err, what, se.Shortages...)
	case errors.As(want, &nf):
		var gotNF *stock.NotFoundError
		if !errors.As(err, &gotNF) || *gotNF != *nf {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
	default:
		expectErr(t, err, what, stock.ErrInvalid)
	}
}

func (lm *lmachine) feed(t *rapid.T) {
	lm.feeds++
	var f stock.Feed
	var ids []string
	for id := range lm.m.feeds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	next := maps.Clone(lm.m.onHand)
	refuse := false
	if len(ids) > 0 && rapid.IntRange(0, 4).Draw(t, "reuse") == 0 {
		f = fullFeed(rapid.SampledFrom(ids).Draw(t, "id"), []string{"L1"}, nil) // a conflict unless it was that
	} else if rapid.Bool().Draw(t, "full") {
		f = fullFeed(fmt.Sprintf("f%d", lm.feeds), rapid.SliceOfNDistinct(rapid.SampledFrom(lmLocations), 1, 3, rapid.ID[string]).Draw(t, "locations"), nil)
		if rapid.Bool().Draw(t, "skuScope") {
			f.SKUs = []string{rapid.SampledFrom(smSKUs).Draw(t, "scopeSKU")}
		}
		for p := range next {
			if f.InScope(p.sku, p.loc) {
				next[p] = 0
			}
		}
		for _, sku := range smSKUs {
			for _, loc := range lmLocations {
				if f.InScope(sku, loc) && rapid.Bool().Draw(t, "listed") {
					n := rapid.Int64Range(0, 6).Draw(t, "count")
					f.Counts = append(f.Counts, cnt(sku, loc, n))
					next[smPair{sku, loc}] = n
				}
			}
		}
	} else {
		f = deltaFeed(fmt.Sprintf("f%d", lm.feeds))
		for _, sku := range smSKUs {
			for _, loc := range lmLocations {
				if rapid.IntRange(0, 2).Draw(t, "listed") == 0 {
					d := rapid.Int64Range(-3, 3).Filter(func(d int64) bool { return d != 0 }).Draw(t, "delta")
					f.Counts = append(f.Counts, cnt(sku, loc, d))
					on, known := next[smPair{sku, loc}]
					refuse = refuse || on+d < 0 || (!known && d < 0)
					next[smPair{sku, loc}] = on + d
				}
			}
		}
		if len(f.Counts) == 0 {
			t.Skip("no count")
		}
	}
	rep, err := lm.e.feed(f)
	switch digest, seen := lm.m.feeds[f.ID]; {
	case seen && digest == f.Digest():
		if err != nil || !rep.Replayed {
			t.Fatalf("replay of feed %s: %+v, %v", f.ID, rep, err)
		}
	case seen:
		expectErr(t, err, "feed "+f.ID+" reused", stock.ErrConflict)
	case refuse:
		expectErr(t, err, fmt.Sprintf("delta feed %v below zero", f.Counts), stock.ErrInvalid)
	default:
		if err != nil {
			t.Fatalf("feed %s %v: %v", f.Kind, f.Counts, err)
		}
		var before, after int64
		var atRisk []stock.Hold
		pairs := 0
		listed := func(sku, loc string) bool {
			return slices.ContainsFunc(f.Counts, func(c stock.Count) bool { return c.SKU == sku && c.LocationID == loc })
		}
		for p, n := range next {
			if f.InScope(p.sku, p.loc) || listed(p.sku, p.loc) {
				pairs++
				before += lm.m.onHand[p]
				after += n
			}
		}
		lm.m.onHand = next
		lm.m.feeds[f.ID] = f.Digest()
		for _, loc := range lmLocations {
			for _, sku := range smSKUs {
				if f.InScope(sku, loc) || listed(sku, loc) {
					for _, h := range lm.m.holds(sku, loc) {
						if h.AtRisk > 0 {
							atRisk = append(atRisk, h)
						}
					}
				}
			}
		}
		slices.SortFunc(atRisk, func(a, b stock.Hold) int {
			return cmp.Or(a.HeldSince.Compare(b.HeldSince), cmp.Compare(a.LocationID, b.LocationID), cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.BasketID, b.BasketID))
		})
		expectReport(t, rep, stock.FeedReport{Pairs: pairs, OnHandBefore: before, OnHandAfter: after, AtRisk: atRisk}, fmt.Sprintf("feed %s %s %v", f.ID, f.Kind, f.Counts))
	}
}

func (lm *lmachine) advance(t *rapid.T) {
	lm.m.now = lm.e.h.Clock.Advance(time.Duration(rapid.IntRange(1, 180).Draw(t, "seconds")) * time.Second)
}

func (lm *lmachine) check(t *rapid.T) {
	e := lm.e
	levels, err := e.h.Provider.Levels(e.ctx, stock.Query{SKUs: smSKUs, Locations: lmLocations})
	if err != nil {
		t.Fatal(err)
	}
	var wantHolds []stock.Hold
	for _, loc := range lmLocations {
		for _, sku := range smSKUs {
			l, known := levels.Get(sku, loc)
			on, want := lm.m.onHand[smPair{sku, loc}]
			if known != want {
				t.Fatalf("%s at %s: known %t, model %t", sku, loc, known, want)
			}
			hs := lm.m.holds(sku, loc)
			wantHolds = append(wantHolds, hs...)
			var covered int64
			for _, h := range hs {
				covered += h.Covered()
			}
			if known && (l.OnHand != on || l.Reserved != covered) {
				t.Fatalf("%s at %s: on hand %d reserved %d, model %d and %d", sku, loc, l.OnHand, l.Reserved, on, covered)
			}
		}
	}
	if got := e.holds(smSKUs, lmLocations); !slices.EqualFunc(got, wantHolds, sameHold) {
		t.Fatalf("Holds =\n%+v\nmodel\n%+v", got, wantHolds)
	}
	for _, b := range smBaskets {
		if got, want := e.list(b), lm.m.reservations(b); !sameReservations(got, want) {
			t.Fatalf("Reservations(%s) =\n%+v\nmodel\n%+v", b, got, want)
		}
	}
	e.conserve(smBaskets, smSKUs, lmLocations)
}
