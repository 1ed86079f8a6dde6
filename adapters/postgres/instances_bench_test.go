package postgres

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// BenchmarkServiceInstances runs Service commands (SetQuantity, 1 ⇄ 2 on a
// line of the demo catalogue: read, re-price, compare-and-swap save with
// its event) through 1, 2 and 4 basket.Service instances sharing one
// database, each with a pool and a Store of its own (as separate
// processes would have), 8 writers per instance, each writer on a basket
// of its own. It reports commands/s for all instances together and per
// instance: how throughput grows with instances on this machine (the
// Service's CPU and the database's share one here; on separate machines
// the instances add CPU and only the database is shared).
func BenchmarkServiceInstances(b *testing.B) {
	const writersPerInstance = 8
	cat, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	for _, instances := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("instances=%d", instances), func(b *testing.B) {
			schema := newTestStore(b, nil).Schema()
			svcs := make([]*basket.Service, instances)
			for i := range svcs {
				s := New(benchPool(b, writersPerInstance+2), Options{Schema: schema})
				svc, err := basket.NewService(basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: s,
					Locations: cat, Fees: cat, Clock: clock.System{}})
				if err != nil {
					b.Fatal(err)
				}
				svcs[i] = svc
			}
			baskettest.BenchmarkCommands(b, svcs, writersPerInstance)
		})
	}
}
