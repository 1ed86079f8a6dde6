package stock_test

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Baskets small and large (past Plan's small buffers), with lines sharing
// SKUs among levels of many more SKUs (so that Plan's table of SKUs sees
// collisions), are sourced as the rules say: lines in line-ID order, each
// taking what it can from the sources in order. Without preferences each
// source has one mode, so a greedy walk restates the quantities.
func TestPlanMatchesAGreedyWalk(t *testing.T) {
	sources := []string{"shop", "north", "depot"}
	locations := []stock.Location{store("shop"), store("north"), warehouse("depot")}
	ctx := storeCtx("shop", sources)
	rapid.Check(t, func(t *rapid.T) {
		nSKUs := rapid.IntRange(1, 600).Draw(t, "skus")
		available := map[[2]string]int64{}
		var levels []stock.Level
		for s := range nSKUs {
			sku := fmt.Sprintf("SKU-%03d", s)
			for _, loc := range sources {
				if rapid.IntRange(0, 4).Draw(t, "known") == 0 {
					continue
				}
				l := lv(sku, loc, rapid.Int64Range(0, 30).Draw(t, "onhand"), rapid.Int64Range(0, 5).Draw(t, "reserved"))
				levels = append(levels, l)
				available[[2]string{sku, loc}] = l.Available()
			}
		}
		known, err := stock.NewLevels(levels)
		require.NoError(t, err)
		n := rapid.IntRange(1, 400).Draw(t, "lines")
		demands := make([]stock.Demand, n)
		for i := range demands {
			demands[i] = stock.Demand{LineID: fmt.Sprintf("L%04d", i), SKU: fmt.Sprintf("SKU-%03d", rapid.IntRange(0, nSKUs+3).Draw(t, "sku")), Quantity: rapid.Int64Range(1, 12).Draw(t, "qty")}
		}
		plan, err := stock.Plan(demands, ctx, locations, known)
		require.NoError(t, err)
		require.Len(t, plan.Lines, n)
		for i, lp := range plan.Lines {
			d := demands[i]
			require.Equal(t, d.LineID, lp.LineID)
			need, k := d.Quantity, 0
			for _, loc := range sources {
				left := available[[2]string{d.SKU, loc}]
				if need == 0 || left == 0 {
					continue
				}
				take := min(need, left)
				available[[2]string{d.SKU, loc}] -= take
				need -= take
				require.Less(t, k, len(lp.Allocations), "line %s", d.LineID)
				require.Equal(t, loc, lp.Allocations[k].LocationID, "line %s", d.LineID)
				require.Equal(t, take, lp.Allocations[k].Quantity, "line %s", d.LineID)
				k++
			}
			require.Len(t, lp.Allocations, k, "line %s", d.LineID)
			require.Equal(t, need, lp.Short, "line %s", d.LineID)
		}
	})
}
