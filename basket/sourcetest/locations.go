package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/stock"
)

// locationsFor is what a conforming source answers to ids: the known
// ones, in the order of ids.
func locationsFor(d Data, ids []string) []stock.Location {
	out := []stock.Location{}
	for _, id := range ids {
		if i := slices.IndexFunc(d.Locations, func(l stock.Location) bool { return l.ID == id }); i >= 0 {
			out = append(out, d.Locations[i])
		}
	}
	return out
}

// checkLocations asks src once for ids and compares the answer with d's.
func checkLocations(ctx context.Context, src basket.LocationSource, d Data, ids []string) error {
	before := slices.Clone(ids)
	got, err := src.Locations(ctx, ids)
	if err != nil {
		return fmt.Errorf("Locations(%q): %w", before, err)
	}
	if !slices.Equal(ids, before) {
		return fmt.Errorf("the source changed, in Locations, the caller's IDs from %q to %q", before, ids)
	}
	for i, l := range got {
		if err := l.Validate(); err != nil {
			return fmt.Errorf("Locations(%q): location %d: %w", before, i, err)
		}
	}
	if got == nil {
		got = []stock.Location{}
	}
	if err := sameJSON(locationsFor(d, before), got); err != nil {
		return fmt.Errorf("Locations(%q) (the known ones, in the order asked): %w", before, err)
	}
	return nil
}

func locationIDs(d Data) []string {
	out := make([]string, len(d.Locations))
	for i, l := range d.Locations {
		out[i] = l.ID
	}
	return out
}

func testLocations(t *testing.T, src basket.LocationSource, d Data, o Options) {
	ctx := context.Background()
	ids := locationIDs(d)
	reversed := slices.Clone(ids)
	slices.Reverse(reversed)
	mixed := append([]string{"nowhere"}, reversed...)
	if len(ids) > 1 {
		mixed = append(mixed[:2], append([]string{"elsewhere"}, mixed[2:]...)...)
	}
	queries := [][]string{ids, reversed, mixed, {"nowhere"}, nil, {}}
	t.Run("OneCallInTheOrderAsked", func(t *testing.T) {
		for _, q := range queries {
			if err := checkLocations(ctx, src, d, q); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ChangingAnAnswerChangesNothing", func(t *testing.T) {
		got, err := src.Locations(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i].ID, got[i].Kind = "changed", stock.Warehouse
		}
		if err := checkLocations(ctx, src, d, ids); err != nil {
			t.Fatalf("after the caller changed an earlier answer: %v", err)
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		_, err := src.Locations(canceled(), ids)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Locations with a canceled context: %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var i atomic.Int64
		concurrently(t, o, func() error { return checkLocations(ctx, src, d, queries[int(i.Add(1))%len(queries)]) })
	})
}
