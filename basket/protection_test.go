package basket_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestProtectedPriceNeedsItsQuantity: a protected price is only valid for
// the quantity it was granted at or above. Tea lights are 7.90 a box, 6.50
// from six boxes in stores (web: 7.90 whatever the quantity).
func TestProtectedPriceNeedsItsQuantity(t *testing.T) {
	at := demo.Start()
	protect := basket.Options{Policy: basket.PriceProtection}
	type step struct {
		qty   int64  // quantity to set, 0 to keep
		where string // "store" or "web", where to price
		unit  string
		basis basket.PriceBasis
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"the issue: 1, 6, back to 1 in store", []step{
			{0, "store", "7.90", basket.BasisTarget},
			{6, "store", "6.50", basket.BasisTarget},
			{1, "store", "7.90", basket.BasisTarget},
		}},
		{"back to 5, still below the tier", []step{
			{6, "store", "6.50", basket.BasisTarget},
			{5, "store", "7.90", basket.BasisTarget},
		}},
		{"carried to the web at the granted quantity", []step{
			{6, "store", "6.50", basket.BasisTarget},
			{0, "web", "6.50", basket.BasisProtected},
			{8, "web", "6.50", basket.BasisProtected},
			{8, "web", "6.50", basket.BasisProtected},
		}},
		{"carried to the web, then the volume goes away", []step{
			{6, "store", "6.50", basket.BasisTarget},
			{0, "web", "6.50", basket.BasisProtected},
			{2, "web", "7.90", basket.BasisTarget},
			{6, "web", "7.90", basket.BasisTarget}, // the tier is a store price
		}},
		{"quantity drops while in another channel", []step{
			{6, "store", "6.50", basket.BasisTarget},
			{1, "web", "7.90", basket.BasisTarget},
			{0, "store", "7.90", basket.BasisTarget},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := demo.Store(demo.Bellecour, at)
			b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "cust-42"}, store, basket.Cart, meta(at))
			require.NoError(t, err)
			id := add(t, b, at, "CANDLE-TEA", 1)
			for i, s := range tt.steps {
				when := at.Add(time.Duration(i+1) * time.Minute)
				if s.qty != 0 {
					l, _ := b.Line(id)
					if l.Quantity != s.qty {
						_, err := b.SetQuantity(meta(when), id, s.qty)
						require.NoError(t, err)
					}
				}
				target := demo.Store(demo.Bellecour, when)
				if s.where == "web" {
					target = demo.Web(when)
				}
				r := price(t, b, target, protect)
				tea, _ := r.Line(id)
				assert.Equal(t, s.unit, tea.UnitPrice.Amount(), "step %d", i)
				assert.Equal(t, s.basis, tea.Basis, "step %d", i)
			}
		})
	}
}

// TestServiceProtectedPriceNeedsItsQuantity: the example through
// the Service, down to the order: 1 box, 6 boxes, back to 1, ordered at
// 7.90, not at the 6-box price.
func TestServiceProtectedPriceNeedsItsQuantity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	protect := basket.WithPolicy(basket.PriceProtection)
	b, err := f.svc.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, time.Time{}), protect)
	require.NoError(t, err)
	b, err = f.svc.AddLine(ctx, shopper, b.ID, line("CANDLE-TEA", 1))
	require.NoError(t, err)
	tea, _ := b.Result.Line("L0001")
	require.Equal(t, "7.90", tea.UnitPrice.Amount())
	f.clk.Advance(time.Minute)
	b, err = f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 6)
	require.NoError(t, err)
	tea, _ = b.Result.Line("L0001")
	require.Equal(t, "6.50", tea.UnitPrice.Amount(), "the 6-box tier")
	f.clk.Advance(time.Minute)
	_, err = f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 1)
	require.NoError(t, err)
	b, err = f.svc.Transition(ctx, shopper, b.ID, basket.Ordered, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, basket.PriceProtection, b.Result.Policy, "the policy stuck")
	tea, _ = b.Result.Line("L0001")
	assert.Equal(t, "7.90", tea.UnitPrice.Amount(), "ordered at the 1-box price")
	assert.Equal(t, basket.BasisTarget, tea.Basis)
	assert.Equal(t, "7.90", b.Result.Totals.Subtotal.Amount())
}

// TestProtectionNeverUndercutsFreshPrices: under any sequence of quantity
// changes and channel changes with price protection, every line is priced
// at or above the lowest price a fresh basket with the same quantities
// gets in one of the channels the basket has been priced in. Protection
// may keep an earlier channel's price; it never invents a price that no
// visited channel would charge at this quantity.
func TestProtectionNeverUndercutsFreshPrices(t *testing.T) {
	skus := []string{"CANDLE-TEA", "MUG-STONE", "PLANT-POT", "VASE-GLASS", "LAMP-DESK"}
	rapid.Check(t, func(t *rapid.T) {
		at := demo.Start()
		contexts := []func(time.Time) channel.Context{
			demo.Web,
			func(at time.Time) channel.Context { return demo.Store(demo.Bellecour, at) },
			func(at time.Time) channel.Context { return demo.Store(demo.PartDieu, at) },
		}
		current := rapid.IntRange(0, len(contexts)-1).Draw(t, "start")
		b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "cust-42"}, contexts[current](at), basket.Cart, meta(at))
		if err != nil {
			t.Fatal(err)
		}
		visited := map[int]bool{}
		steps := rapid.IntRange(1, 12).Draw(t, "steps")
		for i := range steps {
			when := at.Add(time.Duration(i+1) * time.Minute)
			m := meta(when)
			switch rapid.IntRange(0, 2).Draw(t, "action") {
			case 0: // add a line, or to a line
				sku := rapid.SampledFrom(skus).Draw(t, "sku")
				if _, _, err := b.AddLine(m, basket.NewLine{SKU: sku, Quantity: rapid.Int64Range(1, 8).Draw(t, "add"), Product: demo.Product(sku)}); err != nil {
					t.Fatal(err)
				}
			case 1: // set a quantity
				if len(b.Lines) == 0 {
					continue
				}
				l := rapid.SampledFrom(b.Lines).Draw(t, "line")
				if q := rapid.Int64Range(1, 9).Draw(t, "qty"); q != l.Quantity {
					if _, err := b.SetQuantity(m, l.ID, q); err != nil {
						t.Fatal(err)
					}
				}
			case 2: // change channel
				current = rapid.IntRange(0, len(contexts)-1).Draw(t, "channel")
			}
			visited[current] = true
			target := contexts[current](when)
			r := recontextualize(t, b, target, snapshot(t, target), basket.Options{Policy: basket.PriceProtection})
			record(t, b, r)

			// The lowest fresh price per line over the visited channels.
			lowest := map[string]int64{}
			for c := range visited {
				fresh := b.Clone()
				fresh.Result = nil
				ctx := contexts[c](when)
				for _, l := range recontextualize(t, fresh, ctx, snapshot(t, ctx), basket.Options{}).Lines {
					if u, ok := lowest[l.LineID]; l.Priced && (!ok || l.UnitPrice.MinorUnits() < u) {
						lowest[l.LineID] = l.UnitPrice.MinorUnits()
					}
				}
			}
			for _, l := range r.Lines {
				if l.Priced && l.UnitPrice.MinorUnits() < lowest[l.LineID] {
					t.Fatalf("step %d: %s × %d (%s) charged %s, below every visited channel's fresh price (%d minor units)",
						i, l.SKU, l.Quantity, l.Basis, l.UnitPrice.Amount(), lowest[l.LineID])
				}
			}
		}
	})
}
