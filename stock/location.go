package stock

import (
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

// LocationKind is the sort of place stock is kept.
type LocationKind uint8

// The location kinds. The zero value is invalid so that a forgotten field is
// caught by validation instead of silently meaning "store".
const (
	Store     LocationKind = iota + 1 // a shop open to shoppers
	Warehouse                         // a distribution centre, not open to shoppers
	DarkStore                         // a closed, shop-like picking site for fast delivery
)

// String returns the lower-case name of the kind.
func (k LocationKind) String() string {
	switch k {
	case Store:
		return "store"
	case Warehouse:
		return "warehouse"
	case DarkStore:
		return "dark-store"
	}
	return fmt.Sprintf("location-kind(%d)", uint8(k))
}

// Valid reports whether k is one of the declared kinds.
func (k LocationKind) Valid() bool { return k >= Store && k <= DarkStore }

// Location is a place stock can be sourced from and the fulfilment modes it
// can serve.
type Location struct {
	// ID matches the IDs in channel.Context.StockSources and in levels.
	ID string `json:"id"`
	// Kind decides the shipping mode: ShipFromStore for a store,
	// ShipToAddress for a warehouse or a dark store.
	Kind LocationKind `json:"kind"`
	// Modes are the fulfilment modes this location can serve; a mode not
	// listed is never planned from here.
	Modes []channel.FulfilmentMode `json:"modes"`
	// LeadTimes is the time to make the goods available to the shopper per
	// mode; a missing mode means no lead time. It travels in seconds per
	// mode name ([Location.MarshalJSON]).
	LeadTimes map[channel.FulfilmentMode]time.Duration `json:"lead_times_seconds,omitzero"`
}

// Validate reports the first problem found as an [*InputError].
func (l Location) Validate() error {
	switch {
	case l.ID == "":
		return invalid("ID", "must not be empty")
	case !l.Kind.Valid():
		return invalid("Kind", "unknown location kind %d for %q", uint8(l.Kind), l.ID)
	}
	for i, m := range l.Modes {
		if !m.Valid() {
			return invalid(fmt.Sprintf("Modes[%d]", i), "unknown fulfilment mode %d for %q", uint8(m), l.ID)
		}
	}
	// Every pricing plans, and validates its locations: one pass over the
	// lead times finds a valid map (the rule), and only a faulty one is
	// walked in mode order, for the error to name the first fault.
	ok := true
	for m, d := range l.LeadTimes {
		if m < channel.CarryOut || m > channel.Transfer || d < 0 {
			ok = false
			break
		}
	}
	if ok {
		return nil
	}
	valid := 0
	for m := channel.CarryOut; m <= channel.Transfer; m++ { // in mode order: the first error is deterministic
		d, ok := l.LeadTimes[m]
		if !ok {
			continue
		}
		valid++
		if d < 0 {
			return invalid("LeadTimes", "negative lead time %s for %s at %q", d, m, l.ID)
		}
	}
	if valid != len(l.LeadTimes) {
		return invalid("LeadTimes", "lead time for an unknown fulfilment mode at %q", l.ID)
	}
	return nil
}

func (l Location) serves(m channel.FulfilmentMode) bool {
	return slices.Contains(l.Modes, m)
}

// shipMode is how this kind of location sends goods to an address.
func (k LocationKind) shipMode() channel.FulfilmentMode {
	if k == Store {
		return channel.ShipFromStore
	}
	return channel.ShipToAddress
}
