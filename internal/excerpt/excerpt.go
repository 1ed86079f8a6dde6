// Package excerpt quotes outside input in error messages without letting a
// hostile megabyte of input become a megabyte of error. It is a leaf used
// by every package that names a bad value back to its caller.
package excerpt

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The bounds of a quoted excerpt.
const (
	MaxRunes = 32 // runes of the value kept at most
	MaxBytes = 48 // bytes of escaped text kept at most
)

// Quote returns s %q-escaped, with at most MaxRunes runes and MaxBytes
// escaped bytes of it, followed when cut by "…" and the value's length in
// bytes ("\"aaaa…\"… (10485760 bytes)"). Its cost does not depend on
// len(s).
func Quote(s string) string {
	cut, runes := len(s), 0
	for i := range s {
		if runes == MaxRunes {
			cut = i
			break
		}
		runes++
	}
	q := strconv.Quote(s[:cut])
	for len(q) > MaxBytes+2 && cut > 0 {
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
		q = strconv.Quote(s[:cut])
	}
	if cut == len(s) {
		return q
	}
	return fmt.Sprintf("%s… (%d bytes)", q, len(s))
}
