package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Catalog serves the reference data a basket.Service prices with, from
// memory: it implements pricing.PriceSource, basket.PromotionSource,
// basket.TaxSource, basket.LocationSource and basket.FeeSource. Build it
// once; it is read-only and safe for concurrent use.
type Catalog struct {
	PriceBook *pricing.PriceBook
	// PromotionSet serves every channel: promotions carry their own scope.
	PromotionSet *promotion.Set
	TaxRules     *pricing.TaxTable
	Sites        []stock.Location
	// ChannelFees are the fulfilment fees per channel ID.
	ChannelFees map[string][]basket.FeeRule
}

// CatalogData is the reference data a [Catalog] is compiled from.
type CatalogData struct {
	Prices     []pricing.Price
	Promotions []promotion.Promotion
	TaxRules   []pricing.TaxRule
	Sites      []stock.Location
	// Fees are the fulfilment fees per channel ID.
	Fees map[string][]basket.FeeRule
}

// NewCatalog compiles d into a catalogue: its price book, promotion set
// and tax table, each checked (an error names which one refused its data).
func NewCatalog(d CatalogData) (*Catalog, error) {
	book, err := pricing.NewPriceBook(d.Prices)
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	set, err := promotion.Compile(d.Promotions)
	if err != nil {
		return nil, fmt.Errorf("promotions: %w", err)
	}
	tax, err := pricing.NewTaxTable(d.TaxRules)
	if err != nil {
		return nil, fmt.Errorf("tax: %w", err)
	}
	return &Catalog{PriceBook: book, PromotionSet: set, TaxRules: tax, Sites: d.Sites, ChannelFees: d.Fees}, nil
}

var (
	_ pricing.PriceSource    = (*Catalog)(nil)
	_ basket.PromotionSource = (*Catalog)(nil)
	_ basket.TaxSource       = (*Catalog)(nil)
	_ basket.LocationSource  = (*Catalog)(nil)
	_ basket.FeeSource       = (*Catalog)(nil)
)

// Prices implements pricing.PriceSource.
func (c *Catalog) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	if c.PriceBook == nil {
		return nil, ctx.Err()
	}
	return c.PriceBook.Prices(ctx, q)
}

// Promotions implements basket.PromotionSource.
func (c *Catalog) Promotions(ctx context.Context, _ channel.Context) (*promotion.Set, error) {
	return c.PromotionSet, ctx.Err()
}

// TaxTable implements basket.TaxSource (one table holds every zone).
func (c *Catalog) TaxTable(ctx context.Context, _ string) (*pricing.TaxTable, error) {
	return c.TaxRules, ctx.Err()
}

// Locations implements basket.LocationSource: the known locations among ids,
// in the order of ids.
func (c *Catalog) Locations(ctx context.Context, ids []string) ([]stock.Location, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []stock.Location
	for _, id := range ids {
		if i := slices.IndexFunc(c.Sites, func(l stock.Location) bool { return l.ID == id }); i >= 0 {
			out = append(out, c.Sites[i])
		}
	}
	return out, nil
}

// Fees implements basket.FeeSource.
func (c *Catalog) Fees(ctx context.Context, ch channel.Context) ([]basket.FeeRule, error) {
	return slices.Clone(c.ChannelFees[ch.ChannelID]), ctx.Err()
}
