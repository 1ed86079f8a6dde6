// Package pricing is exact money for omnibasket: currencies, amounts,
// rounding, rates, allocation, price lists and tax.
//
// [Money] is a value bound to its currency and held in whole minor units
// (int64, overflow-checked): JPY has 0 decimals, EUR 2, KWD 3. Mixing
// currencies is an error ([ErrCurrencyMismatch]), never a conversion, and
// there is no float anywhere. shopspring/decimal is the boundary type
// ([FromDecimal], [Money.Decimal]); its package globals are never touched.
//
// A unit price may be more precise than the currency: a [UnitPrice] carries
// up to six decimals of the major unit (0.0125 EUR a screw, 1.859 EUR a
// litre), optionally per a quantity (12.50 EUR per 1,000). It is not money:
// the line amount is, rounded once by [UnitPrice.Mul]. An ordinary price
// is a unit price with fewer decimals ([UnitPriceOf], [UnitPrice.Exact]).
//
// Rounding happens only at documented points, in an explicit
// [RoundingMode] ([HalfEven] by default):
//   - [Money.MulRate]: one rounding of an exact product;
//   - [UnitPrice.Mul]: one rounding of price × quantity ÷ per;
//   - [UnitPrice.MulMeasure]: one rounding of price × thousandths ÷ (per
//     × 1,000) for weighed and measured goods, whose quantities are whole
//     thousandths of their unit of measure ([MeasureDecimals]: 0.347 kg is
//     347), so a price per kg, per metre or per litre never meets a float;
//   - [ComputeTax]: per line, per unit or per document ([TaxRounding]),
//     with Gross = Net + Tax exactly on every line;
//   - [Allocate]: largest remainder on minor units, ties by key, parts
//     summing exactly to the whole;
//   - [CashRound]: at payment time only (CHF 0.05), never on lines.
//
// Prices come from price lists through a [PriceSource] in one call per
// basket; a [PriceBook] resolves the context's chain most specific first and
// records which list, tier and group produced each price:
//
//	book, _ := pricing.NewPriceBook(entries)
//	r, err := book.Resolve("SKU-1", 3, ctx) // r.Precise, r.Source.ListID
//	line, err := r.Precise.Mul(3, pricing.HalfEven)
//	taxed, _ := pricing.ComputeTax(lines, pricing.TaxPolicy{Inclusive: true})
package pricing
