package basket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/channel"
)

// RecontextualizeBeforeTelemetry is [Service.Recontextualize] run by
// execBeforeTelemetry: the baseline BenchmarkTelemetryOverhead measures
// the silent path against, in the same run.
func (s *Service) RecontextualizeBeforeTelemetry(ctx context.Context, actor Actor, id uuid.UUID, target channel.Context) (*Basket, error) {
	target = target.Clone()
	target.AsOf = time.Time{}
	return s.execBeforeTelemetry(ctx, actor, command{op: "recontextualize", basket: id, scope: id, args: []any{target.Fingerprint()},
		apply: func(t *tx, b *Basket) error {
			if err := b.mutable(t.m); err != nil {
				return err
			}
			return t.reprice(b, target)
		}}, nil)
}

// execBeforeTelemetry is exec as it was before telemetry (commit
// 4279aeb), line for line: no observer, no deferred report, the store
// called directly.
func (s *Service) execBeforeTelemetry(ctx context.Context, actor Actor, cmd command, opts []CallOption) (*Basket, error) {
	var c call
	for _, o := range opts {
		o(&c)
	}
	if err := actor.validate(); err != nil {
		return nil, err
	}
	authz := cmd.authz
	if authz == nil {
		authz = func(b *Basket) error { return s.authorize(actor, b) }
	}
	key, d, err := s.idempotency(actor, cmd, c)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if b, done, err := s.replay(ctx, actor, *key, d); done {
			return b, err
		}
	}
	done, err := s.turns.wait(ctx, cmd.basket)
	if err != nil {
		return nil, err
	}
	defer done()
	var lastErr error
	for attempt := 0; attempt < s.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			if err := s.cfg.Backoff.wait(ctx, attempt); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := s.cfg.Store.Get(ctx, cmd.basket)
		if err != nil {
			return nil, err
		}
		if err := authz(b); err != nil {
			return nil, err
		}
		if c.ifSet && b.Version != c.ifVersion {
			return nil, &StaleVersionError{ID: b.ID, Expected: c.ifVersion, Current: b.Version}
		}
		before := b.Version
		t := &tx{s: s, ctx: ctx, m: Meta{Actor: actor, At: s.cfg.Clock.Now().UTC()}, policy: c.policyPtr()}
		if err := cmd.apply(t, b); err != nil {
			t.rollback()
			return nil, err
		}
		if len(t.events) == 0 {
			return b, nil
		}
		w := s.write(b, before, t, key, d)
		err = s.cfg.Store.Save(ctx, w)
		switch {
		case err == nil:
			return b, nil
		case errors.Is(err, ErrVersionConflict):
			lastErr = err
			continue
		case errors.Is(err, ErrIdempotencyKeyUsed) && key != nil:
			if b, done, err := s.replay(ctx, actor, *key, d); done {
				return b, err
			}
			return nil, err
		default:
			if notWritten(err) {
				t.rollback()
			}
			return nil, err
		}
	}
	return nil, fmt.Errorf("basket: gave up after %d attempts: %w", s.cfg.MaxAttempts, lastErr)
}
