package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// The fault tests kill the writer's connection in the middle of a
// transaction, with pg_terminate_backend from another connection, either
// once every write is done but before COMMIT (through the test-only
// beforeCommit hook) or while the writer waits for a lock held by the
// test. Afterwards nothing may be half-written, and no lock may be left
// behind.

// terminate kills the backend pid and waits until it is gone.
func terminate(t *testing.T, pool *pgxpool.Pool, pid uint32) {
	t.Helper()
	var ok bool
	require.NoError(t, pool.QueryRow(context.Background(), "SELECT pg_terminate_backend($1, 10000)", int32(pid)).Scan(&ok))
	require.True(t, ok, "backend %d terminated", pid)
}

// killBeforeCommit makes the next transaction of kind op lose its
// connection after its writes.
func killBeforeCommit(t *testing.T, s *Store, op string) {
	s.beforeCommit = func(ctx context.Context, got string, tx pgx.Tx) error {
		if got != op {
			return nil
		}
		var pid uint32
		if err := tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			return err
		}
		terminate(t, s.pool, pid)
		return nil
	}
}

// blockedBy returns the backend waiting for a lock that holder's backend
// holds, waiting for it to appear.
func blockedBy(t *testing.T, pool *pgxpool.Pool, holder uint32) uint32 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var pid uint32
		err := pool.QueryRow(context.Background(),
			"SELECT pid FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid)) LIMIT 1", int32(holder)).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no backend waits for the test's lock")
	return 0
}

// holdLock runs lockSQL in an open transaction on its own connection and
// returns the backend pid and a function that rolls it back.
func holdLock(t *testing.T, pool *pgxpool.Pool, lockSQL string, args ...any) (uint32, func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	var pid uint32
	require.NoError(t, tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
	_, err = tx.Exec(ctx, lockSQL, args...)
	require.NoError(t, err)
	return pid, func() { _ = tx.Rollback(ctx) }
}

// holdEventSQL locks the events table in the holder's open transaction
// so that no event can be inserted: a save then waits on its last
// statement, the insert of its events, until the holder ends.
func holdEventSQL(s *Store) string {
	return "LOCK TABLE " + s.ident + ".basket_events IN SHARE MODE"
}

// oldEventSQL inserts the event (basket $1, seq $2) as a version that
// predates the columns it does not name would have.
func oldEventSQL(s *Store) string {
	return "INSERT INTO " + s.ident + `.basket_events (basket_id, seq, type, at, channel_id, actor, data)
		VALUES ($1, $2, 'held', now(), 'test', '{}', 'null')`
}

func TestFaultKilledSave(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	for _, how := range []string{"BeforeCommit", "WaitingForEventInsert"} {
		t.Run(how, func(t *testing.T) {
			s := newTestStore(t, nil)
			ctx := context.Background()
			a, wa := baskettest.NewBasket(t, "c-1")
			b, wb := baskettest.NewBasket(t, "c-1")
			require.NoError(t, s.Save(ctx, wa))
			require.NoError(t, s.Save(ctx, wb))
			now := time.Now()
			// A two-basket write with an idempotency record: every kind of row.
			w := addCoupon(t, a.Clone(), "LOST", now)
			w.Also = []basket.Write{addCoupon(t, b.Clone(), "LOST-TOO", now)}
			kill := baskettest.Key(basket.Shopper, "c-1", a.ID, "kill")
			w.Idempotency = &basket.IdempotencyRecord{Key: kill, BasketID: a.ID, Version: 2}
			w.Checkpoint = true

			var err error
			switch how {
			case "BeforeCommit":
				killBeforeCommit(t, s, "save")
				err = s.Save(ctx, w)
				s.beforeCommit = nil
			case "WaitingForEventInsert":
				// The writer has updated both baskets and inserted the
				// idempotency record and the checkpoint when it waits to
				// insert its events.
				holder, release := holdLock(t, s.pool, holdEventSQL(s))
				errc := make(chan error, 1)
				go func() { errc <- s.Save(ctx, w) }()
				terminate(t, s.pool, blockedBy(t, s.pool, holder))
				err = <-errc
				release()
			}
			require.Error(t, err, "the write lost its connection")
			t.Logf("killed: %v", err)
			assert.NotErrorIs(t, err, basket.ErrVersionConflict)

			for _, x := range []*basket.Basket{a, b} {
				got, err := s.Get(ctx, x.ID)
				require.NoError(t, err)
				assert.Equal(t, int64(1), got.Version)
				assert.Empty(t, got.Wallet.Coupons)
				events, err := s.Events(ctx, x.ID, 0)
				require.NoError(t, err)
				assert.Len(t, events, 1, "basket version = last event")
			}
			_, err = s.Idempotency(ctx, kill)
			assert.ErrorIs(t, err, basket.ErrNotFound)
			_, _, err = s.HistoryAt(ctx, a.ID, 2)
			assert.ErrorIs(t, err, basket.ErrInvalid, "version 2 and its checkpoint were never written")
			readOutbox(t, s, 2) // only the creations are in the outbox
			checkInvariants(t, s)

			// Nothing is left locked: the same write now succeeds.
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			require.NoError(t, s.Save(ctx, w))
			got, err := s.Get(ctx, b.ID)
			require.NoError(t, err)
			assert.Equal(t, []string{"LOST-TOO"}, got.Wallet.Coupons)
		})
	}
}

func TestFaultKilledReservation(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	for _, how := range []string{"ReserveBeforeCommit", "TransferBeforeCommit", "ReserveWaitingForLevelLock"} {
		t.Run(how, func(t *testing.T) {
			clk := clock.NewFake(stocktest.Epoch)
			s := newTestStore(t, clk)
			ctx := context.Background()
			for _, sku := range []string{"a", "b", "c"} {
				require.NoError(t, s.SetOnHand(ctx, sku, "x", 5))
				require.NoError(t, s.SetOnHand(ctx, sku, "y", 5))
			}
			exp := clk.Now().Add(time.Hour)
			first, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "b1", RequestKey: "k1", LocationID: "x",
				Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}, {SKU: "b", Quantity: 1}}, ExpiresAt: exp})
			require.NoError(t, err)
			atY, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "b1", RequestKey: "k0", LocationID: "y",
				Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1}}, ExpiresAt: exp})
			require.NoError(t, err)
			levelsBefore, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "b", "c"}, Locations: []string{"x", "y"}})
			require.NoError(t, err)

			// A replacement that changes every line of b1 at x, or a
			// transfer of it to y (merging with b1's reservation there).
			replace := stock.ReserveRequest{BasketID: "b1", RequestKey: "k2", LocationID: "x",
				Lines: []stock.ReserveLine{{SKU: "a", Quantity: 3}, {SKU: "c", Quantity: 1}}, ExpiresAt: exp}
			transfer := stock.TransferRequest{BasketID: "b1", RequestKey: "k2", From: "x", To: "y"}
			switch how {
			case "ReserveBeforeCommit":
				killBeforeCommit(t, s, "reserve")
				_, err = s.Reserve(ctx, replace)
			case "TransferBeforeCommit":
				killBeforeCommit(t, s, "transfer")
				_, err = s.Transfer(ctx, transfer)
			case "ReserveWaitingForLevelLock":
				// The reserver holds b1's lock and some level locks when it
				// waits for c at x.
				holder, release := holdLock(t, s.pool, "SELECT FROM "+s.ident+".stock_levels WHERE sku = 'c' AND location_id = 'x' FOR UPDATE")
				errc := make(chan error, 1)
				go func() { _, err := s.Reserve(ctx, replace); errc <- err }()
				terminate(t, s.pool, blockedBy(t, s.pool, holder))
				err = <-errc
				release()
			}
			s.beforeCommit = nil
			require.Error(t, err, "the call lost its connection")
			t.Logf("killed: %v", err)

			rs, err := s.Reservations(ctx, "b1")
			require.NoError(t, err)
			assert.Equal(t, []stock.Reservation{first, atY}, rs, "b1's reservations are untouched")
			levelsAfter, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "b", "c"}, Locations: []string{"x", "y"}})
			require.NoError(t, err)
			assert.Equal(t, levelsBefore.All(), levelsAfter.All())
			require.NoError(t, stocktest.CheckConservation(ctx, s, s, clk.Now(), []string{"b1"}, []string{"a", "b", "c"}, []string{"x", "y"}))
			checkInvariants(t, s) // reserved counters = Σ reservation rows

			// The key was not recorded and no lock was left behind: the
			// same key with another payload now succeeds.
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			got, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "b1", RequestKey: "k2", LocationID: "x",
				Lines: []stock.ReserveLine{{SKU: "c", Quantity: 5}}, ExpiresAt: exp})
			require.NoError(t, err)
			assert.Equal(t, []stock.ReserveLine{{SKU: "c", Quantity: 5, HeldSince: clk.Now()}}, got.Lines)
			require.NoError(t, stocktest.CheckConservation(ctx, s, s, clk.Now(), []string{"b1"}, []string{"a", "b", "c"}, []string{"x", "y"}))
		})
	}
}
