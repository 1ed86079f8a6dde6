package handofftest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// What the suite demands of every ReplayStore: a nonce is consumed once.
// An adapter runs the whole suite from its tests with
// handofftest.RunReplayStoreTests(t, newStore).
func Example() {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	store := memory.NewReplayStore(clk)
	nonce := []byte("0123456789ab")
	ctx := context.Background()
	fmt.Println(store.Consume(ctx, nonce, clk.Now().Add(time.Minute)))
	err := store.Consume(ctx, nonce, clk.Now().Add(time.Minute))
	fmt.Println(errors.Is(err, handoff.ErrAlreadyUsed))
	// Output:
	// <nil>
	// true
}
