// Package catalog is the product catalogue seen from a till: what a SKU or
// a barcode names, and how to read the barcodes a store scans.
//
// The platform owns the catalogue and implements [ProductSource], one
// batched call per command; [Resolve] refuses what the catalogue does not
// know with a typed [*UnknownProductError], so a typo on a tablet is an
// error, not an unpriced line:
//
//	found, err := catalog.Resolve(ctx, products, catalog.Query{SKUs: []string{"BRIE-AOP"}})
//	p, _ := found.SKU("BRIE-AOP") // p.Name, p.Categories, p.TaxCategory, p.Unit
//
// Barcodes are GS1 GTINs: [ParseGTIN] reads GTIN-8, GTIN-12 (UPC-A),
// GTIN-13 (EAN-13) and GTIN-14, checks the mod-10 check digit and keeps
// the 14-digit form, so an item keys the same however it was printed. The
// labels in-store scales print (EAN-13 with a GS1 prefix 20–29) carry a
// weight or a price in the retailer's own [Layout]s; a [Decoder] reads
// them into the key the catalogue lists the item under plus the exact
// weight ([Measure], no float) or price ([pricing.Money]):
//
//	dec, _ := catalog.NewDecoder(catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight,
//		ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram})
//	s, _ := dec.Decode("2112345003474") // s.Key 02112345000008, s.Weight 0.347 kg
//
// The package is pure: no I/O but through the ProductSource the caller
// passes. catalog/catalogtest is the conformance suite of ProductSource
// implementations.
package catalog
