package pricing

import "github.com/omnibasket/omnibasket/internal/iso4217"

// CashRounding is the outcome of rounding an amount due for a cash payment.
type CashRounding struct {
	// Rounded is what the shopper hands over.
	Rounded Money
	// Difference is Rounded − the amount due: positive when the shopper pays
	// a little more, negative when a little less. Book it as a rounding line.
	Difference Money
}

// CashRound rounds an amount due to the currency's cash increment (CHF 0.05,
// DKK 0.50 …) with mode (Swiss and Danish practice is [HalfUp]). It is a
// payment-time helper: lines and totals are never cash-rounded. A currency
// without a cash increment comes back unchanged with a zero difference.
func CashRound(due Money, mode RoundingMode) (CashRounding, error) {
	if due.cur.IsZero() {
		return CashRounding{}, invalid("due", "zero currency")
	}
	inc := iso4217.CashIncrement(due.cur.Code())
	if inc == 0 {
		return CashRounding{Rounded: due, Difference: Zero(due.cur)}, nil
	}
	steps, ok := mulDivRound(due.units, 1, uint64(inc), mode)
	if !ok {
		return CashRounding{}, ErrOverflow
	}
	rounded, ok := mulUnits(steps, inc)
	if !ok {
		return CashRounding{}, ErrOverflow
	}
	diff, ok := addUnits(rounded, -due.units)
	if !ok {
		return CashRounding{}, ErrOverflow
	}
	return CashRounding{Rounded: Money{units: rounded, cur: due.cur}, Difference: Money{units: diff, cur: due.cur}}, nil
}
