package handoff_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// Two instances sharing their stores behave as one: a short code issued
// on one is redeemed on the other, once, and a location's failed guesses
// are counted together. Here the instances share in-memory stores; across
// processes they share the PostgreSQL store (adapters/postgres), which
// implements the same interfaces.
func ExampleCodeStore() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ring, err := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef"))})
	if err != nil {
		panic(err)
	}
	replay, codes := memory.NewReplayStore(clk), handoff.NewMemoryCodeStore()
	instance := func(seed byte) *handoff.Service {
		svc, err := handoff.New(handoff.Config{
			Keys: ring, Replay: replay, Codes: codes, Clock: clk, Rand: rand.NewChaCha8([32]byte{seed}),
			ShortCodes: handoff.ShortCodeConfig{MaxAttempts: 2},
		})
		if err != nil {
			panic(err)
		}
		return svc
	}
	a, b := instance(1), instance(2)

	_, claims, err := a.Issue(handoff.Request{
		Basket:   uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10"),
		Purpose:  handoff.CheckIn,
		Audience: handoff.Audience{Retailer: "acme", Location: "store-paris-01"},
		TTL:      15 * time.Minute,
	})
	if err != nil {
		panic(err)
	}
	code, err := a.IssueShortCode(ctx, claims)
	if err != nil {
		panic(err)
	}
	at := handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01"}
	got, err := b.RedeemShortCode(ctx, code, at)
	fmt.Println("on B:", got.Basket, err)
	_, err = a.RedeemShortCode(ctx, code, at)
	fmt.Println("again on A:", err)
	_, err = b.RedeemShortCode(ctx, "222-222-222", at)
	fmt.Println("a guess on B:", err)
	_, err = a.RedeemShortCode(ctx, "222-222-222", at)
	fmt.Println("after two failures, on A:", err)
	// Output:
	// on B: 0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b10 <nil>
	// again on A: handoff: unknown short code
	// a guess on B: handoff: unknown short code
	// after two failures, on A: handoff: too many attempts
}
