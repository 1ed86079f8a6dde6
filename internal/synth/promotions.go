package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Promotions generates n active promotions for the catalogue. About 30 of
// them can apply to a synthetic store basket whatever n is: a fixed core of
// category and basket-wide promotions in the store's scope; the rest are
// scoped to other channels or locations, or target SKUs of the long tail,
// as a real retailer's promotion calendar is.
func (c *Catalogue) Promotions(seed uint64, n int) []promotion.Promotion {
	r := rand.New(rand.NewPCG(seed, 0x9e0))
	money := func(u int64) pricing.Money { m, _ := pricing.FromMinor(u, c.Currency); return m }
	cats := Categories()
	out := make([]promotion.Promotion, 0, n)
	id := func(i int) string { return fmt.Sprintf("P%05d", i) }
	core := min(n, 30)
	for i := range core {
		p := promotion.Promotion{ID: id(i), Priority: int64(r.IntN(5))}
		cat := cats[i%len(cats)]
		switch i % 6 {
		case 0, 1:
			p.Lane = promotion.Catalogue
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{Categories: []string{cat}}, Percent: pricing.MustPercent(fmt.Sprint(5 + i%20))}
		case 2:
			p.Lane = promotion.Catalogue
			p.Effect = promotion.Effect{Kind: promotion.AmountOff, Target: promotion.Target{Categories: []string{cat}}, Amount: money(50 + int64(i))}
		case 3:
			p.Lane = promotion.Basket
			p.Effect = promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{Categories: []string{cat}}, Buy: 2, Get: 1, Percent: pricing.MustPercent("50")}
		case 4:
			p.Lane = promotion.Basket
			p.MinSubtotal = money(10_000 + int64(i)*1_000)
			p.Effect = promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: money(500 + int64(i)*10)}
		case 5:
			p.Lane = promotion.Basket
			p.BestOfGroup = "tiers"
			p.Effect = promotion.Effect{Kind: promotion.Tiered, Target: promotion.Target{All: true}, Tiers: []promotion.Tier{
				{Threshold: money(5_000), Amount: money(300)}, {Threshold: money(20_000), Amount: money(1_500 + int64(i))}}}
		}
		out = append(out, p)
	}
	for i := core; i < n; i++ {
		p := promotion.Promotion{ID: id(i), Lane: promotion.Catalogue, Priority: int64(r.IntN(5))}
		switch r.IntN(3) {
		case 0: // another channel's promotion
			p.Channels = []string{fmt.Sprintf("store-%02d", 2+r.IntN(50))}
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{Categories: []string{cats[r.IntN(len(cats))]}}, Percent: pricing.MustPercent("10")}
		case 1: // a long-tail SKU
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{SKUs: []string{SKU(r.IntN(len(c.Products)))}}, Percent: pricing.MustPercent("15")}
		default: // a web-only coupon
			p.Lane = promotion.Basket
			p.Kinds = []channel.Kind{channel.Web}
			p.Coupon = fmt.Sprintf("CODE%05d", i)
			p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{All: true}, Percent: pricing.MustPercent("10")}
		}
		out = append(out, p)
	}
	return out
}

// Locations returns n stock locations: the synthetic store first, then
// neighbouring stores, and a warehouse last.
func (c *Catalogue) Locations(n int) []stock.Location {
	out := make([]stock.Location, n)
	for i := range out {
		out[i] = stock.Location{ID: fmt.Sprintf("loc-store-%02d", i+1), Kind: stock.Store,
			Modes:     []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipFromStore},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.Transfer: 24 * time.Hour}}
	}
	out[n-1] = stock.Location{ID: "loc-warehouse", Kind: stock.Warehouse,
		Modes:     []channel.FulfilmentMode{channel.ShipToAddress, channel.Transfer},
		LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour}}
	return out
}

// Stock returns levels for the lines' SKUs at every location: the store
// is short on about one line in ten, the neighbours and warehouse cover it.
func Stock(seed uint64, lines []Line, locations []stock.Location) []stock.Level {
	r := rand.New(rand.NewPCG(seed, 0x570c))
	var out []stock.Level
	for _, l := range lines {
		for i, loc := range locations {
			on := l.Quantity + int64(r.IntN(10))
			if i == 0 && r.IntN(10) == 0 {
				on = l.Quantity / 2
			}
			out = append(out, stock.Level{SKU: l.Product.SKU, LocationID: loc.ID, OnHand: on})
		}
	}
	return out
}
