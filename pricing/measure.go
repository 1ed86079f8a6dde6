package pricing

import "fmt"

// MeasureDecimals is the precision of a weighed or measured quantity:
// three decimals of its unit of measure (a gram of a kilogram, a
// millimetre of a metre, a millilitre of a litre). Measured quantities are
// counted as whole thousandths of their unit, so 0.347 kg is the integer
// 347 and never a float; stock levels, holds and price-list tiers
// (Price.MinQuantity) of a measured SKU are counted in the same
// thousandths.
const MeasureDecimals = 3

// measureScale is 10^MeasureDecimals: the thousandths in one unit.
const measureScale = 1000

// MulMeasure returns the amount of a measured quantity: q thousandths of
// the unit of measure the price is given for (0.347 kg is 347 at a price
// per kg). It is price × q ÷ (per × 1,000), computed exactly on 128 bits
// and rounded once to the currency's minor unit with mode: 0.347 kg at
// 24.90 EUR/kg is 8.6403, so 8.64 under half-even, 8.65 under up. It is
// the one formula of a measured line, whatever the price's decimals or per
// (a price per 100 g of goods sold by the gram works the same way). A
// result beyond ±MaxInt64 minor units matches [ErrOverflow].
func (u UnitPrice) MulMeasure(q int64, mode RoundingMode) (Money, error) {
	if u.cur.IsZero() {
		return Money{}, fmt.Errorf("%w: zero currency", ErrUnknownCurrency)
	}
	if !mode.Valid() {
		return Money{}, invalid("mode", "unknown rounding %s", mode)
	}
	// per ≤ 10^9, × 10^3, × 10^6 at most for millionths: ≤ 10^18 < 2^64.
	d := uint64(u.Per()) * measureScale
	if u.precise() {
		d *= pow10(UnitPriceDecimals - int(u.cur.exp))
	}
	v, ok := mulDivRound(u.coef, q, d, mode)
	if !ok {
		return Money{}, fmt.Errorf("%w: %s × %d thousandths", ErrOverflow, u, q)
	}
	return Money{units: v, cur: u.cur}, nil
}
