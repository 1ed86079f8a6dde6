package pricing

import (
	"encoding/json"
	"fmt"

	"github.com/omnibasket/omnibasket/internal/excerpt"
	"github.com/omnibasket/omnibasket/internal/iso4217"
)

// Currency is an ISO 4217 currency: its code and the number of decimals of
// its minor unit. The zero Currency is invalid. Currencies are comparable
// with ==.
type Currency struct {
	code [3]byte
	exp  uint8
}

// LookupCurrency returns the active ISO 4217 currency with the given
// upper-case code; an unknown code matches [ErrUnknownCurrency]. Units of
// account with no minor unit (XAU, XDR …) are unknown. The table is the
// one channel.Context.Validate checks codes against.
func LookupCurrency(code string) (Currency, error) {
	exp, ok := iso4217.Exponent(code)
	if !ok {
		return Currency{}, fmt.Errorf("%w: %s", ErrUnknownCurrency, excerpt.Quote(code))
	}
	var c Currency
	copy(c.code[:], code)
	c.exp = exp
	return c, nil
}

// MustCurrency is [LookupCurrency] for codes known at compile time; it
// panics on an unknown code.
func MustCurrency(code string) Currency {
	c, err := LookupCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Currencies returns every known currency, sorted by code.
func Currencies() []Currency {
	codes := iso4217.Codes()
	out := make([]Currency, len(codes))
	for i, code := range codes {
		out[i] = MustCurrency(code)
	}
	return out
}

// Code returns the three-letter code, or "" for the zero Currency.
func (c Currency) Code() string {
	if c.code[0] == 0 {
		return ""
	}
	return string(c.code[:])
}

// String returns the code.
func (c Currency) String() string {
	if c.code[0] == 0 {
		return "<no currency>"
	}
	return c.Code()
}

// Exponent returns the number of decimals of the minor unit (JPY 0, EUR 2, KWD 3).
func (c Currency) Exponent() int { return int(c.exp) }

// IsZero reports whether c is the zero (invalid) Currency.
func (c Currency) IsZero() bool { return c.code[0] == 0 }

// CashIncrement returns the smallest amount a cash payment can be made in
// (CHF 0.05, DKK 0.50, SEK 1.00), and false when cash is paid to the minor unit.
func (c Currency) CashIncrement() (Money, bool) {
	inc := iso4217.CashIncrement(c.Code())
	if inc == 0 {
		return Money{}, false
	}
	return Money{units: inc, cur: c}, true
}

// MarshalText encodes the currency as its code.
func (c Currency) MarshalText() ([]byte, error) {
	if c.IsZero() {
		return nil, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	return []byte(c.Code()), nil
}

// UnmarshalText decodes a currency code.
func (c *Currency) UnmarshalText(b []byte) error {
	cur, err := LookupCurrency(string(b))
	if err != nil {
		return err
	}
	*c = cur
	return nil
}

var _ json.Marshaler = Money{}
var _ json.Unmarshaler = (*Money)(nil)
