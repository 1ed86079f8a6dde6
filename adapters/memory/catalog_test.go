package memory_test

import (
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogOf builds the catalogue serving d.
func catalogOf(t *testing.T, d sourcetest.Data) *memory.Catalog {
	t.Helper()
	cat, err := memory.NewCatalog(memory.CatalogData{Prices: d.Prices, Promotions: d.Promotions, TaxRules: d.TaxRules, Sites: d.Locations, Fees: d.Fees})
	require.NoError(t, err)
	return cat
}

func TestCatalog(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		cat := catalogOf(t, d)
		return sourcetest.Sources{Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat}
	})
}

// NewCatalog refuses data its parts refuse, and says which part.
func TestNewCatalogNamesThePartThatRefused(t *testing.T) {
	good := demo.Prices()
	promos := demo.Promotions()
	for _, tt := range []struct {
		name   string
		data   memory.CatalogData
		prefix string
		is     error
	}{
		{"a price twice", memory.CatalogData{Prices: append(good[:1:1], good[0]), Promotions: promos, TaxRules: demo.TaxRules()}, "prices: ", pricing.ErrInvalid},
		{"a promotion twice", memory.CatalogData{Prices: good, Promotions: append(promos[:1:1], promos[0]), TaxRules: demo.TaxRules()}, "promotions: ", promotion.ErrInvalid},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := memory.NewCatalog(tt.data)
			require.ErrorIs(t, err, tt.is)
			assert.True(t, strings.HasPrefix(err.Error(), tt.prefix), err.Error())
		})
	}
	cat, err := memory.NewCatalog(memory.CatalogData{Prices: good, Promotions: promos, TaxRules: demo.TaxRules(), Sites: demo.Sites(), Fees: demo.Fees()})
	require.NoError(t, err)
	assert.Equal(t, demo.Sites(), cat.Sites)
}
