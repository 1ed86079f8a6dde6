package basket

import "fmt"

// Status is where a basket is in its life.
//
//	Wishlist ⇄ Cart → Quote → Ordered → Invoiced
//	    └──────┴───────┴──→ Abandoned → Cart
//
// A quote is a priced offer: its lines, coupons and loyalty account are
// frozen ([ErrQuoteFrozen]) and only associates and the System issue one
// (see [QuotePolicy]). It can go back to Cart (the shopper changes their
// mind; the price lock is dropped and the lines can change again). Ordered
// and Invoiced are final: no command changes them but the move to Invoiced.
type Status uint8

// The statuses. The zero value is invalid.
const (
	Wishlist Status = iota + 1
	Cart
	Quote
	Ordered
	Invoiced
	Abandoned
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Wishlist:
		return "wishlist"
	case Cart:
		return "cart"
	case Quote:
		return "quote"
	case Ordered:
		return "ordered"
	case Invoiced:
		return "invoiced"
	case Abandoned:
		return "abandoned"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Valid reports whether s is a declared status.
func (s Status) Valid() bool { return s >= Wishlist && s <= Abandoned }

// Final reports whether the basket can no longer be changed by shoppers or
// associates (Ordered, Invoiced).
func (s Status) Final() bool { return s == Ordered || s == Invoiced }

// CanBecome reports whether the lifecycle allows s → to.
func (s Status) CanBecome(to Status) bool {
	switch s {
	case Wishlist:
		return to == Cart || to == Abandoned
	case Cart:
		return to == Wishlist || to == Quote || to == Ordered || to == Abandoned
	case Quote:
		return to == Cart || to == Ordered || to == Abandoned
	case Ordered:
		return to == Invoiced
	case Abandoned:
		return to == Cart
	}
	return false
}

// MarshalText encodes the status by name.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("Status", "unknown status %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText decodes a status by name.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, Wishlist, Abandoned, "Status")
	if err == nil {
		*s = v
	}
	return err
}
