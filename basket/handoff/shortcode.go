package handoff

import (
	"context"
	"fmt"
	"math"
	"strings"
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

// check refuses bounds under which guessing could succeed.
func (cfg ShortCodeConfig) check() error {
	switch {
	case cfg.TTL < time.Second || cfg.Window < time.Second || cfg.MaxAttempts < 1 || cfg.MaxLive < 1:
		return fmt.Errorf("%w: ShortCodes: TTL and Window must be at least 1s, MaxAttempts and MaxLive at least 1", ErrInvalid)
	case !(cfg.GuessProbability() <= MaxGuessProbability):
		return fmt.Errorf("%w: ShortCodes: guessing probability %.2g exceeds %g", ErrInvalid, cfg.GuessProbability(), MaxGuessProbability)
	}
	return nil
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
// Codes are held in the [CodeStore] ([Config.Codes]): in this process's
// memory by default, so a deployment with several instances either shares
// a store (adapters/postgres) or sends a location's short-code traffic to
// one instance.
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
	expiresAt := now.Add(s.shortCodes.TTL)
	if c.ExpiresAt.Before(expiresAt) {
		expiresAt = c.ExpiresAt
	}
	// Draw candidates before locking; a collision with a live code at the
	// same location (probability ≤ MaxLive/30⁹) draws again.
	for range 4 {
		code, err := s.drawCode()
		if err != nil {
			return "", err
		}
		ok, err := s.codes.PutShortCode(ctx, ShortCode{Code: code, Claims: c, ExpiresAt: expiresAt}, s.shortCodes.MaxLive, now)
		if err != nil {
			return "", storeError("storing short code", err, ErrTooManyCodes)
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
	at := Audience{Retailer: expect.Retailer, Location: expect.Location}
	limit := Limit{Max: s.shortCodes.MaxAttempts, Window: s.shortCodes.Window}
	c, err := s.codes.TakeShortCode(ctx, at, canon, expect.Purpose, limit, now)
	if err != nil {
		return Claims{}, storeError("taking short code", err, ErrTooManyAttempts, ErrUnknownCode, ErrWrongPurpose)
	}
	if err := s.checkTime(c, now); err != nil {
		return Claims{}, err
	}
	if err := s.consume(ctx, c); err != nil {
		return Claims{}, err
	}
	return c, nil
}
