package basket_test

import (
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// copyResult allocates and writes the memory of r's own slices, as
// Recontextualize allocates them (one array per kind: lines, discounts,
// plans, allocations, explanations, coupon states, changes), computing
// nothing: what producing a result of that size costs in memory alone.
// Recontextualize's working memory (the lines it hands the promotion
// engine, the plan and the tax, some 60 KB at 100 lines) is not copied.
func copyResult(r *basket.Result) *basket.Result {
	c := *r
	c.Lines = slices.Clone(r.Lines)
	adjs, allocs := lineArrays(r)
	c.Plan.Lines = make([]stock.LinePlan, len(r.Plan.Lines))
	for i := range c.Lines {
		l := &c.Lines[i]
		l.Discounts = takeCopy(&adjs, l.Discounts)
		l.Fulfilment.Allocations = takeCopy(&allocs, l.Fulfilment.Allocations)
		if i < len(c.Plan.Lines) {
			c.Plan.Lines[i] = l.Fulfilment
		}
	}
	c.Promotions = slices.Clone(r.Promotions)
	c.Coupons = slices.Clone(r.Coupons)
	c.Changes = slices.Clone(r.Changes)
	return &c
}

// lineArrays returns empty arrays with room for every discount and every
// stock allocation of r's lines, the one backing array of each kind.
func lineArrays(r *basket.Result) ([]promotion.Adjustment, []stock.Allocation) {
	nAdj, nAlloc := 0, 0
	for i := range r.Lines {
		nAdj += len(r.Lines[i].Discounts)
		nAlloc += len(r.Lines[i].Fulfilment.Allocations)
	}
	return make([]promotion.Adjustment, 0, nAdj), make([]stock.Allocation, 0, nAlloc)
}

// takeCopy appends s to *into, which has room for it, and returns the copy.
func takeCopy[T any](into *[]T, s []T) []T {
	from := len(*into)
	*into = append(*into, s...)
	return (*into)[from:len(*into):len(*into)]
}

// The reshaped types stand for the smaller result a change of the Go API
// could give (the JSON could stay as it is): a priced line that refers to
// its plan instead of holding a copy of it, and a change that carries the
// fields of its kind only (136 bytes, where a Change is 320). They exist
// to measure what that reshaping would save; nothing else uses them.
type reshapedLine struct {
	LineID, SKU, Name                  string
	Quantity                           int64
	Unit                               catalog.Unit
	Priced                             bool
	Problem                            string
	ListPrice                          pricing.Money
	Source                             pricing.PriceRef
	UnitPrice                          pricing.Money
	PreciseListPrice, PreciseUnitPrice pricing.UnitPrice
	Basis                              basket.PriceBasis
	GrantedQuantity                    int64
	Subtotal                           pricing.Money
	Discounts                          []promotion.Adjustment
	Discount                           pricing.Money
	TaxRate                            pricing.Rate
	Net, Tax, Total                    pricing.Money
	Plan                               int32 // index in the result's one plan
}

type reshapedChange struct {
	Kind                  basket.ChangeKind
	LineID, SKU, Name     string
	Quantity, OldQuantity int64
	Old, New              pricing.Money
	Ref                   string // the promotion, coupon or location the change is about
	Detail                string
}

type reshapedResult struct {
	basket.Result // Lines and Changes left nil
	lines         []reshapedLine
	changes       []reshapedChange
}

// copyReshaped writes r into the reshaped types, as copyResult does into
// r's own: the same discounts, allocations, explanations and coupon
// states, one plan, and the smaller lines and changes.
func copyReshaped(r *basket.Result) *reshapedResult {
	c := &reshapedResult{Result: *r}
	c.Lines, c.Changes = nil, nil
	c.lines = make([]reshapedLine, len(r.Lines))
	adjs, allocs := lineArrays(r)
	c.Plan.Lines = make([]stock.LinePlan, len(r.Plan.Lines))
	for i := range r.Lines {
		s, l := &r.Lines[i], &c.lines[i]
		l.LineID, l.SKU, l.Name, l.Quantity, l.Unit, l.Priced, l.Problem = s.LineID, s.SKU, s.Name, s.Quantity, s.Unit, s.Priced, s.Problem
		l.ListPrice, l.Source, l.UnitPrice, l.PreciseListPrice, l.PreciseUnitPrice = s.ListPrice, s.Source, s.UnitPrice, s.PreciseListPrice, s.PreciseUnitPrice
		l.Basis, l.GrantedQuantity, l.Subtotal, l.Discount = s.Basis, s.GrantedQuantity, s.Subtotal, s.Discount
		l.TaxRate, l.Net, l.Tax, l.Total = s.TaxRate, s.Net, s.Tax, s.Total
		l.Discounts = takeCopy(&adjs, s.Discounts)
		if i < len(c.Plan.Lines) {
			p := &c.Plan.Lines[i]
			*p = s.Fulfilment
			p.Allocations = takeCopy(&allocs, s.Fulfilment.Allocations)
			l.Plan = int32(i)
		}
	}
	c.Promotions = slices.Clone(r.Promotions)
	c.Coupons = slices.Clone(r.Coupons)
	c.changes = make([]reshapedChange, len(r.Changes))
	for i := range r.Changes {
		s, x := &r.Changes[i], &c.changes[i]
		x.Kind, x.LineID, x.SKU, x.Name, x.Quantity, x.OldQuantity = s.Kind, s.LineID, s.SKU, s.Name, s.Quantity, s.OldQuantity
		x.Old, x.New, x.Ref, x.Detail = s.Old, s.New, s.PromotionID, s.Detail
	}
	return c
}

var (
	sinkResult   *basket.Result
	sinkReshaped *reshapedResult
)

// BenchmarkRecontextualizeMemory says how much of Recontextualize's time
// at 100 lines and 1,000 promotions is the memory of its result, and how
// much of it a smaller result would save. Four jobs are interleaved in one
// loop, so that they share the garbage collector's cycles and the
// machine's noise: the bare pricing job, the whole Recontextualize, a copy
// of its result into fresh memory (copyResult: the same arrays, allocated
// and written, nothing computed) and a copy into the reshaped types
// (copyReshaped). It reports the copies' bytes and each job's time as a
// multiple of the bare job's; "%copy" is the copy's time as a share of
// Recontextualize's, and "%saved(reshaped)" what reshaping the result
// would take off it (the copy's time less the reshaped copy's).
func BenchmarkRecontextualizeMemory(b *testing.B) {
	bare, j, r := hundredLinePair(b)
	var tBare, tWhole, tCopy, tReshaped time.Duration
	for b.Loop() {
		t0 := time.Now()
		bare.once(b)
		t1 := time.Now()
		j.once(b)
		t2 := time.Now()
		sinkResult = copyResult(r)
		t3 := time.Now()
		sinkReshaped = copyReshaped(r)
		t4 := time.Now()
		tBare, tWhole = tBare+t1.Sub(t0), tWhole+t2.Sub(t1)
		tCopy, tReshaped = tCopy+t3.Sub(t2), tReshaped+t4.Sub(t3)
	}
	const rounds = 50
	var before, mid, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range rounds {
		sinkResult = copyResult(r)
	}
	runtime.ReadMemStats(&mid)
	for range rounds {
		sinkReshaped = copyReshaped(r)
	}
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	b.ReportMetric(float64(tBare.Nanoseconds())/n, "ns/bare")
	b.ReportMetric(float64(tWhole.Nanoseconds())/n, "ns/recontextualize")
	b.ReportMetric(float64(mid.TotalAlloc-before.TotalAlloc)/rounds, "B/copy")
	b.ReportMetric(float64(after.TotalAlloc-mid.TotalAlloc)/rounds, "B/reshaped")
	b.ReportMetric(float64(tWhole)/float64(tBare), "ratio")
	b.ReportMetric(float64(tCopy)/float64(tBare), "ratio(copy)")
	b.ReportMetric(float64(tReshaped)/float64(tBare), "ratio(reshaped)")
	b.ReportMetric(float64(tCopy)/float64(tWhole)*100, "%copy")
	b.ReportMetric(float64(tCopy-tReshaped)/float64(tWhole)*100, "%saved(reshaped)")
}
