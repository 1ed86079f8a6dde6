package baskettest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RunLifecycleTests runs the data lifecycle through a [basket.Service] on
// the store: idempotency records that expire ([basket.IdempotencyExpirer]),
// inactive baskets listed oldest first and swept, their holds released
// ([basket.InactiveStore]), and the erasure of a customer's personal data
// ([basket.ErasureStore]): afterwards no query by the customer's ID finds
// anything, invoices keep their amounts and numbers, histories replay to
// the same totals, and erasing again changes nothing. The store must
// implement the three interfaces, keep a ledger and documents; it runs on
// Maison Lumière, the demo retailer.
func RunLifecycleTests(t *testing.T, newHarness func(t *testing.T) FlowHarness) {
	t.Run("IdempotencyRecordsExpire", func(t *testing.T) { testIdempotencyExpiry(t, newLifecycle(t, newHarness(t))) })
	t.Run("ExpiryIsOldestFirstAndBounded", func(t *testing.T) { testExpiryBatches(t, newLifecycle(t, newHarness(t))) })
	t.Run("InactiveListing", func(t *testing.T) { testInactiveListing(t, newLifecycle(t, newHarness(t))) })
	t.Run("SweepAbandonsAndReleases", func(t *testing.T) { testSweep(t, newLifecycle(t, newHarness(t))) })
	t.Run("Erasure", func(t *testing.T) { testErasure(t, newLifecycle(t, newHarness(t))) })
	t.Run("ErasureRefusals", func(t *testing.T) { testErasureRefusals(t, newLifecycle(t, newHarness(t))) })
}

// lifecycle is the Service of the suite: the flow's, with a checkpoint
// every two events so that erasure meets checkpoints.
type lifecycle struct {
	*flow
	expirer  basket.IdempotencyExpirer
	inactive basket.InactiveStore
	eraser   basket.ErasureStore
}

func newLifecycle(t *testing.T, h FlowHarness) *lifecycle {
	t.Helper()
	f := newFlow(t, h)
	cat, err := demo.Catalog()
	require.NoError(t, err)
	f.svc, err = basket.NewService(basket.Config{Store: h.Store, Prices: cat, Promotions: cat, Tax: cat, Stock: h.Ledger,
		Locations: cat, Fees: cat, Clock: h.Clock, Retailer: demo.Retailer, CheckpointEvery: 2})
	require.NoError(t, err)
	l := &lifecycle{flow: f}
	var ok bool
	l.expirer, ok = h.Store.(basket.IdempotencyExpirer)
	require.True(t, ok, "%T is not a basket.IdempotencyExpirer", h.Store)
	l.inactive, ok = h.Store.(basket.InactiveStore)
	require.True(t, ok, "%T is not a basket.InactiveStore", h.Store)
	l.eraser, ok = h.Store.(basket.ErasureStore)
	require.True(t, ok, "%T is not a basket.ErasureStore", h.Store)
	return l
}

func testIdempotencyExpiry(t *testing.T, l *lifecycle) {
	zoe := shopper("cust-zoe")
	start := l.h.Clock.Now().UTC()
	id := l.basket(t, zoe, "cust-zoe", demo.Web(time.Time{}))
	add := func(key string) *basket.Basket {
		b, err := l.svc.AddLine(l.ctx, zoe, id, basket.NewLine{SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")}, basket.WithIdempotencyKey(key))
		require.NoError(t, err)
		return b
	}
	first := add("add-1")
	rec, err := l.h.Store.Idempotency(l.ctx, Key(basket.Shopper, "cust-zoe", id, "add-1"))
	require.NoError(t, err)
	assert.True(t, rec.At.Equal(start), "the record is stamped with the command's time: %s", rec.At)
	l.h.Clock.Advance(2 * time.Hour)
	add("add-2")

	_, err = l.svc.ExpireIdempotency(l.ctx, zoe, basket.ExpiryOptions{})
	assert.ErrorIs(t, err, basket.ErrForbidden)
	_, err = l.svc.ExpireIdempotency(l.ctx, flowOps, basket.ExpiryOptions{Retention: time.Minute})
	assert.ErrorIs(t, err, basket.ErrInvalid, "shorter than the minimum")

	var progress []basket.ExpiryReport
	r, err := l.svc.ExpireIdempotency(l.ctx, flowOps, basket.ExpiryOptions{Retention: time.Hour, Progress: func(r basket.ExpiryReport) { progress = append(progress, r) }})
	require.NoError(t, err)
	assert.Equal(t, 1, r.Deleted, "add-1 is 2h old, add-2 new")
	assert.True(t, r.Before.Equal(start.Add(time.Hour)))
	assert.Equal(t, []basket.ExpiryReport{r}, progress)
	_, err = l.h.Store.Idempotency(l.ctx, Key(basket.Shopper, "cust-zoe", id, "add-1"))
	assert.ErrorIs(t, err, basket.ErrNotFound)
	_, err = l.h.Store.Idempotency(l.ctx, Key(basket.Shopper, "cust-zoe", id, "add-2"))
	assert.NoError(t, err)

	// The kept key replays; the forgotten one runs its command again.
	again := add("add-2")
	assert.Equal(t, first.Version+2, again.Version, "replayed: no new event")
	rerun := add("add-1")
	assert.Equal(t, again.Version+2, rerun.Version, "a new add and its pricing")

	r, err = l.svc.ExpireIdempotency(l.ctx, flowOps, basket.ExpiryOptions{Retention: time.Hour})
	require.NoError(t, err)
	assert.Zero(t, r.Deleted, "re-running deletes nothing more")
}

func testExpiryBatches(t *testing.T, l *lifecycle) {
	t0 := l.h.Clock.Now().UTC()
	var keys []basket.IdempotencyKey
	for i := range 7 {
		b, w := NewBasket(t, fmt.Sprintf("c-%d", i))
		k := Key(basket.Shopper, fmt.Sprintf("c-%d", i), b.ID, "k")
		w.Idempotency = &basket.IdempotencyRecord{Key: k, BasketID: b.ID, Version: 1, At: t0.Add(time.Duration(i) * time.Minute)}
		require.NoError(t, l.h.Store.Save(l.ctx, w))
		keys = append(keys, k)
	}
	alive := func() []int {
		var out []int
		for i, k := range keys {
			if _, err := l.h.Store.Idempotency(l.ctx, k); err == nil {
				out = append(out, i)
			}
		}
		return out
	}
	_, err := l.expirer.ExpireIdempotency(l.ctx, t0.Add(time.Hour), 0)
	assert.ErrorIs(t, err, basket.ErrInvalid, "a limit must be positive")
	n, err := l.expirer.ExpireIdempotency(l.ctx, t0.Add(5*time.Minute), 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, []int{2, 3, 4, 5, 6}, alive(), "the oldest first")
	n, err = l.expirer.ExpireIdempotency(l.ctx, t0.Add(5*time.Minute), 100)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Equal(t, []int{5, 6}, alive(), "a record of exactly the cut-off is kept")

	r, err := l.svc.ExpireIdempotency(l.ctx, flowOps, basket.ExpiryOptions{Retention: time.Hour, BatchSize: 1})
	require.NoError(t, err)
	assert.Zero(t, r.Deleted, "both are younger than an hour")
	l.h.Clock.Advance(2 * time.Hour)
	var seen []int
	r, err = l.svc.ExpireIdempotency(l.ctx, flowOps, basket.ExpiryOptions{Retention: time.Hour, BatchSize: 1,
		Progress: func(r basket.ExpiryReport) { seen = append(seen, r.Deleted) }})
	require.NoError(t, err)
	assert.Equal(t, basket.ExpiryReport{Before: l.h.Clock.Now().UTC().Add(-time.Hour), Deleted: 2, Batches: 3}, r)
	assert.Equal(t, []int{1, 2, 2}, seen, "progress after every batch")
	assert.Empty(t, alive())

	ctx, cancel := context.WithCancel(l.ctx)
	cancel()
	_, err = l.svc.ExpireIdempotency(ctx, flowOps, basket.ExpiryOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

// saveAt stores a basket of status st whose last change is at.
func saveAt(t *testing.T, s basket.Store, st basket.Status, at time.Time) uuid.UUID {
	t.Helper()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "baskettest"}, At: at}
	start := st
	if st != basket.Wishlist {
		start = basket.Cart
	}
	b, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c"}, Context(), start, m)
	require.NoError(t, err)
	events := []basket.Event{e}
	if st != start {
		e, err := b.Transition(m, st, time.Time{})
		require.NoError(t, err)
		events = append(events, e)
	}
	require.NoError(t, s.Save(context.Background(), basket.Write{Basket: b, Events: events}))
	return b.ID
}

func testInactiveListing(t *testing.T, l *lifecycle) {
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := l.h.Store
	// Three carts a second apart, the middle one twice (the ID breaks the
	// tie), a wishlist and an abandoned basket.
	c0 := saveAt(t, s, basket.Cart, t0)
	c1a := saveAt(t, s, basket.Cart, t0.Add(time.Second+1))
	c1b := saveAt(t, s, basket.Cart, t0.Add(time.Second+1))
	c2 := saveAt(t, s, basket.Cart, t0.Add(2*time.Second))
	w := saveAt(t, s, basket.Wishlist, t0.Add(time.Second))
	saveAt(t, s, basket.Abandoned, t0)
	if compareIDs(c1b, c1a) < 0 {
		c1a, c1b = c1b, c1a
	}
	list := func(q basket.InactiveQuery) []uuid.UUID {
		t.Helper()
		page, err := l.inactive.Inactive(l.ctx, q)
		require.NoError(t, err)
		ids := make([]uuid.UUID, len(page))
		for i, ib := range page {
			ids[i] = ib.ID
			b, err := s.Get(l.ctx, ib.ID)
			require.NoError(t, err)
			assert.True(t, ib.UpdatedAt.Equal(b.UpdatedAt), "the page carries the basket's time to the nanosecond")
		}
		return ids
	}
	carts := []basket.Status{basket.Cart}
	assert.Equal(t, []uuid.UUID{c0, c1a, c1b, c2}, list(basket.InactiveQuery{Statuses: carts, Before: t0.Add(time.Hour), Limit: 10}))
	assert.Equal(t, []uuid.UUID{c0}, list(basket.InactiveQuery{Statuses: carts, Before: t0.Add(time.Second + 1), Limit: 10}),
		"a basket changed at exactly the cut-off is not before it")
	assert.Equal(t, []uuid.UUID{c0, c1a, c1b}, list(basket.InactiveQuery{Statuses: carts, Before: t0.Add(time.Second + 2), Limit: 10}),
		"nanoseconds count")
	assert.Equal(t, []uuid.UUID{c0, w, c1a}, list(basket.InactiveQuery{Statuses: []basket.Status{basket.Cart, basket.Wishlist}, Before: t0.Add(time.Hour), Limit: 3}))
	assert.Empty(t, list(basket.InactiveQuery{Statuses: carts, Before: t0, Limit: 10}))

	// Paging by cursor gives every basket once, in order.
	var got []uuid.UUID
	q := basket.InactiveQuery{Statuses: carts, Before: t0.Add(time.Hour), Limit: 1}
	for range 10 {
		page, err := l.inactive.Inactive(l.ctx, q)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		got = append(got, page[0].ID)
		q.After = &page[0]
	}
	assert.Equal(t, []uuid.UUID{c0, c1a, c1b, c2}, got)
	_, err := l.inactive.Inactive(l.ctx, basket.InactiveQuery{Statuses: carts, Before: t0, Limit: 0})
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

func testSweep(t *testing.T, l *lifecycle) {
	ines := shopper("cust-ines")
	old := l.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 2)
	_, err := l.svc.Hold(l.ctx, ines, old, l.h.Clock.Now().Add(4*time.Hour))
	require.NoError(t, err)
	wish := l.basket(t, ines, "cust-ines", demo.Web(time.Time{}))
	_, err = l.svc.Transition(l.ctx, ines, wish, basket.Wishlist, time.Time{})
	require.NoError(t, err)
	ordered := l.basket(t, flowLea, "cust-ines", demo.Store(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
	_, err = l.svc.PlaceOrder(l.ctx, flowLea, ordered)
	require.NoError(t, err)
	l.h.Clock.Advance(90 * time.Minute)
	fresh := l.basket(t, ines, "cust-ines", demo.Web(time.Time{}), "MUG-STONE", 1)
	l.h.Clock.Advance(30 * time.Minute)
	require.NotEmpty(t, l.held(t, old))

	_, err = l.svc.SweepAbandoned(l.ctx, ines, basket.SweepOptions{})
	assert.ErrorIs(t, err, basket.ErrForbidden)
	_, err = l.svc.SweepAbandoned(l.ctx, flowOps, basket.SweepOptions{Statuses: []basket.Status{basket.Ordered}})
	assert.ErrorIs(t, err, basket.ErrInvalid, "orders are never swept")
	_, err = l.svc.SweepAbandoned(l.ctx, flowOps, basket.SweepOptions{Inactivity: time.Minute})
	assert.ErrorIs(t, err, basket.ErrInvalid)

	before := map[uuid.UUID]int64{}
	for _, id := range []uuid.UUID{wish, ordered, fresh} {
		b, err := l.h.Store.Get(l.ctx, id)
		require.NoError(t, err)
		before[id] = b.Version
	}
	var progress []basket.SweepReport
	r, err := l.svc.SweepAbandoned(l.ctx, flowOps, basket.SweepOptions{Inactivity: time.Hour, BatchSize: 1,
		Progress: func(r basket.SweepReport) { progress = append(progress, r) }})
	require.NoError(t, err)
	assert.Equal(t, basket.SweepReport{Before: l.h.Clock.Now().UTC().Add(-time.Hour), Examined: 1, Abandoned: 1, Batches: 2}, r)
	assert.Len(t, progress, 2)

	b, err := l.h.Store.Get(l.ctx, old)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, b.Status)
	assert.Nil(t, b.Holds)
	assert.Empty(t, l.held(t, old), "the holds are released with the sweep")
	events, err := l.h.Store.Events(l.ctx, old, 0)
	require.NoError(t, err)
	last := events[len(events)-1]
	assert.Equal(t, basket.EventStatusChanged, last.Type)
	assert.Equal(t, flowOps, last.Actor, "the System abandoned it")
	assert.Equal(t, basket.EventHoldsReleased, events[len(events)-2].Type)
	for id, v := range before {
		b, err := l.h.Store.Get(l.ctx, id)
		require.NoError(t, err)
		assert.Equal(t, v, b.Version, "a wishlist, an order and a fresh cart are not touched")
	}

	r, err = l.svc.SweepAbandoned(l.ctx, flowOps, basket.SweepOptions{Inactivity: time.Hour})
	require.NoError(t, err)
	assert.Zero(t, r.Abandoned, "re-running finds nothing more")

	// Wishlists when asked, and at most Max per run.
	l.h.Clock.Advance(time.Hour)
	r, err = l.svc.SweepAbandoned(l.ctx, flowOps, basket.SweepOptions{Inactivity: time.Hour, Statuses: []basket.Status{basket.Wishlist, basket.Cart}, Max: 1})
	require.NoError(t, err)
	assert.Equal(t, 1, r.Abandoned)
	b, err = l.h.Store.Get(l.ctx, wish)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, b.Status, "the oldest first")
	b, err = l.h.Store.Get(l.ctx, fresh)
	require.NoError(t, err)
	assert.Equal(t, basket.Cart, b.Status, "left for the next run")
}

// journey is the erasure scenario: what a customer left in the store.
type journey struct {
	anon, web, order, other uuid.UUID
	key                     basket.IdempotencyKey
	invoices                []basket.Document
}

// secrets are the personal data the journey writes, none of which may
// survive the erasure anywhere.
var secrets = []string{"cust-zoe", "sess-zoe", "LOY-ZOE-7", "too small for Zoé"}

func (l *lifecycle) journey(t *testing.T) journey {
	t.Helper()
	var j journey
	zoe, sess := shopper("cust-zoe"), shopper("sess-zoe")
	j.anon = uuid.New()
	_, err := l.svc.Create(l.ctx, sess, basket.CreateRequest{ID: j.anon, Owner: basket.Owner{AnonymousID: "sess-zoe"}, Context: demo.Web(time.Time{})})
	require.NoError(t, err)
	_, err = l.svc.AddLine(l.ctx, sess, j.anon, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1, Product: demo.Product("CANDLE-FIG")})
	require.NoError(t, err)

	j.web = l.basket(t, zoe, "cust-zoe", demo.Web(time.Time{}))
	_, err = l.svc.AddLine(l.ctx, zoe, j.web, basket.NewLine{SKU: "MUG-STONE", Quantity: 2, Product: demo.Product("MUG-STONE")}, basket.WithIdempotencyKey("zoe-add-1"))
	require.NoError(t, err)
	j.key = Key(basket.Shopper, "cust-zoe", j.web, "zoe-add-1")
	_, err = l.svc.SetLoyalty(l.ctx, zoe, j.web, &basket.Loyalty{Account: "LOY-ZOE-7", Tier: "2"})
	require.NoError(t, err)
	_, err = l.svc.Merge(l.ctx, flowOps, basket.MergeRequest{Target: j.web, Source: j.anon, SourceHolder: sess, Policy: basket.MergeSum})
	require.NoError(t, err)

	j.order = l.basket(t, flowMalik, "cust-zoe", demo.Store(demo.PartDieu, time.Time{}), "CUSHION-VEL", 2, "CUSHION-LIN", 1, "VASE-GLASS", 1)
	_, err = l.svc.SetLoyalty(l.ctx, flowMalik, j.order, &basket.Loyalty{Account: "LOY-ZOE-7"})
	require.NoError(t, err)
	b, err := l.svc.PlaceOrder(l.ctx, flowMalik, j.order)
	require.NoError(t, err)
	_, err = l.svc.Invoice(l.ctx, flowMalik, j.order)
	require.NoError(t, err)
	l.h.Clock.Advance(7 * 24 * time.Hour)
	_, err = l.svc.Return(l.ctx, flowOps, j.order, basket.ReturnRequest{LocationID: demo.Bellecour,
		Lines: []basket.ReturnLine{{LineID: lineID(t, b, "CUSHION-VEL"), Quantity: 1}}, Reason: "too small for Zoé"})
	require.NoError(t, err)

	j.other = l.basket(t, flowMalik, "cust-other", demo.Store(demo.PartDieu, time.Time{}), "MUG-STONE", 1)
	_, err = l.svc.PlaceOrder(l.ctx, flowMalik, j.other)
	require.NoError(t, err)
	_, err = l.svc.Invoice(l.ctx, flowMalik, j.other)
	require.NoError(t, err)
	j.invoices = l.documents(t, j.order, j.other)
	require.Len(t, j.invoices, 3, "an invoice and a credit note for Zoé, an invoice for the other customer")
	return j
}

func (l *lifecycle) documents(t *testing.T, ids ...uuid.UUID) []basket.Document {
	t.Helper()
	docs, err := l.h.Store.(basket.DocumentStore).Documents(l.ctx, ids)
	require.NoError(t, err)
	return docs
}

// stored is everything the store holds of a basket, as JSON.
func (l *lifecycle) stored(t *testing.T, id uuid.UUID) string {
	t.Helper()
	b, err := l.h.Store.Get(l.ctx, id)
	require.NoError(t, err)
	events, err := l.h.Store.Events(l.ctx, id, 0)
	require.NoError(t, err)
	var checkpoints []*basket.Basket
	for v := int64(1); v <= b.Version; v++ {
		cp, _, err := l.h.Store.HistoryAt(l.ctx, id, v)
		require.NoError(t, err)
		if cp != nil && cp.Version == v {
			checkpoints = append(checkpoints, cp)
		}
	}
	data, err := json.Marshal(map[string]any{"basket": b, "events": events, "checkpoints": checkpoints, "documents": l.documents(t, id)})
	require.NoError(t, err)
	return string(data)
}

func testErasure(t *testing.T, l *lifecycle) {
	j := l.journey(t)
	zoes := []uuid.UUID{j.anon, j.web, j.order}
	x := basket.Erasure{ID: uuid.MustParse("5a1c0de5-0000-4000-8000-000000000017"), CustomerID: "cust-zoe"}
	p := x.Pseudonym()

	// What the erasure must change, and what it must keep.
	var want basket.ErasureCounts
	totals := map[uuid.UUID]string{}
	checkpointed := false
	for _, id := range zoes {
		b, err := l.h.Store.Get(l.ctx, id)
		require.NoError(t, err)
		if _, changed := x.ScrubBasket(b); changed {
			want.Baskets++
		}
		totals[id] = totalsOf(t, b)
		events, err := l.h.Store.Events(l.ctx, id, 0)
		require.NoError(t, err)
		for _, e := range events {
			if _, changed, err := x.ScrubEvent(e); assert.NoError(t, err) && changed {
				want.Events++
			}
		}
		cp, _, err := l.h.Store.HistoryAt(l.ctx, id, b.Version)
		require.NoError(t, err)
		checkpointed = checkpointed || cp != nil
	}
	require.True(t, checkpointed, "the journey has checkpoints to erase")
	other := l.stored(t, j.other)
	for _, s := range secrets[:3] {
		found := false
		for _, id := range zoes {
			found = found || strings.Contains(l.stored(t, id), s)
		}
		require.True(t, found, "the journey stores %q before the erasure", s)
	}

	rc, err := l.svc.Erase(l.ctx, flowOps, x)
	require.NoError(t, err)
	sorted := slices.Clone(zoes)
	slices.SortFunc(sorted, compareIDs)
	assert.Equal(t, sorted, rc.Baskets, "her baskets and the anonymous one merged into them")
	assert.Equal(t, p, rc.Pseudonym)
	assert.Equal(t, want.Baskets, rc.Erased.Baskets)
	assert.Equal(t, want.Events, rc.Erased.Events)
	assert.Positive(t, rc.Erased.Checkpoints)
	assert.Equal(t, 2, rc.Erased.Documents, "her invoice and credit note")
	assert.Positive(t, rc.Erased.IdempotencyRecords)
	receipt, err := json.Marshal(rc)
	require.NoError(t, err)
	assert.NotContains(t, string(receipt), "cust-zoe", "the receipt does not name the customer")

	// No query by her ID finds anything, and nothing of hers is left.
	ids, err := l.h.Store.FindByOwner(l.ctx, "cust-zoe")
	require.NoError(t, err)
	assert.Empty(t, ids)
	view, err := l.svc.CustomerView(l.ctx, flowOps, "cust-zoe", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Empty(t, view.Entries)
	_, err = l.h.Store.Idempotency(l.ctx, j.key)
	assert.ErrorIs(t, err, basket.ErrNotFound)
	for _, id := range zoes {
		all := l.stored(t, id)
		for _, s := range secrets {
			assert.NotContains(t, all, s, "basket %s", id)
		}
	}
	ids, err = l.h.Store.FindByOwner(l.ctx, p)
	require.NoError(t, err)
	assert.ElementsMatch(t, []uuid.UUID{j.web, j.order}, ids, "her baskets are the pseudonym's")

	// The books are whole: amounts, numbers, series, dates.
	after := l.documents(t, j.order, j.other)
	require.Len(t, after, len(j.invoices))
	for i, d := range after {
		was := j.invoices[i]
		assert.Equal(t, was.Number, d.Number)
		assert.Equal(t, was.Series, d.Series)
		assert.True(t, was.IssuedAt.Equal(d.IssuedAt))
		assert.Equal(t, was.Total, d.Total)
		assert.Equal(t, was.Net, d.Net)
		assert.Equal(t, was.Tax, d.Tax)
		assert.Equal(t, linesJSON(t, was.Lines), linesJSON(t, d.Lines))
		if d.BasketID == j.order {
			assert.Equal(t, p, d.CustomerID)
		}
	}
	assert.Equal(t, other, l.stored(t, j.other), "another customer's data is untouched, byte for byte")

	// Every history replays to the basket stored, with the same totals.
	for _, id := range zoes {
		b, err := l.h.Store.Get(l.ctx, id)
		require.NoError(t, err)
		events, err := l.h.Store.Events(l.ctx, id, 0)
		require.NoError(t, err)
		replayed, err := basket.Replay(events)
		require.NoError(t, err)
		assert.JSONEq(t, string(mustJSON(t, b)), string(mustJSON(t, replayed)), "basket %s replays", id)
		assert.Equal(t, totals[id], totalsOf(t, b), "basket %s keeps its totals", id)
	}
	b, err := l.svc.Get(l.ctx, shopper(p), j.web)
	require.NoError(t, err, "the basket still works, for whoever holds the pseudonym")
	assert.Equal(t, basket.Owner{CustomerID: p}, b.Owner)

	// Erasing twice is erasing once.
	state := map[uuid.UUID]string{}
	for _, id := range zoes {
		state[id] = l.stored(t, id)
	}
	rc2, err := l.svc.Erase(l.ctx, flowOps, x)
	require.NoError(t, err)
	assert.Empty(t, rc2.Baskets)
	assert.Equal(t, basket.ErasureCounts{}, rc2.Erased)
	for _, id := range zoes {
		n, err := l.eraser.EraseBasket(l.ctx, x, id)
		require.NoError(t, err)
		assert.Equal(t, basket.ErasureCounts{}, n, "the store finds nothing left to change")
		assert.Equal(t, state[id], l.stored(t, id))
	}
}

func testErasureRefusals(t *testing.T, l *lifecycle) {
	zoe := shopper("cust-zoe")
	id := l.basket(t, zoe, "cust-zoe", demo.Web(time.Time{}), "MUG-STONE", 1)
	x := basket.Erasure{ID: uuid.New(), CustomerID: "cust-zoe"}
	_, err := l.svc.Erase(l.ctx, zoe, x)
	assert.ErrorIs(t, err, basket.ErrForbidden, "not even her own: the platform verifies the request")
	for _, bad := range []basket.Erasure{{CustomerID: "cust-zoe"}, {ID: uuid.New()}, {ID: uuid.New(), CustomerID: basket.ErasurePrefix + "x"}} {
		_, err := l.svc.Erase(l.ctx, flowOps, bad)
		assert.ErrorIs(t, err, basket.ErrInvalid, "%+v", bad)
	}
	_, err = l.eraser.EraseBasket(l.ctx, x, uuid.New())
	assert.ErrorIs(t, err, basket.ErrNotFound)
	b, err := l.h.Store.Get(l.ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "cust-zoe", b.Owner.CustomerID, "refusals change nothing")

	rc, err := l.svc.Erase(l.ctx, flowOps, basket.Erasure{ID: uuid.New(), CustomerID: "cust-nobody"})
	require.NoError(t, err)
	assert.Empty(t, rc.Baskets, "a customer with nothing stored: an empty receipt")
}

// totalsOf is a basket's money as JSON: its priced totals and payment.
func totalsOf(t *testing.T, b *basket.Basket) string {
	t.Helper()
	var v struct {
		Totals  any `json:"totals"`
		Payment any `json:"payment"`
		Status  basket.Status
	}
	v.Status = b.Status
	if b.Result != nil {
		v.Totals, v.Payment = b.Result.Totals, b.Result.Payment
	}
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

func compareIDs(a, b uuid.UUID) int { return strings.Compare(string(a[:]), string(b[:])) }

func linesJSON(t *testing.T, ls []basket.DocumentLine) string {
	t.Helper()
	data, err := json.Marshal(ls)
	require.NoError(t, err)
	return string(data)
}
