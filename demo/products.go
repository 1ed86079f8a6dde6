package demo

import (
	"fmt"

	"github.com/omnibasket/omnibasket/catalog"
)

// gtinPrefix is the retailer's GS1 company prefix (377: France).
const gtinPrefix = "3770014"

// Barcode is the EAN-13 printed on an item of the assortment: the company
// prefix, the item's position in [Items] and the GS1 check digit; for an
// item sold by weight, the key its scale labels decode to (the label with
// the weight zeroed).
func Barcode(sku string) catalog.GTIN {
	if Measured(sku).Measured() {
		return catalog.MustGTIN(withCheckDigit(ScaleLayout().Prefix + scaleItem + "00000"))
	}
	for i, it := range Items() {
		if it.SKU == sku {
			return catalog.MustGTIN(withCheckDigit(fmt.Sprintf("%s%05d", gtinPrefix, i+1)))
		}
	}
	panic("demo: unknown SKU " + sku)
}

// withCheckDigit appends the GS1 mod-10 check digit to the 12 digits of an
// EAN-13 body: from the right, digits weigh 3 and 1 alternately.
func withCheckDigit(body string) string {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return body + string(rune('0'+(10-sum%10)%10))
}

// Measured is the unit a SKU is sold by: the Comté by the kg (its price
// is per kg, its quantities and stock in thousandths of a kg), everything
// else by the piece.
func Measured(sku string) catalog.Unit {
	if sku == "COMTE-18M" {
		return catalog.Kilogram
	}
	return catalog.Each
}

// ScaleLayout is how the counter's scale prints its labels: prefix 21, a
// 5-digit item reference, the weight in kg to the gram on 5 digits.
func ScaleLayout() catalog.Layout {
	return catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram}
}

// scaleItem is the Comté's item reference on the scale.
const scaleItem = "00042"

// ScaleLabel is the label the scale prints for grams of Comté.
func ScaleLabel(grams int64) (catalog.GTIN, error) { return ScaleLayout().Encode(scaleItem, grams) }

// Products is the assortment as the catalogue a till looks SKUs and
// barcodes up in. A weighed item is listed under its scale key: its label
// with the weight zeroed.
func Products() []catalog.Product {
	items := Items()
	out := make([]catalog.Product, len(items))
	for i, it := range items {
		p := Product(it.SKU)
		code := Barcode(it.SKU)
		out[i] = catalog.Product{SKU: it.SKU, Name: p.Name, Categories: p.Categories, TaxCategory: p.TaxCategory, Unit: Measured(it.SKU),
			ImageURL: "https://img.maison-lumiere.example/" + it.SKU + ".jpg", Barcodes: []catalog.GTIN{code}}
	}
	return out
}
