package basket_test

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// Recontextualize keeps its working memory on the stack for baskets of up
// to 128 lines and on the heap beyond: both give the same result, byte for
// byte, for baskets on either side of the bound and at it, in the
// synthetic retailer's store with its promotions, fees and stock.
func TestWorkingMemoryOnStackOrHeapGivesOneResult(t *testing.T) {
	w := newTestWorkload(t)
	for _, n := range []int{0, 1, 37, 127, 128, 129, 300} {
		t.Run(fmt.Sprintf("lines=%d", n), func(t *testing.T) {
			j := w.job(t, n)
			for _, opts := range []basket.Options{{}, {Policy: basket.PriceProtection, TaxRounding: pricing.PerDocument}} {
				onStack, err := basket.Recontextualize(j.b, j.target, j.snap, opts)
				require.NoError(t, err)
				onHeap, err := basket.RecontextualizeOnHeapForTest(j.b, j.target, j.snap, opts)
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
	j := newTestWorkload(t).job(t, 100)
	next, err := basket.Recontextualize(j.b, j.target, j.snap, basket.Options{})
	require.NoError(t, err)
	require.Greater(t, len(next.Changes), 100)
	require.Zero(t, testing.AllocsPerRun(50, func() {
		if len(basket.Diff(next, next)) != 0 {
			t.Fatal("a result differs from itself")
		}
	}))
	require.Equal(t, 1.0, testing.AllocsPerRun(50, func() { basket.Diff(j.b.Result, next) }))
}

// newTestWorkload is the benchmarks' synthetic retailer, smaller (5,000
// SKUs, 500 promotions of the realistic mix) and with fulfilment fees.
func newTestWorkload(t *testing.T) *workload {
	t.Helper()
	w := newSizedWorkload(t, 5_000, 500)
	for _, f := range w.cat.Fees() {
		w.fees = append(w.fees, basket.FeeRule{Mode: f.Mode, Amount: f.Amount, TaxCategory: "standard"})
	}
	return w
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
