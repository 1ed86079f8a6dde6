package basket_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// workload is the shared synthetic retailer of the benchmarks: 100,000
// SKUs with three-level price chains, 10 locations, and a promotion set
// (1,000 or 10,000, about 30 of which can apply to any basket).
type workload struct {
	cat       *synth.Catalogue
	book      *pricing.PriceBook
	set       *promotion.Set
	locations []stock.Location
}

func newWorkload(b *testing.B, promos int) *workload {
	b.Helper()
	cat := synth.NewCatalogue(1, 100_000)
	book, err := pricing.NewPriceBook(cat.Prices)
	if err != nil {
		b.Fatal(err)
	}
	set, err := promotion.Compile(cat.Promotions(2, promos))
	if err != nil {
		b.Fatal(err)
	}
	return &workload{cat: cat, book: book, set: set, locations: cat.Locations(10)}
}

// release drops the generator's catalogue once the jobs are built: a
// basket.Service holds its compiled promotion sets, not the whole price
// catalogue (it gathers the prices of each basket's SKUs per call), so the
// garbage collector should not be scanning 100,000 SKUs while we time.
func (w *workload) release() {
	w.cat, w.book = nil, nil
	runtime.GC()
}

// job is one benchmarked pricing: a basket priced on the web, moving into
// the synthetic store, with the snapshot a basket.Service would gather
// (prices of exactly the basket's SKUs, levels at the store's sources).
type job struct {
	b      *basket.Basket
	target channel.Context
	snap   basket.Snapshot
}

// bookFor returns the price book a Service would gather for lines: the
// entries of exactly their SKUs.
func (w *workload) bookFor(b *testing.B, lines []synth.Line) *pricing.PriceBook {
	b.Helper()
	skus := make([]string, len(lines))
	for i, l := range lines {
		skus[i] = l.Product.SKU
	}
	entries, err := w.book.Prices(context.Background(), pricing.PriceQuery{Lists: w.cat.Lists, SKUs: skus})
	if err != nil {
		b.Fatal(err)
	}
	book, err := pricing.NewPriceBook(entries)
	if err != nil {
		b.Fatal(err)
	}
	return book
}

func (w *workload) job(b *testing.B, lines int) job {
	b.Helper()
	target := w.cat.Context()
	basketLines := w.cat.Basket(uint64(lines), lines)
	book := w.bookFor(b, basketLines)
	levels, err := stock.NewLevels(synth.Stock(3, basketLines, w.locations))
	if err != nil {
		b.Fatal(err)
	}
	snap := basket.Snapshot{Prices: book, Promotions: w.set, Tax: w.cat.Tax, Stock: levels, Locations: w.locations}
	web := target.Clone()
	web.ChannelID, web.LocationID, web.Kind, web.PriceLists = "web", "", channel.Web, []string{"chan-web", "default"}
	web.FulfilmentModes = []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}
	return job{b: syntheticBasket(b, basketLines, web, snap), target: target, snap: snap}
}

func (j job) once(b *testing.B) {
	if _, err := basket.Recontextualize(j.b, j.target, j.snap, basket.Options{}); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRecontextualize prices 10-, 100- and 500-line baskets through
// the whole pure pipeline, change report included.
func BenchmarkRecontextualize(b *testing.B) {
	for _, promos := range []int{1_000, 10_000} {
		w := newWorkload(b, promos)
		jobs := map[int]job{}
		for _, n := range []int{10, 100, 500} {
			jobs[n] = w.job(b, n)
		}
		w.release()
		for _, n := range []int{10, 100, 500} {
			j := jobs[n]
			b.Run(fmt.Sprintf("promos=%d/lines=%d", promos, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					j.once(b)
				}
				perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				b.ReportMetric(perOp/float64(n), "ns/line")
				b.ReportMetric(1e9/perOp, "baskets/s")
			})
		}
	}
}

// BenchmarkRecontextualizeScaling measures, side by side in one run, what
// 10× more promotions and 5× more lines cost. The three jobs are
// interleaved in one loop so machine noise hits them alike; ratios near 1
// and 5 mean the promotion index works and the pipeline is linear in lines.
func BenchmarkRecontextualizeScaling(b *testing.B) {
	w1k, w10k := newWorkload(b, 1_000), newWorkload(b, 10_000)
	base, moreLines, morePromos := w1k.job(b, 100), w1k.job(b, 500), w10k.job(b, 100)
	w1k.release()
	w10k.release()
	var t0, t1, t2 time.Duration
	for b.Loop() {
		start := time.Now()
		base.once(b)
		mid := time.Now()
		morePromos.once(b)
		end := time.Now()
		moreLines.once(b)
		t0, t1, t2 = t0+mid.Sub(start), t1+end.Sub(mid), t2+time.Since(end)
	}
	n := float64(b.N)
	b.ReportMetric(float64(t0.Nanoseconds())/n, "ns/basket(100-lines,1k-promos)")
	b.ReportMetric(float64(t1)/float64(t0), "ratio(10x-promos)")
	b.ReportMetric(float64(t2)/float64(t0), "ratio(5x-lines)")
}

// syntheticBasket builds a basket of lines in start and prices it there,
// so that the benchmarked call is a real channel change.
func syntheticBasket(b *testing.B, lines []synth.Line, start channel.Context, snap basket.Snapshot) *basket.Basket {
	b.Helper()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "bench"}, At: start.AsOf}
	bk, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "bench"}, start, basket.Cart, m)
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range lines {
		p := basket.Product{Name: l.Product.Name, Categories: l.Product.Categories, TaxCategory: l.Product.TaxCategory}
		if _, _, err := bk.AddLine(m, basket.NewLine{SKU: l.Product.SKU, Quantity: l.Quantity, Product: p}); err != nil {
			b.Fatal(err)
		}
	}
	r, err := basket.Recontextualize(bk, start, snap, basket.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := bk.SetResult(m, r); err != nil {
		b.Fatal(err)
	}
	return bk
}
