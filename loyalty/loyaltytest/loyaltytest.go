// Package loyaltytest is the conformance suite for implementations of
// [loyalty.LoyaltySource], in the style of gocloud.dev's drivertest: an
// adapter's own test builds a fresh [Harness] per test and hands it to the
// suite.
//
//	func TestLoyaltyStore(t *testing.T) {
//		loyaltytest.RunLoyaltySourceTests(t, func(t *testing.T) loyaltytest.Harness {
//			s := memory.NewLoyaltyStore()
//			return loyaltytest.Harness{Source: s, SetAccount: s.SetAccount}
//		})
//	}
//
// The suite checks the contract documented on [loyalty.LoyaltySource]:
// one batched balance read, all or nothing, typed errors naming the account
// or the reservation, idempotent operations keyed by the caller's ID (same
// ID and content succeed once, a different content is a conflict, a failed
// attempt may be retried), release and commit closing a reservation one
// way only, a canceled context changing nothing, concurrent reservations
// never overdrawing an account (a race of 50 reservations, many rounds;
// run it with -race), and a rapid state machine comparing the
// implementation with a model after every step.
package loyaltytest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/omnibasket/omnibasket/loyalty"
)

// Harness is what the suite needs from an implementation. newHarness is
// called once per test (and per rapid run); each harness must start empty:
// no accounts, no remembered IDs.
type Harness struct {
	// Source is the implementation under test.
	Source loyalty.LoyaltySource
	// SetAccount opens an account, or overwrites one that holds no open
	// reservation, with that tier and that many points.
	SetAccount func(ctx context.Context, account, tier string, points int64) error
	// Rounds is the number of rounds of the overdraw race; 0 means 200, or
	// 20 under testing.Short().
	Rounds int
}

func (h Harness) rounds() int {
	switch {
	case h.Rounds > 0:
		return h.Rounds
	case testing.Short():
		return 20
	}
	return 200
}

// RunLoyaltySourceTests runs the whole suite.
func RunLoyaltySourceTests(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"BalancesInOneCall", testBalances},
		{"InvalidInputChangesNothing", testInvalidInput},
		{"CanceledContextChangesNothing", testCanceledContext},
		{"ReserveHoldsPoints", testReserve},
		{"InsufficientNamesAccount", testInsufficient},
		{"UnknownAccount", testUnknownAccount},
		{"UnknownReservation", testUnknownReservation},
		{"RepeatedReserveSucceedsOnce", testReserveReplay},
		{"SameIDDifferentContent", testConflict},
		{"FailedIDMayBeRetried", testFailedRetry},
		{"ReleaseReturnsPoints", testRelease},
		{"CommitSpendsPoints", testCommit},
		{"CreditOnce", testCredit},
		{"EarnedThenBurntNextVisit", testJourney},
		{"ConcurrentReservationsNeverOverdraw", testOverdrawRace},
		{"ConcurrentSameID", testSameIDRace},
		{"ConcurrentConservation", testConcurrentConservation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
	t.Run("StateMachine", func(t *testing.T) { testStateMachine(t, newHarness) })
}

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

type env struct {
	t   tb
	h   Harness
	ctx context.Context
}

func newEnv(t tb, h Harness) *env {
	t.Helper()
	if h.Source == nil || h.SetAccount == nil {
		t.Fatal("loyaltytest: the harness needs a Source and SetAccount")
	}
	return &env{t: t, h: h, ctx: context.Background()}
}

func (e *env) open(account, tier string, points int64) {
	e.t.Helper()
	if err := e.h.SetAccount(e.ctx, account, tier, points); err != nil {
		e.t.Fatalf("SetAccount(%s, %s, %d): %v", account, tier, points, err)
	}
}

func (e *env) balance(account string) loyalty.Balance {
	e.t.Helper()
	bs, err := e.h.Source.Balances(e.ctx, []string{account})
	if err != nil {
		e.t.Fatalf("Balances(%s): %v", account, err)
	}
	if len(bs) != 1 || bs[0].Account != account {
		e.t.Fatalf("Balances(%s) = %+v, want that one account", account, bs)
	}
	return bs[0]
}

// want checks the available and reserved points of an account.
func (e *env) want(account string, available, reserved int64) {
	e.t.Helper()
	b := e.balance(account)
	if b.Available != available || b.Reserved != reserved {
		e.t.Fatalf("%s: available %d reserved %d, want available %d reserved %d", account, b.Available, b.Reserved, available, reserved)
	}
}

func (e *env) reserve(id, account string, points int64) loyalty.Reservation {
	e.t.Helper()
	r, err := e.h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: id, Account: account, Points: points})
	if err != nil {
		e.t.Fatalf("Reserve(%s, %s, %d): %v", id, account, points, err)
	}
	want := loyalty.Reservation{ID: id, Account: account, Points: points, State: loyalty.Reserved}
	if r != want {
		e.t.Fatalf("Reserve(%s) = %+v, want %+v", id, r, want)
	}
	return r
}

func (e *env) close(commit bool, id string, want loyalty.Reservation) {
	e.t.Helper()
	op, call := "Release", e.h.Source.Release
	if commit {
		op, call = "Commit", e.h.Source.Commit
	}
	r, err := call(e.ctx, id)
	if err != nil {
		e.t.Fatalf("%s(%s): %v", op, id, err)
	}
	if r != want {
		e.t.Fatalf("%s(%s) = %+v, want %+v", op, id, r, want)
	}
}

func (e *env) credit(id, account string, points int64) {
	e.t.Helper()
	if err := e.h.Source.Credit(e.ctx, loyalty.CreditRequest{ID: id, Account: account, Points: points}); err != nil {
		e.t.Fatalf("Credit(%s, %s, %d): %v", id, account, points, err)
	}
}

// wantErr checks that err matches kind and, when target is not nil, that
// errors.As finds it.
func wantErr(t tb, what string, err, kind error, target any) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("%s: error %v, want one matching %v", what, err, kind)
	}
	if target != nil && !errors.As(err, target) {
		t.Fatalf("%s: error %v is not a %T", what, err, target)
	}
}

func testBalances(t *testing.T, h Harness) {
	e := newEnv(t, h)
	for i := range 30 {
		e.open(fmt.Sprintf("acct-%02d", i), fmt.Sprint(i%3), int64(i*100))
	}
	ask := []string{"acct-17", "nobody", "acct-03", "acct-29", "acct-03", "acct-00"}
	bs, err := h.Source.Balances(e.ctx, ask)
	if err != nil {
		t.Fatal(err)
	}
	want := []loyalty.Balance{
		{Account: "acct-00", Tier: "0", Available: 0},
		{Account: "acct-03", Tier: "0", Available: 300},
		{Account: "acct-17", Tier: "2", Available: 1700},
		{Account: "acct-29", Tier: "2", Available: 2900},
	}
	if fmt.Sprint(bs) != fmt.Sprint(want) {
		t.Fatalf("Balances(%v) = %+v, want %+v (sorted, distinct, unknown absent)", ask, bs, want)
	}
	bs, err = h.Source.Balances(e.ctx, nil)
	if err != nil || len(bs) != 0 {
		t.Fatalf("Balances(nil) = %+v, %v, want none", bs, err)
	}
	_, err = h.Source.Balances(e.ctx, []string{"acct-01", ""})
	wantErr(t, "Balances with an empty account", err, loyalty.ErrInvalid, nil)
}

func testInvalidInput(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "1", 1000)
	e.reserve("open", "ann", 100)
	for _, req := range []loyalty.ReserveRequest{
		{ID: "", Account: "ann", Points: 10},
		{ID: "x", Account: "", Points: 10},
		{ID: "x", Account: "ann", Points: 0},
		{ID: "x", Account: "ann", Points: -5},
	} {
		var ie *loyalty.InputError
		_, err := h.Source.Reserve(e.ctx, req)
		wantErr(t, fmt.Sprintf("Reserve(%+v)", req), err, loyalty.ErrInvalid, &ie)
		err = h.Source.Credit(e.ctx, loyalty.CreditRequest(req))
		wantErr(t, fmt.Sprintf("Credit(%+v)", req), err, loyalty.ErrInvalid, &ie)
	}
	_, err := h.Source.Release(e.ctx, "")
	wantErr(t, "Release(\"\")", err, loyalty.ErrInvalid, nil)
	_, err = h.Source.Commit(e.ctx, "")
	wantErr(t, "Commit(\"\")", err, loyalty.ErrInvalid, nil)
	e.want("ann", 900, 100)
	// The refused IDs were not recorded: "x" is still free.
	e.reserve("x", "ann", 50)
	e.want("ann", 850, 150)
}

func testCanceledContext(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	e.reserve("open", "ann", 100)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Source.Balances(ctx, []string{"ann"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Balances on a canceled context: %v", err)
	}
	if _, err := h.Source.Reserve(ctx, loyalty.ReserveRequest{ID: "r", Account: "ann", Points: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Reserve on a canceled context: %v", err)
	}
	if _, err := h.Source.Release(ctx, "open"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Release on a canceled context: %v", err)
	}
	if _, err := h.Source.Commit(ctx, "open"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit on a canceled context: %v", err)
	}
	if err := h.Source.Credit(ctx, loyalty.CreditRequest{ID: "c", Account: "ann", Points: 10}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Credit on a canceled context: %v", err)
	}
	e.want("ann", 900, 100)
	e.reserve("r", "ann", 10) // not recorded by the canceled call
	e.credit("c", "ann", 10)
	e.want("ann", 900, 110)
}

func testReserve(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "2", 1200)
	e.open("bob", "1", 300)
	e.reserve("order-1", "ann", 500)
	e.want("ann", 700, 500)
	e.reserve("order-2", "ann", 700) // exactly what is left
	e.want("ann", 0, 1200)
	e.want("bob", 300, 0) // another account is untouched
	if b := e.balance("ann"); b.Tier != "2" {
		t.Fatalf("tier %q, want 2", b.Tier)
	}
}

func testInsufficient(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	e.reserve("order-1", "ann", 600)
	var ie *loyalty.InsufficientError
	_, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: "order-2", Account: "ann", Points: 401})
	wantErr(t, "Reserve beyond the balance", err, loyalty.ErrInsufficientPoints, &ie)
	if ie.Account != "ann" || ie.Requested != 401 || ie.Available != 400 {
		t.Fatalf("InsufficientError %+v, want account ann, requested 401, available 400", *ie)
	}
	e.want("ann", 400, 600)
}

func testUnknownAccount(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	var nf *loyalty.NotFoundError
	_, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: "r", Account: "ghost", Points: 1})
	wantErr(t, "Reserve on an unknown account", err, loyalty.ErrNotFound, &nf)
	if nf.Account != "ghost" {
		t.Fatalf("NotFoundError %+v, want account ghost", *nf)
	}
	err = h.Source.Credit(e.ctx, loyalty.CreditRequest{ID: "c", Account: "ghost", Points: 1})
	wantErr(t, "Credit on an unknown account", err, loyalty.ErrNotFound, &nf)
	if nf.Account != "ghost" {
		t.Fatalf("NotFoundError %+v, want account ghost", *nf)
	}
	e.want("ann", 1000, 0)
}

func testUnknownReservation(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	e.credit("credit-1", "ann", 10)
	for _, id := range []string{"never", "credit-1"} {
		var nf *loyalty.NotFoundError
		_, err := h.Source.Release(e.ctx, id)
		wantErr(t, "Release("+id+")", err, loyalty.ErrNotFound, &nf)
		if nf.Reservation != id {
			t.Fatalf("NotFoundError %+v, want reservation %s", *nf, id)
		}
		_, err = h.Source.Commit(e.ctx, id)
		wantErr(t, "Commit("+id+")", err, loyalty.ErrNotFound, &nf)
	}
	e.want("ann", 1010, 0)
}

func testReserveReplay(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	first := e.reserve("order-1", "ann", 300)
	again := e.reserve("order-1", "ann", 300)
	if again != first {
		t.Fatalf("replay = %+v, want %+v", again, first)
	}
	e.want("ann", 700, 300)
	released := first
	released.State = loyalty.Released
	e.close(false, "order-1", released)
	// A late retry of the reservation reports it as it is now and holds nothing.
	r, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: "order-1", Account: "ann", Points: 300})
	if err != nil || r != released {
		t.Fatalf("replay after release = %+v, %v, want %+v", r, err, released)
	}
	e.want("ann", 1000, 0)
}

func testConflict(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	e.open("bob", "", 1000)
	e.reserve("order-1", "ann", 300)
	e.credit("earn-1", "ann", 50)
	for _, req := range []loyalty.ReserveRequest{
		{ID: "order-1", Account: "ann", Points: 301},
		{ID: "order-1", Account: "bob", Points: 300},
		{ID: "earn-1", Account: "ann", Points: 50},
	} {
		var ce *loyalty.ConflictError
		_, err := h.Source.Reserve(e.ctx, req)
		wantErr(t, fmt.Sprintf("Reserve(%+v)", req), err, loyalty.ErrConflict, &ce)
		if ce.ID != req.ID {
			t.Fatalf("ConflictError %+v, want ID %s", *ce, req.ID)
		}
	}
	for _, req := range []loyalty.CreditRequest{
		{ID: "earn-1", Account: "ann", Points: 51},
		{ID: "earn-1", Account: "bob", Points: 50},
		{ID: "order-1", Account: "ann", Points: 300},
	} {
		var ce *loyalty.ConflictError
		err := h.Source.Credit(e.ctx, req)
		wantErr(t, fmt.Sprintf("Credit(%+v)", req), err, loyalty.ErrConflict, &ce)
	}
	e.want("ann", 750, 300)
	e.want("bob", 1000, 0)
}

func testFailedRetry(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 100)
	_, err := h.Source.Reserve(e.ctx, loyalty.ReserveRequest{ID: "order-1", Account: "ann", Points: 500})
	wantErr(t, "Reserve beyond the balance", err, loyalty.ErrInsufficientPoints, nil)
	// The same ID, now with another content, is a new request.
	e.reserve("order-1", "ann", 80)
	e.want("ann", 20, 80)
	err = h.Source.Credit(e.ctx, loyalty.CreditRequest{ID: "earn-1", Account: "ghost", Points: 10})
	wantErr(t, "Credit on an unknown account", err, loyalty.ErrNotFound, nil)
	e.credit("earn-1", "ann", 10)
	e.want("ann", 30, 80)
}

func testRelease(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	r := e.reserve("order-1", "ann", 400)
	r.State = loyalty.Released
	e.close(false, "order-1", r)
	e.want("ann", 1000, 0)
	e.close(false, "order-1", r) // again: nothing more comes back
	e.want("ann", 1000, 0)
	var ce *loyalty.ClosedError
	_, err := h.Source.Commit(e.ctx, "order-1")
	wantErr(t, "Commit after Release", err, loyalty.ErrClosed, &ce)
	if ce.Reservation != "order-1" || ce.State != loyalty.Released {
		t.Fatalf("ClosedError %+v, want order-1 released", *ce)
	}
	e.want("ann", 1000, 0)
}

func testCommit(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "", 1000)
	e.reserve("order-1", "ann", 400)
	r := e.reserve("order-2", "ann", 100)
	r.State = loyalty.Committed
	e.close(true, "order-2", r)
	e.want("ann", 500, 400)
	e.close(true, "order-2", r) // again: nothing more is spent
	e.want("ann", 500, 400)
	var ce *loyalty.ClosedError
	_, err := h.Source.Release(e.ctx, "order-2")
	wantErr(t, "Release after Commit", err, loyalty.ErrClosed, &ce)
	if ce.Reservation != "order-2" || ce.State != loyalty.Committed {
		t.Fatalf("ClosedError %+v, want order-2 committed", *ce)
	}
	e.want("ann", 500, 400)
}

func testCredit(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("ann", "2", 0)
	e.credit("earn-1", "ann", 126)
	e.credit("earn-1", "ann", 126)
	e.want("ann", 126, 0)
	e.credit("earn-2", "ann", 4)
	e.want("ann", 130, 0)
}

// testJourney: the case, on the ledger side. A tier-2 account
// earns 126 points on a first visit; at the next visit it burns 500 of its
// 1126 at order, the order is abandoned, placed again and paid.
func testJourney(t *testing.T, h Harness) {
	e := newEnv(t, h)
	e.open("card-42", "2", 1000)
	e.credit("basket-1/earn", "card-42", 126)
	e.want("card-42", 1126, 0)
	r := e.reserve("basket-2/order-1", "card-42", 500)
	e.want("card-42", 626, 500)
	r.State = loyalty.Released
	e.close(false, "basket-2/order-1", r) // abandoned
	e.want("card-42", 1126, 0)
	r = e.reserve("basket-2/order-2", "card-42", 500)
	r.State = loyalty.Committed
	e.close(true, "basket-2/order-2", r) // paid
	e.want("card-42", 626, 0)
}
