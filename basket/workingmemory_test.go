package basket_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Recontextualize keeps its working memory on the stack for baskets of up
// to 128 lines and on the heap beyond: both give the same result, byte for
// byte, for baskets on either side of the bound and at it, in the
// synthetic retailer's store with its promotions, fees and stock.
func TestWorkingMemoryOnStackOrHeapGivesOneResult(t *testing.T) {
	r := newSyntheticRetailer(t)
	for _, n := range []int{0, 1, 37, 127, 128, 129, 300} {
		t.Run(fmt.Sprintf("lines=%d", n), func(t *testing.T) {
			b, target, snap := r.channelChange(t, n)
			for _, opts := range []basket.Options{{}, {Policy: basket.PriceProtection, TaxRounding: pricing.PerDocument}} {
				onStack, err := basket.Recontextualize(b, target, snap, opts)
				require.NoError(t, err)
				onHeap, err := basket.RecontextualizeOnHeapForTest(b, target, snap, opts)
				require.NoError(t, err)
				require.Equal(t, jsonBytes(t, onHeap), jsonBytes(t, onStack))
				require.Len(t, onStack.Lines, n)
			}
		})
	}
}

// The change report keeps what it finds in an array on its stack: a report
// of nothing allocates nothing, and a channel change of a hundred lines
// (a price and a fulfilment change per line, promotions lost and gained)
// allocates the report alone.
func TestChangeReportAllocatesOnlyTheReport(t *testing.T) {
	r := newSyntheticRetailer(t)
	b, target, snap := r.channelChange(t, 100)
	next, err := basket.Recontextualize(b, target, snap, basket.Options{})
	require.NoError(t, err)
	require.Greater(t, len(next.Changes), 100)
	require.Zero(t, testing.AllocsPerRun(50, func() {
		if len(basket.Diff(next, next)) != 0 {
			t.Fatal("a result differs from itself")
		}
	}))
	require.Equal(t, 1.0, testing.AllocsPerRun(50, func() { basket.Diff(b.Result, next) }))
}

// syntheticRetailer is the benchmarks' synthetic retailer, smaller: 5,000
// SKUs, 500 promotions of the realistic mix, 6 locations, fees.
type syntheticRetailer struct {
	cat       *synth.Catalogue
	book      *pricing.PriceBook
	set       *promotion.Set
	locations []stock.Location
	fees      []basket.FeeRule
}

func newSyntheticRetailer(t *testing.T) *syntheticRetailer {
	t.Helper()
	cat := synth.NewCatalogue(3, 5_000)
	set, err := promotion.Compile(cat.Promotions(4, 500))
	require.NoError(t, err)
	book, err := pricing.NewPriceBook(cat.Prices)
	require.NoError(t, err)
	r := &syntheticRetailer{cat: cat, book: book, set: set, locations: cat.Locations(6)}
	for _, f := range cat.Fees() {
		r.fees = append(r.fees, basket.FeeRule{Mode: f.Mode, Amount: f.Amount, TaxCategory: "standard"})
	}
	return r
}

// channelChange returns a basket of n lines priced on the web, the store
// it moves to, and the snapshot a Service would gather there.
func (r *syntheticRetailer) channelChange(t *testing.T, n int) (*basket.Basket, channel.Context, basket.Snapshot) {
	t.Helper()
	lines := r.cat.Basket(uint64(n)+11, n)
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.Product.SKU
	}
	entries, err := r.book.Prices(context.Background(), pricing.PriceQuery{Lists: r.cat.Lists, SKUs: skus})
	require.NoError(t, err)
	prices, err := pricing.NewPriceBook(entries)
	require.NoError(t, err)
	levels, err := stock.NewLevels(synth.Stock(5, lines, r.locations))
	require.NoError(t, err)
	snap := basket.Snapshot{Prices: prices, Promotions: r.set, Tax: r.cat.Tax, Stock: levels, Locations: r.locations, Fees: r.fees}
	target := r.cat.Context()
	web := target.Clone()
	web.ChannelID, web.LocationID, web.Kind, web.PriceLists = "web", "", channel.Web, []string{"chan-web", "default"}
	web.FulfilmentModes = []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}
	return syntheticBasket(t, lines, web, snap), target, snap
}

// The demo retailer's random baskets, contexts and options: the two
// placements of the working memory agree on every one.
func TestWorkingMemoryPlacementProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		target := drawContext(t, "target", b.Context.AsOf)
		snap := snapshot(t, target)
		opts := drawOptions(t)
		onStack := recontextualize(t, b, target, snap, opts)
		onHeap, err := basket.RecontextualizeOnHeapForTest(b, target, snap, opts)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := jsonOf(t, onHeap), jsonOf(t, onStack); string(a) != string(b) {
			t.Fatalf("on the heap:\n%s\non the stack:\n%s", a, b)
		}
	})
}
