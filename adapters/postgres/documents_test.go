package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// checkDocuments fails tb if a series is not exactly 1…last_number in
// issue-time order, or disagrees with its documents.
func checkDocuments(tb testing.TB, s *Store) {
	tb.Helper()
	checks := []struct{ what, sql string }{
		{"series ≠ its documents", `SELECT d.series || ': last ' || d.last_number || ', ' || count(x.number) || ' documents, max ' || COALESCE(max(x.number), 0)
			FROM {s}.document_series d LEFT JOIN {s}.documents x ON x.series = d.series
			GROUP BY d.series, d.last_number, d.last_issued_ns
			HAVING d.last_number <> count(x.number) OR d.last_number <> COALESCE(max(x.number), 0)
				OR (count(x.number) > 0 AND d.last_issued_ns <> max(x.issued_at_ns))`},
		{"number out of issue-time order", `SELECT a.series || ': ' || a.number || ' issued after ' || b.number
			FROM {s}.documents a JOIN {s}.documents b ON a.series = b.series AND a.number < b.number AND a.issued_at_ns > b.issued_at_ns`},
		{"number column ≠ stored document", `SELECT id::text FROM {s}.documents WHERE (document->>'number')::bigint <> number`},
	}
	for _, c := range checks {
		rows, err := s.pool.Query(context.Background(), strings.ReplaceAll(c.sql, "{s}", s.ident))
		if err != nil {
			tb.Errorf("invariant %q: %v", c.what, err)
			continue
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				tb.Errorf("invariant %q: %v", c.what, err)
				break
			}
			tb.Errorf("invariant broken: %s: %s", c.what, v)
		}
		rows.Close()
	}
}

// seriesLast reads a series' last number straight from its row (0 when
// the series has not started).
func seriesLast(t testing.TB, s *Store, series string) int64 {
	t.Helper()
	var n int64
	err := s.pool.QueryRow(context.Background(), "SELECT COALESCE(max(last_number), 0) FROM "+s.ident+".document_series WHERE series = $1", series).Scan(&n)
	require.NoError(t, err)
	return n
}

// TestDocumentNumberingRaceAcrossInstances is the named requirement that
// numbers are never reused or skipped, even when 50 invoices race on
// PostgreSQL: 50 goroutines, spread over 10 store instances that each
// have their own pool (as 10 processes would), each issue an invoice for
// their own basket in one series, re-running the command on a conflict.
func TestDocumentNumberingRaceAcrossInstances(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	const racers, instances = 50, 10
	ctx := context.Background()
	first := newTestStore(t, nil)
	stores := make([]*Store, instances)
	for i := range stores {
		cfg, err := pgxpool.ParseConfig(os.Getenv(envURL))
		require.NoError(t, err)
		cfg.MaxConns = 3
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		stores[i] = New(pool, Options{Schema: first.Schema()})
	}
	ids := make([]uuid.UUID, racers)
	for i := range ids {
		b, w := baskettest.NewBasket(t, fmt.Sprintf("c-%d", i))
		require.NoError(t, first.Save(ctx, w))
		ids[i] = b.ID
	}

	var tick atomic.Int64
	now := func() time.Time { return stocktest.Epoch.Add(time.Duration(tick.Add(1)) * time.Microsecond) }
	written := make([]int64, racers)
	var conflicts atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[i%instances]
			<-start
			for range 100 * racers {
				cur, err := s.Get(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				before := cur.Version
				e, err := cur.AddCoupon(testMeta(stocktest.Epoch), "INVOICED")
				if err != nil {
					t.Error(err)
					return
				}
				d := baskettest.Document(cur, basket.Invoice, "INV-paris", now())
				w := basket.Write{Basket: cur, ExpectedVersion: before, Events: []basket.Event{e}, Documents: []basket.Document{d}}
				switch err := s.Save(ctx, w); {
				case err == nil:
					written[i] = w.Documents[0].Number
					return
				case errors.Is(err, basket.ErrVersionConflict):
					conflicts.Add(1)
				default:
					t.Error(err)
					return
				}
			}
			t.Errorf("racer %d never got through", i)
		}()
	}
	close(start)
	wg.Wait()

	docs, err := first.Documents(ctx, ids)
	require.NoError(t, err)
	require.Len(t, docs, racers)
	for i, d := range docs {
		assert.Equal(t, int64(i+1), d.Number, "numbers 1…%d in issue-time order", racers)
		assert.Equal(t, d.Number, written[slices.Index(ids, d.BasketID)], "the racer's Write got the stored number")
	}
	assert.Equal(t, int64(racers), seriesLast(t, first, "INV-paris"))
	checkDocuments(t, first)
	t.Logf("%d invoices over %d instances, %d conflicts re-run", racers, instances, conflicts.Load())
}

// TestFaultKilledSaveWithStockAndDocuments kills the connection of a Save
// that carries a stock change and an invoice: once every write is done
// but before COMMIT, while it waits for its series' lock (its basket,
// idempotency record and holds written), and while it waits for the
// outbox lock (its invoice numbered too). Nothing may be half-written:
// no hold, no document, no number consumed, the basket as it was.
func TestFaultKilledSaveWithStockAndDocuments(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	for _, how := range []string{"BeforeCommit", "WaitingForSeriesLock", "WaitingForEventInsert"} {
		t.Run(how, func(t *testing.T) {
			clk := clock.NewFake(stocktest.Epoch)
			s := newTestStore(t, clk)
			ctx := context.Background()
			require.NoError(t, s.SetOnHand(ctx, "a", "x", 5))
			require.NoError(t, s.SetOnHand(ctx, "b", "y", 5))
			// A first invoice starts the series.
			p, wp := baskettest.NewBasket(t, "c-0")
			require.NoError(t, s.Save(ctx, wp))
			require.NoError(t, s.Save(ctx, withDocuments(addCoupon(t, p, "FIRST", clk.Now()), baskettest.Document(p, basket.Invoice, "INV", clk.Now()))))
			a, wa := baskettest.NewBasket(t, "c-1")
			require.NoError(t, s.Save(ctx, wa))
			levelsBefore, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x", "y"}})
			require.NoError(t, err)

			w := addCoupon(t, a.Clone(), "ORDER", clk.Now())
			w.Stock = &stock.Change{BasketID: a.ID.String(), Movements: []stock.Movement{
				{Kind: stock.MoveHold, LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}}, ExpiresAt: clk.Now().Add(time.Hour)},
				{Kind: stock.MoveDeduct, LocationID: "y", Lines: []stock.ReserveLine{{SKU: "b", Quantity: 1}}},
			}}
			w.Documents = []basket.Document{
				baskettest.Document(a, basket.Invoice, "INV", clk.Now().Add(time.Minute)),
				baskettest.Document(a, basket.CreditNote, "CN", clk.Now().Add(time.Minute)),
			}
			kill := baskettest.Key(basket.Shopper, "c-1", a.ID, "kill")
			w.Idempotency = &basket.IdempotencyRecord{Key: kill, BasketID: a.ID, Version: 2}
			w.Checkpoint = true

			switch how {
			case "BeforeCommit":
				killBeforeCommit(t, s, "save")
				err = s.Save(ctx, w)
				s.beforeCommit = nil
			case "WaitingForSeriesLock", "WaitingForEventInsert":
				lock, args := "SELECT FROM "+s.ident+".document_series WHERE series = 'INV' FOR UPDATE", []any(nil)
				if how == "WaitingForEventInsert" {
					lock = holdEventSQL(s)
				}
				holder, release := holdLock(t, s.pool, lock, args...)
				errc := make(chan error, 1)
				go func() { errc <- s.Save(ctx, w) }()
				terminate(t, s.pool, blockedBy(t, s.pool, holder))
				err = <-errc
				release()
			}
			require.Error(t, err, "the write lost its connection")
			t.Logf("killed: %v", err)
			assert.NotErrorIs(t, err, basket.ErrVersionConflict)

			got, err := s.Get(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, int64(1), got.Version, "basket unchanged")
			assert.Empty(t, got.Wallet.Coupons)
			events, err := s.Events(ctx, a.ID, 0)
			require.NoError(t, err)
			assert.Len(t, events, 1)
			_, err = s.Idempotency(ctx, kill)
			assert.ErrorIs(t, err, basket.ErrNotFound)
			rs, err := s.Reservations(ctx, a.ID.String())
			require.NoError(t, err)
			assert.Empty(t, rs, "no hold")
			levelsAfter, err := s.Levels(ctx, stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x", "y"}})
			require.NoError(t, err)
			assert.Equal(t, levelsBefore.All(), levelsAfter.All(), "nothing deducted")
			docs, err := s.Documents(ctx, []uuid.UUID{a.ID})
			require.NoError(t, err)
			assert.Empty(t, docs, "no document")
			assert.Equal(t, []int64{0, 0}, []int64{w.Documents[0].Number, w.Documents[1].Number}, "no number written back")
			assert.Equal(t, int64(1), seriesLast(t, s, "INV"), "no number consumed")
			assert.Zero(t, seriesLast(t, s, "CN"), "the new series was not started")
			checkInvariants(t, s)
			checkDocuments(t, s)

			// Nothing is left locked: the same write now succeeds, with
			// the numbers the killed one would have had.
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			require.NoError(t, s.Save(ctx, w))
			assert.Equal(t, []int64{2, 1}, []int64{w.Documents[0].Number, w.Documents[1].Number})
			rs, err = s.Reservations(ctx, a.ID.String())
			require.NoError(t, err)
			require.Len(t, rs, 1)
			assert.Equal(t, "x", rs[0].LocationID)
			assert.Equal(t, int64(2), rs[0].Quantity("a"))
			lv, err := s.Levels(ctx, stock.Query{SKUs: []string{"b"}, Locations: []string{"y"}})
			require.NoError(t, err)
			assert.Equal(t, []stock.Level{{SKU: "b", LocationID: "y", OnHand: 4}}, lv.All())
			checkDocuments(t, s)
		})
	}
}

func withDocuments(w basket.Write, docs ...basket.Document) basket.Write {
	w.Documents = docs
	return w
}
