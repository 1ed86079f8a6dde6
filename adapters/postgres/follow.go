package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/basket"
)

// FollowBatch is the most events [Store.Follow] hands over at a time.
const FollowBatch = 500

// Follow tails the outbox: it calls fn with every event whose position is
// above after, in position (commit) order, a batch at a time, as they
// commit, and looks for new ones every period when it has caught up. A
// full batch is followed at once by the next read, so a backlog drains
// without waiting. It returns when ctx ends (with ctx's error), when fn
// fails (with fn's error, the batch counting as not handled), or when a
// read fails (with the read's error): a caller that must not stop runs it
// again from the last position fn handled.
//
// It is how every instance of a deployment learns what the others
// changed: each one follows the outbox from its head ([Store.OutboxHead])
// and publishes the basket IDs to the live streams of adapters/httpapi:
//
//	broker := httpapi.NewBroker()
//	head, err := store.OutboxHead(ctx)
//	…
//	go store.Follow(ctx, head, 250*time.Millisecond, func(batch []postgres.OutboxEvent) error {
//		for _, e := range batch {
//			broker.Publish(e.Event.BasketID)
//		}
//		return nil
//	})
//
// (the streams poll as a safety net, so a follower that stopped costs
// latency, not changes). A relay to a message broker persists the last
// position it published instead, for at-least-once delivery.
//
// Follow polls. LISTEN/NOTIFY would wake followers within milliseconds,
// but a NOTIFY makes PostgreSQL serialize the commits of every notifying
// transaction of the database on one lock, across schemas and tenants,
// where Save now serializes only the commits of one schema; a read of the
// position index every period is one cheap query per instance, and a
// period of a few hundred milliseconds keeps live streams well within a
// second.
func (s *Store) Follow(ctx context.Context, after int64, every time.Duration, fn func([]OutboxEvent) error) error {
	if every <= 0 {
		return &basket.InputError{Field: "every", Reason: fmt.Sprintf("must be positive, got %s", every)}
	}
	if after < 0 {
		return &basket.InputError{Field: "after", Reason: fmt.Sprintf("must not be negative, got %d", after)}
	}
	wait := time.NewTimer(every)
	defer wait.Stop()
	for {
		batch, err := s.ReadOutbox(ctx, after, FollowBatch)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		if len(batch) > 0 {
			if err := fn(batch); err != nil {
				return err
			}
			after = batch[len(batch)-1].Position
		}
		if len(batch) == FollowBatch {
			continue
		}
		wait.Reset(every)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wait.C:
		}
	}
}

// OutboxHead returns the position of the last event committed to the
// outbox (0 when it is empty): where a follower that only wants what
// happens from now on starts. No event committed later has a position at
// or below it, because positions are drawn under the outbox lock (see
// [Store.ReadOutbox]).
func (s *Store) OutboxHead(ctx context.Context) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var head int64
	err := s.retry(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, "SELECT COALESCE(max(position), 0) FROM "+s.ident+".basket_events").Scan(&head)
	})
	if err != nil {
		return 0, wrap(ctx, "read outbox head", basket.ErrInvalid, err)
	}
	return head, nil
}
