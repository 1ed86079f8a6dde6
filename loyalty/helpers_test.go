package loyalty_test

import (
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

var now = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// storeCtx is a till in Paris at now, in cur.
func storeCtx(cur string) channel.Context {
	return channel.Context{
		ChannelID: "store-paris-01", Kind: channel.Store, LocationID: "paris-01",
		Country: "FR", Currency: cur, PriceLists: []string{"fr"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources: []string{"paris-01"}, FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut},
		AsOf: now,
	}
}

// webCtx is the French web shop at now, in EUR.
func webCtx() channel.Context {
	c := storeCtx("EUR")
	c.ChannelID, c.Kind, c.LocationID = "web-fr", channel.Web, ""
	c.FulfilmentModes = []channel.FulfilmentMode{channel.ShipToAddress}
	return c
}

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// program is the programme of the case: 1 point per euro, double
// points on cheese, tier 2 earns ×1.5, gift cards earn nothing, 100 points
// pay 1.00 EUR as a tender, from 500 points, in steps of 100.
func program() loyalty.Program {
	return loyalty.Program{
		Rules: []loyalty.Rule{
			{ID: "base", Name: "1 point per euro", Kind: loyalty.Base, Points: 1, Per: eur("1.00")},
			{ID: "cheese-x2", Name: "double points on cheese", Kind: loyalty.Multiplier, Factor: pricing.MustRate("2"),
				Target: loyalty.Target{Categories: []string{"cheese"}}},
		},
		Tiers:   []loyalty.Tier{{ID: "1", Multiplier: pricing.MustRate("1")}, {ID: "2", Multiplier: pricing.MustRate("1.5")}},
		Exclude: loyalty.Target{Categories: []string{"gift-card"}},
		Burn: loyalty.BurnPolicy{
			Mode:      loyalty.Tender,
			Rates:     []loyalty.Conversion{{Points: 100, Value: eur("1.00")}},
			MinPoints: 500,
			Step:      100,
		},
	}
}

func mustCompile(p loyalty.Program) *loyalty.Scheme {
	s, err := loyalty.Compile(p)
	if err != nil {
		panic(err)
	}
	return s
}

// visit1 is the first visit of the case: 84.30 EUR, of which a
// cheese line of 21.00 EUR.
func visit1() []loyalty.Line {
	return []loyalty.Line{
		{ID: "l1", SKU: "comte-250g", Categories: []string{"cheese", "deli"}, Quantity: 2, Amount: eur("21.00")},
		{ID: "l2", SKU: "bordeaux-2019", Categories: []string{"wine"}, Quantity: 1, Amount: eur("35.50")},
		{ID: "l3", SKU: "baguette", Categories: []string{"bakery"}, Quantity: 4, Amount: eur("27.80")},
	}
}
