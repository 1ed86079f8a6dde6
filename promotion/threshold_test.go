package promotion

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// drawThreshold draws a threshold promotion (see "Threshold promotions" in
// the package documentation): basket-wide, no coupon, a spend or quantity
// key, keys from a short list so that ties are common, and every scope and
// refusal the nearest-misses rule must get right. Now and then it draws a
// promotion scoped by so many places that the index checks it one by one.
func drawThreshold(t *rapid.T, id string) Promotion {
	p := Promotion{ID: id, Lane: rapid.SampledFrom([]Lane{Basket, Fulfilment}).Draw(t, "lane")}
	cur := "EUR"
	if rapid.IntRange(0, 9).Draw(t, "usd") == 0 {
		cur = "USD"
	}
	key := func(label string) pricing.Money {
		v := 500*rapid.Int64Range(0, 16).Draw(t, label) + rapid.SampledFrom([]int64{0, 0, 0, 1, 250}).Draw(t, label+".off")
		return drawCents(t, cur, v, v, label+".m")
	}
	if p.Lane == Fulfilment {
		p.Effect = Effect{Kind: FeeDiscount, Percent: pct("100")}
	} else {
		switch rapid.IntRange(0, 3).Draw(t, "effect") {
		case 0:
			p.Effect = Effect{Kind: BasketPercentOff, Percent: pct(rapid.SampledFrom(poolPercents).Draw(t, "pct")), Target: all()}
		case 1:
			p.Effect = Effect{Kind: BasketAmountOff, Amount: drawCents(t, cur, 1, 2000, "amount"), Target: all()}
		case 2:
			p.Effect = Effect{Kind: PercentOff, Percent: pct(rapid.SampledFrom(poolPercents).Draw(t, "pct")), Target: all()}
		default:
			lo := 500 * rapid.Int64Range(1, 16).Draw(t, "tier")
			p.Effect = Effect{Kind: Tiered, Target: all(), Tiers: []Tier{
				{Threshold: drawCents(t, cur, lo, lo, "t0"), Amount: drawCents(t, cur, 1, 500, "ta0")},
				{Threshold: drawCents(t, cur, lo+1000, lo+1000, "t1"), Percent: pct("10")},
			}}
		}
	}
	switch rapid.IntRange(0, 3).Draw(t, "condition") {
	case 0, 1:
		p.MinSubtotal = key("minsub")
	case 2:
		p.MinQuantity, p.QuantityTarget = rapid.Int64Range(1, 12).Draw(t, "minq"), all()
	default:
		p.MinSubtotal = key("minsub")
		p.MinQuantity, p.QuantityTarget = rapid.Int64Range(1, 12).Draw(t, "minq"), all()
	}
	if p.Effect.Kind == Tiered && p.MinSubtotal.Currency().IsZero() && p.MinQuantity == 0 {
		p.MinQuantity, p.QuantityTarget = 1, all() // keep it a threshold by its tiers
	}
	p.Priority = rapid.Int64Range(0, 2).Draw(t, "priority")
	p.Exclusive = rapid.IntRange(0, 7).Draw(t, "exclusive") == 0
	if rapid.IntRange(0, 5).Draw(t, "bestof") == 0 {
		p.BestOfGroup = fmt.Sprintf("t-%s", p.Lane)
	}
	if rapid.IntRange(0, 9).Draw(t, "everywhere") == 0 {
		// 3 channels × 3 kinds × 2 locations = 18 places: above maxPlaces.
		p.Channels, p.Kinds, p.Locations = poolChannels, []channel.Kind{channel.Web, channel.App, channel.Store}, []string{"L1", "L2"}
	} else {
		if rapid.IntRange(0, 3).Draw(t, "channels") == 0 {
			p.Channels = drawSubset(t, poolChannels, 1, "chans")
		}
		if rapid.IntRange(0, 5).Draw(t, "kinds") == 0 {
			p.Kinds = []channel.Kind{channel.Kind(rapid.IntRange(1, 3).Draw(t, "kindv"))}
		}
		if rapid.IntRange(0, 5).Draw(t, "locations") == 0 {
			p.Locations = []string{rapid.SampledFrom([]string{"L1", "L2"}).Draw(t, "loc")}
		}
	}
	if rapid.IntRange(0, 7).Draw(t, "groups") == 0 {
		p.CustomerGroups = []string{"vip"}
	}
	if rapid.IntRange(0, 7).Draw(t, "tiers") == 0 {
		p.LoyaltyTiers = []string{"gold"}
	}
	switch rapid.IntRange(0, 11).Draw(t, "window") {
	case 0:
		p.StartsAt = asOf().Add(1)
	case 1:
		p.EndsAt = asOf()
	}
	return p
}

// drawThresholdCase draws a set rich in threshold promotions (and a few
// others, which move the lane-entry subtotals and close lanes), a basket
// that may hold weighed goods, and options with any k and spent budgets.
func drawThresholdCase(t *rapid.T) ([]Promotion, []Line, []Fee, channel.Context, Wallet, Options) {
	var promos []Promotion
	for i := range rapid.IntRange(0, 40).Draw(t, "nthresholds") {
		promos = append(promos, drawThreshold(t, fmt.Sprintf("t%02d", i)))
	}
	for i := range rapid.IntRange(0, 4).Draw(t, "nothers") {
		promos = append(promos, drawPromotion(t, fmt.Sprintf("o%d", i)))
	}
	lines := drawLines(t)
	if rapid.Bool().Draw(t, "weighed") {
		lines = append(lines, Line{ID: "w", SKU: "s1", Quantity: rapid.Int64Range(1, 9000).Draw(t, "grams"), UnitPrice: drawCents(t, "EUR", 0, 5000, "perkg"), Measured: true})
	}
	opt := Options{NearestMisses: rapid.SampledFrom([]int{-1, 0, 1, 2, 3, 5, 100}).Draw(t, "k")}
	for _, p := range promos {
		if rapid.IntRange(0, 9).Draw(t, "exhausted") == 0 {
			opt.Exhausted = append(opt.Exhausted, p.ID)
		}
	}
	return promos, lines, drawFees(t), drawCtx(t), drawWallet(t), opt
}

func evalOptT(t *rapid.T, s *Set, lines []Line, fees []Fee, ctx channel.Context, w Wallet, opt Options) Evaluation {
	ev, err := s.EvaluateWith(lines, fees, ctx, w, opt)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	checkInvariants(t, ev)
	return ev
}

// TestPropertyThresholdsIndexedAsNaive: on sets with many threshold
// promotions, the index (which never materialises the misses it does not
// explain) gives byte for byte the Evaluation of the naive baseline (which
// examines every promotion and then applies the nearest-misses rule as a
// pass of its own): lines, fees, money, explanations and Omitted. The
// result does not depend on the order of the promotions either.
func TestPropertyThresholdsIndexedAsNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		promos, lines, fees, ctx, w, opt := drawThresholdCase(t)
		want := mustJSON(t, evalOptT(t, compileT(t, promos, true), lines, fees, ctx, w, opt))
		if naive := mustJSON(t, evalOptT(t, compileT(t, promos, false), lines, fees, ctx, w, opt)); naive != want {
			t.Fatalf("naive differs:\nindexed %s\nnaive   %s", want, naive)
		}
		s2 := compileT(t, shuffled(t, promos, "promoOrder"), true)
		if got := mustJSON(t, evalOptT(t, s2, shuffled(t, lines, "lineOrder"), fees, ctx, w, opt)); got != want {
			t.Fatalf("order changed the result:\n%s\n%s", want, got)
		}
	})
}

// TestPropertyNearestMissesOnlyExplain: k changes the explanations and
// nothing else. Whatever k, the money, lines, fees and coupon states are
// those of an evaluation that explains every miss; the explanations are a
// subsequence of that one's, and explained + omitted is the same.
func TestPropertyNearestMissesOnlyExplain(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		promos, lines, fees, ctx, w, opt := drawThresholdCase(t)
		s := compileT(t, promos, true)
		ev := evalOptT(t, s, lines, fees, ctx, w, opt)
		wide := opt
		wide.NearestMisses = 1 << 20
		full := evalOptT(t, s, lines, fees, ctx, w, wide)
		if a, b := mustJSON(t, []any{ev.Lines, ev.Fees, ev.Coupons, ev.Subtotal, ev.Discount, ev.Total}),
			mustJSON(t, []any{full.Lines, full.Fees, full.Coupons, full.Subtotal, full.Discount, full.Total}); a != b {
			t.Fatalf("k=%d changed the money:\n%s\n%s", opt.NearestMisses, a, b)
		}
		if len(ev.Explanations)+ev.Omitted != len(full.Explanations)+full.Omitted {
			t.Fatalf("k=%d: %d explained + %d omitted, but %d + %d with every miss explained",
				opt.NearestMisses, len(ev.Explanations), ev.Omitted, len(full.Explanations), full.Omitted)
		}
		j := 0
		for _, x := range ev.Explanations {
			for j < len(full.Explanations) && full.Explanations[j].PromotionID != x.PromotionID {
				j++
			}
			if j == len(full.Explanations) || mustJSON(t, full.Explanations[j]) != mustJSON(t, x) {
				t.Fatalf("k=%d: explanation %+v is not in the full list", opt.NearestMisses, x)
			}
		}
	})
}

// spend is a basket-wide "spend X, get 5 %" promotion.
func spend(id, min string) Promotion {
	return Promotion{ID: id, Lane: Basket, MinSubtotal: eur(min),
		Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}}
}

func explained(ev Evaluation) []string {
	var ids []string
	for _, x := range ev.Explanations {
		ids = append(ids, x.PromotionID)
	}
	return ids
}

// TestNearestMisses: the documented examples of the nearest-misses rule,
// on a basket of 100.00 (two lines) in the web channel.
func TestNearestMisses(t *testing.T) {
	lines := []Line{ln("a", "x", 1, "60.00"), ln("b", "y", 2, "20.00")}
	ladder := []Promotion{spend("s050", "50.00"), spend("s120", "120.00"), spend("s150", "150.00"),
		spend("s200", "200.00"), spend("s500", "500.00")}
	withID := func(p Promotion, id string) Promotion { p.ID = id; return p }
	vip := spend("s110-vip", "110.00")
	vip.CustomerGroups = []string{"vip"}
	usd := Promotion{ID: "s105-usd", Lane: Basket, MinSubtotal: pricing.MustParse("105.00", "USD"),
		Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}}
	store := spend("s101-store", "101.00")
	store.Kinds = []channel.Kind{channel.Store}
	ship := func(id, min string) Promotion {
		return Promotion{ID: id, Lane: Fulfilment, MinSubtotal: eur(min), Effect: Effect{Kind: FeeDiscount, Percent: pct("100")}}
	}
	three := Promotion{ID: "q-three", Lane: Basket, MinQuantity: 3, QuantityTarget: all(),
		Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}}
	five := three
	five.ID, five.MinQuantity = "q-five", 5
	tests := []struct {
		name     string
		promos   []Promotion
		k        int
		ctx      channel.Context
		fees     []Fee
		want     []string // explained, in evaluation order
		omitted  int
		messages map[string]string
	}{
		{
			name:   "k=3 by default: the met one and the three nearest misses",
			promos: ladder, want: []string{"s050", "s120", "s150", "s200"}, omitted: 1,
			messages: map[string]string{"s050": "s050: 5.00 EUR off", "s120": "add 20.00 EUR more to get s120"},
		},
		{
			name:   "a negative k explains no miss (k=0); met promotions are examined as always",
			promos: ladder, k: -1, want: []string{"s050"}, omitted: 4,
		},
		{
			name:   "k=1",
			promos: ladder, k: 1, want: []string{"s050", "s120"}, omitted: 3,
		},
		{
			name: "ties on the key go to the evaluation order: priority first, then ID",
			promos: append(slices.Clone(ladder), withID(spend("", "120.00"), "a120"),
				func() Promotion { p := spend("z120", "120.00"); p.Priority = 1; return p }()),
			k: 2, want: []string{"z120", "a120", "s050"}, omitted: 4,
		},
		{
			name:   "another customer group's threshold is refused, not a near miss",
			promos: append(slices.Clone(ladder), vip), want: []string{"s050", "s120", "s150", "s200"}, omitted: 2,
		},
		{
			name:   "a threshold in another currency is never met, and not explained",
			promos: append(slices.Clone(ladder), usd), want: []string{"s050", "s120", "s150", "s200"}, omitted: 2,
		},
		{
			name:   "a threshold of another channel kind is out of scope: neither explained nor counted",
			promos: append(slices.Clone(ladder), store), want: []string{"s050", "s120", "s150", "s200"}, omitted: 1,
		},
		{
			name:   "the fulfilment lane has its own nearest misses: free shipping from 150.00",
			promos: append(slices.Clone(ladder), ship("ship30", "30.00"), ship("ship150", "150.00"), ship("ship300", "300.00")),
			k:      1, fees: []Fee{{ID: "f", Mode: channel.ShipToAddress, Amount: eur("4.99")}},
			// The basket lane's 5 % leaves 95.00 at the fulfilment lane's entry.
			want: []string{"s050", "s120", "ship150", "ship30"}, omitted: 4,
			messages: map[string]string{"ship150": "add 55.00 EUR more to get ship150", "ship30": "ship30: 4.99 EUR off"},
		},
		{
			name:   "quantity thresholds are a measure of their own: 3 units held",
			promos: append(slices.Clone(ladder), three, five), k: 1,
			want: []string{"q-five", "q-three", "s050", "s120"}, omitted: 3,
			messages: map[string]string{"q-five": "add 2 more qualifying items to get q-five", "q-three": "q-three: 1.00 EUR off"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx.Currency == "" {
				ctx = webCtx()
			}
			for _, indexed := range []bool{true, false} {
				s, err := compile(tc.promos, indexed)
				require.NoError(t, err)
				ev, err := s.EvaluateWith(lines, tc.fees, ctx, Wallet{}, Options{NearestMisses: tc.k})
				require.NoError(t, err)
				checkInvariants(t, ev)
				assert.Equal(t, tc.want, explained(ev), "indexed=%v", indexed)
				assert.Equal(t, tc.omitted, ev.Omitted, "indexed=%v", indexed)
				for id, msg := range tc.messages {
					assert.Equal(t, msg, explanation(t, ev, id).Message, "indexed=%v", indexed)
				}
			}
		})
	}
}

// TestNearestMissesIgnoreOtherPromotions: promotions that are not
// threshold promotions are examined as before, whatever k: a coupon
// threshold, a threshold on some categories only, a catalogue promotion.
func TestNearestMissesIgnoreOtherPromotions(t *testing.T) {
	coupon := spend("coupon-500", "500.00")
	coupon.Coupon = "BIG"
	shoes := spend("shoes-500", "500.00")
	shoes.Effect.Target = cats("shoes")
	s := mustCompile(t, coupon, shoes, spend("s500", "500.00"))
	ev, err := s.EvaluateWith([]Line{ln("a", "x", 1, "60.00", "shoes")}, nil, webCtx(), Wallet{Coupons: []string{"big"}}, Options{NearestMisses: -1})
	require.NoError(t, err)
	assert.Equal(t, []string{"coupon-500", "shoes-500"}, explained(ev))
	assert.Equal(t, 1, ev.Omitted)
	assert.Equal(t, "code BIG: add 440.00 EUR more to get coupon-500", ev.Coupons[0].Message)
}

// TestNearestMissesHugeQuantity: a count of units that saturates int64
// still meets every quantity key (free lines may hold any quantity).
func TestNearestMissesHugeQuantity(t *testing.T) {
	five := Promotion{ID: "q-five", Lane: Basket, MinQuantity: 5, QuantityTarget: all(),
		Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}}
	lines := []Line{ln("a", "x", math.MaxInt64, "0.00"), ln("b", "y", 1, "0.00")}
	for _, indexed := range []bool{true, false} {
		s, err := compile([]Promotion{five}, indexed)
		require.NoError(t, err)
		ev, err := s.EvaluateWith(lines, nil, webCtx(), Wallet{}, Options{NearestMisses: -1})
		require.NoError(t, err)
		assert.Equal(t, []string{"q-five"}, explained(ev), "indexed=%v", indexed)
		assert.Equal(t, ReasonNoBenefit, ev.Explanations[0].Reason, "indexed=%v", indexed)
		assert.Zero(t, ev.Omitted, "indexed=%v", indexed)
	}
}
