package handoff

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/clock"
)

// Purpose says what a token lets its bearer do.
type Purpose uint8

// Purposes. The zero Purpose is invalid.
const (
	// CheckIn hands a basket over to a store (or another channel).
	CheckIn Purpose = 1
	// CheckOut hands a basket back, to finish on the phone or the web.
	CheckOut Purpose = 2
)

func (p Purpose) valid() bool { return p == CheckIn || p == CheckOut }

// String returns "check-in", "check-out" or "Purpose(n)".
func (p Purpose) String() string {
	switch p {
	case CheckIn:
		return "check-in"
	case CheckOut:
		return "check-out"
	}
	return fmt.Sprintf("Purpose(%d)", uint8(p))
}

// Audience says where a token may be presented: at one location of a
// retailer, or at any location of the retailer when Location is empty.
type Audience struct {
	// Retailer is required: 1 to [MaxRetailerLen] bytes of UTF-8.
	Retailer string
	// Location is a location ID of the retailer (at most [MaxLocationLen]
	// bytes of UTF-8), or empty for "any location of the retailer".
	Location string
}

// Claims is what a verified token says. Times are UTC, in whole seconds.
type Claims struct {
	// Basket is the basket being handed off.
	Basket uuid.UUID
	// Purpose is what the bearer may do.
	Purpose Purpose
	// Audience is where the token may be presented.
	Audience Audience
	// IssuedAt is when the token was issued, rounded down to the second.
	IssuedAt time.Time
	// ExpiresAt is when the token expires, rounded down to the second;
	// verifiers accept it until ExpiresAt plus the clock skew.
	ExpiresAt time.Time
	// Nonce makes the token unique; [Service.Redeem] consumes it.
	Nonce [NonceLen]byte
	// KeyID names the key that signed the token.
	KeyID string
}

// Request asks [Service.Issue] for a token.
type Request struct {
	// Basket is the basket to hand off; the nil UUID is invalid.
	Basket uuid.UUID
	// Purpose is CheckIn or CheckOut.
	Purpose Purpose
	// Audience is where the token may be presented.
	Audience Audience
	// TTL is the token's lifetime, from 1s to [Config.MaxTTL]. The expiry
	// is rounded down to the second, never up.
	TTL time.Duration
}

// Expectation is what the verifier expects of a token: the purpose it is
// presented for and where it is presented.
type Expectation struct {
	// Purpose is CheckIn or CheckOut.
	Purpose Purpose
	// Retailer is the verifying retailer; required.
	Retailer string
	// Location is the location where the token is presented. A token for
	// one location is accepted only there; a retailer-wide token is accepted
	// at any location of its retailer. An empty Location (a verifier that
	// is not at a location) accepts only retailer-wide tokens.
	Location string
}

func (e Expectation) validate() error {
	if !e.Purpose.valid() {
		return fmt.Errorf("%w: expectation: purpose must be CheckIn or CheckOut", ErrInvalid)
	}
	if e.Retailer == "" {
		return fmt.Errorf("%w: expectation: retailer is required", ErrInvalid)
	}
	return nil
}

// ReplayStore remembers consumed nonces so that every token (and short
// code) is redeemed at most once. adapters/memory has an in-memory
// implementation; basket/handoff/handofftest has the conformance suite
// every implementation must pass.
type ReplayStore interface {
	// Consume atomically records nonce as used. It returns an error
	// matching [ErrAlreadyUsed] if nonce was already recorded, so that of
	// any number of concurrent calls with the same nonce exactly one
	// succeeds. The store must not retain the nonce slice.
	//
	// expiresAt is the time after which the nonce's token is refused anyway
	// (its expiry plus the verifier's clock skew): the store may forget the
	// nonce from then on, and must remember it until then.
	Consume(ctx context.Context, nonce []byte, expiresAt time.Time) error
}

// Defaults and bounds of a [Config].
const (
	// DefaultSkew is the default clock-skew tolerance: a token is accepted
	// until ExpiresAt+skew and refused if issued after now+skew.
	DefaultSkew = 30 * time.Second
	// MaxSkew is the largest clock-skew tolerance [New] accepts.
	MaxSkew = 5 * time.Minute
	// DefaultMaxTTL is the default longest token lifetime.
	DefaultMaxTTL = 24 * time.Hour
)

// Config configures a [Service]. Keys and Replay are required.
type Config struct {
	// Keys signs and verifies tokens.
	Keys *KeyRing
	// Replay consumes nonces on redemption.
	Replay ReplayStore
	// Clock tells the time; nil means [clock.System].
	Clock clock.Clock
	// Rand supplies nonces and short codes; nil means crypto/rand.Reader.
	// The Service serializes its reads, so a reader that is not safe for
	// concurrent use is fine.
	Rand io.Reader
	// Skew is the clock-skew tolerance between issuer and verifier; 0
	// means [DefaultSkew]. It must be between 0 and [MaxSkew].
	Skew time.Duration
	// MaxTTL bounds Request.TTL; 0 means [DefaultMaxTTL].
	MaxTTL time.Duration
	// ShortCodes configures short codes; the zero value means the defaults.
	ShortCodes ShortCodeConfig
	// Tags configures location tags; the zero value means the defaults.
	Tags TagConfig
	// Codes keeps live short codes and each location's failed attempts;
	// nil means a [MemoryCodeStore] of this Service alone. Instances that
	// share one (adapters/postgres) redeem each other's codes and limit
	// guessing together; n instances each on its own memory would allow n
	// times the guesses the bound above [ShortCodeAlphabet] counts.
	Codes CodeStore
	// TagAttempts counts each basket's location-tag attempts; nil means a
	// [MemoryAttemptStore] of this Service alone. Instances that share
	// one apply [TagConfig.Attempts] together.
	TagAttempts AttemptStore
}

// Service issues, verifies and redeems handoff tokens and short codes. It
// is safe for concurrent use.
type Service struct {
	keys   *KeyRing
	replay ReplayStore
	clock  clock.Clock
	skew   time.Duration
	maxTTL time.Duration

	randMu sync.Mutex
	rand   io.Reader

	shortCodes ShortCodeConfig
	codes      CodeStore

	tags     TagConfig
	attempts AttemptStore
}

// New checks cfg and returns a Service. It returns an error matching
// [ErrInvalid] if a required field is missing or a bound is out of range,
// including a short-code configuration whose guessing probability exceeds
// [MaxGuessProbability].
func New(cfg Config) (*Service, error) {
	if cfg.Keys == nil || len(cfg.Keys.keys) == 0 {
		return nil, fmt.Errorf("%w: Config.Keys is required", ErrInvalid)
	}
	if cfg.Replay == nil {
		return nil, fmt.Errorf("%w: Config.Replay is required", ErrInvalid)
	}
	s := &Service{keys: cfg.Keys, replay: cfg.Replay, clock: cfg.Clock, rand: cfg.Rand, skew: cfg.Skew, maxTTL: cfg.MaxTTL}
	if s.clock == nil {
		s.clock = clock.System{}
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.skew == 0 {
		s.skew = DefaultSkew
	}
	if s.skew < 0 || s.skew > MaxSkew {
		return nil, fmt.Errorf("%w: Config.Skew must be between 0 and %s", ErrInvalid, MaxSkew)
	}
	if s.maxTTL == 0 {
		s.maxTTL = DefaultMaxTTL
	}
	if s.maxTTL < time.Second {
		return nil, fmt.Errorf("%w: Config.MaxTTL must be at least 1s", ErrInvalid)
	}
	s.shortCodes = cfg.ShortCodes.withDefaults()
	if err := s.shortCodes.check(); err != nil {
		return nil, err
	}
	var err error
	if s.tags, err = cfg.Tags.withDefaults(); err != nil {
		return nil, err
	}
	s.codes, s.attempts = cfg.Codes, cfg.TagAttempts
	if s.codes == nil {
		s.codes = NewMemoryCodeStore()
	}
	if s.attempts == nil {
		s.attempts = NewMemoryAttemptStore()
	}
	return s, nil
}

// Issue returns a signed token for r, at most [MaxTokenLen] characters of
// URL-safe base64, and the claims it carries. It returns an error matching
// [ErrInvalid] for a bad request and [ErrNoSigningKey] if no key is active.
func (s *Service) Issue(r Request) (string, Claims, error) {
	switch {
	case r.Basket == uuid.Nil:
		return "", Claims{}, fmt.Errorf("%w: basket ID is required", ErrInvalid)
	case !r.Purpose.valid():
		return "", Claims{}, fmt.Errorf("%w: purpose must be CheckIn or CheckOut", ErrInvalid)
	case !r.Audience.valid():
		return "", Claims{}, fmt.Errorf("%w: audience: retailer must be 1 to %d bytes and location at most %d bytes of UTF-8",
			ErrInvalid, MaxRetailerLen, MaxLocationLen)
	case r.TTL < time.Second || r.TTL > s.maxTTL:
		return "", Claims{}, fmt.Errorf("%w: TTL must be between 1s and %s", ErrInvalid, s.maxTTL)
	}
	m, err := s.mint(r.TTL)
	if err != nil {
		return "", Claims{}, err
	}
	c := Claims{Basket: r.Basket, Purpose: r.Purpose, Audience: r.Audience, IssuedAt: m.issuedAt, ExpiresAt: m.expiresAt, KeyID: m.key.id, Nonce: m.nonce}
	return encode(&c, m.key.secret.reveal()), c, nil
}

// read fills p from the injected random source.
func (s *Service) read(p []byte) error {
	s.randMu.Lock()
	defer s.randMu.Unlock()
	if _, err := io.ReadFull(s.rand, p); err != nil {
		return fmt.Errorf("handoff: reading random source: %w", err)
	}
	return nil
}

// Verify checks token against expect and returns its claims, without
// consuming it (use [Service.Redeem] to hand the basket over). The checks
// run in this order, and the first failure is returned: format
// ([ErrMalformed]), key ID known, active and not retired ([ErrUnknownKey]),
// MAC in constant time ([ErrBadSignature]), purpose ([ErrWrongPurpose]),
// audience ([ErrWrongAudience]), then time: refused from ExpiresAt+skew on
// ([ErrExpired]) and when issued after now+skew ([ErrNotYetValid]).
// An invalid expect returns [ErrInvalid].
func (s *Service) Verify(token string, expect Expectation) (Claims, error) {
	if err := expect.validate(); err != nil {
		return Claims{}, err
	}
	w, err := parse(token)
	if err != nil {
		return Claims{}, err
	}
	now := s.clock.Now()
	key, ok := s.keys.verifier(w.claims.KeyID, now, s.skew)
	if !ok {
		return Claims{}, ErrUnknownKey
	}
	if !hmac.Equal(mac(key.secret.reveal(), w.signed), w.mac) {
		return Claims{}, ErrBadSignature
	}
	c := w.claims
	if c.Purpose != expect.Purpose {
		return Claims{}, ErrWrongPurpose
	}
	if c.Audience.Retailer != expect.Retailer ||
		c.Audience.Location != "" && c.Audience.Location != expect.Location {
		return Claims{}, ErrWrongAudience
	}
	if err := s.checkTime(c, now); err != nil {
		return Claims{}, err
	}
	return c, nil
}

func (s *Service) checkTime(c Claims, now time.Time) error {
	if !now.Before(c.ExpiresAt.Add(s.skew)) {
		return ErrExpired
	}
	if c.IssuedAt.After(now.Add(s.skew)) {
		return ErrNotYetValid
	}
	return nil
}

// Redeem verifies token like [Service.Verify] and then consumes its nonce
// in the [ReplayStore], so that a token is redeemed at most once: a second
// redemption, or all but one of many concurrent ones, fail with
// [ErrAlreadyUsed]. Call it where the basket actually changes hands.
func (s *Service) Redeem(ctx context.Context, token string, expect Expectation) (Claims, error) {
	c, err := s.Verify(token, expect)
	if err != nil {
		return Claims{}, err
	}
	if err := s.consume(ctx, c); err != nil {
		return Claims{}, err
	}
	return c, nil
}

func (s *Service) consume(ctx context.Context, c Claims) error {
	err := s.replay.Consume(ctx, c.Nonce[:], c.ExpiresAt.Add(s.skew))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrAlreadyUsed):
		return ErrAlreadyUsed
	default:
		return fmt.Errorf("handoff: consuming nonce: %w", err)
	}
}

// minted is what every token the service signs starts from, whatever it
// carries: the key that signs now, the issue and expiry times to the
// second, and a fresh nonce for the replay store.
type minted struct {
	key                 *ringKey
	issuedAt, expiresAt time.Time
	nonce               [NonceLen]byte
}

// mint starts a token valid for ttl from now.
func (s *Service) mint(ttl time.Duration) (minted, error) {
	now := s.clock.Now()
	key, ok := s.keys.signer(now)
	if !ok {
		return minted{}, ErrNoSigningKey
	}
	m := minted{key: key, issuedAt: time.Unix(now.Unix(), 0).UTC(), expiresAt: time.Unix(now.Add(ttl).Unix(), 0).UTC()}
	if m.issuedAt.Unix() < 0 || m.expiresAt.Unix() > maxUnix {
		return minted{}, fmt.Errorf("%w: clock out of range", ErrInvalid)
	}
	if err := s.read(m.nonce[:]); err != nil {
		return minted{}, err
	}
	return m, nil
}
