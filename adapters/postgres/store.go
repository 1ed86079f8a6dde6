package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// DefaultSchema is the schema a [Store] uses when [Options.Schema] is empty.
const DefaultSchema = "omnibasket"

// DefaultMaxRetries is the number of times a transaction that failed with a
// serialization failure or a deadlock is retried when [Options.MaxRetries]
// is 0.
const DefaultMaxRetries = 5

// Bounds of the exponential backoff between retries: the n-th retry waits a
// random duration in [0, min(retryBase·2ⁿ, retryCap)) ("full jitter").
const (
	retryBase = 2 * time.Millisecond
	retryCap  = 250 * time.Millisecond
)

// Options configure a [Store]. The zero value is valid.
type Options struct {
	// Schema holds every table of the store; "" means [DefaultSchema].
	// Any name of at most 63 bytes (PostgreSQL's limit) is accepted: it is
	// always quoted. Give each tenant, or each test, its own schema.
	Schema string
	// Clock judges reservation expiry, request-key retention and nonce
	// expiry; nil means [clock.System]. The time is passed to every query
	// as a parameter: SQL now() is never used for these decisions.
	Clock clock.Clock
	// MaxRetries bounds how many times a transaction aborted by a
	// serialization failure (SQLSTATE 40001) or a deadlock (40P01), or a
	// save refused for the order of the outbox (see [Store.ReadOutbox]),
	// is run again, with exponential backoff and jitter. 0 means
	// [DefaultMaxRetries]; a negative value disables retries.
	MaxRetries int
	// Jitter returns a random duration in [0, n) for the backoff; nil
	// means math/rand/v2's goroutine-safe generator. It must be safe for
	// concurrent use.
	Jitter func(n time.Duration) time.Duration
}

// Store is the PostgreSQL implementation of [basket.Store],
// [stock.Reserver], [stock.Provider], [handoff.ReplayStore],
// [handoff.CodeStore] and [handoff.AttemptStore], plus the
// event outbox ([Store.ReadOutbox]). It is safe for concurrent use by any
// number of goroutines and processes sharing the database.
type Store struct {
	pool     *pgxpool.Pool
	ownsPool bool
	schema   string // as given
	ident    string // quoted
	clock    clock.Clock
	retries  int
	jitter   func(time.Duration) time.Duration
	q        queries
	dq       documentQueries
	lockSalt string

	// beforeCommit, when set (by this package's tests only), runs after a
	// transaction's writes and before its commit.
	beforeCommit func(ctx context.Context, op string, tx pgx.Tx) error
}

var (
	_ basket.Store         = (*Store)(nil)
	_ basket.LedgerStore   = (*Store)(nil)
	_ basket.DocumentStore = (*Store)(nil)
	_ basket.ArrivalStore  = (*Store)(nil)
	_ stock.Ledger         = (*Store)(nil)
	_ stock.Reserver       = (*Store)(nil)
	_ stock.Provider       = (*Store)(nil)
	_ handoff.ReplayStore  = (*Store)(nil)
)

// Open connects to the database at url (a PostgreSQL connection string or
// URL, as accepted by pgxpool.ParseConfig), checks that it answers, and
// returns a Store that owns the pool: [Store.Close] closes it. It does not
// create or change any table: call [Store.Migrate] for that.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse connection string: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := New(pool, opts)
	s.ownsPool = true
	return s, nil
}

// New returns a Store over the caller's pool, which it does not own:
// [Store.Close] leaves it open. Several stores (schemas) may share a pool.
// It does not touch the database.
func New(pool *pgxpool.Pool, opts Options) *Store {
	if opts.Schema == "" {
		opts.Schema = DefaultSchema
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	switch {
	case opts.MaxRetries == 0:
		opts.MaxRetries = DefaultMaxRetries
	case opts.MaxRetries < 0:
		opts.MaxRetries = 0
	}
	if opts.Jitter == nil {
		opts.Jitter = func(n time.Duration) time.Duration { return rand.N(n) }
	}
	ident := pgx.Identifier{opts.Schema}.Sanitize()
	return &Store{
		pool:     pool,
		schema:   opts.Schema,
		ident:    ident,
		clock:    opts.Clock,
		retries:  opts.MaxRetries,
		jitter:   opts.Jitter,
		q:        newQueries(ident),
		dq:       newDocumentQueries(ident),
		lockSalt: opts.Schema,
	}
}

// Close closes the pool if [Open] created it; a pool given to [New] stays
// open. The Store must not be used afterwards.
func (s *Store) Close() {
	if s.ownsPool {
		s.pool.Close()
	}
}

// Schema returns the name of the schema the store lives in.
func (s *Store) Schema() string { return s.schema }

// Ledger implements [basket.LedgerStore]: the store itself, whose stock
// tables Save applies Write.Stock to in the basket write's transaction.
func (s *Store) Ledger() stock.Ledger { return s }

// lockKey derives a 64-bit advisory-lock key from a purpose, the schema and
// an ID, so that stores in different schemas never contend.
func lockKey(purpose, schema, id string) int64 {
	h := fnv.New64a()
	for _, part := range []string{"omnibasket", purpose, schema, id} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

// inTx runs fn in a READ COMMITTED transaction and commits it, running it
// again on a serialization failure, a deadlock or errTxOrder.
func (s *Store) inTx(ctx context.Context, op string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return s.retry(ctx, func(ctx context.Context) error {
		tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
		if err != nil {
			return err
		}
		// After Commit this is a no-op; after a failure, fn's error is the
		// one that matters (a dead connection is discarded by the pool).
		defer func() { _ = tx.Rollback(ctx) }()
		if err := fn(ctx, tx); err != nil {
			return err
		}
		if s.beforeCommit != nil {
			if err := s.beforeCommit(ctx, op, tx); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	})
}

// retry runs fn until it succeeds, fails with an error that is not
// retryable, or the retries are used up.
func (s *Store) retry(ctx context.Context, fn func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(ctx)
		if err == nil || !retryable(err) {
			return err
		}
		if attempt >= s.retries {
			return fmt.Errorf("postgres: gave up after %d attempts: %w", attempt+1, err)
		}
		wait := min(retryBase<<attempt, retryCap)
		t := time.NewTimer(s.jitter(wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}

// SQLSTATE codes the store looks at.
const (
	codeSerializationFailure = "40001"
	codeDeadlock             = "40P01"
	codeCheckViolation       = "23514"
)

// retryable reports whether a transaction that failed with err may
// succeed if run again: a serialization failure, a deadlock, errTxOrder,
// or an event routed to the default partition of the history just as its
// month was attached (see [Store.PrepareHistory]): run again, the insert
// goes to the month.
func retryable(err error) bool {
	var pg *pgconn.PgError
	if errors.Is(err, errTxOrder) || !errors.As(err, &pg) {
		return errors.Is(err, errTxOrder)
	}
	return pg.Code == codeSerializationFailure || pg.Code == codeDeadlock ||
		pg.Code == codeCheckViolation && pg.TableName == "basket_events_default"
}

// dbError is a database failure: it matches the domain kind, when there is
// one (for example [stock.ErrInvalid] for a value PostgreSQL refused), the
// context's error when the context ended, and the underlying error (often
// a *pgconn.PgError) with errors.Is and errors.As.
type dbError struct {
	op   string
	kind error
	err  error
}

func (e *dbError) Error() string { return "postgres: " + e.op + ": " + e.err.Error() }

func (e *dbError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}

// wrap returns err unchanged when it is already a domain error of the
// store (a sentinel or typed error of basket, stock or handoff), and a
// *dbError otherwise. invalid is the domain's ErrInvalid, matched when
// PostgreSQL refused a value (SQLSTATE class 22, data exception).
func wrap(ctx context.Context, op string, invalid, err error) error {
	if err == nil || alreadyTyped(err) {
		return err
	}
	var kind error
	var pg *pgconn.PgError
	switch {
	case ctx.Err() != nil && !errors.Is(err, ctx.Err()):
		kind = ctx.Err()
	case errors.As(err, &pg) && len(pg.Code) == 5 && pg.Code[:2] == "22":
		kind = invalid
	}
	return &dbError{op: op, kind: kind, err: err}
}

// alreadyTyped reports whether err already carries a kind of the store's
// contracts (a sentinel or typed error of basket, stock or handoff, or a
// *dbError).
func alreadyTyped(err error) bool {
	var db *dbError
	if errors.As(err, &db) {
		return true
	}
	for _, kind := range []error{
		basket.ErrNotFound, basket.ErrAlreadyExists, basket.ErrVersionConflict, basket.ErrIdempotencyKeyUsed, basket.ErrInvalid,
		stock.ErrInvalid, stock.ErrInsufficientStock, stock.ErrUnknown, stock.ErrNotFound, stock.ErrConflict,
		handoff.ErrAlreadyUsed, handoff.ErrInvalid,
	} {
		if errors.Is(err, kind) {
			return true
		}
	}
	return false
}

// nanos converts t to nanoseconds since the Unix epoch; ok is false when t
// is outside the int64 range (before 1678 or after 2262).
func nanos(t time.Time) (n int64, ok bool) {
	if t.Before(minTime()) || t.After(maxTime()) {
		return 0, false
	}
	return t.UnixNano(), true
}

// clampNanos converts t like nanos, saturating out-of-range times.
func clampNanos(t time.Time) int64 {
	switch {
	case t.Before(minTime()):
		return math.MinInt64
	case t.After(maxTime()):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func minTime() time.Time { return time.Unix(0, math.MinInt64) }
func maxTime() time.Time { return time.Unix(0, math.MaxInt64) }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
