package message

// english is the built-in English catalogue, the one every other language
// falls back to, so it has a sentence for every key. Its change sentences
// are those of [basket.Change.Message], word for word (a test holds them
// together).
func english() map[string]string {
	return map[string]string{
		"change.currency-changed":               "prices are now in {new} instead of {old}",
		"change.line-added":                     "added: {quantity} × {name}",
		"change.line-removed":                   "removed: {quantity} × {name}",
		"change.quantity-changed":               "{name}: quantity {new} (was {old})",
		"change.line-unpriced":                  "{name}: {detail}; the line is kept in the basket",
		"change.line-priced-again":              "{name} is priced again at {new}",
		"change.price-changed":                  "{name} is {new} here (was {old})",
		"change.price-protected":                "{name} stays at {old} (price here {new})",
		"change.quote-lock-kept":                "{name} keeps its quoted price {old} (price here {new})",
		"change.quote-lock-expired":             "the quoted price of {name} has expired",
		"change.override-applied":               "{name}: store discount of {new} ({reason})",
		"change.override-removed":               "the store discount on {name} no longer applies (was {old})",
		"change.override-ended":                 "the store discount on {name} ended when the basket left {location} (was {old})",
		"change.tax-changed":                    "tax on {name} is {new}% here (was {old}%)",
		"change.promotion-lost":                 "{promotion} does not apply here (was {old} off)",
		"change.promotion-gained":               "{promotion} saves {new} here",
		"change.coupon-not-honoured":            "coupon {coupon} is not honoured here; it stays in the wallet",
		"change.coupon-not-honoured.detail":     "{detail}",
		"change.coupon-honoured":                "coupon {coupon} applies here",
		"change.line-unavailable":               "{name} is not available here",
		"change.line-unavailable.stock-unknown": "{name}: {detail}",
		"change.line-short":                     "{name}: {available} of {quantity} available",
		"change.line-available":                 "{name} is available in full",
		"change.hold-at-risk":                   "{name}: {missing} of the {quantity} held at {location} are no longer in stock",
		"change.fulfilment-changed":             "{name}: {new}",
		"change.total-changed":                  "total is now {new} (was {old})",
		"change.loyalty-points-burnt.one":       "{quantity} point = {new}",
		"change.loyalty-points-burnt.other":     "{quantity} points = {new}",
		"change.loyalty-points-earned.one":      "you earn {quantity} point",
		"change.loyalty-points-earned.other":    "you earn {quantity} points",

		"mode.carry-out":       "carry-out",
		"mode.click-collect":   "click-collect",
		"mode.ship-to-address": "ship-to-address",
		"mode.ship-from-store": "ship-from-store",
		"mode.transfer":        "transfer",

		"price.per-measure":  "{amount}/{unit}",
		"price.per-quantity": "{amount} per {per}",

		"promotion.applied":                     "{name}: {amount} off",
		"promotion.not-applicable":              "{name} does not apply",
		"promotion.blocked":                     "{name} cannot be combined with another promotion",
		"promotion.wrong-channel":               "{name} is not offered in this channel",
		"promotion.wrong-location":              "{name} is not offered at this location",
		"promotion.customer-group":              "{name} is reserved for other customer groups",
		"promotion.not-started":                 "{name} has not started yet",
		"promotion.expired":                     "{name} has ended",
		"promotion.currency":                    "{name} is not offered in this currency",
		"promotion.missing-coupon":              "{name} needs the code {coupon}",
		"promotion.loyalty-tier":                "{name} needs another loyalty tier",
		"promotion.limit-reached":               "{name} has reached its limit",
		"promotion.min-subtotal":                "add {gap} more to get {name}",
		"promotion.min-quantity.one":            "add {quantity} more qualifying item to get {name}",
		"promotion.min-quantity.other":          "add {quantity} more qualifying items to get {name}",
		"promotion.min-quantity.sku.one":        "add {quantity} more item of SKU {sku} to get {name}",
		"promotion.min-quantity.sku.other":      "add {quantity} more items of SKU {sku} to get {name}",
		"promotion.min-quantity.category.one":   "add {quantity} more item of category {category} to get {name}",
		"promotion.min-quantity.category.other": "add {quantity} more items of category {category} to get {name}",
		"promotion.no-target":                   "{name} needs an eligible item in the basket",
		"promotion.no-target.fee":               "{name} needs an eligible fulfilment fee",
		"promotion.no-benefit":                  "{name} gives no further discount on this basket",
		"promotion.blocked-by-exclusive":        "{name} cannot be combined with {other}",
		"promotion.best-of-lost":                "{name} is not applied: {other} gives a larger discount",

		"coupon.applied":                     "code {coupon} applied",
		"coupon.applied.explained":           "code {coupon} applied: {explanation}",
		"coupon.not-honoured-here":           "code {coupon} is not honoured here and stays in the wallet",
		"coupon.not-honoured-here.explained": "code {coupon} is not honoured here and stays in the wallet: {explanation}",
		"coupon.condition-unmet":             "code {coupon}: a condition is not met",
		"coupon.condition-unmet.explained":   "code {coupon}: {explanation}",
		"coupon.unknown":                     "code {coupon} is not known",
		"coupon.blocked":                     "code {coupon} cannot be combined with another promotion",
		"coupon.blocked.explained":           "code {coupon}: {explanation}",
	}
}

// englishFormat is CLDR's "en": €1,234.50, -€1,234.50, ¥1,235,
// CHF 1,234.50 (U+00A0 after a symbol ending in a letter).
func englishFormat() Format {
	return Format{Decimal: ".", Group: ",", SymbolFirst: true, Symbols: map[string]string{
		"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "HKD": "HK$",
		"MXN": "MX$", "TWD": "NT$", "BRL": "R$", "CNY": "CN¥", "INR": "₹", "ILS": "₪", "KRW": "₩", "VND": "₫",
	}}
}
