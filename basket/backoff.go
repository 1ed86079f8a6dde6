package basket

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff spaces the re-runs of a command that lost a race on its basket:
// the n-th re-run waits a random time in [d/2, d], d = min(Base·2ⁿ⁻¹, Max)
// ("equal jitter"), so that writers that collided once do not collide again
// in lockstep, and no wait exceeds Max. The zero value is the default.
type Backoff struct {
	// Base is the first re-run's bound ([DefaultBackoffBase] when 0).
	Base time.Duration
	// Max caps every wait ([DefaultBackoffMax] when 0).
	Max time.Duration
	// Sleep waits d or until ctx is done, returning ctx.Err() then. The
	// default uses a timer; tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// The default backoff bounds.
const (
	DefaultBackoffBase = 2 * time.Millisecond
	DefaultBackoffMax  = 200 * time.Millisecond
)

func (b Backoff) withDefaults() Backoff {
	if b.Base <= 0 {
		b.Base = DefaultBackoffBase
	}
	if b.Max <= 0 {
		b.Max = DefaultBackoffMax
	}
	if b.Max < b.Base {
		b.Max = b.Base
	}
	if b.Sleep == nil {
		b.Sleep = sleep
	}
	return b
}

// Delay returns the wait before re-run n (n ≥ 1); jitter in [0, 1) places
// it in its range, so Delay(n, 0) and Delay(n, 1) bound it.
func (b Backoff) Delay(n int, jitter float64) time.Duration {
	b = b.withDefaults()
	d := b.Max
	if n < 1 {
		n = 1
	}
	if n < 32 && b.Base<<(n-1) > 0 && b.Base<<(n-1) < b.Max {
		d = b.Base << (n - 1)
	}
	jitter = min(max(jitter, 0), 1)
	return d/2 + time.Duration(jitter*float64(d-d/2))
}

func (b Backoff) wait(ctx context.Context, n int) error {
	return b.Sleep(ctx, b.Delay(n, rand.Float64()))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
