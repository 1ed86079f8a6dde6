package baskettest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeContext is the context of a store of the suite.
func storeContext(location string) channel.Context {
	c := Context()
	c.ChannelID, c.Kind, c.LocationID = "store", channel.Store, location
	c.StockSources = []string{location}
	c.FulfilmentModes = []channel.FulfilmentMode{channel.CarryOut}
	return c
}

// arrive records an arrival of b at location at time at, and returns the
// write that stores it.
func arrive(t testing.TB, b *basket.Basket, location string, at time.Time) basket.Write {
	t.Helper()
	before := b.Version
	m := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "c-arriving"}, At: at}
	e, err := b.Arrive(m, storeContext(location), location, "qr")
	require.NoError(t, err)
	return basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}
}

// testArrivals checks [basket.ArrivalStore.Arrivals]: by location, since a
// time (inclusive, to the nanosecond), latest first, following the
// basket's latest arrival and forgetting it when the basket checks out.
func testArrivals(t *testing.T, s basket.ArrivalStore) {
	ctx := context.Background()
	t0 := at()
	saved := func(customer string) *basket.Basket {
		b, w := NewBasket(t, customer)
		require.NoError(t, s.Save(ctx, w))
		return b
	}
	early, late, elsewhere, never := saved("c-1"), saved("c-2"), saved("c-3"), saved("c-4")
	require.NoError(t, s.Save(ctx, arrive(t, early, "store-a", t0.Add(time.Minute+123))))
	require.NoError(t, s.Save(ctx, arrive(t, late, "store-a", t0.Add(2*time.Minute))))
	require.NoError(t, s.Save(ctx, arrive(t, elsewhere, "store-b", t0.Add(3*time.Minute))))
	_ = never

	list := func(location string, since time.Time) []uuid.UUID {
		t.Helper()
		ids, err := s.Arrivals(ctx, location, since)
		require.NoError(t, err)
		return ids
	}
	assert.Equal(t, []uuid.UUID{late.ID, early.ID}, list("store-a", t0), "latest first, one store only")
	assert.Equal(t, []uuid.UUID{elsewhere.ID}, list("store-b", t0))
	assert.Contains(t, list("store-a", t0.Add(time.Minute+123)), early.ID, "since is inclusive, to the nanosecond")
	assert.Equal(t, []uuid.UUID{late.ID}, list("store-a", t0.Add(time.Minute+124)), "and exact: the store's rounding must not let one through")
	assert.Empty(t, list("store-c", t0))

	// The basket walks to store-b: it leaves store-a's list.
	require.NoError(t, s.Save(ctx, arrive(t, early, "store-b", t0.Add(4*time.Minute))))
	assert.Equal(t, []uuid.UUID{late.ID}, list("store-a", t0))
	assert.Equal(t, []uuid.UUID{early.ID, elsewhere.ID}, list("store-b", t0))

	// Checking out ends the arrival.
	before := late.Version
	e, err := late.CheckOut(meta(), Context(), "check-out")
	require.NoError(t, err)
	require.NoError(t, s.Save(ctx, basket.Write{Basket: late.Clone(), ExpectedVersion: before, Events: []basket.Event{e}}))
	assert.Empty(t, list("store-a", t0))

	got, err := s.Get(ctx, early.ID)
	require.NoError(t, err)
	require.NotNil(t, got.Arrival)
	assert.Equal(t, basket.Arrival{LocationID: "store-b", At: t0.Add(4 * time.Minute), Method: "qr"}, *got.Arrival, "the arrival round-trips")
}
