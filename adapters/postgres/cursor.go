package postgres

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/basket"
)

// Cursor is a place in the outbox: the transaction that wrote an event
// and the event's position, compared in that order. The outbox is read in
// cursor order (see [Store.ReadOutbox]), and a consumer keeps the cursor
// of the last event it handled to go on from there. The zero Cursor is
// the beginning of the outbox.
//
// A Cursor is a comparable value (== compares two places exactly), is
// ordered by [Cursor.Compare], and has a text form ([Cursor.String],
// [ParseCursor], also used by encoding.TextMarshaler and so by JSON) for
// keeping it in a file, a row or a message header. A position saved by a
// version before schema migration 0008, when the outbox was ordered by
// position alone, is the cursor Cursor{Position: p}: every event written
// before the migration has transaction 0, in position order, and every
// event written after it comes after them.
type Cursor struct {
	// Tx is the ID of the transaction that wrote the event (PostgreSQL's
	// 64-bit xid8, which never wraps around), 0 for events written before
	// migration 0008.
	Tx uint64
	// Position orders the events of one transaction (in the order of the
	// writes), and the events written before migration 0008.
	Position int64
}

// Compare returns -1, 0 or +1 as c is before, at or after o in the
// outbox.
func (c Cursor) Compare(o Cursor) int {
	if r := cmp.Compare(c.Tx, o.Tx); r != 0 {
		return r
	}
	return cmp.Compare(c.Position, o.Position)
}

// String returns the text form "tx:position" in decimal, "0:0" for the
// zero Cursor; [ParseCursor] reads it back.
func (c Cursor) String() string {
	return strconv.FormatUint(c.Tx, 10) + ":" + strconv.FormatInt(c.Position, 10)
}

// ParseCursor reads the text form of a [Cursor] ("tx:position", two
// decimal numbers without sign or leading zeros, position at most
// math.MaxInt64). Anything else is a *[basket.InputError] matching
// [basket.ErrInvalid], so that a damaged stored cursor is never read as
// another place in the outbox.
func ParseCursor(s string) (Cursor, error) {
	bad := func(reason string) (Cursor, error) {
		return Cursor{}, &basket.InputError{Field: "cursor", Reason: fmt.Sprintf("%q: %s", s, reason)}
	}
	tx, pos, ok := strings.Cut(s, ":")
	if !ok {
		return bad(`want "tx:position"`)
	}
	if !canonical(tx) || !canonical(pos) {
		return bad("want two decimal numbers without sign or leading zeros")
	}
	t, err := strconv.ParseUint(tx, 10, 64)
	if err != nil {
		return bad("the transaction is out of range")
	}
	p, err := strconv.ParseInt(pos, 10, 64)
	if err != nil {
		return bad("the position is out of range")
	}
	return Cursor{Tx: t, Position: p}, nil
}

// canonical reports whether s is a decimal number as strconv formats it:
// digits only, no leading zero unless it is "0".
func canonical(s string) bool {
	if s == "" || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MarshalText implements encoding.TextMarshaler with [Cursor.String].
func (c Cursor) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with [ParseCursor];
// on an error c is left as it was.
func (c *Cursor) UnmarshalText(text []byte) error {
	v, err := ParseCursor(string(text))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// validCursor refuses a cursor no event can have.
func validCursor(field string, c Cursor) error {
	if c.Position < 0 {
		return &basket.InputError{Field: field, Reason: fmt.Sprintf("position must not be negative, got %d", c.Position)}
	}
	return nil
}
