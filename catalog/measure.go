package catalog

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/pricing"
)

// Embed is what a variable-measure barcode carries in its value digits.
type Embed uint8

// The values a scale prints into a barcode.
const (
	// Weight: the item's measure (weight, or length or volume) in the
	// layout's unit.
	Weight Embed = iota + 1
	// Price: the item's price in the layout's currency.
	Price
)

// String names the value.
func (e Embed) String() string {
	switch e {
	case Weight:
		return "weight"
	case Price:
		return "price"
	}
	return "embed(?)"
}

// Measure is an exact measured quantity, Value × 10^-Decimals in Unit:
// 0.347 kg is {347, 3, Kilogram}. There is no float anywhere.
type Measure struct {
	Value    int64
	Decimals int
	Unit     Unit
}

// String writes the measure with its decimals and unit ("0.347 kg").
func (m Measure) String() string {
	s := strconv.FormatInt(m.Value, 10)
	if m.Decimals > 0 {
		if len(s) <= m.Decimals {
			s = strings.Repeat("0", m.Decimals-len(s)+1) + s
		}
		s = s[:len(s)-m.Decimals] + "." + s[len(s)-m.Decimals:]
	}
	return s + " " + m.Unit.String()
}

// Layout is one of the retailer's variable-measure barcode formats: the
// EAN-13 codes with a GS1 prefix 20–29 that in-store scales print. Read
// left to right, the 12 digits before the check digit are
//
//	Prefix | item reference (ItemDigits) | [value check digit] | value (ValueDigits)
//
// and must add up to 12. A deli weighing cheese to the gram on prefix 21
// might print 21 + 5-digit item + 5-digit weight in kg with 3 decimals:
// 0.347 kg is 00347. (Layouts that put the value before the item
// reference are not supported.)
type Layout struct {
	// Prefix is "2" (the layout claims all of 20–29) or one of "20"…"29".
	Prefix string
	// ItemDigits is the length of the item reference that follows.
	ItemDigits int
	// ValueCheck says a GS1 price/weight check digit precedes the value
	// (only for 4- and 5-digit values, per the GS1 General Specifications
	// §7.9.3): a misread value is then refused even though the code's own
	// check digit was recomputed by the scale.
	ValueCheck bool
	// Embeds says whether the value is a weight or a price.
	Embeds      Embed
	ValueDigits int
	// Decimals is the number of implied decimals of the value: 3 for a
	// weight in kg to the gram, 2 for a price in EUR to the cent. A price
	// has at most its currency's decimals.
	Decimals int
	// Unit is the unit of a weight (a measured unit; none for a price).
	Unit Unit
	// Currency is the currency of a price (none for a weight).
	Currency pricing.Currency
}

func (l Layout) validate() string {
	check := 0
	if l.ValueCheck {
		check = 1
	}
	switch {
	case len(l.Prefix) == 1 && l.Prefix != "2",
		len(l.Prefix) == 2 && (l.Prefix[0] != '2' || l.Prefix[1] < '0' || l.Prefix[1] > '9'),
		len(l.Prefix) != 1 && len(l.Prefix) != 2:
		return "the prefix is \"2\" or one of \"20\"…\"29\" (GS1 restricted circulation numbers for variable measure)"
	case l.ItemDigits < 1:
		return "the item reference needs at least one digit"
	case l.ValueDigits < 1:
		return "the value needs at least one digit"
	case len(l.Prefix)+l.ItemDigits+check+l.ValueDigits != 12:
		return fmt.Sprintf("prefix %d + item %d + value check %d + value %d digits make %d, not the 12 before the check digit",
			len(l.Prefix), l.ItemDigits, check, l.ValueDigits, len(l.Prefix)+l.ItemDigits+check+l.ValueDigits)
	case l.ValueCheck && l.ValueDigits != 4 && l.ValueDigits != 5:
		return "a value check digit covers a 4- or 5-digit value only"
	case l.Decimals < 0 || l.Decimals > 6:
		return "decimals are 0 to 6"
	}
	switch l.Embeds {
	case Weight:
		if !l.Unit.Valid() || !l.Unit.Measured() {
			return "a weight is in a measured unit (kg, g, m, l)"
		}
		if !l.Currency.IsZero() {
			return "a weight has no currency"
		}
	case Price:
		if l.Currency.IsZero() {
			return "a price needs a currency"
		}
		if l.Decimals > l.Currency.Exponent() {
			return fmt.Sprintf("%s has %d decimals, the layout %d", l.Currency, l.Currency.Exponent(), l.Decimals)
		}
		if l.Unit != Each {
			return "a price has no unit"
		}
	default:
		return "the value is a Weight or a Price"
	}
	return ""
}

// Encode prints the code a scale would: item (exactly ItemDigits digits)
// and value (above zero, at most ValueDigits digits), with the value check
// digit if the layout has one and the GTIN check digit. It is how test
// labels are made; the layout must be valid.
func (l Layout) Encode(item string, value int64) (GTIN, error) {
	if r := l.validate(); r != "" {
		return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: r}
	}
	if len(item) != l.ItemDigits || strings.Trim(item, "0123456789") != "" {
		return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: fmt.Sprintf("item reference %q is not %d digits", item, l.ItemDigits)}
	}
	v := strconv.FormatInt(value, 10)
	if value <= 0 || len(v) > l.ValueDigits {
		return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: fmt.Sprintf("value %d does not fit %d digits above zero", value, l.ValueDigits)}
	}
	v = strings.Repeat("0", l.ValueDigits-len(v)) + v
	body := l.Prefix + item
	if l.ValueCheck {
		body += string(valueCheckDigit(v))
	}
	body += v
	return GTIN{d: "0" + body + string(checkDigit(body))}, nil
}

// Scan is what a scanned code means: the key the catalogue lists the item
// under and, for a variable-measure code, the weight or price it carries.
type Scan struct {
	// Code is the code scanned, in its 14-digit form.
	Code GTIN
	// Key is what to look the item up by: Code itself for a normal GTIN;
	// for a variable-measure code, the code with its value digits (and value
	// check digit) zeroed and the check digit recomputed. That is how
	// catalogues list items sold by weight: one GTIN per item, whatever each
	// label weighs (21 12345 00347 → 21 12345 00000).
	Key GTIN
	// Embeds is 0 for a normal GTIN, else what the code carries.
	Embeds Embed
	// Weight is the measure of a Weight code.
	Weight Measure
	// Price is the price of a Price code.
	Price pricing.Money
}

// Decoder reads scanned codes with the retailer's variable-measure
// layouts. It is immutable and safe for concurrent use; the zero value (and
// a nil *Decoder) reads normal GTINs only.
type Decoder struct {
	layouts []Layout
	// by maps the second digit of a code in 20–29 to its layout, plus one
	// (0: no layout, the code is a normal GTIN).
	by [10]uint8
}

// NewDecoder checks the layouts and builds a decoder. A layout must be
// consistent (see [Layout]) and no two may claim the same prefix ("2"
// claims all of 20–29); a refused layout is a [*LayoutError].
func NewDecoder(layouts ...Layout) (*Decoder, error) {
	d := &Decoder{layouts: make([]Layout, len(layouts))}
	copy(d.layouts, layouts)
	for i, l := range d.layouts {
		if r := l.validate(); r != "" {
			return nil, &LayoutError{Index: i, Prefix: l.Prefix, Reason: r}
		}
		lo, hi := 0, 9
		if len(l.Prefix) == 2 {
			lo = int(l.Prefix[1] - '0')
			hi = lo
		}
		for s := lo; s <= hi; s++ {
			if d.by[s] != 0 {
				other := d.layouts[d.by[s]-1]
				return nil, &LayoutError{Index: i, Prefix: l.Prefix, Reason: fmt.Sprintf("prefix 2%d is already claimed by the layout with prefix %q", s, other.Prefix)}
			}
			d.by[s] = uint8(i + 1)
		}
	}
	return d, nil
}

// Layouts returns a copy of the decoder's layouts.
func (d *Decoder) Layouts() []Layout {
	if d == nil {
		return nil
	}
	out := make([]Layout, len(d.layouts))
	copy(out, d.layouts)
	return out
}

func (d *Decoder) layout(g GTIN) (Layout, bool) {
	// A variable-measure code is an EAN-13 starting with 2: 0 2x… in 14 digits.
	if d == nil || len(g.d) != 14 || g.d[0] != '0' || g.d[1] != '2' {
		return Layout{}, false
	}
	i := d.by[g.d[2]-'0']
	if i == 0 {
		return Layout{}, false
	}
	return d.layouts[i-1], true
}

// Decode reads a scanned code: a GTIN of any length ([ParseGTIN]) which,
// when it is an EAN-13 with a prefix one of the layouts claims, carries a
// weight or a price. A code in 20–29 that no layout claims is a normal
// GTIN (a store's own number for a fixed item). Refused codes are
// [*BarcodeError]s: besides ParseGTIN's rules, a wrong value check digit
// and a zero weight or price.
func (d *Decoder) Decode(code string) (Scan, error) {
	g, err := ParseGTIN(code)
	if err != nil {
		return Scan{}, err
	}
	l, ok := d.layout(g)
	if !ok {
		return Scan{Code: g, Key: g}, nil
	}
	body := g.d[1:13]
	pos := len(l.Prefix) + l.ItemDigits
	key := body[:pos]
	if l.ValueCheck {
		pos++
	}
	digits := body[pos:]
	if l.ValueCheck {
		if got, want := body[pos-1], valueCheckDigit(digits); got != want {
			return Scan{}, badCode(code, RuleValueCheck, "the check digit of value %s is %c, the code has %c", digits, want, got)
		}
	}
	v, _ := strconv.ParseInt(digits, 10, 64) // at most 10 digits, checked above
	if v == 0 {
		return Scan{}, badCode(code, RuleZeroValue, "the %s is zero", l.Embeds)
	}
	key += strings.Repeat("0", 12-len(key))
	s := Scan{Code: g, Key: GTIN{d: "0" + key + string(checkDigit(key))}, Embeds: l.Embeds}
	switch l.Embeds {
	case Weight:
		s.Weight = Measure{Value: v, Decimals: l.Decimals, Unit: l.Unit}
	case Price:
		for range l.Currency.Exponent() - l.Decimals {
			v *= 10 // at most 10 digits and a few decimals: far from overflow
		}
		if s.Price, err = pricing.FromMinor(v, l.Currency); err != nil {
			return Scan{}, err
		}
	}
	return s, nil
}

// Encode is the inverse of Decode: the code that decodes to s. A decoded
// Scan encodes back to its Code.
func (d *Decoder) Encode(s Scan) (GTIN, error) {
	if s.Embeds == 0 {
		if s.Key != s.Code || s.Key.IsZero() {
			return GTIN{}, &LayoutError{Reason: "a normal GTIN is its own key"}
		}
		return s.Code, nil
	}
	l, ok := d.layout(s.Key)
	if !ok || l.Embeds != s.Embeds {
		return GTIN{}, &LayoutError{Reason: "no " + s.Embeds.String() + " layout claims key " + s.Key.String()}
	}
	var v int64
	switch l.Embeds {
	case Weight:
		if s.Weight.Unit != l.Unit || s.Weight.Decimals != l.Decimals {
			return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: "the measure " + s.Weight.String() + " is not in the layout's unit and decimals"}
		}
		v = s.Weight.Value
	case Price:
		if s.Price.Currency() != l.Currency {
			return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: "the price is not in " + l.Currency.String()}
		}
		v = s.Price.MinorUnits()
		for range l.Currency.Exponent() - l.Decimals {
			if v%10 != 0 {
				return GTIN{}, &LayoutError{Prefix: l.Prefix, Reason: "the price " + s.Price.String() + " has more decimals than the layout"}
			}
			v /= 10
		}
	}
	return l.Encode(s.Key.d[1+len(l.Prefix):1+len(l.Prefix)+l.ItemDigits], v)
}

// The GS1 weighting factors of price/weight check digits (GS1 General
// Specifications §7.9.3), as products of each digit: "2-" multiplies by 2
// and subtracts the tens digit from the units, "3" multiplies by 3, "5+"
// multiplies by 5 and adds the tens digit, "5-" multiplies by 5 and
// subtracts the tens digit; each keeps the units digit.
// They are functions over constant arrays so that the package keeps no
// mutable state.
func weight2Minus(d int) int { return [10]int{0, 2, 4, 6, 8, 9, 1, 3, 5, 7}[d] }
func weight3(d int) int      { return [10]int{0, 3, 6, 9, 2, 5, 8, 1, 4, 7}[d] }
func weight5Plus(d int) int  { return [10]int{0, 5, 1, 6, 2, 7, 3, 8, 4, 9}[d] }
func weight5Minus(d int) int { return [10]int{0, 5, 9, 4, 8, 3, 7, 2, 6, 1}[d] }

// valueCheckDigit is the GS1 price/weight check digit of a 4- or 5-digit
// value. Four digits: weights 2-, 2-, 3, 5-; the units digit of three
// times the sum. Five digits: weights 5+, 2-, 5-, 5+, 2-; the digit whose
// 5- product is the complement to ten of the sum's units digit.
func valueCheckDigit(v string) byte {
	d := func(i int) int { return int(v[i] - '0') }
	if len(v) == 4 {
		sum := weight2Minus(d(0)) + weight2Minus(d(1)) + weight3(d(2)) + weight5Minus(d(3))
		return byte('0' + sum*3%10)
	}
	sum := weight5Plus(d(0)) + weight2Minus(d(1)) + weight5Minus(d(2)) + weight5Plus(d(3)) + weight2Minus(d(4))
	target := (10 - sum%10) % 10
	for c := range 10 {
		if weight5Minus(c) == target {
			return byte('0' + c)
		}
	}
	panic("unreachable: 5- is a permutation of the digits")
}
