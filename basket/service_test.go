package basket_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
)

type fixture struct {
	svc   *basket.Service
	store *memory.BasketStore
	stock *memory.StockStore
	clk   *clock.Fake
	cfg   basket.Config
}

func newFixture(t testing.TB, change ...func(*basket.Config)) *fixture {
	t.Helper()
	cat, err := demo.Catalog()
	require.NoError(t, err)
	clk := clock.NewFake(demo.Start())
	st := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		require.NoError(t, st.SetOnHand(context.Background(), l.SKU, l.LocationID, l.OnHand))
	}
	f := &fixture{store: memory.NewBasketStore(), stock: st, clk: clk}
	f.cfg = basket.Config{Store: f.store, Prices: cat, Promotions: cat, Tax: cat, Stock: st, Locations: cat, Fees: cat, Clock: clk}
	for _, c := range change {
		c(&f.cfg)
	}
	f.svc, err = basket.NewService(f.cfg)
	require.NoError(t, err)
	return f
}

func (f *fixture) create(t testing.TB, owner basket.Owner, actor basket.Actor) *basket.Basket {
	t.Helper()
	b, err := f.svc.Create(context.Background(), actor, basket.CreateRequest{ID: uuid.New(), Owner: owner, Context: demo.Web(demo.Start())})
	require.NoError(t, err)
	return b
}

func line(sku string, qty int64) basket.NewLine {
	return basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)}
}

func TestServiceCommandsPriceAndRecordHistory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	assert.Equal(t, int64(2), b.Version, "created and priced")
	f.clk.Advance(time.Minute)
	b, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 2))
	require.NoError(t, err)
	b, err = f.svc.AddCoupon(ctx, shopper, b.ID, "welcome10")
	require.NoError(t, err)
	assert.Equal(t, "WELCOME10", b.Result.Coupons[0].Code)
	assert.Equal(t, demo.Start().Add(time.Minute), b.Result.Context.AsOf, "priced as of the command time")

	f.clk.Advance(24 * time.Hour)
	b, err = f.svc.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, time.Time{}))
	require.NoError(t, err)
	assert.Equal(t, "store-"+demo.Bellecour, b.Context.ChannelID)
	assert.NotEmpty(t, b.Result.Changes)

	events, err := f.svc.History(ctx, shopper, b.ID)
	require.NoError(t, err)
	require.Len(t, events, int(b.Version))
	replayed, err := basket.Replay(events)
	require.NoError(t, err)
	assert.Equal(t, b.Version, replayed.Version)
	assert.Equal(t, b.Result.Totals, replayed.Result.Totals)

	b, err = f.svc.Transition(ctx, shopper, b.ID, basket.Ordered, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, basket.Ordered, b.Status)
	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1))
	assert.ErrorIs(t, err, basket.ErrImmutable)
}

func TestServiceGrants(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	other := basket.Actor{Kind: basket.Shopper, ID: "cust-7"}
	associate := basket.Actor{Kind: basket.Associate, ID: "staff-1", LocationID: demo.Bellecour}

	_, missing := f.svc.Get(ctx, other, uuid.New())
	for name, a := range map[string]basket.Actor{"another shopper": other, "an associate without check-in": associate} {
		_, err := f.svc.Get(ctx, a, b.ID)
		assert.ErrorIs(t, err, basket.ErrNotFound, name)
		assert.Equal(t, errors.Is(missing, basket.ErrNotFound), errors.Is(err, basket.ErrNotFound), "probing looks like a missing basket")
		_, err = f.svc.AddLine(ctx, a, b.ID, line("MUG-STONE", 1))
		assert.ErrorIs(t, err, basket.ErrNotFound, name)
		_, err = f.svc.History(ctx, a, b.ID)
		assert.ErrorIs(t, err, basket.ErrNotFound, name)
	}
	ids, err := f.svc.FindByOwner(ctx, other, "cust-42")
	require.NoError(t, err)
	assert.Empty(t, ids, "nobody lists someone else's baskets")
	ids, err = f.svc.FindByOwner(ctx, shopper, "cust-42")
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{b.ID}, ids)
	_, err = f.svc.Create(ctx, other, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Web(demo.Start())})
	assert.ErrorIs(t, err, basket.ErrForbidden)
}

func TestServiceIdempotency(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	first, err := f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1), basket.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	f.clk.Advance(time.Second)
	retry, err := f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1), basket.WithIdempotencyKey("req-1"))
	require.NoError(t, err)
	assert.Equal(t, first.Version, retry.Version, "the retry returns the first outcome")
	l, _ := retry.Line("L0001")
	assert.Equal(t, int64(1), l.Quantity, "applied once")
	stored, _ := f.store.Get(ctx, b.ID)
	assert.Equal(t, first.Version, stored.Version)

	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 2), basket.WithIdempotencyKey("req-1"))
	assert.ErrorIs(t, err, basket.ErrIdempotencyMismatch)
	_, err = f.svc.AddLine(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, b.ID, line("MUG-STONE", 1), basket.WithIdempotencyKey("req-1"))
	assert.ErrorIs(t, err, basket.ErrNotFound, "a key does not leak another shopper's basket")
}

func TestServiceRetriesConflictsOnAFreshRead(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *basket.Config) { c.MaxAttempts = 100 })
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	skus := []string{"LAMP-ARC", "LAMP-DESK", "MUG-STONE", "CANDLE-FIG", "TEA-EARL", "BOOK-TEA", "VASE-GLASS", "RUG-JUTE"}
	var wg sync.WaitGroup
	errs := make(chan error, len(skus))
	for _, sku := range skus {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.AddLine(ctx, shopper, b.ID, line(sku, 1))
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	final, err := f.svc.Get(ctx, shopper, b.ID)
	require.NoError(t, err)
	assert.Len(t, final.Lines, len(skus), "no lost update")
	assert.Len(t, final.Result.Lines, len(skus), "the stored result prices the stored lines")
	assert.Equal(t, final.Version, final.Result.BasketVersion)
}

type failingPrices struct{}

func (failingPrices) Prices(context.Context, pricing.PriceQuery) ([]pricing.Price, error) {
	return nil, errors.New("ERP timeout")
}

type failingStock struct{}

func (failingStock) Levels(context.Context, stock.Query) (stock.Levels, error) {
	return stock.Levels{}, errors.New("stock service down")
}

func TestServiceProviderFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)

	broken := f.cfg
	broken.Prices = failingPrices{}
	svc, err := basket.NewService(broken)
	require.NoError(t, err)
	_, err = svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1))
	require.ErrorIs(t, err, basket.ErrSnapshot)
	stored, _ := f.store.Get(ctx, b.ID)
	assert.Equal(t, b.Version, stored.Version, "a failed pricing saved nothing")
	assert.Empty(t, stored.Lines)

	noStock := f.cfg
	noStock.Stock = failingStock{}
	svc, err = basket.NewService(noStock)
	require.NoError(t, err)
	b, err = svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 1))
	require.NoError(t, err, "pricing goes on when stock is unknown")
	l, _ := b.Result.Line("L0001")
	assert.True(t, l.Fulfilment.Unknown, "unknown, never assumed in stock")
	assert.Equal(t, []basket.ChangeKind{basket.ChangeLineAdded, basket.ChangeLineUnavailable}, []basket.ChangeKind{b.Result.Changes[0].Kind, b.Result.Changes[1].Kind})
	_, err = svc.Transition(ctx, shopper, b.ID, basket.Ordered, time.Time{})
	assert.ErrorIs(t, err, basket.ErrNotOrderable)
}

func TestServiceMergeNeedsBothBaskets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	anonActor := basket.Actor{Kind: basket.Shopper, ID: "anon-7"}
	anon := f.create(t, basket.Owner{AnonymousID: "anon-7"}, anonActor)
	_, err := f.svc.AddLine(ctx, anonActor, anon.ID, line("CANDLE-FIG", 2))
	require.NoError(t, err)
	mine := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)

	_, err = f.svc.Merge(ctx, shopper, basket.MergeRequest{Target: mine.ID, Source: anon.ID, Policy: basket.MergeSum})
	require.ErrorIs(t, err, basket.ErrNotFound, "the signed-in shopper does not hold the anonymous basket")
	_, err = f.svc.Merge(ctx, shopper, basket.MergeRequest{Target: mine.ID, Source: anon.ID, Policy: basket.MergeSum, SourceHolder: anonActor})
	require.ErrorIs(t, err, basket.ErrForbidden, "a shopper cannot vouch for a holder")
	_, err = f.svc.Merge(ctx, system, basket.MergeRequest{Target: mine.ID, Source: anon.ID, Policy: basket.MergeSum,
		SourceHolder: basket.Actor{Kind: basket.Shopper, ID: "anon-other"}})
	require.ErrorIs(t, err, basket.ErrNotFound, "the vouched holder must hold the source")

	// The platform, having authenticated both sessions, vouches for the
	// anonymous one.
	merged, err := f.svc.Merge(ctx, system, basket.MergeRequest{Target: mine.ID, Source: anon.ID, Policy: basket.MergeSum, SourceHolder: anonActor})
	require.NoError(t, err)
	assert.Len(t, merged.Lines, 1)
	assert.Len(t, merged.Result.Lines, 1, "priced after the merge")
	src, err := f.store.Get(ctx, anon.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.Abandoned, src.Status, "abandoned in the same write")
	events, _ := f.store.Events(ctx, anon.ID, 0)
	payload, err := events[len(events)-1].Decode()
	require.NoError(t, err)
	assert.Equal(t, mine.ID, *payload.(*basket.StatusChanged).MergedInto)
}

func TestNewServiceNeedsItsParts(t *testing.T) {
	_, err := basket.NewService(basket.Config{})
	assert.ErrorIs(t, err, basket.ErrInvalid)
	f := newFixture(t)
	cfg := f.cfg
	cfg.Clock = nil
	_, err = basket.NewService(cfg)
	assert.ErrorIs(t, err, basket.ErrInvalid)
	_ = fmt.Sprint()
}
