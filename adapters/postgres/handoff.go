package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// The handoff stores: the short codes of every location with their windows
// of failed guesses ([handoff.CodeStore]) and the location-tag attempts of
// every basket ([handoff.AttemptStore]), in the tables of migration 0010,
// so that every instance on the database sees one truth: a code issued on
// one instance is redeemed on any other, once, and the limits hold across
// instances, not per instance.
//
// Everything that happens at one location (putting a code, taking one,
// counting a failure) runs in one transaction under a transaction-scoped
// advisory lock on that location, so that the MaxLive check and the window
// of failures are exact under any concurrency; locations never contend
// with each other. A tag attempt is a single statement on the basket's row.
// Times are the callers' (the Service's injected clock), never SQL now().
var (
	_ handoff.CodeStore    = (*Store)(nil)
	_ handoff.AttemptStore = (*Store)(nil)
)

// handoffSQL holds the statements of the handoff stores, with the schema
// quoted in ({s}): this file's own, beside the store's queries.
type handoffSQL struct {
	deleteExpiredCodes, liveCodes, insertCode, codeWindow, liveCode, deleteCode, countFailure,
	countTagAttempt, pruneCodes, pruneWindows, pruneTagAttempts string
}

func newHandoffSQL(schema string) handoffSQL {
	r := strings.NewReplacer("{s}", schema)
	q := func(sql string) string { return r.Replace(sql) }
	return handoffSQL{
		// $1 retailer, $2 location, $3 now.
		deleteExpiredCodes: q(`DELETE FROM {s}.handoff_codes WHERE retailer_id = $1 AND location_id = $2 AND expires_at_ns <= $3`),
		// The number of live codes at a location, and whether $4 is one.
		liveCodes: q(`SELECT count(*), COALESCE(bool_or(code = $4), false) FROM {s}.handoff_codes
			WHERE retailer_id = $1 AND location_id = $2 AND expires_at_ns > $3`),
		insertCode: q(`INSERT INTO {s}.handoff_codes (retailer_id, location_id, code, expires_at_ns,
				basket_id, purpose, key_id, nonce, issued_at_ns, claims_expire_at_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`),
		codeWindow: q(`SELECT window_end_ns, failures FROM {s}.handoff_code_windows WHERE retailer_id = $1 AND location_id = $2`),
		// $4 code.
		liveCode: q(`SELECT basket_id, purpose, key_id, nonce, issued_at_ns, claims_expire_at_ns FROM {s}.handoff_codes
			WHERE retailer_id = $1 AND location_id = $2 AND code = $4 AND expires_at_ns > $3`),
		deleteCode: q(`DELETE FROM {s}.handoff_codes WHERE retailer_id = $1 AND location_id = $2 AND code = $3`),
		// A failure at $3: a window closed by then starts again, ending at $4.
		countFailure: q(`INSERT INTO {s}.handoff_code_windows AS w (retailer_id, location_id, window_end_ns, failures)
			VALUES ($1, $2, $4, 1)
			ON CONFLICT (retailer_id, location_id) DO UPDATE SET
				window_end_ns = CASE WHEN w.window_end_ns <= $3 THEN $4 ELSE w.window_end_ns END,
				failures = CASE WHEN w.window_end_ns <= $3 THEN 1 ELSE w.failures + 1 END`),
		// $1 basket, $2 now, $3 the window's start (exclusive), $4 when an
		// attempt at $2 leaves it, $5 the limit. The row lock of ON
		// CONFLICT serializes a basket's attempts; the WHERE clause sees
		// the row as the previous attempt left it, so no update (0 rows)
		// means refused, and nothing is recorded.
		countTagAttempt: q(`INSERT INTO {s}.handoff_tag_attempts AS t (basket_id, attempts_ns, expires_at_ns)
			VALUES ($1, ARRAY[$2::bigint], $4)
			ON CONFLICT (basket_id) DO UPDATE SET
				attempts_ns = ARRAY(SELECT a FROM unnest(t.attempts_ns) a WHERE a > $3) || $2::bigint,
				expires_at_ns = GREATEST(t.expires_at_ns, $4)
			WHERE (SELECT count(*) FROM unnest(t.attempts_ns) a WHERE a > $3) < $5`),
		pruneCodes:       q(`DELETE FROM {s}.handoff_codes WHERE expires_at_ns <= $1`),
		pruneWindows:     q(`DELETE FROM {s}.handoff_code_windows WHERE window_end_ns <= $1`),
		pruneTagAttempts: q(`DELETE FROM {s}.handoff_tag_attempts WHERE expires_at_ns <= $1`),
	}
}

// siteLock is the advisory-lock key of one location's short codes.
func (s *Store) siteLock(at handoff.Audience) int64 {
	return lockKey("handoff-site", s.schema, at.Retailer+"\x00"+at.Location)
}

// PutShortCode implements [handoff.CodeStore]: under the location's lock,
// it deletes the location's codes expired at now, counts the live ones
// against maxLive and inserts c.
func (s *Store) PutShortCode(ctx context.Context, c handoff.ShortCode, maxLive int, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	at := c.Claims.Audience
	canon, err := handoff.NormalizeShortCode(c.Code)
	switch {
	case err != nil || canon != c.Code:
		return false, fmt.Errorf("%w: short code: not a canonical code", handoff.ErrInvalid)
	case c.Claims.Basket == uuid.Nil || c.Claims.Purpose != handoff.CheckIn && c.Claims.Purpose != handoff.CheckOut ||
		at.Retailer == "" || at.Location == "":
		return false, fmt.Errorf("%w: short code: claims need a basket, a purpose, a retailer and a location", handoff.ErrInvalid)
	case maxLive < 1:
		return false, fmt.Errorf("%w: maxLive must be at least 1", handoff.ErrInvalid)
	}
	expNS, ok1 := nanos(c.ExpiresAt)
	issuedNS, ok2 := nanos(c.Claims.IssuedAt)
	claimsNS, ok3 := nanos(c.Claims.ExpiresAt)
	if !ok1 || !ok2 || !ok3 {
		return false, fmt.Errorf("%w: short code: times must be between 1678 and 2262", handoff.ErrInvalid)
	}
	nowNS := clampNanos(now)
	q := newHandoffSQL(s.ident)
	var put bool
	err = s.inTx(ctx, "put short code", func(ctx context.Context, tx pgx.Tx) error {
		put = false
		b := &pgx.Batch{}
		b.Queue(s.q.advisoryLock, s.siteLock(at))
		b.Queue(q.deleteExpiredCodes, at.Retailer, at.Location, nowNS)
		var live int
		var taken bool
		b.Queue(q.liveCodes, at.Retailer, at.Location, nowNS, c.Code).QueryRow(func(row pgx.Row) error {
			return row.Scan(&live, &taken)
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		switch {
		case taken:
			return nil
		case live >= maxLive:
			return handoff.ErrTooManyCodes
		}
		_, err := tx.Exec(ctx, q.insertCode, at.Retailer, at.Location, c.Code, expNS,
			c.Claims.Basket, int16(c.Claims.Purpose), c.Claims.KeyID, c.Claims.Nonce[:], issuedNS, claimsNS)
		put = err == nil
		return err
	})
	if err != nil {
		return false, handoffError(ctx, "put short code", err)
	}
	return put, nil
}

// TakeShortCode implements [handoff.CodeStore]: under the location's lock,
// it reads the location's window of failures and the live code, then
// deletes the code or counts the failure.
func (s *Store) TakeShortCode(ctx context.Context, at handoff.Audience, code string, p handoff.Purpose, limit handoff.Limit, now time.Time) (handoff.Claims, error) {
	if err := ctx.Err(); err != nil {
		return handoff.Claims{}, err
	}
	if at.Retailer == "" || at.Location == "" || p != handoff.CheckIn && p != handoff.CheckOut || limit.Max < 1 || limit.Window <= 0 {
		return handoff.Claims{}, fmt.Errorf("%w: a location, a purpose and a positive limit are required", handoff.ErrInvalid)
	}
	nowNS := clampNanos(now)
	endNS := clampNanos(now.Add(limit.Window))
	q := newHandoffSQL(s.ident)
	var (
		claims handoff.Claims
		miss   bool // a failure, counted and committed
	)
	err := s.inTx(ctx, "take short code", func(ctx context.Context, tx pgx.Tx) error {
		claims, miss = handoff.Claims{}, false
		b := &pgx.Batch{}
		b.Queue(s.q.advisoryLock, s.siteLock(at))
		var windowEnd int64
		var failures int
		b.Queue(q.codeWindow, at.Retailer, at.Location).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&windowEnd, &failures)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			return err
		})
		var found bool
		var purpose int16
		var nonce []byte
		var issuedNS, claimsNS int64
		b.Queue(q.liveCode, at.Retailer, at.Location, nowNS, code).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&claims.Basket, &purpose, &claims.KeyID, &nonce, &issuedNS, &claimsNS)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return nil
			case err != nil:
				return err
			}
			found = true
			return nil
		})
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if windowEnd <= nowNS {
			failures = 0 // the window closed
		}
		switch {
		case failures >= limit.Max:
			return handoff.ErrTooManyAttempts
		case !found:
			miss = true
			_, err := tx.Exec(ctx, q.countFailure, at.Retailer, at.Location, nowNS, endNS)
			return err
		case handoff.Purpose(purpose) != p:
			return handoff.ErrWrongPurpose
		case len(nonce) != handoff.NonceLen:
			return fmt.Errorf("short code %s holds a nonce of %d bytes", code, len(nonce))
		}
		claims.Purpose, claims.Audience = p, at
		copy(claims.Nonce[:], nonce)
		claims.IssuedAt, claims.ExpiresAt = fromNanos(issuedNS), fromNanos(claimsNS)
		_, err := tx.Exec(ctx, q.deleteCode, at.Retailer, at.Location, code)
		return err
	})
	switch {
	case err != nil:
		return handoff.Claims{}, handoffError(ctx, "take short code", err)
	case miss:
		return handoff.Claims{}, handoff.ErrUnknownCode
	}
	return claims, nil
}

// CountTagAttempt implements [handoff.AttemptStore] with one statement on
// the basket's row, which keeps the basket's attempts still in the window.
func (s *Store) CountTagAttempt(ctx context.Context, b uuid.UUID, limit handoff.Limit, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if b == uuid.Nil || limit.Max < 1 || limit.Window <= 0 {
		return false, fmt.Errorf("%w: a basket and a positive limit are required", handoff.ErrInvalid)
	}
	q := newHandoffSQL(s.ident)
	var n int64
	err := s.retry(ctx, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, q.countTagAttempt, b, clampNanos(now),
			clampNanos(now.Add(-limit.Window)), clampNanos(now.Add(limit.Window)), limit.Max)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, handoffError(ctx, "count tag attempt", err)
	}
	return n == 1, nil
}

// HandoffPruned counts what [Store.PruneHandoff] deleted.
type HandoffPruned struct {
	// ShortCodes is the number of expired short codes deleted.
	ShortCodes int64
	// Windows is the number of closed windows of failed guesses deleted.
	Windows int64
	// TagAttempts is the number of baskets whose tag attempts had all left
	// their window.
	TagAttempts int64
}

// PruneHandoff deletes, as of the store's clock, the rows of the handoff
// stores that no longer matter: expired short codes, closed windows of
// failures and tag attempts out of their window. Nothing depends on it for
// correctness (expiry is judged when read, and putting a code deletes the
// location's expired ones); it keeps the tables as small as what is live.
// Run it now and then, like [Store.Prune]; it is safe to interrupt and to
// run concurrently from several instances.
func (s *Store) PruneHandoff(ctx context.Context) (HandoffPruned, error) {
	var p HandoffPruned
	if err := ctx.Err(); err != nil {
		return p, err
	}
	nowNS := clampNanos(s.clock.Now())
	q := newHandoffSQL(s.ident)
	for _, step := range []struct {
		sql string
		n   *int64
	}{{q.pruneCodes, &p.ShortCodes}, {q.pruneWindows, &p.Windows}, {q.pruneTagAttempts, &p.TagAttempts}} {
		err := s.retry(ctx, func(ctx context.Context) error {
			tag, err := s.pool.Exec(ctx, step.sql, nowNS)
			*step.n = tag.RowsAffected()
			return err
		})
		if err != nil {
			return p, handoffError(ctx, "prune handoff", err)
		}
	}
	return p, nil
}

// handoffError passes the handoff sentinels through and wraps database
// failures like every method of the store.
func handoffError(ctx context.Context, op string, err error) error {
	for _, kind := range []error{handoff.ErrTooManyCodes, handoff.ErrTooManyAttempts, handoff.ErrWrongPurpose, handoff.ErrUnknownCode} {
		if errors.Is(err, kind) {
			return kind
		}
	}
	return wrap(ctx, op, handoff.ErrInvalid, err)
}
