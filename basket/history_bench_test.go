package basket_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// BenchmarkHistoryBuild1000 builds a 1,000-line basket one line at a time,
// pricing it after each addition as the Service does, and reports in one
// run the bytes its history stores (events, plus a checkpoint every
// [basket.DefaultCheckpointEvery] events) against the bytes the same
// history took when every pricing event embedded the whole Result (the
// encoding before patches, computed here from the same Results).
//
// Two promotion mixes: "sku-scoped" has only catalogue promotions, so an
// addition changes the new line and the totals; "synthetic" is the
// benchmarks' mix of 1,000 promotions, whose basket-wide amount-off
// promotions spread their discount over every line, so an addition really
// changes every line's share and the event records it.
func BenchmarkHistoryBuild1000(b *testing.B) {
	w := newWorkload(b, 1_000)
	const n = 1_000
	lines := w.cat.Basket(7, n)
	book := w.bookFor(b, lines)
	skuScoped, err := promotion.Compile(nil)
	if err != nil {
		b.Fatal(err)
	}
	target := w.cat.Context()
	for _, mix := range []struct {
		name string
		set  *promotion.Set
	}{{"sku-scoped", skuScoped}, {"synthetic", w.set}} {
		snap := basket.Snapshot{Prices: book, Promotions: mix.set, Tax: w.cat.Tax, Stock: stock.Levels{}, Locations: w.locations}
		b.Run(mix.name, func(b *testing.B) {
			var stored, checkpoints, whole int64
			for b.Loop() {
				stored, checkpoints, whole = buildHistory(b, lines[:n], target, snap)
			}
			b.ReportMetric(float64(stored)/1e6, "MB-stored")
			b.ReportMetric(float64(checkpoints)/1e6, "MB-of-which-checkpoints")
			b.ReportMetric(float64(whole)/1e6, "MB-whole-results")
			b.ReportMetric(float64(whole)/float64(stored), "x-smaller")
		})
	}
}

func buildHistory(b *testing.B, lines []synth.Line, target channel.Context, snap basket.Snapshot) (stored, checkpoints, whole int64) {
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "bench"}, At: target.AsOf}
	bk, e, err := basket.New(uuid.New(), basket.Owner{CustomerID: "bench"}, target, basket.Cart, m)
	if err != nil {
		b.Fatal(err)
	}
	stored, whole = int64(len(e.Data)), int64(len(e.Data))
	every := int64(basket.DefaultCheckpointEvery)
	record := func(e basket.Event) {
		stored += int64(len(e.Data))
		if bk.Version%every == 0 {
			cp, err := json.Marshal(bk)
			if err != nil {
				b.Fatal(err)
			}
			stored += int64(len(cp))
			checkpoints += int64(len(cp))
		}
	}
	for _, l := range lines {
		p := basket.Product{Name: l.Product.Name, Categories: l.Product.Categories, TaxCategory: l.Product.TaxCategory}
		_, e, err := bk.AddLine(m, basket.NewLine{SKU: l.Product.SKU, Quantity: l.Quantity, Product: p})
		if err != nil {
			b.Fatal(err)
		}
		record(e)
		whole += int64(len(e.Data))
		r, err := basket.Recontextualize(bk, target, snap, basket.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if e, err = bk.SetResult(m, r); err != nil {
			b.Fatal(err)
		}
		record(e)
		rc := *r
		rc.BasketVersion = bk.Version
		old, err := json.Marshal(basket.Recontextualized{Context: r.Context, Result: &rc})
		if err != nil {
			b.Fatal(err)
		}
		whole += int64(len(old))
	}
	return stored, checkpoints, whole
}
