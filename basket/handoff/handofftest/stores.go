package handofftest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// Epoch is the time the store suites start from. The stores judge time by
// the instants the suites pass in, so no clock is involved.
var Epoch = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Locations the suites use: two locations of one retailer, and another
// retailer's location with the same ID, which must be kept apart.
var (
	Paris      = handoff.Audience{Retailer: "acme", Location: "store-paris-01"}
	Lyon       = handoff.Audience{Retailer: "acme", Location: "store-lyon-02"}
	OtherParis = handoff.Audience{Retailer: "globex", Location: "store-paris-01"}
)

// RunCodeStoreTests runs the conformance suite of [handoff.CodeStore]
// against stores made by newStore, called once per subtest; it must return
// a store holding no code and no attempt (for a database: a fresh schema).
//
// The suite checks: a code is taken once, with its claims as put; a code
// live at a location is not put again there, but may be at another
// location, another retailer, or once it expired; MaxLive counts only live
// codes, per location; a code is live until just before its ExpiresAt; a
// wrong purpose leaves the code live and counts no failure; failures open
// a fixed window at the first one, lock the location (even for a live
// code) after limit.Max, and count again once it closed; locations are
// independent; bad input is refused with [handoff.ErrInvalid] and changes
// nothing. Under concurrency ([Concurrency] goroutines): exactly one of the
// takers of one code wins; exactly limit.Max of the guessers at one
// location get [handoff.ErrUnknownCode] and the others
// [handoff.ErrTooManyAttempts]; exactly maxLive of the putters of distinct
// codes succeed; exactly one of the putters of one code does.
func RunCodeStoreTests(t *testing.T, newStore func(t *testing.T) handoff.CodeStore) {
	t.Helper()
	ctx := context.Background()
	wide := handoff.Limit{Max: 1000, Window: 10 * time.Minute}

	t.Run("TakeOnce", func(t *testing.T) {
		s := newStore(t)
		c := NewCode(Paris, handoff.CheckIn, 1)
		mustPut(t, s, c, 10, Epoch)
		got, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, wide, Epoch)
		require.NoError(t, err)
		require.True(t, got == c.Claims, "claims as put, times in UTC: got %+v, want %+v", got, c.Claims)
		_, err = s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, wide, Epoch)
		require.ErrorIs(t, err, handoff.ErrUnknownCode, "taken already")
	})

	t.Run("CodeLiveOncePerLocation", func(t *testing.T) {
		s := newStore(t)
		c := NewCode(Paris, handoff.CheckIn, 2)
		mustPut(t, s, c, 10, Epoch)
		again := NewCode(Paris, handoff.CheckOut, 3)
		again.Code = c.Code
		ok, err := s.PutShortCode(ctx, again, 10, Epoch)
		require.NoError(t, err)
		require.False(t, ok, "the code is live at this location")
		for _, at := range []handoff.Audience{Lyon, OtherParis} {
			other := NewCode(at, handoff.CheckIn, 4)
			other.Code = c.Code
			mustPut(t, s, other, 10, Epoch)
		}
		// The refused put changed nothing: the first code is still there,
		// for its own purpose and basket.
		got, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, wide, Epoch)
		require.NoError(t, err)
		require.Equal(t, c.Claims.Basket, got.Basket)
		// Once a code expired, its string may be put again.
		late := NewCode(Lyon, handoff.CheckOut, 5)
		late.Code = c.Code
		ok, err = s.PutShortCode(ctx, late, 10, Epoch.Add(5*time.Minute))
		require.NoError(t, err)
		require.False(t, ok, "still live at Lyon")
		late.ExpiresAt = Epoch.Add(20 * time.Minute)
		mustPut(t, s, late, 10, Epoch.Add(10*time.Minute))
		got, err = s.TakeShortCode(ctx, Lyon, c.Code, handoff.CheckOut, wide, Epoch.Add(10*time.Minute))
		require.NoError(t, err)
		require.Equal(t, late.Claims.Basket, got.Basket, "the new code replaced the expired one")
	})

	t.Run("MaxLive", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			mustPut(t, s, NewCode(Paris, handoff.CheckIn, 10+i), 3, Epoch)
		}
		_, err := s.PutShortCode(ctx, NewCode(Paris, handoff.CheckIn, 13), 3, Epoch)
		require.ErrorIs(t, err, handoff.ErrTooManyCodes)
		mustPut(t, s, NewCode(Lyon, handoff.CheckIn, 14), 3, Epoch)
		mustPut(t, s, NewCode(OtherParis, handoff.CheckIn, 15), 3, Epoch)
		mustPut(t, s, NewCode(Paris, handoff.CheckIn, 16), 4, Epoch) // the bound is the caller's
		// Taking one frees a place.
		taken := NewCode(Paris, handoff.CheckIn, 10)
		_, err = s.TakeShortCode(ctx, Paris, taken.Code, handoff.CheckIn, wide, Epoch)
		require.NoError(t, err)
		mustPut(t, s, NewCode(Paris, handoff.CheckIn, 17), 4, Epoch)
		// Expired codes do not count.
		mustPut(t, s, NewCode(Paris, handoff.CheckIn, 18), 4, Epoch.Add(10*time.Minute))
	})

	t.Run("Expiry", func(t *testing.T) {
		s := newStore(t)
		c := NewCode(Paris, handoff.CheckIn, 20)
		d := NewCode(Paris, handoff.CheckIn, 21)
		mustPut(t, s, c, 10, Epoch)
		mustPut(t, s, d, 10, Epoch)
		_, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, wide, c.ExpiresAt.Add(-time.Nanosecond))
		require.NoError(t, err, "live until just before ExpiresAt")
		_, err = s.TakeShortCode(ctx, Paris, d.Code, handoff.CheckIn, wide, d.ExpiresAt)
		require.ErrorIs(t, err, handoff.ErrUnknownCode, "expired at ExpiresAt")
	})

	t.Run("WrongPurposeKeepsCode", func(t *testing.T) {
		s := newStore(t)
		c := NewCode(Paris, handoff.CheckIn, 30)
		mustPut(t, s, c, 10, Epoch)
		tight := handoff.Limit{Max: 2, Window: time.Hour}
		for range 5 {
			_, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckOut, tight, Epoch)
			require.ErrorIs(t, err, handoff.ErrWrongPurpose)
		}
		_, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, tight, Epoch)
		require.NoError(t, err, "no failure was counted and the code stayed live")
	})

	t.Run("FailureWindow", func(t *testing.T) {
		s := newStore(t)
		limit := handoff.Limit{Max: 3, Window: 2 * time.Minute}
		c := NewCode(Paris, handoff.CheckIn, 40)
		c.ExpiresAt = Epoch.Add(time.Hour)
		mustPut(t, s, c, 10, Epoch)
		wrong := NewCode(Paris, handoff.CheckIn, 41).Code
		start := Epoch.Add(time.Minute) // the window opens at the first failure
		for i := range limit.Max {
			_, err := s.TakeShortCode(ctx, Paris, wrong, handoff.CheckIn, limit, start.Add(time.Duration(i)*time.Second))
			require.ErrorIs(t, err, handoff.ErrUnknownCode, "failure %d", i+1)
		}
		_, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, limit, start.Add(10*time.Second))
		require.ErrorIs(t, err, handoff.ErrTooManyAttempts, "locked, even for a live code")
		for _, at := range []handoff.Audience{Lyon, OtherParis} {
			_, err := s.TakeShortCode(ctx, at, wrong, handoff.CheckIn, limit, start)
			require.ErrorIs(t, err, handoff.ErrUnknownCode, "%+v is another location", at)
		}
		_, err = s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, limit, start.Add(limit.Window-time.Nanosecond))
		require.ErrorIs(t, err, handoff.ErrTooManyAttempts, "just before the window closes")
		got, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, limit, start.Add(limit.Window))
		require.NoError(t, err, "the window closed and the locked-out code stayed live")
		require.Equal(t, c.Claims.Basket, got.Basket)
		// A new window, counted from its own first failure, made exactly
		// when the old one closed: it counts from one again.
		next := start.Add(limit.Window)
		for i := range limit.Max {
			_, err := s.TakeShortCode(ctx, Paris, wrong, handoff.CheckIn, limit, next)
			require.ErrorIs(t, err, handoff.ErrUnknownCode, "failure %d of the new window", i+1)
		}
		_, err = s.TakeShortCode(ctx, Paris, wrong, handoff.CheckIn, limit, next.Add(limit.Window-time.Nanosecond))
		require.ErrorIs(t, err, handoff.ErrTooManyAttempts)
	})

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		s := newStore(t)
		good := NewCode(Paris, handoff.CheckIn, 50)
		bad := map[string]func(*handoff.ShortCode){
			"dashed code":     func(c *handoff.ShortCode) { c.Code = c.Code[:3] + "-" + c.Code[3:6] + "-" + c.Code[6:] },
			"lower case":      func(c *handoff.ShortCode) { c.Code = "k" + c.Code[1:] },
			"short code":      func(c *handoff.ShortCode) { c.Code = c.Code[:8] },
			"no location":     func(c *handoff.ShortCode) { c.Claims.Audience.Location = "" },
			"no retailer":     func(c *handoff.ShortCode) { c.Claims.Audience.Retailer = "" },
			"no basket":       func(c *handoff.ShortCode) { c.Claims.Basket = uuid.Nil },
			"no purpose":      func(c *handoff.ShortCode) { c.Claims.Purpose = 0 },
			"unknown purpose": func(c *handoff.ShortCode) { c.Claims.Purpose = 9 },
		}
		for name, edit := range bad {
			c := good
			edit(&c)
			ok, err := s.PutShortCode(ctx, c, 10, Epoch)
			assert.ErrorIs(t, err, handoff.ErrInvalid, name)
			assert.False(t, ok, name)
		}
		_, err := s.PutShortCode(ctx, good, 0, Epoch)
		assert.ErrorIs(t, err, handoff.ErrInvalid, "maxLive 0")
		for name, limit := range map[string]handoff.Limit{"no max": {Window: time.Minute}, "no window": {Max: 3}} {
			_, err := s.TakeShortCode(ctx, Paris, good.Code, handoff.CheckIn, limit, Epoch)
			assert.ErrorIs(t, err, handoff.ErrInvalid, name)
		}
		_, err = s.TakeShortCode(ctx, handoff.Audience{Retailer: "acme"}, good.Code, handoff.CheckIn, wide, Epoch)
		assert.ErrorIs(t, err, handoff.ErrInvalid, "no location")
		_, err = s.TakeShortCode(ctx, Paris, good.Code, 0, wide, Epoch)
		assert.ErrorIs(t, err, handoff.ErrInvalid, "no purpose")
		// Nothing was stored or counted: the location takes maxLive 1 and
		// locks after one failure.
		mustPut(t, s, good, 1, Epoch)
		_, err = s.TakeShortCode(ctx, Paris, NewCode(Paris, handoff.CheckIn, 51).Code, handoff.CheckIn, handoff.Limit{Max: 1, Window: time.Hour}, Epoch)
		require.ErrorIs(t, err, handoff.ErrUnknownCode)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err = s.PutShortCode(cancelled, NewCode(Lyon, handoff.CheckIn, 52), 10, Epoch)
		require.ErrorIs(t, err, context.Canceled)
	})

	t.Run("ConcurrentTakersOneWinner", func(t *testing.T) {
		s := newStore(t)
		c := NewCode(Paris, handoff.CheckIn, 60)
		mustPut(t, s, c, 10, Epoch)
		limit := handoff.Limit{Max: 10 * Concurrency, Window: time.Hour}
		errs := race(Concurrency, func(int) error {
			_, err := s.TakeShortCode(ctx, Paris, c.Code, handoff.CheckIn, limit, Epoch)
			return err
		})
		counts := tally(t, errs, nil, handoff.ErrUnknownCode)
		require.Equal(t, 1, counts[nil], "exactly one taker wins: %v", counts)
	})

	t.Run("ConcurrentGuessersLimited", func(t *testing.T) {
		s := newStore(t)
		limit := handoff.Limit{Max: 10, Window: time.Hour}
		errs := race(Concurrency, func(i int) error {
			_, err := s.TakeShortCode(ctx, Paris, NewCode(Paris, handoff.CheckIn, 1000+i).Code, handoff.CheckIn, limit, Epoch)
			return err
		})
		counts := tally(t, errs, handoff.ErrUnknownCode, handoff.ErrTooManyAttempts)
		require.Equal(t, limit.Max, counts[handoff.ErrUnknownCode], "failures counted: %v", counts)
		require.Equal(t, Concurrency-limit.Max, counts[handoff.ErrTooManyAttempts], "refusals: %v", counts)
	})

	t.Run("ConcurrentPutsMaxLive", func(t *testing.T) {
		s := newStore(t)
		const maxLive = 10
		wins := make([]bool, Concurrency)
		errs := race(Concurrency, func(i int) error {
			var err error
			wins[i], err = s.PutShortCode(ctx, NewCode(Paris, handoff.CheckIn, 2000+i), maxLive, Epoch)
			return err
		})
		counts := tally(t, errs, nil, handoff.ErrTooManyCodes)
		require.Equal(t, maxLive, counts[nil], "puts within MaxLive: %v", counts)
		for i, ok := range wins {
			require.Equal(t, errs[i] == nil, ok, "put %d: ok without error", i)
		}
	})

	t.Run("ConcurrentPutsOneCode", func(t *testing.T) {
		s := newStore(t)
		code := NewCode(Paris, handoff.CheckIn, 70).Code
		var mu sync.Mutex
		won := 0
		errs := race(Concurrency, func(i int) error {
			c := NewCode(Paris, handoff.CheckIn, 3000+i)
			c.Code = code
			ok, err := s.PutShortCode(ctx, c, 10*Concurrency, Epoch)
			if ok {
				mu.Lock()
				won++
				mu.Unlock()
			}
			return err
		})
		tally(t, errs, nil)
		require.Equal(t, 1, won, "one code, one put")
	})
}

// RunAttemptStoreTests runs the conformance suite of
// [handoff.AttemptStore] against stores made by newStore, called once per
// subtest; it must return a store holding no attempt.
//
// The suite checks: a basket has limit.Max attempts in a sliding window;
// a refused attempt is not recorded; an attempt leaves the window exactly
// limit.Window after it was made; baskets are independent; bad input is
// refused with [handoff.ErrInvalid]; and of [Concurrency] concurrent
// attempts of one basket exactly limit.Max are counted.
func RunAttemptStoreTests(t *testing.T, newStore func(t *testing.T) handoff.AttemptStore) {
	t.Helper()
	ctx := context.Background()
	limit := handoff.Limit{Max: 3, Window: 10 * time.Minute}
	b1, b2 := Basket(1), Basket(2)

	t.Run("SlidingWindow", func(t *testing.T) {
		s := newStore(t)
		for _, m := range []time.Duration{0, 5, 6} {
			mustCount(t, s, b1, limit, Epoch.Add(m*time.Minute), true)
		}
		mustCount(t, s, b1, limit, Epoch.Add(7*time.Minute), false)
		mustCount(t, s, b2, limit, Epoch.Add(7*time.Minute), true)
		mustCount(t, s, b1, limit, Epoch.Add(limit.Window-time.Nanosecond), false)
		mustCount(t, s, b1, limit, Epoch.Add(limit.Window), true) // the first left the window
		mustCount(t, s, b1, limit, Epoch.Add(limit.Window+time.Minute), false)
		mustCount(t, s, b1, limit, Epoch.Add(15*time.Minute), true) // the second left
		// Refusals were not recorded: after one window of silence, the
		// whole allowance is back.
		later := Epoch.Add(15*time.Minute + limit.Window)
		for range limit.Max {
			mustCount(t, s, b1, limit, later, true)
		}
		mustCount(t, s, b1, limit, later, false)
	})

	t.Run("SameInstant", func(t *testing.T) {
		s := newStore(t)
		for range limit.Max {
			mustCount(t, s, b1, limit, Epoch, true)
		}
		mustCount(t, s, b1, limit, Epoch, false)
	})

	t.Run("BadInput", func(t *testing.T) {
		s := newStore(t)
		for name, call := range map[string]func() (bool, error){
			"nil basket": func() (bool, error) { return s.CountTagAttempt(ctx, uuid.Nil, limit, Epoch) },
			"no max":     func() (bool, error) { return s.CountTagAttempt(ctx, b1, handoff.Limit{Window: time.Minute}, Epoch) },
			"no window":  func() (bool, error) { return s.CountTagAttempt(ctx, b1, handoff.Limit{Max: 1}, Epoch) },
		} {
			ok, err := call()
			assert.ErrorIs(t, err, handoff.ErrInvalid, name)
			assert.False(t, ok, name)
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		_, err := s.CountTagAttempt(cancelled, b1, limit, Epoch)
		require.ErrorIs(t, err, context.Canceled)
		for range limit.Max {
			mustCount(t, s, b1, limit, Epoch, true) // nothing was counted
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := newStore(t)
		wide := handoff.Limit{Max: 7, Window: time.Hour}
		mustCount(t, s, b1, wide, Epoch.Add(-time.Minute), true)
		var mu sync.Mutex
		counted := 0
		errs := race(Concurrency, func(int) error {
			ok, err := s.CountTagAttempt(ctx, b1, wide, Epoch)
			if ok {
				mu.Lock()
				counted++
				mu.Unlock()
			}
			return err
		})
		tally(t, errs, nil)
		require.Equal(t, wide.Max-1, counted, "attempts counted besides the one already in the window")
	})
}

// NewCode returns a short code at location at, deterministic in i, valid
// for ten minutes from [Epoch], for a basket and nonce derived from i.
func NewCode(at handoff.Audience, p handoff.Purpose, i int) handoff.ShortCode {
	var code [handoff.ShortCodeLength]byte
	n := i
	for j := range code {
		code[j] = handoff.ShortCodeAlphabet[n%len(handoff.ShortCodeAlphabet)]
		n /= len(handoff.ShortCodeAlphabet)
	}
	var nonce [handoff.NonceLen]byte
	copy(nonce[:], fmt.Sprintf("code#%d", i))
	exp := Epoch.Add(10 * time.Minute)
	return handoff.ShortCode{
		Code: string(code[:]),
		Claims: handoff.Claims{
			Basket: Basket(i), Purpose: p, Audience: at, KeyID: "2026-11", Nonce: nonce,
			IssuedAt: time.Unix(Epoch.Unix(), 0).UTC(), ExpiresAt: time.Unix(Epoch.Add(time.Hour).Unix(), 0).UTC(),
		},
		ExpiresAt: exp,
	}
}

// Basket returns a basket ID deterministic in i.
func Basket(i int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "handofftest basket %d", i))
}

func mustPut(t *testing.T, s handoff.CodeStore, c handoff.ShortCode, maxLive int, now time.Time) {
	t.Helper()
	ok, err := s.PutShortCode(context.Background(), c, maxLive, now)
	require.NoError(t, err, "put %s at %+v", c.Code, c.Claims.Audience)
	require.True(t, ok, "put %s at %+v", c.Code, c.Claims.Audience)
}

func mustCount(t *testing.T, s handoff.AttemptStore, b uuid.UUID, limit handoff.Limit, now time.Time, want bool) {
	t.Helper()
	ok, err := s.CountTagAttempt(context.Background(), b, limit, now)
	require.NoError(t, err)
	require.Equal(t, want, ok, "attempt at %s", now.Sub(Epoch))
}

// race runs n calls of fn at once and returns their errors.
func race(n int, fn func(i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts errs by the allowed kinds (nil for success) and fails t on
// any other error.
func tally(t *testing.T, errs []error, allowed ...error) map[error]int {
	t.Helper()
	counts := map[error]int{}
	for i, err := range errs {
		found := false
		for _, k := range allowed {
			if err == nil && k == nil || k != nil && errors.Is(err, k) {
				counts[k]++
				found = true
				break
			}
		}
		if !found {
			t.Errorf("call %d: unexpected %v (allowed: %v)", i, err, allowed)
		}
	}
	return counts
}
