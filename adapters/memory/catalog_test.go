package memory_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/require"
)

// catalogOf builds the catalogue serving d.
func catalogOf(t *testing.T, d sourcetest.Data) *memory.Catalog {
	t.Helper()
	book, err := pricing.NewPriceBook(d.Prices)
	require.NoError(t, err)
	set, err := promotion.Compile(d.Promotions)
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable(d.TaxRules)
	require.NoError(t, err)
	return &memory.Catalog{PriceBook: book, PromotionSet: set, TaxRules: tax, Sites: d.Locations, ChannelFees: d.Fees}
}

func TestCatalog(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		cat := catalogOf(t, d)
		return sourcetest.Sources{Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat}
	})
}
