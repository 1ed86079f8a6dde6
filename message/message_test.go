package message_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

func modes(ms ...channel.FulfilmentMode) basket.Modes {
	var out basket.Modes
	for _, m := range ms {
		out |= 1 << m
	}
	return out
}

func catalogue(t *testing.T, opts ...message.Option) *message.Catalogue {
	t.Helper()
	cat, err := message.New(opts...)
	require.NoError(t, err)
	return cat
}

// deliChanges is what a cheese counter's tablet reports over a morning.
func deliChanges() []basket.Change {
	return []basket.Change{
		{Kind: basket.ChangeCurrency, OldCurrency: "EUR", NewCurrency: "CHF"},
		{Kind: basket.ChangeLineAdded, LineID: "L0003", SKU: "COMTE-18", Name: "Comté AOP 18 mois", Quantity: 2, New: eur("24.90")},
		{Kind: basket.ChangeLineRemoved, LineID: "L0001", SKU: "BRIE-MEAUX", Name: "Brie de Meaux", Quantity: 1, Old: eur("7.50")},
		{Kind: basket.ChangeQuantity, LineID: "L0002", SKU: "BEAUFORT", Name: "Beaufort d'été", OldQuantity: 1, Quantity: 3},
		{Kind: basket.ChangeLineUnpriced, LineID: "L0004", Name: "Plateau apéritif", Detail: "no price in this channel"},
		{Kind: basket.ChangeLineRepriced, LineID: "L0004", Name: "Plateau apéritif", New: eur("39.00")},
		{Kind: basket.ChangePrice, LineID: "L0003", Name: "Comté AOP 18 mois", Old: eur("24.90"), New: eur("26.50")},
		{Kind: basket.ChangePriceProtected, LineID: "L0002", Name: "Beaufort d'été", Old: eur("32.00"), New: eur("34.00")},
		{Kind: basket.ChangeQuoteLockKept, LineID: "L0005", Name: "Meule de comté", Old: eur("1180.00"), New: eur("1234.50")},
		{Kind: basket.ChangeQuoteLockExpired, LineID: "L0005", Name: "Meule de comté"},
		{Kind: basket.ChangeTax, LineID: "L0006", Name: "Couteau à fromage", OldRate: pricing.MustPercent("5.5"), NewRate: pricing.MustPercent("20")},
		{Kind: basket.ChangePromotionLost, PromotionID: "WEB-5", PromotionName: "Bienvenue en ligne", Old: eur("5.00")},
		{Kind: basket.ChangePromotionGained, PromotionID: "FIDELITE", PromotionName: "Remise fidélité", New: eur("5.00")},
		{Kind: basket.ChangeCouponNotHonoured, Coupon: "WELCOME10"},
		{Kind: basket.ChangeCouponNotHonoured, Coupon: "WELCOME10", Detail: "code WELCOME10 is not honoured here and stays in the wallet: …"},
		{Kind: basket.ChangeCouponHonoured, Coupon: "MERCI5"},
		{Kind: basket.ChangeLineUnavailable, LineID: "L0007", Name: "Mont d'Or", Quantity: 2, Missing: 2},
		{Kind: basket.ChangeLineUnavailable, LineID: "L0007", Name: "Mont d'Or", Quantity: 2, Missing: 2, Detail: "stock is unknown here"},
		{Kind: basket.ChangeLineShort, LineID: "L0003", Name: "Comté AOP 18 mois", Quantity: 5, Missing: 2},
		{Kind: basket.ChangeLineAvailable, LineID: "L0003", Name: "Comté AOP 18 mois", Quantity: 5},
		{Kind: basket.ChangeHoldAtRisk, LineID: "L0003", SKU: "COMTE-18", Name: "Comté AOP 18 mois", Quantity: 5, Missing: 1, LocationID: "lyon-bellecour"},
		{Kind: basket.ChangeFulfilment, LineID: "L0005", Name: "Meule de comté", OldModes: modes(channel.ShipToAddress), NewModes: modes(channel.CarryOut, channel.Transfer)},
		{Kind: basket.ChangeTotal, Old: eur("1234.50"), New: eur("1199.00")},
	}
}

// A French store reads its change report aloud: French words, French
// typography (U+00A0 before a colon, U+202F before a semicolon and a
// percent sign) and French amounts.
func TestChangesInFrench(t *testing.T) {
	want := []string{
		"les prix sont désormais en CHF au lieu de EUR",
		"ajouté\u00a0: 2 × Comté AOP 18 mois",
		"retiré\u00a0: 1 × Brie de Meaux",
		"Beaufort d'été\u00a0: quantité 3 (au lieu de 1)",
		"Plateau apéritif n'a pas de prix ici\u202f; l'article reste dans le panier",
		"Plateau apéritif a de nouveau un prix\u00a0: 39,00\u00a0€",
		"Comté AOP 18 mois est à 26,50\u00a0€ ici (au lieu de 24,90\u00a0€)",
		"Beaufort d'été reste à 32,00\u00a0€ (prix ici\u00a0: 34,00\u00a0€)",
		"Meule de comté garde le prix de son devis, 1\u202f180,00\u00a0€ (prix ici\u00a0: 1\u202f234,50\u00a0€)",
		"le prix du devis de Meule de comté a expiré",
		"TVA sur Couteau à fromage\u00a0: 20\u202f% ici (au lieu de 5,5\u202f%)",
		"Bienvenue en ligne ne s'applique pas ici (remise de 5,00\u00a0€ perdue)",
		"Remise fidélité\u00a0: -5,00\u00a0€ ici",
		"le code WELCOME10 n'est pas accepté ici\u202f; il reste dans le portefeuille",
		"le code WELCOME10 ne s'applique pas ici\u202f; il reste dans le portefeuille",
		"le code MERCI5 s'applique ici",
		"Mont d'Or n'est pas disponible ici",
		"Mont d'Or\u00a0: stock inconnu ici",
		"Comté AOP 18 mois\u00a0: seulement 3 sur 5 en stock",
		"Comté AOP 18 mois est disponible en totalité",
		"Comté AOP 18 mois\u00a0: plus de stock pour 1 des 5 articles réservés à lyon-bellecour",
		"Meule de comté\u00a0: à emporter + transfert depuis un autre magasin",
		"le total est maintenant de 1\u202f199,00\u00a0€ (au lieu de 1\u202f234,50\u00a0€)",
	}
	p := catalogue(t).Printer("fr-FR")
	changes := deliChanges()
	require.Len(t, want, len(changes))
	for i, c := range changes {
		assert.Equal(t, want[i], p.Change(c), c.Kind.String())
	}
}

// An English-speaking shopper in the same store: the same report, in
// English words and English amounts.
func TestChangesInEnglish(t *testing.T) {
	want := []string{
		"prices are now in CHF instead of EUR",
		"added: 2 × Comté AOP 18 mois",
		"removed: 1 × Brie de Meaux",
		"Beaufort d'été: quantity 3 (was 1)",
		"Plateau apéritif: no price in this channel; the line is kept in the basket",
		"Plateau apéritif is priced again at €39.00",
		"Comté AOP 18 mois is €26.50 here (was €24.90)",
		"Beaufort d'été stays at €32.00 (price here €34.00)",
		"Meule de comté keeps its quoted price €1,180.00 (price here €1,234.50)",
		"the quoted price of Meule de comté has expired",
		"tax on Couteau à fromage is 20% here (was 5.5%)",
		"Bienvenue en ligne does not apply here (was €5.00 off)",
		"Remise fidélité saves €5.00 here",
		"coupon WELCOME10 is not honoured here; it stays in the wallet",
		"code WELCOME10 is not honoured here and stays in the wallet: …",
		"coupon MERCI5 applies here",
		"Mont d'Or is not available here",
		"Mont d'Or: stock is unknown here",
		"Comté AOP 18 mois: 3 of 5 available",
		"Comté AOP 18 mois is available in full",
		"Comté AOP 18 mois: 1 of the 5 held at lyon-bellecour are no longer in stock",
		"Meule de comté: carry-out + transfer",
		"total is now €1,199.00 (was €1,234.50)",
	}
	p := catalogue(t).Printer("en-GB")
	for i, c := range deliChanges() {
		assert.Equal(t, want[i], p.Change(c), c.Kind.String())
	}
}

// The English catalogue says every change the way Change.Message does,
// for every kind from the first to the last and both variants of the
// kinds that have two: they are one text, said twice.
func TestEnglishAgreesWithChangeMessage(t *testing.T) {
	p := catalogue(t, message.WithFormat("en", message.CodeFormat())).Printer("en")
	full := func(k basket.ChangeKind, detail string) basket.Change {
		return basket.Change{Kind: k, LineID: "L0002", SKU: "MUG-STONE", Name: "Stoneware mug", Quantity: 5, OldQuantity: 2,
			PromotionID: "MUG2", PromotionName: "2.00 off every mug", Coupon: "MERCI5", Old: eur("1234.50"), New: eur("-0.05"),
			OldRate: pricing.MustPercent("5.5"), NewRate: pricing.MustPercent("20"), OldCurrency: "EUR", NewCurrency: "CHF",
			Missing: 2, LocationID: "lyon-bellecour", OldModes: modes(channel.ShipToAddress), NewModes: modes(channel.CarryOut, channel.Transfer, channel.ClickCollect),
			Detail: detail}
	}
	kinds := 0
	for k := basket.ChangeKind(1); !strings.HasPrefix(k.String(), "change("); k++ {
		kinds++
		// Unit prices more precise than the currency, per 1,000, per kg.
		precise := full(k, "")
		precise.OldPrecise, precise.NewPrecise = pricing.MustParseUnitPrice("0.0125", "EUR"), perThousand("12.40")
		perKg := precise
		perKg.Unit = catalog.Kilogram
		ordinaryKg := full(k, "")
		ordinaryKg.Unit = catalog.Kilogram
		for _, c := range []basket.Change{full(k, ""), full(k, "stock is unknown here"), {Kind: k}, precise, perKg, ordinaryKg} {
			assert.Equal(t, c.Message(), p.Change(c), "%s with detail %q, unit %s", k, c.Detail, c.Unit)
		}
	}
	assert.Equal(t, int(basket.ChangeTotal), kinds, "every kind was said")
	hold := basket.Change{Kind: basket.ChangeHoldAtRisk, SKU: "MUG-STONE", Quantity: 5, Missing: 5, LocationID: "lyon-bellecour"}
	assert.Equal(t, hold.Message(), p.Change(hold), "a hold without a name is said by SKU")
	assert.Equal(t, basket.ChangeKind(200).String(), p.Change(basket.Change{Kind: 200}), "a kind newer than the catalogue")
}

// The shipped languages have a sentence of their own for every key.
func TestShippedLanguagesAreComplete(t *testing.T) {
	cat := catalogue(t)
	assert.Equal(t, []string{"en", "fr"}, cat.Locales())
	for _, l := range cat.Locales() {
		assert.Empty(t, cat.Missing(l), l)
	}
	assert.Len(t, cat.Missing("de"), len(message.Keys()), "a language the catalogue does not have misses every key")
}

func explanation(name string, status promotion.Status, reason promotion.Reason) promotion.Explanation {
	return promotion.Explanation{PromotionID: strings.ToUpper(strings.ReplaceAll(name, " ", "-")), Name: name, Lane: promotion.Basket,
		Status: status, Reason: reason, Amount: eur("0.00"), Message: "ENGLISH FROM THE ENGINE"}
}

// Explanations are said from their structured fields: the display name,
// the amount, the gap, the promotion that took precedence (named when it
// is in the same result).
func TestExplanations(t *testing.T) {
	applied := explanation("Remise fidélité", promotion.Applied, promotion.ReasonNone)
	applied.Amount = eur("5.00")
	spend := explanation("15 € dès 150 €", promotion.NotApplicable, promotion.ReasonMinSubtotal)
	spend.Gap = &promotion.Gap{Amount: eur("1234.50")}
	teaOne := explanation("Théière et deux thés", promotion.NotApplicable, promotion.ReasonMinQuantity)
	teaOne.Gap = &promotion.Gap{Amount: eur("0.00"), Quantity: 1, SKU: "TEAPOT-CAST"}
	teaTwo := teaOne
	teaTwo.Gap = &promotion.Gap{Amount: eur("0.00"), Quantity: 2, Category: "thé"}
	any3 := teaOne
	any3.Gap = &promotion.Gap{Amount: eur("0.00"), Quantity: 3}
	coupon := explanation("Bienvenue", promotion.NotApplicable, promotion.ReasonMissingCoupon)
	coupon.Coupon = "WELCOME10"
	fee := explanation("Livraison offerte", promotion.NotApplicable, promotion.ReasonNoTarget)
	fee.Lane = promotion.Fulfilment
	exclusive := explanation("Soldes", promotion.Blocked, promotion.ReasonBlockedByExclusive)
	exclusive.BlockedBy = "REMISE-FIDÉLITÉ"
	bestOf := explanation("5 % sur tout", promotion.Blocked, promotion.ReasonBestOfLost)
	bestOf.BlockedBy = "HIVER"
	others := []promotion.Explanation{applied}

	cases := []struct {
		e      promotion.Explanation
		fr, en string
	}{
		{applied, "Remise fidélité\u00a0: -5,00\u00a0€", "Remise fidélité: €5.00 off"},
		{spend, "15 € dès 150 €\u00a0: encore 1\u202f234,50\u00a0€ d'achats pour en profiter", "add €1,234.50 more to get 15 € dès 150 €"},
		{teaOne, "Théière et deux thés\u00a0: encore 1 article de la référence TEAPOT-CAST pour en profiter",
			"add 1 more item of SKU TEAPOT-CAST to get Théière et deux thés"},
		{teaTwo, "Théière et deux thés\u00a0: encore 2 articles de la catégorie thé pour en profiter",
			"add 2 more items of category thé to get Théière et deux thés"},
		{any3, "Théière et deux thés\u00a0: encore 3 articles éligibles pour en profiter", "add 3 more qualifying items to get Théière et deux thés"},
		{coupon, "Bienvenue\u00a0: nécessite le code WELCOME10", "Bienvenue needs the code WELCOME10"},
		{fee, "Livraison offerte\u00a0: pas de frais de livraison concernés", "Livraison offerte needs an eligible fulfilment fee"},
		{explanation("Bienvenue", promotion.NotApplicable, promotion.ReasonNoTarget), "Bienvenue\u00a0: aucun article éligible dans le panier",
			"Bienvenue needs an eligible item in the basket"},
		{exclusive, "Soldes\u00a0: non cumulable avec Remise fidélité", "Soldes cannot be combined with Remise fidélité"},
		{bestOf, "5 % sur tout\u00a0: HIVER offre une remise plus importante", "5 % sur tout is not applied: HIVER gives a larger discount"},
		{explanation("Web", promotion.NotApplicable, promotion.ReasonWrongChannel), "Web\u00a0: offre non proposée sur ce canal", "Web is not offered in this channel"},
		{explanation("Noël", promotion.NotApplicable, promotion.ReasonExpired), "Noël\u00a0: offre terminée", "Noël has ended"},
		{explanation("Club", promotion.NotApplicable, promotion.ReasonNone), "Club\u00a0: ne s'applique pas", "Club does not apply"},
		{explanation("Club", promotion.Blocked, promotion.Reason(99)), "Club\u00a0: non cumulable avec une autre promotion",
			"Club cannot be combined with another promotion"},
	}
	cat := catalogue(t)
	fr, en := cat.Printer("fr-FR"), cat.Printer("en")
	for _, c := range cases {
		assert.Equal(t, c.fr, fr.Explanation(c.e, others...), "fr %s %s", c.e.Status, c.e.Reason)
		assert.Equal(t, c.en, en.Explanation(c.e, others...), "en %s %s", c.e.Status, c.e.Reason)
	}
	assert.Equal(t, "Soldes\u00a0: non cumulable avec REMISE-FIDÉLITÉ", fr.Explanation(exclusive), "named by ID when not in the same result")
	noName := applied
	noName.Name = ""
	assert.Equal(t, "REMISE-FIDÉLITÉ: €5.00 off", en.Explanation(noName), "an explanation without a name is said by ID")
}

// Coupons say why, from the promotion that decided their status.
func TestCoupons(t *testing.T) {
	welcome := explanation("Bienvenue", promotion.NotApplicable, promotion.ReasonWrongChannel)
	welcome.PromotionID, welcome.Coupon = "WELCOME10", "WELCOME10"
	merci := explanation("5 € dès 50 €", promotion.NotApplicable, promotion.ReasonMinSubtotal)
	merci.PromotionID, merci.Coupon, merci.Gap = "MERCI5", "MERCI5", &promotion.Gap{Amount: eur("12.00")}
	expls := []promotion.Explanation{merci, welcome}
	notHere := promotion.CouponState{Code: "WELCOME10", Status: promotion.CouponNotHonouredHere, PromotionIDs: []string{"WELCOME10"}, Reason: promotion.ReasonWrongChannel}
	unmet := promotion.CouponState{Code: "MERCI5", Status: promotion.CouponConditionUnmet, PromotionIDs: []string{"MERCI5"}, Reason: promotion.ReasonMinSubtotal}
	unknown := promotion.CouponState{Code: "NOSUCH", Status: promotion.CouponUnknown}
	cat := catalogue(t)
	fr, en := cat.Printer("fr"), cat.Printer("en")

	assert.Equal(t, "le code WELCOME10 n'est pas accepté ici et reste dans le portefeuille — Bienvenue\u00a0: offre non proposée sur ce canal", fr.Coupon(notHere, expls...))
	assert.Equal(t, "code WELCOME10 is not honoured here and stays in the wallet: Bienvenue is not offered in this channel", en.Coupon(notHere, expls...))
	assert.Equal(t, "le code WELCOME10 n'est pas accepté ici\u202f; il reste dans le portefeuille", fr.Coupon(notHere), "without the explanations: what, not why")
	assert.Equal(t, "code MERCI5 — 5 € dès 50 €\u00a0: encore 12,00\u00a0€ d'achats pour en profiter", fr.Coupon(unmet, expls...))
	assert.Equal(t, "code MERCI5: add €12.00 more to get 5 € dès 50 €", en.Coupon(unmet, expls...))
	assert.Equal(t, "le code NOSUCH est inconnu", fr.Coupon(unknown, expls...))
	assert.Equal(t, "engine's words", fr.Coupon(promotion.CouponState{Code: "X", Status: 99, Message: "engine's words"}), "a status newer than the catalogue")
}

// Report says a real result's change report in its context's locale: the
// ROPO journey's web basket checked in at Bellecour, for a French shopper
// and then an English one.
func TestReportInTheContextsLocale(t *testing.T) {
	at := demo.Start()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-42"}, At: at}
	b, _, err := basket.New(uuid.MustParse("7f3c9a52-1d7e-4c1a-9a0e-2b6c2f1e9d01"), basket.Owner{CustomerID: "cust-42"}, demo.Web(at), basket.Cart, m)
	require.NoError(t, err)
	for _, l := range []basket.NewLine{{SKU: "LAMP-ARC", Quantity: 2}, {SKU: "CANDLE-FIG", Quantity: 3}} {
		l.Product = demo.Product(l.SKU)
		_, _, err := b.AddLine(m, l)
		require.NoError(t, err)
	}
	_, err = b.AddCoupon(m, "WELCOME10")
	require.NoError(t, err)
	web, err := demo.Snapshot("web")
	require.NoError(t, err)
	r, err := basket.Recontextualize(b, demo.Web(at), web, basket.Options{})
	require.NoError(t, err)
	_, err = b.SetResult(m, r)
	require.NoError(t, err)
	_, _, err = b.AddLine(m, basket.NewLine{SKU: "THROW-WOOL", Quantity: 1, Product: demo.Product("THROW-WOOL")})
	require.NoError(t, err)
	store := demo.Store(demo.Bellecour, at.Add(24*time.Hour))
	snap, err := demo.Snapshot(store.ChannelID)
	require.NoError(t, err)
	r, err = basket.Recontextualize(b, store, snap, basket.Options{})
	require.NoError(t, err)
	require.Equal(t, "fr-FR", r.Context.Locale)

	cat := catalogue(t)
	fr := cat.Report(r)
	require.Len(t, fr, len(r.Changes))
	assert.Equal(t, []string{
		"ajouté\u00a0: 1 × Merino wool throw",
		"Arc floor lamp est à 159,00\u00a0€ ici (au lieu de 149,00\u00a0€)",
		"Free delivery from 80.00 online ne s'applique pas ici (remise de 4,90\u00a0€ perdue)",
		"5 % off lighting online ne s'applique pas ici (remise de 14,90\u00a0€ perdue)",
		"10 % off with code WELCOME10 (web) ne s'applique pas ici (remise de 32,51\u00a0€ perdue)",
		"Bellecour reopening: 20 % off textiles\u00a0: -25,80\u00a0€ ici",
		"Candles: buy 2, get the cheapest third free (stores)\u00a0: -19,00\u00a0€ ici",
		"le code WELCOME10 n'est pas accepté ici et reste dans le portefeuille — 10 % off with code WELCOME10 (web)\u00a0: offre non proposée sur ce canal",
		"Arc floor lamp\u00a0: à emporter + transfert depuis un autre magasin",
		"Fig scented candle\u00a0: à emporter",
		// Lamps 318.00, candles 57.00 − 19.00, throw 129.00 − 25.80: 459.20 − 15.00 (SPEND-150).
		"le total est maintenant de 444,20\u00a0€ (au lieu de 292,59\u00a0€)",
	}, fr)

	r.Context.Locale = "en-US"
	en := cat.Report(r)
	assert.Equal(t, "Arc floor lamp is €159.00 here (was €149.00)", en[1])
	assert.Equal(t, "code WELCOME10 is not honoured here and stays in the wallet: 10 % off with code WELCOME10 (web) is not offered in this channel", en[7])
	assert.Nil(t, cat.Report(nil))
}
