package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// Consume implements [handoff.ReplayStore]: it records nonce as used until
// expiresAt with one INSERT … ON CONFLICT DO UPDATE … WHERE the recorded
// nonce has expired. The primary key makes concurrent calls with the same
// nonce wait for each other, so exactly one of them succeeds; the others,
// and any later call before expiresAt, get [handoff.ErrAlreadyUsed]. An
// expired nonce is overwritten in place, and [Store.Prune] deletes the
// rest. An empty nonce matches [handoff.ErrInvalid]. Expiry is judged
// against the store's clock; an expiresAt beyond 2262 is kept as 2262.
func (s *Store) Consume(ctx context.Context, nonce []byte, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(nonce) == 0 {
		return fmt.Errorf("%w: empty nonce", handoff.ErrInvalid)
	}
	nowNS := clampNanos(s.clock.Now())
	expNS := clampNanos(expiresAt)
	var tag pgconn.CommandTag
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		tag, err = s.pool.Exec(ctx, s.q.consume, nonce, expNS, nowNS)
		return err
	})
	if err != nil {
		return wrap(ctx, "consume nonce", handoff.ErrInvalid, err)
	}
	if tag.RowsAffected() == 0 {
		return handoff.ErrAlreadyUsed
	}
	return nil
}
