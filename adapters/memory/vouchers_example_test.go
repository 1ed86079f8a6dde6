package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
)

// A gift card expires at the time it was issued for, judged when it is
// read; a blocked one keeps its balance but cannot pay.
func ExampleVoucherStore() {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := memory.NewVoucherStore(clk)
	_ = s.Issue(ctx, "GC-XMAS", pricing.MustParse("50.00", "CHF"), clk.Now().Add(24*time.Hour))
	_ = s.Issue(ctx, "GC-LOST", pricing.MustParse("20.00", "CHF"), time.Time{})
	_ = s.Block(ctx, "GC-LOST")

	pay := func(id, code string) error {
		return s.Redeem(ctx, payment.Redemption{ID: id, Debits: []payment.Debit{{Code: code, Amount: pricing.MustParse("10.00", "CHF")}}})
	}
	fmt.Println(pay("till-1", "GC-XMAS"))
	fmt.Println(errors.Is(pay("till-2", "GC-LOST"), payment.ErrNotRedeemable))
	clk.Advance(24 * time.Hour)
	fmt.Println(pay("till-3", "GC-XMAS"))
	bs, _ := s.Balances(ctx, []string{"GC-XMAS", "GC-LOST"})
	for _, b := range bs {
		fmt.Println(b.Code, b.Status, b.Amount)
	}
	// Output:
	// <nil>
	// true
	// payment: code "GC-XMAS" is expired
	// GC-LOST blocked 20.00 CHF
	// GC-XMAS expired 40.00 CHF
}
