package baskettest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// LedgerHarness is what the tests of Write.Stock need from an adapter: a
// fresh [basket.LedgerStore] whose ledger is empty, a way to make stock
// known in that ledger, and the clock the ledger judges expiry with.
type LedgerHarness struct {
	// Store is the store under test; Store.Ledger() must not be nil.
	Store basket.LedgerStore
	// SetOnHand makes the pair known in the store's ledger with that
	// on-hand count (a stock feed).
	SetOnHand func(ctx context.Context, sku, location string, onHand int64) error
	// Clock is the fake clock the ledger judges expiry with.
	Clock *clock.Fake
	// Racers is the number of goroutines of the oversell race through
	// Save; 0 means 50.
	Racers int
}

// withStock returns a write that changes b (a coupon) and carries c.
func withStock(t testing.TB, b *basket.Basket, code string, c stock.Change) basket.Write {
	t.Helper()
	w := change(t, b, code)
	w.Stock = &c
	return w
}

func hold(basketID uuid.UUID, loc string, until time.Time, lines ...stock.ReserveLine) stock.Change {
	return stock.Change{BasketID: basketID.String(), Movements: []stock.Movement{
		{Kind: stock.MoveHold, LocationID: loc, Lines: lines, ExpiresAt: until},
	}}
}

func line(sku string, qty int64) stock.ReserveLine { return stock.ReserveLine{SKU: sku, Quantity: qty} }

// held returns what the basket holds, SKU → quantity per location, as the
// ledger reports it.
func held(t testing.TB, l stock.Ledger, basketID uuid.UUID) map[string]map[string]int64 {
	t.Helper()
	rs, err := l.Reservations(context.Background(), basketID.String())
	require.NoError(t, err)
	out := map[string]map[string]int64{}
	for _, r := range rs {
		out[r.LocationID] = map[string]int64{}
		for _, x := range r.Lines {
			out[r.LocationID][x.SKU] = x.Quantity
		}
	}
	return out
}

func levels(t testing.TB, l stock.Ledger, skus, locs []string) []stock.Level {
	t.Helper()
	lv, err := l.Levels(context.Background(), stock.Query{SKUs: skus, Locations: locs})
	require.NoError(t, err)
	return lv.All()
}

// unchanged asserts that a refused write left b as stored, with its
// events, no idempotency record under key and, for a document store, no
// document.
func unchanged(t testing.TB, s basket.Store, b *basket.Basket, key basket.IdempotencyKey) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.Version, got.Version, "basket version unchanged")
	assert.Equal(t, b.Wallet.Coupons, got.Wallet.Coupons)
	events, err := s.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	assert.Len(t, events, int(b.Version), "no event added")
	_, err = s.Idempotency(ctx, key)
	assert.ErrorIs(t, err, basket.ErrNotFound, "no idempotency record")
	_, _, err = s.HistoryAt(ctx, b.ID, b.Version+1)
	assert.ErrorIs(t, err, basket.ErrInvalid, "the refused version is not in the history")
	if ds, ok := s.(basket.DocumentStore); ok {
		docs, err := ds.Documents(ctx, []uuid.UUID{b.ID})
		require.NoError(t, err)
		assert.Empty(t, docs, "no document")
	}
}

// testStockWithoutLedger checks that a store without a ledger refuses a
// write carrying stock and writes nothing. It is part of [RunStoreTests].
func testStockWithoutLedger(t *testing.T, s basket.Store) {
	if ls, ok := s.(basket.LedgerStore); ok && ls.Ledger() != nil {
		t.Skip("the store keeps a ledger: see RunLedgerStoreTests")
	}
	ctx := context.Background()
	b, w := NewBasket(t, "c-1")
	require.NoError(t, s.Save(ctx, w))
	stored := b.Clone()
	x := withStock(t, b, "HOLD", hold(b.ID, "wh-1", at().Add(time.Hour), line("sku-1", 1)))
	k := Key(basket.Shopper, "c-1", b.ID, "stock")
	x.Idempotency = &basket.IdempotencyRecord{Key: k, BasketID: b.ID, Version: b.Version}
	assert.ErrorIs(t, s.Save(ctx, x), basket.ErrNotConfigured)
	unchanged(t, s, stored, k)
}

// RunLedgerStoreTests checks that a [basket.LedgerStore] applies
// Write.Stock in the same all-or-nothing write as the basket: a write
// with stock moves the ledger; a stock failure (a shortage, an expiry in
// the past) fails the write with the ledger's typed error and stores
// nothing; a basket failure (a version conflict, in the main write or in
// Write.Also) leaves the ledger as it was; the version check makes a
// change happen once; and concurrent orders through Save never oversell.
// newHarness is called once per test and must return an empty store.
func RunLedgerStoreTests(t *testing.T, newHarness func(t *testing.T) LedgerHarness) {
	ctx := context.Background()
	setup := func(t *testing.T, counts map[[2]string]int64) (LedgerHarness, stock.Ledger) {
		h := newHarness(t)
		l := h.Store.Ledger()
		require.NotNil(t, l, "the harness store keeps a ledger")
		for pair, n := range counts {
			require.NoError(t, h.SetOnHand(ctx, pair[0], pair[1], n))
		}
		return h, l
	}

	t.Run("StockAppliedWithTheWrite", func(t *testing.T) {
		h, l := setup(t, map[[2]string]int64{{"a", "wh-1"}: 5, {"b", "wh-1"}: 3})
		s := h.Store
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		until := h.Clock.Now().Add(time.Hour)
		require.NoError(t, s.Save(ctx, withStock(t, b, "ORDER", hold(b.ID, "wh-1", until, line("a", 2), line("b", 1)))))
		assert.Equal(t, map[string]map[string]int64{"wh-1": {"a": 2, "b": 1}}, held(t, l, b.ID))
		assert.Equal(t, []stock.Level{
			{SKU: "a", LocationID: "wh-1", OnHand: 5, Reserved: 2},
			{SKU: "b", LocationID: "wh-1", OnHand: 3, Reserved: 1},
		}, levels(t, l, []string{"a", "b"}, []string{"wh-1"}))

		// The collection hands the held units over: on-hand and the hold
		// go down together.
		stale := b.Clone()
		collect := withStock(t, b, "COLLECT", stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{
			{Kind: stock.MoveDeduct, LocationID: "wh-1", Lines: []stock.ReserveLine{line("a", 2)}},
		}})
		require.NoError(t, s.Save(ctx, collect))
		assert.Equal(t, map[string]map[string]int64{"wh-1": {"b": 1}}, held(t, l, b.ID))
		after := []stock.Level{
			{SKU: "a", LocationID: "wh-1", OnHand: 3, Reserved: 0},
			{SKU: "b", LocationID: "wh-1", OnHand: 3, Reserved: 1},
		}
		assert.Equal(t, after, levels(t, l, []string{"a", "b"}, []string{"wh-1"}))

		// The same write again (a client retrying blindly) is a version
		// conflict: the hand-over happens once.
		again := withStock(t, stale, "COLLECT", *collect.Stock)
		require.ErrorIs(t, s.Save(ctx, again), basket.ErrVersionConflict)
		assert.Equal(t, after, levels(t, l, []string{"a", "b"}, []string{"wh-1"}), "deducted once")
		got, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(3), got.Version)
	})

	t.Run("StockFailureWritesNothing", func(t *testing.T) {
		h, l := setup(t, map[[2]string]int64{{"a", "wh-1"}: 1, {"b", "wh-2"}: 5})
		s := h.Store
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		stored := b.Clone()
		before := levels(t, l, []string{"a", "b"}, []string{"wh-1", "wh-2"})
		until := h.Clock.Now().Add(time.Hour)
		for _, c := range []struct {
			name   string
			change stock.Change
			kind   error
		}{
			// The first movement alone would succeed: the second's
			// shortage undoes it.
			{"Shortage", stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{
				{Kind: stock.MoveHold, LocationID: "wh-2", Lines: []stock.ReserveLine{line("b", 2)}, ExpiresAt: until},
				{Kind: stock.MoveHold, LocationID: "wh-1", Lines: []stock.ReserveLine{line("a", 3)}, ExpiresAt: until},
			}}, stock.ErrInsufficientStock},
			{"UnknownPair", hold(b.ID, "wh-9", until, line("a", 1)), stock.ErrInsufficientStock},
			{"ExpiryInThePast", hold(b.ID, "wh-1", h.Clock.Now().Add(-time.Minute), line("a", 1)), stock.ErrInvalid},
			{"TransferOfNothingHeld", stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{
				{Kind: stock.MoveTransfer, LocationID: "wh-2", To: "wh-1", Lines: []stock.ReserveLine{line("b", 1)}, ExpiresAt: until},
			}}, stock.ErrNotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				x := withStock(t, b.Clone(), "ORDER", c.change)
				k := Key(basket.Shopper, "c-1", b.ID, "order-"+c.name)
				x.Idempotency = &basket.IdempotencyRecord{Key: k, BasketID: b.ID, Version: stored.Version + 1}
				x.Checkpoint = true
				if _, ok := s.(basket.DocumentStore); ok {
					x.Documents = []basket.Document{Document(x.Basket, basket.Invoice, "INV-stock", at())}
				}
				err := s.Save(ctx, x)
				require.ErrorIs(t, err, c.kind, "the ledger's error, matchable through the store")
				assert.NotErrorIs(t, err, basket.ErrVersionConflict)
				if c.kind == stock.ErrInsufficientStock {
					var short *stock.ShortageError
					require.ErrorAs(t, err, &short)
					assert.NotEmpty(t, short.Shortages)
				}
				unchanged(t, s, stored, k)
				assert.Empty(t, held(t, l, b.ID), "no hold taken")
				assert.Equal(t, before, levels(t, l, []string{"a", "b"}, []string{"wh-1", "wh-2"}))
				for _, d := range x.Documents {
					assert.Zero(t, d.Number, "no number written back")
				}
			})
		}

		// Nothing was left behind: a feasible order now goes through, and
		// its invoice is the series' first.
		x := withStock(t, b.Clone(), "ORDER", hold(b.ID, "wh-1", until, line("a", 1)))
		ds, documents := s.(basket.DocumentStore)
		if documents {
			x.Documents = []basket.Document{Document(x.Basket, basket.Invoice, "INV-stock", at())}
		}
		require.NoError(t, s.Save(ctx, x))
		assert.Equal(t, map[string]map[string]int64{"wh-1": {"a": 1}}, held(t, l, b.ID))
		if documents {
			assert.Equal(t, int64(1), x.Documents[0].Number, "the refused writes consumed no number")
			docs, err := ds.Documents(ctx, []uuid.UUID{b.ID})
			require.NoError(t, err)
			require.Len(t, docs, 1)
			assert.Equal(t, int64(1), docs[0].Number)
		}
	})

	t.Run("BasketFailureLeavesLedgerUnchanged", func(t *testing.T) {
		h, l := setup(t, map[[2]string]int64{{"a", "wh-1"}: 5})
		s := h.Store
		a, wa := NewBasket(t, "c-1")
		o, wo := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wo))
		staleA, staleO := a.Clone(), o.Clone()
		require.NoError(t, s.Save(ctx, change(t, a, "FIRST")))
		require.NoError(t, s.Save(ctx, change(t, o, "FIRST")))
		before := levels(t, l, []string{"a"}, []string{"wh-1"})
		until := h.Clock.Now().Add(time.Hour)

		// The main write is stale.
		err := s.Save(ctx, withStock(t, staleA.Clone(), "STALE", hold(a.ID, "wh-1", until, line("a", 2))))
		require.ErrorIs(t, err, basket.ErrVersionConflict)
		assert.Empty(t, held(t, l, a.ID))
		assert.Equal(t, before, levels(t, l, []string{"a"}, []string{"wh-1"}))

		// The main write is current, a basket written with it is stale.
		w := withStock(t, a.Clone(), "MERGE", hold(a.ID, "wh-1", until, line("a", 2)))
		w.Also = []basket.Write{change(t, staleO.Clone(), "ABANDON")}
		require.ErrorIs(t, s.Save(ctx, w), basket.ErrVersionConflict)
		assert.Empty(t, held(t, l, a.ID))
		assert.Equal(t, before, levels(t, l, []string{"a"}, []string{"wh-1"}))
		got, err := s.Get(ctx, a.ID)
		require.NoError(t, err)
		assert.Equal(t, a.Version, got.Version)

		// Creating a basket whose ID is taken is refused the same way.
		_, created := NewBasket(t, "c-1")
		created.Basket.ID = a.ID
		created.Events[0].BasketID = a.ID
		c := hold(a.ID, "wh-1", until, line("a", 1))
		created.Stock = &c
		require.ErrorIs(t, s.Save(ctx, created), basket.ErrAlreadyExists)
		assert.Empty(t, held(t, l, a.ID))
		assert.Equal(t, before, levels(t, l, []string{"a"}, []string{"wh-1"}))
	})

	t.Run("StockOfAnotherBasketIsInvalid", func(t *testing.T) {
		h, l := setup(t, map[[2]string]int64{{"a", "wh-1"}: 5})
		s := h.Store
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		stored := b.Clone()
		other := uuid.New()
		x := withStock(t, b, "ORDER", hold(other, "wh-1", h.Clock.Now().Add(time.Hour), line("a", 1)))
		require.ErrorIs(t, s.Save(ctx, x), basket.ErrInvalid)
		unchanged(t, s, stored, Key(basket.Shopper, "c-1", b.ID, "none"))
		assert.Empty(t, held(t, l, other))
	})

	t.Run("NoOversellThroughSave", func(t *testing.T) {
		// Racers each order one unit of a SKU of which half as many are on
		// hand: exactly that many orders are stored, each with its hold;
		// every other basket is as it was.
		h, l := setup(t, nil)
		s := h.Store
		racers := h.Racers
		if racers == 0 {
			racers = 50
		}
		units := int64(racers / 2)
		require.NoError(t, h.SetOnHand(ctx, "a", "wh-1", units))
		bs := make([]*basket.Basket, racers)
		for i := range bs {
			b, w := NewBasket(t, fmt.Sprintf("c-%d", i))
			require.NoError(t, s.Save(ctx, w))
			bs[i] = b
		}
		until := h.Clock.Now().Add(time.Hour)
		var wins, shorts atomic.Int64
		var wg sync.WaitGroup
		for _, b := range bs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				before := b.Version
				e, err := b.AddCoupon(meta(), "ORDER")
				if err != nil {
					t.Error(err)
					return
				}
				c := hold(b.ID, "wh-1", until, line("a", 1))
				err = s.Save(ctx, basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}, Stock: &c})
				var short *stock.ShortageError
				switch {
				case err == nil:
					wins.Add(1)
				case errors.As(err, &short):
					shorts.Add(1)
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, units, wins.Load(), "as many orders as units")
		assert.Equal(t, int64(racers)-units, shorts.Load())
		var holders int64
		for _, b := range bs {
			got, err := s.Get(ctx, b.ID)
			require.NoError(t, err)
			h := held(t, l, b.ID)
			switch got.Version {
			case 2:
				assert.Equal(t, map[string]map[string]int64{"wh-1": {"a": 1}}, h, "a stored order holds its unit")
				holders++
			case 1:
				assert.Empty(t, h, "a refused order holds nothing")
			default:
				t.Errorf("basket %s at version %d", b.ID, got.Version)
			}
		}
		assert.Equal(t, units, holders)
		assert.Equal(t, []stock.Level{{SKU: "a", LocationID: "wh-1", OnHand: units, Reserved: units}},
			levels(t, l, []string{"a"}, []string{"wh-1"}))
	})
}
