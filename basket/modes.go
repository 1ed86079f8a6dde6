package basket

import (
	"encoding/json"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

// Modes is a set of fulfilment modes, one bit per mode. It encodes in JSON
// as the list of mode names, in mode order.
type Modes uint32

// ModesOf returns the modes a line's fulfilment plan uses.
func ModesOf(p stock.LinePlan) Modes {
	var m Modes
	for _, a := range p.Allocations {
		m |= 1 << a.Mode
	}
	return m
}

// Has reports whether mode is in the set.
func (m Modes) Has(mode channel.FulfilmentMode) bool { return m&(1<<mode) != 0 }

// List returns the modes in mode order.
func (m Modes) List() []channel.FulfilmentMode {
	var out []channel.FulfilmentMode
	for mode := channel.CarryOut; mode <= channel.Transfer; mode++ {
		if m.Has(mode) {
			out = append(out, mode)
		}
	}
	return out
}

// String joins the mode names: "carry-out + transfer".
func (m Modes) String() string {
	s := ""
	for _, mode := range m.List() {
		if s != "" {
			s += " + "
		}
		s += mode.String()
	}
	return s
}

// MarshalJSON encodes the set as a list of names.
func (m Modes) MarshalJSON() ([]byte, error) {
	list := m.List()
	if list == nil {
		list = []channel.FulfilmentMode{}
	}
	return json.Marshal(list)
}

// UnmarshalJSON decodes a list of mode names.
func (m *Modes) UnmarshalJSON(b []byte) error {
	var list []channel.FulfilmentMode
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	var v Modes
	for _, mode := range list {
		v |= 1 << mode
	}
	*m = v
	return nil
}
