package basket_test

import (
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
)

// BenchmarkReturnOneLine prices the return of one unit of a 100-line order
// (the kept lines re-priced under the order's terms, and the state before
// the return, for the promotions it breaks) side by side with a full
// re-pricing of the same 100 lines, interleaved in one loop so machine
// noise hits both alike.
func BenchmarkReturnOneLine(b *testing.B) {
	w := newWorkload(b, 1_000)
	j := w.job(b, 100)
	w.release()
	order := j.b.Clone()
	r, err := basket.Recontextualize(order, j.target, j.snap, basket.Options{})
	if err != nil {
		b.Fatal(err)
	}
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "bench"}, At: j.target.AsOf}
	if _, err := order.SetResult(m, r); err != nil {
		b.Fatal(err)
	}
	if err := basket.PlaceForTest(order, j.snap, basket.Options{}, j.target.AsOf.Add(time.Minute)); err != nil {
		b.Fatal(err)
	}
	ret := []basket.ReturnLine{{LineID: order.Lines[0].ID, Quantity: 1}}
	b.ReportAllocs()
	var tRet, tFull time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := basket.QuoteReturn(order, ret); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		j.once(b)
		tRet, tFull = tRet+mid.Sub(start), tFull+time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(tRet.Nanoseconds())/n, "ns/return")
	b.ReportMetric(float64(tFull.Nanoseconds())/n, "ns/full-pricing")
	b.ReportMetric(float64(tRet)/float64(tFull), "ratio(return/full)")
}
