package httpapi

import (
	"github.com/google/uuid"
	"net/url"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
)

// AddLine is the body of addLine: counted goods by quantity, weighed and
// measured goods by measure ("0.347 kg"), exactly one of the two.
type AddLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity,omitempty"`
	// Measure is a decimal and a unit: "0.347 kg", "2.5 m", "1.25 l".
	Measure string `json:"measure,omitempty"`
	// Product is the item's snapshot; when the server has a catalogue it
	// is filled from there and may be omitted.
	Product    *basket.Product        `json:"product,omitempty"`
	ParentID   string                 `json:"parent_id,omitempty"`
	Fulfilment channel.FulfilmentMode `json:"fulfilment,omitzero"`
}

// ChangeLine is the body of changeLine: exactly one of quantity, measure
// and fulfilment, since each is its own command.
type ChangeLine struct {
	Quantity   *int64                 `json:"quantity,omitempty"`
	Measure    string                 `json:"measure,omitempty"`
	Fulfilment channel.FulfilmentMode `json:"fulfilment,omitzero"`
}

// Code is a body holding one code (coupon, voucher, barcode).
type Code struct {
	Code string `json:"code"`
}

func (a *API) lineRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/baskets/{basket_id}/lines", id: "addLine", tag: "lines",
			summary: "Add a line",
			doc: "Adds an item by SKU, counted (quantity) or weighed and measured (measure, \"0.347 kg\"), " +
				"and re-prices the basket. With a catalogue on the server the SKU is checked and the product snapshot filled.",
			body: &AddLine{}, reply: &basket.Basket{}, conditional: true, idempotent: true, serve: a.addLine},
		{method: "PATCH", path: "/v1/baskets/{basket_id}/lines/{line_id}", id: "changeLine", tag: "lines",
			summary: "Change a line's quantity, measure or fulfilment",
			doc: "Sets one of: the quantity of counted goods (0 removes the line), the measure of weighed goods, " +
				"or the line's fulfilment (carry-out, collect, ship, transfer).",
			body: &ChangeLine{}, reply: &basket.Basket{}, conditional: true, idempotent: true, serve: a.changeLine},
		{method: "DELETE", path: "/v1/baskets/{basket_id}/lines/{line_id}", id: "removeLine", tag: "lines",
			summary: "Remove a line", reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.RemoveLine(x.ctx(), x.actor, s.id, x.r.PathValue("line_id"), s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/coupons", id: "addCoupon", tag: "wallet",
			summary: "Add a coupon to the wallet",
			doc:     "The coupon stays in the wallet in every channel; the change report says where it is not honoured.",
			body:    &Code{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.codeCommand(func(s *svcCall, x *exchange, code string) (*basket.Basket, error) {
				return s.svc.AddCoupon(x.ctx(), x.actor, s.id, code, s.opts...)
			})},
		{method: "DELETE", path: "/v1/baskets/{basket_id}/coupons/{code}", id: "removeCoupon", tag: "wallet",
			summary: "Remove a coupon from the wallet", reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				code, err := url.PathUnescape(x.r.PathValue("code"))
				if err != nil {
					return nil, &RequestError{In: "path", Field: "code", Reason: "is not a valid path segment"}
				}
				return s.svc.RemoveCoupon(x.ctx(), x.actor, s.id, code, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/vouchers", id: "addVoucher", tag: "wallet",
			summary: "Add a gift voucher to the wallet", doc: "Vouchers pay, they do not discount: see the tender operations.",
			body: &Code{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.codeCommand(func(s *svcCall, x *exchange, code string) (*basket.Basket, error) {
				return s.svc.AddVoucher(x.ctx(), x.actor, s.id, code, s.opts...)
			})},
		{method: "PUT", path: "/v1/baskets/{basket_id}/loyalty", id: "setLoyalty", tag: "wallet",
			summary: "Link a loyalty account", doc: "Links the account and its tier; tier promotions may apply.",
			body: &basket.Loyalty{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var l basket.Loyalty
				if err := x.decode(&l); err != nil {
					return nil, err
				}
				return s.svc.SetLoyalty(x.ctx(), x.actor, s.id, &l, s.opts...)
			})},
		{method: "DELETE", path: "/v1/baskets/{basket_id}/loyalty", id: "unsetLoyalty", tag: "wallet",
			summary: "Unlink the loyalty account", reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.SetLoyalty(x.ctx(), x.actor, s.id, nil, s.opts...)
			})},
	}
}

func (a *API) addLine(x *exchange) (any, error) {
	return a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
		var body AddLine
		if err := x.decode(&body); err != nil {
			return nil, err
		}
		n, err := newLine(body, "")
		if err != nil {
			return nil, err
		}
		return s.svc.AddLine(x.ctx(), x.actor, s.id, n, s.opts...)
	})(x)
}

func (a *API) changeLine(x *exchange) (any, error) {
	return a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
		var body ChangeLine
		if err := x.decode(&body); err != nil {
			return nil, err
		}
		set := 0
		for _, b := range []bool{body.Quantity != nil, body.Measure != "", body.Fulfilment != 0} {
			if b {
				set++
			}
		}
		if set != 1 {
			return nil, &RequestError{In: "body", Reason: "must set exactly one of quantity, measure and fulfilment"}
		}
		lineID := x.r.PathValue("line_id")
		switch {
		case body.Quantity != nil:
			return s.svc.SetQuantity(x.ctx(), x.actor, s.id, lineID, *body.Quantity, s.opts...)
		case body.Measure != "":
			m, err := basket.ParseMeasure(body.Measure)
			if err != nil {
				return nil, err
			}
			return s.svc.SetMeasure(x.ctx(), x.actor, s.id, lineID, m, s.opts...)
		}
		return s.svc.SetFulfilment(x.ctx(), x.actor, s.id, lineID, body.Fulfilment, s.opts...)
	})(x)
}

// svcCall is what every command on one basket starts from.
type svcCall struct {
	svc  *basket.Service
	id   uuid.UUID
	opts []basket.CallOption
}

// basketCommand reads the basket ID and the call options, then runs fn.
func (a *API) basketCommand(fn func(x *exchange, s *svcCall) (*basket.Basket, error)) func(x *exchange) (any, error) {
	return func(x *exchange) (any, error) {
		id, err := x.basketID()
		if err != nil {
			return nil, err
		}
		opts, err := x.callOptions()
		if err != nil {
			return nil, err
		}
		b, err := fn(x, &svcCall{svc: a.opts.Service, id: id, opts: opts})
		if err != nil {
			return nil, err
		}
		return b, nil
	}
}

// codeCommand is a basketCommand whose body is a Code.
func (a *API) codeCommand(fn func(s *svcCall, x *exchange, code string) (*basket.Basket, error)) func(x *exchange) (any, error) {
	return a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
		var body Code
		if err := x.decode(&body); err != nil {
			return nil, err
		}
		if body.Code == "" {
			return nil, &RequestError{In: "body", Field: "code", Reason: "must not be empty"}
		}
		return fn(s, x, body.Code)
	})
}

// newLine reads a line to add, as addLine does; prefix names it in
// errors.
func newLine(body AddLine, prefix string) (basket.NewLine, error) {
	n := basket.NewLine{SKU: body.SKU, Quantity: body.Quantity, ParentID: body.ParentID, Fulfilment: body.Fulfilment}
	if body.Product != nil {
		n.Product = *body.Product
	}
	if body.Measure != "" {
		if body.Quantity != 0 {
			return n, &RequestError{In: "body", Field: prefix + "measure", Reason: "and quantity cannot both be set"}
		}
		m, err := basket.ParseMeasure(body.Measure)
		if err != nil {
			return n, err
		}
		n.Measure = m
	}
	return n, nil
}
