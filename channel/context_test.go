package channel

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
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

// Clone puts both lists of IDs in one array: appending to either list of
// the clone must write into neither the other nor the original.
func TestCloneListsAreIndependent(t *testing.T) {
	a := storeContext()
	b := a.Clone()
	require.Equal(t, a, b)
	b.PriceLists = append(b.PriceLists, "extra-list")
	b.StockSources = append(b.StockSources, "extra-source")
	b.StockSources[0] = "mutated"
	assert.Equal(t, storeContext().PriceLists, a.PriceLists)
	assert.Equal(t, storeContext().StockSources, a.StockSources)
	assert.Equal(t, append(slices.Clone(a.PriceLists), "extra-list"), b.PriceLists)
	assert.Equal(t, append([]string{"mutated"}, append(slices.Clone(a.StockSources[1:]), "extra-source")...), b.StockSources)

	// Nil stays nil and empty stays empty, with or without the other list.
	for _, tt := range []struct{ lists, sources []string }{{nil, nil}, {[]string{}, nil}, {nil, []string{}}, {[]string{"x"}, nil}, {nil, []string{"y"}}, {[]string{}, []string{"y"}}} {
		c := Context{PriceLists: tt.lists, StockSources: tt.sources}.Clone()
		assert.Equal(t, tt.lists == nil, c.PriceLists == nil, "%#v", tt)
		assert.Equal(t, tt.sources == nil, c.StockSources == nil, "%#v", tt)
		assert.Equal(t, len(tt.lists), len(c.PriceLists))
		assert.Equal(t, len(tt.sources), len(c.StockSources))
	}
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

// TestValidateCurrencyAgainstISO4217 is issue 12, item 12: the currency is
// checked against the ISO 4217 table, not only for its shape.
func TestValidateCurrencyAgainstISO4217(t *testing.T) {
	tests := []struct {
		currency string
		valid    bool
	}{
		{"EUR", true},
		{"JPY", true}, // no minor unit
		{"KWD", true}, // three decimals
		{"XCG", true}, // Caribbean guilder, 2025 amendment
		{"CHF", true},
		{"XYZ", false}, // the shape of a code, but no currency
		{"XAU", false}, // gold: a unit of account, not spendable
		{"XTS", false}, // reserved for testing
		{"eur", false},
		{"EURO", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.currency, func(t *testing.T) {
			c := storeContext()
			c.Currency = tt.currency
			err := c.Validate()
			if tt.valid {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			var fe *FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, "Currency", fe.Field)
		})
	}
}

// TestValidateQuotesAnExcerpt: a hostile megabyte in a field does not
// become a megabyte of error.
func TestValidateQuotesAnExcerpt(t *testing.T) {
	for _, field := range []string{"Country", "Currency"} {
		c := storeContext()
		huge := strings.Repeat("\x00", 1<<20)
		if field == "Country" {
			c.Country = huge
		} else {
			c.Currency = huge
		}
		err := c.Validate()
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, field, fe.Field)
		assert.Less(t, len(err.Error()), 200, field)
	}
}

// webShopper is the context of a shopper on the French web shop.
func webShopper() Context {
	return Context{
		ChannelID: "web-fr", Kind: Web, Country: "FR", Currency: "EUR", Locale: "fr-BE",
		PriceLists: []string{"web-fr", "fr", "default"}, TaxZone: "FR", PricesIncludeTax: true,
		CustomerGroup:   "members",
		StockSources:    []string{"wh-lille"},
		FulfilmentModes: []FulfilmentMode{ShipToAddress, ClickCollect},
		AsOf:            time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
}

// zurichStore is a Swiss store: every field differs from webShopper's.
func zurichStore() Context {
	return Context{
		ChannelID: "store-zurich-01", Kind: Store, LocationID: "zurich-01", Country: "CH", Currency: "CHF", Locale: "de-CH",
		PriceLists: []string{"store-zurich-01", "ch", "default"}, TaxZone: "CH", PricesIncludeTax: false,
		CustomerGroup:   "staff",
		StockSources:    []string{"zurich-01", "wh-basel"},
		FulfilmentModes: []FulfilmentMode{CarryOut, Transfer},
		AsOf:            time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC),
	}
}

func TestMoveTo(t *testing.T) {
	noLocale := webShopper()
	noLocale.Locale = ""
	noGroup := webShopper()
	noGroup.CustomerGroup = ""
	tests := []struct {
		name               string
		shopper, place     Context
		wantLocale, wantCG string
	}{
		{"check-in keeps the shopper's locale and group", webShopper(), zurichStore(), "fr-BE", "members"},
		{"a shopper without a locale reads the place's", noLocale, zurichStore(), "de-CH", "members"},
		{"the public stays the public", noGroup, zurichStore(), "fr-BE", ""},
		{"check-out back to the web", func() Context { c := zurichStore(); c.CustomerGroup = "members"; return c }(), webShopper(), "de-CH", "members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.shopper.MoveTo(tt.place)
			want := tt.place.Clone()
			want.Locale, want.CustomerGroup = tt.wantLocale, tt.wantCG
			assert.Equal(t, want, got)
			assert.Equal(t, want.Fingerprint(), got.Fingerprint())
		})
	}
}

// TestMoveToClassifiesEveryField: each field of Context is either the
// place's or the shopper's; a field added to Context without a decision
// here fails the test.
func TestMoveToClassifiesEveryField(t *testing.T) {
	shopperFields := map[string]bool{"CustomerGroup": true, "Locale": true}
	shopper, place := webShopper(), zurichStore()
	got := reflect.ValueOf(shopper.MoveTo(place))
	s, p := reflect.ValueOf(shopper), reflect.ValueOf(place)
	typ := got.Type()
	for i := 0; i < typ.NumField(); i++ {
		name := typ.Field(i).Name
		if reflect.DeepEqual(s.Field(i).Interface(), p.Field(i).Interface()) {
			t.Fatalf("test data: field %s is the same in both contexts", name)
		}
		from := p
		if shopperFields[name] {
			from = s
		}
		assert.Equal(t, from.Field(i).Interface(), got.Field(i).Interface(), "field %s", name)
	}
}

func TestMoveToSharesNoSlice(t *testing.T) {
	shopper, place := webShopper(), zurichStore()
	got := shopper.MoveTo(place)
	got.PriceLists[0] = "changed"
	got.StockSources[0] = "changed"
	got.FulfilmentModes[0] = ShipFromStore
	assert.Equal(t, zurichStore(), place, "place is unchanged")
	assert.Equal(t, webShopper(), shopper, "shopper is unchanged")
}
