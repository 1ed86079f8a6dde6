package handoff

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/omnibasket/omnibasket/internal/redact"
)

// How the types that hold key material print, encode and log themselves:
// with their key IDs, times and settings, and never a key's bytes. Those
// are held in [Secret]s, which are opaque, so even reflection (a KeyRing
// value reached through an unexported field of another struct, where fmt
// cannot call these methods) reaches only a func, which fmt prints as an
// address.

// public returns the ring's keys as [Key]s: what is shown of a key. Their
// Secrets are the ring's, which print as "[redacted N bytes]" and which no
// encoder can open.
func (r KeyRing) public() []Key {
	keys := make([]Key, len(r.keys))
	for i, k := range r.keys {
		keys[i] = Key{ID: k.id, Secret: k.secret, ActiveFrom: k.activeFrom, RetireAt: k.retireAt}
	}
	return keys
}

// String lists the ring's keys, oldest first, each as [Key.String] does:
// ID, secret length, ActiveFrom and RetireAt, never the secret.
//
// String, GoString, Format and MarshalJSON have value receivers, so that a
// KeyRing value (not only a *KeyRing) prints and encodes this way too.
func (r KeyRing) String() string {
	var b strings.Builder
	b.WriteString("handoff.KeyRing{")
	for i, k := range r.public() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.String())
	}
	b.WriteString("}")
	return b.String()
}

// GoString is like String, for the %#v verb.
func (r KeyRing) GoString() string { return r.String() }

// Format implements [fmt.Formatter]: every verb prints [KeyRing.String]
// (quoted for %q), so that no verb, %x and %d included, reaches a secret.
func (r KeyRing) Format(f fmt.State, verb rune) { redact.Format(f, verb, r.String(), r.GoString()) }

// MarshalJSON implements [encoding/json.Marshaler]:
// {"Keys":[{"ID":"k1","Secret":"[redacted 32 bytes]","ActiveFrom":…,"RetireAt":…}]},
// oldest key first.
func (r KeyRing) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct{ Keys []Key }{r.public()})
}

// LogValue implements [slog.LogValuer]: a group with one group per key,
// named by its ID, holding active_from, retire_at and the redacted secret.
// (Its receiver is a pointer so that a nil *KeyRing logs as "<nil>"; a
// KeyRing value logs through [KeyRing.MarshalJSON] or [KeyRing.Format].)
func (r *KeyRing) LogValue() slog.Value {
	if r == nil {
		return slog.StringValue("<nil>")
	}
	attrs := make([]slog.Attr, len(r.keys))
	for i, k := range r.public() {
		attrs[i] = slog.Group(k.ID, "active_from", k.ActiveFrom, "retire_at", k.RetireAt, "secret", k.Secret)
	}
	return slog.GroupValue(attrs...)
}

// String describes the service by its key ring ([KeyRing.String]), skew,
// longest token lifetime and short-code bounds. It shows no secret and no
// live short code.
func (s *Service) String() string {
	if s == nil {
		return "handoff.Service(nil)"
	}
	c := s.shortCodes
	return fmt.Sprintf("handoff.Service{Keys: %s, Skew: %s, MaxTTL: %s, ShortCodes: {TTL: %s, MaxAttempts: %d, Window: %s, MaxLive: %d}}",
		s.keys, s.skew, s.maxTTL, c.TTL, c.MaxAttempts, c.Window, c.MaxLive)
}

// GoString is like String, for the %#v verb.
func (s *Service) GoString() string { return s.String() }

// Format implements [fmt.Formatter]: every verb prints [Service.String]
// (quoted for %q).
func (s *Service) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String(), s.GoString()) }

// MarshalJSON implements [encoding/json.Marshaler]: the key ring as
// [KeyRing.MarshalJSON] encodes it, and the settings, durations as strings
// ("30s"): {"Keys":{…},"Skew":"30s","MaxTTL":"24h0m0s","ShortCodes":{…}}.
func (s *Service) MarshalJSON() ([]byte, error) {
	c := s.shortCodes
	type codes struct {
		TTL         string
		MaxAttempts int
		Window      string
		MaxLive     int
	}
	return json.Marshal(struct {
		Keys       *KeyRing
		Skew       string
		MaxTTL     string
		ShortCodes codes
	}{s.keys, s.skew.String(), s.maxTTL.String(), codes{c.TTL.String(), c.MaxAttempts, c.Window.String(), c.MaxLive}})
}

// LogValue implements [slog.LogValuer]: a group holding keys (as
// [KeyRing.LogValue] logs them), skew and max_ttl.
func (s *Service) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.Any("keys", s.keys), slog.Duration("skew", s.skew), slog.Duration("max_ttl", s.maxTTL))
}
