package handoff

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Location tags are the reverse of a check-in token: the store shows the
// code (a poster, a screen by the door, an NFC tag at the fitting rooms)
// and the shopper's phone presents it, so that the shopper checks in
// without queueing for an associate.
//
// A tag names one location and says nothing about a basket, so it cannot be
// a bearer grant: it is the same for every shopper who walks past it
// during one rotation, and anyone can photograph it. What it proves is
// only that its holder saw it recently; the basket side ([Service.RedeemTag]
// with the basket it is presented for) is for the caller to authorise
// with the shopper's own session. Three things keep a photographed tag of
// little use: it is refused at any other location, it expires when the
// rotation ends (plus [TagConfig.Grace]), and the attempts of one basket are
// limited ([TagConfig.Attempts] per [TagConfig.Window]), so that a basket
// cannot be walked through every store's tag.
//
// Tags are deterministic within a rotation: the store prints one tag per
// period, and two requests for it get the same string, which makes
// printing and NFC writing idempotent.
//
// Wire format, location tag version 1 (all integers big-endian):
//
//	offset  size  field
//	0       1     format = 0xB1 (location tag, version 1; pins HMAC-SHA-256, truncated to 16 bytes)
//	1       1     k = len(key ID), 1..16
//	2       k     key ID
//	        5     valid from (the rotation's start), Unix seconds
//	        5     expires at (the rotation's end), Unix seconds
//	        1     r = len(retailer), 1..32
//	        r     retailer
//	        1     l = len(location), 1..32
//	        l     location
//	        16    MAC = HMAC-SHA-256(secret, "omnibasket/location-tag\x00" ‖ all bytes above)[:16]
//
// encoded, like a check-in token, with strict unpadded URL-safe base64.
const (
	tagV1 = 0xB1

	minTagBytes = 1 + 1 + 1 + 2*timeLen + 1 + 1 + 1 + 1 + MACLen
	maxTagBytes = 1 + 1 + MaxKeyIDLen + 2*timeLen + 1 + MaxRetailerLen + 1 + MaxLocationLen + MACLen

	// MaxTagLen is the longest tag [Service.LocationTag] can produce, in
	// characters (151, every variable field at its maximum).
	MaxTagLen = (maxTagBytes*8 + 5) / 6
	minTagLen = (minTagBytes*8 + 5) / 6
)

// tagLabel separates this use of a key from tokens and approvals.
const tagLabel = "omnibasket/location-tag\x00"

// The defaults of [TagConfig].
const (
	DefaultTagRotation = 24 * time.Hour
	DefaultTagGrace    = 10 * time.Minute
	DefaultTagAttempts = 5
	DefaultTagWindow   = 10 * time.Minute
)

// TagConfig sets the rotation of location tags and the attempts a basket
// may make. The zero value means the defaults.
type TagConfig struct {
	// Rotation is how long one tag is issued for: the periods are aligned
	// on the Unix epoch plus Offset, so every instance agrees on them.
	// [DefaultTagRotation] when zero; between a minute and 31 days.
	Rotation time.Duration
	// Offset moves the rotation's boundary (04:00 UTC rather than
	// midnight, say, when the shop is closed); between 0 and Rotation.
	Offset time.Duration
	// Grace is how long after its rotation ends a tag is still accepted,
	// for a shopper who scanned it a moment before: [DefaultTagGrace]
	// (or Rotation, if shorter) when zero, at most Rotation.
	Grace time.Duration
	// Attempts is how many tags one basket may present per Window, right
	// or wrong: [DefaultTagAttempts] and [DefaultTagWindow] when zero.
	Attempts int
	Window   time.Duration
}

func (cfg TagConfig) withDefaults() (TagConfig, error) {
	if cfg.Rotation == 0 {
		cfg.Rotation = DefaultTagRotation
	}
	if cfg.Grace == 0 {
		cfg.Grace = min(DefaultTagGrace, cfg.Rotation)
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = DefaultTagAttempts
	}
	if cfg.Window == 0 {
		cfg.Window = DefaultTagWindow
	}
	switch {
	case cfg.Rotation < time.Minute || cfg.Rotation > 31*24*time.Hour || cfg.Rotation%time.Second != 0:
		return cfg, fmt.Errorf("%w: TagConfig.Rotation must be whole seconds between 1m and 744h", ErrInvalid)
	case cfg.Offset < 0 || cfg.Offset >= cfg.Rotation || cfg.Offset%time.Second != 0:
		return cfg, fmt.Errorf("%w: TagConfig.Offset must be whole seconds between 0 and the rotation", ErrInvalid)
	case cfg.Grace < 0 || cfg.Grace > cfg.Rotation:
		return cfg, fmt.Errorf("%w: TagConfig.Grace must be between 0 and the rotation", ErrInvalid)
	case cfg.Attempts < 0 || cfg.Window < 0:
		return cfg, fmt.Errorf("%w: TagConfig.Attempts and Window must not be negative", ErrInvalid)
	}
	return cfg, nil
}

// TagClaims is what a location tag says.
type TagClaims struct {
	// Audience names the retailer and the one location the tag is posted at.
	Audience Audience
	KeyID    string
	// ValidFrom and ExpiresAt bound the tag's rotation.
	ValidFrom, ExpiresAt time.Time
}

// TagExpectation is what the verifier requires of a presented tag: the
// retailer and the location the shopper says they are at (the location of
// the tag's URL, or of the store whose page is open).
type TagExpectation struct {
	Retailer string
	Location string
}

// LocationTag returns the tag of the current rotation for a location, and
// its claims: the same string for every call until the rotation ends (or
// the signing key changes). a.Location is required. It returns an error
// matching [ErrInvalid] for a bad audience and [ErrNoSigningKey] if no
// key is active.
func (s *Service) LocationTag(a Audience) (string, TagClaims, error) {
	if !a.valid() || a.Location == "" {
		return "", TagClaims{}, fmt.Errorf("%w: audience: retailer must be 1 to %d bytes and location 1 to %d bytes of UTF-8",
			ErrInvalid, MaxRetailerLen, MaxLocationLen)
	}
	now := s.clock.Now()
	key, ok := s.keys.signer(now)
	if !ok {
		return "", TagClaims{}, ErrNoSigningKey
	}
	from, until := s.rotation(now)
	if from.Unix() < 0 || until.Unix() > maxUnix {
		return "", TagClaims{}, fmt.Errorf("%w: clock out of range", ErrInvalid)
	}
	c := TagClaims{Audience: a, KeyID: key.id, ValidFrom: from, ExpiresAt: until}
	b := appendTag(make([]byte, 0, maxTagBytes), &c)
	b = append(b, tagMAC(key.secret.reveal(), b)...)
	return b64.EncodeToString(b), c, nil
}

// rotation returns the bounds of the rotation period holding now.
func (s *Service) rotation(now time.Time) (time.Time, time.Time) {
	period := int64(s.tags.Rotation / time.Second)
	shifted := now.Unix() - int64(s.tags.Offset/time.Second)
	start := shifted - ((shifted%period)+period)%period
	from := time.Unix(start+int64(s.tags.Offset/time.Second), 0).UTC()
	return from, from.Add(s.tags.Rotation)
}

// VerifyTag checks a presented tag without counting an attempt. The checks
// run in this order, and the first failure is returned: format
// ([ErrMalformed]; a check-in token or an approval presented as a tag is
// [ErrWrongPurpose]), key ([ErrUnknownKey]), MAC ([ErrBadSignature]),
// audience: another retailer or location ([ErrWrongAudience]), then time:
// refused from ExpiresAt + Grace + skew on ([ErrExpired]: an old rotation)
// and before ValidFrom - skew ([ErrNotYetValid]). An empty expectation is
// [ErrInvalid].
func (s *Service) VerifyTag(tag string, expect TagExpectation) (TagClaims, error) {
	if expect.Retailer == "" || expect.Location == "" {
		return TagClaims{}, fmt.Errorf("%w: a tag expectation names the retailer and the location", ErrInvalid)
	}
	c, signed, sum, err := parseTag(tag)
	if err != nil {
		return TagClaims{}, err
	}
	now := s.clock.Now()
	key, ok := s.keys.verifier(c.KeyID, now, s.skew)
	if !ok {
		return TagClaims{}, ErrUnknownKey
	}
	if !hmac.Equal(tagMAC(key.secret.reveal(), signed), sum) {
		return TagClaims{}, ErrBadSignature
	}
	if c.Audience.Retailer != expect.Retailer || c.Audience.Location != expect.Location {
		return TagClaims{}, ErrWrongAudience
	}
	if !now.Before(c.ExpiresAt.Add(s.tags.Grace + s.skew)) {
		return TagClaims{}, ErrExpired
	}
	if c.ValidFrom.After(now.Add(s.skew)) {
		return TagClaims{}, ErrNotYetValid
	}
	return c, nil
}

// RedeemTag verifies a tag presented for one basket, after counting the
// attempt against the basket's allowance in the [AttemptStore] (shared by
// the instances that share it): past [TagConfig.Attempts] in the window,
// it fails with [ErrTooManyAttempts] whatever the tag. Right
// and wrong attempts count alike, so the limit also bounds how often one
// basket can move between stores by tag. The caller must have checked that
// the shopper presenting it holds the basket: the tag proves presence, not
// identity.
func (s *Service) RedeemTag(ctx context.Context, tag string, basket uuid.UUID, expect TagExpectation) (TagClaims, error) {
	if err := ctx.Err(); err != nil {
		return TagClaims{}, err
	}
	if basket == uuid.Nil {
		return TagClaims{}, fmt.Errorf("%w: basket ID is required", ErrInvalid)
	}
	ok, err := s.attempts.CountTagAttempt(ctx, basket, Limit{Max: s.tags.Attempts, Window: s.tags.Window}, s.clock.Now())
	if err != nil {
		return TagClaims{}, storeError("counting tag attempt", err)
	}
	if !ok {
		return TagClaims{}, ErrTooManyAttempts
	}
	return s.VerifyTag(tag, expect)
}

// appendTag appends the unsigned part of the tag for c.
func appendTag(b []byte, c *TagClaims) []byte {
	b = append(b, tagV1, byte(len(c.KeyID)))
	b = append(b, c.KeyID...)
	b = appendUnix(b, c.ValidFrom)
	b = appendUnix(b, c.ExpiresAt)
	b = append(b, byte(len(c.Audience.Retailer)))
	b = append(b, c.Audience.Retailer...)
	b = append(b, byte(len(c.Audience.Location)))
	return append(b, c.Audience.Location...)
}

// tagMAC is the truncated HMAC-SHA-256 of a tag's payload.
func tagMAC(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(tagLabel))
	h.Write(payload)
	return h.Sum(make([]byte, 0, sha256.Size))[:MACLen]
}

// parseTag decodes a tag's structure. It checks neither key nor MAC; it
// returns the claims, the signed bytes and the MAC.
func parseTag(tag string) (TagClaims, []byte, []byte, error) {
	fail := func(why string) (TagClaims, []byte, []byte, error) {
		return TagClaims{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	if len(tag) < minTagLen || len(tag) > max(MaxTagLen, MaxApprovalLen) {
		return fail("bad length")
	}
	for i := 0; i < len(tag); i++ {
		if !isB64URL(tag[i]) {
			return fail("bad character")
		}
	}
	raw, err := b64.DecodeString(tag)
	if err != nil {
		return fail("bad base64")
	}
	switch {
	case len(raw) > 0 && (raw[0] == version1 || raw[0] == approvalV1):
		return TagClaims{}, nil, nil, fmt.Errorf("%w: a check-in token or an approval is not a location tag", ErrWrongPurpose)
	case len(raw) < minTagBytes || len(tag) > MaxTagLen:
		return fail("bad length")
	case raw[0] != tagV1:
		return fail("not a location tag")
	}
	n := len(raw) - MACLen
	r := reader{b: raw[1:n]}
	var c TagClaims
	c.KeyID = string(r.bytes(int(r.byte())))
	c.ValidFrom = r.unix()
	c.ExpiresAt = r.unix()
	c.Audience.Retailer = string(r.bytes(int(r.byte())))
	c.Audience.Location = string(r.bytes(int(r.byte())))
	switch {
	case r.short:
		return fail("truncated")
	case len(r.b) != 0:
		return fail("trailing bytes")
	case len(c.KeyID) == 0 || len(c.KeyID) > MaxKeyIDLen,
		!c.Audience.valid(), c.Audience.Location == "",
		!c.ExpiresAt.After(c.ValidFrom):
		return fail("bad field")
	}
	return c, raw[:n], raw[n:], nil
}
