package promotion

import (
	"cmp"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestPropertySortByRank: gather reads the pairs grouped by rank, each
// rank's pairs in the order collect wrote them (lines ascending, then the
// markers). Long lists, sorted by the radix passes, must equal a stable sort
// by rank of the input, whatever its order and however many bytes the
// ranks take (one pass, two, three); short ones are sorted outright. Both
// must be permutations of the input grouped by ascending rank.
func TestPropertySortByRank(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		maxRank := rapid.SampledFrom([]int32{0, 7, 255, 256, 9_999, 70_000, 1 << 24}).Draw(t, "maxRank")
		n := rapid.IntRange(0, 300).Draw(t, "n")
		pairs := make([]uint64, n)
		for i := range pairs {
			r := rapid.Int32Range(0, maxRank).Draw(t, "rank")
			low := uint64(rapid.Uint32Range(0, 200).Draw(t, "line"))
			switch rapid.IntRange(0, 9).Draw(t, "marker") {
			case 0:
				low = allMark
			case 1:
				low = walletMark
			}
			pairs[i] = uint64(r)<<32 | low
		}
		in := slices.Clone(pairs)
		spare := make([]uint64, rapid.IntRange(0, n+1).Draw(t, "spare"))
		got, rest := sortByRank(pairs, spare, maxRank)
		want := slices.Clone(in)
		if n < 64 {
			slices.Sort(want)
		} else {
			slices.SortStableFunc(want, func(a, b uint64) int { return cmp.Compare(a>>32, b>>32) })
		}
		if !slices.Equal(got, want) {
			t.Fatalf("sortByRank(%v)\n= %v\nwant %v", in, got, want)
		}
		if len(rest) != 0 && n >= 64 {
			t.Fatalf("spare buffer returned with %d pairs", len(rest))
		}
	})
}
