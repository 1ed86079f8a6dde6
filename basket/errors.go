package basket

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Sentinel error kinds. Every error of this package matches one of them
// with errors.Is; the typed errors below carry the details.
var (
	// ErrNotFound: no such basket, or the actor has no grant on it (the two
	// are indistinguishable on purpose, so basket IDs cannot be probed).
	ErrNotFound = errors.New("basket: not found")
	// ErrAlreadyExists: a basket with this ID exists.
	ErrAlreadyExists = errors.New("basket: already exists")
	// ErrVersionConflict: the basket changed since it was read.
	ErrVersionConflict = errors.New("basket: version conflict")
	// ErrStaleVersion: a conditional call ([WithIfVersion]) named a version
	// the basket has moved past.
	ErrStaleVersion = errors.New("basket: stale version")
	// ErrInvalid: a command's input is wrong; nothing changed.
	ErrInvalid = errors.New("basket: invalid input")
	// ErrUnknownLine: the line ID is not in the basket.
	ErrUnknownLine = errors.New("basket: unknown line")
	// ErrDuplicateCoupon: the code is already in the wallet.
	ErrDuplicateCoupon = errors.New("basket: coupon already in wallet")
	// ErrImmutable: the basket is ordered or invoiced and cannot change.
	ErrImmutable = errors.New("basket: immutable")
	// ErrInvalidTransition: the lifecycle does not allow this status change.
	ErrInvalidTransition = errors.New("basket: invalid status transition")
	// ErrNotOrderable: the basket cannot be ordered as priced (a line has no
	// price, stock is short, or it was never priced in its channel).
	ErrNotOrderable = errors.New("basket: not orderable")
	// ErrIdempotencyMismatch: an idempotency key was reused with a
	// different command.
	ErrIdempotencyMismatch = errors.New("basket: idempotency key reused with a different command")
	// ErrForbidden: the actor may not perform this operation on a basket it
	// can see (for example a shopper merging someone else's basket).
	ErrForbidden = errors.New("basket: forbidden")
	// ErrSnapshot: the snapshot does not cover the basket (a provider failed
	// or returned data for another currency or context).
	ErrSnapshot = errors.New("basket: incomplete snapshot")
	// ErrQuoteFrozen: the basket is a quote, a priced offer whose lines,
	// coupons and loyalty account cannot change until it is reopened as a
	// cart (Transition to [Cart], which drops the price lock). It also
	// matches [ErrImmutable], so code that treats an immutable basket as a
	// conflict refuses an edit of a quote the same way.
	ErrQuoteFrozen = fmt.Errorf("basket: quote is frozen, reopen it as a cart to change it: %w", ErrImmutable)
	// ErrNotConfigured: the Service was built without what this operation
	// needs (check-in without Config.Handoff, say). It is the platform's
	// error, not the caller's: an HTTP layer answers 501 or 500, not 400.
	ErrNotConfigured = errors.New("basket: not configured")
	// ErrNotReturnable: the units cannot be returned: the basket is not an
	// order, the line was never handed over to the shopper (cancel its
	// fulfilment instead), or more units are returned than were received
	// and not yet returned. Nothing changed.
	ErrNotReturnable = errors.New("basket: not returnable")
	// ErrReturnWindowClosed: the order's return window has ended.
	ErrReturnWindowClosed = errors.New("basket: return window closed")
	// ErrFulfilmentState: the fulfilment order is not in a state that
	// allows the step (collecting goods already collected, a no-show
	// before the collection deadline …). Nothing changed.
	ErrFulfilmentState = errors.New("basket: fulfilment order not in a state for this step")
)

// InputError names the field or argument that is wrong. It matches
// [ErrInvalid] unless Kind says otherwise (for example [ErrUnknownLine]).
type InputError struct {
	Field  string
	Reason string
	Kind   error
}

func (e *InputError) Error() string { return fmt.Sprintf("basket: %s: %s", e.Field, e.Reason) }

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

// VersionConflictError reports the version the caller expected and the one
// the store holds. It matches [ErrVersionConflict].
type VersionConflictError struct {
	ID       uuid.UUID
	Expected int64
	Current  int64
}

func (e *VersionConflictError) Error() string {
	return fmt.Sprintf("basket: version conflict on %s: expected %d, current %d", e.ID, e.Expected, e.Current)
}

// Unwrap returns [ErrVersionConflict].
func (e *VersionConflictError) Unwrap() error { return ErrVersionConflict }

// StaleVersionError reports the version a conditional call expected and
// the one the basket is at. It matches [ErrStaleVersion].
type StaleVersionError struct {
	ID       uuid.UUID
	Expected int64
	Current  int64
}

func (e *StaleVersionError) Error() string {
	return fmt.Sprintf("basket: %s is at version %d, not %d", e.ID, e.Current, e.Expected)
}

// Unwrap returns [ErrStaleVersion].
func (e *StaleVersionError) Unwrap() error { return ErrStaleVersion }

// TransitionError reports a refused status change. It matches
// [ErrInvalidTransition], or [ErrImmutable] when the basket is final.
type TransitionError struct {
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("basket: cannot go from %s to %s", e.From, e.To)
}

// Unwrap returns the error kind.
func (e *TransitionError) Unwrap() error {
	if e.From.Final() {
		return ErrImmutable
	}
	return ErrInvalidTransition
}

// notConfigured reports a missing piece of the Service's configuration as
// an [InputError] matching [ErrNotConfigured].
func notConfigured(field, reason string) error {
	return &InputError{Field: field, Reason: reason, Kind: ErrNotConfigured}
}
