package channel

import "fmt"

// Kind is the sort of channel a basket is served through.
type Kind uint8

// The channel kinds. The zero value is invalid so that a forgotten field is
// caught by [Context.Validate] instead of silently meaning "web".
const (
	Web Kind = iota + 1
	App
	Store
	Kiosk
	CallCentre
	Marketplace
)

// String returns the lower-case name used in JSON and fingerprints.
func (k Kind) String() string {
	switch k {
	case Web:
		return "web"
	case App:
		return "app"
	case Store:
		return "store"
	case Kiosk:
		return "kiosk"
	case CallCentre:
		return "call-centre"
	case Marketplace:
		return "marketplace"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= Web && k <= Marketplace }

// IsPhysical reports whether the channel is served at a physical location
// (a store or a kiosk), where a location ID is mandatory.
func (k Kind) IsPhysical() bool { return k == Store || k == Kiosk }

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, &FieldError{Field: "Kind", Reason: "unknown channel kind"}
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes a kind by name.
func (k *Kind) UnmarshalText(b []byte) error {
	for i := Web; i <= Marketplace; i++ {
		if i.String() == string(b) {
			*k = i
			return nil
		}
	}
	return &FieldError{Field: "Kind", Reason: fmt.Sprintf("unknown channel kind %q", b)}
}

// FulfilmentMode is a way a line can reach the shopper.
type FulfilmentMode uint8

// The fulfilment modes, in the order a store associate would offer them.
const (
	CarryOut      FulfilmentMode = iota + 1 // taken home now from this store's shelf
	ClickCollect                            // collected later at this location
	ShipToAddress                           // shipped from a warehouse to the shopper
	ShipFromStore                           // shipped from a store's stock to the shopper
	Transfer                                // moved from a neighbouring location to this one, then collected
)

// String returns the lower-case name used in JSON and reports.
func (m FulfilmentMode) String() string {
	switch m {
	case CarryOut:
		return "carry-out"
	case ClickCollect:
		return "click-collect"
	case ShipToAddress:
		return "ship-to-address"
	case ShipFromStore:
		return "ship-from-store"
	case Transfer:
		return "transfer"
	}
	return fmt.Sprintf("mode(%d)", uint8(m))
}

// Valid reports whether m is one of the declared modes.
func (m FulfilmentMode) Valid() bool { return m >= CarryOut && m <= Transfer }

// MarshalText encodes the mode by name.
func (m FulfilmentMode) MarshalText() ([]byte, error) {
	if !m.Valid() {
		return nil, &FieldError{Field: "FulfilmentModes", Reason: "unknown fulfilment mode"}
	}
	return []byte(m.String()), nil
}

// UnmarshalText decodes a mode by name.
func (m *FulfilmentMode) UnmarshalText(b []byte) error {
	for i := CarryOut; i <= Transfer; i++ {
		if i.String() == string(b) {
			*m = i
			return nil
		}
	}
	return &FieldError{Field: "FulfilmentModes", Reason: fmt.Sprintf("unknown fulfilment mode %q", b)}
}
