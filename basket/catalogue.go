package basket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
)

var (
	// ErrMeasuredGoods: the product is weighed or measured (sold by the kg,
	// the metre …) and was given a count rather than a measure (a plain
	// barcode of an item sold by weight, or NewLine.Quantity instead of
	// NewLine.Measure): it is refused, never added as a count of 1 or as
	// one thousandth. It also matches [ErrInvalid]. Nothing changed.
	ErrMeasuredGoods = fmt.Errorf("basket: weighed or measured goods need a measure, not a count: %w", ErrInvalid)
	// ErrPriceLabel: the barcode scanned is a scale label carrying a price
	// rather than a weight. The measure cannot be derived from a price
	// honestly (the price per kg may have changed since the label was
	// printed), and a line priced by its label is a price set by hand,
	// which is an associate's price override, not a scan. Such labels are
	// refused; scan weight labels, or add the line and override its price.
	// It also matches [ErrMeasuredGoods] and [ErrInvalid]. Nothing changed.
	ErrPriceLabel = fmt.Errorf("basket: price-embedded labels are not supported: %w", ErrMeasuredGoods)
	// ErrProductMismatch: the caller's product snapshot disagrees with the
	// catalogue's ([Config.Products]): the catalogue is the truth, and a
	// till showing something else is told so rather than overruled in
	// silence. It also matches [ErrInvalid]. Nothing changed.
	ErrProductMismatch = fmt.Errorf("basket: product snapshot disagrees with the catalogue: %w", ErrInvalid)
)

// Scan adds one unit of the product a scanned (or typed) barcode names:
// the code is decoded with [Config.Barcodes] (a GTIN-8, -12, -13 or -14;
// without layouts, every code is a plain GTIN), looked up by barcode in
// [Config.Products] in one call, and added like [Service.AddLine] with the
// catalogue's snapshot (scanning the same item again adds to its line), then
// the basket is re-priced. It needs Config.Products ([ErrNotConfigured]
// otherwise). A code that is not a valid GTIN is an [*InputError] whose
// Kind is a [*catalog.BarcodeError] (matching [catalog.ErrInvalidBarcode]);
// an unknown barcode one whose Kind is a [*catalog.UnknownProductError]
// (matching [catalog.ErrUnknownProduct]).
//
// A weight label from a scale (a variable-measure code carrying a weight)
// adds a measured line of the weight it carries, converted exactly to the
// unit the product is sold in (a label in grams for cheese sold by the kg
// is fine, to the gram): 21 12345 00347 is 0.347 kg of the item listed
// under its key 21 12345 00000. Each label is a line of its own, even for
// the same item (two packs). A weight label for counted goods is refused
// ([ErrUnitMismatch]), a plain code of goods sold by measure too
// ([ErrMeasuredGoods]: it says no measure), and so is a label carrying a
// price ([ErrPriceLabel]). Nothing changes when a scan is refused. With
// [WithIdempotencyKey], a retried scan adds the unit once; the code is
// compared in its 14-digit form, so the same item printed as EAN-13 or
// GTIN-14 is the same command.
func (s *Service) Scan(ctx context.Context, actor Actor, id uuid.UUID, code string, opts ...CallOption) (*Basket, error) {
	if s.cfg.Products == nil {
		return nil, notConfigured("Config.Products", "scanning needs a product source")
	}
	sc, err := s.cfg.Barcodes.Decode(code)
	if err != nil {
		return nil, &InputError{Field: "Code", Reason: err.Error(), Kind: err}
	}
	if sc.Embeds == catalog.Price {
		return nil, &InputError{Field: "Code", Reason: fmt.Sprintf("%s is a scale label carrying a price of %s (item %s)", sc.Code, sc.Price, sc.Key),
			Kind: ErrPriceLabel}
	}
	return s.run(ctx, actor, id, "scan", []any{sc.Code.String()}, opts, func(t *tx, b *Basket) error {
		if err := b.editable(t.m); err != nil {
			return err
		}
		found, err := catalog.Resolve(t.ctx, s.cfg.Products, catalog.Query{Barcodes: []catalog.GTIN{sc.Key}})
		if err != nil {
			return catalogueError("Code", err)
		}
		p, _ := found.Barcode(sc.Key)
		n := NewLine{SKU: p.SKU, Quantity: 1}
		if sc.Embeds == catalog.Weight {
			n = NewLine{SKU: p.SKU, Measure: sc.Weight}
		}
		n, err = withCatalogue(n, p)
		if err != nil {
			return err
		}
		_, e, err := b.AddLine(t.m, n)
		if err := t.add(e, err); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// catalogued is the line [Service.AddLine] adds: n as given when the
// Service has no catalogue, else n with the catalogue's snapshot of its
// SKU (one lookup). It refuses, before any change, an unknown SKU, a
// product sold by measure, and a snapshot that disagrees with the
// catalogue.
func (t *tx) catalogued(b *Basket, n NewLine) (NewLine, error) {
	if t.s.cfg.Products == nil {
		return n, nil
	}
	if err := b.editable(t.m); err != nil {
		return NewLine{}, err
	}
	if n.SKU == "" || n.SKU != strings.TrimSpace(n.SKU) {
		return n, nil // Basket.AddLine says what is wrong with it
	}
	found, err := catalog.Resolve(t.ctx, t.s.cfg.Products, catalog.Query{SKUs: []string{n.SKU}})
	if err != nil {
		return NewLine{}, catalogueError("SKU", err)
	}
	p, _ := found.SKU(n.SKU)
	return withCatalogue(n, p)
}

// withCatalogue fills n's snapshot from the catalogue's product p: an
// empty snapshot takes p's name, categories and tax category; a snapshot
// the caller filled must be p's ([ErrProductMismatch] otherwise). The
// quantity follows how p is sold: a product sold by measure needs a
// Measure ([ErrMeasuredGoods] for a count), converted exactly to p's unit
// (grams to kilograms and back; [ErrUnitMismatch] for litres of cheese);
// counted goods take a count, or a whole Measure in catalog.Each.
func withCatalogue(n NewLine, p catalog.Product) (NewLine, error) {
	measured := n.Measure != (catalog.Measure{})
	switch {
	case p.Unit.Measured() && !measured:
		return NewLine{}, &InputError{Field: "Measure", Reason: fmt.Sprintf("%s is sold by the %s: give its measure, not a count", p.SKU, p.Unit), Kind: ErrMeasuredGoods}
	case measured && n.Quantity != 0:
		return NewLine{}, invalid("Quantity", "set with Measure: a line has one quantity")
	case measured:
		q, err := lineQuantity(n.Measure, p.Unit)
		if err != nil {
			return NewLine{}, err
		}
		if p.Unit.Measured() {
			n.Measure = catalog.Measure{Value: q, Decimals: MeasureDecimals, Unit: p.Unit}
		} else {
			n.Quantity, n.Measure = q, catalog.Measure{}
		}
	}
	snap := Product{Name: p.Name, Categories: slices.Clone(p.Categories), TaxCategory: p.TaxCategory}
	switch {
	case n.Product.Name == "" && n.Product.TaxCategory == "" && len(n.Product.Categories) == 0:
		n.Product = snap
	case !n.Product.equal(snap):
		return NewLine{}, &InputError{Field: "Product",
			Reason: fmt.Sprintf("%s is %q %q in %s, not %q %q in %s", p.SKU, snap.Name, snap.Categories, snap.TaxCategory,
				n.Product.Name, n.Product.Categories, n.Product.TaxCategory),
			Kind: ErrProductMismatch}
	}
	return n, nil
}

// catalogueError reports a failed lookup: unknown keys as an [*InputError]
// on field (its Kind the [*catalog.UnknownProductError]), anything else (the
// source failed, or answered broken rows) as [ErrSnapshot].
func catalogueError(field string, err error) error {
	var unknown *catalog.UnknownProductError
	if errors.As(err, &unknown) {
		keys := slices.Clone(unknown.SKUs)
		for _, g := range unknown.Barcodes {
			keys = append(keys, "barcode "+g.String())
		}
		return &InputError{Field: field, Reason: strings.Join(keys, ", ") + " is not in the catalogue", Kind: unknown}
	}
	return fmt.Errorf("%w: products: %w", ErrSnapshot, err)
}
