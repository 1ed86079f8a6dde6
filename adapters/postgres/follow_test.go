package postgres

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// follower runs Follow in the background, collecting what it hands over.
type follower struct {
	mu      sync.Mutex
	batches [][]OutboxEvent
	done    chan error
	cancel  context.CancelFunc
}

func follow(s *Store, after Cursor, every time.Duration) *follower {
	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{done: make(chan error, 1), cancel: cancel}
	go func() {
		f.done <- s.Follow(ctx, after, every, func(batch []OutboxEvent) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.batches = append(f.batches, batch)
			return nil
		})
	}()
	return f
}

// events returns what was handed over so far, in order.
func (f *follower) events() []OutboxEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []OutboxEvent
	for _, b := range f.batches {
		all = append(all, b...)
	}
	return all
}

// stop ends Follow and returns its error.
func (f *follower) stop(t *testing.T) error {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Follow did not return when its context ended")
		return nil
	}
}

func TestFollowHandsOverEveryCommittedEventInOrder(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	f := follow(s, Cursor{}, 5*time.Millisecond)

	const writers, perWriter = 6, 10
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, w := baskettest.NewBasket(t, "c-follow")
			if !assert.NoError(t, s.Save(ctx, w)) {
				return
			}
			for n := range perWriter {
				if !assert.NoError(t, s.Save(ctx, addCoupon(t, b, fmt.Sprintf("F%dN%d", g, n), time.Now()))) {
					return
				}
			}
		}()
	}
	wg.Wait()
	want := writers * (1 + perWriter)
	require.Eventually(t, func() bool { return len(f.events()) >= want }, 10*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, f.stop(t), context.Canceled)

	all := f.events()
	assert.Len(t, all, want, "nothing handed over twice")
	stored, err := s.ReadOutbox(ctx, Cursor{}, 1000)
	require.NoError(t, err)
	assert.Equal(t, stored, all, "the outbox as it is, in cursor order")
	for _, b := range f.batches {
		assert.NotEmpty(t, b, "no empty batch")
	}
}

// A backlog longer than a batch drains at once: Follow waits only when it
// has caught up.
func TestFollowDrainsABacklogWithoutWaiting(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	b, w := baskettest.NewBasket(t, "c-backlog")
	for n := range FollowBatch + FollowBatch/2 {
		e, err := b.AddCoupon(testMeta(time.Now()), fmt.Sprintf("B%d", n))
		require.NoError(t, err)
		w.Events = append(w.Events, e)
	}
	w.Basket = b.Clone()
	require.NoError(t, s.Save(ctx, w))
	readOutbox(t, s, len(w.Events)) // delivered once older transactions of parallel tests end

	f := follow(s, Cursor{}, time.Hour) // waiting even once would stall the test
	require.Eventually(t, func() bool { return len(f.events()) == len(w.Events) }, 10*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, f.stop(t), context.Canceled)
	require.Len(t, f.batches, 2)
	assert.Len(t, f.batches[0], FollowBatch)
}

func TestFollowStopsOnItsCallersError(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	_, w := baskettest.NewBasket(t, "c-fail")
	require.NoError(t, s.Save(ctx, w))
	boom := errors.New("relay down")
	calls := 0
	err := s.Follow(ctx, Cursor{}, time.Millisecond, func([]OutboxEvent) error { calls++; return boom })
	assert.ErrorIs(t, err, boom)
	assert.Equal(t, 1, calls)

	assert.ErrorIs(t, s.Follow(ctx, Cursor{}, 0, nil), basket.ErrInvalid)
	assert.ErrorIs(t, s.Follow(ctx, Cursor{Position: -1}, time.Second, nil), basket.ErrInvalid)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, s.Follow(canceled, Cursor{}, time.Second, func([]OutboxEvent) error { return nil }), context.Canceled)
}

// Following from the head hands over what commits afterwards, and
// nothing from before.
func TestOutboxHead(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	head, err := s.OutboxHead(ctx)
	require.NoError(t, err)
	assert.Zero(t, head, "an empty outbox")

	b, w := baskettest.NewBasket(t, "c-head")
	require.NoError(t, s.Save(ctx, w))
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "BEFORE", time.Now())))
	stored := readOutbox(t, s, 2)
	head, err = s.OutboxHead(ctx)
	require.NoError(t, err)
	assert.Equal(t, stored[1].Cursor, head)

	f := follow(s, head, 5*time.Millisecond)
	require.NoError(t, s.Save(ctx, addCoupon(t, b, "AFTER", time.Now())))
	require.Eventually(t, func() bool { return len(f.events()) == 1 }, 10*time.Second, 5*time.Millisecond)
	require.ErrorIs(t, f.stop(t), context.Canceled)
	assert.Equal(t, int64(3), f.events()[0].Event.Seq)
}

// webContexts serves every basket on the demo web shop.
type webContexts struct{}

func (webContexts) Context(context.Context, httpapi.ContextQuery) (channel.Context, error) {
	return demo.Web(demo.Start()), nil
}

// The promise across instances: two instances share a schema;
// a change made through instance A reaches a live stream served by
// instance B, through B's outbox follower, within a second. B's stream
// polls only once an hour, so the follower is the only way in time.
func TestLiveStreamAcrossInstances(t *testing.T) {
	a := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	b := New(a.pool, Options{Schema: a.Schema()}) // instance B: its own Store on the same schema
	clk := clock.NewFake(demo.Start())
	shopA, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk, Store: a, Stock: a})
	require.NoError(t, err)
	shopB, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk, Store: b, Stock: b})
	require.NoError(t, err)

	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	broker := httpapi.NewBroker()
	apiB, err := httpapi.New(httpapi.Options{Service: shopB.Service, Contexts: webContexts{}, Feed: broker, PollEvery: time.Hour,
		Auth: httpapi.AuthenticatorFunc(func(*http.Request) (basket.Actor, error) { return camille, nil })})
	require.NoError(t, err)
	srv := httptest.NewServer(apiB)
	defer srv.Close()
	head, err := b.OutboxHead(ctx)
	require.NoError(t, err)
	followCtx, stopFollowing := context.WithCancel(ctx)
	followed := make(chan error, 1)
	go func() {
		followed <- b.Follow(followCtx, head, 100*time.Millisecond, func(batch []OutboxEvent) error {
			for _, e := range batch {
				broker.Publish(e.Event.BasketID)
			}
			return nil
		})
	}()
	defer func() {
		stopFollowing()
		assert.ErrorIs(t, <-followed, context.Canceled)
	}()

	bk, err := shopA.Service.Create(ctx, camille, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(demo.Start())})
	require.NoError(t, err)
	streamCtx, closeStream := context.WithCancel(ctx)
	defer closeStream()
	req, err := http.NewRequestWithContext(streamCtx, "GET", srv.URL+"/v1/baskets/"+bk.ID.String()+"/events/stream", nil)
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	if !assert.Equal(t, http.StatusOK, res.StatusCode) {
		problem, _ := io.ReadAll(res.Body)
		t.Fatalf("%s", problem)
	}
	messages := make(chan sseMessage, 16)
	go readSSE(res.Body, messages)
	// batch reads the events up to the next basket message.
	batch := func(within time.Duration) (events []sseMessage, current sseMessage) {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case m, ok := <-messages:
				require.True(t, ok, "the stream ended")
				switch m.Event {
				case "": // the retry hint
				case "basket":
					return events, m
				default:
					events = append(events, m)
				}
			case <-deadline:
				t.Fatalf("no basket message within %s (events: %v)", within, events)
			}
		}
	}
	history, err := shopA.Service.History(ctx, camille, bk.ID)
	require.NoError(t, err)
	events, current := batch(5 * time.Second)
	require.Len(t, events, len(history), "the whole history on connect")
	assert.Equal(t, sseMessage{ID: "1", Event: string(basket.EventCreated)}, events[0].head())
	assert.Equal(t, bk.Version, versionOf(t, current))

	changed, err := shopA.Service.AddLine(ctx, camille, bk.ID, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 2})
	require.NoError(t, err)
	// A correctness bound, not a benchmark: the change must arrive, and
	// in less than the second the issue promises.
	events, current = batch(time.Second)
	require.NotEmpty(t, events)
	assert.Equal(t, sseMessage{ID: fmt.Sprint(bk.Version + 1), Event: string(basket.EventLineAdded)}, events[0].head())
	assert.Contains(t, events[0].Data, `"sku":"CANDLE-FIG"`)
	assert.Equal(t, fmt.Sprint(changed.Version), events[len(events)-1].ID)
	assert.Equal(t, changed.Version, versionOf(t, current))
}

// versionOf reads the version of the basket a basket message carries.
func versionOf(t *testing.T, m sseMessage) int64 {
	t.Helper()
	var b basket.Basket
	require.NoError(t, json.Unmarshal([]byte(m.Data), &b))
	return b.Version
}

// sseMessage is one Server-Sent Events message as a client sees it.
type sseMessage struct{ ID, Event, Data string }

func (m sseMessage) head() sseMessage { return sseMessage{ID: m.ID, Event: m.Event} }

// readSSE reads messages until the stream ends, then closes out.
func readSSE(r io.Reader, out chan<- sseMessage) {
	defer close(out)
	lines := bufio.NewScanner(r)
	lines.Buffer(nil, 4<<20)
	var m sseMessage
	for lines.Scan() {
		line := lines.Text()
		if line == "" {
			out <- m
			m = sseMessage{}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			m.ID = value
		case "event":
			m.Event = value
		case "data":
			m.Data += value
		}
	}
}

// readOutbox reads the outbox from its beginning until it holds want
// events (an event is delivered once every older transaction of the
// server has ended, and tests running in parallel hold some open), and
// fails t if it holds more.
func readOutbox(t *testing.T, s *Store, want int) []OutboxEvent {
	t.Helper()
	var got []OutboxEvent
	require.Eventually(t, func() bool {
		var err error
		got, err = s.ReadOutbox(context.Background(), Cursor{}, want+1)
		require.NoError(t, err)
		return len(got) >= want
	}, 10*time.Second, 5*time.Millisecond, "the outbox never held %d events", want)
	require.Len(t, got, want)
	return got
}
