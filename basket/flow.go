package basket

import (
	"fmt"
	"slices"
	"time"
)

// CartHold is the stock a cart holds before it is ordered.
type CartHold struct {
	// Until is when the holds expire if nothing else ends them.
	Until time.Time  `json:"until"`
	Lines []HeldLine `json:"lines"`
}

// HeldLine is a quantity of one SKU held at one location, sorted by
// location, then SKU.
type HeldLine struct {
	LocationID string `json:"location_id"`
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
}

// Held is the payload of [EventHeld]: the cart now holds these units
// (replacing what it held before).
type Held struct {
	Hold CartHold `json:"hold"`
}

// HoldsReleased is the payload of [EventHoldsReleased]: the cart's holds
// ended without an order ("abandoned", "expired", "released").
type HoldsReleased struct {
	Reason string `json:"reason"`
}

// OrderPlaced is the payload of [EventOrderPlaced]: the basket became an
// order on these terms; its fulfilment orders follow as
// [EventFulfilmentOrdered] events in the same write.
type OrderPlaced struct {
	Terms OrderTerms `json:"terms"`
}

// FulfilmentOrdered is the payload of [EventFulfilmentOrdered]: one
// location's job for the order, for the warehouse or store system
// reading the outbox.
type FulfilmentOrdered struct {
	Order FulfilmentOrder `json:"order"`
}

// FulfilmentChanged is the payload of the fulfilment step events
// (arrived, dispatched, collected, released).
type FulfilmentChanged struct {
	ID string `json:"id"`
	// HoldUntil is the new collection deadline of goods that arrived.
	HoldUntil time.Time `json:"hold_until,omitzero"`
	// Reason says why goods were released ("no-show", "abandoned" …).
	Reason string `json:"reason,omitempty"`
}

// Returned is the payload of [EventReturned].
type Returned struct {
	Return Return `json:"return"`
}

// DocumentIssued is the payload of [EventInvoiced] and
// [EventCreditNoted]; the document itself, with its number, is in the
// [DocumentStore].
type DocumentIssued struct {
	Document DocumentRef `json:"document"`
}

// fulfilmentStep is the status a step event moves a fulfilment order to.
func fulfilmentStep(t EventType) FulfilmentStatus {
	switch t {
	case EventFulfilmentArrived:
		return FulfilmentArrived
	case EventFulfilmentDispatched:
		return FulfilmentDispatched
	case EventFulfilmentCollected:
		return FulfilmentCollected
	}
	return FulfilmentReleased
}

// applyFlow applies the product-flow events.
func (b *Basket) applyFlow(e Event, payload any) error {
	switch p := payload.(type) {
	case *Held:
		h := p.Hold
		h.Lines = slices.Clone(h.Lines)
		b.Holds = &h
	case *HoldsReleased:
		b.Holds = nil
	case *OrderPlaced:
		if b.Order != nil {
			return invalid("Event", "%s: the basket is already an order", e.Type)
		}
		b.Status, b.QuoteLockedUntil, b.Holds = Ordered, time.Time{}, nil
		b.Order = &Order{PlacedAt: e.At, Terms: p.Terms}
	case *FulfilmentOrdered:
		if b.Order == nil {
			return invalid("Event", "%s before the order was placed", e.Type)
		}
		if _, ok := b.Order.fulfilment(p.Order.ID); ok || p.Order.ID == "" {
			return invalid("Event.Data", "%s: fulfilment order %q is empty or already recorded", e.Type, p.Order.ID)
		}
		b.Order.Fulfilment = append(b.Order.Fulfilment, p.Order)
		slices.SortFunc(b.Order.Fulfilment, func(x, y FulfilmentOrder) int { return compareLineIDs(x.ID, y.ID) })
	case *FulfilmentChanged:
		if b.Order == nil {
			return invalid("Event", "%s before the order was placed", e.Type)
		}
		i, ok := b.Order.fulfilment(p.ID)
		if !ok {
			return invalid("Event.Data", "%s: no fulfilment order %q", e.Type, p.ID)
		}
		fo := &b.Order.Fulfilment[i]
		fo.Status, fo.UpdatedAt, fo.Reason = fulfilmentStep(e.Type), e.At, p.Reason
		if !p.HoldUntil.IsZero() {
			fo.HoldUntil = p.HoldUntil
		}
	case *Returned:
		if b.Order == nil {
			return invalid("Event", "%s of a basket that is not an order", e.Type)
		}
		b.Order.Returns = append(b.Order.Returns, p.Return)
	case *DocumentIssued:
		if b.Order == nil {
			return invalid("Event", "%s of a basket that is not an order", e.Type)
		}
		b.Order.Documents = append(b.Order.Documents, p.Document)
		if e.Type == EventInvoiced {
			b.Status = Invoiced
		}
	default:
		return fmt.Errorf("basket: no state change for %s", e.Type)
	}
	return nil
}

// fulfilment returns the index of the fulfilment order with that ID.
func (o *Order) fulfilment(id string) (int, bool) {
	i := slices.IndexFunc(o.Fulfilment, func(f FulfilmentOrder) bool { return f.ID == id })
	return i, i >= 0
}

// FulfilmentOrder returns the fulfilment order with that ID.
func (o *Order) FulfilmentOrder(id string) (FulfilmentOrder, bool) {
	i, ok := o.fulfilment(id)
	if !ok {
		return FulfilmentOrder{}, false
	}
	return o.Fulfilment[i], true
}

// Invoice returns the reference of the order's invoice, if issued.
func (o *Order) Invoice() (DocumentRef, bool) {
	for _, d := range o.Documents {
		if d.Kind == Invoice {
			return d, true
		}
	}
	return DocumentRef{}, false
}

// HandedOver returns, per line ID, the units the shopper has received:
// the lines of collected and dispatched fulfilment orders.
func (o *Order) HandedOver() map[string]int64 {
	out := map[string]int64{}
	for _, f := range o.Fulfilment {
		if f.Status != FulfilmentCollected && f.Status != FulfilmentDispatched {
			continue
		}
		for _, l := range f.Lines {
			out[l.LineID] += l.Quantity
			for _, s := range l.Services {
				out[s.LineID] += s.Quantity
			}
		}
	}
	return out
}

// Returned returns, per line ID, the units already brought back.
func (o *Order) Returned() map[string]int64 {
	out := map[string]int64{}
	for _, r := range o.Returns {
		for _, l := range r.Lines {
			out[l.LineID] += l.Quantity
		}
	}
	return out
}

// placeOrder records that the basket became an order on terms. The
// Service has priced it as of now and checked it is orderable.
func (b *Basket) placeOrder(m Meta, terms OrderTerms) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	if !b.Status.CanBecome(Ordered) {
		return Event{}, &InputError{Field: "Status", Reason: fmt.Sprintf("%s → %s", b.Status, Ordered), Kind: ErrInvalidTransition}
	}
	if err := b.orderable(); err != nil {
		return Event{}, err
	}
	return b.record(m, EventOrderPlaced, OrderPlaced{Terms: terms})
}

// orderFulfilment records one fulfilment order of a new order.
func (b *Basket) orderFulfilment(m Meta, fo FulfilmentOrder) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventFulfilmentOrdered, FulfilmentOrdered{Order: fo})
}

// stepFulfilment records a step of a fulfilment order; the Service has
// checked the order is in a state for it.
func (b *Basket) stepFulfilment(m Meta, t EventType, c FulfilmentChanged) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, t, c)
}

// hold records the stock a cart now holds.
func (b *Basket) hold(m Meta, h CartHold) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventHeld, Held{Hold: h})
}

// releaseHolds records that the cart's holds ended.
func (b *Basket) releaseHolds(m Meta, reason string) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventHoldsReleased, HoldsReleased{Reason: reason})
}

// recordReturn records a return; the Service has checked and quoted it.
func (b *Basket) recordReturn(m Meta, r Return) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventReturned, Returned{Return: r})
}

// recordDocument records an invoice or a credit note issued for the order.
func (b *Basket) recordDocument(m Meta, t EventType, ref DocumentRef) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, t, DocumentIssued{Document: ref})
}

// mergeReturnLines merges returned quantities per line, sorted by line ID.
func mergeReturnLines(in []ReturnLine) []ReturnLine {
	var out []ReturnLine
	for _, l := range in {
		i := slices.IndexFunc(out, func(o ReturnLine) bool { return o.LineID == l.LineID })
		if i < 0 {
			out = append(out, l)
			continue
		}
		out[i].Quantity += l.Quantity
	}
	slices.SortFunc(out, func(a, b ReturnLine) int { return compareLineIDs(a.LineID, b.LineID) })
	return out
}
