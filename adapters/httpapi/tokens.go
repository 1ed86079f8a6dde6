package httpapi

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/internal/redact"
)

// CredentialsError says why a request's credentials were refused. It
// matches [ErrUnauthenticated] (a 401), and says no more than Reason: never
// which key, which byte of a MAC or which part of a claim was wrong.
//
// An [Authenticator] that finds no credentials of its kind in a request
// returns one with Reason [ReasonMissing], so that [FirstOf] tries the
// next one; any other error is final.
type CredentialsError struct {
	// Scheme is the kind of credentials: "Bearer", "ApiKey", or a
	// platform's own ("Cookie", "OIDC").
	Scheme string
	// Reason is one of the Reason constants.
	Reason CredentialsReason
}

// CredentialsReason is why credentials were refused.
type CredentialsReason string

// The reasons of a [CredentialsError].
const (
	// ReasonMissing: the request carries no credentials of this scheme.
	ReasonMissing CredentialsReason = "missing"
	// ReasonMalformed: the credentials cannot be read (bad encoding,
	// repeated header, too long).
	ReasonMalformed CredentialsReason = "malformed"
	// ReasonBadSignature: a token's signature does not verify with any
	// key (forged, altered, or signed with a retired key).
	ReasonBadSignature CredentialsReason = "bad signature"
	// ReasonExpired: a token's expiry has passed.
	ReasonExpired CredentialsReason = "expired"
	// ReasonUnknownKey: an API key is not one of the configured keys.
	ReasonUnknownKey CredentialsReason = "unknown key"
)

func (e *CredentialsError) Error() string {
	if e.Scheme == "" {
		return "httpapi: credentials " + string(e.Reason)
	}
	return "httpapi: " + e.Scheme + " credentials " + string(e.Reason)
}

// Unwrap returns [ErrUnauthenticated].
func (e *CredentialsError) Unwrap() error { return ErrUnauthenticated }

// Limits of [Tokens].
const (
	// MinTokenSecret is the shortest secret [NewTokens] accepts: 32 bytes,
	// the size of an HMAC-SHA256 output, as RFC 2104 advises.
	MinTokenSecret = 32
	// MaxTokenTTL is the longest lifetime [Tokens.Mint] gives a token. A
	// bearer token cannot be revoked before it expires: a device that
	// needs a longer-lived credential gets an API key ([Keys]), which can.
	MaxTokenTTL = 7 * 24 * time.Hour
	// MaxTokenLen is the longest token [Tokens.Authenticate] reads, in
	// bytes; longer ones are malformed without being decoded.
	MaxTokenLen = 1024
	// MaxClaimLen bounds the actor's ID, location and role in a token.
	MaxClaimLen = 128
)

// tokenLabel separates this use of a secret from any other (the MAC is
// computed over the label and the encoded claims), and pins the version
// and the algorithm: a token carries no algorithm to choose.
const tokenLabel = "omnibasket/httpapi/token/v1\x00"

// Tokens are the reference bearer tokens of the API, for the standalone
// server and the demo: compact, stateless, HMAC-SHA256 signed.
//
// A token is base64url(claims) "." base64url(MAC), without padding, where
// claims is the JSON object {"kid", "kind", "id", "location_id", "role",
// "exp"} (the actor, and the expiry in Unix seconds) and the MAC is
// HMAC-SHA256 over a fixed label and the encoded claims. The signature is
// checked, in constant time, before the claims are decoded: nothing an
// attacker writes is parsed unless it was signed.
//
// Rotation: "kid" names the signing key (a digest of the secret, which
// says nothing about it). [Tokens.WithPrevious] adds a key that still
// verifies but no longer signs; deploy the new secret with the old one as
// previous, and drop the old one after [MaxTokenTTL].
//
// Tokens hold secrets: they print as "httpapi.Tokens{…}" under every fmt
// verb and encode as an empty object.
//
// Platforms that have their own identity plug it in with an
// [AuthenticatorFunc] instead, and may combine it with these tokens or
// with [Keys] using [FirstOf]:
//
//   - OIDC: read the bearer ID token, verify it with the platform's OIDC
//     library (issuer, audience, expiry, signature by the provider's
//     published keys), then map its claims to a [basket.Actor]: the
//     subject as a Shopper's ID, or for staff the associate's ID, store
//     and role from the claims the provider is configured to emit.
//   - Session cookies: read the cookie, look the session up in the
//     platform's session store, and return the actor it belongs to
//     ([ReasonMissing] when there is no cookie, another reason when the
//     session is unknown or expired).
//
// Either way the actor comes from verified credentials only, never from
// the request's body or query.
type Tokens struct {
	clk clock.Clock
	// keys[0] signs; every key verifies.
	keys []tokenKey
}

// tokenKey is one secret. mac is a func rather than the secret's bytes so
// that reflection (a *Tokens printed inside a program's own struct) finds
// nothing to print.
type tokenKey struct {
	id  string
	mac func() hash.Hash
}

func newTokenKey(secret []byte) (tokenKey, error) {
	if len(secret) < MinTokenSecret {
		return tokenKey{}, fmt.Errorf("httpapi: a token secret needs at least %d bytes, got %d", MinTokenSecret, len(secret))
	}
	key := slices.Clone(secret)
	sum := sha256.Sum256(append([]byte("omnibasket/httpapi/kid\x00"), key...))
	return tokenKey{
		id:  base64.RawURLEncoding.EncodeToString(sum[:6]),
		mac: func() hash.Hash { return hmac.New(sha256.New, key) },
	}, nil
}

// NewTokens returns tokens signed with secret (at least [MinTokenSecret]
// random bytes; the caller may clear its slice afterwards) and judged
// against clk.
func NewTokens(secret []byte, clk clock.Clock) (*Tokens, error) {
	if clk == nil {
		return nil, errors.New("httpapi: NewTokens needs a clock")
	}
	k, err := newTokenKey(secret)
	if err != nil {
		return nil, err
	}
	return &Tokens{clk: clk, keys: []tokenKey{k}}, nil
}

// WithPrevious returns tokens that sign like t and also accept tokens
// signed with previous, a secret being rotated out. t is unchanged.
func (t *Tokens) WithPrevious(previous []byte) (*Tokens, error) {
	k, err := newTokenKey(previous)
	if err != nil {
		return nil, err
	}
	for _, have := range t.keys {
		if have.id == k.id {
			return nil, errors.New("httpapi: the previous token secret is already a key")
		}
	}
	return &Tokens{clk: t.clk, keys: append(slices.Clone(t.keys), k)}, nil
}

// tokenClaims is what a token says.
type tokenClaims struct {
	KeyID      string           `json:"kid"`
	Kind       basket.ActorKind `json:"kind"`
	ID         string           `json:"id"`
	LocationID string           `json:"location_id,omitempty"`
	Role       string           `json:"role,omitempty"`
	Exp        int64            `json:"exp"`
}

// Mint returns a token for actor, valid for ttl (1 s to [MaxTokenTTL]; the
// expiry is in whole seconds, rounded down).
func (t *Tokens) Mint(actor basket.Actor, ttl time.Duration) (string, error) {
	if err := checkActor(actor); err != nil {
		return "", err
	}
	if ttl < time.Second || ttl > MaxTokenTTL {
		return "", fmt.Errorf("httpapi: a token lives from 1s to %s, not %s", MaxTokenTTL, ttl)
	}
	k := t.keys[0]
	claims, err := json.Marshal(tokenClaims{
		KeyID: k.id, Kind: actor.Kind, ID: actor.ID, LocationID: actor.LocationID, Role: actor.Role,
		Exp: t.clk.Now().Add(ttl).Unix(),
	})
	if err != nil {
		return "", fmt.Errorf("httpapi: encoding token claims: %w", err)
	}
	payload := base64.RawURLEncoding.EncodeToString(claims)
	return payload + "." + base64.RawURLEncoding.EncodeToString(sign(k, payload)), nil
}

func sign(k tokenKey, payload string) []byte {
	m := k.mac()
	m.Write([]byte(tokenLabel))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// checkActor refuses an actor the Service would refuse, and claims too
// long to be a reasonable identifier.
func checkActor(a basket.Actor) error {
	switch {
	case a.Kind < basket.Shopper || a.Kind > basket.System:
		return fmt.Errorf("httpapi: unknown actor kind %d", uint8(a.Kind))
	case a.ID == "":
		return errors.New("httpapi: the actor needs an ID")
	case a.Kind == basket.Associate && a.LocationID == "":
		return errors.New("httpapi: an associate acts at a location")
	case len(a.ID) > MaxClaimLen || len(a.LocationID) > MaxClaimLen || len(a.Role) > MaxClaimLen:
		return fmt.Errorf("httpapi: the actor's ID, location and role are at most %d bytes", MaxClaimLen)
	}
	return nil
}

var b64 = base64.RawURLEncoding.Strict()

// Authenticate reads "Authorization: Bearer <token>" and returns the
// token's actor. It fails with a [*CredentialsError] (matching
// [ErrUnauthenticated]): [ReasonMissing] without an Authorization header
// or with another scheme, [ReasonMalformed], [ReasonBadSignature] or
// [ReasonExpired] otherwise.
func (t *Tokens) Authenticate(r *http.Request) (basket.Actor, error) {
	fail := func(reason CredentialsReason) (basket.Actor, error) {
		return basket.Actor{}, &CredentialsError{Scheme: "Bearer", Reason: reason}
	}
	token, reason := authorization(r, "Bearer")
	if reason != "" {
		return fail(reason)
	}
	payload, mac, ok := strings.Cut(token, ".")
	if !ok || payload == "" || strings.Contains(mac, ".") {
		return fail(ReasonMalformed)
	}
	got, err := b64.DecodeString(mac)
	if err != nil || len(got) != sha256.Size {
		return fail(ReasonMalformed)
	}
	var key *tokenKey
	for i := range t.keys {
		if hmac.Equal(sign(t.keys[i], payload), got) && key == nil {
			key = &t.keys[i]
		}
	}
	if key == nil {
		return fail(ReasonBadSignature)
	}
	// The claims are signed: from here on a failure is this package's
	// own bug or a token of another version, never an attacker's input.
	raw, err := b64.DecodeString(payload)
	if err != nil {
		return fail(ReasonMalformed)
	}
	var c tokenClaims
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return fail(ReasonMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail(ReasonMalformed)
	}
	if c.KeyID != key.id {
		return fail(ReasonBadSignature)
	}
	actor := basket.Actor{Kind: c.Kind, ID: c.ID, LocationID: c.LocationID, Role: c.Role}
	if checkActor(actor) != nil {
		return fail(ReasonMalformed)
	}
	if !t.clk.Now().Before(time.Unix(c.Exp, 0)) {
		return fail(ReasonExpired)
	}
	return actor, nil
}

// authorization reads the credentials of scheme (compared without regard
// to case) from the request's only Authorization header. It returns a
// reason when there are none ([ReasonMissing]: no header, or one of
// another scheme) or they cannot be read ([ReasonMalformed]).
func authorization(r *http.Request, scheme string) (string, CredentialsReason) {
	vs := r.Header.Values("Authorization")
	switch {
	case len(vs) == 0:
		return "", ReasonMissing
	case len(vs) > 1:
		return "", ReasonMalformed
	}
	v := strings.TrimSpace(vs[0])
	s, cred, _ := strings.Cut(v, " ")
	if !strings.EqualFold(s, scheme) {
		return "", ReasonMissing
	}
	cred = strings.TrimSpace(cred)
	if cred == "" || len(cred) > MaxTokenLen || strings.ContainsFunc(cred, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
		return "", ReasonMalformed
	}
	return cred, ""
}

// String describes the tokens without their secrets.
func (t *Tokens) String() string { return "httpapi.Tokens{…}" }

// GoString describes the tokens without their secrets.
func (t *Tokens) GoString() string { return "&httpapi.Tokens{…}" }

// Format prints the tokens without their secrets under every verb.
func (t *Tokens) Format(f fmt.State, verb rune) { redact.Format(f, verb, t.String(), t.GoString()) }

// MarshalJSON encodes the tokens as an empty object: they are
// configuration, not data.
func (t *Tokens) MarshalJSON() ([]byte, error) { return []byte("{}"), nil }
