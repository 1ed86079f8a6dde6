package basket

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Order is what placing a basket adds to it: the terms it was sold on, the
// fulfilment orders that route its goods, its returns and its documents.
// Basket.Result stays the order as priced and paid.
type Order struct {
	PlacedAt time.Time `json:"placed_at"`
	// Terms are the prices, promotions, tax and fees the order was sold
	// under: a return re-prices the kept lines with them, not with
	// today's.
	Terms OrderTerms `json:"terms"`
	// Fulfilment holds one fulfilment order per source location and mode,
	// sorted by ID.
	Fulfilment []FulfilmentOrder `json:"fulfilment"`
	// Returns are in the order they were made.
	Returns []Return `json:"returns,omitempty"`
	// Documents are the invoice and credit notes issued for the order, in
	// the order they were issued.
	Documents []DocumentRef `json:"documents,omitempty"`
	// Loyalty is what the order burnt and earned; nil when it did neither.
	Loyalty *OrderLoyalty `json:"loyalty,omitempty"`
}

// OrderTerms is everything pricing the order needed, kept with it so that
// a return months later prices the kept lines exactly as the order did:
// same context and as-of time, same price entries of its SKUs, same tax
// rules, the promotions that applied or were blocked, the same fees and
// locations.
type OrderTerms struct {
	Context channel.Context   `json:"context"`
	Options Options           `json:"options"`
	Prices  []pricing.Price   `json:"prices"`
	Tax     []pricing.TaxRule `json:"tax"`
	// Promotions are the definitions of the promotions that applied to
	// the order or were blocked by one that did: removing lines can only
	// make those apply, never one that was unmet.
	Promotions []promotion.Promotion `json:"promotions,omitempty"`
	Fees       []FeeRule             `json:"fees,omitempty"`
	Locations  []stock.Location      `json:"locations,omitempty"`
}

// FulfilmentStatus is where a fulfilment order is.
type FulfilmentStatus uint8

// The fulfilment statuses. The zero value is invalid.
const (
	// FulfilmentOpen: the goods are held at the source, waiting to be
	// shipped, sent to the pickup store or collected.
	FulfilmentOpen FulfilmentStatus = iota + 1
	// FulfilmentArrived: a transfer reached the pickup store; the goods
	// are held there for collection.
	FulfilmentArrived
	// FulfilmentDispatched: the source shipped the goods to the shopper.
	FulfilmentDispatched
	// FulfilmentCollected: the shopper took the goods (carry-out is
	// collected when the order is placed).
	FulfilmentCollected
	// FulfilmentReleased: the hold ended without the goods leaving (no
	// show, expiry, cancellation); the units are available again.
	FulfilmentReleased
)

// String names the status.
func (s FulfilmentStatus) String() string {
	switch s {
	case FulfilmentOpen:
		return "open"
	case FulfilmentArrived:
		return "arrived"
	case FulfilmentDispatched:
		return "dispatched"
	case FulfilmentCollected:
		return "collected"
	case FulfilmentReleased:
		return "released"
	}
	return fmt.Sprintf("fulfilment-status(%d)", uint8(s))
}

// MarshalText encodes the status by name.
func (s FulfilmentStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a status by name.
func (s *FulfilmentStatus) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, FulfilmentOpen, FulfilmentReleased, "FulfilmentStatus")
	if err == nil {
		*s = v
	}
	return err
}

// Done reports whether nothing more happens to the fulfilment order:
// dispatched, collected or released.
func (s FulfilmentStatus) Done() bool {
	return s == FulfilmentDispatched || s == FulfilmentCollected || s == FulfilmentReleased
}

// FulfilmentOrder is what one location must do for an order in one mode:
// hand goods over now (carry-out), hold them for collection, ship them,
// or send them to the pickup store. It is recorded as an event that
// reaches the outbox, for the warehouse or store system to act on.
type FulfilmentOrder struct {
	// ID is "F1", "F2" … in (location, mode) order, unique in the basket.
	ID string `json:"id"`
	// LocationID is where the goods come from; Mode how they travel.
	LocationID string                 `json:"location_id"`
	Mode       channel.FulfilmentMode `json:"mode"`
	// PickupLocationID is the store where the shopper collects
	// (click & collect, transfer); empty when the goods are shipped.
	PickupLocationID string `json:"pickup_location_id,omitempty"`
	// Lines are the goods, sorted by line ID, each with the service
	// lines (delivery, assembly, gift wrap) attached to it.
	Lines []FulfilmentLine `json:"lines"`
	// LeadTime is the longest lead time of its allocations; ReadyAt is
	// PlacedAt + LeadTime. It travels in seconds
	// ([FulfilmentOrder.MarshalJSON]).
	LeadTime time.Duration `json:"lead_time_seconds"`
	ReadyAt  time.Time     `json:"ready_at"`
	// HoldUntil is when the goods' hold ends: the collection deadline of
	// a click & collect or transfer, the shipping deadline otherwise;
	// zero for carry-out (handed over at once).
	HoldUntil time.Time        `json:"hold_until,omitzero"`
	Status    FulfilmentStatus `json:"status"`
	// UpdatedAt is when the status last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// Reason says why a released order was released ("no-show",
	// "abandoned" …).
	Reason string `json:"reason,omitempty"`
}

// FulfilmentLine is a quantity of one basket line in a fulfilment order.
type FulfilmentLine struct {
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
	// Unit is the unit of measure of weighed and measured goods, whose
	// Quantity is then thousandths of it (347 is 0.347 kg); absent for
	// counted goods.
	Unit catalog.Unit `json:"unit,omitempty"`
	// Services are the service lines attached to this line, travelling
	// with it (they hold no stock).
	Services []ServiceLine `json:"services,omitempty"`
}

// ServiceLine is a service (delivery, assembly, gift wrap) attached to a
// line.
type ServiceLine struct {
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int64  `json:"quantity"`
}

// ReturnLine is a quantity of one ordered line brought back.
type ReturnLine struct {
	LineID   string `json:"line_id"`
	Quantity int64  `json:"quantity"`
}

// Return is one return (or the return half of an exchange) of an order.
type Return struct {
	// ID is "R1", "R2" … in the order returns were made.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// LocationID is where the goods were brought back (a store, or a
	// warehouse for a parcel); ChannelID the channel that took them.
	LocationID string `json:"location_id"`
	ChannelID  string `json:"channel_id"`
	// Restocked is the location the units went to: LocationID, or the
	// quarantine the integrator chose.
	Restocked string       `json:"restocked"`
	Lines     []ReturnLine `json:"lines"`
	Reason    string       `json:"reason,omitempty"`
	// Quote is the computation: what was paid, what the kept lines cost
	// under the order's terms, the refund and what broken promotions took
	// back.
	Quote RefundQuote `json:"quote"`
	// Exchange, when set, is the basket ordered in exchange, whose total
	// the refund was set against.
	Exchange *Exchange `json:"exchange,omitempty"`
}

// RefundQuote is what a return gives back, computed by [QuoteReturn].
// The refund is exact and never exceeds what was paid: the kept lines are
// re-priced under the order's own terms, and Refund = Paid − Kept, never
// below zero.
type RefundQuote struct {
	// Paid is what the shopper has paid for the order and not yet been
	// refunded: the order total minus every earlier refund.
	Paid pricing.Money `json:"paid"`
	// Kept is what the lines kept after this return cost under the
	// order's terms (fees included).
	Kept pricing.Money `json:"kept"`
	// Refund = max(Paid − Kept, 0).
	Refund pricing.Money `json:"refund"`
	// Returned is what the returned units were charged in the order
	// (their line totals, pro rata); Clawback = Returned − Refund is what
	// the promotions the return broke take back (zero when none did).
	Returned pricing.Money `json:"returned"`
	Clawback pricing.Money `json:"clawback"`
	// Broken lists the promotions whose benefit the kept lines lose or
	// lessen, sorted by ID, with the amount lost.
	Broken []BrokenPromotion `json:"broken,omitempty"`
	// Taxes split the refund per tax rate (for the credit note): Σ Gross
	// = Refund, Gross = Net + Tax on each.
	Taxes []TaxAmount `json:"taxes,omitempty"`
	// KeptLines are the order's lines after the return, re-priced.
	KeptLines []PricedLine `json:"kept_lines,omitempty"`
}

// BrokenPromotion is a promotion whose benefit a return reduces.
type BrokenPromotion struct {
	PromotionID string        `json:"promotion_id"`
	Before      pricing.Money `json:"before"` // its discount on the order as it stood
	After       pricing.Money `json:"after"`  // its discount on the kept lines
	// Lost is what the return takes back for it: the part of Before the
	// kept units carried (each line's discount pro rata to the units kept,
	// and the discount of fees still charged) minus After.
	Lost    pricing.Money `json:"lost"`
	Message string        `json:"message"`
}

// TaxAmount is one tax rate's share of a document or a refund.
type TaxAmount struct {
	Rate  pricing.Rate  `json:"rate"`
	Net   pricing.Money `json:"net"`
	Tax   pricing.Money `json:"tax"`
	Gross pricing.Money `json:"gross"`
}

// Exchange links a return to the basket ordered in its place and says who
// owes what: Due = new order's total − refund (negative: still refunded).
type Exchange struct {
	OrderID uuid.UUID     `json:"order_id"`
	Total   pricing.Money `json:"total"`
	Due     pricing.Money `json:"due"`
}
