package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
)

// newBasketAt creates a basket at the instant at and returns the write
// that stores it.
func newBasketAt(t testing.TB, at time.Time) (*basket.Basket, basket.Write) {
	t.Helper()
	b, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c-history"}, baskettest.Context(), basket.Cart, testMeta(at))
	require.NoError(t, err)
	return b, basket.Write{Basket: b.Clone(), Events: []basket.Event{e}}
}

func utc(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func monthStarts(ms []HistoryMonth) []time.Time {
	out := make([]time.Time, len(ms))
	for i, m := range ms {
		out[i] = m.Start
	}
	return out
}

func TestHistoryMonthNames(t *testing.T) {
	for _, tc := range []struct {
		at    time.Time
		table string
		start time.Time
	}{
		{utc(2026, time.March, 14), "basket_events_2026_03", utc(2026, time.March, 1)},
		{time.Date(2026, time.December, 31, 23, 59, 59, 999999999, time.UTC), "basket_events_2026_12", utc(2026, time.December, 1)},
		// 00:30 on 1 March in Paris is still February in UTC.
		{time.Date(2026, time.March, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "basket_events_2026_02", utc(2026, time.February, 1)},
		{utc(987, time.July, 4), "basket_events_0987_07", utc(987, time.July, 1)},
	} {
		m := monthOf(tc.at)
		assert.Equal(t, tc.table, m.Table)
		assert.Equal(t, tc.start, m.Start)
		back, ok := parseHistoryTable(m.Table)
		assert.True(t, ok)
		assert.Equal(t, m, back)
	}
	for _, name := range []string{"basket_events", "basket_events_2026", "basket_events_2026_13", "basket_events_2026_3",
		"basket_events_x_01", "basket_events_2026_03_old", "other_2026_03"} {
		_, ok := parseHistoryTable(name)
		assert.False(t, ok, name)
	}
	assert.Equal(t, utc(2027, time.January, 1), monthOf(utc(2026, time.December, 9)).End())
}

// TestHistoryMonthsArePrepared: Migrate prepares the clock's month and
// the next, PrepareHistory the months up to a date. An event of a month
// nobody prepared is written all the same (into the default partition)
// and read as usual, also when many writers race into that month; the
// next PrepareHistory moves it into its month with its cursor.
func TestHistoryMonthsArePrepared(t *testing.T) {
	clk := clock.NewFake(utc(2026, time.January, 20))
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()

	months, err := s.HistoryMonths(ctx)
	require.NoError(t, err)
	assert.Equal(t, []time.Time{utc(2026, time.January, 1), utc(2026, time.February, 1)}, monthStarts(months))

	created, err := s.PrepareHistory(ctx, utc(2026, time.April, 30))
	require.NoError(t, err)
	assert.Equal(t, []time.Time{utc(2026, time.March, 1), utc(2026, time.April, 1)}, monthStarts(created))
	again, err := s.PrepareHistory(ctx, utc(2026, time.April, 30))
	require.NoError(t, err)
	assert.Empty(t, again, "prepared months are left as they are")

	_, err = s.PrepareHistory(ctx, utc(2025, time.December, 31))
	var in *basket.InputError
	require.ErrorAs(t, err, &in, "a month before the current one")

	// Twenty writers whose events fall in September 2031.
	far := time.Date(2031, time.September, 3, 10, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 20)
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			b, w := newBasketAt(t, far.Add(time.Duration(i)*time.Minute))
			ids[i], errs[i] = b.ID, s.Save(ctx, w)
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	before := readOutbox(t, s, 20)
	var waiting int
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM "+s.ident+".basket_events_default").Scan(&waiting))
	assert.Equal(t, 20, waiting, "in the default partition")
	for _, id := range ids {
		events, err := s.Events(ctx, id, 0)
		require.NoError(t, err)
		assert.Len(t, events, 1)
	}

	created, err = s.PrepareHistory(ctx, utc(2026, time.April, 30))
	require.NoError(t, err)
	assert.Equal(t, []time.Time{utc(2031, time.September, 1)}, monthStarts(created), "the waiting events' month")
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM "+s.ident+".basket_events_default").Scan(&waiting))
	assert.Zero(t, waiting)
	assert.Equal(t, before, readOutbox(t, s, 20), "moved with their cursors")
	for _, id := range ids {
		events, err := s.Events(ctx, id, 0)
		require.NoError(t, err)
		assert.Len(t, events, 1)
	}
}

// TestDropHistory drops whole months: only those that end by the cutoff,
// never one a relay has not passed, and what stays reads as before.
func TestDropHistory(t *testing.T) {
	clk := clock.NewFake(utc(2026, time.January, 10))
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()

	// Basket a lives from January to March, b from February.
	a, w := newBasketAt(t, clk.Now())
	require.NoError(t, s.Save(ctx, w))
	require.NoError(t, s.Save(ctx, addCoupon(t, a, "JAN", clk.Now())))
	clk.Set(utc(2026, time.February, 12))
	require.NoError(t, s.Save(ctx, addCoupon(t, a, "FEB", clk.Now())))
	b, w := newBasketAt(t, clk.Now())
	require.NoError(t, s.Save(ctx, w))
	clk.Set(utc(2026, time.March, 5))
	require.NoError(t, s.Save(ctx, addCoupon(t, a, "MAR", clk.Now())))
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "MAR", clk.Now())))
	all := readOutbox(t, s, 6)
	clk.Set(utc(2026, time.April, 2))

	t.Run("refuses bad input and drops nothing", func(t *testing.T) {
		for _, tc := range []struct {
			before time.Time
			opts   *DropHistoryOptions
		}{
			{time.Time{}, nil},
			{clk.Now().Add(time.Hour), nil},
			{utc(2026, time.March, 1), &DropHistoryOptions{LockTimeout: -time.Second}},
		} {
			dropped, err := s.DropHistory(ctx, tc.before, tc.opts)
			var in *basket.InputError
			require.ErrorAs(t, err, &in)
			assert.Empty(t, dropped)
		}
		months, err := s.HistoryMonths(ctx)
		require.NoError(t, err)
		assert.Equal(t, []time.Time{utc(2026, time.January, 1), utc(2026, time.February, 1)}, monthStarts(months),
			"unchanged (March's events wait in the default partition)")
	})

	t.Run("keeps a month a relay has not passed", func(t *testing.T) {
		// The relay has published January's two events, not February's.
		require.NoError(t, s.SaveRelayPosition(ctx, "warehouse", all[1].Cursor))
		var progress []DroppedMonth
		dropped, err := s.DropHistory(ctx, utc(2026, time.March, 1), &DropHistoryOptions{Progress: func(d DroppedMonth) { progress = append(progress, d) }})
		require.ErrorIs(t, err, ErrHistoryHeld)
		var held *HistoryHeldError
		require.ErrorAs(t, err, &held)
		assert.Equal(t, "warehouse", held.Relay)
		assert.Equal(t, all[1].Cursor, held.Position)
		assert.Equal(t, utc(2026, time.February, 1), held.Month.Start)
		require.Len(t, dropped, 1)
		assert.Equal(t, DroppedMonth{HistoryMonth: monthOf(utc(2026, time.January, 1)), Events: 2}, dropped[0])
		assert.Equal(t, dropped, progress)
	})

	t.Run("drops it once the relay passed it", func(t *testing.T) {
		require.NoError(t, s.SaveRelayPosition(ctx, "warehouse", all[3].Cursor))
		dropped, err := s.DropHistory(ctx, utc(2026, time.March, 31), nil)
		require.NoError(t, err)
		assert.Equal(t, []DroppedMonth{{HistoryMonth: monthOf(utc(2026, time.February, 1)), Events: 2}}, dropped,
			"March ends after the cutoff: kept")
		months, err := s.HistoryMonths(ctx)
		require.NoError(t, err)
		assert.Equal(t, []time.Time{utc(2026, time.March, 1)}, monthStarts(months))
	})

	t.Run("what stays reads as before", func(t *testing.T) {
		got, err := s.Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(4), got.Version)
		assert.Equal(t, []string{"FEB", "JAN", "MAR"}, got.Wallet.Coupons, "the basket keeps its state")
		events, err := s.Events(ctx, a.ID, 0)
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, int64(4), events[0].Seq, "the history starts at the first event kept")
		_, _, err = s.HistoryAt(ctx, a.ID, 2)
		assert.ErrorIs(t, err, ErrHistoryDropped)
		rest, err := s.ReadOutbox(ctx, all[3].Cursor, 10)
		require.NoError(t, err)
		assert.Equal(t, all[4:], rest)

		require.NoError(t, s.Save(ctx, addCoupon(t, b, "APR", clk.Now())))
		events, err = s.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		assert.Equal(t, []int64{2, 3}, []int64{events[0].Seq, events[1].Seq})
	})

	t.Run("ForgetRelay", func(t *testing.T) {
		found, err := s.ForgetRelay(ctx, "warehouse")
		require.NoError(t, err)
		assert.True(t, found)
		found, err = s.ForgetRelay(ctx, "warehouse")
		require.NoError(t, err)
		assert.False(t, found)
		_, err = s.ForgetRelay(ctx, "")
		var in *basket.InputError
		assert.ErrorAs(t, err, &in)
	})
}

// TestDropHistoryGivesUpOnALockItCannotGet: a transaction that holds the
// events table makes the drop fail after its lock timeout, dropping
// nothing, rather than queue every writer behind it.
func TestDropHistoryGivesUpOnALockItCannotGet(t *testing.T) {
	clk := clock.NewFake(utc(2026, time.January, 10))
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	_, w := newBasketAt(t, clk.Now())
	require.NoError(t, s.Save(ctx, w))
	clk.Set(utc(2026, time.March, 2))

	// A reader of the current months: it holds the events table, not
	// January's own table, which the drop locks first.
	_, release := holdLock(t, s.pool, "SELECT count(*) FROM "+s.ident+".basket_events WHERE at >= '2026-03-01 00:00:00+00'")
	dropped, err := s.DropHistory(ctx, utc(2026, time.February, 1), &DropHistoryOptions{LockTimeout: 50 * time.Millisecond})
	release()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "lock timeout")
	assert.Empty(t, dropped)
	months, err := s.HistoryMonths(ctx)
	require.NoError(t, err)
	assert.Equal(t, utc(2026, time.January, 1), months[0].Start, "January is still there")

	dropped, err = s.DropHistory(ctx, utc(2026, time.February, 1), nil)
	require.NoError(t, err)
	assert.Len(t, dropped, 1)
}

// TestDropHistoryUnderWriters: months are dropped while writers save into
// the current month; no save fails and none is lost.
func TestDropHistoryUnderWriters(t *testing.T) {
	clk := clock.NewFake(utc(2026, time.January, 10))
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	for m := time.January; m <= time.March; m++ {
		clk.Set(utc(2026, m, 10))
		for range 20 {
			_, w := newBasketAt(t, clk.Now())
			require.NoError(t, s.Save(ctx, w))
		}
	}
	clk.Set(utc(2026, time.April, 10))

	const writers, saves = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*saves)
	ids := make(chan uuid.UUID, writers*saves)
	for range writers {
		wg.Go(func() {
			for range saves {
				b, w := newBasketAt(t, clk.Now())
				if err := s.Save(ctx, w); err != nil {
					errs <- err
					continue
				}
				ids <- b.ID
			}
		})
	}
	dropped, err := s.DropHistory(ctx, utc(2026, time.April, 1), nil)
	wg.Wait()
	close(errs)
	close(ids)
	require.NoError(t, err)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, dropped, 3)
	for _, d := range dropped {
		assert.Equal(t, int64(20), d.Events, d.Table)
	}
	for id := range ids {
		events, err := s.Events(ctx, id, 0)
		require.NoError(t, err)
		assert.Len(t, events, 1)
	}
}

// unpartitionHistory puts the events table back as migration 0010 left
// it, one table, with the rows it holds, and forgets migration 0011.
func unpartitionHistory(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	for _, sql := range []string{
		`CREATE TABLE {s}.basket_events_flat (
			basket_id uuid NOT NULL REFERENCES {s}.baskets (id),
			seq bigint NOT NULL CHECK (seq > 0),
			position bigint NOT NULL DEFAULT nextval('{s}.basket_events_position_seq'),
			type text NOT NULL,
			at timestamptz NOT NULL,
			at_nanos integer NOT NULL DEFAULT 0 CHECK (at_nanos BETWEEN 0 AND 999),
			channel_id text NOT NULL,
			location_id text NOT NULL DEFAULT '',
			actor jsonb NOT NULL,
			data jsonb NOT NULL,
			tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
			PRIMARY KEY (basket_id, seq))`,
		`INSERT INTO {s}.basket_events_flat SELECT basket_id, seq, position, type, at, at_nanos, channel_id, location_id, actor, data, tx
			FROM {s}.basket_events`,
		"ALTER SEQUENCE {s}.basket_events_position_seq OWNED BY {s}.basket_events_flat.position",
		"DROP TABLE {s}.basket_events",
		"ALTER TABLE {s}.basket_events_flat RENAME TO basket_events",
		"ALTER INDEX {s}.basket_events_flat_pkey RENAME TO basket_events_pkey",
		"CREATE INDEX basket_events_tx_idx ON {s}.basket_events (tx, position)",
		"ALTER TABLE {s}.baskets DROP COLUMN events_from",
		"DELETE FROM {s}.schema_migrations WHERE version = 11",
	} {
		_, err := s.pool.Exec(ctx, replaceSchema(sql, s))
		require.NoError(t, err, sql)
	}
}

// TestMigrationPartitionsHistory: migration 0011 on a history of three
// months moves every event into its month with its cursor, so the outbox
// and the baskets read exactly as before, and writing goes on after.
func TestMigrationPartitionsHistory(t *testing.T) {
	clk := clock.NewFake(utc(2026, time.January, 31))
	s := newTestStore(t, clk)
	t.Parallel()
	ctx := context.Background()
	var ids []uuid.UUID
	for _, at := range []time.Time{utc(2025, time.November, 3), utc(2025, time.December, 31).Add(-time.Nanosecond), utc(2026, time.January, 30)} {
		b, w := newBasketAt(t, at)
		require.NoError(t, s.Save(ctx, w))
		require.NoError(t, s.Save(ctx, addCoupon(t, b, "C", at.Add(time.Second))))
		ids = append(ids, b.ID)
	}
	before := readOutbox(t, s, 6)
	unpartitionHistory(t, s)
	var partitioned bool
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass", s.ident+".basket_events").Scan(&partitioned))
	require.False(t, partitioned)

	require.NoError(t, s.Migrate(ctx))
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass", s.ident+".basket_events").Scan(&partitioned))
	assert.True(t, partitioned)
	months, err := s.HistoryMonths(ctx)
	require.NoError(t, err)
	assert.Equal(t, []time.Time{utc(2025, time.November, 1), utc(2025, time.December, 1), utc(2026, time.January, 1), utc(2026, time.February, 1)},
		monthStarts(months), "the months of the rows, and the next one")
	after := readOutbox(t, s, 6)
	assert.Equal(t, before, after, "same events, same cursors")

	_, w := newBasketAt(t, clk.Now())
	require.NoError(t, s.Save(ctx, w))
	all := readOutbox(t, s, 7)
	assert.Equal(t, 1, all[6].Cursor.Compare(before[5].Cursor), "a new event comes after every old one")
	for _, id := range ids {
		events, err := s.Events(ctx, id, 0)
		require.NoError(t, err)
		require.Len(t, events, 2)
		var from time.Time
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT events_from FROM "+s.ident+".baskets WHERE id = $1", id).Scan(&from))
		assert.True(t, from.Equal(events[0].At.Truncate(time.Microsecond)), "events_from is the first event's instant: %s, %s", from, events[0].At)
	}
}

// TestBasketReadsSkipOnlyMonthsBeforeTheFirstEvent: reads by basket skip
// the months before its first event, exactly: an event earlier than the
// basket's creation (a clock behind) lowers the bound, and a basket whose
// bound is unknown (written by a version predating 0011) skips nothing.
func TestBasketReadsSkipOnlyMonthsBeforeTheFirstEvent(t *testing.T) {
	s := newTestStore(t, clock.NewFake(utc(2026, time.March, 10)))
	t.Parallel()
	ctx := context.Background()
	b, w := newBasketAt(t, utc(2026, time.March, 10))
	require.NoError(t, s.Save(ctx, w))
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "BEHIND", utc(2025, time.December, 30))))
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "MAY", utc(2026, time.May, 2))))
	w = addCoupon(t, b, "CHECKPOINT", utc(2026, time.May, 3))
	w.Checkpoint = true
	require.NoError(t, s.Save(ctx, w))
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "JUNE", utc(2026, time.June, 1))))

	check := func(what string) {
		events, err := s.Events(ctx, b.ID, 0)
		require.NoError(t, err, what)
		assert.Len(t, events, 5, what)
		later, err := s.Events(ctx, b.ID, 1)
		require.NoError(t, err, what)
		assert.Len(t, later, 4, what)
		for _, v := range []int64{2, 3, 5} {
			cp, es, err := s.HistoryAt(ctx, b.ID, v)
			require.NoError(t, err, "%s: HistoryAt(%d)", what, v)
			got, err := basket.ReplayFrom(cp, es)
			require.NoError(t, err)
			assert.Equal(t, v, got.Version, what)
		}
	}
	check("bound lowered to December")
	_, err := s.pool.Exec(ctx, "UPDATE "+s.ident+".baskets SET events_from = NULL WHERE id = $1", b.ID)
	require.NoError(t, err)
	check("unknown bound")
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "JULY", utc(2026, time.July, 1))))
	var from *time.Time
	require.NoError(t, s.pool.QueryRow(ctx, "SELECT events_from FROM "+s.ident+".baskets WHERE id = $1", b.ID).Scan(&from))
	assert.Nil(t, from, "an unknown bound stays unknown")
}

// The history's errors are typed.
func TestHistoryErrors(t *testing.T) {
	err := error(&HistoryHeldError{Month: monthOf(utc(2026, time.May, 3)), Relay: "r", Position: Cursor{Tx: 7, Position: 9}})
	assert.ErrorIs(t, err, ErrHistoryHeld)
	assert.Equal(t, `postgres: history of 2026-05 kept: relay "r" is at 7:9, before some of its events`, err.Error())
	assert.False(t, errors.Is(ErrHistoryDropped, ErrHistoryHeld))
}
