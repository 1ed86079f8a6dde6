package basket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/stock"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Telemetry is where a [Service] reports its traces and metrics, through
// the OpenTelemetry API only: the platform owns the SDK (exporters,
// sampling, resource) and the library never imports one. The zero value
// reports nothing and costs nothing: with no provider and no
// [Config.Logger], a command runs exactly the code it ran before
// telemetry existed, behind one nil check.
//
// The span, metric and attribute names are listed in
// docs/observability.md; they follow the command names of the
// idempotency records (add-line, check-in, place-order …), so a trace, a
// metric and a stored record of one command read alike.
type Telemetry struct {
	// TracerProvider receives a span per command, with child spans for the
	// snapshot, each provider call and each store read and write; nil
	// records no span.
	TracerProvider trace.TracerProvider
	// MeterProvider receives the command, provider and stock metrics; nil
	// records none.
	MeterProvider metric.MeterProvider
}

// InstrumentationName is the name of the tracer and the meter a
// [Service] asks its providers for: the instrumentation scope a
// collector filters on.
const InstrumentationName = "github.com/omnibasket/omnibasket/basket"

// The attribute keys. Metrics carry only the low-cardinality ones
// (command, channel kind, outcome, provider, error type): a basket ID or
// a store's channel ID on a metric would make one series per basket or
// per store.
const (
	attrCommand       = attribute.Key("omnibasket.command")
	attrBasketID      = attribute.Key("omnibasket.basket.id")
	attrBasketVersion = attribute.Key("omnibasket.basket.version")
	attrChannelID     = attribute.Key("omnibasket.channel.id")
	attrChannelKind   = attribute.Key("omnibasket.channel.kind")
	attrLocationID    = attribute.Key("omnibasket.location.id")
	attrActorKind     = attribute.Key("omnibasket.actor.kind")
	attrOutcome       = attribute.Key("omnibasket.outcome")
	attrAttempts      = attribute.Key("omnibasket.attempts")
	attrProvider      = attribute.Key("omnibasket.provider")
	attrEvents        = attribute.Key("omnibasket.events")
	attrSKUs          = attribute.Key("omnibasket.skus")
	attrStockUnknown  = attribute.Key("omnibasket.stock.unknown")
	attrMovementKind  = attribute.Key("omnibasket.movement.kind")
	attrHoldKind      = attribute.Key("omnibasket.hold.kind")
	attrErrorType     = attribute.Key("error.type") // OpenTelemetry semantic convention
)

// The outcomes of a command (and, with refused, of a provider call).
const (
	outcomeOK          = "ok"          // done
	outcomeReplayed    = "replayed"    // an idempotent retry answered from its record
	outcomeRejected    = "rejected"    // the caller's error: invalid, not found, forbidden …
	outcomeConflict    = "conflict"    // gave up after MaxAttempts version conflicts
	outcomeTimeout     = "timeout"     // the context's deadline passed
	outcomeCanceled    = "canceled"    // the caller went away
	outcomeUnavailable = "unavailable" // a provider failed the snapshot
	outcomeError       = "error"       // the platform's failure: store, configuration …
	outcomeRefused     = "refused"     // a provider refused (too few points, unknown voucher …)
)

// The span names of what a command does besides its own span, which is
// "basket." followed by the command name.
const (
	spanSnapshot  = "basket.snapshot"
	spanStoreGet  = "basket.store.get"
	spanStoreSave = "basket.store.save"
)

// The providers, as named on their spans ("basket.provider." + name) and
// metrics. personal marks those whose errors may quote an account or a
// code: their messages are never logged nor recorded on a span.
type providerName struct {
	span, name string
	personal   bool
}

var (
	provPrices          = providerName{"basket.provider.prices", "prices", false}
	provPromotions      = providerName{"basket.provider.promotions", "promotions", false}
	provTax             = providerName{"basket.provider.tax", "tax", false}
	provLocations       = providerName{"basket.provider.locations", "locations", false}
	provFees            = providerName{"basket.provider.fees", "fees", false}
	provStock           = providerName{"basket.provider.stock", "stock", false}
	provReservations    = providerName{"basket.provider.reservations", "reservations", false}
	provProducts        = providerName{"basket.provider.products", "products", false}
	provLoyaltyBalances = providerName{"basket.provider.loyalty.balances", "loyalty.balances", true}
	provLoyaltyReserve  = providerName{"basket.provider.loyalty.reserve", "loyalty.reserve", true}
	provLoyaltyRelease  = providerName{"basket.provider.loyalty.release", "loyalty.release", true}
	provLoyaltyCommit   = providerName{"basket.provider.loyalty.commit", "loyalty.commit", true}
	provLoyaltyCredit   = providerName{"basket.provider.loyalty.credit", "loyalty.credit", true}
	provVoucherBalances = providerName{"basket.provider.vouchers.balances", "vouchers.balances", true}
	provVoucherRedeem   = providerName{"basket.provider.vouchers.redeem", "vouchers.redeem", true}
	provVoucherReverse  = providerName{"basket.provider.vouchers.reverse", "vouchers.reverse", true}
)

// durationBuckets are the bounds, in seconds, of the latency histograms:
// the OpenTelemetry HTTP ones, which fit a command (a few milliseconds in
// memory, tens on PostgreSQL, seconds when a provider hangs).
var durationBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// observer is what a Service reports through; nil when neither a logger
// nor a provider is configured, so that the silent path is a nil check.
type observer struct {
	clk    clock.Clock
	log    *slog.Logger // nil: silent
	tracer trace.Tracer // nil: no spans
	m      *instruments // nil: no metrics
}

type instruments struct {
	commandDuration  metric.Float64Histogram
	retries          metric.Int64Counter
	providerDuration metric.Float64Histogram
	providerErrors   metric.Int64Counter
	movements        metric.Int64Counter
	expired          metric.Int64Counter
}

// newObserver builds the observer of cfg; nil when there is nothing to
// report to.
func newObserver(cfg Config) (*observer, error) {
	tel := cfg.Telemetry
	if cfg.Logger == nil && tel.TracerProvider == nil && tel.MeterProvider == nil {
		return nil, nil
	}
	o := &observer{clk: cfg.Clock, log: cfg.Logger}
	if tel.TracerProvider != nil {
		o.tracer = tel.TracerProvider.Tracer(InstrumentationName)
	}
	if tel.MeterProvider != nil {
		m, err := newInstruments(tel.MeterProvider.Meter(InstrumentationName))
		if err != nil {
			return nil, fmt.Errorf("%w: Config.Telemetry: %w", ErrInvalid, err)
		}
		o.m = m
	}
	return o, nil
}

func newInstruments(meter metric.Meter) (*instruments, error) {
	var m instruments
	var errs [6]error
	m.commandDuration, errs[0] = meter.Float64Histogram("omnibasket.command.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of Service commands, version-conflict re-runs and backoff included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	m.retries, errs[1] = meter.Int64Counter("omnibasket.command.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Commands run again on a fresh read after losing a version conflict."))
	m.providerDuration, errs[2] = meter.Float64Histogram("omnibasket.provider.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of calls to the Service's data sources."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	m.providerErrors, errs[3] = meter.Int64Counter("omnibasket.provider.errors", metric.WithUnit("{error}"),
		metric.WithDescription("Failed calls to the Service's data sources, timeouts included (refusals and cancellations are not failures)."))
	m.movements, errs[4] = meter.Int64Counter("omnibasket.stock.movements", metric.WithUnit("{movement}"),
		metric.WithDescription("Stock movements written with baskets: holds placed and released, units handed over, transferred, restocked."))
	m.expired, errs[5] = meter.Int64Counter("omnibasket.holds.expired", metric.WithUnit("{release}"),
		metric.WithDescription("Holds ended because their time passed: a cart's holds, an order's uncollected goods."))
	return &m, errors.Join(errs[:]...)
}

// instrument puts a tracing decorator around every data source of cfg
// but the stock provider and the reserver, which the Service compares by
// identity and instruments where it calls them (see [Service.Snapshot]).
func (o *observer) instrument(cfg *Config) {
	if o == nil {
		return
	}
	cfg.Prices = tracedPrices{o, cfg.Prices}
	cfg.Tax = tracedTax{o, cfg.Tax}
	cfg.Locations = tracedLocations{o, cfg.Locations}
	if cfg.Promotions != nil {
		cfg.Promotions = tracedPromotions{o, cfg.Promotions}
	}
	if cfg.Fees != nil {
		cfg.Fees = tracedFees{o, cfg.Fees}
	}
	if cfg.Products != nil {
		cfg.Products = tracedProducts{o, cfg.Products}
	}
	if cfg.Loyalty != nil {
		cfg.Loyalty = tracedLoyalty{o, cfg.Loyalty}
	}
	if cfg.Vouchers != nil {
		cfg.Vouchers = tracedVouchers{o, cfg.Vouchers}
	}
}

// commandObs follows one command: its span, its clock reading, the
// basket as last read (for its channel) and its attempts. The zero value
// (no observer) does nothing.
type commandObs struct {
	o        *observer
	ctx      context.Context
	span     trace.Span
	op       string
	id       uuid.UUID
	start    time.Time
	read     *Basket
	attempts int
	replayed bool
}

// command starts following a command on basket id (uuid.Nil when not
// known yet); ctx carries its span to what the command calls.
func (o *observer) command(ctx context.Context, op string, actor Actor, id uuid.UUID) (context.Context, commandObs) {
	if o == nil {
		return ctx, commandObs{}
	}
	c := commandObs{o: o, op: op, id: id, start: o.clk.Now()}
	if o.tracer != nil {
		ctx, c.span = o.tracer.Start(ctx, "basket."+op, trace.WithTimestamp(c.start),
			trace.WithAttributes(attrCommand.String(op), attrActorKind.String(actor.Kind.String())))
		if id != uuid.Nil {
			c.span.SetAttributes(attrBasketID.String(id.String()))
		}
	}
	c.ctx = ctx
	return ctx, c
}

// replay marks the command as answered from its idempotency record.
func (c *commandObs) replay() { c.replayed = true }

// get reads the basket an attempt runs on; from the second attempt on,
// the command is running again after a version conflict.
func (c *commandObs) get(ctx context.Context, st Store, id uuid.UUID) (*Basket, error) {
	if c.o == nil {
		return st.Get(ctx, id)
	}
	c.attempts++
	if c.attempts > 1 {
		c.o.retried(c)
	}
	ctx, call := c.o.startStore(ctx, spanStoreGet)
	b, err := st.Get(ctx, id)
	call.endStore(err)
	if err == nil {
		c.read = b
	}
	return b, err
}

// save writes an attempt's outcome.
func (c *commandObs) save(ctx context.Context, st Store, w Write) error {
	if c.o == nil {
		return st.Save(ctx, w)
	}
	c.attempts = max(c.attempts, 1)
	if c.read == nil {
		c.read = w.Basket
	}
	ctx, call := c.o.startStore(ctx, spanStoreSave,
		attrEvents.Int(len(w.Events)), attrBasketVersion.Int64(w.Basket.Version))
	err := st.Save(ctx, w)
	call.endStore(err)
	switch {
	case err == nil:
		c.o.written(ctx, w)
	case errors.Is(err, ErrVersionConflict) && c.span != nil:
		c.span.AddEvent("version conflict", trace.WithAttributes(attrAttempts.Int(c.attempts)))
	}
	return err
}

func (o *observer) retried(c *commandObs) {
	if o.m != nil {
		o.m.retries.Add(c.ctx, 1, metric.WithAttributes(attrCommand.String(c.op)))
	}
	if o.log != nil {
		o.log.LogAttrs(c.ctx, slog.LevelWarn, "basket: version conflict, running the command again on a fresh read",
			slog.String("command", c.op), slog.String("basket", c.id.String()), slog.Int("attempt", c.attempts))
	}
}

// written counts the stock movements and the hold expiries of a write
// that was saved.
func (o *observer) written(ctx context.Context, w Write) {
	if o.m == nil {
		return
	}
	if w.Stock != nil {
		for _, mv := range w.Stock.Movements {
			o.m.movements.Add(ctx, 1, metric.WithAttributes(attrMovementKind.String(mv.Kind.String())))
		}
	}
	for _, e := range w.Events {
		kind := ""
		switch e.Type {
		case EventHoldsReleased:
			kind = "cart"
		case EventFulfilmentReleased:
			kind = "fulfilment"
		default:
			continue
		}
		var why struct {
			Reason string `json:"reason"`
		}
		if json.Unmarshal(e.Data, &why) == nil && why.Reason == "expired" {
			o.m.expired.Add(ctx, 1, metric.WithAttributes(attrHoldKind.String(kind)))
		}
	}
}

// end reports the command's outcome: the span's attributes and status,
// the latency metric and one log record.
func (c *commandObs) end(out *Basket, err error) {
	o := c.o
	if o == nil {
		return
	}
	elapsed := o.clk.Now().Sub(c.start)
	outcome, errType := classify(err)
	if err == nil && c.replayed {
		outcome = outcomeReplayed
	}
	b := out
	if b == nil {
		b = c.read
	}
	var where channel.Context
	if b != nil {
		where = b.Context
		if c.id == uuid.Nil {
			c.id = b.ID
		}
	}
	if c.span != nil {
		attrs := []attribute.KeyValue{attrOutcome.String(outcome)}
		if c.id != uuid.Nil {
			attrs = append(attrs, attrBasketID.String(c.id.String()))
		}
		if where.ChannelID != "" {
			attrs = append(attrs, attrChannelID.String(where.ChannelID), attrChannelKind.String(where.Kind.String()))
		}
		if where.LocationID != "" {
			attrs = append(attrs, attrLocationID.String(where.LocationID))
		}
		if c.attempts > 0 {
			attrs = append(attrs, attrAttempts.Int(c.attempts))
		}
		if out != nil {
			attrs = append(attrs, attrBasketVersion.Int64(out.Version))
		}
		if errType != "" {
			attrs = append(attrs, attrErrorType.String(errType))
		}
		c.span.SetAttributes(attrs...)
		if failed(outcome) {
			c.span.SetStatus(codes.Error, errType)
		}
		c.span.End(trace.WithTimestamp(c.start.Add(elapsed)))
	}
	if o.m != nil {
		attrs := []attribute.KeyValue{attrCommand.String(c.op), attrOutcome.String(outcome)}
		if where.ChannelID != "" {
			attrs = append(attrs, attrChannelKind.String(where.Kind.String()))
		}
		o.m.commandDuration.Record(c.ctx, elapsed.Seconds(), metric.WithAttributes(attrs...))
	}
	if o.log != nil {
		level := slog.LevelDebug
		msg := "basket: command"
		switch outcome {
		case outcomeConflict:
			level, msg = slog.LevelWarn, "basket: command gave up after version conflicts"
		case outcomeTimeout, outcomeUnavailable:
			level, msg = slog.LevelWarn, "basket: command failed upstream"
		case outcomeError:
			level, msg = slog.LevelError, "basket: command failed"
		}
		// No actor ID and no error message: a shopper's ID is a customer
		// ID, and a message may quote an account or a code. The error type
		// and the basket ID lead to the rest.
		attrs := []slog.Attr{slog.String("command", c.op), slog.String("basket", c.id.String()),
			slog.String("channel", where.ChannelID), slog.String("outcome", outcome)}
		if errType != "" {
			attrs = append(attrs, slog.String("error_type", errType))
		}
		attrs = append(attrs, slog.Int("attempts", c.attempts), slog.Duration("duration", elapsed))
		o.log.LogAttrs(c.ctx, level, msg, attrs...)
	}
}

// failed reports whether an outcome is the platform's failure, marked as
// an error on the span; a caller's mistake is not (as a 4xx is not a
// server span's error in OpenTelemetry's HTTP conventions).
func failed(outcome string) bool {
	switch outcome {
	case outcomeOK, outcomeReplayed, outcomeRejected, outcomeCanceled, outcomeRefused:
		return false
	}
	return true
}

// rejections name the caller's errors, most specific first (a kind
// before the kinds it wraps); the names are those of the HTTP API's
// problem types.
var rejections = []struct {
	err  error
	name string
}{
	{ErrStaleVersion, "stale-version"},
	{ErrIdempotencyMismatch, "idempotency-key-reused"},
	{ErrIdempotencyKeyUsed, "idempotency-key-in-use"},
	{ErrQuoteFrozen, "quote-frozen"},
	{ErrAlreadyPaid, "already-paid"},
	{ErrImmutable, "immutable"},
	{ErrInvalidTransition, "invalid-transition"},
	{ErrNotFound, "not-found"},
	{ErrUnknownLine, "unknown-line"},
	{ErrNoOverride, "no-override"},
	{ErrUnknownTender, "unknown-tender"},
	{ErrForbidden, "forbidden"},
	{ErrApprovalRequired, "approval-required"},
	{ErrAlreadyExists, "already-exists"},
	{ErrDuplicateCoupon, "duplicate-coupon"},
	{ErrNotOrderable, "not-orderable"},
	{ErrNotPayable, "not-payable"},
	{ErrNotReturnable, "not-returnable"},
	{ErrReturnWindowClosed, "return-window-closed"},
	{ErrFulfilmentState, "fulfilment-state"},
	{ErrPriceLabel, "price-label"},
	{ErrMeasuredGoods, "measured-goods"},
	{ErrMeasureTooPrecise, "measure-too-precise"},
	{ErrFractionalQuantity, "fractional-quantity"},
	{ErrUnitMismatch, "unit-mismatch"},
	{ErrProductMismatch, "product-mismatch"},
	{handoff.ErrTooManyCodes, "too-many-short-codes"},
	{handoff.ErrRejected, "token-rejected"},
	{stock.ErrInsufficientStock, "out-of-stock"},
	{catalog.ErrUnknownProduct, "unknown-product"},
	{catalog.ErrInvalidBarcode, "invalid-barcode"},
	{loyalty.ErrInsufficientPoints, "insufficient-points"},
	{payment.ErrInsufficientBalance, "insufficient-balance"},
	{payment.ErrNotRedeemable, "voucher-not-redeemable"},
	{payment.ErrUnknownCode, "voucher-unknown"},
	{ErrInvalid, "invalid"},
}

// classify names a command's outcome and, when it failed, the kind of
// error (error.type): a stable kind for the errors the library knows,
// else the Go type of the innermost error.
func classify(err error) (outcome, errType string) {
	switch {
	case err == nil:
		return outcomeOK, ""
	case errors.Is(err, context.DeadlineExceeded):
		return outcomeTimeout, "timeout"
	case errors.Is(err, context.Canceled):
		return outcomeCanceled, "canceled"
	case errors.Is(err, ErrVersionConflict):
		return outcomeConflict, "version-conflict"
	case errors.Is(err, ErrSnapshot):
		return outcomeUnavailable, "snapshot-incomplete"
	case errors.Is(err, ErrNotConfigured):
		return outcomeError, "not-configured"
	}
	for _, r := range rejections {
		if errors.Is(err, r.err) {
			return outcomeRejected, r.name
		}
	}
	if _, ok := errors.AsType[*InputError](err); ok {
		return outcomeRejected, "invalid"
	}
	return outcomeError, typeName(err)
}

// refusals are a provider's answers that are not its failure.
var refusals = []error{
	loyalty.ErrInsufficientPoints, loyalty.ErrNotFound, loyalty.ErrConflict, loyalty.ErrClosed, loyalty.ErrNotBurnable,
	payment.ErrUnknownCode, payment.ErrNotRedeemable, payment.ErrInsufficientBalance, payment.ErrRedemptionConflict,
	payment.ErrUnknownRedemption, payment.ErrReversed,
}

// classifyCall names the outcome of a provider or store call.
func classifyCall(err error) (outcome, errType string) {
	switch {
	case err == nil:
		return outcomeOK, ""
	case errors.Is(err, context.DeadlineExceeded):
		return outcomeTimeout, "timeout"
	case errors.Is(err, context.Canceled):
		return outcomeCanceled, "canceled"
	}
	for _, r := range refusals {
		if errors.Is(err, r) {
			return outcomeRefused, "refused"
		}
	}
	return outcomeError, typeName(err)
}

// typeName is the Go type of the innermost error of err's chain.
func typeName(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return fmt.Sprintf("%T", err)
		}
		err = next
	}
}

// callObs follows one call a command makes: to a provider, to the store,
// or the whole snapshot. The zero value does nothing.
type callObs struct {
	o     *observer
	ctx   context.Context
	span  trace.Span
	prov  providerName // zero for the store and the snapshot
	name  string       // the span's name
	start time.Time
}

func (o *observer) startCall(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, callObs) {
	c := callObs{o: o, name: name, start: o.clk.Now()}
	if o.tracer != nil {
		ctx, c.span = o.tracer.Start(ctx, name, trace.WithTimestamp(c.start), trace.WithAttributes(attrs...))
	}
	c.ctx = ctx
	return ctx, c
}

// provider starts a call to a data source.
func (o *observer) provider(ctx context.Context, p providerName) (context.Context, callObs) {
	if o == nil {
		return ctx, callObs{}
	}
	ctx, c := o.startCall(ctx, p.span, attrProvider.String(p.name))
	c.prov = p
	return ctx, c
}

func (o *observer) startStore(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, callObs) {
	return o.startCall(ctx, name, attrs...)
}

// endProvider reports a provider call: span, latency, errors, and a log
// record when it failed.
func (c callObs) endProvider(err error) {
	o := c.o
	if o == nil {
		return
	}
	elapsed := o.clk.Now().Sub(c.start)
	outcome, errType := classifyCall(err)
	if c.span != nil {
		c.span.SetAttributes(attrOutcome.String(outcome))
		if errType != "" {
			c.span.SetAttributes(attrErrorType.String(errType))
		}
		if failed(outcome) {
			if !c.prov.personal {
				c.span.RecordError(err)
			}
			c.span.SetStatus(codes.Error, errType)
		}
		c.span.End(trace.WithTimestamp(c.start.Add(elapsed)))
	}
	if o.m != nil {
		o.m.providerDuration.Record(c.ctx, elapsed.Seconds(),
			metric.WithAttributes(attrProvider.String(c.prov.name), attrOutcome.String(outcome)))
		if outcome == outcomeTimeout || outcome == outcomeError {
			o.m.providerErrors.Add(c.ctx, 1, metric.WithAttributes(attrProvider.String(c.prov.name), attrErrorType.String(errType)))
		}
	}
	if o.log != nil && failed(outcome) {
		attrs := []slog.Attr{slog.String("provider", c.prov.name), slog.String("error_type", errType), slog.Duration("duration", elapsed)}
		if !c.prov.personal {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		o.log.LogAttrs(c.ctx, slog.LevelError, "basket: provider call failed", attrs...)
	}
}

// endStore reports a store call; a version conflict or a missing basket
// is an answer, not a failure.
func (c callObs) endStore(err error) {
	o := c.o
	end := o.clk.Now()
	outcome, errType := classifyCall(err)
	switch {
	case errors.Is(err, ErrVersionConflict):
		outcome, errType = outcomeConflict, "version-conflict"
	case err != nil && outcome == outcomeError:
		if kind, t := classify(err); kind == outcomeRejected {
			outcome, errType = kind, t
		}
	}
	if c.span != nil {
		c.span.SetAttributes(attrOutcome.String(outcome))
		if errType != "" {
			c.span.SetAttributes(attrErrorType.String(errType))
		}
		if outcome == outcomeError || outcome == outcomeTimeout {
			c.span.RecordError(err)
			c.span.SetStatus(codes.Error, errType)
		}
		c.span.End(trace.WithTimestamp(end))
	}
	if o.log != nil && outcome == outcomeError {
		o.log.LogAttrs(c.ctx, slog.LevelError, "basket: store call failed", slog.String("call", c.name),
			slog.String("error_type", errType), slog.String("error", err.Error()))
	}
}

// snapshot starts following the gathering of a snapshot.
func (o *observer) snapshot(ctx context.Context, target channel.Context, skus int) (context.Context, callObs) {
	if o == nil {
		return ctx, callObs{}
	}
	return o.startCall(ctx, spanSnapshot, attrChannelID.String(target.ChannelID), attrSKUs.Int(skus))
}

// endSnapshot ends the snapshot's span; stockUnknown says that the stock
// provider failed and the pricing goes on without stock.
func (c callObs) endSnapshot(err error, stockUnknown bool) {
	if c.span == nil {
		return
	}
	if stockUnknown {
		c.span.SetAttributes(attrStockUnknown.Bool(true))
	}
	if err != nil {
		outcome, errType := classify(err)
		c.span.SetAttributes(attrOutcome.String(outcome), attrErrorType.String(errType))
		if failed(outcome) {
			c.span.SetStatus(codes.Error, errType)
		}
	}
	c.span.End(trace.WithTimestamp(c.o.clk.Now()))
}
