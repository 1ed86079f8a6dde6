package loyaltytest

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/loyalty"
)

var (
	smAccounts = []string{"ann", "bob", "ghost"} // ghost is never opened
	smIDs      = []string{"op-1", "op-2", "op-3", "op-4", "op-5", "op-6"}
)

type smOp struct {
	credit bool
	res    loyalty.Reservation
}

// machine is a model of a LoyaltySource: it predicts the outcome of every
// call, and the invariant check compares every balance with it.
type machine struct {
	e    *env
	held map[string]int64 // account → points held, reserved included
	ops  map[string]smOp
}

func testStateMachine(t *testing.T, newHarness func(t *testing.T) Harness) {
	rapid.Check(t, func(rt *rapid.T) {
		m := &machine{e: newEnv(rt, newHarness(t)), held: map[string]int64{}, ops: map[string]smOp{}}
		for _, a := range smAccounts[:2] {
			n := rapid.Int64Range(0, 1000).Draw(rt, "points")
			m.e.open(a, "", n)
			m.held[a] = n
		}
		rt.Repeat(map[string]func(*rapid.T){
			"reserve": m.reserve,
			"release": func(rt *rapid.T) { m.close(rt, loyalty.Released) },
			"commit":  func(rt *rapid.T) { m.close(rt, loyalty.Committed) },
			"credit":  m.credit,
			"":        m.check,
		})
	})
}

func (m *machine) reserved(account string) int64 {
	var n int64
	for _, op := range m.ops {
		if !op.credit && op.res.Account == account && op.res.State == loyalty.Reserved {
			n += op.res.Points
		}
	}
	return n
}

func (m *machine) reserve(rt *rapid.T) {
	req := loyalty.ReserveRequest{
		ID:      rapid.SampledFrom(smIDs).Draw(rt, "id"),
		Account: rapid.SampledFrom(smAccounts).Draw(rt, "account"),
		Points:  rapid.Int64Range(1, 600).Draw(rt, "points"),
	}
	got, err := m.e.h.Source.Reserve(m.e.ctx, req)
	op, seen := m.ops[req.ID]
	_, known := m.held[req.Account]
	switch {
	case seen && (op.credit || op.res.Account != req.Account || op.res.Points != req.Points):
		wantErr(rt, "Reserve of a used ID", err, loyalty.ErrConflict, nil)
	case seen:
		if err != nil || got != op.res {
			rt.Fatalf("replay of %s = %+v, %v, want %+v", req.ID, got, err, op.res)
		}
	case !known:
		wantErr(rt, "Reserve on an unknown account", err, loyalty.ErrNotFound, nil)
	case m.held[req.Account]-m.reserved(req.Account) < req.Points:
		var ie *loyalty.InsufficientError
		wantErr(rt, "Reserve beyond the balance", err, loyalty.ErrInsufficientPoints, &ie)
		if ie.Account != req.Account || ie.Requested != req.Points || ie.Available != m.held[req.Account]-m.reserved(req.Account) {
			rt.Fatalf("InsufficientError %+v for %+v", *ie, req)
		}
	default:
		want := loyalty.Reservation{ID: req.ID, Account: req.Account, Points: req.Points, State: loyalty.Reserved}
		if err != nil || got != want {
			rt.Fatalf("Reserve(%+v) = %+v, %v, want %+v", req, got, err, want)
		}
		m.ops[req.ID] = smOp{res: want}
	}
}

func (m *machine) close(rt *rapid.T, to loyalty.State) {
	id := rapid.SampledFrom(smIDs).Draw(rt, "id")
	call := m.e.h.Source.Release
	if to == loyalty.Committed {
		call = m.e.h.Source.Commit
	}
	got, err := call(m.e.ctx, id)
	op, seen := m.ops[id]
	switch {
	case !seen || op.credit:
		wantErr(rt, fmt.Sprintf("%s of %s", to, id), err, loyalty.ErrNotFound, nil)
	case op.res.State != loyalty.Reserved && op.res.State != to:
		wantErr(rt, fmt.Sprintf("%s of a %s reservation", to, op.res.State), err, loyalty.ErrClosed, nil)
	default:
		if op.res.State == loyalty.Reserved && to == loyalty.Committed {
			m.held[op.res.Account] -= op.res.Points
		}
		op.res.State = to
		m.ops[id] = op
		if err != nil || got != op.res {
			rt.Fatalf("%s(%s) = %+v, %v, want %+v", to, id, got, err, op.res)
		}
	}
}

func (m *machine) credit(rt *rapid.T) {
	req := loyalty.CreditRequest{
		ID:      rapid.SampledFrom(smIDs).Draw(rt, "id"),
		Account: rapid.SampledFrom(smAccounts).Draw(rt, "account"),
		Points:  rapid.Int64Range(1, 300).Draw(rt, "points"),
	}
	err := m.e.h.Source.Credit(m.e.ctx, req)
	op, seen := m.ops[req.ID]
	_, known := m.held[req.Account]
	switch {
	case seen && (!op.credit || op.res.Account != req.Account || op.res.Points != req.Points):
		wantErr(rt, "Credit of a used ID", err, loyalty.ErrConflict, nil)
	case seen:
		if err != nil {
			rt.Fatalf("replay of credit %s: %v", req.ID, err)
		}
	case !known:
		wantErr(rt, "Credit on an unknown account", err, loyalty.ErrNotFound, nil)
	default:
		if err != nil {
			rt.Fatalf("Credit(%+v): %v", req, err)
		}
		m.held[req.Account] += req.Points
		m.ops[req.ID] = smOp{credit: true, res: loyalty.Reservation{ID: req.ID, Account: req.Account, Points: req.Points}}
	}
}

// check compares every balance with the model, in one batched read.
func (m *machine) check(rt *rapid.T) {
	got, err := m.e.h.Source.Balances(m.e.ctx, smAccounts)
	if err != nil {
		rt.Fatal(err)
	}
	var want []loyalty.Balance
	for _, a := range smAccounts {
		if held, ok := m.held[a]; ok {
			r := m.reserved(a)
			want = append(want, loyalty.Balance{Account: a, Available: held - r, Reserved: r})
		}
	}
	if !slices.Equal(got, want) {
		rt.Fatalf("balances %+v, want %+v", got, want)
	}
	for _, b := range got {
		if b.Available < 0 || b.Reserved < 0 {
			rt.Fatalf("negative balance %+v", b)
		}
	}
}
