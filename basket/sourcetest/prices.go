package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/pricing"
	"pgregory.net/rapid"
)

// CheckPrices asks src once for q and reports how its answer differs from
// what a conforming source serving d answers: exactly d's entries of q's
// SKUs in q's lists, in any order, each once, and q left as it was. It
// is the heart of the price checks, usable on its own in any test.
func CheckPrices(ctx context.Context, src pricing.PriceSource, d Data, q pricing.PriceQuery) error {
	before := pricing.PriceQuery{Lists: slices.Clone(q.Lists), SKUs: slices.Clone(q.SKUs)}
	got, err := src.Prices(ctx, q)
	if err != nil {
		return fmt.Errorf("Prices(%v): %w", q, err)
	}
	if !slices.Equal(q.Lists, before.Lists) || !slices.Equal(q.SKUs, before.SKUs) {
		return fmt.Errorf("the source changed, in Prices, the caller's query from %v to %v", before, q)
	}
	if err := samePrices(pricesFor(d, before), got); err != nil {
		return fmt.Errorf("Prices(%v): %w", before, err)
	}
	return nil
}

// pricesFor is what a conforming source answers to q.
func pricesFor(d Data, q pricing.PriceQuery) []pricing.Price {
	var out []pricing.Price
	for _, p := range d.Prices {
		if slices.Contains(q.SKUs, p.SKU) && slices.Contains(q.Lists, p.ListID) {
			out = append(out, p)
		}
	}
	return out
}

// priceKey is an entry's identity and value whatever its form: Unit or
// Precise, a tier of 0 or 1, a time in any zone.
func priceKey(p pricing.Price) string {
	u := p.UnitPrice()
	bound := func(at interface {
		IsZero() bool
		UnixNano() int64
	}) string {
		if at.IsZero() {
			return "open"
		}
		return fmt.Sprint(at.UnixNano())
	}
	return fmt.Sprintf("%s|%s|%s|tier %d|from %s|until %s|%s %s per %d", p.ListID, p.SKU, p.CustomerGroup, max(p.MinQuantity, 1),
		bound(p.ValidFrom), bound(p.ValidUntil), u.Currency().Code(), u.Decimal().StringFixed(6), u.Per())
}

// samePrices compares two answers as multisets of entries.
func samePrices(want, got []pricing.Price) error {
	keys := func(ps []pricing.Price) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = priceKey(p)
		}
		slices.Sort(out)
		return out
	}
	w, g := keys(want), keys(got)
	if slices.Equal(w, g) {
		return nil
	}
	var missing, extra []string
	for _, k := range w {
		if !slices.Contains(g, k) {
			missing = append(missing, k)
		}
	}
	for _, k := range g {
		if !slices.Contains(w, k) {
			extra = append(extra, k)
		}
	}
	return fmt.Errorf("%d entries, want %d; missing %s; unexpected %s (duplicates count)",
		len(g), len(w), list(missing), list(extra))
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return "[" + strings.Join(xs, "; ") + "]"
}

// pricedSKUs and priceLists are the SKUs and lists d names, sorted.
func pricedSKUs(d Data) []string {
	var out []string
	for _, p := range d.Prices {
		out = append(out, p.SKU)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func priceLists(d Data) []string {
	var out []string
	for _, p := range d.Prices {
		out = append(out, p.ListID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func testPrices(t *testing.T, src pricing.PriceSource, d Data, o Options) {
	ctx := context.Background()
	skus, lists := pricedSKUs(d), priceLists(d)
	all := pricing.PriceQuery{Lists: append(slices.Clone(lists), "no-such-list"), SKUs: append(slices.Clone(skus), "NO-SUCH-SKU")}

	t.Run("OneCallAnswersTheBasket", func(t *testing.T) {
		if err := CheckPrices(ctx, src, d, all); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("AnswerIsTheUnionOfItsParts", func(t *testing.T) {
		// Each SKU in each list alone, then pairs: the batched answer is
		// the sum of the small ones, so batching loses nothing.
		for _, sku := range skus {
			for _, l := range lists {
				if err := CheckPrices(ctx, src, d, pricing.PriceQuery{Lists: []string{l}, SKUs: []string{sku}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		for i := 0; i+1 < len(skus); i++ {
			q := pricing.PriceQuery{Lists: lists[i%len(lists):], SKUs: skus[i : i+2]}
			if err := CheckPrices(ctx, src, d, q); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("UnknownAnswersNothing", func(t *testing.T) {
		for _, q := range []pricing.PriceQuery{
			{Lists: lists, SKUs: []string{"NO-SUCH-SKU"}},
			{Lists: []string{"no-such-list"}, SKUs: skus},
			{Lists: lists}, // an empty basket
			{SKUs: skus},   // a context without price lists
			{Lists: []string{}, SKUs: []string{}},
		} {
			if err := CheckPrices(ctx, src, d, q); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("QueryOrderAndDuplicatesDoNotMatter", func(t *testing.T) {
		q := pricing.PriceQuery{Lists: slices.Clone(all.Lists), SKUs: slices.Clone(all.SKUs)}
		slices.Reverse(q.Lists)
		slices.Reverse(q.SKUs)
		q.SKUs = append(q.SKUs, q.SKUs...)
		q.Lists = append(q.Lists, q.Lists[0])
		// CheckPrices also checks that the unsorted query is left unsorted.
		if err := CheckPrices(ctx, src, d, q); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ChangingAnAnswerChangesNothing", func(t *testing.T) {
		got, err := src.Prices(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].SKU, got[i].ListID, got[i].Unit = "CHANGED", "changed", pricing.MustParse("0.01", "EUR")
		}
		if err := CheckPrices(ctx, src, d, all); err != nil {
			t.Fatalf("after the caller changed an earlier answer: %v", err)
		}
	})
	t.Run("AnswerBuildsAPriceBook", func(t *testing.T) {
		got, err := src.Prices(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pricing.NewPriceBook(got); err != nil {
			t.Fatalf("the Service builds a price book from the answer: %v", err)
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		_, err := src.Prices(canceled(), all)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Prices with a canceled context: %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		concurrently(t, o, func() error { return CheckPrices(ctx, src, d, all) })
	})
}

// testPriceProperty checks random price books against random queries:
// the answer is exactly the entries of the queried SKUs and lists.
func testPriceProperty(t *testing.T, newSources Harness) {
	cfg := func(rt *rapid.T) {
		d := Data{Prices: drawPrices(rt)}
		src := newSources(t, d).Prices
		if src == nil {
			rt.Fatal("sourcetest: the harness returned no PriceSource")
		}
		ids := []string{"A", "B", "C", "D", "NONE"}
		lists := []string{"web", "store", "b2b", "none"}
		q := pricing.PriceQuery{
			SKUs:  rapid.SliceOfN(rapid.SampledFrom(ids), 0, 6).Draw(rt, "skus"),
			Lists: rapid.SliceOfN(rapid.SampledFrom(lists), 0, 4).Draw(rt, "lists"),
		}
		if err := CheckPrices(context.Background(), src, d, q); err != nil {
			rt.Fatal(err)
		}
	}
	rapid.Check(t, cfg)
}

// drawPrices draws a valid price book: distinct (list, SKU, currency,
// group, tier, start) keys, tiers, groups, windows and precise prices.
func drawPrices(t *rapid.T) []pricing.Price {
	n := rapid.IntRange(0, 12).Draw(t, "n")
	seen := map[string]bool{}
	var out []pricing.Price
	for i := 0; i < n; i++ {
		p := pricing.Price{
			ListID:        rapid.SampledFrom([]string{"web", "store", "b2b"}).Draw(t, "list"),
			SKU:           rapid.SampledFrom([]string{"A", "B", "C", "D"}).Draw(t, "sku"),
			MinQuantity:   rapid.SampledFrom([]int64{0, 3, 10}).Draw(t, "tier"),
			CustomerGroup: rapid.SampledFrom([]string{"", "", "members"}).Draw(t, "group"),
		}
		cur := rapid.SampledFrom([]string{"EUR", "EUR", "CHF", "JPY"}).Draw(t, "currency")
		cents := rapid.Int64Range(0, 99_999).Draw(t, "cents")
		if cur != "JPY" && rapid.Bool().Draw(t, "precise") {
			p.Precise = pricing.MustParseUnitPrice(fmt.Sprintf("%d.%04d", cents/10000, cents%10000), cur)
		} else if cur == "JPY" {
			p.Unit = pricing.MustParse(fmt.Sprint(cents), cur)
		} else {
			p.Unit = pricing.MustParse(fmt.Sprintf("%d.%02d", cents/100, cents%100), cur)
		}
		if rapid.Bool().Draw(t, "window") {
			p.ValidFrom = Epoch.Add(time.Duration(rapid.IntRange(-48, 48).Draw(t, "from")) * time.Hour)
			p.ValidUntil = p.ValidFrom.Add(time.Duration(rapid.IntRange(1, 96).Draw(t, "hours")) * time.Hour)
		}
		key := fmt.Sprint(p.ListID, p.SKU, cur, p.CustomerGroup, max(p.MinQuantity, 1), p.ValidFrom.UnixNano())
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, p)
	}
	return out
}
