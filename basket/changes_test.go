package basket_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// lineSentences are the messages of the line changes of a report (added,
// removed, quantity), the ones this table is about.
func lineSentences(cs []basket.Change) []string {
	var out []string
	for _, c := range cs {
		switch c.Kind {
		case basket.ChangeLineAdded, basket.ChangeLineRemoved, basket.ChangeQuantity:
			out = append(out, c.Message())
		}
	}
	return out
}

// TestDiffOverCommands follows an associate's tablet at Bellecour: each
// command is priced and reported on its own, then the report since the
// first look sums them up (a line added then removed is not mentioned).
func TestDiffOverCommands(t *testing.T) {
	at := demo.Start()
	store := demo.Store(demo.Bellecour, at)
	m := meta(at)
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "cust-42"}, store, basket.Cart, m)
	require.NoError(t, err)
	add(t, b, at, "MUG-STONE", 1)  // L0001
	add(t, b, at, "CANDLE-FIG", 1) // L0002
	first := price(t, b, store, basket.Options{})
	assert.Empty(t, first.Changes, "a first pricing reports problems only, not every line as added")

	steps := []struct {
		name      string
		do        func(t *testing.T)
		kinds     []string
		sentences []string
	}{
		{"add", func(t *testing.T) { add(t, b, at, "TEA-EARL", 2) },
			[]string{"line-added L0003", "total-changed"},
			[]string{"added: 2 × Earl Grey loose tea 100 g"}},
		{"set quantity", func(t *testing.T) {
			_, err := b.SetQuantity(m, "L0002", 3)
			require.NoError(t, err)
		},
			[]string{"quantity-changed L0002", "promotion-gained CANDLES-3FOR2", "total-changed"},
			[]string{"Fig scented candle: quantity 3 (was 1)"}},
		{"add the same product again adds to its line", func(t *testing.T) { add(t, b, at, "TEA-EARL", 1) },
			[]string{"quantity-changed L0003", "total-changed"},
			[]string{"Earl Grey loose tea 100 g: quantity 3 (was 2)"}},
		{"remove", func(t *testing.T) {
			_, err := b.RemoveLine(m, "L0001")
			require.NoError(t, err)
		},
			[]string{"line-removed L0001", "total-changed"},
			[]string{"removed: 1 × Stoneware mug"}},
		{"add again after removing: a new line", func(t *testing.T) { add(t, b, at, "MUG-STONE", 2) },
			[]string{"line-added L0004", "total-changed"},
			[]string{"added: 2 × Stoneware mug"}},
		{"add more than the stores and the warehouse hold (and pass 150.00)", func(t *testing.T) { add(t, b, at, "LAMP-ARC", 30) },
			[]string{"line-added L0005", "promotion-gained SPEND-150", "line-short L0005", "total-changed"},
			[]string{"added: 30 × Arc floor lamp"}},
		{"remove two lines", func(t *testing.T) {
			for _, id := range []string{"L0005", "L0002"} {
				_, err := b.RemoveLine(m, id)
				require.NoError(t, err)
			}
		},
			[]string{"line-removed L0002", "line-removed L0005", "promotion-lost CANDLES-3FOR2", "promotion-lost SPEND-150", "total-changed"},
			[]string{"removed: 3 × Fig scented candle", "removed: 30 × Arc floor lamp"}},
	}
	for _, s := range steps {
		prev := b.Result
		s.do(t)
		r := price(t, b, store, basket.Options{})
		assert.Equal(t, s.kinds, changeKinds(r.Changes), s.name)
		assert.Equal(t, s.sentences, lineSentences(r.Changes), s.name)
		assert.Equal(t, basket.Diff(prev, r), r.Changes, "%s: Recontextualize reports Diff against the basket's last result", s.name)
	}

	// Since the first look: the tea (2, then 3), the second mug in place
	// of the first, the candle gone; the lamp came and went unmentioned.
	since := basket.Diff(first, b.Result)
	assert.Equal(t, []string{"line-added L0003", "line-added L0004", "line-removed L0001", "line-removed L0002", "total-changed"}, changeKinds(since))
	assert.Equal(t, []string{"added: 3 × Earl Grey loose tea 100 g", "added: 2 × Stoneware mug", "removed: 1 × Stoneware mug", "removed: 1 × Fig scented candle"},
		lineSentences(since))
	removed := since[2]
	assert.Equal(t, "MUG-STONE", removed.SKU, "a removed line is described as it was")
	assert.Equal(t, "15.00", removed.Old.Amount(), "with the unit price it had")
	assert.True(t, removed.New.Currency().IsZero())
	added := since[0]
	assert.Equal(t, "8.50", added.New.Amount(), "an added line carries its unit price")
	assert.True(t, added.Old.Currency().IsZero())
}

// A line added where it has no price is reported added and unpriced; the
// quantity change carries both quantities on the wire.
func TestDiffLineChangesOnTheWire(t *testing.T) {
	at := demo.Start()
	web := demo.Web(at)
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "cust-42"}, web, basket.Cart, meta(at))
	require.NoError(t, err)
	add(t, b, at, "MUG-STONE", 1)
	price(t, b, web, basket.Options{})
	add(t, b, at, "ASSEMBLY", 1) // a store service: no web price
	add(t, b, at, "MUG-STONE", 3)
	r := price(t, b, web, basket.Options{})
	assert.Equal(t, []string{"line-added L0002", "quantity-changed L0001", "line-unpriced L0002", "total-changed"}, changeKinds(r.Changes))
	assert.True(t, r.Changes[0].New.Currency().IsZero(), "no unit price for a line without a price")
	assert.Equal(t, "added: 1 × Home assembly", r.Changes[0].Message())

	q := r.Changes[1]
	assert.Equal(t, int64(1), q.OldQuantity)
	assert.Equal(t, int64(4), q.Quantity)
	raw, err := json.Marshal(q)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"quantity-changed","line_id":"L0001","sku":"MUG-STONE","name":"Stoneware mug","quantity":4,"old_quantity":1,
		"message":"Stoneware mug: quantity 4 (was 1)"}`, string(raw))
	var back basket.Change
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, q, back)
}

// Promotion changes name the promotion; a change recorded before names
// existed still reads with its ID.
func TestChangeNamesThePromotion(t *testing.T) {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	gained := basket.Change{Kind: basket.ChangePromotionGained, PromotionID: "CANDLES-3FOR2", PromotionName: "Candles: 3 for 2", New: eur("19.00")}
	assert.Equal(t, "Candles: 3 for 2 saves 19.00 EUR here", gained.Message())
	lost := basket.Change{Kind: basket.ChangePromotionLost, PromotionID: "WEB-LIGHT-5", Old: eur("14.90")}
	assert.Equal(t, "WEB-LIGHT-5 does not apply here (was 14.90 EUR off)", lost.Message())

	raw, err := json.Marshal(gained)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"promotion_name":"Candles: 3 for 2"`)
	var back basket.Change
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, gained, back)
}

// lineQuantities maps a result's line IDs to their quantities.
func lineQuantities(r *basket.Result) map[string]int64 {
	out := map[string]int64{}
	for _, l := range r.Lines {
		out[l.LineID] = l.Quantity
	}
	return out
}

// Properties of the line changes over random commands between two
// pricings, in the same or another channel: a line in exactly one of the
// two results is reported exactly once, added or removed; a line in both
// is reported as a quantity change exactly when its quantity changed; the
// report is in kind order, then line ID; a result compared with itself
// reports nothing; a first pricing reports no line change.
func TestDiffLineChangesProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := drawBasket(t)
		at := demo.Start()
		from := drawContext(t, "from", at)
		first := recontextualize(t, b, from, snapshot(t, from), basket.Options{})
		if len(basket.Diff(first, first)) != 0 {
			t.Fatalf("Diff(r, r) = %v", basket.Diff(first, first))
		}
		for _, c := range basket.Diff(nil, first) {
			if c.Kind == basket.ChangeLineAdded || c.Kind == basket.ChangeLineRemoved || c.Kind == basket.ChangeQuantity {
				t.Fatalf("a first pricing reported %v", c)
			}
		}
		m := basket.Meta{Actor: shopper, At: at}
		items := demo.Items()
		for range rapid.IntRange(0, 8).Draw(t, "commands") {
			ids := make([]string, 0, len(b.Lines))
			for _, l := range b.Lines {
				ids = append(ids, l.ID)
			}
			switch op := rapid.IntRange(0, 2).Draw(t, "op"); {
			case op == 0 || len(ids) == 0:
				it := rapid.SampledFrom(items).Draw(t, "item")
				if _, _, err := b.AddLine(m, basket.NewLine{SKU: it.SKU, Quantity: rapid.Int64Range(1, 9).Draw(t, "qty"), Product: demo.Product(it.SKU)}); err != nil {
					t.Fatal(err)
				}
			case op == 1:
				id := rapid.SampledFrom(ids).Draw(t, "line")
				l, _ := b.Line(id)
				if q := rapid.Int64Range(1, 9).Draw(t, "to"); q != l.Quantity {
					if _, err := b.SetQuantity(m, id, q); err != nil {
						t.Fatal(err)
					}
				}
			default:
				if _, err := b.RemoveLine(m, rapid.SampledFrom(ids).Draw(t, "line")); err != nil {
					t.Fatal(err)
				}
			}
		}
		to := drawContext(t, "to", at.Add(time.Hour))
		next := recontextualize(t, b, to, snapshot(t, to), basket.Options{})
		got := basket.Diff(first, next)

		before, after := lineQuantities(first), lineQuantities(next)
		reported := map[string][]basket.ChangeKind{}
		for _, c := range got {
			if c.Kind == basket.ChangeLineAdded || c.Kind == basket.ChangeLineRemoved || c.Kind == basket.ChangeQuantity {
				reported[c.LineID] = append(reported[c.LineID], c.Kind)
			}
			switch c.Kind {
			case basket.ChangeLineAdded:
				if c.Quantity != after[c.LineID] {
					t.Fatalf("added %s with quantity %d, the result has %d", c.LineID, c.Quantity, after[c.LineID])
				}
			case basket.ChangeLineRemoved:
				if c.Quantity != before[c.LineID] || c.Name == "" || c.SKU == "" {
					t.Fatalf("removed %s reported as %+v, it was %d", c.LineID, c, before[c.LineID])
				}
			case basket.ChangeQuantity:
				if c.OldQuantity != before[c.LineID] || c.Quantity != after[c.LineID] {
					t.Fatalf("quantity of %s reported %d → %d, was %d → %d", c.LineID, c.OldQuantity, c.Quantity, before[c.LineID], after[c.LineID])
				}
			}
		}
		for id := range union(before, after) {
			qb, inBefore := before[id]
			qa, inAfter := after[id]
			var want []basket.ChangeKind
			switch {
			case inBefore && !inAfter:
				want = []basket.ChangeKind{basket.ChangeLineRemoved}
			case !inBefore && inAfter:
				want = []basket.ChangeKind{basket.ChangeLineAdded}
			case qa != qb:
				want = []basket.ChangeKind{basket.ChangeQuantity}
			}
			if !slices.Equal(reported[id], want) {
				t.Fatalf("line %s (%d before, %d after): reported %v, want %v", id, qb, qa, reported[id], want)
			}
		}
		sorted := slices.IsSortedFunc(got, func(a, b basket.Change) int {
			if a.Kind != b.Kind {
				return int(a.Kind) - int(b.Kind)
			}
			if a.LineID == "" || b.LineID == "" || a.Kind == basket.ChangeHoldAtRisk {
				return 0
			}
			if len(a.LineID) != len(b.LineID) {
				return len(a.LineID) - len(b.LineID)
			}
			if a.LineID < b.LineID {
				return -1
			}
			return 1
		})
		if !sorted {
			t.Fatalf("report out of order: %v", changeKinds(got))
		}
	})
}

func union(a, b map[string]int64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Every change kind has a name, a sentence that is not just the name,
// and a place in the report order.
func TestEveryChangeKindHasASentence(t *testing.T) {
	for k := basket.ChangeCurrency; k <= basket.ChangeTotal; k++ {
		msg := basket.Change{Kind: k, Name: "Mug"}.Message()
		assert.NotEqual(t, k.String(), msg, "kind %d has no sentence", k)
		assert.NotContains(t, k.String(), "change(", "kind %d has no name", k)
	}
}
