package loyaltytest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/omnibasket/omnibasket/loyalty"
)

// testOverdrawRace: 50 reservations of 300 points released at the same
// instant against an account of 1000, many rounds: exactly 3 win each
// round, the others get an InsufficientError, and the account never goes
// below zero.
func testOverdrawRace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	const racers, each, held = 50, 300, 1000
	for round := range h.rounds() {
		acct := fmt.Sprintf("race-%d", round)
		e.open(acct, "", held)
		var (
			start    = make(chan struct{})
			wg       sync.WaitGroup
			wins     atomic.Int64
			failures = make(chan error, racers)
		)
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: fmt.Sprintf("%s/order-%d", acct, i), Account: acct, Points: each})
				var ie *loyalty.InsufficientError
				switch {
				case err == nil:
					wins.Add(1)
				case !errors.As(err, &ie) || ie.Account != acct:
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
		if n := wins.Load(); n != held/each {
			t.Fatalf("round %d: %d reservations of %d points succeeded on %d points, want %d", round, n, each, held, held/each)
		}
		e.want(acct, held-held/each*each, held/each*each)
	}
}

// testSameIDRace: 20 callers retrying one reservation at once: all
// succeed with the same reservation, and it holds its points once.
func testSameIDRace(t *testing.T, h Harness) {
	e := newEnv(t, h)
	const callers = 20
	for round := range max(h.rounds()/10, 2) {
		acct := fmt.Sprintf("same-%d", round)
		e.open(acct, "", 1000)
		var (
			start = make(chan struct{})
			wg    sync.WaitGroup
			got   = make(chan error, callers)
		)
		want := loyalty.Reservation{ID: acct + "/order", Account: acct, Points: 400, State: loyalty.Reserved}
		for range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: want.ID, Account: acct, Points: 400})
				if err == nil && r != want {
					err = fmt.Errorf("reservation %+v, want %+v", r, want)
				}
				got <- err
			}()
		}
		close(start)
		wg.Wait()
		close(got)
		for err := range got {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		e.want(acct, 600, 400)
	}
}

// testConcurrentConservation: reservations, releases, commits and credits
// on a few accounts from many goroutines; afterwards every account holds
// exactly what it started with, plus the credits, minus the commits, and
// its reserved points are those of the reservations still open.
func testConcurrentConservation(t *testing.T, h Harness) {
	e := newEnv(t, h)
	accounts := []string{"ann", "bob", "cid"}
	for _, a := range accounts {
		e.open(a, "", 2000)
	}
	const workers, steps = 8, 60
	type tally struct{ credited, committed, open int64 }
	tallies := make([][]tally, workers) // worker → account → what it did
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		tallies[w] = make([]tally, len(accounts))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range steps {
				ai := (w + i) % len(accounts)
				acct := accounts[ai]
				pts := int64(10 + (w*7+i*13)%90)
				id := fmt.Sprintf("w%d/%d", w, i)
				if i%4 == 3 {
					if err := h.Source.Credit(e.ctx, loyalty.CreditRequest{ID: id, Account: acct, Points: pts}); err != nil {
						errs <- fmt.Errorf("credit %s: %w", id, err)
						return
					}
					tallies[w][ai].credited += pts
					continue
				}
				_, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: id, Account: acct, Points: pts})
				if errors.Is(err, loyalty.ErrInsufficientPoints) {
					continue
				}
				if err != nil {
					errs <- fmt.Errorf("reserve %s: %w", id, err)
					return
				}
				switch i % 3 {
				case 0:
					_, err = h.Source.Commit(e.ctx, id)
					tallies[w][ai].committed += pts
				case 1:
					_, err = h.Source.Release(e.ctx, id)
				default:
					tallies[w][ai].open += pts
				}
				if err != nil {
					errs <- fmt.Errorf("close %s: %w", id, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for ai, a := range accounts {
		var sum tally
		for w := range workers {
			sum.credited += tallies[w][ai].credited
			sum.committed += tallies[w][ai].committed
			sum.open += tallies[w][ai].open
		}
		e.want(a, 2000+sum.credited-sum.committed-sum.open, sum.open)
	}
}
