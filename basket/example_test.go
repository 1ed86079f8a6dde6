package basket_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
)

// A basket filled on the web with a web-only coupon is recontextualized
// into a store: store prices, store promotions, the coupon kept but not
// honoured, and a fulfilment plan from the store's shelf and a neighbour.
func ExampleRecontextualize() {
	at := demo.Start()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-42"}, At: at}
	b, _, _ := basket.New(uuid.MustParse("7f3c9a52-1d7e-4c1a-9a0e-2b6c2f1e9d01"), basket.Owner{CustomerID: "cust-42"}, demo.Web(at), basket.Cart, m)
	b.AddLine(m, basket.NewLine{SKU: "LAMP-ARC", Quantity: 2, Product: demo.Product("LAMP-ARC")})
	b.AddLine(m, basket.NewLine{SKU: "CANDLE-FIG", Quantity: 3, Product: demo.Product("CANDLE-FIG")})
	b.AddCoupon(m, "WELCOME10")

	web, _ := demo.Snapshot("web")
	r, _ := basket.Recontextualize(b, demo.Web(at), web, basket.Options{})
	b.SetResult(m, r)
	fmt.Println("web total:", r.Totals.Total)

	store := demo.Store(demo.Bellecour, at.Add(24*time.Hour))
	snap, _ := demo.Snapshot(store.ChannelID)
	r, err := basket.Recontextualize(b, store, snap, basket.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("store total:", r.Totals.Total)
	for _, c := range r.Changes {
		fmt.Printf("%-20s %s\n", c.Kind, c.Message())
	}
	// Output:
	// web total: 292.59 EUR
	// store total: 341.00 EUR
	// price-changed        Arc floor lamp is 159.00 EUR here (was 149.00 EUR)
	// promotion-lost       Free delivery from 80.00 online does not apply here (was 4.90 EUR off)
	// promotion-lost       5 % off lighting online does not apply here (was 14.90 EUR off)
	// promotion-lost       10 % off with code WELCOME10 (web) does not apply here (was 32.51 EUR off)
	// promotion-gained     Candles: buy 2, get the cheapest third free (stores) saves 19.00 EUR here
	// coupon-not-honoured  code WELCOME10 is not honoured here and stays in the wallet: 10 % off with code WELCOME10 (web) is not offered in this channel (store-lyon-bellecour)
	// fulfilment-changed   Arc floor lamp: carry-out + transfer
	// fulfilment-changed   Fig scented candle: carry-out
	// total-changed        total is now 341.00 EUR (was 292.59 EUR)
}
