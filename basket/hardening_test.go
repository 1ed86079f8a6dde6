package basket_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The regression tests of the hardening review: each failed on the code
// before it.

var system = basket.Actor{Kind: basket.System, ID: "platform"}

func basketJSON(t *testing.T, f *fixture, id uuid.UUID) string {
	t.Helper()
	b, err := f.store.Get(context.Background(), id)
	require.NoError(t, err)
	data, err := json.Marshal(b)
	require.NoError(t, err)
	return string(data)
}

func TestMergeByAnAssociateNeedsGrantsOnBoth(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	assoc := associateAt(demo.Bellecour)
	storeCtx := demo.Store(demo.Bellecour, demo.Start())
	mine, err := f.svc.Create(ctx, assoc, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{AnonymousID: "walk-in-1"}, Context: storeCtx})
	require.NoError(t, err)
	victim := f.create(t, basket.Owner{CustomerID: "cust-7"}, basket.Actor{Kind: basket.Shopper, ID: "cust-7"})
	_, err = f.svc.AddLine(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, victim.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	before := basketJSON(t, f, victim.ID)

	_, err = f.svc.Merge(ctx, assoc, basket.MergeRequest{Target: mine.ID, Source: victim.ID, Policy: basket.MergeSum})
	require.ErrorIs(t, err, basket.ErrNotFound, "no grant on another customer's basket")
	_, err = f.svc.Merge(ctx, assoc, basket.MergeRequest{Target: mine.ID, Source: victim.ID, Policy: basket.MergeSum,
		SourceHolder: basket.Actor{Kind: basket.Shopper, ID: "cust-7"}})
	require.ErrorIs(t, err, basket.ErrForbidden, "an associate cannot vouch either")
	assert.JSONEq(t, before, basketJSON(t, f, victim.ID), "the victim's basket is untouched")

	// Two baskets started by the associate in the store: both are held.
	other, err := f.svc.Create(ctx, assoc, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{AnonymousID: "walk-in-1"}, Context: storeCtx})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, assoc, other.ID, line("CANDLE-FIG", 1))
	require.NoError(t, err)
	merged, err := f.svc.Merge(ctx, assoc, basket.MergeRequest{Target: mine.ID, Source: other.ID, Policy: basket.MergeSum})
	require.NoError(t, err)
	assert.Len(t, merged.Lines, 1)
}

func TestIdempotencyKeysBelongToTheirCaller(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	alice := basket.Actor{Kind: basket.Shopper, ID: "alice"}
	bob := basket.Actor{Kind: basket.Shopper, ID: "bob"}
	a := f.create(t, basket.Owner{CustomerID: "alice"}, alice)
	b := f.create(t, basket.Owner{CustomerID: "bob"}, bob)

	_, err := f.svc.AddLine(ctx, alice, a.ID, line("LAMP-ARC", 1), basket.WithIdempotencyKey("order-form-1"))
	require.NoError(t, err)
	got, err := f.svc.AddLine(ctx, bob, b.ID, line("MUG-STONE", 2), basket.WithIdempotencyKey("order-form-1"))
	require.NoError(t, err, "another caller's first use of the same key is a first use")
	assert.Equal(t, "MUG-STONE", got.Lines[0].SKU)

	// Bob creating with Alice's key, on a basket ID of his own, is his.
	_, err = f.svc.Create(ctx, bob, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "bob"}, Context: demo.Web(demo.Start())},
		basket.WithIdempotencyKey("order-form-1"))
	require.NoError(t, err)

	// A mismatch never quotes the key back.
	_, err = f.svc.AddLine(ctx, alice, a.ID, line("MUG-STONE", 1), basket.WithIdempotencyKey("order-form-1"))
	require.ErrorIs(t, err, basket.ErrIdempotencyMismatch)
	assert.NotContains(t, err.Error(), "order-form-1")

	_, err = f.svc.AddLine(ctx, alice, a.ID, line("MUG-STONE", 1), basket.WithIdempotencyKey(strings.Repeat("k", basket.MaxIdempotencyKeyLen+1)))
	assert.ErrorIs(t, err, basket.ErrInvalid, "an oversized key is refused")
}

func TestIdempotentRetryIsAuthorizedAgainstTheBasketAsItIsNow(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	ticket, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	require.NoError(t, err)
	assoc := associateAt(demo.Bellecour)
	_, err = f.svc.CheckIn(ctx, assoc, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("CANDLE-FIG", 1), basket.WithIdempotencyKey("tablet-1"))
	require.NoError(t, err)

	_, err = f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(time.Time{}))
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("CANDLE-FIG", 1), basket.WithIdempotencyKey("tablet-1"))
	assert.ErrorIs(t, err, basket.ErrNotFound, "the grant was revoked: a retry does not revive it")
}

func TestCheckInAndCheckOutRetriesReturnTheFirstOutcome(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	ticket, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	require.NoError(t, err)
	assoc := associateAt(demo.Bellecour)
	req := basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}

	first, err := f.svc.CheckIn(ctx, assoc, req, basket.WithIdempotencyKey("scan-1"))
	require.NoError(t, err)
	f.clk.Advance(time.Second) // the retry is built a second later
	again, err := f.svc.CheckIn(ctx, assoc, req, basket.WithIdempotencyKey("scan-1"))
	require.NoError(t, err, "a retried check-in is answered, not refused for the spent token")
	assert.Equal(t, first.Version, again.Version)
	events, err := f.svc.History(ctx, assoc, b.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, countEvents(events, basket.EventCheckedIn), "checked in once")

	_, err = f.svc.CheckIn(ctx, assoc, req)
	assert.Error(t, err, "without the key the token is spent")

	out, err := f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(time.Time{}), basket.WithIdempotencyKey("leave-1"))
	require.NoError(t, err)
	f.clk.Advance(time.Second)
	outAgain, err := f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(f.clk.Now()), basket.WithIdempotencyKey("leave-1"))
	require.NoError(t, err, "the as-of time is not part of the command")
	assert.Equal(t, out.Version, outAgain.Version)
}

func countEvents(events []basket.Event, typ basket.EventType) int {
	n := 0
	for _, e := range events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func TestChannelChangesKeepWhatBelongsToTheShopper(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	web := demo.Web(demo.Start())
	web.CustomerGroup, web.Locale = "members", "fr-FR"
	b, err := f.svc.Create(ctx, shopper, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: web})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1))
	require.NoError(t, err)
	ticket, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	require.NoError(t, err)
	store := demo.Store(demo.Bellecour, time.Time{})
	store.CustomerGroup, store.Locale = "", "en-GB" // the tablet knows the place, not the shopper
	got, err := f.svc.CheckIn(ctx, associateAt(demo.Bellecour), basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: store})
	require.NoError(t, err)
	assert.Equal(t, "store-"+demo.Bellecour, got.Context.ChannelID, "the place's channel")
	assert.Equal(t, store.PriceLists, got.Context.PriceLists, "the place's prices")
	assert.Equal(t, "members", got.Context.CustomerGroup, "the shopper's group survives the check-in")
	assert.Equal(t, "fr-FR", got.Context.Locale, "and their language")
	l, _ := got.Result.Line("L0001")
	assert.Equal(t, "members", l.Source.CustomerGroup, "priced at the members' store price")

	out, err := f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(time.Time{}))
	require.NoError(t, err)
	assert.Equal(t, "members", out.Context.CustomerGroup, "and the check-out")
}

func TestSetQuantityToTheSameQuantityChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	b, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 2))
	require.NoError(t, err)
	before := basketJSON(t, f, b.ID)
	got, err := f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 2)
	require.NoError(t, err, "like a PUT of what is there")
	assert.Equal(t, b.Version, got.Version, "no event, no new version")
	assert.JSONEq(t, before, basketJSON(t, f, b.ID))
	_, err = f.svc.SetQuantity(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, b.ID, "L0001", 2)
	assert.ErrorIs(t, err, basket.ErrNotFound, "a no-op is still authorized")

	_, err = f.svc.Transition(ctx, shopper, b.ID, basket.Ordered, time.Time{})
	require.NoError(t, err)
	_, err = f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 2)
	assert.ErrorIs(t, err, basket.ErrImmutable, "an order refuses even a no-op edit")
}

func TestServiceWithoutHandoffIsAConfigurationError(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{TTL: time.Minute})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
	assert.NotErrorIs(t, err, basket.ErrInvalid, "not the caller's fault")
	_, err = f.svc.CheckIn(ctx, associateAt(demo.Bellecour), basket.CheckInRequest{Token: "x", Target: demo.Store(demo.Bellecour, time.Time{})})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
}

// conflictingStore refuses the first n saves with a version conflict.
type conflictingStore struct {
	basket.Store
	conflicts atomic.Int32
}

func (s *conflictingStore) Save(ctx context.Context, w basket.Write) error {
	if s.conflicts.Add(-1) >= 0 {
		return &basket.VersionConflictError{ID: w.Basket.ID, Expected: w.ExpectedVersion, Current: w.ExpectedVersion + 1}
	}
	return s.Store.Save(ctx, w)
}

func TestConflictsAreRetriedWithJitteredBoundedBackoff(t *testing.T) {
	ctx := context.Background()
	var waits []time.Duration
	cs := &conflictingStore{}
	f := newFixture(t, func(c *basket.Config) {
		cs.Store = c.Store
		c.Store = cs
		c.Backoff.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	})
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	cs.conflicts.Store(9)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err, "9 conflicts fit in the default attempts")
	require.Len(t, waits, 9, "one wait before each re-run")
	for i, d := range waits {
		bound := min(basket.DefaultBackoffBase<<i, basket.DefaultBackoffMax)
		assert.GreaterOrEqual(t, d, bound/2, "wait %d", i+1)
		assert.LessOrEqual(t, d, bound, "wait %d", i+1)
	}

	cs.conflicts.Store(1000)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	assert.ErrorIs(t, err, basket.ErrVersionConflict, "bounded: it gives up")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cs.conflicts.Store(1000)
	f2 := newFixture(t, func(c *basket.Config) { c.Store = cs; cs.Store = f.store })
	_, err = f2.svc.AddLine(cancelled, shopper, b.ID, line("LAMP-ARC", 1))
	assert.ErrorIs(t, err, context.Canceled, "the default wait ends with the context")
}

func TestBackoffDelay(t *testing.T) {
	b := basket.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}
	for _, tc := range []struct {
		n        int
		lo, high time.Duration
	}{
		{1, 5 * time.Millisecond, 10 * time.Millisecond},
		{2, 10 * time.Millisecond, 20 * time.Millisecond},
		{3, 20 * time.Millisecond, 40 * time.Millisecond},
		{4, 25 * time.Millisecond, 50 * time.Millisecond},
		{100, 25 * time.Millisecond, 50 * time.Millisecond},
	} {
		assert.Equal(t, tc.lo, b.Delay(tc.n, 0), "n=%d", tc.n)
		assert.Equal(t, tc.high, b.Delay(tc.n, 1), "n=%d", tc.n)
	}
}

func TestApplyRefusesHostileEvents(t *testing.T) {
	id := uuid.New()
	created, err := json.Marshal(basket.Created{Owner: basket.Owner{CustomerID: "c"}, Status: basket.Cart, Context: demo.Web(demo.Start())})
	require.NoError(t, err)
	ev := func(seq int64, typ basket.EventType, data string) basket.Event {
		return basket.Event{BasketID: id, Seq: seq, Type: typ, At: demo.Start(), Data: json.RawMessage(data)}
	}
	start := ev(1, basket.EventCreated, string(created))
	for name, e := range map[string]basket.Event{
		"check-in without a grant":      ev(2, basket.EventCheckedIn, `{"from":{},"to":{}}`),
		"check-in with an empty grant":  ev(2, basket.EventCheckedIn, `{"grant":{}}`),
		"null payload":                  ev(2, basket.EventCheckedIn, `null`),
		"pricing with neither":          ev(2, basket.EventRecontextualized, `{"context":{}}`),
		"pricing with both":             ev(2, basket.EventRecontextualized, `{"patch":{},"result":{}}`),
		"patch removing an absent line": ev(2, basket.EventRecontextualized, `{"patch":{"lines":{"removed":["L0009"]}}}`),
		"patch lines out of order":      ev(2, basket.EventRecontextualized, `{"patch":{"lines":{"added":[{"line_id":"L0002"},{"line_id":"L0001"}]}}}`),
		"change of an absent line":      ev(2, basket.EventRecontextualized, `{"patch":{"lines":{"changed":[{"line_id":"L0001"}]}}}`),
		"line added twice":              ev(2, basket.EventRecontextualized, `{"patch":{"lines":{"added":[{"line_id":"L0001"},{"line_id":"L0001"}]}}}`),
		"result of another basket":      ev(2, basket.EventRecontextualized, `{"result":{"basket_id":"`+uuid.NewString()+`"}}`),
		"line without an ID":            ev(2, basket.EventLineAdded, `{"line":{}}`),
		"second creation":               ev(2, basket.EventCreated, string(created)),
		"not JSON":                      ev(2, basket.EventLineAdded, `{`),
	} {
		t.Run(name, func(t *testing.T) {
			b, err := basket.Replay([]basket.Event{start, e})
			assert.ErrorIs(t, err, basket.ErrInvalid)
			assert.Nil(t, b)
		})
	}
	_, err = basket.Replay([]basket.Event{start, ev(2, basket.EventQuantitySet, `{"line_id":"L0001","to":3}`)})
	assert.ErrorIs(t, err, basket.ErrUnknownLine, "the quantity of an absent line")
	dup := ev(2, basket.EventLineAdded, `{"line":{"id":"L0001","sku":"A","quantity":1}}`)
	dup2 := ev(3, basket.EventLineAdded, `{"line":{"id":"L0001","sku":"B","quantity":1}}`)
	_, err = basket.Replay([]basket.Event{start, dup, dup2})
	assert.ErrorIs(t, err, basket.ErrInvalid, "a line ID added twice")
}

// countingStore counts the events a retry reads.
type countingStore struct {
	basket.Store
	eventsRead atomic.Int64
	fullReads  atomic.Int64
}

func (s *countingStore) Events(ctx context.Context, id uuid.UUID, after int64) ([]basket.Event, error) {
	s.fullReads.Add(1)
	return s.Store.Events(ctx, id, after)
}

func (s *countingStore) HistoryAt(ctx context.Context, id uuid.UUID, version int64) (*basket.Basket, []basket.Event, error) {
	cp, es, err := s.Store.HistoryAt(ctx, id, version)
	s.eventsRead.Add(int64(len(es)))
	return cp, es, err
}

func TestHistoryGrowsWithWhatChangedAndRetriesReadLittle(t *testing.T) {
	ctx := context.Background()
	cs := &countingStore{}
	f := newFixture(t, func(c *basket.Config) { cs.Store = c.Store; c.Store = cs; c.CheckpointEvery = 16 })
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	skus := []string{"LAMP-ARC", "LAMP-DESK", "LAMP-PEND", "BULB-E27", "CANDLE-FIG", "CANDLE-CED", "CANDLE-AMB", "CANDLE-TEA",
		"THROW-WOOL", "CUSHION-LIN", "RUG-JUTE", "TOWEL-SET", "MUG-STONE", "TEAPOT-CAST", "BOARD-OAK", "KNIFE-CHEF", "GLASS-SET"}
	var keyed, prev *basket.Basket
	for i, sku := range skus {
		got, err := f.svc.AddLine(ctx, shopper, b.ID, line(sku, 1), basket.WithIdempotencyKey("add-"+sku))
		require.NoError(t, err)
		if i == 2 {
			keyed = got
		}
		if prev != nil {
			// The event records exactly the priced lines that differ from
			// the previous pricing, judged here by their encodings.
			events, err := f.store.Events(ctx, b.ID, got.Version-1)
			require.NoError(t, err)
			payload, err := events[0].Decode()
			require.NoError(t, err)
			p := payload.(*basket.Recontextualized)
			require.Nil(t, p.Result, "a patch, not a whole result")
			var want []string
			for _, l := range got.Result.Lines {
				old, ok := prev.Result.Line(l.LineID)
				if !ok || mustMarshal(t, old) != mustMarshal(t, l) {
					want = append(want, l.LineID)
				}
			}
			var recorded []string
			if p.Patch.Lines != nil {
				for _, l := range p.Patch.Lines.Added {
					recorded = append(recorded, l.LineID)
				}
				for _, l := range p.Patch.Lines.Changed {
					recorded = append(recorded, l.LineID)
				}
				slices.Sort(recorded)
			}
			assert.Equal(t, want, recorded, "adding %s", sku)
		}
		prev = got
	}
	events, err := f.store.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	replayed, err := basket.Replay(events)
	require.NoError(t, err)
	cur, err := f.store.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, mustMarshal(t, cur), mustMarshal(t, replayed), "replay is exact, byte for byte")

	cs.fullReads.Store(0)
	got, err := f.svc.AddLine(ctx, shopper, b.ID, line(skus[2], 1), basket.WithIdempotencyKey("add-"+skus[2]))
	require.NoError(t, err)
	assert.Equal(t, mustMarshal(t, keyed), mustMarshal(t, got), "the retry returns the first outcome exactly")
	assert.Zero(t, cs.fullReads.Load(), "no whole-history read")
	assert.LessOrEqual(t, cs.eventsRead.Load(), int64(16), "at most a checkpoint interval of events")
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func TestResultPatchEqualityCoversEveryField(t *testing.T) {
	// Each field of a priced line changed alone shows up in the patch: a
	// field forgotten by the comparison would be lost from histories.
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	b, err := f.svc.AddLine(context.Background(), shopper, b.ID, line("LAMP-ARC", 2))
	require.NoError(t, err)
	for _, field := range basket.PricedLineFieldsForTest() {
		next := basket.MutateFieldForTest(b.Result, field)
		p := basket.DiffResultForTest(b.Result, next)
		require.NotNil(t, p, field)
		if strings.HasPrefix(field, "Fulfilment.") {
			require.NotNil(t, p.Plan, "a change of %s is recorded in the plan", field)
		} else {
			require.NotNil(t, p.Lines, "a change of %s is recorded", field)
		}
		rebuilt, err := basket.ApplyPatchForTest(b.Result, next.Context, p)
		require.NoError(t, err)
		assert.Equal(t, mustMarshal(t, next), mustMarshal(t, rebuilt), "field %s", field)
	}
	var _ channel.Context
	_ = errors.New

	// A hand-built result whose lines disagree with its plan cannot be a
	// patch: it is recorded whole, and replays exactly.
	odd := basket.MutateFieldForTest(b.Result, "Quantity")
	odd.Lines[0].Fulfilment.Short++
	assert.Nil(t, basket.DiffResultForTest(b.Result, odd))
}

func TestShrinkageReportsHoldsAtRiskAndRefusesOrdersOnThem(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *basket.Config) { c.Reservations = c.Stock.(stock.Reserver) })
	store := demo.Store(demo.Bellecour, time.Time{})
	store.StockSources = []string{demo.Bellecour} // carry-out from this shelf only
	require.NoError(t, f.stock.SetOnHand(ctx, "MUG-STONE", demo.Bellecour, 10))
	holders := map[string]*basket.Basket{}
	for _, who := range []string{"older", "newer"} {
		b, err := f.svc.Create(ctx, system, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: who}, Context: store})
		require.NoError(t, err)
		b, err = f.svc.AddLine(ctx, system, b.ID, line("MUG-STONE", 5))
		require.NoError(t, err)
		_, err = f.stock.Reserve(ctx, stock.ReserveRequest{BasketID: b.ID.String(), RequestKey: "hold", LocationID: demo.Bellecour,
			Lines: []stock.ReserveLine{{SKU: "MUG-STONE", Quantity: 5}}, ExpiresAt: f.clk.Now().Add(time.Hour)})
		require.NoError(t, err)
		holders[who] = b
		f.clk.Advance(time.Minute)
	}
	require.NoError(t, f.stock.SetOnHand(ctx, "MUG-STONE", demo.Bellecour, 5)) // a recount finds 5

	older, err := f.svc.Recontextualize(ctx, system, holders["older"].ID, store)
	require.NoError(t, err)
	newer, err := f.svc.Recontextualize(ctx, system, holders["newer"].ID, store)
	require.NoError(t, err)

	assert.Empty(t, older.Result.HoldsAtRisk, "the oldest hold is served first")
	lo, _ := older.Result.Line("L0001")
	assert.Equal(t, int64(5), lo.Fulfilment.Allocated(), "the older basket keeps its 5")
	ln, _ := newer.Result.Line("L0001")
	assert.Equal(t, int64(0), ln.Fulfilment.Allocated(), "the newer one is promised nothing")
	assert.LessOrEqual(t, lo.Fulfilment.Allocated()+ln.Fulfilment.Allocated(), int64(5), "never more than on hand")
	require.Equal(t, []basket.HoldAtRisk{{LocationID: demo.Bellecour, SKU: "MUG-STONE", Quantity: 5, AtRisk: 5,
		HeldSince: demo.Start().Add(time.Minute)}}, newer.Result.HoldsAtRisk)
	var risk *basket.Change
	for i, c := range newer.Result.Changes {
		if c.Kind == basket.ChangeHoldAtRisk {
			risk = &newer.Result.Changes[i]
		}
	}
	require.NotNil(t, risk, "reported in the change report: %v", changeKinds(newer.Result.Changes))
	assert.Equal(t, "Stoneware mug: 5 of the 5 held at lyon-bellecour are no longer in stock", risk.Message())

	_, err = f.svc.Transition(ctx, system, newer.ID, basket.Ordered, time.Time{})
	assert.ErrorIs(t, err, basket.ErrNotOrderable, "an order relying on the hold at risk is refused")
	_, err = f.svc.Transition(ctx, system, older.ID, basket.Ordered, time.Time{})
	assert.NoError(t, err, "the covered hold orders")

	again, err := f.svc.Recontextualize(ctx, system, newer.ID, store)
	require.NoError(t, err)
	require.Contains(t, changeKinds(newer.Result.Changes), "hold-at-risk L0001")
	assert.NotContains(t, changeKinds(again.Result.Changes), "hold-at-risk L0001", "reported once, not on every pricing")
	assert.Equal(t, newer.Result.HoldsAtRisk, again.Result.HoldsAtRisk, "and still listed")
}
