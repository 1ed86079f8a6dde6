package basket

import (
	"context"
	"time"
)

// The data lifecycle: what the Service keeps, for how long, and what it
// lets go. Idempotency records are forgotten after a retention
// ([Service.ExpireIdempotency]), carts left alone are abandoned and their
// holds released ([Service.SweepAbandoned]), and a customer's personal
// data is erased on request ([Service.Erase]). Each is a System operation
// a platform runs periodically or on demand (cmd/omnibasketd runs the
// first two); docs/data-lifecycle.md says why the defaults are what they
// are.

// DefaultIdempotencyRetention is how long an idempotency record is kept
// when [ExpiryOptions.Retention] is 0. A client retries for minutes, a
// queue that redelivers for hours; payment APIs keep keys for a day, so a
// retry within a day is always answered with the first outcome.
const DefaultIdempotencyRetention = 24 * time.Hour

// MinIdempotencyRetention is the shortest retention accepted: shorter
// would forget keys while clients still retry with them, and a retry
// after that runs the command twice.
const MinIdempotencyRetention = time.Hour

// DefaultLifecycleBatch is the batch size of the lifecycle operations when
// their options leave it 0; MaxLifecycleBatch is the largest accepted.
// Batches bound the work between two progress reports and two checks of
// the context, and the size of each store statement.
const (
	DefaultLifecycleBatch = 100
	MaxLifecycleBatch     = 10_000
)

// IdempotencyExpirer is a [Store] that forgets idempotency records. Both
// stores of this module implement it; the conformance suite
// (baskettest.RunLifecycleTests) checks it.
type IdempotencyExpirer interface {
	Store
	// ExpireIdempotency deletes at most limit records stored before
	// before (by IdempotencyRecord.At; a record without a time counts as
	// the oldest), the oldest first, and returns how many it deleted.
	// A record of exactly before is kept. Concurrent calls may each
	// delete part of the records; none is deleted twice.
	ExpireIdempotency(ctx context.Context, before time.Time, limit int) (int, error)
}

// ExpiryOptions tune [Service.ExpireIdempotency].
type ExpiryOptions struct {
	// Retention is how long records are kept ([DefaultIdempotencyRetention]
	// when 0, at least [MinIdempotencyRetention]).
	Retention time.Duration
	// BatchSize is how many records one store call deletes
	// ([DefaultLifecycleBatch] when 0, at most [MaxLifecycleBatch]).
	BatchSize int
	// Progress, when set, is told the totals after every batch.
	Progress func(ExpiryReport)
}

// ExpiryReport is what [Service.ExpireIdempotency] did.
type ExpiryReport struct {
	// Before is the cut-off: records stored before it were deleted.
	Before time.Time `json:"before"`
	// Deleted counts the records deleted.
	Deleted int `json:"deleted"`
	// Batches counts the store calls.
	Batches int `json:"batches"`
}

// ExpireIdempotency deletes the idempotency records older than the
// retention, in batches, until none is left; a retry with a forgotten key
// runs its command again. Only the System runs it. It stops at once when
// ctx ends (the report says what was deleted until then) and is safe to
// run again, from any number of instances at once. A store that cannot
// forget records is [ErrNotConfigured].
func (s *Service) ExpireIdempotency(ctx context.Context, actor Actor, opts ExpiryOptions) (ExpiryReport, error) {
	if err := systemOnly(actor, "only the system expires idempotency records"); err != nil {
		return ExpiryReport{}, err
	}
	switch {
	case opts.Retention == 0:
		opts.Retention = DefaultIdempotencyRetention
	case opts.Retention < MinIdempotencyRetention:
		return ExpiryReport{}, invalid("ExpiryOptions.Retention", "%s is shorter than %s", opts.Retention, MinIdempotencyRetention)
	}
	batch, err := batchSize("ExpiryOptions.BatchSize", opts.BatchSize)
	if err != nil {
		return ExpiryReport{}, err
	}
	st, ok := s.cfg.Store.(IdempotencyExpirer)
	if !ok {
		return ExpiryReport{}, notConfigured("Config.Store", "the store does not expire idempotency records")
	}
	r := ExpiryReport{Before: s.cfg.Clock.Now().UTC().Add(-opts.Retention)}
	for {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		n, err := st.ExpireIdempotency(ctx, r.Before, batch)
		if err != nil {
			return r, err
		}
		r.Deleted += n
		r.Batches++
		if opts.Progress != nil {
			opts.Progress(r)
		}
		if n < batch {
			return r, nil
		}
	}
}

// systemOnly refuses an actor that is not the System.
func systemOnly(actor Actor, reason string) error {
	if err := actor.validate(); err != nil {
		return err
	}
	if actor.Kind != System {
		return &InputError{Field: "Actor", Reason: reason, Kind: ErrForbidden}
	}
	return nil
}

// batchSize applies the lifecycle batch default and bounds.
func batchSize(field string, n int) (int, error) {
	switch {
	case n == 0:
		return DefaultLifecycleBatch, nil
	case n < 0 || n > MaxLifecycleBatch:
		return 0, invalid(field, "%d: between 1 and %d, or 0 for %d", n, MaxLifecycleBatch, DefaultLifecycleBatch)
	}
	return n, nil
}
