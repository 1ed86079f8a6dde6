package httpapi

import (
	"bufio"
	"context"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
)

// notified reports whether a notification is waiting on ch, taking it.
func notified(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestBrokerNotifiesTheSubscribersOfTheBasket(t *testing.T) {
	b := NewBroker()
	idA, idB := uuid.New(), uuid.New()
	a1, cancelA1 := b.Subscribe(idA)
	a2, cancelA2 := b.Subscribe(idA)
	b1, cancelB1 := b.Subscribe(idB)

	b.Publish(idA)
	assert.True(t, notified(a1))
	assert.True(t, notified(a2))
	assert.False(t, notified(b1), "a change of another basket is not news")

	// Changes in quick succession share one notification, and publishing
	// to a subscriber that does not read never blocks.
	for range 1000 {
		b.Publish(idB)
	}
	assert.True(t, notified(b1))
	assert.False(t, notified(b1), "a thousand changes unread are one notification")

	cancelA1()
	cancelA1() // a second cancel does nothing
	b.Publish(idA)
	assert.False(t, notified(a1), "a cancelled subscription hears nothing")
	assert.True(t, notified(a2))

	b.Publish(uuid.New()) // nobody listens: nothing happens
	cancelA2()
	cancelB1()
	subs, baskets := b.subscribers()
	assert.Zero(t, subs)
	assert.Zero(t, baskets, "a broker keeps no trace of baskets nobody follows")

	var zero Broker // the zero value works too
	ch, cancel := zero.Subscribe(idA)
	zero.Publish(idA)
	assert.True(t, notified(ch))
	cancel()
}

// The broker against a model: after any sequence of subscriptions,
// cancellations, publications and reads, a subscriber has a notification
// waiting exactly when its basket was published since it last read, and
// the broker holds exactly the live subscriptions.
func TestBrokerMatchesItsModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := NewBroker()
		ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
		type sub struct {
			basket  int
			ch      <-chan struct{}
			cancel  func()
			live    bool
			pending bool
		}
		var subs []*sub
		live := func() (n int, baskets map[int]bool) {
			baskets = map[int]bool{}
			for _, s := range subs {
				if s.live {
					n++
					baskets[s.basket] = true
				}
			}
			return n, baskets
		}
		t.Repeat(map[string]func(*rapid.T){
			"subscribe": func(t *rapid.T) {
				k := rapid.IntRange(0, len(ids)-1).Draw(t, "basket")
				ch, cancel := b.Subscribe(ids[k])
				subs = append(subs, &sub{basket: k, ch: ch, cancel: cancel, live: true})
			},
			"cancel": func(t *rapid.T) {
				if len(subs) == 0 {
					t.Skip("no subscription")
				}
				s := subs[rapid.IntRange(0, len(subs)-1).Draw(t, "sub")]
				s.cancel()
				s.live = false
			},
			"publish": func(t *rapid.T) {
				k := rapid.IntRange(0, len(ids)-1).Draw(t, "basket")
				b.Publish(ids[k])
				for _, s := range subs {
					if s.live && s.basket == k {
						s.pending = true
					}
				}
			},
			"read": func(t *rapid.T) {
				if len(subs) == 0 {
					t.Skip("no subscription")
				}
				s := subs[rapid.IntRange(0, len(subs)-1).Draw(t, "sub")]
				if got := notified(s.ch); got != s.pending {
					t.Fatalf("notification waiting: %v, want %v", got, s.pending)
				}
				s.pending = false
			},
			"": func(t *rapid.T) {
				n, baskets := live()
				gotSubs, gotBaskets := b.subscribers()
				if gotSubs != n || gotBaskets != len(baskets) {
					t.Fatalf("broker holds %d subscriptions on %d baskets, want %d on %d", gotSubs, gotBaskets, n, len(baskets))
				}
			},
		})
	})
}

// Many streams coming and going while changes are published: no race, no
// deadlock, and nothing left behind.
func TestBrokerSubscribeCancelCycles(t *testing.T) {
	b := NewBroker()
	ids := []uuid.UUID{uuid.New(), uuid.New()}
	stop := make(chan struct{})
	var publishers sync.WaitGroup
	for i := range 4 {
		publishers.Add(1)
		go func() {
			defer publishers.Done()
			for {
				select {
				case <-stop:
					return
				default:
					b.Publish(ids[i%len(ids)])
				}
			}
		}()
	}
	var streams sync.WaitGroup
	for g := range 16 {
		streams.Add(1)
		go func() {
			defer streams.Done()
			for i := range 500 {
				ch, cancel := b.Subscribe(ids[(g+i)%len(ids)])
				notified(ch)
				if i%2 == 0 {
					cancel()
				} else {
					go cancel() // cancelled from another goroutine, as a handler's defer may be
				}
			}
		}()
	}
	streams.Wait()
	close(stop)
	publishers.Wait()
	require.Eventually(t, func() bool {
		subs, baskets := b.subscribers()
		return subs == 0 && baskets == 0
	}, 5*time.Second, time.Millisecond, "every cancelled subscription is freed")
}

// streamShop is the demo retailer with a broker fed by its memory store,
// and a basket of camille's, for the stream tests that need the stream's
// timings shortened (heartbeat, write deadline).
type streamShop struct {
	api    *API
	broker *Broker
	shop   *demo.Shop
	id     uuid.UUID
}

var streamShopper = basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}

// streamContexts serves every basket on the web.
type streamContexts struct{}

func (streamContexts) Context(context.Context, ContextQuery) (channel.Context, error) {
	return demo.Web(demo.Start()), nil
}

func newStreamShop(t *testing.T) *streamShop {
	t.Helper()
	ctx := context.Background()
	s := &streamShop{broker: NewBroker()}
	shop, err := demo.NewShop(ctx, demo.ShopOptions{})
	require.NoError(t, err)
	// The shop's own memory store publishes nothing; the stream is fed
	// here by hand, after each change, as WithAfterSave would.
	s.shop = shop
	s.api, err = New(Options{Service: shop.Service, Contexts: streamContexts{}, Feed: s.broker, PollEvery: time.Hour,
		Auth: AuthenticatorFunc(func(*http.Request) (basket.Actor, error) { return streamShopper, nil })})
	require.NoError(t, err)
	b, err := shop.Service.Create(ctx, streamShopper, basket.CreateRequest{ID: uuid.New(),
		Owner: basket.Owner{CustomerID: streamShopper.ID}, Context: demo.Web(demo.Start())})
	require.NoError(t, err)
	s.id = b.ID
	return s
}

func (s *streamShop) addLine(t *testing.T, sku string) {
	t.Helper()
	_, err := s.shop.Service.AddLine(context.Background(), streamShopper, s.id, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)})
	require.NoError(t, err)
	s.broker.Publish(s.id)
}

// serve runs the stream of the shop's basket on w with timing t, and
// reports its error on the returned channel when it ends.
func (s *streamShop) serve(ctx context.Context, w http.ResponseWriter, t streamTiming) <-chan error {
	r := httptest.NewRequestWithContext(ctx, "GET", "/v1/baskets/"+s.id.String()+"/events/stream", nil)
	r.SetPathValue("basket_id", s.id.String())
	x := &exchange{api: s.api, w: w, r: r, actor: streamShopper, header: w.Header()}
	done := make(chan error, 1)
	go func() { done <- s.api.streamEvents(x, t) }()
	return done
}

// A quiet stream sends a comment line every heartbeat period.
func TestStreamHeartbeat(t *testing.T) {
	s := newStreamShop(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-s.serve(r.Context(), w, streamTiming{heartbeat: 20 * time.Millisecond, poll: time.Hour, write: time.Second, retry: 1500 * time.Millisecond})
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	history, err := s.shop.Service.History(ctx, streamShopper, s.id)
	require.NoError(t, err)
	want := []string{"retry: 1500"}
	for _, e := range history {
		want = append(want, "id: "+strconv.FormatInt(e.Seq, 10), "event: "+string(e.Type))
	}
	want = append(want, "event: basket")
	for range 6 {
		want = append(want, ": heartbeat")
	}
	lines := bufio.NewScanner(res.Body)
	lines.Buffer(nil, 1<<20)
	var got []string
	for len(got) < len(want) && lines.Scan() {
		if l := lines.Text(); l != "" && !strings.HasPrefix(l, "data: ") {
			got = append(got, l)
		}
	}
	require.NoError(t, lines.Err())
	assert.Equal(t, want, got)
}

// stallingWriter is a client connection that accepts the first writes,
// then stops reading: a write blocks until the deadline the stream set,
// as a socket's would.
type stallingWriter struct {
	header  http.Header
	accept  int // writes accepted before stalling
	mu      sync.Mutex
	writes  int
	dl      time.Time
	stalled chan time.Duration // how far the deadline was when a write stalled
}

func (w *stallingWriter) Header() http.Header { return w.header }
func (w *stallingWriter) WriteHeader(int)     {}
func (w *stallingWriter) Flush()              {}

func (w *stallingWriter) SetWriteDeadline(d time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dl = d
	return nil
}

func (w *stallingWriter) written() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.writes
}

func (w *stallingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writes++
	n, dl := w.writes, w.dl
	w.mu.Unlock()
	if n <= w.accept {
		return len(p), nil
	}
	if dl.IsZero() {
		w.stalled <- 0
		return 0, errors.New("a write without a deadline would block forever")
	}
	w.stalled <- time.Until(dl)
	time.Sleep(time.Until(dl))
	return 0, os.ErrDeadlineExceeded
}

// A client that stops reading is cut off at the write deadline: the
// stream neither waits for it forever nor queues what it does not read.
func TestStreamCutsOffAClientThatStopsReading(t *testing.T) {
	s := newStreamShop(t)
	w := &stallingWriter{header: http.Header{}, accept: 1, stalled: make(chan time.Duration, 1)}
	timing := streamTiming{heartbeat: time.Hour, poll: time.Hour, write: 50 * time.Millisecond, retry: time.Second}
	done := s.serve(context.Background(), w, timing)
	require.Eventually(t, func() bool { return w.written() == 1 }, 5*time.Second, time.Millisecond, "the stream starts")
	s.addLine(t, "CANDLE-FIG") // the second write: the client no longer reads
	select {
	case d := <-w.stalled:
		assert.Positive(t, d, "the stalled write has a deadline")
		assert.LessOrEqual(t, d, timing.write)
	case <-time.After(5 * time.Second):
		t.Fatal("the stream never wrote the change")
	}
	select {
	case err := <-done:
		assert.NoError(t, err, "a started stream ends quietly")
	case <-time.After(5 * time.Second):
		t.Fatal("the stream kept a client that stopped reading")
	}
	assert.Equal(t, "text/event-stream", w.header.Get("Content-Type"))
	subs, _ := s.broker.subscribers()
	assert.Zero(t, subs, "the stream's subscription is freed")
}

func FuzzLastEventID(f *testing.F) {
	for _, s := range []string{"", "0", "7", "0042", "-1", "+1", " 1", "1 ", "1e3", "9223372036854775807", "9223372036854775808", "٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseEventID(s, idSource{"header", "Last-Event-ID"})
		// The oracle: decimal digits only (no sign, no space) whose value
		// fits an int64, or nothing at all.
		want, fits := new(big.Int).SetString(s, 10)
		accept := s == "" || (strings.Trim(s, "0123456789") == "" && fits && want.IsInt64())
		if !accept {
			require.ErrorIs(t, err, ErrBadRequest, "%q", s)
			var re *RequestError
			require.ErrorAs(t, err, &re)
			require.Equal(t, "Last-Event-ID", re.Field)
			return
		}
		require.NoError(t, err, "%q", s)
		if s == "" {
			require.Zero(t, n)
			return
		}
		require.Equal(t, want.Int64(), n)
	})
}
