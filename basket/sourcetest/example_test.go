package sourcetest_test

import (
	"context"
	"fmt"

	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/pricing"
)

// tierless is a price source that forgets volume prices: a basket of six
// mugs would be priced at the unit price.
type tierless struct{ book *pricing.PriceBook }

func (s tierless) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	all, err := s.book.Prices(ctx, q)
	var out []pricing.Price
	for _, p := range all {
		if p.MinQuantity <= 1 {
			out = append(out, p)
		}
	}
	return out, err
}

// An adapter's test runs the whole suite with sourcetest.RunSourceTests;
// CheckPrices, the heart of its price checks, also works on its own.
func ExampleCheckPrices() {
	d := sourcetest.Retailer()
	book, err := pricing.NewPriceBook(d.Prices)
	if err != nil {
		fmt.Println(err)
		return
	}
	q := pricing.PriceQuery{Lists: []string{"web"}, SKUs: []string{"MUG"}}
	fmt.Println("price book:", sourcetest.CheckPrices(context.Background(), book, d, q))
	fmt.Println("tierless:", sourcetest.CheckPrices(context.Background(), tierless{book}, d, q))
	// Output:
	// price book: <nil>
	// tierless: Prices({[web] [MUG]}): 3 entries, want 4; missing [web|MUG||tier 6|from open|until open|EUR 12.500000 per 1]; unexpected none (duplicates count)
}
