package handoff

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Approvals are the other signed, single-use credential of this package:
// a manager's consent to one exact change of one basket (an associate's
// price override above their limit, say), which the manager's device shows
// and the associate's tablet presents with the change. It reuses the key
// ring, the clock, the random source and the [ReplayStore] of check-in
// tokens, under a format byte and a MAC label of its own, so that neither
// kind of token can ever be taken for the other.
//
// What is approved is the caller's business: the token carries a SHA-256
// digest of it ([ApprovalRequest.Digest]), which the verifier computes again
// from the change presented and must find equal, so an approval for one
// line, amount, reason or basket approves nothing else.
//
// Wire format, approval version 1 (all integers big-endian):
//
//	offset  size  field
//	0       1     format = 0xA1 (approval, version 1; pins HMAC-SHA-256, truncated to 16 bytes)
//	1       1     k = len(key ID), 1..16
//	2       k     key ID
//	        16    basket ID (UUID bytes)
//	        12    nonce
//	        5     issued at, Unix seconds
//	        5     expires at, Unix seconds
//	        1     r = len(retailer), 1..32
//	        r     retailer
//	        1     l = len(location), 0..32 (0: any location of the retailer)
//	        l     location
//	        1     a = len(approver), 1..32
//	        a     approver
//	        32    digest of what is approved
//	        16    MAC = HMAC-SHA-256(secret, "omnibasket/approval\x00" ‖ all bytes above)[:16]
//
// encoded, like a check-in token, with strict unpadded URL-safe base64.
const (
	approvalV1 = 0xA1

	// DigestLen is the size of the digest an approval binds (SHA-256).
	DigestLen = sha256.Size
	// MaxApproverLen is the maximum length of [ApprovalRequest.Approver] in
	// bytes.
	MaxApproverLen = 32

	minApprovalBytes = 1 + 1 + 1 + 16 + NonceLen + 2*timeLen + 1 + 1 + 1 + 1 + 1 + DigestLen + MACLen
	maxApprovalBytes = 1 + 1 + MaxKeyIDLen + 16 + NonceLen + 2*timeLen + 1 + MaxRetailerLen + 1 + MaxLocationLen +
		1 + MaxApproverLen + DigestLen + MACLen

	// MaxApprovalLen is the longest token [Service.IssueApproval] can
	// produce, in characters (271, every variable field at its maximum).
	MaxApprovalLen = (maxApprovalBytes*8 + 5) / 6
	minApprovalLen = (minApprovalBytes*8 + 5) / 6
)

// approvalLabel separates this use of a key from check-in tokens.
const approvalLabel = "omnibasket/approval\x00"

// ErrWrongSubject: the approval was issued for another basket, or for
// another change than the one presented with it (another line, amount or
// reason). It matches [ErrRejected].
var ErrWrongSubject error = rejection("handoff: approval is for another change")

// ApprovalRequest asks [Service.IssueApproval] for an approval token.
type ApprovalRequest struct {
	// Basket is the basket the approved change is made to; required.
	Basket uuid.UUID
	// Audience is where the approval may be presented: the store of the
	// manager who approves, or any location of the retailer.
	Audience Audience
	// Approver identifies who approves (a staff ID): 1 to
	// [MaxApproverLen] bytes of UTF-8. It is what the verifier records.
	Approver string
	// Digest is the SHA-256 of the exact change approved, as the caller
	// encodes it; the verifier must present the same digest.
	Digest [DigestLen]byte
	// TTL is the approval's lifetime, from 1s to [Config.MaxTTL]: keep it
	// short, a few minutes, the time to walk to the till.
	TTL time.Duration
}

// ApprovalClaims is what a verified approval says. Times are UTC, in
// whole seconds.
type ApprovalClaims struct {
	Basket    uuid.UUID
	Audience  Audience
	Approver  string
	Digest    [DigestLen]byte
	IssuedAt  time.Time
	ExpiresAt time.Time
	// Nonce makes the approval unique; [Service.RedeemApproval] consumes it.
	Nonce [NonceLen]byte
	KeyID string
}

// ApprovalExpectation is what the verifier expects of an approval: where
// it is presented, and the basket and change it must approve.
type ApprovalExpectation struct {
	// Retailer is the verifying retailer; required.
	Retailer string
	// Location is where the approval is presented, with the same rule as
	// [Expectation.Location].
	Location string
	// Basket and Digest are the change presented; both must match.
	Basket uuid.UUID
	Digest [DigestLen]byte
}

// IssueApproval returns a signed approval token for r, at most
// [MaxApprovalLen] characters of URL-safe base64, and the claims it
// carries. It returns an error matching [ErrInvalid] for a bad request and
// [ErrNoSigningKey] if no key is active. Nothing is stored: the token is
// the state until it is redeemed.
func (s *Service) IssueApproval(r ApprovalRequest) (string, ApprovalClaims, error) {
	switch {
	case r.Basket == uuid.Nil:
		return "", ApprovalClaims{}, fmt.Errorf("%w: basket ID is required", ErrInvalid)
	case !r.Audience.valid():
		return "", ApprovalClaims{}, fmt.Errorf("%w: audience: retailer must be 1 to %d bytes and location at most %d bytes of UTF-8",
			ErrInvalid, MaxRetailerLen, MaxLocationLen)
	case !validApprover(r.Approver):
		return "", ApprovalClaims{}, fmt.Errorf("%w: approver must be 1 to %d bytes of UTF-8", ErrInvalid, MaxApproverLen)
	case r.Digest == [DigestLen]byte{}:
		return "", ApprovalClaims{}, fmt.Errorf("%w: the digest of what is approved is required", ErrInvalid)
	case r.TTL < time.Second || r.TTL > s.maxTTL:
		return "", ApprovalClaims{}, fmt.Errorf("%w: TTL must be between 1s and %s", ErrInvalid, s.maxTTL)
	}
	m, err := s.mint(r.TTL)
	if err != nil {
		return "", ApprovalClaims{}, err
	}
	c := ApprovalClaims{Basket: r.Basket, Audience: r.Audience, Approver: r.Approver, Digest: r.Digest,
		IssuedAt: m.issuedAt, ExpiresAt: m.expiresAt, KeyID: m.key.id, Nonce: m.nonce}
	b := appendApproval(make([]byte, 0, maxApprovalBytes), &c)
	b = append(b, approvalMAC(m.key.secret.reveal(), b)...)
	return b64.EncodeToString(b), c, nil
}

// VerifyApproval checks an approval against expect and returns its claims
// without consuming it. The checks run in this order, and the first
// failure is returned: format ([ErrMalformed]; a check-in token is
// [ErrWrongPurpose]), key ([ErrUnknownKey]), MAC in constant time
// ([ErrBadSignature]), audience ([ErrWrongAudience]), basket and digest
// ([ErrWrongSubject]), then time ([ErrExpired], [ErrNotYetValid]). An
// expectation without a retailer returns [ErrInvalid].
func (s *Service) VerifyApproval(token string, expect ApprovalExpectation) (ApprovalClaims, error) {
	if expect.Retailer == "" {
		return ApprovalClaims{}, fmt.Errorf("%w: expectation: retailer is required", ErrInvalid)
	}
	c, signed, sum, err := parseApproval(token)
	if err != nil {
		return ApprovalClaims{}, err
	}
	now := s.clock.Now()
	key, ok := s.keys.verifier(c.KeyID, now, s.skew)
	if !ok {
		return ApprovalClaims{}, ErrUnknownKey
	}
	if !hmac.Equal(approvalMAC(key.secret.reveal(), signed), sum) {
		return ApprovalClaims{}, ErrBadSignature
	}
	if c.Audience.Retailer != expect.Retailer || c.Audience.Location != "" && c.Audience.Location != expect.Location {
		return ApprovalClaims{}, ErrWrongAudience
	}
	if c.Basket != expect.Basket || !hmac.Equal(c.Digest[:], expect.Digest[:]) {
		return ApprovalClaims{}, ErrWrongSubject
	}
	if err := s.checkTime(Claims{IssuedAt: c.IssuedAt, ExpiresAt: c.ExpiresAt}, now); err != nil {
		return ApprovalClaims{}, err
	}
	return c, nil
}

// RedeemApproval verifies an approval like [Service.VerifyApproval] and
// then consumes its nonce in the [ReplayStore], so that an approval is
// used at most once: a second use, or all but one of many concurrent
// ones, fail with [ErrAlreadyUsed].
func (s *Service) RedeemApproval(ctx context.Context, token string, expect ApprovalExpectation) (ApprovalClaims, error) {
	c, err := s.VerifyApproval(token, expect)
	if err != nil {
		return ApprovalClaims{}, err
	}
	if err := s.consume(ctx, Claims{Nonce: c.Nonce, ExpiresAt: c.ExpiresAt}); err != nil {
		return ApprovalClaims{}, err
	}
	return c, nil
}

func validApprover(a string) bool {
	return len(a) > 0 && len(a) <= MaxApproverLen && utf8.ValidString(a)
}

// appendApproval appends the unsigned part of the approval for c.
func appendApproval(b []byte, c *ApprovalClaims) []byte {
	b = append(b, approvalV1, byte(len(c.KeyID)))
	b = append(b, c.KeyID...)
	b = append(b, c.Basket[:]...)
	b = append(b, c.Nonce[:]...)
	b = appendUnix(b, c.IssuedAt)
	b = appendUnix(b, c.ExpiresAt)
	b = append(b, byte(len(c.Audience.Retailer)))
	b = append(b, c.Audience.Retailer...)
	b = append(b, byte(len(c.Audience.Location)))
	b = append(b, c.Audience.Location...)
	b = append(b, byte(len(c.Approver)))
	b = append(b, c.Approver...)
	return append(b, c.Digest[:]...)
}

// approvalMAC is the truncated HMAC-SHA-256 of an approval's payload.
func approvalMAC(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(approvalLabel))
	h.Write(payload)
	return h.Sum(make([]byte, 0, sha256.Size))[:MACLen]
}

// parseApproval decodes an approval's structure. It checks neither key nor
// MAC; it returns the claims, the signed bytes and the MAC.
func parseApproval(token string) (ApprovalClaims, []byte, []byte, error) {
	fail := func(why string) (ApprovalClaims, []byte, []byte, error) {
		return ApprovalClaims{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformed, why)
	}
	if len(token) >= minTokenLen && len(token) <= MaxTokenLen {
		if _, err := parse(token); err == nil {
			return ApprovalClaims{}, nil, nil, fmt.Errorf("%w: a check-in token is not an approval", ErrWrongPurpose)
		}
	}
	if len(token) < minApprovalLen || len(token) > MaxApprovalLen {
		return fail("bad length")
	}
	for i := 0; i < len(token); i++ {
		if !isB64URL(token[i]) {
			return fail("bad character")
		}
	}
	raw, err := b64.DecodeString(token)
	if err != nil {
		return fail("bad base64")
	}
	if len(raw) < minApprovalBytes {
		return fail("truncated")
	}
	if raw[0] != approvalV1 {
		return fail("not an approval")
	}
	n := len(raw) - MACLen
	r := reader{b: raw[1:n]}
	var c ApprovalClaims
	c.KeyID = string(r.bytes(int(r.byte())))
	copy(c.Basket[:], r.bytes(16))
	copy(c.Nonce[:], r.bytes(NonceLen))
	c.IssuedAt = r.unix()
	c.ExpiresAt = r.unix()
	c.Audience.Retailer = string(r.bytes(int(r.byte())))
	c.Audience.Location = string(r.bytes(int(r.byte())))
	c.Approver = string(r.bytes(int(r.byte())))
	copy(c.Digest[:], r.bytes(DigestLen))
	switch {
	case r.short:
		return fail("truncated")
	case len(r.b) != 0:
		return fail("trailing bytes")
	case len(c.KeyID) == 0 || len(c.KeyID) > MaxKeyIDLen,
		!c.Audience.valid(),
		!validApprover(c.Approver),
		!c.ExpiresAt.After(c.IssuedAt):
		return fail("bad field")
	}
	return c, raw[:n], raw[n:], nil
}
