package basket

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/payment"
)

// EventType names what happened.
type EventType string

// The event types. Their payloads are the exported structs of the same
// name (Created, LineAdded, …), encoded as JSON in [Event.Data].
const (
	EventCreated          EventType = "basket.created"
	EventLineAdded        EventType = "basket.line_added"
	EventQuantitySet      EventType = "basket.quantity_set"
	EventLineRemoved      EventType = "basket.line_removed"
	EventCouponAdded      EventType = "basket.coupon_added"
	EventCouponRemoved    EventType = "basket.coupon_removed"
	EventVoucherAdded     EventType = "basket.voucher_added"
	EventLoyaltySet       EventType = "basket.loyalty_set"
	EventFulfilmentSet    EventType = "basket.fulfilment_set"
	EventStatusChanged    EventType = "basket.status_changed"
	EventRecontextualized EventType = "basket.recontextualized"
	EventMerged           EventType = "basket.merged"
	EventCheckedIn        EventType = "basket.checked_in"
	EventCheckedOut       EventType = "basket.checked_out"
	EventArrived          EventType = "basket.arrived"
	EventOwnerAttached    EventType = "basket.owner_attached"
	// The product flow (see [Service.PlaceOrder]).
	EventHeld                 EventType = "basket.held"
	EventHoldsReleased        EventType = "basket.holds_released"
	EventOrderPlaced          EventType = "basket.order_placed"
	EventFulfilmentOrdered    EventType = "basket.fulfilment_ordered"
	EventFulfilmentArrived    EventType = "basket.fulfilment_arrived"
	EventFulfilmentDispatched EventType = "basket.fulfilment_dispatched"
	EventFulfilmentCollected  EventType = "basket.fulfilment_collected"
	EventFulfilmentReleased   EventType = "basket.fulfilment_released"
	EventReturned             EventType = "basket.returned"
	EventInvoiced             EventType = "basket.invoiced"
	EventCreditNoted          EventType = "basket.credit_noted"
	// Payment (see [Service.AddTender] and [Service.Pay]).
	EventTenderAdded   EventType = "basket.tender_added"
	EventTenderRemoved EventType = "basket.tender_removed"
	EventPaid          EventType = "basket.paid"
	// A redemption whose payment was never recorded was reversed.
	EventRedemptionReleased EventType = "basket.redemption_released"
	// Associate price overrides (see [Service.OverridePrice]).
	EventPriceOverridden EventType = "basket.price_overridden"
	EventOverrideRemoved EventType = "basket.override_removed"
	EventOverrideEnded   EventType = "basket.override_ended"
	// Loyalty points (see [Service.UseLoyaltyPoints]): asked to burn,
	// reserved at order, committed when paid, credited when earned or
	// given back by a return.
	EventLoyaltyPointsSet EventType = "basket.loyalty_points_set"
	EventLoyaltyReserved  EventType = "basket.loyalty_reserved"
	EventLoyaltyCommitted EventType = "basket.loyalty_committed"
	EventLoyaltyCredited  EventType = "basket.loyalty_credited"
)

// ActorKind is the sort of party acting on a basket.
type ActorKind uint8

// The actor kinds.
const (
	Shopper   ActorKind = iota + 1 // the customer or anonymous session owning the basket
	Associate                      // a store associate, at a location
	System                         // the platform itself (jobs, integrations)
)

// String names the kind.
func (k ActorKind) String() string {
	switch k {
	case Shopper:
		return "shopper"
	case Associate:
		return "associate"
	case System:
		return "system"
	}
	return fmt.Sprintf("actor(%d)", uint8(k))
}

// MarshalText encodes the kind by name.
func (k ActorKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind by name.
func (k *ActorKind) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, Shopper, System, "Actor.Kind")
	if err == nil {
		*k = v
	}
	return err
}

// Actor is who performs a command. For a shopper, ID is the customer ID or
// the anonymous session ID; for an associate, the associate's staff ID and
// the location they work at. Role is the staff role the platform vouches
// for ("associate", "manager" …), which [Config.Overrides] gives its
// limits to.
type Actor struct {
	Kind       ActorKind `json:"kind"`
	ID         string    `json:"id"`
	LocationID string    `json:"location_id,omitempty"`
	Role       string    `json:"role,omitempty"`
}

func (a Actor) validate() error {
	switch {
	case a.Kind < Shopper || a.Kind > System:
		return invalid("Actor.Kind", "unknown actor kind %d", uint8(a.Kind))
	case a.ID == "":
		return invalid("Actor.ID", "must not be empty")
	case a.Kind == Associate && a.LocationID == "":
		return invalid("Actor.LocationID", "an associate acts at a location")
	}
	return nil
}

// Meta is who does a command and when. The time comes from the caller
// (the Service's clock): the domain never reads the wall clock.
type Meta struct {
	Actor Actor
	At    time.Time
}

// Event is one entry of a basket's append-only history.
type Event struct {
	BasketID   uuid.UUID       `json:"basket_id"`
	Seq        int64           `json:"seq"` // 1, 2, 3 … equal to the version it produces
	Type       EventType       `json:"type"`
	At         time.Time       `json:"at"`
	ChannelID  string          `json:"channel_id"`
	LocationID string          `json:"location_id,omitempty"`
	Actor      Actor           `json:"actor"`
	Data       json.RawMessage `json:"data"`
}

// Decode returns the typed payload of the event (a *Created, *LineAdded, …).
func (e Event) Decode() (any, error) {
	var v any
	switch e.Type {
	case EventCreated:
		v = new(Created)
	case EventLineAdded:
		v = new(LineAdded)
	case EventQuantitySet:
		v = new(QuantitySet)
	case EventLineRemoved:
		v = new(LineRemoved)
	case EventCouponAdded, EventCouponRemoved, EventVoucherAdded:
		v = new(CodeChanged)
	case EventLoyaltySet:
		v = new(LoyaltySet)
	case EventFulfilmentSet:
		v = new(FulfilmentSet)
	case EventStatusChanged:
		v = new(StatusChanged)
	case EventRecontextualized:
		v = new(Recontextualized)
	case EventMerged:
		v = new(Merged)
	case EventCheckedIn, EventCheckedOut:
		v = new(Handoff)
	case EventArrived:
		v = new(Arrived)
	case EventOwnerAttached:
		v = new(OwnerAttached)
	case EventHeld:
		v = new(Held)
	case EventHoldsReleased:
		v = new(HoldsReleased)
	case EventOrderPlaced:
		v = new(OrderPlaced)
	case EventFulfilmentOrdered:
		v = new(FulfilmentOrdered)
	case EventFulfilmentArrived, EventFulfilmentDispatched, EventFulfilmentCollected, EventFulfilmentReleased:
		v = new(FulfilmentChanged)
	case EventReturned:
		v = new(Returned)
	case EventInvoiced, EventCreditNoted:
		v = new(DocumentIssued)
	case EventTenderAdded:
		v = new(TenderAdded)
	case EventTenderRemoved:
		v = new(TenderRemoved)
	case EventPaid:
		v = new(Paid)
	case EventRedemptionReleased:
		v = new(RedemptionReleased)
	case EventPriceOverridden:
		v = new(PriceOverridden)
	case EventOverrideRemoved:
		v = new(OverrideRemoved)
	case EventOverrideEnded:
		v = new(OverridesEnded)
	case EventLoyaltyPointsSet:
		v = new(LoyaltyPointsSet)
	case EventLoyaltyReserved:
		v = new(LoyaltyReserved)
	case EventLoyaltyCommitted:
		v = new(LoyaltyCommitted)
	case EventLoyaltyCredited:
		v = new(LoyaltyCredited)
	default:
		return nil, invalid("Event.Type", "unknown event type %q", e.Type)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return nil, invalid("Event.Data", "%s: %v", e.Type, err)
	}
	return v, nil
}

// Created is the payload of [EventCreated].
type Created struct {
	Owner   Owner           `json:"owner"`
	Status  Status          `json:"status"`
	Context channel.Context `json:"context"`
}

// LineAdded is the payload of [EventLineAdded].
type LineAdded struct {
	Line Line `json:"line"`
}

// QuantitySet is the payload of [EventQuantitySet].
type QuantitySet struct {
	LineID string `json:"line_id"`
	From   int64  `json:"from"`
	To     int64  `json:"to"`
}

// LineRemoved is the payload of [EventLineRemoved]; Children are the
// service lines removed with their parent.
type LineRemoved struct {
	LineID   string   `json:"line_id"`
	Children []string `json:"children,omitempty"`
}

// CodeChanged is the payload of coupon and voucher events.
type CodeChanged struct {
	Code string `json:"code"`
}

// LoyaltySet is the payload of [EventLoyaltySet]; nil removes the account.
type LoyaltySet struct {
	Loyalty *Loyalty `json:"loyalty"`
}

// FulfilmentSet is the payload of [EventFulfilmentSet]; 0 clears it.
type FulfilmentSet struct {
	LineID string                 `json:"line_id"`
	Mode   channel.FulfilmentMode `json:"mode,omitempty"`
}

// StatusChanged is the payload of [EventStatusChanged].
type StatusChanged struct {
	From        Status     `json:"from"`
	To          Status     `json:"to"`
	LockedUntil time.Time  `json:"locked_until,omitzero"`
	MergedInto  *uuid.UUID `json:"merged_into,omitempty"`
}

// Recontextualized is the payload of [EventRecontextualized]: the basket
// was priced in a context (a new channel, or the same one after a change).
// The pricing is recorded as a [ResultPatch] of the basket's previous
// Result, so that each event's size follows what changed; Result, a whole
// pricing, is what histories written before patches hold, and is still
// read.
type Recontextualized struct {
	Context channel.Context `json:"context"`
	Patch   *ResultPatch    `json:"patch,omitempty"`
	Result  *Result         `json:"result,omitempty"`
}

// Merged is the payload of [EventMerged]: what another basket brought in.
type Merged struct {
	Source     uuid.UUID     `json:"source"`
	Policy     MergePolicy   `json:"policy"`
	Added      []Line        `json:"added,omitempty"`
	Quantities []QuantitySet `json:"quantities,omitempty"`
	Coupons    []string      `json:"coupons,omitempty"`
	Vouchers   []string      `json:"vouchers,omitempty"`
}

// Handoff is the payload of [EventCheckedIn] and [EventCheckedOut]. A
// check-in grants the location's associates access (Grant); a check-out
// revokes every grant.
type Handoff struct {
	From   channel.Context `json:"from"`
	To     channel.Context `json:"to"`
	Method string          `json:"method,omitempty"` // "qr", "nfc", "short-code", "associate"
	Grant  *Grant          `json:"grant,omitempty"`
}

// TenderAdded is the payload of [EventTenderAdded]: a tender offered, or
// replacing the tender of the same kind and code.
type TenderAdded struct {
	Tender payment.Tender `json:"tender"`
}

// TenderRemoved is the payload of [EventTenderRemoved].
type TenderRemoved struct {
	Kind payment.Kind `json:"kind"`
	Code string       `json:"code,omitempty"`
}

// Paid is the payload of [EventPaid]: the settlement carried out, its gift
// cards and vouchers redeemed at the source under RedemptionID (empty when
// none of them paid anything).
type Paid struct {
	RedemptionID string             `json:"redemption_id,omitempty"`
	Settlement   payment.Settlement `json:"settlement"`
}

// RedemptionReleased is the payload of [EventRedemptionReleased]: the
// redemption made under RedemptionID, whose payment was never recorded
// (a save lost after redeeming), was reversed at the source; the next
// payment redeems under a new ID.
type RedemptionReleased struct {
	RedemptionID string `json:"redemption_id"`
}

// Replay rebuilds a basket from its history. The events must be the
// complete history of one basket, in order. Any input, however hostile,
// gets a basket or an error matching [ErrInvalid] (or
// [ErrVersionConflict] for a gap), never a panic.
func Replay(events []Event) (*Basket, error) {
	return ReplayFrom(nil, events)
}

// ReplayFrom rebuilds a basket from a checkpoint (a copy of the basket at
// some version, nil for none) and the events that follow it, in order: what
// [Store.HistoryAt] returns. Without a checkpoint the events must start with
// the basket's creation.
func ReplayFrom(checkpoint *Basket, events []Event) (*Basket, error) {
	var b *Basket
	if checkpoint != nil {
		if err := checkpoint.checkRestorable(); err != nil {
			return nil, err
		}
		b = checkpoint.Clone()
	} else {
		if len(events) == 0 || events[0].Type != EventCreated {
			return nil, invalid("events", "history must start with %s", EventCreated)
		}
		b = &Basket{ID: events[0].BasketID}
	}
	for _, e := range events {
		if err := b.Apply(e); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// checkRestorable refuses a checkpoint that no history could have
// produced.
func (b *Basket) checkRestorable() error {
	if b.ID == uuid.Nil || b.Version < 1 {
		return invalid("checkpoint", "not a stored basket (ID %s, version %d)", b.ID, b.Version)
	}
	return nil
}

// Apply changes the basket by one event of its history. It is the only
// place state changes; commands validate, build an event and apply it. An
// event out of sequence or for another basket is refused and changes nothing.
func (b *Basket) Apply(e Event) error {
	if e.BasketID != b.ID {
		return invalid("Event.BasketID", "event of %s applied to %s", e.BasketID, b.ID)
	}
	if e.Seq != b.Version+1 {
		return &VersionConflictError{ID: b.ID, Expected: e.Seq - 1, Current: b.Version}
	}
	payload, err := e.Decode()
	if err != nil {
		return err
	}
	next := b.Clone()
	if err := next.apply(e, payload); err != nil {
		return err
	}
	next.Version = e.Seq
	next.UpdatedAt = e.At
	*b = *next
	return nil
}

func (b *Basket) apply(e Event, payload any) error {
	switch p := payload.(type) {
	case *Created:
		if b.Version != 0 {
			return invalid("Event", "%s after creation", EventCreated)
		}
		b.Owner, b.Status, b.Context, b.CreatedAt, b.NextLine = p.Owner, p.Status, p.Context, e.At, 1
	case *LineAdded:
		if err := b.insertLine(p.Line); err != nil {
			return err
		}
	case *QuantitySet:
		i, ok := b.lineIndex(p.LineID)
		if !ok {
			return &InputError{Field: "LineID", Reason: p.LineID, Kind: ErrUnknownLine}
		}
		b.Lines[i].Quantity = p.To
		b.dropOverrides(p.LineID) // granted for the quantity it was
	case *LineRemoved:
		for _, id := range append([]string{p.LineID}, p.Children...) {
			i, ok := b.lineIndex(id)
			if !ok {
				return &InputError{Field: "LineID", Reason: id, Kind: ErrUnknownLine}
			}
			b.Lines = slices.Delete(b.Lines, i, i+1)
			b.dropOverrides(id)
		}
	case *CodeChanged:
		switch e.Type {
		case EventCouponAdded:
			b.Wallet.Coupons = insertSorted(b.Wallet.Coupons, p.Code)
		case EventCouponRemoved:
			b.Wallet.Coupons = slices.DeleteFunc(b.Wallet.Coupons, func(c string) bool { return c == p.Code })
		case EventVoucherAdded:
			b.Wallet.Vouchers = insertSorted(b.Wallet.Vouchers, p.Code)
		}
	case *LoyaltySet:
		b.Wallet.Loyalty = p.Loyalty
	case *FulfilmentSet:
		i, ok := b.lineIndex(p.LineID)
		if !ok {
			return &InputError{Field: "LineID", Reason: p.LineID, Kind: ErrUnknownLine}
		}
		b.Lines[i].Fulfilment = p.Mode
	case *StatusChanged:
		b.Status, b.QuoteLockedUntil = p.To, p.LockedUntil
	case *Recontextualized:
		switch {
		case p.Patch != nil && p.Result == nil:
			r := &Result{BasketID: b.ID, Context: p.Context.Clone()}
			if err := p.Patch.apply(b.Result, r); err != nil {
				return err
			}
			b.Context, b.Result = p.Context, r
		case p.Result != nil && p.Patch == nil:
			if p.Result.BasketID != b.ID {
				return invalid("Event.Data", "%s: the result prices basket %s", e.Type, p.Result.BasketID)
			}
			b.Context, b.Result = p.Context, p.Result
		default:
			return invalid("Event.Data", "%s: exactly one of patch and result", e.Type)
		}
		b.refreshPayment() // the settlement follows the new total; patches do not record it
	case *Merged:
		for _, l := range p.Added {
			if err := b.insertLine(l); err != nil {
				return err
			}
		}
		for _, q := range p.Quantities {
			i, ok := b.lineIndex(q.LineID)
			if !ok {
				return &InputError{Field: "LineID", Reason: q.LineID, Kind: ErrUnknownLine}
			}
			b.Lines[i].Quantity = q.To
			b.dropOverrides(q.LineID)
		}
		for _, c := range p.Coupons {
			b.Wallet.Coupons = insertSorted(b.Wallet.Coupons, c)
		}
		for _, v := range p.Vouchers {
			b.Wallet.Vouchers = insertSorted(b.Wallet.Vouchers, v)
		}
	case *Handoff:
		b.Context = p.To
		switch e.Type {
		case EventCheckedIn:
			if p.Grant == nil || p.Grant.LocationID == "" {
				return invalid("Event.Data", "%s without a grant", e.Type)
			}
			b.Grants = slices.DeleteFunc(b.Grants, func(g Grant) bool { return g.LocationID == p.Grant.LocationID })
			i, _ := slices.BinarySearchFunc(b.Grants, p.Grant.LocationID, func(g Grant, l string) int { return strings.Compare(g.LocationID, l) })
			b.Grants = slices.Insert(b.Grants, i, *p.Grant)
			b.Arrival.openedBy(*p.Grant, e.At)
		case EventCheckedOut:
			b.Grants = nil
			b.Arrival = nil
		}
	case *Arrived, *OwnerAttached:
		return b.applyArrival(e, payload)
	case *TenderAdded, *TenderRemoved, *Paid, *RedemptionReleased:
		return b.applyPayment(e, payload)
	case *PriceOverridden, *OverrideRemoved, *OverridesEnded:
		return b.applyOverride(e, payload)
	case *LoyaltyPointsSet, *LoyaltyReserved, *LoyaltyCommitted, *LoyaltyCredited:
		return b.applyLoyalty(e, payload)
	default:
		return b.applyFlow(e, payload)
	}
	return nil
}

func (b *Basket) insertLine(l Line) error {
	i, found := b.lineIndex(l.ID)
	if found || l.ID == "" {
		return &InputError{Field: "Line.ID", Reason: fmt.Sprintf("%q is empty or already in the basket", l.ID)}
	}
	b.Lines = slices.Insert(b.Lines, i, l)
	var n int
	if _, err := fmt.Sscanf(l.ID, "L%d", &n); err == nil && n >= b.NextLine && n < math.MaxInt32 {
		b.NextLine = n + 1
	}
	return nil
}

func insertSorted(xs []string, x string) []string {
	i, found := slices.BinarySearch(xs, x)
	if found {
		return xs
	}
	return slices.Insert(xs, i, x)
}

// record builds the next event of the basket and applies it.
func (b *Basket) record(m Meta, t EventType, payload any) (Event, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return Event{}, fmt.Errorf("basket: encoding %s: %w", t, err)
	}
	e := Event{
		BasketID: b.ID, Seq: b.Version + 1, Type: t, At: m.At.UTC(),
		ChannelID: b.Context.ChannelID, LocationID: b.Context.LocationID, Actor: m.Actor, Data: data,
	}
	if err := b.Apply(e); err != nil {
		return Event{}, err
	}
	return e, nil
}
