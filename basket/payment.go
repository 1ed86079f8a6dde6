package basket

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/omnibasket/omnibasket/payment"
)

// The errors of paying a basket.
var (
	// ErrNotPayable: the basket cannot be paid as it is: it is not an
	// order yet (place it first: paying settles an order's total), or it
	// cannot take tenders in its status (a wishlist, an abandoned basket),
	// or it was never priced.
	ErrNotPayable = errors.New("basket: not payable")
	// ErrAlreadyPaid: the basket is paid; its tenders no longer change. It
	// also matches [ErrImmutable].
	ErrAlreadyPaid = fmt.Errorf("basket: already paid: %w", ErrImmutable)
	// ErrUnknownTender: the basket has no tender of that kind and code.
	ErrUnknownTender = errors.New("basket: no such tender")
)

// Payment is how a basket is paid: the tenders offered so far and, once
// paid, the settlement that was carried out. Tenders pay the basket's
// total; they never change prices, tax or totals (a gift card is not a
// discount).
type Payment struct {
	// Tenders are in application order ([payment.Compare]), one per kind
	// and code. A gift card's or voucher's Balance is what its source
	// reported when it was tendered; the source judges again when the
	// basket is paid.
	Tenders []payment.Tender `json:"tenders,omitempty"`
	// Paid is set once the basket is paid ([Service.Pay]).
	Paid *Paid `json:"paid,omitempty"`
	// PaidAt is when it was paid.
	PaidAt time.Time `json:"paid_at,omitzero"`
	// Released counts the redemptions made for the basket whose payment
	// was never recorded and that were reversed since
	// ([Service.ReleaseRedemption]); it numbers the next
	// [Basket.RedemptionID].
	Released int `json:"released,omitempty"`
}

// RedemptionID is the ID under which [Service.Pay] redeems the basket's
// gift cards and vouchers at the [payment.VoucherSource]: derived from the
// basket alone, never from the attempt, so that a payment retried after a
// crash (redeemed at the source, not saved) redeems with the same ID and
// debits nothing twice. It changes only when such a redemption is
// released ([Service.ReleaseRedemption]), since a reversed ID cannot
// debit again.
func (b *Basket) RedemptionID() string {
	id := "omnibasket/basket/" + b.ID.String() + "/payment"
	if b.Payment != nil && b.Payment.Released > 0 {
		id += "/" + strconv.Itoa(b.Payment.Released)
	}
	return id
}

// tenders returns the basket's tenders (nil when it has none).
func (b *Basket) tenders() []payment.Tender {
	if b.Payment == nil {
		return nil
	}
	return b.Payment.Tenders
}

// paid reports whether the basket is paid.
func (b *Basket) paid() bool { return b.Payment != nil && b.Payment.Paid != nil }

// settlementOf is the settlement a Result shows: the tenders applied to
// its total, a card above what the total now needs capped to it. It is
// nil when there are no tenders, or when they cannot settle this total:
// tenders taken in another currency before a channel change (remove them
// and tender again; [Service.Pay] refuses them with the typed error).
func settlementOf(tenders []payment.Tender, r *Result) *payment.Settlement {
	tenders = withPoints(tenders, r) // points burnt as a tender pay too
	if len(tenders) == 0 || r == nil {
		return nil
	}
	s, err := payment.Settle(r.Totals.Total, tenders, payment.Options{CapCards: true})
	if err != nil {
		return nil
	}
	return &s
}

// refreshPayment makes the Result's settlement follow the tenders. The
// Result is replaced, not changed in place: clones share it.
func (b *Basket) refreshPayment() {
	if b.Result == nil || (b.Result.Payment == nil && len(withPoints(b.tenders(), b.Result)) == 0) {
		return
	}
	r := *b.Result
	r.Payment = settlementOf(b.tenders(), &r)
	b.Result = &r
}

// tenderable is the guard of the commands that change a basket's
// tenders: a cart, a quote or an order not yet paid.
func (b *Basket) tenderable(m Meta) error {
	if err := checkMeta(m); err != nil {
		return err
	}
	if b.paid() {
		return &InputError{Field: "Payment", Reason: "the basket is paid", Kind: ErrAlreadyPaid}
	}
	switch b.Status {
	case Cart, Quote, Ordered, Invoiced:
	default:
		return &InputError{Field: "Status", Reason: "a " + b.Status.String() + " is not paid", Kind: ErrNotPayable}
	}
	if b.Result == nil {
		return &InputError{Field: "Result", Reason: "the basket was never priced", Kind: ErrNotPayable}
	}
	return nil
}

// withTender returns tenders with t added in application order, replacing
// the tender of the same kind and code (a new amount handed over, a
// balance read again).
func withTender(tenders []payment.Tender, t payment.Tender) []payment.Tender {
	i, found := slices.BinarySearchFunc(tenders, t, payment.Compare)
	if found {
		out := slices.Clone(tenders)
		out[i] = t
		return out
	}
	return slices.Insert(slices.Clone(tenders), i, t)
}

// AddTender offers a means of payment for the basket, or replaces the
// tender of the same kind and code. A gift card's or voucher's code is
// normalised like a wallet code and t.Balance must be what its source
// reports ([Service.AddTender] reads it). The tenders must settle the
// current total strictly: a card above what remains is refused
// ([payment.ErrOverTender]), as is any tender [payment.Settle] refuses; the
// error's Kind is the payment error. Tenders pay, they do not discount:
// nothing is re-priced, the Result's settlement follows.
func (b *Basket) AddTender(m Meta, t payment.Tender) (Event, error) {
	if err := b.tenderable(m); err != nil {
		return Event{}, err
	}
	if t.Kind == payment.GiftCard || t.Kind == payment.Voucher {
		t.Code = NormalizeCode(t.Code)
		if err := validCode("Tender.Code", t.Code); err != nil {
			return Event{}, err
		}
	}
	if t.Kind == payment.Points {
		return Event{}, pointsTenderError()
	}
	if _, err := payment.Settle(b.Result.Totals.Total, withTender(withPoints(b.tenders(), b.Result), t), payment.Options{}); err != nil {
		return Event{}, &InputError{Field: "Tender", Reason: err.Error(), Kind: err}
	}
	return b.record(m, EventTenderAdded, TenderAdded{Tender: t})
}

// RemoveTender withdraws a tender before the basket is paid.
func (b *Basket) RemoveTender(m Meta, kind payment.Kind, code string) (Event, error) {
	if err := b.tenderable(m); err != nil {
		return Event{}, err
	}
	if kind == payment.GiftCard || kind == payment.Voucher {
		code = NormalizeCode(code)
	}
	if _, found := slices.BinarySearchFunc(b.tenders(), payment.Tender{Kind: kind, Code: code}, payment.Compare); !found {
		return Event{}, &InputError{Field: "Tender", Reason: fmt.Sprintf("no %s tender %q", kind, code), Kind: ErrUnknownTender}
	}
	return b.record(m, EventTenderRemoved, TenderRemoved{Kind: kind, Code: code})
}

// pay records that the basket was paid by s, its gift cards and vouchers
// redeemed under redemptionID (empty when none paid anything).
func (b *Basket) pay(m Meta, redemptionID string, s payment.Settlement) (Event, error) {
	if err := b.tenderable(m); err != nil {
		return Event{}, err
	}
	switch {
	case b.Order == nil:
		return Event{}, &InputError{Field: "Status", Reason: "place the order first: paying settles an order's total", Kind: ErrNotPayable}
	case !s.Settled():
		return Event{}, &InputError{Field: "Tenders", Reason: fmt.Sprintf("%s remains to pay", s.Remaining), Kind: payment.ErrNotSettled}
	}
	return b.record(m, EventPaid, Paid{RedemptionID: redemptionID, Settlement: s})
}

// releaseRedemption records that the redemption under the basket's
// current RedemptionID, whose payment was never recorded, was reversed.
func (b *Basket) releaseRedemption(m Meta) (Event, error) {
	if err := b.tenderable(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventRedemptionReleased, RedemptionReleased{RedemptionID: b.RedemptionID()})
}

// applyPayment applies the payment events.
func (b *Basket) applyPayment(e Event, payload any) error {
	var p Payment
	if b.Payment != nil {
		p = *b.Payment
	}
	if p.Paid != nil {
		return invalid("Event", "%s after the basket was paid", e.Type)
	}
	switch x := payload.(type) {
	case *TenderAdded:
		if !x.Tender.Kind.Valid() {
			return invalid("Event.Data", "%s: unknown tender kind %d", e.Type, uint8(x.Tender.Kind))
		}
		p.Tenders = withTender(p.Tenders, x.Tender)
	case *TenderRemoved:
		i, found := slices.BinarySearchFunc(p.Tenders, payment.Tender{Kind: x.Kind, Code: x.Code}, payment.Compare)
		if !found {
			return &InputError{Field: "Tender", Reason: fmt.Sprintf("no %s tender %q", x.Kind, x.Code), Kind: ErrUnknownTender}
		}
		p.Tenders = slices.Delete(slices.Clone(p.Tenders), i, i+1)
	case *Paid:
		paid := *x
		p.Paid, p.PaidAt = &paid, e.At
	case *RedemptionReleased:
		p.Released++
	}
	if len(p.Tenders) == 0 {
		p.Tenders = nil
	}
	b.Payment = &p
	if p.Tenders == nil && p.Paid == nil && p.Released == 0 {
		b.Payment = nil
	}
	b.refreshPayment()
	return nil
}
