package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// A maintenance pass forgets the idempotency records older than a day
// and abandons the carts left a month, and says so in the log; the loop
// stops with its context.
func TestMaintenance(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	id := uuid.New()
	_, err = shop.Service.Create(ctx, ana, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: ana.ID}, Context: demo.Web(time.Time{})},
		basket.WithIdempotencyKey("create-1"))
	require.NoError(t, err)
	var out syncBuffer
	m := newMaintenance(shop.Service, slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug})))

	passes := func() []map[string]any {
		var out2 []map[string]any
		for _, l := range logLines(t, out.String()) {
			if l["msg"] == "maintenance pass" {
				out2 = append(out2, l)
			}
		}
		return out2
	}
	m.once(ctx)
	require.Len(t, passes(), 1)
	assert.Equal(t, "DEBUG", passes()[0]["level"], "a pass that did nothing is quiet")

	clk.Advance(31 * 24 * time.Hour)
	m.once(ctx)
	require.Len(t, passes(), 2)
	last := passes()[1]
	assert.Equal(t, "maintenance pass", last["msg"])
	assert.Equal(t, "INFO", last["level"])
	assert.Equal(t, 1.0, last["idempotency_records_deleted"])
	assert.Equal(t, 1.0, last["baskets_abandoned"])
	b, err := shop.Service.Get(ctx, ana, id)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, b.Status)
	events, err := shop.Service.History(ctx, ana, id)
	require.NoError(t, err)
	assert.Equal(t, maintenanceActor, events[len(events)-1].Actor)

	stop, cancel := context.WithCancel(ctx)
	m.every = time.Millisecond
	done := make(chan struct{})
	go func() { m.run(stop); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the maintenance loop did not stop with its context")
	}
}

// A pass prunes the store too, and a failed prune is logged without
// stopping the rest of the pass.
func TestMaintenancePrunes(t *testing.T) {
	ctx := context.Background()
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clock.NewFake(demo.Start())})
	require.NoError(t, err)
	var out syncBuffer
	m := newMaintenance(shop.Service, slog.New(slog.NewJSONHandler(&out, nil)))
	calls := 0
	m.prune = func(context.Context) error {
		calls++
		if calls == 2 {
			return errors.New("connection reset")
		}
		return nil
	}
	m.once(ctx)
	m.once(ctx)
	assert.Equal(t, 2, calls)
	warned := withMsg(logLines(t, out.String()), "maintenance: pruning the store failed; the next pass tries again")
	require.Len(t, warned, 1)
	assert.Equal(t, "connection reset", warned[0]["error"])
}

// -maintenance-every sets the period; 0 turns the pass off, a negative
// period is refused.
func TestMaintenanceFlag(t *testing.T) {
	cfg, err := parseConfig([]string{"-maintenance-every", "1h"}, envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, time.Hour, cfg.maintenance)
	cfg, err = parseConfig(nil, envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, maintenanceEvery, cfg.maintenance)
	_, err = parseConfig([]string{"-maintenance-every", "-1s"}, envOf(nil))
	require.ErrorContains(t, err, "-maintenance-every")
}

// With -history-months, the maintenance prepares the coming months of the
// PostgreSQL history and drops the months that ended before the window,
// keeping (and reporting) one a relay has not passed.
func TestMaintenanceHistory(t *testing.T) {
	env := postgresEnv(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, env["OMNIBASKET_POSTGRES"])
	require.NoError(t, err)
	defer pool.Close()
	clk := clock.NewFake(time.Date(2026, time.January, 20, 9, 0, 0, 0, time.UTC))
	pg := postgres.New(pool, postgres.Options{Schema: env["OMNIBASKET_POSTGRES_SCHEMA"], Clock: clk})
	require.NoError(t, pg.Migrate(ctx))
	// One basket a month, January to May.
	var events []postgres.OutboxEvent
	for m := time.January; m <= time.May; m++ {
		at := time.Date(2026, m, 20, 9, 0, 0, 0, time.UTC)
		b, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c-1"}, baskettest.Context(), basket.Cart,
			basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "test"}, At: at})
		require.NoError(t, err)
		require.NoError(t, pg.Save(ctx, basket.Write{Basket: b, Events: []basket.Event{e}}))
	}
	require.Eventually(t, func() bool {
		events, err = pg.ReadOutbox(ctx, postgres.Cursor{}, 10)
		require.NoError(t, err)
		return len(events) == 5
	}, 10*time.Second, 10*time.Millisecond)
	// A relay that has published January's event only.
	require.NoError(t, pg.SaveRelayPosition(ctx, "warehouse", events[0].Cursor))

	var out syncBuffer
	log := slog.New(slog.NewJSONHandler(&out, nil))
	now := time.Date(2026, time.May, 25, 9, 0, 0, 0, time.UTC)
	clk.Set(now)
	require.NoError(t, maintainHistory(ctx, pg, now, 2, log))
	months, err := pg.HistoryMonths(ctx)
	require.NoError(t, err)
	var names []string
	for _, m := range months {
		names = append(names, m.Start.Format("2006-01"))
	}
	assert.Equal(t, []string{"2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"}, names,
		"January dropped; February kept for the relay; two months ahead prepared")
	lines := logLines(t, out.String())
	require.Len(t, withMsg(lines, "maintenance: history month dropped"), 1)
	kept := withMsg(lines, "maintenance: history month kept, a relay has not passed it")
	require.Len(t, kept, 1)
	assert.Equal(t, "2026-02", kept[0]["month"])
	assert.Equal(t, "warehouse", kept[0]["relay"])
	// March to May waited in the default partition (the store was
	// migrated in January), June and July are ahead.
	var prepared []any
	for _, l := range withMsg(lines, "maintenance: history month prepared") {
		prepared = append(prepared, l["table"])
	}
	assert.Equal(t, []any{"basket_events_2026_03", "basket_events_2026_04", "basket_events_2026_05", "basket_events_2026_06", "basket_events_2026_07"}, prepared)

	// Once the relay has passed it, February goes too; March holds days
	// of the last two months (from 25 March), so it stays.
	require.NoError(t, pg.SaveRelayPosition(ctx, "warehouse", events[4].Cursor))
	require.NoError(t, maintainHistory(ctx, pg, now, 2, log))
	months, err = pg.HistoryMonths(ctx)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, time.March, 1, 0, 0, 0, 0, time.UTC), months[0].Start)
}
