package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// Migration 0002 ranks the holds that exist when it runs: by the first
// success of the request key that set them when it is still recorded,
// before every later hold otherwise; a key recorded before it replays with
// its lines ranked at the key's time; a line inserted without a rank (a
// binary that predates it, during a rolling upgrade) takes the database's
// clock.
func TestMigration0002RanksExistingHolds(t *testing.T) {
	pool := sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	clk := clock.NewFake(stocktest.Epoch.Add(2 * time.Minute))
	s := New(pool, Options{Schema: newTestSchemaName(t), Clock: clk})
	t.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s.ident+" CASCADE"); err != nil {
			t.Errorf("dropping %s: %v", s.ident, err)
		}
	})

	// The schema at version 1, as a store of the previous release left it.
	ms, err := migrations()
	require.NoError(t, err)
	require.Equal(t, 1, ms[0].version)
	keyAt := stocktest.Epoch.Add(time.Minute)
	exp := stocktest.Epoch.Add(time.Hour)
	digest := stock.ReserveRequest{LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 5}}}.PayloadDigest()
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	for _, stmt := range []struct {
		sql  string
		args []any
	}{
		{"CREATE SCHEMA " + s.ident, nil},
		{`CREATE TABLE ` + s.ident + `.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`, nil},
		{"SET LOCAL search_path TO " + s.ident, nil},
		{ms[0].sql, nil},
		{"INSERT INTO schema_migrations (version, name) VALUES (1, $1)", []any{ms[0].name}},
		{"INSERT INTO stock_levels (sku, location_id, on_hand, reserved) VALUES ('a', 'x', 10, 10), ('b', 'x', 10, 0)", nil},
		{`INSERT INTO stock_reservations (basket_id, location_id, request_key, expires_at_ns)
			VALUES ('keyed', 'x', 'k1', $1), ('unkeyed', 'x', 'k0', $1), ('old-binary', 'x', 'k2', $1)`, []any{exp.UnixNano()}},
		{`INSERT INTO stock_reservation_lines (basket_id, location_id, sku, quantity, expires_at_ns)
			VALUES ('keyed', 'x', 'a', 5, $1), ('unkeyed', 'x', 'a', 5, $1)`, []any{exp.UnixNano()}},
		{`INSERT INTO stock_request_keys (basket_id, request_key, digest, recorded_at_ns, location_id, expires_at_ns, skus, quantities)
			VALUES ('keyed', 'k1', $1, $2, 'x', $3, '{a}', '{5}')`, []any{digest, keyAt.UnixNano(), exp.UnixNano()}},
	} {
		_, err := tx.Exec(ctx, stmt.sql, stmt.args...)
		require.NoError(t, err, stmt.sql)
	}
	require.NoError(t, tx.Commit(ctx))

	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.SetOnHand(ctx, "a", "x", 5))

	// The hold without a key ranks first; the keyed one at its key's time.
	unkeyed, err := s.Reservations(ctx, "unkeyed")
	require.NoError(t, err)
	require.Len(t, unkeyed, 1)
	assert.Equal(t, []stock.ReserveLine{{SKU: "a", Quantity: 5, HeldSince: fromNanos(0)}}, unkeyed[0].Lines)
	keyed, err := s.Reservations(ctx, "keyed")
	require.NoError(t, err)
	require.Len(t, keyed, 1)
	assert.Equal(t, []stock.ReserveLine{{SKU: "a", Quantity: 5, HeldSince: keyAt, AtRisk: 5}}, keyed[0].Lines)

	// The key's first outcome, recorded without ranks, replays at its time.
	replay, err := s.Reserve(ctx, stock.ReserveRequest{BasketID: "keyed", RequestKey: "k1", LocationID: "x",
		Lines: []stock.ReserveLine{{SKU: "a", Quantity: 5}}, ExpiresAt: exp})
	require.NoError(t, err)
	assert.Equal(t, []stock.ReserveLine{{SKU: "a", Quantity: 5, HeldSince: keyAt}}, replay.Lines)

	// A binary of the previous release inserts a line without a rank.
	before := time.Now()
	_, err = pool.Exec(ctx, `WITH added AS (
			INSERT INTO `+s.ident+`.stock_reservation_lines (basket_id, location_id, sku, quantity, expires_at_ns)
			VALUES ('old-binary', 'x', 'b', 1, $1) RETURNING sku, location_id, quantity)
		UPDATE `+s.ident+`.stock_levels l SET reserved = l.reserved + a.quantity FROM added a WHERE l.sku = a.sku AND l.location_id = a.location_id`,
		exp.UnixNano())
	require.NoError(t, err)
	after := time.Now()
	old, err := s.Reservations(ctx, "old-binary")
	require.NoError(t, err)
	require.Len(t, old, 1)
	got := old[0].Lines[0].HeldSince
	// The database's clock, with a margin for the clocks of two processes.
	assert.True(t, !got.Before(before.Add(-time.Minute)) && !got.After(after.Add(time.Minute)),
		"ranked at %s, want the database's clock around %s", got, before)
	checkInvariants(t, s)
}
