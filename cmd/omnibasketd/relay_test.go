package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
)

// The relay settings of the tests.
const (
	testPrefix = "omnibasket.test"
	testStream = "OMNIBASKET_TEST"
)

// outboxWait bounds the tests' waits for an event to come out of the
// outbox: it is delivered once every transaction of the PostgreSQL server
// that began writing before it has ended, and other tests' (or other
// programs') transactions may hold it back for seconds.
const outboxWait = 30 * time.Second

// natsServer starts a NATS server with JetStream in the test's process,
// on a free port of the loopback, and stops it when the test ends.
func natsServer(t *testing.T) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	go ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() }) // before its directory goes
	require.True(t, ns.ReadyForConnections(10*time.Second), "the NATS server did not start")
	return ns.ClientURL()
}

// relayArgs are the flags of a server relaying to the NATS server at url.
func relayArgs(url string) []string {
	return []string{"-poll-every", "1h", "-nats-url", url, "-nats-prefix", testPrefix, "-nats-stream", testStream}
}

// eventually polls cond every 20ms until it holds, failing the test with
// what after the deadline.
func eventually(t *testing.T, within time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: "+what, append([]any{within}, args...)...)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// relayOf reads the relay's part of the server's /readyz.
func relayOf(t *testing.T, r *running) relayHealth {
	t.Helper()
	rep := r.must(200, "GET", "/readyz", "", nil)
	var ready struct {
		Status string       `json:"status"`
		Relay  *relayHealth `json:"relay"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &ready))
	require.Equal(t, "ready", ready.Status)
	require.NotNil(t, ready.Relay, "no relay in %s", rep.body)
	return *ready.Relay
}

// consumer is a store system fed by the stream through a durable
// natsjs consumer: it hands over every delivery with its subject.
type consumer struct {
	t      *testing.T
	stream jetstream.Stream
	got    chan natsjs.Delivery
}

// consume waits for the stream the server creates, then consumes it
// until the test ends.
func consume(t *testing.T, natsURL string) *consumer {
	t.Helper()
	nc, err := nats.Connect(natsURL)
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	c := &consumer{t: t, got: make(chan natsjs.Delivery, 1024)}
	var last string
	eventually(t, 20*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		c.stream, err = js.Stream(ctx, testStream)
		if err != nil {
			last = err.Error()
		}
		return err == nil
	}, "the server did not create the stream (%s)", &last)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- natsjs.Consume(ctx, natsjs.ConsumerConfig{Conn: nc, Stream: testStream, Durable: "store-system", FetchWait: 100 * time.Millisecond},
			func(_ context.Context, d natsjs.Delivery) error {
				c.got <- d
				return nil
			})
	}()
	t.Cleanup(func() {
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)
	})
	return c
}

// next returns the next n deliveries, each with the subject it was
// stored under.
func (c *consumer) next(n int) ([]natsjs.Delivery, []string) {
	c.t.Helper()
	var ds []natsjs.Delivery
	var subjects []string
	for range n {
		select {
		case d := <-c.got:
			msg, err := c.stream.GetMsg(c.t.Context(), d.StreamSeq)
			require.NoError(c.t, err)
			ds, subjects = append(ds, d), append(subjects, msg.Subject)
		case <-time.After(outboxWait):
			c.t.Fatalf("the consumer got %d events of %d", len(ds), n)
		}
	}
	return ds, subjects
}

// settled waits until the consumer has acknowledged everything the
// stream holds, and returns the stream's message count.
func (c *consumer) settled() uint64 {
	c.t.Helper()
	cons, err := c.stream.Consumer(c.t.Context(), "store-system")
	require.NoError(c.t, err)
	var info *jetstream.ConsumerInfo
	eventually(c.t, 20*time.Second, func() bool {
		info, err = cons.Info(c.t.Context())
		require.NoError(c.t, err)
		return info.NumPending == 0 && info.NumAckPending == 0
	}, "the consumer has not acknowledged everything")
	select {
	case d := <-c.got:
		c.t.Fatalf("a delivery beyond those expected: %s", natsjs.EventID(d.Event))
	default:
	}
	si, err := c.stream.Info(c.t.Context())
	require.NoError(c.t, err)
	return si.State.Msgs
}

// historyOf reads a basket's events through the API, as the shopper.
func historyOf(t *testing.T, r *running, id, token string) []basket.Event {
	t.Helper()
	var page httpapi.EventPage
	require.NoError(t, json.Unmarshal(r.must(200, "GET", "/v1/baskets/"+id+"/events?limit=500", token, nil).body, &page))
	require.Zero(t, page.NextAfter)
	return page.Events
}

// requireRelayed requires the deliveries to be the events want, in their
// order, each delivered once, on <prefix>.<location or "-">.<basket ID>.<type>.
func requireRelayed(t *testing.T, want []basket.Event, got []natsjs.Delivery, subjects []string) {
	t.Helper()
	require.Len(t, got, len(want))
	for i, e := range want {
		loc := e.LocationID
		if loc == "" {
			loc = "-"
		}
		assert.Equal(t, fmt.Sprintf("%s:%d", e.BasketID, e.Seq), natsjs.EventID(got[i].Event), "event %d", i)
		assert.Equal(t, e.Type, got[i].Event.Type, "event %d", i)
		assert.Equal(t, uint64(1), got[i].NumDelivered, "event %d", i)
		assert.Equal(t, testPrefix+"."+loc+"."+e.BasketID.String()+"."+string(e.Type), subjects[i], "event %d", i)
	}
}

// TestRelay: a server with -nats-url relays what baskets do through its
// API to JetStream: a durable consumer gets exactly those events, in
// their order, on their subjects. Restarted on the same schema, the
// server goes on from its saved position: it publishes nothing again, no
// duplicate reaches the consumer, and a change made after the restart
// arrives.
func TestRelay(t *testing.T) {
	env := postgresEnv(t)
	natsURL := natsServer(t)
	r := start(t, append([]string{"-migrate"}, relayArgs(natsURL)...), env)
	c := consume(t, natsURL)

	rep, err := r.basketWith(r.token(ana), "LAMP-DESK", 2)
	require.NoError(t, err)
	id := basketID(t, rep)
	loc := "/v1/baskets/" + id
	r.must(200, "POST", loc+"/lines", r.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
	checkInAndOrder(t, r, loc) // store events, at Bellecour
	want := historyOf(t, r, id, r.token(ana))
	got, subjects := c.next(len(want))
	requireRelayed(t, want, got, subjects)
	locations := map[string]bool{}
	for _, e := range want {
		locations[e.LocationID] = true
	}
	assert.Equal(t, map[string]bool{"": true, demo.Bellecour: true}, locations, "subjects with and without a location")
	t.Logf("%d events relayed: %v", len(want), subjects)

	var h relayHealth
	eventually(t, outboxWait, func() bool { h = relayOf(t, r); return h.CaughtUp }, "the relay is not caught up: %+v", &h)
	assert.Equal(t, uint64(len(want)), h.Published)
	assert.Zero(t, h.Duplicates)
	assert.Zero(t, h.Failures)
	assert.True(t, h.Connected)
	assert.Equal(t, h.OutboxHead, h.Position)
	assert.Equal(t, "omnibasketd", h.Name)
	saved := h.Position
	require.NoError(t, r.shutdown())
	lines := logLines(t, r.logs.String())
	require.Len(t, withMsg(lines, "relay starting"), 1)
	require.Len(t, withMsg(lines, "relay: stream ready"), 1)
	require.Len(t, withMsg(lines, "relay stopped"), 1)
	assert.Equal(t, saved, withMsg(lines, "relay stopped")[0]["position"])

	again := start(t, relayArgs(natsURL), env)
	eventually(t, outboxWait, func() bool { h = relayOf(t, again); return h.Position == saved }, "the relay did not start from %s: %+v", saved, &h)
	rep = again.must(201, "POST", "/v1/baskets", again.token(lea), map[string]any{"location_id": demo.Bellecour, "owner": map[string]any{"customer_id": "ana"}})
	second := basketID(t, rep)
	again.must(200, "POST", "/v1/baskets/"+second+"/lines", again.token(lea), map[string]any{"sku": "LAMP-ARC", "quantity": 1})
	more := historyOf(t, again, second, again.token(lea))
	got, subjects = c.next(len(more)) // the next deliveries: no copy of the first basket's before them
	requireRelayed(t, more, got, subjects)
	eventually(t, outboxWait, func() bool { h = relayOf(t, again); return h.CaughtUp }, "the relay is not caught up: %+v", &h)
	assert.Equal(t, uint64(len(more)), h.Published, "the restarted relay publishes only what is new")
	assert.Zero(t, h.Duplicates)
	assert.Equal(t, uint64(len(want)+len(more)), c.settled(), "the stream holds each event once")
}

// TestRelayOnEveryInstance: two servers on one schema relay under the
// same name at once. Each publishes every event, the stream keeps each
// once, and the consumer gets each once, in each basket's order.
func TestRelayOnEveryInstance(t *testing.T) {
	env := postgresEnv(t)
	natsURL := natsServer(t)
	a := start(t, append([]string{"-migrate"}, relayArgs(natsURL)...), env)
	b := start(t, relayArgs(natsURL), env)
	c := consume(t, natsURL)
	for _, r := range []*running{a, b} {
		h := relayOf(t, r)
		require.Equal(t, "0:0", h.OutboxHead, "no event before both relays run")
		require.Equal(t, "0:0", h.Position)
	}

	var want []basket.Event
	for i, r := range []*running{a, b, a} {
		rep, err := r.basketWith(r.token(ana), "LAMP-DESK", int64(i+1))
		require.NoError(t, err)
		id := basketID(t, rep)
		r.must(200, "POST", "/v1/baskets/"+id+"/lines", r.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
		want = append(want, historyOf(t, r, id, r.token(ana))...)
	}
	got, _ := c.next(len(want))
	last := map[string]int64{}
	seen := map[string]bool{}
	for _, d := range got {
		id := natsjs.EventID(d.Event)
		require.False(t, seen[id], "%s delivered twice", id)
		seen[id] = true
		require.Equal(t, last[d.Event.BasketID.String()]+1, d.Event.Seq, "%s out of its basket's order", id)
		last[d.Event.BasketID.String()] = d.Event.Seq
	}
	for _, e := range want {
		assert.True(t, seen[natsjs.EventID(e)], "%s not delivered", natsjs.EventID(e))
	}
	var ha, hb relayHealth
	eventually(t, outboxWait, func() bool {
		ha, hb = relayOf(t, a), relayOf(t, b)
		return ha.Published == uint64(len(want)) && hb.Published == uint64(len(want))
	}, "not every relay published everything: %+v %+v", &ha, &hb)
	t.Logf("%d events; relay A: %d published, %d duplicates; relay B: %d published, %d duplicates",
		len(want), ha.Published, ha.Duplicates, hb.Published, hb.Duplicates)
	assert.Equal(t, uint64(len(want)), ha.Duplicates+hb.Duplicates, "each event stored by one relay, dropped as a duplicate from the other")
	assert.Equal(t, uint64(len(want)), c.settled(), "the stream holds each event once")
}

// TestRelayWaitsForNATS: a server whose NATS is not there starts and
// serves all the same, logs each failed attempt, and relays once NATS
// comes.
func TestRelayWaitsForNATS(t *testing.T) {
	env := postgresEnv(t)
	port := freePort(t)
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", port)
	r := start(t, append([]string{"-migrate"}, relayArgs(natsURL)...), env)
	rep, err := r.basketWith(r.token(ana), "LAMP-DESK", 1)
	require.NoError(t, err, "the API works without NATS")
	var h relayHealth
	eventually(t, outboxWait, func() bool { h = relayOf(t, r); return h.OutboxHead != "0:0" }, "the outbox delivers no event: %+v", &h)
	assert.False(t, h.Connected)
	assert.False(t, h.CaughtUp, "%+v", h)
	assert.Equal(t, "0:0", h.Position)
	eventually(t, outboxWait, func() bool {
		return len(withMsg(logLines(t, r.logs.String()), "relay: reaching NATS failed; retrying")) > 0
	}, "no log line for the failed connection")

	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	require.NoError(t, err)
	go ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() }) // before its directory goes
	require.True(t, ns.ReadyForConnections(10*time.Second))
	c := consume(t, natsURL)
	want := historyOf(t, r, basketID(t, rep), r.token(ana))
	got, subjects := c.next(len(want))
	requireRelayed(t, want, got, subjects)
	assert.NotEmpty(t, withMsg(logLines(t, r.logs.String()), "relay: connected to NATS"))
}

// freePort returns a TCP port of the loopback nobody listened on just now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
