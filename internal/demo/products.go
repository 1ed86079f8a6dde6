package demo

import (
	"fmt"

	"github.com/omnibasket/omnibasket/catalog"
)

// gtinPrefix is the retailer's GS1 company prefix (377: France).
const gtinPrefix = "3770014"

// Barcode is the EAN-13 printed on an item of the assortment: the company
// prefix, the item's position in [Items] and the GS1 check digit.
func Barcode(sku string) catalog.GTIN {
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

// Products is the assortment as the catalogue a till looks SKUs and
// barcodes up in.
func Products() []catalog.Product {
	items := Items()
	out := make([]catalog.Product, len(items))
	for i, it := range items {
		p := Product(it.SKU)
		out[i] = catalog.Product{SKU: it.SKU, Name: p.Name, Categories: p.Categories, TaxCategory: p.TaxCategory,
			ImageURL: "https://img.maison-lumiere.example/" + it.SKU + ".jpg", Barcodes: []catalog.GTIN{Barcode(it.SKU)}}
	}
	return out
}
