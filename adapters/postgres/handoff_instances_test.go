package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/clock"
)

// The issue's promise for handoff: instances on one database behave as
// one. Each instance below is what a process would hold: its own pool, its
// own Store on the shared schema, its own handoff.Service (same key ring,
// its own random source), all on one fake clock.

const handoffInstances = 3

var (
	atParis = handoff.Audience{Retailer: "acme", Location: "store-paris-01"}
	inParis = handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme", Location: "store-paris-01"}
)

// newHandoffInstances returns n Services sharing one migrated schema;
// shared false gives each the default in-memory code and attempt stores
// (one process's memory), the baseline the shared stores are compared to.
func newHandoffInstances(t *testing.T, n int, shared bool, edit func(*handoff.Config)) ([]*handoff.Service, *clock.Fake) {
	t.Helper()
	first := newTestStore(t, nil)
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	ring, err := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret([]byte("handoff-instances-secret-32bytes"))})
	require.NoError(t, err)
	out := make([]*handoff.Service, n)
	for i := range out {
		pc, err := pgxpool.ParseConfig(os.Getenv(envURL))
		require.NoError(t, err)
		pc.MaxConns = 8
		pool, err := pgxpool.NewWithConfig(context.Background(), pc)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		s := New(pool, Options{Schema: first.Schema(), Clock: clk})
		cfg := handoff.Config{Keys: ring, Replay: s, Clock: clk, Rand: rand.Reader}
		if shared {
			cfg.Codes, cfg.TagAttempts = s, s
		}
		if edit != nil {
			edit(&cfg)
		}
		out[i], err = handoff.New(cfg)
		require.NoError(t, err)
	}
	return out, clk
}

// issueCode issues a check-in token and its short code for a new basket
// on svc.
func issueCode(t *testing.T, svc *handoff.Service) (string, string, handoff.Claims) {
	t.Helper()
	token, claims, err := svc.Issue(handoff.Request{Basket: uuid.New(), Purpose: handoff.CheckIn, Audience: atParis, TTL: 15 * time.Minute})
	require.NoError(t, err)
	code, err := svc.IssueShortCode(context.Background(), claims)
	require.NoError(t, err)
	return token, code, claims
}

func TestHandoffInstancesShortCodeOnce(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	svcs, clk := newHandoffInstances(t, handoffInstances, true, nil)
	a, b, c := svcs[0], svcs[1], svcs[2]

	// Issued on A, redeemed on B, refused on C and A, and the QR token of
	// the same grant is spent too.
	token, code, claims := issueCode(t, a)
	got, err := b.RedeemShortCode(ctx, code, inParis)
	require.NoError(t, err)
	assert.Equal(t, claims, got)
	for _, svc := range []*handoff.Service{c, a, b} {
		_, err := svc.RedeemShortCode(ctx, code, inParis)
		require.ErrorIs(t, err, handoff.ErrUnknownCode)
	}
	_, err = c.Redeem(ctx, token, inParis)
	require.ErrorIs(t, err, handoff.ErrAlreadyUsed)

	// Each instance issues, every other one redeems.
	for i, issuer := range svcs {
		_, code, claims := issueCode(t, issuer)
		got, err := svcs[(i+1)%len(svcs)].RedeemShortCode(ctx, code, inParis)
		require.NoError(t, err, "issued on %d", i)
		assert.Equal(t, claims.Basket, got.Basket)
	}

	// A code expires for every instance at the same time of the clock.
	_, code, _ = issueCode(t, c)
	clk.Advance(handoff.DefaultShortCodeTTL)
	_, err = a.RedeemShortCode(ctx, code, inParis)
	require.ErrorIs(t, err, handoff.ErrUnknownCode)
}

// Racing redeemers on three instances: exactly one wins each code.
func TestHandoffInstancesRacingRedeemers(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	// Enough attempts that the losers (each a counted failure) never lock
	// the location within this test.
	svcs, _ := newHandoffInstances(t, handoffInstances, true, func(c *handoff.Config) { c.ShortCodes.MaxAttempts = 1000 })
	const codes, perInstance = 5, 10
	for round := range codes {
		_, code, claims := issueCode(t, svcs[round%len(svcs)])
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			wins   []int
			start  = make(chan struct{})
			others []error
		)
		for i, svc := range svcs {
			for range perInstance {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					got, err := svc.RedeemShortCode(ctx, code, inParis)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil && got.Basket == claims.Basket:
						wins = append(wins, i)
					case !errors.Is(err, handoff.ErrUnknownCode):
						others = append(others, err)
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		require.Empty(t, others)
		require.Len(t, wins, 1, "code %d: winners on instances %v of %d redeemers", round, wins, handoffInstances*perInstance)
	}
}

// Guessing is limited across instances: the sum of the failures counted
// on all instances is MaxAttempts, where instances each on their own
// memory would allow MaxAttempts each.
func TestHandoffInstancesGuessingLimited(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	const maxAttempts, perInstance = 10, 20
	for _, tc := range []struct {
		name     string
		shared   bool
		failures int
	}{
		{"shared store", true, maxAttempts},
		{"memory per instance", false, handoffInstances * maxAttempts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svcs, _ := newHandoffInstances(t, handoffInstances, tc.shared, func(c *handoff.Config) { c.ShortCodes.MaxAttempts = maxAttempts })
			_, code, _ := issueCode(t, svcs[0])
			counts := make([]map[error]int, len(svcs))
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i, svc := range svcs {
				counts[i] = map[error]int{}
				for g := range perInstance {
					wg.Add(1)
					go func() {
						defer wg.Done()
						a := handoff.ShortCodeAlphabet
						guess := fmt.Sprintf("%c%c2-222-222", a[i], a[g])
						_, err := svc.RedeemShortCode(ctx, guess, inParis)
						mu.Lock()
						defer mu.Unlock()
						for _, kind := range []error{handoff.ErrUnknownCode, handoff.ErrTooManyAttempts} {
							if errors.Is(err, kind) {
								counts[i][kind]++
								return
							}
						}
						counts[i][err]++
					}()
				}
			}
			wg.Wait()
			failures, refusals := 0, 0
			for i, c := range counts {
				failures += c[handoff.ErrUnknownCode]
				refusals += c[handoff.ErrTooManyAttempts]
				require.Equal(t, perInstance, c[handoff.ErrUnknownCode]+c[handoff.ErrTooManyAttempts], "instance %d: %v", i, c)
			}
			t.Logf("%s: %d guesses on %d instances: %d failures counted, %d refused (per instance %v)",
				tc.name, handoffInstances*perInstance, handoffInstances, failures, refusals, counts)
			require.Equal(t, tc.failures, failures)
			require.Equal(t, handoffInstances*perInstance-tc.failures, refusals)
			if tc.shared {
				// Locked on every instance, even for the right code.
				for _, svc := range svcs {
					_, err := svc.RedeemShortCode(ctx, code, inParis)
					require.ErrorIs(t, err, handoff.ErrTooManyAttempts)
				}
			}
		})
	}
}

// Tag attempts are counted per basket across instances.
func TestHandoffInstancesTagAttempts(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	ctx := context.Background()
	const attempts, perInstance = 5, 4
	for _, tc := range []struct {
		name     string
		shared   bool
		accepted int
	}{
		{"shared store", true, attempts},
		{"memory per instance", false, handoffInstances * perInstance}, // 4 ≤ 5 on each
	} {
		t.Run(tc.name, func(t *testing.T) {
			svcs, clk := newHandoffInstances(t, handoffInstances, tc.shared, func(c *handoff.Config) { c.Tags.Attempts = attempts })
			tag, _, err := svcs[0].LocationTag(atParis)
			require.NoError(t, err)
			basketID := uuid.New()
			expect := handoff.TagExpectation{Retailer: "acme", Location: "store-paris-01"}
			var wg sync.WaitGroup
			var mu sync.Mutex
			accepted, refused := 0, 0
			for _, svc := range svcs {
				for range perInstance {
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, err := svc.RedeemTag(ctx, tag, basketID, expect)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							accepted++
						case errors.Is(err, handoff.ErrTooManyAttempts):
							refused++
						default:
							t.Errorf("RedeemTag: %v", err)
						}
					}()
				}
			}
			wg.Wait()
			t.Logf("%s: %d tag attempts of one basket on %d instances: %d accepted, %d refused", tc.name, handoffInstances*perInstance, handoffInstances, accepted, refused)
			require.Equal(t, tc.accepted, accepted)
			require.Equal(t, handoffInstances*perInstance-tc.accepted, refused)
			if tc.shared {
				// Another basket is not affected; after a window, the basket
				// has its allowance back on any instance.
				_, err := svcs[1].RedeemTag(ctx, tag, uuid.New(), expect)
				require.NoError(t, err)
				clk.Advance(handoff.DefaultTagWindow)
				_, err = svcs[2].RedeemTag(ctx, tag, basketID, expect)
				require.NoError(t, err)
			}
		})
	}
}
