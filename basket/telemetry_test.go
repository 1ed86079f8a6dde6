package basket_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// rig is an in-memory OpenTelemetry SDK and a JSON log, wired into a
// fixture's Service.
type rig struct {
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	logs   bytes.Buffer
}

func newRig() *rig {
	return &rig{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
}

func (r *rig) wire(c *basket.Config) {
	c.Telemetry = basket.Telemetry{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans)),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader)),
	}
	c.Logger = slog.New(slog.NewJSONHandler(&r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// roots returns the ended spans without a parent, named name, in order.
func (r *rig) roots(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Name() == name && !s.Parent().IsValid() {
			out = append(out, s)
		}
	}
	return out
}

// children returns the names of the spans whose parent is p, sorted.
func (r *rig) children(p sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range r.spans.Ended() {
		if s.Parent().SpanID() == p.SpanContext().SpanID() {
			out = append(out, s.Name())
		}
	}
	slices.Sort(out)
	return out
}

// child returns the spans named name whose parent is p, in end order.
func (r *rig) child(p sdktrace.ReadOnlySpan, name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if s.Parent().SpanID() == p.SpanContext().SpanID() && s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	for _, kv := range s.Attributes() {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// collect reads every metric once.
func (r *rig) collect(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, basket.InstrumentationName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func set(kv ...string) attribute.Set {
	var a []attribute.KeyValue
	for i := 0; i < len(kv); i += 2 {
		a = append(a, attribute.String(kv[i], kv[i+1]))
	}
	return attribute.NewSet(a...)
}

// counter returns the counter's value for exactly the attribute set.
func counter(t *testing.T, ms map[string]metricdata.Aggregation, name string, want attribute.Set) int64 {
	t.Helper()
	sum, ok := ms[name].(metricdata.Sum[int64])
	require.True(t, ok, "%s is an int64 counter", name)
	for _, dp := range sum.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Value
		}
	}
	return 0
}

// histogram returns the count and sum of the histogram for exactly the
// attribute set.
func histogram(t *testing.T, ms map[string]metricdata.Aggregation, name string, want attribute.Set) (uint64, float64) {
	t.Helper()
	h, ok := ms[name].(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a float64 histogram", name)
	for _, dp := range h.DataPoints {
		if dp.Attributes.Equals(&want) {
			return dp.Count, dp.Sum
		}
	}
	return 0, 0
}

// slowPrices is the demo catalogue's prices, answered in 20 ms of the
// fake clock: the latencies the metrics report are then exact.
type slowPrices struct {
	src pricing.PriceSource
	clk *clock.Fake
}

const priceLatency = 20 * time.Millisecond

func (s slowPrices) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	s.clk.Advance(priceLatency)
	return s.src.Prices(ctx, q)
}

func withSlowPrices(c *basket.Config) { c.Prices = slowPrices{c.Prices, c.Clock.(*clock.Fake)} }

func TestTelemetryTracesEveryCommandWithItsCalls(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	f := newFixture(t, withSlowPrices, r.wire)
	b := f.create(t, basketOwner, shopper)
	b, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 2))
	require.NoError(t, err)
	b, err = f.svc.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, time.Time{}))
	require.NoError(t, err)

	snapshotCalls := []string{"basket.provider.fees", "basket.provider.locations", "basket.provider.prices",
		"basket.provider.promotions", "basket.provider.tax"}
	created := r.roots("basket.create")
	require.Len(t, created, 1)
	assert.Equal(t, []string{"basket.snapshot", "basket.store.save"}, r.children(created[0]), "a new basket is not read")
	snap := r.child(created[0], "basket.snapshot")[0]
	assert.Equal(t, snapshotCalls, r.children(snap), "an empty basket needs no stock")

	added := r.roots("basket.add-line")
	require.Len(t, added, 1)
	assert.Equal(t, []string{"basket.snapshot", "basket.store.get", "basket.store.save"}, r.children(added[0]))
	snap = r.child(added[0], "basket.snapshot")[0]
	assert.Equal(t, sortedCopy(append(slices.Clone(snapshotCalls), "basket.provider.stock")), r.children(snap))
	assert.Equal(t, map[string]any{"omnibasket.channel.id": "web", "omnibasket.skus": int64(1)}, attrs(snap))

	moved := r.roots("basket.recontextualize")
	require.Len(t, moved, 1)
	assert.Equal(t, map[string]any{
		"omnibasket.command":        "recontextualize",
		"omnibasket.actor.kind":     "shopper",
		"omnibasket.basket.id":      b.ID.String(),
		"omnibasket.outcome":        "ok",
		"omnibasket.channel.id":     "store-" + demo.Bellecour,
		"omnibasket.channel.kind":   "store",
		"omnibasket.location.id":    demo.Bellecour,
		"omnibasket.attempts":       int64(1),
		"omnibasket.basket.version": b.Version,
	}, attrs(moved[0]), "the channel the command served the basket in")
	assert.Equal(t, codes.Unset, moved[0].Status().Code)
	assert.Equal(t, priceLatency, moved[0].EndTime().Sub(moved[0].StartTime()), "spans are timed by the Service's clock")
	save := r.child(moved[0], "basket.store.save")[0]
	assert.Equal(t, map[string]any{"omnibasket.events": int64(1), "omnibasket.basket.version": b.Version, "omnibasket.outcome": "ok"},
		attrs(save), "one event, the basket priced in its new context")
	traces := map[[16]byte]bool{}
	for _, s := range r.spans.Ended() {
		traces[s.SpanContext().TraceID()] = true
	}
	assert.Len(t, traces, 3, "one trace per command")

	ms := r.collect(t)
	for _, tc := range []struct {
		command, kind string
	}{{"create", "web"}, {"add-line", "web"}, {"recontextualize", "store"}} {
		n, sum := histogram(t, ms, "omnibasket.command.duration",
			set("omnibasket.command", tc.command, "omnibasket.outcome", "ok", "omnibasket.channel.kind", tc.kind))
		assert.Equal(t, uint64(1), n, tc.command)
		assert.InDelta(t, priceLatency.Seconds(), sum, 1e-12, "%s: one price call", tc.command)
	}
	n, sum := histogram(t, ms, "omnibasket.provider.duration", set("omnibasket.provider", "prices", "omnibasket.outcome", "ok"))
	assert.Equal(t, uint64(3), n)
	assert.InDelta(t, 3*priceLatency.Seconds(), sum, 1e-12)
	n, _ = histogram(t, ms, "omnibasket.provider.duration", set("omnibasket.provider", "stock", "omnibasket.outcome", "ok"))
	assert.Equal(t, uint64(2), n, "add-line and recontextualize read stock")

	logs := r.logs.String()
	assert.NotContains(t, logs, "cust-42", "no customer ID in the log")
	assert.Equal(t, 3, strings.Count(logs, `"msg":"basket: command"`), logs)
	assert.Contains(t, logs, `"command":"recontextualize","basket":"`+b.ID.String()+`","channel":"store-lyon-bellecour","outcome":"ok"`)
}

func sortedCopy(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// racedStore lets a rival write the basket between a command's read and
// its first save: a real version conflict, from a second Service on the
// same store.
type racedStore struct {
	basket.Store
	rival func()
	raced atomic.Bool
}

func (s *racedStore) Save(ctx context.Context, w basket.Write) error {
	if s.rival != nil && !s.raced.Swap(true) {
		s.rival()
	}
	return s.Store.Save(ctx, w)
}

func TestTelemetryReportsAVersionConflictRetry(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	raced := &racedStore{}
	var rival *basket.Service
	f := newFixture(t, func(c *basket.Config) {
		raced.Store = c.Store
		rivalCfg := *c
		var err error
		rival, err = basket.NewService(rivalCfg)
		require.NoError(t, err)
		c.Store = raced
		c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	}, r.wire)
	b := f.create(t, basketOwner, shopper)
	raced.rival = func() {
		_, err := rival.AddCoupon(ctx, shopper, b.ID, "WELCOME10")
		require.NoError(t, err)
	}
	b, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	require.Len(t, b.Wallet.Coupons, 1, "the re-run saw the rival's coupon")

	added := r.roots("basket.add-line")
	require.Len(t, added, 1)
	a := attrs(added[0])
	assert.Equal(t, int64(2), a["omnibasket.attempts"])
	assert.Equal(t, "ok", a["omnibasket.outcome"])
	require.Len(t, added[0].Events(), 1)
	assert.Equal(t, "version conflict", added[0].Events()[0].Name)
	assert.Len(t, r.child(added[0], "basket.store.get"), 2, "read again")
	saves := r.child(added[0], "basket.store.save")
	require.Len(t, saves, 2)
	assert.Equal(t, "conflict", attrs(saves[0])["omnibasket.outcome"])
	assert.Equal(t, codes.Unset, saves[0].Status().Code, "a lost race is an answer, not a failure")
	assert.Equal(t, "ok", attrs(saves[1])["omnibasket.outcome"])

	ms := r.collect(t)
	assert.Equal(t, int64(1), counter(t, ms, "omnibasket.command.retries", set("omnibasket.command", "add-line")))
	assert.Contains(t, r.logs.String(), `"level":"WARN","msg":"basket: version conflict, running the command again on a fresh read","command":"add-line"`)
}

func TestTelemetryReportsAGiveUp(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	cs := &conflictingStore{}
	f := newFixture(t, func(c *basket.Config) {
		cs.Store, c.Store, c.MaxAttempts = c.Store, cs, 3
		c.Backoff.Sleep = func(context.Context, time.Duration) error { return nil }
	}, r.wire)
	b := f.create(t, basketOwner, shopper)
	cs.conflicts.Store(1000)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.ErrorIs(t, err, basket.ErrVersionConflict)

	added := r.roots("basket.add-line")
	require.Len(t, added, 1)
	a := attrs(added[0])
	assert.Equal(t, "conflict", a["omnibasket.outcome"])
	assert.Equal(t, "version-conflict", a["error.type"])
	assert.Equal(t, int64(3), a["omnibasket.attempts"])
	assert.Equal(t, codes.Error, added[0].Status().Code)
	ms := r.collect(t)
	assert.Equal(t, int64(2), counter(t, ms, "omnibasket.command.retries", set("omnibasket.command", "add-line")), "3 attempts, 2 re-runs")
	n, _ := histogram(t, ms, "omnibasket.command.duration", set("omnibasket.command", "add-line", "omnibasket.outcome", "conflict", "omnibasket.channel.kind", "web"))
	assert.Equal(t, uint64(1), n)
	assert.Contains(t, r.logs.String(), `"level":"WARN","msg":"basket: command gave up after version conflicts","command":"add-line"`)
}

// downPrices is a price service that is down, or that hangs until the
// caller's deadline.
type downPrices struct{ hang bool }

func (d downPrices) Prices(ctx context.Context, _ pricing.PriceQuery) ([]pricing.Price, error) {
	if d.hang {
		<-ctx.Done()
		return nil, fmt.Errorf("price service: %w", ctx.Err())
	}
	return nil, errors.New("price service: 503 Service Unavailable")
}

func TestTelemetryReportsProviderErrorsAndTimeouts(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	var prices pricing.PriceSource
	switchable := priceSwitch{&prices}
	f := newFixture(t, func(c *basket.Config) { prices, c.Prices = c.Prices, switchable }, r.wire)
	b := f.create(t, basketOwner, shopper)

	prices = downPrices{}
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.ErrorIs(t, err, basket.ErrSnapshot)
	prices = downPrices{hang: true}
	short, cancel := context.WithTimeout(ctx, 5*time.Millisecond)
	defer cancel()
	_, err = f.svc.AddLine(short, shopper, b.ID, line("LAMP-ARC", 1))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	added := r.roots("basket.add-line")
	require.Len(t, added, 2)
	for i, want := range []struct{ outcome, errType, callType string }{
		{"unavailable", "snapshot-incomplete", "*errors.errorString"},
		{"timeout", "timeout", "timeout"},
	} {
		a := attrs(added[i])
		assert.Equal(t, want.outcome, a["omnibasket.outcome"])
		assert.Equal(t, want.errType, a["error.type"])
		assert.Equal(t, codes.Error, added[i].Status().Code)
		assert.Equal(t, []string{"basket.snapshot", "basket.store.get"}, r.children(added[i]), "nothing saved")
		snap := r.child(added[i], "basket.snapshot")[0]
		assert.Equal(t, codes.Error, snap.Status().Code)
		call := r.child(snap, "basket.provider.prices")
		require.Len(t, call, 1)
		assert.Equal(t, codes.Error, call[0].Status().Code)
		assert.Equal(t, want.callType, attrs(call[0])["error.type"])
	}
	assert.Equal(t, "price service: 503 Service Unavailable", r.child(r.child(added[0], "basket.snapshot")[0], "basket.provider.prices")[0].Events()[0].Attributes[1].Value.AsString(),
		"the price service's message is recorded on its span")

	ms := r.collect(t)
	assert.Equal(t, int64(1), counter(t, ms, "omnibasket.provider.errors", set("omnibasket.provider", "prices", "error.type", "*errors.errorString")))
	assert.Equal(t, int64(1), counter(t, ms, "omnibasket.provider.errors", set("omnibasket.provider", "prices", "error.type", "timeout")))
	logs := r.logs.String()
	assert.Contains(t, logs, `"level":"ERROR","msg":"basket: provider call failed","provider":"prices","error_type":"*errors.errorString"`)
	assert.Contains(t, logs, `"error":"price service: 503 Service Unavailable"`)
	assert.Contains(t, logs, `"level":"WARN","msg":"basket: command failed upstream","command":"add-line"`)
}

// priceSwitch is a price source the test swaps while the Service runs.
type priceSwitch struct{ src *pricing.PriceSource }

func (p priceSwitch) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	return (*p.src).Prices(ctx, q)
}

// downStock is a stock service that is down.
type downStock struct{}

func (downStock) Levels(context.Context, stock.Query) (stock.Levels, error) {
	return stock.Levels{}, errors.New("stock service: connection refused")
}

func TestTelemetryMarksASnapshotWithoutStock(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	f := newFixture(t, func(c *basket.Config) { c.Stock = downStock{} }, r.wire)
	b := f.create(t, basketOwner, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err, "priced without stock")

	added := r.roots("basket.add-line")
	require.Len(t, added, 1)
	assert.Equal(t, "ok", attrs(added[0])["omnibasket.outcome"])
	snap := r.child(added[0], "basket.snapshot")[0]
	assert.Equal(t, true, attrs(snap)["omnibasket.stock.unknown"])
	assert.Equal(t, codes.Error, r.child(snap, "basket.provider.stock")[0].Status().Code)
	assert.Equal(t, int64(1), counter(t, r.collect(t), "omnibasket.provider.errors", set("omnibasket.provider", "stock", "error.type", "*errors.errorString")))
}

func TestTelemetryCountsHoldsAndExpiries(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	f := newFixture(t, func(c *basket.Config) {
		c.Store = memory.NewBasketStore(memory.WithLedger(c.Stock.(*memory.StockStore)))
	}, r.wire)
	b, err := f.svc.Create(ctx, shopper, basket.CreateRequest{ID: uuid.New(), Owner: basketOwner, Context: demo.WebCollect(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 2))
	require.NoError(t, err)
	b, err = f.svc.Hold(ctx, shopper, b.ID, f.clk.Now().Add(time.Hour))
	require.NoError(t, err)
	require.NotNil(t, b.Holds)
	locations := map[string]bool{}
	for _, h := range b.Holds.Lines {
		locations[h.LocationID] = true
	}

	f.clk.Advance(2 * time.Hour)
	b, err = f.svc.Expire(ctx, basket.Actor{Kind: basket.System, ID: "sweeper"}, b.ID)
	require.NoError(t, err)
	assert.Nil(t, b.Holds)

	ms := r.collect(t)
	assert.Equal(t, int64(len(locations)), counter(t, ms, "omnibasket.stock.movements", set("omnibasket.movement.kind", "hold")),
		"one hold per location")
	assert.Equal(t, int64(1), counter(t, ms, "omnibasket.holds.expired", set("omnibasket.hold.kind", "cart")))
	assert.Equal(t, int64(0), counter(t, ms, "omnibasket.holds.expired", set("omnibasket.hold.kind", "fulfilment")))
}

func TestTelemetryOfRejectedAndReplayedCommands(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	f := newFixture(t, r.wire)
	b := f.create(t, basketOwner, shopper)
	stranger := basket.Actor{Kind: basket.Shopper, ID: "cust-77"}
	_, err := f.svc.AddLine(ctx, stranger, b.ID, line("LAMP-ARC", 1))
	require.ErrorIs(t, err, basket.ErrNotFound)
	for range 2 {
		_, err = f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1), basket.WithIdempotencyKey("k-1"))
		require.NoError(t, err)
	}

	added := r.roots("basket.add-line")
	require.Len(t, added, 3)
	a := attrs(added[0])
	assert.Equal(t, "rejected", a["omnibasket.outcome"])
	assert.Equal(t, "not-found", a["error.type"])
	assert.Equal(t, codes.Unset, added[0].Status().Code, "the caller's mistake is not the service's error")
	assert.Equal(t, "ok", attrs(added[1])["omnibasket.outcome"])
	assert.Equal(t, "replayed", attrs(added[2])["omnibasket.outcome"])
	assert.Empty(t, r.children(added[2]), "answered from the record")
	assert.NotContains(t, r.logs.String(), "cust-77")
}

func TestTelemetryTracesTheSourcesOutsideTheSnapshot(t *testing.T) {
	// The decorators are the Service's own: a source given to the Service
	// is traced wherever it is called, and keeps answering the same.
	ctx := context.Background()
	r := newRig()
	products, err := memory.NewProducts(demo.Products()...)
	require.NoError(t, err)
	f := newFixture(t, func(c *basket.Config) { c.Products = products }, r.wire)
	b := f.create(t, basketOwner, shopper)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1})
	require.NoError(t, err)
	added := r.roots("basket.add-line")
	require.Len(t, added, 1)
	assert.Contains(t, r.children(added[0]), "basket.provider.products")
}

func TestSilentByDefault(t *testing.T) {
	// Nothing configured: nothing is reported anywhere and the commands
	// behave the same (the fixture's other tests run this way).
	r := newRig()
	f := newFixture(t)
	b := f.create(t, basketOwner, shopper)
	_, err := f.svc.AddLine(context.Background(), shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	assert.Empty(t, r.spans.Ended())
	assert.Zero(t, r.logs.Len())
}

func TestNoLibraryPackageDependsOnTheOpenTelemetrySDK(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "github.com/omnibasket/omnibasket/...")
	cmd.Dir = ".."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var checked, api int
	for row := range strings.Lines(string(out)) {
		fields := strings.Fields(row)
		pkg, deps := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "github.com/omnibasket/omnibasket/examples/") {
			continue // examples/telemetry wires the SDK on purpose
		}
		checked++
		for _, d := range deps {
			assert.False(t, strings.HasPrefix(d, "go.opentelemetry.io/otel/sdk") || strings.HasPrefix(d, "go.opentelemetry.io/otel/exporters"),
				"%s depends on %s: only examples and tests may use the SDK", pkg, d)
			if pkg == "github.com/omnibasket/omnibasket/basket" && d == "go.opentelemetry.io/otel/trace" {
				api++
			}
		}
	}
	assert.Greater(t, checked, 20, "the module's packages were listed")
	assert.Equal(t, 1, api, "basket uses the OpenTelemetry API (the check looks at the right list)")
}

// ExampleTelemetry wires an OpenTelemetry SDK (here in memory) into a
// Service: a span per command, with a child per store call and provider
// call.
func ExampleTelemetry() {
	cat, _ := demo.Catalog()
	clk := clock.NewFake(demo.Start())
	spans := tracetest.NewSpanRecorder()
	svc, err := basket.NewService(basket.Config{
		Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat,
		Stock: memory.NewStockStore(clk), Clock: clk,
		Telemetry: basket.Telemetry{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	b, err := svc.Create(context.Background(), shopper, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Web(time.Time{})})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.AddLine(context.Background(), shopper, b.ID, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1, Product: demo.Product("LAMP-ARC")}); err != nil {
		fmt.Println(err)
		return
	}
	depth := map[[8]byte]int{}
	started := spans.Started()
	for _, s := range started {
		if s.Parent().IsValid() {
			depth[s.SpanContext().SpanID()] = depth[s.Parent().SpanID()] + 1
		}
	}
	for _, s := range started {
		if s.Parent().IsValid() && depth[s.SpanContext().SpanID()] == 0 {
			continue
		}
		fmt.Printf("%s%s\n", strings.Repeat("  ", depth[s.SpanContext().SpanID()]), s.Name())
	}
	// Output:
	// basket.create
	//   basket.snapshot
	//     basket.provider.prices
	//     basket.provider.promotions
	//     basket.provider.tax
	//     basket.provider.locations
	//     basket.provider.fees
	//   basket.store.save
	// basket.add-line
	//   basket.store.get
	//   basket.snapshot
	//     basket.provider.prices
	//     basket.provider.promotions
	//     basket.provider.tax
	//     basket.provider.locations
	//     basket.provider.fees
	//     basket.provider.stock
	//   basket.store.save
}

// ExampleConfig_logger logs what a Service does with log/slog: here every
// command at Debug, as JSON without the time, to show the fields (no
// customer ID among them).
func ExampleConfig_logger() {
	cat, _ := demo.Catalog()
	clk := clock.NewFake(demo.Start())
	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	svc, err := basket.NewService(basket.Config{
		Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat,
		Stock: memory.NewStockStore(clk), Clock: clk, Logger: logger,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := uuid.MustParse("7f3c9a52-1d7e-4c1a-9a0e-2b6c2f1e9d01")
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	if _, err := svc.Create(context.Background(), shopper, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Web(time.Time{})}); err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.SetQuantity(context.Background(), shopper, id, "L0009", 2)
	fmt.Println(errors.Is(err, basket.ErrUnknownLine))
	var rec map[string]any
	for line := range strings.Lines(out.String()) {
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(rec["level"], rec["command"], rec["channel"], rec["outcome"], rec["error_type"])
	}
	// Output:
	// true
	// DEBUG create web ok <nil>
	// DEBUG set-quantity web rejected unknown-line
}

func TestTelemetryCoversACheckInFromItsToken(t *testing.T) {
	ctx := context.Background()
	r := newRig()
	f := newFixture(t, withHandoff(t), r.wire)
	b := f.create(t, basketOwner, shopper)
	assoc := associateAt(demo.Bellecour)
	forged := basket.CheckInRequest{Token: "not-a-token", Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}
	_, err := f.svc.CheckIn(ctx, assoc, forged)
	require.Error(t, err)
	ticket, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	require.NoError(t, err)
	req := basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}
	for range 2 {
		_, err = f.svc.CheckIn(ctx, assoc, req, basket.WithIdempotencyKey("scan-1"))
		require.NoError(t, err)
	}

	spans := r.roots("basket.check-in")
	require.Len(t, spans, 3, "a refused token, the check-in and its retry each have their span")
	assert.Equal(t, "rejected", attrs(spans[0])["omnibasket.outcome"])
	assert.NotContains(t, attrs(spans[0]), "omnibasket.basket.id", "a forged token names no basket")
	assert.Empty(t, r.children(spans[0]), "refused before any read")
	ok := attrs(spans[1])
	assert.Equal(t, "ok", ok["omnibasket.outcome"])
	assert.Equal(t, b.ID.String(), ok["omnibasket.basket.id"], "the basket the token named")
	assert.Equal(t, "store-"+demo.Bellecour, ok["omnibasket.channel.id"])
	assert.Contains(t, r.children(spans[1]), "basket.store.save")
	assert.Equal(t, "replayed", attrs(spans[2])["omnibasket.outcome"])
	assert.Empty(t, r.children(spans[2]), "answered from the idempotency record")
}
