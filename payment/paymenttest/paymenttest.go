// Package paymenttest is the conformance suite for implementations of
// [payment.VoucherSource], in the style of gocloud.dev's drivertest: an
// adapter's own test builds a fresh [Harness] per test and hands it to
// the suite.
//
//	func TestVoucherStore(t *testing.T) {
//		paymenttest.RunVoucherSourceTests(t, func(t *testing.T) paymenttest.Harness {
//			clk := clock.NewFake(paymenttest.Epoch)
//			s := memory.NewVoucherStore(clk)
//			return paymenttest.Harness{Source: s, Issue: s.Issue, Block: s.Block, Clock: clk}
//		})
//	}
//
// The suite checks the contract documented on [payment.VoucherSource]:
// balances of many codes in one call (unknown, expired and blocked codes
// told apart, expiry judged at read time against the fake clock),
// redemptions all or nothing with a typed error naming the code,
// idempotent by ID (the same debits succeed once, other debits conflict, a
// failed redemption leaves its ID free), reversals idempotent, invalid
// input and done contexts changing nothing, concurrent redemptions never
// overdrawing a card (run it with -race), and a rapid state machine
// comparing the implementation with a model after every step.
package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
)

// Epoch is a convenient start time for the fake clock of a harness.
var Epoch = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Harness is what the suite needs from an implementation. newHarness is
// called once per test (and per rapid run); each harness must start empty:
// no cards, no redemptions.
type Harness struct {
	// Source is the implementation under test.
	Source payment.VoucherSource
	// Issue makes code a card worth balance until expiresAt (zero: no
	// expiry), or resets an existing card to that.
	Issue func(ctx context.Context, code string, balance pricing.Money, expiresAt time.Time) error
	// Block stops a card: it keeps its balance and cannot pay.
	Block func(ctx context.Context, code string) error
	// Clock is the fake clock the implementation judges expiry with.
	Clock *clock.Fake
	// RaceRounds is the number of rounds of the overdraw race; 0 means
	// 200, or 20 under testing.Short().
	RaceRounds int
}

func (h Harness) rounds() int {
	switch {
	case h.RaceRounds > 0:
		return h.RaceRounds
	case testing.Short():
		return 20
	}
	return 200
}

// RunVoucherSourceTests runs the whole suite.
func RunVoucherSourceTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"BalancesInOneCall", testBalancesInOneCall},
		{"ExpiryAtReadTime", testExpiry},
		{"Blocked", testBlocked},
		{"RedeemDebits", testRedeemDebits},
		{"AllOrNothing", testAllOrNothing},
		{"ErrorNamesFirstCodeInOrder", testFirstCodeNamed},
		{"SameIDSameDebitsDebitsOnce", testIdempotent},
		{"SameIDOtherDebitsConflicts", testConflict},
		{"FailedIDMayBeReused", testFailedIDReused},
		{"Reverse", testReverse},
		{"InvalidInputChangesNothing", testInvalidInput},
		{"CanceledContextChangesNothing", testCanceledContext},
		{"ConcurrentRedemptionsNeverOverdraw", testOverdrawRace},
		{"ConcurrentRetriesDebitOnce", testRetryRace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
	t.Run("StateMachine", func(t *testing.T) { testStateMachine(t, newHarness) })
}

// env bundles a harness with the test's helpers.
type env struct {
	t   *testing.T
	h   Harness
	ctx context.Context
}

func newEnv(t *testing.T, h Harness) *env {
	t.Helper()
	if h.Source == nil || h.Issue == nil || h.Block == nil || h.Clock == nil {
		t.Fatal("paymenttest: the harness needs Source, Issue, Block and Clock")
	}
	return &env{t: t, h: h, ctx: context.Background()}
}

func chf(s string) pricing.Money { return pricing.MustParse(s, "CHF") }

func (e *env) issue(code, balance string, expiresAt time.Time) {
	e.t.Helper()
	if err := e.h.Issue(e.ctx, code, chf(balance), expiresAt); err != nil {
		e.t.Fatalf("issue %s: %v", code, err)
	}
}

// balance reads one code's balance.
func (e *env) balance(code string) payment.Balance {
	e.t.Helper()
	bs, err := e.h.Source.Balances(e.ctx, []string{code})
	if err != nil {
		e.t.Fatalf("balances of %s: %v", code, err)
	}
	if len(bs) != 1 || bs[0].Code != code {
		e.t.Fatalf("balances of %s: got %+v", code, bs)
	}
	return bs[0]
}

// wantLeft checks what is left on each code ("code", "amount", …).
func (e *env) wantLeft(pairs ...string) {
	e.t.Helper()
	for i := 0; i < len(pairs); i += 2 {
		b := e.balance(pairs[i])
		if b.Amount != chf(pairs[i+1]) {
			e.t.Fatalf("%s: %s left, want %s CHF", pairs[i], b.Amount, pairs[i+1])
		}
	}
}

func debits(pairs ...string) []payment.Debit {
	var out []payment.Debit
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, payment.Debit{Code: pairs[i], Amount: chf(pairs[i+1])})
	}
	return out
}

func (e *env) redeem(id string, ds ...payment.Debit) error {
	return e.h.Source.Redeem(e.ctx, payment.Redemption{ID: id, Debits: ds})
}

func testBalancesInOneCall(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-B", "50.00", time.Time{})
	e.issue("GC-A", "20.00", Epoch.Add(time.Hour))
	e.issue("GC-C", "0.00", time.Time{})
	bs, err := h.Source.Balances(e.ctx, []string{"GC-C", "NOPE", "GC-A", "GC-B", "GC-A"})
	if err != nil {
		t.Fatal(err)
	}
	want := []payment.Balance{
		{Code: "GC-A", Status: payment.Active, Amount: chf("20.00"), ExpiresAt: Epoch.Add(time.Hour)},
		{Code: "GC-B", Status: payment.Active, Amount: chf("50.00")},
		{Code: "GC-C", Status: payment.Active, Amount: chf("0.00")},
		{Code: "NOPE", Status: payment.Unknown},
	}
	if len(bs) != len(want) {
		t.Fatalf("got %d balances, want one per distinct code: %+v", len(bs), bs)
	}
	for i := range want {
		g := bs[i]
		if g.Code != want[i].Code || g.Status != want[i].Status || g.Amount != want[i].Amount || !g.ExpiresAt.Equal(want[i].ExpiresAt) {
			t.Errorf("balance %d: got %+v, want %+v", i, g, want[i])
		}
	}
	if err := bs[3].Err(); !errors.Is(err, payment.ErrUnknownCode) {
		t.Errorf("an unknown code's Err is %v, want ErrUnknownCode", err)
	}
	none, err := h.Source.Balances(e.ctx, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("no codes: got %v, %v; want nothing", none, err)
	}
}

func testExpiry(t *testing.T, h Harness) {
	e := newEnv(t, h)
	exp := Epoch.Add(24 * time.Hour)
	h.Clock.Set(Epoch)
	e.issue("GC-EXP", "30.00", exp)
	h.Clock.Set(exp.Add(-time.Nanosecond))
	if b := e.balance("GC-EXP"); b.Status != payment.Active {
		t.Fatalf("one nanosecond before expiry: %s, want active", b.Status)
	}
	if err := e.redeem("r-before", debits("GC-EXP", "5.00")...); err != nil {
		t.Fatalf("redeem before expiry: %v", err)
	}
	h.Clock.Set(exp)
	b := e.balance("GC-EXP")
	if b.Status != payment.Expired || b.Amount != chf("25.00") {
		t.Fatalf("at expiry: %+v, want expired with 25.00 left", b)
	}
	err := e.redeem("r-at", debits("GC-EXP", "5.00")...)
	var ce *payment.CodeError
	if !errors.Is(err, payment.ErrNotRedeemable) || !errors.As(err, &ce) || ce.Code != "GC-EXP" || ce.Status != payment.Expired {
		t.Fatalf("redeem at expiry: %v, want a CodeError (expired) matching ErrNotRedeemable", err)
	}
	e.wantLeft("GC-EXP", "25.00")
	if err := e.redeem("r-before", debits("GC-EXP", "5.00")...); err != nil {
		t.Fatalf("a retry of a redemption made before expiry: %v, want success without a debit", err)
	}
	e.wantLeft("GC-EXP", "25.00")
}

func testBlocked(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-LOST", "40.00", time.Time{})
	if err := h.Block(e.ctx, "GC-LOST"); err != nil {
		t.Fatal(err)
	}
	if b := e.balance("GC-LOST"); b.Status != payment.Blocked || b.Amount != chf("40.00") {
		t.Fatalf("blocked card: %+v, want blocked keeping 40.00", b)
	}
	err := e.redeem("r1", debits("GC-LOST", "1.00")...)
	var ce *payment.CodeError
	if !errors.As(err, &ce) || ce.Status != payment.Blocked || !errors.Is(err, payment.ErrNotRedeemable) {
		t.Fatalf("redeem a blocked card: %v", err)
	}
	e.wantLeft("GC-LOST", "40.00")
}

func testRedeemDebits(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	e.issue("V-2", "10.00", time.Time{})
	if err := e.redeem("pay-1", debits("GC-1", "37.63", "V-2", "10.00")...); err != nil {
		t.Fatal(err)
	}
	e.wantLeft("GC-1", "12.37", "V-2", "0.00")
	if err := e.redeem("pay-2", debits("GC-1", "12.37")...); err != nil {
		t.Fatalf("a debit of exactly the balance: %v", err)
	}
	e.wantLeft("GC-1", "0.00")
}

func testAllOrNothing(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	e.issue("GC-2", "10.00", time.Time{})
	e.issue("GC-3", "10.00", Epoch.Add(-time.Hour))
	e.issue("GC-4", "10.00", time.Time{})
	if err := h.Block(e.ctx, "GC-4"); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		ds    []payment.Debit
		kind  error
		code  string
		check func(error) bool
	}{
		{"insufficient", debits("GC-1", "20.00", "GC-2", "10.01"), payment.ErrInsufficientBalance, "GC-2", func(err error) bool {
			var be *payment.BalanceError
			return errors.As(err, &be) && be.Code == "GC-2" && be.Balance == chf("10.00") && be.Requested == chf("10.01")
		}},
		{"unknown", debits("GC-1", "20.00", "GC-9", "1.00"), payment.ErrUnknownCode, "GC-9", nil},
		{"expired", debits("GC-1", "20.00", "GC-3", "1.00"), payment.ErrNotRedeemable, "GC-3", nil},
		{"blocked", debits("GC-1", "20.00", "GC-4", "1.00"), payment.ErrNotRedeemable, "GC-4", nil},
		{"currency", []payment.Debit{{Code: "GC-1", Amount: chf("20.00")}, {Code: "GC-2", Amount: pricing.MustParse("1.00", "EUR")}}, payment.ErrCurrencyMismatch, "", nil},
	}
	for _, c := range cases {
		err := e.redeem("r-"+c.name, c.ds...)
		if !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			continue
		}
		var ce *payment.CodeError
		if c.code != "" && c.check == nil && (!errors.As(err, &ce) || ce.Code != c.code) {
			t.Errorf("%s: %v does not name %s", c.name, err, c.code)
		}
		if c.check != nil && !c.check(err) {
			t.Errorf("%s: %#v does not carry the code and amounts", c.name, err)
		}
		e.wantLeft("GC-1", "50.00", "GC-2", "10.00")
	}
}

func testFirstCodeNamed(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("A-1", "5.00", time.Time{})
	e.issue("B-1", "5.00", time.Time{})
	err := e.redeem("r", debits("B-1", "6.00", "A-1", "6.00")...)
	var be *payment.BalanceError
	if !errors.As(err, &be) || be.Code != "A-1" {
		t.Fatalf("two debits too large: %v, want the first in code order (A-1) named", err)
	}
}

func testIdempotent(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	e.issue("GC-2", "50.00", time.Time{})
	if err := e.redeem("basket-1/payment", debits("GC-1", "30.00", "GC-2", "5.00")...); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := e.redeem("basket-1/payment", debits("GC-2", "5.00", "GC-1", "30.00")...); err != nil {
			t.Fatalf("the same redemption again (debits in another order): %v", err)
		}
	}
	e.wantLeft("GC-1", "20.00", "GC-2", "45.00")
	// Spent since by someone else: the retry still succeeds, without a debit.
	if err := e.redeem("other", debits("GC-1", "20.00")...); err != nil {
		t.Fatal(err)
	}
	if err := e.redeem("basket-1/payment", debits("GC-1", "30.00", "GC-2", "5.00")...); err != nil {
		t.Fatalf("a retry after the card was spent: %v", err)
	}
	e.wantLeft("GC-1", "0.00", "GC-2", "45.00")
}

func testConflict(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	if err := e.redeem("p", debits("GC-1", "30.00")...); err != nil {
		t.Fatal(err)
	}
	for _, ds := range [][]payment.Debit{debits("GC-1", "20.00"), debits("GC-1", "30.00", "GC-2", "1.00")} {
		err := e.redeem("p", ds...)
		var ce *payment.ConflictError
		if !errors.Is(err, payment.ErrRedemptionConflict) || !errors.As(err, &ce) || ce.ID != "p" ||
			len(ce.Existing) != 1 || ce.Existing[0] != debits("GC-1", "30.00")[0] {
			t.Fatalf("same ID, other debits %v: %v, want a ConflictError carrying the first debits", ds, err)
		}
	}
	e.wantLeft("GC-1", "20.00")
}

func testFailedIDReused(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	if err := e.redeem("p", debits("GC-1", "60.00")...); !errors.Is(err, payment.ErrInsufficientBalance) {
		t.Fatalf("too large: %v", err)
	}
	if err := e.redeem("p", debits("GC-1", "50.00")...); err != nil {
		t.Fatalf("the ID of a failed redemption used again: %v", err)
	}
	e.wantLeft("GC-1", "0.00")
}

func testReverse(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", Epoch.Add(time.Hour))
	e.issue("GC-2", "20.00", time.Time{})
	if err := e.redeem("p", debits("GC-1", "30.00", "GC-2", "20.00")...); err != nil {
		t.Fatal(err)
	}
	if err := e.redeem("q", debits("GC-1", "5.00")...); err != nil {
		t.Fatal(err)
	}
	h.Clock.Set(Epoch.Add(2 * time.Hour)) // GC-1 expired since
	for range 2 {
		if err := h.Source.Reverse(e.ctx, "p"); err != nil {
			t.Fatalf("reverse: %v", err)
		}
		e.wantLeft("GC-1", "45.00", "GC-2", "20.00")
	}
	if err := e.redeem("p", debits("GC-1", "30.00", "GC-2", "20.00")...); !errors.Is(err, payment.ErrReversed) {
		t.Fatalf("redeem a reversed ID: %v, want ErrReversed", err)
	}
	e.wantLeft("GC-1", "45.00", "GC-2", "20.00")
	if err := h.Source.Reverse(e.ctx, "never"); !errors.Is(err, payment.ErrUnknownRedemption) {
		t.Fatalf("reverse an unknown ID: %v, want ErrUnknownRedemption", err)
	}
	if err := h.Source.Reverse(e.ctx, ""); !errors.Is(err, payment.ErrInvalid) {
		t.Fatalf("reverse an empty ID: %v, want ErrInvalid", err)
	}
}

func testInvalidInput(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	long := fmt.Sprintf("%0129d", 0)
	cases := map[string]payment.Redemption{
		"empty ID":       {ID: "", Debits: debits("GC-1", "1.00")},
		"long ID":        {ID: long, Debits: debits("GC-1", "1.00")},
		"spaced ID":      {ID: "a b", Debits: debits("GC-1", "1.00")},
		"no debits":      {ID: "x"},
		"empty code":     {ID: "x", Debits: debits("", "1.00")},
		"duplicate code": {ID: "x", Debits: debits("GC-1", "1.00", "GC-1", "2.00")},
		"zero amount":    {ID: "x", Debits: debits("GC-1", "0.00")},
		"negative":       {ID: "x", Debits: debits("GC-1", "-1.00")},
		"no currency":    {ID: "x", Debits: []payment.Debit{{Code: "GC-1"}}},
	}
	for name, r := range cases {
		if err := h.Source.Redeem(e.ctx, r); !errors.Is(err, payment.ErrInvalid) && !errors.Is(err, payment.ErrNegative) {
			t.Errorf("%s: %v, want ErrInvalid or ErrNegative", name, err)
		}
	}
	if _, err := h.Source.Balances(e.ctx, []string{"GC-1", ""}); !errors.Is(err, payment.ErrInvalid) {
		t.Errorf("an empty code in a balance read: %v, want ErrInvalid", err)
	}
	e.wantLeft("GC-1", "50.00")
	// The IDs of refused redemptions stay free.
	if err := e.redeem("x", debits("GC-1", "1.00")...); err != nil {
		t.Fatal(err)
	}
	e.wantLeft("GC-1", "49.00")
}

func testCanceledContext(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.issue("GC-1", "50.00", time.Time{})
	if err := e.redeem("p", debits("GC-1", "10.00")...); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.Source.Redeem(ctx, payment.Redemption{ID: "q", Debits: debits("GC-1", "1.00")}); err == nil {
		t.Error("redeem with a canceled context succeeded")
	}
	if err := h.Source.Reverse(ctx, "p"); err == nil {
		t.Error("reverse with a canceled context succeeded")
	}
	if _, err := h.Source.Balances(ctx, []string{"GC-1"}); err == nil {
		t.Error("balances with a canceled context succeeded")
	}
	e.wantLeft("GC-1", "40.00")
	if err := e.redeem("q", debits("GC-1", "1.00")...); err != nil {
		t.Fatalf("the ID of a canceled redemption: %v", err)
	}
}
