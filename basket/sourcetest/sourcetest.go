// Package sourcetest is the conformance suite for the data sources a
// [basket.Service] prices with: [pricing.PriceSource],
// [basket.PromotionSource], [basket.TaxSource], [basket.LocationSource]
// and [basket.FeeSource]. It is in the style of gocloud.dev's drivertest,
// as basket/baskettest is for stores: an implementation's own test hands
// the suite a [Harness] that builds fresh sources serving given [Data].
//
//	func TestCatalog(t *testing.T) {
//		sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
//			cat := mysource.Load(t, d) // prices, promotions, tax, sites, fees
//			return sourcetest.Sources{Prices: cat, Promotions: cat, Tax: cat, Locations: cat, Fees: cat}
//		})
//	}
//
// A source whose data is fixed (a demo retailer, a snapshot) runs
// [CheckSources] with the data it is known to serve instead.
//
// The suite checks what a Service relies on, for each source it is given:
//
//   - batching: one call answers the whole basket (every SKU × list of a
//     price query, every location of a context), and the answer to a
//     query is the union of the answers to its parts;
//   - exact answers: price entries of the queried SKUs and lists only,
//     all of them (every tier, group and validity window: resolution
//     picks, the source cannot know the as-of time); the promotions the
//     context admits, compiled as [promotion.Compile] would; the zone's
//     tax rules; each location as given; the channel's fees;
//   - deterministic order: locations in the order asked for, fees in the
//     order given and the same order every time (the first fee of a mode
//     wins); price entries in any order, but the same entries whatever
//     the order of, and duplicates in, the query;
//   - unknown IDs answered without error: an unknown SKU or price list has
//     no entry, an unknown location is left out, an unknown zone gives a
//     table without rules for it (never nil: pricing needs a table), an
//     unknown channel has no fees and the promotions no channel excludes;
//   - a canceled context gives an error matching [context.Canceled];
//   - the caller's slices and context are not modified, and changing an
//     answer does not change the next one;
//   - concurrency safety: many goroutines asking at once all get the right
//     answer (run the tests with -race).
package sourcetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Data is what a harness loads into a fresh source: the suite's own data
// sets are valid (pricing.NewPriceBook, promotion.Compile and
// pricing.NewTaxTable accept them, every location validates).
type Data struct {
	Prices     []pricing.Price
	Promotions []promotion.Promotion
	TaxRules   []pricing.TaxRule
	Locations  []stock.Location
	// Fees are the fulfilment fees per channel ID, in the order a
	// Service must see them.
	Fees map[string][]basket.FeeRule
}

// Sources are the implementations under test, usually one value behind
// several interfaces. A nil field is not checked; at least one must be set.
type Sources struct {
	Prices     pricing.PriceSource
	Promotions basket.PromotionSource
	Tax        basket.TaxSource
	Locations  basket.LocationSource
	Fees       basket.FeeSource
}

func (s Sources) empty() bool {
	return s.Prices == nil && s.Promotions == nil && s.Tax == nil && s.Locations == nil && s.Fees == nil
}

// Harness builds fresh sources serving exactly d. It is called once per
// data set and per rapid run; d must not be kept and changed.
type Harness func(t *testing.T, d Data) Sources

// Options scale the suite.
type Options struct {
	// Goroutines and Calls size the concurrency check: that many
	// goroutines each asking that many times (8 × 25 when 0).
	Goroutines, Calls int
}

func (o Options) withDefaults() Options {
	if o.Goroutines <= 0 {
		o.Goroutines = 8
	}
	if o.Calls <= 0 {
		o.Calls = 25
	}
	return o
}

// RunTests runs the suite against the sources newSources builds: every
// check on each of the suite's data sets ([Retailer], [Empty]), and a
// rapid property over random price books when Sources.Prices is set (as
// many as -rapid.checks says, 100 by default).
func RunSourceTests(t *testing.T, newSources Harness, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o = o.withDefaults()
	for _, set := range []struct {
		name string
		data func() Data
	}{{"Retailer", Retailer}, {"Empty", Empty}} {
		t.Run(set.name, func(t *testing.T) {
			d := set.data()
			s := newSources(t, d)
			checkSources(t, s, d, o)
		})
	}
	probe := newSources(t, Empty())
	if probe.Prices != nil {
		t.Run("PricesProperty", func(t *testing.T) { testPriceProperty(t, newSources) })
	}
}

// CheckSources runs every check of the suite on sources whose data is
// fixed: d must be exactly what they serve.
func CheckSources(t *testing.T, s Sources, d Data, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	checkSources(t, s, d, o.withDefaults())
}

func checkSources(t *testing.T, s Sources, d Data, o Options) {
	if s.empty() {
		t.Fatal("sourcetest: the harness returned no source to check")
	}
	if s.Prices != nil {
		t.Run("Prices", func(t *testing.T) { testPrices(t, s.Prices, d, o) })
	}
	if s.Promotions != nil {
		t.Run("Promotions", func(t *testing.T) { testPromotions(t, s.Promotions, d, o) })
	}
	if s.Tax != nil {
		t.Run("Tax", func(t *testing.T) { testTax(t, s.Tax, d, o) })
	}
	if s.Locations != nil {
		t.Run("Locations", func(t *testing.T) { testLocations(t, s.Locations, d, o) })
	}
	if s.Fees != nil {
		t.Run("Fees", func(t *testing.T) { testFees(t, s.Fees, d, o) })
	}
}

// canceled returns a context that is already canceled.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// concurrently runs check o.Goroutines × o.Calls times from as many
// goroutines and fails with the first error.
func concurrently(t *testing.T, o Options, check func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, o.Goroutines)
	for g := 0; g < o.Goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < o.Calls; i++ {
				if err := check(); err != nil {
					errs <- fmt.Errorf("goroutine %d, call %d: %w", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
