package csv_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
)

// A French price export (semicolons, decimal commas, its own headers)
// loaded into a price book.
func ExampleLoadPrices() {
	export := "Article;Liste;Devise;Prix unitaire;Qté mini\n" +
		"LAMP-ARC;store;EUR;159,00;\n" +
		"CANDLE-TEA;store;EUR;7,90;\n" +
		"CANDLE-TEA;store;EUR;6,50;6\n"
	prices, err := erpcsv.LoadPrices(context.Background(), strings.NewReader(export), erpcsv.Options{
		File: "prix.csv",
		ColumnNames: map[string]string{"Article": "sku", "Liste": "list", "Devise": "currency",
			"Prix unitaire": "unit_price", "Qté mini": "min_quantity"},
	})
	if err != nil {
		panic(err)
	}
	book, err := pricing.NewPriceBook(prices)
	if err != nil {
		panic(err)
	}
	for _, p := range prices {
		fmt.Printf("%-10s %s from %d\n", p.SKU, p.Unit, max(p.MinQuantity, 1))
	}
	fmt.Println(book.Len(), "entries")
	// Output:
	// LAMP-ARC   159.00 EUR from 1
	// CANDLE-TEA 7.90 EUR from 1
	// CANDLE-TEA 6.50 EUR from 6
	// 3 entries
}

// Streaming a stock file in constant memory, and finding where a bad row is.
func ExampleForEachStock() {
	file := "sku,location,on_hand,next_arrival\n" +
		"LAMP-ARC,lyon-bellecour,1,\n" +
		"LAMP-ARC,wh-venissieux,0,2026-11-30\n" +
		"BULB-E27,lyon-bellecour,twelve,\n"
	var total int64
	err := erpcsv.ForEachStock(context.Background(), strings.NewReader(file), erpcsv.Options{File: "stock.csv"},
		func(l stock.Level) error {
			total += l.OnHand
			return nil
		})
	var re *erpcsv.RowError
	if errors.As(err, &re) {
		fmt.Printf("%s line %d, column %s: %s\n", re.File, re.Line, re.Column, re.Reason)
	}
	fmt.Println("units streamed before the bad row:", total)
	// Output:
	// stock.csv line 4, column on_hand: "twelve" is not a whole number
	// units streamed before the bad row: 1
}
