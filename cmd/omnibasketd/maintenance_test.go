package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
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
