package handoff_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// A shopper's phone shows a QR code for their basket; the store scans it
// and takes the basket over. Scanning it again is refused.
func Example() {
	ctx := context.Background()
	// Fixed key, clock and random source so that the output is stable; in
	// production: a secret from your key store, clock.System{} and a nil
	// Rand (crypto/rand).
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ring, err := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		panic(err)
	}
	svc, err := handoff.New(handoff.Config{
		Keys:   ring,
		Replay: memory.NewReplayStore(clk),
		Clock:  clk,
		Rand:   rand.NewChaCha8([32]byte{}),
	})
	if err != nil {
		panic(err)
	}

	token, _, err := svc.Issue(handoff.Request{
		Basket:   uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10"),
		Purpose:  handoff.CheckIn,
		Audience: handoff.Audience{Retailer: "acme", Location: "store-paris-01"},
		TTL:      15 * time.Minute,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("QR payload:", len(token), "characters")

	at := handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01"}
	claims, err := svc.Redeem(ctx, token, at)
	fmt.Println("checked in:", claims.Basket, "until", claims.ExpiresAt.Format(time.Kitchen), err)

	_, err = svc.Redeem(ctx, token, at)
	fmt.Println("again:", errors.Is(err, handoff.ErrAlreadyUsed), err)

	_, err = svc.Verify(token, handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-lyon-02"})
	fmt.Println("elsewhere:", err)
	// Output:
	// QR payload: 112 characters
	// checked in: 0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10 until 9:15AM <nil>
	// again: true handoff: token already used
	// elsewhere: handoff: wrong audience
}

// A shopper without the app reads a short code aloud; the associate types
// it, in any case and with or without dashes.
func ExampleService_RedeemShortCode() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ring, _ := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	svc, _ := handoff.New(handoff.Config{
		Keys: ring, Replay: memory.NewReplayStore(clk), Clock: clk, Rand: rand.NewChaCha8([32]byte{}),
	})

	// The same grant as a QR token and as a short code: either one redeems it.
	_, claims, _ := svc.Issue(handoff.Request{
		Basket:   uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10"),
		Purpose:  handoff.CheckIn,
		Audience: handoff.Audience{Retailer: "acme", Location: "store-paris-01"},
		TTL:      15 * time.Minute,
	})
	code, _ := svc.IssueShortCode(ctx, claims)
	fmt.Println("read aloud:", code)

	at := handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01"}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	got, err := svc.RedeemShortCode(ctx, typed, at)
	fmt.Printf("typed %q: basket %s, %v\n", typed, got.Basket, err)
	_, err = svc.RedeemShortCode(ctx, code, at)
	fmt.Println("again:", err)
	// Output:
	// read aloud: MBN-KX3-F67
	// typed "mbn kx3 f67": basket 0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10, <nil>
	// again: handoff: unknown short code
}
