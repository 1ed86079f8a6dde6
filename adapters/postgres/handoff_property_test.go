package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
)

// The in-memory stores are the reference: any sequence of puts, takes,
// guesses and tag attempts, at any times and under any limits, gets the
// same answers from the PostgreSQL stores. Each run works in its own
// retailer and baskets of one schema, from its own start time.
func TestHandoffStoresMatchMemory(t *testing.T) {
	s := newTestStore(t, nil)
	ctx := context.Background()
	run := 0
	rapid.Check(t, func(t *rapid.T) {
		run++
		retailer := fmt.Sprintf("r%d", run)
		codes, attempts := handoff.NewMemoryCodeStore(), handoff.NewMemoryAttemptStore()
		now := handofftest.Epoch.Add(time.Duration(run) * 24 * time.Hour)
		location := func(t *rapid.T) handoff.Audience {
			return handoff.Audience{Retailer: retailer, Location: fmt.Sprintf("loc-%d", rapid.IntRange(0, 1).Draw(t, "location"))}
		}
		code := func(t *rapid.T) string { // few codes, so that they collide
			return handofftest.NewCode(handofftest.Paris, handoff.CheckIn, rapid.IntRange(0, 3).Draw(t, "code")).Code
		}
		purpose := func(t *rapid.T) handoff.Purpose {
			return rapid.SampledFrom([]handoff.Purpose{handoff.CheckIn, handoff.CheckOut}).Draw(t, "purpose")
		}
		// One limit of each kind per run, as a Service passes its
		// configuration every time (stores may forget what left the
		// window, so a shorter window in between is not comparable).
		limit := func(label string) handoff.Limit {
			return handoff.Limit{Max: rapid.IntRange(1, 3).Draw(t, label+" max"), Window: time.Duration(rapid.IntRange(1, 300).Draw(t, label+" window")) * time.Second}
		}
		codeLimit, tagLimit := limit("code"), limit("tag")
		basket := func(t *rapid.T) uuid.UUID {
			return handofftest.Basket(run*10 + rapid.IntRange(0, 1).Draw(t, "basket"))
		}
		for step := range rapid.IntRange(1, 40).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 3).Draw(t, "op"); op {
			case 0:
				c := handofftest.NewCode(location(t), purpose(t), run*100+step)
				c.Code = code(t)
				c.ExpiresAt = now.Add(time.Duration(rapid.IntRange(1, 300).Draw(t, "ttl")) * time.Second)
				maxLive := rapid.IntRange(1, 3).Draw(t, "maxLive")
				want, wantErr := codes.PutShortCode(ctx, c, maxLive, now)
				got, err := s.PutShortCode(ctx, c, maxLive, now)
				if got != want || err != wantErr {
					t.Fatalf("step %d: put %s at %+v: postgres %v, %v; memory %v, %v", step, c.Code, c.Claims.Audience, got, err, want, wantErr)
				}
			case 1:
				at, c, p, l := location(t), code(t), purpose(t), codeLimit
				want, wantErr := codes.TakeShortCode(ctx, at, c, p, l, now)
				got, err := s.TakeShortCode(ctx, at, c, p, l, now)
				if got != want || err != wantErr {
					t.Fatalf("step %d: take %s at %+v for %s, %+v: postgres %+v, %v; memory %+v, %v", step, c, at, p, l, got, err, want, wantErr)
				}
			case 2:
				b, l := basket(t), tagLimit
				want, wantErr := attempts.CountTagAttempt(ctx, b, l, now)
				got, err := s.CountTagAttempt(ctx, b, l, now)
				if got != want || err != wantErr {
					t.Fatalf("step %d: tag attempt of %s, %+v: postgres %v, %v; memory %v, %v", step, b, l, got, err, want, wantErr)
				}
			case 3:
				// Whole seconds, like the windows and lifetimes, so that
				// runs land on their boundaries.
				now = now.Add(time.Duration(rapid.IntRange(0, 300).Draw(t, "advance s")) * time.Second)
			}
		}
	})
}
