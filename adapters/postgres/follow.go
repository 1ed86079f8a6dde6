package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket"
)

// FollowBatch is the most events [Store.Follow] hands over at a time.
const FollowBatch = 500

// Follow tails the outbox: it calls fn with every event after the cursor
// after, in cursor order ([Store.ReadOutbox]), a batch at a time, as they
// are delivered, and looks for new ones every period when it has caught
// up. A full batch is followed at once by the next read, so a backlog
// drains without waiting. It returns when ctx ends (with ctx's error),
// when fn fails (with fn's error, the batch counting as not handled), or
// when a read fails (with the read's error): a caller that must not stop
// runs it again from the cursor of the last event fn handled.
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
// latency, not changes). A relay to a message broker persists the cursor
// of the last event it published instead ([Cursor.String]), for
// at-least-once delivery.
//
// Follow polls. LISTEN/NOTIFY would wake followers within milliseconds,
// but a NOTIFY makes PostgreSQL serialize the commits of every notifying
// transaction of the database on one lock, across schemas and tenants,
// where Save serializes no commits at all; a read of the outbox index
// every period is one cheap query per instance, and a period of a few
// hundred milliseconds keeps live streams well within a second.
func (s *Store) Follow(ctx context.Context, after Cursor, every time.Duration, fn func([]OutboxEvent) error) error {
	if every <= 0 {
		return &basket.InputError{Field: "every", Reason: fmt.Sprintf("must be positive, got %s", every)}
	}
	if err := validCursor("after", after); err != nil {
		return err
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
			after = batch[len(batch)-1].Cursor
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

// OutboxHead returns the cursor of the last event the outbox delivers
// now (the zero Cursor when it delivers none): where a follower that only
// wants what happens from now on starts. Every event delivered later
// comes after it (see [Store.ReadOutbox]); among them may be a few that
// committed just before the call, while an older transaction was still
// running, so a follower from the head gets everything from now on and
// possibly a little before.
func (s *Store) OutboxHead(ctx context.Context) (Cursor, error) {
	if err := ctx.Err(); err != nil {
		return Cursor{}, err
	}
	var head Cursor
	err := s.retry(ctx, func(ctx context.Context) error {
		head = Cursor{}
		err := s.pool.QueryRow(ctx, s.q.outboxHead).Scan(&head.Tx, &head.Position)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return Cursor{}, wrap(ctx, "read outbox head", basket.ErrInvalid, err)
	}
	return head, nil
}
