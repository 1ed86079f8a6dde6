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
