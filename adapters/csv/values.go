package csv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/internal/excerpt"
	"github.com/omnibasket/omnibasket/pricing"
)

// decimalText returns s with the file's decimal mark turned into '.', or
// an error when s uses the other mark.
func (rd *reader) decimalText(s string) (string, error) {
	other := byte(',')
	if rd.mark == ',' {
		other = '.'
	}
	if strings.IndexByte(s, other) >= 0 {
		return "", fmt.Errorf("%s: the decimal mark of this file is %q, and numbers have no thousands separator", excerpt.Quote(s), rd.mark)
	}
	if rd.mark == ',' {
		if strings.Count(s, ",") > 1 {
			return "", fmt.Errorf("%s is not a number", excerpt.Quote(s))
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	return s, nil
}

// parseCount reads a whole number; a decimal with a zero fraction
// ("12.000", as some ERPs print quantities) is accepted.
func (rd *reader) parseCount(s string) (int64, error) {
	d, err := rd.decimalText(s)
	if err != nil {
		return 0, err
	}
	intPart, frac, dot := strings.Cut(d, ".")
	if dot && (frac == "" || strings.Trim(frac, "0") != "") {
		return 0, fmt.Errorf("%s is not a whole number", excerpt.Quote(s))
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s is not a whole number", excerpt.Quote(s))
	}
	return n, nil
}

// count reads an optional whole number of a column, at least lo; 0 when
// empty.
func (rd *reader) count(column string, lo int64) (int64, bool) {
	v := rd.value(column)
	if v == "" {
		return 0, true
	}
	n, err := rd.parseCount(v)
	switch {
	case err != nil:
		rd.fail(column, err.Error(), nil)
		return 0, false
	case n < lo:
		rd.fail(column, fmt.Sprintf("%d is below %d", n, lo), nil)
		return 0, false
	}
	return n, true
}

// parseMoney reads an exact amount of cur.
func (rd *reader) parseMoney(s string, cur pricing.Currency) (pricing.Money, error) {
	d, err := rd.decimalText(s)
	if err != nil {
		return pricing.Money{}, err
	}
	return pricing.ParseIn(d, cur)
}

// money reads an optional amount of a column; the zero Money when empty.
func (rd *reader) money(column string, cur pricing.Currency) (pricing.Money, bool) {
	v := rd.value(column)
	if v == "" {
		return pricing.Money{}, true
	}
	m, err := rd.parseMoney(v, cur)
	if err != nil {
		rd.fail(column, err.Error(), err)
		return pricing.Money{}, false
	}
	return m, true
}

// parsePercent reads a percentage ("10", "12,5", "10 %").
func (rd *reader) parsePercent(s string) (pricing.Rate, error) {
	d, err := rd.decimalText(strings.TrimSpace(strings.TrimSuffix(s, "%")))
	if err != nil {
		return pricing.Rate{}, err
	}
	return pricing.ParsePercent(d)
}

// currency reads a currency code column ("EUR", "eur").
func (rd *reader) currency(column string) (pricing.Currency, bool) {
	v := rd.value(column)
	if v == "" {
		return pricing.Currency{}, true
	}
	cur, err := pricing.LookupCurrency(strings.ToUpper(v))
	if err != nil {
		rd.fail(column, err.Error(), err)
		return pricing.Currency{}, false
	}
	return cur, true
}

// builtinLayouts are the date and time forms every file may use; a form
// without an offset is read in Options.Location.
func builtinLayouts() [7]string {
	return [...]string{
		time.RFC3339Nano,
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
		"2006-01-02",
	}
}

// time reads an optional date or time of a column, in UTC; the zero time
// when empty.
func (rd *reader) time(column string) (time.Time, bool) {
	v := rd.value(column)
	if v == "" {
		return time.Time{}, true
	}
	builtin := builtinLayouts()
	for _, layouts := range [2][]string{builtin[:], rd.opts.DateLayouts} {
		for _, l := range layouts {
			if t, err := time.ParseInLocation(l, v, rd.loc); err == nil {
				return t.UTC(), true
			}
		}
	}
	rd.fail(column, fmt.Sprintf("%s is not a date (2026-11-23, 2026-11-23 09:00 or RFC 3339)", excerpt.Quote(v)), nil)
	return time.Time{}, false
}

// flag reads an optional yes/no column: true, yes, y, 1, x, oui or false,
// no, n, 0, non (any case); empty is false.
func (rd *reader) flag(column string) (bool, bool) {
	switch v := strings.ToLower(rd.value(column)); v {
	case "true", "yes", "y", "1", "x", "oui":
		return true, true
	case "", "false", "no", "n", "0", "non":
		return false, true
	}
	rd.fail(column, fmt.Sprintf("%s is not yes or no", excerpt.Quote(rd.value(column))), nil)
	return false, false
}

// splitList splits a multi-value text on sep, trimming entries; an empty
// entry is an error.
func splitList(s string, sep string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, sep)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, fmt.Errorf("%s has an empty entry", excerpt.Quote(s))
		}
	}
	return parts, nil
}

// list reads a '|'-separated column.
func (rd *reader) list(column string) ([]string, bool) {
	xs, err := splitList(rd.value(column), "|")
	if err != nil {
		rd.fail(column, err.Error(), nil)
		return nil, false
	}
	return xs, true
}

// enumKey is the form names are compared in: lower case, without '-', '_'
// and spaces, so "Percent Off", "percent_off" and "percent-off" match.
func enumKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ':
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// enum finds the value of a named enumeration; names lists the accepted
// names for the error message.
func enum[T interface{ String() string }](s string, values []T, aliases map[string]T) (T, error) {
	k := enumKey(s)
	for _, v := range values {
		if enumKey(v.String()) == k {
			return v, nil
		}
	}
	if v, ok := aliases[k]; ok {
		return v, nil
	}
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = v.String()
	}
	var zero T
	return zero, fmt.Errorf("%s is not one of %s", excerpt.Quote(s), strings.Join(names, ", "))
}
