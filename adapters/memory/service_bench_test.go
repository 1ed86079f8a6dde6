package memory_test

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// BenchmarkServiceCommands runs the command of the PostgreSQL adapter's
// BenchmarkServiceInstances ([baskettest.BenchmarkCommands]) on the
// in-memory store, by 1 and 8 writers: what one Service does per core when
// the store costs nothing, the figure docs/capacity.md sets beside the
// database's.
func BenchmarkServiceCommands(b *testing.B) {
	cat, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	for _, writers := range []int{1, 8} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			svc, err := basket.NewService(basket.Config{Store: memory.NewBasketStore(), Prices: cat, Promotions: cat, Tax: cat,
				Stock: memory.NewStockStore(clock.System{}), Locations: cat, Fees: cat, Clock: clock.System{}})
			if err != nil {
				b.Fatal(err)
			}
			baskettest.BenchmarkCommands(b, []*basket.Service{svc}, writers)
		})
	}
}
