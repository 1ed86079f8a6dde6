package handoff

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/clock"
)

func newInternal(t *testing.T, edit func(*Config)) (*Service, *clock.Fake) {
	t.Helper()
	ring, err := NewKeyRing(Key{ID: "k", Secret: NewSecret(make([]byte, 32))})
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(fuzzNow)
	cfg := Config{Keys: ring, Replay: nopStore{}, Clock: clk, Rand: rand.NewChaCha8([32]byte{3})}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk
}

// Idle locations and expired codes are swept, so memory follows what is live.
func TestShortCodeSweep(t *testing.T) {
	svc, clk := newInternal(t, nil)
	ctx := context.Background()
	for i := range 500 {
		at := Audience{Retailer: "acme", Location: fmt.Sprintf("store-%d", i)}
		_, c, err := svc.Issue(Request{Basket: uuid.UUID{1}, Purpose: CheckIn, Audience: at, TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.IssueShortCode(ctx, c); err != nil {
			t.Fatal(err)
		}
		e := Expectation{Purpose: CheckIn, Retailer: "acme", Location: fmt.Sprintf("guess-%d", i)}
		if _, err := svc.RedeemShortCode(ctx, "222-222-222", e); !errors.Is(err, ErrUnknownCode) {
			t.Fatal(err)
		}
	}
	clk.Advance(DefaultShortCodeWindow)
	for i := range 100 {
		e := Expectation{Purpose: CheckIn, Retailer: "acme", Location: fmt.Sprintf("later-%d", i)}
		if _, err := svc.RedeemShortCode(ctx, "222-222-222", e); !errors.Is(err, ErrUnknownCode) {
			t.Fatal(err)
		}
	}
	if n := len(svc.codes.(*MemoryCodeStore).sites); n > 200 {
		t.Fatalf("%d locations held after everything expired, want ≤ 200", n)
	}
}

func TestIssueRandomFailure(t *testing.T) {
	svc, _ := newInternal(t, func(c *Config) { c.Rand = iotest.ErrReader(errors.New("entropy gone")) })
	_, _, err := svc.Issue(Request{Basket: uuid.UUID{1}, Purpose: CheckIn, Audience: Audience{Retailer: "acme"}, TTL: time.Minute})
	if err == nil || errors.Is(err, ErrInvalid) {
		t.Fatalf("Issue with a failing random source: %v", err)
	}
}

func TestNewDefaults(t *testing.T) {
	ring, _ := NewKeyRing(Key{ID: "k", Secret: NewSecret(make([]byte, 32))})
	svc, err := New(Config{Keys: ring, Replay: nopStore{}})
	if err != nil {
		t.Fatal(err)
	}
	if svc.skew != DefaultSkew || svc.maxTTL != DefaultMaxTTL || svc.clock == nil || svc.rand == nil {
		t.Fatalf("defaults not applied: %+v", svc)
	}
	if svc.shortCodes != (ShortCodeConfig{}).withDefaults() {
		t.Fatalf("short-code defaults not applied: %+v", svc.shortCodes)
	}
}
