// Package channel describes who, where and when a basket is being served.
//
// A [Context] is the single place where the pricing context of a basket is
// built: the channel and its kind, the store or warehouse location, country,
// currency, locale, the price-list chain, the tax zone, the customer group,
// the ordered stock sources, the fulfilment modes offered and the as-of time.
// Every other package reads it; none builds its own (two code paths building
// two pricing contexts is how catalogue and basket prices drift apart).
//
// The main calls are [Context.Validate], which returns a [*FieldError] naming
// the first offending field, and [Context.Fingerprint], a stable digest of the
// context used for idempotence and caching:
//
//	ctx := channel.Context{ChannelID: "web-fr", Kind: channel.Web, Country: "FR", Currency: "EUR", ...}
//	if err := ctx.Validate(); err != nil { ... }
//	key := ctx.Fingerprint()
package channel
