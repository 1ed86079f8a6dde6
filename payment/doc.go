// Package payment is how a basket's total is paid: tenders (gift cards,
// vouchers, loyalty points, cards, cash), the settlement of an amount due
// by several of them, and the [VoucherSource] through which the platform
// keeps gift-card and voucher balances.
//
// Paying is not discounting: a gift card or a voucher used as a tender
// changes neither the prices, nor the tax, nor the totals of a basket. It
// pays part of the total, as cash does. Only the cash part of a payment is
// rounded to the currency's cash increment (CHF 0.05), half-up
// ([CashRoundingMode]), and the rounding difference is shown apart.
//
// The main call, pure and deterministic:
//
//	s, err := payment.Settle(total, []payment.Tender{
//		{Kind: payment.GiftCard, Code: "GC-1001", Balance: giftCardBalance},
//		{Kind: payment.Card, Amount: chf("30.00")},
//		{Kind: payment.Cash, Amount: chf("10.00")}, // handed over
//	}, payment.Options{})
//	// s.Tenders: what each pays; s.CashRounding, s.Change, s.Remaining
//
// Tenders are applied in a documented order whatever the order given
// ([Compare]): balance-bound tenders (by kind, then code) first, each up
// to its balance, the rest staying on the card; then cards, never above
// what remains (no cashback); then cash, which may exceed what remains
// and gives change.
//
// Balances are read from a [VoucherSource] in one batched call per
// payment; redemption is all or nothing, and idempotent by an ID derived
// from what is paid, so that a payment retried after a crash never debits
// twice:
//
//	bs, err := source.Balances(ctx, []string{"GC-1001", "VCH-7"})
//	err = source.Redeem(ctx, payment.Redemption{ID: "basket/…/payment", Debits: s.Debits()})
//
// Package paymenttest is the conformance suite every VoucherSource passes.
package payment
