package payment

import (
	"cmp"
	"fmt"

	"github.com/omnibasket/omnibasket/pricing"
)

// Kind is a means of payment. The kinds are declared in application
// order: [Settle] takes the balance-bound tenders first (gift cards,
// vouchers, loyalty points), then cards, then cash.
type Kind uint8

// The tender kinds. The zero value is invalid.
const (
	// GiftCard is a stored-value card whose balance a [VoucherSource]
	// keeps; what it does not pay stays on it.
	GiftCard Kind = iota + 1
	// Voucher is a gift voucher (a credit note, a promotional voucher worth
	// an amount) whose balance a [VoucherSource] keeps, like a gift card.
	Voucher
	// Points are loyalty points used as money. Their balance (the points'
	// value in the currency) comes from the loyalty program, not from a
	// VoucherSource, and they are redeemed there: Settle treats them like
	// any balance-bound tender, and [Settlement.Debits] leaves them out.
	Points
	// Card is a payment card charged by the platform's payment terminal or
	// gateway for at most what remains to pay: a card gives no cashback.
	Card
	// Cash is notes and coins. It may exceed what remains: the excess is
	// change. Only the cash part is rounded to the currency's cash
	// increment (CHF 0.05).
	Cash
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case GiftCard:
		return "gift-card"
	case Voucher:
		return "voucher"
	case Points:
		return "points"
	case Card:
		return "card"
	case Cash:
		return "cash"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Valid reports whether k is a declared kind.
func (k Kind) Valid() bool { return k >= GiftCard && k <= Cash }

// BalanceBound reports whether a tender of this kind pays from a balance
// (gift card, voucher, points) and never more than it.
func (k Kind) BalanceBound() bool { return k >= GiftCard && k <= Points }

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, &InputError{Field: "Kind", Reason: fmt.Sprintf("unknown kind %d", uint8(k)), Kind: ErrUnknownKind}
	}
	return []byte(k.String()), nil
}

// UnmarshalText decodes a kind by name; on error k is unchanged.
func (k *Kind) UnmarshalText(b []byte) error {
	for v := GiftCard; v <= Cash; v++ {
		if v.String() == string(b) {
			*k = v
			return nil
		}
	}
	return &InputError{Field: "Kind", Reason: fmt.Sprintf("unknown kind %.32q", b), Kind: ErrUnknownKind}
}

// MaxCodeLength bounds a tender, voucher or redemption code, so that
// hostile input is refused before it is stored or compared.
const MaxCodeLength = 64

// MaxTenders bounds the tenders of one settlement: a till splits a bill a
// few ways, not thousands.
const MaxTenders = 32

// Tender is one means of payment offered for a basket. A tender is
// identified by its kind and code: a basket holds at most one tender per
// kind and code, and at most one cash tender.
type Tender struct {
	Kind Kind `json:"kind"`
	// Code identifies the tender: the gift card or voucher number, the
	// loyalty account, a card payment's reference (terminal slot, last
	// four digits; may be empty). Required for balance-bound tenders;
	// printable ASCII without spaces, at most [MaxCodeLength] bytes.
	Code string `json:"code,omitempty"`
	// Balance is what is left on a balance-bound tender, as its source
	// reported it; it caps what the tender pays. Unset for cards and cash.
	Balance pricing.Money `json:"balance,omitzero"`
	// Amount is the most the tender pays; zero (or unset) means whatever
	// remains. For a balance-bound tender it lowers the cap below the
	// balance (use only 20.00 of the card); for a card it is the charge,
	// refused above what remains ([ErrOverTender]); for cash it is what the
	// shopper hands over, and must be a whole number of the currency's
	// cash increment (CHF 0.05).
	Amount pricing.Money `json:"amount,omitzero"`
}

// Compare orders tenders in application order: by kind (balance-bound
// first, then cards, then cash), then by code. It is the order of
// [Settlement.Tenders], whatever the order the tenders were given in.
func Compare(a, b Tender) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	return cmp.Compare(a.Code, b.Code)
}

// validCode reports whether code is printable ASCII without spaces, of at
// most MaxCodeLength bytes (empty allowed: callers that need one check).
func validCode(code string) bool { return printable(code, MaxCodeLength) }

// printable reports whether s has at most n bytes, all printable ASCII
// other than space.
func printable(s string, n int) bool {
	if len(s) > n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// check validates tender i of a settlement in cur.
func (t Tender) check(i int, cur pricing.Currency) error {
	fail := func(kind error, format string, args ...any) error {
		return &TenderError{Index: i, Kind: t.Kind, Code: t.Code, Reason: fmt.Sprintf(format, args...), Err: kind}
	}
	switch {
	case !t.Kind.Valid():
		return fail(ErrUnknownKind, "unknown kind %d", uint8(t.Kind))
	case !validCode(t.Code):
		return fail(ErrInvalid, "a code is printable ASCII without spaces, at most %d bytes", MaxCodeLength)
	case t.Kind.BalanceBound() && t.Code == "":
		return fail(ErrInvalid, "a %s tender needs its code", t.Kind)
	}
	if t.Kind.BalanceBound() {
		switch {
		case t.Balance.Currency().IsZero():
			return fail(ErrInvalid, "a %s tender needs the balance its source reported", t.Kind)
		case t.Balance.Currency() != cur:
			return fail(ErrCurrencyMismatch, "balance in %s, due in %s", t.Balance.Currency(), cur)
		case t.Balance.IsNegative():
			return fail(ErrNegative, "balance %s", t.Balance)
		}
	} else if !t.Balance.Currency().IsZero() {
		return fail(ErrInvalid, "only gift cards, vouchers and points have a balance")
	}
	if t.Amount.Currency().IsZero() {
		return nil
	}
	switch {
	case t.Amount.Currency() != cur:
		return fail(ErrCurrencyMismatch, "amount in %s, due in %s", t.Amount.Currency(), cur)
	case t.Amount.IsNegative():
		return fail(ErrNegative, "amount %s", t.Amount)
	}
	if inc, ok := cur.CashIncrement(); ok && t.Kind == Cash && t.Amount.MinorUnits()%inc.MinorUnits() != 0 {
		return fail(ErrInvalid, "%s cash is handed over in steps of %s", cur, inc.Amount())
	}
	return nil
}
