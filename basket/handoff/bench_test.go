package handoff_test

import (
	"context"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket/handoff"
)

func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	r := handoff.Request{Basket: basket1, Purpose: handoff.CheckIn, Audience: paris, TTL: 15 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := f.svc.Issue(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	tok, _ := f.issue(b, handoff.Request{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Verify(tok, atParis); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyBadSignature(b *testing.B) {
	f := newFixture(b)
	tok, _ := f.issue(b, handoff.Request{})
	raw := decode(b, tok)
	raw[len(raw)-1] ^= 1
	bad := encode(raw)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.svc.Verify(bad, atParis); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkRedeem(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	toks := make([]string, 0, 1<<16)
	for range cap(toks) {
		tok, _ := f.issue(b, handoff.Request{})
		toks = append(toks, tok)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(toks) {
			b.StopTimer()
			f = newFixture(b)
			toks = toks[:0]
			for range cap(toks) {
				tok, _ := f.issue(b, handoff.Request{})
				toks = append(toks, tok)
			}
			i = 0
			b.StartTimer()
		}
		if _, err := f.svc.Redeem(ctx, toks[i], atParis); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
