package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// HoldStock is the body of holdStock.
type HoldStock struct {
	// Until is when the holds end: after now and within the retailer's
	// hold window.
	Until time.Time `json:"until"`
}

// Return is the body of returnGoods: the units of an order brought back.
type Return struct {
	// Lines are the units returned, by line ID.
	Lines []basket.ReturnLine `json:"lines"`
	// LocationID is where they were brought back; an associate's own
	// store when omitted (anyone else must name it: the warehouse
	// receiving a parcel, say).
	LocationID string `json:"location_id,omitempty"`
	// ChannelID is the channel taking the return; the associate's store
	// channel, else the order's, when omitted.
	ChannelID string `json:"channel_id,omitempty"`
	// Reason is free text kept with the return.
	Reason string `json:"reason,omitempty"`
}

// Exchange is the body of exchangeGoods: a return plus the goods the
// shopper takes instead, ordered where the exchange happens.
type Exchange struct {
	// Return is the goods brought back.
	Return Return `json:"return"`
	// Lines are the goods taken instead, at least one.
	Lines []AddLine `json:"lines"`
	// Where the new goods are ordered: the associate's own store when
	// omitted.
	ContextQuery
}

// Exchanged is the reply of exchangeGoods. Its ETag is the version of the
// original order, the basket the request's If-Match is about.
type Exchanged struct {
	// Order is the original order, with the return and its settlement
	// (exchange.due) recorded.
	Order basket.Basket `json:"order"`
	// Replacement is the new order of the goods taken instead.
	Replacement basket.Basket `json:"replacement"`
}

func (e Exchanged) etagVersion() int64 { return e.Order.Version }

// Documents lists an order's invoice and credit notes.
type Documents struct {
	// Documents are in the order they were issued.
	Documents []basket.Document `json:"documents"`
}

// flowRoutes are the product flow after pricing: ordering, holding
// stock, the fulfilment orders' steps, returns, exchanges and invoices.
func (a *API) flowRoutes() []route {
	step := func(op, id, summary, doc string, call stepMethod) route {
		return route{method: "POST", path: "/v1/baskets/{basket_id}/fulfilments/{fulfilment_id}/" + op, id: id, tag: "orders",
			summary: summary, doc: doc, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				fo, err := x.path("fulfilment_id")
				if err != nil {
					return nil, err
				}
				return call(s.svc, x.ctx(), x.actor, s.id, fo, s.opts...)
			})}
	}
	return []route{
		{method: "POST", path: "/v1/baskets/{basket_id}/order", id: "placeOrder", tag: "orders",
			summary: "Place the order",
			doc: "Turns a cart or a quote into an order, priced as of now: the stock of every line is held at its source " +
				"(carry-out handed over at once) and one fulfilment order is recorded per location and mode (order.fulfilment). " +
				"A line without a price or not fully sourced refuses the whole order, and so does a shortage; nothing changes then.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.PlaceOrder(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/holds", id: "holdStock", tag: "orders",
			summary: "Hold a cart's stock until a time",
			doc: "Holds what the cart's fulfilment plan takes from each location until `until` (within the retailer's hold window), " +
				"replacing what it held before: the shopper who will come and collect this afternoon. Ordering takes the holds over.",
			body: &HoldStock{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body HoldStock
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				if body.Until.IsZero() {
					return nil, &RequestError{In: "body", Field: "until", Reason: "must be an RFC 3339 time"}
				}
				return s.svc.Hold(x.ctx(), x.actor, s.id, body.Until, s.opts...)
			})},
		step("arrived", "fulfilmentArrived", "Record a transfer's arrival at the pickup store",
			"The goods of a transfer reached the pickup store: they leave the source's stock and are held there for the shopper "+
				"until the collection deadline. The system or an associate of either store records it.",
			(*basket.Service).Arrived),
		step("dispatched", "fulfilmentDispatched", "Record a shipment's dispatch",
			"The source shipped the goods to the shopper: the held units leave its on-hand.",
			(*basket.Service).Dispatch),
		step("collected", "fulfilmentCollected", "Record a collection",
			"The shopper collected a click & collect order (or a transfer that arrived) at the pickup store, "+
				"whose associates or the system record it: the held units are handed over.",
			(*basket.Service).Collect),
		step("no-show", "fulfilmentNoShow", "Release a collection the shopper did not come for",
			"Once the collection deadline (hold_until) has passed, the goods are released and on sale again; refused before it.",
			(*basket.Service).NoShow),
		{method: "POST", path: "/v1/baskets/{basket_id}/expire", id: "expireHolds", tag: "orders",
			summary: "Record the end of holds past their time",
			doc: "A sweeper's operation, for the system only: ends a cart's holds and an order's collections whose time has passed, " +
				"putting their end in the history. Nothing due records nothing.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.Expire(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/returns", id: "returnGoods", tag: "orders",
			summary: "Take goods of an order back",
			doc: "Takes units handed over to the shopper back, in any channel, within the return window. The refund " +
				"(order.returns[].quote.refund) is paid − kept, the kept lines priced under the order's own terms, so a return " +
				"that breaks a promotion gives back its benefit. The goods are restocked; an invoiced order gets a credit note.",
			body: &Return{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body Return
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				return s.svc.Return(x.ctx(), x.actor, s.id, body.request(), s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/exchanges", id: "exchangeGoods", tag: "orders",
			summary: "Exchange goods of an order",
			doc: "A return plus the goods taken instead, settling only the difference: the new goods are ordered in a new basket " +
				"of the same owner (replacement), and the return is recorded on the original order with the exchange attached " +
				"(due = the replacement's total − the refund; negative, the shopper is still refunded that much).",
			body: &Exchange{}, reply: &Exchanged{}, status: http.StatusCreated, conditional: true, idempotent: true, serve: a.exchange},
		{method: "POST", path: "/v1/baskets/{basket_id}/invoice", id: "invoiceOrder", tag: "orders",
			summary: "Invoice an order",
			doc: "Issues the order's invoice, an immutable document numbered from its series' gapless sequence, and moves the order " +
				"to invoiced. The store or the system invoices; the shopper reads it with listDocuments. " +
				"If-Match refuses a stale order with 412; the reply, a document, carries no ETag.",
			reply: &basket.Document{}, status: http.StatusCreated, conditional: true, idempotent: true, serve: a.invoice},
		{method: "GET", path: "/v1/baskets/{basket_id}/documents", id: "listDocuments", tag: "orders",
			summary: "Read an order's invoice and credit notes",
			doc:     "The documents issued for an order the caller may see, in issue order.",
			reply:   &Documents{}, serve: a.documents},
	}
}

// stepMethod is a Service method acting on one fulfilment order.
type stepMethod = func(s *basket.Service, ctx context.Context, actor basket.Actor, id uuid.UUID, fulfilmentID string,
	opts ...basket.CallOption) (*basket.Basket, error)

func (r Return) request() basket.ReturnRequest {
	return basket.ReturnRequest{Lines: r.Lines, LocationID: r.LocationID, ChannelID: r.ChannelID, Reason: r.Reason}
}

func (a *API) exchange(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	opts, err := x.callOptions()
	if err != nil {
		return nil, err
	}
	var body Exchange
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	req := basket.ExchangeRequest{Return: body.Return.request(), Lines: make([]basket.NewLine, len(body.Lines))}
	for i, l := range body.Lines {
		if req.Lines[i], err = newLine(l, "lines["+strconv.Itoa(i)+"]."); err != nil {
			return nil, err
		}
	}
	if req.Context, err = a.resolve(x, body.ContextQuery); err != nil {
		return nil, err
	}
	order, replacement, err := a.opts.Service.Exchange(x.ctx(), x.actor, id, req, opts...)
	if err != nil {
		return nil, err
	}
	x.header.Set("Location", "/v1/baskets/"+replacement.ID.String())
	return Exchanged{Order: *order, Replacement: *replacement}, nil
}

func (a *API) invoice(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	opts, err := x.callOptions()
	if err != nil {
		return nil, err
	}
	return a.opts.Service.Invoice(x.ctx(), x.actor, id, opts...)
}

func (a *API) documents(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	docs, err := a.opts.Service.Documents(x.ctx(), x.actor, id)
	if err != nil {
		return nil, err
	}
	if docs == nil {
		docs = []basket.Document{}
	}
	return Documents{Documents: docs}, nil
}
