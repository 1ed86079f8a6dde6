package postgres

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omnibasket/omnibasket/stock"
)

// How the ledger stays right under concurrency
//
// Apply and Feed keep the rules of the reservation tables (stock.go): a
// level row is changed only under its lock, the reserved counters change
// in the statements that change the lines, and expiry is judged against
// the store's clock. Two more things need care.
//
// A movement or a feed may make a pair known (a restock, a transfer to a
// store that never had the SKU, a count of a new article). Inserting a
// level row after locking others could deadlock with a transaction that
// inserted the same pair and waits for one of those locks. So the pairs a
// change or feed may create are inserted first, at 0, in (SKU, location)
// order, before any level lock (createLevels); a concurrent creator of the
// same pair waits for the first to end while holding no level lock. (The
// unique check also waits for a transaction that has updated the row of
// an existing pair: such a transaction already holds every level lock it
// takes and never waits for what a creator holds.) Only then are all the
// pairs locked, in the one order. A pair created so is treated as unknown
// until a movement or count gives it units: a hold on it is short of an
// unknown level, as if the row were not there. A change that fails leaves
// such rows behind in its transaction, which the caller rolls back.
//
// A change is played in Go (stock.Play, the rules every ledger shares)
// on what it read after its locks: the basket's own reservations (stable
// under its advisory lock), each pair's
// on-hand and the other baskets' active holds, which nobody can change
// before commit. The basket's line of a pair has one of two ranks while
// the change is played (the one it had, or the change's now), so the
// sums of the other holds ranked before each of those two ranks are all
// that covering its line needs (pairStates), whatever the number of holds
// of the pair. The outcome is then written in one batch.

var _ stock.Ledger = (*Store)(nil)

// FeedRetention is the minimum time the store remembers a feed ID after
// the feed was applied: a feed re-delivered within it is a replay (or a
// conflict), never counted twice. [Store.Prune] deletes older IDs.
const FeedRetention = 30 * 24 * time.Hour

type ledgerPair struct{ sku, loc string }

func compareLedgerPairs(a, b ledgerPair) int {
	if c := cmp.Compare(a.sku, b.sku); c != 0 {
		return c
	}
	return cmp.Compare(a.loc, b.loc)
}

// sortedPairs returns the pairs of set in lock order, as parallel arrays.
func sortedPairs(set map[ledgerPair]bool) (pairs []ledgerPair, skus, locs []string) {
	pairs = make([]ledgerPair, 0, len(set))
	for p := range set {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, compareLedgerPairs)
	skus, locs = make([]string, len(pairs)), make([]string, len(pairs))
	for i, p := range pairs {
		skus[i], locs[i] = p.sku, p.loc
	}
	return pairs, skus, locs
}

// normalizeChange normalizes c and refuses an expiry outside the range
// the store keeps.
func normalizeChange(c stock.Change) (stock.Change, error) {
	c, err := c.Normalize()
	if err != nil {
		return stock.Change{}, err
	}
	for i, m := range c.Movements {
		if _, ok := nanos(m.ExpiresAt); !m.ExpiresAt.IsZero() && !ok {
			return stock.Change{}, &stock.InputError{Field: fmt.Sprintf("Movements[%d].ExpiresAt", i),
				Reason: fmt.Sprintf("%s is outside the range the store keeps (years 1678 to 2262)", m.ExpiresAt)}
		}
	}
	return c, nil
}

// Apply implements [stock.Ledger] in one transaction (see applyChange),
// retried on a serialization failure or a deadlock.
//
// A hold or transfer sets a reservation without a request key (Apply has
// none); a release or deduct keeps the key of the reservation it shrinks.
func (s *Store) Apply(ctx context.Context, c stock.Change) ([]stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	norm, err := normalizeChange(c)
	if err != nil {
		return nil, err
	}
	var out []stock.Reservation
	err = s.inTx(ctx, "apply", func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = s.applyChange(ctx, tx, norm)
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "apply", stock.ErrInvalid, err)
	}
	return out, nil
}

// applyChange applies every movement of c inside the caller's transaction
// tx, which it neither begins nor commits, and returns the basket's active
// reservations afterwards, sorted by location, as [stock.Ledger.Apply]
// documents. Its refusals are the stock package's typed errors, returned
// unwrapped; on any error the caller must roll tx back (some rows may have
// been written). The basket store calls it from Save so that an order and
// its holds commit together. A transaction calls it at most once (its
// locks are sorted within one call), and every transaction calling it
// takes its other locks in the same order around it: Save locks the
// basket rows and records the idempotency key before, numbers documents
// and takes the outbox lock after, so a Save never waits for a level
// while holding the outbox or a document series.
//
// It takes the basket's advisory lock, creates the pairs the change may
// make known, locks every level it reads or changes in (SKU, location)
// order, reads the clock, checks every expiry, reads the pairs, plays the
// movements in Go and writes the outcome: three round trips whatever the
// number of movements.
func (s *Store) applyChange(ctx context.Context, tx pgx.Tx, c stock.Change) ([]stock.Reservation, error) {
	c, err := normalizeChange(c)
	if err != nil {
		return nil, err
	}
	named := map[ledgerPair]bool{}     // pairs the movements name: read, locked
	creatable := map[ledgerPair]bool{} // pairs a movement makes known
	var locs []string                  // where the basket's reservation may change
	for _, m := range c.Movements {
		for _, l := range m.Lines {
			named[ledgerPair{l.SKU, m.LocationID}] = true
			switch m.Kind {
			case stock.MoveRestock:
				creatable[ledgerPair{l.SKU, m.LocationID}] = true
			case stock.MoveTransfer:
				named[ledgerPair{l.SKU, m.To}] = true
				creatable[ledgerPair{l.SKU, m.To}] = true
			}
		}
		if m.Kind != stock.MoveRestock {
			locs = append(locs, m.LocationID)
		}
		if m.Kind == stock.MoveTransfer {
			locs = append(locs, m.To)
		}
	}
	locs = unique(locs)
	pairs, skus, pairLocs := sortedPairs(named)
	_, newSKUs, newLocs := sortedPairs(creatable)

	created := map[ledgerPair]bool{}
	b := &pgx.Batch{}
	b.Queue(s.q.advisoryLock, lockKey("stock-basket", s.schema, c.BasketID))
	if len(newSKUs) > 0 {
		b.Queue(s.q.createLevels, newSKUs, newLocs).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var p ledgerPair
				if err := rows.Scan(&p.sku, &p.loc); err != nil {
					return err
				}
				created[p] = true
			}
			return rows.Err()
		})
	}
	b.Queue(s.q.lockChange, skus, pairLocs, c.BasketID, locs)
	held := s.queueHeld(b, c.BasketID, locs)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}

	// The clock is read once every lock is held (see Extend); stock.Play
	// checks every expiry against it first.
	now := s.clock.Now()
	nowNS := clampNanos(now)
	w := &ledgerWork{basket: c.BasketID, now: now, nowNS: nowNS,
		pairs: make(map[ledgerPair]*pairState, len(pairs)), res: map[string]*stock.Reservation{}, held: held}
	since := make([]int64, len(pairs))
	for i, p := range pairs {
		since[i] = nowNS
		if h := held[p.loc]; h.active(nowNS) {
			if l, ok := (stock.Reservation{Lines: h.lines}).Line(p.sku); ok {
				since[i] = clampNanos(l.HeldSince)
			}
		}
	}
	rows, err := tx.Query(ctx, s.q.pairStates, skus, pairLocs, since, c.BasketID, nowNS)
	if err != nil {
		return nil, err
	}
	var (
		onHand                       *int64
		others, beforeOwn, beforeNow int64
		n                            int
	)
	_, err = pgx.ForEachRow(rows, []any{&onHand, &others, &beforeOwn, &beforeNow}, func() error {
		if n == len(pairs) {
			return fmt.Errorf("pair states: more rows than the %d pairs", len(pairs))
		}
		st := &pairState{since: since[n], others: others, beforeOwn: beforeOwn, beforeNow: beforeNow}
		if onHand != nil && !created[pairs[n]] {
			st.known, st.onHand = true, *onHand
		}
		w.pairs[pairs[n]] = st
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n != len(pairs) {
		return nil, fmt.Errorf("pair states: %d rows for %d pairs", n, len(pairs))
	}

	played, err := stock.Play(c, now, w)
	if err != nil {
		return nil, err
	}
	for p, n := range played.OnHand {
		st := w.pairs[ledgerPair{p.SKU, p.LocationID}]
		if st == nil {
			return nil, fmt.Errorf("postgres: %s at %s changed without being read", p.SKU, p.LocationID)
		}
		st.known, st.onHand, st.changed = true, n, true
	}
	w.res = played.Reservations
	return s.writeWork(ctx, tx, w, created)
}

// pairState is what a change knows of one pair it names.
type pairState struct {
	known  bool
	onHand int64 // as read, then as played
	// others is the units of the other baskets' active holds; beforeOwn
	// and beforeNow those ranked before the basket's line at rank since
	// (the line it held when the change began, or now when none) and at
	// rank now.
	others, beforeOwn, beforeNow int64
	since                        int64
	changed                      bool // onHand differs from the row
}

// ledgerWork is a change being played on what applyChange read: the
// pairs it names and the basket's reservations, as the memory ledger
// plays it on a copy of its state.
type ledgerWork struct {
	basket string
	now    time.Time
	nowNS  int64
	pairs  map[ledgerPair]*pairState
	// res holds the basket's reservation at each location a movement has
	// touched (nil: none); held is what the tables hold, active or not.
	res  map[string]*stock.Reservation
	held map[string]*heldRes
}

// OnHand, Held, OthersHeld and Covered are the state [stock.Play]
// reads: what the tables held when the locks were taken.
func (w *ledgerWork) OnHand(p stock.Pair) (int64, bool) {
	st := w.pairs[ledgerPair{p.SKU, p.LocationID}]
	if st == nil {
		return 0, false
	}
	return st.onHand, st.known
}

// Held implements [stock.LedgerState].
func (w *ledgerWork) Held(loc string) *stock.Reservation {
	h := w.held[loc]
	if !h.active(w.nowNS) {
		return nil
	}
	return &stock.Reservation{BasketID: w.basket, LocationID: loc, RequestKey: h.key,
		Lines: h.lines, ExpiresAt: fromNanos(h.expires)}
}

// OthersHeld implements [stock.LedgerState].
func (w *ledgerWork) OthersHeld(p stock.Pair) int64 {
	if st := w.pairs[ledgerPair{p.SKU, p.LocationID}]; st != nil {
		return st.others
	}
	return 0
}

// Covered implements [stock.LedgerState] from the sums pairStates read:
// the other holds ranked before the basket's line at the rank it had when
// the change began, or at the change's time.
func (w *ledgerWork) Covered(p stock.Pair, onHand int64, l stock.ReserveLine) (int64, error) {
	st := w.pairs[ledgerPair{p.SKU, p.LocationID}]
	if st == nil {
		return 0, nil
	}
	var before int64
	switch clampNanos(l.HeldSince) {
	case st.since:
		before = st.beforeOwn
	case w.nowNS:
		before = st.beforeNow
	default: // a line keeps its rank or is ranked now: nothing else was read
		return 0, fmt.Errorf("postgres: %s at %s: rank %s of basket %q was not read", p.SKU, p.LocationID, l.HeldSince, w.basket)
	}
	return min(l.Quantity, max(onHand-before, 0)), nil
}

// unchanged reports whether the reservation r played at a location is
// exactly what the tables hold there, active.
func (w *ledgerWork) unchanged(loc string, r *stock.Reservation) bool {
	h := w.held[loc]
	if r == nil || !h.active(w.nowNS) {
		return r == nil && h == nil
	}
	return r.RequestKey == h.key && clampNanos(r.ExpiresAt) == h.expires &&
		slices.EqualFunc(r.Lines, h.lines, func(a, b stock.ReserveLine) bool {
			return a.SKU == b.SKU && a.Quantity == b.Quantity && a.HeldSince.Equal(b.HeldSince)
		})
}

// writeWork writes what the change did (the on-hand counts first: a hold
// needs its level, then the basket's reservations at every location whose
// reservation changed) and reads the basket's active reservations back.
func (s *Store) writeWork(ctx context.Context, tx pgx.Tx, w *ledgerWork, created map[ledgerPair]bool) ([]stock.Reservation, error) {
	changed := map[ledgerPair]bool{}
	for p, st := range w.pairs {
		if created[p] && !st.known {
			return nil, fmt.Errorf("postgres: %s at %s was made known for a movement that did not give it units", p.sku, p.loc)
		}
		if st.changed {
			changed[p] = true
		}
	}
	pairs, skus, locs := sortedPairs(changed)
	onHand := make([]int64, len(pairs))
	for i, p := range pairs {
		onHand[i] = w.pairs[p].onHand
	}
	b := &pgx.Batch{}
	if len(pairs) > 0 {
		b.Queue(s.q.setOnHands, skus, locs, onHand)
	}
	var rewrite []string
	for loc, r := range w.res {
		if !w.unchanged(loc, r) {
			rewrite = append(rewrite, loc)
		}
	}
	slices.Sort(rewrite)
	if len(rewrite) > 0 {
		b.Queue(s.q.deleteLines, w.basket, rewrite)
		b.Queue(s.q.deleteHeaders, w.basket, rewrite)
	}
	for _, loc := range rewrite {
		r := w.res[loc]
		if r == nil {
			continue
		}
		lineSKUs := make([]string, len(r.Lines))
		quantities := make([]int64, len(r.Lines))
		since := make([]int64, len(r.Lines))
		for i, l := range r.Lines {
			lineSKUs[i], quantities[i], since[i] = l.SKU, l.Quantity, clampNanos(l.HeldSince)
		}
		expNS := clampNanos(r.ExpiresAt)
		b.Queue(s.q.upsertHeader, w.basket, loc, r.RequestKey, expNS)
		b.Queue(s.q.insertLines, w.basket, loc, expNS, lineSKUs, quantities, since)
	}
	out := []stock.Reservation{}
	b.Queue(s.q.reservationsOf, w.basket, w.nowNS).Query(func(rows pgx.Rows) error {
		var err error
		out, err = collectReservations(rows, w.basket, out)
		return err
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return out, nil
}

// Holds implements [stock.HoldLister] in one query: the holds active at
// the store's current time of every basket on the known pairs of q,
// sorted by location, SKU, then rank, each with the part on-hand does not
// cover as AtRisk.
func (s *Store) Holds(ctx context.Context, q stock.Query) ([]stock.Hold, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	skus, locs := unique(q.SKUs), unique(q.Locations)
	if len(skus) == 0 || len(locs) == 0 {
		return nil, nil
	}
	nowNS := clampNanos(s.clock.Now())
	var out []stock.Hold
	err := s.retry(ctx, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, s.q.holds, skus, locs, nowNS)
		if err != nil {
			return err
		}
		out, err = collectHolds(rows)
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "holds", stock.ErrInvalid, err)
	}
	return out, nil
}

// collectHolds reads the rows of a query selecting rankedHolds, and
// closes them; nil when there are none.
func collectHolds(rows pgx.Rows) ([]stock.Hold, error) {
	defer rows.Close()
	var out []stock.Hold
	for rows.Next() {
		var (
			h          stock.Hold
			since, exp int64
		)
		if err := rows.Scan(&h.BasketID, &h.LocationID, &h.SKU, &h.Quantity, &since, &exp, &h.AtRisk); err != nil {
			return nil, err
		}
		h.HeldSince, h.ExpiresAt = fromNanos(since), fromNanos(exp)
		out = append(out, h)
	}
	return out, rows.Err()
}

// Feed implements [stock.Feeder] in one transaction: the feed ID is
// recorded first (a concurrent delivery of the same ID waits for this one
// to end, then is answered as a replay or a conflict), the pairs it may
// make known are created, every pair it sets or zeroes is locked in
// (SKU, location) order and read, the new counts are computed and
// checked, then written in one statement, and the holds they leave at
// risk read in the same transaction. Feed IDs are remembered for
// [FeedRetention] after the feed was applied (a feed re-delivered after
// that is applied again); a feed that fails is not remembered, so its ID
// may be sent again, with any counts.
//
// A full feed sets every pair it lists and zeroes every known pair in its
// scope ([stock.Feed.InScope]) that it does not list; Pairs counts both.
// Holds are never changed: those on-hand no longer covers are reported in
// AtRisk.
func (s *Store) Feed(ctx context.Context, f stock.Feed) (stock.FeedReport, error) {
	if err := ctx.Err(); err != nil {
		return stock.FeedReport{}, err
	}
	if err := f.Validate(); err != nil {
		return stock.FeedReport{}, err
	}
	digest := f.Digest()
	counts := slices.Clone(f.Counts)
	slices.SortFunc(counts, func(a, b stock.Count) int {
		return compareLedgerPairs(ledgerPair{a.SKU, a.LocationID}, ledgerPair{b.SKU, b.LocationID})
	})
	skus, locs := make([]string, len(counts)), make([]string, len(counts))
	for i, c := range counts {
		skus[i], locs[i] = c.SKU, c.LocationID
	}
	index := make(map[ledgerPair]int, len(f.Counts)) // position in f.Counts, for errors
	for i, c := range f.Counts {
		index[ledgerPair{c.SKU, c.LocationID}] = i
	}
	var scopeLocs, scopeSKUs []string
	if f.Kind == stock.FullFeed {
		scopeLocs, scopeSKUs = unique(f.Locations), unique(f.SKUs)
	}

	var rep stock.FeedReport
	err := s.inTx(ctx, "feed", func(ctx context.Context, tx pgx.Tx) error {
		rep = stock.FeedReport{}
		now := s.clock.Now()
		nowNS := clampNanos(now)
		var (
			recorded bool
			stored   string
		)
		b := &pgx.Batch{}
		b.Queue(s.q.recordFeed, f.ID, digest, nowNS, clampNanos(now.Add(-FeedRetention))).Exec(func(tag pgconn.CommandTag) error {
			recorded = tag.RowsAffected() == 1
			return nil
		})
		b.Queue(s.q.feedDigest, f.ID).QueryRow(func(row pgx.Row) error { return row.Scan(&stored) })
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if !recorded {
			if stored != digest {
				return &stock.ConflictError{RequestKey: f.ID}
			}
			rep.Replayed = true
			return nil
		}

		created := map[ledgerPair]bool{}
		before := map[ledgerPair]int64{} // known pairs read
		b = &pgx.Batch{}
		if len(counts) > 0 {
			b.Queue(s.q.createLevels, skus, locs).Query(func(rows pgx.Rows) error {
				for rows.Next() {
					var p ledgerPair
					if err := rows.Scan(&p.sku, &p.loc); err != nil {
						return err
					}
					created[p] = true
				}
				return rows.Err()
			})
		}
		b.Queue(s.q.lockFeed, skus, locs, scopeLocs, scopeSKUs).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var (
					p ledgerPair
					n int64
				)
				if err := rows.Scan(&p.sku, &p.loc, &n); err != nil {
					return err
				}
				before[p] = n
			}
			return rows.Err()
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		for p := range created {
			delete(before, p) // unknown until this feed gives it a count
		}

		// Compute every new count before changing anything.
		type set struct {
			p          ledgerPair
			before, to int64
		}
		sets := make([]set, 0, len(counts))
		for _, c := range counts {
			p := ledgerPair{c.SKU, c.LocationID}
			on, known := before[p]
			if f.Kind == stock.FullFeed {
				sets = append(sets, set{p, on, c.Quantity})
				continue
			}
			field := fmt.Sprintf("Counts[%d].Quantity", index[p])
			switch {
			case !known && c.Quantity < 0:
				return &stock.InputError{Field: field,
					Reason: fmt.Sprintf("%s at %s has no known on-hand to lower by %d", c.SKU, c.LocationID, -c.Quantity)}
			case on+c.Quantity < 0:
				return &stock.InputError{Field: field,
					Reason: fmt.Sprintf("would take %s at %s from %d to %d", c.SKU, c.LocationID, on, on+c.Quantity)}
			case c.Quantity > 0 && on > math.MaxInt64-c.Quantity:
				return &stock.InputError{Field: field,
					Reason: fmt.Sprintf("on-hand of %s at %s would overflow", c.SKU, c.LocationID)}
			}
			sets = append(sets, set{p, on, on + c.Quantity})
		}
		if f.Kind == stock.FullFeed {
			var zeroed []set
			for p, on := range before {
				if _, listed := index[p]; !listed && f.InScope(p.sku, p.loc) {
					zeroed = append(zeroed, set{p, on, 0})
				}
			}
			slices.SortFunc(zeroed, func(a, b set) int { return compareLedgerPairs(a.p, b.p) })
			sets = append(sets, zeroed...)
		}

		setSKUs, setLocs, to := make([]string, len(sets)), make([]string, len(sets)), make([]int64, len(sets))
		for i, st := range sets {
			setSKUs[i], setLocs[i], to[i] = st.p.sku, st.p.loc, st.to
			rep.Pairs++
			rep.OnHandBefore += st.before
			rep.OnHandAfter += st.to
		}
		b = &pgx.Batch{}
		if len(sets) > 0 {
			b.Queue(s.q.setOnHands, setSKUs, setLocs, to)
		}
		b.Queue(s.q.feedAtRisk, setSKUs, setLocs, nowNS).Query(func(rows pgx.Rows) error {
			var err error
			rep.AtRisk, err = collectHolds(rows)
			return err
		})
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return stock.FeedReport{}, wrap(ctx, "feed", stock.ErrInvalid, err)
	}
	return rep, nil
}
