package memory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock/stocktest"
)

func TestBasketStore(t *testing.T) {
	baskettest.RunStoreTests(t, func(t *testing.T) basket.Store { return memory.NewBasketStore() })
}

func TestBasketStoreWithLedger(t *testing.T) {
	baskettest.RunLedgerStoreTests(t, func(t *testing.T) baskettest.LedgerHarness {
		clk := clock.NewFake(stocktest.Epoch)
		l := memory.NewStockStore(clk)
		return baskettest.LedgerHarness{Store: memory.NewBasketStore(memory.WithLedger(l)), SetOnHand: l.SetOnHand, Clock: clk}
	})
}

func TestBasketStoreDocuments(t *testing.T) {
	baskettest.RunDocumentStoreTests(t, func(t *testing.T) basket.DocumentStore { return memory.NewBasketStore() })
}

func TestBasketStoreLedger(t *testing.T) {
	// Without WithLedger the store has no ledger: a nil interface, not a
	// typed nil that would pass a nil check.
	var ls basket.LedgerStore = memory.NewBasketStore()
	if ls.Ledger() != nil {
		t.Fatalf("Ledger() = %#v, want nil", ls.Ledger())
	}
	l := memory.NewStockStore(clock.NewFake(stocktest.Epoch))
	ls = memory.NewBasketStore(memory.WithLedger(l))
	if got, ok := ls.Ledger().(*memory.StockStore); !ok || got != l {
		t.Fatalf("Ledger() = %#v, want the StockStore given to WithLedger", ls.Ledger())
	}
}

func TestBasketStoreDocumentsShareNoMemory(t *testing.T) {
	// Every slice of a document, nested ones included, is copied in and
	// out: what the suite checks for Lines and Taxes, here for the rest.
	ctx := context.Background()
	s := memory.NewBasketStore()
	b, w := baskettest.NewBasket(t, "c-1")
	require.NoError(t, s.Save(ctx, w))
	eur := pricing.MustParse("1.00", "EUR")
	d := baskettest.Document(b, basket.CreditNote, "CN", stocktest.Epoch)
	d.Fees = []basket.PricedFee{{FeeID: "ship", Mode: channel.ShipToAddress, Amount: eur, Discounts: []promotion.Adjustment{{PromotionID: "p", Lane: promotion.Fulfilment, Amount: eur}}, Net: eur, Tax: eur, Total: eur}}
	d.Adjustments = []basket.TaxAmount{{Net: eur, Tax: eur, Gross: eur}}
	d.Broken = []basket.BrokenPromotion{{PromotionID: "p", Before: eur, After: eur, Lost: eur, Message: "kept"}}
	before := b.Version
	e, err := b.AddCoupon(basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "t"}, At: stocktest.Epoch}, "X")
	require.NoError(t, err)
	x := basket.Write{Basket: b.Clone(), ExpectedVersion: before, Events: []basket.Event{e}, Documents: []basket.Document{d}}
	require.NoError(t, s.Save(ctx, x))
	want, err := json.Marshal(x.Documents[0])
	require.NoError(t, err)

	mutate := func(d basket.Document) {
		d.Fees[0].FeeID = "MUTATED"
		d.Fees[0].Discounts[0].PromotionID = "MUTATED"
		d.Adjustments[0].Net = pricing.MustParse("9.00", "EUR")
		d.Broken[0].Message = "MUTATED"
	}
	mutate(x.Documents[0])
	got, err := s.Documents(ctx, []uuid.UUID{b.ID})
	require.NoError(t, err)
	require.Len(t, got, 1)
	mutate(got[0])
	again, err := s.Documents(ctx, []uuid.UUID{b.ID})
	require.NoError(t, err)
	data, err := json.Marshal(again[0])
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(data))
}
