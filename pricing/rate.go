package pricing

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/omnibasket/omnibasket/internal/excerpt"
)

// maxRateScale bounds a rate's decimals; 10^18 still leaves headroom in
// 64-bit arithmetic for tax-inclusive division by (1 + rate).
const maxRateScale = 18

// Rate is an exact non-negative decimal factor (0.19 for 19 % tax, 0.1 for
// 10 % off), applied to money with a single rounding. Rates are normalised,
// so equal rates are == (0.190 and 0.19 are the same Rate).
type Rate struct {
	coef  int64 // value = coef / 10^scale
	scale uint8
}

// ParseRate reads a decimal factor such as "0.19" or "1".
func ParseRate(s string) (Rate, error) { return parseRate(s, 0) }

// ParsePercent reads a percentage such as "19" or "5.5" (→ 0.055).
func ParsePercent(s string) (Rate, error) { return parseRate(s, 2) }

// MustRate is [ParseRate] for literals; it panics on error.
func MustRate(s string) Rate {
	r, err := ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

// MustPercent is [ParsePercent] for literals; it panics on error.
func MustPercent(s string) Rate {
	r, err := ParsePercent(s)
	if err != nil {
		panic(err)
	}
	return r
}

// RateFromDecimal converts a decimal factor exactly.
func RateFromDecimal(d decimal.Decimal) (Rate, error) {
	if d.Sign() < 0 {
		return Rate{}, invalid("rate", "%s is negative", decText(d))
	}
	exp := d.Exponent()
	if exp < -maxRateScale-40 || exp > 18 {
		return Rate{}, invalid("rate", "%s is out of range", decText(d))
	}
	coef := d.Coefficient()
	for exp < 0 {
		var q, r big.Int
		q.QuoRem(coef, big.NewInt(10), &r)
		if r.Sign() != 0 {
			break
		}
		coef, exp = &q, exp+1
	}
	if exp > 0 {
		coef.Mul(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil))
		exp = 0
	}
	if -exp > maxRateScale || !coef.IsInt64() || coef.Int64() > 1e18 {
		return Rate{}, invalid("rate", "%s has more than %d decimals or is too large", decText(d), maxRateScale)
	}
	return normRate(coef.Int64(), uint8(-exp)), nil
}

func parseRate(s string, shift uint8) (Rate, error) {
	neg, intPart, frac, err := splitDecimal(s)
	if err != nil {
		return Rate{}, err
	}
	if neg && strings.Trim(intPart+frac, "0") != "" {
		return Rate{}, invalid("rate", "%s is negative", excerpt.Quote(s))
	}
	frac = strings.TrimRight(frac, "0")
	scale := len(frac) + int(shift)
	if scale > maxRateScale || len(intPart)+len(frac) > 18 {
		return Rate{}, invalid("rate", "%s has too many digits (at most %d decimals)", excerpt.Quote(s), maxRateScale-int(shift))
	}
	coef, err := strconv.ParseInt("0"+intPart+frac, 10, 64)
	if err != nil || coef > 1e18 {
		return Rate{}, invalid("rate", "%s is too large", excerpt.Quote(s))
	}
	return normRate(coef, uint8(scale)), nil
}

func normRate(coef int64, scale uint8) Rate {
	for scale > 0 && coef%10 == 0 {
		coef /= 10
		scale--
	}
	if coef == 0 {
		scale = 0
	}
	return Rate{coef: coef, scale: scale}
}

// Decimal returns the rate as a decimal factor.
func (r Rate) Decimal() decimal.Decimal { return decimal.New(r.coef, -int32(r.scale)) }

// String formats the factor ("0.19").
func (r Rate) String() string { return r.Decimal().String() }

// Percent formats the rate as a percentage ("19", "5.5").
func (r Rate) Percent() string { return decimal.New(r.coef, 2-int32(r.scale)).String() }

// IsZero reports whether the rate is zero.
func (r Rate) IsZero() bool { return r.coef == 0 }

// Cmp compares two rates exactly.
func (r Rate) Cmp(o Rate) int {
	a := new(big.Int).Mul(big.NewInt(r.coef), new(big.Int).SetUint64(pow10(int(o.scale))))
	b := new(big.Int).Mul(big.NewInt(o.coef), new(big.Int).SetUint64(pow10(int(r.scale))))
	return a.Cmp(b)
}

// AtMostOne reports whether the rate is ≤ 1 (≤ 100 %).
func (r Rate) AtMostOne() bool { return uint64(r.coef) <= pow10(int(r.scale)) }

// MarshalText encodes the factor as text.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a factor.
func (r *Rate) UnmarshalText(b []byte) error {
	v, err := ParseRate(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// GoString helps test failure messages.
func (r Rate) GoString() string { return fmt.Sprintf("pricing.MustRate(%q)", r.String()) }
