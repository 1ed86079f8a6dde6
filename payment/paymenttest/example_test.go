package paymenttest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/payment/paymenttest"
	"github.com/omnibasket/omnibasket/pricing"
)

// An adapter's test builds a fresh harness per test: the source, how to
// issue and block cards in it, and the fake clock it judges expiry with.
// The contract the suite checks, on the memory store: a redemption is all
// or nothing, and the same ID debits once.
func Example() {
	ctx := context.Background()
	clk := clock.NewFake(paymenttest.Epoch)
	s := memory.NewVoucherStore(clk)
	h := paymenttest.Harness{Source: s, Issue: s.Issue, Block: s.Block, Clock: clk}
	_ = h.Issue(ctx, "GC-1", pricing.MustParse("50.00", "EUR"), time.Time{})
	_ = h.Issue(ctx, "GC-2", pricing.MustParse("5.00", "EUR"), time.Time{})

	short := payment.Redemption{ID: "r-1", Debits: []payment.Debit{
		{Code: "GC-1", Amount: pricing.MustParse("20.00", "EUR")},
		{Code: "GC-2", Amount: pricing.MustParse("10.00", "EUR")},
	}}
	var be *payment.BalanceError
	fmt.Println(errors.As(h.Source.Redeem(ctx, short), &be))
	once := payment.Redemption{ID: "r-2", Debits: short.Debits[:1]}
	fmt.Println(h.Source.Redeem(ctx, once), h.Source.Redeem(ctx, once))
	bs, _ := h.Source.Balances(ctx, []string{"GC-1", "GC-2"})
	fmt.Println(bs[0].Amount, bs[1].Amount)
	// Output:
	// true
	// <nil> <nil>
	// 30.00 EUR 5.00 EUR
}
