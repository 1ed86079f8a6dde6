package message_test

import (
	"fmt"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// A cheese counter in Lyon: the change report of a pricing, said in the
// locale of its context, then an amount and an explanation for an
// English-speaking shopper. The French lines hold U+00A0 before a colon
// and a symbol and U+202F between thousands, as the quoted amount shows.
func Example() {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	r := &basket.Result{
		Context: channel.Context{ChannelID: "store-lyon", Locale: "fr-FR", Currency: "EUR"},
		Changes: []basket.Change{
			{Kind: basket.ChangeLineAdded, LineID: "L0003", Name: "Comté AOP 18 mois", Quantity: 2},
			{Kind: basket.ChangePromotionGained, PromotionID: "FIDELITE", PromotionName: "Remise fidélité", New: eur("5.00")},
			{Kind: basket.ChangeTotal, Old: eur("1234.50"), New: eur("1229.50")},
		},
	}
	cat, err := message.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range cat.Report(r) {
		fmt.Println(s)
	}
	fmt.Printf("%q\n", cat.Printer("fr-FR").Money(eur("1234.50")))

	en := cat.Printer("en-GB")
	fmt.Println(en.Money(eur("-1234.50")))
	fmt.Println(en.Explanation(promotion.Explanation{PromotionID: "SPEND-150", Name: "15.00 off from 150.00",
		Status: promotion.NotApplicable, Reason: promotion.ReasonMinSubtotal, Gap: &promotion.Gap{Amount: eur("12.00")}}))
	// Output:
	// ajouté : 2 × Comté AOP 18 mois
	// Remise fidélité : -5,00 € ici
	// le total est maintenant de 1 229,50 € (au lieu de 1 234,50 €)
	// "1\u202f234,50\u00a0€"
	// -€1,234.50
	// add €12.00 more to get 15.00 off from 150.00
}

// A retailer rewords a sentence and adds German, with German amounts;
// what German lacks is said in English.
func ExampleWithSentences() {
	cat, err := message.New(
		message.WithSentences("fr", map[string]string{"change.promotion-gained": "{promotion} : {new} d'économie"}),
		message.WithSentences("de", map[string]string{"change.price-changed": "{name} kostet hier {new} (vorher {old})"}),
		message.WithFormat("de", message.Format{Decimal: ",", Group: ".", Space: " ", Symbols: map[string]string{"EUR": "€"}}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	fmt.Println(cat.Printer("fr-BE").Change(basket.Change{Kind: basket.ChangePromotionGained, PromotionName: "Remise fidélité", New: eur("5.00")}))
	fmt.Println(cat.Printer("de-DE").Change(basket.Change{Kind: basket.ChangePrice, Name: "Bergkäse", Old: eur("1299.00"), New: eur("1349.00")}))
	fmt.Println(cat.Printer("de-DE").Change(basket.Change{Kind: basket.ChangeLineAdded, Name: "Bergkäse", Quantity: 1}))

	_, err = message.New(message.WithSentences("de", map[string]string{"change.total-changed": "Summe {neu}"}))
	fmt.Println(err)
	// Output:
	// Remise fidélité : 5,00 € d'économie
	// Bergkäse kostet hier 1.349,00 € (vorher 1.299,00 €)
	// added: 1 × Bergkäse
	// message: unknown placeholder: de change.total-changed: {neu} is not one of {old}, {new}
}

// Unit prices more precise than the currency keep every decimal; a price
// per a quantity and a weighed product's price per kg say what they are
// for, in each language's words and amounts.
func ExamplePrinter_UnitPrice() {
	cat, err := message.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	screw := pricing.MustParseUnitPrice("0.0125", "EUR")
	bolts, err := pricing.MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	comte := pricing.MustParseUnitPrice("24.90", "EUR")
	for _, locale := range []string{"en-GB", "fr-FR"} {
		p := cat.Printer(locale)
		fmt.Printf("%q %q %q\n", p.UnitPrice(screw, catalog.Each), p.UnitPrice(bolts, catalog.Each), p.UnitPrice(comte, catalog.Kilogram))
	}
	fmt.Println(cat.Printer("fr-FR").Change(basket.Change{Kind: basket.ChangePrice, Name: "Vis à bois",
		Old: pricing.MustParse("0.01", "EUR"), New: pricing.MustParse("0.01", "EUR"),
		OldPrecise: screw, NewPrecise: pricing.MustParseUnitPrice("0.0120", "EUR")}))
	// Output:
	// "€0.0125" "€12.50 per 1,000" "€24.90/kg"
	// "0,0125\u00a0€" "12,50\u00a0€ les 1\u202f000" "24,90\u00a0€/kg"
	// Vis à bois est à 0,012 € ici (au lieu de 0,0125 €)
}
