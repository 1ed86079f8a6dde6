package pricing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/omnibasket/omnibasket/internal/excerpt"
)

// UnitPriceDecimals is how many decimals of the major unit a [UnitPrice]
// may carry, whatever the currency's exponent: enough for 0.0125 EUR a
// screw, 1.859 EUR a litre of fuel or 0.125 JPY a gram.
const UnitPriceDecimals = 6

// MaxPer bounds the quantity a [UnitPrice] may be given for (a price per
// 1,000 screws), so that the divisor of a line amount stays within 64 bits.
const MaxPer = 1_000_000_000

// UnitPrice is the price of one unit of a product, or of [UnitPrice.Per]
// units, that may be more precise than the currency: up to
// [UnitPriceDecimals] decimals of the major unit (0.0125 EUR a screw,
// 1.859 EUR a litre, 12.50 EUR per 1,000). Only a line amount is money:
// [UnitPrice.Mul] turns price × quantity ÷ per into a [Money], rounded
// once, so 3 screws at 0.0125 cost 0.04 (half-even), not 3 × 0.01.
//
// An amount in minor units is a unit price with fewer decimals:
// [UnitPriceOf] converts any Money exactly and [UnitPrice.Exact] gives it
// back, so ordinary prices go through the same code unchanged.
//
// Unit prices are normalised (an ordinary price is held in minor units,
// any other in millionths), so that two prices of the same amount,
// currency and per are ==; 0.0125 per unit and 12.50 per 1,000 are equal
// by [UnitPrice.Cmp] but not ==. An ordinary price has the range of a
// Money; one with more decimals than its currency is at most
// ±9,223,372,036,854.775807 (its millionths fit an int64), beyond which
// it matches [ErrOverflow]. A UnitPrice is 16 bytes, as small as the Money
// it generalises. The zero UnitPrice has no currency and means "not set";
// every operation rejects it.
type UnitPrice struct {
	// The price of per units is coef minor units, or coef millionths of
	// the major unit when it needs more decimals than the currency has
	// (precise).
	coef int64
	cur  Currency
	ps   uint32 // per<<1 | precise; per is 1 … MaxPer, 0 only in the zero UnitPrice
}

// precise reports whether coef counts millionths rather than minor units.
func (u UnitPrice) precise() bool { return u.ps&1 == 1 }

// scale is the number of decimals coef is counted in.
func (u UnitPrice) scale() int {
	if u.precise() {
		return UnitPriceDecimals
	}
	return int(u.cur.exp)
}

// newUnitPrice normalises coef × 10^-scale (0 ≤ scale ≤
// UnitPriceDecimals) for per units: minor units when the currency's
// decimals hold it, millionths otherwise; it checks that it fits. Every
// constructor goes through it.
func newUnitPrice(coef int64, scale int, per int64, cur Currency) (UnitPrice, error) {
	exp := int(cur.exp)
	precise := uint32(0)
	switch {
	case scale <= exp:
		var ok bool
		if coef, ok = mulUnits(coef, int64(pow10(exp-scale))); !ok {
			return UnitPrice{}, fmt.Errorf("%w: unit price in %s", ErrOverflow, cur)
		}
	case coef%int64(pow10(scale-exp)) == 0:
		coef /= int64(pow10(scale - exp))
	default:
		var ok bool
		if coef, ok = mulUnits(coef, int64(pow10(UnitPriceDecimals-scale))); !ok {
			return UnitPrice{}, fmt.Errorf("%w: unit price in %s", ErrOverflow, cur)
		}
		precise = 1
	}
	if coef < -maxUnits {
		return UnitPrice{}, fmt.Errorf("%w: unit price in %s", ErrOverflow, cur)
	}
	return UnitPrice{coef: coef, cur: cur, ps: uint32(per)<<1 | precise}, nil
}

// UnitPriceOf returns m as a unit price, exactly: a price in minor units
// is a unit price with fewer decimals. The zero Money gives the zero
// UnitPrice.
func UnitPriceOf(m Money) UnitPrice {
	if m.cur.IsZero() {
		return UnitPrice{}
	}
	return UnitPrice{coef: m.units, cur: m.cur, ps: 1 << 1}
}

// ParseUnitPrice reads a plain decimal unit price ("0.0125", "1.859",
// "12.50") in the currency with the given code, for one unit. Up to
// [UnitPriceDecimals] decimals are kept whatever the currency's exponent;
// a seventh decimal other than zero matches [ErrTooPrecise] (a price is
// never rounded on the way in), exponents, spaces and separators
// [ErrSyntax]. Use [UnitPrice.WithPer] for a price per a quantity.
func ParseUnitPrice(amount, code string) (UnitPrice, error) {
	cur, err := LookupCurrency(code)
	if err != nil {
		return UnitPrice{}, err
	}
	return parseUnitPrice(amount, cur)
}

// ParseUnitPriceIn is [ParseUnitPrice] with an already looked-up currency.
func ParseUnitPriceIn(amount string, cur Currency) (UnitPrice, error) {
	if cur.IsZero() {
		return UnitPrice{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	return parseUnitPrice(amount, cur)
}

// MustParseUnitPrice is [ParseUnitPrice] for literals in tests and
// examples; it panics on error.
func MustParseUnitPrice(amount, code string) UnitPrice {
	u, err := ParseUnitPrice(amount, code)
	if err != nil {
		panic(err)
	}
	return u
}

func parseUnitPrice(s string, cur Currency) (UnitPrice, error) {
	neg, intPart, frac, err := splitDecimal(s)
	if err != nil {
		return UnitPrice{}, err
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > UnitPriceDecimals {
		return UnitPrice{}, fmt.Errorf("%w: unit price %s has more than %d decimals", ErrTooPrecise, excerpt.Quote(s), UnitPriceDecimals)
	}
	var u uint64
	for _, digits := range [...]string{intPart, frac} {
		for i := 0; i < len(digits); i++ {
			hi, lo := bits64Mul10Add(u, uint64(digits[i]-'0'))
			if hi {
				return UnitPrice{}, fmt.Errorf("%w: unit price %s in %s", ErrOverflow, excerpt.Quote(s), cur)
			}
			u = lo
		}
	}
	coef := int64(u) // u ≤ maxUnits
	if neg {
		coef = -coef
	}
	p, err := newUnitPrice(coef, len(frac), 1, cur)
	if err != nil {
		return UnitPrice{}, fmt.Errorf("%w: unit price %s in %s", ErrOverflow, excerpt.Quote(s), cur)
	}
	return p, nil
}

// UnitPriceFromDecimal converts a decimal to a unit price of cur for one
// unit, exactly; a seventh decimal other than zero matches [ErrTooPrecise].
func UnitPriceFromDecimal(d decimal.Decimal, cur Currency) (UnitPrice, error) {
	if cur.IsZero() {
		return UnitPrice{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	coef := d.Coefficient()
	if coef.Sign() == 0 {
		return UnitPrice{cur: cur, ps: 1 << 1}, nil
	}
	exp := int64(d.Exponent())
	switch {
	case exp < -UnitPriceDecimals:
		// Only an exact multiple of 10^(-6-exp) has six decimals or fewer;
		// a shift longer than the coefficient cannot be one.
		shift := -UnitPriceDecimals - exp
		if shift > int64(len(coef.Text(10))) {
			return UnitPrice{}, fmt.Errorf("%w: unit price %s has more than %d decimals", ErrTooPrecise, decText(d), UnitPriceDecimals)
		}
		var rem big.Int
		coef.QuoRem(coef, new(big.Int).Exp(big.NewInt(10), big.NewInt(shift), nil), &rem)
		if rem.Sign() != 0 {
			return UnitPrice{}, fmt.Errorf("%w: unit price %s has more than %d decimals", ErrTooPrecise, decText(d), UnitPriceDecimals)
		}
		exp = -UnitPriceDecimals
	case exp > 0:
		if exp > 19 {
			return UnitPrice{}, fmt.Errorf("%w: unit price %s in %s", ErrOverflow, decText(d), cur)
		}
		coef.Mul(coef, new(big.Int).SetUint64(pow10(int(exp))))
		exp = 0
	}
	for ten := big.NewInt(10); exp < 0; exp++ { // at most six: trailing zeros are no precision
		var q, rem big.Int
		if q.QuoRem(coef, ten, &rem); rem.Sign() != 0 {
			break
		}
		coef = &q
	}
	if !coef.IsInt64() || coef.Int64() < -maxUnits {
		return UnitPrice{}, fmt.Errorf("%w: unit price %s in %s", ErrOverflow, decText(d), cur)
	}
	p, err := newUnitPrice(coef.Int64(), int(-exp), 1, cur)
	if err != nil {
		return UnitPrice{}, fmt.Errorf("%w: unit price %s in %s", ErrOverflow, decText(d), cur)
	}
	return p, nil
}

// WithPer returns the same amount as the price of n units (12.50 EUR per
// 1,000 screws). n must be 1 … [MaxPer].
func (u UnitPrice) WithPer(n int64) (UnitPrice, error) {
	if u.cur.IsZero() {
		return UnitPrice{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	if n < 1 || n > MaxPer {
		return UnitPrice{}, invalid("per", "%d is outside 1…%d", n, MaxPer)
	}
	u.ps = uint32(n)<<1 | u.ps&1
	return u, nil
}

// Currency returns the currency of u.
func (u UnitPrice) Currency() Currency { return u.cur }

// Per returns the quantity the price is for: 1, or 1,000 for a price per
// 1,000 units.
func (u UnitPrice) Per() int64 { return max(int64(u.ps>>1), 1) }

// Decimal returns the price of [UnitPrice.Per] units as a decimal: with
// the currency's decimals, or six when it needs more.
func (u UnitPrice) Decimal() decimal.Decimal { return decimal.New(u.coef, -int32(u.scale())) }

// Amount formats the price of [UnitPrice.Per] units with the currency's
// decimals, or more when it has more ("12.50", "0.0125", "1.859", "1000"
// for JPY), never through a float.
func (u UnitPrice) Amount() string {
	digits := strconv.FormatUint(abs64(u.coef), 10)
	places := u.scale()
	for places > int(u.cur.exp) && digits[len(digits)-1] == '0' { // millionths: drop the zeros it does not need
		digits, places = digits[:len(digits)-1], places-1
	}
	if places > 0 {
		if len(digits) <= places {
			digits = strings.Repeat("0", places-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-places] + "." + digits[len(digits)-places:]
	}
	if u.coef < 0 {
		return "-" + digits
	}
	return digits
}

// String formats as "0.0125 EUR", or "12.50 EUR per 1000".
func (u UnitPrice) String() string {
	s := u.Amount() + " " + u.cur.String()
	if per := u.Per(); per > 1 {
		s += " per " + strconv.FormatInt(per, 10)
	}
	return s
}

// Sign returns -1, 0 or +1.
func (u UnitPrice) Sign() int {
	switch {
	case u.coef < 0:
		return -1
	case u.coef > 0:
		return 1
	}
	return 0
}

// IsNegative reports whether the price is below zero.
func (u UnitPrice) IsNegative() bool { return u.coef < 0 }

// Exact returns the price of one unit as a Money when it has one exactly:
// per 1 and no more decimals than the currency. A price that needs more
// (0.0125 EUR, 12.50 EUR per 1,000) gives false. The zero UnitPrice gives
// the zero Money and true: "not set" either way.
func (u UnitPrice) Exact() (Money, bool) {
	if u.ps>>1 > 1 || u.precise() {
		return Money{}, false
	}
	return Money{units: u.coef, cur: u.cur}, true // the zero UnitPrice gives the zero Money
}

// Mul returns the amount of q units: price × q ÷ per, computed exactly on
// 128 bits and rounded once to the currency's minor unit with mode (3 ×
// 0.0125 EUR = 0.0375 → 0.04 half-even). An ordinary price is not rounded
// at all. A result beyond ±MaxInt64 minor units matches [ErrOverflow].
func (u UnitPrice) Mul(q int64, mode RoundingMode) (Money, error) {
	if u.cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	if !mode.Valid() {
		return Money{}, invalid("mode", "unknown rounding %s", mode)
	}
	var v int64
	var ok bool
	d := uint64(u.Per())
	if u.precise() {
		d *= pow10(UnitPriceDecimals - int(u.cur.exp)) // ≤ 10^6 × 10^9
	}
	if d == 1 { // an ordinary price: exact
		v, ok = mulUnits(u.coef, q)
	} else {
		v, ok = mulDivRound(u.coef, q, d, mode)
	}
	if !ok {
		return Money{}, fmt.Errorf("%w: %s × %d", ErrOverflow, u, q)
	}
	return Money{units: v, cur: u.cur}, nil
}

// Round returns the price of one unit rounded to the currency with mode,
// for display beside the exact price; lines are priced with [UnitPrice.Mul].
func (u UnitPrice) Round(mode RoundingMode) (Money, error) { return u.Mul(1, mode) }

// Cmp compares the prices of one unit exactly (12.50 per 1,000 equals
// 0.0125): -1, 0 or +1 as u is below, equal to or above o. Different
// currencies match [ErrCurrencyMismatch].
func (u UnitPrice) Cmp(o UnitPrice) (int, error) {
	if u.cur != o.cur || u.cur.IsZero() {
		return 0, mismatch(u.cur, o.cur)
	}
	if u.ps == o.ps {
		return cmpInt64(u.coef, o.coef), nil
	}
	if u.Per() == o.Per() {
		if s := cmpInt64(int64(u.Sign()), int64(o.Sign())); s != 0 || u.coef == 0 {
			return s, nil
		}
		// Same sign, both non-zero: compare the magnitudes at scale 6 on 128 bits.
		h1, l1 := bits.Mul64(abs64(u.coef), pow10(UnitPriceDecimals-u.scale()))
		h2, l2 := bits.Mul64(abs64(o.coef), pow10(UnitPriceDecimals-o.scale()))
		c := cmpUint128(h1, l1, h2, l2)
		if u.coef < 0 {
			c = -c
		}
		return c, nil
	}
	// Different quantities: coef_u × 10^scale_o × per_o against
	// coef_o × 10^scale_u × per_u.
	a := new(big.Int).Mul(big.NewInt(u.coef), new(big.Int).SetUint64(pow10(o.scale())*uint64(o.Per())))
	b := new(big.Int).Mul(big.NewInt(o.coef), new(big.Int).SetUint64(pow10(u.scale())*uint64(u.Per())))
	return a.Cmp(b), nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpUint128(h1, l1, h2, l2 uint64) int {
	switch {
	case h1 != h2:
		if h1 < h2 {
			return -1
		}
		return 1
	case l1 < l2:
		return -1
	case l1 > l2:
		return 1
	}
	return 0
}

// unitPriceJSON is the wire form: Money's, with per when it is not 1.
type unitPriceJSON struct {
	Amount   *string `json:"amount"`
	Currency *string `json:"currency"`
	Per      *int64  `json:"per,omitempty"`
}

// MarshalJSON encodes {"amount":"0.0125","currency":"EUR"}, with
// "per":1000 for a price per a quantity: an ordinary price encodes exactly
// as the Money it equals. The zero UnitPrice encodes as null.
func (u UnitPrice) MarshalJSON() ([]byte, error) {
	if u.cur.IsZero() {
		return []byte("null"), nil
	}
	w := unitPriceJSON{Amount: new(string), Currency: new(string)}
	*w.Amount, *w.Currency = u.Amount(), u.cur.Code()
	if per := u.Per(); per > 1 {
		w.Per = &per
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes {"amount":"0.0125","currency":"EUR","per":1000}
// strictly: amount and currency present, the amount a string of at most
// [UnitPriceDecimals] decimals, per (optional, 1 when absent) an integer
// 1 … [MaxPer], no unknown fields; so a Money's JSON decodes as the same
// price. null leaves u unchanged. On error u is unchanged.
func (u *UnitPrice) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w unitPriceJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: unit price JSON: %v", ErrSyntax, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: unit price JSON: trailing data", ErrSyntax)
	}
	if w.Amount == nil || w.Currency == nil {
		return fmt.Errorf("%w: unit price JSON needs both amount and currency", ErrSyntax)
	}
	v, err := ParseUnitPrice(*w.Amount, *w.Currency)
	if err != nil {
		return err
	}
	if w.Per != nil {
		if v, err = v.WithPer(*w.Per); err != nil {
			return err
		}
	}
	*u = v
	return nil
}

var _ json.Marshaler = UnitPrice{}
var _ json.Unmarshaler = (*UnitPrice)(nil)
