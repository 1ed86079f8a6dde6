package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/internal/redact"
)

// MinAPIKeyLen is the shortest API key [NewKeys] accepts, in bytes: 16
// random bytes, base64-encoded, are 22 characters.
const MinAPIKeyLen = 22

// Keys is an [Authenticator] over static API keys from configuration, for
// integrations that hold one long-lived credential (a POS, an ERP job):
// "Authorization: ApiKey <key>" is the actor configured for that key.
// Unlike a bearer token, a key is revoked by removing it from the
// configuration.
//
// Only a SHA-256 digest of each key is kept, and a presented key is
// compared with every configured digest in constant time, so neither the
// time taken nor memory dumps tell a key. Keys print as
// "httpapi.Keys{…}" under every fmt verb and encode as an empty object.
type Keys struct {
	entries []apiKey
}

type apiKey struct {
	digest [sha256.Size]byte
	actor  basket.Actor
}

// NewKeys builds the authenticator from a map of API keys to the actors
// they authenticate. Each key is at least [MinAPIKeyLen] visible ASCII
// characters; each actor is one the Service accepts.
func NewKeys(keys map[string]basket.Actor) (*Keys, error) {
	if len(keys) == 0 {
		return nil, errors.New("httpapi: NewKeys needs at least one key")
	}
	entries := make([]apiKey, 0, len(keys))
	// Sorted, so that the first bad key reported does not depend on the
	// map's order.
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		actor := keys[k]
		switch {
		case len(k) < MinAPIKeyLen || len(k) > MaxTokenLen:
			return nil, fmt.Errorf("httpapi: an API key (of %s %q) has %d to %d bytes", actor.Kind, actor.ID, MinAPIKeyLen, MaxTokenLen)
		case strings.ContainsFunc(k, func(c rune) bool { return c < 0x21 || c > 0x7e }):
			return nil, fmt.Errorf("httpapi: an API key (of %s %q) is made of visible ASCII characters", actor.Kind, actor.ID)
		}
		if err := checkActor(actor); err != nil {
			return nil, err
		}
		entries = append(entries, apiKey{digest: sha256.Sum256([]byte(k)), actor: actor})
	}
	// The map's order must not show anywhere, not even in timing.
	slices.SortFunc(entries, func(a, b apiKey) int { return strings.Compare(string(a.digest[:]), string(b.digest[:])) })
	return &Keys{entries: entries}, nil
}

// Authenticate reads "Authorization: ApiKey <key>" and returns the key's
// actor. It fails with a [*CredentialsError] (matching
// [ErrUnauthenticated]): [ReasonMissing] without an Authorization header
// or with another scheme, [ReasonMalformed] or [ReasonUnknownKey]
// otherwise.
func (k *Keys) Authenticate(r *http.Request) (basket.Actor, error) {
	key, reason := authorization(r, "ApiKey")
	if reason != "" {
		return basket.Actor{}, &CredentialsError{Scheme: "ApiKey", Reason: reason}
	}
	d := sha256.Sum256([]byte(key))
	found, at := 0, 0
	for i := range k.entries {
		eq := subtle.ConstantTimeCompare(d[:], k.entries[i].digest[:])
		found |= eq
		at = subtle.ConstantTimeSelect(eq, i, at)
	}
	if found == 0 {
		return basket.Actor{}, &CredentialsError{Scheme: "ApiKey", Reason: ReasonUnknownKey}
	}
	return k.entries[at].actor, nil
}

// String describes the keys without them.
func (k *Keys) String() string { return "httpapi.Keys{…}" }

// GoString describes the keys without them.
func (k *Keys) GoString() string { return "&httpapi.Keys{…}" }

// Format prints the keys without them under every verb.
func (k *Keys) Format(f fmt.State, verb rune) { redact.Format(f, verb, k.String(), k.GoString()) }

// MarshalJSON encodes the keys as an empty object: they are
// configuration, not data.
func (k *Keys) MarshalJSON() ([]byte, error) { return []byte("{}"), nil }

// FirstOf returns an Authenticator that tries auths in order: a request
// without credentials for one (a [*CredentialsError] with [ReasonMissing])
// goes on to the next, any other outcome is final, so that bad
// credentials of one kind are never retried as another. A request with
// none of them fails with the last one's error.
//
// For example FirstOf(tokens, keys) serves the tablet's bearer tokens and
// the POS's API keys on the same routes.
func FirstOf(auths ...Authenticator) Authenticator {
	list := slices.Clone(auths)
	return AuthenticatorFunc(func(r *http.Request) (basket.Actor, error) {
		var err error = &CredentialsError{Reason: ReasonMissing}
		for _, a := range list {
			var actor basket.Actor
			actor, err = a.Authenticate(r)
			var ce *CredentialsError
			if err == nil || !errors.As(err, &ce) || ce.Reason != ReasonMissing {
				return actor, err
			}
		}
		return basket.Actor{}, err
	})
}
