package pricing

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

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
	// ErrTooPrecise: more decimals than the currency allows and no rounding was asked for.
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

// Bounds of the excerpt of an input value quoted in an error message.
const (
	excerptRunes = 32 // runes of the value kept at most
	excerptBytes = 48 // bytes of escaped text kept at most
)

// excerpt quotes an input value for an error message: %q-escaped, at most
// 32 runes and 48 escaped bytes of it, and when cut followed by "…" and the
// value's length in bytes, so that a hostile megabyte of input never
// becomes a megabyte of error. Its cost does not depend on len(s).
func excerpt(s string) string {
	cut, runes := len(s), 0
	for i := range s {
		if runes == excerptRunes {
			cut = i
			break
		}
		runes++
	}
	q := strconv.Quote(s[:cut])
	for len(q) > excerptBytes+2 && cut > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
		q = strconv.Quote(s[:cut])
	}
	if cut == len(s) {
		return q
	}
	return fmt.Sprintf("%s… (%d bytes)", q, len(s))
}
