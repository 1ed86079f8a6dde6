package handoff

import (
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/internal/redact"
)

// Limits on a [Key].
const (
	// MinSecretLen is the minimum length of a key's secret in bytes
	// (256 bits, the output size of SHA-256, as RFC 2104 recommends).
	MinSecretLen = 32
	// MaxKeyIDLen is the maximum length of a key ID in bytes. Key IDs are
	// carried in every token, so keep them short ("k7", "2026-11").
	MaxKeyIDLen = 16
)

// Key is one HMAC-SHA-256 key of a [KeyRing].
//
// A key signs new tokens from ActiveFrom until a key with a later
// ActiveFrom becomes active, and verifies tokens until RetireAt. To rotate
// without refusing live tokens, add the new key with a future ActiveFrom and
// set the old key's RetireAt at least the new key's ActiveFrom plus the
// longest token lifetime ([Config.MaxTTL]) plus the clock skew.
//
// A Key prints, encodes and logs without its secret (see [Secret]), directly
// or through a pointer, slice, map or struct field, exported or not: where
// fmt reaches a Key by reflection (an unexported field of another struct)
// and prints it field by field, its Secret still shows no byte.
type Key struct {
	// ID names the key in tokens: 1 to [MaxKeyIDLen] printable ASCII
	// characters, unique in the ring. It is not secret.
	ID string
	// Secret is at least [MinSecretLen] random bytes: [NewSecret](b), or
	// base64 in a configuration file. It redacts itself when printed or
	// encoded.
	Secret Secret
	// ActiveFrom is when the key may start signing. The zero time means
	// "always".
	ActiveFrom time.Time
	// RetireAt is when the key stops verifying: from then on, tokens signed
	// with it are refused with [ErrUnknownKey]. The zero time means "never".
	RetireAt time.Time
}

// String describes the key without its secret, so that a logged Key does
// not leak key material. (Its Secret field redacts itself too, so %d, JSON
// and slog, which do not call String, are safe as well: see [Secret].)
func (k Key) String() string {
	return fmt.Sprintf("handoff.Key{ID: %q, Secret: %s, ActiveFrom: %s, RetireAt: %s}",
		k.ID, k.Secret, k.ActiveFrom.Format(time.RFC3339), k.RetireAt.Format(time.RFC3339))
}

// GoString is like String, for the %#v verb.
func (k Key) GoString() string { return k.String() }

// Format implements [fmt.Formatter]: every verb prints [Key.String]
// (quoted for %q), so that %x and %d describe the key rather than dump it.
func (k Key) Format(f fmt.State, verb rune) { redact.Format(f, verb, k.String(), k.GoString()) }

// KeyRing is an immutable set of keys with rotation by key ID: the newest
// active key signs, every key verifies from its ActiveFrom (less the clock
// skew) until its RetireAt. It is safe for concurrent use.
//
// A KeyRing prints, encodes and logs its key IDs and times, never its
// secrets: see [KeyRing.Format], [KeyRing.MarshalJSON] and
// [KeyRing.LogValue]. Even a KeyRing that fmt reaches by reflection (a
// KeyRing value in an unexported field of another struct) shows no key
// byte under any verb: reflection finds only [Secret]s, which are opaque.
type KeyRing struct {
	keys []ringKey // sorted by activeFrom, ascending
}

type ringKey struct {
	id string
	// secret is the key's bytes. A Secret is immutable, so the ring shares
	// the caller's, and opaque to reflection (fmt reaching a KeyRing value
	// through an unexported field), so it is safe to hold here.
	secret     Secret
	activeFrom time.Time
	retireAt   time.Time // zero: never
}

// NewKeyRing validates keys and returns a ring holding copies of them. It
// returns an error matching [ErrInvalid] when there is no key, an ID is empty,
// too long, not printable ASCII or repeated, a secret is shorter than
// [MinSecretLen], a RetireAt is not after its ActiveFrom, or two keys have the
// same ActiveFrom (which one signs would be ambiguous).
func NewKeyRing(keys ...Key) (*KeyRing, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: key ring needs at least one key", ErrInvalid)
	}
	ring := &KeyRing{keys: make([]ringKey, 0, len(keys))}
	ids := make(map[string]bool, len(keys))
	for i, k := range keys {
		if len(k.ID) == 0 || len(k.ID) > MaxKeyIDLen || !printableASCII(k.ID) {
			return nil, fmt.Errorf("%w: key %d: ID must be 1 to %d printable ASCII characters", ErrInvalid, i, MaxKeyIDLen)
		}
		if ids[k.ID] {
			return nil, fmt.Errorf("%w: key %d: duplicate key ID", ErrInvalid, i)
		}
		ids[k.ID] = true
		if k.Secret.Len() < MinSecretLen {
			return nil, fmt.Errorf("%w: key %d: secret must be at least %d bytes", ErrInvalid, i, MinSecretLen)
		}
		if !k.RetireAt.IsZero() && !k.RetireAt.After(k.ActiveFrom) {
			return nil, fmt.Errorf("%w: key %d: RetireAt must be after ActiveFrom", ErrInvalid, i)
		}
		ring.keys = append(ring.keys, ringKey{
			id:         k.ID,
			secret:     k.Secret,
			activeFrom: k.ActiveFrom,
			retireAt:   k.RetireAt,
		})
	}
	slices.SortFunc(ring.keys, func(a, b ringKey) int { return a.activeFrom.Compare(b.activeFrom) })
	for i := 1; i < len(ring.keys); i++ {
		if ring.keys[i].activeFrom.Equal(ring.keys[i-1].activeFrom) {
			return nil, fmt.Errorf("%w: two keys have the same ActiveFrom", ErrInvalid)
		}
	}
	return ring, nil
}

// signer returns the newest key active at now.
func (r *KeyRing) signer(now time.Time) (*ringKey, bool) {
	for i := len(r.keys) - 1; i >= 0; i-- {
		k := &r.keys[i]
		if !k.activeFrom.After(now) && k.live(now) {
			return k, true
		}
	}
	return nil, false
}

// verifier returns the key called id if it may verify at now: active (with
// skew tolerance for a signer whose clock is ahead) and not retired.
func (r *KeyRing) verifier(id string, now time.Time, skew time.Duration) (*ringKey, bool) {
	for i := range r.keys {
		k := &r.keys[i]
		if k.id == id {
			if k.activeFrom.After(now.Add(skew)) || !k.live(now) {
				return nil, false
			}
			return k, true
		}
	}
	return nil, false
}

func (k *ringKey) live(now time.Time) bool { return k.retireAt.IsZero() || now.Before(k.retireAt) }

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
