package basket_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
)

// FuzzReplay feeds Replay arbitrary JSON event histories, seeded with a
// real one (up to its order and fulfilment orders) and pieces of it: whatever the input, Replay returns a basket or
// an error, never a panic, and a basket it returns encodes, decodes and
// replays to the same bytes.
func FuzzReplay(f *testing.F) {
	ctx := context.Background()
	fx := newFixture(f)
	b := fx.create(f, basket.Owner{CustomerID: "cust-42"}, shopper)
	for _, sku := range []string{"LAMP-ARC", "CANDLE-FIG", "MUG-STONE"} {
		b, _ = fx.svc.AddLine(ctx, shopper, b.ID, line(sku, 2))
	}
	b, _ = fx.svc.SetQuantity(ctx, shopper, b.ID, "L0002", 5)
	b, _ = fx.svc.AddCoupon(ctx, shopper, b.ID, "WELCOME10")
	_, _ = fx.svc.RemoveLine(ctx, shopper, b.ID, "L0001")
	if _, err := fx.svc.PlaceOrder(ctx, shopper, b.ID); err != nil { // terms and fulfilment orders in the seed
		f.Fatal(err)
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
	f.Add([]byte(`[{"seq":1,"type":"basket.created","data":{}},{"seq":2,"type":"basket.checked_in","data":{}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var history []basket.Event
		if json.Unmarshal(data, &history) != nil {
			return
		}
		got, err := basket.Replay(history)
		if err != nil {
			return
		}
		first, err := json.Marshal(got)
		if err != nil {
			return // a value no command could record (an unknown enum, say)
		}
		again, err := basket.Replay(history)
		if err != nil {
			t.Fatalf("replay succeeded once, then failed: %v", err)
		}
		second, _ := json.Marshal(again)
		if string(first) != string(second) {
			t.Fatalf("replay is not deterministic:\n%s\n%s", first, second)
		}
	})
}
