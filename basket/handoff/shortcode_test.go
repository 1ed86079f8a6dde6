package handoff_test

import (
	"context"
	"errors"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

// TestShortCodeGuessingBound recomputes, from the package's actual
// constants, the probability that an attacker guessing at one location finds
// a live code within a code's lifetime, and requires it below 10⁻⁶. Making
// the alphabet, the length or a default bound insecure fails this test.
func TestShortCodeGuessingBound(t *testing.T) {
	alphabet := float64(len(handoff.ShortCodeAlphabet))
	space := math.Pow(alphabet, handoff.ShortCodeLength)
	live := float64(handoff.DefaultShortCodeMaxLive)
	windows := math.Ceil(float64(handoff.DefaultShortCodeTTL)/float64(handoff.DefaultShortCodeWindow)) + 1
	guesses := float64(handoff.DefaultShortCodeAttempts)*windows + 1
	p := live * guesses / space
	t.Logf("P ≤ %g·%g/%g^%d = %g·%g/%.4g = %.3g", live, guesses, alphabet, handoff.ShortCodeLength, live, guesses, space, p)
	if !(p < 1e-6) {
		t.Fatalf("guessing probability %g, want < 1e-6", p)
	}
	if handoff.MaxGuessProbability > 1e-6 {
		t.Fatalf("MaxGuessProbability = %g, want ≤ 1e-6", handoff.MaxGuessProbability)
	}
	if got := (handoff.ShortCodeConfig{}).GuessProbability(); math.Abs(got-p) > p*1e-9 {
		t.Fatalf("GuessProbability() = %g, independent computation %g", got, p)
	}
	// The bound New enforces is the documented one.
	insecure := handoff.ShortCodeConfig{MaxAttempts: int(1e-6*space/live) + 1, TTL: time.Minute, Window: time.Hour}
	if q := insecure.GuessProbability(); q <= 1e-6 {
		t.Fatalf("GuessProbability(%+v) = %g, want > 1e-6", insecure, q)
	}
}

func TestShortCodeAlphabet(t *testing.T) {
	a := handoff.ShortCodeAlphabet
	if len(a) < 30 {
		t.Fatalf("alphabet has %d characters", len(a))
	}
	seen := map[rune]bool{}
	for _, c := range a {
		if seen[c] {
			t.Fatalf("duplicate %q", c)
		}
		seen[c] = true
		if !('2' <= c && c <= '9' || 'A' <= c && c <= 'Z') {
			t.Fatalf("character %q is not a digit 2-9 or capital letter", c)
		}
	}
	for _, c := range "0O1ILU" {
		if seen[c] {
			t.Fatalf("ambiguous character %q in the alphabet", c)
		}
	}
}

func TestNormalizeShortCode(t *testing.T) {
	for in, want := range map[string]string{
		"K7M-4QX-9TD":     "K7M4QX9TD",
		"k7m4qx9td":       "K7M4QX9TD",
		" k7m 4qx 9td ":   "K7M4QX9TD",
		"K7M--4QX - 9tD ": "K7M4QX9TD",
	} {
		got, err := handoff.NormalizeShortCode(in)
		if err != nil || got != want {
			t.Errorf("NormalizeShortCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "K7M-4QX-9T", "K7M-4QX-9TDA", "K7M-4QX-9T0", "K7M-4QX-9TO", "K7M-4QX-9T1", "K7M-4QX-9TI", "K7M-4QX-9TL", "K7M-4QX-9TU", "K7M_4QX_9TD", "K7M-4QX-9TÉ", strings.Repeat("-", 100) + "K7M4QX9TD"} {
		if got, err := handoff.NormalizeShortCode(in); !errors.Is(err, handoff.ErrMalformed) {
			t.Errorf("NormalizeShortCode(%q) = %q, %v; want ErrMalformed", in, got, err)
		}
	}
}

var codeRE = regexp.MustCompile(`^[` + handoff.ShortCodeAlphabet + `]{3}-[` + handoff.ShortCodeAlphabet + `]{3}-[` + handoff.ShortCodeAlphabet + `]{3}$`)

func TestShortCodeRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, claims := f.issue(t, handoff.Request{})
	code, err := f.svc.IssueShortCode(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	if !codeRE.MatchString(code) {
		t.Fatalf("code %q is not of the form XXX-XXX-XXX", code)
	}
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	c, err := f.svc.RedeemShortCode(ctx, typed, atParis)
	if err != nil || c != claims {
		t.Fatalf("RedeemShortCode(%q) = %+v, %v", typed, c, err)
	}
	c, err = f.svc.RedeemShortCode(ctx, code, atParis)
	checkRefusal(t, err, handoff.ErrUnknownCode, c)
}

func TestShortCodeAndTokenShareTheGrant(t *testing.T) {
	ctx := context.Background()
	t.Run("token first", func(t *testing.T) {
		f := newFixture(t)
		tok, claims := f.issue(t, handoff.Request{})
		code, err := f.svc.IssueShortCode(ctx, claims)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Redeem(ctx, tok, atParis); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.RedeemShortCode(ctx, code, atParis)
		checkRefusal(t, err, handoff.ErrAlreadyUsed, c)
	})
	t.Run("code first", func(t *testing.T) {
		f := newFixture(t)
		tok, claims := f.issue(t, handoff.Request{})
		code, err := f.svc.IssueShortCode(ctx, claims)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RedeemShortCode(ctx, code, atParis); err != nil {
			t.Fatal(err)
		}
		c, err := f.svc.Redeem(ctx, tok, atParis)
		checkRefusal(t, err, handoff.ErrAlreadyUsed, c)
	})
}

func TestShortCodeRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, claims := f.issue(t, handoff.Request{TTL: 15 * time.Minute})
	code, err := f.svc.IssueShortCode(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	checkOut := handoff.Expectation{Purpose: handoff.CheckOut, Retailer: "acme", Location: "store-paris-01"}
	otherRetailer := handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "globex", Location: "store-paris-01"}
	for _, tc := range []struct {
		name   string
		code   string
		expect handoff.Expectation
		want   error
	}{
		{"other location", code, atLyon, handoff.ErrUnknownCode},
		{"other retailer, same location ID", code, otherRetailer, handoff.ErrUnknownCode},
		{"wrong purpose", code, checkOut, handoff.ErrWrongPurpose},
		{"malformed", "K7M-4QX-9T0", atParis, handoff.ErrMalformed},
		{"unknown", "222-222-222", atParis, handoff.ErrUnknownCode},
	} {
		c, err := f.svc.RedeemShortCode(ctx, tc.code, tc.expect)
		checkRefusal(t, err, tc.want, c)
	}
	for _, e := range []handoff.Expectation{
		{Purpose: handoff.CheckIn, Retailer: "acme"}, // no location
		{Retailer: "acme", Location: "store-paris-01"},
	} {
		if _, err := f.svc.RedeemShortCode(ctx, code, e); !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("RedeemShortCode(%+v): %v, want ErrInvalid", e, err)
		}
	}
	// None of the refusals consumed the code.
	if _, err := f.svc.RedeemShortCode(ctx, code, atParis); err != nil {
		t.Fatalf("after refusals: %v", err)
	}
}

func TestShortCodeExpiry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, long := f.issue(t, handoff.Request{TTL: time.Hour})
	_, short := f.issue(t, handoff.Request{TTL: 2 * time.Minute})
	longCode, _ := f.svc.IssueShortCode(ctx, long)   // lives ShortCodeTTL
	shortCode, _ := f.svc.IssueShortCode(ctx, short) // lives as long as its claims

	f.clk.Set(t0.Add(2 * time.Minute))
	c, err := f.svc.RedeemShortCode(ctx, shortCode, atParis)
	checkRefusal(t, err, handoff.ErrUnknownCode, c)
	f.clk.Set(t0.Add(handoff.DefaultShortCodeTTL - time.Nanosecond))
	if _, err := f.svc.RedeemShortCode(ctx, longCode, atParis); err != nil {
		t.Fatalf("just before the code's TTL: %v", err)
	}
	_, long2 := f.issue(t, handoff.Request{TTL: time.Hour})
	code2, _ := f.svc.IssueShortCode(ctx, long2)
	f.clk.Advance(handoff.DefaultShortCodeTTL)
	c, err = f.svc.RedeemShortCode(ctx, code2, atParis)
	checkRefusal(t, err, handoff.ErrUnknownCode, c)
}

func TestShortCodeAttemptsLimit(t *testing.T) {
	ctx := context.Background()
	const window = 2 * time.Minute // shorter than the code's 10-minute life
	f := newFixture(t, func(c *handoff.Config) { c.ShortCodes.Window = window })
	_, claims := f.issue(t, handoff.Request{TTL: time.Hour})
	code, err := f.svc.IssueShortCode(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	wrong := "222-222-222"
	if wrong == code {
		wrong = "333-333-333"
	}
	// Malformed input is not an attempt.
	for range 2 * handoff.DefaultShortCodeAttempts {
		if _, err := f.svc.RedeemShortCode(ctx, "OOO-OOO-OOO", atParis); !errors.Is(err, handoff.ErrMalformed) {
			t.Fatal(err)
		}
	}
	f.clk.Advance(time.Minute) // the window opens at the first failure
	for i := range handoff.DefaultShortCodeAttempts {
		if _, err := f.svc.RedeemShortCode(ctx, wrong, atParis); !errors.Is(err, handoff.ErrUnknownCode) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	// Locked: even the right code is refused, and the code stays live.
	c, err := f.svc.RedeemShortCode(ctx, code, atParis)
	checkRefusal(t, err, handoff.ErrTooManyAttempts, c)
	// Another location is not affected.
	if _, err := f.svc.RedeemShortCode(ctx, wrong, atLyon); !errors.Is(err, handoff.ErrUnknownCode) {
		t.Fatalf("other location: %v", err)
	}
	f.clk.Advance(window - time.Nanosecond)
	if _, err := f.svc.RedeemShortCode(ctx, code, atParis); !errors.Is(err, handoff.ErrTooManyAttempts) {
		t.Fatalf("just before the window ends: %v", err)
	}
	f.clk.Advance(time.Nanosecond)
	if _, err := f.svc.RedeemShortCode(ctx, code, atParis); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestShortCodeAttemptsConcurrent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *handoff.Config) { c.ShortCodes.MaxAttempts = 10 })
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[error]int{}
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.RedeemShortCode(ctx, "222-222-222", atParis)
			mu.Lock()
			counts[err]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[handoff.ErrUnknownCode] != 10 || counts[handoff.ErrTooManyAttempts] != 90 {
		t.Fatalf("outcomes %v, want 10 unknown and 90 too many attempts", counts)
	}
}

func TestShortCodeConcurrentRedeem(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, claims := f.issue(t, handoff.Request{})
	code, err := f.svc.IssueShortCode(ctx, claims)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 100)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.RedeemShortCode(ctx, code, atParis)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		// The losers find the code gone: a failed attempt, and after
		// DefaultShortCodeAttempts of them the location is locked.
		case !errors.Is(err, handoff.ErrUnknownCode) && !errors.Is(err, handoff.ErrTooManyAttempts):
			t.Fatalf("unexpected %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent redemptions of one code succeeded, want 1", wins)
	}
}

func TestShortCodeMaxLive(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *handoff.Config) { c.ShortCodes.MaxLive = 3 })
	for i := range 3 {
		_, c := f.issue(t, handoff.Request{TTL: time.Minute})
		if _, err := f.svc.IssueShortCode(ctx, c); err != nil {
			t.Fatalf("code %d: %v", i, err)
		}
	}
	_, c := f.issue(t, handoff.Request{TTL: time.Minute})
	if _, err := f.svc.IssueShortCode(ctx, c); !errors.Is(err, handoff.ErrTooManyCodes) {
		t.Fatalf("4th live code: %v, want ErrTooManyCodes", err)
	}
	_, lyonClaims := f.issue(t, handoff.Request{Audience: lyon, TTL: time.Minute})
	if _, err := f.svc.IssueShortCode(ctx, lyonClaims); err != nil {
		t.Fatalf("other location: %v", err)
	}
	f.clk.Advance(time.Minute)
	_, c = f.issue(t, handoff.Request{TTL: time.Minute})
	if _, err := f.svc.IssueShortCode(ctx, c); err != nil {
		t.Fatalf("after the others expired: %v", err)
	}
}

func TestIssueShortCodeInvalid(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, ok := f.issue(t, handoff.Request{})
	for name, edit := range map[string]func(*handoff.Claims){
		"retailer-wide":   func(c *handoff.Claims) { c.Audience.Location = "" },
		"no retailer":     func(c *handoff.Claims) { c.Audience.Retailer = "" },
		"no basket":       func(c *handoff.Claims) { c.Basket = [16]byte{} },
		"no purpose":      func(c *handoff.Claims) { c.Purpose = 0 },
		"zero nonce":      func(c *handoff.Claims) { c.Nonce = [handoff.NonceLen]byte{} },
		"expired":         func(c *handoff.Claims) { c.ExpiresAt = t0 },
		"beyond MaxTTL":   func(c *handoff.Claims) { c.ExpiresAt = t0.Add(handoff.DefaultMaxTTL + time.Second) },
		"zero expiration": func(c *handoff.Claims) { c.ExpiresAt = time.Time{} },
	} {
		c := ok
		edit(&c)
		before := f.rand.n.Load()
		if code, err := f.svc.IssueShortCode(ctx, c); !errors.Is(err, handoff.ErrInvalid) || code != "" {
			t.Errorf("%s: %q, %v; want ErrInvalid", name, code, err)
		}
		if f.rand.n.Load() != before {
			t.Errorf("%s: bad input read random bytes", name)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.svc.IssueShortCode(cancelled, ok); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
}

// biasedReader yields only bytes that the rejection sampling must skip.
type biasedReader struct{}

func (biasedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}

func TestShortCodeBrokenRandom(t *testing.T) {
	f := newFixture(t)
	_, c := f.issue(t, handoff.Request{})
	g := newFixture(t, func(cfg *handoff.Config) { cfg.Rand = biasedReader{} })
	if code, err := g.svc.IssueShortCode(context.Background(), c); err == nil {
		t.Fatalf("got code %q from a broken random source", code)
	}
}
