package csv_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/stock"
)

func TestLoadStock(t *testing.T) {
	in := "sku;location;on_hand;reserved;next_arrival\n" +
		"LAMP-ARC;lyon-bellecour;1;;\n" +
		"LAMP-ARC;wh-venissieux;0;;2026-11-30 09:00\n" +
		"BULB-E27;lyon-bellecour;12,000;2;\n"
	levels, err := erpcsv.LoadStock(ctx, strings.NewReader(in), erpcsv.Options{Location: time.FixedZone("CET", 3600)})
	if err != nil {
		t.Fatal(err)
	}
	want := []stock.Level{
		{SKU: "LAMP-ARC", LocationID: "lyon-bellecour", OnHand: 1},
		{SKU: "LAMP-ARC", LocationID: "wh-venissieux", OnHand: 0, NextArrival: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)},
		{SKU: "BULB-E27", LocationID: "lyon-bellecour", OnHand: 12, Reserved: 2},
	}
	if !slices.Equal(levels, want) {
		t.Fatalf("levels\n%+v\nwant\n%+v", levels, want)
	}
	lv, err := stock.NewLevels(levels)
	if err != nil {
		t.Fatal(err)
	}
	// Known at zero is present; a pair without a row is unknown.
	if l, ok := lv.Get("LAMP-ARC", "wh-venissieux"); !ok || l.Available() != 0 {
		t.Fatal("a row with on_hand 0 is a known level")
	}
	if _, ok := lv.Get("BULB-E27", "wh-venissieux"); ok {
		t.Fatal("a pair without a row must be unknown")
	}
}

func TestStockRowErrors(t *testing.T) {
	in := "sku,location,on_hand\n" +
		"A,x,-1\n" + // negative
		"B,x,\n" + // on hand missing: not zero
		"C,x,1.5\n" + // not whole
		"D,,3\n" + // no location
		"E,x,99999999999999999999\n" + // overflow
		"F,x,2\n" +
		"F,x,3\n" // duplicate
	_, err := erpcsv.LoadStock(ctx, strings.NewReader(in), erpcsv.Options{File: "stock.csv", MaxErrors: 10})
	_, errs := rowErrors(t, err)
	want := []struct {
		line           int
		column, reason string
	}{
		{2, "on_hand", "below 0"},
		{3, "on_hand", "required value is empty"},
		{4, "on_hand", "whole number"},
		{5, "location", "empty"},
		{6, "on_hand", "whole number"},
		{8, "", `duplicate of line 7: "F" at "x"`},
	}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d: %v", len(errs), len(want), err)
	}
	for i, w := range want {
		expectRowError(t, errs[i], "stock.csv", w.line, w.column, w.reason)
	}
	// The streaming call checks rows alone: the duplicate goes through.
	n := 0
	err = erpcsv.ForEachStock(ctx, strings.NewReader("sku,location,on_hand\nF,x,2\nF,x,3\n"), erpcsv.Options{},
		func(stock.Level) error { n++; return nil })
	if err != nil || n != 2 {
		t.Fatalf("%d rows, %v", n, err)
	}
}
