// Package clock is the injected notion of "now" for the parts of omnibasket
// that judge expiry at run time (reservations, handoff tokens, grants).
//
// Domain code never calls time.Now: it receives a [Clock]. Production code
// passes [System]; tests pass a [*Fake] and move it by hand, so that
// "active at expiry − 1 ns, expired at expiry" is a deterministic test:
//
//	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
//	clk.Advance(15 * time.Minute)
package clock

import (
	"sync"
	"time"
)

// Clock tells the current time.
type Clock interface {
	Now() time.Time
}

// System is the wall clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// Func adapts a function to [Clock].
type Func func() time.Time

// Now calls f.
func (f Func) Now() time.Time { return f() }

// Fake is a manually driven clock, safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a fake clock stopped at t.
func NewFake(t time.Time) *Fake { return &Fake{now: t} }

// Now returns the fake's current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Set moves the clock to t (backwards too, to test clock skew).
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

// Advance moves the clock forward by d and returns the new time.
func (f *Fake) Advance(d time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	return f.now
}
