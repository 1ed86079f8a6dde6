package clock_test

import (
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/clock"
)

func ExampleFake() {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	expiry := clk.Now().Add(15 * time.Minute)
	clk.Advance(15*time.Minute - time.Nanosecond)
	fmt.Println("active:", clk.Now().Before(expiry))
	clk.Advance(time.Nanosecond)
	fmt.Println("active:", clk.Now().Before(expiry))
	// Output:
	// active: true
	// active: false
}
