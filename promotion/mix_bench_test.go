package promotion_test

import (
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/promotion"
)

// mixCase is one evaluation of the realistic synthetic mix: a 100-line
// store basket, its fees and a regular shopper's wallet against a set of
// n promotions of [synth.Catalogue.Promotions].
type mixCase struct {
	set   *promotion.Set
	lines []promotion.Line
	fees  []promotion.Fee
	ctx   channel.Context
	w     promotion.Wallet
}

func newMixCase(tb testing.TB, cat *synth.Catalogue, lines []promotion.Line, n int) mixCase {
	tb.Helper()
	set, err := promotion.Compile(cat.Promotions(2, n))
	if err != nil {
		tb.Fatal(err)
	}
	return mixCase{set: set, lines: lines, fees: cat.Fees(), ctx: cat.Context(), w: synth.Wallet()}
}

func (m mixCase) once(tb testing.TB) promotion.Evaluation {
	ev, err := m.set.Evaluate(m.lines, m.fees, m.ctx, m.w)
	if err != nil {
		tb.Fatal(err)
	}
	return ev
}

// BenchmarkEvaluateMix evaluates a 100-line synthetic store basket against
// 1,000 and 10,000 promotions of the realistic mix (a fifth of them
// basket-wide thresholds, customer-group and loyalty variants, coupons,
// local scopes: see synth.MixShares). The two sizes are timed alternately
// in one loop, so that the machine's load hits both alike, and the ratio
// is the figure to read: the index is meant to keep it at 1.5 or below.
// Either evaluation may carry another process's preemption, so the ratio
// of the fastest evaluation of each ("ratio(min)") is reported too: the
// cost of the code itself. allocs/op and B/op count both evaluations.
// The counts say what each evaluation did: promotions examined (explained),
// applied, and threshold promotions omitted from the explanations.
func BenchmarkEvaluateMix(b *testing.B) {
	cat := synth.NewCatalogue(1, 100_000)
	lines, err := cat.PromotionLines(cat.Context(), cat.Basket(7, 100))
	if err != nil {
		b.Fatal(err)
	}
	small, large := newMixCase(b, cat, lines, 1_000), newMixCase(b, cat, lines, 10_000)
	evSmall, evLarge := small.once(b), large.once(b)
	b.ReportAllocs()
	var tSmall, tLarge time.Duration
	minSmall, minLarge := time.Duration(1<<63-1), time.Duration(1<<63-1)
	for b.Loop() {
		start := time.Now()
		small.once(b)
		mid := time.Now()
		large.once(b)
		end := time.Now()
		ts, tl := mid.Sub(start), end.Sub(mid)
		tSmall, tLarge = tSmall+ts, tLarge+tl
		minSmall, minLarge = min(minSmall, ts), min(minLarge, tl)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tSmall.Nanoseconds())/n, "ns/eval(1k)")
	b.ReportMetric(float64(tLarge.Nanoseconds())/n, "ns/eval(10k)")
	b.ReportMetric(float64(tLarge)/float64(tSmall), "ratio(10k/1k)")
	b.ReportMetric(float64(minLarge)/float64(minSmall), "ratio(min)")
	for _, c := range []struct {
		size string
		ev   promotion.Evaluation
	}{{"1k", evSmall}, {"10k", evLarge}} {
		b.ReportMetric(float64(len(c.ev.Explanations)), "examined("+c.size+")")
		b.ReportMetric(float64(applied(c.ev)), "applied("+c.size+")")
		b.ReportMetric(float64(c.ev.Omitted), "omitted("+c.size+")")
	}
}

func applied(ev promotion.Evaluation) int {
	n := 0
	for _, x := range ev.Explanations {
		if x.Status == promotion.Applied {
			n++
		}
	}
	return n
}
