package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Unit is how a product is sold: counted ([Each], the zero value, so that a
// catalogue that says nothing sells counted goods) or measured in a unit
// of measure (weighed cheese by the kg, fabric by the metre).
type Unit uint8

// The units of measure.
const (
	Each Unit = iota
	Kilogram
	Gram
	Metre
	Litre
)

// unitNames are the units' symbols, by value; a function, so that the
// package keeps no mutable state.
func unitNames() [5]string {
	return [...]string{Each: "each", Kilogram: "kg", Gram: "g", Metre: "m", Litre: "l"}
}

// String returns the unit's symbol ("each", "kg", "g", "m", "l").
func (u Unit) String() string {
	if u.Valid() {
		return unitNames()[u]
	}
	return "unit(?)"
}

// Valid reports whether u is one of the units above.
func (u Unit) Valid() bool { return u <= Litre }

// Measured reports whether goods in this unit are weighed or measured
// rather than counted.
func (u Unit) Measured() bool { return u != Each }

// MarshalText encodes the unit by symbol.
func (u Unit) MarshalText() ([]byte, error) {
	if !u.Valid() {
		return nil, fmt.Errorf("catalog: unknown unit %d", uint8(u))
	}
	return []byte(u.String()), nil
}

// UnmarshalText decodes a unit by symbol.
func (u *Unit) UnmarshalText(b []byte) error {
	names := unitNames()
	if i := slices.Index(names[:], string(b)); i >= 0 {
		*u = Unit(i)
		return nil
	}
	return fmt.Errorf("catalog: unknown unit %q", b)
}

// Product is what a catalogue knows about a SKU: the attributes a basket
// line keeps a snapshot of (name, categories, tax category), how it is
// sold, and the barcodes printed on it.
type Product struct {
	SKU  string `json:"sku"`
	Name string `json:"name"`
	// Categories are in the catalogue's order (most specific first, say):
	// a basket compares snapshots in order, so a source keeps it.
	Categories  []string `json:"categories,omitempty"`
	TaxCategory string   `json:"tax_category"`
	Unit        Unit     `json:"unit"`
	ImageURL    string   `json:"image_url,omitempty"`
	// Barcodes are the GTINs printed on the item; a variable-measure item
	// is listed under its key ([Scan.Key]), the code with its value zeroed.
	Barcodes []GTIN `json:"barcodes,omitempty"`
}

// Clone returns a deep copy, so that a source's answer never aliases its
// own storage.
func (p Product) Clone() Product {
	p.Categories = slices.Clone(p.Categories)
	p.Barcodes = slices.Clone(p.Barcodes)
	return p
}

// Validate checks that the product can be sold: a SKU without surrounding
// spaces, a name, a tax category, categories neither empty nor repeated, a
// known unit, and barcodes that are real GTINs, each listed once.
func (p Product) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &ProductError{SKU: p.SKU, Field: field, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case p.SKU == "" || p.SKU != strings.TrimSpace(p.SKU):
		return bad("SKU", "must be non-empty without surrounding spaces")
	case p.Name == "":
		return bad("Name", "must not be empty")
	case p.TaxCategory == "":
		return bad("TaxCategory", "must not be empty")
	case !p.Unit.Valid():
		return bad("Unit", "unknown unit %d", uint8(p.Unit))
	}
	for i, c := range p.Categories {
		if c == "" || slices.Contains(p.Categories[:i], c) {
			return bad("Categories", "empty or duplicate category %q", c)
		}
	}
	for i, g := range p.Barcodes {
		switch {
		case g.IsZero():
			return bad("Barcodes", "barcode %d is the zero GTIN", i)
		case slices.Contains(p.Barcodes[:i], g):
			return &ProductError{SKU: p.SKU, Field: "Barcodes", Reason: "barcode " + g.String() + " is listed twice", Kind: ErrDuplicateKey}
		}
	}
	return nil
}

// Query asks a [ProductSource] for products by SKU and by barcode at once.
type Query struct {
	SKUs     []string
	Barcodes []GTIN
}

func (q Query) empty() bool { return len(q.SKUs) == 0 && len(q.Barcodes) == 0 }

// ProductSource is the platform's catalogue (a PIM, an ERP, a search
// index): one batched call per basket command, however many lines, so
// that a basket of 200 lines is one round trip, not 200.
//
// Products returns every product one of q.SKUs or q.Barcodes names:
//   - a SKU matches exactly; a barcode matches a product listing the same
//     GTIN (GTINs are compared in their 14-digit form, so the length it was
//     printed in does not matter);
//   - unknown keys are simply absent: no error (use [Resolve] to refuse
//     them);
//   - each product at most once, even when named by its SKU and a barcode,
//     or named twice (a query may repeat keys);
//   - in any order;
//   - copies: the caller may change what it gets back, and the source
//     keeps no reference to q;
//   - an empty query returns no product;
//   - the error of a cancelled context, rather than an answer.
//
// Implementations must be safe for concurrent use. catalog/catalogtest
// checks all of this.
type ProductSource interface {
	Products(ctx context.Context, q Query) ([]Product, error)
}

// Found is a source's answer indexed by SKU and barcode, from [Resolve].
type Found struct {
	bySKU  map[string]Product
	byGTIN map[GTIN]string // barcode → SKU
}

// SKU returns a copy of the product with that SKU.
func (f Found) SKU(sku string) (Product, bool) {
	p, ok := f.bySKU[sku]
	return p.Clone(), ok
}

// Barcode returns a copy of the product listing that GTIN.
func (f Found) Barcode(g GTIN) (Product, bool) {
	sku, ok := f.byGTIN[g]
	if !ok {
		return Product{}, false
	}
	return f.SKU(sku)
}

// Len is the number of distinct products found.
func (f Found) Len() int { return len(f.bySKU) }

// Resolve asks src for q in one call and refuses what is missing: every
// SKU and barcode of q must name a product, or the error is an
// [*UnknownProductError] listing the missing keys (sorted, once each). A
// product the source returns must be valid ([Product.Validate]) and no key
// may name two different products ([ErrDuplicateKey]): a broken catalogue
// row is reported, never sold. An empty query does not call the source.
func Resolve(ctx context.Context, src ProductSource, q Query) (Found, error) {
	f := Found{bySKU: map[string]Product{}, byGTIN: map[GTIN]string{}}
	if err := ctx.Err(); err != nil {
		return Found{}, err
	}
	if q.empty() {
		return f, nil
	}
	ps, err := src.Products(ctx, Query{SKUs: slices.Clone(q.SKUs), Barcodes: slices.Clone(q.Barcodes)})
	if err != nil {
		return Found{}, err
	}
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return Found{}, err
		}
		if prev, ok := f.bySKU[p.SKU]; ok {
			if !same(prev, p) {
				return Found{}, &ProductError{SKU: p.SKU, Field: "SKU", Reason: "the source returned two different products", Kind: ErrDuplicateKey}
			}
			continue
		}
		for _, g := range p.Barcodes {
			if other, ok := f.byGTIN[g]; ok {
				return Found{}, &ProductError{SKU: p.SKU, Field: "Barcodes", Reason: "barcode " + g.String() + " also names " + other, Kind: ErrDuplicateKey}
			}
			f.byGTIN[g] = p.SKU
		}
		f.bySKU[p.SKU] = p.Clone()
	}
	var missing UnknownProductError
	for _, s := range q.SKUs {
		if _, ok := f.bySKU[s]; !ok {
			missing.SKUs = append(missing.SKUs, s)
		}
	}
	for _, g := range q.Barcodes {
		if _, ok := f.byGTIN[g]; !ok {
			missing.Barcodes = append(missing.Barcodes, g)
		}
	}
	if len(missing.SKUs) > 0 || len(missing.Barcodes) > 0 {
		slices.Sort(missing.SKUs)
		missing.SKUs = slices.Compact(missing.SKUs)
		slices.SortFunc(missing.Barcodes, func(a, b GTIN) int { return strings.Compare(a.d, b.d) })
		missing.Barcodes = slices.Compact(missing.Barcodes)
		return Found{}, &missing
	}
	return f, nil
}

// same reports whether two answers describe one product (barcodes in any order).
func same(a, b Product) bool {
	if a.SKU != b.SKU || a.Name != b.Name || a.TaxCategory != b.TaxCategory || a.Unit != b.Unit ||
		a.ImageURL != b.ImageURL || !slices.Equal(a.Categories, b.Categories) || len(a.Barcodes) != len(b.Barcodes) {
		return false
	}
	for _, g := range a.Barcodes {
		if !slices.Contains(b.Barcodes, g) {
			return false
		}
	}
	return true
}
