package payment

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/pricing"
)

// VoucherSource is the platform's store of gift cards and vouchers: the
// one place their balances live. Implementations must be safe for
// concurrent use and pass paymenttest.RunVoucherSourceTests; package
// adapters/memory has a reference one.
//
// The contract:
//
//   - Balances reads many codes in one call: one [Balance] per distinct
//     code asked, sorted by code. A code the source never issued comes
//     back with status [Unknown] (not an error: one mistyped code does not
//     hide the others); expiry is judged at read time.
//   - Redeem debits every [Debit] of a [Redemption] or none: an unknown
//     code ([*CodeError], [ErrUnknownCode]), an expired or blocked one
//     ([*CodeError], [ErrNotRedeemable]), a debit in another currency than
//     the card's ([ErrCurrencyMismatch]) or above its balance
//     ([*BalanceError], [ErrInsufficientBalance]) fails the whole
//     redemption, naming the first offending code in code order, and
//     debits nothing. Concurrent redemptions never overdraw a card: the
//     source checks and debits atomically.
//   - Redeem is idempotent by [Redemption.ID]: the same ID with the same
//     debits (in any order) succeeds again without debiting twice, even if
//     the card has since expired or been spent; the same ID with other
//     debits fails with a [*ConflictError] ([ErrRedemptionConflict]). A
//     redemption that failed leaves no trace: its ID may be used again.
//   - Reverse credits back every debit of a redemption (a refund, or a
//     payment abandoned after redeeming), whatever the cards' status now.
//     Reversing twice is reversing once; an ID never redeemed is
//     [ErrUnknownRedemption]. A reversed ID cannot debit again
//     ([ErrReversed]): a late retry of the original payment must not
//     debit after its refund.
//   - Invalid input ([ErrInvalid]) and a done context change nothing.
type VoucherSource interface {
	Balances(ctx context.Context, codes []string) ([]Balance, error)
	Redeem(ctx context.Context, r Redemption) error
	Reverse(ctx context.Context, redemptionID string) error
}

// Status is whether a code can pay now.
type Status uint8

// The statuses. The zero value is invalid.
const (
	// Active: the code pays up to its balance.
	Active Status = iota + 1
	// Expired: the code's validity ended; its balance cannot pay.
	Expired
	// Blocked: the issuer stopped the code (lost card, fraud).
	Blocked
	// Unknown: the source never issued the code.
	Unknown
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Active:
		return "active"
	case Expired:
		return "expired"
	case Blocked:
		return "blocked"
	case Unknown:
		return "unknown"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// MarshalText encodes the status by name.
func (s Status) MarshalText() ([]byte, error) {
	if s < Active || s > Unknown {
		return nil, invalid("Status", "unknown status %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a status by name; on error s is unchanged.
func (s *Status) UnmarshalText(b []byte) error {
	for v := Active; v <= Unknown; v++ {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return invalid("Status", "unknown status %.32q", b)
}

// Balance is what a source knows of one code.
type Balance struct {
	Code   string `json:"code"`
	Status Status `json:"status"`
	// Amount is what is left on the card; unset when the code is unknown.
	Amount pricing.Money `json:"amount,omitzero"`
	// ExpiresAt is when the code stops paying; zero when it does not expire.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Err returns nil when the code can pay, and the [*CodeError] saying why
// not otherwise.
func (b Balance) Err() error {
	if b.Status == Active {
		return nil
	}
	return &CodeError{Code: b.Code, Status: b.Status}
}

// Debit takes an amount from one code.
type Debit struct {
	Code   string        `json:"code"`
	Amount pricing.Money `json:"amount"`
}

// Redemption is the debits of one payment, carried out all or nothing
// under an ID that makes a retry safe: derive it from what is being paid
// (the basket), never from the attempt, so that a command retried after a
// crash redeems with the same ID and does not debit twice.
type Redemption struct {
	ID     string  `json:"id"`
	Debits []Debit `json:"debits"`
}

// MaxRedemptionID bounds a redemption ID.
const MaxRedemptionID = 128

// MaxDebits bounds the debits of one redemption (and the codes of one
// balance read): a payment uses a few cards, not thousands.
const MaxDebits = 64

// Normalize checks a redemption and returns it with its debits sorted by
// code, the form two redemptions are compared in: an ID of printable
// ASCII of at most [MaxRedemptionID] bytes, one to [MaxDebits] debits,
// each with a valid, distinct code and a positive amount. Sources call it
// first; an error matches [ErrInvalid] (or [ErrNegative]).
func (r Redemption) Normalize() (Redemption, error) {
	switch {
	case r.ID == "" || !printable(r.ID, MaxRedemptionID):
		return Redemption{}, invalid("Redemption.ID", "1 to %d bytes of printable ASCII without spaces", MaxRedemptionID)
	case len(r.Debits) == 0 || len(r.Debits) > MaxDebits:
		return Redemption{}, invalid("Redemption.Debits", "%d debits: 1 to %d", len(r.Debits), MaxDebits)
	}
	out := Redemption{ID: r.ID, Debits: slices.Clone(r.Debits)}
	slices.SortFunc(out.Debits, func(a, b Debit) int { return cmp.Compare(a.Code, b.Code) })
	for i, d := range out.Debits {
		field := fmt.Sprintf("Redemption.Debits[%.*q]", MaxCodeLength, d.Code)
		switch {
		case d.Code == "" || !validCode(d.Code):
			return Redemption{}, invalid(field, "a code is printable ASCII without spaces, at most %d bytes", MaxCodeLength)
		case i > 0 && out.Debits[i-1].Code == d.Code:
			return Redemption{}, invalid(field, "one debit per code")
		case d.Amount.Currency().IsZero():
			return Redemption{}, invalid(field, "an amount needs its currency")
		case d.Amount.IsNegative():
			return Redemption{}, &InputError{Field: field, Reason: d.Amount.String(), Kind: ErrNegative}
		case d.Amount.IsZero():
			return Redemption{}, invalid(field, "a debit takes a positive amount")
		}
	}
	return out, nil
}

// Same reports whether two normalised redemptions debit the same.
func (r Redemption) Same(o Redemption) bool {
	return r.ID == o.ID && slices.Equal(r.Debits, o.Debits)
}

// NormalizeCodes checks the codes of a balance read and returns them
// sorted and without duplicates, the order [VoucherSource.Balances]
// answers in. An empty list is fine; an empty or malformed code, or more
// than [MaxDebits] distinct codes, is [ErrInvalid].
func NormalizeCodes(codes []string) ([]string, error) {
	out := slices.Clone(codes)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxDebits {
		return nil, invalid("codes", "%d codes: at most %d in one read", len(out), MaxDebits)
	}
	for _, c := range out {
		if c == "" || !validCode(c) {
			return nil, invalid("codes", "%.*q is not printable ASCII without spaces of 1 to %d bytes", MaxCodeLength, c, MaxCodeLength)
		}
	}
	return out, nil
}
