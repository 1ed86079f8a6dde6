package payment

import (
	"errors"
	"fmt"

	"github.com/omnibasket/omnibasket/pricing"
)

// Sentinel error kinds. Every error returned by this package and by a
// conforming [VoucherSource] matches one of them with errors.Is; the typed
// errors ([*InputError], [*TenderError], [*CodeError], [*BalanceError],
// [*ConflictError]) carry the details and are reached with errors.As.
var (
	// ErrInvalid: an argument is malformed (empty code, duplicate tender,
	// a cash amount the currency's coins cannot make …). Nothing changed.
	ErrInvalid = errors.New("payment: invalid input")
	// ErrNegative: an amount or a balance is below zero.
	ErrNegative = errors.New("payment: negative amount")
	// ErrUnknownKind: the tender kind is not one of the declared kinds.
	ErrUnknownKind = errors.New("payment: unknown tender kind")
	// ErrCurrencyMismatch is [pricing.ErrCurrencyMismatch]: a tender, a
	// balance or a debit is in another currency than what it pays. Both
	// names match the same errors.
	ErrCurrencyMismatch = pricing.ErrCurrencyMismatch
	// ErrOverTender: a card would be charged more than what remains to
	// pay. A card gives no cashback; only cash gives change.
	ErrOverTender = errors.New("payment: card amount above what remains to pay")
	// ErrNotSettled: the tenders do not cover the amount due.
	ErrNotSettled = errors.New("payment: not settled")
	// ErrUnknownCode: the voucher source never issued this code.
	ErrUnknownCode = errors.New("payment: unknown code")
	// ErrNotRedeemable: the code exists but cannot pay now (expired,
	// blocked).
	ErrNotRedeemable = errors.New("payment: code not redeemable")
	// ErrInsufficientBalance: a debit is larger than what is left on the
	// card. Nothing of the redemption was debited.
	ErrInsufficientBalance = errors.New("payment: insufficient balance")
	// ErrRedemptionConflict: a redemption ID was reused with other debits.
	ErrRedemptionConflict = errors.New("payment: redemption ID reused with other debits")
	// ErrUnknownRedemption: no redemption was made with this ID.
	ErrUnknownRedemption = errors.New("payment: unknown redemption")
	// ErrReversed: the redemption with this ID was reversed; its ID cannot
	// debit again.
	ErrReversed = errors.New("payment: redemption reversed")
)

// InputError names the argument or field that is wrong. It matches
// [ErrInvalid] unless Kind says otherwise ([ErrNegative],
// [ErrCurrencyMismatch] …).
type InputError struct {
	Field  string
	Reason string
	Kind   error // defaults to ErrInvalid
}

func (e *InputError) Error() string { return fmt.Sprintf("payment: %s: %s", e.Field, e.Reason) }

// Unwrap returns the error kind.
func (e *InputError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalid
	}
	return e.Kind
}

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// TenderError says which tender of a settlement is wrong: its index in
// the list given, its kind and code, and why. It matches the kind it
// wraps ([ErrInvalid], [ErrNegative], [ErrUnknownKind],
// [ErrCurrencyMismatch], [ErrOverTender]).
type TenderError struct {
	Index  int
	Kind   Kind
	Code   string
	Reason string
	Err    error
}

func (e *TenderError) Error() string {
	return fmt.Sprintf("payment: tender %d (%s %q): %s", e.Index, e.Kind, e.Code, e.Reason)
}

// Unwrap returns the error kind.
func (e *TenderError) Unwrap() error { return e.Err }

// CodeError reports a code that cannot pay, with its status. It matches
// [ErrUnknownCode] for [Unknown] and [ErrNotRedeemable] otherwise.
type CodeError struct {
	Code   string
	Status Status
}

func (e *CodeError) Error() string { return fmt.Sprintf("payment: code %q is %s", e.Code, e.Status) }

// Unwrap returns the error kind.
func (e *CodeError) Unwrap() error {
	if e.Status == Unknown {
		return ErrUnknownCode
	}
	return ErrNotRedeemable
}

// BalanceError says which code lacks the balance a debit needs. It
// matches [ErrInsufficientBalance].
type BalanceError struct {
	Code      string
	Balance   pricing.Money // what is left on the card
	Requested pricing.Money // what the debit asked for
}

func (e *BalanceError) Error() string {
	return fmt.Sprintf("payment: code %q has %s left, %s asked", e.Code, e.Balance, e.Requested)
}

// Unwrap returns [ErrInsufficientBalance].
func (e *BalanceError) Unwrap() error { return ErrInsufficientBalance }

// ConflictError reports a redemption ID already used with other debits:
// Existing is what that redemption debited, so that a caller who lost
// track of it (a crash between redeeming and saving) can pay with the
// same tenders again, or reverse it. It matches [ErrRedemptionConflict].
type ConflictError struct {
	ID       string
	Existing []Debit
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("payment: redemption %q was made with other debits %v", e.ID, e.Existing)
}

// Unwrap returns [ErrRedemptionConflict].
func (e *ConflictError) Unwrap() error { return ErrRedemptionConflict }
