package channel

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/internal/iso4217"
)

// Context is who, where and when a basket is being served. It is a plain
// value: copy it freely, compare fingerprints rather than structs.
type Context struct {
	// ChannelID identifies the sales channel ("web-fr", "store-paris-01").
	ChannelID string `json:"channel_id"`
	// Kind is web, app, store, kiosk, call centre or marketplace.
	Kind Kind `json:"kind"`
	// LocationID is the store or kiosk serving the basket; mandatory for
	// physical kinds, empty or a logical location for the others.
	LocationID string `json:"location_id,omitempty"`
	// Country is the ISO 3166-1 alpha-2 country code ("FR").
	Country string `json:"country"`
	// Currency is the ISO 4217 code prices are expressed in ("EUR").
	Currency string `json:"currency"`
	// Locale is a BCP 47 tag for texts shown to the shopper ("fr-FR").
	Locale string `json:"locale,omitempty"`
	// PriceLists is the price-list chain, most specific first
	// (location → channel → country → default).
	PriceLists []string `json:"price_lists"`
	// TaxZone selects the tax rates ("FR", "US-CA").
	TaxZone string `json:"tax_zone"`
	// PricesIncludeTax says whether list prices are gross (true, the
	// European B2C habit) or net (false).
	PricesIncludeTax bool `json:"prices_include_tax"`
	// CustomerGroup selects group price overrides and promotions; empty for
	// the general public.
	CustomerGroup string `json:"customer_group,omitempty"`
	// StockSources are the location IDs stock may come from, in the order
	// they are preferred; the first is normally this location.
	StockSources []string `json:"stock_sources"`
	// FulfilmentModes are the ways lines may reach the shopper here.
	FulfilmentModes []FulfilmentMode `json:"fulfilment_modes"`
	// AsOf is the instant the basket is evaluated at: promotion windows,
	// price validity, quote locks and reservations are judged against it.
	AsOf time.Time `json:"as_of"`
}

// Validate reports the first problem found, as a [*FieldError] naming the
// field; errors.Is(err, ErrInvalid) holds for all of them. Currency must be
// an active ISO 4217 code in upper case, checked against the same table as
// pricing.LookupCurrency ("XYZ" and the unit of account "XAU" are refused);
// Country is checked for shape only (two upper-case letters).
func (c Context) Validate() error {
	switch {
	case c.ChannelID == "":
		return &FieldError{Field: "ChannelID", Reason: "must not be empty"}
	case !c.Kind.Valid():
		return &FieldError{Field: "Kind", Reason: fmt.Sprintf("unknown channel kind %d", uint8(c.Kind))}
	case c.Kind.IsPhysical() && c.LocationID == "":
		return &FieldError{Field: "LocationID", Reason: "required for a " + c.Kind.String() + " channel"}
	case !isUpperAlpha(c.Country, 2):
		return &FieldError{Field: "Country", Reason: fmt.Sprintf("%.8q is not an ISO 3166-1 alpha-2 code", c.Country)}
	case !iso4217.Known(c.Currency):
		return &FieldError{Field: "Currency", Reason: fmt.Sprintf("%.8q is not an active ISO 4217 currency code", c.Currency)}
	case len(c.PriceLists) == 0:
		return &FieldError{Field: "PriceLists", Reason: "at least one price list is required"}
	case c.TaxZone == "":
		return &FieldError{Field: "TaxZone", Reason: "must not be empty"}
	case len(c.FulfilmentModes) == 0:
		return &FieldError{Field: "FulfilmentModes", Reason: "at least one fulfilment mode is required"}
	case c.AsOf.IsZero():
		return &FieldError{Field: "AsOf", Reason: "the as-of time must be set"}
	}
	if err := uniqueNonEmpty("PriceLists", c.PriceLists); err != nil {
		return err
	}
	if err := uniqueNonEmpty("StockSources", c.StockSources); err != nil {
		return err
	}
	for i, m := range c.FulfilmentModes {
		if !m.Valid() {
			return &FieldError{Field: fmt.Sprintf("FulfilmentModes[%d]", i), Reason: fmt.Sprintf("unknown fulfilment mode %d", uint8(m))}
		}
		if slices.Contains(c.FulfilmentModes[:i], m) {
			return &FieldError{Field: fmt.Sprintf("FulfilmentModes[%d]", i), Reason: "duplicate mode " + m.String()}
		}
	}
	return nil
}

// Allows reports whether fulfilment mode m is offered in this context.
func (c Context) Allows(m FulfilmentMode) bool { return slices.Contains(c.FulfilmentModes, m) }

// Fingerprint returns a stable hex digest of every field: equal contexts
// give equal fingerprints on any machine, and the encoding is unambiguous
// (lengths are written before strings) so different contexts do not collide
// by concatenation. Fulfilment-mode order does not matter; list order does,
// because it is a preference order.
func (c Context) Fingerprint() string {
	h := sha256.New()
	var buf [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(s)))
		h.Write(buf[:])
		h.Write([]byte(s))
	}
	list := func(xs []string) {
		binary.BigEndian.PutUint64(buf[:], uint64(len(xs)))
		h.Write(buf[:])
		for _, x := range xs {
			str(x)
		}
	}
	str("omnibasket.channel.v1")
	str(c.ChannelID)
	str(c.Kind.String())
	str(c.LocationID)
	str(c.Country)
	str(c.Currency)
	str(c.Locale)
	list(c.PriceLists)
	str(c.TaxZone)
	if c.PricesIncludeTax {
		str("gross")
	} else {
		str("net")
	}
	str(c.CustomerGroup)
	list(c.StockSources)
	modes := slices.Clone(c.FulfilmentModes)
	slices.Sort(modes)
	names := make([]string, len(modes))
	for i, m := range modes {
		names[i] = m.String()
	}
	list(names)
	str(c.AsOf.UTC().Format(time.RFC3339Nano))
	return hex.EncodeToString(h.Sum(nil))
}

// Clone returns a deep copy, so that the caller may change the slices of
// one without affecting the other.
func (c Context) Clone() Context {
	// The two lists of IDs share one array (each capped, so that appending
	// to one never writes into the other): a context is cloned into every
	// pricing's result.
	if n := len(c.PriceLists) + len(c.StockSources); n > 0 {
		ids := make([]string, 0, n)
		ids = append(ids, c.PriceLists...)
		ids = append(ids, c.StockSources...)
		c.PriceLists, c.StockSources = cloned(c.PriceLists, ids[:len(c.PriceLists):len(c.PriceLists)]), cloned(c.StockSources, ids[len(c.PriceLists):])
	} else {
		c.PriceLists, c.StockSources = c.PriceLists[:0:0], c.StockSources[:0:0]
	}
	c.FulfilmentModes = slices.Clone(c.FulfilmentModes)
	return c
}

// cloned returns the copy of s, or s when it is nil: a clone keeps a nil
// list nil and an empty one empty, as slices.Clone does.
func cloned(s, copied []string) []string {
	if s == nil {
		return nil
	}
	return copied
}

// SameChannel reports whether two contexts serve through the same channel
// at the same location, ignoring the as-of time.
func (c Context) SameChannel(o Context) bool {
	return c.ChannelID == o.ChannelID && c.LocationID == o.LocationID
}

func isUpperAlpha(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func uniqueNonEmpty(field string, xs []string) error {
	for i, x := range xs {
		if x == "" {
			return &FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Reason: "must not be empty"}
		}
		if slices.Contains(xs[:i], x) {
			return &FieldError{Field: fmt.Sprintf("%s[%d]", field, i), Reason: fmt.Sprintf("duplicate %q", x)}
		}
	}
	return nil
}
