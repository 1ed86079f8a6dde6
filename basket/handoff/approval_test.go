package handoff_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"pgregory.net/rapid"
)

var (
	overrideA = sha256.Sum256([]byte("L0001 price 99.00 EUR PRICE-MATCH"))
	overrideB = sha256.Sum256([]byte("L0001 price 89.00 EUR PRICE-MATCH"))
)

func (f fixture) approve(t testing.TB, r handoff.ApprovalRequest) (string, handoff.ApprovalClaims) {
	t.Helper()
	if r.Basket == uuid.Nil {
		r.Basket = basket1
	}
	if r.Audience == (handoff.Audience{}) {
		r.Audience = paris
	}
	if r.Approver == "" {
		r.Approver = "mgr-7"
	}
	if r.Digest == [handoff.DigestLen]byte{} {
		r.Digest = overrideA
	}
	if r.TTL == 0 {
		r.TTL = 5 * time.Minute
	}
	tok, c, err := f.svc.IssueApproval(r)
	if err != nil {
		t.Fatalf("IssueApproval: %v", err)
	}
	return tok, c
}

func approvalAt(loc string, basket uuid.UUID, digest [handoff.DigestLen]byte) handoff.ApprovalExpectation {
	return handoff.ApprovalExpectation{Retailer: "acme", Location: loc, Basket: basket, Digest: digest}
}

func TestApprovalRoundTrip(t *testing.T) {
	f := newFixture(t)
	tok, issued := f.approve(t, handoff.ApprovalRequest{})
	if len(tok) > handoff.MaxApprovalLen {
		t.Fatalf("approval is %d characters, above MaxApprovalLen %d", len(tok), handoff.MaxApprovalLen)
	}
	got, err := f.svc.VerifyApproval(tok, approvalAt(paris.Location, basket1, overrideA))
	if err != nil {
		t.Fatalf("VerifyApproval: %v", err)
	}
	want := handoff.ApprovalClaims{Basket: basket1, Audience: paris, Approver: "mgr-7", Digest: overrideA,
		IssuedAt: t0, ExpiresAt: t0.Add(5 * time.Minute), Nonce: issued.Nonce, KeyID: "2026-11"}
	if got != want || issued != want {
		t.Fatalf("claims = %+v, issued %+v, want %+v", got, issued, want)
	}
}

// Each way an approval can be wrong is refused with its own sentinel, and
// every one of them is a rejection.
func TestApprovalRefusals(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.approve(t, handoff.ApprovalRequest{})
	wide, _ := f.approve(t, handoff.ApprovalRequest{Audience: anyAcm})
	checkIn, _ := f.issue(t, handoff.Request{})
	other := uuid.MustParse("0b7d6a58-1f0e-4c55-9a41-6f3c2d8e9b99")
	raw := decode(t, tok)
	raw[len(raw)-handoff.MACLen-1] ^= 1 // a bit of the digest, MAC left as it was
	tampered := encode(raw)
	for _, c := range []struct {
		name   string
		token  string
		expect handoff.ApprovalExpectation
		want   error
	}{
		{"another amount", tok, approvalAt(paris.Location, basket1, overrideB), handoff.ErrWrongSubject},
		{"another basket", tok, approvalAt(paris.Location, other, overrideA), handoff.ErrWrongSubject},
		{"another store", tok, approvalAt(lyon.Location, basket1, overrideA), handoff.ErrWrongAudience},
		{"another retailer", tok, handoff.ApprovalExpectation{Retailer: "globex", Location: paris.Location, Basket: basket1, Digest: overrideA}, handoff.ErrWrongAudience},
		{"a check-in token", checkIn, approvalAt(paris.Location, basket1, overrideA), handoff.ErrWrongPurpose},
		{"tampered", tampered, approvalAt(paris.Location, basket1, overrideA), handoff.ErrBadSignature},
		{"truncated", tok[:len(tok)-2], approvalAt(paris.Location, basket1, overrideA), handoff.ErrMalformed},
		{"empty", "", approvalAt(paris.Location, basket1, overrideA), handoff.ErrMalformed},
	} {
		_, err := f.svc.VerifyApproval(c.token, c.expect)
		if !errors.Is(err, c.want) || !errors.Is(err, handoff.ErrRejected) {
			t.Errorf("%s: %v, want %v (a rejection)", c.name, err, c.want)
		}
	}
	if _, err := f.svc.VerifyApproval(wide, approvalAt(lyon.Location, basket1, overrideA)); err != nil {
		t.Errorf("a retailer-wide approval at another store: %v", err)
	}
	if _, err := f.svc.VerifyApproval(tok, handoff.ApprovalExpectation{Basket: basket1, Digest: overrideA}); !errors.Is(err, handoff.ErrInvalid) {
		t.Errorf("no retailer: %v, want ErrInvalid", err)
	}
	if _, err := f.svc.Verify(tok, atParis); !errors.Is(err, handoff.ErrMalformed) {
		t.Errorf("an approval presented as a check-in: %v, want ErrMalformed", err)
	}
	f.clk.Advance(5*time.Minute + handoff.DefaultSkew)
	if _, err := f.svc.VerifyApproval(tok, approvalAt(paris.Location, basket1, overrideA)); !errors.Is(err, handoff.ErrExpired) {
		t.Errorf("expired: %v, want ErrExpired", err)
	}
}

func TestIssueApprovalRefusesBadRequests(t *testing.T) {
	f := newFixture(t)
	good := handoff.ApprovalRequest{Basket: basket1, Audience: paris, Approver: "mgr-7", Digest: overrideA, TTL: time.Minute}
	for name, edit := range map[string]func(*handoff.ApprovalRequest){
		"no basket":         func(r *handoff.ApprovalRequest) { r.Basket = uuid.Nil },
		"no retailer":       func(r *handoff.ApprovalRequest) { r.Audience.Retailer = "" },
		"no approver":       func(r *handoff.ApprovalRequest) { r.Approver = "" },
		"long approver":     func(r *handoff.ApprovalRequest) { r.Approver = strings.Repeat("m", handoff.MaxApproverLen+1) },
		"no digest":         func(r *handoff.ApprovalRequest) { r.Digest = [handoff.DigestLen]byte{} },
		"TTL under 1s":      func(r *handoff.ApprovalRequest) { r.TTL = time.Millisecond },
		"TTL above the max": func(r *handoff.ApprovalRequest) { r.TTL = handoff.DefaultMaxTTL + time.Second },
	} {
		r := good
		edit(&r)
		if _, _, err := f.svc.IssueApproval(r); !errors.Is(err, handoff.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, _, err := f.svc.IssueApproval(good); err != nil {
		t.Fatalf("the good request: %v", err)
	}
}

// An approval is used once, however many tablets present it at once.
func TestApprovalIsSingleUse(t *testing.T) {
	f := newFixture(t)
	tok, _ := f.approve(t, handoff.ApprovalRequest{})
	expect := approvalAt(paris.Location, basket1, overrideA)
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok, reused int
	)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.RedeemApproval(context.Background(), tok, expect)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, handoff.ErrAlreadyUsed):
				reused++
			default:
				t.Errorf("redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || reused != 15 {
		t.Fatalf("%d redemptions succeeded and %d were refused as used, want 1 and 15", ok, reused)
	}
}

// Flipping any bit of an approval gets it refused, never accepted.
func TestApprovalBitFlipRejected(t *testing.T) {
	f := newFixture(t)
	rapid.Check(t, func(rt *rapid.T) {
		var digest [handoff.DigestLen]byte
		copy(digest[:], rapid.SliceOfN(rapid.Byte(), handoff.DigestLen, handoff.DigestLen).Draw(rt, "digest"))
		digest[0] |= 1
		approver := rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyz0123456789-é")), 1, 10, handoff.MaxApproverLen).Draw(rt, "approver")
		tok, _, err := f.svc.IssueApproval(handoff.ApprovalRequest{Basket: basket1, Audience: paris, Approver: approver, Digest: digest, TTL: time.Minute})
		if err != nil {
			rt.Fatal(err)
		}
		expect := approvalAt(paris.Location, basket1, digest)
		if _, err := f.svc.VerifyApproval(tok, expect); err != nil {
			rt.Fatalf("genuine approval refused: %v", err)
		}
		raw := decode(rt, tok)
		bit := rapid.IntRange(0, len(raw)*8-1).Draw(rt, "bit")
		raw[bit/8] ^= 1 << (bit % 8)
		if _, err := f.svc.VerifyApproval(encode(raw), expect); !errors.Is(err, handoff.ErrRejected) {
			rt.Fatalf("bit %d flipped: %v, want a rejection", bit, err)
		}
	})
}
