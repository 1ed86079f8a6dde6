package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
)

// GiftCard is a Maison Lumière gift card with 30.00 EUR on it, issued by
// [NewShop].
const GiftCard = "GC-2611-0042"

// StockStore is what a retailer's stock needs: levels to read, on-hand to
// seed, reservations. memory.StockStore and postgres.Store are ones.
type StockStore interface {
	stock.Provider
	stock.Reserver
	SetOnHand(ctx context.Context, sku, location string, onHand int64) error
}

// ShopOptions choose the adapters of [NewShop]; the zero value is
// the in-memory default on the system clock.
type ShopOptions struct {
	Clock clock.Clock // clock.System{} when nil
	// Store and Stock replace the memory adapters (both or neither:
	// a memory basket store writes its orders to the memory ledger).
	Store basket.Store
	Stock StockStore
	// Replay records spent check-in tokens (memory when nil).
	Replay handoff.ReplayStore
	// Keys signs check-in tokens; a fixed demo key when nil.
	Keys *handoff.KeyRing
}

// Shop is Maison Lumière wired on adapters: its catalogue, prices,
// promotions, stock, gift cards and the basket service over them.
type Shop struct {
	Service  *basket.Service
	Handoff  *handoff.Service
	Stock    StockStore
	Vouchers *memory.VoucherStore
	Catalog  *memory.Catalog
	Clock    clock.Clock
}

// NewShop wires the demo retailer and seeds its stock (on-hand levels
// from [Stock]) and its gift card.
func NewShop(ctx context.Context, opts ShopOptions) (*Shop, error) {
	clk := opts.Clock
	if clk == nil {
		clk = clock.System{}
	}
	if (opts.Store == nil) != (opts.Stock == nil) {
		return nil, fmt.Errorf("demo: ShopOptions.Store and Stock go together")
	}
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	store, st := opts.Store, opts.Stock
	if store == nil {
		mem := memory.NewStockStore(clk)
		store, st = memory.NewBasketStore(memory.WithLedger(mem)), mem
	}
	for _, l := range Stock() {
		if err := st.SetOnHand(ctx, l.SKU, l.LocationID, l.OnHand); err != nil {
			return nil, err
		}
	}
	keys := opts.Keys
	if keys == nil {
		if keys, err = handoff.NewKeyRing(handoff.Key{ID: "demo", Secret: handoff.NewSecret([]byte("demo-secret-demo-secret-demo-sec")),
			ActiveFrom: Start().Add(-24 * time.Hour)}); err != nil {
			return nil, err
		}
	}
	replay := opts.Replay
	if replay == nil {
		replay = memory.NewReplayStore(clk)
	}
	tokens, err := handoff.New(handoff.Config{Keys: keys, Replay: replay, Clock: clk})
	if err != nil {
		return nil, err
	}
	products, err := memory.NewProducts(Products()...)
	if err != nil {
		return nil, err
	}
	labels, err := catalog.NewDecoder(ScaleLayout())
	if err != nil {
		return nil, err
	}
	vouchers := memory.NewVoucherStore(clk)
	if err := vouchers.Issue(ctx, GiftCard, pricing.MustParse("30.00", "EUR"), clk.Now().AddDate(1, 0, 0)); err != nil {
		return nil, err
	}
	svc, err := basket.NewService(basket.Config{
		Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: st, Locations: cat, Fees: cat,
		Reservations: st, Clock: clk, Handoff: tokens, Retailer: Retailer,
		Products: products, Barcodes: labels, Vouchers: vouchers, MaxAttempts: 20,
	})
	if err != nil {
		return nil, err
	}
	return &Shop{Service: svc, Handoff: tokens, Stock: st, Vouchers: vouchers, Catalog: cat, Clock: clk}, nil
}
