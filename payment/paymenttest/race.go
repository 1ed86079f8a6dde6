package paymenttest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/payment"
)

// testOverdrawRace: many redemptions at the same instant, each debiting
// two cards; the first card has room for exactly ten of them. Each round,
// exactly ten succeed, the others fail with ErrInsufficientBalance and
// debit nothing, on either card.
func testOverdrawRace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	const racers = 40
	for round := range h.rounds() {
		a, b := fmt.Sprintf("A-%d", round), fmt.Sprintf("B-%d", round)
		e.issue(a, "30.00", time.Time{})
		e.issue(b, "200.00", time.Time{})
		var (
			start    = make(chan struct{})
			wg       sync.WaitGroup
			wins     atomic.Int32
			failures = make(chan error, racers)
		)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				err := e.redeem(fmt.Sprintf("r-%d-%d", round, i), debits(a, "3.00", b, "4.00")...)
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.Is(err, payment.ErrInsufficientBalance):
					failures <- err
				}
			}()
		}
		close(start)
		wg.Wait()
		close(failures)
		for err := range failures {
			t.Fatalf("round %d: unexpected error %v", round, err)
		}
		if n := wins.Load(); n != 10 {
			t.Fatalf("round %d: %d redemptions of 3.00 from 30.00 succeeded, want 10", round, n)
		}
		e.wantLeft(a, "0.00", b, "160.00")
	}
}

// testRetryRace: the same redemption retried from many goroutines at
// once (a client retrying on timeouts) debits once; so does a reversal.
func testRetryRace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	const racers = 20
	for round := range max(h.rounds()/10, 2) {
		code, id := fmt.Sprintf("GC-%d", round), fmt.Sprintf("pay-%d", round)
		e.issue(code, "50.00", time.Time{})
		for _, op := range []string{"redeem", "reverse"} {
			var (
				start    = make(chan struct{})
				wg       sync.WaitGroup
				failures = make(chan error, racers)
			)
			for range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					var err error
					if op == "redeem" {
						err = e.redeem(id, debits(code, "20.00")...)
					} else {
						err = h.Source.Reverse(e.ctx, id)
					}
					if err != nil {
						failures <- err
					}
				}()
			}
			close(start)
			wg.Wait()
			close(failures)
			for err := range failures {
				t.Fatalf("round %d: a concurrent %s failed: %v", round, op, err)
			}
			if op == "redeem" {
				e.wantLeft(code, "30.00")
			} else {
				e.wantLeft(code, "50.00")
			}
		}
	}
}
