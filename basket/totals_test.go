package basket_test

import (
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/require"
)

// Totals are added in minor units; a sum out of range must still be the
// error Money.Add gives, never a wrapped number. Two lines of 4·10^18 yen
// fit, as does their subtotal, but not their total with 20 % tax.
func TestTotalsOverflowIsAnError(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	prices := []pricing.Price{
		{ListID: "trade", SKU: "PRESS", Unit: pricing.MustParse("4000000000000000000", "JPY")},
		{ListID: "trade", SKU: "LATHE", Unit: pricing.MustParse("4000000000000000000", "JPY")},
	}
	snap := b2bSnapshot(t, prices)
	one := tradeBasket(t, "JPY", at, trade("PRESS", 1))
	r, err := basket.Recontextualize(one, b2bContext("JPY", at), snap, basket.Options{})
	require.NoError(t, err, "one line fits")
	require.Equal(t, "4800000000000000000", r.Totals.Total.Amount())

	two := tradeBasket(t, "JPY", at, trade("PRESS", 1), trade("LATHE", 1))
	_, err = basket.Recontextualize(two, b2bContext("JPY", at), snap, basket.Options{})
	require.ErrorIs(t, err, pricing.ErrOverflow)
}
