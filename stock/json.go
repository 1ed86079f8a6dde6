package stock

import (
	"cmp"
	"encoding/json"
	"errors"
	sec "github.com/omnibasket/omnibasket/internal/seconds"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

// The JSON of this package is snake_case, times RFC 3339 (an unset one is
// left out, never written as 0001-01-01) and durations whole seconds
// under a key ending in _seconds, as the rest of a basket document.
//
// Before that, these types had no tags: they were written with their Go
// field names ("LineID", "NextArrival") and durations in nanoseconds
// ("LeadTime": 86400000000000), and baskets, events and order terms stored
// then still hold that form. Every type whose keys changed therefore
// decodes both: its UnmarshalJSON reads the document into the type itself
// (encoding/json matches a key to a field name ignoring case, which covers
// the old "SKU", "Quantity", "Lines" …) beside the old keys that differ by
// more than case, and an old key fills a field only where the new key left
// it zero. Where both are present the new key wins.

// seconds is a duration as it travels: a JSON number of seconds, exact to
// the nanosecond. Whole seconds, the only ones a retailer configures, are
// written as an integer ("7200"); a fraction is written only when the
// duration has one ("1.5").
type seconds time.Duration

// MarshalJSON writes the number of seconds.
func (s seconds) MarshalJSON() ([]byte, error) {
	return sec.Append(nil, time.Duration(s)), nil
}

// UnmarshalJSON reads a number of seconds: digits with an optional sign
// and up to nine decimals (no exponent). null leaves s unchanged.
func (s *seconds) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	d, err := parseSeconds(string(b))
	if err != nil {
		return err
	}
	*s = seconds(d)
	return nil
}

// errSeconds is why a number of seconds is refused.
var errSeconds = errors.New("stock: a duration is a number of seconds with at most nine decimals and no exponent, within ±292 years")

// MarshalJSON writes the allocation with its lead time in seconds.
func (a Allocation) MarshalJSON() ([]byte, error) {
	type plain Allocation // no methods: encoding it does not recurse
	return json.Marshal(struct {
		plain
		LeadTime seconds `json:"lead_time_seconds"` // hides plain.LeadTime
	}{plain(a), seconds(a.LeadTime)})
}

// UnmarshalJSON reads an allocation as MarshalJSON writes it, or as the
// untagged type was written (lead time in nanoseconds).
func (a *Allocation) UnmarshalJSON(data []byte) error {
	type plain Allocation
	var w struct {
		plain
		LeadTime      seconds       `json:"lead_time_seconds"`
		OldLocationID string        `json:"LocationID"`
		OldLeadTime   time.Duration `json:"LeadTime"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Allocation(w.plain)
	v.LocationID = cmp.Or(v.LocationID, w.OldLocationID)
	v.LeadTime = cmp.Or(time.Duration(w.LeadTime), w.OldLeadTime)
	*a = v
	return nil
}

// UnmarshalJSON reads a line plan, or one written by the untagged type.
func (l *LinePlan) UnmarshalJSON(data []byte) error {
	type plain LinePlan
	var w struct {
		plain
		OldLineID      string    `json:"LineID"`
		OldNextArrival time.Time `json:"NextArrival"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := LinePlan(w.plain)
	v.LineID = cmp.Or(v.LineID, w.OldLineID)
	v.NextArrival = cmp.Or(v.NextArrival, w.OldNextArrival)
	*l = v
	return nil
}

// UnmarshalJSON reads a level, or one written by the untagged type.
func (l *Level) UnmarshalJSON(data []byte) error {
	type plain Level
	var w struct {
		plain
		OldLocationID  string    `json:"LocationID"`
		OldOnHand      int64     `json:"OnHand"`
		OldNextArrival time.Time `json:"NextArrival"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Level(w.plain)
	v.LocationID = cmp.Or(v.LocationID, w.OldLocationID)
	v.OnHand = cmp.Or(v.OnHand, w.OldOnHand)
	v.NextArrival = cmp.Or(v.NextArrival, w.OldNextArrival)
	*l = v
	return nil
}

// MarshalJSON writes the levels as a list sorted by SKU, then location
// ([Levels.All]); no levels is an empty list.
func (l Levels) MarshalJSON() ([]byte, error) {
	if len(l.sorted) == 0 {
		return []byte("[]"), nil
	}
	return json.Marshal(l.sorted)
}

// UnmarshalJSON reads a list of levels and builds the lookup with
// [NewLevels], so a list it refuses (a pair given twice, a negative count)
// is an [*InputError]. An empty object also reads as no levels: it is
// what the type, whose fields are unexported, encoded to before.
func (l *Levels) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var list []Level
	if err := json.Unmarshal(data, &list); err != nil && !isEmptyObject(data) {
		return err
	}
	v, err := NewLevels(list)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

func isEmptyObject(data []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(data, &m) == nil && m != nil && len(m) == 0
}

// MarshalJSON writes the location with its lead times in seconds per mode
// name.
func (l Location) MarshalJSON() ([]byte, error) {
	type plain Location
	return json.Marshal(struct {
		plain
		LeadTimes map[channel.FulfilmentMode]seconds `json:"lead_times_seconds,omitzero"` // hides plain.LeadTimes
	}{plain(l), leadTimesOut(l.LeadTimes)})
}

func leadTimesOut(in map[channel.FulfilmentMode]time.Duration) map[channel.FulfilmentMode]seconds {
	if in == nil {
		return nil
	}
	out := make(map[channel.FulfilmentMode]seconds, len(in))
	for m, d := range in {
		out[m] = seconds(d)
	}
	return out
}

// UnmarshalJSON reads a location as MarshalJSON writes it, or as the
// untagged type was written (lead times in nanoseconds).
func (l *Location) UnmarshalJSON(data []byte) error {
	type plain Location
	var w struct {
		plain
		LeadTimes    map[channel.FulfilmentMode]seconds       `json:"lead_times_seconds"`
		OldLeadTimes map[channel.FulfilmentMode]time.Duration `json:"LeadTimes"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Location(w.plain)
	v.LeadTimes = w.OldLeadTimes
	if w.LeadTimes != nil {
		v.LeadTimes = make(map[channel.FulfilmentMode]time.Duration, len(w.LeadTimes))
		for m, s := range w.LeadTimes {
			v.LeadTimes[m] = time.Duration(s)
		}
	}
	*l = v
	return nil
}

// UnmarshalJSON reads a reservation, or one written by the untagged type.
func (r *Reservation) UnmarshalJSON(data []byte) error {
	type plain Reservation
	var w struct {
		plain
		OldBasketID   string    `json:"BasketID"`
		OldLocationID string    `json:"LocationID"`
		OldRequestKey string    `json:"RequestKey"`
		OldExpiresAt  time.Time `json:"ExpiresAt"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Reservation(w.plain)
	v.BasketID = cmp.Or(v.BasketID, w.OldBasketID)
	v.LocationID = cmp.Or(v.LocationID, w.OldLocationID)
	v.RequestKey = cmp.Or(v.RequestKey, w.OldRequestKey)
	v.ExpiresAt = cmp.Or(v.ExpiresAt, w.OldExpiresAt)
	*r = v
	return nil
}

// UnmarshalJSON reads a reserved line, or one written by the untagged
// type.
func (l *ReserveLine) UnmarshalJSON(data []byte) error {
	type plain ReserveLine
	var w struct {
		plain
		OldHeldSince time.Time `json:"HeldSince"`
		OldAtRisk    int64     `json:"AtRisk"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := ReserveLine(w.plain)
	v.HeldSince = cmp.Or(v.HeldSince, w.OldHeldSince)
	v.AtRisk = cmp.Or(v.AtRisk, w.OldAtRisk)
	*l = v
	return nil
}

// UnmarshalJSON reads a hold, or one written by the untagged type.
func (h *Hold) UnmarshalJSON(data []byte) error {
	type plain Hold
	var w struct {
		plain
		OldBasketID   string    `json:"BasketID"`
		OldLocationID string    `json:"LocationID"`
		OldHeldSince  time.Time `json:"HeldSince"`
		OldExpiresAt  time.Time `json:"ExpiresAt"`
		OldAtRisk     int64     `json:"AtRisk"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Hold(w.plain)
	v.BasketID = cmp.Or(v.BasketID, w.OldBasketID)
	v.LocationID = cmp.Or(v.LocationID, w.OldLocationID)
	v.HeldSince = cmp.Or(v.HeldSince, w.OldHeldSince)
	v.ExpiresAt = cmp.Or(v.ExpiresAt, w.OldExpiresAt)
	v.AtRisk = cmp.Or(v.AtRisk, w.OldAtRisk)
	*h = v
	return nil
}

// UnmarshalJSON reads a shortage, or one written by the untagged type.
func (s *Shortage) UnmarshalJSON(data []byte) error {
	type plain Shortage
	var w struct {
		plain
		OldLocationID string `json:"LocationID"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	v := Shortage(w.plain)
	v.LocationID = cmp.Or(v.LocationID, w.OldLocationID)
	*s = v
	return nil
}

// parseSeconds reads a number of seconds, refusing anything else with
// errSeconds.
func parseSeconds(s string) (time.Duration, error) {
	d, ok := sec.Parse(s)
	if !ok {
		return 0, errSeconds
	}
	return d, nil
}
