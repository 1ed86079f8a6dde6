package demo_test

import (
	"fmt"

	"github.com/omnibasket/omnibasket/demo"
)

func Example() {
	at := demo.Start()
	store := demo.Store(demo.Bellecour, at)
	fmt.Println(len(demo.Items()), "products,", len(demo.Promotions()), "promotions")
	fmt.Println(demo.Web(at).ChannelID, "→", store.ChannelID, store.StockSources)
	// Output:
	// 32 products, 9 promotions
	// web → store-lyon-bellecour [lyon-bellecour lyon-part-dieu wh-venissieux]
}
