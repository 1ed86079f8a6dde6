// Package stocktest is the conformance suite for implementations of
// [stock.Reserver] and [stock.Provider], in the style of gocloud.dev's
// drivertest: an adapter's own test builds a fresh [Harness] per test and
// hands it to the suite.
//
//	func TestStockStore(t *testing.T) {
//		stocktest.RunReserverTests(t, func(t *testing.T) stocktest.Harness {
//			clk := clock.NewFake(stocktest.Epoch)
//			s := memory.NewStockStore(clk)
//			return stocktest.Harness{Reserver: s, Provider: s, SetOnHand: s.SetOnHand, Clock: clk}
//		})
//	}
//
// The reserver suite checks the contract documented on [stock.Reserver]:
// all or nothing, no oversell under concurrency (a race of 50 reservations
// on one unit, many rounds), expiry judged at read time against the fake
// clock, idempotent request keys, atomic replace and transfer, and a rapid
// state machine comparing the implementation with a model after every step. It
// also checks conservation: for every SKU × location, Reserved = min(Σ
// active reservations, OnHand) and Available = OnHand − Reserved ≥ 0 (see
// [CheckConservation]); and shrinkage: holds ranked oldest first, the
// uncovered part reported at risk, no unit promised to two baskets.
//
// [RunLedgerTests] checks what a [stock.Ledger] adds: the movements of
// Apply, all or nothing, holds listed for every basket, full and delta
// feeds, with a rapid model of Apply and Feed. [RunAvailabilityTests]
// checks, under concurrency, that baskets reading their availability from
// a ledger, or from another on-hand source through [stock.NetOfHolds], are
// never offered a unit covered for another basket.
package stocktest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// Epoch is a convenient start time for the fake clock of a harness.
var Epoch = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Harness is what the suite needs from an implementation. newHarness is
// called once per test (and per rapid run); each harness must start empty:
// no known levels, no reservations, no remembered keys.
type Harness struct {
	// Reserver is the implementation under test.
	Reserver stock.Reserver
	// Provider must report the levels the Reserver acts on.
	Provider stock.Provider
	// SetOnHand makes the pair known with that on-hand count (a restock or
	// a stock feed).
	SetOnHand func(ctx context.Context, sku, location string, onHand int64) error
	// Clock is the fake clock the implementation judges expiry with.
	Clock *clock.Fake
	// OversellRounds is the number of rounds of the oversell race; 0 means
	// 1000, or 100 under testing.Short().
	OversellRounds int
	// Ledger is the implementation [RunLedgerTests] checks. When it is
	// set, every suite takes a nil Reserver or Provider to be Ledger, and
	// a nil SetOnHand to a full feed of the one pair ([FeedOnHand]): one
	// harness then runs the ledger suite and the reserver suite.
	Ledger stock.Ledger
}

func (h Harness) rounds() int {
	switch {
	case h.OversellRounds > 0:
		return h.OversellRounds
	case testing.Short():
		return 100
	}
	return 1000
}

// RunProviderTests checks the [stock.Provider] of the harness: one call
// answers many SKUs × locations, an unknown pair is absent while a pair
// known at zero is present, invalid queries are rejected. Reserver may be
// nil.
func RunProviderTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	newHarness = withLedgerDefaults(newHarness)
	t.Run("UnknownAbsentZeroPresent", func(t *testing.T) { testUnknownVersusZero(t, newHarness(t)) })
	t.Run("ManyInOneCall", func(t *testing.T) { testManyInOneCall(t, newHarness(t)) })
	t.Run("InvalidQuery", func(t *testing.T) { testInvalidQuery(t, newHarness(t)) })
	t.Run("Restock", func(t *testing.T) { testRestock(t, newHarness(t)) })
}

// RunReserverTests runs the whole suite, provider tests included.
func RunReserverTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	newHarness = withLedgerDefaults(newHarness)
	t.Run("Provider", func(t *testing.T) { RunProviderTests(t, newHarness) })
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"ReserveAndList", testReserveAndList},
		{"AllOrNothing", testAllOrNothing},
		{"UnknownLevel", testUnknownLevel},
		{"InvalidInputChangesNothing", testInvalidInput},
		{"CanceledContextChangesNothing", testCanceledContext},
		{"ReplaceAtSameLocation", testReplace},
		{"RepeatedKeyReturnsFirstOutcome", testReplay},
		{"SameKeyDifferentPayload", testConflict},
		{"FailedKeyMayBeRetried", testFailedKeyRetry},
		{"Expiry", testExpiry},
		{"Extend", testExtend},
		{"Release", testRelease},
		{"TransferAllOrNothing", testTransferAllOrNothing},
		{"TransferMergesIntoTarget", testTransferMerge},
		{"TransferReplay", testTransferReplay},
		{"ShrinkBelowReserved", testShrink},
		{"ShrinkRanksHolds", testShrinkRanksHolds},
		{"ShrinkTiesByBasketID", testShrinkTies},
		{"RankOnReplaceAndTransfer", testRankOnReplaceAndTransfer},
		{"OversellRace", testOversellRace},
		{"ConcurrentConservation", testConcurrentConservation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
	t.Run("StateMachine", func(t *testing.T) { testStateMachine(t, newHarness) })
}

// CheckConservation reads the levels of every SKU × location given and the
// active reservations of every basket given, and reports the first
// violation of:
//
//   - every reservation listed is active at now, its lines sorted by SKU,
//     merged, positive, and the list is sorted by location, one per
//     location;
//   - a pair held by a reservation has a known level;
//   - Reserved = min(Σ active reservations of the pair, OnHand) (it equals
//     the sum unless a stock feed lowered OnHand below it), and equals the
//     units the listed lines have covered (Σ Quantity − AtRisk, each
//     0 ≤ AtRisk ≤ Quantity): no unit is promised twice;
//   - 0 ≤ Reserved ≤ OnHand and Available = OnHand − Reserved ≥ 0.
//
// The baskets given must be all those holding any of the pairs, and nothing
// may change while it runs.
func CheckConservation(ctx context.Context, p stock.Provider, r stock.Reserver, now time.Time, baskets, skus, locations []string) error {
	levels, err := p.Levels(ctx, stock.Query{SKUs: skus, Locations: locations})
	if err != nil {
		return fmt.Errorf("levels: %w", err)
	}
	held := map[[2]string]int64{}
	covered := map[[2]string]int64{}
	for _, b := range baskets {
		rs, err := r.Reservations(ctx, b)
		if err != nil {
			return fmt.Errorf("reservations of %s: %w", b, err)
		}
		if err := checkList(b, rs, now); err != nil {
			return err
		}
		for _, res := range rs {
			for _, l := range res.Lines {
				held[[2]string{l.SKU, res.LocationID}] += l.Quantity
				covered[[2]string{l.SKU, res.LocationID}] += l.Covered()
			}
		}
	}
	for _, sku := range skus {
		for _, loc := range locations {
			lv, known := levels.Get(sku, loc)
			h := held[[2]string{sku, loc}]
			if !known {
				if h != 0 {
					return fmt.Errorf("%s at %s: %d held but level unknown", sku, loc, h)
				}
				continue
			}
			switch {
			case lv.OnHand < 0 || lv.Reserved < 0 || lv.Reserved > lv.OnHand:
				return fmt.Errorf("%s at %s: on hand %d, reserved %d", sku, loc, lv.OnHand, lv.Reserved)
			case lv.Reserved != min(h, lv.OnHand):
				return fmt.Errorf("%s at %s: reserved %d, but active reservations hold %d (on hand %d)", sku, loc, lv.Reserved, h, lv.OnHand)
			case lv.Reserved != covered[[2]string{sku, loc}]:
				return fmt.Errorf("%s at %s: reserved %d, but the reservations listed have %d covered (on hand %d, held %d)",
					sku, loc, lv.Reserved, covered[[2]string{sku, loc}], lv.OnHand, h)
			case lv.Available() != lv.OnHand-lv.Reserved:
				return fmt.Errorf("%s at %s: available %d ≠ on hand %d − reserved %d", sku, loc, lv.Available(), lv.OnHand, lv.Reserved)
			}
		}
	}
	return nil
}

func checkList(basket string, rs []stock.Reservation, now time.Time) error {
	for i, res := range rs {
		switch {
		case res.BasketID != basket:
			return fmt.Errorf("reservations of %s list one of %s", basket, res.BasketID)
		case !res.Active(now):
			return fmt.Errorf("reservations of %s list an expired one at %s (expires %s, now %s)", basket, res.LocationID, res.ExpiresAt, now)
		case i > 0 && rs[i-1].LocationID >= res.LocationID:
			return fmt.Errorf("reservations of %s not sorted by location or duplicated: %s then %s", basket, rs[i-1].LocationID, res.LocationID)
		case len(res.Lines) == 0:
			return fmt.Errorf("reservation of %s at %s has no lines", basket, res.LocationID)
		}
		for j, l := range res.Lines {
			if l.Quantity <= 0 || (j > 0 && res.Lines[j-1].SKU >= l.SKU) {
				return fmt.Errorf("reservation of %s at %s: lines not merged, sorted and positive: %v", basket, res.LocationID, res.Lines)
			}
			if l.AtRisk < 0 || l.AtRisk > l.Quantity || l.HeldSince.IsZero() {
				return fmt.Errorf("reservation of %s at %s: line %+v has no rank or AtRisk outside [0, Quantity]", basket, res.LocationID, l)
			}
		}
	}
	return nil
}

func sameReservation(a, b stock.Reservation) bool {
	return a.BasketID == b.BasketID && a.LocationID == b.LocationID && a.RequestKey == b.RequestKey &&
		a.ExpiresAt.Equal(b.ExpiresAt) && slices.EqualFunc(a.Lines, b.Lines, sameLine)
}

// sameLine compares instants with Equal: adapters may return them in
// another location.
func sameLine(a, b stock.ReserveLine) bool {
	return a.SKU == b.SKU && a.Quantity == b.Quantity && a.AtRisk == b.AtRisk && a.HeldSince.Equal(b.HeldSince)
}

func sameReservations(a, b []stock.Reservation) bool {
	return slices.EqualFunc(a, b, sameReservation)
}
