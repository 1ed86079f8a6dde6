package channel

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func storeContext() Context {
	return Context{
		ChannelID: "store-paris-01", Kind: Store, LocationID: "paris-01", Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: []string{"store-paris-01", "fr", "default"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{"paris-01", "paris-02", "wh-lille"},
		FulfilmentModes: []FulfilmentMode{CarryOut, ClickCollect, Transfer, ShipToAddress},
		AsOf:            time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
}

func TestValidate(t *testing.T) {
	require.NoError(t, storeContext().Validate())
	tests := []struct {
		field  string
		mutate func(*Context)
	}{
		{"ChannelID", func(c *Context) { c.ChannelID = "" }},
		{"Kind", func(c *Context) { c.Kind = 0 }},
		{"LocationID", func(c *Context) { c.LocationID = "" }},
		{"Country", func(c *Context) { c.Country = "fr" }},
		{"Currency", func(c *Context) { c.Currency = "EURO" }},
		{"PriceLists", func(c *Context) { c.PriceLists = nil }},
		{"PriceLists[1]", func(c *Context) { c.PriceLists = []string{"a", "a"} }},
		{"PriceLists[0]", func(c *Context) { c.PriceLists = []string{""} }},
		{"TaxZone", func(c *Context) { c.TaxZone = "" }},
		{"StockSources[2]", func(c *Context) { c.StockSources = []string{"a", "b", "a"} }},
		{"FulfilmentModes", func(c *Context) { c.FulfilmentModes = nil }},
		{"FulfilmentModes[1]", func(c *Context) { c.FulfilmentModes = []FulfilmentMode{CarryOut, CarryOut} }},
		{"FulfilmentModes[0]", func(c *Context) { c.FulfilmentModes = []FulfilmentMode{42} }},
		{"AsOf", func(c *Context) { c.AsOf = time.Time{} }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			c := storeContext()
			tt.mutate(&c)
			err := c.Validate()
			require.ErrorIs(t, err, ErrInvalid)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tt.field, fe.Field)
		})
	}
	web := storeContext()
	web.Kind, web.LocationID = Web, ""
	assert.NoError(t, web.Validate(), "a web channel needs no location")
}

func TestFingerprint(t *testing.T) {
	a := storeContext()
	b := a.Clone()
	assert.Equal(t, a.Fingerprint(), b.Fingerprint())
	assert.Len(t, a.Fingerprint(), 64)

	b.FulfilmentModes = []FulfilmentMode{ShipToAddress, Transfer, ClickCollect, CarryOut}
	assert.Equal(t, a.Fingerprint(), b.Fingerprint(), "modes are a set")

	b.AsOf = a.AsOf.In(time.FixedZone("CET", 3600))
	assert.Equal(t, a.Fingerprint(), b.Fingerprint(), "the same instant in another zone")

	changes := []func(*Context){
		func(c *Context) { c.PriceLists = []string{"fr", "store-paris-01", "default"} },
		func(c *Context) { c.StockSources = []string{"paris-02", "paris-01", "wh-lille"} },
		func(c *Context) { c.CustomerGroup = "staff" },
		func(c *Context) { c.PricesIncludeTax = false },
		func(c *Context) { c.AsOf = c.AsOf.Add(time.Nanosecond) },
		// Concatenation must not collide: ("ab","c") vs ("a","bc").
		func(c *Context) { c.PriceLists = []string{"store-paris-01f", "r", "default"} },
	}
	for i, change := range changes {
		c := a.Clone()
		change(&c)
		assert.NotEqual(t, a.Fingerprint(), c.Fingerprint(), "change %d", i)
	}

	b = a.Clone()
	b.PriceLists[0] = "mutated"
	assert.Equal(t, "store-paris-01", a.PriceLists[0], "Clone is deep")
}

func TestJSONRoundTrip(t *testing.T) {
	a := storeContext()
	data, err := json.Marshal(a)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"kind":"store"`)
	assert.Contains(t, string(data), `"carry-out"`)
	var back Context
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, a.Fingerprint(), back.Fingerprint())
	assert.Error(t, json.Unmarshal([]byte(`{"kind":"shop"}`), &back))
	assert.Error(t, json.Unmarshal([]byte(`{"fulfilment_modes":["teleport"]}`), &back))
}

func TestAllowsAndSameChannel(t *testing.T) {
	a := storeContext()
	assert.True(t, a.Allows(CarryOut))
	assert.False(t, a.Allows(ShipFromStore))
	b := a.Clone()
	b.AsOf = b.AsOf.Add(time.Hour)
	assert.True(t, a.SameChannel(b))
	b.LocationID = "paris-02"
	assert.False(t, a.SameChannel(b))
}
