package httpapi

import (
	"net/http"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
)

// PriceOverride is the body of overridePrice: what the associate does to
// the line's price, and why.
type PriceOverride struct {
	// Terms set exactly one of price (charged per unit instead), off (an
	// amount off the line) and percent (the fraction of the line taken
	// off: "0.15" for 15 %).
	Terms basket.OverrideTerms `json:"terms"`
	// Reason is one of the retailer's reason codes ("PRICE-MATCH").
	Reason string `json:"reason"`
	// Approval is the token approveOverride gave a manager for exactly
	// this override, needed above the associate's own limit. It is single
	// use.
	Approval string `json:"approval,omitempty"`
}

// OverrideApproval is the body of approveOverride: the override a manager
// approves, exactly as the associate will ask for it.
type OverrideApproval struct {
	LineID string               `json:"line_id"`
	Terms  basket.OverrideTerms `json:"terms"`
	Reason string               `json:"reason"`
}

// Tender is the body of addTender: a means of payment offered.
type Tender struct {
	// Kind is gift-card, voucher, card or cash (loyalty points are asked
	// for with useLoyaltyPoints).
	Kind payment.Kind `json:"kind"`
	// Code is the gift card or voucher number (its balance is read from
	// the retailer's voucher source), or a card payment's reference.
	Code string `json:"code,omitempty"`
	// Amount is the most the tender pays, whatever remains when omitted:
	// part of a gift card's balance, a card's charge, the cash handed over
	// (change is given back).
	Amount pricing.Money `json:"amount,omitzero"`
}

// LoyaltyPoints is the body of useLoyaltyPoints.
type LoyaltyPoints struct {
	// Points is the most the shopper asks to burn (0: none).
	Points int64 `json:"points"`
}

// tillRoutes are the store till: scanning, price overrides, tenders,
// payment and loyalty points.
func (a *API) tillRoutes() []route {
	return []route{
		{method: "POST", path: "/v1/baskets/{basket_id}/scans", id: "scan", tag: "till",
			summary: "Scan a barcode",
			doc: "Adds the item a barcode (EAN-13, UPC, GTIN-14) names, one unit, or the weighed line a scale label carries " +
				"(each label its own line). A scale label carrying a price, a label for counted goods and a plain code of goods " +
				"sold by weight are refused. With an Idempotency-Key a retried scan adds the unit once.",
			body: &Code{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.codeCommand(func(s *svcCall, x *exchange, code string) (*basket.Basket, error) {
				return s.svc.Scan(x.ctx(), x.actor, s.id, code, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/lines/{line_id}/price-override", id: "overridePrice", tag: "till",
			summary: "Override a line's price",
			doc: "An associate of the store serving the basket sets the line's unit price, or takes an amount or a percentage off it, " +
				"with a reason code. Above the associate's role limit it needs a manager's approval token (approveOverride) for " +
				"exactly this override, else it is refused (approval-required) and nothing changes. The change report and " +
				"result.overrides show it.",
			body: &PriceOverride{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body PriceOverride
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				lineID, err := x.path("line_id")
				if err != nil {
					return nil, err
				}
				req := basket.OverrideRequest{LineID: lineID, Terms: body.Terms, Reason: body.Reason, Approval: body.Approval}
				return s.svc.OverridePrice(x.ctx(), x.actor, s.id, req, s.opts...)
			})},
		{method: "DELETE", path: "/v1/baskets/{basket_id}/lines/{line_id}/price-override", id: "removePriceOverride", tag: "till",
			summary: "Remove a line's price override",
			doc:     "The line goes back to its price; no limit applies.",
			reply:   &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				lineID, err := x.path("line_id")
				if err != nil {
					return nil, err
				}
				return s.svc.RemoveOverride(x.ctx(), x.actor, s.id, lineID, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/override-approvals", id: "approveOverride", tag: "till",
			summary: "Approve an override above an associate's limit",
			doc: "A manager of the store serving the basket (a role that approves), or the system, prices the override as asked " +
				"and, within their own limit, gets a signed single-use token for exactly that override, valid a few minutes. " +
				"Nothing is written: the associate sends the token as the approval of overridePrice.",
			body: &OverrideApproval{}, reply: &basket.Approval{}, status: http.StatusCreated,
			serve: func(x *exchange) (any, error) {
				id, err := x.basketID()
				if err != nil {
					return nil, err
				}
				var body OverrideApproval
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				return a.opts.Service.ApproveOverride(x.ctx(), x.actor, id, basket.OverrideRequest{LineID: body.LineID, Terms: body.Terms, Reason: body.Reason})
			}},
		{method: "POST", path: "/v1/baskets/{basket_id}/tenders", id: "addTender", tag: "till",
			summary: "Offer a means of payment",
			doc: "Offers a gift card, a voucher, a card or cash, or replaces the tender of the same kind and code. A gift card's " +
				"or voucher's balance is read from the retailer's voucher source. Nothing is re-priced: result.payment shows " +
				"what each tender pays and what remains. Payment is not discount: tax never changes.",
			body: &Tender{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body Tender
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				return s.svc.AddTender(x.ctx(), x.actor, s.id, payment.Tender{Kind: body.Kind, Code: body.Code, Amount: body.Amount}, s.opts...)
			})},
		{method: "DELETE", path: "/v1/baskets/{basket_id}/tenders/{kind}", id: "removeTender", tag: "till",
			summary: "Withdraw a means of payment",
			doc: "Withdraws the tender of this kind (gift-card, voucher, card, cash) and code from a basket not yet paid: " +
				"the gift card the shopper keeps for later, the card the terminal declined.",
			query: []param{{name: "code", kind: "string", doc: "The tender's code; omitted for a tender without one (cash)."}},
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var kind payment.Kind
				if err := kind.UnmarshalText([]byte(x.r.PathValue("kind"))); err != nil {
					return nil, &RequestError{In: "path", Field: "kind", Reason: "must be gift-card, voucher, points, card or cash"}
				}
				return s.svc.RemoveTender(x.ctx(), x.actor, s.id, kind, x.r.URL.Query().Get("code"), s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/tenders/wallet", id: "tenderWallet", tag: "till",
			summary: "Tender the vouchers kept in the wallet",
			doc: "Offers every voucher of the wallet not yet tendered (saved on the web, brought to the till), with one balance " +
				"read; a code that cannot pay now stays in the wallet untendered.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.TenderWallet(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/payment", id: "pay", tag: "till",
			summary: "Pay the order with its tenders",
			doc: "Settles a placed order's total with its tenders, in full or not at all (not-settled says what remains): gift " +
				"cards and vouchers are redeemed at the voucher source in one all-or-nothing redemption; card and cash are recorded " +
				"as settled (charging the card is the terminal's job). Place the order first: a cart is not payable.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.Pay(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/payment/release", id: "releaseRedemption", tag: "till",
			summary: "Give back a redemption whose payment was never recorded",
			doc: "Reverses, at the voucher source, the gift card and voucher redemption of a payment that failed to record after " +
				"redeeming (pay then answers a redemption conflict), so that the next payment redeems anew.",
			reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				return s.svc.ReleaseRedemption(x.ctx(), x.actor, s.id, s.opts...)
			})},
		{method: "POST", path: "/v1/baskets/{basket_id}/loyalty/points", id: "useLoyaltyPoints", tag: "till",
			summary: "Burn loyalty points",
			doc: "Asks to burn at most this many points of the wallet's loyalty account (0: none) and re-prices: result.loyalty " +
				"says what is burnt (within the balance, the amount due and the programme's policy). They are reserved when the " +
				"order is placed and committed when it is paid or invoiced.",
			body: &LoyaltyPoints{}, reply: &basket.Basket{}, conditional: true, idempotent: true,
			serve: a.basketCommand(func(x *exchange, s *svcCall) (*basket.Basket, error) {
				var body LoyaltyPoints
				if err := x.decode(&body); err != nil {
					return nil, err
				}
				return s.svc.UseLoyaltyPoints(x.ctx(), x.actor, s.id, body.Points, s.opts...)
			})},
	}
}
