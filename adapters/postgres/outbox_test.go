package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

// fault is what the writers of TestOutboxUnderConcurrentWritersAndFaults
// do to one of their saves, told to the store's beforeCommit hook through
// the context.
type fault int

const (
	noFault    fault = iota
	abortLate        // the hook fails: every row written, then rolled back
	cancelLate       // the hook cancels the context: COMMIT is never sent
	killLate         // the hook terminates the transaction's own backend
	reusedKey        // a used idempotency key: refused after the basket's update
)

type faultKey struct{}

// faulty carries a fault and the cancel function of the save's context.
type faulty struct {
	f      fault
	cancel context.CancelFunc
}

var errInjected = errors.New("injected failure")

// The outbox's promise without a global lock: writers save concurrently,
// on a few hot baskets and on a basket each, while a consumer follows the
// outbox; some saves fail after writing every row (an error, a cancelled
// context, the connection terminated), some are refused midway (a used
// idempotency key), and a killer terminates random writer connections,
// mid-transaction or mid-commit. At the end the consumer has seen exactly
// the events in the table, each once, every basket's events in sequence
// without a gap, and none of a save known to have rolled back.
func TestOutboxUnderConcurrentWritersAndFaults(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()

	// The writers have a pool (and an application name) of their own, so
	// that the killer terminates only their connections.
	cfg, err := pgxpool.ParseConfig(os.Getenv(envURL))
	require.NoError(t, err)
	app := "outbox-writer-" + s.Schema()[len(s.Schema())-12:]
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	cfg.MaxConns = 8
	wpool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer wpool.Close()
	ws := New(wpool, Options{Schema: s.Schema()})
	ws.beforeCommit = func(ctx context.Context, op string, tx pgx.Tx) error {
		x, _ := ctx.Value(faultKey{}).(*faulty)
		if op != "save" || x == nil {
			return nil
		}
		switch x.f {
		case abortLate:
			return errInjected
		case cancelLate:
			x.cancel()
		case killLate:
			_, err := tx.Exec(ctx, "SELECT pg_terminate_backend(pg_backend_pid())")
			return err
		}
		return nil
	}

	const writers, perWriter, hotBaskets = 12, 30, 3
	hot := make([]uuid.UUID, hotBaskets)
	for i := range hot {
		b, w := baskettest.NewBasket(t, fmt.Sprintf("c-hot-%d", i))
		require.NoError(t, s.Save(ctx, w))
		hot[i] = b.ID
	}
	usedKey := baskettest.Key(basket.System, "outbox", uuid.Nil, "used")
	{
		b, w := baskettest.NewBasket(t, "c-key")
		w.Idempotency = &basket.IdempotencyRecord{Key: usedKey, BasketID: b.ID, Version: 1}
		require.NoError(t, s.Save(ctx, w))
	}

	// The consumer.
	var (
		mu         sync.Mutex
		consumed   []OutboxEvent
		violations []string
	)
	lastSeq := map[uuid.UUID]int64{}
	var lastCursor Cursor
	followCtx, stopFollowing := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() {
		followed <- s.Follow(followCtx, Cursor{}, 2*time.Millisecond, func(batch []OutboxEvent) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range batch {
				if e.Cursor.Compare(lastCursor) <= 0 && len(consumed) > 0 {
					violations = append(violations, fmt.Sprintf("cursor %s after %s", e.Cursor, lastCursor))
				}
				if want := lastSeq[e.Event.BasketID] + 1; e.Event.Seq != want {
					violations = append(violations, fmt.Sprintf("basket %s: seq %d, want %d", e.Event.BasketID, e.Event.Seq, want))
				}
				lastSeq[e.Event.BasketID] = max(lastSeq[e.Event.BasketID], e.Event.Seq)
				lastCursor = e.Cursor
				consumed = append(consumed, e)
			}
			return nil
		})
	}()

	// The killer.
	var killed atomic.Int64
	killerCtx, stopKilling := context.WithCancel(ctx)
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for killerCtx.Err() == nil {
			var n int64
			err := s.pool.QueryRow(killerCtx, `SELECT count(pg_terminate_backend(pid)) FROM (
					SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state <> 'idle'
					ORDER BY random() LIMIT 1) x`, app).Scan(&n)
			if err == nil {
				killed.Add(n)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}()

	// The writers.
	var (
		faults   [reusedKey + 1]atomic.Int64 // saves that failed as planned, by fault
		lost     atomic.Int64                // saves that failed otherwise (the killer)
		rolled   sync.Map                    // codes of saves known to have rolled back
		attempts atomic.Int64
	)
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own, w := baskettest.NewBasket(t, fmt.Sprintf("c-w%d", g))
			if !assert.NoError(t, s.Save(ctx, w)) {
				return
			}
			for n := range perWriter {
				id := own.ID
				if n%2 == 1 {
					id = hot[(g+n)%hotBaskets]
				}
				plan := noFault
				switch n % 10 {
				case 2:
					plan = abortLate
				case 4:
					plan = cancelLate
				case 6:
					plan = reusedKey
				case 8:
					plan = killLate
				}
				code := fmt.Sprintf("G%dN%d", g, n)
				for retry := 0; ; retry++ {
					attempts.Add(1)
					cur, err := ws.Get(ctx, id)
					if err != nil {
						lost.Add(1) // the killer took the read's connection
						if retry < 20 {
							continue
						}
						t.Errorf("writer %d: %v", g, err)
						return
					}
					write := addCoupon(t, cur, code, time.Now())
					if plan == reusedKey {
						write.Idempotency = &basket.IdempotencyRecord{Key: usedKey, BasketID: id, Version: write.Basket.Version}
					}
					saveCtx, cancel := context.WithCancel(ctx)
					saveCtx = context.WithValue(saveCtx, faultKey{}, &faulty{f: plan, cancel: cancel})
					err = ws.Save(saveCtx, write)
					cancel()
					switch {
					case err == nil:
					case errors.Is(err, basket.ErrVersionConflict):
						continue
					case plan == abortLate && errors.Is(err, errInjected),
						plan == cancelLate && errors.Is(err, context.Canceled),
						plan == reusedKey && errors.Is(err, basket.ErrIdempotencyKeyUsed):
						// Known to have rolled back: COMMIT was never sent.
						faults[plan].Add(1)
						rolled.Store(code, true)
					case plan == killLate:
						faults[plan].Add(1) // rolled back too, but the killer may have come first
					default:
						lost.Add(1) // the killer: committed or not, the table says
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	stopKilling()
	<-killerDone

	// The committed set: the table.
	type key struct {
		id  uuid.UUID
		seq int64
	}
	committed := map[key]bool{}
	rows, err := s.pool.Query(ctx, "SELECT basket_id, seq FROM "+s.ident+".basket_events")
	require.NoError(t, err)
	for rows.Next() {
		var k key
		require.NoError(t, rows.Scan(&k.id, &k.seq))
		committed[k] = true
	}
	require.NoError(t, rows.Err())
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(consumed) >= len(committed)
	}, 20*time.Second, 5*time.Millisecond, "the consumer never caught up with the %d committed events", len(committed))
	time.Sleep(20 * time.Millisecond) // room for anything extra to show up
	stopFollowing()
	require.ErrorIs(t, <-followed, context.Canceled)

	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, violations, "order")
	seen := map[key]bool{}
	for _, e := range consumed {
		k := key{e.Event.BasketID, e.Event.Seq}
		assert.False(t, seen[k], "event %s/%d consumed twice", k.id, k.seq)
		seen[k] = true
		assert.True(t, committed[k], "event %s/%d consumed but not in the table", k.id, k.seq)
		if e.Event.Type == basket.EventCouponAdded {
			var c basket.CodeChanged
			require.NoError(t, json.Unmarshal(e.Event.Data, &c))
			_, bad := rolled.Load(c.Code)
			assert.False(t, bad, "coupon %s: an event of a rolled-back save was consumed", c.Code)
		}
	}
	assert.Len(t, seen, len(committed), "consumed set = committed set")
	for id, seq := range lastSeq {
		var version int64
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT version FROM "+s.ident+".baskets WHERE id = $1", id).Scan(&version))
		assert.Equal(t, version, seq, "basket %s: the consumer saw its whole history", id)
	}
	for f := abortLate; f <= reusedKey; f++ {
		assert.Positive(t, faults[f].Load(), "fault %d happened", f)
	}
	assert.Positive(t, killed.Load(), "the killer terminated connections")
	t.Logf("%d events committed, %d saves attempted; rolled back as planned: abort %d, cancel %d, kill %d, used key %d; %d connections killed at random, %d operations lost to them",
		len(committed), attempts.Load(), faults[abortLate].Load(), faults[cancelLate].Load(), faults[killLate].Load(), faults[reusedKey].Load(), killed.Load(), lost.Load())
}

// The guard behind per-basket order: a transaction that took its ID
// before the basket's last writer committed cannot write the basket (its
// events would come first in the outbox); Save, in a transaction of its
// own, then can.
func TestSaveRefusesAnOlderTransaction(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	b, w := baskettest.NewBasket(t, "c-order")
	require.NoError(t, s.Save(ctx, w))

	older, err := s.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = older.Rollback(ctx) }()
	var x uint64
	require.NoError(t, older.QueryRow(ctx, "SELECT pg_current_xact_id()").Scan(&x))

	require.NoError(t, s.Save(ctx, addCoupon(t, b, "NEWER", time.Now()))) // a later transaction
	write := addCoupon(t, b.Clone(), "OLDER", time.Now())
	snap, err := json.Marshal(write.Basket)
	require.NoError(t, err)
	err = s.saveBasket(ctx, older, encodedWrite{w: write, snapshot: snap})
	require.ErrorIs(t, err, errTxOrder)
	assert.True(t, retryable(err), "Save runs the transaction again")
	require.NoError(t, older.Rollback(ctx))

	require.NoError(t, s.Save(ctx, write), "a new transaction writes it")
	events := readOutbox(t, s, 3)
	for i, e := range events {
		assert.Equal(t, int64(i+1), e.Event.Seq)
		if i > 0 {
			assert.Equal(t, 1, e.Cursor.Compare(events[i-1].Cursor))
		}
	}
	assert.Less(t, x, events[2].Cursor.Tx)
}

// An event stays out of the outbox while an older transaction runs, even
// one of another schema, and comes out, in its place, when that one ends.
func TestOutboxWaitsForOlderTransactions(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	b, w := baskettest.NewBasket(t, "c-wait")
	require.NoError(t, s.Save(ctx, w))
	readOutbox(t, s, 1)

	other := newTestStore(t, nil)
	older, err := other.pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = older.Rollback(ctx) }()
	_, err = older.Exec(ctx, "INSERT INTO "+other.ident+".handoff_nonces (nonce, expires_at_ns) VALUES ('\\x01', 0)")
	require.NoError(t, err)

	require.NoError(t, s.Save(ctx, addCoupon(t, b, "LATER", time.Now())))
	events, err := s.ReadOutbox(ctx, Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, events, 1, "held back by the older transaction")
	head, err := s.OutboxHead(ctx)
	require.NoError(t, err)
	assert.Equal(t, events[0].Cursor, head)

	require.NoError(t, older.Commit(ctx))
	events = readOutbox(t, s, 2)
	assert.Equal(t, int64(2), events[1].Event.Seq)
}

// TestMigrationKeepsOldPositions: migration 0008 on a schema that 0007
// left with events: they keep their position order, before every event
// written after it, so a position a consumer saved is Cursor{Position: p}.
func TestMigrationKeepsOldPositions(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	// Back to 0007, then old events.
	unpartitionHistory(t, s)
	for _, sql := range []string{
		"DROP INDEX {s}.basket_events_tx_idx",
		"ALTER TABLE {s}.basket_events DROP COLUMN tx",
		"ALTER TABLE {s}.baskets DROP COLUMN last_tx",
		"CREATE UNIQUE INDEX basket_events_position_idx ON {s}.basket_events (position)",
		"DELETE FROM {s}.schema_migrations WHERE version = 8",
	} {
		_, err := s.pool.Exec(ctx, replaceSchema(sql, s))
		require.NoError(t, err, sql)
	}
	const old = 4
	oldID := uuid.New()
	_, err := s.pool.Exec(ctx, replaceSchema(`INSERT INTO {s}.baskets (id, version, status, created_at, updated_at, snapshot)
		VALUES ($1, $2, 'cart', now(), now(), '{}')`, s), oldID, int64(old))
	require.NoError(t, err)
	for seq := range int64(old) {
		_, err := s.pool.Exec(ctx, oldEventSQL(s), oldID, seq+1)
		require.NoError(t, err)
	}
	require.NoError(t, s.Migrate(ctx))

	events := readOutbox(t, s, old)
	for i, e := range events {
		assert.Equal(t, uint64(0), e.Cursor.Tx)
		assert.Equal(t, int64(i+1), e.Event.Seq)
	}
	saved := events[1].Cursor.Position // a consumer of 0007 had read two
	_, w := baskettest.NewBasket(t, "c-new")
	require.NoError(t, s.Save(ctx, w)) // after the migration
	all := readOutbox(t, s, old+1)
	assert.Equal(t, events, all[:old])
	assert.Positive(t, all[old].Cursor.Tx)
	rest, err := s.ReadOutbox(ctx, Cursor{Position: saved}, 10)
	require.NoError(t, err)
	assert.Equal(t, all[2:], rest, "the old events not read yet, then the new one")
}

func replaceSchema(sql string, s *Store) string {
	return strings.ReplaceAll(sql, "{s}", s.ident)
}
