package postgres

import (
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// The document and ledger suites of basket/baskettest, each test in a
// fresh schema.

func TestDocumentStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	baskettest.RunDocumentStoreTests(t, func(t *testing.T) basket.DocumentStore { return newTestStore(t, nil) })
}

func TestLedgerStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	baskettest.RunLedgerStoreTests(t, func(t *testing.T) baskettest.LedgerHarness {
		clk := clock.NewFake(stocktest.Epoch)
		s := newTestStore(t, clk)
		return baskettest.LedgerHarness{Store: s, SetOnHand: s.SetOnHand, Clock: clk}
	})
}
