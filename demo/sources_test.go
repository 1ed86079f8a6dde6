package demo_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/require"
)

// TestCatalogServesTheDemo: the demo retailer's catalogue answers a
// Service as the source suite requires, with exactly the demo's data.
func TestCatalogServesTheDemo(t *testing.T) {
	cat, err := demo.Catalog()
	require.NoError(t, err)
	sourcetest.CheckSources(t, sourcetest.Sources{Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat},
		sourcetest.Data{Prices: demo.Prices(), Promotions: demo.Promotions(), TaxRules: demo.TaxRules(), Locations: demo.Sites(), Fees: demo.Fees()})
}
