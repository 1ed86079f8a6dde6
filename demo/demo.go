// Package demo is the small but realistic retailer the journeys, golden
// tests and examples run on: Maison Lumière, a home-goods shop with a web
// shop, two stores in Lyon (Bellecour and Part-Dieu) and a warehouse. It is
// built in code, deterministically, at a fixed as-of time.
package demo

import (
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Location IDs.
const (
	Bellecour = "lyon-bellecour"
	PartDieu  = "lyon-part-dieu"
	Warehouse = "wh-venissieux"
	Retailer  = "maison-lumiere"
)

// Start is the as-of time of the journeys: Monday 23 November 2026, 10:00 in Lyon.
func Start() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }

// Item is a catalogue product with its base and channel prices.
type Item struct {
	SKU, Name, Category, TaxCategory string
	Web, Store                       string // unit prices in EUR, tax included
}

// Items is the assortment.
func Items() []Item {
	return []Item{
		{"LAMP-ARC", "Arc floor lamp", "lighting", "standard", "149.00", "159.00"},
		{"LAMP-DESK", "Brass desk lamp", "lighting", "standard", "69.00", "69.00"},
		{"LAMP-PEND", "Rattan pendant", "lighting", "standard", "89.00", "94.00"},
		{"BULB-E27", "LED bulb E27 warm", "lighting", "standard", "6.90", "7.50"},
		{"CANDLE-FIG", "Fig scented candle", "candles", "standard", "19.00", "19.00"},
		{"CANDLE-CED", "Cedar scented candle", "candles", "standard", "19.00", "19.00"},
		{"CANDLE-AMB", "Amber scented candle", "candles", "standard", "21.00", "22.00"},
		{"CANDLE-TEA", "Tea lights, box of 24", "candles", "standard", "7.90", "7.90"},
		{"THROW-WOOL", "Merino wool throw", "textiles", "standard", "119.00", "129.00"},
		{"CUSHION-LIN", "Linen cushion", "textiles", "standard", "39.00", "42.00"},
		{"CUSHION-VEL", "Velvet cushion", "textiles", "standard", "55.00", "55.00"},
		{"RUG-JUTE", "Jute rug 160×230", "textiles", "standard", "229.00", "239.00"},
		{"TOWEL-SET", "Cotton towel set", "textiles", "standard", "49.00", "49.00"},
		{"MUG-STONE", "Stoneware mug", "kitchen", "standard", "14.00", "15.00"},
		{"TEAPOT-CAST", "Cast-iron teapot", "kitchen", "standard", "59.00", "62.00"},
		{"BOARD-OAK", "Oak serving board", "kitchen", "standard", "45.00", "45.00"},
		{"KNIFE-CHEF", "Chef's knife", "kitchen", "standard", "89.00", "95.00"},
		{"GLASS-SET", "Set of 6 glasses", "kitchen", "standard", "36.00", "36.00"},
		{"TEA-EARL", "Earl Grey loose tea 100 g", "food", "reduced", "8.50", "8.50"},
		{"TEA-GREEN", "Sencha green tea 100 g", "food", "reduced", "9.50", "9.90"},
		{"HONEY-LAV", "Lavender honey 250 g", "food", "reduced", "11.00", "11.00"},
		{"CHOC-BOX", "Praline box", "food", "reduced", "24.00", "24.00"},
		{"BOOK-HOME", "Book: Living with light", "books", "reduced", "35.00", "35.00"},
		{"BOOK-TEA", "Book: The way of tea", "books", "reduced", "28.00", "28.00"},
		{"VASE-GLASS", "Blown glass vase", "decor", "standard", "55.00", "59.00"},
		{"FRAME-OAK", "Oak photo frame", "decor", "standard", "25.00", "25.00"},
		{"MIRROR-ROUND", "Round mirror", "decor", "standard", "135.00", "139.00"},
		{"PLANT-POT", "Terracotta pot", "decor", "standard", "18.00", "17.00"},
		{"SOFA-LINEN", "Three-seat linen sofa", "furniture", "standard", "1290.00", "1290.00"},
		{"GIFT-WRAP", "Gift wrapping", "services", "standard", "4.00", "3.00"},
		{"ASSEMBLY", "Home assembly", "services", "services", "", "45.00"},
		// Sold by the kg at Bellecour's fine-food counter ([Measured]).
		{"COMTE-18M", "Comté AOP 18 months", "cheese", "reduced", "", "24.90"},
	}
}

// Product returns the basket attributes of a SKU.
func Product(sku string) basket.Product {
	for _, it := range Items() {
		if it.SKU == sku {
			return basket.Product{Name: it.Name, Categories: []string{it.Category}, TaxCategory: it.TaxCategory}
		}
	}
	panic("demo: unknown SKU " + sku)
}

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// Prices returns the price lists: "web" and "store" carry every item sold
// there; "store-bellecour" has a local markdown; a tier makes six candles
// cheaper in stores. ASSEMBLY has no web price: it is a store service.
func Prices() []pricing.Price {
	var ps []pricing.Price
	for _, it := range Items() {
		if it.Web != "" {
			ps = append(ps, pricing.Price{ListID: "web", SKU: it.SKU, Unit: eur(it.Web)})
		}
		if it.Store != "" {
			ps = append(ps, pricing.Price{ListID: "store", SKU: it.SKU, Unit: eur(it.Store)})
		}
	}
	ps = append(ps,
		pricing.Price{ListID: "store-bellecour", SKU: "VASE-GLASS", Unit: eur("49.00")},
		pricing.Price{ListID: "store", SKU: "CANDLE-TEA", Unit: eur("6.50"), MinQuantity: 6},
		pricing.Price{ListID: "store", SKU: "MUG-STONE", Unit: eur("12.00"), CustomerGroup: "members"},
	)
	return ps
}

// TaxRules: French VAT, standard 20 %, reduced 5.5 % (food, books), and
// services (assembly, shipping) at the standard rate.
func TaxRules() []pricing.TaxRule {
	return []pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "reduced", Rate: pricing.MustPercent("5.5")},
		{Zone: "FR", Category: "services", Rate: pricing.MustPercent("20")},
	}
}

// Promotions: web-only, store-only and everywhere promotions, a coupon, a
// buy-X-get-Y, a spend threshold and a free-shipping threshold.
func Promotions() []promotion.Promotion {
	return []promotion.Promotion{
		{ID: "WEB-LIGHT-5", Name: "5 % off lighting online", Lane: promotion.Catalogue, Kinds: []channel.Kind{channel.Web},
			Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{Categories: []string{"lighting"}}, Percent: pricing.MustPercent("5")}},
		{ID: "WELCOME10", Name: "10 % off with code WELCOME10 (web)", Lane: promotion.Basket, Kinds: []channel.Kind{channel.Web}, Coupon: "WELCOME10",
			Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{All: true}, Percent: pricing.MustPercent("10")}},
		{ID: "CANDLES-3FOR2", Name: "Candles: buy 2, get the cheapest third free (stores)", Lane: promotion.Basket, Kinds: []channel.Kind{channel.Store},
			Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{Categories: []string{"candles"}}, Buy: 2, Get: 1, Percent: pricing.MustPercent("100"), Pick: promotion.Cheapest}},
		{ID: "CUSHIONS-3FOR2", Name: "Cushions: buy 2, get the cheapest third free (stores)", Lane: promotion.Basket, Kinds: []channel.Kind{channel.Store},
			Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{SKUs: []string{"CUSHION-LIN", "CUSHION-VEL"}}, Buy: 2, Get: 1, Percent: pricing.MustPercent("100"), Pick: promotion.Cheapest}},
		{ID: "SPEND-150", Name: "15.00 off from 150.00 (everywhere)", Lane: promotion.Basket, MinSubtotal: eur("150.00"),
			Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: eur("15.00")}},
		{ID: "TEA-TIME", Name: "Teapot and two teas for 69.00 (everywhere)", Lane: promotion.Basket,
			Effect: promotion.Effect{Kind: promotion.BundlePrice, Amount: eur("69.00"), Components: []promotion.Component{
				{Target: promotion.Target{SKUs: []string{"TEAPOT-CAST"}}, Quantity: 1},
				{Target: promotion.Target{SKUs: []string{"TEA-EARL", "TEA-GREEN"}}, Quantity: 2}}}},
		{ID: "BELLECOUR-OPENING", Name: "Bellecour reopening: 20 % off textiles", Lane: promotion.Catalogue, Locations: []string{Bellecour},
			Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{Categories: []string{"textiles"}}, Percent: pricing.MustPercent("20")}},
		{ID: "MERCI5", Name: "5.00 off from 50.00 with code MERCI5 (stores)", Lane: promotion.Basket, Kinds: []channel.Kind{channel.Store}, Coupon: "MERCI5", MinSubtotal: eur("50.00"),
			Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: eur("5.00")}},
		{ID: "FREE-SHIP-80", Name: "Free delivery from 80.00 online", Lane: promotion.Fulfilment, Kinds: []channel.Kind{channel.Web}, MinSubtotal: eur("80.00"),
			Effect: promotion.Effect{Kind: promotion.FeeDiscount, FeeModes: []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}, Percent: pricing.MustPercent("100")}},
	}
}

// Sites are the stock locations.
func Sites() []stock.Location {
	store := func(id string) stock.Location {
		return stock.Location{ID: id, Kind: stock.Store,
			Modes:     []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipFromStore},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0, channel.ClickCollect: 2 * time.Hour, channel.Transfer: 24 * time.Hour, channel.ShipFromStore: 48 * time.Hour}}
	}
	return []stock.Location{
		store(Bellecour), store(PartDieu),
		{ID: Warehouse, Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress, channel.Transfer},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour, channel.Transfer: 48 * time.Hour}},
	}
}

// Stock is the on-hand stock: Bellecour has a single arc lamp, Part-Dieu
// two, the warehouse plenty; sofas are only in the warehouse (the stores
// show one on the floor); ASSEMBLY is a service, always available in stores;
// the Comté is a 12.5 kg wheel at Bellecour's counter, counted in grams.
func Stock() []stock.Level {
	var ls []stock.Level
	for _, it := range Items() {
		for _, loc := range []string{Bellecour, PartDieu, Warehouse} {
			on := int64(20)
			switch {
			case it.SKU == "LAMP-ARC" && loc == Bellecour:
				on = 1
			case it.SKU == "LAMP-ARC" && loc == PartDieu:
				on = 2
			case it.SKU == "SOFA-LINEN" && loc == Warehouse:
				on = 6
			case it.SKU == "SOFA-LINEN":
				on = 0
			case it.SKU == "COMTE-18M" && loc == Bellecour:
				on = 12_500 // 12.5 kg at the counter, in thousandths of a kg
			case it.SKU == "COMTE-18M":
				continue
			case it.Category == "services" && loc == Warehouse:
				continue
			case it.Category == "services":
				on = 1000
			}
			ls = append(ls, stock.Level{SKU: it.SKU, LocationID: loc, OnHand: on})
		}
	}
	return ls
}

// Fees per channel: web delivery 4.90, store delivery 6.90; collecting and
// carrying out are free.
func Fees() map[string][]basket.FeeRule {
	return map[string][]basket.FeeRule{
		"web": {
			{Mode: channel.ShipToAddress, Amount: eur("4.90"), TaxCategory: "services"},
			{Mode: channel.ShipFromStore, Amount: eur("4.90"), TaxCategory: "services"},
		},
		"store-" + Bellecour: {{Mode: channel.ShipToAddress, Amount: eur("6.90"), TaxCategory: "services"}},
		"store-" + PartDieu:  {{Mode: channel.ShipToAddress, Amount: eur("6.90"), TaxCategory: "services"}},
	}
}

// Web is the web shop's context: web prices, delivery from the warehouse
// or a store, click & collect in stores.
func Web(at time.Time) channel.Context {
	return channel.Context{
		ChannelID: "web", Kind: channel.Web, Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: []string{"web"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{Warehouse, Bellecour, PartDieu},
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore, channel.ClickCollect},
		AsOf:            at,
	}
}

// Store is the context of a store's associate tablet: take it now, collect
// it here later, have it transferred from the other store or the warehouse,
// or have it shipped.
func Store(location string, at time.Time) channel.Context {
	other := PartDieu
	if location == PartDieu {
		other = Bellecour
	}
	return channel.Context{
		ChannelID: "store-" + location, Kind: channel.Store, LocationID: location, Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: []string{"store-" + location, "store"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{location, other, Warehouse},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipToAddress},
		AsOf:            at,
	}
}

// WebCollect is the web shop with click & collect at one store: the store's
// own shelf first, then a transfer from the warehouse.
func WebCollect(location string, at time.Time) channel.Context {
	return channel.Context{
		ChannelID: "web", Kind: channel.Web, LocationID: location, Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: []string{"web"}, TaxZone: "FR", PricesIncludeTax: true,
		StockSources:    []string{location, Warehouse},
		FulfilmentModes: []channel.FulfilmentMode{channel.ClickCollect, channel.Transfer},
		AsOf:            at,
	}
}
