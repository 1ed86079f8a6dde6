package iso4217_test

import (
	"fmt"

	"github.com/omnibasket/omnibasket/internal/iso4217"
)

func ExampleExponent() {
	for _, code := range []string{"EUR", "JPY", "KWD", "XYZ"} {
		exp, ok := iso4217.Exponent(code)
		fmt.Println(code, exp, ok)
	}
	// Output:
	// EUR 2 true
	// JPY 0 true
	// KWD 3 true
	// XYZ 0 false
}

func ExampleCashIncrement() {
	fmt.Println(iso4217.CashIncrement("CHF"), iso4217.CashIncrement("EUR"))
	// Output: 5 0
}
