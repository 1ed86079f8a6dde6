// Package seconds writes and reads durations as JSON numbers of seconds,
// exactly: whole seconds as integers (86400), a fraction only when the
// duration has one (1.5), never an exponent, never through a float.
//
//	b := seconds.Append(nil, 36*time.Hour) // "129600"
//	d, ok := seconds.Parse("0.25")         // 250ms, true
package seconds

import (
	"strconv"
	"strings"
	"time"
)

// Abs is |d| as an unsigned number: math.MinInt64 has no positive int64.
func Abs(d time.Duration) uint64 {
	if d < 0 {
		return -uint64(d)
	}
	return uint64(d)
}

// Append appends d in seconds to b.
func Append(b []byte, d time.Duration) []byte {
	u := Abs(d)
	if d < 0 {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, u/uint64(time.Second), 10)
	if frac := u % uint64(time.Second); frac != 0 {
		digits := strconv.FormatUint(frac+uint64(time.Second), 10)[1:] // nine digits, leading zeros kept
		b = append(b, '.')
		b = append(b, strings.TrimRight(digits, "0")...)
	}
	return b
}

// Parse reads a number of seconds with at most nine decimals and no
// exponent; ok is false for anything else, or beyond ±292 years.
func Parse(s string) (d time.Duration, ok bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 9 || (dot && frac == "") || !allDigits(whole) || !allDigits(frac) {
		return 0, false
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 9-len(frac)), 10, 64) // nine digits: cannot fail
	}
	const limit = uint64(1) << 63 // |math.MinInt64|
	if w > (limit-f)/uint64(time.Second) {
		return 0, false
	}
	u := w*uint64(time.Second) + f
	switch {
	case neg:
		return time.Duration(-u), true // -limit wraps to math.MinInt64 exactly
	case u == limit:
		return 0, false
	}
	return time.Duration(u), true
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
