package basket

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/channel"
)

// Validate checks every invariant the commands of this package keep, so
// that a basket built elsewhere (decoded from JSON, read from a store,
// built by hand) cannot reach pricing or a command in a state no command
// could produce. It returns an [*InputError] matching [ErrInvalid] whose
// Field names the culprit, a line by its ID ("Lines[L0003].Quantity").
//
// The invariants:
//   - ID is not the nil UUID; Version is at least 1 (the creation event);
//   - Owner has exactly one of CustomerID and AnonymousID; Status is known;
//   - QuoteLockedUntil is set exactly when the basket is a quote;
//   - Context is a valid channel context;
//   - at most [MaxLines] lines, each with a canonical line ID ("L0001",
//     numbered from 1 and below NextLine), in strictly increasing line-ID
//     order (so unique); a SKU without surrounding spaces; a known unit;
//     a quantity in 1…[MaxQuantity] (thousandths up to [MaxMeasure] units
//     for measured goods); a product name, tax category and unique non-empty
//     categories; a known fulfilment mode or none; a parent, if any, that
//     is another line of the basket and not itself a service line;
//   - wallet coupons and vouchers are normalised codes, sorted and unique;
//     a loyalty account, if any, has an account number;
//   - grants have a location and an expiry, sorted by location, unique;
//   - overrides are on lines of the basket, sorted by line ID, unique,
//     each with valid terms, a normalised reason code, who granted it and
//     when;
//   - the result, if any, prices this basket at a version it has reached,
//     its lines sorted by line ID.
//
// An empty basket just created is valid. Validate reads nothing but b and
// allocates nothing when b is valid.
func (b *Basket) Validate() error {
	if b == nil {
		return invalid("Basket", "must not be nil")
	}
	switch {
	case b.ID == uuid.Nil:
		return invalid("ID", "must not be the nil UUID")
	case b.Version < 1:
		return invalid("Version", "%d: a basket has at least its creation event", b.Version)
	case !b.Status.Valid():
		return invalid("Status", "unknown status %d", uint8(b.Status))
	case b.Status == Quote && b.QuoteLockedUntil.IsZero():
		return invalid("QuoteLockedUntil", "a quote locks its prices until a time")
	case b.Status != Quote && !b.QuoteLockedUntil.IsZero():
		return invalid("QuoteLockedUntil", "only a quote has a price lock, not a %s", b.Status)
	case b.NextLine < 1:
		return invalid("NextLine", "%d: line numbers start at 1", b.NextLine)
	case len(b.Lines) > MaxLines:
		return invalid("Lines", "%d lines: a basket holds at most %d", len(b.Lines), MaxLines)
	}
	if err := b.Owner.validate(); err != nil {
		return err
	}
	if err := b.Context.Validate(); err != nil {
		var fe *channel.FieldError
		if errors.As(err, &fe) {
			return invalid("Context."+fe.Field, "%s", fe.Reason)
		}
		return invalid("Context", "%v", err)
	}
	for i := range b.Lines {
		if err := b.validateLine(i); err != nil {
			return err
		}
	}
	if err := validateCodes("Wallet.Coupons", b.Wallet.Coupons); err != nil {
		return err
	}
	if err := validateCodes("Wallet.Vouchers", b.Wallet.Vouchers); err != nil {
		return err
	}
	if b.Wallet.Loyalty != nil && b.Wallet.Loyalty.Account == "" {
		return invalid("Wallet.Loyalty.Account", "must not be empty")
	}
	if b.Wallet.Loyalty != nil && b.Wallet.Loyalty.Burn < 0 {
		return invalid("Wallet.Loyalty.Burn", "must not be negative")
	}
	for i, g := range b.Grants {
		switch {
		case g.LocationID == "":
			return invalid("Grants["+strconv.Itoa(i)+"].LocationID", "must not be empty")
		case g.ExpiresAt.IsZero():
			return invalid("Grants["+g.LocationID+"].ExpiresAt", "a grant expires")
		case i > 0 && strings.Compare(b.Grants[i-1].LocationID, g.LocationID) >= 0:
			return invalid("Grants["+g.LocationID+"]", "grants must be unique and sorted by location")
		}
	}
	if err := b.validateOverrides(); err != nil {
		return err
	}
	if r := b.Result; r != nil {
		switch {
		case r.BasketID != b.ID:
			return invalid("Result.BasketID", "the result prices basket %s, not %s", r.BasketID, b.ID)
		case r.BasketVersion < 0 || r.BasketVersion > b.Version:
			return invalid("Result.BasketVersion", "%d: the basket is at version %d", r.BasketVersion, b.Version)
		}
		for i := 1; i < len(r.Lines); i++ {
			if compareLineIDs(r.Lines[i-1].LineID, r.Lines[i].LineID) >= 0 {
				return invalid("Result.Lines["+r.Lines[i].LineID+"]", "priced lines must be unique and sorted by line ID")
			}
		}
	}
	return nil
}

// validateLine checks b.Lines[i] and its place among the lines before it.
func (b *Basket) validateLine(i int) error {
	l := &b.Lines[i]
	n, ok := parseLineID(l.ID)
	if !ok {
		return invalid("Lines["+strconv.Itoa(i)+"].ID", "%q is not a line ID like L0001", l.ID)
	}
	field := func(name string) string { return "Lines[" + l.ID + "]" + name }
	switch {
	case n >= int64(b.NextLine):
		return invalid(field(".ID"), "numbered at or above NextLine %d", b.NextLine)
	case i > 0 && compareLineIDs(b.Lines[i-1].ID, l.ID) >= 0:
		return invalid(field(".ID"), "lines must be unique and sorted by line ID (after %s)", b.Lines[i-1].ID)
	case l.SKU == "" || !trimmed(l.SKU):
		return invalid(field(".SKU"), "must be non-empty without surrounding spaces")
	case !l.Unit.Valid():
		return invalid(field(".Unit"), "unknown unit %d", uint8(l.Unit))
	case l.Quantity < 1 || l.Quantity > maxLineQuantity(l.Unit):
		return invalid(field(".Quantity"), "%d is outside 1…%d", l.Quantity, maxLineQuantity(l.Unit))
	case l.Product.Name == "":
		return invalid(field(".Product.Name"), "must not be empty")
	case l.Product.TaxCategory == "":
		return invalid(field(".Product.TaxCategory"), "must not be empty")
	case l.Fulfilment != 0 && !l.Fulfilment.Valid():
		return invalid(field(".Fulfilment"), "unknown mode %d", uint8(l.Fulfilment))
	}
	for j, c := range l.Product.Categories {
		if c == "" || slices.Contains(l.Product.Categories[:j], c) {
			return invalid(field(".Product.Categories"), "empty or duplicate category %q", c)
		}
	}
	if l.ParentID != "" {
		if l.ParentID == l.ID {
			return invalid(field(".ParentID"), "a line cannot serve itself")
		}
		p, ok := b.Line(l.ParentID)
		if !ok {
			return invalid(field(".ParentID"), "%q is not a line of the basket", l.ParentID)
		}
		if p.ParentID != "" {
			return invalid(field(".ParentID"), "%s is a service line, which cannot have services of its own", p.ID)
		}
	}
	return nil
}

// parseLineID returns the number of a canonical line ID: "L" and at least
// four digits, without leading zeros beyond the four-digit padding, from 1.
// Only canonical IDs order correctly under compareLineIDs.
func parseLineID(id string) (int64, bool) {
	if len(id) < 5 || len(id) > 12 || id[0] != 'L' || (len(id) > 5 && id[1] == '0') {
		return 0, false
	}
	var n int64
	for i := 1; i < len(id); i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n >= 1
}

// validateCodes checks a wallet list: normalised codes, sorted, unique.
func validateCodes(field string, codes []string) error {
	for i, c := range codes {
		if err := validCode(field, c); err != nil {
			return invalid(field+"["+strconv.Itoa(i)+"]", "%q is not a normalised code of 1 to 64 characters A-Z 0-9 - _", c)
		}
		if i > 0 && codes[i-1] >= c {
			return invalid(field+"["+strconv.Itoa(i)+"]", "codes must be unique and sorted (%q after %q)", c, codes[i-1])
		}
	}
	return nil
}

// trimmed reports whether strings.TrimSpace would leave s as it is. A SKU
// that begins and ends with a printable ASCII byte is, with no call (every
// pricing validates every line); any other is left to TrimSpace, which
// knows Unicode's spaces.
func trimmed(s string) bool {
	if first, last := s[0], s[len(s)-1]; first > ' ' && first < 0x7f && last > ' ' && last < 0x7f {
		return true
	}
	return strings.TrimSpace(s) == s
}
