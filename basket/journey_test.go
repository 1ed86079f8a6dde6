package basket_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	shopper  = basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
	basketID = uuid.MustParse("7f3c9a52-1d7e-4c1a-9a0e-2b6c2f1e9d01")
)

func meta(at time.Time) basket.Meta { return basket.Meta{Actor: shopper, At: at} }

// price runs the pure core into target and records the result.
func price(t *testing.T, b *basket.Basket, target channel.Context, opts basket.Options) *basket.Result {
	t.Helper()
	snap, err := demo.Snapshot(target.ChannelID)
	require.NoError(t, err)
	r, err := basket.Recontextualize(b, target, snap, opts)
	require.NoError(t, err)
	_, err = b.SetResult(meta(target.AsOf), r)
	require.NoError(t, err)
	return r
}

func add(t *testing.T, b *basket.Basket, at time.Time, sku string, qty int64) string {
	t.Helper()
	id, _, err := b.AddLine(meta(at), basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)})
	require.NoError(t, err)
	return id
}

// webBasket is the ROPO journey's start: researched online with a web code.
func webBasket(t *testing.T) *basket.Basket {
	at := demo.Start()
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "cust-42"}, demo.Web(at), basket.Cart, meta(at))
	require.NoError(t, err)
	add(t, b, at, "LAMP-ARC", 2)
	add(t, b, at, "THROW-WOOL", 1)
	add(t, b, at, "CANDLE-FIG", 2)
	add(t, b, at, "CANDLE-CED", 1)
	_, err = b.AddCoupon(meta(at), "welcome10")
	require.NoError(t, err)
	price(t, b, demo.Web(at), basket.Options{})
	return b
}

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares v's JSON with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./basket -run Journey -update to create it")
	assert.Equal(t, string(want), string(got), "golden file %s differs (go test ./basket -run Journey -update after checking the change)", path)
}

func changeKinds(cs []basket.Change) []string {
	var out []string
	for _, c := range cs {
		s := c.Kind.String()
		switch {
		case c.LineID != "":
			s += " " + c.LineID
		case c.PromotionID != "":
			s += " " + c.PromotionID
		case c.Coupon != "":
			s += " " + c.Coupon
		}
		out = append(out, s)
	}
	return out
}

// TestJourneyWebToStore is the research-online-purchase-offline journey: a
// web basket with a web-only code checks in at Bellecour, which has its own
// promotions and only one of the two arc lamps.
func TestJourneyWebToStore(t *testing.T) {
	b := webBasket(t)
	web := b.Result
	// Lamps 2 × 149.00 − 5 % = 283.10, throw 119.00, candles 3 × 19.00:
	// 459.10; SPEND-150 takes 15.00 (444.10), then WELCOME10 10 % of the
	// running subtotal, 44.41: 399.69, delivery free from 80.00.
	assert.Equal(t, "399.69", web.Totals.Total.Amount())
	at := demo.Start().Add(26 * time.Hour)
	r := price(t, b, demo.Store(demo.Bellecour, at), basket.Options{})

	assert.Equal(t, []string{
		"price-changed L0001", "price-changed L0002",
		"promotion-lost FREE-SHIP-80", "promotion-lost WEB-LIGHT-5", "promotion-lost WELCOME10",
		"promotion-gained BELLECOUR-OPENING", "promotion-gained CANDLES-3FOR2",
		"coupon-not-honoured WELCOME10",
		"fulfilment-changed L0001", "fulfilment-changed L0002", "fulfilment-changed L0003", "fulfilment-changed L0004",
		"total-changed",
	}, changeKinds(r.Changes))
	assert.Equal(t, []string{"WELCOME10"}, b.Wallet.Coupons, "the web code stays in the wallet")

	lamp, _ := r.Line("L0001")
	require.Len(t, lamp.Fulfilment.Allocations, 2, "one lamp from the shelf, one transferred")
	assert.Equal(t, channel.CarryOut, lamp.Fulfilment.Allocations[0].Mode)
	assert.Equal(t, demo.Bellecour, lamp.Fulfilment.Allocations[0].LocationID)
	assert.Equal(t, channel.Transfer, lamp.Fulfilment.Allocations[1].Mode)
	assert.Equal(t, demo.PartDieu, lamp.Fulfilment.Allocations[1].LocationID)
	assert.Zero(t, lamp.Fulfilment.Short)
	assert.Equal(t, "159.00", lamp.UnitPrice.Amount())
	assert.Equal(t, "store", lamp.Source.ListID)
	assert.True(t, r.Complete)
	golden(t, "web-to-store.json", r)
}

// TestJourneyStoreToWeb is showrooming: a basket started on an associate's
// tablet at Part-Dieu is finished on the web with home delivery, under price
// protection so the shopper never pays more per unit than in store.
func TestJourneyStoreToWeb(t *testing.T) {
	at := demo.Start()
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "cust-42"}, demo.Store(demo.PartDieu, at), basket.Cart, meta(at))
	require.NoError(t, err)
	add(t, b, at, "PLANT-POT", 3)  // 17.00 in store, 18.00 online: protected
	add(t, b, at, "VASE-GLASS", 1) // 59.00 in store, 55.00 online: cheaper online
	add(t, b, at, "TEA-EARL", 2)
	price(t, b, demo.Store(demo.PartDieu, at), basket.Options{})
	for _, id := range []string{"L0001", "L0002", "L0003"} {
		_, err := b.SetFulfilment(meta(at), id, channel.ShipToAddress)
		require.NoError(t, err)
	}

	later := at.Add(3 * time.Hour)
	r := price(t, b, demo.Web(later), basket.Options{Policy: basket.PriceProtection})
	pot, _ := r.Line("L0001")
	assert.Equal(t, basket.BasisProtected, pot.Basis)
	assert.Equal(t, "17.00", pot.UnitPrice.Amount())
	assert.Equal(t, "18.00", pot.ListPrice.Amount())
	vase, _ := r.Line("L0002")
	assert.Equal(t, basket.BasisTarget, vase.Basis)
	assert.Equal(t, "55.00", vase.UnitPrice.Amount())
	for _, l := range r.Lines {
		require.Len(t, l.Fulfilment.Allocations, 1)
		assert.Equal(t, channel.ShipToAddress, l.Fulfilment.Allocations[0].Mode, l.LineID)
		assert.Equal(t, demo.Warehouse, l.Fulfilment.Allocations[0].LocationID, l.LineID)
	}
	require.Len(t, r.Fees, 1)
	assert.Equal(t, channel.ShipToAddress, r.Fees[0].Mode)
	assert.Equal(t, "0.00", r.Fees[0].Total.Amount(), "free delivery from 80.00 online")
	assert.Equal(t, []string{"price-changed L0002", "price-protected L0001", "promotion-gained FREE-SHIP-80",
		"fulfilment-changed L0001", "fulfilment-changed L0002", "fulfilment-changed L0003", "total-changed"}, changeKinds(r.Changes))
	golden(t, "store-to-web.json", r)
}
