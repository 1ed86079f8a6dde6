package basket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithIfVersionRefusesAStaleDecisionAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-if"}
	b := f.create(t, basket.Owner{CustomerID: "cust-if"}, shopper)

	added, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1), basket.WithIfVersion(b.Version))
	require.NoError(t, err, "the caller saw the current version")
	assert.Greater(t, added.Version, b.Version)
	before := basketJSON(t, f, b.ID)

	_, err = f.svc.AddLine(ctx, shopper, b.ID, line("CANDLE-FIG", 1), basket.WithIfVersion(b.Version))
	require.ErrorIs(t, err, basket.ErrStaleVersion)
	assert.NotErrorIs(t, err, basket.ErrVersionConflict, "a stale caller is not a writer race to retry")
	var stale *basket.StaleVersionError
	require.True(t, errors.As(err, &stale))
	assert.Equal(t, b.ID, stale.ID)
	assert.Equal(t, b.Version, stale.Expected)
	assert.Equal(t, added.Version, stale.Current)
	assert.JSONEq(t, before, basketJSON(t, f, b.ID), "nothing was written")

	// An idempotent retry of the first call replays it, although the
	// version it names is now stale.
	key := basket.WithIdempotencyKey("if-1")
	first, err := f.svc.SetQuantity(ctx, shopper, b.ID, added.Lines[0].ID, 3, key, basket.WithIfVersion(added.Version))
	require.NoError(t, err)
	again, err := f.svc.SetQuantity(ctx, shopper, b.ID, added.Lines[0].ID, 3, key, basket.WithIfVersion(added.Version))
	require.NoError(t, err)
	assert.Equal(t, first.Version, again.Version)
}
