package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
)

// TestFaultKilledPlaceOrderAndReturn kills the connection of the write
// that places an order, then of the write that takes a return (both carry
// stock movements and a document): each time nothing is half-written (no
// order, no hold, no hand-over, no return, no restock, no credit note, no
// number taken), and the same command then succeeds.
func TestFaultKilledPlaceOrderAndReturn(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	s := newTestStore(t, clk)
	var counts []stock.Count
	for _, l := range demo.Stock() {
		counts = append(counts, stock.Count{SKU: l.SKU, LocationID: l.LocationID, Quantity: l.OnHand})
	}
	_, err := s.Feed(ctx, stock.Feed{ID: "opening", Kind: stock.FullFeed, Locations: []string{demo.Bellecour, demo.PartDieu, demo.Warehouse}, Counts: counts})
	require.NoError(t, err)
	cat, err := demo.Catalog()
	require.NoError(t, err)
	svc, err := basket.NewService(basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: s, Locations: cat, Fees: cat,
		Clock: clk, Retailer: demo.Retailer})
	require.NoError(t, err)
	lea := basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	id := uuid.New()
	_, err = svc.Create(ctx, lea, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: "cust-camille"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	for _, sku := range []string{"LAMP-ARC", "LAMP-ARC", "MUG-STONE"} {
		_, err = svc.AddLine(ctx, lea, id, basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)})
		require.NoError(t, err)
	}
	level := func(sku, loc string) stock.Level {
		lv, err := s.Levels(ctx, stock.Query{SKUs: []string{sku}, Locations: []string{loc}})
		require.NoError(t, err)
		l, _ := lv.Get(sku, loc)
		return l
	}
	held := func() int {
		rs, err := s.Reservations(ctx, id.String())
		require.NoError(t, err)
		return len(rs)
	}
	before, err := svc.Get(ctx, lea, id)
	require.NoError(t, err)

	killBeforeCommit(t, s, "save")
	_, err = svc.PlaceOrder(ctx, lea, id)
	require.Error(t, err, "the order's write lost its connection")
	s.beforeCommit = nil
	after, err := svc.Get(ctx, lea, id)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "no order")
	assert.Nil(t, after.Order)
	assert.Equal(t, 0, held(), "no hold leaked")
	assert.Equal(t, int64(1), level("LAMP-ARC", demo.Bellecour).OnHand, "nothing handed over")
	assert.Equal(t, int64(0), level("LAMP-ARC", demo.PartDieu).Reserved)
	checkInvariants(t, s)

	b, err := svc.PlaceOrder(ctx, lea, id)
	require.NoError(t, err)
	require.Len(t, b.Order.Fulfilment, 2)
	assert.Equal(t, 1, held(), "the transfer is held at Part-Dieu")
	_, err = svc.Invoice(ctx, lea, id)
	require.NoError(t, err)

	mug := ""
	for _, l := range b.Lines {
		if l.SKU == "MUG-STONE" {
			mug = l.ID
		}
	}
	shelf := level("MUG-STONE", demo.Bellecour).OnHand
	before, err = svc.Get(ctx, lea, id)
	require.NoError(t, err)
	ret := basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: mug, Quantity: 1}}}
	killBeforeCommit(t, s, "save")
	_, err = svc.Return(ctx, lea, id, ret)
	require.Error(t, err, "the return's write lost its connection")
	s.beforeCommit = nil
	after, err = svc.Get(ctx, lea, id)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version)
	assert.Empty(t, after.Order.Returns, "no return recorded")
	assert.Equal(t, shelf, level("MUG-STONE", demo.Bellecour).OnHand, "nothing restocked")
	docs, err := s.Documents(ctx, []uuid.UUID{id})
	require.NoError(t, err)
	assert.Len(t, docs, 1, "no credit note")
	checkInvariants(t, s)

	b, err = svc.Return(ctx, lea, id, ret)
	require.NoError(t, err)
	require.Len(t, b.Order.Returns, 1)
	assert.Equal(t, shelf+1, level("MUG-STONE", demo.Bellecour).OnHand)
	docs, err = s.Documents(ctx, []uuid.UUID{id})
	require.NoError(t, err)
	require.Len(t, docs, 2)
	assert.Equal(t, int64(1), docs[1].Number, "the killed write took no number")
}
