package postgres

import (
	"testing"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// The ledger suites, each test in a fresh schema. The reserver suite runs
// on the same harness too: a ledger is a reserver whose on-hand comes from
// feeds.

func ledgerHarness(t *testing.T) stocktest.Harness {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	return stocktest.Harness{Ledger: s, Clock: clk, OversellRounds: oversellRounds()}
}

func TestLedger(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	stocktest.RunLedgerTests(t, ledgerHarness)
}

// TestLedgerReserver runs the reserver suite with on-hand set by feeds
// (stocktest.FeedOnHand) rather than SetOnHand: shrinkage then comes from
// a full feed. The oversell race is smaller than TestReserver's, which
// runs it at full size on the same tables.
func TestLedgerReserver(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	stocktest.RunReserverTests(t, func(t *testing.T) stocktest.Harness {
		h := ledgerHarness(t)
		h.Reserver, h.Provider, h.SetOnHand = h.Ledger, h.Ledger, stocktest.FeedOnHand(h.Ledger)
		h.OversellRounds = max(oversellRounds()/10, 10)
		return h
	})
}

func TestAvailability(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	stocktest.RunAvailabilityTests(t, func(t *testing.T) stocktest.Availability {
		clk := clock.NewFake(stocktest.Epoch)
		s := newTestStore(t, clk)
		return stocktest.Availability{Ledger: s, Offer: s, Clock: clk}
	})
}
