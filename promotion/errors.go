package promotion

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (errors.Is) by every error of this package: an
// invalid promotion given to [Compile] ([*ValidationError]) or invalid input
// given to [Set.Evaluate] ([*InputError]).
var ErrInvalid = errors.New("promotion: invalid input")

// ValidationError names the promotion and the field that [Compile] refused,
// and why. errors.Is(err, ErrInvalid) holds; when the cause is a currency
// problem, errors.Is(err, pricing.ErrCurrencyMismatch) holds too.
type ValidationError struct {
	PromotionID string
	Field       string // e.g. "Effect.Percent", "Effect.Components[1].Quantity"
	Reason      string
	Err         error // optional cause, such as pricing.ErrCurrencyMismatch
}

// Error names the promotion, the field and the reason.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("promotion: invalid promotion %q: %s: %s", e.PromotionID, e.Field, e.Reason)
}

// Is makes a ValidationError match [ErrInvalid].
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the cause, if any.
func (e *ValidationError) Unwrap() error { return e.Err }

// InputError names the argument of [Set.Evaluate] that is wrong
// ("lines[3].Quantity", "ctx.Currency") and why. It matches [ErrInvalid]
// and its cause (for instance pricing.ErrCurrencyMismatch or
// pricing.ErrOverflow).
type InputError struct {
	Field  string
	Reason string
	Err    error // optional cause
}

// Error names the argument and the reason.
func (e *InputError) Error() string {
	return fmt.Sprintf("promotion: invalid input: %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalid and the cause, if any.
func (e *InputError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}
