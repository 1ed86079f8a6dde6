package handoff

import (
	"fmt"
	"log/slog"
	"strconv"
)

// Secret is key material: the bytes of an HMAC key. It is a []byte, so a
// byte slice converts to it and back (handoff.Key{Secret: b} compiles for
// b of type []byte), but it never shows its bytes when it is printed or
// encoded: every fmt verb (%v, %+v, %#v, %s, %q, %x, %X, %d, …), String,
// GoString, encoding/json, encoding.TextMarshaler (and so encoding/xml and
// the text encoders that use it) and log/slog all give "[redacted N bytes]",
// where N is the length, which is not secret and tells a short key apart.
// Decoding is not affected: encoding/json still reads a base64 string into
// a Secret, so keys can be loaded from configuration.
//
// A struct that holds a Secret in an exported field, or a pointer, slice or
// map of Secrets or of [Key]s, is therefore safe to print or encode too.
// fmt cannot call methods on values it reaches through unexported fields,
// and prints those field by field: the types of this package ([KeyRing],
// [Service]) never hold key bytes in a form that reflection could print,
// and a program should not keep a Secret (or a Key) in an unexported field
// of its own either; keep the [*KeyRing].
//
// To use the bytes on purpose, convert: []byte(s).
type Secret []byte

// String returns "[redacted N bytes]", never the bytes.
func (s Secret) String() string { return "[redacted " + strconv.Itoa(len(s)) + " bytes]" }

// GoString returns Go syntax for an empty Secret, with the length in a
// comment: handoff.Secret{ /* redacted N bytes */ }. It is used by %#v.
func (s Secret) GoString() string {
	if s == nil {
		return "handoff.Secret(nil)"
	}
	return "handoff.Secret{ /* redacted " + strconv.Itoa(len(s)) + " bytes */ }"
}

// Format implements [fmt.Formatter] so that no verb prints the bytes: %#v
// gives [Secret.GoString], %q the quoted [Secret.String], and every other
// verb (%v, %+v, %s, %x, %X, %d, …) [Secret.String], with the directive's
// width and flags.
func (s Secret) Format(f fmt.State, verb rune) { formatAs(f, verb, s.String(), s.GoString()) }

// MarshalJSON implements [encoding/json.Marshaler]: a Secret encodes as the
// JSON string "[redacted N bytes]".
func (s Secret) MarshalJSON() ([]byte, error) { return strconv.AppendQuote(nil, s.String()), nil }

// MarshalText implements [encoding.TextMarshaler] with [Secret.String], for
// the encoders (encoding/xml, YAML and TOML libraries, slog's text handler)
// that would otherwise write the bytes.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// LogValue implements [slog.LogValuer]: a logged Secret is the string
// "[redacted N bytes]".
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
