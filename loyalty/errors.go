package loyalty

import (
	"errors"
	"fmt"
)

// Sentinel error kinds. Every error returned by this package and by a
// conforming [LoyaltySource] matches at least one of them with errors.Is;
// the typed errors carry the details and are reached with errors.As.
var (
	// ErrInvalid: a program, an argument or a request is malformed. Nothing
	// was changed.
	ErrInvalid = errors.New("loyalty: invalid input")
	// ErrInsufficientPoints: the account has fewer available points than a
	// reservation asks for. Nothing was reserved.
	ErrInsufficientPoints = errors.New("loyalty: insufficient points")
	// ErrNotFound: the account or the reservation is not known.
	ErrNotFound = errors.New("loyalty: not found")
	// ErrConflict: an operation ID was reused with a different content.
	ErrConflict = errors.New("loyalty: operation ID reused with a different content")
	// ErrClosed: the reservation was already ended the other way (a
	// released reservation cannot be committed, a committed one cannot be
	// released).
	ErrClosed = errors.New("loyalty: reservation already closed")
	// ErrNotBurnable: points cannot pay here, because the program offers no
	// burning or has no conversion for the currency of the amount due.
	ErrNotBurnable = errors.New("loyalty: points cannot be burnt in this currency")
)

// ValidationError names the rule (or tier) and the field that [Compile]
// refused, and why. It matches [ErrInvalid] and its cause, if any (for
// instance pricing.ErrOverflow).
type ValidationError struct {
	// RuleID is the rule concerned; empty for a tier, the exclusions or
	// the burn policy, which Field then names ("Tiers[1].Multiplier",
	// "Burn.Rates[0].Value").
	RuleID string
	Field  string
	Reason string
	Err    error // optional cause
}

// Error names the rule, the field and the reason.
func (e *ValidationError) Error() string {
	if e.RuleID == "" {
		return fmt.Sprintf("loyalty: invalid program: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("loyalty: invalid rule %q: %s: %s", e.RuleID, e.Field, e.Reason)
}

// Unwrap returns ErrInvalid and the cause, if any.
func (e *ValidationError) Unwrap() []error { return withCause(e.Err) }

// InputError names the argument of [Scheme.Earn], [Scheme.Burn] or of a
// [LoyaltySource] call that is wrong ("lines[2].Amount", "Points") and why.
// It matches [ErrInvalid] and its cause, if any (pricing.ErrCurrencyMismatch,
// pricing.ErrOverflow, channel.ErrInvalid).
type InputError struct {
	Field  string
	Reason string
	Err    error // optional cause
}

// Error names the argument and the reason.
func (e *InputError) Error() string {
	return fmt.Sprintf("loyalty: invalid input: %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalid and the cause, if any.
func (e *InputError) Unwrap() []error { return withCause(e.Err) }

func withCause(err error) []error {
	if err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, err}
}

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// InsufficientError names the account that cannot cover a reservation. It
// matches [ErrInsufficientPoints].
type InsufficientError struct {
	Account string
	// Requested is what the reservation asked for, Available what the
	// account had free at that moment.
	Requested, Available int64
}

// Error names the account and the figures.
func (e *InsufficientError) Error() string {
	return fmt.Sprintf("loyalty: account %q has %d points available, %d requested", e.Account, e.Available, e.Requested)
}

// Unwrap returns [ErrInsufficientPoints].
func (e *InsufficientError) Unwrap() error { return ErrInsufficientPoints }

// NotFoundError names the unknown account or reservation. It matches
// [ErrNotFound].
type NotFoundError struct {
	// Account is set when the account is unknown, Reservation when the
	// reservation ID is.
	Account, Reservation string
}

// Error names what is missing.
func (e *NotFoundError) Error() string {
	if e.Reservation != "" {
		return fmt.Sprintf("loyalty: no reservation %q", e.Reservation)
	}
	return fmt.Sprintf("loyalty: no account %q", e.Account)
}

// Unwrap returns [ErrNotFound].
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// ConflictError names an operation ID already used for a different
// content (another account, another number of points, or another kind of
// operation). It matches [ErrConflict].
type ConflictError struct {
	ID string
}

// Error names the ID.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("loyalty: operation %q was already used with a different content", e.ID)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ClosedError names a reservation that can no longer take the asked
// transition, and the state it is in. It matches [ErrClosed].
type ClosedError struct {
	Reservation string
	State       State
}

// Error names the reservation and its state.
func (e *ClosedError) Error() string {
	return fmt.Sprintf("loyalty: reservation %q is already %s", e.Reservation, e.State)
}

// Unwrap returns [ErrClosed].
func (e *ClosedError) Unwrap() error { return ErrClosed }
