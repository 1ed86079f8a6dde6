package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
)

// zoneRules returns the rules of zone in t, in the table's order.
func zoneRules(t *pricing.TaxTable, zone string) []pricing.TaxRule {
	var out []pricing.TaxRule
	for _, r := range t.Rules() {
		if r.Zone == zone {
			out = append(out, r)
		}
	}
	return out
}

// checkTax asks src once for zone and compares the zone's rules with
// want's: a table is always returned, holding exactly the zone's rules
// (it may hold other zones' too).
func checkTax(ctx context.Context, src basket.TaxSource, want *pricing.TaxTable, zone string) error {
	got, err := src.TaxTable(ctx, zone)
	if err != nil {
		return fmt.Errorf("TaxTable(%q): %w", zone, err)
	}
	if got == nil {
		return fmt.Errorf("TaxTable(%q): nil table without an error (pricing needs a table; give an empty one)", zone)
	}
	if err := sameJSON(zoneRules(want, zone), zoneRules(got, zone)); err != nil {
		return fmt.Errorf("TaxTable(%q): rules of the zone: %w", zone, err)
	}
	return nil
}

func zones(d Data) []string {
	var out []string
	for _, r := range d.TaxRules {
		out = append(out, r.Zone)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func testTax(t *testing.T, src basket.TaxSource, d Data, o Options) {
	ctx := context.Background()
	want, err := pricing.NewTaxTable(d.TaxRules)
	if err != nil {
		t.Fatalf("sourcetest: the data's tax rules are refused: %v", err)
	}
	asked := append(zones(d), "XX", "")
	t.Run("TheZonesRules", func(t *testing.T) {
		for _, z := range asked {
			if err := checkTax(ctx, src, want, z); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ChangingAnAnswerChangesNothing", func(t *testing.T) {
		for _, z := range zones(d) {
			got, err := src.TaxTable(ctx, z)
			if err != nil {
				t.Fatal(err)
			}
			rules := got.Rules()
			for i := range rules {
				rules[i].Rate = pricing.MustPercent("99")
			}
			if err := checkTax(ctx, src, want, z); err != nil {
				t.Fatalf("after the caller changed an earlier answer: %v", err)
			}
		}
	})
	t.Run("CanceledContext", func(t *testing.T) {
		_, err := src.TaxTable(canceled(), "FR")
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("TaxTable with a canceled context: %v, want an error matching context.Canceled", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		var i atomic.Int64
		concurrently(t, o, func() error { return checkTax(ctx, src, want, asked[int(i.Add(1))%len(asked)]) })
	})
}
