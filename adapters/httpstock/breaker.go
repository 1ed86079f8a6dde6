package httpstock

import (
	"fmt"
	"sync"
	"time"

	"github.com/omnibasket/omnibasket/clock"
)

// BreakerState is the state of a [Client]'s circuit breaker.
type BreakerState uint8

// The breaker states.
const (
	// Closed: calls go through; consecutive failures are counted.
	Closed BreakerState = iota
	// Open: calls fail fast with [ErrCircuitOpen] until the cooldown ends.
	Open
	// HalfOpen: the cooldown has ended; one probe call is let through and
	// decides between Closed and Open.
	HalfOpen
)

// String names the state.
func (s BreakerState) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("breaker-state(%d)", uint8(s))
}

// outcome is how a call ended, for the breaker.
type outcome uint8

const (
	succeeded outcome = iota
	failed            // the endpoint failed
	neutral           // the caller gave up: says nothing about the endpoint
)

// breaker is a consecutive-failure circuit breaker. A nil *breaker lets
// every call through.
type breaker struct {
	clk       clock.Clock
	threshold int
	cooldown  time.Duration

	mu        sync.Mutex
	state     BreakerState
	failures  int
	openUntil time.Time
	probing   bool // a half-open probe is in flight
}

// allow says whether a call may go; probe is true for the single call let
// through after the cooldown. Every allowed call must be followed by done.
func (b *breaker) allow() (ok, probe bool) {
	if b == nil {
		return true, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case Open:
		if b.clk.Now().Before(b.openUntil) {
			return false, false
		}
		b.state = HalfOpen
		fallthrough
	case HalfOpen:
		if b.probing {
			return false, false
		}
		b.probing = true
		return true, true
	}
	return true, false
}

// done records the outcome of an allowed call.
func (b *breaker) done(probe bool, o outcome) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch {
	case o == succeeded:
		b.state, b.failures = Closed, 0
	case o == neutral:
		// A probe whose caller gave up leaves the breaker half-open: the
		// next call probes again.
	case probe || b.state == Closed:
		b.failures++
		if probe || b.failures >= b.threshold {
			b.state, b.openUntil = Open, b.clk.Now().Add(b.cooldown)
		}
	}
}

func (b *breaker) current() BreakerState {
	if b == nil {
		return Closed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == Open && !b.clk.Now().Before(b.openUntil) {
		return HalfOpen
	}
	return b.state
}
