package basket

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/payment"
)

// AddTender offers a means of payment for a basket (a cart, a quote, or
// an order not yet paid), or replaces the tender of the same kind and
// code. A gift card's or voucher's balance is read from
// [Config.Vouchers] (t.Balance must be left unset): an unknown, expired
// or blocked code is refused with the source's [*payment.CodeError]. A
// card above what remains to pay is refused ([payment.ErrOverTender]);
// cash may exceed it (change). Nothing is re-priced: the Result's
// settlement ([Result.Payment]) follows. Loyalty points are not tendered
// here: [Service.UseLoyaltyPoints] asks to burn them, and a programme
// whose points pay as a tender shows them in the settlement.
func (s *Service) AddTender(ctx context.Context, actor Actor, id uuid.UUID, t payment.Tender, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "add-tender", []any{t}, opts, func(tx *tx, b *Basket) error {
		if err := b.tenderable(tx.m); err != nil {
			return err // before reading any balance
		}
		switch t.Kind {
		case payment.GiftCard, payment.Voucher:
			if !t.Balance.Currency().IsZero() {
				return invalid("Tender.Balance", "a %s's balance is read from the voucher source, not given", t.Kind)
			}
			if s.cfg.Vouchers == nil {
				return notConfigured("Config.Vouchers", "no voucher source to read gift card and voucher balances from")
			}
			t.Code = NormalizeCode(t.Code)
			if err := validCode("Tender.Code", t.Code); err != nil {
				return err
			}
			bal, err := s.balance(tx.ctx, t.Code)
			if err != nil {
				return err
			}
			t.Balance = bal.Amount
		case payment.Points:
			if s.cfg.Loyalty == nil || s.cfg.LoyaltyScheme == nil {
				return notConfigured("Config.Loyalty", "no loyalty programme whose points could pay")
			}
			return pointsTenderError()
		}
		if err := tx.add(b.AddTender(tx.m, t)); err != nil {
			return err
		}
		return tx.refreshPointsTender(b)
	})
}

// balance reads one code's balance and refuses a code that cannot pay.
func (s *Service) balance(ctx context.Context, code string) (payment.Balance, error) {
	bs, err := s.cfg.Vouchers.Balances(ctx, []string{code})
	if err != nil {
		return payment.Balance{}, fmt.Errorf("basket: reading the balance of %s: %w", code, err)
	}
	for _, b := range bs {
		if b.Code == code {
			if err := b.Err(); err != nil {
				return payment.Balance{}, fmt.Errorf("basket: tender %s: %w", code, err)
			}
			return b, nil
		}
	}
	return payment.Balance{}, fmt.Errorf("basket: the voucher source answered no balance for %s", code)
}

// RemoveTender withdraws a tender of a basket not yet paid (a gift card
// the shopper keeps for later, a card declined by the terminal).
func (s *Service) RemoveTender(ctx context.Context, actor Actor, id uuid.UUID, kind payment.Kind, code string, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "remove-tender", []any{kind, code}, opts, func(tx *tx, b *Basket) error {
		if err := tx.add(b.RemoveTender(tx.m, kind, code)); err != nil {
			return err
		}
		return tx.refreshPointsTender(b)
	})
}

// Pay settles an order with its tenders: the order's total
// (Basket.Result, as priced when it was placed) must be paid in full by
// them, strictly (a card above what remains is refused), or nothing
// happens ([payment.ErrNotSettled] says what remains). The rule is
// "place the order, then pay": [Service.PlaceOrder] fixes the total (and,
// at a till, hands the goods over); tenders may be offered before, on the
// cart, and follow its re-pricing, but only an order is paid, so a paid
// total never changes. A cart or a quote is refused with [ErrNotPayable].
//
// Pay redeems every gift card and voucher that pays something at
// [Config.Vouchers] in one all-or-nothing redemption, then records the
// payment ([EventPaid]). A card spent meanwhile fails the redemption with
// the source's typed error ([*payment.BalanceError] names the code):
// nothing is debited and the basket is unchanged. The redemption's ID is
// the basket's [Basket.RedemptionID]: redeem at the source, then save,
// and a retry (after a lost save, a crash, a version conflict) redeems
// again with the same ID, which the source does not debit twice. If the
// tenders were changed between a redemption whose save was lost and the
// retry, the source refuses with a [*payment.ConflictError] carrying what
// was redeemed: offer those tenders again, or give the shopper their
// balances back with [Service.ReleaseRedemption] and pay again.
// Card and cash tenders are recorded as settled; charging the card is the
// platform's terminal's or gateway's job.
func (s *Service) Pay(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "pay", nil, opts, func(tx *tx, b *Basket) error {
		if err := b.tenderable(tx.m); err != nil {
			return err
		}
		if b.Order == nil {
			return &InputError{Field: "Status", Reason: "place the order first: paying settles an order's total", Kind: ErrNotPayable}
		}
		st, err := payment.Settle(b.Result.Totals.Total, withPoints(b.tenders(), b.Result), payment.Options{})
		if err != nil {
			return &InputError{Field: "Tenders", Reason: err.Error(), Kind: err}
		}
		if !st.Settled() {
			return &InputError{Field: "Tenders", Reason: fmt.Sprintf("%s remains to pay", st.Remaining), Kind: payment.ErrNotSettled}
		}
		if err := pointsPayInFull(b, st); err != nil {
			return err
		}
		var rid string
		if debits := st.Debits(); len(debits) > 0 {
			if s.cfg.Vouchers == nil {
				return notConfigured("Config.Vouchers", "no voucher source to redeem gift cards and vouchers at")
			}
			rid = b.RedemptionID()
			if err := s.cfg.Vouchers.Redeem(tx.ctx, payment.Redemption{ID: rid, Debits: debits}); err != nil {
				return fmt.Errorf("basket: redeeming %s: %w", rid, err)
			}
		}
		if err := tx.settleLoyalty(b); err != nil { // the points burnt, then earned
			return err
		}
		return tx.add(b.pay(tx.m, rid, st))
	})
}

// ReleaseRedemption reverses, at [Config.Vouchers], the redemption made
// under the basket's [Basket.RedemptionID] whose payment was never
// recorded (redeemed, then the save was lost, and the tenders changed
// since: [Service.Pay] fails with a [*payment.ConflictError]), and records
// it ([EventRedemptionReleased]) so that the next payment redeems under a
// new ID. The balances go back to the cards; tenders already offered keep
// the balances read then (offer them again to read them anew). A basket
// with no such redemption is refused with [payment.ErrUnknownRedemption]
// and nothing changes; a paid basket with [ErrAlreadyPaid] (a refund
// reverses a recorded payment, not this). Like Pay it acts at the source
// first: a retry after a lost save reverses again, which the source does
// once.
func (s *Service) ReleaseRedemption(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "release-redemption", nil, opts, func(tx *tx, b *Basket) error {
		if err := b.tenderable(tx.m); err != nil {
			return err
		}
		if s.cfg.Vouchers == nil {
			return notConfigured("Config.Vouchers", "no voucher source to reverse a redemption at")
		}
		rid := b.RedemptionID()
		if err := s.cfg.Vouchers.Reverse(tx.ctx, rid); err != nil {
			return fmt.Errorf("basket: reversing %s: %w", rid, err)
		}
		return tx.add(b.releaseRedemption(tx.m))
	})
}

// TenderWallet offers the vouchers the shopper keeps in the wallet
// ([Service.AddVoucher]: saved on the web, brought to the till) as
// tenders, with one balance read for all of them. Vouchers already
// tendered are left as they are; a code the source does not know, or
// that cannot pay now (expired, blocked, spent, in another currency)
// stays in the wallet untendered, and the Result's settlement shows what
// the others pay. With nothing to tender it records nothing.
func (s *Service) TenderWallet(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "tender-wallet", nil, opts, func(tx *tx, b *Basket) error {
		if err := b.tenderable(tx.m); err != nil {
			return err
		}
		var codes []string
		for _, c := range b.Wallet.Vouchers {
			if !b.tendered(c) {
				codes = append(codes, c)
			}
		}
		if len(codes) == 0 {
			return nil
		}
		if s.cfg.Vouchers == nil {
			return notConfigured("Config.Vouchers", "no voucher source to read voucher balances from")
		}
		bs, err := s.cfg.Vouchers.Balances(tx.ctx, codes)
		if err != nil {
			return fmt.Errorf("basket: reading the wallet's voucher balances: %w", err)
		}
		cur := b.Result.Totals.Total.Currency()
		for _, bal := range bs {
			if bal.Err() != nil || bal.Amount.Currency() != cur || !bal.Amount.IsPositive() || b.tendered(bal.Code) || !slices.Contains(codes, bal.Code) {
				continue
			}
			if err := tx.add(b.AddTender(tx.m, payment.Tender{Kind: payment.Voucher, Code: bal.Code, Balance: bal.Amount})); err != nil {
				return err
			}
		}
		return tx.refreshPointsTender(b)
	})
}

// tendered reports whether a voucher source's code is tendered already,
// as a gift card or as a voucher.
func (b *Basket) tendered(code string) bool {
	for _, t := range b.tenders() {
		if (t.Kind == payment.GiftCard || t.Kind == payment.Voucher) && t.Code == code {
			return true
		}
	}
	return false
}
