package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
)

// fedBy serves the shop from a memory store that publishes every save to
// broker, the way a single-process deployment wires live updates, and
// makes the streams' safety-net poll too slow to matter: within a second,
// only the feed can deliver.
func fedBy(broker *httpapi.Broker) harnessOption {
	return func(so *demo.ShopOptions, ao *httpapi.Options) {
		st := memory.NewStockStore(so.Clock)
		so.Store = memory.NewBasketStore(memory.WithLedger(st),
			memory.WithAfterSave(func(id uuid.UUID, _ int64) { broker.Publish(id) }))
		so.Stock = st
		ao.Feed, ao.PollEvery = broker, time.Hour
	}
}

// sseMessage is one Server-Sent Events message as a client sees it.
type sseMessage struct{ ID, Event, Data, Retry string }

// liveStream is an open stream, read in the background.
type liveStream struct {
	t        testing.TB
	header   http.Header
	messages chan sseMessage
	close    context.CancelFunc
}

// stream opens the live stream of basket id as actor, with extra headers
// as name, value pairs, and expects it to start.
func (h *harness) stream(actor basket.Actor, id uuid.UUID, query string, headers ...string) *liveStream {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", h.srv.URL+path(id, "/events/stream")+query, nil)
	require.NoError(h.t, err)
	req.Header.Set("Authorization", credentials(actor))
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := h.client.Do(req)
	require.NoError(h.t, err)
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		h.t.Fatalf("the stream did not start: %d %s", res.StatusCode, body)
	}
	s := &liveStream{t: h.t, header: res.Header, messages: make(chan sseMessage, 64), close: cancel}
	go func() {
		defer res.Body.Close()
		readSSE(res.Body, s.messages)
	}()
	return s
}

// readSSE reads messages until the stream ends, then closes out.
func readSSE(r io.Reader, out chan<- sseMessage) {
	defer close(out)
	lines := bufio.NewScanner(r)
	lines.Buffer(nil, 4<<20)
	var m sseMessage
	for lines.Scan() {
		line := lines.Text()
		switch field, value, _ := strings.Cut(line, ":"); {
		case line == "":
			if m != (sseMessage{}) {
				out <- m
			}
			m = sseMessage{}
		case field == "": // a comment: the heartbeat
		default:
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				m.ID = value
			case "event":
				m.Event = value
			case "data":
				m.Data += value
			case "retry":
				m.Retry = value
			}
		}
	}
}

// batch reads the events up to the next basket message, which it decodes,
// failing the test if they take longer than within.
func (s *liveStream) batch(within time.Duration) ([]basket.Event, *basket.Basket) {
	s.t.Helper()
	deadline := time.After(within)
	var events []basket.Event
	for {
		select {
		case m, ok := <-s.messages:
			require.True(s.t, ok, "the stream ended")
			switch m.Event {
			case "": // the retry hint
			case "basket":
				require.Empty(s.t, m.ID, "the basket message leaves the resume point alone")
				var b basket.Basket
				require.NoError(s.t, json.Unmarshal([]byte(m.Data), &b))
				if len(events) > 0 {
					assert.Equal(s.t, events[len(events)-1].Seq, b.Version, "the basket is at the last event sent")
				}
				return events, &b
			default:
				var e basket.Event
				require.NoError(s.t, json.Unmarshal([]byte(m.Data), &e))
				assert.Equal(s.t, m.Event, string(e.Type))
				assert.Equal(s.t, itoa(e.Seq), m.ID)
				events = append(events, e)
			}
		case <-deadline:
			s.t.Fatalf("no basket message within %s (events so far: %d)", within, len(events))
		}
	}
}

// ended waits for the server to end the stream.
func (s *liveStream) ended(within time.Duration) {
	s.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case _, ok := <-s.messages:
			if !ok {
				return
			}
		case <-deadline:
			s.t.Fatalf("the stream is still open after %s", within)
		}
	}
}

func seqs(events []basket.Event) []int64 {
	out := []int64{}
	for _, e := range events {
		out = append(out, e.Seq)
	}
	return out
}

func seqRange(from, to int64) []int64 {
	out := []int64{}
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// storeBasket is a basket Léa starts on her tablet for Camille: she
// serves it, Camille owns it.
func (h *harness) storeBasket() *basket.Basket {
	h.t.Helper()
	return h.basket(lea, "POST", "/v1/baskets", map[string]any{"location_id": demo.Bellecour, "owner": map[string]any{"customer_id": camille.ID}}, http.StatusCreated)
}

// The promise: the tablet sees within a second what the shopper
// changed on the phone.
func TestStreamShowsTheTabletWhatThePhoneDid(t *testing.T) {
	h := newHarness(t, fedBy(httpapi.NewBroker()))
	b := h.storeBasket()
	tablet := h.stream(lea, b.ID, "")
	assert.Equal(t, "text/event-stream", tablet.header.Get("Content-Type"))
	assert.Equal(t, "no-store", tablet.header.Get("Cache-Control"))
	assert.Equal(t, "no", tablet.header.Get("X-Accel-Buffering"))
	select {
	case m := <-tablet.messages:
		assert.Equal(t, sseMessage{Retry: itoa(httpapi.StreamRetry.Milliseconds())}, m, "the stream starts with its retry hint")
	case <-time.After(5 * time.Second):
		t.Fatal("nothing on the stream")
	}
	events, current := tablet.batch(5 * time.Second)
	assert.Equal(t, seqRange(1, b.Version), seqs(events), "the whole history on connect")
	assert.Equal(t, basket.EventCreated, events[0].Type)
	assert.Equal(t, b.Version, current.Version)

	for _, sku := range []string{"CANDLE-FIG", "MUG-STONE"} {
		phone := h.basket(camille, "POST", path(b.ID, "/lines"), map[string]any{"sku": sku, "quantity": 1}, http.StatusOK)
		// A correctness bound, not a benchmark.
		events, current = tablet.batch(time.Second)
		assert.Equal(t, seqRange(b.Version+1, phone.Version), seqs(events), "every event since the last batch, once")
		assert.Equal(t, basket.EventLineAdded, events[0].Type)
		assert.Equal(t, phone.Version, current.Version)
		assert.Equal(t, phone.Result.Totals, current.Result.Totals, "the tablet shows the phone's basket")
		b = phone
	}
}

// Without a feed, the stream polls; the poll period bounds the delay.
func TestStreamPollsWithoutAFeed(t *testing.T) {
	h := newHarness(t, func(_ *demo.ShopOptions, ao *httpapi.Options) { ao.PollEvery = 50 * time.Millisecond })
	b := h.basket(camille, "POST", "/v1/baskets", map[string]any{"channel_id": "web"}, http.StatusCreated)
	s := h.stream(camille, b.ID, "")
	s.batch(5 * time.Second)
	changed := h.basket(camille, "POST", path(b.ID, "/lines"), map[string]any{"sku": "TEA-EARL", "quantity": 3}, http.StatusOK)
	events, current := s.batch(time.Second)
	assert.Equal(t, seqRange(b.Version+1, changed.Version), seqs(events))
	assert.Equal(t, changed.Version, current.Version)
}

func TestStreamResumesAfterTheLastEventID(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fedBy(httpapi.NewBroker()))
	b := h.basket(camille, "POST", "/v1/baskets", map[string]any{"channel_id": "web"}, http.StatusCreated)
	for _, sku := range []string{"CANDLE-FIG", "MUG-STONE", "TEA-EARL"} {
		b = h.basket(camille, "POST", path(b.ID, "/lines"), map[string]any{"sku": sku, "quantity": 1}, http.StatusOK)
	}
	seen := b.Version - 2
	for _, c := range []struct {
		name    string
		query   string
		headers []string
	}{
		{"header", "", []string{"Last-Event-ID", itoa(seen)}},
		{"query", "?last_event_id=" + itoa(seen), nil},
		// A browser that opened with the query keeps it when it reconnects.
		{"the header wins", "?last_event_id=1", []string{"Last-Event-ID", itoa(seen)}},
		{"an empty header is no ID", "?last_event_id=" + itoa(seen), []string{"Last-Event-ID", ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := h.stream(camille, b.ID, c.query, c.headers...)
			events, current := s.batch(5 * time.Second)
			assert.Equal(t, seqRange(seen+1, b.Version), seqs(events), "only the events after the one seen")
			assert.Equal(t, b.Version, current.Version)
			s.close()
		})
	}
	t.Run("up to date", func(t *testing.T) {
		s := h.stream(camille, b.ID, "", "Last-Event-ID", itoa(b.Version))
		events, current := s.batch(5 * time.Second)
		assert.Empty(t, events, "nothing missed: only the basket")
		assert.Equal(t, b.Version, current.Version)
	})
}

func TestStreamRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, fedBy(httpapi.NewBroker()))
	b := h.storeBasket()
	stream := path(b.ID, "/events/stream")
	for _, c := range []struct {
		name    string
		actor   *basket.Actor
		path    string
		headers []string
		status  int
		kind    string
		field   string
	}{
		{"unknown basket", &camille, path(uuid.New(), "/events/stream"), nil, 404, "not-found", ""},
		{"another shopper's basket", &hugo, stream, nil, 404, "not-found", ""},
		{"another store's associate", &malik, stream, nil, 404, "not-found", ""},
		{"no credentials", nil, stream, offDocument, 401, "unauthenticated", ""},
		{"not a basket ID", &camille, "/v1/baskets/lamp/events/stream", offDocument, 400, "bad-request", "basket_id"},
		{"malformed Last-Event-ID", &camille, stream, []string{"Last-Event-ID", "seven"}, 400, "bad-request", "Last-Event-ID"},
		{"negative Last-Event-ID", &camille, stream, []string{"Last-Event-ID", "-1"}, 400, "bad-request", "Last-Event-ID"},
		{"Last-Event-ID past the last event", &camille, stream, []string{"Last-Event-ID", itoa(b.Version + 1)}, 400, "bad-request", "Last-Event-ID"},
		{"malformed last_event_id", &camille, stream + "?last_event_id=seven", offDocument, 400, "bad-request", "last_event_id"},
		{"negative last_event_id", &camille, stream + "?last_event_id=-1", nil, 400, "bad-request", "last_event_id"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(c.actor, "GET", c.path, nil, c.headers...)
			require.Equal(t, c.status, r.status, "%s", r.body)
			p := r.problem(t)
			assert.Equal(t, "urn:omnibasket:problem:"+c.kind, p.Type)
			assert.Equal(t, c.field, p.Field)
		})
	}
}

// When the associate's grant runs out, the stream ends at the next
// change, and reconnecting is refused: the stream shows nothing the
// caller could not read.
func TestStreamEndsWhenTheBasketGoesOutOfSight(t *testing.T) {
	h := newHarness(t, fedBy(httpapi.NewBroker()))
	b := h.storeBasket()
	tablet := h.stream(lea, b.ID, "")
	tablet.batch(5 * time.Second)
	h.clk.Advance(basket.DefaultGrantTTL + time.Minute)
	h.basket(camille, "POST", path(b.ID, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, http.StatusOK)
	tablet.ended(5 * time.Second)
	r := h.do(&lea, "GET", path(b.ID, "/events/stream"), nil)
	assert.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
}

// streamGoroutines counts the goroutines serving a stream.
func streamGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), "httpapi.(*API).streamEvents(")
		}
		buf = make([]byte, 2*len(buf))
	}
}

// A client that goes away ends its stream: no goroutine is left behind,
// however many streams came and went.
func TestStreamEndsWhenTheClientLeaves(t *testing.T) {
	h := newHarness(t, fedBy(httpapi.NewBroker()))
	b := h.basket(camille, "POST", "/v1/baskets", map[string]any{"channel_id": "web"}, http.StatusCreated)
	const streams = 20
	open := make([]*liveStream, streams)
	for i := range open {
		open[i] = h.stream(camille, b.ID, "")
		open[i].batch(5 * time.Second)
	}
	require.GreaterOrEqual(t, streamGoroutines(), streams)
	for _, s := range open {
		s.close()
	}
	require.Eventually(t, func() bool { return streamGoroutines() == 0 }, 5*time.Second, 10*time.Millisecond,
		"every stream's goroutine ends with its client")
	// The feed forgot them too: a change still reaches a new stream.
	s := h.stream(camille, b.ID, "")
	s.batch(5 * time.Second)
	changed := h.basket(camille, "POST", path(b.ID, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, http.StatusOK)
	_, current := s.batch(time.Second)
	assert.Equal(t, changed.Version, current.Version)
}
