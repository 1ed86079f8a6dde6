package basket_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
)

// BenchmarkIdempotentRetry answers a retried keyed command whose first
// run is one version behind the basket, in histories of 200 and 2,000
// events: the retry rebuilds the basket from the nearest checkpoint, so
// its cost must not grow with the history. "whole-history" is, side by
// side, what a retry did before checkpoints: read every event and replay
// up to the recorded version.
func BenchmarkIdempotentRetry(b *testing.B) {
	ctx := context.Background()
	for _, events := range []int{200, 2_000} {
		f := newFixture(b)
		bk := f.create(b, basketOwner, shopper)
		bk, err := f.svc.AddLine(ctx, shopper, bk.ID, line("MUG-STONE", 1))
		if err != nil {
			b.Fatal(err)
		}
		for bk.Version < int64(events)-2 {
			if bk, err = f.svc.SetQuantity(ctx, shopper, bk.ID, "L0001", 3-bk.Lines[0].Quantity); err != nil {
				b.Fatal(err)
			}
		}
		first, err := f.svc.SetQuantity(ctx, shopper, bk.ID, "L0001", 5, basket.WithIdempotencyKey("retry-me"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := f.svc.SetQuantity(ctx, shopper, bk.ID, "L0001", 4); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("events=%d/checkpoints", events), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := f.svc.SetQuantity(ctx, shopper, bk.ID, "L0001", 5, basket.WithIdempotencyKey("retry-me"))
				if err != nil || got.Version != first.Version {
					b.Fatal(err, got.Version, first.Version)
				}
			}
		})
		b.Run(fmt.Sprintf("events=%d/whole-history", events), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				all, err := f.store.Events(ctx, bk.ID, 0)
				if err != nil {
					b.Fatal(err)
				}
				got, err := basket.Replay(all[:first.Version])
				if err != nil || got.Version != first.Version {
					b.Fatal(err)
				}
			}
		})
	}
}

var basketOwner = basket.Owner{CustomerID: "cust-42"}
