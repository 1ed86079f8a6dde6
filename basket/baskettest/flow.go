package baskettest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FlowHarness is what [RunFlowTests] needs: a fresh store that keeps a
// stock ledger and documents, the ledger, and the fake clock both judge
// time with. Each harness starts empty.
type FlowHarness struct {
	Store  basket.Store
	Ledger stock.Ledger
	Clock  *clock.Fake
}

// RunFlowTests runs the product flow through a [basket.Service] on the
// store: orders that hold and route stock, click & collect, transfers,
// returns with clawback, invoices and credit notes, the customer view,
// and the bad inputs that must change nothing. It runs on Maison
// Lumière, the demo retailer, whose on-hand it feeds into the ledger.
func RunFlowTests(t *testing.T, newHarness func(t *testing.T) FlowHarness) {
	t.Run("OrderHoldsAndRoutes", func(t *testing.T) { testOrderHoldsAndRoutes(t, newFlow(t, newHarness(t))) })
	t.Run("OrderRefusesIncomplete", func(t *testing.T) { testOrderRefusesIncomplete(t, newFlow(t, newHarness(t))) })
	t.Run("LastUnitOrderedOnce", func(t *testing.T) { testLastUnitOrderedOnce(t, newFlow(t, newHarness(t))) })
	t.Run("ServicesTravelWithParent", func(t *testing.T) { testServicesTravelWithParent(t, newFlow(t, newHarness(t))) })
	t.Run("ClickAndCollect", func(t *testing.T) { testClickAndCollect(t, newFlow(t, newHarness(t))) })
	t.Run("NoShow", func(t *testing.T) { testNoShow(t, newFlow(t, newHarness(t))) })
	t.Run("CartHoldReleasedOnAbandon", func(t *testing.T) { testCartHold(t, newFlow(t, newHarness(t))) })
	t.Run("ReturnsAndCreditNotes", func(t *testing.T) { testReturns(t, newFlow(t, newHarness(t))) })
	t.Run("BadReturnsChangeNothing", func(t *testing.T) { testBadReturns(t, newFlow(t, newHarness(t))) })
	t.Run("InvoicesRaceGapless", func(t *testing.T) { testInvoicesRace(t, newFlow(t, newHarness(t))) })
	t.Run("OneTruthWithAnOutsideFeed", func(t *testing.T) { testOneTruth(t, newFlow(t, newHarness(t))) })
	t.Run("CustomerView", func(t *testing.T) { testCustomerView(t, newFlow(t, newHarness(t))) })
	t.Run("Exchange", func(t *testing.T) { testExchange(t, newFlow(t, newHarness(t))) })
	t.Run("ReturnsToQuarantine", func(t *testing.T) { testQuarantine(t, newHarness(t)) })
}

type flow struct {
	h   FlowHarness
	ctx context.Context
	svc *basket.Service
	cat basket.PromotionSource
}

var (
	flowLea   = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	flowMalik = basket.Actor{Kind: basket.Associate, ID: "malik", LocationID: demo.PartDieu}
	flowOps   = basket.Actor{Kind: basket.System, ID: "ops"}
)

func shopper(id string) basket.Actor { return basket.Actor{Kind: basket.Shopper, ID: id} }

func newFlow(t *testing.T, h FlowHarness) *flow {
	t.Helper()
	return newFlowWith(t, h, nil)
}

// newFlowWith builds the Service; provider, when set, replaces the ledger
// as the stock provider (an outside on-hand feed).
func newFlowWith(t *testing.T, h FlowHarness, provider stock.Provider) *flow {
	t.Helper()
	return newFlowPolicy(t, h, provider, basket.OrderPolicy{})
}

// newFlowPolicy builds the Service with an order policy.
func newFlowPolicy(t *testing.T, h FlowHarness, provider stock.Provider, policy basket.OrderPolicy) *flow {
	t.Helper()
	ctx := context.Background()
	h.Clock.Set(demo.Start())
	var counts []stock.Count
	for _, l := range demo.Stock() {
		counts = append(counts, stock.Count{SKU: l.SKU, LocationID: l.LocationID, Quantity: l.OnHand})
	}
	_, err := h.Ledger.Feed(ctx, stock.Feed{ID: "demo-opening", Kind: stock.FullFeed, Locations: []string{demo.Bellecour, demo.PartDieu, demo.Warehouse}, Counts: counts})
	require.NoError(t, err)
	cat, err := demo.Catalog()
	require.NoError(t, err)
	if provider == nil {
		provider = h.Ledger
	}
	svc, err := basket.NewService(basket.Config{Store: h.Store, Prices: cat, Promotions: cat, Tax: cat, Stock: provider,
		Locations: cat, Fees: cat, Clock: h.Clock, Retailer: demo.Retailer, Orders: policy})
	require.NoError(t, err)
	return &flow{h: h, ctx: ctx, svc: svc, cat: cat}
}

// basket starts a basket for owner in c with lines (SKU → quantity, in order).
func (f *flow) basket(t *testing.T, actor basket.Actor, owner string, c channel.Context, lines ...any) uuid.UUID {
	t.Helper()
	id := uuid.New()
	_, err := f.svc.Create(f.ctx, actor, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: owner}, Context: c})
	require.NoError(t, err)
	for i := 0; i < len(lines); i += 2 {
		sku, qty := lines[i].(string), int64(lines[i+1].(int))
		_, err := f.svc.AddLine(f.ctx, actor, id, basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)})
		require.NoError(t, err)
	}
	return id
}

func (f *flow) level(t *testing.T, sku, loc string) stock.Level {
	t.Helper()
	lv, err := f.h.Ledger.Levels(f.ctx, stock.Query{SKUs: []string{sku}, Locations: []string{loc}})
	require.NoError(t, err)
	l, ok := lv.Get(sku, loc)
	require.True(t, ok, "%s at %s unknown", sku, loc)
	return l
}

func (f *flow) held(t *testing.T, id uuid.UUID) map[string]int64 {
	t.Helper()
	rs, err := f.h.Ledger.Reservations(f.ctx, id.String())
	require.NoError(t, err)
	out := map[string]int64{}
	for _, r := range rs {
		for _, l := range r.Lines {
			out[r.LocationID+"/"+l.SKU] += l.Quantity
		}
	}
	return out
}

func testOrderHoldsAndRoutes(t *testing.T, f *flow) {
	id := f.basket(t, flowLea, "cust-camille", demo.Store(demo.Bellecour, time.Time{}), "LAMP-ARC", 2, "BULB-E27", 2)
	b, err := f.svc.PlaceOrder(f.ctx, flowLea, id)
	require.NoError(t, err)
	assert.Equal(t, basket.Ordered, b.Status)
	require.NotNil(t, b.Order)
	fos := b.Order.Fulfilment
	require.Len(t, fos, 2, "the shelf's lamp and bulbs carried out, the second lamp sent from Part-Dieu")
	assert.Equal(t, demo.Bellecour, fos[0].LocationID)
	assert.Equal(t, channel.CarryOut, fos[0].Mode)
	assert.Equal(t, basket.FulfilmentCollected, fos[0].Status, "carry-out is handed over at once")
	assert.Equal(t, demo.PartDieu, fos[1].LocationID)
	assert.Equal(t, channel.Transfer, fos[1].Mode)
	assert.Equal(t, demo.Bellecour, fos[1].PickupLocationID)
	assert.Equal(t, basket.FulfilmentOpen, fos[1].Status)
	assert.Equal(t, b.Order.PlacedAt.Add(24*time.Hour), fos[1].ReadyAt, "Part-Dieu's transfer lead time")
	assert.Equal(t, fos[1].ReadyAt.Add(basket.DefaultCollectWindow), fos[1].HoldUntil)

	assert.Equal(t, int64(0), f.level(t, "LAMP-ARC", demo.Bellecour).OnHand, "the carried-out lamp left the shelf")
	assert.Equal(t, int64(18), f.level(t, "BULB-E27", demo.Bellecour).OnHand)
	pd := f.level(t, "LAMP-ARC", demo.PartDieu)
	assert.Equal(t, int64(2), pd.OnHand)
	assert.Equal(t, int64(1), pd.Reserved, "the transferred lamp is held at its source")
	assert.Equal(t, map[string]int64{demo.PartDieu + "/LAMP-ARC": 1}, f.held(t, id))

	events, err := f.svc.History(f.ctx, flowLea, id)
	require.NoError(t, err)
	var kinds []basket.EventType
	for _, e := range events[len(events)-3:] {
		kinds = append(kinds, e.Type)
	}
	assert.Equal(t, []basket.EventType{basket.EventOrderPlaced, basket.EventFulfilmentOrdered, basket.EventFulfilmentOrdered}, kinds[:3])

	_, err = f.svc.PlaceOrder(f.ctx, flowLea, id)
	assert.ErrorIs(t, err, basket.ErrImmutable, "an order is placed once")
}

func testOrderRefusesIncomplete(t *testing.T, f *flow) {
	// ASSEMBLY has no web price: the result is incomplete.
	id := f.basket(t, shopper("cust-a"), "cust-a", demo.Web(time.Time{}), "SOFA-LINEN", 1, "ASSEMBLY", 1)
	before, err := f.svc.Get(f.ctx, shopper("cust-a"), id)
	require.NoError(t, err)
	_, err = f.svc.PlaceOrder(f.ctx, shopper("cust-a"), id)
	require.ErrorIs(t, err, basket.ErrNotOrderable)
	after, err := f.svc.Get(f.ctx, shopper("cust-a"), id)
	require.NoError(t, err)
	assert.Equal(t, before.Version, after.Version, "nothing written")
	assert.Empty(t, f.held(t, id), "nothing held")
	assert.Equal(t, int64(0), f.level(t, "SOFA-LINEN", demo.Warehouse).Reserved)
}

func testLastUnitOrderedOnce(t *testing.T, f *flow) {
	// Bellecour has one arc lamp; web click & collect at Bellecour only
	// sources from Bellecour and the warehouse: empty the warehouse so the
	// shelf's lamp is the only one.
	_, err := f.h.Ledger.Feed(f.ctx, stock.Feed{ID: "wh-out", Kind: stock.FullFeed, Locations: []string{demo.Warehouse}, SKUs: []string{"LAMP-ARC"},
		Counts: []stock.Count{{SKU: "LAMP-ARC", LocationID: demo.Warehouse, Quantity: 0}}})
	require.NoError(t, err)
	const n = 8
	ids := make([]uuid.UUID, n)
	for i := range ids {
		owner := fmt.Sprintf("cust-%d", i)
		ids[i] = f.basket(t, shopper(owner), owner, demo.WebCollect(demo.Bellecour, time.Time{}), "LAMP-ARC", 1)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.PlaceOrder(f.ctx, shopper(fmt.Sprintf("cust-%d", i)), ids[i])
		}()
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
			continue
		}
		assert.True(t, errors.Is(err, basket.ErrNotOrderable) || errors.Is(err, stock.ErrInsufficientStock), "basket %d: %v", i, err)
		assert.Empty(t, f.held(t, ids[i]), "a refused order holds nothing")
		b, gerr := f.svc.Get(f.ctx, flowOps, ids[i])
		require.NoError(t, gerr)
		assert.Nil(t, b.Order)
	}
	assert.Equal(t, 1, won, "one lamp, one order")
	lv := f.level(t, "LAMP-ARC", demo.Bellecour)
	assert.Equal(t, int64(1), lv.OnHand)
	assert.Equal(t, int64(1), lv.Reserved, "held once")
}

func testServicesTravelWithParent(t *testing.T, f *flow) {
	id := f.basket(t, flowMalik, "cust-nadia", demo.Store(demo.PartDieu, time.Time{}), "SOFA-LINEN", 1, "VASE-GLASS", 1)
	b, err := f.svc.Get(f.ctx, flowMalik, id)
	require.NoError(t, err)
	sofa := b.Lines[0].ID
	_, err = f.svc.AddLine(f.ctx, flowMalik, id, basket.NewLine{SKU: "ASSEMBLY", Quantity: 1, Product: demo.Product("ASSEMBLY"), ParentID: sofa})
	require.NoError(t, err)
	_, err = f.svc.SetFulfilment(f.ctx, flowMalik, id, sofa, channel.ShipToAddress)
	require.NoError(t, err)
	b, err = f.svc.PlaceOrder(f.ctx, flowMalik, id)
	require.NoError(t, err)
	fos := b.Order.Fulfilment
	require.Len(t, fos, 2)
	assert.Equal(t, demo.PartDieu, fos[0].LocationID)
	assert.Equal(t, channel.CarryOut, fos[0].Mode)
	require.Len(t, fos[0].Lines, 1, "the vase only: the assembly is not goods of the store")
	assert.Equal(t, demo.Warehouse, fos[1].LocationID)
	assert.Equal(t, channel.ShipToAddress, fos[1].Mode)
	require.Len(t, fos[1].Lines, 1)
	assert.Equal(t, "SOFA-LINEN", fos[1].Lines[0].SKU)
	require.Len(t, fos[1].Lines[0].Services, 1, "the assembly travels with the sofa")
	assert.Equal(t, "ASSEMBLY", fos[1].Lines[0].Services[0].SKU)
	assert.Equal(t, int64(1000), f.level(t, "ASSEMBLY", demo.PartDieu).OnHand, "services hold no stock")
	assert.Equal(t, int64(1), f.level(t, "SOFA-LINEN", demo.Warehouse).Reserved)

	f.h.Clock.Advance(49 * time.Hour)
	_, err = f.svc.Dispatch(f.ctx, flowMalik, id, fos[1].ID)
	assert.ErrorIs(t, err, basket.ErrNotFound, "Part-Dieu's grant has ended and it does not ship the warehouse's goods")
	_, err = f.svc.Dispatch(f.ctx, shopper("cust-nadia"), id, fos[1].ID)
	assert.ErrorIs(t, err, basket.ErrForbidden, "the shopper sees the order but does not ship it")
	b, err = f.svc.Dispatch(f.ctx, flowOps, id, fos[1].ID)
	require.NoError(t, err)
	assert.Equal(t, basket.FulfilmentDispatched, b.Order.Fulfilment[1].Status)
	sofaLevel := f.level(t, "SOFA-LINEN", demo.Warehouse)
	assert.Equal(t, int64(5), sofaLevel.OnHand)
	assert.Equal(t, int64(0), sofaLevel.Reserved)
}

func testClickAndCollect(t *testing.T, f *flow) {
	ines := shopper("cust-ines")
	id := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "LAMP-ARC", 2, "BULB-E27", 2)
	b, err := f.svc.PlaceOrder(f.ctx, ines, id)
	require.NoError(t, err)
	fos := b.Order.Fulfilment
	require.Len(t, fos, 2)
	assert.Equal(t, channel.ClickCollect, fos[0].Mode)
	assert.Equal(t, channel.Transfer, fos[1].Mode)
	assert.Equal(t, demo.Warehouse, fos[1].LocationID)
	assert.Equal(t, map[string]int64{demo.Bellecour + "/LAMP-ARC": 1, demo.Bellecour + "/BULB-E27": 2, demo.Warehouse + "/LAMP-ARC": 1}, f.held(t, id))

	_, err = f.svc.Collect(f.ctx, flowLea, id, fos[1].ID)
	assert.ErrorIs(t, err, basket.ErrFulfilmentState, "the transfer has not arrived")
	_, err = f.svc.Arrived(f.ctx, ines, id, fos[1].ID)
	assert.ErrorIs(t, err, basket.ErrForbidden, "a shopper does not receive goods")

	f.h.Clock.Advance(48 * time.Hour)
	whBefore := f.level(t, "LAMP-ARC", demo.Warehouse).OnHand
	b, err = f.svc.Arrived(f.ctx, flowLea, id, fos[1].ID)
	require.NoError(t, err)
	assert.Equal(t, basket.FulfilmentArrived, b.Order.Fulfilment[1].Status)
	assert.Equal(t, f.h.Clock.Now().UTC().Add(basket.DefaultCollectWindow), b.Order.Fulfilment[1].HoldUntil)
	assert.Equal(t, whBefore-1, f.level(t, "LAMP-ARC", demo.Warehouse).OnHand, "the unit left the warehouse")
	bl := f.level(t, "LAMP-ARC", demo.Bellecour)
	assert.Equal(t, int64(2), bl.OnHand, "and arrived on Bellecour's shelf")
	assert.Equal(t, int64(2), bl.Reserved)
	assert.Equal(t, map[string]int64{demo.Bellecour + "/LAMP-ARC": 2, demo.Bellecour + "/BULB-E27": 2}, f.held(t, id))

	_, err = f.svc.Collect(f.ctx, flowMalik, id, fos[0].ID)
	assert.ErrorIs(t, err, basket.ErrNotFound, "Part-Dieu cannot even see Bellecour's parcel")
	_, err = f.svc.Collect(f.ctx, ines, id, fos[0].ID)
	assert.ErrorIs(t, err, basket.ErrForbidden, "the shopper does not hand goods over to herself")
	for _, fo := range fos {
		_, err = f.svc.Collect(f.ctx, flowLea, id, fo.ID)
		require.NoError(t, err)
	}
	_, err = f.svc.Collect(f.ctx, flowLea, id, fos[0].ID)
	assert.ErrorIs(t, err, basket.ErrFulfilmentState, "handed over once")
	assert.Empty(t, f.held(t, id))
	bl = f.level(t, "LAMP-ARC", demo.Bellecour)
	assert.Equal(t, int64(0), bl.OnHand)
	assert.Equal(t, int64(0), bl.Reserved)
	assert.Equal(t, int64(18), f.level(t, "BULB-E27", demo.Bellecour).OnHand)
}

func testNoShow(t *testing.T, f *flow) {
	ines := shopper("cust-ines")
	id := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 3)
	b, err := f.svc.PlaceOrder(f.ctx, ines, id)
	require.NoError(t, err)
	fo := b.Order.Fulfilment[0]
	_, err = f.svc.NoShow(f.ctx, flowLea, id, fo.ID)
	assert.ErrorIs(t, err, basket.ErrFulfilmentState, "not before the deadline")
	f.h.Clock.Set(fo.HoldUntil)
	b, err = f.svc.NoShow(f.ctx, flowLea, id, fo.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.FulfilmentReleased, b.Order.Fulfilment[0].Status)
	assert.Equal(t, "no-show", b.Order.Fulfilment[0].Reason)
	assert.Empty(t, f.held(t, id))
	lv := f.level(t, "MUG-STONE", demo.Bellecour)
	assert.Equal(t, int64(20), lv.OnHand, "the mugs go back on sale")
	assert.Equal(t, int64(0), lv.Reserved)
}

func testCartHold(t *testing.T, f *flow) {
	ines := shopper("cust-ines")
	id := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 2)
	_, err := f.svc.Hold(f.ctx, ines, id, f.h.Clock.Now().Add(48*time.Hour))
	assert.ErrorIs(t, err, basket.ErrInvalid, "beyond the hold window")
	b, err := f.svc.Hold(f.ctx, ines, id, f.h.Clock.Now().Add(4*time.Hour))
	require.NoError(t, err)
	require.NotNil(t, b.Holds)
	assert.Equal(t, map[string]int64{demo.Bellecour + "/MUG-STONE": 2}, f.held(t, id))

	other := f.basket(t, flowLea, "cust-x", demo.Store(demo.Bellecour, time.Time{}), "MUG-STONE", 20)
	ob, err := f.svc.Get(f.ctx, flowLea, other)
	require.NoError(t, err)
	line := ob.Result.Lines[0]
	var carried int64
	for _, a := range line.Fulfilment.Allocations {
		if a.LocationID == demo.Bellecour {
			carried += a.Quantity
		}
	}
	assert.Equal(t, int64(18), carried, "the held mugs are not offered to another shopper")

	b, err = f.svc.Transition(f.ctx, ines, id, basket.Abandoned, time.Time{})
	require.NoError(t, err)
	assert.Nil(t, b.Holds)
	assert.Empty(t, f.held(t, id), "abandoning releases the holds")

	id2 := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
	_, err = f.svc.Hold(f.ctx, ines, id2, f.h.Clock.Now().Add(time.Hour))
	require.NoError(t, err)
	f.h.Clock.Advance(2 * time.Hour)
	_, err = f.svc.Expire(f.ctx, ines, id2)
	assert.ErrorIs(t, err, basket.ErrForbidden)
	b, err = f.svc.Expire(f.ctx, flowOps, id2)
	require.NoError(t, err)
	assert.Nil(t, b.Holds, "the expiry is in the history")
	events, err := f.svc.History(f.ctx, flowOps, id2)
	require.NoError(t, err)
	assert.Equal(t, basket.EventHoldsReleased, events[len(events)-1].Type)
}

func testReturns(t *testing.T, f *flow) {
	malik := flowMalik
	id := f.basket(t, malik, "cust-nadia", demo.Store(demo.PartDieu, time.Time{}), "CUSHION-VEL", 2, "CUSHION-LIN", 1, "VASE-GLASS", 1)
	b, err := f.svc.PlaceOrder(f.ctx, malik, id)
	require.NoError(t, err)
	paid := b.Result.Totals.Total
	_, err = f.svc.Invoice(f.ctx, shopper("cust-nadia"), id)
	assert.ErrorIs(t, err, basket.ErrForbidden, "the store or the system invoices")
	_, err = f.svc.Transition(f.ctx, shopper("cust-nadia"), id, basket.Invoiced, time.Time{})
	assert.ErrorIs(t, err, basket.ErrForbidden, "by any route")
	inv, err := f.svc.Invoice(f.ctx, malik, id)
	require.NoError(t, err)
	assert.Equal(t, int64(1), inv.Number)
	assert.Equal(t, "INV-"+demo.Retailer, inv.Series)
	assert.Equal(t, paid, inv.Total)
	_, err = f.svc.Invoice(f.ctx, malik, id)
	assert.ErrorIs(t, err, basket.ErrInvalidTransition, "invoiced once")

	// A week later, one velvet cushion comes back at Bellecour. The
	// three-for-two is broken: the free linen cushion's value is kept back.
	f.h.Clock.Advance(7 * 24 * time.Hour)
	velvet := lineID(t, b, "CUSHION-VEL")
	shelf := f.level(t, "CUSHION-VEL", demo.Bellecour).OnHand
	b, err = f.svc.Return(f.ctx, flowOps, id, basket.ReturnRequest{LocationID: demo.Bellecour, Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 1}}})
	require.NoError(t, err)
	require.Len(t, b.Order.Returns, 1)
	q := b.Order.Returns[0].Quote
	assert.Equal(t, paid, q.Paid)
	assert.True(t, q.Clawback.IsPositive(), "the broken promotion keeps its benefit back")
	sum, err := q.Refund.Add(q.Kept)
	require.NoError(t, err)
	assert.Equal(t, paid, sum, "refund = paid − kept")
	assert.Equal(t, shelf+1, f.level(t, "CUSHION-VEL", demo.Bellecour).OnHand, "restocked where it came back")

	docs, err := f.svc.Documents(f.ctx, flowOps, id)
	require.NoError(t, err)
	require.Len(t, docs, 2)
	cn := docs[1]
	assert.Equal(t, basket.CreditNote, cn.Kind)
	assert.Equal(t, int64(1), cn.Number)
	assert.Equal(t, "CN-"+demo.Retailer, cn.Series)
	assert.Equal(t, q.Refund, cn.Total)
	assert.Equal(t, inv.ID, cn.Corrects)
}

func testBadReturns(t *testing.T, f *flow) {
	ines := shopper("cust-ines")
	// A click & collect order not yet collected: nothing was handed over.
	id := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "MUG-STONE", 2)
	b, err := f.svc.PlaceOrder(f.ctx, ines, id)
	require.NoError(t, err)
	mug := lineID(t, b, "MUG-STONE")
	unchanged := func(t *testing.T) {
		t.Helper()
		now, err := f.svc.Get(f.ctx, ines, id)
		require.NoError(t, err)
		assert.Equal(t, b.Version, now.Version, "nothing written")
		assert.Equal(t, int64(20), f.level(t, "MUG-STONE", demo.Bellecour).OnHand, "nothing restocked")
	}
	ret := func(lines ...basket.ReturnLine) error {
		_, err := f.svc.Return(f.ctx, ines, id, basket.ReturnRequest{LocationID: demo.Bellecour, Lines: lines})
		return err
	}
	assert.ErrorIs(t, ret(basket.ReturnLine{LineID: mug, Quantity: 1}), basket.ErrNotReturnable, "not handed over")
	unchanged(t)
	b, err = f.svc.Collect(f.ctx, flowLea, id, b.Order.Fulfilment[0].ID)
	require.NoError(t, err)
	assert.ErrorIs(t, ret(basket.ReturnLine{LineID: mug, Quantity: 3}), basket.ErrNotReturnable, "more than bought")
	assert.ErrorIs(t, ret(basket.ReturnLine{LineID: "L0099", Quantity: 1}), basket.ErrUnknownLine)
	assert.ErrorIs(t, ret(basket.ReturnLine{LineID: mug, Quantity: 0}), basket.ErrInvalid)
	_, err = f.svc.Return(f.ctx, flowLea, id, basket.ReturnRequest{LocationID: demo.PartDieu, Lines: []basket.ReturnLine{{LineID: mug, Quantity: 1}}})
	assert.ErrorIs(t, err, basket.ErrForbidden, "an associate takes returns at their own store")
	_, err = f.svc.Return(f.ctx, shopper("cust-mallory"), id, basket.ReturnRequest{LocationID: demo.Bellecour, Lines: []basket.ReturnLine{{LineID: mug, Quantity: 1}}})
	assert.ErrorIs(t, err, basket.ErrNotFound, "someone else's order")
	f.h.Clock.Advance(basket.DefaultReturnWindow + time.Hour)
	assert.ErrorIs(t, ret(basket.ReturnLine{LineID: mug, Quantity: 1}), basket.ErrReturnWindowClosed)
	now, err := f.svc.Get(f.ctx, ines, id)
	require.NoError(t, err)
	assert.Equal(t, b.Version, now.Version, "nothing written")
	assert.Equal(t, int64(18), f.level(t, "MUG-STONE", demo.Bellecour).OnHand, "nothing restocked")
}

func testInvoicesRace(t *testing.T, f *flow) {
	const n = 20
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = f.basket(t, flowLea, fmt.Sprintf("cust-%d", i), demo.Store(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
		_, err := f.svc.PlaceOrder(f.ctx, flowLea, ids[i])
		require.NoError(t, err)
	}
	numbers := make([]int64, n)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := f.svc.Invoice(f.ctx, flowLea, ids[i])
			if assert.NoError(t, err) {
				numbers[i] = d.Number
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, n := range numbers {
		seen[n] = true
	}
	for want := int64(1); want <= n; want++ {
		assert.True(t, seen[want], "number %d issued", want)
	}
	assert.Len(t, seen, n, "no number twice")
}

// outsideFeed is an ERP's on-hand, read live: it knows nothing of holds.
type outsideFeed struct{ levels stock.Levels }

func (o outsideFeed) Levels(_ context.Context, q stock.Query) (stock.Levels, error) {
	var out []stock.Level
	for _, s := range q.SKUs {
		for _, l := range q.Locations {
			if lv, ok := o.levels.Get(s, l); ok {
				out = append(out, lv)
			}
		}
	}
	return stock.NewLevels(out)
}

func testOneTruth(t *testing.T, f *flow) {
	levels, err := stock.NewLevels(demo.Stock())
	require.NoError(t, err)
	f = newFlowWith(t, f.h, outsideFeed{levels})
	ines := shopper("cust-ines")
	// Bellecour's only arc lamp, ordered for collection.
	id := f.basket(t, ines, "cust-ines", demo.WebCollect(demo.Bellecour, time.Time{}), "LAMP-ARC", 1)
	_, err = f.svc.PlaceOrder(f.ctx, ines, id)
	require.NoError(t, err)
	// The ERP still says 1 on the shelf; the walk-in is not offered it.
	other := f.basket(t, flowLea, "cust-walk-in", demo.Store(demo.Bellecour, time.Time{}), "LAMP-ARC", 1)
	b, err := f.svc.Get(f.ctx, flowLea, other)
	require.NoError(t, err)
	for _, a := range b.Result.Lines[0].Fulfilment.Allocations {
		assert.NotEqual(t, demo.Bellecour, a.LocationID, "the held lamp is not offered for carry-out")
	}
}

func testCustomerView(t *testing.T, f *flow) {
	camille := shopper("cust-camille")
	var ids []uuid.UUID
	for i := 0; i < 3; i++ {
		ids = append(ids, f.basket(t, camille, "cust-camille", demo.Web(time.Time{}), "MUG-STONE", 1))
		f.h.Clock.Advance(time.Minute)
	}
	_, err := f.svc.PlaceOrder(f.ctx, camille, ids[0])
	require.NoError(t, err)

	v, err := f.svc.CustomerView(f.ctx, camille, "cust-camille", basket.CustomerPage{Limit: 2})
	require.NoError(t, err)
	require.Len(t, v.Entries, 2)
	assert.Equal(t, ids[2], v.Entries[0].BasketID, "newest first")
	assert.Equal(t, ids[1], v.Entries[1].BasketID)
	require.NotEmpty(t, v.Next)
	v2, err := f.svc.CustomerView(f.ctx, camille, "cust-camille", basket.CustomerPage{Limit: 2, After: v.Next})
	require.NoError(t, err)
	require.Len(t, v2.Entries, 1)
	assert.Equal(t, ids[0], v2.Entries[0].BasketID)
	assert.Equal(t, basket.Ordered, v2.Entries[0].Status)
	assert.NotEmpty(t, v2.Entries[0].Fulfilment)
	assert.Empty(t, v2.Next)

	v, err = f.svc.CustomerView(f.ctx, shopper("cust-hugo"), "cust-camille", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Empty(t, v.Entries, "another shopper sees nothing")
	v, err = f.svc.CustomerView(f.ctx, flowLea, "cust-camille", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Empty(t, v.Entries, "an associate of a store she is not checked in at sees nothing")
	v, err = f.svc.CustomerView(f.ctx, flowOps, "cust-camille", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Len(t, v.Entries, 3)
	// Léa starts a basket for Camille at Bellecour: her store now has a
	// live grant on one of Camille's baskets, and may read the view.
	f.basket(t, flowLea, "cust-camille", demo.Store(demo.Bellecour, time.Time{}), "MUG-STONE", 1)
	v, err = f.svc.CustomerView(f.ctx, flowLea, "cust-camille", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Len(t, v.Entries, 4, "an associate of a store she is checked in at sees everything")
	v, err = f.svc.CustomerView(f.ctx, flowMalik, "cust-camille", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Empty(t, v.Entries, "not Part-Dieu")
	_, err = f.svc.CustomerView(f.ctx, camille, "cust-camille", basket.CustomerPage{Limit: 1000})
	assert.ErrorIs(t, err, basket.ErrInvalid)
	_, err = f.svc.CustomerView(f.ctx, camille, "cust-camille", basket.CustomerPage{After: "nope"})
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

func testExchange(t *testing.T, f *flow) {
	nadia := shopper("cust-nadia")
	id := f.basket(t, flowMalik, "cust-nadia", demo.Store(demo.PartDieu, time.Time{}), "CUSHION-VEL", 2)
	b, err := f.svc.PlaceOrder(f.ctx, flowMalik, id)
	require.NoError(t, err)
	velvet := lineID(t, b, "CUSHION-VEL")
	views, err := f.svc.CustomerView(f.ctx, nadia, "cust-nadia", basket.CustomerPage{})
	require.NoError(t, err)
	before := len(views.Entries)

	f.h.Clock.Advance(3 * 24 * time.Hour)
	instead := []basket.NewLine{{SKU: "CUSHION-LIN", Quantity: 1, Product: demo.Product("CUSHION-LIN")}}
	_, _, err = f.svc.Exchange(f.ctx, flowLea, id, basket.ExchangeRequest{
		Return: basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 3}}}, Lines: instead, Context: demo.Store(demo.Bellecour, time.Time{})})
	assert.ErrorIs(t, err, basket.ErrNotFound, "Bellecour has no grant on the order yet")
	_, _, err = f.svc.Exchange(f.ctx, flowOps, id, basket.ExchangeRequest{
		Return: basket.ReturnRequest{LocationID: demo.Bellecour, Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 3}}}, Lines: instead, Context: demo.Store(demo.Bellecour, time.Time{})})
	assert.ErrorIs(t, err, basket.ErrNotReturnable)
	views, err = f.svc.CustomerView(f.ctx, nadia, "cust-nadia", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Len(t, views.Entries, before, "a refused return orders nothing")

	orig, placed, err := f.svc.Exchange(f.ctx, flowOps, id, basket.ExchangeRequest{
		Return: basket.ReturnRequest{LocationID: demo.Bellecour, Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 1}}, Reason: "size"},
		Lines:  instead, Context: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	assert.Equal(t, basket.Ordered, placed.Status)
	assert.Equal(t, "cust-nadia", placed.Owner.CustomerID)
	require.Len(t, orig.Order.Returns, 1)
	r := orig.Order.Returns[0]
	require.NotNil(t, r.Exchange)
	assert.Equal(t, placed.ID, r.Exchange.OrderID)
	assert.Equal(t, placed.Result.Totals.Total, r.Exchange.Total)
	due, err := placed.Result.Totals.Total.Sub(r.Quote.Refund)
	require.NoError(t, err)
	assert.Equal(t, due, r.Exchange.Due, "only the difference is settled")
	assert.Equal(t, basket.FulfilmentCollected, placed.Order.Fulfilment[0].Status, "the linen cushion is taken home at once")
}

func testQuarantine(t *testing.T, h FlowHarness) {
	f := newFlowPolicy(t, h, nil, basket.OrderPolicy{Restock: func(at string) string { return at + "-returns" }})
	id := f.basket(t, flowLea, "cust-camille", demo.Store(demo.Bellecour, time.Time{}), "MUG-STONE", 2)
	b, err := f.svc.PlaceOrder(f.ctx, flowLea, id)
	require.NoError(t, err)
	shelf := f.level(t, "MUG-STONE", demo.Bellecour).OnHand
	b, err = f.svc.Return(f.ctx, flowLea, id, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: lineID(t, b, "MUG-STONE"), Quantity: 1}}, Reason: "chipped"})
	require.NoError(t, err)
	assert.Equal(t, demo.Bellecour+"-returns", b.Order.Returns[0].Restocked)
	assert.Equal(t, shelf, f.level(t, "MUG-STONE", demo.Bellecour).OnHand, "not back on sale")
	assert.Equal(t, int64(1), f.level(t, "MUG-STONE", demo.Bellecour+"-returns").OnHand, "in quarantine")
}

func lineID(t *testing.T, b *basket.Basket, sku string) string {
	t.Helper()
	for _, l := range b.Lines {
		if l.SKU == sku {
			return l.ID
		}
	}
	t.Fatalf("no %s line", sku)
	return ""
}
