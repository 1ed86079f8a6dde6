package httpapi

import (
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
)

// CreateBasket is the body of createBasket.
type CreateBasket struct {
	// ID is the basket's UUID; the server makes one when it is omitted
	// (derived from the Idempotency-Key when there is one, so a retried
	// create makes the same basket).
	ID uuid.UUID `json:"id,omitzero"`
	// Owner defaults to the signed-in shopper.
	Owner *basket.Owner `json:"owner,omitempty"`
	// Where the basket is opened: a channel, or a store by location.
	ContextQuery
	// Status is cart (the default), wishlist or quote.
	Status basket.Status `json:"status,omitzero"`
}

// basketRoutes are the basket itself: create, read, history, owner
// lookups.
func (a *API) basketRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/baskets", id: "createBasket", tag: "baskets",
			summary: "Start a basket",
			doc: "Starts a basket in a channel or a store and prices it there (empty). A shopper starts their own baskets; " +
				"an associate starts them in their own store and is granted access to serve them.",
			body: &CreateBasket{}, reply: &basket.Basket{}, status: http.StatusCreated, idempotent: true,
			serve: a.createBasket},
		{method: "GET", path: "/v1/baskets/{basket_id}", id: "getBasket", tag: "baskets",
			summary: "Read a basket",
			doc:     "The basket with its last pricing (result) and change report. The ETag is its version, for If-Match.",
			reply:   &basket.Basket{}, conditional: true,
			serve: func(x *exchange) (any, error) {
				id, err := x.basketID()
				if err != nil {
					return nil, err
				}
				return x.api.opts.Service.Get(x.ctx(), x.actor, id)
			}},
		{method: "GET", path: "/v1/baskets/{basket_id}/events", id: "listBasketEvents", tag: "baskets",
			summary: "Read a basket's history",
			doc:     "The basket's events, oldest first, a page at a time: pass the last seq seen as `after`.",
			query: []param{
				{name: "after", kind: "integer", doc: "Only events with a greater seq (0: from the start)."},
				{name: "limit", kind: "integer", doc: "Page size, 1 to 500 (default 100)."},
			},
			reply: &EventPage{}, serve: a.listEvents},
		{method: "GET", path: "/v1/customers/{customer_id}/baskets", id: "listCustomerBaskets", tag: "baskets",
			summary: "Find a customer's baskets",
			doc: "The IDs of the baskets a customer owns that the caller may see; a shopper asks for their own, " +
				"an associate sees those their store holds a grant on.",
			reply: &BasketIDs{}, serve: a.customerBaskets},
		{method: "GET", path: "/v1/customers/{customer_id}/view", id: "getCustomerView", tag: "baskets",
			summary: "A customer's purchase history across channels",
			doc:     "Baskets, orders with their fulfilment and returns, invoices and credit notes, newest first, a page at a time.",
			query: []param{
				{name: "after", kind: "string", doc: "The `next` cursor of the previous page."},
				{name: "limit", kind: "integer", doc: "Page size, 1 to 100 (default 20)."},
			},
			reply: &basket.CustomerView{}, serve: a.customerView},
	}
}

// createNamespace derives basket IDs from idempotency keys.
var createNamespace = uuid.MustParse("8a0f6f5e-2c1b-5d53-9e37-5b8c0e1f4a21")

func (a *API) createBasket(x *exchange) (any, error) {
	var body CreateBasket
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	opts, err := x.callOptions()
	if err != nil {
		return nil, err
	}
	target, err := a.resolve(x, body.ContextQuery)
	if err != nil {
		return nil, err
	}
	id := body.ID
	if id == uuid.Nil {
		if k, ok, _ := idempotencyKey(x.r); ok {
			id = uuid.NewSHA1(createNamespace, []byte(x.actor.Kind.String()+"\x00"+x.actor.ID+"\x00"+k))
		} else {
			id = uuid.New()
		}
	}
	owner := basket.Owner{}
	switch {
	case body.Owner != nil:
		owner = *body.Owner
	case x.actor.Kind == basket.Shopper:
		owner.CustomerID = x.actor.ID
	}
	b, err := a.opts.Service.Create(x.ctx(), x.actor, basket.CreateRequest{ID: id, Owner: owner, Context: target, Status: body.Status}, opts...)
	if err != nil {
		return nil, err
	}
	x.header.Set("Location", "/v1/baskets/"+b.ID.String())
	return b, nil
}

// resolve turns the client's channel or location into a full context. A
// customer group decides prices, so a shopper cannot name one: theirs is
// the platform's to set (through an associate or the system), never the
// shopper's own request.
func (a *API) resolve(x *exchange, q ContextQuery) (channel.Context, error) {
	if q.CustomerGroup != "" && x.actor.Kind == basket.Shopper {
		return channel.Context{}, &basket.InputError{Field: "customer_group",
			Reason: "is set by the platform or an associate, not by the shopper", Kind: basket.ErrForbidden}
	}
	if q.ChannelID == "" && q.LocationID == "" {
		if x.actor.Kind == basket.Associate && x.actor.LocationID != "" {
			q.LocationID = x.actor.LocationID
		} else {
			return channel.Context{}, &RequestError{In: "body", Field: "channel_id", Reason: "or location_id must name where the basket is served"}
		}
	}
	return a.opts.Contexts.Context(x.ctx(), q)
}

// EventPage is one page of a basket's history.
type EventPage struct {
	Events []basket.Event `json:"events"`
	// NextAfter is the `after` of the next page; absent on the last page.
	NextAfter int64 `json:"next_after,omitempty"`
}

// The page sizes of listBasketEvents.
const (
	DefaultEventPage = 100
	MaxEventPage     = 500
)

func (a *API) listEvents(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	after, err := x.intQuery("after", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	limit, err := x.intQuery("limit", DefaultEventPage, 1, MaxEventPage)
	if err != nil {
		return nil, err
	}
	events, err := a.opts.Service.HistoryAfter(x.ctx(), x.actor, id, after)
	if err != nil {
		return nil, err
	}
	page := EventPage{Events: []basket.Event{}}
	for _, e := range events {
		if e.Seq <= after {
			continue
		}
		if int64(len(page.Events)) == limit {
			page.NextAfter = page.Events[len(page.Events)-1].Seq
			break
		}
		page.Events = append(page.Events, e)
	}
	return page, nil
}

// BasketIDs lists baskets by ID.
type BasketIDs struct {
	BasketIDs []uuid.UUID `json:"basket_ids"`
}

func (a *API) customerBaskets(x *exchange) (any, error) {
	customer, err := x.path("customer_id")
	if err != nil {
		return nil, err
	}
	ids, err := a.opts.Service.FindByOwner(x.ctx(), x.actor, customer)
	if err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return BasketIDs{BasketIDs: ids}, nil
}

func (a *API) customerView(x *exchange) (any, error) {
	customer, err := x.path("customer_id")
	if err != nil {
		return nil, err
	}
	limit, err := x.intQuery("limit", basket.DefaultCustomerPage, 1, basket.MaxCustomerPage)
	if err != nil {
		return nil, err
	}
	return a.opts.Service.CustomerView(x.ctx(), x.actor, customer, basket.CustomerPage{Limit: int(limit), After: x.r.URL.Query().Get("after")})
}

// seconds reads a duration given in whole seconds.
func seconds(n int64) time.Duration { return time.Duration(n) * time.Second }
