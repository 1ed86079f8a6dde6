// Package message says a basket's change report, its promotions'
// explanations and its amounts in the shopper's language, chosen by the
// channel context's locale (channel.Context.Locale, a BCP 47 tag such as
// "fr-FR"):
//
//	cat, err := message.New()
//	for _, s := range cat.Report(r) { // r.Context.Locale is "fr-FR"
//		fmt.Println(s) // "Remise fidélité : -5,00 € ici"
//	}
//	p := cat.Printer("en-GB")
//	p.Money(r.Totals.Total)                 // "€1,234.50"
//	p.UnitPrice(l.UnitPriceExact(), l.Unit) // "€0.0125", "€12.50 per 1,000", "€24.90/kg"
//	p.Explanation(e, r.Promotions...)       // "add €12.00 more to get 10 % off"
//
// English and French are built in; a retailer adds a language or rewords a
// sentence with [WithSentences] (templates with named placeholders, see
// [Keys]) and sets how a language writes amounts with [WithFormat]. Every
// template is checked when the catalogue is built, so printing never
// fails. A sentence missing in a language is taken from the next one
// along its chain: fr-CA, then fr, then English, which has them all.
//
// Sentences are built from the structured fields of a change or an
// explanation (kinds, reasons, amounts, display names), never by
// translating the English text those carry. Amounts are exact: the digits
// are [pricing.Money.Amount]'s, only the separators and the symbol are the
// locale's ("1 234,50 €" in French with U+202F between thousands and
// U+00A0 before the symbol, as CLDR writes them; "€1,234.50" in English).
// A unit price more precise than the currency keeps all its decimals
// ("0,0125 €"): a change report says the exact prices a change carries
// ([basket.Change.OldExact]), not the cents they round to.
//
// The catalogue keeps no global state: build one at start-up and share
// it; it is immutable.
package message
