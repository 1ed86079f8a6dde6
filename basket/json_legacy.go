package basket

import (
	"cmp"
	"encoding/json"
	"errors"
	"github.com/omnibasket/omnibasket/internal/seconds"
	"strconv"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/pricing"
)

// Baskets, events and order terms are stored as JSON (adapters/postgres),
// so a change of their JSON must keep reading what was stored before:
//
//   - [Options] had no tags: its keys were its Go field names. Its
//     UnmarshalJSON reads the type itself (encoding/json matches "Policy"
//     and "Rounding" to policy and rounding, ignoring case) beside the old
//     "TaxRounding"; where both are present, tax_rounding wins.
//   - [FulfilmentOrder] wrote its lead time in nanoseconds under
//     lead_time_seconds. It now writes seconds under the same key, and
//     reads an integer of at least 10⁹ there as the nanoseconds written
//     before (see [FulfilmentOrder.UnmarshalJSON]).
//
// The stock types inside a basket (plans, allocations, locations) read
// their old form themselves: see package stock.

// UnmarshalJSON reads options, or options written by the untagged type.
func (o *Options) UnmarshalJSON(data []byte) error {
	type plain Options // no methods: decoding it does not recurse
	var w struct {
		plain
		OldTaxRounding pricing.TaxRounding `json:"TaxRounding"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Options(w.plain)
	v.TaxRounding = cmp.Or(v.TaxRounding, w.OldTaxRounding)
	*o = v
	return nil
}

// MarshalJSON writes the fulfilment order with its lead time in seconds.
func (f FulfilmentOrder) MarshalJSON() ([]byte, error) {
	type plain FulfilmentOrder
	return json.Marshal(struct {
		plain
		LeadTime leadSeconds `json:"lead_time_seconds"` // hides plain.LeadTime
	}{plain(f), leadSeconds(f.LeadTime)})
}

// UnmarshalJSON reads a fulfilment order as MarshalJSON writes it, or as
// it was written when its lead time was in nanoseconds: an integer of at
// least 10⁹ under lead_time_seconds is read as nanoseconds. No lead time
// reaches 10⁹ seconds (31 years), and the nanoseconds of a lead time of
// at least a second are at least 10⁹; MarshalJSON writes a lead time of
// 10⁹ seconds or more with a decimal point, so that even those read back
// as seconds.
func (f *FulfilmentOrder) UnmarshalJSON(data []byte) error {
	type plain FulfilmentOrder
	var w struct {
		plain
		LeadTime leadSeconds `json:"lead_time_seconds"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := FulfilmentOrder(w.plain)
	v.LeadTime = time.Duration(w.LeadTime)
	*f = v
	return nil
}

// leadSeconds is a fulfilment order's lead time as it travels: a JSON
// number of seconds, exact to the nanosecond; whole seconds as an integer
// ("86400"), a fraction only when the duration has one. An integer of at
// least 10⁹ in absolute value, which it never writes, is the nanoseconds
// the previous encoding wrote.
type leadSeconds time.Duration

// legacyFloor is the smallest integer read as nanoseconds (one second),
// and so the smallest number of whole seconds written with a decimal
// point (31 years).
const legacyFloor = 1_000_000_000

// MarshalJSON writes the number of seconds.
func (s leadSeconds) MarshalJSON() ([]byte, error) {
	d := time.Duration(s)
	b := seconds.Append(nil, d)
	if d%time.Second == 0 && seconds.Abs(d)/uint64(time.Second) >= legacyFloor {
		b = append(b, ".0"...) // an integer this large would read as nanoseconds
	}
	return b, nil
}

// UnmarshalJSON reads a number of seconds, or of nanoseconds as above.
// null leaves s unchanged.
func (s *leadSeconds) UnmarshalJSON(b []byte) error {
	text := string(b)
	if text == "null" {
		return nil
	}
	if !strings.Contains(text, ".") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil && seconds.Abs(time.Duration(n)) >= legacyFloor {
			*s = leadSeconds(n)
			return nil
		}
	}
	d, err := parseSeconds(text)
	if err != nil {
		return err
	}
	*s = leadSeconds(d)
	return nil
}

// errSeconds is why a number of seconds is refused.
var errSeconds = errors.New("basket: a duration is a number of seconds with at most nine decimals and no exponent, within ±292 years")

// parseSeconds reads a number of seconds, refusing anything else with
// errSeconds.
func parseSeconds(s string) (time.Duration, error) {
	d, ok := seconds.Parse(s)
	if !ok {
		return 0, errSeconds
	}
	return d, nil
}
