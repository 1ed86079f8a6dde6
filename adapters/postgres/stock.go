package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omnibasket/omnibasket/stock"
)

// How the stock tables stay right under concurrency
//
// stock_levels.reserved counts every reservation line of its pair, active
// or expired-but-not-yet-deleted; the units held by active reservations at
// time now are reserved minus the lines whose expiry is not after now.
// Lines and the counter change only in the same statement.
//
// Every operation on a basket's reservations first takes a
// transaction-scoped advisory lock on the basket (so one basket's calls run
// one at a time and its key records and reservations are stable), then
// locks the stock_levels rows it will count or change, with SELECT … ORDER
// BY sku, location_id FOR NO KEY UPDATE: always the same order, so two
// transactions never wait on each other in a cycle. Availability is then
// read by the next statement, whose snapshot, taken after the locks were
// granted, sees every reservation committed before; nobody can add to
// those pairs until commit. So the database, not this code, serializes the
// competing reservations of a SKU at a location: there is no window
// between the check and the write. A feed changing on_hand (SetOnHand,
// Feed) waits for the same row lock; Apply and Feed follow these rules
// for every pair they touch (see ledger.go).
//
// Under shrinkage (on_hand below what active lines hold) the lines of a
// pair are ranked by (held_since_ns, basket_id) and covered in that order
// (migration 0002): Reservations computes each line's at-risk part in the
// same statement that reads it, and Reserve lets a basket keep the covered
// part of the line it replaces, read after the level locks like the rest
// of availability.
//
// Expiry is judged against the store's clock, read in Go and passed as a
// parameter. Extend, which keeps units held, reads the clock only after its
// locks are granted, so with a monotonic clock it can never revive a
// reservation that a concurrent Reserve has already judged expired and
// whose units it took.

// keyRecord is a request key's first success.
type keyRecord struct {
	digest     string
	recordedAt int64
	outcome    stock.Reservation
}

// heldRes is a reservation of the basket being worked on, active or not.
type heldRes struct {
	key     string
	expires int64
	lines   []stock.ReserveLine // sorted by SKU
}

func (h *heldRes) active(nowNS int64) bool { return h != nil && nowNS < h.expires }

// openBasket locks the basket, then (when lockHeld) the levels its
// reservations at locs hold, and reads its record of key (if key is not
// empty) and its reservations at locs.
func (s *Store) openBasket(ctx context.Context, tx pgx.Tx, basketID, key string, locs []string, lockHeld bool) (*keyRecord, map[string]*heldRes, error) {
	b := &pgx.Batch{}
	b.Queue(s.q.advisoryLock, lockKey("stock-basket", s.schema, basketID))
	if lockHeld {
		b.Queue(s.q.lockHeldLevels, basketID, locs)
	}
	var rec *keyRecord
	if key != "" {
		b.Queue(s.q.keyRecord, basketID, key).QueryRow(func(row pgx.Row) error {
			var (
				r          keyRecord
				loc        string
				exp        int64
				skus       []string
				quantities []int64
				since      []int64 // NULL for keys recorded before migration 0002
			)
			err := row.Scan(&r.digest, &r.recordedAt, &loc, &exp, &skus, &quantities, &since)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return nil
			case err != nil:
				return err
			case len(skus) != len(quantities) || (since != nil && len(since) != len(skus)):
				return fmt.Errorf("request key %q of %q: %d SKUs, %d quantities, %d ranks", key, basketID, len(skus), len(quantities), len(since))
			}
			r.outcome = stock.Reservation{BasketID: basketID, LocationID: loc, RequestKey: key, ExpiresAt: fromNanos(exp)}
			for i, sku := range skus {
				heldSince := r.recordedAt
				if since != nil {
					heldSince = since[i]
				}
				r.outcome.Lines = append(r.outcome.Lines, stock.ReserveLine{SKU: sku, Quantity: quantities[i], HeldSince: fromNanos(heldSince)})
			}
			rec = &r
			return nil
		})
	}
	held := s.queueHeld(b, basketID, locs)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, err
	}
	return rec, held, nil
}

// queueHeld queues the read of the basket's reservations at locs, active or
// not, into the returned map (by location), filled when the batch is read.
func (s *Store) queueHeld(b *pgx.Batch, basketID string, locs []string) map[string]*heldRes {
	held := map[string]*heldRes{}
	b.Queue(s.q.reservationsAt, basketID, locs).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var (
				loc, key, sku   string
				exp, qty, since int64
			)
			if err := rows.Scan(&loc, &key, &exp, &sku, &qty, &since); err != nil {
				return err
			}
			h := held[loc]
			if h == nil {
				h = &heldRes{key: key, expires: exp}
				held[loc] = h
			}
			h.lines = append(h.lines, stock.ReserveLine{SKU: sku, Quantity: qty, HeldSince: fromNanos(since)})
		}
		return rows.Err()
	})
	return held
}

// replayKey answers a request key recorded within retention: the first
// outcome for the same payload, a conflict otherwise. done is false for a
// new or forgotten key.
func replayKey(rec *keyRecord, basketID, key, digest string, now time.Time) (out stock.Reservation, done bool, err error) {
	if rec == nil || !now.Before(fromNanos(rec.recordedAt).Add(stock.KeyRetention)) {
		return stock.Reservation{}, false, nil
	}
	if rec.digest != digest {
		return stock.Reservation{}, true, &stock.ConflictError{BasketID: basketID, RequestKey: key}
	}
	return rec.outcome.Clone(), true, nil
}

// lockAndCheck locks the levels of pairs, then reads what is available of
// lines at loc for a request of basket exclude (whose active reservation
// there is being replaced; "" for none) and returns the shortages, sorted
// like lines. Available is the larger of on-hand minus every other active
// hold and the covered part of exclude's line being replaced (see
// [stock.Reserver]).
func (s *Store) lockAndCheck(ctx context.Context, tx pgx.Tx, pairs [][2]string, loc string, lines []stock.ReserveLine, nowNS int64, exclude string) ([]stock.Shortage, error) {
	skus := make([]string, len(pairs))
	locs := make([]string, len(pairs))
	for i, p := range pairs {
		skus[i], locs[i] = p[0], p[1]
	}
	want := make([]string, len(lines))
	for i, l := range lines {
		want[i] = l.SKU
	}
	var short []stock.Shortage
	b := &pgx.Batch{}
	b.Queue(s.q.lockLevels, skus, locs)
	b.Queue(s.q.availability, loc, want, nowNS, exclude).Query(func(rows pgx.Rows) error {
		i := 0
		for ; rows.Next(); i++ {
			var onHand, held, covered *int64
			if err := rows.Scan(&onHand, &held, &covered); err != nil {
				return err
			}
			l := lines[i]
			if onHand == nil {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Unknown: true})
				continue
			}
			if avail := max(*onHand-*held, *covered); l.Quantity > avail {
				short = append(short, stock.Shortage{SKU: l.SKU, LocationID: loc, Requested: l.Quantity, Available: max(avail, 0)})
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if i != len(lines) {
			return fmt.Errorf("availability: %d rows for %d lines", i, len(lines))
		}
		return nil
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	return short, nil
}

// queueWrite queues the statements that make lines, with the key, expiry
// and ranks, the basket's reservation at loc, replacing the one there, and
// record the request key's first success.
func (s *Store) queueWrite(b *pgx.Batch, res stock.Reservation, expNS int64, digest string, nowNS int64) {
	skus := make([]string, len(res.Lines))
	quantities := make([]int64, len(res.Lines))
	since := make([]int64, len(res.Lines))
	for i, l := range res.Lines {
		skus[i], quantities[i], since[i] = l.SKU, l.Quantity, clampNanos(l.HeldSince)
	}
	b.Queue(s.q.upsertHeader, res.BasketID, res.LocationID, res.RequestKey, expNS)
	b.Queue(s.q.insertLines, res.BasketID, res.LocationID, expNS, skus, quantities, since)
	b.Queue(s.q.upsertKey, res.BasketID, res.RequestKey, digest, nowNS, res.LocationID, expNS, skus, quantities, since)
}

// rankLines sets the HeldSince of lines (sorted by SKU) that replace the
// basket's reservation h at a location: a line whose SKU h held, while
// active, in at least the same quantity keeps that line's rank; any other
// is ranked at nowNS.
func rankLines(lines []stock.ReserveLine, h *heldRes, nowNS int64) {
	var old stock.Reservation
	if h.active(nowNS) {
		old.Lines = h.lines
	}
	for i, l := range lines {
		lines[i].HeldSince = fromNanos(nowNS)
		if o, ok := old.Line(l.SKU); ok && l.Quantity <= o.Quantity {
			lines[i].HeldSince = o.HeldSince
		}
	}
}

// Reserve implements [stock.Reserver]. See the package documentation for
// how the database serializes competing reservations.
func (s *Store) Reserve(ctx context.Context, req stock.ReserveRequest) (stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return stock.Reservation{}, err
	}
	norm, err := req.Normalize()
	if err != nil {
		return stock.Reservation{}, err
	}
	expNS, ok := nanos(norm.ExpiresAt)
	if !ok {
		return stock.Reservation{}, &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is outside the range the store keeps (years 1678 to 2262)", norm.ExpiresAt)}
	}
	digest := norm.PayloadDigest()
	loc := norm.LocationID
	var out stock.Reservation
	err = s.inTx(ctx, "reserve", func(ctx context.Context, tx pgx.Tx) error {
		rec, held, err := s.openBasket(ctx, tx, norm.BasketID, norm.RequestKey, []string{loc}, false)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if r, done, err := replayKey(rec, norm.BasketID, norm.RequestKey, digest, now); done {
			out = r
			return err
		}
		if !now.Before(norm.ExpiresAt) {
			return &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is not after now (%s)", norm.ExpiresAt, now)}
		}
		nowNS := clampNanos(now)
		// Lock the pairs asked for and those of the reservation replaced.
		var pairs [][2]string
		for _, l := range norm.Lines {
			pairs = append(pairs, [2]string{l.SKU, loc})
		}
		if h := held[loc]; h != nil {
			for _, l := range h.lines {
				pairs = append(pairs, [2]string{l.SKU, loc})
			}
		}
		short, err := s.lockAndCheck(ctx, tx, pairs, loc, norm.Lines, nowNS, norm.BasketID)
		if err != nil {
			return err
		}
		if len(short) > 0 {
			return &stock.ShortageError{Shortages: short}
		}
		rankLines(norm.Lines, held[loc], nowNS)
		out = stock.Reservation{BasketID: norm.BasketID, LocationID: loc, RequestKey: norm.RequestKey, Lines: norm.Lines, ExpiresAt: norm.ExpiresAt}
		b := &pgx.Batch{}
		b.Queue(s.q.deleteLines, norm.BasketID, []string{loc})
		s.queueWrite(b, out, expNS, digest, nowNS)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return stock.Reservation{}, wrap(ctx, "reserve", stock.ErrInvalid, err)
	}
	return out.Clone(), nil
}

// Release implements [stock.Reserver].
func (s *Store) Release(ctx context.Context, basketID, locationID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := idsValid(basketID, locationID); err != nil {
		return err
	}
	locs := []string{locationID}
	err := s.inTx(ctx, "release", func(ctx context.Context, tx pgx.Tx) error {
		b := &pgx.Batch{}
		b.Queue(s.q.advisoryLock, lockKey("stock-basket", s.schema, basketID))
		b.Queue(s.q.lockHeldLevels, basketID, locs)
		b.Queue(s.q.deleteLines, basketID, locs)
		b.Queue(s.q.deleteHeaders, basketID, locs)
		return tx.SendBatch(ctx, b).Close()
	})
	return wrap(ctx, "release", stock.ErrInvalid, err)
}

// Extend implements [stock.Reserver]. It locks the levels the reservation
// holds before reading the clock (see the package documentation).
func (s *Store) Extend(ctx context.Context, basketID, locationID string, until time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := idsValid(basketID, locationID); err != nil {
		return err
	}
	err := s.inTx(ctx, "extend", func(ctx context.Context, tx pgx.Tx) error {
		_, held, err := s.openBasket(ctx, tx, basketID, "", []string{locationID}, true)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !now.Before(until) {
			return &stock.InputError{Field: "until", Reason: fmt.Sprintf("%s is not after now (%s)", until, now)}
		}
		untilNS, ok := nanos(until)
		if !ok {
			return &stock.InputError{Field: "until", Reason: fmt.Sprintf("%s is outside the range the store keeps (years 1678 to 2262)", until)}
		}
		h := held[locationID]
		if !h.active(clampNanos(now)) {
			return &stock.NotFoundError{BasketID: basketID, LocationID: locationID}
		}
		if untilNS < h.expires {
			return &stock.InputError{Field: "until", Reason: fmt.Sprintf("%s is before the current expiry %s", until, fromNanos(h.expires))}
		}
		b := &pgx.Batch{}
		b.Queue(s.q.extendHeader, basketID, locationID, untilNS)
		b.Queue(s.q.extendLines, basketID, locationID, untilNS)
		return tx.SendBatch(ctx, b).Close()
	})
	return wrap(ctx, "extend", stock.ErrInvalid, err)
}

// Transfer implements [stock.Reserver]: From's lines are checked against
// what is available at To (the basket's own active reservation at To
// counting as held), then From is released and To holds the merged lines,
// in one transaction.
func (s *Store) Transfer(ctx context.Context, req stock.TransferRequest) (stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return stock.Reservation{}, err
	}
	if err := req.Validate(); err != nil {
		return stock.Reservation{}, err
	}
	var expNS int64
	if !req.ExpiresAt.IsZero() {
		var ok bool
		if expNS, ok = nanos(req.ExpiresAt); !ok {
			return stock.Reservation{}, &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is outside the range the store keeps (years 1678 to 2262)", req.ExpiresAt)}
		}
	}
	digest := req.PayloadDigest()
	var out stock.Reservation
	err := s.inTx(ctx, "transfer", func(ctx context.Context, tx pgx.Tx) error {
		rec, held, err := s.openBasket(ctx, tx, req.BasketID, req.RequestKey, []string{req.From, req.To}, false)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if r, done, err := replayKey(rec, req.BasketID, req.RequestKey, digest, now); done {
			out = r
			return err
		}
		if !req.ExpiresAt.IsZero() && !now.Before(req.ExpiresAt) {
			return &stock.InputError{Field: "ExpiresAt", Reason: fmt.Sprintf("%s is not after now (%s)", req.ExpiresAt, now)}
		}
		nowNS := clampNanos(now)
		src, dst := held[req.From], held[req.To]
		if !src.active(nowNS) {
			return &stock.NotFoundError{BasketID: req.BasketID, LocationID: req.From}
		}
		var pairs [][2]string
		for _, l := range src.lines {
			pairs = append(pairs, [2]string{l.SKU, req.From}, [2]string{l.SKU, req.To})
		}
		if dst != nil {
			for _, l := range dst.lines {
				pairs = append(pairs, [2]string{l.SKU, req.To})
			}
		}
		short, err := s.lockAndCheck(ctx, tx, pairs, req.To, src.lines, nowNS, "")
		if err != nil {
			return err
		}
		if len(short) > 0 {
			return &stock.ShortageError{Shortages: short}
		}
		lines := slices.Clone(src.lines)
		rankLines(lines, nil, nowNS) // ranked as new at To
		if dst.active(nowNS) {
			lines = stock.MergeLines(dst.lines, lines)
		}
		exp := expNS
		if req.ExpiresAt.IsZero() {
			exp = src.expires
		}
		out = stock.Reservation{BasketID: req.BasketID, LocationID: req.To, RequestKey: req.RequestKey, Lines: lines, ExpiresAt: fromNanos(exp)}
		if !req.ExpiresAt.IsZero() {
			out.ExpiresAt = req.ExpiresAt
		}
		b := &pgx.Batch{}
		b.Queue(s.q.deleteLines, req.BasketID, []string{req.From, req.To})
		b.Queue(s.q.deleteHeaders, req.BasketID, []string{req.From})
		s.queueWrite(b, out, exp, digest, nowNS)
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return stock.Reservation{}, wrap(ctx, "transfer", stock.ErrInvalid, err)
	}
	return out.Clone(), nil
}

// Reservations implements [stock.Reserver]: the basket's reservations
// active at the store's current time, with the at-risk part of each line,
// in one consistent read.
func (s *Store) Reservations(ctx context.Context, basketID string) ([]stock.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if basketID == "" {
		return nil, &stock.InputError{Field: "basketID", Reason: "must not be empty"}
	}
	nowNS := clampNanos(s.clock.Now())
	var out []stock.Reservation
	err := s.retry(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, s.q.reservationsOf, basketID, nowNS)
		if err != nil {
			return err
		}
		out, err = collectReservations(rows, basketID, out)
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "reservations", stock.ErrInvalid, err)
	}
	if out == nil {
		out = []stock.Reservation{}
	}
	return out, nil
}

// collectReservations appends the reservations of basketID read by the
// query reservationsOf to out, and closes rows.
func collectReservations(rows pgx.Rows, basketID string, out []stock.Reservation) ([]stock.Reservation, error) {
	defer rows.Close()
	for rows.Next() {
		var (
			loc, key, sku           string
			exp, qty, since, atRisk int64
		)
		if err := rows.Scan(&loc, &key, &exp, &sku, &qty, &since, &atRisk); err != nil {
			return out, err
		}
		if n := len(out); n == 0 || out[n-1].LocationID != loc {
			out = append(out, stock.Reservation{BasketID: basketID, LocationID: loc, RequestKey: key, ExpiresAt: fromNanos(exp)})
		}
		r := &out[len(out)-1]
		r.Lines = append(r.Lines, stock.ReserveLine{SKU: sku, Quantity: qty, HeldSince: fromNanos(since), AtRisk: atRisk})
	}
	return out, rows.Err()
}

// Levels implements [stock.Provider]: every known pair of q, in one
// consistent read, with Reserved the units of active reservations capped
// at OnHand.
func (s *Store) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	if err := ctx.Err(); err != nil {
		return stock.Levels{}, err
	}
	if err := q.Validate(); err != nil {
		return stock.Levels{}, err
	}
	skus, locs := unique(q.SKUs), unique(q.Locations)
	if len(skus) == 0 || len(locs) == 0 {
		return stock.Levels{}, nil
	}
	nowNS := clampNanos(s.clock.Now())
	var out []stock.Level
	err := s.retry(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, s.q.levels, skus, locs, nowNS)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				l       stock.Level
				held    int64
				arrival *int64
			)
			if err := rows.Scan(&l.SKU, &l.LocationID, &l.OnHand, &held, &arrival); err != nil {
				return err
			}
			l.Reserved = min(max(held, 0), l.OnHand)
			if arrival != nil {
				l.NextArrival = fromNanos(*arrival)
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return stock.Levels{}, wrap(ctx, "levels", stock.ErrInvalid, err)
	}
	return stock.NewLevels(out)
}

func unique(xs []string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return slices.Compact(xs)
}

// SetOnHand sets the on-hand count of sku at location, making the pair
// known: the entry point of the retailer's stock feeds. A negative count or
// an empty ID is an error matching [stock.ErrInvalid] and changes nothing.
//
// A count below what active reservations hold (a feed after shrinkage) is
// accepted: the reservations are kept and ranked oldest first as
// [stock.Reserver] documents; Levels reports Reserved capped at OnHand (the
// units covered), Reservations reports the uncovered part of each line as
// AtRisk, and nothing more of that SKU can be reserved there by a basket
// that holds none of it until stock returns or reservations end.
func (s *Store) SetOnHand(ctx context.Context, sku, location string, onHand int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pairValid(sku, location); err != nil {
		return err
	}
	if onHand < 0 {
		return &stock.InputError{Field: "onHand", Reason: fmt.Sprintf("negative (%d)", onHand)}
	}
	err := s.retry(ctx, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, s.q.setOnHand, sku, location, onHand)
		return err
	})
	return wrap(ctx, "set on hand", stock.ErrInvalid, err)
}

// SetNextArrival announces when more of sku is expected at location; the
// zero time withdraws the announcement. The pair must already be known (see
// [Store.SetOnHand]), else the error matches [stock.ErrUnknown]. A time
// outside the years 1678 to 2262 matches [stock.ErrInvalid].
func (s *Store) SetNextArrival(ctx context.Context, sku, location string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := pairValid(sku, location); err != nil {
		return err
	}
	var arrival *int64
	if !at.IsZero() {
		n, ok := nanos(at)
		if !ok {
			return &stock.InputError{Field: "at", Reason: fmt.Sprintf("%s is outside the range the store keeps (years 1678 to 2262)", at)}
		}
		arrival = &n
	}
	var tag pgconn.CommandTag
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		tag, err = s.pool.Exec(ctx, s.q.setNextArrival, sku, location, arrival)
		return err
	})
	if err != nil {
		return wrap(ctx, "set next arrival", stock.ErrInvalid, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s at %s has no on-hand count", stock.ErrUnknown, sku, location)
	}
	return nil
}

func pairValid(sku, location string) error {
	switch {
	case sku == "":
		return &stock.InputError{Field: "sku", Reason: "must not be empty"}
	case location == "":
		return &stock.InputError{Field: "location", Reason: "must not be empty"}
	}
	return nil
}

func idsValid(basketID, locationID string) error {
	switch {
	case basketID == "":
		return &stock.InputError{Field: "basketID", Reason: "must not be empty"}
	case locationID == "":
		return &stock.InputError{Field: "locationID", Reason: "must not be empty"}
	}
	return nil
}

// Pruned counts what [Store.Prune] deleted.
type Pruned struct {
	// Reservations is the number of expired reservations deleted.
	Reservations int64
	// RequestKeys is the number of stock request keys deleted, recorded
	// [stock.KeyRetention] or longer ago.
	RequestKeys int64
	// Nonces is the number of expired handoff nonces deleted.
	Nonces int64
	// Feeds is the number of stock feed IDs deleted, applied
	// [FeedRetention] or longer ago.
	Feeds int64
}

// pruneBatch is the number of baskets whose expired reservations Prune
// deletes per round.
const pruneBatch = 100

// Prune deletes what the store no longer needs as of its clock's current
// time: expired reservations (their units are already free: expiry is
// judged when read), request keys past [stock.KeyRetention], feed IDs past
// [FeedRetention], and expired handoff nonces. Nothing depends on it for
// correctness; it keeps the tables and the availability queries small (a
// feed ID past its retention is forgotten whether or not it was deleted).
// Run it periodically (every few minutes) from one or more instances;
// concurrent runs are safe. Each basket's reservations are pruned in their
// own short transaction, under the same locks as Release.
func (s *Store) Prune(ctx context.Context) (Pruned, error) {
	var p Pruned
	if err := ctx.Err(); err != nil {
		return p, err
	}
	now := s.clock.Now()
	nowNS := clampNanos(now)
	for {
		var ids []string
		err := s.retry(ctx, func(ctx context.Context) error {
			rows, err := s.pool.Query(ctx, s.q.expiredBaskets, nowNS, pruneBatch)
			if err != nil {
				return err
			}
			ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
		if err != nil {
			return p, wrap(ctx, "prune", stock.ErrInvalid, err)
		}
		var round int64
		for _, id := range ids {
			var deleted int64
			err := s.inTx(ctx, "prune", func(ctx context.Context, tx pgx.Tx) error {
				b := &pgx.Batch{}
				b.Queue(s.q.advisoryLock, lockKey("stock-basket", s.schema, id))
				b.Queue(s.q.lockExpiredLevels, id, nowNS)
				b.Queue(s.q.deleteExpiredLines, id, nowNS)
				b.Queue(s.q.deleteExpiredHeaders, id, nowNS).Exec(func(tag pgconn.CommandTag) error {
					deleted = tag.RowsAffected()
					return nil
				})
				return tx.SendBatch(ctx, b).Close()
			})
			if err != nil {
				return p, wrap(ctx, "prune", stock.ErrInvalid, err)
			}
			round += deleted
		}
		p.Reservations += round
		if len(ids) < pruneBatch || round == 0 {
			break
		}
	}
	for _, step := range []struct {
		sql string
		arg int64
		n   *int64
	}{
		{s.q.pruneKeys, clampNanos(now.Add(-stock.KeyRetention)), &p.RequestKeys},
		{s.q.pruneNonces, nowNS, &p.Nonces},
		{s.q.pruneFeeds, clampNanos(now.Add(-FeedRetention)), &p.Feeds},
	} {
		err := s.retry(ctx, func(ctx context.Context) error {
			tag, err := s.pool.Exec(ctx, step.sql, step.arg)
			*step.n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return p, wrap(ctx, "prune", stock.ErrInvalid, err)
		}
	}
	return p, nil
}
