package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
)

// VoucherStore keeps gift cards and vouchers in memory: it implements
// payment.VoucherSource (balances in one call, redemptions all or nothing
// and idempotent by ID, reversals), judging expiry at read time against
// its clock. It is safe for concurrent use: one lock makes every
// redemption's check and debit atomic, so no card is ever overdrawn.
type VoucherStore struct {
	clk         clock.Clock
	mu          sync.Mutex
	cards       map[string]*voucherCard
	redemptions map[string]*voucherRedemption
}

type voucherCard struct {
	balance   pricing.Money
	expiresAt time.Time // zero: never
	blocked   bool
}

type voucherRedemption struct {
	r        payment.Redemption // normalised
	reversed bool
}

var _ payment.VoucherSource = (*VoucherStore)(nil)

// NewVoucherStore returns an empty store judging expiry with clk.
func NewVoucherStore(clk clock.Clock) *VoucherStore {
	return &VoucherStore{clk: clk, cards: map[string]*voucherCard{}, redemptions: map[string]*voucherRedemption{}}
}

// Issue makes code a card worth balance until expiresAt (zero: no
// expiry), or resets an existing one to that (a top-up, a re-issue); the
// platform's back office does this, not a payment.
func (s *VoucherStore) Issue(ctx context.Context, code string, balance pricing.Money, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := payment.NormalizeCodes([]string{code}); err != nil {
		return &payment.InputError{Field: "code", Reason: fmt.Sprintf("%.64q is not a valid code", code)}
	}
	switch {
	case balance.Currency().IsZero():
		return &payment.InputError{Field: "balance", Reason: "a balance needs its currency"}
	case balance.IsNegative():
		return &payment.InputError{Field: "balance", Reason: balance.String(), Kind: payment.ErrNegative}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cards[code] = &voucherCard{balance: balance, expiresAt: expiresAt}
	return nil
}

// Block stops a card (lost, stolen): it keeps its balance but cannot pay.
func (s *VoucherStore) Block(ctx context.Context, code string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[code]
	if !ok {
		return &payment.CodeError{Code: code, Status: payment.Unknown}
	}
	c.blocked = true
	return nil
}

// status is the card's status at now (nil: unknown).
func (c *voucherCard) status(now time.Time) payment.Status {
	switch {
	case c == nil:
		return payment.Unknown
	case c.blocked:
		return payment.Blocked
	case !c.expiresAt.IsZero() && !now.Before(c.expiresAt):
		return payment.Expired
	}
	return payment.Active
}

// Balances implements payment.VoucherSource.
func (s *VoucherStore) Balances(ctx context.Context, codes []string) ([]payment.Balance, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	norm, err := payment.NormalizeCodes(codes)
	if err != nil {
		return nil, err
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]payment.Balance, len(norm))
	for i, code := range norm {
		c := s.cards[code]
		out[i] = payment.Balance{Code: code, Status: c.status(now)}
		if c != nil {
			out[i].Amount, out[i].ExpiresAt = c.balance, c.expiresAt
		}
	}
	return out, nil
}

// Redeem implements payment.VoucherSource.
func (s *VoucherStore) Redeem(ctx context.Context, r payment.Redemption) error {
	n, err := r.Normalize()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := s.clk.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.redemptions[n.ID]; ok {
		switch {
		case prev.reversed:
			return fmt.Errorf("%w: %q", payment.ErrReversed, n.ID)
		case !prev.r.Same(n):
			return &payment.ConflictError{ID: n.ID, Existing: slices.Clone(prev.r.Debits)}
		}
		return nil
	}
	for _, d := range n.Debits {
		c := s.cards[d.Code]
		if st := c.status(now); st != payment.Active {
			return &payment.CodeError{Code: d.Code, Status: st}
		}
		if d.Amount.Currency() != c.balance.Currency() {
			return &payment.InputError{Field: "Redemption.Debits[" + d.Code + "]", Kind: payment.ErrCurrencyMismatch,
				Reason: fmt.Sprintf("debit in %s, card in %s", d.Amount.Currency(), c.balance.Currency())}
		}
		if d.Amount.MinorUnits() > c.balance.MinorUnits() {
			return &payment.BalanceError{Code: d.Code, Balance: c.balance, Requested: d.Amount}
		}
	}
	for _, d := range n.Debits {
		c := s.cards[d.Code]
		c.balance, _ = c.balance.Sub(d.Amount) // checked above: same currency, not above the balance
	}
	s.redemptions[n.ID] = &voucherRedemption{r: n}
	return nil
}

// Reverse implements payment.VoucherSource.
func (s *VoucherStore) Reverse(ctx context.Context, id string) error {
	if id == "" || len(id) > payment.MaxRedemptionID {
		return &payment.InputError{Field: "redemptionID", Reason: fmt.Sprintf("1 to %d bytes", payment.MaxRedemptionID)}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.redemptions[id]
	switch {
	case !ok:
		return fmt.Errorf("%w: %.128q", payment.ErrUnknownRedemption, id)
	case prev.reversed:
		return nil
	}
	credited := make([]pricing.Money, len(prev.r.Debits))
	for i, d := range prev.r.Debits {
		var err error
		if credited[i], err = s.cards[d.Code].balance.Add(d.Amount); err != nil {
			return err // a card re-issued since in another currency, or beyond range: nothing credited
		}
	}
	for i, d := range prev.r.Debits {
		s.cards[d.Code].balance = credited[i]
	}
	prev.reversed = true
	return nil
}
