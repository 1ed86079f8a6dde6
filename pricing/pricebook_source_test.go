package pricing_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/require"
)

// TestPriceBookIsAPriceSource: a PriceBook serves a Service's prices
// from memory, so it passes the price source suite.
func TestPriceBookIsAPriceSource(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		book, err := pricing.NewPriceBook(d.Prices)
		require.NoError(t, err)
		return sourcetest.Sources{Prices: book}
	})
}
