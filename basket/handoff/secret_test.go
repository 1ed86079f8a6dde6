package handoff_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// TestSecretFormatsRedacted: a Secret alone, by value, pointer, slice or
// map, shows "[redacted N bytes]" (its length, not its bytes) under every
// verb and encoder, honouring the width of the directive.
func TestSecretFormatsRedacted(t *testing.T) {
	s := handoff.Secret(rawSecret)
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"Secret", s},
		{"*Secret", &s},
		{"[]Secret", []handoff.Secret{s, handoff.Secret(printSecret)}},
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
	if got := fmt.Sprintf("%#v", handoff.Secret(nil)); got != "handoff.Secret(nil)" {
		t.Errorf("%%#v of a nil Secret = %q", got)
	}
	text, err := s.MarshalText()
	if err != nil || string(text) != "[redacted 32 bytes]" {
		t.Errorf("MarshalText = %q, %v", text, err)
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
	if !bytes.Equal(k.Secret, secretA) {
		t.Fatalf("decoded secret = %d bytes, want secretA", len(k.Secret))
	}
	issuer := newFixture(t)                                                  // secretA under "2026-11"
	loaded := newFixture(t, func(c *handoff.Config) { c.Keys = ring(t, k) }) // the decoded key
	tok, _ := issuer.issue(t, handoff.Request{})
	if _, err := loaded.svc.Verify(tok, atParis); err != nil {
		t.Fatalf("a key loaded from JSON does not verify: %v", err)
	}
}
