package basket

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// appliedByScan is what appliedIndex must answer: the status of the first
// explanation of id, found by reading them in order.
func appliedByScan(r *Result, id string) bool {
	for _, e := range r.Promotions {
		if e.PromotionID == id {
			return e.Status == promotion.Applied
		}
	}
	return false
}

// The change report looks promotions up in a hash table of explanations;
// a scan in order says what each lookup must find, duplicates included
// (the first explanation of an ID decides).
func TestAppliedIndexMatchesAScan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Few distinct IDs, so that duplicates and probe collisions are
		// common; "" and long IDs too.
		ids := rapid.SliceOfN(rapid.StringMatching(`[a-c]{0,3}|P[0-9]{1,9}`), 1, 10).Draw(t, "ids")
		n := rapid.IntRange(0, 80).Draw(t, "n")
		r := &Result{Promotions: make([]promotion.Explanation, n)}
		for i := range r.Promotions {
			r.Promotions[i] = promotion.Explanation{
				PromotionID: rapid.SampledFrom(ids).Draw(t, "id"),
				Status:      promotion.Status(rapid.IntRange(1, 3).Draw(t, "status")),
			}
		}
		x := newAppliedIndex(r, make([]int32, tableSize(n)))
		for _, id := range append(ids, "absent", "P0") {
			require.Equal(t, appliedByScan(r, id), x.applied(id), "id %q", id)
		}
	})
}

// idPrefix orders strings as strings.Compare does whenever two prefixes
// differ: strings with zero bytes, shorter than eight bytes and sharing
// long prefixes are drawn, where a wrong padding or byte order would show.
func TestIDPrefixOrdersLikeStrings(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		// Bytes at the edges of each bit, and strings sharing prefixes.
		alphabet := []byte{0, 1, '0', '9', 'P', 0x7f, 0x80, 0xfe, 0xff}
		gen := rapid.Custom(func(t *rapid.T) string {
			return string(rapid.SliceOfN(rapid.SampledFrom(alphabet), 0, 12).Draw(t, "bytes"))
		})
		a := gen.Draw(t, "a")
		b := a[:rapid.IntRange(0, len(a)).Draw(t, "shared")] + gen.Draw(t, "b")
		if pa, pb := idPrefix(a), idPrefix(b); pa != pb {
			require.Equal(t, strings.Compare(a, b), cmp.Compare(pa, pb), "%q vs %q", a, b)
		} else if len(a) <= 8 && len(b) <= 8 {
			// Equal prefixes of short strings differ only in trailing zero
			// bytes against the end of the string.
			require.Equal(t, strings.TrimRight(a, "\x00"), strings.TrimRight(b, "\x00"))
		}
	})
}

// sortByPromotion is a stable sort of a run by promotion ID.
func TestSortByPromotionIsAStableSortByID(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := rapid.SliceOfN(rapid.StringMatching(`P0{0,8}[0-9]{1,3}|[ab]{0,2}`), 1, 12).Draw(t, "ids")
		n := rapid.IntRange(0, 150).Draw(t, "n") // past the sort's stack buffer
		r := &Result{Promotions: make([]promotion.Explanation, n)}
		run := make([]pending, n)
		for i := range r.Promotions {
			r.Promotions[i].PromotionID = rapid.SampledFrom(ids).Draw(t, "id")
			run[i] = pending{kind: ChangePromotionLost, line: -1, old: -1, ref: int32(i)}
		}
		want := slices.Clone(run)
		slices.SortStableFunc(want, func(a, b pending) int {
			return strings.Compare(r.Promotions[a.ref].PromotionID, r.Promotions[b.ref].PromotionID)
		})
		var d differ
		d.sortByPromotion(run, r)
		require.Equal(t, want, run)
	})
}

// sameCharged compares ordinary prices as Money; samePrice of the exact
// prices says what it must answer, for precise prices, other currencies
// and lines without a price too.
func TestSameChargedMatchesSamePrice(t *testing.T) {
	eur, err := pricing.LookupCurrency("EUR")
	require.NoError(t, err)
	usd, err := pricing.LookupCurrency("USD")
	require.NoError(t, err)
	line := func(t *rapid.T, name string) *PricedLine {
		var l PricedLine
		switch rapid.IntRange(0, 3).Draw(t, name+".kind") {
		case 0: // no price: zero Money
		case 1, 2:
			cur := rapid.SampledFrom([]pricing.Currency{eur, usd}).Draw(t, name+".cur")
			m, err := pricing.FromMinor(rapid.Int64Range(0, 3).Draw(t, name+".units"), cur)
			require.NoError(t, err)
			l.UnitPrice = m
		case 3:
			u, err := pricing.ParseUnitPrice(rapid.SampledFrom([]string{"0.0125", "0.01", "0.02", "0.0120"}).Draw(t, name+".precise"), "EUR")
			require.NoError(t, err)
			l.PreciseUnitPrice = u
			if l.UnitPrice, err = u.Round(pricing.HalfEven); err != nil {
				t.Fatal(err)
			}
		}
		return &l
	}
	rapid.Check(t, func(t *rapid.T) {
		a, b := line(t, "a"), line(t, "b")
		require.Equal(t, samePrice(a.UnitPriceExact(), b.UnitPriceExact()), sameCharged(a, b))
	})
}

// The promotions lost and gained are found with one hash table, of the
// next result's explanations, however many the previous result has: a
// scan of each result in order (the first explanation of an ID decides)
// says what must be found, duplicates, absent IDs and tables past the
// stack buffers included.
func TestPromotionChangesMatchScans(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ids := rapid.SliceOfN(rapid.StringMatching(`[a-c]{0,3}|P[0-9]{1,9}`), 1, 300).Draw(t, "ids")
		explain := func(name string) *Result {
			n := rapid.IntRange(0, 300).Draw(t, name+".n")
			r := &Result{Promotions: make([]promotion.Explanation, n)}
			for i := range r.Promotions {
				r.Promotions[i] = promotion.Explanation{
					PromotionID: rapid.SampledFrom(ids).Draw(t, name+".id"),
					Status:      promotion.Status(rapid.IntRange(1, 3).Draw(t, name+".status")),
				}
			}
			return r
		}
		prev, next := explain("prev"), explain("next")
		var want []pending
		for i, e := range prev.Promotions {
			if e.Status == promotion.Applied && !appliedByScan(next, e.PromotionID) {
				want = append(want, pending{kind: ChangePromotionLost, line: -1, old: -1, ref: int32(i)})
			}
		}
		lost := len(want)
		for i, e := range next.Promotions {
			if e.Status == promotion.Applied && !appliedByScan(prev, e.PromotionID) {
				want = append(want, pending{kind: ChangePromotionGained, line: -1, old: -1, ref: int32(i)})
			}
		}
		byID := func(r *Result) func(a, b pending) int {
			return func(a, b pending) int {
				return strings.Compare(r.Promotions[a.ref].PromotionID, r.Promotions[b.ref].PromotionID)
			}
		}
		slices.SortStableFunc(want[:lost], byID(prev))
		slices.SortStableFunc(want[lost:], byID(next))
		d := differ{prev: prev, next: next}
		d.promotions()
		if len(want) == 0 {
			want = []pending{} // the list of nothing found is empty, not nil
		}
		require.Equal(t, want, d.list())
	})
}
