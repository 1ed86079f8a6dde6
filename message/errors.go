package message

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error [New] returns is an [*InputError] that
// matches [ErrInvalid] and exactly one of the others with errors.Is, so a
// retailer's tooling can tell a typo in a key from one in a placeholder.
var (
	// ErrInvalid is matched by every error of [New].
	ErrInvalid = errors.New("message: invalid catalogue")
	// ErrLocale: the locale is not a BCP 47 language tag ("fr", "fr-CA").
	ErrLocale = errors.New("message: invalid locale")
	// ErrUnknownKey: no sentence has this key (see [Keys]).
	ErrUnknownKey = errors.New("message: unknown sentence key")
	// ErrUnknownPlaceholder: the sentence names a placeholder its key does
	// not offer.
	ErrUnknownPlaceholder = errors.New("message: unknown placeholder")
	// ErrSyntax: a brace is not closed, or not escaped ("{{", "}}").
	ErrSyntax = errors.New("message: sentence syntax")
	// ErrFormat: a number [Format] cannot be read back unambiguously.
	ErrFormat = errors.New("message: invalid number format")
)

// InputError says which locale, sentence and placeholder of a catalogue
// is wrong, and why.
type InputError struct {
	Locale      string
	Key         string // empty for a locale or format error
	Placeholder string // set for ErrUnknownPlaceholder
	Reason      string
	Kind        error // ErrLocale, ErrUnknownKey, ErrUnknownPlaceholder, ErrSyntax or ErrFormat
}

func (e *InputError) Error() string {
	where := e.Locale
	if e.Key != "" {
		where += " " + e.Key
	}
	return fmt.Sprintf("%v: %s: %s", e.Kind, where, e.Reason)
}

// Unwrap returns the error's kind and [ErrInvalid], so that both match.
func (e *InputError) Unwrap() []error { return []error{e.Kind, ErrInvalid} }
