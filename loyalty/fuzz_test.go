package loyalty_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/loyalty"
)

// FuzzDecodeProgram: decoding any bytes never panics and fails only with
// ErrInvalid; a programme that decodes and compiles earns a non-negative
// total that its explanations share exactly, burns within the balance and
// the due, and survives a JSON round trip with the same results.
func FuzzDecodeProgram(f *testing.F) {
	seed, err := json.Marshal(program())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"rules":[{"id":"b","kind":"base","points":1,"per":{"amount":"1.00","currency":"EUR"}}]}`))
	f.Add([]byte(`{"rules":[{"id":"m","kind":"multiplier","factor":"2","target":{"categories":["cheese"]}}],"tiers":[{"id":"2","multiplier":"1.5"}]}`))
	f.Add([]byte(`{"rules":[{"id":"u","kind":"per-unit","points":9223372036854775807}]}`))
	f.Add([]byte(`{"burn":{"mode":"tender","step":7,"max_share":"0.5","rates":[{"points":3,"value":{"amount":"0.01","currency":"EUR"}}]}}`))
	f.Add([]byte(`{"rules":[],"extra":1}`))
	f.Add([]byte(`{"rules":[{"id":"w","kind":"base","points":1,"per":{"amount":"1","currency":"EUR"},"starts_at":"2026-11-23T09:00:00Z","ends_at":"2026-11-22T09:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := loyalty.DecodeProgram(data)
		if err != nil {
			if !errors.Is(err, loyalty.ErrInvalid) {
				t.Fatalf("decode error %v does not match ErrInvalid", err)
			}
			return
		}
		s, err := loyalty.Compile(p)
		if err != nil {
			if !errors.Is(err, loyalty.ErrInvalid) {
				t.Fatalf("compile error %v does not match ErrInvalid", err)
			}
			return
		}
		e, b := outcome(t, s)
		again, err := json.Marshal(s.Program())
		if err != nil {
			t.Fatalf("a compiled programme does not encode: %v", err)
		}
		p2, err := loyalty.DecodeProgram(again)
		if err != nil {
			t.Fatalf("%s does not decode back: %v", again, err)
		}
		s2, err := loyalty.Compile(p2)
		if err != nil {
			t.Fatalf("%s does not compile back: %v", again, err)
		}
		e2, b2 := outcome(t, s2)
		if fmt.Sprintf("%+v %+v", e, b) != fmt.Sprintf("%+v %+v", e2, b2) {
			t.Fatalf("round trip changed the results:\n%+v %+v\n%+v %+v", e, b, e2, b2)
		}
	})
}

// outcome earns on the basket and burns 500 of 1157 points of
// 42.10 EUR; an error is acceptable only as documented.
func outcome(t *testing.T, s *loyalty.Scheme) (loyalty.Earning, loyalty.Burn) {
	t.Helper()
	e, err := s.Earn(visit1(), "2", storeCtx("EUR"))
	if err != nil && !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("Earn: %v", err)
	}
	var sum int64
	for _, x := range e.Explanations {
		sum += x.Points
	}
	if e.Points < 0 || sum != e.Points {
		t.Fatalf("earned %d, explanations sum to %d", e.Points, sum)
	}
	req := loyalty.BurnRequest{Balance: 1157, Requested: 500, Due: eur("42.10")}
	b, err := s.Burn(req)
	if err != nil && !errors.Is(err, loyalty.ErrNotBurnable) {
		t.Fatalf("Burn: %v", err)
	}
	if b.Points < 0 || b.Points > req.Requested || b.Value.IsNegative() || b.Value.MinorUnits() > req.Due.MinorUnits() {
		t.Fatalf("burn %+v of %+v", b, req)
	}
	return e, b
}
