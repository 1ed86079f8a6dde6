package httpapi

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// schema is a JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1),
// reduced to the keywords the generator writes.
type schema struct {
	Ref             string   `json:"$ref,omitempty"`
	Type            any      `json:"type,omitempty"` // a name, or a list of names with "null"
	Format          string   `json:"format,omitempty"`
	ContentEncoding string   `json:"contentEncoding,omitempty"`
	Description     string   `json:"description,omitempty"`
	Enum            []string `json:"enum,omitempty"`
	Pattern         string   `json:"pattern,omitempty"`
	Minimum         *int64   `json:"minimum,omitempty"`
	MinLength       *int     `json:"minLength,omitempty"`
	MaxLength       *int     `json:"maxLength,omitempty"`
	MinItems        *int     `json:"minItems,omitempty"`
	MaxItems        *int     `json:"maxItems,omitempty"`
	Items           *schema  `json:"items,omitempty"`
	// Properties are in the order encoding/json writes them.
	Properties properties `json:"properties,omitempty"`
	Required   []string   `json:"required,omitempty"`
	// AdditionalProperties is false (a struct: no other member) or the
	// schema of a map's values.
	AdditionalProperties any `json:"additionalProperties,omitempty"`
	// PropertyNames is the schema of a map's keys when they are not
	// any string (an enumeration).
	PropertyNames *schema   `json:"propertyNames,omitempty"`
	AnyOf         []*schema `json:"anyOf,omitempty"`

	// to is the Go type whose component this schema refers to; Ref is
	// set from it once every component is known and named.
	to reflect.Type
}

type property struct {
	name string
	s    *schema
}

// properties keep their order in JSON, so the document reads like the
// Go types it describes.
type properties []property

func (ps properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		name, err := json.Marshal(p.name)
		if err != nil {
			return nil, err
		}
		body, err := json.Marshal(p.s)
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(body)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// SchemaError reports a Go type the OpenAPI document cannot describe: a
// type with its own JSON or text marshaler that the schema overrides do
// not list (its JSON cannot be known by reflection), or a type
// encoding/json cannot encode. [New] fails with it, so that a route
// answering such a type is caught by the first test that builds an API.
type SchemaError struct {
	Type reflect.Type
	// Path is where the type was reached: "basket.Basket.result.lines[]".
	Path   string
	Reason string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("httpapi: the OpenAPI schema of %s (at %s): %s", e.Type, e.Path, e.Reason)
}

// nulls says when a value of a type encodes as JSON null.
type nulls uint8

const (
	nullNever nulls = iota
	// nullWhenNil: a nil pointer, slice, map or interface; omitempty and
	// omitzero leave it out.
	nullWhenNil
	// nullWhenZero: the type's marshaler writes null for its zero value
	// (pricing.Money); omitzero leaves it out.
	nullWhenZero
	// nullAlways: null may appear whatever the field's options (a
	// non-nil pointer to a value that encodes as null).
	nullAlways
)

// An override is the schema of a type that marshals itself: reflection
// sees its Go fields, not its JSON, so each such type is described here
// by hand, from how its MarshalJSON or MarshalText writes it.
type override struct {
	// component names the schema in components/schemas instead of
	// writing it inline where it is used.
	component bool
	// zeroNull: the zero value encodes as null.
	zeroNull bool
	build    func(g *schemaGen) (*schema, error)
}

// decimalPattern is a decimal amount as Money and UnitPrice write it.
const decimalPattern = `^-?[0-9]+(\.[0-9]+)?$`

// overrides lists every type reachable from the API's bodies that has its
// own marshaler. A type with a marshaler missing here makes the document,
// hence [New], fail with a [*SchemaError] naming it: add it here with the
// JSON its marshaler writes (an enumeration with textEnum). Types whose
// JSON is not for the wire (basket.CheckInRequest, which redacts its
// token; handoff's keys and secrets) are left out on purpose.
func overrides() map[reflect.Type]override {
	return map[reflect.Type]override{
		reflect.TypeFor[time.Time](): {build: func(*schemaGen) (*schema, error) {
			return &schema{Type: "string", Format: "date-time"}, nil
		}},
		reflect.TypeFor[uuid.UUID](): {build: func(*schemaGen) (*schema, error) {
			return &schema{Type: "string", Format: "uuid"}, nil
		}},
		// Any JSON value, null when nil.
		reflect.TypeFor[json.RawMessage](): {build: func(*schemaGen) (*schema, error) { return anyJSON(), nil }},

		reflect.TypeFor[pricing.Money](): {component: true, zeroNull: true, build: func(*schemaGen) (*schema, error) {
			return &schema{
				Type:        "object",
				Description: "An exact amount: a decimal string with the currency's own number of decimals (JPY 0, EUR 2, KWD 3), never a JSON number.",
				Properties: properties{
					{"amount", &schema{Type: "string", Pattern: decimalPattern}},
					{"currency", currencySchema()},
				},
				Required:             []string{"amount", "currency"},
				AdditionalProperties: false,
			}, nil
		}},
		reflect.TypeFor[pricing.UnitPrice](): {component: true, zeroNull: true, build: func(*schemaGen) (*schema, error) {
			return &schema{
				Type: "object",
				Description: fmt.Sprintf("A unit price, exact to %d decimals, for per units (1 when absent): "+
					"an ordinary price reads as the Money it equals.", pricing.UnitPriceDecimals),
				Properties: properties{
					{"amount", &schema{Type: "string", Pattern: decimalPattern}},
					{"currency", currencySchema()},
					{"per", &schema{Type: "integer", Format: "int64", Minimum: ptr[int64](2)}},
				},
				Required:             []string{"amount", "currency"},
				AdditionalProperties: false,
			}, nil
		}},
		reflect.TypeFor[pricing.Rate](): {component: true, build: func(*schemaGen) (*schema, error) {
			return &schema{Type: "string", Pattern: `^[0-9]+(\.[0-9]+)?$`, Description: `A rate as a decimal factor: "0.19" is 19 %.`}, nil
		}},
		reflect.TypeFor[pricing.Currency](): {build: func(*schemaGen) (*schema, error) { return currencySchema(), nil }},
		reflect.TypeFor[catalog.GTIN](): {build: func(*schemaGen) (*schema, error) {
			return &schema{Type: "string", Pattern: `^([0-9]{14})?$`, Description: "A GTIN in its 14-digit form; empty for none."}, nil
		}},

		// A basket marshals as its plain struct (the method only pins the
		// encoding of a pointer and of a value together).
		reflect.TypeFor[basket.Basket](): {component: true, build: func(g *schemaGen) (*schema, error) {
			return g.object(reflect.TypeFor[basket.Basket]())
		}},
		reflect.TypeFor[basket.Modes](): {build: func(g *schemaGen) (*schema, error) {
			items, err := g.use(reflect.TypeFor[channel.FulfilmentMode]())
			if err != nil {
				return nil, err
			}
			return &schema{Type: "array", Items: items, Description: "A set of fulfilment modes, in mode order."}, nil
		}},
		reflect.TypeFor[basket.Change](): {component: true, build: func(g *schemaGen) (*schema, error) {
			return g.object(reflect.TypeFor[changeWire]())
		}},

		reflect.TypeFor[basket.FulfilmentOrder](): {component: true, build: func(g *schemaGen) (*schema, error) {
			return g.object(reflect.TypeFor[fulfilmentOrderWire]())
		}},
		// The stock types write their durations in seconds (a JSON number,
		// fractional only when the duration is) over their plain fields.
		reflect.TypeFor[stock.Allocation](): {component: true, build: func(g *schemaGen) (*schema, error) {
			return g.object(reflect.TypeFor[allocationWire]())
		}},
		reflect.TypeFor[stock.Location](): {component: true, build: func(g *schemaGen) (*schema, error) {
			return g.object(reflect.TypeFor[locationWire]())
		}},
		// Levels are a list sorted by SKU and location, [] when empty.
		reflect.TypeFor[stock.Levels](): {build: func(g *schemaGen) (*schema, error) {
			items, err := g.use(reflect.TypeFor[stock.Level]())
			return &schema{Type: "array", Items: items}, err
		}},

		reflect.TypeFor[channel.Kind]():            textEnum[channel.Kind](),
		reflect.TypeFor[channel.FulfilmentMode]():  textEnum[channel.FulfilmentMode](),
		reflect.TypeFor[catalog.Unit]():            textEnum[catalog.Unit](),
		reflect.TypeFor[basket.Status]():           textEnum[basket.Status](),
		reflect.TypeFor[basket.DocumentKind]():     textEnum[basket.DocumentKind](),
		reflect.TypeFor[basket.OverrideCarry]():    textEnum[basket.OverrideCarry](),
		reflect.TypeFor[basket.MergePolicy]():      textEnum[basket.MergePolicy](),
		reflect.TypeFor[basket.ChangeKind]():       textEnum[basket.ChangeKind](),
		reflect.TypeFor[basket.Policy]():           textEnum[basket.Policy](),
		reflect.TypeFor[basket.PriceBasis]():       textEnum[basket.PriceBasis](),
		reflect.TypeFor[basket.ActorKind]():        textEnum[basket.ActorKind](),
		reflect.TypeFor[basket.FulfilmentStatus](): textEnum[basket.FulfilmentStatus](),
		reflect.TypeFor[loyalty.Limit]():           textEnum[loyalty.Limit](),
		reflect.TypeFor[loyalty.State]():           textEnum[loyalty.State](),
		reflect.TypeFor[loyalty.Status]():          textEnum[loyalty.Status](),
		reflect.TypeFor[loyalty.Reason]():          textEnum[loyalty.Reason](),
		reflect.TypeFor[loyalty.RuleKind]():        textEnum[loyalty.RuleKind](),
		reflect.TypeFor[loyalty.BurnMode]():        textEnum[loyalty.BurnMode](),
		reflect.TypeFor[payment.Status]():          textEnum[payment.Status](),
		reflect.TypeFor[payment.Kind]():            textEnum[payment.Kind](),
		reflect.TypeFor[promotion.Lane]():          textEnum[promotion.Lane](),
		reflect.TypeFor[promotion.EffectKind]():    textEnum[promotion.EffectKind](),
		reflect.TypeFor[promotion.Pick]():          textEnum[promotion.Pick](),
		reflect.TypeFor[promotion.Status]():        textEnum[promotion.Status](),
		reflect.TypeFor[promotion.CouponStatus]():  textEnum[promotion.CouponStatus](),
		reflect.TypeFor[promotion.Reason]():        textEnum[promotion.Reason](),
	}
}

func currencySchema() *schema {
	return &schema{Type: "string", Pattern: "^[A-Z]{3}$", Description: "An ISO 4217 currency code."}
}

// changeWire mirrors the JSON of [basket.Change], which its MarshalJSON
// writes from an unexported type (the fields that do not apply to the
// change's kind left out, the message added). TestChangeWire holds the
// two together.
type changeWire struct {
	Kind          basket.ChangeKind `json:"kind"`
	LineID        string            `json:"line_id,omitempty"`
	SKU           string            `json:"sku,omitempty"`
	Name          string            `json:"name,omitempty"`
	Quantity      int64             `json:"quantity,omitempty"`
	OldQuantity   int64             `json:"old_quantity,omitempty"`
	Unit          catalog.Unit      `json:"unit,omitempty"`
	PromotionID   string            `json:"promotion_id,omitempty"`
	PromotionName string            `json:"promotion_name,omitempty"`
	Coupon        string            `json:"coupon,omitempty"`
	Old           *pricing.Money    `json:"old,omitempty"`
	New           *pricing.Money    `json:"new,omitempty"`
	OldPrecise    pricing.UnitPrice `json:"old_precise,omitzero"`
	NewPrecise    pricing.UnitPrice `json:"new_precise,omitzero"`
	OldRate       *pricing.Rate     `json:"old_rate,omitempty"`
	NewRate       *pricing.Rate     `json:"new_rate,omitempty"`
	OldCurrency   string            `json:"old_currency,omitempty"`
	NewCurrency   string            `json:"new_currency,omitempty"`
	Missing       int64             `json:"missing,omitempty"`
	LocationID    string            `json:"location_id,omitempty"`
	OldModes      basket.Modes      `json:"old_modes,omitempty"`
	NewModes      basket.Modes      `json:"new_modes,omitempty"`
	Detail        string            `json:"detail,omitempty"`
	Reason        string            `json:"reason,omitempty"`
	Message       string            `json:"message"`
}

// allocationWire, locationWire and fulfilmentOrderWire mirror the JSON
// of [stock.Allocation], [stock.Location] and [basket.FulfilmentOrder],
// whose MarshalJSON hide their durations behind fields of seconds the
// same way; TestWireMirrors holds them together.
type (
	fulfilmentOrderPlain basket.FulfilmentOrder
	fulfilmentOrderWire  struct {
		fulfilmentOrderPlain
		LeadTime float64 `json:"lead_time_seconds"`
	}
	allocationPlain stock.Allocation
	allocationWire  struct {
		allocationPlain
		LeadTime float64 `json:"lead_time_seconds"`
	}
	locationPlain stock.Location
	locationWire  struct {
		locationPlain
		LeadTimes map[channel.FulfilmentMode]float64 `json:"lead_times_seconds,omitzero"`
	}
)

// enumValue is an enumeration that marshals by name.
type enumValue interface {
	~uint8 | ~uint16 | ~int8 | ~int16
	encoding.TextMarshaler
}

// textEnum describes an integer enumeration marshalled by name. Its names
// are not typed here but found by asking the type: every value that
// marshals to a name which unmarshals back to the same value, in value
// order.
func textEnum[E enumValue, P interface {
	*E
	encoding.TextUnmarshaler
}]() override {
	return override{component: true, build: func(*schemaGen) (*schema, error) {
		names := enumNames[E, P]()
		if len(names) == 0 {
			return nil, fmt.Errorf("%s has no value that marshals and unmarshals back", reflect.TypeFor[E]())
		}
		return &schema{Type: "string", Enum: names}, nil
	}}
}

func enumNames[E enumValue, P interface {
	*E
	encoding.TextUnmarshaler
}]() []string {
	var names []string
	bits := min(reflect.TypeFor[E]().Bits(), 10) // no enumeration has more than 1024 values
	for i := range 1 << bits {
		v := E(i)
		text, err := v.MarshalText()
		if err != nil {
			continue
		}
		var back E
		if P(&back).UnmarshalText(text) != nil || back != v {
			continue
		}
		names = append(names, string(text))
	}
	return names
}

func ptr[T any](v T) *T { return &v }

// anyJSON allows any JSON value. It says so by listing every type rather
// than as {}: the two mean the same in JSON Schema 2020-12, but OpenAPI
// 3.0 tools, kin-openapi's fallback among them, read {} as not nullable.
func anyJSON() *schema {
	return &schema{Type: []string{"null", "boolean", "object", "array", "number", "string"}}
}

// schemaGen writes the schemas of Go types as encoding/json encodes them:
// the same fields (json tags, "-", embedded structs promoted by Go's
// rules as modified by tags), the same names, and, for each member,
// whether it is always present (required) and whether it may be null.
// Named struct types become components referred to by $ref, so that a
// recursive type ends; every struct is closed (additionalProperties
// false), so that a reply with a member its schema lacks fails the
// validation of the tests.
type schemaGen struct {
	overrides map[reflect.Type]override
	// comps are the component schemas by type, in the order reached.
	comps map[reflect.Type]*schema
	order []reflect.Type
	// refs are every reference made, to name once all components are known.
	refs []*schema
	path []string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{overrides: overrides(), comps: map[reflect.Type]*schema{}}
}

// root is the schema of a whole body of type t: a pointer is followed, and
// null is not allowed (no operation answers null).
func (g *schemaGen) root(t reflect.Type) (*schema, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	g.path = []string{t.String()}
	s, _, err := g.value(t)
	return s, err
}

// use is the schema of a value of t where null is not expected.
func (g *schemaGen) use(t reflect.Type) (*schema, error) {
	s, _, err := g.value(t)
	return s, err
}

func (g *schemaGen) fail(t reflect.Type, format string, args ...any) error {
	return &SchemaError{Type: t, Path: strings.Join(g.path, ""), Reason: fmt.Sprintf(format, args...)}
}

// marshals reports whether encoding/json calls a method of t (or of *t,
// when the value is addressable) instead of reflecting it.
func marshals(t reflect.Type) (string, bool) {
	for _, m := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
		if t.Implements(m) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(m)) {
			return m.String(), true
		}
	}
	return "", false
}

// value returns the schema of the values of t, without null, and when a
// value of t encodes as null.
func (g *schemaGen) value(t reflect.Type) (*schema, nulls, error) {
	if o, ok := g.overrides[t]; ok {
		s, err := g.overridden(t, o)
		n := nullNever
		if o.zeroNull {
			n = nullWhenZero
		}
		return s, n, err
	}
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if m, ok := marshals(t); ok {
			return nil, 0, g.fail(t, "it implements %s, so its JSON cannot be found by reflection; "+
				"describe it in the overrides of adapters/httpapi/schema.go", m)
		}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &schema{Type: "boolean"}, nullNever, nil
	case reflect.Int, reflect.Int64:
		return &schema{Type: "integer", Format: "int64"}, nullNever, nil
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return &schema{Type: "integer", Format: "int32"}, nullNever, nil
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uintptr:
		return &schema{Type: "integer", Format: "int64", Minimum: ptr[int64](0)}, nullNever, nil
	case reflect.Uint8, reflect.Uint16:
		return &schema{Type: "integer", Format: "int32", Minimum: ptr[int64](0)}, nullNever, nil
	case reflect.Float32, reflect.Float64:
		return &schema{Type: "number"}, nullNever, nil
	case reflect.String:
		return &schema{Type: "string"}, nullNever, nil
	case reflect.Interface:
		return anyJSON(), nullWhenNil, nil
	case reflect.Pointer:
		s, n, err := g.value(t.Elem())
		if n != nullNever {
			return s, nullAlways, err
		}
		return s, nullWhenNil, err
	case reflect.Slice:
		if e := t.Elem(); e.Kind() == reflect.Uint8 {
			if _, ok := marshals(e); !ok {
				return &schema{Type: "string", ContentEncoding: "base64"}, nullWhenNil, nil
			}
		}
		items, err := g.element(t.Elem(), "[]")
		return &schema{Type: "array", Items: items}, nullWhenNil, err
	case reflect.Array:
		items, err := g.element(t.Elem(), "[]")
		return &schema{Type: "array", Items: items, MinItems: ptr(t.Len()), MaxItems: ptr(t.Len())}, nullNever, err
	case reflect.Map:
		k := t.Key()
		_, text := marshals(k)
		switch k.Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		default:
			if !text {
				return nil, 0, g.fail(t, "encoding/json cannot encode a map keyed by %s", k)
			}
		}
		s := &schema{Type: "object"}
		switch _, listed := g.overrides[k]; {
		case k.Kind() == reflect.String: // written as is, whatever its methods
		case text && listed:
			names, err := g.use(k)
			if err != nil {
				return nil, 0, err
			}
			s.PropertyNames = names
		case text:
			return nil, 0, g.fail(k, "it is a map key that implements encoding.TextMarshaler; describe it in the overrides of adapters/httpapi/schema.go")
		default:
			s.PropertyNames = &schema{Type: "string", Pattern: "^-?[0-9]+$"}
		}
		values, err := g.element(t.Elem(), "{}")
		s.AdditionalProperties = values
		return s, nullWhenNil, err
	case reflect.Struct:
		if t.Name() == "" {
			s, err := g.object(t)
			return s, nullNever, err
		}
		s, err := g.ref(t, func() (*schema, error) { return g.object(t) })
		return s, nullNever, err
	}
	return nil, 0, g.fail(t, "encoding/json cannot encode a %s", t.Kind())
}

// element is the schema of an array item or map value: never left out, so
// null whenever its type can encode null.
func (g *schemaGen) element(t reflect.Type, step string) (*schema, error) {
	g.path = append(g.path, step)
	defer func() { g.path = g.path[:len(g.path)-1] }()
	s, n, err := g.value(t)
	if err != nil {
		return nil, err
	}
	if n != nullNever {
		s = orNull(s)
	}
	return s, nil
}

func (g *schemaGen) overridden(t reflect.Type, o override) (*schema, error) {
	if !o.component {
		return o.build(g)
	}
	return g.ref(t, func() (*schema, error) { return o.build(g) })
}

// ref returns a reference to the component of t, building the component
// the first time it is reached.
func (g *schemaGen) ref(t reflect.Type, build func() (*schema, error)) (*schema, error) {
	r := &schema{to: t}
	g.refs = append(g.refs, r)
	if _, ok := g.comps[t]; ok {
		return r, nil
	}
	c := &schema{} // reserved first: a recursive reference ends here
	g.comps[t] = c
	g.order = append(g.order, t)
	s, err := build()
	if err != nil {
		return nil, err
	}
	*c = *s
	return r, nil
}

// field is a member of a struct's JSON, found as encoding/json finds it.
type field struct {
	name      string
	tagged    bool
	index     []int
	typ       reflect.Type // the member's type as declared
	omitEmpty bool
	omitZero  bool
	quoted    bool
	// viaPointer: reached through an embedded pointer, left out when the
	// pointer is nil.
	viaPointer bool
}

// jsonFields returns the members of a struct in encoding order. It follows
// encoding/json's typeFields: breadth-first through embedded structs,
// the shallowest name winning, a tagged name beating an untagged one at
// the same depth, and a name both ways ambiguous dropped.
func jsonFields(t reflect.Type) []field {
	type level struct {
		typ        reflect.Type
		index      []int
		viaPointer bool
	}
	var fields []field
	next := []level{{typ: t}}
	var count, nextCount map[reflect.Type]int
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		next = nil
		count, nextCount = nextCount, map[reflect.Type]int{}
		for _, f := range current {
			if visited[f.typ] {
				continue
			}
			visited[f.typ] = true
			for i := range f.typ.NumField() {
				sf := f.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTagName(name) {
					name = ""
				}
				index := append(slices.Clone(f.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				has := func(o string) bool { return slices.Contains(strings.Split(opts, ","), o) }
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					quoted := false
					if has("string") {
						switch ft.Kind() {
						case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
							reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
							reflect.Float32, reflect.Float64, reflect.String:
							quoted = true
						}
					}
					fl := field{name: name, tagged: name != "", index: index, typ: sf.Type,
						omitEmpty: has("omitempty"), omitZero: has("omitzero"), quoted: quoted, viaPointer: f.viaPointer}
					if fl.name == "" {
						fl.name = sf.Name
					}
					fields = append(fields, fl)
					if count[f.typ] > 1 {
						fields = append(fields, fl) // a duplicate, so that the name is dropped below
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index, viaPointer: f.viaPointer || sf.Type.Kind() == reflect.Pointer})
				}
			}
		}
	}
	slices.SortFunc(fields, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := cmp.Compare(len(a.index), len(b.index)); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var out []field
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		same := fields[i:j]
		// The first is dominant unless a second is as shallow and as tagged.
		if len(same) == 1 || len(same[0].index) != len(same[1].index) || same[0].tagged != same[1].tagged {
			out = append(out, same[0])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b field) int { return slices.Compare(a.index, b.index) })
	return out
}

// validTagName is encoding/json's isValidTag.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// object is the closed object schema of struct t's members.
func (g *schemaGen) object(t reflect.Type) (*schema, error) {
	s := &schema{Type: "object", AdditionalProperties: false}
	for _, f := range jsonFields(t) {
		g.path = append(g.path, "."+f.name)
		m, err := g.member(f)
		g.path = g.path[:len(g.path)-1]
		if err != nil {
			return nil, err
		}
		s.Properties = append(s.Properties, property{f.name, m})
		// Always written unless omitzero, omitempty on a type it can
		// leave out, or a nil embedded pointer can drop it.
		if !f.viaPointer && !f.omitZero && (!f.omitEmpty || !emptiable(f.typ)) {
			s.Required = append(s.Required, f.name)
		}
	}
	return s, nil
}

// member is the schema of a struct member, null included when a value
// that is written (not left out by omitempty or omitzero) can be null.
func (g *schemaGen) member(f field) (*schema, error) {
	if f.quoted {
		s := &schema{Type: "string"}
		if f.typ.Kind() == reflect.Pointer && !f.omitEmpty && !f.omitZero {
			s = orNull(s)
		}
		return s, nil
	}
	s, n, err := g.value(f.typ)
	if err != nil {
		return nil, err
	}
	nullable := false
	switch n {
	case nullWhenNil:
		nullable = !f.omitEmpty && !f.omitZero
	case nullWhenZero:
		nullable = !f.omitZero && !(f.omitEmpty && emptiable(f.typ))
	case nullAlways:
		nullable = true
	}
	if nullable {
		s = orNull(s)
	}
	return s, nil
}

// emptiable reports whether omitempty can leave a value of t out:
// encoding/json's isEmptyValue is false for every struct and for an
// array that has elements.
func emptiable(t reflect.Type) bool {
	return t.Kind() != reflect.Struct && !(t.Kind() == reflect.Array && t.Len() > 0)
}

// orNull allows null besides s.
func orNull(s *schema) *schema {
	if s.to == nil && s.Ref == "" && len(s.Enum) == 0 && len(s.AnyOf) == 0 {
		switch v := s.Type.(type) {
		case []string:
			if slices.Contains(v, "null") {
				return s
			}
		case string:
			c := *s
			c.Type = []string{v, "null"}
			return &c
		}
	}
	return &schema{AnyOf: []*schema{s, {Type: "null"}}}
}

// components names every component and resolves the references to them.
// A type's name is its Go name ("Basket", generics with their arguments:
// "PageEvent"); names two types share are prefixed with their packages'
// ("BasketStatus", "PaymentStatus"), but for the one this package
// defines: the request bodies are the API's own words ("Exchange", beside
// "BasketExchange").
func (g *schemaGen) components() (map[string]*schema, error) {
	byBase := map[string][]reflect.Type{}
	for _, t := range g.order {
		b := baseName(t)
		byBase[b] = append(byBase[b], t)
	}
	names := map[reflect.Type]string{}
	taken := map[string]reflect.Type{}
	own := reflect.TypeFor[Problem]().PkgPath()
	for _, t := range g.order {
		name := baseName(t)
		if clash := byBase[name]; len(clash) > 1 {
			mine := slices.IndexFunc(clash, func(c reflect.Type) bool { return c.PkgPath() == own })
			if t.PkgPath() != own || slices.IndexFunc(clash[mine+1:], func(c reflect.Type) bool { return c.PkgPath() == own }) >= 0 {
				name = upperFirst(path.Base(t.PkgPath())) + name
			}
		}
		if other, ok := taken[name]; ok {
			return nil, &SchemaError{Type: t, Path: name, Reason: fmt.Sprintf("its component name is also the name of %s", other)}
		}
		taken[name], names[t] = t, name
	}
	out := make(map[string]*schema, len(names))
	for t, name := range names {
		out[name] = g.comps[t]
	}
	for _, r := range g.refs {
		r.Ref = "#/components/schemas/" + names[r.to]
	}
	return out, nil
}

// baseName is a type's Go name fit for a component: "Page[…basket.Event]"
// is "PageEvent".
func baseName(t reflect.Type) string {
	name, args, generic := strings.Cut(t.Name(), "[")
	if generic {
		for _, a := range strings.Split(strings.TrimSuffix(args, "]"), ",") {
			a = a[strings.LastIndexAny(a, "./")+1:]
			name += upperFirst(strings.Map(func(r rune) rune {
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					return r
				}
				return -1
			}, a))
		}
	}
	return name
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
