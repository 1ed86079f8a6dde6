package basket_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// overheadJob is one Service.Recontextualize of a 10-line basket, moving
// it between the web and a store at every call (a real channel change:
// re-priced, promotions re-applied, stock re-planned, saved).
type overheadJob struct {
	f     *fixture
	id    uuid.UUID
	n     int
	run   func(ctx context.Context, f *fixture, id uuid.UUID, target channel.Context) (*basket.Basket, error)
	where [2]channel.Context
}

func newOverheadJob(b *testing.B, change ...func(*basket.Config)) *overheadJob {
	b.Helper()
	ctx := context.Background()
	f := newFixture(b, change...)
	bk := f.create(b, basketOwner, shopper)
	added := 0
	for _, it := range demo.Items() {
		if added == 10 || demo.Measured(it.SKU) != catalog.Each {
			continue
		}
		if _, err := f.svc.AddLine(ctx, shopper, bk.ID, line(it.SKU, 1)); err != nil {
			b.Fatal(err)
		}
		added++
	}
	if added < 10 {
		b.Fatalf("the demo has only %d items sold by the unit", added)
	}
	return &overheadJob{f: f, id: bk.ID, where: [2]channel.Context{demo.Store(demo.Bellecour, time.Time{}), demo.Web(time.Time{})},
		run: func(ctx context.Context, f *fixture, id uuid.UUID, target channel.Context) (*basket.Basket, error) {
			return f.svc.Recontextualize(ctx, shopper, id, target)
		}}
}

func (j *overheadJob) once(b *testing.B) {
	got, err := j.run(context.Background(), j.f, j.id, j.where[j.n%2])
	if err != nil {
		b.Fatal(err)
	}
	if got.Context.ChannelID != j.where[j.n%2].ChannelID {
		b.Fatalf("in %s, want %s", got.Context.ChannelID, j.where[j.n%2].ChannelID)
	}
	j.n++
}

// withSDK wires a real OpenTelemetry SDK: every span sampled and handed
// to an exporter (that drops it), every metric aggregated.
func withSDK(c *basket.Config) {
	c.Telemetry = basket.Telemetry{
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter())),
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
	}
}

// BenchmarkTelemetryOverhead measures Service.Recontextualize side by
// side in one run: "before" is the command run by the exec of the commit
// before telemetry (kept verbatim in telemetry_export_test.go), "nil" is
// today's Service with nothing configured, "sdk" is the same Service
// with a real SDK recording every span and metric. The interleaved loop
// reports ratio(nil/before), near 1 when a nil configuration costs
// nothing, and ratio(sdk/before); the sub-benchmarks report allocations
// (-benchmem), equal for before and nil.
func BenchmarkTelemetryOverhead(b *testing.B) {
	jobs := [3]func() *overheadJob{
		func() *overheadJob {
			j := newOverheadJob(b)
			j.run = func(ctx context.Context, f *fixture, id uuid.UUID, target channel.Context) (*basket.Basket, error) {
				return f.svc.RecontextualizeBeforeTelemetry(ctx, shopper, id, target)
			}
			return j
		},
		func() *overheadJob { return newOverheadJob(b) },
		func() *overheadJob { return newOverheadJob(b, withSDK) },
	}
	b.Run("interleaved", func(b *testing.B) {
		running := [3]*overheadJob{jobs[0](), jobs[1](), jobs[2]()}
		var spent [3]time.Duration
		for i := 0; b.Loop(); i++ {
			for k := range 3 { // rotated, so that no job always runs first
				j := (i + k) % 3
				start := time.Now()
				running[j].once(b)
				spent[j] += time.Since(start)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(spent[0].Nanoseconds())/n, "ns/op(before)")
		b.ReportMetric(float64(spent[1].Nanoseconds())/n, "ns/op(nil)")
		b.ReportMetric(float64(spent[2].Nanoseconds())/n, "ns/op(sdk)")
		b.ReportMetric(float64(spent[1])/float64(spent[0]), "ratio(nil/before)")
		b.ReportMetric(float64(spent[2])/float64(spent[0]), "ratio(sdk/before)")
	})
	// Each sub-benchmark starts on a basket of its own: a basket's history
	// grows with every call, so a shared one would charge the later
	// sub-benchmarks for the earlier ones' events.
	for k, name := range []string{"before", "nil", "sdk"} {
		b.Run(name, func(b *testing.B) {
			job := jobs[k]()
			b.ReportAllocs()
			for b.Loop() {
				job.once(b)
			}
		})
	}
}
