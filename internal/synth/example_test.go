package synth_test

import (
	"fmt"

	"github.com/omnibasket/omnibasket/internal/synth"
)

// The same seed gives the same workload on every machine.
func Example() {
	cat := synth.NewCatalogue(1, 1_000)
	again := synth.NewCatalogue(1, 1_000)
	lines := cat.Basket(7, 3)
	fmt.Println(len(cat.Products), "products,", len(cat.Prices) == len(again.Prices), lines[0].Product.SKU == again.Basket(7, 3)[0].Product.SKU)
	fmt.Println(len(cat.Promotions(2, 100)), "promotions,", len(cat.Locations(10)), "locations")
	// Output:
	// 1000 products, true true
	// 100 promotions, 10 locations
}
