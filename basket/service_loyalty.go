package basket

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/stock"
)

// MaxLoyaltyReservations bounds the reservation IDs one basket walks
// through ([Basket.LoyaltyReservationID]): each failed or abandoned order
// attempt that reserved points uses one.
const MaxLoyaltyReservations = 16

// UseLoyaltyPoints asks to burn points of the wallet's loyalty account
// (0: none) and re-prices. What is burnt is decided by the pricing
// (Result.Loyalty.Burn): at most the points asked, the balance
// ([Config.Loyalty]), the amount due and what the programme's burn policy
// allows ([Config.LoyaltyScheme]). As a discount the value lowers the
// lines before tax; as a tender it pays in the settlement (Result.Payment)
// after the gift cards and vouchers, and lines and tax are unchanged.
//
// Points are reserved when the order is placed ([Service.PlaceOrder]),
// all or nothing, under an ID derived from the basket, so a retried order
// reserves once; an order attempt that fails releases them, and so does
// abandoning the basket. Paying ([Service.Pay]) or invoicing commits them
// and credits the points earned; a return gives back its share. A basket
// without a loyalty account is refused ([ErrInvalid]), a service without
// a loyalty source and programme with [ErrNotConfigured]. Asking for what
// is already asked records nothing.
func (s *Service) UseLoyaltyPoints(ctx context.Context, actor Actor, id uuid.UUID, points int64, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "use-loyalty-points", []any{points}, opts, func(t *tx, b *Basket) error {
		if s.cfg.Loyalty == nil || s.cfg.LoyaltyScheme == nil {
			return notConfigured("Config.Loyalty", "no loyalty source and programme to burn points with")
		}
		if b.Wallet.Loyalty != nil && b.Wallet.Loyalty.Burn == points {
			return b.editable(t.m) // like a PUT: nothing to record
		}
		if err := t.add(b.UseLoyaltyPoints(t.m, points)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// loyaltySnapshot reads the wallet account's balance, in one call. A
// source that cannot be read does not fail the pricing: it is reported
// (LoyaltyResult.Problem) and nothing is burnt.
func (s *Service) loyaltySnapshot(ctx context.Context, b *Basket) (LoyaltySnapshot, error) {
	ls := LoyaltySnapshot{Scheme: s.cfg.LoyaltyScheme}
	if b.Wallet.Loyalty == nil || s.cfg.Loyalty == nil {
		return ls, nil
	}
	account := b.Wallet.Loyalty.Account
	bs, err := s.cfg.Loyalty.Balances(ctx, []string{account})
	switch {
	case ctx.Err() != nil:
		return LoyaltySnapshot{}, ctx.Err()
	case err != nil:
		ls.Unavailable = true
		return ls, nil
	}
	for _, bal := range bs {
		if bal.Account == account {
			ls.Balance = &bal
			break
		}
	}
	return ls, nil
}

// reserveLoyalty reserves the points the order's pricing burns, under the
// first of the basket's reservation IDs that is not released: a retry of
// a lost attempt finds its own reservation (same ID, same points), which
// the source does not reserve twice. An ID that a lost attempt used for
// other points (the basket changed since) is released and passed over.
func (t *tx) reserveLoyalty(b *Basket) error {
	lr := b.Result.Loyalty
	if lr.BurntPoints() == 0 {
		return nil
	}
	src := t.s.cfg.Loyalty
	if src == nil {
		return notConfigured("Config.Loyalty", "no loyalty source to reserve points at")
	}
	req := loyalty.ReserveRequest{Account: lr.Account, Points: lr.Burn.Points}
	for n := 1; n <= MaxLoyaltyReservations; n++ {
		req.ID = b.LoyaltyReservationID(n)
		res, err := src.Reserve(t.ctx, req)
		if errors.Is(err, loyalty.ErrConflict) {
			if _, err := src.Release(t.ctx, req.ID); err != nil && !errors.Is(err, loyalty.ErrClosed) {
				return fmt.Errorf("basket: releasing the stale loyalty reservation %s: %w", req.ID, err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("basket: reserving %d points of %s: %w", req.Points, req.Account, err)
		}
		if res.State != loyalty.Reserved {
			continue // released by an order attempt that failed
		}
		id := req.ID
		t.undo = append(t.undo, func(ctx context.Context) { _, _ = src.Release(ctx, id) })
		return t.add(b.reserveLoyalty(t.m, LoyaltyReserved{Account: lr.Account, ReservationID: id, Points: lr.Burn.Points,
			Value: lr.Burn.Value, Mode: lr.Burn.Mode}))
	}
	return fmt.Errorf("basket: the %d loyalty reservation IDs of %s are used up", MaxLoyaltyReservations, b.ID)
}

// releaseLoyalty releases what order attempts that were never recorded
// reserved (a lost save, then the basket abandoned): every reservation ID
// of the basket in turn, up to the first the source does not know.
func (t *tx) releaseLoyalty(b *Basket) error {
	src := t.s.cfg.Loyalty
	if src == nil || b.Wallet.Loyalty == nil {
		return nil
	}
	for n := 1; n <= MaxLoyaltyReservations; n++ {
		_, err := src.Release(t.ctx, b.LoyaltyReservationID(n))
		switch {
		case errors.Is(err, loyalty.ErrNotFound):
			return nil
		case err != nil && !errors.Is(err, loyalty.ErrClosed):
			return fmt.Errorf("basket: releasing loyalty points: %w", err)
		}
	}
	return nil
}

// settleLoyalty commits the points the order burnt and credits those it
// earned, once each (paying and invoicing both call it). The credit's ID
// is the basket's ([Basket.LoyaltyEarnID]), so a retry after a lost save
// credits once. An account the source no longer knows earns nothing.
func (t *tx) settleLoyalty(b *Basket) error {
	src := t.s.cfg.Loyalty
	if o := b.Order.Loyalty; o != nil && o.ReservationID != "" && !o.Committed {
		if src == nil {
			return notConfigured("Config.Loyalty", "no loyalty source to commit points at")
		}
		if _, err := src.Commit(t.ctx, o.ReservationID); err != nil {
			return fmt.Errorf("basket: committing the loyalty points of %s: %w", o.ReservationID, err)
		}
		if err := t.add(b.recordLoyalty(t.m, EventLoyaltyCommitted, LoyaltyCommitted{ReservationID: o.ReservationID})); err != nil {
			return err
		}
	}
	lr := b.Result.Loyalty
	if lr == nil || !lr.Known || lr.Earned.Points <= 0 || src == nil || b.Order.Loyalty.Earned() > 0 {
		return nil
	}
	c := LoyaltyCredit{ID: b.LoyaltyEarnID(), Points: lr.Earned.Points}
	err := src.Credit(t.ctx, loyalty.CreditRequest{ID: c.ID, Account: lr.Account, Points: c.Points})
	switch {
	case errors.Is(err, loyalty.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("basket: crediting %d points to %s: %w", c.Points, lr.Account, err)
	}
	return t.add(b.recordLoyalty(t.m, EventLoyaltyCredited, LoyaltyCredited{Account: lr.Account, Credit: c}))
}

// returnLoyalty gives back, as a credit, the share of the points burnt
// that the return just recorded refunds ([Service.Return]).
//
// Points earned on the goods returned are not taken back: the
// [loyalty.LoyaltySource] has no debit, by design (a balance already
// spent cannot go below zero); a retailer who claws them back does it in
// its loyalty system, from the return events.
func (t *tx) returnLoyalty(b *Basket, returnID string) error {
	o := b.Order.Loyalty
	if o == nil || o.Points == 0 {
		return nil
	}
	n := returnedPoints(b)
	if n <= 0 {
		return nil
	}
	src := t.s.cfg.Loyalty
	if src == nil {
		return notConfigured("Config.Loyalty", "no loyalty source to give points back at")
	}
	c := LoyaltyCredit{ID: b.LoyaltyReturnID(returnID), Points: n, ReturnID: returnID}
	if err := src.Credit(t.ctx, loyalty.CreditRequest{ID: c.ID, Account: o.Account, Points: n}); err != nil {
		return fmt.Errorf("basket: giving back %d points to %s: %w", n, o.Account, err)
	}
	return t.add(b.recordLoyalty(t.m, EventLoyaltyCredited, LoyaltyCredited{Account: o.Account, Credit: c}))
}

// refreshPointsTender re-prices a cart whose points pay as a tender after
// its tenders changed: the points pay what the gift cards and vouchers
// leave, so their number follows them.
func (t *tx) refreshPointsTender(b *Basket) error {
	if len(t.events) == 0 || b.Status.Final() || b.Result == nil || b.Result.Loyalty == nil ||
		b.Result.Loyalty.Requested == 0 || t.s.cfg.LoyaltyScheme.BurnMode() != loyalty.Tender {
		return nil
	}
	return t.reprice(b, b.Context)
}

// pointsPayInFull refuses to pay an order whose points, reserved as a
// tender, the tenders no longer let pay their whole value (a gift card
// offered after the order was placed pays before them).
func pointsPayInFull(b *Basket, st payment.Settlement) error {
	var want, paid int64
	if o := b.Order.Loyalty; o != nil && o.Mode == loyalty.Tender {
		want = o.Value.MinorUnits()
	}
	for _, a := range st.Tenders {
		if a.Tender.Kind == payment.Points {
			paid += a.Amount.MinorUnits()
		}
	}
	if want == paid {
		return nil
	}
	return &InputError{Field: "Tenders", Kind: ErrNotPayable, Reason: fmt.Sprintf(
		"the loyalty points reserved for the order pay %d minor units, the tenders leave them %d: remove the gift card or voucher offered since", want, paid)}
}

// rollback undoes what the attempt did at the sources (its write will not
// happen).
func (t *tx) rollback() {
	ctx := context.WithoutCancel(t.ctx)
	for _, u := range t.undo {
		u(ctx)
	}
	t.undo = nil
}

// notWritten reports whether a failed save is known not to have written
// anything: the store refused it (stock short, an invalid write). Any
// other failure (a lost connection) may have written, and what the
// attempt did at the sources stays for the retry to find.
func notWritten(err error) bool {
	return errors.Is(err, stock.ErrInsufficientStock) || errors.Is(err, ErrInvalid) || errors.Is(err, ErrImmutable)
}
