package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

// benchPool returns a pool of its own with room for conns connections, so
// that 64 workers are not queued behind the shared pool's 24.
func benchPool(b *testing.B, conns int32) *pgxpool.Pool {
	b.Helper()
	sharedPool(b) // skips without a server
	cfg, err := pgxpool.ParseConfig(os.Getenv(envURL))
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = conns
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}

// saveWorker is one writer's basket: kept in memory between saves, so that
// a save is only the write (no read).
type saveWorker struct {
	b    *basket.Basket
	line string
}

// next changes w's basket (quantity 1 ⇄ 2) and returns the write.
func (w *saveWorker) next(at time.Time) (basket.Write, error) {
	l, _ := w.b.Line(w.line)
	before := w.b.Version
	e, err := w.b.SetQuantity(testMeta(at), w.line, 3-l.Quantity)
	if err != nil {
		return basket.Write{}, err
	}
	return basket.Write{Basket: w.b, ExpectedVersion: before, Events: []basket.Event{e}}, nil
}

// newSaveWorkers creates n baskets of one line each in s.
func newSaveWorkers(b *testing.B, s *Store, n int, at time.Time) []*saveWorker {
	b.Helper()
	ws := make([]*saveWorker, n)
	for i := range ws {
		bk, cw := baskettest.NewBasket(b, fmt.Sprintf("c-%d", i))
		line, e, err := bk.AddLine(testMeta(at), basket.NewLine{SKU: "sku-1", Quantity: 1,
			Product: basket.Product{Name: "Kettle", TaxCategory: "standard"}})
		if err != nil {
			b.Fatal(err)
		}
		cw.Basket, cw.Events = bk.Clone(), append(cw.Events, e)
		if err := s.Save(context.Background(), cw); err != nil {
			b.Fatal(err)
		}
		ws[i] = &saveWorker{b: bk, line: line}
	}
	return ws
}

// handSave is the baseline: the write a program would make by hand with
// pgx, with the same statements and row sizes as Store.Save (the basket
// row's compare-and-swap update, the event rows' insert, the commit) and
// nothing else: no ordering of the outbox, no retries, no error typing.
// It encodes the rows as Save does: any program has to.
func handSave(ctx context.Context, pool *pgxpool.Pool, schema string, w basket.Write) error {
	snap, err := json.Marshal(w.Basket)
	if err != nil {
		return err
	}
	var customer *string
	if c := w.Basket.Owner.CustomerID; c != "" {
		customer = &c
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	b := w.Basket
	tag, err := tx.Exec(ctx, `UPDATE `+schema+`.baskets SET version = $3, customer_id = $4, status = $5, updated_at = $6,
		snapshot = $7, arrival_location = NULL, arrival_at_ns = NULL, updated_at_ns = $8
		WHERE id = $1 AND version = $2`,
		b.ID, w.ExpectedVersion, b.Version, customer, b.Status.String(), b.UpdatedAt, snap, b.UpdatedAt.UnixNano())
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("basket %s: version conflict", b.ID)
	}
	batch := &pgx.Batch{}
	for _, e := range w.Events {
		actor, err := json.Marshal(e.Actor)
		if err != nil {
			return err
		}
		batch.Queue(`INSERT INTO `+schema+`.basket_events (basket_id, seq, type, at, at_nanos, channel_id, location_id, actor, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.BasketID, e.Seq, string(e.Type), e.At, int32(e.At.Nanosecond()%1000), e.ChannelID, e.LocationID, actor, []byte(e.Data))
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// BenchmarkSave measures basket saves (a compare-and-swap update of the
// basket and one event) by 1, 4, 16 and 64 workers, each on a basket of
// its own: Store.Save and, in the same run, the hand-written baseline
// (handSave) on baskets of their own. The two alternate in rounds of
// 32 saves per worker, so that both see the same machine; it reports
// each one's saves/s and Save's share of the baseline ("%baseline").
func BenchmarkSave(b *testing.B) {
	for _, workers := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			pool := benchPool(b, int32(workers)+2)
			ctx := context.Background()
			s := New(pool, Options{Schema: newTestSchemaName(b)})
			b.Cleanup(func() { _ = s.DropSchema(context.Background()) })
			if err := s.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			lib, hand := newSaveWorkers(b, s, workers, at), newSaveWorkers(b, s, workers, at)
			// round runs per saves on each worker's basket, all workers at
			// once, and returns how long the round took.
			round := func(ws []*saveWorker, per int, save func(basket.Write) error) time.Duration {
				var wg sync.WaitGroup
				errs := make(chan error, len(ws))
				start := time.Now()
				for _, w := range ws {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range per {
							wr, err := w.next(at)
							if err == nil {
								err = save(wr)
							}
							if err != nil {
								errs <- err
								return
							}
						}
					}()
				}
				wg.Wait()
				elapsed := time.Since(start)
				close(errs)
				for err := range errs {
					b.Fatal(err)
				}
				return elapsed
			}
			saveLib := func(w basket.Write) error { return s.Save(ctx, w) }
			saveHand := func(w basket.Write) error { return handSave(ctx, pool, s.ident, w) }
			const per = 32
			var libTime, handTime time.Duration
			var saves int
			b.ResetTimer()
			for done := 0; done < b.N; done += per * workers {
				libTime += round(lib, per, saveLib)
				handTime += round(hand, per, saveHand)
				saves += per * workers
			}
			b.StopTimer()
			libRate := float64(saves) / libTime.Seconds()
			handRate := float64(saves) / handTime.Seconds()
			b.ReportMetric(libRate, "saves/s")
			b.ReportMetric(handRate, "baseline-saves/s")
			b.ReportMetric(100*libRate/handRate, "%baseline")
		})
	}
}
