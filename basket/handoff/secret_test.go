package handoff_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// TestSecretFormatsRedacted: a Secret alone, by value, pointer, slice or
// map, shows "[redacted N bytes]" (its length, not its bytes) under every
// verb and encoder, honouring the width of the directive.
func TestSecretFormatsRedacted(t *testing.T) {
	s := handoff.NewSecret(rawSecret)
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"Secret", s},
		{"*Secret", &s},
		{"[]Secret", []handoff.Secret{s, handoff.NewSecret(printSecret)}},
		{"map[string]Secret", map[string]handoff.Secret{"k": s}},
		{"struct with a Secret field", struct{ S handoff.Secret }{s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRedacted(t, tc.v, [][]byte{rawSecret, printSecret}, []string{"redacted 32 bytes"}, every)
		})
	}
	for verb, want := range map[string]string{
		"%v":    "[redacted 32 bytes]",
		"%#v":   "handoff.Secret{ /* redacted 32 bytes */ }",
		"%q":    `"[redacted 32 bytes]"`,
		"%24s|": "     [redacted 32 bytes]|",
		"%-24x": "[redacted 32 bytes]     ",
	} {
		if got := fmt.Sprintf(verb, s); got != want {
			t.Errorf("Sprintf(%q, secret) = %q, want %q", verb, got, want)
		}
	}
	if got := fmt.Sprintf("%#v", handoff.Secret{}); got != "handoff.Secret{}" {
		t.Errorf("%%#v of the zero Secret = %q", got)
	}
	if got := fmt.Sprint(handoff.Secret{}); got != "[redacted 0 bytes]" {
		t.Errorf("the zero Secret prints as %q", got)
	}
	text, err := s.MarshalText()
	if err != nil || string(text) != "[redacted 32 bytes]" {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
	if s.Len() != 32 || (handoff.Secret{}).Len() != 0 || handoff.NewSecret(nil).Len() != 0 {
		t.Errorf("Len = %d, zero Secret %d, NewSecret(nil) %d", s.Len(), handoff.Secret{}.Len(), handoff.NewSecret(nil).Len())
	}
}

// TestNewSecretCopies: a Secret keeps its own copy of the bytes, so that
// the caller may clear its slice (as a key store client should) without
// changing the key.
func TestNewSecretCopies(t *testing.T) {
	b := bytes.Clone(secretA)
	s := handoff.NewSecret(b)
	clear(b)
	if !bytes.Equal(handoff.RevealSecret(s), secretA) {
		t.Fatal("clearing the caller's slice changed the Secret")
	}
}

// TestSecretDecodesFromJSON: redaction is for output only. A Key is still
// loaded from JSON configuration with its secret in base64, as a []byte
// field would be, and the loaded key signs like the original.
func TestSecretDecodesFromJSON(t *testing.T) {
	conf := fmt.Sprintf(`{"ID": "2026-11", "Secret": %q}`, base64.StdEncoding.EncodeToString(secretA))
	var k handoff.Key
	if err := json.Unmarshal([]byte(conf), &k); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(handoff.RevealSecret(k.Secret), secretA) {
		t.Fatalf("decoded secret = %d bytes, want secretA", k.Secret.Len())
	}
	issuer := newFixture(t)                                                  // secretA under "2026-11"
	loaded := newFixture(t, func(c *handoff.Config) { c.Keys = ring(t, k) }) // the decoded key
	tok, _ := issuer.issue(t, handoff.Request{})
	if _, err := loaded.svc.Verify(tok, atParis); err != nil {
		t.Fatalf("a key loaded from JSON does not verify: %v", err)
	}

	// The same through encoding.TextUnmarshaler (YAML, TOML, env decoders).
	var s handoff.Secret
	if err := s.UnmarshalText([]byte(base64.StdEncoding.EncodeToString(secretB))); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(handoff.RevealSecret(s), secretB) {
		t.Fatal("UnmarshalText did not decode the base64")
	}

	// JSON null leaves the Secret as it was, like a []byte field... almost:
	// encoding/json would set a []byte to nil; a Secret keeps its value,
	// as the json.Unmarshaler convention asks.
	if err := json.Unmarshal([]byte(`{"Secret": null}`), &k); err != nil || !bytes.Equal(handoff.RevealSecret(k.Secret), secretA) {
		t.Fatalf("null: err %v, secret changed: %v", err, !bytes.Equal(handoff.RevealSecret(k.Secret), secretA))
	}
}

// TestSecretDecodingRefusesWithoutQuoting: what is not a base64 string
// (including the redacted form a Secret encodes to, so that a dumped
// configuration does not load as a bogus key) is refused with ErrInvalid,
// and the error does not quote the input, which may be a mistyped secret.
func TestSecretDecodingRefusesWithoutQuoting(t *testing.T) {
	redacted, _ := json.Marshal(handoff.NewSecret(secretA))
	for name, in := range map[string]string{
		"redacted form":  string(redacted),
		"not base64":     `"s3cr3t-not-base64!"`,
		"number":         `731234567`,
		"array":          `[115, 51, 99]`,
		"object":         `{"s3cr3t": 1}`,
		"bad JSON":       `"s3cr3t\q"`,
		"unpadded":       `"` + base64.RawStdEncoding.EncodeToString([]byte("s3cr3t!")) + `"`,
		"base64url char": `"s3cr3t_-"`,
	} {
		var s handoff.Secret
		err := s.UnmarshalJSON([]byte(in))
		if !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("%s: UnmarshalJSON(%s) = %v, want ErrInvalid", name, in, err)
			continue
		}
		for _, leak := range []string{"s3cr3t", "7312", "115"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: error quotes the input: %v", name, err)
			}
		}
		if s.Len() != 0 {
			t.Errorf("%s: a refused input set the Secret", name)
		}
	}
	var s handoff.Secret
	if err := s.UnmarshalText([]byte("s3cr3t!")); !errors.Is(err, handoff.ErrInvalid) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("UnmarshalText(not base64) = %v", err)
	}
}
