package basket_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
)

// FuzzReplayOverrides feeds Replay histories seeded with a store visit
// where overrides are granted (one approved by a manager), removed, ended
// by a quantity change and by leaving the store: whatever the input,
// Replay returns a basket or an error, never a panic, and the overrides
// of a basket it returns are on its lines, one per line, in line order,
// with terms that say one thing.
func FuzzReplayOverrides(f *testing.F) {
	ctx := context.Background()
	fx := newFixture(f, func(c *basket.Config) { c.Overrides = storePolicy() })
	b, err := fx.svc.Create(ctx, clerk, basket.CreateRequest{ID: basketID, Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	if err != nil {
		f.Fatal(err)
	}
	for _, sku := range []string{"LAMP-ARC", "MUG-STONE", "CANDLE-FIG"} {
		if _, err := fx.svc.AddLine(ctx, clerk, b.ID, line(sku, 2)); err != nil {
			f.Fatal(err)
		}
	}
	for _, step := range []func() error{
		func() error {
			_, err := fx.svc.OverridePrice(ctx, manager, b.ID, basket.OverrideRequest{LineID: "L0001", Terms: basket.SetPrice(euro("139.00")), Reason: "PRICE-MATCH"})
			return err
		},
		func() error {
			_, err := fx.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.PercentOff(pricing.MustPercent("5")), Reason: "DAMAGED"})
			return err
		},
		func() error {
			_, err := fx.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0003", Terms: basket.AmountOff(euro("2.00")), Reason: "GOODWILL"})
			return err
		},
		func() error { _, err := fx.svc.RemoveOverride(ctx, clerk, b.ID, "L0003"); return err },
		func() error { _, err := fx.svc.SetQuantity(ctx, clerk, b.ID, "L0002", 3); return err },
		func() error { _, err := fx.svc.CheckOut(ctx, clerk, b.ID, demo.Web(time.Time{})); return err },
	} {
		if err := step(); err != nil {
			f.Fatal(err)
		}
	}
	events, err := fx.store.Events(ctx, b.ID, 0)
	if err != nil {
		f.Fatal(err)
	}
	for i := 1; i <= len(events); i++ {
		seed, err := json.Marshal(events[:i])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var history []basket.Event
		if json.Unmarshal(data, &history) != nil {
			return
		}
		got, err := basket.Replay(history)
		if err != nil {
			return
		}
		for i, o := range got.Overrides {
			if _, ok := got.Line(o.LineID); !ok {
				t.Fatalf("override on %s, which is not a line of the basket", o.LineID)
			}
			if p := got.Overrides[max(i-1, 0)].LineID; i > 0 && (len(p) > len(o.LineID) || len(p) == len(o.LineID) && p >= o.LineID) {
				t.Fatalf("overrides out of line order: %s then %s", got.Overrides[i-1].LineID, o.LineID)
			}
			n := 0
			for _, set := range []bool{o.Terms.Price != nil, o.Terms.Off != nil, o.Terms.Percent != nil} {
				if set {
					n++
				}
			}
			if n != 1 || o.Reason == "" || o.GrantedBy == "" {
				t.Fatalf("replay kept a malformed override: %+v", o)
			}
		}
	})
}
