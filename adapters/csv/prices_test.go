package csv_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

var ctx = context.Background()

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// rowErrors returns the row errors of a *LoadError, failing otherwise.
func rowErrors(t *testing.T, err error) (*erpcsv.LoadError, []*erpcsv.RowError) {
	t.Helper()
	var le *erpcsv.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v (%T) is not a *LoadError", err, err)
	}
	if !errors.Is(err, erpcsv.ErrInvalid) {
		t.Fatalf("error %v does not match ErrInvalid", err)
	}
	var re *erpcsv.RowError
	if !errors.As(err, &re) || re != le.Errors[0] {
		t.Fatalf("errors.As does not reach the first row error of %v", err)
	}
	return le, le.Errors
}

// expectRowError checks one row error.
func expectRowError(t *testing.T, re *erpcsv.RowError, file string, line int, column, reason string) {
	t.Helper()
	if re.File != file || re.Line != line || re.Column != column || !strings.Contains(re.Reason, reason) {
		t.Fatalf("row error %q\nwant %s:%d column %q containing %q", re, file, line, column, reason)
	}
}

func TestLoadPricesFrenchExport(t *testing.T) {
	in := "\uFEFFSKU;Liste;Devise;Prix unitaire;Qté min;Groupe;Début;Fin\r\n" +
		"LAMP-ARC;store;EUR;159,00;;;;\r\n" +
		"CANDLE-TEA;store;EUR;6,50;6;;;\r\n" +
		"MUG-STONE ; store ; eur ; 12 ;;members;01/11/2026;01/01/2027\r\n" +
		";;;;;;;\r\n" + // blank rows are skipped
		"KNIFE-CHEF;store;JPY;9800;;;;\r\n"
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{
		File:        "prix.csv",
		DateLayouts: []string{"02/01/2006"},
		Location:    time.FixedZone("Paris", 3600),
		ColumnNames: map[string]string{
			"Liste": "list", "Devise": "currency", "Prix unitaire": "unit_price", "QTÉ MIN": "min_quantity",
			"Groupe": "customer_group", "Début": "valid_from", "Fin": "valid_until",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []pricing.Price{
		{ListID: "store", SKU: "LAMP-ARC", Unit: eur("159.00")},
		{ListID: "store", SKU: "CANDLE-TEA", Unit: eur("6.50"), MinQuantity: 6},
		{ListID: "store", SKU: "MUG-STONE", Unit: eur("12.00"), CustomerGroup: "members",
			ValidFrom:  time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC),
			ValidUntil: time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC)},
		{ListID: "store", SKU: "KNIFE-CHEF", Unit: pricing.MustParse("9800", "JPY")},
	}
	if !slices.Equal(prices, want) {
		t.Fatalf("prices\n%+v\nwant\n%+v", prices, want)
	}
	if _, err := pricing.NewPriceBook(prices); err != nil {
		t.Fatal(err)
	}
}

func TestDecimalMarkRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		mark rune
		want string // "" for an error
	}{
		{"semicolon file, decimal comma", "sku;list;currency;unit_price\nA;l;EUR;12,50\n", 0, "12.50"},
		{"semicolon file refuses a point", "sku;list;currency;unit_price\nA;l;EUR;12.50\n", 0, ""},
		{"semicolon file with a point by option", "sku;list;currency;unit_price\nA;l;EUR;12.50\n", '.', "12.50"},
		{"comma file, decimal point", "sku,list,currency,unit_price\nA,l,EUR,12.50\n", 0, "12.50"},
		{"comma file refuses a quoted comma", "sku,list,currency,unit_price\nA,l,EUR,\"12,50\"\n", 0, ""},
		{"comma file, quoted decimal comma by option", "sku,list,currency,unit_price\nA,l,EUR,\"12,50\"\n", ',', "12.50"},
		{"no thousands separator", "sku;list;currency;unit_price\nA;l;EUR;1.234,50\n", 0, ""},
		{"two decimal commas", "sku;list;currency;unit_price\nA;l;EUR;1,234,50\n", 0, ""},
		{"tab separated", "sku\tlist\tcurrency\tunit_price\nA\tl\tEUR\t3.10\n", 0, "3.10"},
		{"quoted header with separators inside", "\"sku\",\"list\",currency,unit_price\nA,l,EUR,1\n", 0, "1.00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(tc.in), erpcsv.Options{DecimalMark: tc.mark})
			if tc.want == "" {
				_, errs := rowErrors(t, err)
				expectRowError(t, errs[0], "<input>", 2, "unit_price", "")
				if prices != nil {
					t.Fatal("data returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := prices[0].Unit; got != eur(tc.want) {
				t.Fatalf("unit %s, want %s", got, tc.want)
			}
		})
	}
}

func TestExactAmounts(t *testing.T) {
	in := "sku,list,currency,unit_price\nA,l,EUR,0.10\nB,l,KWD,1.234\nC,l,EUR,12.5050001\n"
	_, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{File: "p.csv"})
	_, errs := rowErrors(t, err)
	expectRowError(t, errs[0], "p.csv", 4, "unit_price", "12.5050001")
	if !errors.Is(err, pricing.ErrTooPrecise) {
		t.Fatalf("%v does not match pricing.ErrTooPrecise", err)
	}
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(in[:strings.LastIndex(in[:len(in)-1], "\n")+1]), erpcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prices[0].Unit.MinorUnits() != 10 || prices[1].Unit.MinorUnits() != 1234 {
		t.Fatalf("%+v", prices)
	}
}

func TestHeaderRules(t *testing.T) {
	for _, tc := range []struct {
		name, header, column, reason string
		ignore                       bool
	}{
		{"unknown column refused", "sku,list,currency,unit_price,colour", "colour", "unknown column", false},
		{"typo refused", "sku,list,currency,unit_prcie", "unit_prcie", "unknown column", false},
		{"missing required", "sku,list,unit_price", "currency", "required column is missing", false},
		{"missing required even when ignoring", "sku,list,unit_price,colour", "currency", "required column is missing", true},
		{"duplicate column", "sku,list,currency,unit_price,SKU", "SKU", "twice", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.header + "\n"
			_, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{File: "h.csv", IgnoreUnknownColumns: tc.ignore})
			le, errs := rowErrors(t, err)
			expectRowError(t, errs[0], "h.csv", 1, tc.column, tc.reason)
			if !le.Aborted {
				t.Fatal("a header problem must abort the load")
			}
		})
	}
	// Any order, any case, spaces or hyphens; an unknown column ignored on request.
	in := "Unit Price,CURRENCY,Colour,list,Customer-Group,sku\n3.00,EUR,red,l,pros,A\n"
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{IgnoreUnknownColumns: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := (pricing.Price{ListID: "l", SKU: "A", Unit: eur("3.00"), CustomerGroup: "pros"}); prices[0] != want {
		t.Fatalf("%+v, want %+v", prices[0], want)
	}
	if _, err := erpcsv.LoadPrices(ctx, strings.NewReader(""), erpcsv.Options{}); err == nil {
		t.Fatal("an empty input has no header")
	}
	prices, err = erpcsv.LoadPrices(ctx, strings.NewReader("sku,list,currency,unit_price\n"), erpcsv.Options{})
	if err != nil || prices == nil || len(prices) != 0 {
		t.Fatalf("a header alone is an empty list: %v %v", prices, err)
	}
}

const badPrices = "sku,list,currency,unit_price,min_quantity,valid_from,valid_until\n" +
	"A,l,EUR,1.00,,,\n" + // 2 ok
	"B,l,EUR,-1.00,,,\n" + // 3 negative
	"C,l,XXX,1.00,,,\n" + // 4 unknown currency
	"D,l,EUR,1.00,2.5,,\n" + // 5 tier not whole
	"E,,EUR,1.00,,,\n" + // 6 empty list
	"F,l,EUR,1.00,,2026-12-01,2026-11-01\n" + // 7 empty window
	"G,l,EUR,\"1.00\nx\",,,\n" + // 8-9 multi-line field, bad amount
	"H,l,EUR,2.00\n" + // 10 missing fields
	"I,l,EUR,2.00,,tomorrow,\n" + // 11 bad date
	"A,l,EUR,1.50,,,\n" + // 12 duplicate of line 2
	"J,l,EUR,3.00,,,\n" // 13 ok

func TestRowErrorsAllOrNothing(t *testing.T) {
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(badPrices), erpcsv.Options{File: "bad.csv"})
	if prices != nil {
		t.Fatal("an all-or-nothing load returned data with an error")
	}
	le, errs := rowErrors(t, err)
	if len(errs) != 1 || !le.Aborted {
		t.Fatalf("by default the first bad row stops the load: %v", err)
	}
	expectRowError(t, errs[0], "bad.csv", 3, "unit_price", "negative")
}

func TestMaxErrorsCollects(t *testing.T) {
	want := []struct {
		line           int
		column, reason string
	}{
		{3, "unit_price", "negative"},
		{4, "currency", "unknown currency"},
		{5, "min_quantity", "whole number"},
		{6, "list", "empty"},
		{7, "valid_until", "after valid_from"},
		{8, "unit_price", "1.00\\nx"},
		{10, "", "4 fields, but the header has 7"},
		{11, "valid_from", "tomorrow"},
		{12, "", "duplicate of line 2"},
	}
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(badPrices), erpcsv.Options{File: "bad.csv", MaxErrors: 100})
	le, errs := rowErrors(t, err)
	if prices != nil || le.Aborted || len(errs) != len(want) {
		t.Fatalf("collected %d errors (aborted %t), want %d:\n%v", len(errs), le.Aborted, len(want), err)
	}
	for i, w := range want {
		expectRowError(t, errs[i], "bad.csv", w.line, w.column, w.reason)
	}
	// Skipping: the valid rows come with the list of skipped ones.
	prices, err = erpcsv.LoadPrices(ctx, strings.NewReader(badPrices), erpcsv.Options{MaxErrors: 100, SkipInvalidRows: true})
	if _, errs := rowErrors(t, err); len(errs) != len(want) {
		t.Fatal(err)
	}
	if len(prices) != 2 || prices[0].SKU != "A" || prices[1].SKU != "J" {
		t.Fatalf("valid rows %+v", prices)
	}
	if _, err := pricing.NewPriceBook(prices); err != nil {
		t.Fatal(err)
	}
	// Past MaxErrors, reading stops and nothing is returned, even when skipping.
	prices, err = erpcsv.LoadPrices(ctx, strings.NewReader(badPrices), erpcsv.Options{MaxErrors: 3, SkipInvalidRows: true})
	le, errs = rowErrors(t, err)
	if prices != nil || !le.Aborted || len(errs) != 4 || errs[3].Line != 6 {
		t.Fatalf("%v, %+v", err, prices)
	}
	if !strings.Contains(err.Error(), "4 problems (reading stopped)") {
		t.Fatalf("message %q", err)
	}
}

func TestFatalCSVSyntax(t *testing.T) {
	in := "sku,list,currency,unit_price\nA,l,EUR,1.00\nB,l,EUR,\"2.00\n"
	_, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{File: "q.csv", MaxErrors: 10})
	le, errs := rowErrors(t, err)
	if !le.Aborted || errs[0].Line != 3 || !strings.Contains(errs[0].Reason, "CSV syntax") {
		t.Fatalf("%v", err)
	}
	in = "sku,list,currency,unit_price\nA,l,EUR,1\"0\n"
	_, err = erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{})
	if _, errs := rowErrors(t, err); errs[0].Line != 2 {
		t.Fatal(err)
	}
}

func TestInvalidUTF8(t *testing.T) {
	in := "sku,list,currency,unit_price\nCAF\xc9,l,EUR,1.00\n" // Latin-1 "CAFÉ"
	_, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{})
	_, errs := rowErrors(t, err)
	expectRowError(t, errs[0], "<input>", 2, "sku", "UTF-8")
}

func TestOptionsRejected(t *testing.T) {
	for _, o := range []erpcsv.Options{{Comma: '"'}, {Comma: '\n'}, {DecimalMark: ';'}} {
		_, err := erpcsv.LoadPrices(ctx, strings.NewReader("sku,list,currency,unit_price\n"), o)
		if _, errs := rowErrors(t, err); errs[0].Line != 1 {
			t.Fatalf("%+v: %v", o, err)
		}
	}
}

func TestProgressAndCancellation(t *testing.T) {
	var b strings.Builder
	b.WriteString("\uFEFFsku,list,currency,unit_price\n")
	for i := range 2500 {
		fmt.Fprintf(&b, "S%d,l,EUR,1.00\n", i)
	}
	var calls []erpcsv.Progress
	n := 0
	err := erpcsv.ForEachPrice(ctx, strings.NewReader(b.String()), erpcsv.Options{
		ProgressEvery: 1000,
		Progress:      func(p erpcsv.Progress) { calls = append(calls, p) },
	}, func(pricing.Price) error { n++; return nil })
	if err != nil || n != 2500 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if len(calls) != 3 || calls[0].Rows != 1000 || calls[1].Rows != 2000 || calls[0].Bytes <= 0 || calls[0].Done {
		t.Fatalf("progress %+v", calls)
	}
	if last := calls[2]; !last.Done || last.Rows != 2500 || last.Bytes != int64(b.Len()) {
		t.Fatalf("last progress %+v, want %d rows and %d bytes", last, 2500, b.Len())
	}

	cctx, cancel := context.WithCancel(ctx)
	n = 0
	err = erpcsv.ForEachPrice(cctx, strings.NewReader(b.String()), erpcsv.Options{}, func(pricing.Price) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 2500 {
		t.Fatalf("after cancel: %d rows, %v", n, err)
	}

	stop := errors.New("enough")
	err = erpcsv.ForEachPrice(ctx, strings.NewReader(b.String()), erpcsv.Options{}, func(pricing.Price) error { return stop })
	if err != stop {
		t.Fatalf("the callback's error must come back as is: %v", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		f.n = 0
		return copy(p, "sku,list,currency,unit_price\nA,l,EUR,1.00\n"), nil
	}
	return 0, errors.New("disk on fire")
}

func TestReadError(t *testing.T) {
	_, err := erpcsv.LoadPrices(ctx, &failingReader{n: 1}, erpcsv.Options{File: "p.csv"})
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "p.csv") {
		t.Fatalf("%v", err)
	}
	var le *erpcsv.LoadError
	if errors.As(err, &le) {
		t.Fatal("an I/O error is not a row error")
	}
}

// TestPrecisePrices: unit prices of up to six decimals whatever the
// currency, and prices per a quantity (price_per), as a B2B or fuel ERP
// exports them. A price a Money holds exactly still comes in Unit.
func TestPrecisePrices(t *testing.T) {
	in := "sku;list;currency;unit_price;price_per;min_quantity\n" +
		"SCREW-M4;trade;EUR;0,0125;;\n" +
		"SCREW-M4;trade;EUR;11,50;1000;10000\n" +
		"FUEL-SP95;trade;EUR;1,859;;\n" +
		"RICE;trade;JPY;0,125;1;\n" +
		"MUG;trade;EUR;12,500000;;\n" +
		"BOX;trade;EUR;12,50;1;\n" +
		"PEG;trade;KWD;0,000001;;\n"
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(in), erpcsv.Options{File: "trade.csv"})
	if err != nil {
		t.Fatal(err)
	}
	per := func(amount, cur string, n int64) pricing.UnitPrice {
		u, err := pricing.MustParseUnitPrice(amount, cur).WithPer(n)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	want := []pricing.Price{
		{ListID: "trade", SKU: "SCREW-M4", Precise: pricing.MustParseUnitPrice("0.0125", "EUR")},
		{ListID: "trade", SKU: "SCREW-M4", Precise: per("11.50", "EUR", 1000), MinQuantity: 10_000},
		{ListID: "trade", SKU: "FUEL-SP95", Precise: pricing.MustParseUnitPrice("1.859", "EUR")},
		{ListID: "trade", SKU: "RICE", Precise: pricing.MustParseUnitPrice("0.125", "JPY")},
		{ListID: "trade", SKU: "MUG", Unit: eur("12.50")},
		{ListID: "trade", SKU: "BOX", Unit: eur("12.50")},
		{ListID: "trade", SKU: "PEG", Precise: pricing.MustParseUnitPrice("0.000001", "KWD")},
	}
	if !slices.Equal(prices, want) {
		t.Fatalf("prices\n%+v\nwant\n%+v", prices, want)
	}
	book, err := pricing.NewPriceBook(prices)
	if err != nil {
		t.Fatal(err)
	}
	ctxEUR := channel.Context{Currency: "EUR", PriceLists: []string{"trade"}, AsOf: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		sku  string
		qty  int64
		want string
	}{
		{"SCREW-M4", 3, "0.04"}, {"SCREW-M4", 10_000, "115.00"}, {"FUEL-SP95", 45, "83.66"},
	} {
		r, err := book.Resolve(tc.sku, tc.qty, ctxEUR)
		if err != nil {
			t.Fatal(err)
		}
		if line, err := r.Precise.Mul(tc.qty, pricing.HalfEven); err != nil || line.Amount() != tc.want {
			t.Fatalf("%d × %s at %v = %v, %v; want %s", tc.qty, tc.sku, r.Precise, line, err, tc.want)
		}
	}

	for _, tc := range []struct {
		name, row, column, reason string
		kind                      error
	}{
		{"a seventh decimal", "A;l;EUR;0,0000001;", "unit_price", "more than 6 decimals", pricing.ErrTooPrecise},
		{"per zero", "A;l;EUR;1,00;0", "price_per", "below 1", nil},
		{"per negative", "A;l;EUR;1,00;-1000", "price_per", "below 1", nil},
		{"per not whole", "A;l;EUR;1,00;2,5", "price_per", "not a whole number", nil},
		{"per too large", "A;l;EUR;1,00;1000000001", "price_per", "above", nil},
		{"negative precise", "A;l;EUR;-0,0125;", "unit_price", "negative", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prices, err := erpcsv.LoadPrices(ctx, strings.NewReader("sku;list;currency;unit_price;price_per\n"+tc.row+"\n"), erpcsv.Options{File: "p.csv"})
			if prices != nil {
				t.Fatal("data returned with an error")
			}
			_, errs := rowErrors(t, err)
			expectRowError(t, errs[0], "p.csv", 2, tc.column, tc.reason)
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Fatalf("%v does not match %v", err, tc.kind)
			}
		})
	}

	// An ordinary entry and a precise one for the same list, SKU,
	// currency, group, tier and start are duplicates, as NewPriceBook says.
	_, err = erpcsv.LoadPrices(ctx, strings.NewReader("sku,list,currency,unit_price\nA,l,EUR,0.50\nA,l,EUR,0.4999\n"), erpcsv.Options{File: "d.csv"})
	_, errs := rowErrors(t, err)
	expectRowError(t, errs[0], "d.csv", 3, "", "duplicate of line 2")
	// Same SKU and list in two currencies, both precise: not duplicates.
	if _, err := erpcsv.LoadPrices(ctx, strings.NewReader("sku,list,currency,unit_price\nA,l,EUR,0.0125\nA,l,USD,0.0135\n"), erpcsv.Options{}); err != nil {
		t.Fatal(err)
	}
}
