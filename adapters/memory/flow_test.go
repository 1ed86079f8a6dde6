package memory_test

import (
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

func TestFlow(t *testing.T) {
	baskettest.RunFlowTests(t, func(t *testing.T) baskettest.FlowHarness {
		clk := clock.NewFake(demo.Start())
		st := memory.NewStockStore(clk)
		return baskettest.FlowHarness{Store: memory.NewBasketStore(memory.WithLedger(st)), Ledger: st, Clock: clk}
	})
}

func BenchmarkPlaceOrder(b *testing.B) {
	for _, workers := range []int{1, 16} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			clk := clock.NewFake(demo.Start())
			st := memory.NewStockStore(clk)
			baskettest.BenchmarkPlaceOrder(b, baskettest.FlowHarness{Store: memory.NewBasketStore(memory.WithLedger(st)), Ledger: st, Clock: clk}, workers)
		})
	}
}
