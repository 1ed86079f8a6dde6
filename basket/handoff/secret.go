package handoff

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/omnibasket/omnibasket/internal/redact"
)

// Secret is key material: the bytes of an HMAC key, made with [NewSecret]
// or decoded from configuration (base64, see [Secret.UnmarshalJSON] and
// [Secret.UnmarshalText]). It is opaque: no method or field gives the bytes
// back, and it never shows them when it is printed or encoded. Every fmt
// verb (%v, %+v, %#v, %s, %q, %x, %X, %d, …), String, GoString,
// encoding/json, encoding.TextMarshaler (and so encoding/xml and the text
// encoders that use it) and log/slog all give "[redacted N bytes]", where N
// is the length, which is not secret and tells a short key apart.
//
// That holds wherever the Secret is, including where fmt cannot call its
// methods: a Secret (or a [Key], a []Key, a [KeyRing] value) in an
// unexported field of a program's own struct is printed by reflection, and
// reflection finds in a Secret only a func, which fmt prints as a code
// address (the same for every Secret) under every verb, %!s(…) included.
// A []byte, a string, an array or a pointer to any of them would print
// its bytes there. Encoders that walk exported fields by reflection
// (encoding/gob, most YAML and TOML libraries) find none.
//
// A Secret is immutable: NewSecret and the decoders keep their own copy, so
// changing the caller's slice afterwards changes nothing. The zero Secret is
// empty (Len 0), and [NewKeyRing] refuses it.
type Secret struct {
	// key returns the bytes. A func, not a slice or a pointer, is the only
	// kind of field whose content fmt cannot print by reflection: see the
	// type's documentation. Nil for the zero Secret.
	key func() []byte
}

// NewSecret returns a Secret holding a copy of b (usually at least
// [MinSecretLen] random bytes from a key store). The caller may clear b
// afterwards.
func NewSecret(b []byte) Secret { return wrapSecret(slices.Clone(b)) }

// wrapSecret returns a Secret holding b itself: b must not be kept or
// changed by the caller.
//
// It is not inlined so that every Secret holds the same closure code, and
// fmt prints the same address for all of them: were it inlined, each call
// site would compile its own copy of the closure, and the address would
// tell where a Secret was made (not what it holds, but still more than
// needed).
//
//go:noinline
func wrapSecret(b []byte) Secret {
	if len(b) == 0 {
		return Secret{}
	}
	return Secret{key: func() []byte { return b }}
}

// reveal returns the key bytes, nil for the zero Secret. It is this
// package's only way to the bytes; they are shared, so callers must not
// modify them (hmac.New copies them).
func (s Secret) reveal() []byte {
	if s.key == nil {
		return nil
	}
	return s.key()
}

// Len returns the length of the secret in bytes. The length is not secret:
// it is printed too.
func (s Secret) Len() int { return len(s.reveal()) }

// String returns "[redacted N bytes]", never the bytes.
func (s Secret) String() string { return "[redacted " + strconv.Itoa(s.Len()) + " bytes]" }

// GoString returns Go syntax for a Secret without its bytes:
// handoff.Secret{} for the zero Secret, otherwise
// handoff.Secret{ /* redacted N bytes */ }. It is used by %#v.
func (s Secret) GoString() string {
	if s.Len() == 0 {
		return "handoff.Secret{}"
	}
	return "handoff.Secret{ /* redacted " + strconv.Itoa(s.Len()) + " bytes */ }"
}

// Format implements [fmt.Formatter] so that no verb prints the bytes: %#v
// gives [Secret.GoString], %q the quoted [Secret.String], and every other
// verb (%v, %+v, %s, %x, %X, %d, …) [Secret.String], with the directive's
// width and flags.
func (s Secret) Format(f fmt.State, verb rune) { redact.Format(f, verb, s.String(), s.GoString()) }

// MarshalJSON implements [encoding/json.Marshaler]: a Secret encodes as the
// JSON string "[redacted N bytes]". (It does not decode back:
// [Secret.UnmarshalJSON] wants base64, and refuses that string.)
func (s Secret) MarshalJSON() ([]byte, error) { return strconv.AppendQuote(nil, s.String()), nil }

// MarshalText implements [encoding.TextMarshaler] with [Secret.String], for
// the encoders (encoding/xml, YAML and TOML libraries, slog's text handler)
// that would otherwise look inside.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements [slog.LogValuer]: a logged Secret is the string
// "[redacted N bytes]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// UnmarshalJSON implements [encoding/json.Unmarshaler] so that keys load
// from configuration: it reads a JSON string holding the secret in standard
// base64 (with padding), as encoding/json writes a []byte, into a new
// Secret. JSON null leaves s unchanged; anything else is an error matching
// [ErrInvalid]. Errors do not quote the input.
func (s *Secret) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var text string
	if len(data) == 0 || data[0] != '"' || json.Unmarshal(data, &text) != nil {
		return fmt.Errorf("%w: secret: want a JSON string in base64", ErrInvalid)
	}
	return s.UnmarshalText([]byte(text))
}

// UnmarshalText implements [encoding.TextUnmarshaler], for configuration
// formats other than JSON (YAML, TOML, environment variables through a
// decoder): text is the secret in standard base64 (with padding); an
// error matches [ErrInvalid] and does not quote the input.
func (s *Secret) UnmarshalText(text []byte) error {
	b := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
	n, err := base64.StdEncoding.Decode(b, text)
	if err != nil {
		clear(b)
		return fmt.Errorf("%w: secret: want standard base64: %w", ErrInvalid, err)
	}
	*s = wrapSecret(b[:n])
	return nil
}
