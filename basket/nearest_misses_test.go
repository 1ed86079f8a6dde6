package basket_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A retailer's many spend thresholds: the result explains the nearest few
// the basket misses and counts the others, as Options.NearestMisses says.
func TestResultCountsOmittedThresholds(t *testing.T) {
	promos := demo.Promotions()
	for i := range 40 { // 200.00, 210.00 … 590.00: all above the basket
		promos = append(promos, promotion.Promotion{ID: fmt.Sprintf("SPEND-%03d", 200+10*i), Lane: promotion.Basket,
			MinSubtotal: pricing.MustParse(fmt.Sprintf("%d.00", 200+10*i), "EUR"),
			Effect:      promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: pricing.MustParse("20.00", "EUR")}})
	}
	set, err := promotion.Compile(promos)
	require.NoError(t, err)
	book, err := pricing.NewPriceBook(demo.Prices())
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable(demo.TaxRules())
	require.NoError(t, err)
	levels, err := stock.NewLevels(demo.Stock())
	require.NoError(t, err)
	snap := basket.Snapshot{Prices: book, Promotions: set, Tax: tax, Stock: levels, Locations: demo.Sites()}
	// The lamp costs 149.00 online, 141.55 after 5 % off lighting: the
	// demo's SPEND-150 is the nearest miss, then 200.00, 210.00 …
	b := newMeasured(t, basket.NewLine{SKU: "LAMP-ARC", Quantity: 1, Product: basket.Product{Name: "Arc floor lamp", Categories: []string{"lighting"}, TaxCategory: "standard"}})

	for _, c := range []struct {
		name      string
		k         int
		explained []string // the spend thresholds explained, nearest first
		omitted   int
	}{
		{"default", 0, []string{"SPEND-150", "SPEND-200", "SPEND-210"}, 38},
		{"five", 5, []string{"SPEND-150", "SPEND-200", "SPEND-210", "SPEND-220", "SPEND-230"}, 36},
		{"none", -1, nil, 41},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := basket.Recontextualize(b, demo.Web(demo.Start()), snap, basket.Options{NearestMisses: c.k})
			require.NoError(t, err)
			var explained []string
			for _, x := range r.Promotions {
				if strings.HasPrefix(x.PromotionID, "SPEND-") {
					explained = append(explained, x.PromotionID)
					assert.Equal(t, promotion.ReasonMinSubtotal, x.Reason, x.PromotionID)
				}
			}
			assert.Equal(t, c.explained, explained)
			assert.Equal(t, c.omitted, r.OmittedPromotions)
			// The met fee threshold (free delivery from 80.00) is explained
			// whatever k is: only misses are bounded.
			assert.Contains(t, ids(r.Promotions), "FREE-SHIP-80")
		})
	}
}

func ids(xs []promotion.Explanation) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.PromotionID
	}
	return out
}
