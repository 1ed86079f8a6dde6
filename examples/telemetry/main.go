// Command telemetry plays one omnichannel journey of the demo retailer
// (a basket started on the web, checked in at the Bellecour store, and
// ordered there) with the OpenTelemetry SDK wired around the basket
// service, the way a platform wires it: the library speaks only the
// OpenTelemetry API and log/slog; the program chooses the SDK and the
// exporters.
//
// The spans are written to stdout as JSON, one per line, as each ends
// (stdouttrace); the metrics follow when the meter provider shuts down
// (stdoutmetric). The Service's log goes to stderr as text, from Info
// up (Debug shows every command's outcome).
//
// Usage:
//
//	go run ./examples/telemetry                 # spans and metrics on stdout, log on stderr
//	go run ./examples/telemetry -log debug      # and a log line per command
//	go run ./examples/telemetry 2>/dev/null | jq -r 'select(.Name) | .Name'
//
// Swap the stdout exporters for OTLP ones (go.opentelemetry.io/otel/
// exporters/otlp/…) to send the same to a collector; nothing else changes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	level := flag.String("log", "info", "the lowest level logged: debug, info, warn or error")
	flag.Parse()
	var l slog.Level
	if err := l.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(os.Stderr, "telemetry:", err)
		os.Exit(2)
	}
	if err := run(os.Stdout, os.Stderr, l); err != nil {
		fmt.Fprintln(os.Stderr, "telemetry:", err)
		os.Exit(1)
	}
}

// run plays the journey with the SDK exporting to out and the Service
// logging to logs from level up.
func run(out, logs io.Writer, level slog.Level) (err error) {
	ctx := context.Background()
	res := resource.NewSchemaless(attribute.String("service.name", "omnibasket-demo"))

	spans, err := stdouttrace.New(stdouttrace.WithWriter(out))
	if err != nil {
		return err
	}
	// WithSyncer exports each span as it ends; a server uses WithBatcher.
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithResource(res))
	metrics, err := stdoutmetric.New(stdoutmetric.WithWriter(out))
	if err != nil {
		return err
	}
	// The periodic reader exports once more when the provider shuts down:
	// here, that is the only export.
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(time.Hour))),
		sdkmetric.WithResource(res))
	defer func() {
		// Shut the providers down (flushing what they hold) whatever
		// happened, and report their errors with the journey's.
		err = errors.Join(err, tp.Shutdown(ctx), mp.Shutdown(ctx))
	}()

	clk := newDemoClock(demo.Start())
	svc, err := newService(ctx, clk, basket.Telemetry{TracerProvider: tp, MeterProvider: mp},
		slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level})))
	if err != nil {
		return err
	}
	return journey(ctx, svc, clk)
}

// newService wires the demo retailer on the memory adapters, as
// demo.NewShop does, with the telemetry and the logger.
func newService(ctx context.Context, clk clock.Clock, tel basket.Telemetry, logger *slog.Logger) (*basket.Service, error) {
	cat, err := demo.Catalog()
	if err != nil {
		return nil, err
	}
	st := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		if err := st.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			return nil, err
		}
	}
	keys, err := handoff.NewKeyRing(handoff.Key{ID: "demo", Secret: handoff.NewSecret([]byte("demo-secret-demo-secret-demo-sec")),
		ActiveFrom: demo.Start().Add(-24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk})
	if err != nil {
		return nil, err
	}
	return basket.NewService(basket.Config{
		Store: memory.NewBasketStore(memory.WithLedger(st)), Prices: cat, Promotions: cat, Tax: cat, Stock: st,
		Locations: cat, Fees: cat, Clock: clk, Handoff: tokens, Retailer: demo.Retailer,
		Logger: logger, Telemetry: tel,
	})
}

// journey: Camille fills a basket on the web; at the Bellecour store she
// shows its QR code to Léa, who checks it in and places the order.
func journey(ctx context.Context, svc *basket.Service, clk *demoClock) error {
	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	lea := basket.Actor{Kind: basket.Associate, ID: "staff-lea", LocationID: demo.Bellecour}
	id := uuid.MustParse("5b0c3c1e-4f57-4a39-9d4e-0c1f3a7d2b11")
	if _, err := svc.Create(ctx, camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})}); err != nil {
		return err
	}
	for _, sku := range []string{"LAMP-DESK", "BULB-E27"} {
		clk.Advance(time.Minute)
		if _, err := svc.AddLine(ctx, camille, id, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)}); err != nil {
			return err
		}
	}
	if _, err := svc.AddCoupon(ctx, camille, id, "WELCOME10"); err != nil {
		return err
	}
	clk.Advance(2 * time.Hour)
	ticket, err := svc.IssueCheckIn(ctx, camille, id, basket.HandoffRequest{TTL: 10 * time.Minute})
	if err != nil {
		return err
	}
	clk.Advance(30 * time.Second)
	if _, err := svc.CheckIn(ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		return err
	}
	clk.Advance(3 * time.Minute)
	_, err = svc.PlaceOrder(ctx, lea, id)
	return err
}

// demoClock runs in real time from the demo's start, and jumps forward
// when the journey skips the time between its steps: the catalogue's
// dates hold, and the latencies the spans and metrics show are real.
type demoClock struct {
	start time.Time // the real time it started
	at    time.Time // the demo time it started at, plus the skips
}

func newDemoClock(at time.Time) *demoClock { return &demoClock{start: time.Now(), at: at} }

// Now implements clock.Clock.
func (c *demoClock) Now() time.Time { return c.at.Add(time.Since(c.start)) }

// Advance skips d (the journey is played by one goroutine).
func (c *demoClock) Advance(d time.Duration) { c.at = c.at.Add(d) }
