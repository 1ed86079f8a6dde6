package postgres

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// TestFlow runs the product flow (orders, click & collect, transfers,
// returns, invoices, the customer view) through a basket.Service on
// PostgreSQL, each test in a fresh schema.
func TestFlow(t *testing.T) {
	baskettest.RunFlowTests(t, func(t *testing.T) baskettest.FlowHarness {
		clk := clock.NewFake(demo.Start())
		s := newTestStore(t, clk)
		return baskettest.FlowHarness{Store: s, Ledger: s, Clock: clk}
	})
}

// BenchmarkPlaceOrder places 20-line orders routed across three locations
// (holds, hand-overs and five fulfilment events in one transaction each)
// with 1 and 16 workers.
func BenchmarkPlaceOrder(b *testing.B) {
	for _, workers := range []int{1, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			clk := clock.NewFake(demo.Start())
			s := newTestStore(b, clk)
			baskettest.BenchmarkPlaceOrder(b, baskettest.FlowHarness{Store: s, Ledger: s, Clock: clk}, workers)
		})
	}
}
