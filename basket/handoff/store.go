package handoff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// The state behind short codes and location tags lives in two small
// stores, so that several Service instances (processes, machines) sharing
// one store behave as one: a code issued on one instance is redeemed on
// another, once, and a location's failed guesses or a basket's tag
// attempts are limited across all of them, not per instance. The Service
// decides what to ask and passes the time of its injected clock to every
// call: a store judges expiry and windows against that time, never against
// its own clock (SQL now(), say), so that a fake clock drives a database
// store in tests like the memory one.
//
// The in-memory stores ([NewMemoryCodeStore], [NewMemoryAttemptStore])
// are the default and the reference; adapters/postgres has the shared
// ones; basket/handoff/handofftest has the conformance suites
// (RunCodeStoreTests, RunAttemptStoreTests) every implementation must pass.

// storeError returns the sentinel kinds a store may answer with as they
// are, and wraps anything else (a database failure) with what the Service
// was doing; either way errors.Is and errors.As see through.
func storeError(op string, err error, kinds ...error) error {
	for _, k := range kinds {
		if errors.Is(err, k) {
			return k
		}
	}
	return fmt.Errorf("handoff: %s: %w", op, err)
}

// Limit bounds attempts: at most Max per Window. Both are positive.
type Limit struct {
	Max    int
	Window time.Duration
}

func (l Limit) valid() bool { return l.Max >= 1 && l.Window > 0 }

// ShortCode is a short code as a [CodeStore] keeps it: the canonical code
// (see [NormalizeShortCode]), the claims it stands for, which name its
// location (Claims.Audience, Location never empty), and when it stops
// being redeemable.
type ShortCode struct {
	Code      string
	Claims    Claims
	ExpiresAt time.Time
}

// CodeStore keeps the live short codes of every location and, per
// location, the window of failed attempts at guessing them. Each method is
// one atomic step of the store, however many instances call it at once.
// A location is a retailer and a location ID: Audience values with a
// Location.
//
// adapters/postgres implements it for several instances on one database.
type CodeStore interface {
	// PutShortCode records c at c.Claims.Audience until c.ExpiresAt. It
	// returns false, changing nothing, if c.Code is live there already
	// (the caller draws another), and an error matching [ErrTooManyCodes]
	// if the location holds maxLive codes live at now. A code is live
	// while now is before its ExpiresAt; expired codes never count and may
	// be dropped at any time.
	PutShortCode(ctx context.Context, c ShortCode, maxLive int, now time.Time) (bool, error)

	// TakeShortCode redeems code at location at for purpose p, in one
	// step:
	//   - if the location's window of failed attempts is open at now and
	//     holds limit.Max failures: [ErrTooManyAttempts], even for a live
	//     code, and nothing changes;
	//   - if no code is live under code there: [ErrUnknownCode], and the
	//     failure is counted: a window opens at now with the first failure
	//     and closes limit.Window later, when the count starts again;
	//   - if the live code is for the other purpose: [ErrWrongPurpose],
	//     and the code stays live (not a guess: it was right);
	//   - otherwise the code is deleted and its claims returned: of any
	//     number of concurrent calls for one code, exactly one gets them.
	TakeShortCode(ctx context.Context, at Audience, code string, p Purpose, limit Limit, now time.Time) (Claims, error)
}

// AttemptStore counts the location-tag attempts of each basket in a
// sliding window ([TagConfig.Attempts] per [TagConfig.Window]), so that a
// basket cannot be walked through every store's tag, whichever instance
// it asks.
//
// adapters/postgres implements it for several instances on one database.
type AttemptStore interface {
	// CountTagAttempt records an attempt of basket b at now and returns
	// true if fewer than limit.Max of its recorded attempts fall within
	// (now-limit.Window, now]; otherwise it returns false and records
	// nothing, so that a basket that stops trying gets its allowance back
	// one window after its last counted attempt. Of concurrent calls for
	// one basket, at most limit.Max minus the attempts already in the
	// window return true. The store may forget attempts that left the
	// window of any call, so callers pass the same limit every time (a
	// Service passes its [TagConfig]).
	CountTagAttempt(ctx context.Context, b uuid.UUID, limit Limit, now time.Time) (bool, error)
}

// MemoryCodeStore is the in-memory [CodeStore]: one process's memory,
// the default of [Config.Codes] and the reference the conformance suite
// holds others to. Several instances each with their own cannot share
// codes: a deployment with several instances uses a shared store (or
// sends a location's short-code traffic to one instance).
type MemoryCodeStore struct {
	mu        sync.Mutex
	sites     map[Audience]*siteState
	sweepAt   int       // sweep when there are this many sites
	nextSweep time.Time // or from this time on
}

type siteState struct {
	codes     map[string]ShortCode // canonical code → entry
	windowEnd time.Time            // end of the window of failures; zero when none is open
	failures  int
}

// NewMemoryCodeStore returns an empty in-memory code store.
func NewMemoryCodeStore() *MemoryCodeStore {
	return &MemoryCodeStore{sites: make(map[Audience]*siteState), sweepAt: 64}
}

// PutShortCode implements [CodeStore].
func (m *MemoryCodeStore) PutShortCode(ctx context.Context, c ShortCode, maxLive int, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := c.validate(); err != nil {
		return false, err
	}
	if maxLive < 1 {
		return false, fmt.Errorf("%w: maxLive must be at least 1", ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(now)
	st := m.site(c.Claims.Audience)
	if old, ok := st.codes[c.Code]; ok && now.Before(old.ExpiresAt) {
		return false, nil
	}
	if len(st.codes) >= maxLive {
		st.prune(now)
		if len(st.codes) >= maxLive {
			return false, ErrTooManyCodes
		}
	}
	st.codes[c.Code] = c
	return true, nil
}

// TakeShortCode implements [CodeStore].
func (m *MemoryCodeStore) TakeShortCode(ctx context.Context, at Audience, code string, p Purpose, limit Limit, now time.Time) (Claims, error) {
	if err := ctx.Err(); err != nil {
		return Claims{}, err
	}
	if !at.valid() || at.Location == "" || !p.valid() || !limit.valid() {
		return Claims{}, fmt.Errorf("%w: a location, a purpose and a positive limit are required", ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.maybeSweep(now)
	st := m.site(at)
	if !now.Before(st.windowEnd) {
		st.windowEnd, st.failures = time.Time{}, 0
	}
	if st.failures >= limit.Max {
		return Claims{}, ErrTooManyAttempts
	}
	e, ok := st.codes[code]
	if !ok || !now.Before(e.ExpiresAt) {
		if st.failures == 0 {
			st.windowEnd = now.Add(limit.Window)
		}
		st.failures++
		return Claims{}, ErrUnknownCode
	}
	if e.Claims.Purpose != p {
		return Claims{}, ErrWrongPurpose
	}
	delete(st.codes, code)
	return e.Claims, nil
}

// Len returns the number of codes held, live or not yet swept: memory
// follows what is live.
func (m *MemoryCodeStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, st := range m.sites {
		n += len(st.codes)
	}
	return n
}

func (m *MemoryCodeStore) site(at Audience) *siteState {
	st := m.sites[at]
	if st == nil {
		st = &siteState{codes: make(map[string]ShortCode)}
		m.sites[at] = st
	}
	return st
}

// maybeSweep drops expired codes and idle locations once the number of
// locations has doubled since the last sweep or a minute has passed since
// it, so memory follows what is live at an amortized O(1) cost per call.
func (m *MemoryCodeStore) maybeSweep(now time.Time) {
	if len(m.sites) < m.sweepAt && now.Before(m.nextSweep) {
		return
	}
	m.nextSweep = now.Add(time.Minute)
	for at, st := range m.sites {
		st.prune(now)
		if len(st.codes) == 0 && !now.Before(st.windowEnd) {
			delete(m.sites, at)
		}
	}
	m.sweepAt = max(64, 2*len(m.sites))
}

func (st *siteState) prune(now time.Time) {
	for code, e := range st.codes {
		if !now.Before(e.ExpiresAt) {
			delete(st.codes, code)
		}
	}
}

// validate refuses a code a Service could not have issued.
func (c ShortCode) validate() error {
	if canon, err := NormalizeShortCode(c.Code); err != nil || canon != c.Code {
		return fmt.Errorf("%w: short code: not a canonical code", ErrInvalid)
	}
	if c.Claims.Basket == uuid.Nil || !c.Claims.Purpose.valid() || !c.Claims.Audience.valid() || c.Claims.Audience.Location == "" {
		return fmt.Errorf("%w: short code: claims need a basket, a purpose, a retailer and a location", ErrInvalid)
	}
	return nil
}

// MemoryAttemptStore is the in-memory [AttemptStore], the default of
// [Config.TagAttempts] and the reference: several instances each with
// their own apply the limit each, not together.
type MemoryAttemptStore struct {
	mu    sync.Mutex
	seen  map[uuid.UUID]attempts
	calls int
}

type attempts struct {
	at     []time.Time // counted attempts, oldest first
	window time.Duration
}

// NewMemoryAttemptStore returns an empty in-memory attempt store.
func NewMemoryAttemptStore() *MemoryAttemptStore {
	return &MemoryAttemptStore{seen: map[uuid.UUID]attempts{}}
}

// CountTagAttempt implements [AttemptStore].
func (m *MemoryAttemptStore) CountTagAttempt(ctx context.Context, b uuid.UUID, limit Limit, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if b == uuid.Nil || !limit.valid() {
		return false, fmt.Errorf("%w: a basket and a positive limit are required", ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	if m.calls%1024 == 0 {
		for id, a := range m.seen {
			if a.at = live(a.at, now, a.window); len(a.at) == 0 {
				delete(m.seen, id)
			} else {
				m.seen[id] = a
			}
		}
	}
	a := m.seen[b]
	a.at, a.window = live(a.at, now, limit.Window), limit.Window
	if len(a.at) >= limit.Max {
		m.seen[b] = a
		return false, nil
	}
	a.at = append(a.at, now)
	m.seen[b] = a
	return true, nil
}

// live drops the attempts that left the window ending at now.
func live(ts []time.Time, now time.Time, window time.Duration) []time.Time {
	cut := now.Add(-window)
	i := slices.IndexFunc(ts, func(t time.Time) bool { return t.After(cut) })
	if i < 0 {
		return ts[:0]
	}
	return ts[i:]
}
