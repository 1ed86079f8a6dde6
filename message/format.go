package message

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/omnibasket/omnibasket/pricing"
)

// Format is how a language writes numbers and amounts. Digits are never
// touched: the amount is exactly [pricing.Money.Amount] (or
// [pricing.UnitPrice.Amount] for a unit price, with all its decimals) with
// its separators replaced and its integer part grouped by three, so
// stripping Group, the symbol and the spaces and reading Decimal as "."
// gives the amount back.
type Format struct {
	// Decimal separates the decimals: "." in English, "," in French.
	Decimal string
	// Group separates thousands, every three digits: "," in English,
	// U+202F (narrow no-break space) in French; empty for none.
	Group string
	// SymbolFirst puts the currency's symbol before the amount (€12.50)
	// rather than after it (12,50 €).
	SymbolFirst bool
	// Space is written between the amount and the symbol: "" in English,
	// U+00A0 (no-break space) in French. When it is empty and the symbol
	// ends (SymbolFirst) or starts with a letter, U+00A0 is written
	// instead, as CLDR does, so that "CHF 12.50" does not read "CHF12.50".
	Space string
	// Minus is written before a negative amount, symbol included
	// (-€12.50, -12,50 €); empty means "-".
	Minus string
	// Symbols are the currency symbols by ISO 4217 code; a currency
	// without one is written with its code ("CHF").
	Symbols map[string]string
}

// CodeFormat writes amounts the way [pricing.Money.String] and
// [basket.Change.Message] do: "1234.50 EUR", "-0.05 CHF", "1000 JPY",
// no grouping, the code after a space. It suits receipts and logs read
// by programs as well as people.
func CodeFormat() Format { return Format{Decimal: ".", Space: " "} }

// validate refuses a format whose amounts could not be read back: a
// separator that is empty (Decimal), holds a digit, or is the other one.
func (f Format) validate() string {
	switch {
	case f.Decimal == "":
		return "Decimal must not be empty"
	case f.Decimal == f.Group:
		return "Decimal and Group must differ"
	case strings.ContainsAny(f.Decimal+f.Group+f.Minus, "0123456789"):
		return "separators and Minus must not hold digits"
	case f.Group != "" && (strings.Contains(f.Decimal, f.Group) || strings.Contains(f.Group, f.Decimal)):
		return "Decimal and Group must not contain each other"
	}
	codes := slices.Sorted(maps.Keys(f.Symbols)) // the first bad one, the same every time
	for _, code := range codes {
		if sym := f.Symbols[code]; sym == "" || strings.ContainsAny(sym, "0123456789") {
			return "the symbol of " + code + " must be non-empty and hold no digit"
		}
	}
	return ""
}

// Money formats m: "1 234,50 €" in French (U+202F between thousands,
// U+00A0 before the symbol), "€1,234.50" in English. The zero Money,
// which has no currency, is written "?".
func (f Format) Money(m pricing.Money) string {
	cur := m.Currency()
	if cur.IsZero() {
		return "?"
	}
	units := m.MinorUnits()
	u := uint64(units)
	if units < 0 {
		u = -u
	}
	digits := strconv.FormatUint(u, 10)
	exp := cur.Exponent()
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	return f.amount(cur, units < 0, digits[:len(digits)-exp], digits[len(digits)-exp:])
}

// unitPrice formats the amount of u with every decimal it has ("€0.0125",
// "0,0125 €", "¥0.125"), the way [Format.Money] formats a Money; what the
// price is for (per 1,000, per kg) is said by [Printer.UnitPrice]. The
// zero UnitPrice is written "?".
func (f Format) unitPrice(u pricing.UnitPrice) string {
	cur := u.Currency()
	if cur.IsZero() {
		return "?"
	}
	amount := u.Amount()
	neg := strings.HasPrefix(amount, "-")
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(amount, "-"), ".")
	return f.amount(cur, neg, intPart, frac)
}

// amount writes an amount of cur from its digits: the sign, the symbol on
// its side, the integer part grouped, and the decimals when there are any.
func (f Format) amount(cur pricing.Currency, neg bool, intPart, frac string) string {
	sym := cur.Code()
	if s, ok := f.Symbols[sym]; ok {
		sym = s
	}
	var b strings.Builder
	if neg {
		if f.Minus == "" {
			b.WriteByte('-')
		} else {
			b.WriteString(f.Minus)
		}
	}
	if f.SymbolFirst {
		r, _ := utf8.DecodeLastRuneInString(sym)
		b.WriteString(sym)
		b.WriteString(f.space(r))
	}
	f.group(&b, intPart)
	if frac != "" {
		b.WriteString(f.Decimal)
		b.WriteString(frac)
	}
	if !f.SymbolFirst {
		r, _ := utf8.DecodeRuneInString(sym)
		b.WriteString(f.space(r))
		b.WriteString(sym)
	}
	return b.String()
}

// space is what separates the amount from a symbol whose character next
// to the amount is r.
func (f Format) space(r rune) string {
	if f.Space == "" && unicode.IsLetter(r) {
		return "\u00a0"
	}
	return f.Space
}

// group writes the integer digits with Group every three from the right.
func (f Format) group(b *strings.Builder, digits string) {
	if f.Group == "" {
		b.WriteString(digits)
		return
	}
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteString(f.Group)
		b.WriteString(digits[i : i+3])
	}
}

// integer writes a whole number grouped like an amount's integer part
// ("1,000", "1 000"), for the quantity a price is for.
func (f Format) integer(n int64) string {
	var b strings.Builder
	f.group(&b, strconv.FormatInt(n, 10))
	return b.String()
}

// number writes a plain decimal ("5.5", a rate's percentage) with the
// format's decimal separator; it is short, so it is not grouped.
func (f Format) number(s string) string {
	if f.Decimal == "." {
		return s
	}
	return strings.Replace(s, ".", f.Decimal, 1)
}
