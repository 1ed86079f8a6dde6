package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

func testMeta(at time.Time) basket.Meta {
	return basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "pgtest"}, At: at}
}

// addCoupon applies one command to b and returns the write storing it.
func addCoupon(t testing.TB, b *basket.Basket, code string, at time.Time) basket.Write {
	t.Helper()
	before := b.Version
	e, err := b.AddCoupon(testMeta(at), code)
	require.NoError(t, err)
	return basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}
}

func TestOpenDoesNotMigrate(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	schema := newTestSchemaName(t)
	s, err := Open(ctx, envOrSkip(t), Options{Schema: schema})
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, schema, s.Schema())
	_, err = s.Get(ctx, uuid.New())
	require.Error(t, err, "no tables before Migrate")
	var pg *pgconn.PgError
	require.ErrorAs(t, err, &pg, "the PostgreSQL error is reachable")
	assert.Equal(t, "42P01", pg.Code, "undefined_table")
	assert.NotErrorIs(t, err, basket.ErrNotFound)

	_, err = Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", Options{})
	assert.Error(t, err, "unreachable server")
	_, err = Open(ctx, "::not a url::", Options{})
	assert.Error(t, err)
}

func envOrSkip(t *testing.T) string {
	sharedPool(t)
	return os.Getenv(envURL)
}

func TestMigrateConcurrentAndIdempotent(t *testing.T) {
	pool := sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	schema := newTestSchemaName(t)
	t.Cleanup(func() {
		pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+New(pool, Options{Schema: schema}).ident+" CASCADE")
	})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() { // separate Store values, as separate instances would have
			defer wg.Done()
			errs[i] = New(pool, Options{Schema: schema}).Migrate(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	s := New(pool, Options{Schema: schema})
	require.NoError(t, s.Migrate(ctx), "again")
	var n, max int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*), max(version) FROM "+s.ident+".schema_migrations").Scan(&n, &max))
	assert.Equal(t, SchemaVersion(), max)
	ms, err := migrations()
	require.NoError(t, err)
	assert.Equal(t, len(ms), n, "each migration applied once")
	assert.Equal(t, 11, SchemaVersion())

	long := New(pool, Options{Schema: newTestSchemaName(t) + "_" + strings.Repeat("x", 40)})
	assert.Error(t, long.Migrate(ctx), "a schema name PostgreSQL would truncate")
}

func TestSchemaNameIsQuoted(t *testing.T) {
	pool := sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	schema := newTestSchemaName(t) + `"; DROP TABLE x; --Odd Case`
	s := New(pool, Options{Schema: schema})
	t.Cleanup(func() { pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s.ident+" CASCADE") })
	require.NoError(t, s.Migrate(ctx))
	b, w := baskettest.NewBasket(t, "c-1")
	require.NoError(t, s.Save(ctx, w))
	got, err := s.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
}

func TestEventRoundTripKeepsNanoseconds(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 10, 0, 0, 123456789, time.UTC)
	b, e, err := basket.New(uuid.New(), basket.Owner{AnonymousID: "anon-1"}, baskettest.Context(), basket.Cart, testMeta(at))
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, basket.Write{Basket: b.Clone(), Events: []basket.Event{e}}))
	later := at.Add(999*time.Nanosecond + time.Second)
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "NANO", later)))
	events, err := s.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	require.Len(t, events, 2)
	assert.True(t, events[0].At.Equal(at), "%s ≠ %s", events[0].At, at)
	assert.True(t, events[1].At.Equal(later), "%s ≠ %s", events[1].At, later)
	assert.JSONEq(t, string(e.Data), string(events[0].Data))
	assert.Equal(t, e.Actor, events[0].Actor)
	replayed, err := basket.Replay(events)
	require.NoError(t, err)
	stored, err := s.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.True(t, replayed.UpdatedAt.Equal(stored.UpdatedAt))
	assert.Equal(t, b.Owner, stored.Owner, "anonymous owner")
	ids, err := s.FindByOwner(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, ids, "anonymous baskets have no customer")

	_, err = s.Events(ctx, uuid.New(), 0)
	assert.ErrorIs(t, err, basket.ErrNotFound)
	none, err := s.Events(ctx, b.ID, 2)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
}

func TestSaveUnknownBasketIsNotFound(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	b, _ := baskettest.NewBasket(t, "c-1")
	err := s.Save(context.Background(), addCoupon(t, b, "X", time.Now()))
	assert.ErrorIs(t, err, basket.ErrNotFound)
}

func TestOutboxFollowsCommitOrder(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	_, err := s.ReadOutbox(ctx, Cursor{}, 0)
	assert.ErrorIs(t, err, basket.ErrInvalid)

	// Writers save concurrently (on distinct and on shared baskets) while a
	// consumer follows the outbox with a cursor. It must see every
	// committed event exactly once, positions increasing, each basket's
	// events in sequence order.
	const writers, perWriter = 8, 40
	shared, w := baskettest.NewBasket(t, "c-shared")
	require.NoError(t, s.Save(ctx, w))
	var done atomic.Bool
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own, w := baskettest.NewBasket(t, "c-w")
			if err := s.Save(ctx, w); err != nil {
				t.Error(err)
				return
			}
			for n := range perWriter {
				id := own.ID
				if n%2 == 1 {
					id = shared.ID
				}
				for {
					cur, err := s.Get(ctx, id)
					if err != nil {
						t.Error(err)
						return
					}
					err = s.Save(ctx, addCoupon(t, cur, fmt.Sprintf("G%dN%d", g, n), time.Now()))
					if err == nil {
						break
					}
					if !errors.Is(err, basket.ErrVersionConflict) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	seen := map[uuid.UUID]int64{}
	var cursor Cursor
	var total int
	follow := func() {
		batch, err := s.ReadOutbox(ctx, cursor, 7)
		require.NoError(t, err)
		for _, oe := range batch {
			require.Equal(t, 1, oe.Cursor.Compare(cursor), "cursors increase")
			cursor = oe.Cursor
			require.Equal(t, seen[oe.Event.BasketID]+1, oe.Event.Seq, "basket %s: no event skipped or repeated", oe.Event.BasketID)
			seen[oe.Event.BasketID] = oe.Event.Seq
			total++
		}
	}
	go func() { wg.Wait(); done.Store(true) }()
	for !done.Load() {
		follow()
	}
	// Drain: an event is delivered once every transaction older than its
	// own has ended, in any test sharing the server.
	want := 1 + writers*(1+perWriter) // the shared basket's creation, each writer's basket and updates
	for deadline := time.Now().Add(10 * time.Second); total < want && time.Now().Before(deadline); {
		follow()
	}
	follow()
	assert.Equal(t, want, total)
	for id, seq := range seen {
		b, err := s.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, b.Version, seq, "the consumer saw the whole history of %s", id)
	}
}

func TestPrune(t *testing.T) {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	for _, loc := range []string{"x", "y"} {
		require.NoError(t, s.SetOnHand(ctx, "a", loc, 10))
		require.NoError(t, s.SetOnHand(ctx, "b", loc, 10))
	}
	now := clk.Now()
	for i := range 5 {
		_, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: fmt.Sprintf("short-%d", i), RequestKey: "k", LocationID: "x",
			Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1}, {SKU: "b", Quantity: 1}}, ExpiresAt: now.Add(time.Minute)})
		require.NoError(t, err)
	}
	long, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "long", RequestKey: "k", LocationID: "y",
		Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}}, ExpiresAt: now.Add(time.Hour)})
	require.NoError(t, err)
	require.NoError(t, s.Consume(ctx, []byte("nonce-1"), now.Add(time.Minute)))
	require.NoError(t, s.Consume(ctx, []byte("nonce-2"), now.Add(2*time.Hour)))

	p, err := s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, Pruned{}, p, "nothing expired yet")

	clk.Advance(time.Minute)
	p, err = s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, Pruned{Reservations: 5, Nonces: 1}, p)
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x", "y"}})
	require.NoError(t, err)
	lx, _ := levels.Get("a", "x")
	ly, _ := levels.Get("a", "y")
	assert.Equal(t, int64(0), lx.Reserved)
	assert.Equal(t, int64(2), ly.Reserved)
	var counter int64
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT reserved FROM "+s.ident+".stock_levels WHERE sku = 'a' AND location_id = 'x'").Scan(&counter))
	assert.Equal(t, int64(0), counter, "the counter dropped with the deleted lines")
	rs, err := s.Reservations(ctx, "long")
	require.NoError(t, err)
	assert.Equal(t, []stock.Reservation{long}, rs)
	assert.ErrorIs(t, s.Consume(ctx, []byte("nonce-2"), now.Add(2*time.Hour)), handoff.ErrAlreadyUsed, "a live nonce survives")

	// Keys are kept for KeyRetention after their first success.
	clk.Set(now.Add(stock.KeyRetention))
	p, err = s.Prune(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(6), p.RequestKeys)
	assert.Equal(t, int64(1), p.Reservations, "the long one expired too")
}

func TestRetries(t *testing.T) {
	var sleeps []time.Duration
	s := New(nil, Options{MaxRetries: 3, Jitter: func(n time.Duration) time.Duration { sleeps = append(sleeps, n); return 0 }})
	ctx := context.Background()
	calls := 0
	err := s.retry(ctx, func(context.Context) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: codeDeadlock})
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 3, calls)
	assert.Equal(t, []time.Duration{retryBase, 2 * retryBase}, sleeps, "exponential bounds")

	calls = 0
	err = s.retry(ctx, func(context.Context) error { calls++; return &pgconn.PgError{Code: codeSerializationFailure} })
	assert.Equal(t, 4, calls, "1 + MaxRetries attempts")
	var pg *pgconn.PgError
	require.ErrorAs(t, err, &pg)
	assert.Equal(t, codeSerializationFailure, pg.Code)

	calls = 0
	other := &pgconn.PgError{Code: "23505"}
	err = s.retry(ctx, func(context.Context) error { calls++; return other })
	assert.Equal(t, 1, calls, "other errors are not retried")
	assert.ErrorIs(t, err, other)

	none := New(nil, Options{MaxRetries: -1})
	calls = 0
	_ = none.retry(ctx, func(context.Context) error { calls++; return &pgconn.PgError{Code: codeDeadlock} })
	assert.Equal(t, 1, calls)

	capped := New(nil, Options{MaxRetries: 20, Jitter: func(n time.Duration) time.Duration { sleeps = append(sleeps, n); return 0 }})
	sleeps = nil
	_ = capped.retry(ctx, func(context.Context) error { return &pgconn.PgError{Code: codeDeadlock} })
	assert.Len(t, sleeps, 20)
	assert.Equal(t, retryCap, sleeps[len(sleeps)-1], "the backoff is bounded")

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	slow := New(nil, Options{Jitter: func(time.Duration) time.Duration { return time.Hour }})
	err = slow.retry(canceled, func(context.Context) error { return &pgconn.PgError{Code: codeDeadlock} })
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorAs(t, err, &pg)
}

func TestDatabaseErrorsAreTyped(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	// PostgreSQL text cannot hold a NUL byte: refused as invalid input,
	// with the PostgreSQL error reachable.
	err := s.SetOnHand(ctx, "bad\x00sku", "x", 1)
	require.ErrorIs(t, err, stock.ErrInvalid)
	var pg *pgconn.PgError
	require.ErrorAs(t, err, &pg)
	assert.Equal(t, "22", pg.Code[:2])

	_, err = s.Reserve(ctx, stock.ReserveRequest{BasketID: "b", RequestKey: "k", LocationID: "x",
		Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1}}, ExpiresAt: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)})
	assert.ErrorIs(t, err, stock.ErrInvalid, "an expiry beyond 2262")

	assert.ErrorIs(t, s.SetNextArrival(ctx, "ghost", "x", time.Now()), stock.ErrUnknown)
	require.NoError(t, s.SetOnHand(ctx, "a", "x", 1))
	arrival := time.Date(2026, 12, 1, 8, 0, 0, 1, time.UTC)
	require.NoError(t, s.SetNextArrival(ctx, "a", "x", arrival))
	levels, err := s.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	require.NoError(t, err)
	l, _ := levels.Get("a", "x")
	assert.True(t, l.NextArrival.Equal(arrival))
	require.NoError(t, s.SetNextArrival(ctx, "a", "x", time.Time{}))
	levels, err = s.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	require.NoError(t, err)
	l, _ = levels.Get("a", "x")
	assert.True(t, l.NextArrival.IsZero())

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = s.Get(canceled, uuid.New())
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, s.Consume(ctx, nil, time.Now()), handoff.ErrInvalid)

	// A JSON payload PostgreSQL refuses is invalid input and changes nothing.
	b, w := baskettest.NewBasket(t, "c-1")
	w.Events[0].Data = json.RawMessage(`{"not json`)
	err = s.Save(ctx, w)
	assert.ErrorIs(t, err, basket.ErrInvalid)
	require.ErrorAs(t, err, &pg)
	_, err = s.Get(ctx, b.ID)
	assert.ErrorIs(t, err, basket.ErrNotFound)
}

func TestDropSchema(t *testing.T) {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		t.Skip("OMNIBASKET_POSTGRES_URL is not set; see .ci/run for starting a local PostgreSQL")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("omnibasket_drop_%d", time.Now().UnixNano())
	s, err := Open(ctx, url, Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOnHand(ctx, "SKU", "LOC", 3); err != nil {
		t.Fatal(err)
	}
	if err := s.DropSchema(ctx); err != nil {
		t.Fatal(err)
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", schema).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatal("schema still exists")
	}
	if err := s.DropSchema(ctx); err != nil {
		t.Fatalf("dropping twice: %v", err)
	}
}
