package stocktest

// The ledger suites, for adapters wiring them (API settled):
//
//	stocktest.RunLedgerTests(t, func(t *testing.T) stocktest.Harness {
//		clk := clock.NewFake(stocktest.Epoch)
//		l := newLedger(t, clk) // empty: no levels, holds, keys or feed IDs
//		return stocktest.Harness{Ledger: l, Clock: clk}
//	})
//	stocktest.RunAvailabilityTests(t, func(t *testing.T) stocktest.Availability {
//		clk := clock.NewFake(stocktest.Epoch)
//		l := newLedger(t, clk)
//		return stocktest.Availability{Ledger: l, Offer: l, Clock: clk}
//		// or, on-hand read from another system fed the same counts:
//		// erp := newERP(t)
//		// return stocktest.Availability{Ledger: l, Offer: stock.NetOfHolds(erp, l), Source: erp, Clock: clk}
//	})
//
// Harness fields used by RunLedgerTests: Ledger and Clock are required;
// Reserver and Provider default to Ledger; SetOnHand defaults to a full
// feed of the one pair (ID "stocktest-set-N"). RunLedgerTests checks what
// a ledger adds to a reserver: run [RunReserverTests] with the same
// newHarness as well (it applies the same defaults when Ledger is set).
//
// Choices the suite pins (documented in stock/ledger.go and feed.go): a hold set
// or landed by Apply (MoveHold, MoveTransfer) has an empty RequestKey,
// MoveRelease and MoveDeduct keep the reservation's key and the lines'
// rank; Apply checks malformed input, then every expiry against now, then
// the movements in order; a deduct may take what Reserve would grant (the
// covered part of the basket's hold, or on-hand minus every other hold); a
// transfer of held units that on-hand no longer covers is a
// [*stock.ShortageError] at the source; a transfer to a pair the ledger
// does not know makes it known with the units that arrive. For feeds: a
// feed that fails is not remembered, so its ID may be retried with other
// counts; a replay reports FeedReport{Replayed: true} and nothing else; a
// conflicting reuse is a *stock.ConflictError with an empty BasketID and
// the feed ID as RequestKey; a delta refused for going below zero (or
// down from an unknown pair) is a *stock.InputError whose Field starts
// with "Counts[i]"; a full feed's Pairs counts every pair it lists and
// every known pair of its scope it sets to 0 (already 0 or not).

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/stock"
)

// RunLedgerTests checks a [stock.Ledger] against the contract documented on
// [stock.Ledger], [stock.MoveKind], [stock.Feeder] and [stock.HoldLister]:
// Apply for each movement kind, all or nothing across movements, holds
// listed for every basket with their risk, full and delta feeds with
// replays, conflicts and refusals, delta conservation as a property, and a
// rapid state machine comparing Apply and Feed with a model. newHarness is
// called once per test (and per rapid run) and must return an empty ledger.
func RunLedgerTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	nh := func(t *testing.T) Harness {
		t.Helper()
		h := newHarness(t)
		if h.Ledger == nil {
			t.Fatal("stocktest: RunLedgerTests needs a Ledger")
		}
		return ledgerHarness(t, h)
	}
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"ApplyHold", testApplyHold},
		{"ApplyHoldShortage", testApplyHoldShortage},
		{"ApplyRelease", testApplyRelease},
		{"ApplyDeduct", testApplyDeduct},
		{"ApplyDeductShortage", testApplyDeductShortage},
		{"ApplyDeductAtRisk", testApplyDeductAtRisk},
		{"ApplyTransfer", testApplyTransfer},
		{"ApplyTransferNotHeld", testApplyTransferNotHeld},
		{"ApplyRestock", testApplyRestock},
		{"ApplySequence", testApplySequence},
		{"ApplyAllOrNothing", testApplyAllOrNothing},
		{"ApplyExpiryNotAfterNow", testApplyExpiry},
		{"ApplyInvalidChangesNothing", testApplyInvalid},
		{"ApplyCanceledContext", testApplyCanceled},
		{"Holds", testHolds},
		{"FeedFull", testFeedFull},
		{"FeedFullSKUScope", testFeedFullSKUScope},
		{"FeedDelta", testFeedDelta},
		{"FeedReplay", testFeedReplay},
		{"FeedConflict", testFeedConflict},
		{"FeedNegativeRefused", testFeedNegative},
		{"FeedInvalidChangesNothing", testFeedInvalid},
		{"FeedKeepsHoldsReportsAtRisk", testFeedAtRisk},
		{"Sync", testSync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, nh(t)) })
	}
	t.Run("DeltaConservation", func(t *testing.T) { testDeltaConservation(t, nh) })
	t.Run("StateMachine", func(t *testing.T) { testLedgerMachine(t, nh) })
}

// withLedgerDefaults fills the defaults of harnesses that have a Ledger.
func withLedgerDefaults(newHarness func(t *testing.T) Harness) func(t *testing.T) Harness {
	return func(t *testing.T) Harness {
		t.Helper()
		h := newHarness(t)
		if h.Ledger == nil {
			return h
		}
		return ledgerHarness(t, h)
	}
}

// ledgerHarness fills the defaults of a harness with a Ledger.
func ledgerHarness(t *testing.T, h Harness) Harness {
	t.Helper()
	if h.Clock == nil {
		t.Fatal("stocktest: the harness needs a Clock")
	}
	if h.Reserver == nil {
		h.Reserver = h.Ledger
	}
	if h.Provider == nil {
		h.Provider = h.Ledger
	}
	if h.SetOnHand == nil {
		h.SetOnHand = FeedOnHand(h.Ledger)
	}
	return h
}

// FeedOnHand returns a SetOnHand for a [Harness] that sets one pair through
// a full feed of that pair alone (the location, narrowed to the SKU), each
// with a new ID: what a ledger without another way to set on-hand needs to
// run the reserver suite.
func FeedOnHand(f stock.Feeder) func(ctx context.Context, sku, location string, onHand int64) error {
	var seq atomic.Int64
	return func(ctx context.Context, sku, location string, onHand int64) error {
		_, err := f.Feed(ctx, stock.Feed{
			ID: fmt.Sprintf("stocktest-set-%d", seq.Add(1)), Kind: stock.FullFeed,
			Locations: []string{location}, SKUs: []string{sku},
			Counts: []stock.Count{{SKU: sku, LocationID: location, Quantity: onHand}},
		})
		return err
	}
}
