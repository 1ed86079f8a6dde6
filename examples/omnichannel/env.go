package main

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
)

// giftCard is a Maison Lumière gift card with 30.00 EUR on it.
const giftCard = "GC-2611-0042"

// env is one fresh retailer on the in-memory adapters: the default setup a
// platform embeds before it moves to PostgreSQL. The basket store applies
// every order's stock movements to the stock ledger in the same write.
type env struct {
	ctx      context.Context
	clk      *clock.Fake
	stock    *memory.StockStore
	vouchers *memory.VoucherStore
	svc      *basket.Service
}

func newEnv() (*env, error) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	cat, err := demo.Catalog()
	if err != nil {
		return nil, err
	}
	st := memory.NewStockStore(clk)
	for _, l := range demo.Stock() {
		if err := st.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			return nil, err
		}
	}
	// A fixed key and a seeded nonce source keep the printed tokens stable;
	// production uses secrets from a vault and crypto/rand (the default).
	keys, err := handoff.NewKeyRing(handoff.Key{ID: "2026-11", Secret: handoff.NewSecret([]byte("demo-secret-demo-secret-demo-sec")), ActiveFrom: demo.Start().Add(-24 * time.Hour)})
	if err != nil {
		return nil, err
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(clk), Clock: clk, Rand: rand.NewChaCha8([32]byte{42})})
	if err != nil {
		return nil, err
	}
	// The till's catalogue (SKUs and barcodes), the counter scale's labels
	// and the gift cards sold at the tills.
	products, err := memory.NewProducts(demo.Products()...)
	if err != nil {
		return nil, err
	}
	labels, err := catalog.NewDecoder(demo.ScaleLayout())
	if err != nil {
		return nil, err
	}
	vouchers := memory.NewVoucherStore(clk)
	if err := vouchers.Issue(ctx, giftCard, pricing.MustParse("30.00", "EUR"), demo.Start().AddDate(1, 0, 0)); err != nil {
		return nil, err
	}
	svc, err := basket.NewService(basket.Config{
		Store: memory.NewBasketStore(memory.WithLedger(st)), Prices: cat, Promotions: cat, Tax: cat, Stock: st, Locations: cat, Fees: cat,
		Reservations: st, Clock: clk, Handoff: tokens, Retailer: demo.Retailer,
		Products: products, Barcodes: labels, Vouchers: vouchers,
	})
	if err != nil {
		return nil, err
	}
	return &env{ctx: ctx, clk: clk, stock: st, vouchers: vouchers, svc: svc}, nil
}

// basketID derives a stable ID for a journey's basket.
func basketID(name string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://omnibasket.example/baskets/"+name))
}

func line(sku string, qty int64) basket.NewLine {
	return basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)}
}

var (
	camille = basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	hugo    = basket.Actor{Kind: basket.Shopper, ID: "cust-hugo"}
	ines    = basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
	nadia   = basket.Actor{Kind: basket.Shopper, ID: "cust-nadia"}
	jeanne  = basket.Actor{Kind: basket.Shopper, ID: "cust-jeanne"}
	system  = basket.Actor{Kind: basket.System, ID: "maison-lumiere-ops"}
	lea     = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	malik   = basket.Actor{Kind: basket.Associate, ID: "malik", LocationID: demo.PartDieu}
)
