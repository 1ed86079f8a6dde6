package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// checkFees asks src once for c's fees: d's fees of c's channel, in their
// order (the first fee of a mode is the one charged), none for a channel
// without fees.
func checkFees(ctx context.Context, src basket.FeeSource, d Data, c channel.Context) error {
	before := c.Clone()
	got, err := src.Fees(ctx, c)
	if err != nil {
		return fmt.Errorf("Fees(%s): %w", c.ChannelID, err)
	}
	if !reflect.DeepEqual(c, before) {
		return fmt.Errorf("the source changed, in Fees, the caller's context %s", before.ChannelID)
	}
	want := d.Fees[c.ChannelID]
	if want == nil {
		want = []basket.FeeRule{}
	}
	if got == nil {
		got = []basket.FeeRule{}
	}
	if err := sameJSON(want, got); err != nil {
		return fmt.Errorf("Fees(%s): %w", c.ChannelID, err)
	}
	return nil
}

func testFees(t *testing.T, src basket.FeeSource, d Data, o Options) {
	ctx := context.Background()
	cs := contexts()
	t.Run("TheChannelsFeesInOrder", func(t *testing.T) {
		for _, c := range cs {
			if err := checkFees(ctx, src, d, c); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ChangingAnAnswerChangesNothing", func(t *testing.T) {
		for _, c := range cs {
			got, err := src.Fees(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].Mode, got[i].Amount = channel.CarryOut, pricing.MustParse("99.99", "EUR")
			}
			if err := checkFees(ctx, src, d, c); err != nil {
				t.Fatalf("after the caller changed an earlier answer: %v", err)
			}
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		_, err := src.Fees(canceled(), cs[0])
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Fees with a canceled context: %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var i atomic.Int64
		concurrently(t, o, func() error { return checkFees(ctx, src, d, cs[int(i.Add(1))%len(cs)]) })
	})
}
