package message_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func perThousand(amount string) pricing.UnitPrice { return per(amount, "EUR", 1000) }

func per(amount, cur string, n int64) pricing.UnitPrice {
	u, err := pricing.MustParseUnitPrice(amount, cur).WithPer(n)
	if err != nil {
		panic(err)
	}
	return u
}

// TestUnitPriceForTheLocale: a unit price is written with every decimal
// it has, in the locale's separators and symbol, then what it is for: a
// quantity other than one (grouped like an amount), a unit of measure.
func TestUnitPriceForTheLocale(t *testing.T) {
	cat := catalogue(t)
	code := catalogue(t, message.WithFormat("en", message.CodeFormat()))
	fr, en, cf := cat.Printer("fr-FR"), cat.Printer("en-GB"), code.Printer("en")
	cases := []struct {
		price        pricing.UnitPrice
		unit         catalog.Unit
		fr, en, code string
	}{
		{pricing.MustParseUnitPrice("0.0125", "EUR"), catalog.Each, "0,0125" + nbsp + "€", "€0.0125", "0.0125 EUR"},
		{pricing.MustParseUnitPrice("0.0120", "EUR"), catalog.Each, "0,012" + nbsp + "€", "€0.012", "0.012 EUR"},
		{pricing.MustParseUnitPrice("-0.0125", "EUR"), catalog.Each, "-0,0125" + nbsp + "€", "-€0.0125", "-0.0125 EUR"},
		{pricing.MustParseUnitPrice("1234.5678", "EUR"), catalog.Each, "1" + nnbsp + "234,5678" + nbsp + "€", "€1,234.5678", "1234.5678 EUR"},
		{pricing.MustParseUnitPrice("7.50", "EUR"), catalog.Each, "7,50" + nbsp + "€", "€7.50", "7.50 EUR"},
		{perThousand("12.50"), catalog.Each, "12,50" + nbsp + "€ les 1" + nnbsp + "000", "€12.50 per 1,000", "12.50 EUR per 1000"},
		{per("0.50", "EUR", 1_000_000), catalog.Each, "0,50" + nbsp + "€ les 1" + nnbsp + "000" + nnbsp + "000", "€0.50 per 1,000,000", "0.50 EUR per 1000000"},
		{pricing.MustParseUnitPrice("24.90", "EUR"), catalog.Kilogram, "24,90" + nbsp + "€/kg", "€24.90/kg", "24.90 EUR/kg"},
		{pricing.MustParseUnitPrice("1.859", "EUR"), catalog.Litre, "1,859" + nbsp + "€/l", "€1.859/l", "1.859 EUR/l"},
		{pricing.MustParseUnitPrice("12.99", "EUR"), catalog.Metre, "12,99" + nbsp + "€/m", "€12.99/m", "12.99 EUR/m"},
		{per("120.00", "EUR", 10), catalog.Kilogram, "120,00" + nbsp + "€ les 10 kg", "€120.00 per 10 kg", "120.00 EUR per 10 kg"},
		{pricing.MustParseUnitPrice("0.0125", "CHF"), catalog.Each, "0,0125" + nbsp + "CHF", "CHF" + nbsp + "0.0125", "0.0125 CHF"},
		{pricing.MustParseUnitPrice("0.125", "JPY"), catalog.Each, "0,125" + nbsp + "JPY", "¥0.125", "0.125 JPY"},
		{pricing.MustParseUnitPrice("1000", "JPY"), catalog.Gram, "1" + nnbsp + "000" + nbsp + "JPY/g", "¥1,000/g", "1000 JPY/g"},
		{pricing.MustParseUnitPrice("1.2345", "KWD"), catalog.Each, "1,2345" + nbsp + "KWD", "KWD" + nbsp + "1.2345", "1.2345 KWD"},
		{pricing.UnitPrice{}, catalog.Kilogram, "?", "?", "?"},
	}
	for _, c := range cases {
		assert.Equal(t, c.fr, fr.UnitPrice(c.price, c.unit), "fr %s %s", c.price, c.unit)
		assert.Equal(t, c.en, en.UnitPrice(c.price, c.unit), "en %s %s", c.price, c.unit)
		assert.Equal(t, c.code, cf.UnitPrice(c.price, c.unit), "code %s %s", c.price, c.unit)
		if m, ok := c.price.Exact(); ok && c.unit == catalog.Each {
			assert.Equal(t, fr.Money(m), fr.UnitPrice(c.price, c.unit), "a price Money holds is written as that Money")
		}
	}
}

// A retailer rewords how a price per a quantity reads; the price
// sentences take only their own placeholders.
func TestUnitPriceSentencesAreTheCatalogues(t *testing.T) {
	cat := catalogue(t, message.WithSentences("fr", map[string]string{"price.per-quantity": "{amount} le lot de {per}"}))
	assert.Equal(t, "12,50"+nbsp+"€ le lot de 1"+nnbsp+"000", cat.Printer("fr").UnitPrice(perThousand("12.50"), catalog.Each))
	c := basket.Change{Kind: basket.ChangePrice, Name: "Boulons M8", Old: eur("0.01"), New: eur("0.01"), OldPrecise: perThousand("12.50"), NewPrecise: perThousand("12.40")}
	assert.Equal(t, "Boulons M8 est à 12,40"+nbsp+"€ le lot de 1"+nnbsp+"000 ici (au lieu de 12,50"+nbsp+"€ le lot de 1"+nnbsp+"000)", cat.Printer("fr").Change(c))

	_, err := message.New(message.WithSentences("fr", map[string]string{"price.per-measure": "{amount} les {per}"}))
	require.ErrorIs(t, err, message.ErrUnknownPlaceholder)
}

// TestPreciseChangesInFrenchAndEnglish: the changes of unit prices say
// the exact prices a change carries, with what they are for; the English
// is Change.Message's in the code format.
func TestPreciseChangesInFrenchAndEnglish(t *testing.T) {
	screw := pricing.MustParseUnitPrice("0.0125", "EUR")
	cases := []struct {
		change basket.Change
		fr, en string
	}{
		{basket.Change{Kind: basket.ChangePrice, Name: "Vis à bois 4×30", Old: eur("0.01"), New: eur("0.01"), OldPrecise: screw, NewPrecise: pricing.MustParseUnitPrice("0.0120", "EUR")},
			"Vis à bois 4×30 est à 0,012" + nbsp + "€ ici (au lieu de 0,0125" + nbsp + "€)",
			"Vis à bois 4×30 is €0.012 here (was €0.0125)"},
		{basket.Change{Kind: basket.ChangePrice, Name: "Boulons M8", Old: eur("0.01"), New: eur("0.01"), OldPrecise: perThousand("12.50"), NewPrecise: perThousand("12.40")},
			"Boulons M8 est à 12,40" + nbsp + "€ les 1" + nnbsp + "000 ici (au lieu de 12,50" + nbsp + "€ les 1" + nnbsp + "000)",
			"Boulons M8 is €12.40 per 1,000 here (was €12.50 per 1,000)"},
		{basket.Change{Kind: basket.ChangePrice, Name: "Vis à bois 4×30", Old: eur("0.01"), New: eur("0.02"), OldPrecise: screw},
			"Vis à bois 4×30 est à 0,02" + nbsp + "€ ici (au lieu de 0,0125" + nbsp + "€)",
			"Vis à bois 4×30 is €0.02 here (was €0.0125)"},
		{basket.Change{Kind: basket.ChangePriceProtected, Name: "Vis à bois 4×30", Old: eur("0.01"), New: eur("0.01"), OldPrecise: pricing.MustParseUnitPrice("0.0124", "EUR"), NewPrecise: screw},
			"Vis à bois 4×30 reste à 0,0124" + nbsp + "€ (prix ici" + nbsp + ": 0,0125" + nbsp + "€)",
			"Vis à bois 4×30 stays at €0.0124 (price here €0.0125)"},
		{basket.Change{Kind: basket.ChangeQuoteLockKept, Name: "Vis à bois 4×30", Old: eur("0.01"), New: eur("0.01"), OldPrecise: pricing.MustParseUnitPrice("0.0124", "EUR"), NewPrecise: perThousand("13.00")},
			"Vis à bois 4×30 garde le prix de son devis, 0,0124" + nbsp + "€ (prix ici" + nbsp + ": 13,00" + nbsp + "€ les 1" + nnbsp + "000)",
			"Vis à bois 4×30 keeps its quoted price €0.0124 (price here €13.00 per 1,000)"},
		{basket.Change{Kind: basket.ChangeLineRepriced, Name: "Comté AOP 18 mois", Unit: catalog.Kilogram, New: eur("24.90")},
			"Comté AOP 18 mois a de nouveau un prix" + nbsp + ": 24,90" + nbsp + "€/kg",
			"Comté AOP 18 mois is priced again at €24.90/kg"},
		{basket.Change{Kind: basket.ChangePrice, Name: "Comté AOP 18 mois", Unit: catalog.Kilogram, Old: eur("24.90"), New: eur("26.90")},
			"Comté AOP 18 mois est à 26,90" + nbsp + "€/kg ici (au lieu de 24,90" + nbsp + "€/kg)",
			"Comté AOP 18 mois is €26.90/kg here (was €24.90/kg)"},
		{basket.Change{Kind: basket.ChangePrice, Name: "Huile d'olive en vrac", Unit: catalog.Litre, Old: eur("1.86"), New: eur("1.90"),
			OldPrecise: pricing.MustParseUnitPrice("1.859", "EUR"), NewPrecise: pricing.MustParseUnitPrice("1.899", "EUR")},
			"Huile d'olive en vrac est à 1,899" + nbsp + "€/l ici (au lieu de 1,859" + nbsp + "€/l)",
			"Huile d'olive en vrac is €1.899/l here (was €1.859/l)"},
		{basket.Change{Kind: basket.ChangeLineAdded, Name: "Boulons M8", Quantity: 2500, New: eur("0.01"), NewPrecise: perThousand("12.50")},
			"ajouté" + nbsp + ": 2500 × Boulons M8", "added: 2500 × Boulons M8"},
	}
	cat := catalogue(t)
	code := catalogue(t, message.WithFormat("en", message.CodeFormat())).Printer("en")
	fr, en := cat.Printer("fr-FR"), cat.Printer("en-GB")
	for _, c := range cases {
		assert.Equal(t, c.fr, fr.Change(c.change))
		assert.Equal(t, c.en, en.Change(c.change))
		assert.Equal(t, c.change.Message(), code.Change(c.change), "Change.Message says the same in the code format")
	}
}

// A report from basket.Diff: a screw whose exact price went from 0.0125
// to 0.0120 EUR, 0.01 rounded either way, is said with its exact prices.
func TestReportOfAPrecisePriceChange(t *testing.T) {
	line := func(price string, subtotal string) basket.PricedLine {
		u := pricing.MustParseUnitPrice(price, "EUR")
		return basket.PricedLine{LineID: "L0001", SKU: "SCREW", Name: "Vis à bois 4×30", Quantity: 10_000, Priced: true,
			UnitPrice: eur("0.01"), ListPrice: eur("0.01"), PreciseUnitPrice: u, PreciseListPrice: u, Basis: basket.BasisTarget,
			Subtotal: eur(subtotal), Net: eur(subtotal), Total: eur(subtotal)}
	}
	ctx := channel.Context{ChannelID: "trade-counter", Currency: "EUR", Locale: "fr-FR"}
	prev := &basket.Result{Context: ctx, Lines: []basket.PricedLine{line("0.0125", "125.00")}, Totals: basket.Totals{Total: eur("125.00")}}
	next := &basket.Result{Context: ctx, Lines: []basket.PricedLine{line("0.0120", "120.00")}, Totals: basket.Totals{Total: eur("120.00")}}
	next.Changes = basket.Diff(prev, next)
	assert.Equal(t, []string{
		"Vis à bois 4×30 est à 0,012" + nbsp + "€ ici (au lieu de 0,0125" + nbsp + "€)",
		"le total est maintenant de 120,00" + nbsp + "€ (au lieu de 125,00" + nbsp + "€)",
	}, catalogue(t).Report(next))
}

// Property: the digits of a unit price are never touched. Taking the
// symbol, the grouping and the spaces away and reading the decimal
// separator as "." gives back UnitPrice.Amount, in every shipped format.
func TestUnitPriceDigitsRoundTrip(t *testing.T) {
	cat := catalogue(t)
	code := catalogue(t, message.WithFormat("en", message.CodeFormat()))
	printers := map[string]*message.Printer{"fr": cat.Printer("fr"), "en": cat.Printer("en"), "code": code.Printer("en")}
	formats := map[string]struct{ decimal, group string }{"fr": {",", nnbsp}, "en": {".", ","}, "code": {".", ""}}
	currencies := pricing.Currencies()
	rapid.Check(t, func(t *rapid.T) {
		cur := rapid.SampledFrom(currencies).Draw(t, "currency")
		coef := rapid.Int64Range(-1_000_000_000_000, 1_000_000_000_000).Draw(t, "millionths")
		d := pricing.UnitPriceDecimals
		digits := strconv.FormatInt(coef, 10)
		digits = strings.TrimPrefix(digits, "-")
		if len(digits) <= d {
			digits = strings.Repeat("0", d+1-len(digits)) + digits
		}
		amount := digits[:len(digits)-d] + "." + digits[len(digits)-d:]
		if coef < 0 {
			amount = "-" + amount
		}
		u, err := pricing.ParseUnitPriceIn(amount, cur)
		if err != nil {
			t.Fatal(err)
		}
		name := rapid.SampledFrom([]string{"fr", "en", "code"}).Draw(t, "format")
		s := printers[name].UnitPrice(u, catalog.Each)
		f := formats[name]
		sym := strings.TrimFunc(s, func(r rune) bool {
			return r == '-' || r >= '0' && r <= '9' || strings.ContainsRune(f.decimal+f.group, r)
		})
		back := s
		if f.group != "" {
			back = strings.ReplaceAll(back, f.group, "")
		}
		back = strings.NewReplacer(sym, "", nbsp, "", " ", "").Replace(back)
		if f.decimal != "." {
			back = strings.Replace(back, f.decimal, ".", 1)
		}
		if back != u.Amount() {
			t.Fatalf("%s: %q reads back as %q, want %q", name, s, back, u.Amount())
		}
	})
}
