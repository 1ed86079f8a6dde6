package memory

import (
	"context"
	"slices"
	"strings"

	"github.com/omnibasket/omnibasket/catalog"
)

// Products is an in-memory [catalog.ProductSource]: a fixed catalogue,
// indexed by SKU and by barcode. It is read-only once built (a new
// catalogue is a new Products) and so safe for concurrent use without a
// lock. Answers are in SKU order, and copies.
type Products struct {
	list   []catalog.Product // sorted by SKU
	bySKU  map[string]int
	byGTIN map[catalog.GTIN]int
}

var _ catalog.ProductSource = (*Products)(nil)

// NewProducts checks and indexes products: each must be valid
// ([catalog.Product.Validate], a [*catalog.ProductError] otherwise), and no
// SKU or barcode may name two products (a [*catalog.ProductError] matching
// [catalog.ErrDuplicateKey]). It keeps copies.
func NewProducts(products ...catalog.Product) (*Products, error) {
	p := &Products{list: make([]catalog.Product, 0, len(products)), bySKU: map[string]int{}, byGTIN: map[catalog.GTIN]int{}}
	for _, pr := range products {
		if err := pr.Validate(); err != nil {
			return nil, err
		}
		if _, dup := p.bySKU[pr.SKU]; dup {
			return nil, &catalog.ProductError{SKU: pr.SKU, Field: "SKU", Reason: "listed twice", Kind: catalog.ErrDuplicateKey}
		}
		p.bySKU[pr.SKU] = -1
		p.list = append(p.list, pr.Clone())
	}
	slices.SortFunc(p.list, func(a, b catalog.Product) int { return strings.Compare(a.SKU, b.SKU) })
	for i, pr := range p.list {
		p.bySKU[pr.SKU] = i
		for _, g := range pr.Barcodes {
			if j, dup := p.byGTIN[g]; dup {
				return nil, &catalog.ProductError{SKU: pr.SKU, Field: "Barcodes",
					Reason: "barcode " + g.String() + " also names " + p.list[j].SKU, Kind: catalog.ErrDuplicateKey}
			}
			p.byGTIN[g] = i
		}
	}
	return p, nil
}

// Products implements [catalog.ProductSource].
func (p *Products) Products(ctx context.Context, q catalog.Query) ([]catalog.Product, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var hits []int
	for _, s := range q.SKUs {
		if i, ok := p.bySKU[s]; ok {
			hits = append(hits, i)
		}
	}
	for _, g := range q.Barcodes {
		if i, ok := p.byGTIN[g]; ok {
			hits = append(hits, i)
		}
	}
	slices.Sort(hits)
	hits = slices.Compact(hits)
	out := make([]catalog.Product, len(hits))
	for k, i := range hits {
		out[k] = p.list[i].Clone()
	}
	return out, nil
}
