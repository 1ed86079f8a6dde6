package csv_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
)

// hugeCell is the size of the bad cells of TestHugeBadCellShortError.
const hugeCell = 10 << 20

// TestHugeBadCellShortError is issue 12, item 13: an error quoted whole
// values, so a 10 MB bad cell made a 10 MB error (42 MB for NUL bytes,
// each escaped as \x00). Every loader and every kind of value is checked:
// the message stays short, names the line and the column, and gives the
// value's length.
func TestHugeBadCellShortError(t *testing.T) {
	type load func(in string) error
	prices := func(in string) error {
		_, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{File: "p.csv"})
		return err
	}
	stockLoad := func(in string) error {
		_, err := erpcsv.LoadStock(ctx, strings.NewReader(in), erpcsv.Options{File: "s.csv"})
		return err
	}
	promos := func(in string) error {
		_, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{File: "q.csv"})
		return err
	}
	const priceHeader = "sku,list,currency,unit_price,min_quantity,valid_from\n"
	const promoHeader = "id,effect,currency,skus,percent,amount,tiers,components,exclusive,lane\n"
	tests := []struct {
		name   string
		load   load
		row    func(cell string) string // the data row, cell being the bad value
		column string
	}{
		{"price amount", prices, func(c string) string { return priceHeader + "A,l,EUR," + c + ",,\n" }, "unit_price"},
		{"price currency", prices, func(c string) string { return priceHeader + "A,l," + c + ",1.00,,\n" }, "currency"},
		{"price tier", prices, func(c string) string { return priceHeader + "A,l,EUR,1.00," + c + ",\n" }, "min_quantity"},
		{"price date", prices, func(c string) string { return priceHeader + "A,l,EUR,1.00,," + c + "\n" }, "valid_from"},
		{"stock on hand", stockLoad, func(c string) string { return "sku,location,on_hand\nA,x," + c + "\n" }, "on_hand"},
		{"promotion effect", promos, func(c string) string { return promoHeader + "P," + c + ",,*,10,,,,,\n" }, "effect"},
		{"promotion percent", promos, func(c string) string { return promoHeader + "P,percent-off,,*," + c + ",,,,,\n" }, "percent"},
		{"promotion amount", promos, func(c string) string { return promoHeader + "P,amount-off,EUR,*,," + c + ",,,,\n" }, "amount"},
		{"promotion tiers", promos, func(c string) string { return promoHeader + "P,tiered,EUR,*,,," + c + ",,,\n" }, "tiers"},
		{"promotion components", promos, func(c string) string { return promoHeader + "P,bundle-price,EUR,,,9.00,," + c + ",,\n" }, "components"},
		{"promotion flag", promos, func(c string) string { return promoHeader + "P,percent-off,,*,10,,,," + c + ",\n" }, "exclusive"},
		{"promotion lane", promos, func(c string) string { return promoHeader + "P,percent-off,,*,10,,,,," + c + "\n" }, "lane"},
	}
	cells := map[string]string{
		"letters": strings.Repeat("x", hugeCell),
		"NUL":     strings.Repeat("\x00", hugeCell),
	}
	for _, tt := range tests {
		for kind, cell := range cells {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				err := tt.load(tt.row(cell))
				var re *erpcsv.RowError
				if !errors.As(err, &re) || !errors.Is(err, erpcsv.ErrInvalid) {
					t.Fatalf("not a row error: %.300v", err)
				}
				msg := re.Error()
				if len(msg) >= 200 || len(err.Error()) >= 300 {
					t.Fatalf("row error of %d bytes (load error %d): %.400s", len(msg), len(err.Error()), msg)
				}
				if re.Line != 2 || re.Column != tt.column {
					t.Fatalf("error at line %d column %q, want 2 %q: %s", re.Line, re.Column, tt.column, msg)
				}
				for _, want := range []string{":2:", "column " + tt.column, fmt.Sprintf("(%d bytes)", hugeCell), "…"} {
					if !strings.Contains(msg, want) {
						t.Fatalf("%q does not contain %q", msg, want)
					}
				}
			})
		}
	}
}

// TestHugeHeaderAndIDShortError covers values quoted outside a cell check:
// a header name, a duplicate key across rows, and a reason written by
// another package (promotion.Compile quoting a best-of group).
func TestHugeHeaderAndIDShortError(t *testing.T) {
	huge := strings.Repeat("\x00", hugeCell)
	tests := []struct {
		name string
		err  func() error
	}{
		{"unknown column", func() error {
			_, err := erpcsv.LoadStock(ctx, strings.NewReader("sku,location,on_hand,"+huge+"\n"), erpcsv.Options{})
			return err
		}},
		{"duplicate stock level", func() error {
			_, err := erpcsv.LoadStock(ctx, strings.NewReader("sku,location,on_hand\n"+huge+",x,1\n"+huge+",x,2\n"), erpcsv.Options{})
			return err
		}},
		{"duplicate promotion", func() error {
			in := "id,effect,skus,percent\n" + huge + ",percent-off,*,10\n" + huge + ",percent-off,*,10\n"
			_, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{})
			return err
		}},
		{"best-of group mixing lanes", func() error {
			in := "id,effect,skus,percent,best_of_group\nA,percent-off,*,10," + huge + "\nB,basket-percent-off,*,5," + huge + "\n"
			_, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.err()
			var re *erpcsv.RowError
			if !errors.As(err, &re) {
				t.Fatalf("not a row error: %.300v", err)
			}
			if msg := err.Error(); len(msg) >= 400 || !utf8.ValidString(msg) {
				t.Fatalf("error of %d bytes: %.500q", len(msg), msg)
			}
		})
	}
}

// TestShortValuesQuotedWhole: a value within the excerpt's bounds is
// quoted whole, escaped, with no length.
func TestShortValuesQuotedWhole(t *testing.T) {
	for _, tt := range []struct{ cell, want string }{
		{"twelve", `"twelve" is not a whole number`},
		{"tw\telve", `"tw\telve" is not a whole number`},
		{strings.Repeat("9", 32) + "x", `"99999999999999999999999999999999"… (33 bytes) is not a whole number`},
	} {
		_, err := erpcsv.LoadStock(ctx, strings.NewReader("sku;location;on_hand\nA;x;"+tt.cell+"\n"), erpcsv.Options{})
		var re *erpcsv.RowError
		if !errors.As(err, &re) || re.Reason != tt.want {
			t.Errorf("cell %q: reason %v, want %s", tt.cell, err, tt.want)
		}
	}
}
