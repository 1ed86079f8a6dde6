package postgres

import (
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

// The conformance suites, each test in a fresh schema. The race sizes are
// smaller than the suites' defaults (64 goroutines × 1,000 versions, 1,000
// oversell rounds of 50 racers): 32 goroutines × 500 versions and 500
// rounds keep the package around a minute with -race on two cores (the
// defaults take about 100 s and pass too); -short shrinks them further.

func raceOptions() baskettest.Options {
	if testing.Short() {
		return baskettest.Options{RaceGoroutines: 16, RaceRounds: 50}
	}
	return baskettest.Options{RaceGoroutines: 32, RaceRounds: 500}
}

func oversellRounds() int {
	if testing.Short() {
		return 20
	}
	return 500
}

func TestStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	baskettest.RunStoreTests(t, func(t *testing.T) basket.Store { return newTestStore(t, nil) }, raceOptions())
}

func stockHarness(t *testing.T) stocktest.Harness {
	clk := clock.NewFake(stocktest.Epoch)
	s := newTestStore(t, clk)
	return stocktest.Harness{Reserver: s, Provider: s, SetOnHand: s.SetOnHand, Clock: clk, OversellRounds: oversellRounds()}
}

func TestReserver(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	stocktest.RunReserverTests(t, stockHarness)
}

func TestProvider(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	stocktest.RunProviderTests(t, func(t *testing.T) stocktest.Harness {
		h := stockHarness(t)
		h.Reserver = nil
		return h
	})
}

func TestReplayStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	handofftest.RunReplayStoreTests(t, func(t *testing.T) (handoff.ReplayStore, *clock.Fake) {
		clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		return newTestStore(t, clk), clk
	})
}
