package stock_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

var (
	jsonArrival = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	jsonExpiry  = time.Date(2025, 3, 14, 18, 0, 0, 0, time.UTC)
	jsonHeld    = time.Date(2025, 3, 14, 10, 15, 0, 500, time.UTC)
)

// jsonCase is one stock value with the JSON it is written as and the JSON
// the same value was written as before the types had tags (their Go field
// names, durations in nanoseconds, unset times as 0001-01-01): stored
// baskets and events hold that form.
type jsonCase struct {
	name   string
	value  any // a pointer: what both documents decode to
	json   string
	legacy string
}

func stockJSONCases() []jsonCase {
	levels, err := stock.NewLevels([]stock.Level{
		{SKU: "MUG", LocationID: "lyon", OnHand: 4, Reserved: 1},
		{SKU: "LAMP", LocationID: "lyon", OnHand: 2, NextArrival: jsonArrival},
	})
	if err != nil {
		panic(err)
	}
	return []jsonCase{{
		name:   "allocation",
		value:  &stock.Allocation{LocationID: "lyon", Mode: channel.Transfer, Quantity: 2, LeadTime: 24 * time.Hour},
		json:   `{"location_id":"lyon","mode":"transfer","quantity":2,"lead_time_seconds":86400}`,
		legacy: `{"LocationID":"lyon","Mode":"transfer","Quantity":2,"LeadTime":86400000000000}`,
	}, {
		name: "line plan, short with an arrival",
		value: &stock.LinePlan{LineID: "L0001", SKU: "LAMP", Quantity: 3, Short: 1, NextArrival: jsonArrival,
			Allocations: []stock.Allocation{{LocationID: "lyon", Mode: channel.CarryOut, Quantity: 2}}},
		json: `{"line_id":"L0001","sku":"LAMP","quantity":3,` +
			`"allocations":[{"location_id":"lyon","mode":"carry-out","quantity":2,"lead_time_seconds":0}],` +
			`"short":1,"unknown":false,"next_arrival":"2025-03-14T09:30:00Z"}`,
		legacy: `{"LineID":"L0001","SKU":"LAMP","Quantity":3,` +
			`"Allocations":[{"LocationID":"lyon","Mode":"carry-out","Quantity":2,"LeadTime":0}],` +
			`"Short":1,"Unknown":false,"NextArrival":"2025-03-14T09:30:00Z"}`,
	}, {
		name:   "line plan, unknown: no arrival written",
		value:  &stock.LinePlan{LineID: "L0002", SKU: "MUG", Quantity: 1, Short: 1, Unknown: true},
		json:   `{"line_id":"L0002","sku":"MUG","quantity":1,"allocations":null,"short":1,"unknown":true}`,
		legacy: `{"LineID":"L0002","SKU":"MUG","Quantity":1,"Allocations":null,"Short":1,"Unknown":true,"NextArrival":"0001-01-01T00:00:00Z"}`,
	}, {
		name: "fulfilment plan",
		value: &stock.FulfilmentPlan{Lines: []stock.LinePlan{{LineID: "L0001", SKU: "MUG", Quantity: 1,
			Allocations: []stock.Allocation{{LocationID: "wh", Mode: channel.ShipToAddress, Quantity: 1, LeadTime: 48 * time.Hour}}}}},
		json: `{"lines":[{"line_id":"L0001","sku":"MUG","quantity":1,` +
			`"allocations":[{"location_id":"wh","mode":"ship-to-address","quantity":1,"lead_time_seconds":172800}],"short":0,"unknown":false}]}`,
		legacy: `{"Lines":[{"LineID":"L0001","SKU":"MUG","Quantity":1,` +
			`"Allocations":[{"LocationID":"wh","Mode":"ship-to-address","Quantity":1,"LeadTime":172800000000000}],` +
			`"Short":0,"Unknown":false,"NextArrival":"0001-01-01T00:00:00Z"}]}`,
	}, {
		name:   "level",
		value:  &stock.Level{SKU: "LAMP", LocationID: "lyon", OnHand: 5, Reserved: 2, NextArrival: jsonArrival},
		json:   `{"sku":"LAMP","location_id":"lyon","on_hand":5,"reserved":2,"next_arrival":"2025-03-14T09:30:00Z"}`,
		legacy: `{"SKU":"LAMP","LocationID":"lyon","OnHand":5,"Reserved":2,"NextArrival":"2025-03-14T09:30:00Z"}`,
	}, {
		name:  "levels, sorted by SKU then location",
		value: &levels,
		json: `[{"sku":"LAMP","location_id":"lyon","on_hand":2,"reserved":0,"next_arrival":"2025-03-14T09:30:00Z"},` +
			`{"sku":"MUG","location_id":"lyon","on_hand":4,"reserved":1}]`,
		legacy: `[{"SKU":"MUG","LocationID":"lyon","OnHand":4,"Reserved":1,"NextArrival":"0001-01-01T00:00:00Z"},` +
			`{"SKU":"LAMP","LocationID":"lyon","OnHand":2,"Reserved":0,"NextArrival":"2025-03-14T09:30:00Z"}]`,
	}, {
		// Levels had only unexported fields: it encoded as {}, whatever it held.
		name:   "no levels",
		value:  &stock.Levels{},
		json:   `[]`,
		legacy: `{}`,
	}, {
		name: "location",
		value: &stock.Location{ID: "lyon", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.Transfer},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0, channel.Transfer: 24 * time.Hour}},
		json:   `{"id":"lyon","kind":1,"modes":["carry-out","transfer"],"lead_times_seconds":{"carry-out":0,"transfer":86400}}`,
		legacy: `{"ID":"lyon","Kind":1,"Modes":["carry-out","transfer"],"LeadTimes":{"carry-out":0,"transfer":86400000000000}}`,
	}, {
		name:   "location without lead times",
		value:  &stock.Location{ID: "wh", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress}},
		json:   `{"id":"wh","kind":2,"modes":["ship-to-address"]}`,
		legacy: `{"ID":"wh","Kind":2,"Modes":["ship-to-address"],"LeadTimes":null}`,
	}, {
		name: "reservation",
		value: &stock.Reservation{BasketID: "b-1", LocationID: "lyon", RequestKey: "k-1", ExpiresAt: jsonExpiry,
			Lines: []stock.ReserveLine{{SKU: "LAMP", Quantity: 2, HeldSince: jsonHeld, AtRisk: 1}, {SKU: "MUG", Quantity: 1}}},
		json: `{"basket_id":"b-1","location_id":"lyon","request_key":"k-1",` +
			`"lines":[{"sku":"LAMP","quantity":2,"held_since":"2025-03-14T10:15:00.0000005Z","at_risk":1},{"sku":"MUG","quantity":1,"at_risk":0}],` +
			`"expires_at":"2025-03-14T18:00:00Z"}`,
		legacy: `{"BasketID":"b-1","LocationID":"lyon","RequestKey":"k-1",` +
			`"Lines":[{"SKU":"LAMP","Quantity":2,"HeldSince":"2025-03-14T10:15:00.0000005Z","AtRisk":1},` +
			`{"SKU":"MUG","Quantity":1,"HeldSince":"0001-01-01T00:00:00Z","AtRisk":0}],` +
			`"ExpiresAt":"2025-03-14T18:00:00Z"}`,
	}, {
		name:   "hold",
		value:  &stock.Hold{BasketID: "b-1", LocationID: "lyon", SKU: "LAMP", Quantity: 2, HeldSince: jsonHeld, ExpiresAt: jsonExpiry, AtRisk: 2},
		json:   `{"basket_id":"b-1","location_id":"lyon","sku":"LAMP","quantity":2,"held_since":"2025-03-14T10:15:00.0000005Z","expires_at":"2025-03-14T18:00:00Z","at_risk":2}`,
		legacy: `{"BasketID":"b-1","LocationID":"lyon","SKU":"LAMP","Quantity":2,"HeldSince":"2025-03-14T10:15:00.0000005Z","ExpiresAt":"2025-03-14T18:00:00Z","AtRisk":2}`,
	}, {
		name:   "shortage",
		value:  &stock.Shortage{SKU: "LAMP", LocationID: "lyon", Requested: 3, Available: 1},
		json:   `{"sku":"LAMP","location_id":"lyon","requested":3,"available":1,"unknown":false}`,
		legacy: `{"SKU":"LAMP","LocationID":"lyon","Requested":3,"Available":1,"Unknown":false}`,
	}}
}

// newOf returns a new zero value of the type v points to.
func newOf(v any) any {
	switch v.(type) {
	case *stock.Allocation:
		return new(stock.Allocation)
	case *stock.LinePlan:
		return new(stock.LinePlan)
	case *stock.FulfilmentPlan:
		return new(stock.FulfilmentPlan)
	case *stock.Level:
		return new(stock.Level)
	case *stock.Levels:
		return new(stock.Levels)
	case *stock.Location:
		return new(stock.Location)
	case *stock.Reservation:
		return new(stock.Reservation)
	case *stock.Hold:
		return new(stock.Hold)
	case *stock.Shortage:
		return new(stock.Shortage)
	}
	panic("newOf: add the type")
}

func TestStockJSON(t *testing.T) {
	for _, tc := range stockJSONCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.value)
			require.NoError(t, err)
			assert.JSONEq(t, tc.json, string(got))
			assert.NotContains(t, string(got), "0001-01-01", "an unset time is left out")

			fromNew := newOf(tc.value)
			require.NoError(t, json.Unmarshal([]byte(tc.json), fromNew))
			assert.Equal(t, tc.value, fromNew)

			fromLegacy := newOf(tc.value)
			require.NoError(t, json.Unmarshal([]byte(tc.legacy), fromLegacy), "the form stored before tags still reads")
			assert.Equal(t, tc.value, fromLegacy)
		})
	}
}

// A key of the new form wins over the old key of the same field.
func TestStockJSONNewKeyWins(t *testing.T) {
	var a stock.Allocation
	require.NoError(t, json.Unmarshal([]byte(`{"LocationID":"old","location_id":"new","LeadTime":1000000000,"lead_time_seconds":7}`), &a))
	assert.Equal(t, stock.Allocation{LocationID: "new", LeadTime: 7 * time.Second}, a)
}

// Lead times travel as seconds exact to the nanosecond: whole seconds as an
// integer, a fraction only when there is one.
func TestStockJSONSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		text string
	}{
		{0, "0"},
		{2 * time.Hour, "7200"},
		{1500 * time.Millisecond, "1.5"},
		{time.Nanosecond, "0.000000001"},
		{-90 * time.Second, "-90"},
		{-1500 * time.Millisecond, "-1.5"},
		{time.Duration(math.MaxInt64), "9223372036.854775807"},
		{time.Duration(math.MinInt64), "-9223372036.854775808"},
	} {
		got, err := json.Marshal(stock.Allocation{Mode: channel.CarryOut, LeadTime: tt.d})
		require.NoError(t, err)
		assert.JSONEq(t, `{"location_id":"","mode":"carry-out","quantity":0,"lead_time_seconds":`+tt.text+`}`, string(got))
		var back stock.Allocation
		require.NoError(t, json.Unmarshal(got, &back))
		assert.Equal(t, tt.d, back.LeadTime, tt.text)
	}
	for _, bad := range []string{`"7200"`, `1e3`, `1.5e0`, `0.0000000001`, `9223372036.854775808`, `-9223372036.854775809`,
		`99999999999999999999`, `true`, `{}`} {
		var a stock.Allocation
		assert.Error(t, json.Unmarshal([]byte(`{"lead_time_seconds":`+bad+`}`), &a), bad)
		var l stock.Location
		assert.Error(t, json.Unmarshal([]byte(`{"lead_times_seconds":{"transfer":`+bad+`}}`), &l), bad)
	}
}

func TestStockJSONLevelsRefused(t *testing.T) {
	var l stock.Levels
	err := json.Unmarshal([]byte(`[{"sku":"A","location_id":"x","on_hand":1},{"sku":"A","location_id":"x","on_hand":2}]`), &l)
	require.ErrorIs(t, err, stock.ErrInvalid, "a pair given twice")
	require.ErrorIs(t, json.Unmarshal([]byte(`[{"sku":"A","location_id":"x","on_hand":-1}]`), &l), stock.ErrInvalid)
	require.Error(t, json.Unmarshal([]byte(`{"sku":"A"}`), &l), "an object other than the empty one is not levels")
	require.Zero(t, l.Len())
}

// The untagged types, as the previous version encoded them. A Go
// conversion between struct types ignores tags, so legacyLevel(l)
// compiles only while the field sets are the same.
type (
	legacyAllocation struct {
		LocationID string
		Mode       channel.FulfilmentMode
		Quantity   int64
		LeadTime   time.Duration
	}
	legacyLinePlan struct {
		LineID, SKU string
		Quantity    int64
		Allocations []legacyAllocation
		Short       int64
		Unknown     bool
		NextArrival time.Time
	}
	legacyLevel struct {
		SKU, LocationID  string
		OnHand, Reserved int64
		NextArrival      time.Time
	}
	legacyLocation struct {
		ID        string
		Kind      stock.LocationKind
		Modes     []channel.FulfilmentMode
		LeadTimes map[channel.FulfilmentMode]time.Duration
	}
	legacyReserveLine struct {
		SKU       string
		Quantity  int64
		HeldSince time.Time
		AtRisk    int64
	}
	legacyReservation struct {
		BasketID, LocationID, RequestKey string
		Lines                            []legacyReserveLine
		ExpiresAt                        time.Time
	}
	legacyHold struct {
		BasketID        string
		LocationID, SKU string
		Quantity        int64
		HeldSince       time.Time
		ExpiresAt       time.Time
		AtRisk          int64
	}
	legacyShortage struct {
		SKU, LocationID      string
		Requested, Available int64
		Unknown              bool
	}
)

func legacyOfPlan(p stock.LinePlan) legacyLinePlan {
	out := legacyLinePlan{LineID: p.LineID, SKU: p.SKU, Quantity: p.Quantity, Short: p.Short, Unknown: p.Unknown, NextArrival: p.NextArrival}
	if p.Allocations != nil {
		out.Allocations = make([]legacyAllocation, len(p.Allocations))
		for i, a := range p.Allocations {
			out.Allocations[i] = legacyAllocation(a)
		}
	}
	return out
}

func legacyOfReservation(r stock.Reservation) legacyReservation {
	out := legacyReservation{BasketID: r.BasketID, LocationID: r.LocationID, RequestKey: r.RequestKey, ExpiresAt: r.ExpiresAt}
	if r.Lines != nil {
		out.Lines = make([]legacyReserveLine, len(r.Lines))
		for i, l := range r.Lines {
			out.Lines[i] = legacyReserveLine(l)
		}
	}
	return out
}

var (
	genJSONTime = rapid.Custom(func(t *rapid.T) time.Time {
		if rapid.Bool().Draw(t, "unset") {
			return time.Time{}
		}
		// Years 1 to 9999: what RFC 3339 can write.
		sec := rapid.Int64Range(-62135596800, 253402300799).Draw(t, "sec")
		return time.Unix(sec, rapid.Int64Range(0, 999999999).Draw(t, "nsec")).UTC()
	})
	genMode     = rapid.SampledFrom([]channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.ShipToAddress, channel.ShipFromStore, channel.Transfer})
	genDuration = rapid.Custom(func(t *rapid.T) time.Duration {
		if rapid.Bool().Draw(t, "whole hours") {
			return time.Duration(rapid.Int64Range(0, 30*24).Draw(t, "hours")) * time.Hour
		}
		return time.Duration(rapid.Int64().Draw(t, "ns"))
	})
	genAllocation = rapid.Custom(func(t *rapid.T) stock.Allocation {
		return stock.Allocation{LocationID: rapid.String().Draw(t, "location"), Mode: genMode.Draw(t, "mode"),
			Quantity: rapid.Int64().Draw(t, "quantity"), LeadTime: genDuration.Draw(t, "lead")}
	})
	genLinePlan = rapid.Custom(func(t *rapid.T) stock.LinePlan {
		var allocs []stock.Allocation
		if rapid.Bool().Draw(t, "allocated") {
			allocs = rapid.SliceOf(genAllocation).Draw(t, "allocations")
		}
		return stock.LinePlan{LineID: rapid.String().Draw(t, "line"), SKU: rapid.String().Draw(t, "sku"), Quantity: rapid.Int64().Draw(t, "quantity"),
			Allocations: allocs, Short: rapid.Int64().Draw(t, "short"), Unknown: rapid.Bool().Draw(t, "unknown"), NextArrival: genJSONTime.Draw(t, "arrival")}
	})
	genLevel = rapid.Custom(func(t *rapid.T) stock.Level {
		return stock.Level{SKU: rapid.String().Draw(t, "sku"), LocationID: rapid.String().Draw(t, "location"),
			OnHand: rapid.Int64().Draw(t, "on hand"), Reserved: rapid.Int64().Draw(t, "reserved"), NextArrival: genJSONTime.Draw(t, "arrival")}
	})
	genLocation = rapid.Custom(func(t *rapid.T) stock.Location {
		l := stock.Location{ID: rapid.String().Draw(t, "id"), Kind: stock.LocationKind(rapid.Uint8().Draw(t, "kind"))}
		if rapid.Bool().Draw(t, "with modes") {
			l.Modes = rapid.SliceOf(genMode).Draw(t, "modes")
		}
		if rapid.Bool().Draw(t, "with lead times") {
			l.LeadTimes = rapid.MapOf(genMode, genDuration).Draw(t, "lead times")
		}
		return l
	})
	genReserveLine = rapid.Custom(func(t *rapid.T) stock.ReserveLine {
		return stock.ReserveLine{SKU: rapid.String().Draw(t, "sku"), Quantity: rapid.Int64().Draw(t, "quantity"),
			HeldSince: genJSONTime.Draw(t, "held since"), AtRisk: rapid.Int64().Draw(t, "at risk")}
	})
	genReservation = rapid.Custom(func(t *rapid.T) stock.Reservation {
		var lines []stock.ReserveLine
		if rapid.Bool().Draw(t, "with lines") {
			lines = rapid.SliceOf(genReserveLine).Draw(t, "lines")
		}
		return stock.Reservation{BasketID: rapid.String().Draw(t, "basket"), LocationID: rapid.String().Draw(t, "location"),
			RequestKey: rapid.String().Draw(t, "key"), Lines: lines, ExpiresAt: genJSONTime.Draw(t, "expires")}
	})
	genHold = rapid.Custom(func(t *rapid.T) stock.Hold {
		return stock.Hold{BasketID: rapid.String().Draw(t, "basket"), LocationID: rapid.String().Draw(t, "location"), SKU: rapid.String().Draw(t, "sku"),
			Quantity: rapid.Int64().Draw(t, "quantity"), HeldSince: genJSONTime.Draw(t, "held since"),
			ExpiresAt: genJSONTime.Draw(t, "expires"), AtRisk: rapid.Int64().Draw(t, "at risk")}
	})
	genShortage = rapid.Custom(func(t *rapid.T) stock.Shortage {
		return stock.Shortage{SKU: rapid.String().Draw(t, "sku"), LocationID: rapid.String().Draw(t, "location"),
			Requested: rapid.Int64().Draw(t, "requested"), Available: rapid.Int64().Draw(t, "available"), Unknown: rapid.Bool().Draw(t, "unknown")}
	})
)

// roundTrip checks that v reads back from its JSON, and from the JSON the
// untagged type wrote (legacy), as itself.
func roundTrip[T any](t *rapid.T, v T, legacy any) {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var back T
	require.NoError(t, json.Unmarshal(data, &back), "%s", data)
	require.Equal(t, v, back, "%s", data)

	old, err := json.Marshal(legacy)
	require.NoError(t, err)
	var fromOld T
	require.NoError(t, json.Unmarshal(old, &fromOld), "%s", old)
	require.Equal(t, v, fromOld, "%s", old)
}

func TestStockJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		switch rapid.IntRange(0, 7).Draw(t, "type") {
		case 0:
			a := genAllocation.Draw(t, "allocation")
			roundTrip(t, a, legacyAllocation(a))
		case 1:
			p := genLinePlan.Draw(t, "plan")
			roundTrip(t, p, legacyOfPlan(p))
		case 2:
			l := genLevel.Draw(t, "level")
			roundTrip(t, l, legacyLevel(l))
		case 3:
			l := genLocation.Draw(t, "location")
			roundTrip(t, l, legacyLocation(l))
		case 4:
			r := genReservation.Draw(t, "reservation")
			roundTrip(t, r, legacyOfReservation(r))
		case 5:
			h := genHold.Draw(t, "hold")
			roundTrip(t, h, legacyHold(h))
		case 6:
			s := genShortage.Draw(t, "shortage")
			roundTrip(t, s, legacyShortage(s))
		case 7:
			in := rapid.SliceOf(genLevel).Draw(t, "levels")
			levels, err := stock.NewLevels(in)
			if err != nil {
				t.Skip("not a valid list of levels")
			}
			legacy := make([]legacyLevel, 0, levels.Len())
			for _, l := range levels.All() {
				legacy = append(legacy, legacyLevel(l))
			}
			roundTrip(t, levels, legacy)
		}
	})
}

// FuzzStockJSON: whatever the bytes, decoding a stock type, new form or
// old, never panics; what it accepts encodes, and reads back to the same
// encoding.
func FuzzStockJSON(f *testing.F) {
	for i, tc := range stockJSONCases() {
		f.Add(uint8(i), []byte(tc.json))
		f.Add(uint8(i), []byte(tc.legacy))
	}
	f.Add(uint8(0), []byte(`{"lead_time_seconds":9223372036.854775807,"LeadTime":-1}`))
	f.Add(uint8(7), []byte(`{"lead_times_seconds":{"transfer":0.5},"LeadTimes":{"carry-out":1}}`))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		targets := []func() any{
			func() any { return new(stock.Allocation) }, func() any { return new(stock.LinePlan) },
			func() any { return new(stock.FulfilmentPlan) }, func() any { return new(stock.Level) },
			func() any { return new(stock.Levels) }, func() any { return new(stock.Location) },
			func() any { return new(stock.Reservation) }, func() any { return new(stock.Hold) },
			func() any { return new(stock.Shortage) },
		}
		mk := targets[int(kind)%len(targets)]
		v := mk()
		if json.Unmarshal(data, v) != nil {
			return
		}
		first, err := json.Marshal(v)
		if err != nil {
			return // a value no program writes: an unknown fulfilment mode, a year past 9999
		}
		back := mk()
		if err := json.Unmarshal(first, back); err != nil {
			t.Fatalf("%s does not read back: %v", first, err)
		}
		second, err := json.Marshal(back)
		if err != nil || string(first) != string(second) {
			t.Fatalf("round trip changed the encoding:\n%s\n%s (%v)", first, second, err)
		}
	})
}
