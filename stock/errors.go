package stock

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel error kinds. Every error returned by this package and by
// conforming adapters matches at least one of them with errors.Is; the typed
// errors ([*InputError], [*ShortageError], [*ConflictError],
// [*NotFoundError]) carry the details and are reached with errors.As.
var (
	// ErrInvalid: an argument is malformed (empty ID, quantity not
	// positive, duplicate pair, expiry not in the future …). Nothing was
	// changed.
	ErrInvalid = errors.New("stock: invalid input")
	// ErrInsufficientStock: not enough available units to satisfy a request.
	// Nothing was reserved.
	ErrInsufficientStock = errors.New("stock: insufficient stock")
	// ErrOutOfStock is another name for [ErrInsufficientStock]; both names
	// match the same errors.
	ErrOutOfStock = ErrInsufficientStock
	// ErrUnknown: the stock level of a SKU at a location is not known. An
	// unknown level is never treated as in stock.
	ErrUnknown = errors.New("stock: stock level unknown")
	// ErrNotFound: there is no active reservation for the basket at that
	// location (it never existed, was released, or has expired).
	ErrNotFound = errors.New("stock: reservation not found")
	// ErrConflict: a request key was reused with a different payload.
	ErrConflict = errors.New("stock: request key reused with a different payload")
)

// InputError names the argument or field that is wrong and why. It matches
// [ErrInvalid] with errors.Is.
type InputError struct {
	// Field is the offending argument, with an index when it is in a list
	// ("Lines[2].Quantity").
	Field string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the field and the reason.
func (e *InputError) Error() string {
	return fmt.Sprintf("stock: invalid input: %s: %s", e.Field, e.Reason)
}

// Unwrap returns [ErrInvalid].
func (e *InputError) Unwrap() error { return ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// Shortage is one SKU at one location that could not supply what was asked.
type Shortage struct {
	// SKU and LocationID name the pair that is short.
	SKU        string `json:"sku"`
	LocationID string `json:"location_id"`
	// Requested is the quantity asked for.
	Requested int64 `json:"requested"`
	// Available is what could be had (0 when the level is unknown or when
	// reservations already exceed the on-hand count).
	Available int64 `json:"available"`
	// Unknown is true when the location has no known level for the SKU.
	Unknown bool `json:"unknown"`
}

// Missing returns how many units are lacking: Requested − Available.
func (s Shortage) Missing() int64 { return s.Requested - s.Available }

// ShortageError reports every SKU × location that could not supply a
// reservation request; nothing was reserved. It always matches
// [ErrInsufficientStock] (and so [ErrOutOfStock]); it also matches
// [ErrUnknown] when at least one shortage is due to an unknown level.
type ShortageError struct {
	// Shortages are sorted by location, then SKU.
	Shortages []Shortage
}

// Error lists every shortage.
func (e *ShortageError) Error() string {
	var b strings.Builder
	b.WriteString("stock: insufficient stock:")
	for i, s := range e.Shortages {
		if i > 0 {
			b.WriteByte(';')
		}
		if s.Unknown {
			fmt.Fprintf(&b, " %s at %s: level unknown (requested %d)", s.SKU, s.LocationID, s.Requested)
		} else {
			fmt.Fprintf(&b, " %s at %s: requested %d, available %d, missing %d", s.SKU, s.LocationID, s.Requested, s.Available, s.Missing())
		}
	}
	return b.String()
}

// Unwrap returns [ErrInsufficientStock], plus [ErrUnknown] when a level was
// unknown.
func (e *ShortageError) Unwrap() []error {
	for _, s := range e.Shortages {
		if s.Unknown {
			return []error{ErrInsufficientStock, ErrUnknown}
		}
	}
	return []error{ErrInsufficientStock}
}

// ConflictError reports a request key that was already used, within the
// same basket, for a different payload, or a feed ID already applied with
// other counts ([Feed]). It matches [ErrConflict].
type ConflictError struct {
	// BasketID is the basket whose key it is; empty for a feed.
	BasketID string
	// RequestKey is the key reused: a feed's ID when BasketID is empty.
	RequestKey string
}

// Error names the basket and the key, or the feed.
func (e *ConflictError) Error() string {
	if e.BasketID == "" {
		return fmt.Sprintf("stock: feed %q was already applied with other counts", e.RequestKey)
	}
	return fmt.Sprintf("stock: request key %q of basket %q was already used for a different payload", e.RequestKey, e.BasketID)
}

// Unwrap returns [ErrConflict].
func (e *ConflictError) Unwrap() error { return ErrConflict }

// NotFoundError names the basket and location that have no active
// reservation. It matches [ErrNotFound].
type NotFoundError struct {
	BasketID, LocationID string
	// SKU, when set, is the article of which the basket holds fewer units
	// at the location than a movement needs (the reservation may exist).
	SKU string
}

// Error names the basket, the location and, if set, the SKU.
func (e *NotFoundError) Error() string {
	if e.SKU != "" {
		return fmt.Sprintf("stock: basket %q does not hold enough %q at %q", e.BasketID, e.SKU, e.LocationID)
	}
	return fmt.Sprintf("stock: basket %q has no active reservation at %q", e.BasketID, e.LocationID)
}

// Unwrap returns [ErrNotFound].
func (e *NotFoundError) Unwrap() error { return ErrNotFound }
