package message

// french is the built-in French catalogue. It follows French typography
// as CLDR and the Imprimerie nationale do: a no-break space (U+00A0)
// before a colon, a narrow no-break space (U+202F) before a semicolon and
// a percent sign, so a sentence never breaks a line before its
// punctuation. Sentences are built so that nothing agrees in gender or
// number with a name the retailer chose ("{name} : offre terminée").
//
// The English details some changes carry (a pricing problem, a promotion
// engine's sentence) are not repeated: the French sentence says the same
// from the change's kind.
func french() map[string]string {
	const (
		colon = "\u00a0:"
		semi  = "\u202f;"
		pct   = "\u202f%"
	)
	return map[string]string{
		"change.currency-changed":               "les prix sont désormais en {new} au lieu de {old}",
		"change.line-added":                     "ajouté" + colon + " {quantity} × {name}",
		"change.line-removed":                   "retiré" + colon + " {quantity} × {name}",
		"change.quantity-changed":               "{name}" + colon + " quantité {new} (au lieu de {old})",
		"change.line-unpriced":                  "{name} n'a pas de prix ici" + semi + " l'article reste dans le panier",
		"change.line-priced-again":              "{name} a de nouveau un prix" + colon + " {new}",
		"change.price-changed":                  "{name} est à {new} ici (au lieu de {old})",
		"change.price-protected":                "{name} reste à {old} (prix ici" + colon + " {new})",
		"change.quote-lock-kept":                "{name} garde le prix de son devis, {old} (prix ici" + colon + " {new})",
		"change.quote-lock-expired":             "le prix du devis de {name} a expiré",
		"change.override-applied":               "{name}" + colon + " remise magasin de {new} ({reason})",
		"change.override-removed":               "la remise magasin sur {name} ne s'applique plus (elle était de {old})",
		"change.override-ended":                 "la remise magasin sur {name} a pris fin quand le panier a quitté {location} (elle était de {old})",
		"change.tax-changed":                    "TVA sur {name}" + colon + " {new}" + pct + " ici (au lieu de {old}" + pct + ")",
		"change.promotion-lost":                 "{promotion} ne s'applique pas ici (remise de {old} perdue)",
		"change.promotion-gained":               "{promotion}" + colon + " -{new} ici",
		"change.coupon-not-honoured":            "le code {coupon} n'est pas accepté ici" + semi + " il reste dans le portefeuille",
		"change.coupon-not-honoured.detail":     "le code {coupon} ne s'applique pas ici" + semi + " il reste dans le portefeuille",
		"change.coupon-honoured":                "le code {coupon} s'applique ici",
		"change.line-unavailable":               "{name} n'est pas disponible ici",
		"change.line-unavailable.stock-unknown": "{name}" + colon + " stock inconnu ici",
		"change.line-short":                     "{name}" + colon + " seulement {available} sur {quantity} en stock",
		"change.line-available":                 "{name} est disponible en totalité",
		"change.hold-at-risk":                   "{name}" + colon + " plus de stock pour {missing} des {quantity} articles réservés à {location}",
		"change.fulfilment-changed":             "{name}" + colon + " {new}",
		"change.total-changed":                  "le total est maintenant de {new} (au lieu de {old})",
		"change.loyalty-points-burnt.one":       "{quantity} point = {new}",
		"change.loyalty-points-burnt.other":     "{quantity} points = {new}",
		"change.loyalty-points-earned.one":      "vous gagnez {quantity} point",
		"change.loyalty-points-earned.other":    "vous gagnez {quantity} points",

		"mode.carry-out":       "à emporter",
		"mode.click-collect":   "retrait en magasin",
		"mode.ship-to-address": "livraison à domicile",
		"mode.ship-from-store": "expédition depuis un magasin",
		"mode.transfer":        "transfert depuis un autre magasin",

		"price.per-measure":  "{amount}/{unit}",
		"price.per-quantity": "{amount} les {per}",

		"promotion.applied":                     "{name}" + colon + " -{amount}",
		"promotion.not-applicable":              "{name}" + colon + " ne s'applique pas",
		"promotion.blocked":                     "{name}" + colon + " non cumulable avec une autre promotion",
		"promotion.wrong-channel":               "{name}" + colon + " offre non proposée sur ce canal",
		"promotion.wrong-location":              "{name}" + colon + " offre non proposée dans ce point de vente",
		"promotion.customer-group":              "{name}" + colon + " offre réservée à d'autres groupes de clients",
		"promotion.not-started":                 "{name}" + colon + " offre pas encore commencée",
		"promotion.expired":                     "{name}" + colon + " offre terminée",
		"promotion.currency":                    "{name}" + colon + " offre non proposée dans cette devise",
		"promotion.missing-coupon":              "{name}" + colon + " nécessite le code {coupon}",
		"promotion.loyalty-tier":                "{name}" + colon + " offre réservée à un autre niveau de fidélité",
		"promotion.limit-reached":               "{name}" + colon + " limite d'utilisation atteinte",
		"promotion.min-subtotal":                "{name}" + colon + " encore {gap} d'achats pour en profiter",
		"promotion.min-quantity.one":            "{name}" + colon + " encore {quantity} article éligible pour en profiter",
		"promotion.min-quantity.other":          "{name}" + colon + " encore {quantity} articles éligibles pour en profiter",
		"promotion.min-quantity.sku.one":        "{name}" + colon + " encore {quantity} article de la référence {sku} pour en profiter",
		"promotion.min-quantity.sku.other":      "{name}" + colon + " encore {quantity} articles de la référence {sku} pour en profiter",
		"promotion.min-quantity.category.one":   "{name}" + colon + " encore {quantity} article de la catégorie {category} pour en profiter",
		"promotion.min-quantity.category.other": "{name}" + colon + " encore {quantity} articles de la catégorie {category} pour en profiter",
		"promotion.no-target":                   "{name}" + colon + " aucun article éligible dans le panier",
		"promotion.no-target.fee":               "{name}" + colon + " pas de frais de livraison concernés",
		"promotion.no-benefit":                  "{name}" + colon + " aucune remise supplémentaire sur ce panier",
		"promotion.blocked-by-exclusive":        "{name}" + colon + " non cumulable avec {other}",
		"promotion.best-of-lost":                "{name}" + colon + " {other} offre une remise plus importante",

		"coupon.applied":                     "code {coupon} appliqué",
		"coupon.applied.explained":           "code {coupon} appliqué — {explanation}",
		"coupon.not-honoured-here":           "le code {coupon} n'est pas accepté ici" + semi + " il reste dans le portefeuille",
		"coupon.not-honoured-here.explained": "le code {coupon} n'est pas accepté ici et reste dans le portefeuille — {explanation}",
		"coupon.condition-unmet":             "code {coupon}" + colon + " une condition n'est pas remplie",
		"coupon.condition-unmet.explained":   "code {coupon} — {explanation}",
		"coupon.unknown":                     "le code {coupon} est inconnu",
		"coupon.blocked":                     "code {coupon}" + colon + " non cumulable avec une autre promotion",
		"coupon.blocked.explained":           "code {coupon} — {explanation}",
	}
}

// frenchFormat is CLDR's "fr": 1 234,50 € with U+202F (narrow no-break
// space) between thousands and U+00A0 (no-break space) before the symbol,
// -1 234,50 € for a negative amount, 1 235 JPY, 1 234,500 KWD.
func frenchFormat() Format {
	return Format{Decimal: ",", Group: "\u202f", Space: "\u00a0", Symbols: map[string]string{
		"EUR": "€", "USD": "$US", "GBP": "£GB", "CAD": "$CA", "AUD": "$AU", "NZD": "$NZ", "MXN": "$MX",
		"BRL": "R$", "INR": "₹", "ILS": "₪", "KRW": "₩", "VND": "₫", "XPF": "FCFP", "XAF": "FCFA",
	}}
}
