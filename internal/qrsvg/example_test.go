package qrsvg_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/omnibasket/omnibasket/internal/qrsvg"
)

// The tablet shows a check-out ticket as a code the shopper's phone scans;
// the title is what a screen reader says.
func ExampleEncode() {
	svg, err := qrsvg.Encode("https://shop.example.com/ui/phone.html?location=lyon-bellecour&tag=AQHc0n3y",
		qrsvg.WithTitle("Scan with your phone to take your basket with you"))
	if err != nil {
		panic(err)
	}
	s := string(svg)
	fmt.Println(s[:strings.Index(s, "<rect")])
	// Output:
	// <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 45 45" role="img" shape-rendering="crispEdges"><title>Scan with your phone to take your basket with you</title>
}

// Text over the limit is the caller's mistake, told apart from a fault.
func ExampleEncode_tooLong() {
	_, err := qrsvg.Encode(strings.Repeat("x", qrsvg.MaxTextBytes+1))
	fmt.Println(errors.Is(err, qrsvg.ErrTooLong))
	fmt.Println(err)
	// Output:
	// true
	// qrsvg: the text is 1025 bytes, over the limit of 1024
}
