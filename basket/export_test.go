package basket

import (
	"fmt"
	"reflect"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// PricedLineFieldsForTest lists every field of PricedLine, and of its
// fulfilment plan as "Fulfilment.X", by reflection: a field added later is
// listed without anyone remembering to.
func PricedLineFieldsForTest() []string {
	var out []string
	t := reflect.TypeFor[PricedLine]()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Type == reflect.TypeFor[stock.LinePlan]() {
			for j := range f.Type.NumField() {
				if n := f.Type.Field(j).Name; n != "LineID" {
					out = append(out, f.Name+"."+n)
				}
			}
			continue
		}
		// The line ID is the key of the keyed diff, not a value: a new ID
		// is a removal and an addition.
		if f.Name != "LineID" {
			out = append(out, f.Name)
		}
	}
	return out
}

// MutateFieldForTest returns a copy of r whose first line differs in the
// named field only. It panics on a field type it cannot change, so that a
// new kind of field fails the test until it is handled.
func MutateFieldForTest(r *Result, field string) *Result {
	c := *r
	c.Lines = append([]PricedLine(nil), r.Lines...)
	v := reflect.ValueOf(&c.Lines[0]).Elem()
	for _, name := range splitField(field) {
		v = v.FieldByName(name)
	}
	mutate(v)
	// The plan and the lines' fulfilment are one fact, changed together.
	c.Plan.Lines = append([]stock.LinePlan(nil), r.Plan.Lines...)
	for i := range c.Plan.Lines {
		if c.Plan.Lines[i].LineID == r.Lines[0].LineID {
			c.Plan.Lines[i] = c.Lines[0].Fulfilment
		}
	}
	return &c
}

func splitField(f string) []string {
	for i := range len(f) {
		if f[i] == '.' {
			return []string{f[:i], f[i+1:]}
		}
	}
	return []string{f}
}

func mutate(v reflect.Value) {
	switch x := v.Interface().(type) {
	case pricing.Money:
		cur := x.Currency().Code()
		if cur == "" {
			cur = "EUR"
		}
		v.Set(reflect.ValueOf(pricing.MustParse("0.01", cur)))
		if x == v.Interface().(pricing.Money) {
			v.Set(reflect.ValueOf(pricing.MustParse("0.02", cur)))
		}
	case pricing.UnitPrice:
		cur := x.Currency().Code()
		if cur == "" {
			cur = "EUR"
		}
		v.Set(reflect.ValueOf(pricing.MustParseUnitPrice("0.0125", cur)))
		if x == v.Interface().(pricing.UnitPrice) {
			v.Set(reflect.ValueOf(pricing.MustParseUnitPrice("0.0126", cur)))
		}
	case pricing.Rate:
		v.Set(reflect.ValueOf(pricing.MustRate("0.3333")))
	case pricing.PriceRef:
		x.ListID += "-other"
		v.Set(reflect.ValueOf(x))
	case []promotion.Adjustment:
		v.Set(reflect.ValueOf(append(append([]promotion.Adjustment(nil), x...), promotion.Adjustment{PromotionID: "P-NEW", Lane: promotion.Catalogue})))
	case []stock.Allocation:
		v.Set(reflect.ValueOf(append(append([]stock.Allocation(nil), x...), stock.Allocation{LocationID: "elsewhere", Mode: channel.CarryOut, Quantity: 1})))
	case time.Time:
		v.Set(reflect.ValueOf(x.Add(time.Second)))
	default:
		switch v.Kind() {
		case reflect.String:
			v.SetString(v.String() + "x")
		case reflect.Int64:
			v.SetInt(v.Int() + 1)
		case reflect.Uint8:
			v.SetUint(v.Uint() + 1)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		default:
			panic(fmt.Sprintf("MutateFieldForTest: no mutation for %s", v.Type()))
		}
	}
}

// DiffResultForTest exposes diffResult.
func DiffResultForTest(prev, next *Result) *ResultPatch { return diffResult(prev, next) }

// ApplyPatchForTest exposes ResultPatch.apply.
func ApplyPatchForTest(prev *Result, ctx channel.Context, p *ResultPatch) (*Result, error) {
	r := &Result{BasketID: prev.BasketID, Context: ctx}
	err := p.apply(prev, r)
	return r, err
}

// PlaceForTest turns a priced cart into an order as PlaceOrder does (terms
// from the snapshot, status Ordered, every fulfilment order handed over),
// without a store: the benchmarks price returns of it.
func PlaceForTest(b *Basket, snap Snapshot, opts Options, at time.Time) error {
	terms, err := termsOf(snap, b.Result, opts)
	if err != nil {
		return err
	}
	fos, err := route(b, at, OrderPolicy{}.withDefaults())
	if err != nil {
		return err
	}
	m := Meta{Actor: Actor{Kind: System, ID: "test"}, At: at}
	if _, err := b.placeOrder(m, terms); err != nil {
		return err
	}
	for _, fo := range fos {
		fo.Status = FulfilmentCollected
		if _, err := b.orderFulfilment(m, fo); err != nil {
			return err
		}
	}
	return nil
}

// RecontextualizeOnHeapForTest is [Recontextualize] with every working
// array on the heap, as a basket larger than the stack's buffers gets.
func RecontextualizeOnHeapForTest(b *Basket, target channel.Context, snap Snapshot, opts Options) (*Result, error) {
	return recontextualize(b, target, snap, opts, nil)
}
