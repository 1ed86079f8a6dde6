package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket"
)

// MaxRelayNameLen bounds a relay's name (in bytes), so that a name is a
// short identity chosen by the operator, never a payload.
const MaxRelayNameLen = 200

// RelayPosition returns the cursor last saved by [Store.SaveRelayPosition]
// under name: where the relay of that name goes on reading the outbox
// after a restart. A relay that never saved one gets the zero Cursor (the
// beginning of the outbox). An empty or over-long name is a
// *[basket.InputError].
func (s *Store) RelayPosition(ctx context.Context, name string) (Cursor, error) {
	if err := ctx.Err(); err != nil {
		return Cursor{}, err
	}
	if err := validRelayName(name); err != nil {
		return Cursor{}, err
	}
	var c Cursor
	err := s.retry(ctx, func(ctx context.Context) error {
		c = Cursor{}
		err := s.pool.QueryRow(ctx, "SELECT tx, position FROM "+s.ident+".outbox_relays WHERE name = $1", name).Scan(&c.Tx, &c.Position)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return Cursor{}, wrap(ctx, "read relay position "+name, basket.ErrInvalid, err)
	}
	return c, nil
}

// SaveRelayPosition records c as the position of the relay called name. A
// relay calls it only once its broker has acknowledged every event up to
// c, so that a restart never skips an event and at worst publishes a few
// again. The position only moves forward: a c before the saved one (a
// stale relay instance still running beside its replacement, a retried
// call arriving late) leaves the row as it is, without error, since the
// later position is just as safe for every instance. An empty or
// over-long name or a negative position is a *[basket.InputError] and
// changes nothing.
func (s *Store) SaveRelayPosition(ctx context.Context, name string, c Cursor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validRelayName(name); err != nil {
		return err
	}
	if err := validCursor("position", c); err != nil {
		return err
	}
	now := clampNanos(s.clock.Now())
	err := s.retry(ctx, func(ctx context.Context) error {
		_, err := s.pool.Exec(ctx, `INSERT INTO `+s.ident+`.outbox_relays AS r (name, tx, position, saved_at_ns)
			VALUES ($1, $2::xid8, $3, $4)
			ON CONFLICT (name) DO UPDATE SET tx = excluded.tx, position = excluded.position, saved_at_ns = excluded.saved_at_ns
			WHERE (r.tx, r.position) < (excluded.tx, excluded.position)`, name, c.Tx, c.Position, now)
		return err
	})
	if err != nil {
		return wrap(ctx, "save relay position "+name, basket.ErrInvalid, err)
	}
	return nil
}

// ForgetRelay deletes the saved position of the relay called name, for a
// relay that no longer runs: [Store.DropHistory] then stops keeping months
// for it. It reports whether there was such a relay. An empty or
// over-long name is a *[basket.InputError].
func (s *Store) ForgetRelay(ctx context.Context, name string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := validRelayName(name); err != nil {
		return false, err
	}
	var n int64
	err := s.retry(ctx, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, "DELETE FROM "+s.ident+".outbox_relays WHERE name = $1", name)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return false, wrap(ctx, "forget relay "+name, basket.ErrInvalid, err)
	}
	return n == 1, nil
}

// validRelayName refuses a name no operator would choose.
func validRelayName(name string) error {
	switch {
	case name == "":
		return &basket.InputError{Field: "relay", Reason: "the name must not be empty"}
	case len(name) > MaxRelayNameLen:
		return &basket.InputError{Field: "relay", Reason: fmt.Sprintf("the name is %d bytes, at most %d", len(name), MaxRelayNameLen)}
	}
	return nil
}
