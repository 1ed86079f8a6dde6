package basket

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// A shopper who scans the store's location tag checks their own basket in:
// the basket moves into the store and is priced there, and the shopper
// appears on the store's arrivals list. The store gets no grant yet: the
// tag proves the shopper is at the door, not that any associate may read
// their basket, so the grant is made when an associate opens the arrival
// ([Service.OpenArrival]), and recorded as a check-in like any other.

// Arrival is a shopper's own check-in at a store.
type Arrival struct {
	LocationID string    `json:"location_id"`
	At         time.Time `json:"at"`
	// Method is how the tag was read: "qr" or "nfc".
	Method string `json:"method"`
	// OpenedBy is the associate who opened the arrival (or who already
	// served the basket there), and OpenedAt when; empty while the shopper
	// waits.
	OpenedBy string    `json:"opened_by,omitempty"`
	OpenedAt time.Time `json:"opened_at,omitzero"`
}

// Arrived is the payload of [EventArrived]. To is From for an order, which
// is not moved: the shopper has come to collect or return.
type Arrived struct {
	LocationID string          `json:"location_id"`
	Method     string          `json:"method"`
	From       channel.Context `json:"from"`
	To         channel.Context `json:"to"`
}

// OwnerAttached is the payload of [EventOwnerAttached]: an anonymous
// basket became a customer's.
type OwnerAttached struct {
	CustomerID string `json:"customer_id"`
}

// openedBy marks the arrival opened by the associate granted g, if g is
// for its store and nobody opened it before.
func (a *Arrival) openedBy(g Grant, at time.Time) {
	if a == nil || a.LocationID != g.LocationID || a.OpenedBy != "" {
		return
	}
	a.OpenedBy, a.OpenedAt = g.GrantedBy, at
}

func (b *Basket) applyArrival(e Event, payload any) error {
	switch p := payload.(type) {
	case *Arrived:
		if p.LocationID == "" {
			return invalid("Event.Data", "%s without a location", e.Type)
		}
		b.Context = p.To
		b.Arrival = &Arrival{LocationID: p.LocationID, At: e.At, Method: p.Method}
		// A shopper already served there is not made to wait again.
		for _, g := range b.Grants {
			if g.LocationID == p.LocationID && g.ExpiresAt.After(e.At) {
				b.Arrival.openedBy(g, e.At)
			}
		}
	case *OwnerAttached:
		if p.CustomerID == "" {
			return invalid("Event.Data", "%s without a customer", e.Type)
		}
		b.Owner = Owner{CustomerID: p.CustomerID} // an owner is one or the other
	}
	return nil
}

// Arrive records the shopper's own check-in at location: a basket that
// can still change moves to the store context to (price it afterwards);
// an order stays where it is. The caller (the Service) has verified the
// store's tag and the shopper's session.
func (b *Basket) Arrive(m Meta, to channel.Context, locationID, method string) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	p := Arrived{LocationID: locationID, Method: method, From: b.Context.Clone(), To: b.Context.Clone()}
	if !b.Status.Final() {
		if err := to.Validate(); err != nil {
			return Event{}, err
		}
		if to.LocationID != locationID {
			return Event{}, invalid("Target.LocationID", "the basket arrives at %q, not %q", locationID, to.LocationID)
		}
		p.To = to.Clone()
	}
	if locationID == "" {
		return Event{}, invalid("LocationID", "an arrival is at a store")
	}
	return b.record(m, EventArrived, p)
}

// AttachOwner makes an anonymous basket the customer's. A basket that
// already belongs to the customer records nothing; one of another
// customer is refused.
func (b *Basket) AttachOwner(m Meta, customerID string) ([]Event, error) {
	if err := checkMeta(m); err != nil {
		return nil, err
	}
	switch {
	case customerID == "":
		return nil, invalid("CustomerID", "must not be empty")
	case b.Owner.CustomerID == customerID:
		return nil, nil
	case !b.Owner.IsAnonymous():
		return nil, &InputError{Field: "Owner", Reason: "the basket belongs to another customer", Kind: ErrForbidden}
	}
	e, err := b.record(m, EventOwnerAttached, OwnerAttached{CustomerID: customerID})
	if err != nil {
		return nil, err
	}
	return []Event{e}, nil
}

// SelfCheckInRequest is what the shopper's phone sends after reading a
// store's location tag.
type SelfCheckInRequest struct {
	// Tag is the location tag read ([handoff.Service.LocationTag]).
	Tag string
	// Method is how it was read: "qr" or "nfc".
	Method string
	// Target is the context of the store the tag claims to be at (the
	// location of the tag's URL); the tag must be that store's.
	Target channel.Context
}

// SelfCheckIn is the shopper's side of a check-in by a store's location
// tag, in one call: only the basket's owner may do it (the tag names no
// basket and proves no identity), the tag must be the target store's and
// of the current rotation, and each basket has a few attempts per window
// ([handoff.TagConfig]). A basket that can change moves into the store and
// is priced there (the report is in Result.Changes), as a check-in by an
// associate would; an order stays as it is, for a collection or a return.
// Either way the basket is on the store's arrivals list
// ([Service.Arrivals]) until an associate opens it or it checks out.
func (s *Service) SelfCheckIn(ctx context.Context, shopper Actor, id uuid.UUID, req SelfCheckInRequest, opts ...CallOption) (*Basket, error) {
	if s.cfg.Handoff == nil {
		return nil, notConfigured("Config.Handoff", "location tags are not configured")
	}
	if err := shopper.validate(); err != nil {
		return nil, err
	}
	if shopper.Kind != Shopper {
		return nil, &InputError{Field: "Actor", Reason: "a shopper checks in their own basket by a store's tag", Kind: ErrForbidden}
	}
	if req.Method != "qr" && req.Method != "nfc" {
		return nil, invalid("Method", "%q: the tag is read by \"qr\" or \"nfc\"", req.Method)
	}
	place := req.Target.Clone()
	place.AsOf = s.cfg.Clock.Now().UTC()
	if err := place.Validate(); err != nil {
		return nil, err
	}
	if place.LocationID == "" {
		return nil, invalid("Target.LocationID", "a self check-in is at a store")
	}
	place.AsOf = time.Time{}
	// The owner first: someone who merely knows the basket ID must not
	// spend the owner's attempts.
	if _, err := s.Get(ctx, shopper, id); err != nil {
		return nil, err
	}
	expect := handoff.TagExpectation{Retailer: s.cfg.Retailer, Location: place.LocationID}
	if _, err := s.cfg.Handoff.RedeemTag(ctx, req.Tag, id, expect); err != nil {
		return nil, err
	}
	return s.run(ctx, shopper, id, "self-check-in", []any{req.Tag, req.Method, place.Fingerprint()}, opts, func(t *tx, b *Basket) error {
		target := b.Context.MoveTo(place)
		target.AsOf = t.m.At
		if err := t.add(b.Arrive(t.m, target, place.LocationID, req.Method)); err != nil {
			return err
		}
		if b.Status.Final() {
			return nil
		}
		return t.reprice(b, target)
	})
}

// ArrivalStore is a [Store] that finds the baskets that arrived at a
// store, for [Service.Arrivals].
type ArrivalStore interface {
	Store
	// Arrivals returns the IDs of the baskets whose Arrival is at
	// locationID at or after since, the latest arrival first (ties by ID).
	Arrivals(ctx context.Context, locationID string, since time.Time) ([]uuid.UUID, error)
}

// ArrivalEntry is one shopper on a store's arrivals list.
type ArrivalEntry struct {
	BasketID uuid.UUID `json:"basket_id"`
	// CustomerID is empty for an anonymous basket.
	CustomerID string    `json:"customer_id,omitempty"`
	Status     Status    `json:"status"`
	ArrivedAt  time.Time `json:"arrived_at"`
	Method     string    `json:"method"`
	// Lines counts the basket's lines; Total is its priced total.
	Lines int            `json:"lines"`
	Total *pricing.Money `json:"total,omitempty"`
	// PlacedAt is when the basket was ordered, for an order: before
	// ArrivedAt, the shopper came to collect it; after, it was placed in
	// the store.
	PlacedAt time.Time `json:"placed_at,omitzero"`
	OpenedBy string    `json:"opened_by,omitempty"`
	OpenedAt time.Time `json:"opened_at,omitzero"`
}

// Arrivals lists the shoppers who checked themselves in at locationID in
// the last grant period ([Config.GrantTTL]) and are still there (the basket
// still in that store, or an order come to be collected), the latest
// first. Only the store's associates (and the System) may read it: it
// shows who is in the shop, not what they buy, until an arrival is opened.
func (s *Service) Arrivals(ctx context.Context, actor Actor, locationID string) ([]ArrivalEntry, error) {
	if err := actor.validate(); err != nil {
		return nil, err
	}
	switch {
	case locationID == "":
		return nil, invalid("locationID", "must not be empty")
	case actor.Kind == Shopper, actor.Kind == Associate && actor.LocationID != locationID:
		return nil, &InputError{Field: "Actor", Reason: "only the store's associates see its arrivals", Kind: ErrForbidden}
	}
	as, ok := s.cfg.Store.(ArrivalStore)
	if !ok {
		return nil, notConfigured("Config.Store", "the store does not list arrivals")
	}
	now := s.cfg.Clock.Now().UTC()
	since := now.Add(-s.grantTTL())
	ids, err := as.Arrivals(ctx, locationID, since)
	if err != nil {
		return nil, err
	}
	out := make([]ArrivalEntry, 0, len(ids))
	for _, id := range ids {
		b, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		a := b.Arrival
		if !liveArrival(a, locationID, now, s.grantTTL()) || b.Status == Abandoned ||
			!b.Status.Final() && b.Context.LocationID != locationID {
			continue // moved on since the store's index was read
		}
		e := ArrivalEntry{BasketID: b.ID, CustomerID: b.Owner.CustomerID, Status: b.Status, ArrivedAt: a.At, Method: a.Method,
			Lines: len(b.Lines), OpenedBy: a.OpenedBy, OpenedAt: a.OpenedAt}
		if b.Result != nil {
			total := b.Result.Totals.Total
			e.Total = &total
		}
		if b.Order != nil {
			e.PlacedAt = b.Order.PlacedAt
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(x, y ArrivalEntry) int {
		if c := y.ArrivedAt.Compare(x.ArrivedAt); c != 0 {
			return c
		}
		return slices.Compare(x.BasketID[:], y.BasketID[:])
	})
	return out, nil
}

// OpenArrival lets an associate take up a shopper who checked in by tag:
// the associate's store gets the grant a check-in gives, recorded as a
// check-in (method "arrival"). Only an associate of the store the basket
// arrived at may open it, within the grant period of the arrival; for
// anyone else the basket does not exist ([ErrNotFound]).
func (s *Service) OpenArrival(ctx context.Context, associate Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	if err := associate.validate(); err != nil {
		return nil, err
	}
	if associate.Kind != Associate {
		return nil, &InputError{Field: "Actor", Reason: "an arrival is opened by a store associate", Kind: ErrForbidden}
	}
	ttl := s.grantTTL()
	cmd := command{
		op: "open-arrival", basket: id, scope: id,
		authz: func(b *Basket) error {
			if !liveArrival(b.Arrival, associate.LocationID, s.cfg.Clock.Now(), ttl) || b.Status == Abandoned {
				return NotFound(id)
			}
			return nil
		},
		apply: func(t *tx, b *Basket) error {
			grant := Grant{LocationID: associate.LocationID, GrantedBy: associate.ID, ExpiresAt: t.m.At.Add(ttl).UTC()}
			return t.add(b.record(t.m, EventCheckedIn, Handoff{From: b.Context.Clone(), To: b.Context.Clone(), Method: "arrival", Grant: &grant}))
		},
	}
	return s.exec(ctx, associate, cmd, opts)
}

// liveArrival reports whether a is an arrival at locationID that has not
// outlived the grant period ttl at now.
func liveArrival(a *Arrival, locationID string, now time.Time, ttl time.Duration) bool {
	return a != nil && a.LocationID == locationID && now.Before(a.At.Add(ttl))
}

// grantTTL is how long a check-in's grant, and an arrival, last.
func (s *Service) grantTTL() time.Duration {
	if s.cfg.GrantTTL > 0 {
		return s.cfg.GrantTTL
	}
	return DefaultGrantTTL
}

// LocationTag is a store's location tag for the current rotation, to
// print as a QR code or write to an NFC tag (as a URL that carries it).
type LocationTag struct {
	Tag        string    `json:"tag"`
	LocationID string    `json:"location_id"`
	ValidFrom  time.Time `json:"valid_from"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// LocationTag returns the store's tag of the current rotation: the same
// for every call until the rotation ends. The store's associates and the
// System may ask for it; it is posted in the shop, so it is no secret,
// but a shopper has no use for it but scanning it there.
func (s *Service) LocationTag(ctx context.Context, actor Actor, locationID string) (LocationTag, error) {
	if s.cfg.Handoff == nil {
		return LocationTag{}, notConfigured("Config.Handoff", "location tags are not configured")
	}
	if err := actor.validate(); err != nil {
		return LocationTag{}, err
	}
	switch {
	case locationID == "":
		return LocationTag{}, invalid("locationID", "must not be empty")
	case actor.Kind == Shopper, actor.Kind == Associate && actor.LocationID != locationID:
		return LocationTag{}, &InputError{Field: "Actor", Reason: "only the store's associates print its tag", Kind: ErrForbidden}
	}
	if err := ctx.Err(); err != nil {
		return LocationTag{}, err
	}
	tag, c, err := s.cfg.Handoff.LocationTag(handoff.Audience{Retailer: s.cfg.Retailer, Location: locationID})
	if err != nil {
		return LocationTag{}, err
	}
	return LocationTag{Tag: tag, LocationID: locationID, ValidFrom: c.ValidFrom, ExpiresAt: c.ExpiresAt}, nil
}
