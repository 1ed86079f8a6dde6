package basket

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// PromotionSource returns the compiled promotions that may apply in a
// context (typically one Set per channel, compiled when promotions change).
// The set holds every promotion the context admits and every coupon
// promotion whatever its scope, so that a code not honoured here is
// reported as such, not as unknown; nil means none. basket/sourcetest
// checks an implementation.
type PromotionSource interface {
	Promotions(ctx context.Context, c channel.Context) (*promotion.Set, error)
}

// TaxSource returns the tax table of a zone. It never answers nil: an
// unknown zone gives a table without rules for it.
type TaxSource interface {
	TaxTable(ctx context.Context, zone string) (*pricing.TaxTable, error)
}

// LocationSource describes stock locations (kind, modes, lead times):
// the known locations among ids, in the order of ids; unknown ones are
// left out.
type LocationSource interface {
	Locations(ctx context.Context, ids []string) ([]stock.Location, error)
}

// FeeSource returns the fulfilment fees of a channel, in a fixed order
// (the first fee of a mode is charged); none for a channel without fees.
type FeeSource interface {
	Fees(ctx context.Context, c channel.Context) ([]FeeRule, error)
}

// Config wires a [Service]. Store, Prices, Tax, Stock and Locations are
// required; Promotions and Fees are optional.
type Config struct {
	Store      Store
	Prices     pricing.PriceSource
	Promotions PromotionSource
	Tax        TaxSource
	Stock      stock.Provider
	Locations  LocationSource
	Fees       FeeSource
	// Clock stamps commands and sets the as-of time of every pricing;
	// clock.System{} in production, a *clock.Fake in tests.
	Clock clock.Clock
	// MaxAttempts bounds how often a command is run on a fresh read when
	// other writers keep changing the basket under it ([DefaultMaxAttempts]
	// when 0).
	MaxAttempts int
	// Backoff spaces those re-runs, so that writers racing on one basket
	// spread out instead of colliding again.
	Backoff Backoff
	// CheckpointEvery is how many events apart the Service asks the store
	// to keep a copy of a basket ([DefaultCheckpointEvery] when 0): an
	// idempotent retry rebuilds its answer from the nearest copy and at
	// most that many events, however long the history.
	CheckpointEvery int
	// Options is the default pricing options (tax rounding, rounding mode).
	Options Options
	// Reservations, when set, lets a basket's own stock reservations count
	// as available to it when it is priced and sourced (a held unit is the
	// shopper's, not a shortage).
	Reservations stock.Reserver
	// Handoff issues and redeems check-in tokens and override approvals;
	// nil disables check-in and approvals.
	Handoff *handoff.Service
	// Overrides says which staff roles may override a line's price, by how
	// much without a manager's approval, for which reasons, and what
	// becomes of an override when the basket leaves the store (see
	// [OverridePolicy]); the zero value allows no override.
	Overrides OverridePolicy
	// Retailer is the audience of this service's tokens.
	Retailer string
	// GrantTTL is how long a check-in grant lasts ([DefaultGrantTTL] when 0).
	GrantTTL time.Duration
	// Quotes says who may issue quotes and how long their price lock may
	// last; the zero value is the default (see [QuotePolicy]).
	Quotes QuotePolicy
	// Orders configures the product flow after pricing: collection and
	// shipping windows, the return window, document numbering, where
	// returns are restocked (see [OrderPolicy]).
	Orders OrderPolicy
	// Vouchers is the platform's store of gift cards and vouchers:
	// [Service.AddTender] reads their balances there and [Service.Pay]
	// redeems them there. Nil refuses such tenders ([ErrNotConfigured]).
	Vouchers payment.VoucherSource
	// Products, when set, is the catalogue: [Service.AddLine] looks the SKU
	// up (one call) and refuses an unknown one (an [*InputError] whose Kind
	// is a [*catalog.UnknownProductError]), so a typo on a tablet is an
	// error, not an unpriced line. The line's snapshot (name, categories,
	// tax category) comes from the catalogue when the caller leaves it
	// empty; a snapshot the caller filled must equal the catalogue's
	// ([ErrProductMismatch] otherwise: the till is showing stale data).
	// Products sold by measure (kg, m …) are added by [NewLine.Measure],
	// converted to the catalogue's unit; a count of them is refused with
	// [ErrMeasuredGoods]. [Service.Scan] needs it. Nil keeps AddLine
	// trusting the caller's snapshot.
	Products catalog.ProductSource
	// Barcodes reads the retailer's variable-measure labels for
	// [Service.Scan]; nil reads every code as a plain GTIN.
	Barcodes *catalog.Decoder
	// Loyalty is the platform's loyalty ledger: every pricing of a basket
	// with an account reads its balance and tier there (one call), an
	// order reserves the points it burns there, payment commits them and
	// credits what was earned, a return gives its share back. Nil prices
	// with the wallet's tier and burns nothing.
	Loyalty loyalty.LoyaltySource
	// LoyaltyScheme is the compiled loyalty programme (earn rules, tiers,
	// burn policy); nil earns and burns nothing.
	LoyaltyScheme *loyalty.Scheme
	// Logger receives what an operator needs to know: commands given up
	// after version conflicts and re-runs at Warn, provider and store
	// failures at Error, every command's outcome at Debug; never a
	// customer ID, an account or a code. Nil is silent.
	Logger *slog.Logger
	// Telemetry receives a span per command and the Service's metrics
	// through the OpenTelemetry API (see docs/observability.md); the zero
	// value reports nothing and costs nothing.
	Telemetry Telemetry
}

// Service is the shell around the pure core: it loads a basket, checks the
// actor's grant, runs the command, gathers a Snapshot with one batched call
// per provider, prices the basket with [Recontextualize] and saves basket
// and events with a version check. On a version conflict it re-runs the
// whole command on a fresh read (never replaying a stale diff), up to
// MaxAttempts times. It is safe for concurrent use.
type Service struct {
	cfg   Config
	turns *turns
	// ledger is the store's stock ledger (nil: the store keeps none, and
	// orders route without holding stock).
	ledger stock.Ledger
	// holds lists every basket's holds, to net an on-hand provider of
	// them (nil when the reserver cannot list them).
	holds stock.HoldLister
	// obs reports to Config.Logger and Config.Telemetry (nil: neither).
	obs *observer
}

// NewService checks the configuration and returns a service.
func NewService(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, invalid("Config.Store", "required")
	case cfg.Prices == nil:
		return nil, invalid("Config.Prices", "required")
	case cfg.Tax == nil:
		return nil, invalid("Config.Tax", "required")
	case cfg.Stock == nil:
		return nil, invalid("Config.Stock", "required")
	case cfg.Locations == nil:
		return nil, invalid("Config.Locations", "required")
	case cfg.Clock == nil:
		return nil, invalid("Config.Clock", "required (clock.System{} in production)")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	cfg.Backoff = cfg.Backoff.withDefaults()
	cfg.Orders = cfg.Orders.withDefaults()
	if err := cfg.Overrides.validate(); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, turns: newTurns()}
	if ls, ok := cfg.Store.(LedgerStore); ok {
		s.ledger = ls.Ledger()
	}
	if s.ledger != nil && cfg.Reservations == nil {
		s.cfg.Reservations = s.ledger
	}
	s.holds, _ = s.cfg.Reservations.(stock.HoldLister)
	obs, err := newObserver(cfg)
	if err != nil {
		return nil, err
	}
	s.obs = obs
	obs.instrument(&s.cfg)
	return s, nil
}

// DefaultMaxAttempts is [Config.MaxAttempts] when unset: with the default
// [Backoff], 16 writers hammering one basket on PostgreSQL all get through.
const DefaultMaxAttempts = 24

// DefaultCheckpointEvery is [Config.CheckpointEvery] when unset.
const DefaultCheckpointEvery = 128

// CallOption tunes one Service call.
type CallOption func(*call)

type call struct {
	key       string
	policy    Policy
	policySet bool
	ifVersion int64
	ifSet     bool
}

// WithIdempotencyKey makes the call idempotent: a retry with the same key
// and the same command returns the first outcome without applying it
// again; the same key with a different command fails with
// [ErrIdempotencyMismatch].
func WithIdempotencyKey(key string) CallOption { return func(c *call) { c.key = key } }

// WithPolicy sets the transition policy of the pricing done by this call.
// The policy sticks: later calls without WithPolicy keep the basket's last
// one, so a shopper protected at check-out stays protected at ordering.
func WithPolicy(p Policy) CallOption { return func(c *call) { c.policy, c.policySet = p, true } }

// WithIfVersion makes the call conditional on the basket's version, the
// way HTTP's If-Match is: when the basket is not at version v the call
// changes nothing and fails with a [*StaleVersionError] (matching
// [ErrStaleVersion]). Unlike a version conflict between concurrent
// writers, which the Service resolves by re-running the command, a stale
// version means the caller decided on a state that no longer exists, so
// only the caller can decide again. An idempotent retry is answered from
// its record before the check, so a retried conditional call still
// replays its first outcome.
func WithIfVersion(v int64) CallOption { return func(c *call) { c.ifVersion, c.ifSet = v, true } }

func (c *call) policyPtr() *Policy {
	if !c.policySet {
		return nil
	}
	p := c.policy
	return &p
}

// tx is one attempt of one command.
type tx struct {
	s      *Service
	ctx    context.Context
	m      Meta
	policy *Policy // nil: keep the basket's last policy
	events []Event
	also   []Write
	stock  *stock.Change
	docs   []Document
	// ordering marks the pricing an order is placed with (see
	// [LoyaltySnapshot.Reserving]).
	ordering bool
	// undo reverses what the attempt did at a source before its write,
	// should the write be known not to happen.
	undo []func(context.Context)
}

// reprice prices b in target (as of the command time) and records it.
func (t *tx) reprice(b *Basket, target channel.Context) error {
	_, _, err := t.repriceWith(b, target)
	return err
}

// repriceWith is reprice returning what the pricing used: the snapshot
// and the options (an order keeps them as its terms).
func (t *tx) repriceWith(b *Basket, target channel.Context) (Snapshot, Options, error) {
	target = target.Clone()
	target.AsOf = t.m.At
	if err := t.endOverrides(b, target); err != nil {
		return Snapshot{}, Options{}, err
	}
	snap, err := t.s.Snapshot(t.ctx, b, target)
	if err != nil {
		return Snapshot{}, Options{}, err
	}
	snap.Loyalty.Reserving = t.ordering
	opts := t.s.cfg.Options
	switch {
	case t.policy != nil:
		opts.Policy = *t.policy
	case b.Result != nil:
		opts.Policy = b.Result.Policy
	}
	r, err := Recontextualize(b, target, snap, opts)
	if err != nil {
		return Snapshot{}, Options{}, err
	}
	e, err := b.SetResult(t.m, r)
	if err != nil {
		return Snapshot{}, Options{}, err
	}
	t.events = append(t.events, e)
	return snap, opts, nil
}

func (t *tx) add(e Event, err error) error {
	if err == nil {
		t.events = append(t.events, e)
	}
	return err
}

// Snapshot gathers what pricing b in target needs: one call per provider,
// for exactly the basket's SKUs and the target's stock sources. A stock
// provider failure does not fail the pricing: stock is then unknown for
// every line (never assumed in stock), and the change report says so.
func (s *Service) Snapshot(ctx context.Context, b *Basket, target channel.Context) (snap Snapshot, err error) {
	skus := make([]string, 0, len(b.Lines))
	for _, l := range b.Lines {
		skus = append(skus, l.SKU)
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	ctx, span := s.obs.snapshot(ctx, target, len(skus))
	stockUnknown := false
	defer func() { span.endSnapshot(err, stockUnknown) }()
	entries, err := s.cfg.Prices.Prices(ctx, pricing.PriceQuery{Lists: target.PriceLists, SKUs: skus})
	if err != nil {
		return Snapshot{}, fmt.Errorf("%w: prices: %w", ErrSnapshot, err)
	}
	if snap.Prices, err = pricing.NewPriceBook(entries); err != nil {
		return Snapshot{}, fmt.Errorf("%w: prices: %w", ErrSnapshot, err)
	}
	if s.cfg.Promotions != nil {
		if snap.Promotions, err = s.cfg.Promotions.Promotions(ctx, target); err != nil {
			return Snapshot{}, fmt.Errorf("%w: promotions: %w", ErrSnapshot, err)
		}
	}
	if snap.Tax, err = s.cfg.Tax.TaxTable(ctx, target.TaxZone); err != nil {
		return Snapshot{}, fmt.Errorf("%w: tax: %w", ErrSnapshot, err)
	}
	if snap.Locations, err = s.cfg.Locations.Locations(ctx, target.StockSources); err != nil {
		return Snapshot{}, fmt.Errorf("%w: locations: %w", ErrSnapshot, err)
	}
	if s.cfg.Fees != nil {
		if snap.Fees, err = s.cfg.Fees.Fees(ctx, target); err != nil {
			return Snapshot{}, fmt.Errorf("%w: fees: %w", ErrSnapshot, err)
		}
	}
	if snap.Loyalty, err = s.loyaltySnapshot(ctx, b); err != nil {
		return Snapshot{}, err
	}
	if len(skus) > 0 && len(target.StockSources) > 0 {
		pctx, call := s.obs.provider(ctx, provStock)
		levels, err := s.offered().Levels(pctx, stock.Query{SKUs: skus, Locations: target.StockSources})
		call.endProvider(err)
		if err == nil && s.cfg.Reservations != nil {
			var own []stock.Reservation
			pctx, call := s.obs.provider(ctx, provReservations)
			own, err = s.cfg.Reservations.Reservations(pctx, b.ID.String())
			call.endProvider(err)
			if err == nil {
				levels = levels.WithoutReservations(own)
				snap.Holds = own
			}
		}
		switch {
		case err == nil:
			snap.Stock = levels
		case ctx.Err() != nil:
			return Snapshot{}, ctx.Err()
		default:
			snap.Stock, stockUnknown = stock.Levels{}, true // unknown everywhere
		}
	}
	return snap, nil
}

// digest identifies a command for idempotency.
func digest(op string, id uuid.UUID, args ...any) [32]byte {
	h := sha256.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(op)
	_ = enc.Encode(id)
	for _, a := range args {
		if err := enc.Encode(a); err != nil {
			fmt.Fprintf(h, "%#v", a)
		}
	}
	var d [32]byte
	copy(d[:], h.Sum(nil))
	return d
}

// command is one Service command: what it is (for idempotency), the
// basket it acts on, who may run it and what it does.
type command struct {
	op     string
	basket uuid.UUID
	// scope is the basket an idempotency key is scoped to: the basket
	// addressed, or uuid.Nil for a check-in (its token names the basket).
	scope uuid.UUID
	// args identify the command for idempotency: never a server-side time.
	args []any
	// authz checks the actor against the basket as read (nil: the grant
	// logic of [Service.authorize]).
	authz func(*Basket) error
	apply func(t *tx, b *Basket) error
}

// run executes a command on basket id with optimistic concurrency, for an
// actor holding a grant on it.
func (s *Service) run(ctx context.Context, actor Actor, id uuid.UUID, op string, args []any, opts []CallOption,
	apply func(t *tx, b *Basket) error) (*Basket, error) {
	return s.exec(ctx, actor, command{op: op, basket: id, scope: id, args: args, apply: apply}, opts)
}

// exec runs cmd: answers a retried idempotent call from its record, or
// reads the basket, authorizes, applies and saves, re-running everything on
// a fresh read (after a backoff) when another writer got there first. A
// command that records no event (setting a quantity to what it is) saves
// nothing and returns the basket as it is.
func (s *Service) exec(ctx context.Context, actor Actor, cmd command, opts []CallOption) (out *Basket, err error) {
	ctx, obs := s.obs.command(ctx, cmd.op, actor, cmd.basket)
	defer func() { obs.end(out, err) }()
	return s.execObserved(ctx, &obs, actor, cmd, opts)
}

// execObserved is [Service.exec] inside a command span the caller started
// (a check-in's span also covers redeeming its token).
func (s *Service) execObserved(ctx context.Context, obs *commandObs, actor Actor, cmd command, opts []CallOption) (*Basket, error) {
	var c call
	for _, o := range opts {
		o(&c)
	}
	if err := actor.validate(); err != nil {
		return nil, err
	}
	authz := cmd.authz
	if authz == nil {
		authz = func(b *Basket) error { return s.authorize(actor, b) }
	}
	key, d, err := s.idempotency(actor, cmd, c)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if b, done, err := s.replay(ctx, actor, *key, d); done {
			obs.replay()
			return b, err
		}
	}
	done, err := s.turns.wait(ctx, cmd.basket)
	if err != nil {
		return nil, err
	}
	defer done()
	var lastErr error
	for attempt := 0; attempt < s.cfg.MaxAttempts; attempt++ {
		if attempt > 0 {
			if err := s.cfg.Backoff.wait(ctx, attempt); err != nil {
				return nil, err
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b, err := obs.get(ctx, s.cfg.Store, cmd.basket)
		if err != nil {
			return nil, err
		}
		if err := authz(b); err != nil {
			return nil, err
		}
		if c.ifSet && b.Version != c.ifVersion {
			return nil, &StaleVersionError{ID: b.ID, Expected: c.ifVersion, Current: b.Version}
		}
		before := b.Version
		t := &tx{s: s, ctx: ctx, m: Meta{Actor: actor, At: s.cfg.Clock.Now().UTC()}, policy: c.policyPtr()}
		if err := cmd.apply(t, b); err != nil {
			t.rollback()
			return nil, err
		}
		if len(t.events) == 0 {
			return b, nil
		}
		w := s.write(b, before, t, key, d)
		err = obs.save(ctx, s.cfg.Store, w)
		switch {
		case err == nil:
			return b, nil
		case errors.Is(err, ErrVersionConflict):
			lastErr = err
			continue
		case errors.Is(err, ErrIdempotencyKeyUsed) && key != nil:
			if b, done, err := s.replay(ctx, actor, *key, d); done {
				obs.replay()
				return b, err
			}
			return nil, err
		default:
			if notWritten(err) {
				t.rollback()
			}
			return nil, err
		}
	}
	return nil, fmt.Errorf("basket: gave up after %d attempts: %w", s.cfg.MaxAttempts, lastErr)
}

// idempotency scopes the call's key (if any) to the actor and the basket,
// and digests the command.
func (s *Service) idempotency(actor Actor, cmd command, c call) (*IdempotencyKey, [32]byte, error) {
	if c.key == "" {
		return nil, [32]byte{}, nil
	}
	k := IdempotencyKey{ActorKind: actor.Kind, ActorID: actor.ID, Basket: cmd.scope, Key: c.key}
	if err := k.Validate(); err != nil {
		return nil, [32]byte{}, err
	}
	return &k, digest(cmd.op, cmd.scope, cmd.args...), nil
}

// write is the store write of one successful attempt.
func (s *Service) write(b *Basket, before int64, t *tx, key *IdempotencyKey, d [32]byte) Write {
	every := int64(s.cfg.CheckpointEvery)
	w := Write{Basket: b, ExpectedVersion: before, Events: t.events, Also: t.also, Checkpoint: b.Version/every != before/every,
		Stock: t.stock, Documents: t.docs}
	if key != nil {
		w.Idempotency = &IdempotencyRecord{Key: *key, Digest: d, BasketID: b.ID, Version: b.Version, At: t.m.At}
	}
	return w
}

// replay answers a retried idempotent call: the basket as the first call
// left it, rebuilt from the nearest checkpoint (so the cost does not grow
// with the history), for an actor who may still see the basket as it is
// now (a grant revoked since the first call is not revived by a retry).
func (s *Service) replay(ctx context.Context, actor Actor, key IdempotencyKey, d [32]byte) (*Basket, bool, error) {
	rec, err := s.cfg.Store.Idempotency(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	if rec.Digest != d {
		return nil, true, &InputError{Field: "IdempotencyKey", Reason: "already used for another command", Kind: ErrIdempotencyMismatch}
	}
	cur, err := s.cfg.Store.Get(ctx, rec.BasketID)
	if err != nil {
		return nil, true, err
	}
	if err := s.authorize(actor, cur); err != nil {
		return nil, true, err
	}
	if cur.Version == rec.Version {
		return cur, true, nil
	}
	checkpoint, events, err := s.cfg.Store.HistoryAt(ctx, rec.BasketID, rec.Version)
	if err != nil {
		return nil, true, err
	}
	b, err := ReplayFrom(checkpoint, events)
	if err != nil {
		return nil, true, err
	}
	if b.Version != rec.Version {
		return nil, true, fmt.Errorf("basket: idempotency record points at version %d, history rebuilt %d", rec.Version, b.Version)
	}
	return b, true, nil
}

// authorize checks the actor's grant. A basket the actor may not see is
// reported as not found, exactly like a basket that does not exist.
func (s *Service) authorize(a Actor, b *Basket) error {
	switch a.Kind {
	case System:
		return nil
	case Shopper:
		if a.ID == b.Owner.CustomerID || (b.Owner.CustomerID == "" && a.ID == b.Owner.AnonymousID) {
			return nil
		}
	case Associate:
		now := s.cfg.Clock.Now()
		for _, g := range b.Grants {
			if g.LocationID == a.LocationID && now.Before(g.ExpiresAt) {
				return nil
			}
		}
	}
	return NotFound(b.ID)
}

// CreateRequest describes a new basket.
type CreateRequest struct {
	ID      uuid.UUID
	Owner   Owner
	Context channel.Context
	Status  Status // Cart when zero
}

// Create starts a basket and prices it (empty) in its context, as of the
// command time (req.Context.AsOf is ignored). A shopper may only create
// baskets they own; an associate creates them in their own store and is
// granted access to serve them.
func (s *Service) Create(ctx context.Context, actor Actor, req CreateRequest, opts ...CallOption) (out *Basket, err error) {
	ctx, obs := s.obs.command(ctx, "create", actor, req.ID)
	defer func() { obs.end(out, err) }()
	var c call
	for _, o := range opts {
		o(&c)
	}
	if err := actor.validate(); err != nil {
		return nil, err
	}
	if req.Status == 0 {
		req.Status = Cart
	}
	if actor.Kind == Shopper && actor.ID != req.Owner.CustomerID && actor.ID != req.Owner.AnonymousID {
		return nil, &InputError{Field: "Owner", Reason: "a shopper creates baskets for themselves", Kind: ErrForbidden}
	}
	if actor.Kind == Associate && req.Context.LocationID != actor.LocationID {
		return nil, &InputError{Field: "Context.LocationID", Reason: "an associate starts baskets in their own store", Kind: ErrForbidden}
	}
	req.Context = req.Context.Clone()
	req.Context.AsOf = time.Time{} // the Service prices as of the command time
	key, d, err := s.idempotency(actor, command{op: "create", scope: req.ID, args: []any{req.Owner, req.Context, req.Status}}, c)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if b, done, err := s.replay(ctx, actor, *key, d); done {
			obs.replay()
			return b, err
		}
	}
	m := Meta{Actor: actor, At: s.cfg.Clock.Now().UTC()}
	req.Context.AsOf = m.At
	b, e, err := New(req.ID, req.Owner, req.Context, req.Status, m)
	if err != nil {
		return nil, err
	}
	t := &tx{s: s, ctx: ctx, m: m, policy: c.policyPtr(), events: []Event{e}}
	if actor.Kind == Associate {
		// The associate who starts a basket on the tablet serves it.
		g := Grant{LocationID: actor.LocationID, GrantedBy: actor.ID, ExpiresAt: m.At.Add(s.grantTTL())}
		if err := t.add(b.CheckIn(m, b.Context, "associate", g)); err != nil {
			return nil, err
		}
	}
	if err := t.reprice(b, b.Context); err != nil {
		return nil, err
	}
	if err := obs.save(ctx, s.cfg.Store, s.write(b, 0, t, key, d)); err != nil {
		if errors.Is(err, ErrIdempotencyKeyUsed) && key != nil {
			if b, done, err := s.replay(ctx, actor, *key, d); done {
				obs.replay()
				return b, err
			}
		}
		return nil, err
	}
	return b, nil
}

// Get returns a basket the actor may see.
func (s *Service) Get(ctx context.Context, actor Actor, id uuid.UUID) (*Basket, error) {
	if err := actor.validate(); err != nil {
		return nil, err
	}
	b, err := s.cfg.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(actor, b); err != nil {
		return nil, err
	}
	return b, nil
}

// History returns the events of a basket the actor may see.
func (s *Service) History(ctx context.Context, actor Actor, id uuid.UUID) ([]Event, error) {
	return s.HistoryAfter(ctx, actor, id, 0)
}

// HistoryAfter returns the events of a basket the actor may see whose Seq
// is greater than after: what a live view or a paging client has not seen
// yet, read from the store without the rest of the history.
func (s *Service) HistoryAfter(ctx context.Context, actor Actor, id uuid.UUID, after int64) ([]Event, error) {
	if after < 0 {
		return nil, invalid("after", "must not be negative")
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	return s.cfg.Store.Events(ctx, id, after)
}

// FindByOwner lists a customer's baskets; a shopper may only list their own.
func (s *Service) FindByOwner(ctx context.Context, actor Actor, customerID string) ([]uuid.UUID, error) {
	if err := actor.validate(); err != nil {
		return nil, err
	}
	if actor.Kind != System && !(actor.Kind == Shopper && actor.ID == customerID) {
		return nil, nil
	}
	return s.cfg.Store.FindByOwner(ctx, customerID)
}

// AddLine adds a line (or to an equal line's quantity) and re-prices.
func (s *Service) AddLine(ctx context.Context, actor Actor, id uuid.UUID, n NewLine, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "add-line", []any{n}, opts, func(t *tx, b *Basket) error {
		n, err := t.catalogued(b, n)
		if err != nil {
			return err
		}
		_, e, err := b.AddLine(t.m, n)
		if err := t.add(e, err); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// SetQuantity changes a line's quantity and re-prices.
func (s *Service) SetQuantity(ctx context.Context, actor Actor, id uuid.UUID, lineID string, qty int64, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "set-quantity", []any{lineID, qty}, opts, func(t *tx, b *Basket) error {
		if l, ok := b.Line(lineID); ok && l.Quantity == qty {
			// Setting a quantity to what it is changes nothing, like a PUT.
			return b.mutable(t.m)
		}
		if err := t.add(b.SetQuantity(t.m, lineID, qty)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// RemoveLine removes a line (and its service lines) and re-prices.
func (s *Service) RemoveLine(ctx context.Context, actor Actor, id uuid.UUID, lineID string, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "remove-line", []any{lineID}, opts, func(t *tx, b *Basket) error {
		if err := t.add(b.RemoveLine(t.m, lineID)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// AddCoupon puts a code in the wallet and re-prices.
func (s *Service) AddCoupon(ctx context.Context, actor Actor, id uuid.UUID, code string, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "add-coupon", []any{NormalizeCode(code)}, opts, func(t *tx, b *Basket) error {
		if err := t.add(b.AddCoupon(t.m, code)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// RemoveCoupon takes a code out of the wallet and re-prices.
func (s *Service) RemoveCoupon(ctx context.Context, actor Actor, id uuid.UUID, code string, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "remove-coupon", []any{NormalizeCode(code)}, opts, func(t *tx, b *Basket) error {
		if err := t.add(b.RemoveCoupon(t.m, code)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// AddVoucher keeps a gift-voucher code in the wallet (no re-pricing:
// vouchers pay, they do not discount).
func (s *Service) AddVoucher(ctx context.Context, actor Actor, id uuid.UUID, code string, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "add-voucher", []any{NormalizeCode(code)}, opts, func(t *tx, b *Basket) error {
		return t.add(b.AddVoucher(t.m, code))
	})
}

// SetLoyalty links a loyalty account (tier promotions may change) and re-prices.
func (s *Service) SetLoyalty(ctx context.Context, actor Actor, id uuid.UUID, l *Loyalty, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "set-loyalty", []any{l}, opts, func(t *tx, b *Basket) error {
		if err := t.add(b.SetLoyalty(t.m, l)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// SetFulfilment records a line's preferred fulfilment mode and re-plans.
func (s *Service) SetFulfilment(ctx context.Context, actor Actor, id uuid.UUID, lineID string, mode channel.FulfilmentMode, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "set-fulfilment", []any{lineID, mode}, opts, func(t *tx, b *Basket) error {
		if err := t.add(b.SetFulfilment(t.m, lineID, mode)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// Transition changes the basket's status. Moving to Ordered is
// [Service.PlaceOrder] (priced as of now, holds and fulfilment orders);
// moving to Invoiced is [Service.Invoice] (a numbered invoice); moving to
// Abandoned releases the basket's holds in the same write, and any points
// an order attempt reserved ([Service.PlaceOrder]); moving to Quote locks
// the prices until lockUntil.
func (s *Service) Transition(ctx context.Context, actor Actor, id uuid.UUID, to Status, lockUntil time.Time, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "transition", []any{to, lockUntil}, opts, func(t *tx, b *Basket) error {
		if to == Quote {
			if err := s.cfg.Quotes.check(t.m, lockUntil); err != nil {
				return err // refused before any pricing
			}
		}
		switch {
		case to == Ordered && !b.Status.Final():
			return t.placeOrder(b)
		case to == Invoiced && b.Status == Ordered:
			return t.invoice(b)
		case to == Abandoned && !b.Status.Final():
			if err := t.releaseAll(b, "abandoned"); err != nil {
				return err
			}
			if err := t.releaseLoyalty(b); err != nil {
				return err
			}
		}
		if to == Quote && !b.Status.Final() {
			if err := t.reprice(b, b.Context); err != nil {
				return err
			}
		}
		if to == Quote {
			return t.add(b.IssueQuote(t.m, lockUntil, s.cfg.Quotes))
		}
		reopen := b.Status == Quote && to == Cart
		if err := t.add(b.Transition(t.m, to, lockUntil)); err != nil || !reopen {
			return err
		}
		return t.reprice(b, b.Context) // the lock is gone: price it unlocked
	})
}

// Recontextualize moves the basket into a target channel context and
// prices it there as of the command time (target.AsOf is ignored); the
// Result's change report says what changed.
func (s *Service) Recontextualize(ctx context.Context, actor Actor, id uuid.UUID, target channel.Context, opts ...CallOption) (*Basket, error) {
	target = target.Clone()
	target.AsOf = time.Time{}
	return s.run(ctx, actor, id, "recontextualize", []any{target.Fingerprint()}, opts, func(t *tx, b *Basket) error {
		if err := b.mutable(t.m); err != nil {
			return err
		}
		return t.reprice(b, target)
	})
}

// MergeRequest asks to merge basket Source into basket Target.
type MergeRequest struct {
	Target, Source uuid.UUID
	// SourceHolder is who holds the source basket, vouched for by the
	// platform: only a System actor may set it (for the usual sign-in case,
	// the anonymous session the platform has just authenticated: Kind
	// Shopper, ID the anonymous ID). Anyone else must hold the source
	// basket themselves, and a request naming another holder is refused
	// with [ErrForbidden].
	SourceHolder Actor
	Policy       MergePolicy
}

// Merge brings a basket (typically the anonymous one of a shopper who just
// signed in) into another, and abandons the source in the same atomic
// write. The caller must hold both baskets, checked with the same grant
// logic as every other command: a shopper owns both, an associate's store
// has a live grant on both. The system holds everything, and may name the
// holder of the source it vouches for in req.SourceHolder, who must then
// hold it.
func (s *Service) Merge(ctx context.Context, actor Actor, req MergeRequest, opts ...CallOption) (*Basket, error) {
	vouched := req.SourceHolder != (Actor{})
	if vouched && actor.Kind != System {
		return nil, &InputError{Field: "SourceHolder", Reason: "only the system vouches for another holder", Kind: ErrForbidden}
	}
	return s.run(ctx, actor, req.Target, "merge", []any{req.Source, req.SourceHolder, req.Policy}, opts, func(t *tx, b *Basket) error {
		from, err := s.cfg.Store.Get(t.ctx, req.Source)
		if err != nil {
			return err
		}
		holder := actor
		if vouched {
			if err := req.SourceHolder.validate(); err != nil {
				return err
			}
			holder = req.SourceHolder
		}
		if err := s.authorize(holder, from); err != nil {
			return err
		}
		before := from.Version
		be, se, err := b.Merge(t.m, from, req.Policy)
		if err != nil {
			return err
		}
		t.events = append(t.events, be)
		t.also = append(t.also, Write{Basket: from, ExpectedVersion: before, Events: []Event{se}})
		return t.reprice(b, b.Context)
	})
}

// offered is the availability a basket is offered: the stock provider,
// netted of every basket's live holds when the provider is not the
// reserver itself (an ERP feed, say), so that a unit held for one shopper
// is never offered to another however on-hand is fed.
func (s *Service) offered() stock.Provider {
	if s.holds == nil || sameObject(s.cfg.Stock, s.holds) {
		return s.cfg.Stock
	}
	return stock.NetOfHolds(s.cfg.Stock, s.holds)
}

// sameObject reports whether two interface values hold the same
// comparable value (the same *StockStore wired as provider and reserver).
func sameObject(a, b any) bool {
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	return ta != nil && ta == tb && ta.Comparable() && a == b
}
