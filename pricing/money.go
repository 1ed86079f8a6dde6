package pricing

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/omnibasket/omnibasket/internal/excerpt"
)

// Money is an exact amount of one currency, held as a whole number of minor
// units (cents, yen, fils). It is a small comparable value: two Money values
// are == exactly when they are the same amount of the same currency, so
// 1 EUR and 1.00 EUR cannot differ the way two decimals can.
//
// The zero Money has no currency and is rejected by every operation.
type Money struct {
	units int64
	cur   Currency
}

// Zero returns the zero amount of a currency.
func Zero(cur Currency) Money { return Money{cur: cur} }

// FromMinor returns units minor units of cur (1250 EUR cents = 12.50 EUR).
// It is small enough to be inlined (the errors are built out of line), so
// the engines that turn thousands of minor-unit sums into Money per call
// pay no call for each.
func FromMinor(units int64, cur Currency) (Money, error) {
	if cur.code[0] != 0 && units >= -maxUnits {
		return Money{units: units, cur: cur}, nil
	}
	return Money{}, fromMinorError(cur)
}

// fromMinorError is the error of FromMinor for a zero currency or an
// amount out of range.
func fromMinorError(cur Currency) error {
	if cur.IsZero() {
		return fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	return ErrOverflow
}

// Parse reads a plain decimal amount ("12.50", "-3", "+0.1") in the
// currency with the given code. More decimals than the currency has are an
// error matching [ErrTooPrecise] unless they are zeros; exponents, spaces
// and thousands separators are rejected with [ErrSyntax].
func Parse(amount, code string) (Money, error) {
	cur, err := LookupCurrency(code)
	if err != nil {
		return Money{}, err
	}
	return parseIn(amount, cur, false, HalfEven)
}

// ParseRounded is [Parse] that rounds extra decimals with mode instead of
// refusing them.
func ParseRounded(amount, code string, mode RoundingMode) (Money, error) {
	cur, err := LookupCurrency(code)
	if err != nil {
		return Money{}, err
	}
	return parseIn(amount, cur, true, mode)
}

// ParseIn is [Parse] with an already looked-up currency.
func ParseIn(amount string, cur Currency) (Money, error) {
	if cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	return parseIn(amount, cur, false, HalfEven)
}

// MustParse is [Parse] for literals in tests and examples; it panics on error.
func MustParse(amount, code string) Money {
	m, err := Parse(amount, code)
	if err != nil {
		panic(err)
	}
	return m
}

func parseIn(s string, cur Currency, round bool, mode RoundingMode) (Money, error) {
	neg, intPart, frac, err := splitDecimal(s)
	if err != nil {
		return Money{}, err
	}
	exp := int(cur.exp)
	kept, extra := frac, ""
	if len(frac) > exp {
		kept, extra = frac[:exp], frac[exp:]
	}
	var u uint64
	for _, digits := range [...]string{intPart, kept} {
		for i := 0; i < len(digits); i++ {
			hi, lo := bits64Mul10Add(u, uint64(digits[i]-'0'))
			if hi {
				return Money{}, fmt.Errorf("%w: %s in %s", ErrOverflow, excerpt.Quote(s), cur)
			}
			u = lo
		}
	}
	for i := len(kept); i < exp; i++ {
		hi, lo := bits64Mul10Add(u, 0)
		if hi {
			return Money{}, fmt.Errorf("%w: %s in %s", ErrOverflow, excerpt.Quote(s), cur)
		}
		u = lo
	}
	if inexact := strings.TrimRight(extra, "0") != ""; inexact {
		if !round {
			return Money{}, fmt.Errorf("%w: %s has more than %d decimals for %s", ErrTooPrecise, excerpt.Quote(s), exp, cur)
		}
		half := -1
		switch {
		case extra[0] > '5':
			half = 1
		case extra[0] == '5':
			half = 0
			if strings.TrimRight(extra[1:], "0") != "" {
				half = 1
			}
		}
		if roundAway(mode, u&1 == 1, half, true, neg) {
			u++
		}
	}
	if u > maxUnits {
		return Money{}, fmt.Errorf("%w: %s in %s", ErrOverflow, excerpt.Quote(s), cur)
	}
	m := Money{units: int64(u), cur: cur}
	if neg {
		m.units = -m.units
	}
	return m, nil
}

func bits64Mul10Add(u, d uint64) (overflow bool, r uint64) {
	if u > (maxUnits-d)/10 {
		return true, 0
	}
	return false, u*10 + d
}

// maxAmountText bounds the text accepted as an amount, so that hostile
// input ("0.000…" a megabyte long) is refused in constant time.
const maxAmountText = 256

// splitDecimal checks the syntax [+-]digits[.digits] and returns its parts.
func splitDecimal(s string) (neg bool, intPart, frac string, err error) {
	if len(s) > maxAmountText {
		return false, "", "", fmt.Errorf("%w: %s is longer than %d characters", ErrSyntax, excerpt.Quote(s), maxAmountText)
	}
	body := s
	if body != "" && (body[0] == '-' || body[0] == '+') {
		neg = body[0] == '-'
		body = body[1:]
	}
	intPart, frac, dot := strings.Cut(body, ".")
	if intPart == "" && frac == "" || dot && frac == "" {
		return false, "", "", fmt.Errorf("%w: %s", ErrSyntax, excerpt.Quote(s))
	}
	for _, part := range [...]string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false, "", "", fmt.Errorf("%w: %s", ErrSyntax, excerpt.Quote(s))
			}
		}
	}
	return neg, strings.TrimLeft(intPart, "0"), frac, nil
}

// FromDecimal converts a decimal to cur exactly; more decimals than the
// currency has (other than trailing zeros) match [ErrTooPrecise].
func FromDecimal(d decimal.Decimal, cur Currency) (Money, error) {
	return fromDecimal(d, cur, false, HalfEven)
}

// FromDecimalRounded converts a decimal to cur, rounding extra decimals with mode.
func FromDecimalRounded(d decimal.Decimal, cur Currency, mode RoundingMode) (Money, error) {
	return fromDecimal(d, cur, true, mode)
}

func fromDecimal(d decimal.Decimal, cur Currency, round bool, mode RoundingMode) (Money, error) {
	if cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	coef := d.Coefficient()
	neg := coef.Sign() < 0
	coef.Abs(coef)
	if coef.Sign() == 0 {
		return Zero(cur), nil
	}
	// shift is the power of ten that turns the decimal into minor units.
	shift := int64(d.Exponent()) + int64(cur.exp)
	var q *big.Int
	switch {
	case shift >= 0:
		if shift > 19 {
			return Money{}, fmt.Errorf("%w: %s", ErrOverflow, cur)
		}
		q = coef.Mul(coef, new(big.Int).SetUint64(pow10(int(shift))))
	default:
		var half int // -1 below, 0 at, +1 above one half; exact when 2
		if digits := int64(len(coef.Text(10))); -shift > digits {
			// |value| < 0.1 minor unit: the quotient is 0, below half.
			q, half = new(big.Int), -1
		} else {
			den := new(big.Int).Exp(big.NewInt(10), big.NewInt(-shift), nil)
			var rem big.Int
			q, _ = new(big.Int).QuoRem(coef, den, &rem)
			half = 2
			if rem.Sign() != 0 {
				half = rem.Lsh(&rem, 1).Cmp(den)
			}
		}
		if half != 2 {
			if !round {
				return Money{}, fmt.Errorf("%w: %s for %s", ErrTooPrecise, decText(d), cur)
			}
			if roundAway(mode, q.Bit(0) == 1, half, true, neg) {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	if !q.IsInt64() {
		return Money{}, fmt.Errorf("%w: %s", ErrOverflow, cur)
	}
	u := q.Int64()
	if neg {
		u = -u
	}
	return Money{units: u, cur: cur}, nil
}

// Currency returns the currency of m.
func (m Money) Currency() Currency { return m.cur }

// MinorUnits returns the amount in minor units (12.50 EUR → 1250).
func (m Money) MinorUnits() int64 { return m.units }

// Decimal returns the amount as a decimal with exactly the currency's
// number of decimals.
func (m Money) Decimal() decimal.Decimal { return decimal.New(m.units, -int32(m.cur.exp)) }

// Amount formats the amount with exactly the currency's decimals ("12.50",
// "-0.05", "1000" for JPY), never through a float.
func (m Money) Amount() string { return string(m.appendAmount(make([]byte, 0, 24))) }

// appendAmount appends Amount's text to b.
func (m Money) appendAmount(b []byte) []byte {
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], abs64(m.units), 10)
	if m.units < 0 {
		b = append(b, '-')
	}
	exp := int(m.cur.exp)
	if exp == 0 {
		return append(b, digits...)
	}
	if len(digits) <= exp {
		b = append(b, '0', '.')
		for range exp - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-exp]...)
	b = append(b, '.')
	return append(b, digits[len(digits)-exp:]...)
}

// String formats as "12.50 EUR".
func (m Money) String() string { return m.Amount() + " " + m.cur.String() }

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.units == 0 }

// IsNegative reports whether the amount is below zero.
func (m Money) IsNegative() bool { return m.units < 0 }

// IsPositive reports whether the amount is above zero.
func (m Money) IsPositive() bool { return m.units > 0 }

// Sign returns -1, 0 or +1.
func (m Money) Sign() int {
	switch {
	case m.units < 0:
		return -1
	case m.units > 0:
		return 1
	}
	return 0
}

// Neg returns −m. It cannot overflow: amounts are kept within ±MaxInt64.
func (m Money) Neg() Money { return Money{units: -m.units, cur: m.cur} }

// Abs returns |m|.
func (m Money) Abs() Money {
	if m.units < 0 {
		return m.Neg()
	}
	return m
}

func (m Money) check(o Money) error {
	if m.cur != o.cur || m.cur.IsZero() {
		return mismatch(m.cur, o.cur)
	}
	return nil
}

// Add returns m + o; different currencies match [ErrCurrencyMismatch].
func (m Money) Add(o Money) (Money, error) {
	// The common case is small enough to be inlined at every call site
	// (totals add hundreds of amounts per pricing); errors are built apart.
	if s := m.units + o.units; m.cur == o.cur && m.cur.code[0] != 0 && inRange(m.units, o.units, s) {
		return Money{units: s, cur: m.cur}, nil
	}
	return m.addFailed(o)
}

// addFailed is the error of m + o.
func (m Money) addFailed(o Money) (Money, error) {
	if err := m.check(o); err != nil {
		return Money{}, err
	}
	return Money{}, fmt.Errorf("%w: %s + %s", ErrOverflow, m, o)
}

// Sub returns m − o; different currencies match [ErrCurrencyMismatch].
func (m Money) Sub(o Money) (Money, error) {
	if s := m.units - o.units; m.cur == o.cur && m.cur.code[0] != 0 && inRange(m.units, -o.units, s) {
		return Money{units: s, cur: m.cur}, nil
	}
	return m.subFailed(o)
}

// subFailed is the error of m − o.
func (m Money) subFailed(o Money) (Money, error) {
	if err := m.check(o); err != nil {
		return Money{}, err
	}
	return Money{}, fmt.Errorf("%w: %s - %s", ErrOverflow, m, o)
}

// Mul returns m × q for an integer quantity; overflow matches [ErrOverflow].
func (m Money) Mul(q int64) (Money, error) {
	if m.cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	u, ok := mulUnits(m.units, q)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s × %d", ErrOverflow, m, q)
	}
	return Money{units: u, cur: m.cur}, nil
}

// MulRate returns m × r rounded once with mode (19 % of 3.24 EUR = 0.62 EUR),
// computed exactly on 128 bits; a result beyond ±MaxInt64 minor units,
// before or after rounding, matches [ErrOverflow].
func (m Money) MulRate(r Rate, mode RoundingMode) (Money, error) {
	if m.cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	u, ok := mulDivRound(m.units, r.coef, pow10(int(r.scale)), mode)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s × %s", ErrOverflow, m, r)
	}
	return Money{units: u, cur: m.cur}, nil
}

// Cmp returns -1, 0 or +1 as m is below, equal to or above o.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.check(o); err != nil {
		return 0, err
	}
	switch {
	case m.units < o.units:
		return -1, nil
	case m.units > o.units:
		return 1, nil
	}
	return 0, nil
}

// Min returns the lower of m and o.
func (m Money) Min(o Money) (Money, error) {
	c, err := m.Cmp(o)
	if err != nil || c <= 0 {
		return m, err
	}
	return o, nil
}
