package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

// LoyaltyStore is an in-memory [loyalty.LoyaltySource]: one process's
// loyalty accounts, reservations and credits, safe for concurrent use.
// Every operation runs under one mutex, so a reservation checks and takes
// the points in the same critical section and concurrent reservations can
// never overdraw an account. Operation IDs are remembered for the life of
// the store (longer than [loyalty.IDRetention] asks).
type LoyaltyStore struct {
	mu       sync.Mutex
	accounts map[string]*loyaltyAccount
	ops      map[string]*loyaltyOp // operation ID → what it did
}

type loyaltyAccount struct {
	tier     string
	held     int64 // every point the account holds, reserved ones included
	reserved int64
}

type loyaltyOp struct {
	credit bool
	res    loyalty.Reservation // the reservation, or the credit's account and points
}

var _ loyalty.LoyaltySource = (*LoyaltyStore)(nil)

// NewLoyaltyStore returns a store with no accounts.
func NewLoyaltyStore() *LoyaltyStore {
	return &LoyaltyStore{accounts: map[string]*loyaltyAccount{}, ops: map[string]*loyaltyOp{}}
}

// SetAccount opens the account or overwrites it with that tier and that
// many points held (reserved ones included), as a feed from the platform's
// loyalty system would. Points below what open reservations hold are
// refused ([loyalty.ErrInvalid]): the store never overdraws.
func (s *LoyaltyStore) SetAccount(ctx context.Context, account, tier string, points int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case account == "":
		return &loyalty.InputError{Field: "account", Reason: "must not be empty"}
	case points < 0:
		return &loyalty.InputError{Field: "points", Reason: "must not be negative"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		a = new(loyaltyAccount)
		s.accounts[account] = a
	}
	if points < a.reserved {
		return &loyalty.InputError{Field: "points", Reason: "below the points reserved"}
	}
	a.tier, a.held = tier, points
	return nil
}

// Balances implements [loyalty.LoyaltySource].
func (s *LoyaltyStore) Balances(ctx context.Context, accounts []string) ([]loyalty.Balance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, a := range accounts {
		if a == "" {
			return nil, &loyalty.InputError{Field: "accounts", Reason: "must not contain an empty account"}
		}
	}
	ids := slices.Clone(accounts)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []loyalty.Balance{}
	for _, id := range ids {
		if a := s.accounts[id]; a != nil {
			out = append(out, loyalty.Balance{Account: id, Tier: a.tier, Available: a.held - a.reserved, Reserved: a.reserved})
		}
	}
	return out, nil
}

// Reserve implements [loyalty.LoyaltySource].
func (s *LoyaltyStore) Reserve(ctx context.Context, req loyalty.ReserveRequest) (loyalty.Reservation, error) {
	if err := req.Validate(); err != nil {
		return loyalty.Reservation{}, err
	}
	if err := ctx.Err(); err != nil {
		return loyalty.Reservation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if op := s.ops[req.ID]; op != nil {
		if op.credit || op.res.Account != req.Account || op.res.Points != req.Points {
			return loyalty.Reservation{}, &loyalty.ConflictError{ID: req.ID}
		}
		return op.res, nil
	}
	a := s.accounts[req.Account]
	switch {
	case a == nil:
		return loyalty.Reservation{}, &loyalty.NotFoundError{Account: req.Account}
	case a.held-a.reserved < req.Points:
		return loyalty.Reservation{}, &loyalty.InsufficientError{Account: req.Account, Requested: req.Points, Available: a.held - a.reserved}
	}
	a.reserved += req.Points
	res := loyalty.Reservation{ID: req.ID, Account: req.Account, Points: req.Points, State: loyalty.Reserved}
	s.ops[req.ID] = &loyaltyOp{res: res}
	return res, nil
}

// Release implements [loyalty.LoyaltySource].
func (s *LoyaltyStore) Release(ctx context.Context, id string) (loyalty.Reservation, error) {
	return s.close(ctx, id, loyalty.Released)
}

// Commit implements [loyalty.LoyaltySource].
func (s *LoyaltyStore) Commit(ctx context.Context, id string) (loyalty.Reservation, error) {
	return s.close(ctx, id, loyalty.Committed)
}

func (s *LoyaltyStore) close(ctx context.Context, id string, to loyalty.State) (loyalty.Reservation, error) {
	if id == "" {
		return loyalty.Reservation{}, &loyalty.InputError{Field: "id", Reason: "must not be empty"}
	}
	if err := ctx.Err(); err != nil {
		return loyalty.Reservation{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op := s.ops[id]
	switch {
	case op == nil || op.credit:
		return loyalty.Reservation{}, &loyalty.NotFoundError{Reservation: id}
	case op.res.State == to:
		return op.res, nil
	case op.res.State != loyalty.Reserved:
		return loyalty.Reservation{}, &loyalty.ClosedError{Reservation: id, State: op.res.State}
	}
	a := s.accounts[op.res.Account] // never deleted
	a.reserved -= op.res.Points
	if to == loyalty.Committed {
		a.held -= op.res.Points
	}
	op.res.State = to
	return op.res, nil
}

// Credit implements [loyalty.LoyaltySource].
func (s *LoyaltyStore) Credit(ctx context.Context, req loyalty.CreditRequest) error {
	if err := req.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if op := s.ops[req.ID]; op != nil {
		if !op.credit || op.res.Account != req.Account || op.res.Points != req.Points {
			return &loyalty.ConflictError{ID: req.ID}
		}
		return nil
	}
	a := s.accounts[req.Account]
	switch {
	case a == nil:
		return &loyalty.NotFoundError{Account: req.Account}
	case a.held > 1<<63-1-req.Points:
		return &loyalty.InputError{Field: "Points", Reason: "the balance would overflow", Err: pricing.ErrOverflow}
	}
	a.held += req.Points
	s.ops[req.ID] = &loyaltyOp{credit: true, res: loyalty.Reservation{ID: req.ID, Account: req.Account, Points: req.Points}}
	return nil
}
