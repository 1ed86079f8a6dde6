package httpstock

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// DefaultMaxEntries is the default bound of [CacheOptions.MaxEntries].
const DefaultMaxEntries = 100_000

// CacheOptions configure a [Cache].
type CacheOptions struct {
	// TTL is how long a level is served without asking the upstream
	// again; it must be positive.
	TTL time.Duration
	// MaxStale is the oldest a served level may ever be. From TTL up to
	// MaxStale (inclusive) a level is served only when the upstream fails
	// to refresh it. 0 means that no level older than the TTL is ever
	// served; otherwise it must be at least TTL.
	MaxStale time.Duration
	// MaxEntries bounds the number of SKU × location pairs remembered;
	// default [DefaultMaxEntries]. Past it, the entries too old to be
	// served go first, then arbitrary ones.
	MaxEntries int
	// Clock tells the age of entries; nil means clock.System.
	Clock clock.Clock
	// MeterProvider receives the cache's metrics through the
	// OpenTelemetry API (lookups by result, age of the levels served; see
	// docs/observability.md); nil records none.
	MeterProvider metric.MeterProvider
	// Logger is told, at Warn, when levels older than the TTL are served
	// because the upstream failed, and when nothing could be served; nil
	// is silent.
	Logger *slog.Logger
}

// Cache is a caching decorator around any [stock.Provider]; it is itself a
// stock.Provider, safe for concurrent use.
//
// Each SKU × location pair is remembered with the time its upstream call
// started — known levels and unknown pairs alike, so that a pair the
// upstream does not know is not asked for again and again. A query whose
// pairs are all younger than the TTL is answered from memory. Otherwise the
// pairs that are not fresh are fetched in one upstream call (for the SKUs
// and locations they involve), and concurrent callers needing the same
// fetch share one upstream call. If that call fails, pairs remembered for
// at most MaxStale are served instead and the others are unknown; the
// failure is reported by [Cache.Lookup] in [Answer.Err], and returned as
// the error only when nothing at all can be served. An entry whose time is
// after the clock's (the clock went backwards) counts as too old.
type Cache struct {
	upstream      stock.Provider
	ttl, maxStale time.Duration
	maxEntries    int
	clk           clock.Clock

	mu      sync.Mutex
	entries map[pairKey]entry

	flight flight[fetched]

	hits, misses, calls, stale atomic.Int64

	// lookups and staleness are nil without a MeterProvider; log is nil
	// without a Logger.
	lookups   metric.Int64Counter
	staleness metric.Float64Histogram
	log       *slog.Logger
}

type pairKey struct{ sku, loc string }

// entry is a remembered pair: its level (SKU and LocationID always set)
// and whether it is known.
type entry struct {
	level stock.Level
	known bool
	at    time.Time
}

// fetched is the result of one shared fetch: the entries of its query.
type fetched struct {
	entries    map[pairKey]entry
	leaderGone bool // the caller who ran the fetch gave up (its context ended)
}

var _ stock.Provider = (*Cache)(nil)

// NewCache decorates upstream. Invalid options give an error matching
// [ErrConfig].
func NewCache(upstream stock.Provider, opts CacheOptions) (*Cache, error) {
	switch {
	case upstream == nil:
		return nil, fmt.Errorf("%w: no upstream provider", ErrConfig)
	case opts.TTL <= 0:
		return nil, fmt.Errorf("%w: TTL must be positive", ErrConfig)
	case opts.MaxStale != 0 && opts.MaxStale < opts.TTL:
		return nil, fmt.Errorf("%w: MaxStale %s is below TTL %s", ErrConfig, opts.MaxStale, opts.TTL)
	case opts.MaxEntries < 0:
		return nil, fmt.Errorf("%w: MaxEntries is negative", ErrConfig)
	}
	c := &Cache{upstream: upstream, ttl: opts.TTL, maxStale: opts.MaxStale,
		maxEntries: cmpOr(opts.MaxEntries, DefaultMaxEntries), clk: opts.Clock, entries: make(map[pairKey]entry)}
	if c.clk == nil {
		c.clk = clock.System{}
	}
	if err := c.instrument(opts); err != nil {
		return nil, err
	}
	return c, nil
}

// CacheInstrumentationName is the instrumentation scope of the cache's
// meter.
const CacheInstrumentationName = "github.com/omnibasket/omnibasket/adapters/httpstock"

// The results of a lookup, as the omnibasket.cache.result attribute says
// them.
const (
	resultHit    = "hit"    // answered from memory alone
	resultMiss   = "miss"   // the upstream refreshed what was not fresh
	resultStale  = "stale"  // the upstream failed; levels older than the TTL served
	resultFailed = "failed" // the upstream failed and nothing could be served
)

var attrResult = attribute.Key("omnibasket.cache.result")

func (c *Cache) instrument(opts CacheOptions) error {
	c.log = opts.Logger
	if opts.MeterProvider == nil {
		return nil
	}
	meter := opts.MeterProvider.Meter(CacheInstrumentationName)
	var err1, err2 error
	c.lookups, err1 = meter.Int64Counter("omnibasket.stock.cache.lookups", metric.WithUnit("{lookup}"),
		metric.WithDescription("Stock cache lookups, by result: hit, miss, stale, failed."))
	c.staleness, err2 = meter.Float64Histogram("omnibasket.stock.cache.staleness", metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest level of each answer the stock cache served."),
		metric.WithExplicitBucketBoundaries(0, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%w: MeterProvider: %w", ErrConfig, err)
	}
	return nil
}

// report records a lookup's result and, when levels were served, the age
// of the oldest.
func (c *Cache) report(ctx context.Context, result string, a Answer, upstreamErr error) {
	if c.lookups != nil {
		attrs := metric.WithAttributes(attrResult.String(result))
		c.lookups.Add(ctx, 1, attrs)
		if len(a.ages) > 0 {
			c.staleness.Record(ctx, a.Oldest().Seconds(), attrs)
		}
	}
	if c.log != nil && (result == resultStale || result == resultFailed) {
		c.log.LogAttrs(ctx, slog.LevelWarn, "httpstock: upstream failed, serving what the cache holds",
			slog.String("result", result), slog.Int("levels", a.Levels.Len()), slog.Duration("oldest", a.Oldest()),
			slog.String("error_type", errorType(upstreamErr)))
	}
}

// errorType names an upstream failure without its message (which may
// quote the endpoint's URL, query string included).
func errorType(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{context.DeadlineExceeded, "timeout"}, {context.Canceled, "canceled"}, {ErrCircuitOpen, "circuit-open"},
		{ErrStatus, "status"}, {ErrMalformed, "malformed"}, {ErrTooLarge, "too-large"}, {ErrConfig, "config"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return fmt.Sprintf("%T", err) // the innermost error's type
}

// LevelAge is the age of one served level.
type LevelAge struct {
	// SKU and LocationID name the pair.
	SKU, LocationID string
	// FetchedAt is when the upstream call that produced the level started.
	FetchedAt time.Time
	// Age is Answer.AsOf − FetchedAt.
	Age time.Duration
}

// Answer is the cache's answer to a query: the levels and how old each is.
type Answer struct {
	// Levels are the served levels; unknown pairs are absent.
	Levels stock.Levels
	// AsOf is the cache clock's time of the answer.
	AsOf time.Time
	// Stale is true when at least one level is older than the TTL (served
	// because the upstream failed).
	Stale bool
	// Err is the upstream failure behind a stale or partial answer; nil
	// when the upstream answered or was not needed.
	Err error

	ages []LevelAge // sorted by SKU, then location
}

// Age returns the age of the level of sku at location; false when the pair
// is not in the answer.
func (a Answer) Age(sku, location string) (time.Duration, bool) {
	i, ok := slices.BinarySearchFunc(a.ages, pairKey{sku, location}, func(x LevelAge, k pairKey) int {
		return cmp.Or(cmp.Compare(x.SKU, k.sku), cmp.Compare(x.LocationID, k.loc))
	})
	if !ok {
		return 0, false
	}
	return a.ages[i].Age, true
}

// Ages returns the age of every level of the answer, sorted by SKU, then
// location.
func (a Answer) Ages() []LevelAge { return slices.Clone(a.ages) }

// Oldest returns the age of the oldest level of the answer (0 when empty).
func (a Answer) Oldest() time.Duration {
	var m time.Duration
	for _, x := range a.ages {
		m = max(m, x.Age)
	}
	return m
}

// CacheStats count what a [Cache] did since it was built.
type CacheStats struct {
	// Hits are queries answered from memory alone.
	Hits int64
	// Misses are queries with pairs that were not fresh in memory.
	Misses int64
	// UpstreamCalls are the calls made to the upstream.
	UpstreamCalls int64
	// Shared are fetches that waited for another caller's upstream call
	// instead of making their own.
	Shared int64
	// StaleAnswers are answers served from memory after an upstream failure.
	StaleAnswers int64
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	return CacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), UpstreamCalls: c.calls.Load(),
		Shared: c.flight.joined.Load(), StaleAnswers: c.stale.Load()}
}

// Levels implements [stock.Provider]; see [Cache.Lookup].
func (c *Cache) Levels(ctx context.Context, q stock.Query) (stock.Levels, error) {
	a, err := c.Lookup(ctx, q)
	return a.Levels, err
}

// Lookup answers q with the age of every level. An invalid query is
// refused with an error matching stock.ErrInvalid. The upstream's error is
// returned when the caller's context ended or when no pair of the query
// can be served from memory; otherwise a failed refresh gives an answer
// from memory with [Answer.Err] set.
func (c *Cache) Lookup(ctx context.Context, q stock.Query) (Answer, error) {
	if err := q.Validate(); err != nil {
		return Answer{}, err
	}
	skus, locs := distinct(q.SKUs), distinct(q.Locations)
	now := c.clk.Now()
	if len(skus) == 0 || len(locs) == 0 {
		return Answer{AsOf: now}, nil
	}
	served := make([]entry, 0, len(skus)*len(locs))
	var missing []pairKey
	c.mu.Lock()
	for _, sku := range skus {
		for _, loc := range locs {
			if e, ok := c.entries[pairKey{sku, loc}]; ok && c.fresh(e, now) {
				served = append(served, e)
			} else {
				missing = append(missing, pairKey{sku, loc})
			}
		}
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		c.hits.Add(1)
		a, err := c.answer(served, now, nil)
		if err == nil {
			c.report(ctx, resultHit, a, nil)
		}
		return a, err
	}
	c.misses.Add(1)
	f, err := c.fetch(ctx, missingQuery(missing))
	now = c.clk.Now()
	if err == nil {
		for _, p := range missing {
			if e, ok := f.entries[p]; ok {
				served = append(served, e)
			}
		}
		a, err := c.answer(served, now, nil)
		if err == nil {
			c.report(ctx, resultMiss, a, nil)
		}
		return a, err
	}
	if ctx.Err() != nil || errors.Is(err, stock.ErrInvalid) {
		return Answer{}, err
	}
	c.mu.Lock()
	for _, p := range missing {
		if e, ok := c.entries[p]; ok && c.usable(e, now) {
			served = append(served, e)
		}
	}
	c.mu.Unlock()
	if len(served) == 0 {
		c.report(ctx, resultFailed, Answer{}, err)
		return Answer{}, err
	}
	c.stale.Add(1)
	a, aerr := c.answer(served, now, err)
	if aerr == nil {
		c.report(ctx, resultStale, a, err)
	}
	return a, aerr
}

func (c *Cache) fresh(e entry, now time.Time) bool {
	age := now.Sub(e.at)
	return age >= 0 && age < c.ttl
}

// usable: the entry may be served, fresh or within MaxStale.
func (c *Cache) usable(e entry, now time.Time) bool {
	age := now.Sub(e.at)
	return age >= 0 && (age < c.ttl || age <= c.maxStale)
}

// answer builds the answer from the served entries, dropping any that is
// too old by now.
func (c *Cache) answer(served []entry, now time.Time, upstreamErr error) (Answer, error) {
	a := Answer{AsOf: now, Err: upstreamErr}
	levels := make([]stock.Level, 0, len(served))
	for _, e := range served {
		if !e.known || !c.usable(e, now) {
			continue
		}
		age := now.Sub(e.at)
		levels = append(levels, e.level)
		a.ages = append(a.ages, LevelAge{SKU: e.level.SKU, LocationID: e.level.LocationID, FetchedAt: e.at, Age: age})
		a.Stale = a.Stale || age >= c.ttl
	}
	slices.SortFunc(a.ages, func(x, y LevelAge) int {
		return cmp.Or(cmp.Compare(x.SKU, y.SKU), cmp.Compare(x.LocationID, y.LocationID))
	})
	var err error
	if a.Levels, err = stock.NewLevels(levels); err != nil {
		return Answer{}, err
	}
	return a, nil
}

// missingQuery is the query covering the missing pairs (sorted by SKU,
// then location): their SKUs × their locations.
func missingQuery(missing []pairKey) stock.Query {
	var q stock.Query
	for _, p := range missing {
		if n := len(q.SKUs); n == 0 || q.SKUs[n-1] != p.sku {
			q.SKUs = append(q.SKUs, p.sku)
		}
		q.Locations = append(q.Locations, p.loc)
	}
	q.Locations = distinct(q.Locations)
	return q
}

// fetch asks the upstream for q, sharing the call with concurrent callers
// of the same query; when another fetch has refreshed every pair of q in
// the meantime, the upstream is not called. A caller whose shared fetch
// failed only because its runner gave up tries again (at most three times).
func (c *Cache) fetch(ctx context.Context, q stock.Query) (fetched, error) {
	key := queryKey(q)
	for try := 0; ; try++ {
		f, err, shared := c.flight.do(ctx, key, func() (fetched, error) {
			if es, ok := c.freshEntries(q); ok {
				return fetched{entries: es}, nil
			}
			c.calls.Add(1)
			at := c.clk.Now()
			levels, err := c.upstream.Levels(ctx, q)
			if err != nil {
				return fetched{leaderGone: ctx.Err() != nil}, err
			}
			return fetched{entries: c.store(q, levels, at)}, nil
		})
		if shared && err != nil && f.leaderGone && ctx.Err() == nil && try < 3 {
			continue
		}
		return f, err
	}
}

// queryKey encodes a query unambiguously.
func queryKey(q stock.Query) string {
	var b strings.Builder
	for _, xs := range [][]string{q.SKUs, q.Locations} {
		b.WriteString(strconv.Itoa(len(xs)))
		b.WriteByte('|')
		for _, x := range xs {
			b.WriteString(strconv.Itoa(len(x)))
			b.WriteByte(':')
			b.WriteString(x)
		}
	}
	return b.String()
}

// freshEntries returns the entries of every pair of q when all are fresh.
func (c *Cache) freshEntries(q stock.Query) (map[pairKey]entry, bool) {
	now := c.clk.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[pairKey]entry, len(q.SKUs)*len(q.Locations))
	for _, sku := range q.SKUs {
		for _, loc := range q.Locations {
			e, ok := c.entries[pairKey{sku, loc}]
			if !ok || !c.fresh(e, now) {
				return nil, false
			}
			out[pairKey{sku, loc}] = e
		}
	}
	return out, true
}

// store remembers every pair of q, known or not, unless a newer entry is
// already there, then enforces MaxEntries. It returns the entries of q.
func (c *Cache) store(q stock.Query, levels stock.Levels, at time.Time) map[pairKey]entry {
	out := make(map[pairKey]entry, len(q.SKUs)*len(q.Locations))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, sku := range q.SKUs {
		for _, loc := range q.Locations {
			p := pairKey{sku, loc}
			l, known := levels.Get(sku, loc)
			if !known {
				l = stock.Level{SKU: sku, LocationID: loc}
			}
			e := entry{level: l, known: known, at: at}
			out[p] = e
			if old, ok := c.entries[p]; ok && old.at.After(at) {
				continue
			}
			c.entries[p] = e
		}
	}
	if len(c.entries) <= c.maxEntries {
		return out
	}
	now := c.clk.Now()
	for p, e := range c.entries {
		if !c.usable(e, now) {
			delete(c.entries, p)
		}
	}
	for p := range c.entries {
		if len(c.entries) <= c.maxEntries*9/10 {
			break
		}
		delete(c.entries, p)
	}
	return out
}
