package payment_test

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

// A basket of 87.63 CHF paid at a Zurich till: a gift card worth 50.00, 30.00
// on a card, and a 10 franc note. Only the cash part is rounded, to 0.05.
func Example() {
	chf := func(s string) pricing.Money { return pricing.MustParse(s, "CHF") }
	s, err := payment.Settle(chf("87.63"), []payment.Tender{
		{Kind: payment.Cash, Amount: chf("10.00")},
		{Kind: payment.Card, Amount: chf("30.00")},
		{Kind: payment.GiftCard, Code: "GC-1001", Balance: chf("50.00")},
	}, payment.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range s.Tenders {
		fmt.Println(a.Tender.Kind, a.Amount)
	}
	fmt.Println("paid", s.Paid, "rounding", s.CashRounding, "change", s.Change, "settled", s.Settled())
	// Output:
	// gift-card 50.00 CHF
	// card 30.00 CHF
	// cash 7.65 CHF
	// paid 87.65 CHF rounding 0.02 CHF change 2.35 CHF settled true
}

// A card is never charged more than what remains: no cashback.
func ExampleSettle_overTender() {
	chf := func(s string) pricing.Money { return pricing.MustParse(s, "CHF") }
	_, err := payment.Settle(chf("20.00"), []payment.Tender{{Kind: payment.Card, Amount: chf("25.00")}}, payment.Options{})
	fmt.Println(errors.Is(err, payment.ErrOverTender))
	// Output: true
}

// A VoucherSource reads many balances at once and redeems all or
// nothing, idempotently by the redemption's ID.
func ExampleVoucherSource() {
	ctx := context.Background()
	chf := func(s string) pricing.Money { return pricing.MustParse(s, "CHF") }
	store := memory.NewVoucherStore(clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)))
	_ = store.Issue(ctx, "GC-1001", chf("50.00"), time.Time{})
	_ = store.Issue(ctx, "GC-2002", chf("5.00"), time.Time{})
	var source payment.VoucherSource = store

	balances, _ := source.Balances(ctx, []string{"GC-2002", "GC-1001", "GC-9999"})
	for _, b := range balances {
		if err := b.Err(); err != nil {
			fmt.Println(b.Code, err)
			continue
		}
		fmt.Println(b.Code, b.Status, b.Amount)
	}

	// All or nothing: GC-2002 cannot pay 6.00, so GC-1001 is not debited either.
	err := source.Redeem(ctx, payment.Redemption{ID: "basket-42/payment", Debits: []payment.Debit{
		{Code: "GC-1001", Amount: chf("30.00")}, {Code: "GC-2002", Amount: chf("6.00")}}})
	var short *payment.BalanceError
	fmt.Println(errors.As(err, &short), short.Code)

	// Idempotent: a retry with the same ID debits once.
	pay := payment.Redemption{ID: "basket-42/payment", Debits: []payment.Debit{{Code: "GC-1001", Amount: chf("30.00")}}}
	fmt.Println(source.Redeem(ctx, pay), source.Redeem(ctx, pay))
	balances, _ = source.Balances(ctx, []string{"GC-1001"})
	fmt.Println(balances[0].Amount)

	// A refund reverses it, once however often it is asked.
	fmt.Println(source.Reverse(ctx, pay.ID), source.Reverse(ctx, pay.ID))
	balances, _ = source.Balances(ctx, []string{"GC-1001"})
	fmt.Println(balances[0].Amount)
	// Output:
	// GC-1001 active 50.00 CHF
	// GC-2002 active 5.00 CHF
	// GC-9999 payment: code "GC-9999" is unknown
	// true GC-2002
	// <nil> <nil>
	// 20.00 CHF
	// <nil> <nil>
	// 50.00 CHF
}
