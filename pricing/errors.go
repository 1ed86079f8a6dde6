package pricing

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Sentinel errors. Every error returned by this package matches exactly one
// of them with errors.Is; typed errors ([*NoPriceError], [*NoTaxRateError],
// [*InputError]) carry the details.
var (
	// ErrCurrencyMismatch: two amounts in different currencies were combined.
	ErrCurrencyMismatch = errors.New("pricing: currency mismatch")
	// ErrUnknownCurrency: the code is not an active ISO 4217 currency.
	ErrUnknownCurrency = errors.New("pricing: unknown currency")
	// ErrOverflow: the result does not fit; no wrong number is returned.
	ErrOverflow = errors.New("pricing: amount out of range")
	// ErrTooPrecise: more decimals than the currency allows (than
	// UnitPriceDecimals for a unit price) and no rounding was asked for.
	ErrTooPrecise = errors.New("pricing: more decimals than the currency allows")
	// ErrSyntax: the text is not a plain decimal amount.
	ErrSyntax = errors.New("pricing: invalid amount syntax")
	// ErrInvalid: an argument is out of its domain (negative weight, duplicate key …).
	ErrInvalid = errors.New("pricing: invalid input")
	// ErrNoPrice: no price list in the chain prices the SKU.
	ErrNoPrice = errors.New("pricing: no price")
	// ErrNoTaxRate: no tax rate for the zone and category.
	ErrNoTaxRate = errors.New("pricing: no tax rate")
)

// InputError names the argument or field that is wrong. It matches
// [ErrInvalid] (or the Kind it wraps) with errors.Is.
type InputError struct {
	Field  string
	Reason string
	Kind   error // defaults to ErrInvalid
}

func (e *InputError) Error() string {
	return fmt.Sprintf("pricing: %s: %s", e.Field, e.Reason)
}

// Unwrap returns the sentinel kind of the error.
func (e *InputError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalid
	}
	return e.Kind
}

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func mismatch(a, b Currency) error {
	return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, a, b)
}

// decText formats a decimal for an error message without expanding a huge
// exponent: decimal.String on 1e-2000000000 would build a 2 GB string.
func decText(d decimal.Decimal) string {
	if e := d.Exponent(); e < -64 || e > 64 {
		return fmt.Sprintf("%se%d", d.Coefficient().String(), e)
	}
	return d.String()
}
