package basket_test

import (
	"context"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHistoryAfterReadsOnlyWhatIsNew(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-ha"}
	b := f.create(t, basket.Owner{CustomerID: "cust-ha"}, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	all, err := f.svc.History(ctx, shopper, b.ID)
	require.NoError(t, err)
	require.Greater(t, len(all), 2)

	for after := int64(0); after <= int64(len(all)); after++ {
		got, err := f.svc.HistoryAfter(ctx, shopper, b.ID, after)
		require.NoError(t, err)
		assert.Equal(t, all[after:], got, "after %d", after)
	}
	_, err = f.svc.HistoryAfter(ctx, shopper, b.ID, -1)
	assert.ErrorIs(t, err, basket.ErrInvalid)
	_, err = f.svc.HistoryAfter(ctx, basket.Actor{Kind: basket.Shopper, ID: "someone-else"}, b.ID, 0)
	assert.ErrorIs(t, err, basket.ErrNotFound, "the same permission as History")
}
