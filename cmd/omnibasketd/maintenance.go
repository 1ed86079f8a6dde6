package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/omnibasket/omnibasket/basket"
)

// maintenanceEvery is how often the server runs the data lifecycle:
// often enough that idempotency records do not pile up far past their
// day, rarely enough that the sweep's listing costs nothing noticeable.
const maintenanceEvery = 10 * time.Minute

// maintenanceActor is who the lifecycle's events name.
var maintenanceActor = basket.Actor{Kind: basket.System, ID: "omnibasketd-maintenance"}

// maintenance runs the data lifecycle of the basket service in the
// background: it forgets idempotency records past
// basket.DefaultIdempotencyRetention and abandons the carts left alone
// for basket.DefaultInactivity, releasing their holds. Every instance
// runs it; concurrent runs share the work (see docs/data-lifecycle.md).
// Erasure is on request only (POST /v1/erasures).
type maintenance struct {
	svc   *basket.Service
	log   *slog.Logger
	every time.Duration
	// prune deletes the store's expired reservations, request keys and
	// nonces (nil: the store needs no pruning).
	prune func(ctx context.Context) error
}

func newMaintenance(svc *basket.Service, log *slog.Logger) *maintenance {
	return &maintenance{svc: svc, log: log, every: maintenanceEvery}
}

// run runs a pass at once, then one every m.every, until ctx is done. A
// pass cut short by the shutdown is finished by the next start's.
func (m *maintenance) run(ctx context.Context) {
	t := time.NewTicker(m.every)
	defer t.Stop()
	for {
		m.once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// once runs one pass and logs what it did; a failure is logged, and the
// next pass tries again.
func (m *maintenance) once(ctx context.Context) {
	start := time.Now()
	expiry, err := m.svc.ExpireIdempotency(ctx, maintenanceActor, basket.ExpiryOptions{})
	if err != nil && ctx.Err() == nil {
		m.log.Warn("maintenance: expiring idempotency records failed; the next pass tries again", slog.Int("deleted", expiry.Deleted), slog.Any("error", err))
	}
	sweep, err := m.svc.SweepAbandoned(ctx, maintenanceActor, basket.SweepOptions{
		Progress: func(r basket.SweepReport) {
			m.log.Debug("maintenance: sweeping abandoned carts", slog.Int("examined", r.Examined), slog.Int("abandoned", r.Abandoned))
		},
	})
	if err != nil && ctx.Err() == nil {
		m.log.Warn("maintenance: sweeping abandoned carts failed; the next pass tries again", slog.Int("abandoned", sweep.Abandoned),
			slog.Int("failed", sweep.Failed), slog.Any("error", err))
	}
	if m.prune != nil {
		if err := m.prune(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("maintenance: pruning the store failed; the next pass tries again", slog.Any("error", err))
		}
	}
	level := slog.LevelDebug
	if expiry.Deleted > 0 || sweep.Abandoned > 0 {
		level = slog.LevelInfo
	}
	m.log.Log(ctx, level, "maintenance pass", slog.Int("idempotency_records_deleted", expiry.Deleted),
		slog.Int("baskets_examined", sweep.Examined), slog.Int("baskets_abandoned", sweep.Abandoned), slog.Int("baskets_skipped", sweep.Skipped),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000))
}
