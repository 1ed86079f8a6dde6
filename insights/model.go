package insights

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/promotion"
)

// Model is the lifecycle read model: what the baskets it was fed did, kept
// as dated facts (a start, a check-in, an order …) that [Model.Report]
// aggregates over any period. It keeps a few fields per basket and a few
// facts per basket, never a basket's lines or prices. A Model is not safe
// for concurrent use ([Tracker] guards one).
type Model struct {
	trails map[uuid.UUID]*trail
	facts  []fact
	events int64 // events applied, duplicates aside
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{trails: map[uuid.UUID]*trail{}}
}

// trail is what the model remembers of one basket between its events.
type trail struct {
	seq    int64
	origin where // where the basket was created
	now    where // the context it is served in now
	// visit is the location of the store visit in progress ("" none),
	// lastVisit when the latest visit began, visited whether one did.
	visit     string
	lastVisit time.Time
	visited   bool
	ordered   bool
	// promotions are the promotions applied by the basket's latest
	// pricing, sorted by ID; notHonoured the wallet codes that pricing
	// did not honour, sorted, and pricedIn its channel.
	promotions  []promotionRef
	notHonoured []string
	pricedIn    Channel
}

// where is a channel context as far as the model cares.
type where struct {
	ChannelID  string       `json:"channel_id"`
	Kind       channel.Kind `json:"kind"`
	LocationID string       `json:"location_id,omitempty"`
}

func (w where) channel() Channel { return Channel{ID: w.ChannelID, Kind: w.Kind} }

// Channel names a sales channel of a report: its ID and its kind (a
// channel ID is expected to have one kind; a history where it had two
// reports them apart).
type Channel struct {
	ID   string       `json:"channel_id"`
	Kind channel.Kind `json:"kind"`
}

func (c Channel) compare(d Channel) int {
	if x := strings.Compare(c.ID, d.ID); x != 0 {
		return x
	}
	return int(c.Kind) - int(d.Kind)
}

type promotionRef struct{ id, name string }

type factKind uint8

const (
	factStarted factKind = iota + 1
	factCheckedIn
	factOrdered
	factAbandoned
	factMerged
	factNotHonoured
)

// fact is one dated thing a basket did, in a channel.
type fact struct {
	kind   factKind
	at     time.Time
	ch     Channel
	basket uuid.UUID
	// An order's: whether it crossed channels, how long after the start
	// of the latest store visit it came (visited), and the promotions it
	// carried.
	webToStore, storeToWeb, visited bool
	sinceVisit                      time.Duration
	promotions                      []promotionRef
	// A coupon not honoured: its code.
	code string
}

// GapError is an event of a basket that does not follow the last event
// the model applied for it: the basket's earlier events are missing (a
// feed read from the middle of a history, or an event lost). Seen is the
// sequence number of the last event applied (0: none). It matches
// [basket.ErrInvalid]; the model is unchanged.
type GapError struct {
	BasketID uuid.UUID
	Seen     int64
	Seq      int64
}

func (e *GapError) Error() string {
	if e.Seen == 0 {
		return fmt.Sprintf("insights: event %d of basket %s, whose creation was not seen", e.Seq, e.BasketID)
	}
	return fmt.Sprintf("insights: event %d of basket %s after event %d: the events between are missing", e.Seq, e.BasketID, e.Seen)
}

// Unwrap returns [basket.ErrInvalid].
func (e *GapError) Unwrap() error { return basket.ErrInvalid }

// Apply feeds the model one event. An event whose basket and sequence
// number it has already applied is ignored (nil), so that a feed
// delivered at least once counts each event once. Events of different
// baskets may come in any interleaving, but each basket's must come in
// sequence from its creation: an event that does not follow its basket's
// last one is a [*GapError]. An event the model cannot read (an unknown
// channel kind, a payload that is not what its type says) is an error
// matching [basket.ErrInvalid]. On error the model is unchanged.
//
// Event types the model does not look into (lines, payments, fulfilment
// steps, and types added after this package) only advance the basket's
// sequence.
func (m *Model) Apply(e basket.Event) error {
	switch {
	case e.BasketID == uuid.Nil:
		return &basket.InputError{Field: "Event.BasketID", Reason: "must not be the nil UUID"}
	case e.Seq < 1:
		return &basket.InputError{Field: "Event.Seq", Reason: fmt.Sprintf("must be 1 or more, got %d", e.Seq)}
	}
	t := m.trails[e.BasketID]
	var seen int64
	if t != nil {
		seen = t.seq
	}
	switch {
	case e.Seq <= seen:
		return nil // applied already
	case e.Seq != seen+1:
		return &GapError{BasketID: e.BasketID, Seen: seen, Seq: e.Seq}
	case (e.Seq == 1) != (e.Type == basket.EventCreated):
		return &basket.InputError{Field: "Event.Type", Reason: fmt.Sprintf("event 1 of a basket is its creation, not %s at %d", e.Type, e.Seq)}
	}
	next := &trail{}
	if t != nil {
		next = t.clone()
	}
	facts, err := next.apply(e)
	if err != nil {
		return err
	}
	next.seq = e.Seq
	m.trails[e.BasketID] = next
	m.facts = append(m.facts, facts...)
	m.events++
	return nil
}

// Events returns how many events the model applied, duplicates aside.
func (m *Model) Events() int64 { return m.events }

// Baskets returns how many baskets the model has seen.
func (m *Model) Baskets() int { return len(m.trails) }

func (t *trail) clone() *trail {
	c := *t
	c.promotions = slices.Clone(t.promotions)
	c.notHonoured = slices.Clone(t.notHonoured)
	return &c
}

// The payloads as far as the model reads them: narrower than basket's
// own, so that a pricing's lines are never decoded and personal data is
// never read.
type (
	createdData struct {
		Context where `json:"context"`
	}
	handoffData struct {
		To    where `json:"to"`
		Grant *struct {
			LocationID string `json:"location_id"`
		} `json:"grant"`
	}
	arrivedData struct {
		LocationID string `json:"location_id"`
		To         where  `json:"to"`
	}
	statusData struct {
		To         basket.Status `json:"to"`
		MergedInto *uuid.UUID    `json:"merged_into"`
	}
	explanationData struct {
		PromotionID string           `json:"promotion_id"`
		Name        string           `json:"name"`
		Status      promotion.Status `json:"status"`
	}
	couponData struct {
		Code   string                 `json:"code"`
		Status promotion.CouponStatus `json:"status"`
	}
	pricingData struct {
		Promotions *[]explanationData `json:"promotions"`
		Coupons    *[]couponData      `json:"coupons"`
	}
	pricedData struct {
		Context where        `json:"context"`
		Patch   *pricingData `json:"patch"`
		Result  *pricingData `json:"result"`
	}
	orderData struct {
		Terms struct {
			Context where `json:"context"`
		} `json:"terms"`
	}
)

func decode(e basket.Event, v any) error {
	if err := json.Unmarshal(e.Data, v); err != nil {
		return &basket.InputError{Field: "Event.Data", Reason: fmt.Sprintf("%s: %v", e.Type, err)}
	}
	return nil
}

func checkWhere(e basket.Event, w where) error {
	if w.ChannelID == "" || !w.Kind.Valid() {
		return &basket.InputError{Field: "Event.Data", Reason: fmt.Sprintf("%s: a context needs a channel ID and a kind", e.Type)}
	}
	return nil
}

// apply changes t by e and returns the facts e establishes.
func (t *trail) apply(e basket.Event) ([]fact, error) {
	at := e.At.UTC()
	dated := func(k factKind, ch Channel) fact { return fact{kind: k, at: at, ch: ch, basket: e.BasketID} }
	switch e.Type {
	case basket.EventCreated:
		var p createdData
		if err := decode(e, &p); err != nil {
			return nil, err
		}
		if err := checkWhere(e, p.Context); err != nil {
			return nil, err
		}
		t.origin, t.now = p.Context, p.Context
		return []fact{dated(factStarted, p.Context.channel())}, nil

	case basket.EventCheckedIn, basket.EventArrived:
		var to where
		var loc string
		if e.Type == basket.EventCheckedIn {
			var p handoffData
			if err := decode(e, &p); err != nil {
				return nil, err
			}
			if p.Grant == nil || p.Grant.LocationID == "" {
				return nil, &basket.InputError{Field: "Event.Data", Reason: fmt.Sprintf("%s without a grant", e.Type)}
			}
			to, loc = p.To, p.Grant.LocationID
		} else {
			var p arrivedData
			if err := decode(e, &p); err != nil {
				return nil, err
			}
			to, loc = p.To, p.LocationID
		}
		if err := checkWhere(e, to); err != nil {
			return nil, err
		}
		if loc == "" {
			return nil, &basket.InputError{Field: "Event.Data", Reason: fmt.Sprintf("%s without a location", e.Type)}
		}
		there := t.now.Kind.IsPhysical() && t.now.LocationID == loc
		t.now = to
		switch {
		case t.ordered || !to.Kind.IsPhysical() || to.LocationID != loc:
			return nil, nil // an order checked in to collect or return goods: no longer the basket's journey
		case t.visit == loc:
			return nil, nil // the same visit: an arrival opened by an associate, a second scan
		case there:
			t.visit = loc // started by an associate in the store: its grant, not a check-in
			return nil, nil
		}
		t.visit, t.lastVisit, t.visited = loc, at, true
		return []fact{dated(factCheckedIn, to.channel())}, nil

	case basket.EventCheckedOut:
		var p handoffData
		if err := decode(e, &p); err != nil {
			return nil, err
		}
		if err := checkWhere(e, p.To); err != nil {
			return nil, err
		}
		t.now, t.visit = p.To, ""
		return nil, nil

	case basket.EventRecontextualized:
		return t.priced(e, at)

	case basket.EventOrderPlaced:
		var p orderData
		if err := decode(e, &p); err != nil {
			return nil, err
		}
		in := t.now
		if p.Terms.Context.ChannelID != "" {
			if err := checkWhere(e, p.Terms.Context); err != nil {
				return nil, err
			}
			in = p.Terms.Context
		}
		return t.order(e, at, in.channel()), nil

	case basket.EventStatusChanged:
		var p statusData
		if err := decode(e, &p); err != nil {
			return nil, err
		}
		switch {
		case p.To == basket.Abandoned && p.MergedInto != nil:
			return []fact{dated(factMerged, t.now.channel())}, nil
		case p.To == basket.Abandoned:
			return []fact{dated(factAbandoned, t.now.channel())}, nil
		case p.To == basket.Ordered:
			// Histories from before order_placed existed ordered by a
			// status change alone.
			return t.order(e, at, t.now.channel()), nil
		}
	}
	return nil, nil
}

// priced follows a pricing: the basket's context, the promotions it
// applied and the coupons it did not honour, and the coupons newly not
// honoured in its channel as facts.
func (t *trail) priced(e basket.Event, at time.Time) ([]fact, error) {
	var p pricedData
	if err := decode(e, &p); err != nil {
		return nil, err
	}
	if err := checkWhere(e, p.Context); err != nil {
		return nil, err
	}
	if (p.Patch == nil) == (p.Result == nil) {
		return nil, &basket.InputError{Field: "Event.Data", Reason: fmt.Sprintf("%s: exactly one of patch and result", e.Type)}
	}
	t.now = p.Context
	if t.visit != "" && (!p.Context.Kind.IsPhysical() || p.Context.LocationID != t.visit) {
		t.visit = "" // priced elsewhere: the visit is over
	}
	data := p.Patch
	if p.Result != nil {
		data = p.Result
		// A whole result lists everything: absent lists are empty.
		if data.Promotions == nil {
			data.Promotions = &[]explanationData{}
		}
		if data.Coupons == nil {
			data.Coupons = &[]couponData{}
		}
	}
	if data.Promotions != nil {
		t.promotions = t.promotions[:0:0]
		for _, x := range *data.Promotions {
			if x.Status == promotion.Applied && x.PromotionID != "" {
				t.promotions = append(t.promotions, promotionRef{id: x.PromotionID, name: x.Name})
			}
		}
		slices.SortFunc(t.promotions, func(a, b promotionRef) int { return strings.Compare(a.id, b.id) })
		t.promotions = slices.CompactFunc(t.promotions, func(a, b promotionRef) bool { return a.id == b.id })
	}
	prev, prevIn := t.notHonoured, t.pricedIn
	if data.Coupons != nil {
		var codes []string
		for _, c := range *data.Coupons {
			if c.Status == promotion.CouponNotHonouredHere && c.Code != "" {
				codes = append(codes, c.Code)
			}
		}
		slices.Sort(codes)
		t.notHonoured = slices.Compact(codes)
	}
	t.pricedIn = p.Context.channel()
	var facts []fact
	for _, code := range t.notHonoured {
		if prevIn == t.pricedIn && slices.Contains(prev, code) {
			continue // still not honoured in the same channel: counted when it began
		}
		facts = append(facts, fact{kind: factNotHonoured, at: at, ch: t.pricedIn, basket: e.BasketID, code: code})
	}
	return facts, nil
}

// order records the basket's order in channel in (the first one only: an
// order is final, and a history may say it twice).
func (t *trail) order(e basket.Event, at time.Time, in Channel) []fact {
	if t.ordered {
		return nil
	}
	t.ordered = true
	f := fact{kind: factOrdered, at: at, ch: in, basket: e.BasketID, visited: t.visited,
		promotions: slices.Clone(t.promotions)}
	f.webToStore = !t.origin.Kind.IsPhysical() && t.visited
	f.storeToWeb = (t.origin.Kind.IsPhysical() || t.visited) && !in.Kind.IsPhysical()
	if t.visited {
		f.sinceVisit = max(at.Sub(t.lastVisit), 0) // a clock set back counts as no time
	}
	return []fact{f}
}
