package demo

import (
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/stock"
)

// Catalog builds the in-memory catalogue of the retailer.
func Catalog() (*memory.Catalog, error) {
	return memory.NewCatalog(memory.CatalogData{Prices: Prices(), Promotions: Promotions(), TaxRules: TaxRules(), Sites: Sites(), Fees: Fees()})
}

// Snapshot is the full pure-core snapshot of the retailer for a context's
// fees (tests use it to call basket.Recontextualize directly).
func Snapshot(channelID string) (basket.Snapshot, error) {
	cat, err := Catalog()
	if err != nil {
		return basket.Snapshot{}, err
	}
	levels, err := stock.NewLevels(Stock())
	if err != nil {
		return basket.Snapshot{}, err
	}
	return basket.Snapshot{Prices: cat.PriceBook, Promotions: cat.PromotionSet, Tax: cat.TaxRules, Stock: levels,
		Locations: cat.Sites, Fees: cat.ChannelFees[channelID]}, nil
}
