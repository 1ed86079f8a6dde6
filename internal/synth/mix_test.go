package synth_test

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// catalogue is the benchmarks' 100,000-SKU catalogue, built once for all
// the tests of the mix.
var catalogue = sync.OnceValue(func() *synth.Catalogue { return synth.NewCatalogue(1, 100_000) })

// classOf tells the class of a promotion of the mix from its fields alone,
// independently of the generator.
func classOf(p promotion.Promotion) synth.Class {
	e := p.Effect
	wide := e.Target.All || e.Kind == promotion.FeeDiscount
	switch {
	case p.Coupon != "" && wide:
		return synth.WideCoupon
	case p.Coupon != "":
		return synth.TargetedCoupon
	case p.Lane == promotion.Fulfilment && !p.MinSubtotal.IsZero():
		return synth.FeeThreshold
	case p.Lane == promotion.Fulfilment:
		return synth.FeeOffer
	case wide && p.MinQuantity > 0 && p.QuantityTarget.All:
		return synth.QuantityThreshold
	case wide && (!p.MinSubtotal.IsZero() || e.Kind == promotion.Tiered):
		return synth.SpendThreshold
	case wide:
		return synth.MemberOffer
	case p.Lane == promotion.Basket:
		return synth.TargetedBasket
	case len(e.Target.Categories) > 0:
		return synth.CategoryOffer
	case len(e.Target.SKUs) > 0:
		return synth.SKUOffer
	}
	return 0
}

// isThreshold applies the promotion package's definition of a threshold
// promotion: basket or fulfilment lane, concerning every line (or a fee
// discount), no coupon, and a spend or quantity threshold as condition.
func isThreshold(p promotion.Promotion) bool {
	e := p.Effect
	if p.Lane == promotion.Catalogue || p.Coupon != "" || !(e.Target.All || e.Kind == promotion.FeeDiscount) {
		return false
	}
	return p.MinSubtotal.IsPositive() || e.Kind == promotion.Tiered || p.MinQuantity > 0 && p.QuantityTarget.All
}

// spendKey is the least goods subtotal at which a threshold promotion can
// apply (the promotion package's spend key), or 0.
func spendKey(p promotion.Promotion) int64 {
	key := p.MinSubtotal.MinorUnits()
	if p.Effect.Kind == promotion.Tiered {
		low := int64(math.MaxInt64)
		for _, t := range p.Effect.Tiers {
			low = min(low, t.Threshold.MinorUnits())
		}
		key = max(key, low)
	}
	return key
}

// shares returns the permille of promotions in each class and with each
// attribute, counted from the promotions' fields.
func shares(ps []promotion.Promotion) map[string]float64 {
	counts := map[string]int{}
	for _, p := range ps {
		counts[classOf(p).String()]++
		if isThreshold(p) {
			counts["thresholds"]++
		}
		if len(p.CustomerGroups) > 0 {
			counts["customer-group"]++
		}
		if len(p.LoyaltyTiers) > 0 {
			counts["loyalty-tier"]++
		}
		if p.BestOfGroup != "" {
			counts["best-of"]++
		}
		if !p.StartsAt.IsZero() || !p.EndsAt.IsZero() {
			counts["window"]++
		}
		if p.Exclusive {
			counts["exclusive"]++
		}
	}
	out := map[string]float64{}
	for k, c := range counts {
		out[k] = float64(c) * 1000 / float64(len(ps))
	}
	return out
}

// wantShares is the documented mix, in permille.
func wantShares() map[string]float64 {
	want := map[string]float64{
		"thresholds":     200,
		"customer-group": synth.CustomerGroupPermille,
		"loyalty-tier":   synth.LoyaltyTierPermille,
		"best-of":        synth.BestOfPermille + 200, // the threshold ladders too
		"window":         synth.WindowPermille,
		"exclusive":      synth.ExclusivePermille,
	}
	for _, s := range synth.MixShares() {
		want[s.Class.String()] = float64(s.Permille)
	}
	return want
}

func TestMixSharesSumToAWhole(t *testing.T) {
	sum := 0
	for _, s := range synth.MixShares() {
		assert.Positive(t, s.Permille, s.Class)
		sum += s.Permille
	}
	assert.Equal(t, 1000, sum)
}

// TestMixShape: the mix holds its documented shares within ±2 points
// (20 permille), at the benchmarks' sizes and over random seeds and sizes.
func TestMixShape(t *testing.T) {
	cat := catalogue()
	check := func(t require.TestingT, ps []promotion.Promotion, label string) {
		got := shares(ps)
		for k, want := range wantShares() {
			assert.InDelta(t, want, got[k], 20, "%s: %s", label, k)
		}
	}
	for _, n := range []int{1_000, 10_000} {
		check(t, cat.Promotions(2, n), fmt.Sprintf("seed 2, n=%d", n))
	}
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		n := rapid.IntRange(500, 2_000).Draw(t, "n")
		ps := cat.Promotions(seed, n)
		require.Len(t, ps, n)
		check(t, ps, fmt.Sprintf("seed %d, n=%d", seed, n))
	})
}

// TestMixThresholdSpread: threshold keys are log-uniform from below a
// typical basket to a thousand times above it, so that their median is
// near the geometric middle of the range.
func TestMixThresholdSpread(t *testing.T) {
	cat := catalogue()
	var spend, qty []float64
	for _, p := range cat.Promotions(2, 10_000) {
		if !isThreshold(p) {
			continue
		}
		if k := spendKey(p); k > 0 {
			spend = append(spend, float64(k)/synth.TypicalSubtotal)
		} else {
			qty = append(qty, float64(p.MinQuantity)/synth.TypicalUnits)
		}
	}
	mid := math.Sqrt(synth.ThresholdLow * synth.ThresholdHigh)
	for _, xs := range []struct {
		name string
		keys []float64
	}{{"spend", spend}, {"quantity", qty}} {
		require.NotEmpty(t, xs.keys, xs.name)
		slices.Sort(xs.keys)
		below := 0
		for _, k := range xs.keys {
			if k < 1 {
				below++
			}
		}
		assert.Positive(t, below, "%s: no threshold below a typical basket", xs.name)
		assert.Less(t, below, len(xs.keys)/10, "%s: most thresholds are above a typical basket", xs.name)
		assert.LessOrEqual(t, xs.keys[len(xs.keys)-1], synth.ThresholdHigh, xs.name)
		assert.Greater(t, xs.keys[len(xs.keys)-1], synth.ThresholdHigh/2, "%s: the spread reaches far above", xs.name)
		median := xs.keys[len(xs.keys)/2]
		assert.InDelta(t, math.Log(mid), math.Log(median), math.Log(1.5), "%s: median %.1f× a typical basket, want about %.1f×", xs.name, median, mid)
	}
}

// TestMixDeterministic: the same seed and size give the same promotions
// in the same order; another seed gives others.
func TestMixDeterministic(t *testing.T) {
	cat := catalogue()
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		n := rapid.IntRange(0, 1_000).Draw(t, "n")
		a, b := cat.Promotions(seed, n), cat.Promotions(seed, n)
		require.Equal(t, mustJSON(t, a), mustJSON(t, b))
		if n >= 100 {
			assert.NotEqual(t, mustJSON(t, a), mustJSON(t, cat.Promotions(seed+1, n)))
		}
	})
}

// TestMixCompiles: every mix compiles, whatever its seed and size (the
// core alone included).
func TestMixCompiles(t *testing.T) {
	cat := catalogue()
	for _, n := range []int{1, 10, 27, 100, 10_000} {
		_, err := promotion.Compile(cat.Promotions(2, n))
		require.NoError(t, err, n)
	}
	rapid.Check(t, func(t *rapid.T) {
		seed := rapid.Uint64().Draw(t, "seed")
		n := rapid.IntRange(0, 1_000).Draw(t, "n")
		_, err := promotion.Compile(cat.Promotions(seed, n))
		require.NoError(t, err)
	})
}

// TestMixAppliesInEveryLane: a typical synthetic store basket gets applied
// promotions in each lane, with or without the regular shopper's wallet,
// and the promotions it examines grow far slower than the calendar (the
// thresholds it misses are omitted beyond the nearest ones, local offers
// of other stores are never examined).
func TestMixAppliesInEveryLane(t *testing.T) {
	cat := catalogue()
	ctx := cat.Context()
	sets := map[int]*promotion.Set{}
	for _, n := range []int{1_000, 10_000} {
		set, err := promotion.Compile(cat.Promotions(2, n))
		require.NoError(t, err)
		sets[n] = set
	}
	for _, seed := range []uint64{3, 7, 100, 2026} {
		lines, err := cat.PromotionLines(ctx, cat.Basket(seed, 100))
		require.NoError(t, err)
		for _, w := range []struct {
			name string
			w    promotion.Wallet
		}{{"no wallet", promotion.Wallet{}}, {"regular wallet", synth.Wallet()}} {
			examined := map[int]int{}
			for _, n := range []int{1_000, 10_000} {
				ev, err := sets[n].Evaluate(lines, cat.Fees(), ctx, w.w)
				require.NoError(t, err)
				applied := map[promotion.Lane]int{}
				for _, x := range ev.Explanations {
					if x.Status == promotion.Applied {
						applied[x.Lane]++
					}
				}
				for _, l := range []promotion.Lane{promotion.Catalogue, promotion.Basket, promotion.Fulfilment} {
					assert.Positive(t, applied[l], "basket %d, %s, n=%d: nothing applied in the %s lane", seed, w.name, n, l)
				}
				assert.Positive(t, ev.Omitted, "basket %d, %s, n=%d: no threshold omitted", seed, w.name, n)
				examined[n] = len(ev.Explanations)
			}
			assert.Less(t, examined[10_000], 2*examined[1_000], "basket %d, %s: examined %v", seed, w.name, examined)
		}
	}
}

func mustJSON(t require.TestingT, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
