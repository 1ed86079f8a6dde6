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
	cat := synth.NewCatalogue(3, 5_000)
	set, err := promotion.Compile(cat.Promotions(4, 500))
	require.NoError(t, err)
	locations := cat.Locations(6)
	target := cat.Context()
	fees := []basket.FeeRule{}
	for _, f := range cat.Fees() {
		fees = append(fees, basket.FeeRule{Mode: f.Mode, Amount: f.Amount, TaxCategory: "standard"})
	}
	for _, n := range []int{0, 1, 37, 127, 128, 129, 300} {
		t.Run(fmt.Sprintf("lines=%d", n), func(t *testing.T) {
			lines := cat.Basket(uint64(n)+11, n)
			skus := make([]string, len(lines))
			for i, l := range lines {
				skus[i] = l.Product.SKU
			}
			book, err := pricing.NewPriceBook(cat.Prices)
			require.NoError(t, err)
			entries, err := book.Prices(context.Background(), pricing.PriceQuery{Lists: cat.Lists, SKUs: skus})
			require.NoError(t, err)
			prices, err := pricing.NewPriceBook(entries)
			require.NoError(t, err)
			levels, err := stock.NewLevels(synth.Stock(5, lines, locations))
			require.NoError(t, err)
			snap := basket.Snapshot{Prices: prices, Promotions: set, Tax: cat.Tax, Stock: levels, Locations: locations, Fees: fees}
			web := target.Clone()
			web.ChannelID, web.LocationID, web.Kind, web.PriceLists = "web", "", channel.Web, []string{"chan-web", "default"}
			web.FulfilmentModes = []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}
			b := syntheticBasket(t, lines, web, snap)
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
