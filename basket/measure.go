package basket

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/internal/excerpt"
	"github.com/omnibasket/omnibasket/pricing"
)

// MeasureDecimals is the precision of a measured quantity: a measured
// line's Quantity counts thousandths of its unit (see [pricing.MeasureDecimals]).
const MeasureDecimals = pricing.MeasureDecimals

// MaxMeasure bounds a measured quantity, in units of measure (100,000 kg,
// m or l): a measured line holds at most MaxMeasure × 1,000 thousandths.
const MaxMeasure = MaxQuantity

const thousandths = 1000

var (
	// ErrMeasureTooPrecise: a measured quantity has more than
	// [MeasureDecimals] decimals of the line's unit (0.3475 kg, or 0.5 g of
	// a product sold by the kg to the gram). A quantity is never rounded
	// on the way in. It also matches [ErrInvalid]. Nothing changed.
	ErrMeasureTooPrecise = fmt.Errorf("basket: a measured quantity has at most %d decimals: %w", MeasureDecimals, ErrInvalid)
	// ErrFractionalQuantity: counted goods (catalog.Each) were given a
	// quantity with decimals (1.5 mugs). It also matches [ErrInvalid].
	// Nothing changed.
	ErrFractionalQuantity = fmt.Errorf("basket: counted goods have whole quantities: %w", ErrInvalid)
	// ErrUnitMismatch: the measure is in a unit the product is not sold in
	// and cannot be converted to (litres of a product sold by the kg, a
	// weight for counted goods). Kilograms and grams convert exactly. It
	// also matches [ErrInvalid]. Nothing changed.
	ErrUnitMismatch = fmt.Errorf("basket: the quantity is not in the product's unit: %w", ErrInvalid)
)

// maxLineQuantity is the largest Quantity of a line in unit.
func maxLineQuantity(u catalog.Unit) int64 {
	if u.Measured() {
		return MaxMeasure * thousandths
	}
	return MaxQuantity
}

// ParseMeasure reads a quantity as a shopper or a till types it: a plain
// decimal and, after one space, a unit symbol ("0.347 kg", "2.5 m",
// "1.25 l", "3" for counted goods). It is exact: at most [MeasureDecimals]
// decimals once trailing zeros are dropped ("0.3470 kg" is 0.347 kg; a
// fourth decimal other than zero matches [ErrMeasureTooPrecise]), above
// zero, at most [MaxMeasure] units (or [MaxQuantity] counted), and counted
// goods whole ([ErrFractionalQuantity]). Signs, exponents, separators and
// spaces other than the one before the unit are refused; every error is
// an [*InputError] on field "Measure".
func ParseMeasure(s string) (catalog.Measure, error) {
	bad := func(kind error, format string, args ...any) (catalog.Measure, error) {
		return catalog.Measure{}, &InputError{Field: "Measure", Reason: excerpt.Quote(s) + ": " + fmt.Sprintf(format, args...), Kind: kind}
	}
	num, sym, hasUnit := strings.Cut(s, " ")
	unit := catalog.Each
	if hasUnit {
		if err := unit.UnmarshalText([]byte(sym)); err != nil || !unit.Measured() {
			return bad(ErrInvalid, "the unit is one of kg, g, m, l")
		}
	}
	intPart, frac, dot := strings.Cut(num, ".")
	switch {
	case intPart == "" || dot && frac == "":
		return bad(ErrInvalid, "not a plain decimal like 0.347")
	case strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "":
		return bad(ErrInvalid, "not a plain decimal like 0.347")
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > MeasureDecimals {
		return bad(ErrMeasureTooPrecise, "more than %d decimals", MeasureDecimals)
	}
	if !unit.Measured() && frac != "" {
		return bad(ErrFractionalQuantity, "counted goods have whole quantities")
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 9 { // beyond any bound, and far from overflow below
		return bad(ErrInvalid, "above the maximum of %d", MaxMeasure)
	}
	v, _ := strconv.ParseInt("0"+intPart+frac, 10, 64)
	m := catalog.Measure{Value: v, Decimals: len(frac), Unit: unit}
	if _, err := lineQuantity(m, unit); err != nil {
		return catalog.Measure{}, err
	}
	return m, nil
}

// lineQuantity converts m to the Quantity of a line sold in unit: whole
// units for counted goods, thousandths of unit for measured goods (a
// weight in grams converts to kilograms and back exactly). It refuses,
// as [*InputError]s on field "Measure", a unit that does not convert, a
// fraction of a counted unit, more precision than a thousandth, zero or
// less, and more than the maximum.
func lineQuantity(m catalog.Measure, unit catalog.Unit) (int64, error) {
	bad := func(kind error, format string, args ...any) (int64, error) {
		return 0, &InputError{Field: "Measure", Reason: m.String() + ": " + fmt.Sprintf(format, args...), Kind: kind}
	}
	switch {
	case !m.Unit.Valid() || !unit.Valid():
		return bad(ErrInvalid, "unknown unit")
	case m.Decimals < 0 || m.Decimals > 18:
		return bad(ErrInvalid, "%d decimals", m.Decimals)
	case m.Value <= 0:
		return bad(ErrInvalid, "a quantity is above zero")
	}
	// q = Value × 10^-Decimals × factor, in whole units or thousandths.
	num := big.NewInt(m.Value)
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(m.Decimals)), nil)
	switch {
	case m.Unit == unit:
	case m.Unit == catalog.Gram && unit == catalog.Kilogram:
		den.Mul(den, big.NewInt(thousandths))
	case m.Unit == catalog.Kilogram && unit == catalog.Gram:
		num.Mul(num, big.NewInt(thousandths))
	default:
		return bad(ErrUnitMismatch, "the product is sold %s", soldBy(unit))
	}
	if unit.Measured() {
		num.Mul(num, big.NewInt(thousandths))
	}
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	switch {
	case rem.Sign() != 0 && !unit.Measured():
		return bad(ErrFractionalQuantity, "counted goods have whole quantities")
	case rem.Sign() != 0:
		return bad(ErrMeasureTooPrecise, "more precise than a thousandth of a %s", unit)
	case !q.IsInt64() || q.Int64() > maxLineQuantity(unit):
		return bad(ErrInvalid, "above the maximum of %s", FormatQuantity(maxLineQuantity(unit), unit))
	}
	return q.Int64(), nil
}

func soldBy(u catalog.Unit) string {
	if u.Measured() {
		return "by the " + u.String()
	}
	return "by the unit"
}

// FormatQuantity writes a line's quantity with its unit: "0.347 kg",
// "2.5 m", "1 l" for measured goods (thousandths, trailing zeros
// dropped), "3" for counted goods. The decimal separator is "."; package
// message writes it for the shopper's locale.
func FormatQuantity(q int64, unit catalog.Unit) string {
	if !unit.Measured() {
		return strconv.FormatInt(q, 10)
	}
	return FormatMeasureNumber(q) + " " + unit.String()
}

// FormatMeasureNumber writes q thousandths as a plain decimal without its
// unit and without trailing zeros ("0.347", "2.5", "1"): the figure of a
// measured quantity ("1.2 of 2.5 m available").
func FormatMeasureNumber(q int64) string {
	neg := q < 0
	u := uint64(q)
	if neg {
		u = -u
	}
	s := strconv.FormatUint(u/thousandths, 10)
	if f := u % thousandths; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%03d", f), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// quantity returns the line n describes: its Quantity in unit, from
// Quantity (counted goods) or Measure, exactly one of which is set.
func (n NewLine) quantity() (int64, catalog.Unit, error) {
	if n.Measure == (catalog.Measure{}) {
		if n.Quantity < 1 || n.Quantity > MaxQuantity {
			return 0, 0, invalid("Quantity", "%d is outside 1…%d", n.Quantity, MaxQuantity)
		}
		return n.Quantity, catalog.Each, nil
	}
	if n.Quantity != 0 {
		return 0, 0, invalid("Quantity", "set with Measure: a line has one quantity")
	}
	q, err := lineQuantity(n.Measure, n.Measure.Unit)
	return q, n.Measure.Unit, err
}

// SetMeasure sets the measured quantity of a measured line (a length of
// fabric cut again), converted exactly to the line's unit (a measure in
// grams for a line sold by the kg is fine, to the gram). A counted line is
// refused ([ErrUnitMismatch]; use SetQuantity), as is the current
// measure, like SetQuantity does.
func (b *Basket) SetMeasure(m Meta, lineID string, q catalog.Measure) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	l, ok := b.Line(lineID)
	if !ok {
		return Event{}, &InputError{Field: "LineID", Reason: lineID, Kind: ErrUnknownLine}
	}
	if !l.Unit.Measured() {
		return Event{}, &InputError{Field: "Measure", Reason: "line " + lineID + " is counted goods: set its quantity", Kind: ErrUnitMismatch}
	}
	qty, err := lineQuantity(q, l.Unit)
	if err != nil {
		return Event{}, err
	}
	if qty == l.Quantity {
		return Event{}, invalid("Measure", "line %s already measures %s", lineID, FormatQuantity(qty, l.Unit))
	}
	return b.record(m, EventQuantitySet, QuantitySet{LineID: lineID, From: l.Quantity, To: qty})
}

// SetMeasure changes a measured line's measure ([Basket.SetMeasure]) and
// re-prices. Setting the measure it has changes nothing, like a PUT.
func (s *Service) SetMeasure(ctx context.Context, actor Actor, id uuid.UUID, lineID string, q catalog.Measure, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "set-measure", []any{lineID, q}, opts, func(t *tx, b *Basket) error {
		if l, ok := b.Line(lineID); ok && l.Unit.Measured() {
			if qty, err := lineQuantity(q, l.Unit); err == nil && qty == l.Quantity {
				return b.mutable(t.m)
			}
		}
		if err := t.add(b.SetMeasure(t.m, lineID, q)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// lineAmount is a line's subtotal before promotions, rounded once with
// mode: price × quantity ÷ per for counted goods, price × thousandths ÷
// (per × 1,000) for measured goods, whose price is per unit of measure.
func lineAmount(price pricing.UnitPrice, q int64, unit catalog.Unit, mode pricing.RoundingMode) (pricing.Money, error) {
	if unit.Measured() {
		return price.MulMeasure(q, mode)
	}
	return price.Mul(q, mode)
}

// taxUnits is the number of units per-unit tax rounding splits a priced
// line into: a measured line is one, so it is taxed per line (its
// thousandths are not units a till prints a taxed price for).
func taxUnits(l *PricedLine) int64 {
	if l.Unit.Measured() {
		return 1
	}
	return l.Quantity
}

// quantity writes a quantity of the change's line with its unit ("0.347
// kg", "3").
func (c Change) quantity(q int64) string { return FormatQuantity(q, c.Unit) }

// figure writes a quantity of the change's line without its unit, for the
// part of a whole said with it ("1.2 of 2.5 m available").
func (c Change) figure(q int64) string {
	if c.Unit.Measured() {
		return FormatMeasureNumber(q)
	}
	return strconv.FormatInt(q, 10)
}
