package postgres

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
)

// historyBenchEvents is the size of the history BenchmarkHistory builds:
// OMNIBASKET_BENCH_EVENTS, or a default small enough for a laptop. The
// issue's figure is 10,000,000 (about 4 GB of tables and indexes, built
// in a few minutes).
func historyBenchEvents(b *testing.B) int {
	v := os.Getenv("OMNIBASKET_BENCH_EVENTS")
	if v == "" {
		return 240_000
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 12*20 {
		b.Fatalf("OMNIBASKET_BENCH_EVENTS=%q: want an integer of at least 240", v)
	}
	return n
}

const (
	historyBenchMonths  = 12 // months of history, the last one current
	historyBenchBaskets = 100
	historyBenchPerLife = 20 // events per basket
)

// historyBench is one schema of the benchmark: a store and the baskets
// whose reads are measured.
type historyBench struct {
	s         *Store
	ids       []uuid.UUID
	customers []string
}

// BenchmarkHistory measures the event history partitioned by month at
// scale (issue 18): a schema holding OMNIBASKET_BENCH_EVENTS events over
// twelve months, 20 per basket, with a basket row per basket.
//
//   - read: the reads of a basket (Get, Events, FindByOwner of its
//     customer) on 100 baskets of the current month, interleaved over
//     three schemas in one loop: the small schema holds only those
//     baskets; flat holds the full history in one table, as before
//     migration 0011; partitioned holds it by month. It reports each
//     read's µs per call on each schema, and partitioned against flat.
//   - drop-month: each op drops the oldest month with DropHistory, while
//     four writers save into the current month; it reports the longest
//     save that overlapped a drop (max-stall-ms) beside the writers'
//     median save (p50-save-ms). Past months are vacuumed, as they are in
//     production. When the old months run out, a month is built (and
//     vacuumed) before the oldest, timer stopped.
//   - read-after-drops: read again, once months are gone.
func BenchmarkHistory(b *testing.B) {
	events := historyBenchEvents(b)
	pool := benchPool(b, 12)
	ctx := context.Background()
	now := time.Date(2026, time.December, 15, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	perMonth := events / historyBenchMonths / historyBenchPerLife * historyBenchPerLife

	newBench := func(name string) *historyBench {
		s := New(pool, Options{Schema: newTestSchemaName(b), Clock: clk})
		b.Cleanup(func() { _ = s.DropSchema(context.Background()) })
		if err := s.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		h := &historyBench{s: s}
		start := time.Now()
		for i := range historyBenchBaskets {
			customer := fmt.Sprintf("c-%s-%d", name, i)
			bk, w := historyBasket(b, customer, now)
			if err := s.Save(ctx, w); err != nil {
				b.Fatal(err)
			}
			for range historyBenchPerLife - 2 { // created, line added, then changes
				if err := s.Save(ctx, quantityChange(b, bk, now)); err != nil {
					b.Fatal(err)
				}
			}
			h.ids, h.customers = append(h.ids, bk.ID), append(h.customers, customer)
		}
		b.Logf("%s: %d baskets of %d events saved in %s", name, historyBenchBaskets, historyBenchPerLife, time.Since(start).Round(time.Millisecond))
		return h
	}
	small, part := newBench("small"), newBench("partitioned")
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+small.s.ident+".basket_events, "+small.s.ident+".baskets"); err != nil {
		b.Fatal(err)
	}

	// The history of the partitioned schema: the months before now, then
	// the rest of the current month.
	sample, err := part.s.Events(ctx, part.ids[0], 1)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for m := range historyBenchMonths {
		month := monthOf(now.AddDate(0, m-historyBenchMonths+1, 0))
		if _, err := part.s.createMonths(ctx, []HistoryMonth{month}); err != nil {
			b.Fatal(err)
		}
		if err := fillHistoryMonth(ctx, part.s, month, m, perMonth, sample[0]); err != nil {
			b.Fatal(err)
		}
		b.Logf("partitioned: %s filled with %d events (%s elapsed)", month.Table, perMonth, time.Since(start).Round(time.Second))
	}
	// Past months are long vacuumed in production; vacuum them now, so
	// that no vacuum of a fresh fill runs beside the measures.
	if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+part.s.ident+".basket_events, "+part.s.ident+".baskets"); err != nil {
		b.Fatal(err)
	}
	flat := &historyBench{s: New(pool, Options{Schema: newTestSchemaName(b), Clock: clk}), ids: part.ids, customers: part.customers}
	b.Cleanup(func() { _ = flat.s.DropSchema(context.Background()) })
	start = time.Now()
	if err := copyFlat(ctx, part.s, flat.s); err != nil {
		b.Fatal(err)
	}
	b.Logf("flat: the same history copied into one table in %s", time.Since(start).Round(time.Second))

	// The three reads of a basket, each timed on its own: Get and
	// FindByOwner read the baskets table, Events the history.
	reads := []struct {
		name string
		do   func(h *historyBench, i int)
	}{
		{"get", func(h *historyBench, i int) {
			if _, err := h.s.Get(ctx, h.ids[i%len(h.ids)]); err != nil {
				b.Fatal(err)
			}
		}},
		{"events", func(h *historyBench, i int) {
			id := h.ids[i%len(h.ids)]
			if es, err := h.s.Events(ctx, id, 0); err != nil || len(es) != historyBenchPerLife {
				b.Fatalf("basket %s: %d events, want %d (%v)", id, len(es), historyBenchPerLife, err)
			}
		}},
		{"owner", func(h *historyBench, i int) {
			customer := h.customers[i%len(h.customers)]
			if ids, err := h.s.FindByOwner(ctx, customer); err != nil || len(ids) != 1 {
				b.Fatalf("customer %s: %v, %v", customer, ids, err)
			}
		}},
	}
	// readAll runs every read on every schema in one loop and reports
	// each one's µs per call, and the partitioned schema's against the
	// flat one's.
	readAll := func(b *testing.B, schemas []*historyBench, names []string) {
		took := make([][]time.Duration, len(schemas))
		for j := range took {
			took[j] = make([]time.Duration, len(reads))
		}
		for i := 0; i < b.N; i++ {
			for j, h := range schemas {
				for k, r := range reads {
					t := time.Now()
					r.do(h, i)
					took[j][k] += time.Since(t)
				}
			}
		}
		for j, name := range names {
			for k, r := range reads {
				b.ReportMetric(float64(took[j][k].Microseconds())/float64(b.N), name+"-"+r.name+"-µs")
			}
		}
		for k, r := range reads {
			b.ReportMetric(float64(took[2][k])/float64(took[1][k]), r.name+"-partitioned/flat")
		}
	}
	b.Run("read", func(b *testing.B) {
		readAll(b, []*historyBench{small, flat, part}, []string{"small", "flat", "partitioned"})
	})

	b.Run("drop-month", func(b *testing.B) {
		head, err := part.s.OutboxHead(ctx)
		if err != nil {
			b.Fatal(err)
		}
		// A relay at the head: every drop checks it.
		if err := part.s.SaveRelayPosition(ctx, "bench", head); err != nil {
			b.Fatal(err)
		}
		var dropping atomic.Bool
		var maxStall atomic.Int64
		var mu sync.Mutex
		var saves []time.Duration
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, w := range newSaveWorkers(b, part.s, 4, now) {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					wr, err := w.next(now)
					if err != nil {
						b.Error(err)
						return
					}
					during := dropping.Load()
					t := time.Now()
					if err := part.s.Save(ctx, wr); err != nil {
						b.Error(err)
						return
					}
					d := time.Since(t)
					mu.Lock()
					saves = append(saves, d)
					mu.Unlock()
					if during || dropping.Load() {
						for old := maxStall.Load(); d.Nanoseconds() > old && !maxStall.CompareAndSwap(old, d.Nanoseconds()); old = maxStall.Load() {
						}
					}
				}
			})
		}
		var dropped int64
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			months, err := part.s.HistoryMonths(ctx)
			if err != nil {
				b.Fatal(err)
			}
			oldest := months[0]
			if !oldest.End().Before(monthOf(now).Start) {
				b.StopTimer()
				oldest = monthOf(oldest.Start.AddDate(0, -1, 0))
				if _, err := part.s.createMonths(ctx, []HistoryMonth{oldest}); err != nil {
					b.Fatal(err)
				}
				if err := fillHistoryMonth(ctx, part.s, oldest, 100+i, perMonth, sample[0]); err != nil {
					b.Fatal(err)
				}
				if _, err := pool.Exec(ctx, "VACUUM (ANALYZE) "+part.s.ident+"."+oldest.Table); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			dropping.Store(true)
			got, err := part.s.DropHistory(ctx, oldest.End(), nil)
			dropping.Store(false)
			if err != nil {
				b.Fatal(err)
			}
			if len(got) != 1 || got[0].Events != int64(perMonth) {
				b.Fatalf("dropped %+v, want one month of %d events", got, perMonth)
			}
			dropped += got[0].Events
		}
		b.StopTimer()
		close(stop)
		wg.Wait()
		b.ReportMetric(float64(maxStall.Load())/1e6, "max-stall-ms")
		if len(saves) > 0 {
			slices.Sort(saves)
			b.ReportMetric(float64(saves[len(saves)/2].Microseconds())/1e3, "p50-save-ms")
		}
		b.ReportMetric(float64(dropped)/float64(b.N), "events/drop")
	})

	b.Run("read-after-drops", func(b *testing.B) {
		readAll(b, []*historyBench{small, flat, part}, []string{"small", "flat", "partitioned"})
	})
}

// historyBasket creates a basket of one line for customer at the instant
// at.
func historyBasket(b *testing.B, customer string, at time.Time) (*basket.Basket, basket.Write) {
	bk, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: customer}, baskettest.Context(), basket.Cart, testMeta(at))
	if err != nil {
		b.Fatal(err)
	}
	_, added, err := bk.AddLine(testMeta(at), basket.NewLine{SKU: "sku-1", Quantity: 1,
		Product: basket.Product{Name: "Kettle", TaxCategory: "standard"}})
	if err != nil {
		b.Fatal(err)
	}
	return bk, basket.Write{Basket: bk.Clone(), Events: []basket.Event{e, added}}
}

// quantityChange sets the basket's only line to the other of 1 and 2.
func quantityChange(b *testing.B, bk *basket.Basket, at time.Time) basket.Write {
	l := bk.Lines[0]
	before := bk.Version
	e, err := bk.SetQuantity(testMeta(at), l.ID, 3-l.Quantity)
	if err != nil {
		b.Fatal(err)
	}
	return basket.Write{Basket: bk.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}
}

// fillHistoryMonth writes n events into month, 20 per basket with a
// basket row each, spread over the month's first 27 days, each a copy of
// the real event like (its type and data), in one statement per table.
// Basket IDs are derived from salt so that months do not collide.
func fillHistoryMonth(ctx context.Context, s *Store, month HistoryMonth, salt, n int, like basket.Event) error {
	actor := `{"kind":"shopper","id":"c-filler"}`
	_, err := s.pool.Exec(ctx, `INSERT INTO `+s.ident+`.basket_events (basket_id, seq, type, at, at_nanos, channel_id, location_id, actor, data)
		SELECT ('00000000-' || lpad(to_hex($1::int), 4, '0') || '-4000-8000-' || lpad(to_hex(g / 20), 12, '0'))::uuid,
			g % 20 + 1, $2, $3::timestamptz + (g::float8 / $4) * interval '27 days', 0, 'web', '', $5::jsonb, $6::jsonb
		FROM generate_series(0, $4::int - 1) g`, salt, string(like.Type), month.Start, n, actor, []byte(like.Data))
	if err != nil {
		return fmt.Errorf("fill %s: %w", month.Table, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO `+s.ident+`.baskets (id, version, customer_id, status, created_at, updated_at, snapshot, updated_at_ns)
		SELECT ('00000000-' || lpad(to_hex($1::int), 4, '0') || '-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
			20, 'c-filler-' || (g % 50000), 'cart', $2::timestamptz, $2::timestamptz, '{}'::jsonb, 0
		FROM generate_series(0, $3::int / 20 - 1) g`, salt, month.Start, n)
	if err != nil {
		return fmt.Errorf("fill baskets of %s: %w", month.Table, err)
	}
	return nil
}

// copyFlat gives to, a migrated schema, a copy of from's baskets and
// history, the history in one table as migration 0010 left it.
func copyFlat(ctx context.Context, from, to *Store) error {
	if err := to.Migrate(ctx); err != nil {
		return err
	}
	for _, sql := range []string{
		`DROP TABLE {to}.basket_events`,
		`CREATE TABLE {to}.basket_events (LIKE {from}.basket_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
		`INSERT INTO {to}.basket_events SELECT * FROM {from}.basket_events`,
		`ALTER TABLE {to}.basket_events ADD PRIMARY KEY (basket_id, seq)`,
		`CREATE INDEX ON {to}.basket_events (tx, position)`,
		`INSERT INTO {to}.baskets SELECT * FROM {from}.baskets`,
		`VACUUM (ANALYZE) {to}.basket_events, {to}.baskets`,
	} {
		sql = strings.NewReplacer("{to}", to.ident, "{from}", from.ident).Replace(sql)
		if _, err := to.pool.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	return nil
}
