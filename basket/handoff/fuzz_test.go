package handoff

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/clock"
)

type nopStore struct{}

func (nopStore) Consume(context.Context, []byte, time.Time) error { return nil }

var fuzzNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// fuzzService returns a deterministic service and the tokens it issued.
func fuzzService(tb testing.TB) (*Service, map[string]bool) {
	tb.Helper()
	ring, err := NewKeyRing(
		Key{ID: "k1", Secret: NewSecret(bytes.Repeat([]byte{1}, 32)), RetireAt: fuzzNow.Add(time.Hour)},
		Key{ID: "2026-11", Secret: NewSecret(bytes.Repeat([]byte{2}, 32)), ActiveFrom: fuzzNow.Add(-time.Minute)},
	)
	if err != nil {
		tb.Fatal(err)
	}
	clk := clock.NewFake(fuzzNow.Add(-2 * time.Minute))
	svc, err := New(Config{Keys: ring, Replay: nopStore{}, Clock: clk, Rand: rand.NewChaCha8([32]byte{42})})
	if err != nil {
		tb.Fatal(err)
	}
	issued := map[string]bool{}
	for i, r := range fuzzRequests {
		if i == 2 {
			clk.Set(fuzzNow) // the rest are signed with the newer key
		}
		tok, _, err := svc.Issue(r)
		if err != nil {
			tb.Fatal(err)
		}
		issued[tok] = true
	}
	return svc, issued
}

var fuzzRequests = []Request{
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10"), Purpose: CheckIn, Audience: Audience{"acme", "store-paris-01"}, TTL: 15 * time.Minute},
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b11"), Purpose: CheckOut, Audience: Audience{"acme", ""}, TTL: time.Hour},
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b12"), Purpose: CheckIn, Audience: Audience{"acme", ""}, TTL: time.Minute},
	{Basket: uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b13"), Purpose: CheckOut, Audience: Audience{"a", "b"}, TTL: time.Second},
	{Basket: uuid.MustParse("ffffffff-ffff-ffff-ffff-ffffffffffff"), Purpose: CheckIn,
		Audience: Audience{strings.Repeat("r", MaxRetailerLen), strings.Repeat("l", MaxLocationLen)}, TTL: 24 * time.Hour},
}

var fuzzExpectations = []Expectation{
	{Purpose: CheckIn, Retailer: "acme", Location: "store-paris-01"},
	{Purpose: CheckOut, Retailer: "acme", Location: "store-paris-01"},
	{Purpose: CheckIn, Retailer: "a", Location: "b"},
	{Purpose: CheckOut, Retailer: "a", Location: "b"},
	{Purpose: CheckIn, Retailer: strings.Repeat("r", MaxRetailerLen), Location: strings.Repeat("l", MaxLocationLen)},
}

// FuzzDecode feeds arbitrary strings to the decoder and to Verify. The
// decoder must never panic, must accept only the canonical spelling of a
// token, and Verify must never accept a token the signer did not issue.
func FuzzDecode(f *testing.F) {
	svc, issued := fuzzService(f)
	for tok := range issued {
		f.Add(tok)
		f.Add(tok[:len(tok)-1])
		f.Add(tok + "A")
		f.Add(strings.ToUpper(tok))
	}
	for _, s := range []string{"", "AQ", "AQID", strings.Repeat("A", minTokenLen), strings.Repeat("_", MaxTokenLen), "AQE\nHMjAy", "====", "\x00\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("parse error %v does not match ErrMalformed", err)
			}
		} else {
			raw := append(appendPayload(nil, &w.claims), w.mac...)
			if again := b64.EncodeToString(raw); again != s {
				t.Fatalf("parse accepted a non-canonical spelling:\n in  %q\n out %q", s, again)
			}
		}
		for _, e := range fuzzExpectations {
			c, err := svc.Verify(s, e)
			if err == nil && !issued[s] {
				t.Fatalf("Verify accepted a token the signer did not issue: %q → %+v", s, c)
			}
			if err != nil && !errors.Is(err, ErrRejected) {
				t.Fatalf("Verify error %v is not a rejection", err)
			}
		}
	})
}

func TestFuzzSeedsAreAccepted(t *testing.T) {
	svc, issued := fuzzService(t)
	accepted := map[string]bool{}
	for tok := range issued {
		for _, e := range fuzzExpectations {
			if _, err := svc.Verify(tok, e); err == nil {
				accepted[tok] = true
			}
		}
	}
	if len(accepted) != len(issued) {
		t.Fatalf("%d of %d seed tokens verify; the fuzz target would not exercise acceptance", len(accepted), len(issued))
	}
}

// TestParseRejectsNonCanonicalBase64: an encoding of 86 bytes leaves 4 spare
// bits in the last character; a strict decoder refuses them set, so one token
// has one spelling.
func TestParseRejectsNonCanonicalBase64(t *testing.T) {
	_, issued := fuzzService(t)
	found := false
	for tok := range issued {
		if len(tok)*6%8 == 0 {
			continue
		}
		found = true
		last := strings.IndexByte(b64Alphabet, tok[len(tok)-1])
		alt := tok[:len(tok)-1] + string(b64Alphabet[last^1])
		if _, err := parse(alt); !errors.Is(err, ErrMalformed) {
			t.Fatalf("spare bits set: %v, want ErrMalformed", err)
		}
	}
	if !found {
		t.Skip("no seed token with spare bits")
	}
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
