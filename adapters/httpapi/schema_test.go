package httpapi

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The types of the generator's examples: each member shows one rule of
// encoding/json.
type (
	sample struct {
		Plain   string    `json:"plain"`
		Omitted string    `json:"omitted,omitempty"`
		Zeroed  time.Time `json:"zeroed,omitzero"`
		Skipped string    `json:"-"`
		//lint:ignore SA5008 the name "-" is what encoding/json makes of this tag, and what the test checks
		Dash       string                           `json:"-,"`
		Untagged   int32                            // its Go name, required
		Quoted     int64                            `json:"quoted,string"`
		Ptr        *int                             `json:"ptr"`
		PtrOmitted *int                             `json:"ptr_omitted,omitempty"`
		Slice      []string                         `json:"slice"`
		SliceOmit  []string                         `json:"slice_omit,omitempty"`
		Bytes      []byte                           `json:"bytes"`
		Array      [2]uint8                         `json:"array"`
		Map        map[string]bool                  `json:"map"`
		IntMap     map[int]string                   `json:"int_map,omitempty"`
		ModeMap    map[channel.FulfilmentMode]int64 `json:"mode_map,omitempty"`
		Raw        json.RawMessage                  `json:"raw"`
		Any        any                              `json:"any"`
		ID         uuid.UUID                        `json:"id"`
		Struct     inner                            `json:"struct,omitempty"` // omitempty leaves no struct out
		Anonymous  struct {
			A bool `json:"a"`
		} `json:"anonymous"`
		Float float64 `json:"float"`
		Uint  uint16  `json:"uint"`
	}
	inner struct {
		N int `json:"n"`
	}

	// embedding promotes Base's members, drops the name both Base and
	// Extra tag at the same depth, and makes Extra's members optional
	// (a nil *Extra leaves them out); its own Shadow hides Base's.
	embedding struct {
		Base
		*Extra
		Shadow string `json:"shadow"`
		Named  Base   `json:"named"`
	}
	Base struct {
		ID     string `json:"id"`
		Note   string `json:"note"`
		Shadow int    `json:"shadow"`
	}
	Extra struct {
		Note string `json:"note"`
		More int    `json:"more"`
	}

	// node is recursive: its component refers to itself.
	node struct {
		Name     string `json:"name"`
		Children []node `json:"children,omitempty"`
		Parent   *node  `json:"parent,omitempty"`
	}

	// moneys shows when a type that encodes its zero as null may be null.
	moneys struct {
		Plain      pricing.Money     `json:"plain"`
		Omitempty  pricing.Money     `json:"omitempty,omitempty"` // a struct: not left out
		Omitzero   pricing.Money     `json:"omitzero,omitzero"`
		Pointer    *pricing.Money    `json:"pointer,omitempty"` // non-nil to a zero Money: null
		Precise    pricing.UnitPrice `json:"precise,omitzero"`
		Rate       pricing.Rate      `json:"rate"`
		Kind       channel.Kind      `json:"kind"`
		KindOrNone *channel.Kind     `json:"kind_or_none"`
	}

	// marshalsItself is a type with its own JSON the overrides do not know.
	marshalsItself struct{ secret string }
	holdsUnknown   struct {
		Inner []marshalsItself `json:"inner"`
	}
	textKey        struct{ k string }
	holdsTextKeyed struct {
		M map[textKey]int `json:"m"`
	}
	holdsChan struct {
		C chan int `json:"c"`
	}
)

func (m marshalsItself) MarshalJSON() ([]byte, error) { return json.Marshal(m.secret) }
func (k textKey) MarshalText() ([]byte, error)        { return []byte(k.k), nil }

// generated is a type's schema and the components it refers to.
type generated struct {
	root  *schema
	comps map[string]*schema
}

func generate(t testing.TB, typ reflect.Type) generated {
	t.Helper()
	g := newSchemaGen()
	root, err := g.root(typ)
	require.NoError(t, err)
	comps, err := g.components()
	require.NoError(t, err)
	return generated{root, comps}
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// component returns the component a root $ref names.
func (g generated) component(t testing.TB) *schema {
	t.Helper()
	name, ok := strings.CutPrefix(g.root.Ref, "#/components/schemas/")
	require.True(t, ok, "the root is not a reference: %s", jsonOf(t, g.root))
	require.Contains(t, g.comps, name)
	return g.comps[name]
}

func propertyOf(t testing.TB, s *schema, name string) *schema {
	t.Helper()
	for _, p := range s.Properties {
		if p.name == name {
			return p.s
		}
	}
	require.Failf(t, "no such property", "%q in %s", name, jsonOf(t, s))
	return nil
}

func names(s *schema) []string {
	var out []string
	for _, p := range s.Properties {
		out = append(out, p.name)
	}
	return out
}

func TestSchemaFollowsEncodingJSON(t *testing.T) {
	s := generate(t, reflect.TypeFor[sample]()).component(t)
	assert.Equal(t, []string{"plain", "omitted", "zeroed", "-", "Untagged", "quoted", "ptr", "ptr_omitted", "slice", "slice_omit",
		"bytes", "array", "map", "int_map", "mode_map", "raw", "any", "id", "struct", "anonymous", "float", "uint"}, names(s),
		"members in declaration order, skipped and unexported ones left out")
	assert.Equal(t, []string{"plain", "-", "Untagged", "quoted", "ptr", "slice", "bytes", "array", "map", "raw", "any", "id", "struct",
		"anonymous", "float", "uint"}, s.Required, "required unless omitempty can leave them out, or omitzero")
	assert.Equal(t, false, s.AdditionalProperties, "a struct is closed")

	for _, c := range []struct{ member, want string }{
		{"plain", `{"type":"string"}`},
		{"zeroed", `{"type":"string","format":"date-time"}`},
		{"Untagged", `{"type":"integer","format":"int32"}`},
		{"quoted", `{"type":"string"}`},
		{"ptr", `{"type":["integer","null"],"format":"int64"}`},
		{"ptr_omitted", `{"type":"integer","format":"int64"}`},
		{"slice", `{"type":["array","null"],"items":{"type":"string"}}`},
		{"slice_omit", `{"type":"array","items":{"type":"string"}}`},
		{"bytes", `{"type":["string","null"],"contentEncoding":"base64"}`},
		{"array", `{"type":"array","minItems":2,"maxItems":2,"items":{"type":"integer","format":"int32","minimum":0}}`},
		{"map", `{"type":["object","null"],"additionalProperties":{"type":"boolean"}}`},
		{"int_map", `{"type":"object","additionalProperties":{"type":"string"},"propertyNames":{"type":"string","pattern":"^-?[0-9]+$"}}`},
		{"mode_map", `{"type":"object","additionalProperties":{"type":"integer","format":"int64"},"propertyNames":{"$ref":"#/components/schemas/FulfilmentMode"}}`},
		{"raw", `{"type":["null","boolean","object","array","number","string"]}`},
		{"any", `{"type":["null","boolean","object","array","number","string"]}`},
		{"id", `{"type":"string","format":"uuid"}`},
		{"struct", `{"$ref":"#/components/schemas/inner"}`},
		{"anonymous", `{"type":"object","properties":{"a":{"type":"boolean"}},"required":["a"],"additionalProperties":false}`},
		{"float", `{"type":"number"}`},
		{"uint", `{"type":"integer","format":"int32","minimum":0}`},
	} {
		t.Run(c.member, func(t *testing.T) {
			assert.JSONEq(t, c.want, jsonOf(t, propertyOf(t, s, c.member)))
		})
	}
}

func TestSchemaEmbedding(t *testing.T) {
	g := generate(t, reflect.TypeFor[embedding]())
	s := g.component(t)
	assert.Equal(t, []string{"id", "more", "shadow", "named"}, names(s),
		"Base's members promoted, note (tagged in both at one depth) dropped, Base's shadow hidden by the outer one")
	assert.Equal(t, []string{"id", "shadow", "named"}, s.Required, "more comes through a pointer a nil leaves out")
	assert.JSONEq(t, `{"type":"string"}`, jsonOf(t, propertyOf(t, s, "shadow")))
	assert.JSONEq(t, `{"$ref":"#/components/schemas/Base"}`, jsonOf(t, propertyOf(t, s, "named")))
	assert.Equal(t, []string{"id", "note", "shadow"}, names(g.comps["Base"]))
}

func TestSchemaRecursion(t *testing.T) {
	g := generate(t, reflect.TypeFor[node]())
	s := g.component(t)
	assert.JSONEq(t, `{"type":"array","items":{"$ref":"#/components/schemas/node"}}`, jsonOf(t, propertyOf(t, s, "children")))
	assert.JSONEq(t, `{"$ref":"#/components/schemas/node"}`, jsonOf(t, propertyOf(t, s, "parent")))
}

func TestSchemaNullMoney(t *testing.T) {
	g := generate(t, reflect.TypeFor[moneys]())
	s := g.component(t)
	orNullMoney := `{"anyOf":[{"$ref":"#/components/schemas/Money"},{"type":"null"}]}`
	for _, c := range []struct{ member, want string }{
		{"plain", orNullMoney}, // the zero Money encodes as null
		{"omitempty", orNullMoney},
		{"omitzero", `{"$ref":"#/components/schemas/Money"}`},
		{"pointer", orNullMoney},
		{"precise", `{"$ref":"#/components/schemas/UnitPrice"}`},
		{"rate", `{"$ref":"#/components/schemas/Rate"}`},
		{"kind", `{"$ref":"#/components/schemas/Kind"}`},
		{"kind_or_none", `{"anyOf":[{"$ref":"#/components/schemas/Kind"},{"type":"null"}]}`},
	} {
		t.Run(c.member, func(t *testing.T) {
			assert.JSONEq(t, c.want, jsonOf(t, propertyOf(t, s, c.member)))
		})
	}
	assert.Equal(t, []string{"plain", "omitempty", "rate", "kind", "kind_or_none"}, s.Required)
	assert.Equal(t, []string{"amount", "currency"}, g.comps["Money"].Required)
	assert.Equal(t, []string{"web", "app", "store", "kiosk", "call-centre", "marketplace"}, g.comps["Kind"].Enum)
}

func TestSchemaRefusesWhatItCannotKnow(t *testing.T) {
	for _, c := range []struct {
		name string
		typ  reflect.Type
		bad  reflect.Type
		path string
	}{
		{"a marshaler the overrides lack", reflect.TypeFor[holdsUnknown](), reflect.TypeFor[marshalsItself](), "httpapi.holdsUnknown.inner[]"},
		{"a text-marshalled map key the overrides lack", reflect.TypeFor[holdsTextKeyed](), reflect.TypeFor[textKey](), "httpapi.holdsTextKeyed.m"},
		{"a type encoding/json refuses", reflect.TypeFor[holdsChan](), reflect.TypeFor[chan int](), "httpapi.holdsChan.c"},
		{"a redacting marshaler not for the wire", reflect.TypeFor[basket.CheckInRequest](), reflect.TypeFor[basket.CheckInRequest](), "basket.CheckInRequest"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := newSchemaGen().root(c.typ)
			var se *SchemaError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, c.bad, se.Type)
			assert.Equal(t, c.path, se.Path)
			assert.Contains(t, err.Error(), c.bad.String())
		})
	}
}

func TestEnumNames(t *testing.T) {
	assert.Equal(t, []string{"each", "kg", "g", "m", "l"}, enumNames[catalog.Unit](), "Each, the zero value, is a unit")
	assert.Equal(t, []string{"wishlist", "cart", "quote", "ordered", "invoiced", "abandoned"}, enumNames[basket.Status]())
	assert.Equal(t, []string{"carry-out", "click-collect", "ship-to-address", "ship-from-store", "transfer"}, enumNames[channel.FulfilmentMode]())
	for typ, o := range overrides() {
		s, err := o.build(newSchemaGen())
		require.NoError(t, err, "%s", typ)
		if s.Enum == nil {
			continue
		}
		// Every name decodes to a value that marshals to it again.
		for _, name := range s.Enum {
			v := reflect.New(typ)
			require.NoError(t, v.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(name)), "%s %q", typ, name)
			back, err := v.Elem().Interface().(encoding.TextMarshaler).MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(back))
		}
	}
}

// kinSchema loads a generated schema with kin-openapi, the independent
// implementation the tests trust, and returns it resolved.
func kinSchema(t testing.TB, g generated) *openapi3.Schema {
	t.Helper()
	comps := maps.Clone(g.comps)
	comps["_root"] = g.root
	data, err := json.Marshal(map[string]any{
		"openapi": "3.1.0", "info": map[string]any{"title": "test", "version": "1"}, "paths": map[string]any{},
		"components": map[string]any{"schemas": comps},
	})
	require.NoError(t, err)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(loader.Context))
	return doc.Components.Schemas["_root"].Value
}

// visit validates a JSON document against s as the HTTP validator does.
func visit(s *openapi3.Schema, data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	return s.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.MultiErrors(),
		openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(uuidPattern)))
}

const uuidPattern = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`

// TestSchemaAcceptsWhatEncodingJSONWrites: for any value of the example
// types, what json.Marshal writes is valid under the generated schema. So
// the schema is not too strict: a member it requires is always written,
// null only where it allows it, every name it knows.
func TestSchemaAcceptsWhatEncodingJSONWrites(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[sample](), reflect.TypeFor[embedding](), reflect.TypeFor[node](), reflect.TypeFor[moneys]()} {
		t.Run(typ.Name(), func(t *testing.T) {
			s := kinSchema(t, generate(t, typ))
			rapid.Check(t, func(rt *rapid.T) {
				v := drawValue(rt, typ)
				data, err := json.Marshal(v.Addr().Interface())
				require.NoError(rt, err)
				require.NoError(rt, visit(s, data), "%s", data)
			})
		})
	}
}

// TestSchemaRefusesWhatEncodingJSONDoesNotWrite: the schema is not too
// loose either. A document json.Marshal wrote, with one member removed,
// set to null, or added, is refused exactly when encoding/json could not
// have written it.
func TestSchemaRefusesWhatEncodingJSONDoesNotWrite(t *testing.T) {
	typ := reflect.TypeFor[sample]()
	s := kinSchema(t, generate(t, typ))
	comp := generate(t, typ).component(t)
	rapid.Check(t, func(rt *rapid.T) {
		data, err := json.Marshal(drawValue(rt, typ).Addr().Interface())
		require.NoError(rt, err)
		var doc map[string]any
		require.NoError(rt, json.Unmarshal(data, &doc))
		member := rapid.SampledFrom(names(comp)).Draw(rt, "member")
		switch rapid.IntRange(0, 2).Draw(rt, "change") {
		case 0:
			if _, ok := doc[member]; !ok {
				rt.Skip("the member is not in this document")
			}
			delete(doc, member)
			err := visitValue(s, doc)
			assert.Equal(rt, slices.Contains(comp.Required, member), err != nil, "without %s: %v", member, err)
		case 1:
			doc[member] = nil
			nullable := map[string]bool{"ptr": true, "slice": true, "bytes": true, "map": true, "raw": true, "any": true,
				"ptr_omitted": false, "slice_omit": false, "int_map": false, "mode_map": false}
			err := visitValue(s, doc)
			assert.Equal(rt, nullable[member], err == nil, "%s null: %v", member, err)
		case 2:
			doc["extra_"+member] = 1
			assert.Error(rt, visitValue(s, doc), "an unknown member")
		}
	})
}

func visitValue(s *openapi3.Schema, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return visit(s, data)
}

// TestWireMirrors holds the mirrors of schema.go to the MarshalJSON they
// mirror: a value with every member set writes exactly the mirror's
// members, and validates.
func TestWireMirrors(t *testing.T) {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	precise, err := pricing.MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		v    any
		typ  reflect.Type
	}{
		{"basket.Change", basket.Change{Kind: basket.ChangeTax, LineID: "L0001", SKU: "S", Name: "N", Quantity: 2, OldQuantity: 1,
			Unit: catalog.Kilogram, PromotionID: "P", PromotionName: "PN", Coupon: "C", Old: eur("1.00"), New: eur("2.00"),
			OldPrecise: precise, NewPrecise: precise, OldRate: pricing.MustRate("0.2"), NewRate: pricing.MustRate("0.1"),
			OldCurrency: "EUR", NewCurrency: "CHF", Missing: 1, LocationID: "X", OldModes: 1 << channel.CarryOut,
			NewModes: 1<<channel.Transfer | 1<<channel.CarryOut, Detail: "D", Reason: "R"}, reflect.TypeFor[changeWire]()},
		{"stock.Allocation", stock.Allocation{LocationID: "X", Mode: channel.Transfer, Quantity: 3, LeadTime: 90*time.Minute + time.Second/2},
			reflect.TypeFor[allocationWire]()},
		{"stock.Location", stock.Location{ID: "X", Kind: 1, Modes: []channel.FulfilmentMode{channel.CarryOut},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: time.Hour}}, reflect.TypeFor[locationWire]()},
		{"basket.FulfilmentOrder", basket.FulfilmentOrder{ID: "F1", LocationID: "X", Mode: channel.ClickCollect, PickupLocationID: "Y",
			Lines: []basket.FulfilmentLine{{LineID: "L0001", SKU: "S", Name: "N", Quantity: 1}}, LeadTime: time.Hour,
			ReadyAt: time.Unix(1e9, 0).UTC(), HoldUntil: time.Unix(2e9, 0).UTC(), Status: 1, UpdatedAt: time.Unix(1e9, 0).UTC(), Reason: "R"},
			reflect.TypeFor[fulfilmentOrderWire]()},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err := json.Marshal(c.v)
			require.NoError(t, err)
			var written map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(data, &written))
			mirror, err := newSchemaGen().object(c.typ)
			require.NoError(t, err)
			assert.ElementsMatch(t, names(mirror), slices.Collect(maps.Keys(written)), "%s", data)
			g := generate(t, reflect.TypeOf(c.v))
			require.NoError(t, visit(kinSchema(t, g), data), "%s", data)
		})
	}
}

// drawValue draws any value of typ a program could hold and marshal:
// members set or zero, pointers nil or not, slices and maps nil, empty or
// not, recursion bounded; the types with their own JSON get valid values
// of their own (a Money in a real currency, an enumeration by one of its
// names from the schema generator).
func drawValue(t *rapid.T, typ reflect.Type) reflect.Value {
	d := drawer{t: t, overrides: overrides()}
	v := reflect.New(typ).Elem()
	d.fill(v, typ.String(), 0)
	return v
}

type drawer struct {
	t         *rapid.T
	overrides map[reflect.Type]override
}

const maxDrawDepth = 5

var (
	currencies = []string{"EUR", "JPY", "KWD", "CHF"}
	gtins      = []string{"4006381333931", "036000291452", "96385074", "00012345600012"}
	rawJSON    = []string{`{}`, `[1,"a",null]`, `"x"`, `null`, `{"a":{"b":[true,2.5]}}`, `-0.5`}
)

func (d *drawer) fill(v reflect.Value, label string, depth int) {
	t := d.t
	typ := v.Type()
	if d.special(v, label) {
		return
	}
	switch typ.Kind() {
	case reflect.Bool:
		v.SetBool(rapid.Bool().Draw(t, label))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		lo := int64(-1) << (typ.Bits() - 1)
		v.SetInt(rapid.Int64Range(lo, -(lo+1)).Draw(t, label))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(rapid.Uint64Range(0, uint64(1)<<typ.Bits()-1).Draw(t, label))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(rapid.Float64Range(-1e9, 1e9).Draw(t, label))
	case reflect.String:
		v.SetString(rapid.String().Draw(t, label))
	case reflect.Pointer:
		if depth < maxDrawDepth && rapid.Bool().Draw(t, label+" set") {
			p := reflect.New(typ.Elem())
			d.fill(p.Elem(), label, depth+1)
			v.Set(p)
		}
	case reflect.Slice:
		switch n := rapid.IntRange(-1, 2).Draw(t, label+" len"); {
		case n < 0 || depth >= maxDrawDepth: // nil
		default:
			s := reflect.MakeSlice(typ, n, n)
			for i := range n {
				d.fill(s.Index(i), fmt.Sprintf("%s[%d]", label, i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			d.fill(v.Index(i), fmt.Sprintf("%s[%d]", label, i), depth+1)
		}
	case reflect.Map:
		switch n := rapid.IntRange(-1, 2).Draw(t, label+" len"); {
		case n < 0 || depth >= maxDrawDepth:
		default:
			m := reflect.MakeMap(typ)
			for i := range n {
				k := reflect.New(typ.Key()).Elem()
				d.fill(k, fmt.Sprintf("%s key %d", label, i), depth+1)
				e := reflect.New(typ.Elem()).Elem()
				d.fill(e, fmt.Sprintf("%s[%d]", label, i), depth+1)
				m.SetMapIndex(k, e)
			}
			v.Set(m)
		}
	case reflect.Struct:
		for i := range typ.NumField() {
			if f := v.Field(i); f.CanSet() {
				d.fill(f, label+"."+typ.Field(i).Name, depth+1)
			}
		}
	}
	// Interfaces stay nil; channels and functions are never encoded.
}

// special draws the values of the types with their own JSON.
func (d *drawer) special(v reflect.Value, label string) bool {
	t := d.t
	set := func(x any) bool {
		v.Set(reflect.ValueOf(x))
		return true
	}
	zero := func() bool { return rapid.IntRange(0, 4).Draw(t, label+" zero") == 0 }
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		if zero() {
			return true
		}
		at := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, label), rapid.Int64Range(0, 999_999_999).Draw(t, label+" ns"))
		return set(at.In(time.FixedZone("", 3600*rapid.IntRange(-12, 14).Draw(t, label+" zone"))))
	case reflect.TypeFor[uuid.UUID]():
		var id uuid.UUID
		copy(id[:], rapid.SliceOfN(rapid.Byte(), 16, 16).Draw(t, label))
		return set(id)
	case reflect.TypeFor[json.RawMessage]():
		if zero() {
			return true
		}
		return set(json.RawMessage(rapid.SampledFrom(rawJSON).Draw(t, label)))
	case reflect.TypeFor[pricing.Currency]():
		return set(pricing.MustCurrency(rapid.SampledFrom(currencies).Draw(t, label)))
	case reflect.TypeFor[pricing.Money]():
		if zero() {
			return true
		}
		m, err := pricing.FromMinor(rapid.Int64Range(-1e12, 1e12).Draw(t, label), pricing.MustCurrency(rapid.SampledFrom(currencies).Draw(t, label+" currency")))
		require.NoError(t, err)
		return set(m)
	case reflect.TypeFor[pricing.UnitPrice]():
		if zero() {
			return true
		}
		amount := fmt.Sprintf("%d.%06d", rapid.Int64Range(0, 1e6).Draw(t, label), rapid.IntRange(0, 999_999).Draw(t, label+" decimals"))
		u, err := pricing.ParseUnitPrice(amount, rapid.SampledFrom(currencies).Draw(t, label+" currency"))
		require.NoError(t, err)
		u, err = u.WithPer(rapid.Int64Range(1, pricing.MaxPer).Draw(t, label+" per"))
		require.NoError(t, err)
		return set(u)
	case reflect.TypeFor[pricing.Rate]():
		return set(pricing.MustRate(fmt.Sprintf("0.%04d", rapid.IntRange(0, 9999).Draw(t, label))))
	case reflect.TypeFor[catalog.GTIN]():
		if zero() {
			return true
		}
		return set(catalog.MustGTIN(rapid.SampledFrom(gtins).Draw(t, label)))
	case reflect.TypeFor[basket.Modes]():
		return set(basket.Modes(rapid.Uint32Range(0, 31).Draw(t, label) << 1)) // bits 1 … 5, the modes
	case reflect.TypeFor[stock.Levels]():
		var list []stock.Level
		for i := range rapid.IntRange(0, 3).Draw(t, label+" len") {
			list = append(list, stock.Level{SKU: fmt.Sprint("S", i), LocationID: "X", OnHand: rapid.Int64Range(0, 100).Draw(t, label+" on hand")})
		}
		levels, err := stock.NewLevels(list)
		require.NoError(t, err)
		return set(levels)
	}
	o, ok := d.overrides[v.Type()]
	if !ok {
		return false
	}
	s, err := o.build(newSchemaGen())
	require.NoError(t, err)
	if s.Enum == nil {
		return false // described over its own struct (Basket, Change …): drawn member by member
	}
	name := rapid.SampledFrom(s.Enum).Draw(t, label)
	require.NoError(t, v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(name)))
	return true
}

// TestSchemaErrorNamesTheType: the error of New says what to do.
func TestSchemaErrorNamesTheType(t *testing.T) {
	_, err := newSchemaGen().root(reflect.TypeFor[holdsUnknown]())
	require.Error(t, err)
	assert.Equal(t, "httpapi: the OpenAPI schema of httpapi.marshalsItself (at httpapi.holdsUnknown.inner[]): it implements "+
		"json.Marshaler, so its JSON cannot be found by reflection; describe it in the overrides of adapters/httpapi/schema.go", err.Error())
}
