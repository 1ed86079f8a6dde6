package handoff

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Short codes are the spoken alternative to a QR token: the shopper reads
// "K7M-4QX-9TD" to an associate, who types it at their location.
//
// Guessing bound. Codes are ShortCodeLength characters drawn uniformly from
// ShortCodeAlphabet (30 characters), so a single guess at a location hits one
// of its live codes with probability at most live/30⁹. A location accepts at
// most MaxAttempts failed guesses per window (a fixed window that opens at
// the first failure), and a code lives at most TTL, so an attacker gets at
// most MaxAttempts·(⌈TTL/Window⌉+1) failures plus one final guess during a
// code's lifetime. By the union bound:
//
//	P(guess) ≤ MaxLive · (MaxAttempts·(⌈TTL/Window⌉+1) + 1) / 30⁹
//	         = 1000 · (50·(1+1) + 1) / 19 683 000 000 000
//	         ≈ 5.1·10⁻⁹   (defaults; New refuses configurations above 10⁻⁶)
const (
	// ShortCodeAlphabet holds the characters of a short code: the digits
	// and capital letters without 0, O, 1, I, L (confused when read) and U
	// (as in Crockford's base 32). 30 characters.
	ShortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	// ShortCodeLength is the number of characters of a short code, shown in
	// groups of three separated by dashes ("K7M-4QX-9TD").
	ShortCodeLength = 9
	// MaxGuessProbability bounds the chance that guessing finds any live
	// code at a location within a code's lifetime (see the bound above).
	MaxGuessProbability = 1e-6

	// DefaultShortCodeTTL is the default longest lifetime of a short code.
	DefaultShortCodeTTL = 10 * time.Minute
	// DefaultShortCodeAttempts is the default number of failed short-code
	// attempts a location may make per window.
	DefaultShortCodeAttempts = 50
	// DefaultShortCodeWindow is the default attempts window.
	DefaultShortCodeWindow = 10 * time.Minute
	// DefaultShortCodeMaxLive is the default number of short codes that may
	// be live at once at one location.
	DefaultShortCodeMaxLive = 1000
)

// ShortCodeConfig bounds short codes. Zero fields take the defaults.
type ShortCodeConfig struct {
	// TTL is the longest lifetime of a code; a code never outlives the
	// claims it stands for. Default [DefaultShortCodeTTL].
	TTL time.Duration
	// MaxAttempts is the number of failed attempts a location may make per
	// Window before [ErrTooManyAttempts]. Default [DefaultShortCodeAttempts].
	MaxAttempts int
	// Window is the attempts window. Default [DefaultShortCodeWindow].
	Window time.Duration
	// MaxLive is the number of codes that may be live at once at one
	// location; more fail with [ErrTooManyCodes]. Default
	// [DefaultShortCodeMaxLive].
	MaxLive int
}

// GuessProbability returns the bound, for this configuration, on the
// probability that an attacker guessing at one location finds any live code
// there within a code's lifetime (see the arithmetic above [ShortCodeAlphabet]).
// Zero fields take the defaults.
func (cfg ShortCodeConfig) GuessProbability() float64 {
	cfg = cfg.withDefaults()
	windows := math.Ceil(float64(cfg.TTL)/float64(cfg.Window)) + 1
	guesses := float64(cfg.MaxAttempts)*windows + 1
	space := math.Pow(float64(len(ShortCodeAlphabet)), ShortCodeLength)
	return float64(cfg.MaxLive) * guesses / space
}

func (cfg ShortCodeConfig) withDefaults() ShortCodeConfig {
	if cfg.TTL == 0 {
		cfg.TTL = DefaultShortCodeTTL
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultShortCodeAttempts
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultShortCodeWindow
	}
	if cfg.MaxLive == 0 {
		cfg.MaxLive = DefaultShortCodeMaxLive
	}
	return cfg
}

// codeRegistry holds the live short codes and the attempt windows of every
// location, in memory.
type codeRegistry struct {
	cfg ShortCodeConfig

	mu        sync.Mutex
	sites     map[site]*siteState
	sweepAt   int       // sweep when there are this many sites
	nextSweep time.Time // or from this time on
}

type site struct{ retailer, location string }

type siteState struct {
	codes       map[string]codeEntry // canonical code (no dashes) → entry
	windowStart time.Time            // first failure of the current window
	failures    int
}

type codeEntry struct {
	claims    Claims
	expiresAt time.Time
}

func newCodeRegistry(cfg ShortCodeConfig) (*codeRegistry, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.TTL < time.Second || cfg.Window < time.Second || cfg.MaxAttempts < 1 || cfg.MaxLive < 1:
		return nil, fmt.Errorf("%w: ShortCodes: TTL and Window must be at least 1s, MaxAttempts and MaxLive at least 1", ErrInvalid)
	case !(cfg.GuessProbability() <= MaxGuessProbability):
		return nil, fmt.Errorf("%w: ShortCodes: guessing probability %.2g exceeds %g", ErrInvalid, cfg.GuessProbability(), MaxGuessProbability)
	}
	return &codeRegistry{cfg: cfg, sites: make(map[site]*siteState), sweepAt: 64}, nil
}

// IssueShortCode returns a short code ("K7M-4QX-9TD") standing for c at
// c.Audience's location, usually the claims just returned by
// [Service.Issue], so that the QR token and the code are alternatives for
// the same grant: redeeming either one consumes the shared nonce. The code
// lives until c.ExpiresAt or for [ShortCodeConfig.TTL], whichever is
// sooner.
//
// c must name a basket, a purpose, a retailer and a location (a
// retailer-wide code would be guessable at every location), carry a nonce,
// and expire in the future within [Config.MaxTTL]; otherwise the error
// matches [ErrInvalid]. [ErrTooManyCodes] means the location holds
// [ShortCodeConfig.MaxLive] live codes.
//
// Codes are held in the Service's memory: a deployment with several
// instances must send a location's short-code traffic to one instance.
func (s *Service) IssueShortCode(ctx context.Context, c Claims) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	now := s.clock.Now()
	switch {
	case c.Basket == uuid.Nil || !c.Purpose.valid() || !c.Audience.valid() || c.Audience.Location == "":
		return "", fmt.Errorf("%w: claims need a basket, a purpose, a retailer and a location", ErrInvalid)
	case c.Nonce == [NonceLen]byte{}:
		return "", fmt.Errorf("%w: claims need a nonce", ErrInvalid)
	case !c.ExpiresAt.After(now) || c.ExpiresAt.After(now.Add(s.maxTTL)):
		return "", fmt.Errorf("%w: claims must expire in the future, within MaxTTL", ErrInvalid)
	}
	expiresAt := now.Add(s.codes.cfg.TTL)
	if c.ExpiresAt.Before(expiresAt) {
		expiresAt = c.ExpiresAt
	}
	at := site{c.Audience.Retailer, c.Audience.Location}
	// Draw candidates before locking; a collision with a live code at the
	// same location (probability ≤ MaxLive/30⁹) draws again.
	for range 4 {
		code, err := s.drawCode()
		if err != nil {
			return "", err
		}
		ok, err := s.codes.put(at, code, codeEntry{claims: c, expiresAt: expiresAt}, now)
		if err != nil {
			return "", err
		}
		if ok {
			return formatCode(code), nil
		}
	}
	return "", fmt.Errorf("handoff: could not draw a unique short code; is the random source broken?")
}

// drawCode draws ShortCodeLength characters uniformly from the alphabet by
// rejection sampling on random bytes.
func (s *Service) drawCode() (string, error) {
	const n = len(ShortCodeAlphabet)
	const limit = 256 / n * n // bytes ≥ limit would bias the draw
	var code [ShortCodeLength]byte
	var buf [2 * ShortCodeLength]byte
	for i, rounds := 0, 0; i < len(code); rounds++ {
		if rounds == 16 { // P(a good source needs 16 rounds) < 10⁻⁹⁰
			return "", fmt.Errorf("handoff: random source yields only biased bytes")
		}
		if err := s.read(buf[:]); err != nil {
			return "", err
		}
		for _, b := range buf {
			if int(b) < limit && i < len(code) {
				code[i] = ShortCodeAlphabet[int(b)%n]
				i++
			}
		}
	}
	return string(code[:]), nil
}

func formatCode(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		if i > 0 && i%3 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(code[i])
	}
	return b.String()
}

// NormalizeShortCode returns the canonical form of a typed short code
// (ShortCodeLength characters, no separators) or an error matching
// [ErrMalformed]. It upper-cases ASCII letters and drops spaces and dashes.
// It maps no look-alike characters: 0, O, 1, I, L and U never appear in a
// code, and each could stand for more than one character of the alphabet
// (O for D or Q, I or L for 1 or 7, U for V), so a code containing them is
// refused rather than guessed, and the associate asks again.
func NormalizeShortCode(code string) (string, error) {
	if len(code) > 4*ShortCodeLength {
		return "", fmt.Errorf("%w: short code too long", ErrMalformed)
	}
	b := make([]byte, 0, ShortCodeLength)
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		if strings.IndexByte(ShortCodeAlphabet, c) < 0 {
			return "", fmt.Errorf("%w: character not used in short codes", ErrMalformed)
		}
		b = append(b, c)
	}
	if len(b) != ShortCodeLength {
		return "", fmt.Errorf("%w: a short code has %d characters", ErrMalformed, ShortCodeLength)
	}
	return string(b), nil
}

// RedeemShortCode redeems a short code typed at expect.Location and returns
// the claims it stands for. The code is single use, and so is the grant
// behind it: its nonce is consumed in the [ReplayStore] like the token's.
//
// Errors: [ErrInvalid] if expect has no Location; [ErrMalformed] if code
// cannot be a short code (not counted as an attempt); [ErrTooManyAttempts]
// while the location has used up its failed attempts for the window;
// [ErrUnknownCode] if no live code matches here (counted as a failed
// attempt); [ErrWrongPurpose] if the code is for the other purpose (the code
// stays live); [ErrAlreadyUsed] if the grant was already redeemed; [ErrExpired]
// if the claims expired.
func (s *Service) RedeemShortCode(ctx context.Context, code string, expect Expectation) (Claims, error) {
	if err := expect.validate(); err != nil {
		return Claims{}, err
	}
	if expect.Location == "" {
		return Claims{}, fmt.Errorf("%w: expectation: short codes are redeemed at a location", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return Claims{}, err
	}
	canon, err := NormalizeShortCode(code)
	if err != nil {
		return Claims{}, err
	}
	now := s.clock.Now()
	c, err := s.codes.take(site{expect.Retailer, expect.Location}, canon, expect.Purpose, now)
	if err != nil {
		return Claims{}, err
	}
	if err := s.checkTime(c, now); err != nil {
		return Claims{}, err
	}
	if err := s.consume(ctx, c); err != nil {
		return Claims{}, err
	}
	return c, nil
}

// put stores e under (at, code) unless that code is live there (false) or
// the location is full (ErrTooManyCodes).
func (r *codeRegistry) put(at site, code string, e codeEntry, now time.Time) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.maybeSweep(now)
	st := r.sites[at]
	if st == nil {
		st = &siteState{codes: make(map[string]codeEntry)}
		r.sites[at] = st
	}
	if old, ok := st.codes[code]; ok && now.Before(old.expiresAt) {
		return false, nil
	}
	if len(st.codes) >= r.cfg.MaxLive {
		st.prune(now)
		if len(st.codes) >= r.cfg.MaxLive {
			return false, ErrTooManyCodes
		}
	}
	st.codes[code] = e
	return true, nil
}

// take removes and returns the live entry for (at, code), counting a miss
// as a failed attempt.
func (r *codeRegistry) take(at site, code string, p Purpose, now time.Time) (Claims, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.maybeSweep(now)
	st := r.sites[at]
	if st == nil {
		st = &siteState{codes: make(map[string]codeEntry)}
		r.sites[at] = st
	}
	windowOpen := !st.windowStart.IsZero() && now.Before(st.windowStart.Add(r.cfg.Window))
	if !windowOpen {
		st.windowStart, st.failures = time.Time{}, 0
	}
	if st.failures >= r.cfg.MaxAttempts {
		return Claims{}, ErrTooManyAttempts
	}
	e, ok := st.codes[code]
	if !ok || !now.Before(e.expiresAt) {
		if st.failures == 0 {
			st.windowStart = now
		}
		st.failures++
		return Claims{}, ErrUnknownCode
	}
	if e.claims.Purpose != p {
		return Claims{}, ErrWrongPurpose
	}
	delete(st.codes, code)
	return e.claims, nil
}

// maybeSweep drops expired codes and idle locations once the number of
// locations has doubled since the last sweep or a Window has passed since
// it, so memory follows what is live at an amortized O(1) cost per call.
func (r *codeRegistry) maybeSweep(now time.Time) {
	if len(r.sites) < r.sweepAt && now.Before(r.nextSweep) {
		return
	}
	r.nextSweep = now.Add(r.cfg.Window)
	for at, st := range r.sites {
		st.prune(now)
		idle := st.windowStart.IsZero() || !now.Before(st.windowStart.Add(r.cfg.Window))
		if len(st.codes) == 0 && idle {
			delete(r.sites, at)
		}
	}
	r.sweepAt = max(64, 2*len(r.sites))
}

func (st *siteState) prune(now time.Time) {
	for code, e := range st.codes {
		if !now.Before(e.expiresAt) {
			delete(st.codes, code)
		}
	}
}
