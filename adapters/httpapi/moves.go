package httpapi

import (
	"github.com/omnibasket/omnibasket/channel"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// Transition is the body of transition.
type Transition struct {
	// To is the new status: wishlist, cart, quote or abandoned (ordering
	// and invoicing have their own operations).
	To basket.Status `json:"to"`
	// LockUntil is when a quote's prices stop being locked (quotes only).
	LockUntil time.Time `json:"lock_until,omitzero"`
}

// Move is the body of recontextualize and checkOut: where the basket goes.
type Move struct {
	ContextQuery
	// Policy is how carried prices are treated: target-price (default)
	// or price-protection.
	Policy *basket.Policy `json:"policy,omitempty"`
}

// Merge is the body of mergeBasket.
type Merge struct {
	// SourceBasketID is merged into the basket of the path, then closed.
	SourceBasketID uuid.UUID `json:"source_basket_id"`
	// Policy is sum (the shopper meant both) or max (the same intent saved
	// twice).
	Policy basket.MergePolicy `json:"policy"`
	// SourceHolder vouches, for a system caller only, for who holds the
	// source basket (the anonymous session that just signed in).
	SourceHolder *basket.Actor `json:"source_holder,omitempty"`
}

// IssueTicket is the body of issueCheckInTicket.
type IssueTicket struct {
	// LocationID restricts the ticket to one store; required with a short
	// code.
	LocationID string `json:"location_id,omitempty"`
	// TTLSeconds is the ticket's lifetime (default 300).
	TTLSeconds int64 `json:"ttl_seconds,omitempty"`
	// ShortCode also issues a code the shopper can read aloud.
	ShortCode bool `json:"short_code,omitempty"`
}

// CheckIn is the body of checkIn: what the associate's tablet scanned or
// typed. The basket is served in the associate's store.
type CheckIn struct {
	Token     string `json:"token,omitempty"`
	ShortCode string `json:"short_code,omitempty"`
	// Method is how the shopper was identified: qr, nfc or short-code.
	Method        string `json:"method,omitempty"`
	CustomerGroup string `json:"customer_group,omitempty"`
	Locale        string `json:"locale,omitempty"`
}

// DefaultTicketTTL is a check-in ticket's lifetime when the request names
// none; MaxTicketTTL is the longest a client may ask for.
const (
	DefaultTicketTTL = 5 * time.Minute
	MaxTicketTTL     = 24 * time.Hour
)

func (a *API) moveRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/baskets/{basket_id}/transitions", id: "transition", tag: "lifecycle",
			summary: "Change the basket's status",
			doc:     "wishlist ↔ cart ↔ quote (prices locked until lock_until), or abandoned (holds released).",
			body:    &Transition{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body Transition
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				return s.svc.Transition(x.ctx(), x.actor, s.id, body.To, body.LockUntil, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/recontextualize", id: "recontextualize", tag: "lifecycle",
			summary: "Move the basket to another channel or store",
			doc: "Re-prices the basket with the target's prices, promotions, tax and stock, and reports every change " +
				"(result.changes) for an associate to read aloud.",
			body: &Move{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.moveCommand(func(x *exchange, s *svcCall, m moveTarget) (*basket.Basket, error) {
				return s.svc.Recontextualize(x.ctx(), x.actor, s.id, m.ctx, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/check-out", id: "checkOut", tag: "handoff",
			summary: "Send the basket from the store back to the web",
			doc:     "Revokes every store grant and prices the basket in the target channel.",
			body:    &Move{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.moveCommand(func(x *exchange, s *svcCall, m moveTarget) (*basket.Basket, error) {
				return s.svc.CheckOut(x.ctx(), x.actor, s.id, m.ctx, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/merge", id: "mergeBasket", tag: "lifecycle",
			summary: "Merge another basket into this one",
			doc:     "The caller must hold both baskets (or be the system vouching for the source's holder).",
			body:    &Merge{}, reply: &basket.Basket{}, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body Merge
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				req := basket.MergeRequest{Target: s.id, Source: body.SourceBasketID, Policy: body.Policy}
				if body.SourceHolder != nil {
					req.SourceHolder = *body.SourceHolder
				}
				return s.svc.Merge(x.ctx(), x.actor, req, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/check-in-tickets", id: "issueCheckInTicket", tag: "handoff",
			summary: "Issue a check-in ticket (QR token and short code)",
			doc: "The shopper's phone shows the token as a QR code (or writes it to NFC) and may read the short code aloud; " +
				"the store redeems either once with checkIn.",
			body: &IssueTicket{}, reply: &basket.Ticket{}, status: http.StatusCreated, serve: a.issueTicket},
		{method: "POST", path: "/v1/check-ins", id: "checkIn", tag: "handoff",
			summary: "Check a basket in at the associate's store",
			doc: "Redeems a scanned token or a typed short code (single use), grants the store access to the basket, " +
				"moves it into the store and prices it there. The reply's result.changes is the change report.",
			body: &CheckIn{}, reply: &basket.Basket{}, idempotent: true, serve: a.checkIn},
	}
}

// moveTarget is a resolved Move.
type moveTarget struct{ ctx channel.Context }

func (a *API) moveCommand(fn func(x *exchange, s *svcCall, m moveTarget) (*basket.Basket, error)) func(x *exchange) (any, error) {
	return a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
		var body Move
		if err := x.decode(&body); err != nil {
			return nil, err
		}
		target, err := a.resolve(x, body.ContextQuery)
		if err != nil {
			return nil, err
		}
		if body.Policy != nil {
			s.opts = append(s.opts, basket.WithPolicy(*body.Policy))
		}
		return fn(x, s, moveTarget{ctx: target})
	})
}

func (a *API) issueTicket(x *exchange) (any, error) {
	id, err := x.basketID()
	if err != nil {
		return nil, err
	}
	var body IssueTicket
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	ttl, err := ticketTTL(body.TTLSeconds, DefaultTicketTTL)
	if err != nil {
		return nil, err
	}
	return a.opts.Service.IssueCheckIn(x.ctx(), x.actor, id, basket.HandoffRequest{Location: body.LocationID, TTL: ttl, ShortCode: body.ShortCode})
}

// ticketTTL reads a ticket's ttl_seconds: def when 0, else 1 s to
// MaxTicketTTL.
func ticketTTL(ttlSeconds int64, def time.Duration) (time.Duration, error) {
	if ttlSeconds == 0 {
		return def, nil
	}
	if ttlSeconds < 0 || seconds(ttlSeconds) > MaxTicketTTL {
		return 0, &RequestError{In: "body", Field: "ttl_seconds", Reason: "must be from 1 to 86400"}
	}
	return seconds(ttlSeconds), nil
}

func (a *API) checkIn(x *exchange) (any, error) {
	var body CheckIn
	if err := x.decode(&body); err != nil {
		return nil, err
	}
	opts, err := x.callOptions()
	if err != nil {
		return nil, err
	}
	if x.actor.Kind != basket.Associate || x.actor.LocationID == "" {
		return nil, &basket.InputError{Field: "Actor", Reason: "a check-in is redeemed by a store associate", Kind: basket.ErrForbidden}
	}
	target, err := a.opts.Contexts.Context(x.ctx(), ContextQuery{LocationID: x.actor.LocationID, CustomerGroup: body.CustomerGroup, Locale: body.Locale})
	if err != nil {
		return nil, err
	}
	b, err := a.opts.Service.CheckIn(x.ctx(), x.actor, basket.CheckInRequest{Token: body.Token, ShortCode: body.ShortCode, Method: body.Method, Target: target}, opts...)
	if err != nil {
		return nil, err
	}
	return b, nil
}
