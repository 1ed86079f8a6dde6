package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"pgregory.net/rapid"
)

// model is what a conforming source must hold after each step.
type model struct {
	balance     map[string]int64 // CHF cents
	expires     map[string]time.Time
	blocked     map[string]bool
	redemptions map[string][]payment.Debit // normalised
	reversed    map[string]bool
}

// machineCodes are the cards the state machine issues.
func machineCodes() []string { return []string{"GC-A", "GC-B", "GC-C"} }

// testStateMachine runs random redemptions, retries, reversals, blocks
// and clock moves against the implementation and a model, and compares
// every outcome (success or the error kind) and every balance.
func testStateMachine(t *testing.T, newHarness func(t *testing.T) Harness) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t)
		ctx := context.Background()
		h.Clock.Set(Epoch)
		m := &model{balance: map[string]int64{}, expires: map[string]time.Time{}, blocked: map[string]bool{},
			redemptions: map[string][]payment.Debit{}, reversed: map[string]bool{}}
		for _, c := range machineCodes() {
			cents := rapid.Int64Range(0, 10_000).Draw(rt, "balance-"+c)
			var exp time.Time
			if rapid.Bool().Draw(rt, "expires-"+c) {
				exp = Epoch.Add(time.Duration(rapid.IntRange(1, 48).Draw(rt, "hours-"+c)) * time.Hour)
			}
			if err := h.Issue(ctx, c, cents2(cents), exp); err != nil {
				rt.Fatal(err)
			}
			m.balance[c], m.expires[c] = cents, exp
		}
		ids := []string{"p1", "p2", "p3", "p4"}
		rt.Repeat(map[string]func(*rapid.T){
			"redeem": func(rt *rapid.T) {
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				var ds []payment.Debit
				for _, c := range rapid.SliceOfNDistinct(rapid.SampledFrom(append(machineCodes(), "GC-X")), 1, 3, rapid.ID[string]).Draw(rt, "codes") {
					ds = append(ds, payment.Debit{Code: c, Amount: cents2(rapid.Int64Range(1, 6_000).Draw(rt, "amount-"+c))})
				}
				got := h.Source.Redeem(ctx, payment.Redemption{ID: id, Debits: ds})
				want := m.redeem(id, ds, h.Clock.Now())
				sameKind(rt, "redeem", got, want)
			},
			"retry": func(rt *rapid.T) {
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				ds, ok := m.redemptions[id]
				if !ok {
					rt.Skip("nothing to retry")
				}
				got := h.Source.Redeem(ctx, payment.Redemption{ID: id, Debits: slices.Clone(ds)})
				sameKind(rt, "retry", got, m.redeem(id, ds, h.Clock.Now()))
			},
			"reverse": func(rt *rapid.T) {
				id := rapid.SampledFrom(ids).Draw(rt, "id")
				got := h.Source.Reverse(ctx, id)
				sameKind(rt, "reverse", got, m.reverse(id))
			},
			"block": func(rt *rapid.T) {
				c := rapid.SampledFrom(machineCodes()).Draw(rt, "code")
				if err := h.Block(ctx, c); err != nil {
					rt.Fatal(err)
				}
				m.blocked[c] = true
			},
			"advance": func(rt *rapid.T) {
				h.Clock.Advance(time.Duration(rapid.IntRange(1, 12).Draw(rt, "hours")) * time.Hour)
			},
			"": func(rt *rapid.T) {
				bs, err := h.Source.Balances(ctx, append(machineCodes(), "GC-X"))
				if err != nil {
					rt.Fatal(err)
				}
				now := h.Clock.Now()
				for _, b := range bs {
					want := m.status(b.Code, now)
					if b.Status != want {
						rt.Fatalf("%s: status %s, model %s", b.Code, b.Status, want)
					}
					if want != payment.Unknown && b.Amount != cents2(m.balance[b.Code]) {
						rt.Fatalf("%s: %s left, model %s", b.Code, b.Amount, cents2(m.balance[b.Code]))
					}
				}
			},
		})
	})
}

func cents2(c int64) pricing.Money {
	m, _ := pricing.FromMinor(c, pricing.MustCurrency("CHF"))
	return m
}

func (m *model) status(code string, now time.Time) payment.Status {
	_, known := m.balance[code]
	switch {
	case !known:
		return payment.Unknown
	case m.blocked[code]:
		return payment.Blocked
	case !m.expires[code].IsZero() && !now.Before(m.expires[code]):
		return payment.Expired
	}
	return payment.Active
}

func (m *model) redeem(id string, ds []payment.Debit, now time.Time) error {
	n, err := payment.Redemption{ID: id, Debits: ds}.Normalize()
	if err != nil {
		return err
	}
	if prev, ok := m.redemptions[id]; ok {
		switch {
		case m.reversed[id]:
			return payment.ErrReversed
		case !slices.Equal(prev, n.Debits):
			return payment.ErrRedemptionConflict
		}
		return nil
	}
	for _, d := range n.Debits {
		if st := m.status(d.Code, now); st != payment.Active {
			return &payment.CodeError{Code: d.Code, Status: st}
		}
		if d.Amount.MinorUnits() > m.balance[d.Code] {
			return payment.ErrInsufficientBalance
		}
	}
	for _, d := range n.Debits {
		m.balance[d.Code] -= d.Amount.MinorUnits()
	}
	m.redemptions[id] = n.Debits
	return nil
}

func (m *model) reverse(id string) error {
	ds, ok := m.redemptions[id]
	switch {
	case !ok:
		return payment.ErrUnknownRedemption
	case m.reversed[id]:
		return nil
	}
	for _, d := range ds {
		m.balance[d.Code] += d.Amount.MinorUnits()
	}
	m.reversed[id] = true
	return nil
}

// sameKind checks the implementation's outcome has the model's kind.
func sameKind(rt *rapid.T, op string, got, want error) {
	kinds := []error{payment.ErrInvalid, payment.ErrUnknownCode, payment.ErrNotRedeemable, payment.ErrInsufficientBalance,
		payment.ErrRedemptionConflict, payment.ErrReversed, payment.ErrUnknownRedemption}
	kindOf := func(err error) string {
		if err == nil {
			return "success"
		}
		for _, k := range kinds {
			if errors.Is(err, k) {
				return k.Error()
			}
		}
		return fmt.Sprintf("unexpected %v", err)
	}
	if kindOf(got) != kindOf(want) {
		rt.Fatalf("%s: got %v, model says %v", op, got, want)
	}
}
