package httpapi

import (
	"net/http"

	"github.com/omnibasket/omnibasket/basket"
)

// SelfCheckIn is the body of selfCheckIn: the store tag the shopper's phone
// read, and the store it claims to be at (the location of the tag's URL).
type SelfCheckIn struct {
	LocationID string `json:"location_id"`
	Tag        string `json:"tag"`
	// Method is how the tag was read: qr or nfc.
	Method string `json:"method"`
	Locale string `json:"locale,omitempty"`
}

// Arrivals is the reply of listArrivals.
type Arrivals struct {
	Arrivals []basket.ArrivalEntry `json:"arrivals"`
}

// IssueCheckOut is the body of issueCheckOutTicket.
type IssueCheckOut struct {
	// TTLSeconds is the code's lifetime (default 900).
	TTLSeconds int64 `json:"ttl_seconds,omitempty"`
}

// Claim is the body of claimCheckOut: the check-out code the shopper's
// phone scanned, and where the basket goes (the web shop).
type Claim struct {
	Token string `json:"token"`
	ContextQuery
}

func (a *API) arrivalRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/locations/{location_id}/tag", id: "getLocationTag", tag: "handoff",
			summary: "The store's location tag, to print or write to NFC",
			doc: "The same tag for the whole rotation (a day by default). Post it as a QR code or an NFC tag holding a URL " +
				"that carries it; a signed-in shopper's phone presents it with selfCheckIn. Only the store's associates " +
				"(and the system) may read it.",
			reply: &basket.LocationTag{}, serve: a.locationTag},
		{method: "POST", path: "/v1/baskets/{basket_id}/self-check-in", id: "selfCheckIn", tag: "handoff",
			summary: "Check the basket in at a store by the store's tag",
			doc: "The shopper's own session only: the tag proves presence, not identity. The tag must be the named " +
				"store's and of the current rotation; each basket has 5 attempts per 10 minutes. The basket moves into " +
				"the store and is priced there (result.changes), and the shopper appears on the store's arrivals list; " +
				"the store gets no access until an associate opens the arrival.",
			body: &SelfCheckIn{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body SelfCheckIn
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				if body.LocationID == "" {
					return nil, &RequestError{In: "body", Field: "location_id", Reason: "must name the store of the tag"}
				}
				target, err := a.resolve(x, ContextQuery{LocationID: body.LocationID, Locale: body.Locale})
				if err != nil {
					return nil, err
				}
				return s.svc.SelfCheckIn(x.ctx(), x.actor, s.id, basket.SelfCheckInRequest{Tag: body.Tag, Method: body.Method, Target: target}, s.opts...)
			})},
		{method: "GET", path: "/v1/locations/{location_id}/arrivals", id: "listArrivals", tag: "handoff",
			summary: "The shoppers who checked themselves in at the store",
			doc: "The latest first, over the grant period (4 hours by default), while the basket is still in the store " +
				"(or is an order come to be collected). Only the store's associates may read it.",
			reply: &Arrivals{}, serve: a.arrivals},
		{method: "POST", path: "/v1/baskets/{basket_id}/arrival/open", id: "openArrival", tag: "handoff",
			summary: "Take up a shopper from the arrivals list",
			doc: "Grants the associate's store access to the basket, as a check-in does (recorded as one, method " +
				"arrival). Only for an associate of the store the basket arrived at, within the grant period.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.OpenArrival(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/check-out-tickets", id: "issueCheckOutTicket", tag: "handoff",
			summary: "Issue a check-out code to hand the basket back to the web",
			doc: "The tablet shows the token as a QR code; the shopper's phone claims it once with claimCheckOut. " +
				"An associate whose store holds a grant, or the owner, may ask.",
			body: &IssueCheckOut{}, reply: &basket.Ticket{}, status: http.StatusCreated, serve: a.issueCheckOut},
		{method: "POST", path: "/v1/check-outs", id: "claimCheckOut", tag: "handoff",
			summary: "Claim a basket by its check-out code",
			doc: "The shopper's own session: redeems the code (single use), makes an anonymous basket the shopper's, " +
				"moves it to the given channel (store grants revoked) and prices it there. A basket of another " +
				"customer is not found.",
			body: &Claim{}, reply: &basket.Basket{}, idempotent: true, serve: a.claimCheckOut},
	}
}

func (a *API) locationTag(x *exchange) (any, error) {
	loc, err := x.path("location_id")
	if err != nil {
		return nil, err
	}
	return a.opts.Service.LocationTag(x.ctx(), x.actor, loc)
}

func (a *API) arrivals(x *exchange) (any, error) {
	loc, err := x.path("location_id")
	if err != nil {
		return nil, err
	}
	list, err := a.opts.Service.Arrivals(x.ctx(), x.actor, loc)
	if err != nil {
		return nil, err
	}
	return &Arrivals{Arrivals: list}, nil
}

// DefaultCheckOutTicketTTL is a check-out code's lifetime when the request
// names none.
const DefaultCheckOutTicketTTL = basket.DefaultCheckOutTTL

func (a *API) issueCheckOut(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	var body IssueCheckOut
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	ttl, err := ticketTTL(body.TTLSeconds, DefaultCheckOutTicketTTL)
	if err != nil {
		return nil, err
	}
	return a.opts.Service.IssueCheckOut(x.ctx(), x.actor, id, basket.HandoffRequest{TTL: ttl})
}

func (a *API) claimCheckOut(x *exchange) (any, error) {
	var body Claim
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	opts, err := x.callOptions()
	if err != nil {
		return nil, err
	}
	if body.Token == "" {
		return nil, &RequestError{In: "body", Field: "token", Reason: "must be the scanned check-out code"}
	}
	target, err := a.resolve(x, body.ContextQuery)
	if err != nil {
		return nil, err
	}
	b, err := a.opts.Service.ClaimCheckOut(x.ctx(), x.actor, basket.ClaimRequest{Token: body.Token, Target: target}, opts...)
	if err != nil {
		return nil, err
	}
	return b, nil
}
