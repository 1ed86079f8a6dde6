package basket

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// mergedQuantities groups lines by SKU through its own hash table; a map
// says what the merged quantity of each line must be.
func TestMergedQuantitiesMatchAMap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Few distinct SKUs among many lines, so that groups and probe
		// collisions are common; "" and long SKUs too.
		skus := rapid.SliceOfN(rapid.StringMatching(`[a-c]{0,3}|SKU-[0-9]{1,12}`), 1, 8).Draw(t, "skus")
		n := rapid.IntRange(0, 70).Draw(t, "n")
		lines := make([]Line, n)
		want := map[string]int64{}
		for i := range lines {
			lines[i] = Line{ID: fmt.Sprintf("L%d", i), SKU: rapid.SampledFrom(skus).Draw(t, "sku"), Quantity: rapid.Int64Range(1, 1_000_000).Draw(t, "qty")}
			want[lines[i].SKU] += lines[i].Quantity
		}
		// A buffer too small for the table, or one holding an earlier
		// call's numbers, as the caller's stack buffer does.
		buf := make([]int64, rapid.IntRange(0, 300).Draw(t, "buf"))
		for i := range buf {
			buf[i] = -7
		}
		got := mergedQuantities(lines, buf)
		require.Len(t, got, n)
		for i, l := range lines {
			require.Equal(t, want[l.SKU], got[i], "line %d (%q)", i, l.SKU)
		}
	})
}
