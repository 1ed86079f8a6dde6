package httpstock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

func TestProviderConformance(t *testing.T) {
	stocktest.RunProviderTests(t, func(t *testing.T) stocktest.Harness {
		s := newStore()
		c := newClient(t, newServer(t, serve(t, s)), nil)
		return stocktest.Harness{Provider: c, SetOnHand: s.SetOnHand, Clock: clock.NewFake(stocktest.Epoch)}
	})
}

func TestOneRequestPerBatchPartialAnswer(t *testing.T) {
	arrival := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	s := newStore(
		stock.Level{SKU: "KETTLE", LocationID: "paris-01", OnHand: 12, Reserved: 2},
		stock.Level{SKU: "KETTLE", LocationID: "wh-north", OnHand: 0, NextArrival: arrival},
		level("TEAPOT", "wh-north", 40),
	)
	var requests atomic.Int32
	var bodies []httpstock.Request
	var mu sync.Mutex
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		var req httpstock.Request
		_ = json.NewDecoder(r.Body).Decode(&req)
		mu.Lock()
		bodies = append(bodies, req)
		mu.Unlock()
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("got %s with content type %q", r.Method, r.Header.Get("Content-Type"))
		}
		levels := s.find(stock.Query{SKUs: req.SKUs, Locations: req.Locations})
		// A level that was not asked for is ignored by the client.
		levels = append(levels, level("OTHER", "paris-01", 5))
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse(levels))
	}))
	c := newClient(t, srv, nil)
	levels, err := c.Levels(context.Background(), stock.Query{
		SKUs:      []string{"TEAPOT", "KETTLE", "TEAPOT", "GHOST"},
		Locations: []string{"wh-north", "paris-01"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	want := httpstock.Request{SKUs: []string{"GHOST", "KETTLE", "TEAPOT"}, Locations: []string{"paris-01", "wh-north"}}
	if got := bodies[0]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("request %+v, want %+v (sorted, distinct)", got, want)
	}
	if l, ok := levels.Get("KETTLE", "paris-01"); !ok || l.OnHand != 12 || l.Reserved != 2 || l.Available() != 10 {
		t.Fatalf("KETTLE at paris-01: %+v %t", l, ok)
	}
	zero, ok := levels.Get("KETTLE", "wh-north")
	if !ok || zero.OnHand != 0 || !zero.NextArrival.Equal(arrival) {
		t.Fatalf("a pair known at zero must be present with its arrival: %+v %t", zero, ok)
	}
	for _, p := range [][2]string{{"TEAPOT", "paris-01"}, {"GHOST", "paris-01"}, {"OTHER", "paris-01"}} {
		if l, ok := levels.Get(p[0], p[1]); ok {
			t.Fatalf("%s at %s must be unknown (absent), got %+v", p[0], p[1], l)
		}
	}
	if levels.Len() != 3 {
		t.Fatalf("%d levels, want 3: %+v", levels.Len(), levels.All())
	}
}

func TestNoRequestForEmptyOrInvalidQuery(t *testing.T) {
	var requests atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { requests.Add(1) }))
	c := newClient(t, srv, nil)
	ctx := context.Background()
	if _, err := c.Levels(ctx, stock.Query{SKUs: []string{"a", ""}, Locations: []string{"x"}}); !errors.Is(err, stock.ErrInvalid) {
		t.Fatalf("invalid query: %v, want stock.ErrInvalid", err)
	}
	if l, err := c.Levels(ctx, stock.Query{SKUs: []string{"a"}}); err != nil || l.Len() != 0 {
		t.Fatalf("query without locations: %v %v", l.All(), err)
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

// expectUnknown checks the common shape of a failure and returns the *Error.
func expectUnknown(t *testing.T, err error, cause error) *httpstock.Error {
	t.Helper()
	if !errors.Is(err, stock.ErrUnknown) {
		t.Fatalf("error %v does not match stock.ErrUnknown", err)
	}
	if cause != nil && !errors.Is(err, cause) {
		t.Fatalf("error %v does not match %v", err, cause)
	}
	var he *httpstock.Error
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not an *httpstock.Error", err)
	}
	return he
}

func TestSlowServerContextDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer close(release)
	c := newClient(t, srv, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Levels(ctx, stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Fatalf("the call took %s despite a 100ms deadline", elapsed)
	}
	he := expectUnknown(t, err, context.DeadlineExceeded)
	if he.Attempts != 1 {
		t.Fatalf("%d attempts, want 1 (the caller's deadline is not retried)", he.Attempts)
	}
	if c.BreakerState() != httpstock.Closed {
		t.Fatal("the caller's own deadline must not count against the endpoint")
	}
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
			<-r.Context().Done()               // the first attempt hangs
			return
		}
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse([]stock.Level{level("a", "x", 3)}))
	}))
	c := newClient(t, srv, func(o *httpstock.Options) { o.AttemptTimeout = 50 * time.Millisecond })
	levels, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := levels.Get("a", "x"); !ok || l.OnHand != 3 || calls.Load() != 2 {
		t.Fatalf("got %+v after %d calls", l, calls.Load())
	}
}

func TestServerErrorsRetriedThenUnknown(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "database is down", http.StatusInternalServerError)
	}))
	c := newClient(t, srv, func(o *httpstock.Options) { o.MaxAttempts = 4 })
	_, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	he := expectUnknown(t, err, httpstock.ErrStatus)
	var se *httpstock.StatusError
	if !errors.As(err, &se) || se.StatusCode != 500 || !strings.Contains(se.Body, "database is down") {
		t.Fatalf("status error %+v", se)
	}
	if he.Attempts != 4 || he.StatusCode != 500 || calls.Load() != 4 {
		t.Fatalf("attempts %d, status %d, calls %d; want 4, 500, 4", he.Attempts, he.StatusCode, calls.Load())
	}
}

func TestServerErrorThenSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse([]stock.Level{level("a", "x", 1)}))
	}))
	c := newClient(t, srv, nil)
	if _, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 {
		t.Fatalf("%d calls, want 3", calls.Load())
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusNotFound)
	}))
	c := newClient(t, srv, nil)
	_, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	if he := expectUnknown(t, err, httpstock.ErrStatus); he.Attempts != 1 || he.StatusCode != 404 || calls.Load() != 1 {
		t.Fatalf("%+v after %d calls", he, calls.Load())
	}
}

func TestMalformedAnswers(t *testing.T) {
	for name, body := range map[string]string{
		"not JSON":            `<html>oops</html>`,
		"unterminated":        `{"levels": [`,
		"array":               `[]`,
		"no levels":           `{}`,
		"null levels":         `{"levels": null}`,
		"missing on hand":     `{"levels": [{"sku": "a", "location": "x"}]}`,
		"negative on hand":    `{"levels": [{"sku": "a", "location": "x", "on_hand": -1}]}`,
		"fractional on hand":  `{"levels": [{"sku": "a", "location": "x", "on_hand": 1.5}]}`,
		"negative reserved":   `{"levels": [{"sku": "a", "location": "x", "on_hand": 1, "reserved": -2}]}`,
		"string on hand":      `{"levels": [{"sku": "a", "location": "x", "on_hand": "3"}]}`,
		"empty SKU":           `{"levels": [{"sku": "", "location": "x", "on_hand": 1}]}`,
		"missing location":    `{"levels": [{"sku": "a", "on_hand": 1}]}`,
		"duplicate pair":      `{"levels": [{"sku": "a", "location": "x", "on_hand": 1}, {"sku": "a", "location": "x", "on_hand": 2}]}`,
		"bad arrival":         `{"levels": [{"sku": "a", "location": "x", "on_hand": 1, "next_arrival": "tomorrow"}]}`,
		"trailing data":       `{"levels": []} {"levels": []}`,
		"on hand overflowing": `{"levels": [{"sku": "a", "location": "x", "on_hand": 99999999999999999999}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			var calls atomic.Int32
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				_, _ = io.WriteString(w, body)
			}))
			c := newClient(t, srv, nil)
			levels, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
			he := expectUnknown(t, err, httpstock.ErrMalformed)
			if he.Attempts != 1 || calls.Load() != 1 || levels.Len() != 0 {
				t.Fatalf("%+v, %d calls, levels %v", he, calls.Load(), levels.All())
			}
		})
	}
}

func TestTruncatedBody(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `{"levels": [{"sku": "a", "location": "x", "on_h`)
	}))
	c := newClient(t, srv, nil)
	_, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	if he := expectUnknown(t, err, io.ErrUnexpectedEOF); he.Attempts != 1 {
		t.Fatalf("%+v", he)
	}
}

func TestHugeBodyIsBounded(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A valid-looking answer that never ends: 64 MiB of levels.
		_, _ = io.WriteString(w, `{"levels": [`)
		chunk := strings.Repeat(`{"sku": "a", "location": "x", "on_hand": 1},`, 1024)
		for range (64 << 20) / len(chunk) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return // the client hung up
			}
		}
	}))
	c := newClient(t, srv, func(o *httpstock.Options) { o.MaxResponseBytes = 1 << 20 })
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	he := expectUnknown(t, err, httpstock.ErrTooLarge)
	if he.Attempts != 1 {
		t.Fatalf("%+v", he)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if read := after.TotalAlloc - before.TotalAlloc; read > 16<<20 {
		t.Fatalf("allocated %d bytes for a 1 MiB bound", read)
	}
}

func TestCustomRequestAndDecoder(t *testing.T) {
	// An existing endpoint: GET with query parameters, answering
	// "sku;location;qty" lines.
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodGet || strings.Join(q["item"], ",") != "a,b" || q.Get("site") != "x" {
			http.Error(w, "bad request "+r.URL.RawQuery, http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "a;x;4\nb;x;0\n")
	}))
	c := newClient(t, srv, func(o *httpstock.Options) {
		o.BuildRequest = func(ctx context.Context, endpoint string, q stock.Query) (*http.Request, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
			if err != nil {
				return nil, err
			}
			v := req.URL.Query()
			v["item"] = q.SKUs
			for _, l := range q.Locations {
				v.Add("site", l)
			}
			req.URL.RawQuery = v.Encode()
			return req, nil
		}
		o.DecodeResponse = func(body []byte, _ stock.Query) ([]stock.Level, error) {
			var out []stock.Level
			for line := range strings.Lines(string(body)) {
				var sku, loc string
				var n int64
				f := strings.Split(strings.TrimSpace(line), ";")
				if len(f) != 3 {
					return nil, fmt.Errorf("bad line %q", line)
				}
				sku, loc = f[0], f[1]
				if _, err := fmt.Sscan(f[2], &n); err != nil {
					return nil, err
				}
				out = append(out, level(sku, loc, n))
			}
			return out, nil
		}
	})
	levels, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"b", "a"}, Locations: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := levels.Get("a", "x"); a.OnHand != 4 || levels.Len() != 2 {
		t.Fatalf("%+v", levels.All())
	}
}

func TestDecoderErrorsAreMalformed(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	sentinel := errors.New("custom decoder refused")
	c := newClient(t, srv, func(o *httpstock.Options) {
		o.DecodeResponse = func([]byte, stock.Query) ([]stock.Level, error) { return nil, sentinel }
	})
	_, err := c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	expectUnknown(t, err, httpstock.ErrMalformed)
	if !errors.Is(err, sentinel) {
		t.Fatalf("%v does not keep the decoder's error", err)
	}
}

func TestCircuitBreaker(t *testing.T) {
	var calls atomic.Int32
	var healthy atomic.Bool
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse(nil))
	}))
	clk := clock.NewFake(stocktest.Epoch)
	c := newClient(t, srv, func(o *httpstock.Options) {
		o.MaxAttempts, o.BreakerThreshold, o.BreakerCooldown, o.Clock = 2, 3, time.Minute, clk
	})
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	for i := range 3 {
		if _, err := c.Levels(ctx, q); !errors.Is(err, httpstock.ErrStatus) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if c.BreakerState() != httpstock.Open || calls.Load() != 6 {
		t.Fatalf("state %s after %d requests, want open after 6", c.BreakerState(), calls.Load())
	}
	_, err := c.Levels(ctx, q)
	if he := expectUnknown(t, err, httpstock.ErrCircuitOpen); he.Attempts != 0 || calls.Load() != 6 {
		t.Fatalf("an open breaker sent a request: %+v", he)
	}
	// After the cooldown one probe goes; it fails and the breaker opens again.
	clk.Advance(time.Minute)
	if c.BreakerState() != httpstock.HalfOpen {
		t.Fatalf("state %s, want half-open", c.BreakerState())
	}
	if _, err := c.Levels(ctx, q); !errors.Is(err, httpstock.ErrStatus) || calls.Load() != 8 {
		t.Fatalf("probe: %v after %d requests", err, calls.Load())
	}
	if _, err := c.Levels(ctx, q); !errors.Is(err, httpstock.ErrCircuitOpen) {
		t.Fatalf("after a failed probe: %v", err)
	}
	// The endpoint recovers: the next probe closes the breaker.
	healthy.Store(true)
	clk.Advance(time.Minute)
	if _, err := c.Levels(ctx, q); err != nil {
		t.Fatal(err)
	}
	if c.BreakerState() != httpstock.Closed {
		t.Fatalf("state %s, want closed", c.BreakerState())
	}
}

func TestHalfOpenLetsOneProbeThrough(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	var failing atomic.Bool
	failing.Store(true)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		<-release
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse(nil))
	}))
	clk := clock.NewFake(stocktest.Epoch)
	c := newClient(t, srv, func(o *httpstock.Options) { o.MaxAttempts, o.BreakerThreshold, o.Clock = 1, 1, clk })
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	_, _ = c.Levels(ctx, q)
	failing.Store(false)
	clk.Advance(httpstock.DefaultBreakerCooldown)
	probe := make(chan error)
	go func() { _, err := c.Levels(ctx, q); probe <- err }()
	for calls.Load() < 2 {
		runtime.Gosched()
	}
	if _, err := c.Levels(ctx, q); !errors.Is(err, httpstock.ErrCircuitOpen) {
		t.Fatalf("a second call during the probe: %v", err)
	}
	close(release)
	if err := <-probe; err != nil {
		t.Fatal(err)
	}
	if c.BreakerState() != httpstock.Closed {
		t.Fatal("a successful probe must close the breaker")
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		opts     httpstock.Options
	}{
		{"erp.example/stock", httpstock.Options{}},
		{"ftp://erp.example/stock", httpstock.Options{}},
		{"http://erp.example/stock", httpstock.Options{MaxAttempts: -1}},
		{"http://erp.example/stock", httpstock.Options{MaxResponseBytes: -1}},
		{"http://erp.example/stock", httpstock.Options{BaseBackoff: -1}},
		{"http://[::1", httpstock.Options{}},
	} {
		if _, err := httpstock.New(tc.endpoint, tc.opts); !errors.Is(err, httpstock.ErrConfig) {
			t.Errorf("New(%q, %+v): %v, want ErrConfig", tc.endpoint, tc.opts, err)
		}
	}
	if _, err := httpstock.New("http://user:secret@erp.example/stock", httpstock.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestErrorRedactsPassword(t *testing.T) {
	c, err := httpstock.New("http://user:secret@127.0.0.1:1/stock", httpstock.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Levels(context.Background(), stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}})
	expectUnknown(t, err, nil)
	if strings.Contains(err.Error(), "secret") {
		t.Fatalf("the error leaks the password: %v", err)
	}
}

// TestNoGoroutineLeak injects 10,000 failures of every kind and checks that
// no goroutine is left behind once the server and idle connections are
// closed.
func TestNoGoroutineLeak(t *testing.T) {
	const failures = 10_000
	before := runtime.NumGoroutine()
	func() {
		var served atomic.Int64
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch n := served.Add(1); {
			case n%100 == 0: // slow: the attempt's timeout ends it
				_, _ = io.Copy(io.Discard, r.Body)
				<-r.Context().Done()
			case n%5 == 0:
				w.WriteHeader(http.StatusInternalServerError)
			case n%5 == 1:
				_, _ = io.WriteString(w, `{"levels": [`)
			case n%5 == 2:
				w.Header().Set("Content-Length", "100")
				_, _ = io.WriteString(w, `{"lev`)
			case n%5 == 3:
				conn, _, err := http.NewResponseController(w).Hijack()
				if err == nil {
					_ = conn.Close() // connection dropped without an answer
				}
			default:
				w.WriteHeader(http.StatusTeapot)
			}
		}))
		c := newClient(t, srv, func(o *httpstock.Options) {
			o.MaxAttempts, o.BreakerThreshold, o.AttemptTimeout = 1, -1, 100*time.Millisecond
		})
		q := stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x"}}
		var wg sync.WaitGroup
		var unknown atomic.Int64
		jobs := make(chan struct{})
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					_, err := c.Levels(context.Background(), q)
					if errors.Is(err, stock.ErrUnknown) {
						unknown.Add(1)
					}
				}
			}()
		}
		for range failures {
			jobs <- struct{}{}
		}
		close(jobs)
		wg.Wait()
		// Under heavy load an attempt may time out before the server sees
		// it: that is a failure too.
		if n := served.Load(); unknown.Load() != failures || n > failures || n < failures/2 {
			t.Fatalf("%d unknown outcomes for %d requests served, want %d", unknown.Load(), n, failures)
		}
		c.CloseIdleConnections()
		srv.Close()
	}()
	var now int
	for range 100 {
		if now = runtime.NumGoroutine(); now <= before {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	t.Fatalf("%d goroutines before, %d after:\n%s", before, now, buf[:runtime.Stack(buf, true)])
}
