package sourcetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/promotion"
)

// admits reports whether c is inside p's scope: channel, kind, location,
// customer group and validity window.
func admits(p promotion.Promotion, c channel.Context) bool {
	in := func(xs []string, x string) bool { return len(xs) == 0 || slices.Contains(xs, x) }
	return in(p.Channels, c.ChannelID) && in(p.Locations, c.LocationID) && in(p.CustomerGroups, c.CustomerGroup) &&
		(len(p.Kinds) == 0 || slices.Contains(p.Kinds, c.Kind)) &&
		(p.StartsAt.IsZero() || !c.AsOf.Before(p.StartsAt)) && (p.EndsAt.IsZero() || c.AsOf.Before(p.EndsAt))
}

// required lists the promotions of d a set for c must hold: those c
// admits, and every coupon promotion whatever its scope, so that a code
// not honoured here is reported as such rather than as unknown.
func required(d Data, c channel.Context) []promotion.Promotion {
	var out []promotion.Promotion
	for _, p := range d.Promotions {
		if admits(p, c) || p.Coupon != "" {
			out = append(out, p)
		}
	}
	return out
}

// checkPromotions asks src once for c and compares the set with want,
// the compiled data.
func checkPromotions(ctx context.Context, src basket.PromotionSource, d Data, want *promotion.Set, c channel.Context) error {
	before := c.Clone()
	got, err := src.Promotions(ctx, c)
	if err != nil {
		return fmt.Errorf("Promotions(%s): %w", c.ChannelID, err)
	}
	if !reflect.DeepEqual(c, before) {
		return fmt.Errorf("the source changed, in Promotions, the caller's context %s", before.ChannelID)
	}
	if n := got.Len(); n > len(d.Promotions) {
		return fmt.Errorf("Promotions(%s): %d promotions, but only %d exist", c.ChannelID, n, len(d.Promotions))
	}
	for _, p := range required(d, c) {
		g, ok := got.Promotion(p.ID)
		if !ok {
			return fmt.Errorf("Promotions(%s at %s): %s is missing", c.ChannelID, c.AsOf.Format("2006-01-02"), p.ID)
		}
		w, _ := want.Promotion(p.ID)
		if err := sameJSON(w, g); err != nil {
			return fmt.Errorf("Promotions(%s): %s: %w", c.ChannelID, p.ID, err)
		}
	}
	return nil
}

// sameJSON compares two values through JSON, where 1 and 1.00 EUR are one
// value whatever their internal form.
func sameJSON(want, got any) error {
	w, err := json.Marshal(want)
	if err != nil {
		return err
	}
	g, err := json.Marshal(got)
	if err != nil {
		return err
	}
	if string(w) != string(g) {
		return fmt.Errorf("got %s, want %s", g, w)
	}
	return nil
}

func testPromotions(t *testing.T, src basket.PromotionSource, d Data, o Options) {
	ctx := context.Background()
	want, err := promotion.Compile(d.Promotions)
	if err != nil {
		t.Fatalf("sourcetest: the data's promotions do not compile: %v", err)
	}
	cs := contexts()
	t.Run("EveryPromotionTheContextAdmits", func(t *testing.T) {
		for _, c := range cs {
			if err := checkPromotions(ctx, src, d, want, c); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("SameAnswerTwice", func(t *testing.T) {
		for _, c := range cs {
			a, err := src.Promotions(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			b, err := src.Promotions(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			if a.Len() != b.Len() {
				t.Fatalf("Promotions(%s): %d promotions, then %d", c.ChannelID, a.Len(), b.Len())
			}
			for _, p := range d.Promotions {
				pa, okA := a.Promotion(p.ID)
				pb, okB := b.Promotion(p.ID)
				if okA != okB {
					t.Fatalf("Promotions(%s): %s present %v, then %v", c.ChannelID, p.ID, okA, okB)
				}
				if err := sameJSON(pa, pb); err != nil {
					t.Fatalf("Promotions(%s): %s changed between two calls: %v", c.ChannelID, p.ID, err)
				}
			}
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		_, err := src.Promotions(canceled(), cs[0])
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Promotions with a canceled context: %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var i atomic.Int64
		concurrently(t, o, func() error {
			return checkPromotions(ctx, src, d, want, cs[int(i.Add(1))%len(cs)])
		})
	})
}
