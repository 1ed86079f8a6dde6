package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// TestLifecycle runs the data lifecycle suite (idempotency expiry, the
// sweep of abandoned carts, erasure) on PostgreSQL, each test in a fresh
// schema.
func TestLifecycle(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	baskettest.RunLifecycleTests(t, func(t *testing.T) baskettest.FlowHarness {
		clk := clock.NewFake(demo.Start())
		s := newTestStore(t, clk)
		return baskettest.FlowHarness{Store: s, Ledger: s, Clock: clk}
	})
}

// TestErasureScrubsTheOutbox: the events table is the outbox, so an
// erased event reads scrubbed from it, at the position it had.
func TestErasureScrubsTheOutbox(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, nil)
	zoe := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-zoe"}, At: demo.Start()}
	b, created, err := basket.New(uuid.New(), basket.Owner{CustomerID: "cust-zoe"}, demo.Web(demo.Start()), basket.Cart, zoe)
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, basket.Write{Basket: b.Clone(), Events: []basket.Event{created}}))
	e, err := b.SetLoyalty(zoe, &basket.Loyalty{Account: "LOY-ZOE-7"})
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, basket.Write{Basket: b.Clone(), ExpectedVersion: 1, Events: []basket.Event{e}}))

	before := readOutbox(t, s, 2)
	x := basket.Erasure{ID: uuid.New(), CustomerID: "cust-zoe"}
	n, err := s.EraseBasket(ctx, x, b.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.ErasureCounts{Baskets: 1, Events: 2}, n)

	after, err := s.ReadOutbox(ctx, Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, after, 2)
	for i, oe := range after {
		assert.Equal(t, before[i].Cursor, oe.Cursor, "cursors stay: consumers do not read it again")
		data, err := json.Marshal(oe.Event)
		require.NoError(t, err)
		assert.NotContains(t, string(data), "cust-zoe")
		assert.NotContains(t, string(data), "LOY-ZOE-7")
		assert.Contains(t, string(data), x.Pseudonym())
	}
	var column *string
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT customer_id FROM "+s.ident+".baskets WHERE id = $1", b.ID).Scan(&column))
	require.NotNil(t, column)
	assert.Equal(t, x.Pseudonym(), *column, "the owner index follows")
}

// TestMigrationBackfillsActivity: migration 0007 on a schema that 0006
// left with a basket and an idempotency record: the basket is listed by
// the time of its last change (to the microsecond, all 0006 kept in a
// column), and the record takes the migration's time.
func TestMigrationBackfillsActivity(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	s := newTestStore(t, nil)
	b, w := baskettest.NewBasket(t, "c-1")
	key := baskettest.Key(basket.Shopper, "c-1", b.ID, "k")
	w.Idempotency = &basket.IdempotencyRecord{Key: key, BasketID: b.ID, Version: 1, At: demo.Start()}
	require.NoError(t, s.Save(ctx, w))
	// Back to 0006: without 0007's columns, indexes and record.
	for _, sql := range []string{
		"ALTER TABLE {s}.baskets DROP COLUMN updated_at_ns",
		"ALTER TABLE {s}.basket_idempotency DROP COLUMN recorded_at_ns",
		"DROP INDEX {s}.basket_idempotency_basket_idx",
		"DELETE FROM {s}.schema_migrations WHERE version = 7",
	} {
		_, err := s.pool.Exec(ctx, strings.ReplaceAll(sql, "{s}", s.ident))
		require.NoError(t, err, sql)
	}
	require.NoError(t, s.Migrate(ctx))

	page, err := s.Inactive(ctx, basket.InactiveQuery{Statuses: []basket.Status{basket.Cart}, Before: b.UpdatedAt.Add(time.Microsecond), Limit: 10})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.True(t, page[0].UpdatedAt.Equal(b.UpdatedAt.Round(time.Microsecond)), "%s, from updated_at", page[0].UpdatedAt)
	rec, err := s.Idempotency(ctx, key)
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now(), rec.At, time.Hour, "stamped with the migration's time")
	assert.Equal(t, 11, SchemaVersion())
}
