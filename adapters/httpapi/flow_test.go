package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	inesShopper  = basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
	nadiaShopper = basket.Actor{Kind: basket.Shopper, ID: "cust-nadia"}
)

func inEUR(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// refused sends a request expected to fail with status and problem kind,
// and returns the problem.
func (h *harness) refused(actor *basket.Actor, method, p string, body any, status int, kind string, headers ...string) httpapi.Problem {
	h.t.Helper()
	r := h.do(actor, method, p, body, headers...)
	require.Equal(h.t, status, r.status, "%s %s: %s", method, p, r)
	pb := r.problem(h.t)
	assert.Equal(h.t, httpapi.ProblemTypePrefix+kind, pb.Type, "%s %s: %s", method, p, r)
	assert.Equal(h.t, status, pb.Status)
	assert.Equal(h.t, strings.SplitN(p, "?", 2)[0], pb.Instance)
	return pb
}

// version reads a basket's current version.
func (h *harness) version(actor basket.Actor, id uuid.UUID) int64 {
	h.t.Helper()
	return h.basket(actor, "GET", path(id, ""), nil, http.StatusOK).Version
}

// storeOrder is a carry-out order placed by an associate for a customer.
func (h *harness) storeOrder(associate basket.Actor, customer string, lines ...any) *basket.Basket {
	h.t.Helper()
	id := uuid.New()
	h.basket(associate, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"customer_id": customer}}, http.StatusCreated)
	for i := 0; i+1 < len(lines); i += 2 {
		h.basket(associate, "POST", path(id, "/lines"), map[string]any{"sku": lines[i], "quantity": lines[i+1]}, http.StatusOK)
	}
	return h.basket(associate, "POST", path(id, "/order"), nil, http.StatusOK)
}

func TestFlowClickCollectToCollected(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := uuid.New()
		h.basket(inesShopper, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web", "location_id": demo.Bellecour}, 201)
		cart := h.basket(inesShopper, "POST", path(id, "/lines"), map[string]any{"sku": "MUG-STONE", "quantity": 2}, 200)
		shelf := h.level("MUG-STONE", demo.Bellecour)

		h.clk.Advance(10 * time.Minute)
		order := h.basket(inesShopper, "POST", path(id, "/order"), nil, 200)
		assert.Equal(t, basket.Ordered, order.Status)
		assert.Equal(t, inEUR("28.00"), order.Result.Totals.Total, "two mugs at the web price")
		assert.Equal(t, cart.Result.Totals, order.Result.Totals)
		require.Len(t, order.Order.Fulfilment, 1)
		fo := order.Order.Fulfilment[0]
		assert.Equal(t, channel.ClickCollect, fo.Mode)
		assert.Equal(t, demo.Bellecour, fo.LocationID)
		assert.Equal(t, demo.Bellecour, fo.PickupLocationID)
		assert.Equal(t, basket.FulfilmentOpen, fo.Status)
		assert.True(t, fo.HoldUntil.After(h.clk.Now()), "held until the collection deadline")
		held := h.level("MUG-STONE", demo.Bellecour)
		assert.Equal(t, shelf.OnHand, held.OnHand)
		assert.Equal(t, shelf.Reserved+2, held.Reserved, "the mugs are put aside for Inès")

		steps := func(step string) string { return path(id, "/fulfilments/"+fo.ID+"/"+step) }
		h.refused(&inesShopper, "POST", steps("collected"), nil, 403, "forbidden")
		h.refused(&malik, "POST", steps("collected"), nil, 404, "not-found")
		h.refused(&lea, "POST", path(id, "/fulfilments/F9/collected"), nil, 404, "not-found")
		h.refused(&lea, "POST", steps("dispatched"), nil, 409, "fulfilment-state")
		h.refused(&lea, "POST", steps("arrived"), nil, 409, "fulfilment-state")
		h.refused(&lea, "POST", steps("no-show"), nil, 409, "fulfilment-state")

		h.clk.Advance(3 * time.Hour)
		done := h.basket(lea, "POST", steps("collected"), nil, 200)
		require.Len(t, done.Order.Fulfilment, 1)
		assert.Equal(t, basket.FulfilmentCollected, done.Order.Fulfilment[0].Status)
		assert.True(t, done.Order.Fulfilment[0].UpdatedAt.Equal(h.clk.Now()))
		assert.Equal(t, order.Version+1, done.Version)
		after := h.level("MUG-STONE", demo.Bellecour)
		assert.Equal(t, shelf.OnHand-2, after.OnHand, "handed over")
		assert.Equal(t, shelf.Reserved, after.Reserved)
		h.refused(&lea, "POST", steps("collected"), nil, 409, "fulfilment-state")
	})
}

func TestFlowTransferArrivesThenNoShow(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(inesShopper, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web", "location_id": demo.Bellecour}, 201)
	h.basket(inesShopper, "POST", path(id, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 2}, 200)
	order := h.basket(inesShopper, "POST", path(id, "/order"), nil, 200)
	require.Len(t, order.Order.Fulfilment, 2, "the shelf's lamp is collected, the second comes from the warehouse")
	transfer := order.Order.Fulfilment[1]
	require.Equal(t, channel.Transfer, transfer.Mode)
	require.Equal(t, demo.Warehouse, transfer.LocationID)
	step := func(fo, s string) string { return path(id, "/fulfilments/"+fo+"/"+s) }

	h.refused(&lea, "POST", step(transfer.ID, "collected"), nil, 409, "fulfilment-state")
	h.refused(&inesShopper, "POST", step(transfer.ID, "arrived"), nil, 403, "forbidden")
	h.clk.Advance(48 * time.Hour)
	arrived := h.basket(lea, "POST", step(transfer.ID, "arrived"), nil, 200)
	got := arrived.Order.Fulfilment[1]
	assert.Equal(t, basket.FulfilmentArrived, got.Status)
	assert.True(t, got.HoldUntil.After(h.clk.Now()))
	lamps := h.level("LAMP-ARC", demo.Bellecour)
	assert.Equal(t, int64(2), lamps.OnHand, "the warehouse's lamp is on Bellecour's shelf")
	assert.Equal(t, int64(2), lamps.Reserved)

	// Inès never comes: once the deadline passes, both lamps go back on sale.
	h.clk.Set(got.HoldUntil)
	var b *basket.Basket
	for _, fo := range arrived.Order.Fulfilment {
		b = h.basket(lea, "POST", step(fo.ID, "no-show"), nil, 200)
	}
	for _, fo := range b.Order.Fulfilment {
		assert.Equal(t, basket.FulfilmentReleased, fo.Status, fo.ID)
		assert.Equal(t, "no-show", fo.Reason, fo.ID)
	}
	lamps = h.level("LAMP-ARC", demo.Bellecour)
	assert.Equal(t, httpapi.StockLevel{SKU: "LAMP-ARC", LocationID: demo.Bellecour, OnHand: 2, Available: 2}, lamps)
}

func TestFlowHoldAndExpire(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(inesShopper, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web", "location_id": demo.Bellecour}, 201)
	cart := h.basket(inesShopper, "POST", path(id, "/lines"), map[string]any{"sku": "MUG-STONE", "quantity": 2}, 200)

	p := h.refused(&inesShopper, "POST", path(id, "/holds"), map[string]any{"until": h.clk.Now().Add(48 * time.Hour)}, 422, "invalid")
	assert.Equal(t, "until", p.Field, "beyond the hold window")
	p = h.refused(&inesShopper, "POST", path(id, "/holds"), map[string]any{}, 400, "bad-request", offDocument...)
	assert.Equal(t, "until", p.Field)
	h.refused(&inesShopper, "POST", path(id, "/holds"), map[string]any{"until": "tomorrow"}, 400, "bad-request", offDocument...)
	assert.Equal(t, cart.Version, h.version(inesShopper, id), "refusals change nothing")

	until := h.clk.Now().Add(time.Hour).Truncate(time.Second)
	held := h.basket(inesShopper, "POST", path(id, "/holds"), map[string]any{"until": until}, 200)
	require.NotNil(t, held.Holds)
	assert.True(t, until.Equal(held.Holds.Until))
	assert.Equal(t, []basket.HeldLine{{LocationID: demo.Bellecour, SKU: "MUG-STONE", Quantity: 2}}, held.Holds.Lines)
	assert.Equal(t, int64(2), h.level("MUG-STONE", demo.Bellecour).Reserved)

	h.clk.Advance(2 * time.Hour)
	h.refused(&inesShopper, "POST", path(id, "/expire"), nil, 403, "forbidden")
	expired := h.basket(ops, "POST", path(id, "/expire"), nil, 200)
	assert.Nil(t, expired.Holds)
	assert.Equal(t, int64(0), h.level("MUG-STONE", demo.Bellecour).Reserved)
	r := h.do(&inesShopper, "GET", path(id, "/events"), nil)
	require.Equal(t, 200, r.status, "%s", r)
	var page httpapi.EventPage
	r.into(t, &page)
	require.NotEmpty(t, page.Events)
	assert.Equal(t, basket.EventHoldsReleased, page.Events[len(page.Events)-1].Type, "the expiry is in the history")
	again := h.basket(ops, "POST", path(id, "/expire"), nil, 200)
	assert.Equal(t, expired.Version, again.Version, "nothing more to expire records nothing")
}

func TestFlowInvoiceReturnAndCreditNote(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		order := h.storeOrder(malik, nadiaShopper.ID, "CUSHION-VEL", 2, "CUSHION-LIN", 1, "VASE-GLASS", 1)
		id := order.ID
		paid := order.Result.Totals.Total
		require.Len(t, order.Order.Fulfilment, 1)
		assert.Equal(t, channel.CarryOut, order.Order.Fulfilment[0].Mode)

		h.refused(&nadiaShopper, "POST", path(id, "/invoice"), nil, 403, "forbidden")
		r := h.do(&malik, "POST", path(id, "/invoice"), nil)
		require.Equal(t, http.StatusCreated, r.status, "%s", r)
		var inv basket.Document
		r.into(t, &inv)
		assert.Equal(t, basket.Invoice, inv.Kind)
		assert.Equal(t, int64(1), inv.Number, "the first invoice of the series")
		assert.Equal(t, "INV-"+demo.Retailer, inv.Series)
		assert.Equal(t, id, inv.BasketID)
		assert.Equal(t, nadiaShopper.ID, inv.CustomerID)
		assert.Equal(t, paid, inv.Total)
		net, err := inv.Net.Add(inv.Tax)
		require.NoError(t, err)
		assert.Equal(t, inv.Total, net, "net + tax = total")
		assert.Len(t, inv.Lines, 3)
		h.refused(&malik, "POST", path(id, "/invoice"), nil, 409, "invalid-transition")
		assert.Equal(t, basket.Invoiced, h.basket(nadiaShopper, "GET", path(id, ""), nil, 200).Status)

		var docs httpapi.Documents
		r = h.do(&nadiaShopper, "GET", path(id, "/documents"), nil)
		require.Equal(t, 200, r.status, "%s", r)
		r.into(t, &docs)
		require.Len(t, docs.Documents, 1)
		assert.Equal(t, inv.ID, docs.Documents[0].ID, "the shopper reads her invoice")

		// A week later one velvet cushion comes back to Part-Dieu (the
		// store's grant on the basket has long ended: the returns desk
		// records it as the system). The three-for-two is broken: the free
		// linen cushion's value is kept back.
		h.clk.Advance(7 * 24 * time.Hour)
		velvet := lineIDOf(t, order, "CUSHION-VEL")
		shelf := h.level("CUSHION-VEL", demo.PartDieu)
		h.refused(&malik, "POST", path(id, "/returns"), map[string]any{"lines": []map[string]any{{"line_id": velvet, "quantity": 1}}}, 404, "not-found")
		back := h.basket(ops, "POST", path(id, "/returns"), map[string]any{
			"lines": []map[string]any{{"line_id": velvet, "quantity": 1}}, "location_id": demo.PartDieu, "reason": "too dark"}, 200)
		require.Len(t, back.Order.Returns, 1)
		ret := back.Order.Returns[0]
		assert.Equal(t, "R1", ret.ID)
		assert.Equal(t, demo.PartDieu, ret.LocationID)
		assert.Equal(t, demo.PartDieu, ret.Restocked)
		assert.Equal(t, "too dark", ret.Reason)
		q := ret.Quote
		assert.Equal(t, paid, q.Paid)
		sum, err := q.Refund.Add(q.Kept)
		require.NoError(t, err)
		assert.Equal(t, paid, sum, "refund = paid − kept")
		assert.True(t, q.Clawback.IsPositive(), "the broken promotion keeps its benefit back")
		require.NotEmpty(t, q.Broken)
		assert.Equal(t, "CUSHIONS-3FOR2", q.Broken[0].PromotionID)
		less, err := q.Refund.Cmp(inEUR("55.00"))
		require.NoError(t, err)
		assert.Negative(t, less, "less than the cushion's price comes back: %s", q.Refund)
		assert.Equal(t, shelf.OnHand+1, h.level("CUSHION-VEL", demo.PartDieu).OnHand, "restocked where it came back")

		r = h.do(&nadiaShopper, "GET", path(id, "/documents"), nil)
		require.Equal(t, 200, r.status, "%s", r)
		r.into(t, &docs)
		require.Len(t, docs.Documents, 2)
		cn := docs.Documents[1]
		assert.Equal(t, basket.CreditNote, cn.Kind)
		assert.Equal(t, int64(1), cn.Number)
		assert.Equal(t, "CN-"+demo.Retailer, cn.Series)
		assert.Equal(t, q.Refund, cn.Total, "the credit note refunds exactly the quote")
		assert.Equal(t, inv.ID, cn.Corrects)
		assert.Equal(t, "R1", cn.ReturnID)

		p := h.refused(&ops, "POST", path(id, "/returns"), map[string]any{
			"lines": []map[string]any{{"line_id": velvet, "quantity": 2}}, "location_id": demo.PartDieu}, 409, "not-returnable")
		assert.Equal(t, "lines", p.Field)
		h.refused(&malik, "POST", path(id, "/returns"), map[string]any{
			"lines": []map[string]any{{"line_id": velvet, "quantity": 1}}, "location_id": demo.Bellecour}, 403, "forbidden")
		h.refused(&ops, "POST", path(id, "/returns"), map[string]any{
			"lines": []map[string]any{{"line_id": velvet, "qty": 1}}, "location_id": demo.PartDieu}, 400, "bad-request", offDocument...)
		h.refused(&ops, "POST", path(id, "/returns"), map[string]any{"lines": []map[string]any{{"line_id": velvet, "quantity": 1}}}, 422, "invalid")
		assert.Equal(t, back.Version, h.version(nadiaShopper, id), "refused returns change nothing")
	})
}

func TestFlowExchange(t *testing.T) {
	h := newHarness(t)
	order := h.storeOrder(malik, nadiaShopper.ID, "CANDLE-AMB", 1)
	id := order.ID
	assert.Equal(t, inEUR("22.00"), order.Result.Totals.Total)
	amber := lineIDOf(t, order, "CANDLE-AMB")
	h.clk.Advance(time.Hour)

	exchange := map[string]any{
		"return": map[string]any{"lines": []map[string]any{{"line_id": amber, "quantity": 1}}, "reason": "prefers fig"},
		"lines":  []map[string]any{{"sku": "CANDLE-FIG", "quantity": 1}},
	}
	p := h.refused(&malik, "POST", path(id, "/exchanges"), map[string]any{"return": exchange["return"], "lines": []any{}}, 422, "invalid")
	assert.Equal(t, "lines", p.Field)
	h.refused(&malik, "POST", path(id, "/exchanges"), exchange, 412, "stale-version", "If-Match", etagOf(&basket.Basket{Version: order.Version - 1}))

	r := h.do(&malik, "POST", path(id, "/exchanges"), exchange, "If-Match", etagOf(order), "Idempotency-Key", "till-3/exchange-1")
	require.Equal(t, http.StatusCreated, r.status, "%s", r)
	var got httpapi.Exchanged
	r.into(t, &got)

	// The till retries over a flaky network: the same outcome, no second
	// replacement order, no second return.
	h.clk.Advance(time.Minute)
	again := h.do(&malik, "POST", path(id, "/exchanges"), exchange, "If-Match", etagOf(order), "Idempotency-Key", "till-3/exchange-1")
	require.Equal(t, http.StatusCreated, again.status, "%s", again)
	var replayed httpapi.Exchanged
	again.into(t, &replayed)
	assert.Equal(t, got.Replacement.ID, replayed.Replacement.ID)
	assert.Equal(t, got.Order.Version, replayed.Order.Version)
	assert.Len(t, replayed.Order.Order.Returns, 1)
	other := h.do(&malik, "POST", path(id, "/exchanges"), map[string]any{"return": exchange["return"],
		"lines": []map[string]any{{"sku": "CANDLE-CED", "quantity": 1}}}, "Idempotency-Key", "till-3/exchange-1")
	assert.Equal(t, 422, other.status, "the key with another payload: %s", other)
	assert.Equal(t, etagOf(&got.Order), r.header.Get("ETag"), "the ETag is the original order's")
	assert.Equal(t, "/v1/baskets/"+got.Replacement.ID.String(), r.header.Get("Location"))

	rep := got.Replacement
	assert.Equal(t, basket.Ordered, rep.Status)
	assert.Equal(t, nadiaShopper.ID, rep.Owner.CustomerID, "the new order is Nadia's too")
	assert.Equal(t, demo.PartDieu, rep.Context.LocationID, "ordered where the exchange happens")
	assert.Equal(t, inEUR("19.00"), rep.Result.Totals.Total)
	require.Len(t, got.Order.Order.Returns, 1)
	ret := got.Order.Order.Returns[0]
	assert.Equal(t, inEUR("22.00"), ret.Quote.Refund)
	require.NotNil(t, ret.Exchange)
	assert.Equal(t, rep.ID, ret.Exchange.OrderID)
	assert.Equal(t, inEUR("19.00"), ret.Exchange.Total)
	assert.Equal(t, inEUR("-3.00"), ret.Exchange.Due, "the shopper gets 3.00 back")
	assert.Equal(t, rep.Version, h.version(nadiaShopper, rep.ID), "Nadia sees her new order")
}

// One command of the flow with If-Match and Idempotency-Key, as a till
// retrying over a flaky network would send it.
func TestFlowPlaceOrderConditionsAndRetries(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(lea, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"customer_id": camille.ID}}, 201)
	cart := h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 3}, 200)

	p := h.refused(&lea, "POST", path(id, "/order"), nil, 412, "stale-version", "If-Match", etagOf(&basket.Basket{Version: cart.Version - 1}))
	require.NotNil(t, p.CurrentVersion)
	assert.Equal(t, cart.Version, *p.CurrentVersion)
	h.refused(&lea, "POST", path(id, "/order"), nil, 400, "bad-request", "If-Match", `W/"3"`, offDocumentHeader, "a weak tag")
	assert.Equal(t, basket.Cart, h.basket(lea, "GET", path(id, ""), nil, 200).Status, "a stale order is not placed")

	first := h.do(&lea, "POST", path(id, "/order"), nil, "If-Match", etagOf(cart), "Idempotency-Key", "till-7/order-1")
	require.Equal(t, 200, first.status, "%s", first)
	var placed basket.Basket
	first.into(t, &placed)
	assert.Equal(t, basket.Ordered, placed.Status)
	assert.Equal(t, inEUR("38.00"), placed.Result.Totals.Total, "three candles, the cheapest free in stores")

	h.clk.Advance(time.Minute)
	retry := h.do(&lea, "POST", path(id, "/order"), nil, "If-Match", etagOf(cart), "Idempotency-Key", "till-7/order-1")
	require.Equal(t, 200, retry.status, "the retry gets the first answer, not a stale version: %s", retry)
	assert.Equal(t, first.header.Get("ETag"), retry.header.Get("ETag"))
	var replayed basket.Basket
	retry.into(t, &replayed)
	assert.Equal(t, placed.Version, replayed.Version)
	assert.True(t, placed.Order.PlacedAt.Equal(replayed.Order.PlacedAt), "placed once")
	assert.Equal(t, placed.Version, h.version(lea, id))

	h.refused(&lea, "POST", path(id, "/holds"), map[string]any{"until": h.clk.Now().Add(time.Hour)}, 422, "idempotency-key-reused",
		"Idempotency-Key", "till-7/order-1")
	h.refused(&lea, "POST", path(id, "/order"), nil, 409, "immutable")
}

// lineIDOf is the ID of the basket's line of sku.
func lineIDOf(t *testing.T, b *basket.Basket, sku string) string {
	t.Helper()
	for _, l := range b.Lines {
		if l.SKU == sku {
			return l.ID
		}
	}
	t.Fatalf("no line of %s in %s", sku, b.ID)
	return ""
}
