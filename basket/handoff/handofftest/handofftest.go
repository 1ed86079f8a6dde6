// Package handofftest holds the conformance suites that every
// [handoff.ReplayStore], [handoff.CodeStore] and [handoff.AttemptStore]
// implementation must pass (RunReplayStoreTests, RunCodeStoreTests,
// RunAttemptStoreTests), concurrency included.
//
// An adapter runs them from its own tests:
//
//	func TestReplayStore(t *testing.T) {
//		handofftest.RunReplayStoreTests(t, func(t *testing.T) (handoff.ReplayStore, *clock.Fake) {
//			clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
//			return memory.NewReplayStore(clk), clk
//		})
//	}
package handofftest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// Concurrency is the number of goroutines that race to consume one nonce.
const Concurrency = 100

// RunReplayStoreTests runs the conformance suite against stores made by
// newStore, called once per subtest. newStore must return a store holding
// no nonce (for a database: a fresh schema or truncated table) and the fake
// clock the store judges expiry with; the suite moves that clock.
//
// The suite checks: a nonce is consumed once; a second Consume returns an
// error matching [handoff.ErrAlreadyUsed]; of [Concurrency] concurrent
// consumers of one nonce exactly one succeeds; distinct nonces (even sharing
// a prefix) are independent; a nonce is remembered until its expiry and may
// be forgotten after it; the store does not retain the caller's slice; and
// live nonces survive while many others are added and expire.
func RunReplayStoreTests(t *testing.T, newStore func(t *testing.T) (handoff.ReplayStore, *clock.Fake)) {
	t.Helper()
	ctx := context.Background()

	t.Run("ConsumeOnce", func(t *testing.T) {
		s, clk := newStore(t)
		mustConsume(t, s, nonce("once", 0), clk.Now().Add(time.Minute))
	})

	t.Run("SecondIsAlreadyUsed", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		mustConsume(t, s, nonce("twice", 0), exp)
		mustBeUsed(t, s, nonce("twice", 0), exp)
		mustBeUsed(t, s, nonce("twice", 0), exp) // and stays used
	})

	t.Run("ConcurrentSingleWinner", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, Concurrency)
		start := make(chan struct{})
		for i := range Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.Consume(ctx, nonce("race", 0), exp)
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, handoff.ErrAlreadyUsed):
				t.Errorf("consumer %d: got %v, want nil or ErrAlreadyUsed", i, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d of %d concurrent consumers succeeded, want exactly 1", wins, Concurrency)
		}
	})

	t.Run("DistinctNoncesIndependent", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		a, b := nonce("distinct", 1), nonce("distinct", 2)
		mustConsume(t, s, a, exp)
		mustConsume(t, s, b, exp)
		mustBeUsed(t, s, a, exp)
		mustBeUsed(t, s, b, exp)
		mustConsume(t, s, a[:len(a)-1], exp) // a prefix is another nonce
		mustConsume(t, s, append(append([]byte{}, a...), 0), exp)
	})

	t.Run("ConcurrentDistinctNonces", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, Concurrency)
		for i := range Concurrency {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Consume(ctx, nonce("many", i), exp)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("nonce %d: %v, want nil", i, err)
			}
		}
	})

	t.Run("RememberedUntilExpiry", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		mustConsume(t, s, nonce("until", 0), exp)
		clk.Set(exp.Add(-time.Nanosecond))
		mustBeUsed(t, s, nonce("until", 0), exp)
	})

	t.Run("MayForgetAfterExpiry", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		mustConsume(t, s, nonce("forget", 0), exp)
		clk.Set(exp.Add(time.Hour))
		err := s.Consume(ctx, nonce("forget", 0), clk.Now().Add(time.Minute))
		if err != nil && !errors.Is(err, handoff.ErrAlreadyUsed) {
			t.Fatalf("consume after expiry: %v, want nil or ErrAlreadyUsed", err)
		}
		mustConsume(t, s, nonce("forget", 1), clk.Now().Add(time.Minute))
	})

	t.Run("DoesNotRetainSlice", func(t *testing.T) {
		s, clk := newStore(t)
		exp := clk.Now().Add(time.Minute)
		buf := nonce("retain", 0)
		mustConsume(t, s, buf, exp)
		buf[0] ^= 0xff
		mustBeUsed(t, s, nonce("retain", 0), exp)
		mustConsume(t, s, buf, exp)
	})

	t.Run("LiveNoncesSurviveChurn", func(t *testing.T) {
		s, clk := newStore(t)
		start := clk.Now()
		const n = 3000
		for i := range n {
			exp := start.Add(time.Second) // short-lived
			if i%3 == 0 {
				exp = start.Add(time.Hour) // long-lived
			}
			mustConsume(t, s, nonce("churn", i), exp)
		}
		clk.Advance(time.Minute)
		for i := range n { // fresh nonces, letting the store prune
			mustConsume(t, s, nonce("churn2", i), clk.Now().Add(time.Second))
		}
		for i := 0; i < n; i += 3 {
			mustBeUsed(t, s, nonce("churn", i), start.Add(time.Hour))
		}
	})
}

// nonce returns a deterministic 12-byte nonce for (label, i).
func nonce(label string, i int) []byte {
	b := make([]byte, handoff.NonceLen)
	copy(b, fmt.Sprintf("%s#%d", label, i))
	b[handoff.NonceLen-1] ^= byte(i) ^ 0x5a
	return b
}

func mustConsume(t *testing.T, s handoff.ReplayStore, n []byte, exp time.Time) {
	t.Helper()
	if err := s.Consume(context.Background(), n, exp); err != nil {
		t.Fatalf("Consume(%x): %v, want nil", n, err)
	}
}

func mustBeUsed(t *testing.T, s handoff.ReplayStore, n []byte, exp time.Time) {
	t.Helper()
	if err := s.Consume(context.Background(), n, exp); !errors.Is(err, handoff.ErrAlreadyUsed) {
		t.Fatalf("Consume(%x) again: %v, want ErrAlreadyUsed", n, err)
	}
}
