package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket"
)

// The event history (basket_events, which is also the outbox) is
// partitioned by UTC month (migration 0011). A month's partition is
// created ahead of time by [Store.PrepareHistory] (Migrate prepares the
// clock's month and the next); an event of a month without one lands in
// the default partition until PrepareHistory moves it into its month.
// [Store.DropHistory] drops whole months.

// historyTablePrefix names a month's partition: basket_events_YYYY_MM.
const historyTablePrefix = "basket_events_"

// DefaultHistoryLockTimeout is how long [Store.DropHistory] waits for the
// brief exclusive lock that detaching a month needs, by default.
const DefaultHistoryLockTimeout = 2 * time.Second

// ErrHistoryHeld matches a [*HistoryHeldError]: a month was not dropped
// because a relay has not yet passed all of its events.
var ErrHistoryHeld = errors.New("postgres: history month not yet relayed")

// ErrHistoryDropped is returned by [Store.HistoryAt] when the events that
// rebuild the asked version are in a month that retention has dropped.
var ErrHistoryDropped = errors.New("postgres: history dropped by retention")

// HistoryMonth is one month of the event history: one partition of the
// events table.
type HistoryMonth struct {
	// Start is the month's first instant, in UTC; the month holds the
	// events with Start <= At < End.
	Start time.Time
	// Table is the partition's name in the store's schema.
	Table string
}

// End is the first instant after the month.
func (m HistoryMonth) End() time.Time { return m.Start.AddDate(0, 1, 0) }

// DroppedMonth is one month that [Store.DropHistory] dropped.
type DroppedMonth struct {
	HistoryMonth
	// Events is how many events the month held when it was dropped.
	Events int64
}

// HistoryHeldError reports a month [Store.DropHistory] kept because the
// relay Relay (see [Store.SaveRelayPosition]) is at Position, before some
// of the month's events: dropping it would lose them for the relay's
// downstream systems. It matches [ErrHistoryHeld].
type HistoryHeldError struct {
	Month    HistoryMonth
	Relay    string
	Position Cursor
}

func (e *HistoryHeldError) Error() string {
	return fmt.Sprintf("postgres: history of %s kept: relay %q is at %s, before some of its events", e.Month.Start.Format("2006-01"), e.Relay, e.Position)
}

// Is makes the error match [ErrHistoryHeld].
func (e *HistoryHeldError) Is(target error) bool { return target == ErrHistoryHeld }

// DropHistoryOptions tunes [Store.DropHistory]; the zero value is the
// default.
type DropHistoryOptions struct {
	// LockTimeout bounds the wait for the exclusive lock on the events
	// table that detaching a month takes (for milliseconds once granted).
	// While a drop waits, new reads and writes of events queue behind it,
	// so the wait is kept short and the drop gives up with an error
	// rather than stall the writers. 0 means [DefaultHistoryLockTimeout].
	// (The lock on the month's own table, which no writer needs, is
	// waited for up to a minute.)
	LockTimeout time.Duration
	// Progress, if set, is called after each month is dropped.
	Progress func(DroppedMonth)
}

// monthOf returns the UTC month holding t.
func monthOf(t time.Time) HistoryMonth {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return HistoryMonth{Start: start, Table: fmt.Sprintf("%s%04d_%02d", historyTablePrefix, start.Year(), int(start.Month()))}
}

// parseHistoryTable reads a partition name back; ok is false for a table
// the store did not name.
func parseHistoryTable(name string) (HistoryMonth, bool) {
	rest, ok := strings.CutPrefix(name, historyTablePrefix)
	if !ok {
		return HistoryMonth{}, false
	}
	y, m, ok := strings.Cut(rest, "_")
	if !ok {
		return HistoryMonth{}, false
	}
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || month < 1 || month > 12 {
		return HistoryMonth{}, false
	}
	hm := monthOf(time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC))
	if hm.Table != name {
		return HistoryMonth{}, false
	}
	return hm, true
}

// bound is the SQL literal of a partition bound.
func bound(t time.Time) string { return "'" + t.Format("2006-01-02 15:04:05") + "+00'" }

// HistoryMonths lists the months of the event history, oldest first.
func (s *Store) HistoryMonths(ctx context.Context) ([]HistoryMonth, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var months []HistoryMonth
	err := s.retry(ctx, func(ctx context.Context) error {
		var err error
		months, err = s.historyMonths(ctx, s.pool)
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "list history months", basket.ErrInvalid, err)
	}
	return months, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (s *Store) historyMonths(ctx context.Context, q querier) ([]HistoryMonth, error) {
	rows, err := q.Query(ctx, `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = $1::regclass`, s.ident+".basket_events")
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	months := make([]HistoryMonth, 0, len(names))
	for _, n := range names {
		if m, ok := parseHistoryTable(n); ok {
			months = append(months, m)
		}
	}
	slices.SortFunc(months, func(a, b HistoryMonth) int { return a.Start.Compare(b.Start) })
	return months, nil
}

// PrepareHistory creates the partitions of every month from the store
// clock's month through the month of through, and of every month whose
// events wait in the default partition (written while their month had no
// partition: a clock far off, or months not prepared in time), moving
// those events into their month with their cursors. It returns the months
// it created, oldest first. Months that exist are left as they are, so it
// is safe to call from every instance on a schedule (omnibasketd's
// maintenance does, two months ahead). A month is attached without
// blocking reads or writes of the other months. It needs the role that
// owns the schema's tables, as Migrate does.
func (s *Store) PrepareHistory(ctx context.Context, through time.Time) ([]HistoryMonth, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first, last := monthOf(s.clock.Now()), monthOf(through)
	if last.Start.Before(first.Start) {
		return nil, &basket.InputError{Field: "through", Reason: fmt.Sprintf("%s is before the current month %s", through.UTC().Format(time.RFC3339), first.Start.Format("2006-01"))}
	}
	var want []HistoryMonth
	for m := first; !m.Start.After(last.Start); m = monthOf(m.End()) {
		want = append(want, m)
	}
	created, err := s.createMonths(ctx, want)
	if err != nil {
		return nil, wrap(ctx, "prepare history", basket.ErrInvalid, err)
	}
	return created, nil
}

// createMonths creates the missing months of want in one transaction.
func (s *Store) createMonths(ctx context.Context, want []HistoryMonth) ([]HistoryMonth, error) {
	var created []HistoryMonth
	err := s.inTx(ctx, "prepare history", func(ctx context.Context, tx pgx.Tx) error {
		var err error
		created, err = s.createMonthsIn(ctx, tx, want)
		return err
	})
	return created, err
}

// createMonthsIn creates, in tx, the months of want that do not exist,
// and those of the events waiting in the default partition. Each is
// created as a plain table, given the default partition's events of its
// month, and attached with its range as a CHECK constraint: attaching
// takes a lock that lets reads and writes of the other months go on,
// where CREATE TABLE ... PARTITION OF would block them, and the
// constraint spares the scan that proves the rows are in range. Moved
// events keep their transaction and position, so their outbox cursors do
// not change.
func (s *Store) createMonthsIn(ctx context.Context, tx pgx.Tx, want []HistoryMonth) ([]HistoryMonth, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("history", s.schema, "")); err != nil {
		return nil, err
	}
	have, err := s.historyMonths(ctx, tx)
	if err != nil {
		return nil, err
	}
	// No event may enter the default partition between the move and the
	// attach, whose check would then fail: writes of months without a
	// partition wait for this transaction (writes of the others do not).
	if _, err := tx.Exec(ctx, "LOCK TABLE "+s.ident+".basket_events_default IN SHARE ROW EXCLUSIVE MODE"); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, "SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC') FROM "+s.ident+".basket_events_default")
	if err != nil {
		return nil, err
	}
	waiting, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return nil, err
	}
	for _, w := range waiting {
		want = append(want, monthOf(w))
	}
	want = slices.Clone(want) // the caller's slice stays as it was
	slices.SortFunc(want, func(a, b HistoryMonth) int { return a.Start.Compare(b.Start) })
	var created []HistoryMonth
	for _, m := range want {
		if slices.ContainsFunc(have, func(h HistoryMonth) bool { return h.Start.Equal(m.Start) }) ||
			slices.ContainsFunc(created, func(h HistoryMonth) bool { return h.Start.Equal(m.Start) }) {
			continue
		}
		table := s.ident + "." + pgx.Identifier{m.Table}.Sanitize()
		check := pgx.Identifier{m.Table + "_range"}.Sanitize()
		from, to := bound(m.Start), bound(m.End())
		inRange := "at >= " + from + " AND at < " + to
		for _, sql := range []string{
			"CREATE TABLE " + table + " (LIKE " + s.ident + ".basket_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
			"WITH moved AS (DELETE FROM " + s.ident + ".basket_events_default WHERE " + inRange + " RETURNING *) INSERT INTO " + table + " SELECT * FROM moved",
			"ALTER TABLE " + table + " ADD CONSTRAINT " + check + " CHECK (" + inRange + ")",
			"ALTER TABLE " + s.ident + ".basket_events ATTACH PARTITION " + table + " FOR VALUES FROM (" + from + ") TO (" + to + ")",
			"ALTER TABLE " + table + " DROP CONSTRAINT " + check,
		} {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return nil, fmt.Errorf("create history month %s: %w", m.Table, err)
			}
		}
		created = append(created, m)
	}
	return created, nil
}

// DropHistory drops every month of the event history that ends at or
// before before, oldest first, each in a transaction of its own, never by
// deleting rows: the month's own table is locked (no writer of the
// current months needs it), its events counted and checked against the
// relays, then it is detached and dropped, which holds the events table
// for milliseconds (a month of 833,320 events took 293–307 ms in all,
// and the longest save beside it 42–168 ms, in BenchmarkHistory). It
// returns the months dropped, in order, also when it stops early.
//
// A month is kept, and DropHistory stops with a [*HistoryHeldError], if a
// relay that saved its position ([Store.SaveRelayPosition]) has not yet
// passed all the month's events: no registered consumer of the outbox
// loses an event to retention. Consumers that keep their cursor elsewhere
// must be past the month before it is dropped; [Store.ForgetRelay]
// removes a relay that no longer runs.
//
// Dropping history removes it for good: [Store.Events] then starts at
// the first event kept, and [Store.HistoryAt] for a version whose events
// were dropped fails with [ErrHistoryDropped]. Baskets themselves (their
// current state, and their checkpoints) are kept. Choose a retention
// longer than the idempotency retention, so that a retried command never
// needs a dropped month.
//
// before must not be after the store clock's now: the current month is
// never dropped. A zero or future before is a *[basket.InputError] and
// drops nothing.
func (s *Store) DropHistory(ctx context.Context, before time.Time, opts *DropHistoryOptions) ([]DroppedMonth, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var o DropHistoryOptions
	if opts != nil {
		o = *opts
	}
	switch now := s.clock.Now(); {
	case before.IsZero():
		return nil, &basket.InputError{Field: "before", Reason: "is zero"}
	case before.After(now):
		return nil, &basket.InputError{Field: "before", Reason: fmt.Sprintf("%s is after now (%s): retention cannot reach the current month", before.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))}
	case o.LockTimeout < 0:
		return nil, &basket.InputError{Field: "LockTimeout", Reason: fmt.Sprintf("must not be negative, got %s", o.LockTimeout)}
	case o.LockTimeout == 0:
		o.LockTimeout = DefaultHistoryLockTimeout
	}
	// Events waiting in the default partition get their months first, so
	// that the old ones among them are dropped with the rest.
	if _, err := s.createMonths(ctx, nil); err != nil {
		return nil, wrap(ctx, "drop history", basket.ErrInvalid, err)
	}
	months, err := s.HistoryMonths(ctx)
	if err != nil {
		return nil, err
	}
	var dropped []DroppedMonth
	for _, m := range months {
		if m.End().After(before) {
			break
		}
		d, err := s.dropMonth(ctx, m, o.LockTimeout)
		if err != nil {
			return dropped, err
		}
		dropped = append(dropped, d)
		if o.Progress != nil {
			o.Progress(d)
		}
	}
	return dropped, nil
}

// monthLockWait bounds how long [Store.DropHistory] waits for the lock
// on the month's own table: nobody writing the current months needs it,
// so a long wait holds no one up. What it may wait for is a vacuum of the
// old month (which PostgreSQL cancels after deadlock_timeout, unless it
// prevents wraparound) or a long read of it.
const monthLockWait = time.Minute

// dropMonth detaches and drops one month, unless a relay still needs it,
// in steps that keep the writers' wait to the detach itself:
//
//  1. lock the month's table alone (see monthLockWait); from then on no
//     event can be written into it;
//  2. count its events and check the relays, an index probe each;
//  3. detach it, which locks the events table for the instant it takes
//     (at most lockTimeout waiting for it), and drop it.
func (s *Store) dropMonth(ctx context.Context, m HistoryMonth, lockTimeout time.Duration) (DroppedMonth, error) {
	table := s.ident + "." + pgx.Identifier{m.Table}.Sanitize()
	d := DroppedMonth{HistoryMonth: m}
	setLockTimeout := func(ctx context.Context, tx pgx.Tx, t time.Duration) error {
		_, err := tx.Exec(ctx, "SET LOCAL lock_timeout = "+strconv.FormatInt(max(1, t.Milliseconds()), 10))
		return err
	}
	err := s.inTx(ctx, "drop history", func(ctx context.Context, tx pgx.Tx) error {
		if err := setLockTimeout(ctx, tx, max(monthLockWait, lockTimeout)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&d.Events); err != nil {
			return err
		}
		var held HistoryHeldError
		err := tx.QueryRow(ctx, `SELECT r.name, r.tx, r.position FROM `+s.ident+`.outbox_relays r
			WHERE EXISTS (SELECT 1 FROM `+table+` e WHERE (e.tx, e.position) > (r.tx, r.position))
			ORDER BY r.name LIMIT 1`).Scan(&held.Relay, &held.Position.Tx, &held.Position.Position)
		switch {
		case err == nil:
			held.Month = m
			return &held
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		if err := setLockTimeout(ctx, tx, lockTimeout); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "ALTER TABLE "+s.ident+".basket_events DETACH PARTITION "+table); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "DROP TABLE "+table)
		return err
	})
	var held *HistoryHeldError
	if errors.As(err, &held) {
		return DroppedMonth{}, held
	}
	if err != nil {
		return DroppedMonth{}, wrap(ctx, "drop history month "+m.Table, basket.ErrInvalid, err)
	}
	return d, nil
}
