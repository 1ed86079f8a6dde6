package basket_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

var ops = basket.Actor{Kind: basket.System, ID: "ops"}

// lifecycleShop is the demo retailer on a fake clock over store (memory
// when nil), with its memory ledger.
func lifecycleShop(t testing.TB, wrap func(basket.Store) basket.Store) (*demo.Shop, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(demo.Start())
	st := memory.NewStockStore(clk)
	var store basket.Store = memory.NewBasketStore(memory.WithLedger(st))
	if wrap != nil {
		store = wrap(store)
	}
	shop, err := demo.NewShop(context.Background(), demo.ShopOptions{Clock: clk, Store: store, Stock: st})
	require.NoError(t, err)
	return shop, clk
}

// cart starts a web cart for a customer with a mug.
func cart(t require.TestingT, shop *demo.Shop, customer string) uuid.UUID {
	ctx := context.Background()
	id := uuid.New()
	me := basket.Actor{Kind: basket.Shopper, ID: customer}
	_, err := shop.Service.Create(ctx, me, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: customer}, Context: demo.Web(time.Time{})})
	require.NoError(t, err)
	_, err = shop.Service.AddLine(ctx, me, id, basket.NewLine{SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")})
	require.NoError(t, err)
	return id
}

// Property: a sweep abandons exactly the baskets of the statuses asked
// for that nobody changed within the inactivity, and writes nothing to
// any other basket (one active within the period, an order, a basket of
// another status, one abandoned already).
func TestPropertySweepAbandonsExactlyTheInactive(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		shop, clk := lifecycleShop(t, nil)
		type kept struct {
			id      uuid.UUID
			version int64
			status  basket.Status
			at      time.Time
		}
		var all []kept
		for i := range rapid.IntRange(1, 12).Draw(rt, "baskets") {
			id := cart(rt, shop, fmt.Sprintf("cust-%d", i))
			var err error
			switch st := rapid.SampledFrom([]basket.Status{basket.Cart, basket.Wishlist, basket.Quote, basket.Ordered, basket.Abandoned}).Draw(rt, "status"); st {
			case basket.Ordered:
				_, err = shop.Service.PlaceOrder(ctx, ops, id)
			case basket.Quote:
				_, err = shop.Service.Transition(ctx, ops, id, basket.Quote, clk.Now().Add(24*time.Hour))
			case basket.Wishlist, basket.Abandoned:
				_, err = shop.Service.Transition(ctx, ops, id, st, time.Time{})
			}
			require.NoError(rt, err)
			b, err := shop.Service.Get(ctx, ops, id)
			require.NoError(rt, err)
			all = append(all, kept{id: id, version: b.Version, status: b.Status, at: b.UpdatedAt})
			clk.Advance(time.Duration(rapid.IntRange(0, 48*60).Draw(rt, "minutes")) * time.Minute)
		}
		statuses := rapid.SliceOfNDistinct(rapid.SampledFrom([]basket.Status{basket.Cart, basket.Wishlist, basket.Quote}), 0, 3, rapid.ID).Draw(rt, "statuses")
		inactivity := time.Duration(rapid.IntRange(60, 72*60).Draw(rt, "inactivity")) * time.Minute
		swept := statuses
		if len(swept) == 0 {
			swept = []basket.Status{basket.Cart}
		}
		cutoff := clk.Now().UTC().Add(-inactivity)

		r, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{Inactivity: inactivity, Statuses: statuses,
			BatchSize: rapid.IntRange(1, 5).Draw(rt, "batch")})
		require.NoError(rt, err)
		want := 0
		for _, k := range all {
			b, err := shop.Service.Get(ctx, ops, k.id)
			require.NoError(rt, err)
			inactive := k.at.Before(cutoff)
			matches := false
			for _, st := range swept {
				matches = matches || st == k.status
			}
			if matches && inactive {
				want++
				require.Equal(rt, basket.Abandoned, b.Status, "%s %s inactive since %s", k.status, k.id, k.at)
				require.Equal(rt, k.version+1, b.Version, "one status event")
			} else {
				require.Equal(rt, k.version, b.Version, "%s %s changed at %s (cut-off %s) is not touched", k.status, k.id, k.at, cutoff)
			}
		}
		require.Equal(rt, want, r.Abandoned)
		require.Zero(rt, r.Failed)
		again, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{Inactivity: inactivity, Statuses: statuses})
		require.NoError(rt, err)
		require.Zero(rt, again.Abandoned, "sweeping twice is sweeping once")
	})
}

// touching is a store whose listing is stale by the time it is read: the
// shopper comes back to a listed cart between the listing and the sweep.
type touching struct {
	basket.InactiveStore
	touch func(ids []basket.InactiveBasket)
}

func (s *touching) Inactive(ctx context.Context, q basket.InactiveQuery) ([]basket.InactiveBasket, error) {
	page, err := s.InactiveStore.Inactive(ctx, q)
	if err == nil && s.touch != nil {
		s.touch(page)
		s.touch = nil
	}
	return page, err
}

func TestSweepSkipsACartTouchedAfterTheListing(t *testing.T) {
	ctx := context.Background()
	var store *touching
	shop, clk := lifecycleShop(t, func(s basket.Store) basket.Store {
		store = &touching{InactiveStore: s.(basket.InactiveStore)}
		return store
	})
	back, gone := cart(t, shop, "cust-back"), cart(t, shop, "cust-gone")
	clk.Advance(2 * time.Hour)
	store.touch = func(page []basket.InactiveBasket) {
		require.Len(t, page, 2, "both are listed")
		_, err := shop.Service.AddLine(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-back"}, back,
			basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1, Product: demo.Product("CANDLE-FIG")})
		require.NoError(t, err)
	}
	r, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{Inactivity: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, 2, r.Examined)
	assert.Equal(t, 1, r.Abandoned)
	assert.Equal(t, 1, r.Skipped)
	b, err := shop.Service.Get(ctx, ops, back)
	require.NoError(t, err)
	assert.Equal(t, basket.Cart, b.Status, "the shopper who came back keeps the cart")
	b, err = shop.Service.Get(ctx, ops, gone)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, b.Status)
}

// failing refuses the writes of one basket.
type failing struct {
	basket.InactiveStore
	id uuid.UUID
}

var errDisk = errors.New("disk full")

func (s *failing) Save(ctx context.Context, w basket.Write) error {
	if w.Basket.ID == s.id {
		return errDisk
	}
	return s.InactiveStore.Save(ctx, w)
}

func TestSweepPassesOverAFailingBasket(t *testing.T) {
	ctx := context.Background()
	var store *failing
	shop, clk := lifecycleShop(t, func(s basket.Store) basket.Store {
		store = &failing{InactiveStore: s.(basket.InactiveStore)}
		return store
	})
	first, second := cart(t, shop, "c-1"), cart(t, shop, "c-2")
	store.id = first
	clk.Advance(2 * time.Hour)
	r, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{Inactivity: time.Hour})
	assert.ErrorIs(t, err, errDisk, "the first failure is returned")
	assert.Equal(t, basket.SweepReport{Before: clk.Now().UTC().Add(-time.Hour), Examined: 2, Abandoned: 1, Failed: 1, Batches: 1}, r)
	b, err := shop.Service.Get(ctx, ops, second)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, b.Status, "the sweep went on past it")

	store.id = uuid.Nil
	r, err = shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{Inactivity: time.Hour})
	require.NoError(t, err)
	assert.Equal(t, 1, r.Abandoned, "re-running finishes the job")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = shop.Service.SweepAbandoned(cancelled, ops, basket.SweepOptions{})
	assert.ErrorIs(t, err, context.Canceled)
}

// plainStore hides the optional interfaces of the store it wraps.
type plainStore struct{ basket.Store }

func TestLifecycleNeedsTheStore(t *testing.T) {
	ctx := context.Background()
	shop, _ := lifecycleShop(t, func(s basket.Store) basket.Store { return plainStore{s} })
	_, err := shop.Service.SweepAbandoned(ctx, ops, basket.SweepOptions{})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
	_, err = shop.Service.ExpireIdempotency(ctx, ops, basket.ExpiryOptions{})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
	_, err = shop.Service.Erase(ctx, ops, erasure)
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
	for _, bad := range []basket.SweepOptions{{BatchSize: -1}, {BatchSize: basket.MaxLifecycleBatch + 1}, {Max: -1}, {Statuses: []basket.Status{basket.Abandoned}}} {
		_, err := shop.Service.SweepAbandoned(ctx, ops, bad)
		assert.ErrorIs(t, err, basket.ErrInvalid, "%+v", bad)
	}
}

// Property: an expiry deletes exactly the records older than the
// retention, whatever the batch size, and tells its progress.
func TestPropertyExpiryDeletesExactlyTheOld(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		clk := clock.NewFake(demo.Start())
		store := memory.NewBasketStore()
		var recs []basket.IdempotencyRecord
		for i := range rapid.IntRange(0, 30).Draw(rt, "records") {
			b, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c"}, demo.Web(demo.Start()), basket.Cart,
				basket.Meta{Actor: ops, At: demo.Start()})
			require.NoError(rt, err)
			rec := basket.IdempotencyRecord{Key: basket.IdempotencyKey{ActorKind: basket.System, ActorID: "ops", Basket: b.ID, Key: fmt.Sprint(i)},
				BasketID: b.ID, Version: 1, At: demo.Start().Add(time.Duration(rapid.IntRange(-72*60, 0).Draw(rt, "age")) * time.Minute)}
			require.NoError(rt, store.Save(ctx, basket.Write{Basket: b, Events: []basket.Event{e}, Idempotency: &rec}))
			recs = append(recs, rec)
		}
		cat, err := demo.Catalog()
		require.NoError(rt, err)
		svc, err := basket.NewService(basket.Config{Store: store, Prices: cat, Tax: cat, Stock: memory.NewStockStore(clk), Locations: cat, Clock: clk})
		require.NoError(rt, err)
		retention := time.Duration(rapid.IntRange(60, 72*60).Draw(rt, "retention")) * time.Minute
		batch := rapid.IntRange(1, 8).Draw(rt, "batch")
		calls := 0
		r, err := svc.ExpireIdempotency(ctx, ops, basket.ExpiryOptions{Retention: retention, BatchSize: batch, Progress: func(basket.ExpiryReport) { calls++ }})
		require.NoError(rt, err)
		cut := clk.Now().Add(-retention)
		old := 0
		for _, rec := range recs {
			_, err := store.Idempotency(ctx, rec.Key)
			if rec.At.Before(cut) {
				old++
				require.ErrorIs(rt, err, basket.ErrNotFound, "a record of %s is older than %s", rec.At, cut)
			} else {
				require.NoError(rt, err, "a record of %s is kept", rec.At)
			}
		}
		require.Equal(rt, old, r.Deleted)
		require.Equal(rt, old/batch+1, r.Batches, "full batches, then one short")
		require.Equal(rt, r.Batches, calls)
	})
}
