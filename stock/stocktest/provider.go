package stocktest

import (
	"cmp"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/stock"
)

func testUnknownVersusZero(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("kettle", "paris", 0)
	levels, err := h.Provider.Levels(e.ctx, stock.Query{SKUs: []string{"kettle", "toaster"}, Locations: []string{"paris", "lyon"}})
	if err != nil {
		t.Fatal(err)
	}
	zero, ok := levels.Get("kettle", "paris")
	if !ok {
		t.Fatal("a pair known at zero must be present")
	}
	if zero.OnHand != 0 || zero.Reserved != 0 || zero.Available() != 0 {
		t.Fatalf("known at zero: %+v", zero)
	}
	for _, p := range [][2]string{{"kettle", "lyon"}, {"toaster", "paris"}, {"toaster", "lyon"}} {
		if l, ok := levels.Get(p[0], p[1]); ok {
			t.Fatalf("%s at %s was never set but is present: %+v", p[0], p[1], l)
		}
	}
	if levels.Len() != 1 {
		t.Fatalf("%d levels, want 1: %+v", levels.Len(), levels.All())
	}
}

func testManyInOneCall(t *testing.T, h Harness) {
	e := newEnv(t, h)
	skus := []string{"s3", "s1", "s2"}
	locs := []string{"l2", "l1"}
	var want []stock.Level
	for i, sku := range skus {
		for j, loc := range locs {
			if (i+j)%3 == 0 {
				continue // leave some pairs unknown
			}
			n := int64(i*10 + j)
			e.setOnHand(sku, loc, n)
			want = append(want, stock.Level{SKU: sku, LocationID: loc, OnHand: n})
		}
	}
	e.setOnHand("other", "l1", 7) // not asked for
	slices.SortFunc(want, func(a, b stock.Level) int {
		if a.SKU != b.SKU {
			return cmp.Compare(a.SKU, b.SKU)
		}
		return cmp.Compare(a.LocationID, b.LocationID)
	})
	// Duplicates in the query are harmless.
	levels, err := h.Provider.Levels(e.ctx, stock.Query{SKUs: append(skus, "s1"), Locations: append(locs, "l2", "l3")})
	if err != nil {
		t.Fatal(err)
	}
	if got := levels.All(); !slices.Equal(got, want) {
		t.Fatalf("levels\n%+v\nwant\n%+v", got, want)
	}
	empty, err := h.Provider.Levels(e.ctx, stock.Query{SKUs: skus})
	if err != nil {
		t.Fatalf("a query without locations asks for nothing: %v", err)
	}
	if empty.Len() != 0 {
		t.Fatalf("a query without locations returned %+v", empty.All())
	}
}

func testInvalidQuery(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 1)
	for _, q := range []stock.Query{
		{SKUs: []string{"a", ""}, Locations: []string{"x"}},
		{SKUs: []string{"a"}, Locations: []string{""}},
	} {
		_, err := h.Provider.Levels(e.ctx, q)
		expectErr(t, err, "Levels with an empty ID", stock.ErrInvalid)
	}
}

func testRestock(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.setOnHand("a", "x", 3)
	e.expectLevel("a", "x", 3, 0)
	e.setOnHand("a", "x", 8)
	e.expectLevel("a", "x", 8, 0)
	e.setOnHand("a", "x", 0)
	e.expectLevel("a", "x", 0, 0)
	expectErr(t, h.SetOnHand(e.ctx, "a", "x", -1), "SetOnHand(-1)", stock.ErrInvalid)
	e.expectLevel("a", "x", 0, 0)
}
