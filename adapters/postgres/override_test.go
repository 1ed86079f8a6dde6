package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
)

// An associate's override, approved by a manager, survives the round trip
// through PostgreSQL: the stored basket, its checkpoints and its history
// give the same basket back, and the end of the override when the basket
// leaves the store is stored as an event too.
func TestOverridesRoundTrip(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	s := newTestStore(t, clk)
	cat, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := handoff.NewKeyRing(handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	stock := memory.NewStockStore(clk)
	svc, err := basket.NewService(basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: stock, Locations: cat, Fees: cat,
		Clock: clk, Handoff: tokens, Retailer: demo.Retailer, CheckpointEvery: 2,
		Overrides: basket.OverridePolicy{Roles: map[string]basket.OverrideLimit{
			"associate": {MaxPercent: pricing.MustPercent("10")},
			"manager":   {MaxPercent: pricing.MustPercent("50"), Approves: true},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	clerk := basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: demo.Bellecour, Role: "associate"}
	manager := basket.Actor{Kind: basket.Associate, ID: "mgr-3", LocationID: demo.Bellecour, Role: "manager"}
	b, err := svc.Create(ctx, clerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range []string{"LAMP-ARC", "MUG-STONE"} {
		if _, err := svc.AddLine(ctx, clerk, b.ID, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)}); err != nil {
			t.Fatal(err)
		}
	}
	req := basket.OverrideRequest{LineID: "L0001", Terms: basket.SetPrice(eur("119.00")), Reason: "PRICE-MATCH"}
	if _, err := svc.OverridePrice(ctx, clerk, b.ID, req); err == nil {
		t.Fatal("an override above the limit without approval was accepted")
	}
	ap, err := svc.ApproveOverride(ctx, manager, b.ID, req)
	if err != nil {
		t.Fatal(err)
	}
	req.Approval = ap.Token
	if _, err := svc.OverridePrice(ctx, clerk, b.ID, req); err != nil {
		t.Fatal(err)
	}
	b, err = svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.PercentOff(pricing.MustPercent("10")), Reason: "DAMAGED"})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Overrides) != 2 || len(b.Result.Overrides) != 2 || b.Result.Overrides[0].ApprovedBy != "mgr-3" {
		t.Fatalf("overrides %+v, applied %+v", b.Overrides, b.Result.Overrides)
	}

	check := func(want *basket.Basket) {
		t.Helper()
		stored, err := s.Get(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		events, err := s.Events(ctx, want.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		replayed, err := basket.Replay(events)
		if err != nil {
			t.Fatal(err)
		}
		checkpoint, tail, err := s.HistoryAt(ctx, want.ID, want.Version)
		if err != nil {
			t.Fatal(err)
		}
		fromCheckpoint, err := basket.ReplayFrom(checkpoint, tail)
		if err != nil {
			t.Fatal(err)
		}
		w := encode(t, want)
		for name, got := range map[string]*basket.Basket{"stored": stored, "replayed": replayed, "from a checkpoint": fromCheckpoint} {
			if g := encode(t, got); !bytes.Equal(w, g) {
				t.Errorf("%s basket differs:\n%s\n%s", name, w, g)
			}
		}
	}
	check(b)

	b, err = svc.CheckOut(ctx, clerk, b.ID, demo.Web(time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Overrides) != 0 || len(b.Result.Overrides) != 0 {
		t.Fatalf("the overrides did not end when the basket left the store: %+v", b.Overrides)
	}
	ended := 0
	for _, c := range b.Result.Changes {
		if c.Kind == basket.ChangeOverrideEnded {
			ended++
		}
	}
	if ended != 2 {
		t.Fatalf("%d overrides reported ended, want 2: %+v", ended, b.Result.Changes)
	}
	check(b)
}

func encode(t *testing.T, b *basket.Basket) []byte {
	t.Helper()
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
