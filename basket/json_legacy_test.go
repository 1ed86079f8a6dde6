package basket_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
)

var legacyPlaced = time.Date(2025, 3, 14, 11, 0, 0, 0, time.UTC)

func legacyFulfilmentOrder() basket.FulfilmentOrder {
	return basket.FulfilmentOrder{ID: "F1", LocationID: "lyon-part-dieu", Mode: channel.Transfer, PickupLocationID: "lyon-bellecour",
		Lines:    []basket.FulfilmentLine{{LineID: "L0001", SKU: "LAMP-ARC", Name: "Arc lamp", Quantity: 1}},
		LeadTime: 24 * time.Hour, ReadyAt: legacyPlaced.Add(24 * time.Hour), HoldUntil: legacyPlaced.Add(7 * 24 * time.Hour),
		Status: basket.FulfilmentOpen, UpdatedAt: legacyPlaced}
}

// The JSON of the basket types whose encoding changed, as written now and
// as the previous version wrote it (what stored baskets and events hold).
func TestBasketJSONLegacy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		value  any // a pointer: what both documents decode to
		json   string
		legacy string
		// decodeOnly: the value does not encode (an empty context); its
		// parts' encoding is checked on their own.
		decodeOnly bool
	}{{
		name:   "options",
		value:  &basket.Options{Policy: basket.PriceProtection, TaxRounding: pricing.TaxRounding(1), Rounding: pricing.HalfUp},
		json:   `{"policy":"price-protection","tax_rounding":1,"rounding":1}`,
		legacy: `{"Policy":"price-protection","TaxRounding":1,"Rounding":1}`,
	}, {
		// The lead time was nanoseconds under a key that says seconds.
		name:  "fulfilment order",
		value: ptrTo(legacyFulfilmentOrder()),
		json: `{"id":"F1","location_id":"lyon-part-dieu","mode":"transfer","pickup_location_id":"lyon-bellecour",` +
			`"lines":[{"line_id":"L0001","sku":"LAMP-ARC","name":"Arc lamp","quantity":1}],"lead_time_seconds":86400,` +
			`"ready_at":"2025-03-15T11:00:00Z","hold_until":"2025-03-21T11:00:00Z","status":"open","updated_at":"2025-03-14T11:00:00Z"}`,
		legacy: `{"id":"F1","location_id":"lyon-part-dieu","mode":"transfer","pickup_location_id":"lyon-bellecour",` +
			`"lines":[{"line_id":"L0001","sku":"LAMP-ARC","name":"Arc lamp","quantity":1}],"lead_time_seconds":86400000000000,` +
			`"ready_at":"2025-03-15T11:00:00Z","hold_until":"2025-03-21T11:00:00Z","status":"open","updated_at":"2025-03-14T11:00:00Z"}`,
	}, {
		name:   "hold at risk, held since unknown",
		value:  &basket.HoldAtRisk{LocationID: "lyon", SKU: "LAMP-ARC", Quantity: 2, AtRisk: 1},
		json:   `{"location_id":"lyon","sku":"LAMP-ARC","quantity":2,"at_risk":1}`,
		legacy: `{"location_id":"lyon","sku":"LAMP-ARC","quantity":2,"at_risk":1,"held_since":"0001-01-01T00:00:00Z"}`,
	}, {
		// Order terms hold the options and the locations of a placed order.
		name: "order terms",
		value: &basket.OrderTerms{Options: basket.Options{TaxRounding: pricing.TaxRounding(1)},
			Locations: []stock.Location{{ID: "lyon-bellecour", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.Transfer},
				LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.Transfer: 24 * time.Hour}}}},
		decodeOnly: true,
		json: `{"options":{"policy":"target-price","tax_rounding":1,"rounding":0},"prices":null,"tax":null,` +
			`"locations":[{"id":"lyon-bellecour","kind":1,"modes":["carry-out","transfer"],"lead_times_seconds":{"transfer":86400}}]}`,
		legacy: `{"options":{"Policy":"target-price","TaxRounding":1,"Rounding":0},"prices":null,"tax":null,` +
			`"locations":[{"ID":"lyon-bellecour","Kind":1,"Modes":["carry-out","transfer"],"LeadTimes":{"transfer":86400000000000}}]}`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.decodeOnly {
				got, err := json.Marshal(tc.value)
				require.NoError(t, err)
				assert.JSONEq(t, tc.json, string(got))
				assert.NotContains(t, string(got), "0001-01-01")
			}
			for form, doc := range map[string]string{"new": tc.json, "legacy": tc.legacy} {
				v := newBasketValue(tc.value)
				require.NoError(t, json.Unmarshal([]byte(doc), v), form)
				assert.Equal(t, tc.value, v, form)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func newBasketValue(v any) any {
	switch v.(type) {
	case *basket.Options:
		return new(basket.Options)
	case *basket.FulfilmentOrder:
		return new(basket.FulfilmentOrder)
	case *basket.HoldAtRisk:
		return new(basket.HoldAtRisk)
	case *basket.OrderTerms:
		return new(basket.OrderTerms)
	}
	panic("newBasketValue: add the type")
}

// An event recorded before keeps decoding: a fulfilment order's lead time
// in nanoseconds, a result's plan with the stock types' field names.
func TestBasketJSONLegacyEvents(t *testing.T) {
	ordered := basket.Event{Type: basket.EventFulfilmentOrdered, Data: json.RawMessage(`{"order":{"id":"F1","location_id":"lyon-part-dieu",` +
		`"mode":"transfer","pickup_location_id":"lyon-bellecour","lines":[{"line_id":"L0001","sku":"LAMP-ARC","name":"Arc lamp","quantity":1}],` +
		`"lead_time_seconds":86400000000000,"ready_at":"2025-03-15T11:00:00Z","hold_until":"2025-03-21T11:00:00Z","status":"open",` +
		`"updated_at":"2025-03-14T11:00:00Z"}}`)}
	payload, err := ordered.Decode()
	require.NoError(t, err)
	assert.Equal(t, &basket.FulfilmentOrdered{Order: legacyFulfilmentOrder()}, payload)

	var r basket.Result
	require.NoError(t, json.Unmarshal([]byte(`{"plan":{"Lines":[{"LineID":"L0001","SKU":"LAMP-ARC","Quantity":2,`+
		`"Allocations":[{"LocationID":"lyon-bellecour","Mode":"carry-out","Quantity":1,"LeadTime":0},`+
		`{"LocationID":"lyon-part-dieu","Mode":"transfer","Quantity":1,"LeadTime":86400000000000}],`+
		`"Short":0,"Unknown":false,"NextArrival":"0001-01-01T00:00:00Z"}]}}`), &r))
	assert.Equal(t, stock.FulfilmentPlan{Lines: []stock.LinePlan{{LineID: "L0001", SKU: "LAMP-ARC", Quantity: 2, Allocations: []stock.Allocation{
		{LocationID: "lyon-bellecour", Mode: channel.CarryOut, Quantity: 1},
		{LocationID: "lyon-part-dieu", Mode: channel.Transfer, Quantity: 1, LeadTime: 24 * time.Hour},
	}}}}, r.Plan)
}

// A lead time travels as seconds exact to the nanosecond. An integer of at
// least 10⁹ is the nanoseconds the previous version wrote; 10⁹ seconds or
// more are therefore written with a decimal point.
func TestBasketJSONLeadSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		text string
	}{
		{0, "0"},
		{2 * time.Hour, "7200"},
		{500 * time.Millisecond, "0.5"},
		{999_999_999 * time.Second, "999999999"},
		{1_000_000_000 * time.Second, "1000000000.0"},
		{-1_000_000_000 * time.Second, "-1000000000.0"},
		{time.Duration(math.MaxInt64), "9223372036.854775807"},
		{time.Duration(math.MinInt64), "-9223372036.854775808"},
	} {
		fo := legacyFulfilmentOrder()
		fo.LeadTime = tt.d
		got, err := json.Marshal(fo)
		require.NoError(t, err)
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(got, &fields))
		assert.Equal(t, tt.text, string(fields["lead_time_seconds"]))
		var back basket.FulfilmentOrder
		require.NoError(t, json.Unmarshal(got, &back))
		assert.Equal(t, tt.d, back.LeadTime, tt.text)
	}
	for text, want := range map[string]time.Duration{
		"1000000000":          time.Second, // nanoseconds, as written before
		"172800000000000":     48 * time.Hour,
		"9223372036854775807": math.MaxInt64,
		"999999999":           999_999_999 * time.Second,
		"1000000000.5":        1_000_000_000*time.Second + 500*time.Millisecond,
	} {
		var f basket.FulfilmentOrder
		require.NoError(t, json.Unmarshal([]byte(`{"mode":"transfer","lead_time_seconds":`+text+`}`), &f), text)
		assert.Equal(t, want, f.LeadTime, text)
	}
	for _, bad := range []string{`"60"`, `6e1`, `0.0000000001`, `9223372036.854775808`, `99999999999999999999`, `true`} {
		var f basket.FulfilmentOrder
		assert.Error(t, json.Unmarshal([]byte(`{"lead_time_seconds":`+bad+`}`), &f), bad)
	}
}

// legacyOptions is basket.Options untagged, as the version before the
// JSON tags encoded it (it had these three fields only).
type legacyOptions struct {
	Policy      basket.Policy
	TaxRounding pricing.TaxRounding
	Rounding    pricing.RoundingMode
}

func TestBasketJSONLegacyRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		o := basket.Options{
			Policy:      rapid.SampledFrom([]basket.Policy{basket.TargetPrice, basket.PriceProtection}).Draw(t, "policy"),
			TaxRounding: pricing.TaxRounding(rapid.Uint8().Draw(t, "tax rounding")),
			Rounding:    pricing.RoundingMode(rapid.Uint8().Draw(t, "rounding")),
		}
		for _, doc := range []any{o, legacyOptions{Policy: o.Policy, TaxRounding: o.TaxRounding, Rounding: o.Rounding}} {
			data, err := json.Marshal(doc)
			require.NoError(t, err)
			var back basket.Options
			require.NoError(t, json.Unmarshal(data, &back), "%s", data)
			require.Equal(t, o, back, "%s", data)
		}

		f := legacyFulfilmentOrder()
		f.LeadTime = time.Duration(rapid.Int64().Draw(t, "lead time"))
		data, err := json.Marshal(f)
		require.NoError(t, err)
		var back basket.FulfilmentOrder
		require.NoError(t, json.Unmarshal(data, &back), "%s", data)
		require.Equal(t, f, back, "%s", data)

		// As written before: nanoseconds, for the lead times that exist
		// (none, or a second or more).
		if f.LeadTime != 0 && (f.LeadTime < time.Second && f.LeadTime > -time.Second) {
			return
		}
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(data, &fields))
		fields["lead_time_seconds"], _ = json.Marshal(int64(f.LeadTime))
		old, err := json.Marshal(fields)
		require.NoError(t, err)
		var fromOld basket.FulfilmentOrder
		require.NoError(t, json.Unmarshal(old, &fromOld), "%s", old)
		require.Equal(t, f, fromOld, "%s", old)
	})
}

// FuzzBasketLegacyJSON: decoding options or a fulfilment order, in the
// form written now or before, never panics; what it accepts encodes, and
// reads back to the same encoding.
func FuzzBasketLegacyJSON(f *testing.F) {
	order, _ := json.Marshal(legacyFulfilmentOrder())
	f.Add(false, order)
	f.Add(false, []byte(`{"id":"F1","mode":"transfer","status":"open","lead_time_seconds":86400000000000}`))
	f.Add(false, []byte(`{"lead_time_seconds":1000000000.0}`))
	f.Add(true, []byte(`{"policy":"price-protection","tax_rounding":1,"rounding":1}`))
	f.Add(true, []byte(`{"Policy":"price-protection","TaxRounding":1,"Rounding":1}`))
	f.Fuzz(func(t *testing.T, options bool, data []byte) {
		mk := func() any { return new(basket.FulfilmentOrder) }
		if options {
			mk = func() any { return new(basket.Options) }
		}
		v := mk()
		if json.Unmarshal(data, v) != nil {
			return
		}
		if fo, ok := v.(*basket.FulfilmentOrder); ok && fo.Status == 0 {
			return // no command records it, and its name ("fulfilment-status(0)") is not read
		}
		first, err := json.Marshal(v)
		if err != nil {
			return // a value no command records: an unknown mode
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
