package httpstock_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

var errDown = fmt.Errorf("%w: upstream down", stock.ErrUnknown)

// upstream is a provider that counts and records its calls, and can fail
// or block on demand.
type upstream struct {
	*store
	calls   atomic.Int32
	failing atomic.Bool
	gate    chan struct{} // when set, calls wait for it to close (or their context)

	mu      sync.Mutex
	queries []stock.Query
}

func (u *upstream) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	u.calls.Add(1)
	u.mu.Lock()
	u.queries = append(u.queries, q)
	gate := u.gate
	u.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return stock.Levels{}, ctx.Err()
		}
	}
	if u.failing.Load() {
		return stock.Levels{}, errDown
	}
	return u.store.Levels(ctx, q)
}

func (u *upstream) lastQuery() stock.Query {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.queries[len(u.queries)-1]
}

func newCache(t interface {
	Helper()
	Fatal(...any)
}, up stock.Provider, clk clock.Clock, ttl, maxStale time.Duration) *httpstock.Cache {
	t.Helper()
	c, err := httpstock.NewCache(up, httpstock.CacheOptions{TTL: ttl, MaxStale: maxStale, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCacheProviderConformance(t *testing.T) {
	stocktest.RunProviderTests(t, func(t *testing.T) stocktest.Harness {
		s := newStore()
		clk := clock.NewFake(stocktest.Epoch)
		c := newCache(t, s, clk, time.Second, time.Minute)
		// A restock is seen once the TTL has passed.
		setOnHand := func(ctx context.Context, sku, loc string, n int64) error {
			clk.Advance(time.Second)
			return s.SetOnHand(ctx, sku, loc, n)
		}
		return stocktest.Harness{Provider: c, SetOnHand: setOnHand, Clock: clk}
	})
}

func TestCacheTTLAndAges(t *testing.T) {
	up := &upstream{store: newStore(level("a", "x", 3), level("b", "x", 0))}
	clk := clock.NewFake(stocktest.Epoch)
	c := newCache(t, up, clk, 10*time.Second, time.Minute)
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a", "b", "ghost"}, Locations: []string{"x"}}
	first, err := c.Lookup(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(4 * time.Second)
	up.store.SetOnHand(ctx, "a", "x", 99) // not seen before the TTL
	a, err := c.Lookup(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if up.calls.Load() != 1 {
		t.Fatalf("%d upstream calls, want 1", up.calls.Load())
	}
	if l, _ := a.Levels.Get("a", "x"); l.OnHand != 3 || a.Levels.Len() != 2 || first.Levels.Len() != 2 {
		t.Fatalf("levels %+v", a.Levels.All())
	}
	if age, ok := a.Age("a", "x"); !ok || age != 4*time.Second {
		t.Fatalf("age %s %t, want 4s", age, ok)
	}
	if _, ok := a.Age("ghost", "x"); ok {
		t.Fatal("an unknown pair has no age")
	}
	want := []httpstock.LevelAge{
		{SKU: "a", LocationID: "x", FetchedAt: stocktest.Epoch, Age: 4 * time.Second},
		{SKU: "b", LocationID: "x", FetchedAt: stocktest.Epoch, Age: 4 * time.Second},
	}
	if got := a.Ages(); !slices.Equal(got, want) || a.Stale || a.Err != nil || a.Oldest() != 4*time.Second {
		t.Fatalf("ages %+v stale %t err %v", got, a.Stale, a.Err)
	}
	clk.Advance(6 * time.Second) // TTL reached: refreshed
	a, err = c.Lookup(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := a.Levels.Get("a", "x"); l.OnHand != 99 || up.calls.Load() != 2 || a.Oldest() != 0 {
		t.Fatalf("after the TTL: %+v, %d calls, oldest %s", l, up.calls.Load(), a.Oldest())
	}
	if s := c.Stats(); s != (httpstock.CacheStats{Hits: 1, Misses: 2, UpstreamCalls: 2}) {
		t.Fatalf("stats %+v", s)
	}
}

func TestCacheAsksOnlyForMissingPairs(t *testing.T) {
	up := &upstream{store: newStore(level("a", "x", 1), level("a", "y", 2), level("b", "x", 3))}
	clk := clock.NewFake(stocktest.Epoch)
	c := newCache(t, up, clk, time.Minute, 0)
	ctx := context.Background()
	if _, err := c.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x", "y"}}); err != nil {
		t.Fatal(err)
	}
	levels, err := c.Levels(ctx, stock.Query{SKUs: []string{"b", "a"}, Locations: []string{"y", "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := up.lastQuery(); !slices.Equal(got.SKUs, []string{"b"}) || !slices.Equal(got.Locations, []string{"x", "y"}) {
		t.Fatalf("second upstream query %+v, want b × {x, y}", got)
	}
	if levels.Len() != 3 {
		t.Fatalf("%+v", levels.All())
	}
	// b at y is unknown upstream: remembered as unknown, not asked again.
	if _, err := c.Levels(ctx, stock.Query{SKUs: []string{"b"}, Locations: []string{"y"}}); err != nil || up.calls.Load() != 2 {
		t.Fatalf("%v, %d calls", err, up.calls.Load())
	}
}

func TestCacheStaleIfErrorWithinBound(t *testing.T) {
	up := &upstream{store: newStore(level("a", "x", 3))}
	clk := clock.NewFake(stocktest.Epoch)
	c := newCache(t, up, clk, 10*time.Second, time.Minute)
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	if _, err := c.Levels(ctx, q); err != nil {
		t.Fatal(err)
	}
	up.failing.Store(true)
	clk.Advance(30 * time.Second)
	a, err := c.Lookup(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := a.Levels.Get("a", "x"); !ok || l.OnHand != 3 || !a.Stale || !errors.Is(a.Err, errDown) {
		t.Fatalf("stale answer %+v %t, stale %t, err %v", l, ok, a.Stale, a.Err)
	}
	if age, _ := a.Age("a", "x"); age != 30*time.Second {
		t.Fatalf("age %s", age)
	}
	clk.Advance(30 * time.Second) // exactly MaxStale: still served
	if _, err := c.Levels(ctx, q); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Nanosecond) // past MaxStale: never served
	levels, err := c.Levels(ctx, q)
	if !errors.Is(err, stock.ErrUnknown) || levels.Len() != 0 {
		t.Fatalf("past MaxStale: %+v, %v", levels.All(), err)
	}
	if s := c.Stats(); s.StaleAnswers != 2 {
		t.Fatalf("stats %+v", s)
	}
}

func TestCacheWithoutMaxStaleServesNothingStale(t *testing.T) {
	up := &upstream{store: newStore(level("a", "x", 3))}
	clk := clock.NewFake(stocktest.Epoch)
	c := newCache(t, up, clk, 10*time.Second, 0)
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	if _, err := c.Levels(ctx, q); err != nil {
		t.Fatal(err)
	}
	up.failing.Store(true)
	clk.Advance(10 * time.Second)
	if l, err := c.Levels(ctx, q); !errors.Is(err, errDown) || l.Len() != 0 {
		t.Fatalf("%+v %v", l.All(), err)
	}
}

func TestCacheClockGoingBackwards(t *testing.T) {
	up := &upstream{store: newStore(level("a", "x", 3))}
	clk := clock.NewFake(stocktest.Epoch)
	c := newCache(t, up, clk, time.Minute, time.Hour)
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	_, _ = c.Levels(ctx, q)
	clk.Set(stocktest.Epoch.Add(-time.Second))
	if _, err := c.Levels(ctx, q); err != nil || up.calls.Load() != 2 {
		t.Fatalf("an entry from the future must be refreshed: %v, %d calls", err, up.calls.Load())
	}
}

func TestCacheSingleFlight(t *testing.T) {
	const callers = 50
	gate := make(chan struct{})
	up := &upstream{store: newStore(level("a", "x", 3)), gate: gate}
	c := newCache(t, up, clock.NewFake(stocktest.Epoch), time.Minute, 0)
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			levels, err := c.Levels(context.Background(), q)
			if l, _ := levels.Get("a", "x"); err == nil && l.OnHand != 3 {
				err = fmt.Errorf("got %+v", l)
			}
			errs <- err
		}()
	}
	for c.Stats().Shared < callers-1 {
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := up.calls.Load(); n != 1 {
		t.Fatalf("%d upstream calls for %d concurrent identical queries, want 1", n, callers)
	}
}

func TestCacheFollowerOutlivesCancelledLeader(t *testing.T) {
	gate := make(chan struct{})
	up := &upstream{store: newStore(level("a", "x", 3)), gate: gate}
	c := newCache(t, up, clock.NewFake(stocktest.Epoch), time.Minute, 0)
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leader := make(chan error)
	go func() { _, err := c.Levels(leaderCtx, q); leader <- err }()
	for up.calls.Load() < 1 {
		time.Sleep(time.Millisecond)
	}
	follower := make(chan error)
	go func() {
		levels, err := c.Levels(context.Background(), q)
		if err == nil && levels.Len() != 1 {
			err = fmt.Errorf("got %+v", levels.All())
		}
		follower <- err
	}()
	for c.Stats().Shared < 1 {
		time.Sleep(time.Millisecond)
	}
	cancelLeader()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	close(gate) // the follower's own call goes through
	if err := <-follower; err != nil {
		t.Fatalf("follower: %v", err)
	}
	if n := up.calls.Load(); n != 2 {
		t.Fatalf("%d upstream calls, want 2", n)
	}
}

func TestCacheRejects(t *testing.T) {
	up := &upstream{store: newStore()}
	if _, err := httpstock.NewCache(nil, httpstock.CacheOptions{TTL: time.Second}); !errors.Is(err, httpstock.ErrConfig) {
		t.Fatal(err)
	}
	if _, err := httpstock.NewCache(up, httpstock.CacheOptions{}); !errors.Is(err, httpstock.ErrConfig) {
		t.Fatal(err)
	}
	if _, err := httpstock.NewCache(up, httpstock.CacheOptions{TTL: time.Minute, MaxStale: time.Second}); !errors.Is(err, httpstock.ErrConfig) {
		t.Fatal(err)
	}
	c := newCache(t, up, nil, time.Second, 0)
	if _, err := c.Levels(context.Background(), stock.Query{SKUs: []string{""}, Locations: []string{"x"}}); !errors.Is(err, stock.ErrInvalid) {
		t.Fatal(err)
	}
	if up.calls.Load() != 0 {
		t.Fatal("an invalid query reached the upstream")
	}
}

func TestCacheBoundedEntries(t *testing.T) {
	up := &upstream{store: newStore()}
	clk := clock.NewFake(stocktest.Epoch)
	c, err := httpstock.NewCache(up, httpstock.CacheOptions{TTL: time.Minute, MaxEntries: 10, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := c.Levels(context.Background(), stock.Query{SKUs: []string{fmt.Sprint(i)}, Locations: []string{"x"}}); err != nil {
			t.Fatal(err)
		}
	}
	// The most recent pair is remembered; most of the others were evicted.
	calls := up.calls.Load()
	_, _ = c.Levels(context.Background(), stock.Query{SKUs: []string{"99"}, Locations: []string{"x"}})
	if up.calls.Load() != calls {
		t.Fatal("the latest entry was evicted")
	}
}

// TestCacheNeverServesBeyondMaxStale drives the cache with random clock
// moves, restocks and upstream failures, and checks every answer against
// the bound and against what the upstream said at the fetch time.
func TestCacheNeverServesBeyondMaxStale(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		const ttl, maxStale = 10 * time.Second, 30 * time.Second
		up := &upstream{store: newStore()}
		clk := clock.NewFake(stocktest.Epoch)
		c := newCache(rt, up, clk, ttl, maxStale)
		skus, locs := []string{"a", "b", "c"}, []string{"x", "y"}
		// history[pair] = on-hand values by the time they were set
		type change struct {
			at time.Time
			n  int64
		}
		history := map[[2]string][]change{}
		ctx := context.Background()
		for step := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			switch rapid.IntRange(0, 3).Draw(rt, "op") {
			case 0:
				clk.Advance(time.Duration(rapid.IntRange(0, 15).Draw(rt, "seconds")) * time.Second)
			case 1:
				sku, loc := rapid.SampledFrom(skus).Draw(rt, "sku"), rapid.SampledFrom(locs).Draw(rt, "loc")
				n := int64(step)
				clk.Advance(time.Nanosecond) // strictly after every earlier fetch
				_ = up.store.SetOnHand(ctx, sku, loc, n)
				history[[2]string{sku, loc}] = append(history[[2]string{sku, loc}], change{clk.Now(), n})
			case 2:
				up.failing.Store(!up.failing.Load())
			default:
				q := stock.Query{
					SKUs:      rapid.SliceOfNDistinct(rapid.SampledFrom(skus), 1, 3, rapid.ID).Draw(rt, "skus"),
					Locations: rapid.SliceOfNDistinct(rapid.SampledFrom(locs), 1, 2, rapid.ID).Draw(rt, "locs"),
				}
				a, err := c.Lookup(ctx, q)
				if err != nil {
					if !errors.Is(err, stock.ErrUnknown) {
						rt.Fatalf("unexpected error %v", err)
					}
					continue
				}
				for _, x := range a.Ages() {
					if x.Age < 0 || x.Age > maxStale || x.Age >= ttl && !a.Stale {
						rt.Fatalf("%s at %s served at age %s (stale %t)", x.SKU, x.LocationID, x.Age, a.Stale)
					}
					// The level is what the upstream held at FetchedAt.
					var want int64 = -1
					for _, ch := range history[[2]string{x.SKU, x.LocationID}] {
						if !ch.at.After(x.FetchedAt) {
							want = ch.n
						}
					}
					if l, _ := a.Levels.Get(x.SKU, x.LocationID); l.OnHand != want {
						rt.Fatalf("%s at %s: served %d, the upstream held %d at %s", x.SKU, x.LocationID, l.OnHand, want, x.FetchedAt)
					}
				}
			}
		}
	})
}

// TestCacheOverClientWhenEndpointIsDown: the breaker fails fast and the
// cache serves what it has within the bound.
func TestCacheOverClientWhenEndpointIsDown(t *testing.T) {
	s := newStore(level("a", "x", 3))
	var down atomic.Bool
	h := serve(t, s)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(503)
			return
		}
		h(w, r)
	}))
	clk := clock.NewFake(stocktest.Epoch)
	client := newClient(t, srv, func(o *httpstock.Options) { o.MaxAttempts, o.BreakerThreshold, o.Clock = 1, 1, clk })
	c := newCache(t, client, clk, 5*time.Second, time.Minute)
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	if _, err := c.Levels(ctx, q); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	for i := range 3 {
		clk.Advance(5 * time.Second)
		a, err := c.Lookup(ctx, q)
		if err != nil || a.Levels.Len() != 1 || !a.Stale {
			t.Fatalf("round %d: %+v %v", i, a, err)
		}
		if i > 0 && !errors.Is(a.Err, httpstock.ErrCircuitOpen) {
			t.Fatalf("round %d: %v, want the breaker to fail fast", i, a.Err)
		}
	}
}
