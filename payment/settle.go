package payment

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/omnibasket/omnibasket/pricing"
)

// CashRoundingMode is how the cash part of a payment is rounded to the
// currency's cash increment: half-up, Swiss and Nordic practice (CHF 7.625
// cannot occur, 7.63 → 7.65, 7.62 → 7.60; DKK 0.25 → 0.50).
const CashRoundingMode = pricing.HalfUp

// Options tune a settlement. The zero value is strict: the check made
// when a tender is offered.
type Options struct {
	// CapCards lowers a card amount above what remains to pay to what
	// remains (the applied tender says Capped), instead of refusing it
	// with [ErrOverTender]: a basket re-priced lower after its card tender
	// was taken keeps a valid settlement, and the card is charged what the
	// new total needs.
	CapCards bool
}

// Applied is one tender of a settlement and what it pays.
type Applied struct {
	Tender Tender `json:"tender"`
	// Amount is what the tender pays toward the amount due: the debit of
	// a balance-bound tender, the charge of a card, the cash kept (handed
	// over minus change, so cash-rounded when it settles the rest).
	Amount pricing.Money `json:"amount"`
	// Left is what a balance-bound tender keeps (balance − amount); unset
	// for cards and cash.
	Left pricing.Money `json:"left,omitzero"`
	// Capped says a card amount above what remained was lowered to it
	// ([Options.CapCards]).
	Capped bool `json:"capped,omitempty"`
}

// Settlement is how an amount due is paid by a set of tenders. Its
// amounts satisfy, exactly:
//
//	Paid = Σ Tenders[i].Amount
//	Paid − CashRounding + Remaining = Due
//	Σ cash handed over − Change = the cash tender's Amount
//
// and none is negative but CashRounding.
type Settlement struct {
	Due pricing.Money `json:"due"`
	// Tenders are in application order ([Compare]), one per tender given.
	Tenders []Applied     `json:"tenders"`
	Paid    pricing.Money `json:"paid"`
	// Remaining is what is still to pay; zero when settled.
	Remaining pricing.Money `json:"remaining"`
	// CashRounding is the cash part as rounded minus the cash part due
	// (the [pricing.CashRounding] difference): positive when the shopper
	// pays a little more, negative when a little less. It is zero unless
	// cash settled the rest. Book it as a rounding line, never as a
	// discount: tax is on the unrounded total.
	CashRounding pricing.Money `json:"cash_rounding"`
	// Change is the cash handed back.
	Change pricing.Money `json:"change"`
}

// Settled reports whether nothing remains to pay.
func (s Settlement) Settled() bool { return s.Remaining.IsZero() }

// Debits returns what the settlement takes from the gift cards and
// vouchers of a [VoucherSource], sorted by code, leaving out those that
// pay nothing: the debits of the [Redemption] that carries it out. Points
// are redeemed with the loyalty program, not here.
func (s Settlement) Debits() []Debit {
	var out []Debit
	for _, a := range s.Tenders {
		if (a.Tender.Kind == GiftCard || a.Tender.Kind == Voucher) && a.Amount.IsPositive() {
			out = append(out, Debit{Code: a.Tender.Code, Amount: a.Amount})
		}
	}
	slices.SortFunc(out, func(a, b Debit) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// Settle applies tenders to an amount due, in application order whatever
// the order given ([Compare]: balance-bound tenders, then cards, then
// cash; within a kind, by code):
//
//  1. a gift card, voucher or points pays the least of its balance, its
//     Amount when set, and what remains; the rest stays on it (Left);
//  2. a card pays its Amount, or what remains when the Amount is zero; an
//     Amount above what remains is refused with [ErrOverTender] (or
//     lowered to it with [Options.CapCards]): no cashback;
//  3. cash settles the rest rounded to the currency's cash increment with
//     [CashRoundingMode] (CHF 7.63 due in cash → 7.65): when the amount
//     handed over covers it (a zero Amount hands over exactly that), the
//     cash tender pays the rounded part, CashRounding is the rounding
//     difference and the excess is Change; when it does not, the cash pays
//     what was handed over, unrounded, and the rest remains.
//
// Nothing else is rounded: lines, tax and totals stay as priced. A
// settlement that leaves something to pay is not an error (Remaining says
// how much); bad input is, with a [*TenderError] naming the tender: an
// unknown kind, a negative amount, a currency other than the due's, a
// duplicate tender (same kind and code; a gift card and a voucher with
// one code; two cash tenders), a cash amount that is not a whole number
// of the cash increment. The result depends only on the inputs.
func Settle(due pricing.Money, tenders []Tender, opts Options) (Settlement, error) {
	cur := due.Currency()
	switch {
	case cur.IsZero():
		return Settlement{}, invalid("due", "zero currency")
	case due.IsNegative():
		return Settlement{}, &InputError{Field: "due", Reason: due.String(), Kind: ErrNegative}
	case len(tenders) > MaxTenders:
		return Settlement{}, invalid("tenders", "%d tenders: at most %d", len(tenders), MaxTenders)
	}
	for i, t := range tenders {
		if err := t.check(i, cur); err != nil {
			return Settlement{}, err
		}
	}
	order := make([]int, len(tenders))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := Compare(tenders[a], tenders[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	if err := checkUnique(tenders, order); err != nil {
		return Settlement{}, err
	}

	money := func(units int64) pricing.Money {
		m, _ := pricing.FromMinor(units, cur) // cur is set; units never MinInt64
		return m
	}
	s := Settlement{Due: due, Tenders: make([]Applied, 0, len(tenders)), CashRounding: money(0), Change: money(0)}
	rem, paid := due.MinorUnits(), int64(0)
	for _, i := range order {
		t := tenders[i]
		a := Applied{Tender: t}
		var take int64
		switch {
		case t.Kind.BalanceBound():
			take = min(t.Balance.MinorUnits(), rem)
			if limit := t.Amount.MinorUnits(); limit > 0 {
				take = min(take, limit)
			}
			a.Left = money(t.Balance.MinorUnits() - take)
			rem -= take
		case t.Kind == Card:
			take = rem
			if want := t.Amount.MinorUnits(); want > 0 {
				if want > rem && !opts.CapCards {
					return Settlement{}, &TenderError{Index: i, Kind: t.Kind, Code: t.Code, Err: ErrOverTender,
						Reason: fmt.Sprintf("%s asked, %s remains", t.Amount, money(rem))}
				}
				a.Capped = want > rem
				take = min(want, rem)
			}
			rem -= take
		default: // Cash: the last kind, and at most one tender
			r, err := pricing.CashRound(money(rem), CashRoundingMode)
			if err != nil {
				return Settlement{}, err
			}
			handed := t.Amount.MinorUnits()
			if handed == 0 {
				handed = r.Rounded.MinorUnits()
			}
			if handed >= r.Rounded.MinorUnits() {
				take = r.Rounded.MinorUnits()
				s.CashRounding, s.Change = r.Difference, money(handed-take)
				rem = 0
			} else {
				// A whole number of increments below the rounded rest is
				// below the rest itself: something remains, unrounded.
				take = handed
				rem -= take
			}
		}
		paid += take
		a.Amount = money(take)
		s.Tenders = append(s.Tenders, a)
	}
	s.Paid, s.Remaining = money(paid), money(rem)
	return s, nil
}

// checkUnique refuses two tenders with one kind and code, a gift card and
// a voucher sharing a code (one source, one namespace), and two cash
// tenders. order lists the tenders in application order.
func checkUnique(tenders []Tender, order []int) error {
	dup := func(i int, reason string) error {
		t := tenders[i]
		return &TenderError{Index: i, Kind: t.Kind, Code: t.Code, Reason: reason, Err: ErrInvalid}
	}
	cash := -1
	var vouchers []int // gift cards and vouchers, by code
	for k, i := range order {
		t := tenders[i]
		if k > 0 && Compare(tenders[order[k-1]], t) == 0 {
			return dup(i, "the same tender is given twice")
		}
		switch t.Kind {
		case Cash:
			if cash >= 0 {
				return dup(i, "one cash tender: hand the whole cash amount over at once")
			}
			cash = i
		case GiftCard, Voucher:
			vouchers = append(vouchers, i)
		}
	}
	slices.SortFunc(vouchers, func(a, b int) int { return cmp.Compare(tenders[a].Code, tenders[b].Code) })
	for k := 1; k < len(vouchers); k++ {
		if tenders[vouchers[k-1]].Code == tenders[vouchers[k]].Code {
			return dup(max(vouchers[k-1], vouchers[k]), "a gift card and a voucher share this code")
		}
	}
	return nil
}
