// Package baskettest is the conformance suite every basket.Store runs, in
// the manner of gocloud.dev's drivertest: one set of tests, one adapter
// harness each (adapters/memory, adapters/postgres).
//
//	func TestStore(t *testing.T) {
//		baskettest.RunStoreTests(t, func(t *testing.T) basket.Store { return memory.NewBasketStore() })
//	}
//
// A store that applies Write.Stock to a ledger runs [RunLedgerStoreTests]
// as well, and one that keeps documents [RunDocumentStoreTests].
package baskettest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Options scale the suite: the race sizes default to the figures
// (64 goroutines × 1,000 rounds, 50 invoices racing on one series) and
// shrink under -short.
type Options struct {
	RaceGoroutines int
	RaceRounds     int
	// DocumentRacers is the number of invoices racing on one series in
	// [RunDocumentStoreTests]; 0 means 50, under -short too.
	DocumentRacers int
}

func (o Options) withDefaults() Options {
	if o.RaceGoroutines == 0 {
		o.RaceGoroutines = 64
	}
	if o.RaceRounds == 0 {
		o.RaceRounds = 1000
		if testing.Short() {
			o.RaceRounds = 100
		}
	}
	if o.DocumentRacers == 0 {
		o.DocumentRacers = 50
	}
	return o
}

// At is the fixed time of the suite's commands.
func at() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

func meta() basket.Meta {
	return basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "baskettest"}, At: at()}
}

// Context is a valid web context for test baskets.
func Context() channel.Context {
	return channel.Context{
		ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR",
		PriceLists: []string{"web", "default"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{"wh-1"},
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress},
		AsOf:            at(),
	}
}

// NewBasket returns a fresh basket and its creation write.
func NewBasket(t testing.TB, customer string) (*basket.Basket, basket.Write) {
	t.Helper()
	b, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: customer}, Context(), basket.Cart, meta())
	require.NoError(t, err)
	return b, basket.Write{Basket: b.Clone(), Events: []basket.Event{e}}
}

// Key returns an idempotency key in a caller's scope.
func Key(kind basket.ActorKind, actorID string, scope uuid.UUID, key string) basket.IdempotencyKey {
	return basket.IdempotencyKey{ActorKind: kind, ActorID: actorID, Basket: scope, Key: key}
}

func mustJSON(t testing.TB, b *basket.Basket) []byte {
	t.Helper()
	data, err := json.Marshal(b)
	require.NoError(t, err)
	return data
}

// change applies one command to b and returns the write that stores it.
func change(t testing.TB, b *basket.Basket, code string) basket.Write {
	t.Helper()
	before := b.Version
	e, err := b.AddCoupon(meta(), code)
	require.NoError(t, err)
	return basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}
}

// RunStoreTests runs the suite against the stores newStore returns (a
// fresh, empty store per call). A store without a ledger (not a
// [basket.LedgerStore], or one whose Ledger is nil) must refuse
// Write.Stock, and one that is not a [basket.DocumentStore]
// Write.Documents, with [basket.ErrNotConfigured]; stores that keep them
// run [RunLedgerStoreTests] and [RunDocumentStoreTests]. A
// [basket.ArrivalStore] is also checked for its arrivals list.
func RunStoreTests(t *testing.T, newStore func(t *testing.T) basket.Store, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o = o.withDefaults()
	ctx := context.Background()

	t.Run("CreateGetRoundTrip", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		got, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, b.ID, got.ID)
		assert.Equal(t, b.Version, got.Version)
		assert.Equal(t, b.Owner, got.Owner)
		assert.Equal(t, b.Context.Fingerprint(), got.Context.Fingerprint())
		_, err = s.Get(ctx, uuid.New())
		assert.ErrorIs(t, err, basket.ErrNotFound)
		assert.ErrorIs(t, s.Save(ctx, w), basket.ErrAlreadyExists)
	})

	t.Run("ReturnedBasketsAreCopies", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		got, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		got.Wallet.Coupons = append(got.Wallet.Coupons, "MUTATED")
		again, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		assert.Empty(t, again.Wallet.Coupons)
	})

	t.Run("CompareAndSwap", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		stale := b.Clone()
		require.NoError(t, s.Save(ctx, change(t, b, "FIRST")))
		err := s.Save(ctx, change(t, stale, "SECOND"))
		require.ErrorIs(t, err, basket.ErrVersionConflict)
		var vc *basket.VersionConflictError
		require.ErrorAs(t, err, &vc)
		assert.Equal(t, int64(1), vc.Expected)
		assert.Equal(t, int64(2), vc.Current)
		events, err := s.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		assert.Len(t, events, 2, "the losing write left no event")
		got, _ := s.Get(ctx, b.ID)
		assert.Equal(t, []string{"FIRST"}, got.Wallet.Coupons)
	})

	t.Run("InvalidWriteChangesNothing", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		bad := change(t, b, "X")
		bad.Events[0].Seq = 7
		assert.ErrorIs(t, s.Save(ctx, bad), basket.ErrInvalid)
		noEvents := change(t, b.Clone(), "Y")
		noEvents.Events = nil
		assert.ErrorIs(t, s.Save(ctx, noEvents), basket.ErrInvalid)
		got, _ := s.Get(ctx, b.ID)
		assert.Equal(t, int64(1), got.Version)
		events, _ := s.Events(ctx, b.ID, 0)
		assert.Len(t, events, 1)
	})

	t.Run("EventsAreTheHistory", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		for i := range 5 {
			require.NoError(t, s.Save(ctx, change(t, b, fmt.Sprintf("C%d", i))))
		}
		events, err := s.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		require.Len(t, events, 6)
		for i, e := range events {
			assert.Equal(t, int64(i+1), e.Seq)
		}
		replayed, err := basket.Replay(events)
		require.NoError(t, err)
		stored, _ := s.Get(ctx, b.ID)
		assert.Equal(t, stored.Version, replayed.Version)
		assert.Equal(t, stored.Wallet, replayed.Wallet)
		tail, err := s.Events(ctx, b.ID, 4)
		require.NoError(t, err)
		require.Len(t, tail, 2)
		assert.Equal(t, int64(5), tail[0].Seq)
	})

	t.Run("Idempotency", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		k := Key(basket.Shopper, "c-1", b.ID, "k-1")
		first := change(t, b, "ONCE")
		first.Idempotency = &basket.IdempotencyRecord{Key: k, Digest: [32]byte{1}, BasketID: b.ID, Version: b.Version}
		require.NoError(t, s.Save(ctx, first))
		second := change(t, b, "TWICE")
		second.Idempotency = &basket.IdempotencyRecord{Key: k, Digest: [32]byte{2}, BasketID: b.ID, Version: b.Version}
		require.ErrorIs(t, s.Save(ctx, second), basket.ErrIdempotencyKeyUsed)
		got, _ := s.Get(ctx, b.ID)
		assert.Equal(t, []string{"ONCE"}, got.Wallet.Coupons, "the refused write changed nothing")
		rec, err := s.Idempotency(ctx, k)
		require.NoError(t, err)
		assert.Equal(t, [32]byte{1}, rec.Digest)
		assert.Equal(t, k, rec.Key)
		assert.Equal(t, b.ID, rec.BasketID)
		assert.Equal(t, int64(2), rec.Version)
		_, err = s.Idempotency(ctx, Key(basket.Shopper, "c-1", b.ID, "k-unknown"))
		assert.ErrorIs(t, err, basket.ErrNotFound)
	})

	t.Run("IdempotencyKeysAreScoped", func(t *testing.T) {
		// The same key string sent by another actor, another kind of actor
		// or for another basket is another key: it neither collides with
		// nor reveals the first.
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		other := uuid.New()
		scopes := []basket.IdempotencyKey{
			Key(basket.Shopper, "c-1", b.ID, "same"),
			Key(basket.Shopper, "c-2", b.ID, "same"),
			Key(basket.Associate, "c-1", b.ID, "same"),
			Key(basket.Shopper, "c-1", other, "same"),
			Key(basket.Shopper, "c-1", uuid.Nil, "same"),
		}
		for i, k := range scopes {
			x := change(t, b, fmt.Sprintf("C%d", i))
			x.Idempotency = &basket.IdempotencyRecord{Key: k, Digest: [32]byte{byte(i + 1)}, BasketID: b.ID, Version: b.Version}
			require.NoError(t, s.Save(ctx, x), "scope %d collided with an earlier one", i)
		}
		for i, k := range scopes {
			rec, err := s.Idempotency(ctx, k)
			require.NoError(t, err)
			assert.Equal(t, [32]byte{byte(i + 1)}, rec.Digest, "scope %d reads its own record", i)
		}
	})

	t.Run("HistoryAt", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		states := map[int64][]byte{1: mustJSON(t, b)}
		for i := range 9 {
			x := change(t, b, fmt.Sprintf("C%d", i))
			x.Checkpoint = b.Version%4 == 0 // checkpoints at 4 and 8
			require.NoError(t, s.Save(ctx, x))
			states[b.Version] = mustJSON(t, b)
		}
		for v := int64(1); v <= b.Version; v++ {
			cp, events, err := s.HistoryAt(ctx, b.ID, v)
			require.NoError(t, err, "version %d", v)
			wantFrom := v / 4 * 4
			if wantFrom == 0 {
				assert.Nil(t, cp, "no checkpoint before version 4")
			} else {
				require.NotNil(t, cp, "version %d", v)
				assert.Equal(t, wantFrom, cp.Version, "the newest checkpoint at or before %d", v)
			}
			assert.Len(t, events, int(v-wantFrom), "only the events after the checkpoint, up to %d", v)
			got, err := basket.ReplayFrom(cp, events)
			require.NoError(t, err)
			assert.JSONEq(t, string(states[v]), string(mustJSON(t, got)), "version %d rebuilt exactly", v)
		}
		_, _, err := s.HistoryAt(ctx, b.ID, b.Version+1)
		assert.ErrorIs(t, err, basket.ErrInvalid, "a version not reached")
		_, _, err = s.HistoryAt(ctx, b.ID, 0)
		assert.ErrorIs(t, err, basket.ErrInvalid)
		_, _, err = s.HistoryAt(ctx, uuid.New(), 1)
		assert.ErrorIs(t, err, basket.ErrNotFound)
	})

	t.Run("IdempotencyKeyRace", func(t *testing.T) {
		s := newStore(t)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, w := NewBasket(t, "c-race")
				w.Idempotency = &basket.IdempotencyRecord{Key: Key(basket.System, "job", uuid.Nil, "create-once"), BasketID: w.Basket.ID, Version: 1}
				err := s.Save(ctx, w)
				if err == nil {
					wins.Add(1)
				} else if !errors.Is(err, basket.ErrIdempotencyKeyUsed) {
					t.Errorf("unexpected error %v", err)
				}
			}()
		}
		wg.Wait()
		assert.Equal(t, int32(1), wins.Load(), "one creation per key")
		ids, err := s.FindByOwner(ctx, "c-race")
		require.NoError(t, err)
		assert.Len(t, ids, 1, "losers stored nothing")
	})

	t.Run("MultiBasketWriteIsAtomic", func(t *testing.T) {
		s := newStore(t)
		a, wa := NewBasket(t, "c-1")
		b, wb := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wb))
		staleB := b.Clone()
		require.NoError(t, s.Save(ctx, change(t, b, "MOVED")))
		w := change(t, a, "A")
		w.Also = []basket.Write{change(t, staleB, "B")}
		require.ErrorIs(t, s.Save(ctx, w), basket.ErrVersionConflict)
		got, _ := s.Get(ctx, a.ID)
		assert.Equal(t, int64(1), got.Version, "the main write was rolled back with the conflicting one")
	})

	t.Run("FindByOwner", func(t *testing.T) {
		s := newStore(t)
		var want []uuid.UUID
		for range 3 {
			b, w := NewBasket(t, "c-owner")
			require.NoError(t, s.Save(ctx, w))
			want = append(want, b.ID)
		}
		_, w := NewBasket(t, "c-other")
		require.NoError(t, s.Save(ctx, w))
		got, err := s.FindByOwner(ctx, "c-owner")
		require.NoError(t, err)
		assert.Equal(t, want, got, "oldest first")
		none, err := s.FindByOwner(ctx, "c-nobody")
		require.NoError(t, err)
		assert.Empty(t, none)
	})

	t.Run("TillStateRoundTrips", func(t *testing.T) { testTillStateRoundTrips(t, newStore(t)) })

	t.Run("Arrivals", func(t *testing.T) {
		s, ok := newStore(t).(basket.ArrivalStore)
		if !ok {
			t.Skip("the store is not a basket.ArrivalStore")
		}
		testArrivals(t, s)
	})

	t.Run("StockWithoutLedger", func(t *testing.T) { testStockWithoutLedger(t, newStore(t)) })

	t.Run("DocumentsWithoutDocumentStore", func(t *testing.T) { testDocumentsWithoutDocumentStore(t, newStore(t)) })

	t.Run("LostUpdateRace", func(t *testing.T) {
		s := newStore(t)
		b, w := NewBasket(t, "c-1")
		require.NoError(t, s.Save(ctx, w))
		rounds := o.RaceRounds
		accepted := make([]atomic.Int32, rounds+2) // by version written
		var conflicts atomic.Int64
		var done atomic.Bool
		var wg sync.WaitGroup
		for g := range o.RaceGoroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; !done.Load(); n++ {
					cur, err := s.Get(ctx, b.ID)
					if err != nil {
						t.Error(err)
						return
					}
					if cur.Version >= int64(rounds+1) {
						done.Store(true)
						return
					}
					before := cur.Version
					e, err := cur.AddCoupon(meta(), fmt.Sprintf("G%dN%d", g, n))
					if err != nil {
						t.Error(err)
						return
					}
					err = s.Save(ctx, basket.Write{Basket: cur, ExpectedVersion: before, Events: []basket.Event{e}})
					switch {
					case err == nil:
						accepted[cur.Version].Add(1)
					case errors.Is(err, basket.ErrVersionConflict):
						conflicts.Add(1)
					default:
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for v := 2; v <= rounds+1; v++ {
			if n := accepted[v].Load(); n != 1 {
				t.Fatalf("version %d accepted %d times", v, n)
			}
		}
		final, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(rounds+1), final.Version)
		assert.Len(t, final.Wallet.Coupons, rounds, "every accepted update is in the basket")
		events, err := s.Events(ctx, b.ID, 0)
		require.NoError(t, err)
		require.Len(t, events, rounds+1)
		for i, e := range events {
			require.Equal(t, int64(i+1), e.Seq)
		}
		t.Logf("%d versions, %d goroutines, %d conflicts refused", rounds, o.RaceGoroutines, conflicts.Load())
	})
}
