package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
)

// saved is one call of an after-save hook.
type saved struct {
	ID      uuid.UUID
	Version int64
}

// recorder collects the calls of an after-save hook.
type recorder struct {
	mu    sync.Mutex
	calls []saved
}

func (r *recorder) hook(id uuid.UUID, version int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, saved{id, version})
}

func (r *recorder) taken() []saved {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.calls
	r.calls = nil
	return calls
}

var notifyMeta = basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "c-1"}, At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}

// created is the first write of a new basket.
func created(t *testing.T, id uuid.UUID) (*basket.Basket, basket.Write) {
	t.Helper()
	b, e, err := basket.New(id, basket.Owner{CustomerID: "c-1"}, channel.Context{
		ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR", PriceLists: []string{"web"}, TaxZone: "FR", AsOf: notifyMeta.At,
		StockSources: []string{"wh"}, FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress},
	}, basket.Cart, notifyMeta)
	require.NoError(t, err)
	return b, basket.Write{Basket: b.Clone(), Events: []basket.Event{e}}
}

// couponAdded changes b (a coupon more) and returns the write of that
// change from the version b was at.
func couponAdded(t *testing.T, b *basket.Basket, code string) basket.Write {
	t.Helper()
	from := b.Version
	e, err := b.AddCoupon(notifyMeta, code)
	require.NoError(t, err)
	return basket.Write{Basket: b.Clone(), ExpectedVersion: from, Events: []basket.Event{e}}
}

func TestAfterSaveAnnouncesWhatWasWritten(t *testing.T) {
	ctx := context.Background()
	var first, second recorder
	s := memory.NewBasketStore(memory.WithAfterSave(first.hook), memory.WithAfterSave(nil), memory.WithAfterSave(second.hook))
	idA, idB := uuid.New(), uuid.New()

	a, w := created(t, idA)
	require.NoError(t, s.Save(ctx, w))
	assert.Equal(t, []saved{{idA, 1}}, first.taken(), "a creation is announced at version 1")

	stale := a.Clone()
	require.NoError(t, s.Save(ctx, couponAdded(t, a, "WELCOME")))
	assert.Equal(t, []saved{{idA, 2}}, first.taken())

	// Refused writes announce nothing.
	err := s.Save(ctx, couponAdded(t, stale, "OTHER"))
	require.ErrorIs(t, err, basket.ErrVersionConflict)
	_, again := created(t, idA)
	require.ErrorIs(t, s.Save(ctx, again), basket.ErrAlreadyExists)
	require.ErrorIs(t, s.Save(ctx, basket.Write{Basket: a.Clone()}), basket.ErrInvalid)
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.Save(canceled, couponAdded(t, a.Clone(), "LATE")), context.Canceled)
	assert.Empty(t, first.taken(), "a write the store refused is not announced")

	// A write of several baskets (a merge) announces each, in write order.
	b, w := created(t, idB)
	require.NoError(t, s.Save(ctx, w))
	assert.Equal(t, []saved{{idB, 1}}, first.taken())
	merge := couponAdded(t, a, "MERGED")
	merge.Also = []basket.Write{couponAdded(t, b, "SOURCE")}
	require.NoError(t, s.Save(ctx, merge))
	assert.Equal(t, []saved{{idA, 3}, {idB, 2}}, first.taken())

	assert.Equal(t, []saved{{idA, 1}, {idA, 2}, {idB, 1}, {idA, 3}, {idB, 2}}, second.taken(),
		"every hook sees every write; a nil hook is ignored")
}

// The hook runs after the store's lock is released: it may read the
// store, and it sees at least the version it is told about.
func TestAfterSaveRunsOutsideTheLock(t *testing.T) {
	ctx := context.Background()
	var s *memory.BasketStore
	read := make(chan error, 4)
	s = memory.NewBasketStore(memory.WithAfterSave(func(id uuid.UUID, version int64) {
		done := make(chan error, 1)
		go func() {
			b, err := s.Get(ctx, id)
			if err == nil && b.Version < version {
				err = fmt.Errorf("read version %d after being told of %d", b.Version, version)
			}
			done <- err
		}()
		select {
		case err := <-done:
			read <- err
		case <-time.After(5 * time.Second):
			read <- errors.New("the hook ran while Save held the store's lock")
		}
	}))
	b, w := created(t, uuid.New())
	require.NoError(t, s.Save(ctx, w))
	require.NoError(t, <-read)
	require.NoError(t, s.Save(ctx, couponAdded(t, b, "WELCOME")))
	require.NoError(t, <-read)
}

// Under concurrent writers, each stored version of each basket is
// announced exactly once, and nothing else is.
func TestAfterSaveUnderConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	var rec recorder
	s := memory.NewBasketStore(memory.WithAfterSave(rec.hook))
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	for _, id := range ids {
		_, w := created(t, id)
		require.NoError(t, s.Save(ctx, w))
	}
	const writers, tries = 8, 25
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tries {
				id := ids[(g+i)%len(ids)]
				b, err := s.Get(ctx, id)
				if !assert.NoError(t, err) {
					return
				}
				from := b.Version
				e, err := b.AddCoupon(notifyMeta, fmt.Sprintf("C%d-%d", g, i))
				if !assert.NoError(t, err) {
					return
				}
				err = s.Save(ctx, basket.Write{Basket: b, ExpectedVersion: from, Events: []basket.Event{e}})
				if err != nil && !errors.Is(err, basket.ErrVersionConflict) {
					assert.NoError(t, err)
				}
			}
		}()
	}
	wg.Wait()
	got := map[saved]int{}
	for _, c := range rec.taken() {
		got[c]++
	}
	want := map[saved]int{}
	for _, id := range ids {
		b, err := s.Get(ctx, id)
		require.NoError(t, err)
		for v := int64(1); v <= b.Version; v++ {
			want[saved{id, v}] = 1
		}
	}
	assert.Equal(t, want, got)
}
