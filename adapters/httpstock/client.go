package httpstock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// Defaults of [Options].
const (
	DefaultAttemptTimeout   = 2 * time.Second
	DefaultMaxAttempts      = 3
	DefaultBaseBackoff      = 100 * time.Millisecond
	DefaultMaxBackoff       = 2 * time.Second
	DefaultMaxResponseBytes = 8 << 20
	DefaultBreakerThreshold = 5
	DefaultBreakerCooldown  = 30 * time.Second
)

// Options configure a [Client]. The zero value of every field selects its
// default.
type Options struct {
	// HTTPClient sends the requests; nil means a client of its own, with a
	// clone of http.DefaultTransport. Its Timeout should be 0: the context
	// and AttemptTimeout bound the calls.
	HTTPClient *http.Client
	// BuildRequest builds each attempt's request; nil means
	// [BuildJSONRequest].
	BuildRequest RequestBuilder
	// DecodeResponse reads a 2xx body; nil means [DecodeResponse].
	DecodeResponse ResponseDecoder
	// AttemptTimeout bounds each attempt (request and body); an attempt
	// that runs out of it is retried. Default [DefaultAttemptTimeout];
	// negative means no bound other than the call's context.
	AttemptTimeout time.Duration
	// MaxAttempts is the number of attempts per call, first included;
	// default [DefaultMaxAttempts].
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the wait before a retry: attempt n
	// waits a random duration between d/2 and d, where d =
	// min(BaseBackoff × 2^(n−1), MaxBackoff). Defaults
	// [DefaultBaseBackoff] and [DefaultMaxBackoff].
	BaseBackoff, MaxBackoff time.Duration
	// MaxResponseBytes bounds the body read; a larger body fails with
	// [ErrTooLarge]. Default [DefaultMaxResponseBytes].
	MaxResponseBytes int64
	// BreakerThreshold is the number of consecutive failed calls that
	// opens the circuit breaker; default [DefaultBreakerThreshold];
	// negative disables the breaker.
	BreakerThreshold int
	// BreakerCooldown is how long the breaker stays open before a probe;
	// default [DefaultBreakerCooldown].
	BreakerCooldown time.Duration
	// Clock times the breaker; nil means clock.System.
	Clock clock.Clock
}

// Client is a [stock.Provider] calling an HTTP endpoint. It is safe for
// concurrent use.
//
// A Client prints, encodes and logs its endpoint with any password redacted
// (see [Client.String]), under every fmt verb, encoding/json and log/slog.
type Client struct {
	// endpoint is the URL as given, password included. It is behind a
	// pointer to a string so that fmt, when it reaches a Client by
	// reflection (a Client value in an unexported field), prints an
	// address under every verb: fmt shows what a pointer points to only for
	// arrays, slices, structs and maps.
	endpoint  *string
	redacted  string // the endpoint as url.URL.Redacted spells it
	hc        *http.Client
	build     RequestBuilder
	decode    ResponseDecoder
	timeout   time.Duration
	attempts  int
	base, cap time.Duration
	maxBody   int64
	breaker   *breaker
}

var _ stock.Provider = (*Client)(nil)

// New returns a client of endpoint. With the default request builder the
// endpoint must be an absolute http or https URL. Invalid options give an
// error matching [ErrConfig].
func New(endpoint string, opts Options) (*Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: endpoint: %w", ErrConfig, err)
	}
	if opts.BuildRequest == nil && (u.Scheme != "http" && u.Scheme != "https" || u.Host == "") {
		return nil, fmt.Errorf("%w: endpoint %q is not an absolute http(s) URL", ErrConfig, u.Redacted())
	}
	switch {
	case opts.MaxAttempts < 0:
		return nil, fmt.Errorf("%w: MaxAttempts %d is negative", ErrConfig, opts.MaxAttempts)
	case opts.BaseBackoff < 0 || opts.MaxBackoff < 0:
		return nil, fmt.Errorf("%w: negative backoff", ErrConfig)
	case opts.MaxResponseBytes < 0:
		return nil, fmt.Errorf("%w: MaxResponseBytes %d is negative", ErrConfig, opts.MaxResponseBytes)
	case opts.BreakerCooldown < 0:
		return nil, fmt.Errorf("%w: BreakerCooldown is negative", ErrConfig)
	}
	c := &Client{
		endpoint: &endpoint, redacted: u.Redacted(),
		hc: opts.HTTPClient, build: opts.BuildRequest, decode: opts.DecodeResponse,
		timeout: cmpOr(opts.AttemptTimeout, DefaultAttemptTimeout), attempts: cmpOr(opts.MaxAttempts, DefaultMaxAttempts),
		base: cmpOr(opts.BaseBackoff, DefaultBaseBackoff), cap: cmpOr(opts.MaxBackoff, DefaultMaxBackoff),
		maxBody: cmpOr(opts.MaxResponseBytes, DefaultMaxResponseBytes),
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if c.build == nil {
		c.build = BuildJSONRequest
	}
	if c.decode == nil {
		c.decode = DecodeResponse
	}
	if opts.BreakerThreshold >= 0 {
		clk := opts.Clock
		if clk == nil {
			clk = clock.System{}
		}
		c.breaker = &breaker{clk: clk, threshold: cmpOr(opts.BreakerThreshold, DefaultBreakerThreshold),
			cooldown: cmpOr(opts.BreakerCooldown, DefaultBreakerCooldown)}
	}
	return c, nil
}

func cmpOr[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// BreakerState returns the state of the circuit breaker (Closed when it is
// disabled).
func (c *Client) BreakerState() BreakerState { return c.breaker.current() }

// CloseIdleConnections closes the idle connections of the HTTP client.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Levels implements [stock.Provider]: one request (plus retries) for every
// SKU × location of q. An invalid query is refused with an error matching
// stock.ErrInvalid; a query without SKUs or without locations returns no
// levels and sends nothing. Any other failure is an [*Error] matching
// stock.ErrUnknown.
func (c *Client) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	if err := q.Validate(); err != nil {
		return stock.Levels{}, err
	}
	cq := stock.Query{SKUs: distinct(q.SKUs), Locations: distinct(q.Locations)}
	if len(cq.SKUs) == 0 || len(cq.Locations) == 0 {
		return stock.Levels{}, nil
	}
	if err := ctx.Err(); err != nil {
		return stock.Levels{}, c.fail(0, 0, err)
	}
	ok, probe := c.breaker.allow()
	if !ok {
		return stock.Levels{}, c.fail(0, 0, ErrCircuitOpen)
	}
	levels, attempts, status, err := c.call(ctx, cq)
	switch {
	case err == nil:
		c.breaker.done(probe, succeeded)
		return levels, nil
	case ctx.Err() != nil:
		c.breaker.done(probe, neutral)
	default:
		c.breaker.done(probe, failed)
	}
	return stock.Levels{}, c.fail(attempts, status, err)
}

func (c *Client) fail(attempts, status int, err error) error {
	return &Error{Endpoint: c.redacted, Attempts: attempts, StatusCode: status, Err: err}
}

// attemptError is the failure of one attempt.
type attemptError struct {
	err    error
	status int
	retry  bool
}

// call runs the attempts of one call.
func (c *Client) call(ctx context.Context, q stock.Query) (stock.Levels, int, int, error) {
	for n := 1; ; n++ {
		levels, ae := c.attempt(ctx, q)
		if ae == nil {
			return levels, n, 0, nil
		}
		if ctx.Err() != nil || !ae.retry || n >= c.attempts {
			return stock.Levels{}, n, ae.status, ae.err
		}
		if err := sleep(ctx, c.backoff(n)); err != nil {
			return stock.Levels{}, n, ae.status, fmt.Errorf("%w while waiting to retry (last attempt: %w)", err, ae.err)
		}
	}
}

// backoff returns the wait after attempt n: a random duration in [d/2, d],
// d = min(base × 2^(n−1), cap).
func (c *Client) backoff(n int) time.Duration {
	d := c.base
	for i := 1; i < n && d < c.cap; i++ {
		d *= 2
	}
	d = min(d, c.cap)
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d-d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attempt sends one request and reads its answer.
func (c *Client) attempt(ctx context.Context, q stock.Query) (stock.Levels, *attemptError) {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()
	req, err := c.build(actx, *c.endpoint, q)
	if err != nil {
		return stock.Levels{}, &attemptError{err: fmt.Errorf("httpstock: building the request: %w", err)}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return stock.Levels{}, &attemptError{err: err, retry: isTimeout(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
		return stock.Levels{}, &attemptError{err: &StatusError{StatusCode: resp.StatusCode, Body: string(snippet)},
			status: resp.StatusCode, retry: resp.StatusCode >= 500}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return stock.Levels{}, &attemptError{err: fmt.Errorf("httpstock: reading the response body: %w", err),
			status: resp.StatusCode, retry: isTimeout(err)}
	}
	if int64(len(body)) > c.maxBody {
		return stock.Levels{}, &attemptError{err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, c.maxBody), status: resp.StatusCode}
	}
	levels, err := c.levels(body, q)
	if err != nil {
		return stock.Levels{}, &attemptError{err: err, status: resp.StatusCode}
	}
	return levels, nil
}

// levels decodes body and keeps the pairs that were asked for.
func (c *Client) levels(body []byte, q stock.Query) (stock.Levels, error) {
	ls, err := c.decode(body, q)
	if err != nil {
		if errors.Is(err, ErrMalformed) {
			return stock.Levels{}, err
		}
		return stock.Levels{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	kept := ls[:0:0]
	for _, l := range ls {
		if _, ok := slices.BinarySearch(q.SKUs, l.SKU); !ok {
			continue
		}
		if _, ok := slices.BinarySearch(q.Locations, l.LocationID); !ok {
			continue
		}
		kept = append(kept, l)
	}
	levels, err := stock.NewLevels(kept)
	if err != nil {
		return stock.Levels{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return levels, nil
}

// isTimeout reports a timeout of the attempt (its own deadline or a
// network timeout); the caller's context is checked separately.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// distinct returns the sorted distinct values of xs.
func distinct(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}
