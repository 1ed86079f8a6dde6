package handoff_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// Two secrets that look nothing alike: one printable, one full of bytes
// that fmt escapes, so that every spelling of either is recognizable.
var (
	printSecret = []byte("s3cr3t-K1-hmac-key-material-0123") // 32 bytes
	rawSecret   = func() []byte {
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(0x80 + 3*i) // 0x80 0x83 0x86 …: never printable ASCII
		}
		return b
	}()
)

// leakForms returns the spellings of secret that must never appear in
// printed or encoded output: raw, hex (both cases), the base64 alphabets,
// Go syntax ([]byte{0x73, …} and "\x80…"), decimal ([115 51 …]), binary,
// octal, U+ notation, fmt's bad-verb spelling of a byte (%!e(uint8=115)),
// and fragments of each, so that a partial leak is caught too.
func leakForms(secret []byte) map[string]string {
	head := secret[:8]
	dec := func(b []byte) string { return strings.Trim(fmt.Sprint(b), "[]") }
	return map[string]string{
		"raw":            string(secret),
		"raw head":       string(head),
		"hex":            hex.EncodeToString(secret),
		"hex head":       hex.EncodeToString(head),
		"HEX head":       strings.ToUpper(hex.EncodeToString(head)),
		"base64":         base64.StdEncoding.EncodeToString(secret),
		"base64 head":    base64.StdEncoding.EncodeToString(secret)[:10],
		"base64url head": base64.RawURLEncoding.EncodeToString(secret)[:10],
		"Go syntax":      fmt.Sprintf("%#v", secret),
		"Go syntax head": strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", head), "[]byte{"), "}"),
		"quoted head":    strings.Trim(strconv.Quote(string(head)), `"`),
		"decimal":        fmt.Sprint(secret),
		"decimal head":   dec(head),
		"decimal spaced": "[" + dec(secret) + "]",
		"decimal commas": strings.ReplaceAll(dec(head), " ", ","),
		"decimal JSON":   strings.ReplaceAll(dec(head), " ", ", "),
		"binary head":    strings.Trim(fmt.Sprintf("%b", head), "[]"),
		"octal head":     strings.Trim(fmt.Sprintf("%o", head), "[]"),
		"U+ head":        strings.Trim(fmt.Sprintf("%U", head), "[]"),
		"bad-verb byte":  fmt.Sprintf("(uint8=%d)", head[0]),
	}
}

// verbs are the fmt directives a program prints values with: %v, %+v,
// %#v and the ones that dump bytes.
var verbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%20v"}

// badVerbs are directives that do not suit a struct, a string or a func:
// fmt then writes "%!t(type=value)" and prints the value again, a
// pointer's target included. Their output is checked for leaks only
// (encodings names it "leak-only %t", …): it need not show the key IDs.
var badVerbs = []string{"%t", "%e", "%c", "%U", "%o", "%b", "%p", "%08.3f"}

// encodings prints and encodes v every way a program might: fmt's verbs
// and badVerbs, encoding/json, and log/slog with a JSON and a text handler
// (which prints a struct without a LogValue, MarshalText or String method
// with %+v).
func encodings(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range verbs {
		out[verb] = fmt.Sprintf(verb, v)
	}
	for _, verb := range badVerbs {
		out["leak-only "+verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	out["json"] = string(j)
	var jb, tb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("handoff", "value", v)
	slog.New(slog.NewTextHandler(&tb, nil)).Info("handoff", "value", v)
	out["slog JSON"], out["slog text"] = jb.String(), tb.String()
	return out
}

// checkRedacted asserts that no encoding of v shows any form of any secret
// and that each encoding in wantIn (but the leak-only ones) shows every one
// of want (the key IDs: the output must stay useful).
func checkRedacted(t *testing.T, v any, secrets [][]byte, want []string, wantIn func(enc string) bool) {
	t.Helper()
	for enc, s := range encodings(t, v) {
		for i, secret := range secrets {
			for form, leak := range leakForms(secret) {
				if strings.Contains(s, leak) {
					t.Errorf("%s leaks secret %d (%s form %q):\n%s", enc, i, form, leak, s)
				}
			}
		}
		if wantIn == nil || !wantIn(enc) || strings.HasPrefix(enc, "leak-only ") {
			continue
		}
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s does not show %q:\n%s", enc, w, s)
			}
		}
	}
}

// every encoding shows the key IDs.
func every(string) bool { return true }

// TestSecretsRedactedEverywhere: every type of this package that holds key
// material (Key, KeyRing, Config, Service), and pointers, slices, maps and
// structs of them, prints under every fmt verb, encodes as JSON and logs
// with slog (JSON and text handlers) without any byte of any secret, in
// any spelling, while still showing the key IDs.
func TestSecretsRedactedEverywhere(t *testing.T) {
	k1 := handoff.Key{ID: "key-one", Secret: handoff.NewSecret(printSecret), RetireAt: t0.Add(48 * time.Hour)}
	k2 := handoff.Key{ID: "key-two", Secret: handoff.NewSecret(rawSecret), ActiveFrom: t0.Add(-time.Hour)}
	secrets := [][]byte{printSecret, rawSecret}
	ids := []string{"key-one", "key-two"}

	r, err := handoff.NewKeyRing(k1, k2)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(t0)
	cfg := handoff.Config{Keys: r, Replay: memory.NewReplayStore(clk), Clock: clk}
	svc, err := handoff.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// A live short code is a bearer credential: the Service must not show
	// it either.
	_, claims, err := svc.Issue(handoff.Request{Basket: basket1, Purpose: handoff.CheckIn, Audience: paris, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	code, err := svc.IssueShortCode(context.Background(), claims)
	if err != nil {
		t.Fatal(err)
	}
	canon, _ := handoff.NormalizeShortCode(code)

	type exported struct {
		Key  handoff.Key
		Ring *handoff.KeyRing
	}
	type unexportedRing struct{ ring handoff.KeyRing }
	type unexportedSvc struct{ svc *handoff.Service }

	for _, tc := range []struct {
		name string
		v    any
		want []string
		in   func(enc string) bool
	}{
		{"Key", k1, ids[:1], every},
		{"*Key", &k1, ids[:1], every},
		{"[]Key", []handoff.Key{k1, k2}, ids, every},
		{"map[string]Key", map[string]handoff.Key{"a": k1, "b": k2}, ids, every},
		{"[]*Key", []*handoff.Key{&k1, &k2}, ids, func(enc string) bool {
			return enc == "json" || enc == "slog JSON" // fmt prints nested pointers as addresses
		}},
		{"struct with Key and *KeyRing fields", exported{k2, r}, ids[1:], every},
		{"*KeyRing", r, ids, every},
		{"KeyRing value", *r, ids, every},
		{"[]*KeyRing", []*handoff.KeyRing{r}, ids, every},
		{"struct with an unexported KeyRing field", unexportedRing{*r}, ids, func(enc string) bool {
			// fmt prints it by reflection (%x: the ID in hex); JSON omits it.
			return enc != "%x" && enc != "%X" && enc != "json" && enc != "slog JSON"
		}},
		{"Config", cfg, ids, every},
		{"*Config", &cfg, ids, every},
		{"*Service", svc, ids, every},
		{"struct with an unexported *Service field", unexportedSvc{svc}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRedacted(t, tc.v, secrets, tc.want, tc.in)
			for enc, s := range encodings(t, tc.v) {
				if strings.Contains(s, canon) || strings.Contains(s, code) {
					t.Errorf("%s shows the live short code %s:\n%s", enc, code, s)
				}
			}
		})
	}
}

// TestSecretsRedactedInUnexportedFields: a program's own struct that keeps
// a Key, a Secret, a *Secret, a []Key, a map of Keys or a KeyRing value in
// unexported fields, where fmt cannot call their methods and prints them
// by reflection, field by field, shows no byte of any secret under any
// verb, including the bad-verb path (%!s(…)) that prints a pointer's
// target, nested one level deeper or behind a pointer too. JSON omits such
// fields; slog's text handler prints the struct with %+v and must not leak
// either. The key IDs still show wherever fmt prints strings as text.
func TestSecretsRedactedInUnexportedFields(t *testing.T) {
	k1 := handoff.Key{ID: "key-one", Secret: handoff.NewSecret(printSecret), RetireAt: t0.Add(48 * time.Hour)}
	k2 := handoff.Key{ID: "key-two", Secret: handoff.NewSecret(rawSecret), ActiveFrom: t0.Add(-time.Hour)}
	secrets := [][]byte{printSecret, rawSecret}
	ids := []string{"key-one", "key-two"}
	r, err := handoff.NewKeyRing(k1, k2)
	if err != nil {
		t.Fatal(err)
	}

	type caller struct {
		key    handoff.Key
		secret handoff.Secret
		ptr    *handoff.Secret
		keyPtr *handoff.Key
		keys   []handoff.Key
		byID   map[string]handoff.Key
		ring   handoff.KeyRing
	}
	type nested struct{ inner caller }
	type secretOnly struct{ s handoff.Secret }
	s := handoff.NewSecret(rawSecret)
	c := caller{
		key: k1, secret: handoff.NewSecret(printSecret), ptr: &s, keyPtr: &k2,
		keys: []handoff.Key{k1, k2}, byID: map[string]handoff.Key{"a": k1, "b": k2}, ring: *r,
	}
	// fmt shows strings as text under all verbs but %x and %X (hex); JSON
	// has no unexported field to show.
	text := func(enc string) bool {
		return enc != "%x" && enc != "%X" && enc != "json" && enc != "slog JSON"
	}
	for _, tc := range []struct {
		name string
		v    any
		want []string
		in   func(enc string) bool
	}{
		{"struct with unexported Key, Secret, *Secret, *Key, []Key, map and KeyRing fields", c, ids, text},
		{"pointer to it", &c, ids, text},
		{"slice of it", []caller{c}, ids, text},
		{"struct nesting it in an unexported field", nested{c}, ids, text},
		{"struct with only an unexported Secret", secretOnly{s}, nil, nil},
		{"struct with an unexported []Secret", struct{ s []handoff.Secret }{[]handoff.Secret{s}}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkRedacted(t, tc.v, secrets, tc.want, tc.in)
		})
	}

	// Nothing that depends on the bytes is printed at all, not even the
	// length: the same struct holding other secrets (of other lengths)
	// prints the same, byte for byte. (The pointer fields are shared: fmt
	// prints their addresses.)
	other := func(b []byte) handoff.Secret { return handoff.NewSecret(bytes.Repeat([]byte{0x5A}, len(b)+7)) }
	o1, o2 := k1, k2
	o1.Secret, o2.Secret = other(printSecret), other(rawSecret)
	ro, err := handoff.NewKeyRing(o1, o2)
	if err != nil {
		t.Fatal(err)
	}
	oc := caller{
		key: o1, secret: other(printSecret), ptr: c.ptr, keyPtr: c.keyPtr,
		keys: []handoff.Key{o1, o2}, byID: map[string]handoff.Key{"a": o1, "b": o2}, ring: *ro,
	}
	for _, verb := range slices.Concat(verbs, badVerbs) {
		for _, pair := range [][2]any{{nested{c}, nested{oc}}, {secretOnly{s}, secretOnly{other(rawSecret)}}} {
			if a, b := fmt.Sprintf(verb, pair[0]), fmt.Sprintf(verb, pair[1]); a != b {
				t.Errorf("%s depends on the secret:\n%s\n%s", verb, a, b)
			}
		}
	}
}
