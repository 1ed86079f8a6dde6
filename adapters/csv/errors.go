package csv

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/omnibasket/omnibasket/internal/excerpt"
)

// ErrInvalid is matched (errors.Is) by every [*RowError] and [*LoadError]:
// the input does not follow the dialect.
var ErrInvalid = errors.New("csv: invalid input")

// RowError is one problem of the input: a bad value, a malformed row, or a
// bad header (Line 1). It matches [ErrInvalid] and its cause.
type RowError struct {
	// File is Options.File.
	File string
	// Line is the 1-based line where the row (or the bad field of a
	// multi-line row) starts; the header is line 1.
	Line int
	// Column is the column's name as written in the header, or its
	// canonical name when the column is missing; empty when the row as a
	// whole is wrong.
	Column string
	// Reason says what is wrong, quoting at most a short escaped excerpt
	// of the value (see the package documentation, Errors), so that a huge
	// bad cell does not make a huge error.
	Reason string
	// Err is the cause when there is one (pricing.ErrTooPrecise,
	// encoding/csv's ErrQuote …).
	Err error
}

// Error reads "file:line: column: reason".
func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	if e.Column != "" {
		fmt.Fprintf(&b, "column %s: ", columnText(e.Column))
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns [ErrInvalid] and the cause, if any.
func (e *RowError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalid}
	}
	return []error{ErrInvalid, e.Err}
}

// LoadError lists the problems of a load, in line order. errors.As finds
// the first [*RowError] through it, and it matches [ErrInvalid].
type LoadError struct {
	// File is Options.File.
	File string
	// Errors are the problems found, in line order.
	Errors []*RowError
	// Aborted is true when reading stopped before the end of the input:
	// an unreadable header or CSV syntax, the first bad row by default, or
	// more bad rows than Options.MaxErrors.
	Aborted bool
}

// maxListed bounds the problems spelled out by Error.
const maxListed = 10

// Error counts the problems and lists the first ones.
func (e *LoadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "csv: %s: %d problem", e.File, len(e.Errors))
	if len(e.Errors) != 1 {
		b.WriteByte('s')
	}
	if e.Aborted {
		b.WriteString(" (reading stopped)")
	}
	for i, re := range e.Errors {
		if i == maxListed {
			fmt.Fprintf(&b, "; and %d more", len(e.Errors)-maxListed)
			break
		}
		b.WriteString("; ")
		b.WriteString(re.Error())
	}
	return b.String()
}

// Unwrap returns the row errors, so that errors.As reaches the first one;
// an empty list unwraps to [ErrInvalid].
func (e *LoadError) Unwrap() []error {
	if len(e.Errors) == 0 {
		return []error{ErrInvalid}
	}
	out := make([]error, len(e.Errors))
	for i, re := range e.Errors {
		out[i] = re
	}
	return out
}

// Bounds of what an error quotes of the input.
const (
	maxReason = 160 // bytes of a reason written by another package
)

// columnText is a header name as written when it is short and printable,
// its excerpt otherwise.
func columnText(name string) string {
	if len(name) <= excerpt.MaxRunes && utf8.ValidString(name) && strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return name
	}
	return excerpt.Quote(name)
}

// clipReason bounds a reason written by another package (a promotion's
// validation message, a pricing error), which may quote a value in full.
func clipReason(reason string) string {
	if len(reason) <= maxReason {
		return reason
	}
	cut := maxReason
	for cut > 0 && !utf8.RuneStart(reason[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", reason[:cut], len(reason))
}
