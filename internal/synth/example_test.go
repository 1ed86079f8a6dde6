package synth_test

import (
	"fmt"

	"github.com/omnibasket/omnibasket/internal/synth"
	"github.com/omnibasket/omnibasket/promotion"
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

// The mix's composition: what a synthetic calendar of promotions holds.
func ExampleMixShares() {
	cat := synth.NewCatalogue(1, 1_000)
	promos := cat.Promotions(2, 1_000)
	perClass := map[string]int{}
	for _, p := range promos {
		switch {
		case p.Coupon != "":
			perClass["coupon"]++
		case p.Lane == promotion.Catalogue:
			perClass["catalogue"]++
		}
	}
	for _, s := range synth.MixShares() {
		fmt.Printf("%-18s %3d‰\n", s.Class, s.Permille)
	}
	fmt.Println(perClass["coupon"], "coupons,", perClass["catalogue"], "catalogue offers without a code")
	// Output:
	// sku-offer          360‰
	// category-offer     100‰
	// targeted-basket     80‰
	// spend-threshold    140‰
	// quantity-threshold  40‰
	// fee-threshold       20‰
	// wide-coupon        160‰
	// targeted-coupon     60‰
	// fee-offer           20‰
	// member-offer        20‰
	// 220 coupons, 460 catalogue offers without a code
}
