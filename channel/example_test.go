package channel_test

import (
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/channel"
)

func ExampleContext_Validate() {
	ctx := channel.Context{
		ChannelID: "store-paris-01", Kind: channel.Store, Country: "FR", Currency: "EUR",
		PriceLists: []string{"store-paris-01", "default"}, TaxZone: "FR",
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut},
		AsOf:            time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
	}
	fmt.Println(ctx.Validate())
	ctx.LocationID = "paris-01"
	fmt.Println(ctx.Validate())
	fmt.Println(ctx.Fingerprint()[:16])
	// Output:
	// channel: invalid context: LocationID: required for a store channel
	// <nil>
	// 48e4e19727766f72
}

// A shopper of the web shop checks in at a Zurich store: the basket is now
// priced, taxed and sourced like the store, in its currency, while the
// shopper keeps their customer group and language.
func ExampleContext_MoveTo() {
	web := channel.Context{
		ChannelID: "web-fr", Kind: channel.Web, Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: []string{"web-fr", "default"}, TaxZone: "FR", PricesIncludeTax: true,
		CustomerGroup:   "members",
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress},
		AsOf:            time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
	}
	store := channel.Context{
		ChannelID: "store-zurich-01", Kind: channel.Store, LocationID: "zurich-01", Country: "CH", Currency: "CHF", Locale: "de-CH",
		PriceLists: []string{"store-zurich-01", "ch", "default"}, TaxZone: "CH",
		StockSources:    []string{"zurich-01", "wh-basel"},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut, channel.Transfer},
		AsOf:            time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC),
	}
	here := web.MoveTo(store)
	fmt.Println(here.ChannelID, here.Currency, here.PriceLists, here.StockSources)
	fmt.Println(here.CustomerGroup, here.Locale, here.Validate())
	// Output:
	// store-zurich-01 CHF [store-zurich-01 ch default] [zurich-01 wh-basel]
	// members fr-FR <nil>
}
