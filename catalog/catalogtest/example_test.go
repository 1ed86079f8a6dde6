package catalogtest_test

import (
	"context"
	"fmt"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/catalog/catalogtest"
)

// An adapter's test hands the suite a builder of sources holding given
// products:
//
//	func TestProducts(t *testing.T) {
//		catalogtest.RunProductSourceTests(t, func(t *testing.T, ps []catalog.Product) catalog.ProductSource {
//			return mysource.New(t, ps)
//		})
//	}
//
// The suite's own products (Products) mix counted and weighed goods and
// every GTIN length; a source found by one of their barcodes answers
// with the product:
func Example() {
	src, err := memory.NewProducts(catalogtest.Products()...)
	if err != nil {
		fmt.Println(err)
		return
	}
	first := catalogtest.Products()[0]
	found, err := src.Products(context.Background(), catalog.Query{Barcodes: first.Barcodes[:1]})
	fmt.Println(len(found) == 1 && found[0].SKU == first.SKU, err)
	// Output:
	// true <nil>
}
