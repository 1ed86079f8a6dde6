package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// conformanceCatalog builds the catalogue a reload would swap in, serving d.
func conformanceCatalog(t *testing.T, d sourcetest.Data) *memory.Catalog {
	t.Helper()
	cat, err := memory.NewCatalog(memory.CatalogData{Prices: d.Prices, Promotions: d.Promotions, TaxRules: d.TaxRules, Sites: d.Locations, Fees: d.Fees})
	require.NoError(t, err)
	return cat
}

// TestSourcesConformance: the server's sources answer a Service as the
// source suite requires, reading the current catalogue.
func TestSourcesConformance(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		s := &sources{}
		s.cur.Store(conformanceCatalog(t, d))
		return sourcetest.Sources{Prices: s, Promotions: s, Tax: s, Locations: s, Fees: s}
	})
}

// pinnedSources asks the server's sources with every context pinned to
// one catalogue while another one is current, as a request in flight
// during a reload does.
type pinnedSources struct {
	s   *sources
	cat *memory.Catalog
}

func (p pinnedSources) pinned(ctx context.Context) context.Context {
	return context.WithValue(ctx, pinKey{}, p.cat)
}

func (p pinnedSources) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	return p.s.Prices(p.pinned(ctx), q)
}

func (p pinnedSources) Promotions(ctx context.Context, c channel.Context) (*promotion.Set, error) {
	return p.s.Promotions(p.pinned(ctx), c)
}

func (p pinnedSources) TaxTable(ctx context.Context, zone string) (*pricing.TaxTable, error) {
	return p.s.TaxTable(p.pinned(ctx), zone)
}

func (p pinnedSources) Locations(ctx context.Context, ids []string) ([]stock.Location, error) {
	return p.s.Locations(p.pinned(ctx), ids)
}

func (p pinnedSources) Fees(ctx context.Context, c channel.Context) ([]basket.FeeRule, error) {
	return p.s.Fees(p.pinned(ctx), c)
}

// TestPinnedSourcesConformance: a request pinned to a catalogue is
// answered from it alone, whatever catalogue a reload made current.
func TestPinnedSourcesConformance(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		s := &sources{}
		s.cur.Store(conformanceCatalog(t, sourcetest.Empty()))
		p := pinnedSources{s: s, cat: conformanceCatalog(t, d)}
		return sourcetest.Sources{Prices: p, Promotions: p, Tax: p, Locations: p, Fees: p}
	})
}
