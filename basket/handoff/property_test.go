package handoff_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"pgregory.net/rapid"
)

// TestBitFlipRejected: flipping any single bit of a token, in its text or
// in its decoded bytes, makes it refused; it never panics.
func TestBitFlipRejected(t *testing.T) {
	f := newFixture(t)
	ident := rapid.StringOfN(rapid.RuneFrom([]rune("abcdefghijklmnopqrstuvwxyz0123456789-")), 1, 32, -1)
	rapid.Check(t, func(rt *rapid.T) {
		var id uuid.UUID
		copy(id[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(rt, "basket"))
		if id == uuid.Nil {
			id[0] = 1
		}
		aud := handoff.Audience{
			Retailer: ident.Draw(rt, "retailer"),
			Location: rapid.OneOf(rapid.Just(""), ident).Draw(rt, "location"),
		}
		purpose := rapid.SampledFrom([]handoff.Purpose{handoff.CheckIn, handoff.CheckOut}).Draw(rt, "purpose")
		ttl := time.Duration(rapid.IntRange(1, 86400).Draw(rt, "ttl")) * time.Second
		tok, _, err := f.svc.Issue(handoff.Request{Basket: id, Purpose: purpose, Audience: aud, TTL: ttl})
		if err != nil {
			rt.Fatal(err)
		}
		loc := aud.Location
		if loc == "" {
			loc = "anywhere"
		}
		expect := handoff.Expectation{Purpose: purpose, Retailer: aud.Retailer, Location: loc}
		if _, err := f.svc.Verify(tok, expect); err != nil {
			rt.Fatalf("genuine token refused: %v", err)
		}

		text := []byte(tok)
		bit := rapid.IntRange(0, 8*len(text)-1).Draw(rt, "text bit")
		text[bit/8] ^= 1 << (bit % 8)
		if _, err := f.svc.Verify(string(text), expect); err == nil {
			rt.Fatalf("text bit %d flipped: accepted %q", bit, text)
		}

		raw := decode(rt, tok)
		bit = rapid.IntRange(0, 8*len(raw)-1).Draw(rt, "byte bit")
		raw[bit/8] ^= 1 << (bit % 8)
		if _, err := f.svc.Verify(encode(raw), expect); err == nil {
			rt.Fatalf("byte bit %d flipped: accepted", bit)
		}
	})
}
