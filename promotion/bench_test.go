package promotion

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// benchData generates, from a fixed seed, a basket of nLines lines and a set
// of nPromos active promotions of which about 30 concern the basket (its
// channel, its SKUs and categories, or all lines); the others are scoped to
// other channels or target products the basket does not hold.
func benchData(nPromos, nLines int) ([]Promotion, []Line, channel.Context, Wallet) {
	rng := rand.New(rand.NewPCG(20260601, 42))
	ctx := webCtx()
	money := func(lo, hi int64) pricing.Money {
		m, err := pricing.FromMinor(lo+rng.Int64N(hi-lo+1), pricing.MustCurrency("EUR"))
		if err != nil {
			panic(err)
		}
		return m
	}
	lines := make([]Line, nLines)
	for i, j := range rng.Perm(nLines) { // IDs in random order
		cats := []string{fmt.Sprintf("cat-%03d", rng.IntN(40))}
		if rng.IntN(2) == 0 {
			cats = append(cats, fmt.Sprintf("cat-%03d", 40+rng.IntN(40)))
		}
		lines[i] = Line{ID: fmt.Sprintf("line-%04d", j), SKU: fmt.Sprintf("sku-%05d", j*7), Categories: cats,
			Quantity: 1 + rng.Int64N(4), UnitPrice: money(100, 20000)}
	}
	basketSKU := func() string { return lines[rng.IntN(nLines)].SKU }
	basketCat := func() string { return lines[rng.IntN(nLines)].Categories[0] }

	var promos []Promotion
	add := func(p Promotion) {
		if len(promos) < nPromos {
			p.ID = fmt.Sprintf("promo-%05d", len(promos))
			promos = append(promos, p)
		}
	}
	// About 30 promotions concerning the basket.
	for i := range 12 {
		add(Promotion{Lane: Catalogue, Priority: int64(i % 3), Channels: []string{ctx.ChannelID},
			Effect: Effect{Kind: PercentOff, Percent: pricing.MustPercent(fmt.Sprint(5 + i)), Target: Target{Categories: []string{basketCat()}}}})
	}
	for range 5 {
		add(Promotion{Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: money(10, 200), Target: Target{SKUs: []string{basketSKU(), basketSKU()}}}})
	}
	add(Promotion{Lane: Catalogue, Exclusive: true, Priority: 5, Effect: Effect{Kind: FixedPrice, Amount: money(100, 500), Target: Target{SKUs: []string{basketSKU()}}}})
	for i := range 3 {
		add(Promotion{Lane: Basket, BestOfGroup: "best", Priority: int64(i),
			Effect: Effect{Kind: BuyXGetY, Buy: int64(2 + i), Get: 1, Percent: pricing.MustPercent("100"), Target: Target{Categories: []string{basketCat(), basketCat()}}}})
	}
	add(Promotion{Lane: Basket, Effect: Effect{Kind: BundlePrice, Amount: money(500, 1000), Components: []Component{
		{Target: Target{Categories: []string{basketCat()}}, Quantity: 1}, {Target: Target{Categories: []string{basketCat()}}, Quantity: 1}}}})
	add(Promotion{Lane: Basket, Effect: Effect{Kind: Tiered, Target: Target{All: true}, Tiers: []Tier{
		{Threshold: money(10000, 10000), Amount: money(1000, 1000)}, {Threshold: money(50000, 50000), Amount: money(5000, 5000)}}}})
	add(Promotion{Lane: Basket, Coupon: "SPRING", Effect: Effect{Kind: BasketPercentOff, Percent: pricing.MustPercent("10"), Target: Target{All: true}}})
	add(Promotion{Lane: Basket, Coupon: "WEBONLY", Channels: []string{"app-fr"}, Effect: Effect{Kind: BasketAmountOff, Amount: money(500, 500), Target: Target{All: true}}})
	add(Promotion{Lane: Basket, MinSubtotal: money(1_000_000, 1_000_000), Effect: Effect{Kind: BasketAmountOff, Amount: money(5000, 5000), Target: Target{All: true}}})
	add(Promotion{Lane: Basket, MinQuantity: 3, QuantityTarget: Target{Categories: []string{basketCat()}},
		Effect: Effect{Kind: BasketPercentOff, Percent: pricing.MustPercent("5"), Target: Target{Categories: []string{basketCat()}}}})
	add(Promotion{Lane: Fulfilment, MinSubtotal: money(5000, 5000), Effect: Effect{Kind: FeeDiscount, Percent: pricing.MustPercent("100")}})
	add(Promotion{Lane: Fulfilment, Effect: Effect{Kind: FeeDiscount, Amount: money(100, 300)}})
	// The rest of the catalogue of promotions: other channels, or products
	// and categories the basket does not hold.
	for len(promos) < nPromos {
		p := Promotion{Lane: Catalogue, Priority: rng.Int64N(5)}
		if rng.IntN(10) > 0 {
			p.Channels = []string{fmt.Sprintf("channel-%02d", rng.IntN(20))}
		}
		t := Target{SKUs: []string{fmt.Sprintf("bg-sku-%06d", rng.IntN(1_000_000))}}
		if rng.IntN(4) == 0 {
			t = Target{Categories: []string{fmt.Sprintf("bg-cat-%04d", rng.IntN(5000))}}
		}
		switch rng.IntN(3) {
		case 0:
			p.Effect = Effect{Kind: PercentOff, Percent: pricing.MustPercent(fmt.Sprint(1 + rng.IntN(50))), Target: t}
		case 1:
			p.Effect = Effect{Kind: AmountOff, Amount: money(10, 1000), Target: t}
		default:
			p.Lane = Basket
			p.Effect = Effect{Kind: BuyXGetY, Buy: 1 + rng.Int64N(3), Get: 1, Percent: pricing.MustPercent("50"), Target: t}
		}
		if rng.IntN(5) == 0 {
			p.Coupon = fmt.Sprintf("BG%05d", len(promos))
		}
		add(p)
	}
	rng.Shuffle(len(promos), func(i, j int) { promos[i], promos[j] = promos[j], promos[i] })
	return promos, lines, ctx, Wallet{Coupons: []string{"spring", "webonly", "unknown"}}
}

func benchFees() []Fee {
	return []Fee{{ID: "ship", Mode: channel.ShipToAddress, Amount: eur("4.99")}}
}

// BenchmarkEvaluate evaluates a 100-line basket, indexed and naive, on two
// mixes: benchData (about 30 promotions concern the basket whatever the
// size of the set) and, under thresholds/, thresholdData (a fifth of the
// promotions are basket-wide spend thresholds far above the basket).
// thresholds/interleaved times pairs of threshold cases in one loop and
// reports the ratios that matter, measured under the same machine load.
func BenchmarkEvaluate(b *testing.B) {
	for _, mix := range []struct {
		prefix string
		data   func(nPromos, nLines int) ([]Promotion, []Line, channel.Context, Wallet)
		sizes  []int
	}{{"", benchData, []int{100, 1000, 10000}}, {"thresholds/", thresholdData, []int{1000, 10000}}} {
		for _, n := range mix.sizes {
			promos, lines, ctx, w := mix.data(n, 100)
			for _, mode := range []struct {
				name    string
				indexed bool
			}{{"indexed", true}, {"naive", false}} {
				s, err := compile(promos, mode.indexed)
				if err != nil {
					b.Fatal(err)
				}
				fees := benchFees()
				b.Run(fmt.Sprintf("%s%s/promos=%d", mix.prefix, mode.name, n), func(b *testing.B) {
					ev, err := s.Evaluate(lines, fees, ctx, w)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						if _, err := s.Evaluate(lines, fees, ctx, w); err != nil {
							b.Fatal(err)
						}
					}
					reportShape(b, ev)
				})
			}
		}
	}
	b.Run("thresholds/interleaved", benchThresholdsInterleaved)
}

// reportShape reports how many promotions an evaluation examined, applied
// and left unexplained, and how many adjustments it made.
func reportShape(b *testing.B, ev Evaluation) {
	applied, adjustments := 0, 0
	for _, x := range ev.Explanations {
		if x.Status == Applied {
			applied++
		}
	}
	for _, l := range ev.Lines {
		adjustments += len(l.Adjustments)
	}
	b.ReportMetric(float64(len(ev.Explanations)), "examined")
	b.ReportMetric(float64(applied), "applied")
	b.ReportMetric(float64(adjustments), "adjustments")
	b.ReportMetric(float64(ev.Omitted), "omitted")
}

// thresholdData is benchData with a fifth of the promotions replaced by
// basket-wide "spend X, get Y %" promotions whose thresholds lie far above
// the basket (2 to 50 times its subtotal): the peer engine's benchmark mix,
// where an evaluation that explains every unmet threshold grows with the
// catalogue of promotions.
func thresholdData(nPromos, nLines int) ([]Promotion, []Line, channel.Context, Wallet) {
	nThr := nPromos / 5
	promos, lines, ctx, w := benchData(nPromos-nThr, nLines)
	var basket int64
	for _, l := range lines {
		basket += l.UnitPrice.MinorUnits() * l.Quantity
	}
	rng := rand.New(rand.NewPCG(20261129, 16))
	for i := range nThr {
		min, err := pricing.FromMinor(basket*2+rng.Int64N(basket*48), pricing.MustCurrency("EUR"))
		if err != nil {
			panic(err)
		}
		promos = append(promos, Promotion{ID: fmt.Sprintf("spend-%05d", i), Lane: Basket, MinSubtotal: min,
			Effect: Effect{Kind: BasketPercentOff, Percent: pricing.MustPercent(fmt.Sprint(1 + rng.IntN(30))), Target: all()}})
	}
	rng.Shuffle(len(promos), func(i, j int) { promos[i], promos[j] = promos[j], promos[i] })
	return promos, lines, ctx, w
}

// benchThresholdsInterleaved times cases of the threshold mix one after
// the other in each iteration, so that the machine's load hits them alike,
// and reports ns per evaluation of each and the ratio of the second to the
// first: thresholds/interleaved/10k-vs-1k is the cost of 10,000 over 1,000
// promotions (indexed), thresholds/interleaved/naive-vs-indexed that of the
// naive baseline over the index at 10,000 (kept apart, so that the slow
// naive evaluation does not leave the indexed pair few iterations).
func benchThresholdsInterleaved(b *testing.B) {
	type row struct {
		name    string
		n       int
		indexed bool
		set     *Set
		ns      int64
	}
	for _, pair := range []struct {
		name string
		rows [2]row
	}{
		{"10k-vs-1k", [2]row{{name: "indexed-1000", n: 1000, indexed: true}, {name: "indexed-10000", n: 10000, indexed: true}}},
		{"naive-vs-indexed", [2]row{{name: "indexed-10000", n: 10000, indexed: true}, {name: "naive-10000", n: 10000}}},
	} {
		b.Run(pair.name, func(b *testing.B) {
			rows := pair.rows
			var lines []Line
			var ctx channel.Context
			var w Wallet
			for i := range rows {
				promos, ls, c, wl := thresholdData(rows[i].n, 100)
				lines, ctx, w = ls, c, wl // the same basket whatever n
				s, err := compile(promos, rows[i].indexed)
				if err != nil {
					b.Fatal(err)
				}
				rows[i].set = s
			}
			fees := benchFees()
			b.ResetTimer()
			for range b.N {
				for i := range rows {
					start := time.Now()
					if _, err := rows[i].set.Evaluate(lines, fees, ctx, w); err != nil {
						b.Fatal(err)
					}
					rows[i].ns += time.Since(start).Nanoseconds()
				}
			}
			for _, r := range rows {
				b.ReportMetric(float64(r.ns)/float64(b.N), r.name+"-ns/eval")
			}
			b.ReportMetric(float64(rows[1].ns)/float64(rows[0].ns), "ratio")
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	promos, _, _, _ := benchData(10000, 100)
	b.ReportAllocs()
	for range b.N {
		if _, err := Compile(promos); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchDataShape keeps the benchmark honest: about 30 promotions are
// examined whatever the size of the set, and the naive baseline gives the
// same result as the index.
func TestBenchDataShape(t *testing.T) {
	for _, n := range []int{100, 1000, 10000} {
		promos, lines, ctx, w := benchData(n, 100)
		s := mustCompile(t, promos...)
		naive, err := compile(promos, false)
		if err != nil {
			t.Fatal(err)
		}
		ev := mustEval(t, s, lines, benchFees(), ctx, w)
		if got := len(ev.Explanations); got < 25 || got > 35 {
			t.Errorf("n=%d: %d examined promotions", n, got)
		}
		applied := 0
		for _, x := range ev.Explanations {
			if x.Status == Applied {
				applied++
			}
		}
		if applied < 10 {
			t.Errorf("n=%d: only %d applied", n, applied)
		}
		if a, b := mustJSON(t, ev), mustJSON(t, mustEval(t, naive, lines, benchFees(), ctx, w)); a != b {
			t.Errorf("n=%d: naive and indexed differ", n)
		}
	}
}

// TestThresholdDataShape keeps the threshold benchmark honest: a fifth of
// the set are basket-wide thresholds the basket misses, the evaluation
// examines the same few promotions at 1,000 and 10,000 (the misses it
// explains being the DefaultNearestMisses nearest), omits the others, and
// agrees with the naive baseline byte for byte.
func TestThresholdDataShape(t *testing.T) {
	var examined []int
	for _, n := range []int{1000, 10000} {
		promos, lines, ctx, w := thresholdData(n, 100)
		s := mustCompile(t, promos...)
		naive, err := compile(promos, false)
		if err != nil {
			t.Fatal(err)
		}
		ev := mustEval(t, s, lines, benchFees(), ctx, w)
		if ev.Omitted != n/5-DefaultNearestMisses {
			t.Errorf("n=%d: %d omitted, want %d", n, ev.Omitted, n/5-DefaultNearestMisses)
		}
		misses := 0
		for _, x := range ev.Explanations {
			if x.Reason == ReasonMinSubtotal && x.Gap != nil && x.Gap.Amount.MinorUnits() > ev.Subtotal.MinorUnits() {
				misses++
			}
		}
		if misses != DefaultNearestMisses {
			t.Errorf("n=%d: %d far thresholds explained, want %d", n, misses, DefaultNearestMisses)
		}
		examined = append(examined, len(ev.Explanations))
		if a, b := mustJSON(t, ev), mustJSON(t, mustEval(t, naive, lines, benchFees(), ctx, w)); a != b {
			t.Errorf("n=%d: naive and indexed differ", n)
		}
	}
	if examined[0] != examined[1] {
		t.Errorf("examined %d promotions at 1,000 but %d at 10,000", examined[0], examined[1])
	}
}
