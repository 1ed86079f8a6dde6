package handoff_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
)

func TestIssueVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	tok, issued := f.issue(t, handoff.Request{})
	got, err := f.svc.Verify(tok, atParis)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got != issued {
		t.Fatalf("Verify claims = %+v, want %+v", got, issued)
	}
	want := handoff.Claims{
		Basket: basket1, Purpose: handoff.CheckIn, Audience: paris,
		IssuedAt: t0, ExpiresAt: t0.Add(15 * time.Minute), Nonce: issued.Nonce, KeyID: "2026-11",
	}
	if got != want {
		t.Fatalf("claims = %+v, want %+v", got, want)
	}
	if issued.Nonce == [handoff.NonceLen]byte{} {
		t.Fatal("zero nonce")
	}
}

func TestIssueRoundsTimesDown(t *testing.T) {
	f := newFixture(t)
	f.clk.Set(t0.Add(700 * time.Millisecond))
	_, c := f.issue(t, handoff.Request{TTL: 90*time.Second + 500*time.Millisecond})
	if !c.IssuedAt.Equal(t0) || !c.ExpiresAt.Equal(t0.Add(91*time.Second)) {
		t.Fatalf("IssuedAt %s ExpiresAt %s, want %s and +91s", c.IssuedAt, c.ExpiresAt, t0)
	}
}

func TestTokenLength(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.issue(t, handoff.Request{Audience: paris})
	t.Logf("store token (key 2026-11, acme/store-paris-01): %d chars: %s", len(tok), tok)
	if len(tok) > 120 {
		t.Fatalf("token is %d characters, want ≤ 120 for a QR code", len(tok))
	}
	if len(tok) != 112 {
		t.Errorf("token is %d characters; the documentation says 112", len(tok))
	}
	wide, _ := f.issue(t, handoff.Request{Audience: anyAcm})
	t.Logf("retailer-wide token: %d chars", len(wide))
	if len(wide) >= len(tok) {
		t.Errorf("retailer-wide token (%d) not shorter than a store token (%d)", len(wide), len(tok))
	}

	long := newFixture(t, func(c *handoff.Config) {
		c.Keys = ring(t, handoff.Key{ID: strings.Repeat("k", handoff.MaxKeyIDLen), Secret: handoff.NewSecret(secretA)})
	})
	maxTok, _ := long.issue(t, handoff.Request{Audience: handoff.Audience{
		Retailer: strings.Repeat("r", handoff.MaxRetailerLen), Location: strings.Repeat("l", handoff.MaxLocationLen),
	}})
	if len(maxTok) != handoff.MaxTokenLen {
		t.Fatalf("longest token is %d characters, MaxTokenLen is %d", len(maxTok), handoff.MaxTokenLen)
	}
	for _, c := range tok + maxTok {
		if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", c) {
			t.Fatalf("token has non-URL-safe character %q", c)
		}
	}
}

func TestRefusals(t *testing.T) {
	other := newFixture(t, func(c *handoff.Config) {
		c.Keys = ring(t, handoff.Key{ID: "other", Secret: handoff.NewSecret(secretB)})
	})
	otherTok, _ := other.issue(t, handoff.Request{})

	type tcase struct {
		name   string
		token  func(f fixture, tok string) string
		expect handoff.Expectation
		now    func(c handoff.Claims) time.Time // nil: t0
		want   error                            // nil: accepted
	}
	same := func(_ fixture, tok string) string { return tok }
	cases := []tcase{
		{name: "valid", token: same, expect: atParis},
		{name: "empty", token: func(fixture, string) string { return "" }, expect: atParis, want: handoff.ErrMalformed},
		{name: "garbage", token: func(fixture, string) string { return "hello, world" }, expect: atParis, want: handoff.ErrMalformed},
		{name: "too long", token: func(_ fixture, tok string) string { return tok + strings.Repeat("A", 200) }, expect: atParis, want: handoff.ErrMalformed},
		{name: "truncated by one char", token: func(_ fixture, tok string) string { return tok[:len(tok)-1] }, expect: atParis, want: handoff.ErrMalformed},
		{name: "truncated by a MAC byte", token: func(f fixture, tok string) string { r := decode(f.t(), tok); return encode(r[:len(r)-1]) }, expect: atParis, want: handoff.ErrMalformed},
		{name: "truncated to half", token: func(_ fixture, tok string) string { return tok[:len(tok)/2] }, expect: atParis, want: handoff.ErrMalformed},
		{name: "trailing byte", token: func(f fixture, tok string) string { return encode(append(decode(f.t(), tok), 0)) }, expect: atParis, want: handoff.ErrMalformed},
		{name: "trailing byte re-signed", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			p := append(r[:len(r)-handoff.MACLen:len(r)-handoff.MACLen], 0)
			return encode(resign(append(p, make([]byte, handoff.MACLen)...), secretA))
		}, expect: atParis, want: handoff.ErrMalformed},
		{name: "bad base64 character", token: func(_ fixture, tok string) string { return "+" + tok[1:] }, expect: atParis, want: handoff.ErrMalformed},
		{name: "padded base64", token: func(_ fixture, tok string) string { return tok[:len(tok)-2] + "==" }, expect: atParis, want: handoff.ErrMalformed},
		{name: "standard base64", token: func(_ fixture, tok string) string { return strings.NewReplacer("-", "+", "_", "/").Replace(tok) + "/" }, expect: atParis, want: handoff.ErrMalformed},
		{name: "newline inside", token: func(_ fixture, tok string) string { return tok[:10] + "\n" + tok[10:] }, expect: atParis, want: handoff.ErrMalformed},
		{name: "wrong version, valid MAC", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[0] = 2
			return encode(resign(r, secretA))
		}, expect: atParis, want: handoff.ErrMalformed},
		{name: "version 0, valid MAC", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[0] = 0
			return encode(resign(r, secretA))
		}, expect: atParis, want: handoff.ErrMalformed},
		{name: "bad purpose byte, valid MAC", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[1] = 9
			return encode(resign(r, secretA))
		}, expect: atParis, want: handoff.ErrMalformed},
		{name: "bad signature: MAC bit", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[len(r)-1] ^= 1
			return encode(r)
		}, expect: atParis, want: handoff.ErrBadSignature},
		{name: "bad signature: basket changed", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[3+7] ^= 0x80 // first byte of the basket ID
			return encode(r)
		}, expect: atParis, want: handoff.ErrBadSignature},
		{name: "bad signature: signed with another secret", token: func(f fixture, tok string) string {
			return encode(resign(decode(f.t(), tok), secretB))
		}, expect: atParis, want: handoff.ErrBadSignature},
		{name: "unknown key", token: func(fixture, string) string { return otherTok }, expect: atParis, want: handoff.ErrUnknownKey},
		{name: "wrong purpose", token: same, expect: handoff.Expectation{Purpose: handoff.CheckOut, Retailer: "acme", Location: "store-paris-01"}, want: handoff.ErrWrongPurpose},
		{name: "wrong location", token: same, expect: atLyon, want: handoff.ErrWrongAudience},
		{name: "wrong retailer", token: same, expect: handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "globex", Location: "store-paris-01"}, want: handoff.ErrWrongAudience},
		{name: "store token without location", token: same, expect: handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme"}, want: handoff.ErrWrongAudience},
		{name: "expired long ago", token: same, expect: atParis, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(time.Hour) }, want: handoff.ErrExpired},
		{name: "past expiry, within skew", token: same, expect: atParis, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(handoff.DefaultSkew - time.Nanosecond) }},
		{name: "past expiry, at skew", token: same, expect: atParis, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(handoff.DefaultSkew) }, want: handoff.ErrExpired},
		{name: "issued in the future, within skew", token: same, expect: atParis, now: func(c handoff.Claims) time.Time { return c.IssuedAt.Add(-handoff.DefaultSkew) }},
		{name: "issued in the future, beyond skew", token: same, expect: atParis, now: func(c handoff.Claims) time.Time { return c.IssuedAt.Add(-handoff.DefaultSkew - time.Second) }, want: handoff.ErrNotYetValid},
		// Order: the first failing check wins.
		{name: "order: MAC before audience and expiry", token: func(f fixture, tok string) string {
			r := decode(f.t(), tok)
			r[len(r)-1] ^= 1
			return encode(r)
		}, expect: atLyon, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(time.Hour) }, want: handoff.ErrBadSignature},
		{name: "order: purpose before audience and expiry", token: same, expect: handoff.Expectation{Purpose: handoff.CheckOut, Retailer: "globex"}, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(time.Hour) }, want: handoff.ErrWrongPurpose},
		{name: "order: audience before expiry", token: same, expect: atLyon, now: func(c handoff.Claims) time.Time { return c.ExpiresAt.Add(time.Hour) }, want: handoff.ErrWrongAudience},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tok, issued := f.issue(t, handoff.Request{})
			presented := tc.token(f, tok)
			if tc.now != nil {
				f.clk.Set(tc.now(issued))
			}
			c, err := f.svc.Verify(presented, tc.expect)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v, want accepted", err)
				}
				if c != issued {
					t.Fatalf("claims %+v, want %+v", c, issued)
				}
				return
			}
			checkRefusal(t, err, tc.want, c)
			// Redeem refuses the same way and consumes nothing.
			_, rerr := f.svc.Redeem(context.Background(), presented, tc.expect)
			if !errors.Is(rerr, tc.want) {
				t.Fatalf("Redeem: %v, want %v", rerr, tc.want)
			}
			if f.store.Len() != 0 {
				t.Fatalf("a refused token consumed a nonce")
			}
		})
	}
}

func checkRefusal(t *testing.T, err, want error, c handoff.Claims) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if !errors.Is(err, handoff.ErrRejected) {
		t.Fatalf("%v does not match ErrRejected", err)
	}
	if c != (handoff.Claims{}) {
		t.Fatalf("refusal returned claims %+v", c)
	}
	for _, leak := range []string{"2026-11", "other", hex.EncodeToString(secretA), hex.EncodeToString(secretB), string(secretA)} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("error %q leaks %q", err, leak)
		}
	}
}

func TestAudience(t *testing.T) {
	f := newFixture(t)
	store, _ := f.issue(t, handoff.Request{Audience: paris})
	wide, _ := f.issue(t, handoff.Request{Audience: anyAcm})
	for _, tc := range []struct {
		tok    string
		expect handoff.Expectation
		want   error
	}{
		{store, atParis, nil},
		{store, atLyon, handoff.ErrWrongAudience},
		{wide, atParis, nil},
		{wide, atLyon, nil},
		{wide, handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "acme"}, nil},
		{wide, handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "globex", Location: "store-paris-01"}, handoff.ErrWrongAudience},
		{wide, handoff.Expectation{Purpose: handoff.CheckIn, Retailer: "ACME", Location: "store-paris-01"}, handoff.ErrWrongAudience},
	} {
		if _, err := f.svc.Verify(tc.tok, tc.expect); !errors.Is(err, tc.want) {
			t.Errorf("Verify(%+v): %v, want %v", tc.expect, err, tc.want)
		}
	}
}

func TestRedeemSingleUse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tok, issued := f.issue(t, handoff.Request{})
	c, err := f.svc.Redeem(ctx, tok, atParis)
	if err != nil || c != issued {
		t.Fatalf("first Redeem: %+v, %v", c, err)
	}
	c, err = f.svc.Redeem(ctx, tok, atParis)
	checkRefusal(t, err, handoff.ErrAlreadyUsed, c)
	// Still refused at the end of its life, within the skew.
	f.clk.Set(issued.ExpiresAt.Add(handoff.DefaultSkew - time.Second))
	_, err = f.svc.Redeem(ctx, tok, atParis)
	checkRefusal(t, err, handoff.ErrAlreadyUsed, handoff.Claims{})
	// Verify does not consume.
	tok2, _ := f.issue(t, handoff.Request{})
	for range 3 {
		if _, err := f.svc.Verify(tok2, atParis); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Redeem(ctx, tok2, atParis); err != nil {
		t.Fatalf("Redeem after Verify: %v", err)
	}
}

func TestRedeemConcurrent(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.issue(t, handoff.Request{})
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = f.svc.Redeem(context.Background(), tok, atParis)
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, handoff.ErrAlreadyUsed):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d of %d concurrent redemptions succeeded, want 1", wins, n)
	}
}

type failingStore struct{}

func (failingStore) Consume(context.Context, []byte, time.Time) error {
	return errors.New("connection refused")
}

func TestRedeemStoreFailure(t *testing.T) {
	f := newFixture(t, func(c *handoff.Config) { c.Replay = failingStore{} })
	tok, _ := f.issue(t, handoff.Request{})
	_, err := f.svc.Redeem(context.Background(), tok, atParis)
	if err == nil || errors.Is(err, handoff.ErrRejected) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("store failure: %v, want a wrapped non-rejection error", err)
	}
}

func TestKeyRotation(t *testing.T) {
	k1 := handoff.Key{ID: "k1", Secret: handoff.NewSecret(secretA), ActiveFrom: t0.Add(-time.Hour), RetireAt: t0.Add(2 * time.Hour)}
	k2 := handoff.Key{ID: "k2", Secret: handoff.NewSecret(secretB), ActiveFrom: t0.Add(time.Hour)}
	f := newFixture(t, func(c *handoff.Config) { c.Keys = ring(t, k2, k1) })

	old, oc := f.issue(t, handoff.Request{TTL: 3 * time.Hour})
	if oc.KeyID != "k1" {
		t.Fatalf("signed with %q before rotation, want k1", oc.KeyID)
	}
	f.clk.Set(t0.Add(time.Hour - time.Nanosecond))
	if _, c := f.issue(t, handoff.Request{}); c.KeyID != "k1" {
		t.Fatalf("signed with %q just before k2 activates, want k1", c.KeyID)
	}
	f.clk.Set(t0.Add(time.Hour))
	fresh, fc := f.issue(t, handoff.Request{TTL: 3 * time.Hour})
	if fc.KeyID != "k2" {
		t.Fatalf("signed with %q after rotation, want k2", fc.KeyID)
	}
	// Both verify while k1 is not retired.
	f.clk.Set(t0.Add(2*time.Hour - time.Nanosecond))
	for _, tok := range []string{old, fresh} {
		if _, err := f.svc.Verify(tok, atParis); err != nil {
			t.Fatalf("before retirement: %v", err)
		}
	}
	// From RetireAt on, k1's tokens are refused although not expired.
	f.clk.Set(t0.Add(2 * time.Hour))
	_, err := f.svc.Verify(old, atParis)
	checkRefusal(t, err, handoff.ErrUnknownKey, handoff.Claims{})
	if _, err := f.svc.Verify(fresh, atParis); err != nil {
		t.Fatalf("k2 token after k1 retired: %v", err)
	}
}

func TestKeyNotYetActive(t *testing.T) {
	k1 := handoff.Key{ID: "k1", Secret: handoff.NewSecret(secretA)}
	k2 := handoff.Key{ID: "k2", Secret: handoff.NewSecret(secretB), ActiveFrom: t0.Add(time.Hour)}
	ahead := newFixture(t, func(c *handoff.Config) { c.Keys = ring(t, k1, k2) })
	verifier := newFixture(t, func(c *handoff.Config) { c.Keys = ring(t, k1, k2) })

	// An issuer whose clock is 20s ahead signs with k2 early: within skew.
	verifier.clk.Set(t0.Add(time.Hour - 20*time.Second))
	ahead.clk.Set(t0.Add(time.Hour))
	tok, c := ahead.issue(t, handoff.Request{})
	if c.KeyID != "k2" {
		t.Fatalf("key %q, want k2", c.KeyID)
	}
	if _, err := verifier.svc.Verify(tok, atParis); err != nil {
		t.Fatalf("within skew: %v", err)
	}
	// 2 minutes ahead: k2 is not active yet for the verifier.
	verifier.clk.Set(t0.Add(time.Hour - 2*time.Minute))
	if _, err := verifier.svc.Verify(tok, atParis); !errors.Is(err, handoff.ErrUnknownKey) {
		t.Fatalf("beyond skew: %v, want ErrUnknownKey", err)
	}
}

func TestNoSigningKey(t *testing.T) {
	f := newFixture(t, func(c *handoff.Config) {
		c.Keys = ring(t, handoff.Key{ID: "k1", Secret: handoff.NewSecret(secretA), ActiveFrom: t0.Add(-time.Hour), RetireAt: t0})
	})
	if _, _, err := f.svc.Issue(handoff.Request{Basket: basket1, Purpose: handoff.CheckIn, Audience: paris, TTL: time.Minute}); !errors.Is(err, handoff.ErrNoSigningKey) {
		t.Fatalf("Issue with only a retired key: %v", err)
	}
	f.clk.Set(t0.Add(-2 * time.Hour))
	if _, _, err := f.svc.Issue(handoff.Request{Basket: basket1, Purpose: handoff.CheckIn, Audience: paris, TTL: time.Minute}); !errors.Is(err, handoff.ErrNoSigningKey) {
		t.Fatalf("Issue before the key is active: %v", err)
	}
}

func TestIssueInvalid(t *testing.T) {
	f := newFixture(t)
	ok := handoff.Request{Basket: basket1, Purpose: handoff.CheckIn, Audience: paris, TTL: time.Minute}
	for name, edit := range map[string]func(*handoff.Request){
		"nil basket":        func(r *handoff.Request) { r.Basket = uuid.Nil },
		"zero purpose":      func(r *handoff.Request) { r.Purpose = 0 },
		"unknown purpose":   func(r *handoff.Request) { r.Purpose = 3 },
		"no retailer":       func(r *handoff.Request) { r.Audience.Retailer = "" },
		"long retailer":     func(r *handoff.Request) { r.Audience.Retailer = strings.Repeat("r", handoff.MaxRetailerLen+1) },
		"long location":     func(r *handoff.Request) { r.Audience.Location = strings.Repeat("l", handoff.MaxLocationLen+1) },
		"bad UTF-8":         func(r *handoff.Request) { r.Audience.Location = "store-\xff" },
		"zero TTL":          func(r *handoff.Request) { r.TTL = 0 },
		"negative TTL":      func(r *handoff.Request) { r.TTL = -time.Minute },
		"sub-second TTL":    func(r *handoff.Request) { r.TTL = 999 * time.Millisecond },
		"TTL beyond MaxTTL": func(r *handoff.Request) { r.TTL = handoff.DefaultMaxTTL + time.Second },
	} {
		r := ok
		edit(&r)
		tok, c, err := f.svc.Issue(r)
		if !errors.Is(err, handoff.ErrInvalid) || tok != "" || c != (handoff.Claims{}) {
			t.Errorf("%s: %q, %+v, %v; want ErrInvalid", name, tok, c, err)
		}
	}
	if n := f.rand.n.Load(); n != 0 {
		t.Fatalf("bad input read %d random bytes; it must change nothing", n)
	}
}

func TestVerifyInvalidExpectation(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.issue(t, handoff.Request{})
	for _, e := range []handoff.Expectation{
		{Retailer: "acme", Location: "store-paris-01"},
		{Purpose: 7, Retailer: "acme"},
		{Purpose: handoff.CheckIn, Location: "store-paris-01"},
	} {
		if _, err := f.svc.Verify(tok, e); !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("Verify(%+v): %v, want ErrInvalid", e, err)
		}
		if _, err := f.svc.Redeem(context.Background(), tok, e); !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("Redeem(%+v): %v, want ErrInvalid", e, err)
		}
	}
	if f.store.Len() != 0 {
		t.Fatal("invalid expectation consumed the nonce")
	}
}

func TestNewInvalid(t *testing.T) {
	r := ring(t)
	store := failingStore{}
	for name, cfg := range map[string]handoff.Config{
		"no keys":                {Replay: store},
		"empty ring":             {Keys: &handoff.KeyRing{}, Replay: store},
		"no replay store":        {Keys: r},
		"negative skew":          {Keys: r, Replay: store, Skew: -time.Second},
		"huge skew":              {Keys: r, Replay: store, Skew: handoff.MaxSkew + time.Second},
		"tiny MaxTTL":            {Keys: r, Replay: store, MaxTTL: time.Millisecond},
		"insecure attempts":      {Keys: r, Replay: store, ShortCodes: handoff.ShortCodeConfig{MaxAttempts: 1_000_000}},
		"insecure live codes":    {Keys: r, Replay: store, ShortCodes: handoff.ShortCodeConfig{MaxLive: 10_000_000}},
		"insecure long code TTL": {Keys: r, Replay: store, ShortCodes: handoff.ShortCodeConfig{TTL: 10000 * time.Hour}},
		"negative attempts":      {Keys: r, Replay: store, ShortCodes: handoff.ShortCodeConfig{MaxAttempts: -1}},
		"sub-second window":      {Keys: r, Replay: store, ShortCodes: handoff.ShortCodeConfig{Window: time.Millisecond}},
	} {
		if s, err := handoff.New(cfg); !errors.Is(err, handoff.ErrInvalid) || s != nil {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestNewKeyRingInvalid(t *testing.T) {
	for name, keys := range map[string][]handoff.Key{
		"no key":            nil,
		"empty ID":          {{ID: "", Secret: handoff.NewSecret(secretA)}},
		"long ID":           {{ID: strings.Repeat("k", handoff.MaxKeyIDLen+1), Secret: handoff.NewSecret(secretA)}},
		"ID with space":     {{ID: "k 1", Secret: handoff.NewSecret(secretA)}},
		"non-ASCII ID":      {{ID: "clé", Secret: handoff.NewSecret(secretA)}},
		"short secret":      {{ID: "k1", Secret: handoff.NewSecret(secretA[:31])}},
		"nil secret":        {{ID: "k1"}},
		"duplicate ID":      {{ID: "k1", Secret: handoff.NewSecret(secretA)}, {ID: "k1", Secret: handoff.NewSecret(secretB), ActiveFrom: t0}},
		"retire not after":  {{ID: "k1", Secret: handoff.NewSecret(secretA), ActiveFrom: t0, RetireAt: t0}},
		"same ActiveFrom":   {{ID: "k1", Secret: handoff.NewSecret(secretA), ActiveFrom: t0}, {ID: "k2", Secret: handoff.NewSecret(secretB), ActiveFrom: t0}},
		"retire before act": {{ID: "k1", Secret: handoff.NewSecret(secretA), ActiveFrom: t0, RetireAt: t0.Add(-time.Second)}},
	} {
		if r, err := handoff.NewKeyRing(keys...); !errors.Is(err, handoff.ErrInvalid) || r != nil {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		} else if strings.Contains(err.Error(), string(secretA[:8])) {
			t.Errorf("%s: error leaks the secret", name)
		}
	}
}

func TestKeyRingCopiesSecrets(t *testing.T) {
	secret := append([]byte(nil), secretA...)
	r := ring(t, handoff.Key{ID: "k1", Secret: handoff.NewSecret(secret)})
	f := newFixture(t, func(c *handoff.Config) { c.Keys = r })
	tok, _ := f.issue(t, handoff.Request{})
	clear(secret)
	if _, err := f.svc.Verify(tok, atParis); err != nil {
		t.Fatalf("changing the caller's secret changed the ring: %v", err)
	}
}

func TestKeyStringRedactsSecret(t *testing.T) {
	k := handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte(strings.Repeat("s3cr3t!", 5)))}
	for _, s := range []string{k.String(), k.GoString()} {
		if strings.Contains(s, "s3cr3t") || !strings.Contains(s, "redacted") {
			t.Fatalf("Key formats as %q", s)
		}
	}
}

func TestPurposeString(t *testing.T) {
	for p, want := range map[handoff.Purpose]string{handoff.CheckIn: "check-in", handoff.CheckOut: "check-out", 9: "Purpose(9)"} {
		if p.String() != want {
			t.Errorf("%d.String() = %q, want %q", p, p.String(), want)
		}
	}
}
