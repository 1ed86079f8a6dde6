package natsjs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

// downstream is a system acting on events exactly once: it keeps per
// basket the Seq of the last event it acted on, as the package doc asks;
// what it acted on is checked against the outbox.
type downstream struct {
	mu    sync.Mutex
	last  map[uuid.UUID]int64
	got   map[uuid.UUID][]basket.Event
	total int
	dups  int
	gaps  int
	// before, if set, runs before each delivery is handled.
	before func(natsjs.Delivery)
}

func newDownstream() *downstream {
	return &downstream{last: map[uuid.UUID]int64{}, got: map[uuid.UUID][]basket.Event{}}
}

func (d *downstream) handle(_ context.Context, dl natsjs.Delivery) error {
	if d.before != nil {
		d.before(dl)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e := dl.Event
	switch last := d.last[e.BasketID]; {
	case e.Seq <= last:
		d.dups++ // delivered again: already acted on
	case e.Seq == last+1:
		d.last[e.BasketID] = e.Seq
		d.got[e.BasketID] = append(d.got[e.BasketID], e)
		d.total++
	default:
		d.gaps++ // overtaken a redelivery: later, after the missing one
		return fmt.Errorf("basket %s: seq %d after %d", e.BasketID, e.Seq, last)
	}
	return nil
}

func (d *downstream) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.total
}

// stopAtSave is an outbox whose relay is stopped on its n-th position
// save, after the stream acknowledged the batch and before the position
// is stored: the restarted relay publishes that batch again.
type stopAtSave struct {
	natsjs.Outbox
	n      int
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (o *stopAtSave) SaveRelayPosition(ctx context.Context, name string, c postgres.Cursor) error {
	if int(o.calls.Add(1)) == o.n {
		o.cancel()
		return context.Canceled
	}
	return o.Outbox.SaveRelayPosition(ctx, name, c)
}

// The relay and two durable consumers through faults on a three-node
// cluster with a replicated stream: writers keep saving (some saves roll
// back) while the stream's leader is killed, the relay is stopped between
// a batch's acknowledgement and its position's save and started again,
// and one warehouse process stalls in its handler longer than AckWait (a
// standby process of the same durable consumer gets the event again).
// Afterwards each consumer has acted on exactly the committed events, each
// once, every basket's in order, the stream holds every basket's events in
// order, and nothing of a rolled-back save appears.
func TestRelayThroughFaults(t *testing.T) {
	s := newStore(t)
	c := startCluster(t, 3)
	nc := c.connect(t)
	const stream, prefix = "BASKETS", "omnibasket.test"
	st := c.stream(t, nc, stream, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()

	// Consumers first, so that both the leader kill and the restart
	// happen while they pull. Each durable consumer runs in its own
	// "process" (connection); a second warehouse process starts when the
	// first one stalls, as a standby would take over.
	store, warehouse := newDownstream(), newDownstream()
	var cstats sync.Map
	var cwg sync.WaitGroup
	cctx, stopConsumers := context.WithCancel(ctx)
	consume := func(name, durable string, conn *nats.Conn, d *downstream) {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			err := natsjs.Consume(cctx, natsjs.ConsumerConfig{
				Conn: conn, Stream: stream, Durable: durable, AckWait: time.Second,
				Fetch: 16, FetchWait: 500 * time.Millisecond, Redelivery: 100 * time.Millisecond,
				Progress: func(s natsjs.ConsumerStats) { cstats.Store(name, s) },
			}, d.handle)
			assert.ErrorIs(t, err, context.Canceled)
		}()
	}
	standby := c.connect(t)
	var paused, stalled, killed, redelivered atomic.Bool
	var delivered atomic.Int64
	var stalledID atomic.Value
	warehouse.before = func(d natsjs.Delivery) {
		if d.NumDelivered > 1 && stalledID.Load() == natsjs.EventID(d.Event) {
			redelivered.Store(true)
		}
		// The 20th event stalls past AckWait until the standby got it
		// again (at most 15 s); then this process acts on it late, as a
		// duplicate. The leader is killed after the stall.
		if d.NumDelivered == 1 && delivered.Add(1) >= 20 && paused.CompareAndSwap(false, true) {
			stalledID.Store(natsjs.EventID(d.Event))
			consume("warehouse-2", "warehouse", standby, warehouse)
			time.Sleep(1500 * time.Millisecond)
			for deadline := time.Now().Add(15 * time.Second); !redelivered.Load() && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			stalled.Store(true)
		}
	}
	consume("store", "store", c.connect(t), store)
	consume("warehouse-1", "warehouse", c.connect(t), warehouse)

	// Writers: a basket each and two shared ones, every fifth save
	// refused after the basket's update (a used idempotency key).
	used := baskettest.Key(basket.System, "natsjs", uuid.Nil, "used")
	keyed, w := baskettest.NewBasket(t, "c-key")
	w.Idempotency = &basket.IdempotencyRecord{Key: used, BasketID: keyed.ID, Version: 1}
	require.NoError(t, s.Save(ctx, w))
	shared := []uuid.UUID{newBasket(t, s, "c-s1").ID, newBasket(t, s, "c-s2").ID}
	ids := append([]uuid.UUID{keyed.ID}, shared...)
	var idsMu sync.Mutex
	var rolled sync.Map
	const writers, perWriter = 4, 60
	var wwg sync.WaitGroup
	for g := range writers {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			own := newBasket(t, s, fmt.Sprintf("c-w%d", g))
			idsMu.Lock()
			ids = append(ids, own.ID)
			idsMu.Unlock()
			// At least perWriter saves, and on until 10 after the leader
			// kill, so that the kill happens while events flow.
			after := 0
			for n := 0; n < perWriter || after < 10; n++ {
				if killed.Load() {
					after++
				}
				if ctx.Err() != nil {
					return
				}
				id := own.ID
				if n%3 == 2 {
					id = shared[n%2]
				}
				code := fmt.Sprintf("G%dN%d", g, n)
				for {
					b, err := s.Get(ctx, id)
					if !assert.NoError(t, err) {
						return
					}
					w := addCoupon(t, b, code)
					if n%5 == 4 {
						w.Idempotency = &basket.IdempotencyRecord{Key: used, BasketID: id, Version: w.Basket.Version}
					}
					err = s.Save(ctx, w)
					if errors.Is(err, basket.ErrVersionConflict) {
						continue
					}
					if n%5 == 4 {
						assert.ErrorIs(t, err, basket.ErrIdempotencyKeyUsed)
						rolled.Store(code, true)
					} else {
						assert.NoError(t, err)
					}
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}

	// The relay, stopped on its sixth save and started again; the leader
	// is killed once 60 events are through.
	rctx, stopRelay := context.WithCancel(ctx)
	cfg := natsjs.RelayConfig{
		Outbox: &stopAtSave{Outbox: s, n: 6, cancel: stopRelay}, Conn: c.connect(t),
		Name: "test", Prefix: prefix, Batch: 16, Every: 20 * time.Millisecond,
		AckTimeout: time.Second, Retry: 100 * time.Millisecond,
	}
	first, err := natsjs.NewRelay(cfg)
	require.NoError(t, err)
	assert.ErrorIs(t, first.Run(rctx), context.Canceled)
	require.Positive(t, first.Stats().Published, "batches acknowledged before the stop")

	var leader string
	cfg.Outbox = s
	cfg.Progress = func(rs natsjs.RelayStats) {
		if rs.Published >= 60 && stalled.Load() && killed.CompareAndSwap(false, true) {
			info, err := st.Info(ctx)
			if assert.NoError(t, err) && assert.NotNil(t, info.Cluster) {
				leader = info.Cluster.Leader
				c.kill(t, leader)
			}
		}
	}
	second, err := natsjs.NewRelay(cfg)
	require.NoError(t, err)
	rctx, stopRelay = context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- second.Run(rctx) }()

	wwg.Wait()
	want := committed(t, s, ids)
	total := 0
	for _, es := range want {
		total += len(es)
	}
	if !assert.Eventually(t, func() bool { return store.count() == total && warehouse.count() == total },
		40*time.Second, 50*time.Millisecond, "every committed event reaches both consumers (%d)", total) {
		last, _ := s.OutboxHead(ctx)
		cs := map[any]any{}
		cstats.Range(func(k, v any) bool { cs[k] = v; return true })
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for g := range strings.SplitSeq(string(buf), "\n\n") {
			if strings.Contains(g, "natsjs.consumeBatch") || strings.Contains(g, "natsjs.Consume(") {
				t.Log(g)
			}
		}
		t.Fatalf("head %s; relay %+v; store %d, warehouse %d; consumers %+v", last, second.Stats(), store.count(), warehouse.count(), cs)
	}
	stopRelay()
	assert.ErrorIs(t, <-done, context.Canceled)
	stopConsumers()
	cwg.Wait()

	rs := second.Stats()
	t.Logf("%d events; leader %s killed; restarted relay: %+v; consumers: %d and %d duplicates skipped, %d and %d refused until the missing one",
		total, leader, rs, store.dups, warehouse.dups, store.gaps, warehouse.gaps)
	assert.True(t, killed.Load(), "the leader was killed during the relay")
	assert.Positive(t, rs.Duplicates, "the batch acknowledged before the restart was dropped by the stream")
	assert.True(t, paused.Load(), "a warehouse process stalled")
	assert.True(t, redelivered.Load(), "the stalled handler's event was delivered again")
	// The stream itself holds each basket's events in order: the first
	// copy of each event comes after the first copy of the one before.
	info, err := st.Info(ctx)
	require.NoError(t, err)
	next := map[uuid.UUID]int64{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		require.NoError(t, err)
		e, err := natsjs.DecodeEvent(m.Data)
		require.NoError(t, err)
		if e.Seq > next[e.BasketID] {
			require.Equal(t, next[e.BasketID]+1, e.Seq, "stream sequence %d: basket %s out of order", seq, e.BasketID)
			next[e.BasketID] = e.Seq
		}
	}
	saved, err := s.RelayPosition(ctx, "test")
	require.NoError(t, err)
	assert.Equal(t, rs.Position, saved)
	for name, d := range map[string]*downstream{"store": store, "warehouse": warehouse} {
		assert.Equal(t, asJSON(t, want), asJSON(t, d.got), "%s: exactly the committed events", name)
		for _, es := range d.got {
			for _, e := range es {
				if e.Type == basket.EventCouponAdded {
					v, err := e.Decode()
					require.NoError(t, err)
					code := v.(*basket.CodeChanged).Code
					_, bad := rolled.Load(code)
					assert.False(t, bad, "%s: event of a rolled-back save %s", name, code)
				}
			}
		}
	}
}

// asJSON writes each basket's events as JSON, the form the relay sends.
func asJSON(t *testing.T, m map[uuid.UUID][]basket.Event) map[uuid.UUID][]string {
	out := map[uuid.UUID][]string{}
	for id, es := range m {
		for _, e := range es {
			data, err := json.Marshal(e)
			require.NoError(t, err)
			out[id] = append(out[id], string(data))
		}
	}
	return out
}
