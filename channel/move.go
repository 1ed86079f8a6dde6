package channel

// MoveTo returns the context of the shopper of c served at place: a channel
// change (a check-in at a store, a check-out to the web). Everything that
// belongs to the place comes from place: ChannelID, Kind, LocationID,
// Country, Currency, PriceLists, TaxZone, PricesIncludeTax, StockSources,
// FulfilmentModes and AsOf. What belongs to the shopper stays as it was in
// c: CustomerGroup, and Locale when the shopper has one (a French shopper
// stays French in a store whose default is English); otherwise the place's
// Locale. The result shares no slice with c or place.
//
// It is the one place a channel change builds its context, so that the
// catalogue and the basket cannot disagree about who the shopper is.
func (c Context) MoveTo(place Context) Context {
	out := place.Clone()
	out.CustomerGroup = c.CustomerGroup
	if c.Locale != "" {
		out.Locale = c.Locale
	}
	return out
}
