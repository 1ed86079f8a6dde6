package httpstock_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

func TestCacheMetricsAndLogs(t *testing.T) {
	ctx := context.Background()
	up := &upstream{store: newStore(level("a", "x", 3), level("b", "x", 5))}
	clk := clock.NewFake(stocktest.Epoch)
	reader := sdkmetric.NewManualReader()
	var logs bytes.Buffer
	c, err := httpstock.NewCache(up, httpstock.CacheOptions{TTL: 10 * time.Second, MaxStale: time.Minute, Clock: clk,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		Logger:        slog.New(slog.NewJSONHandler(&logs, nil))})
	require.NoError(t, err)
	a := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	ab := stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x"}}

	_, err = c.Levels(ctx, a) // miss: fetched, age 0
	require.NoError(t, err)
	clk.Advance(4 * time.Second)
	_, err = c.Levels(ctx, a) // hit, age 4 s
	require.NoError(t, err)
	up.failing.Store(true)
	clk.Advance(26 * time.Second)
	_, err = c.Levels(ctx, ab) // a served 30 s old, b unknown
	require.NoError(t, err)
	_, err = c.Levels(ctx, stock.Query{SKUs: []string{"b"}, Locations: []string{"x"}}) // nothing to serve
	require.ErrorIs(t, err, errDown)

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	require.Len(t, rm.ScopeMetrics, 1)
	assert.Equal(t, httpstock.CacheInstrumentationName, rm.ScopeMetrics[0].Scope.Name)
	lookups := map[string]int64{}
	type ages struct {
		n   uint64
		sum float64
	}
	staleness := map[string]ages{}
	for _, m := range rm.ScopeMetrics[0].Metrics {
		switch d := m.Data.(type) {
		case metricdata.Sum[int64]:
			require.Equal(t, "omnibasket.stock.cache.lookups", m.Name)
			for _, dp := range d.DataPoints {
				v, _ := dp.Attributes.Value(attribute.Key("omnibasket.cache.result"))
				lookups[v.AsString()] = dp.Value
			}
		case metricdata.Histogram[float64]:
			require.Equal(t, "omnibasket.stock.cache.staleness", m.Name)
			assert.Equal(t, "s", m.Unit)
			for _, dp := range d.DataPoints {
				v, _ := dp.Attributes.Value(attribute.Key("omnibasket.cache.result"))
				staleness[v.AsString()] = ages{dp.Count, dp.Sum}
			}
		}
	}
	assert.Equal(t, map[string]int64{"miss": 1, "hit": 1, "stale": 1, "failed": 1}, lookups)
	assert.Equal(t, map[string]ages{"miss": {1, 0}, "hit": {1, 4}, "stale": {1, 30}}, staleness)
	s := c.Stats()
	assert.Equal(t, lookups["hit"], s.Hits, "the metrics agree with Stats")
	assert.Equal(t, lookups["stale"], s.StaleAnswers)

	out := logs.String()
	assert.Equal(t, 2, strings.Count(out, `"level":"WARN"`), out)
	assert.Contains(t, out, `"result":"stale","levels":1,"oldest":30000000000,"error_type":"*errors.errorString"`)
	assert.Contains(t, out, `"result":"failed"`)
}
