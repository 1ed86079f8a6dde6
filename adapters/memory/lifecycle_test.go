package memory_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// TestLifecycle runs the data lifecycle suite (idempotency expiry, the
// sweep of abandoned carts, erasure) on the memory store.
func TestLifecycle(t *testing.T) {
	baskettest.RunLifecycleTests(t, func(t *testing.T) baskettest.FlowHarness {
		clk := clock.NewFake(demo.Start())
		st := memory.NewStockStore(clk)
		return baskettest.FlowHarness{Store: memory.NewBasketStore(memory.WithLedger(st)), Ledger: st, Clock: clk}
	})
}
