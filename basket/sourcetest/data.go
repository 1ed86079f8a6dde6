package sourcetest

import (
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Epoch is the as-of time of the suite's contexts; the validity windows of
// [Retailer] open and close around it.
var Epoch = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Empty is a data set with nothing in it: every query has an empty
// answer, and none is an error.
func Empty() Data { return Data{} }

// Retailer is a data set with what trips sources up: price tiers,
// customer groups, validity windows, prices finer than a cent and per
// thousand, two currencies in one list, a SKU priced in one list only;
// promotions scoped by channel, kind, location, customer group and time;
// tax rules of two zones, one changing rate on a date; stores and a
// warehouse with lead times; fees of two channels, one with two modes.
func Retailer() Data {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	chf := func(s string) pricing.Money { return pricing.MustParse(s, "CHF") }
	winterFrom, winterUntil := Epoch.AddDate(0, 0, -7), Epoch.AddDate(0, 1, 0)
	return Data{
		Prices: []pricing.Price{
			{ListID: "web", SKU: "MUG", Unit: eur("14.00")},
			{ListID: "web", SKU: "MUG", Unit: eur("12.50"), MinQuantity: 6},
			{ListID: "web", SKU: "MUG", Unit: eur("11.90"), CustomerGroup: "members"},
			{ListID: "web", SKU: "MUG", Unit: chf("15.90")},
			{ListID: "store", SKU: "MUG", Unit: eur("15.00")},
			{ListID: "store-paris", SKU: "MUG", Unit: eur("14.50"), ValidFrom: winterFrom, ValidUntil: winterUntil},
			{ListID: "web", SKU: "LAMP", Unit: eur("149.00")},
			{ListID: "web", SKU: "LAMP", Unit: eur("129.00"), ValidFrom: Epoch.AddDate(0, 0, 1)},
			{ListID: "store", SKU: "LAMP", Unit: eur("159.00"), ValidUntil: Epoch.AddDate(0, 0, 2)},
			{ListID: "b2b", SKU: "SCREW", Precise: pricing.MustParseUnitPrice("0.0125", "EUR")},
			{ListID: "b2b", SKU: "SCREW", Precise: mustPer(pricing.MustParseUnitPrice("11.50", "EUR"), 1000), MinQuantity: 10000},
			{ListID: "store", SKU: "TEA", Unit: eur("6.90")},
		},
		Promotions: []promotion.Promotion{
			{ID: "WEB-5", Name: "5 % off mugs online", Lane: promotion.Catalogue, Kinds: []channel.Kind{channel.Web},
				Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{SKUs: []string{"MUG"}}, Percent: pricing.MustPercent("5")}},
			{ID: "PARIS-OPENING", Name: "Paris opening: 20 % off lamps", Lane: promotion.Catalogue, Locations: []string{"paris"},
				Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{SKUs: []string{"LAMP"}}, Percent: pricing.MustPercent("20")}},
			{ID: "TABLET-ONLY", Name: "3.00 off on the Paris tablet", Lane: promotion.Basket, Channels: []string{"store-paris"},
				Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: eur("3.00")}},
			{ID: "MEMBERS", Name: "Members: 10 % off", Lane: promotion.Basket, CustomerGroups: []string{"members"},
				Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{All: true}, Percent: pricing.MustPercent("10")}},
			{ID: "WINTER", Name: "Winter week: 5.00 off from 50.00", Lane: promotion.Basket, StartsAt: winterFrom, EndsAt: Epoch.AddDate(0, 0, 1), MinSubtotal: eur("50.00"),
				Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: eur("5.00")}},
			{ID: "COUPON-TEA", Name: "Teas: buy 2, get 1 free, with code TEA (stores)", Lane: promotion.Basket, Kinds: []channel.Kind{channel.Store}, Coupon: "TEA",
				Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{SKUs: []string{"TEA"}}, Buy: 2, Get: 1, Percent: pricing.MustPercent("100"), Pick: promotion.Cheapest}},
			{ID: "FREE-SHIP", Name: "Free delivery online", Lane: promotion.Fulfilment, Kinds: []channel.Kind{channel.Web},
				Effect: promotion.Effect{Kind: promotion.FeeDiscount, FeeModes: []channel.FulfilmentMode{channel.ShipToAddress}, Percent: pricing.MustPercent("100")}},
		},
		TaxRules: []pricing.TaxRule{
			{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
			{Zone: "FR", Category: "reduced", Rate: pricing.MustPercent("5.5")},
			{Zone: "CH", Category: "standard", Rate: pricing.MustPercent("7.7"), ValidUntil: Epoch.AddDate(0, 0, -30)},
			{Zone: "CH", Category: "standard", Rate: pricing.MustPercent("8.1"), ValidFrom: Epoch.AddDate(0, 0, -30)},
		},
		Locations: []stock.Location{
			{ID: "paris", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect},
				LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ClickCollect: 2 * time.Hour}},
			{ID: "lyon", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.Transfer, channel.ShipFromStore},
				LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.Transfer: 24 * time.Hour, channel.ShipFromStore: 48 * time.Hour}},
			{ID: "wh", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress, channel.Transfer}},
		},
		Fees: map[string][]basket.FeeRule{
			"web": {
				{Mode: channel.ShipToAddress, Amount: eur("4.90"), TaxCategory: "standard"},
				{Mode: channel.ShipFromStore, Amount: eur("3.90"), TaxCategory: "standard"},
			},
			"store-paris": {{Mode: channel.ShipToAddress, Amount: eur("6.90"), TaxCategory: "standard"}},
		},
	}
}

func mustPer(u pricing.UnitPrice, n int64) pricing.UnitPrice {
	u, err := u.WithPer(n)
	if err != nil {
		panic(err)
	}
	return u
}

// contexts are the channel contexts the promotion and fee checks ask for:
// every channel of [Retailer] and one nobody names, members or not,
// before, during and after the winter week.
func contexts() []channel.Context {
	web := channel.Context{ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR",
		PriceLists: []string{"web"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources: []string{"wh", "paris"}, FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress}, AsOf: Epoch}
	paris := web.Clone()
	paris.ChannelID, paris.Kind, paris.LocationID = "store-paris", channel.Store, "paris"
	paris.PriceLists, paris.StockSources = []string{"store-paris", "store"}, []string{"paris", "lyon", "wh"}
	paris.FulfilmentModes = []channel.FulfilmentMode{channel.CarryOut, channel.ShipToAddress}
	lyon := paris.Clone()
	lyon.ChannelID, lyon.LocationID, lyon.StockSources = "store-lyon", "lyon", []string{"lyon", "wh"}
	kiosk := web.Clone()
	kiosk.ChannelID, kiosk.Kind, kiosk.LocationID = "kiosk-nowhere", channel.Kiosk, "nowhere"
	members := web.Clone()
	members.CustomerGroup = "members"
	later := paris.Clone()
	later.AsOf = Epoch.AddDate(0, 0, 10)
	earlier := web.Clone()
	earlier.AsOf = Epoch.AddDate(0, 0, -10)
	return []channel.Context{web, paris, lyon, kiosk, members, later, earlier}
}
