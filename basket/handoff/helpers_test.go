package handoff_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

var (
	t0      = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	secretA = bytes.Repeat([]byte{0xA1}, 32)
	secretB = bytes.Repeat([]byte{0xB2}, 32)
	basket1 = uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10")

	paris  = handoff.Audience{Retailer: "acme", Location: "store-paris-01"}
	lyon   = handoff.Audience{Retailer: "acme", Location: "store-lyon-02"}
	anyAcm = handoff.Audience{Retailer: "acme"}

	atParis = handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01"}
	atLyon  = handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-lyon-02"}
)

// countingReader counts the bytes read from a deterministic source.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

type fixture struct {
	svc   *handoff.Service
	clk   *clock.Fake
	store *memory.ReplayStore
	rand  *countingReader
	tb    testing.TB
}

func (f fixture) t() testing.TB { return f.tb }

func ring(t testing.TB, keys ...handoff.Key) *handoff.KeyRing {
	t.Helper()
	if len(keys) == 0 {
		keys = []handoff.Key{{ID: "2026-11", Secret: handoff.NewSecret(secretA)}}
	}
	r, err := handoff.NewKeyRing(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// newFixture returns a Service on a fake clock at t0, a deterministic
// random source and an in-memory replay store. edit may change the config.
func newFixture(t testing.TB, edit ...func(*handoff.Config)) fixture {
	t.Helper()
	f := fixture{
		clk:  clock.NewFake(t0),
		rand: &countingReader{r: rand.NewChaCha8([32]byte{7})},
		tb:   t,
	}
	f.store = memory.NewReplayStore(f.clk)
	cfg := handoff.Config{Keys: ring(t), Replay: f.store, Clock: f.clk, Rand: f.rand}
	for _, e := range edit {
		e(&cfg)
	}
	svc, err := handoff.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	return f
}

func (f fixture) issue(t testing.TB, r handoff.Request) (string, handoff.Claims) {
	t.Helper()
	if r.Basket == uuid.Nil {
		r.Basket = basket1
	}
	if r.Purpose == 0 {
		r.Purpose = handoff.CheckIn
	}
	if r.Audience == (handoff.Audience{}) {
		r.Audience = paris
	}
	if r.TTL == 0 {
		r.TTL = 15 * time.Minute
	}
	tok, c, err := f.svc.Issue(r)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return tok, c
}

// decode and encode give tests access to a token's bytes.
func decode(t interface{ Fatal(...any) }, tok string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func encode(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// resign replaces the MAC of raw with a valid one under secret, following
// the documented wire format: HMAC-SHA-256(secret, label ‖ payload)[:16].
func resign(raw, secret []byte) []byte {
	payload := raw[:len(raw)-handoff.MACLen]
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("omnibasket/handoff\x00"))
	h.Write(payload)
	return append(bytes.Clone(payload), h.Sum(nil)[:handoff.MACLen]...)
}
