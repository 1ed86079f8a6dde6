package basket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

// PlaceOrder turns a cart (or a quote) into an order, in one atomic
// write: it prices the basket in its context as of now and refuses an
// incomplete result (a line without a price, or not fully sourced, with
// [ErrNotOrderable]); keeps the prices, promotions and tax it was sold
// under as the order's terms (returns are priced with them); records one
// fulfilment order per source location and mode, as events that reach
// the outbox; and, when the store keeps a stock ledger ([LedgerStore]),
// turns the plan into stock in the same transaction: carry-out units
// handed over and deducted from on-hand, every other unit held at its
// source until its collection or shipping deadline, the basket's other
// holds released. A shortage fails the whole order with the stock error
// ([stock.ErrInsufficientStock]) and changes nothing. Loyalty points the
// pricing burns are reserved at [Config.Loyalty] before the write (see
// [Service.UseLoyaltyPoints]); too few fail the order with the source's
// [*loyalty.InsufficientError] and change nothing.
//
// [Service.Transition] to [Ordered] does the same.
func (s *Service) PlaceOrder(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "place-order", nil, opts, func(t *tx, b *Basket) error { return t.placeOrder(b) })
}

func (t *tx) placeOrder(b *Basket) error {
	if err := b.mutable(t.m); err != nil {
		return err
	}
	if !b.Status.CanBecome(Ordered) {
		return &InputError{Field: "Status", Reason: fmt.Sprintf("%s → %s", b.Status, Ordered), Kind: ErrInvalidTransition}
	}
	t.ordering = true
	snap, opts, err := t.repriceWith(b, b.Context)
	if err != nil {
		return err
	}
	if err := b.orderable(); err != nil {
		return err
	}
	terms, err := termsOf(snap, b.Result, opts)
	if err != nil {
		return err
	}
	fos, err := route(b, t.m.At, t.s.cfg.Orders)
	if err != nil {
		return err
	}
	if err := t.add(b.placeOrder(t.m, terms)); err != nil {
		return err
	}
	for _, fo := range fos {
		if err := t.add(b.orderFulfilment(t.m, fo)); err != nil {
			return err
		}
	}
	if t.s.ledger != nil {
		t.stock = orderMoves(b.ID.String(), fos, snap.Holds)
	}
	return t.reserveLoyalty(b) // last: nothing after it can fail the attempt
}

// Hold holds the stock of a cart before it is ordered, until until (at
// most [OrderPolicy.HoldWindow] from now): the shopper who will come and
// collect this afternoon. It prices the basket as of now and holds what
// its fulfilment plan takes from each location, replacing what the cart
// held before; a line not fully sourced is refused with
// [ErrNotOrderable]. Ordering takes the holds over; abandoning the basket
// releases them; [Service.Expire] records their end.
func (s *Service) Hold(ctx context.Context, actor Actor, id uuid.UUID, until time.Time, opts ...CallOption) (*Basket, error) {
	return s.run(ctx, actor, id, "hold", []any{until.UTC()}, opts, func(t *tx, b *Basket) error {
		if s.ledger == nil {
			return notConfigured("Config.Store", "the store keeps no stock ledger")
		}
		if err := b.editable(t.m); err != nil {
			return err
		}
		if !until.After(t.m.At) || until.After(t.m.At.Add(s.cfg.Orders.HoldWindow)) {
			return invalid("until", "a hold ends after now and within %s", s.cfg.Orders.HoldWindow)
		}
		snap, _, err := t.repriceWith(b, b.Context)
		if err != nil {
			return err
		}
		if err := b.orderable(); err != nil {
			return err
		}
		h := CartHold{Until: until.UTC()}
		perLoc := map[string][]stock.ReserveLine{}
		var locs []string
		for _, l := range b.Lines {
			if l.ParentID != "" {
				continue
			}
			pl, _ := b.Result.Line(l.ID)
			for _, a := range pl.Fulfilment.Allocations {
				if perLoc[a.LocationID] == nil {
					locs = append(locs, a.LocationID)
				}
				perLoc[a.LocationID] = append(perLoc[a.LocationID], stock.ReserveLine{SKU: l.SKU, Quantity: a.Quantity})
			}
		}
		c := stock.Change{BasketID: b.ID.String()}
		slices.Sort(locs)
		for _, loc := range locs {
			c.Movements = append(c.Movements, stock.Movement{Kind: stock.MoveHold, LocationID: loc, Lines: perLoc[loc], ExpiresAt: h.Until})
		}
		for _, r := range snap.Holds {
			if perLoc[r.LocationID] == nil {
				c.Movements = append(c.Movements, stock.Movement{Kind: stock.MoveRelease, LocationID: r.LocationID})
			}
		}
		c, err = c.Normalize() // lines merged per SKU, as the cart records them
		if err != nil {
			return err
		}
		for _, m := range c.Movements {
			for _, l := range m.Lines {
				if m.Kind == stock.MoveHold {
					h.Lines = append(h.Lines, HeldLine{LocationID: m.LocationID, SKU: l.SKU, Quantity: l.Quantity})
				}
			}
		}
		t.stock = &c
		return t.add(b.hold(t.m, h))
	})
}

// releaseAll ends every hold of the basket (an abandoned cart).
func (t *tx) releaseAll(b *Basket, reason string) error {
	var held []stock.Reservation
	if t.s.ledger != nil {
		var err error
		if held, err = t.s.ledger.Reservations(t.ctx, b.ID.String()); err != nil {
			return err
		}
	}
	if len(held) == 0 && b.Holds == nil {
		return nil
	}
	if len(held) > 0 {
		c := &stock.Change{BasketID: b.ID.String()}
		for _, r := range held {
			c.Movements = append(c.Movements, stock.Movement{Kind: stock.MoveRelease, LocationID: r.LocationID})
		}
		t.stock = c
	}
	return t.add(b.releaseHolds(t.m, reason))
}

// fulfilmentAuthz lets the System and the associates of the stores a
// fulfilment order involves act on it; anyone else who can see the
// basket is refused with [ErrForbidden], and anyone who cannot gets
// [ErrNotFound].
func (s *Service) fulfilmentAuthz(actor Actor, foID string) func(*Basket) error {
	return func(b *Basket) error {
		if actor.Kind == System {
			return nil
		}
		if b.Order != nil && actor.Kind == Associate {
			if fo, ok := b.Order.FulfilmentOrder(foID); ok && (fo.LocationID == actor.LocationID || fo.PickupLocationID == actor.LocationID) {
				return nil
			}
		}
		if err := s.authorize(actor, b); err != nil {
			return err
		}
		return &InputError{Field: "Actor", Reason: "only the stores of the fulfilment order or the system act on it", Kind: ErrForbidden}
	}
}

// step runs one step of a fulfilment order.
func (s *Service) step(ctx context.Context, actor Actor, id uuid.UUID, op, foID string, opts []CallOption,
	apply func(t *tx, b *Basket, fo FulfilmentOrder) error) (*Basket, error) {
	cmd := command{op: op, basket: id, scope: id, args: []any{foID}, authz: s.fulfilmentAuthz(actor, foID),
		apply: func(t *tx, b *Basket) error {
			if b.Order == nil {
				return &InputError{Field: "Status", Reason: "the basket is not an order", Kind: ErrFulfilmentState}
			}
			fo, ok := b.Order.FulfilmentOrder(foID)
			if !ok {
				return &InputError{Field: "FulfilmentOrder", Reason: fmt.Sprintf("no fulfilment order %q", foID), Kind: ErrNotFound}
			}
			return apply(t, b, fo)
		}}
	return s.exec(ctx, actor, cmd, opts)
}

func stateError(fo FulfilmentOrder, step string) error {
	return &InputError{Field: "FulfilmentOrder", Reason: fmt.Sprintf("%s (%s, %s) cannot be %s", fo.ID, fo.Mode, fo.Status, step), Kind: ErrFulfilmentState}
}

// Arrived records that the goods of a transfer reached the pickup store:
// in one write, the units leave the source's on-hand and hold and arrive
// in the pickup store's, held there for the shopper until
// [OrderPolicy.CollectWindow] from now. The System or an associate of
// either store may record it.
func (s *Service) Arrived(ctx context.Context, actor Actor, id uuid.UUID, fulfilmentID string, opts ...CallOption) (*Basket, error) {
	return s.step(ctx, actor, id, "fulfilment-arrived", fulfilmentID, opts, func(t *tx, b *Basket, fo FulfilmentOrder) error {
		if fo.Mode != channel.Transfer || fo.Status != FulfilmentOpen {
			return stateError(fo, "received at the pickup store")
		}
		until := t.m.At.Add(s.cfg.Orders.CollectWindow)
		if s.ledger != nil {
			t.stock = &stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{{
				Kind: stock.MoveTransfer, LocationID: fo.LocationID, To: fo.PickupLocationID, Lines: fulfilmentStock(fo), ExpiresAt: until,
			}}}
		}
		return t.add(b.stepFulfilment(t.m, EventFulfilmentArrived, FulfilmentChanged{ID: fo.ID, HoldUntil: until}))
	})
}

// Dispatch records that the source shipped a fulfilment order's goods to
// the shopper: the held units leave its on-hand.
func (s *Service) Dispatch(ctx context.Context, actor Actor, id uuid.UUID, fulfilmentID string, opts ...CallOption) (*Basket, error) {
	return s.step(ctx, actor, id, "fulfilment-dispatched", fulfilmentID, opts, func(t *tx, b *Basket, fo FulfilmentOrder) error {
		if (fo.Mode != channel.ShipToAddress && fo.Mode != channel.ShipFromStore) || fo.Status != FulfilmentOpen {
			return stateError(fo, "dispatched")
		}
		if s.ledger != nil {
			t.stock = &stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{{
				Kind: stock.MoveDeduct, LocationID: fo.LocationID, Lines: fulfilmentStock(fo),
			}}}
		}
		return t.add(b.stepFulfilment(t.m, EventFulfilmentDispatched, FulfilmentChanged{ID: fo.ID}))
	})
}

// Collect records that the shopper collected a click & collect order (or
// a transfer that arrived) at the pickup store: the held units are
// handed over and leave its on-hand.
func (s *Service) Collect(ctx context.Context, actor Actor, id uuid.UUID, fulfilmentID string, opts ...CallOption) (*Basket, error) {
	return s.step(ctx, actor, id, "fulfilment-collected", fulfilmentID, opts, func(t *tx, b *Basket, fo FulfilmentOrder) error {
		at, ok := heldAt(fo)
		if !ok || (fo.Mode == channel.Transfer && fo.Status != FulfilmentArrived) {
			return stateError(fo, "collected")
		}
		if actor.Kind == Associate && actor.LocationID != fo.PickupLocationID {
			return &InputError{Field: "Actor", Reason: "goods are collected at " + fo.PickupLocationID, Kind: ErrForbidden}
		}
		if s.ledger != nil {
			t.stock = &stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{{Kind: stock.MoveDeduct, LocationID: at, Lines: fulfilmentStock(fo)}}}
		}
		return t.add(b.stepFulfilment(t.m, EventFulfilmentCollected, FulfilmentChanged{ID: fo.ID}))
	})
}

// NoShow releases the goods of a collection the shopper did not come for,
// once its deadline (HoldUntil) has passed: the units are available again.
// Before the deadline it is refused with [ErrFulfilmentState].
func (s *Service) NoShow(ctx context.Context, actor Actor, id uuid.UUID, fulfilmentID string, opts ...CallOption) (*Basket, error) {
	return s.step(ctx, actor, id, "fulfilment-no-show", fulfilmentID, opts, func(t *tx, b *Basket, fo FulfilmentOrder) error {
		if _, ok := heldAt(fo); !ok {
			return stateError(fo, "released as a no-show")
		}
		if t.m.At.Before(fo.HoldUntil) {
			return &InputError{Field: "FulfilmentOrder", Reason: fmt.Sprintf("%s is held until %s", fo.ID, fo.HoldUntil.Format(time.RFC3339)), Kind: ErrFulfilmentState}
		}
		return t.releaseFulfilment(b, fo, "no-show")
	})
}

// heldAt is where a collection's goods are held, if they still are.
func heldAt(fo FulfilmentOrder) (string, bool) {
	switch {
	case !collects(fo.Mode):
		return "", false
	case fo.Status == FulfilmentOpen:
		return fo.LocationID, true
	case fo.Status == FulfilmentArrived:
		return fo.PickupLocationID, true
	}
	return "", false
}

func (t *tx) releaseFulfilment(b *Basket, fo FulfilmentOrder, reason string) error {
	at, _ := heldAt(fo)
	if t.s.ledger != nil {
		if t.stock == nil {
			t.stock = &stock.Change{BasketID: b.ID.String()}
		}
		t.stock.Movements = append(t.stock.Movements, stock.Movement{Kind: stock.MoveRelease, LocationID: at, Lines: fulfilmentStock(fo)})
	}
	return t.add(b.stepFulfilment(t.m, EventFulfilmentReleased, FulfilmentChanged{ID: fo.ID, Reason: reason}))
}

// Expire records the end of holds whose time has passed: a cart's holds
// (released, "expired"), and an order's collections past their deadline
// (released, "expired"). A ledger already treats expired holds as
// holding nothing; this puts their end in the basket's history and
// frees what is still held. Only the System runs it (a sweeper).
func (s *Service) Expire(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (*Basket, error) {
	cmd := command{op: "expire", basket: id, scope: id,
		authz: func(b *Basket) error {
			if actor.Kind != System {
				if err := s.authorize(actor, b); err != nil {
					return err
				}
				return &InputError{Field: "Actor", Reason: "only the system expires holds", Kind: ErrForbidden}
			}
			return nil
		},
		apply: func(t *tx, b *Basket) error {
			if b.Holds != nil && !t.m.At.Before(b.Holds.Until) {
				return t.add(b.releaseHolds(t.m, "expired"))
			}
			if b.Order == nil {
				return nil
			}
			for _, fo := range b.Order.Fulfilment {
				if _, held := heldAt(fo); held && !t.m.At.Before(fo.HoldUntil) {
					if err := t.releaseFulfilment(b, fo, "expired"); err != nil {
						return err
					}
				}
			}
			return nil
		}}
	return s.exec(ctx, actor, cmd, opts)
}

// ReturnRequest describes goods brought back.
type ReturnRequest struct {
	// Lines are the units returned, by line ID.
	Lines []ReturnLine
	// LocationID is where they were brought back; an associate returns at
	// their own store (empty means theirs), anyone else must name it (the
	// warehouse receiving a parcel, say).
	LocationID string
	// ChannelID is the channel taking the return; empty means the
	// associate's store channel when known, else the order's channel.
	ChannelID string
	// Reason is free text kept with the return.
	Reason string
}

// Return takes goods of an order back, in any channel, within
// [OrderPolicy.ReturnWindow] of placing it: a web order returned in a
// store, or the reverse. The refund is exact and never exceeds what was
// paid: the kept lines are re-priced under the order's own terms, and
// refund = paid − kept (see [QuoteReturn]), so a return that breaks a
// promotion's condition gives back its benefit. Only units handed over to
// the shopper can be returned ([ErrNotReturnable] otherwise). The
// returned units go back on the returning location's on-hand, or to the
// location [OrderPolicy.Restock] names, in the same write. An invoiced
// order gets a credit note for the refund, numbered in its series.
func (s *Service) Return(ctx context.Context, actor Actor, id uuid.UUID, req ReturnRequest, opts ...CallOption) (*Basket, error) {
	loc, err := returnLocation(actor, req)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, actor, id, "return", []any{req.Lines, loc, req.ChannelID, req.Reason}, opts, func(t *tx, b *Basket) error {
		return t.takeBack(b, req, loc, nil)
	})
}

// returnLocation is where goods are brought back: an associate's own
// store, or the location the request names.
func returnLocation(actor Actor, req ReturnRequest) (string, error) {
	loc := req.LocationID
	if actor.Kind == Associate {
		if loc != "" && loc != actor.LocationID {
			return "", &InputError{Field: "LocationID", Reason: "an associate takes returns at their own store", Kind: ErrForbidden}
		}
		loc = actor.LocationID
	}
	if loc == "" {
		return "", invalid("LocationID", "where the goods were brought back is required")
	}
	return loc, nil
}

// checkReturn refuses a return the order does not allow at at (not an
// order, the window closed, units not handed over or already back) and
// quotes it.
func (s *Service) checkReturn(b *Basket, lines []ReturnLine, at time.Time) (RefundQuote, error) {
	if b.Order == nil {
		return RefundQuote{}, &InputError{Field: "Status", Reason: "only an order can be returned", Kind: ErrNotReturnable}
	}
	if end := b.Order.PlacedAt.Add(s.cfg.Orders.ReturnWindow); !at.Before(end) {
		return RefundQuote{}, &InputError{Field: "At", Reason: "the return window ended at " + end.Format(time.RFC3339), Kind: ErrReturnWindowClosed}
	}
	got, back := b.Order.HandedOver(), b.Order.Returned()
	want := map[string]int64{}
	for _, l := range lines {
		want[l.LineID] += l.Quantity
	}
	for _, l := range lines {
		if _, known := b.Line(l.LineID); known && l.Quantity > 0 && want[l.LineID]+back[l.LineID] > got[l.LineID] {
			return RefundQuote{}, &InputError{Field: "Lines", Reason: fmt.Sprintf("cannot take back %d of line %s: %d handed over to the shopper, %d already returned",
				want[l.LineID], l.LineID, got[l.LineID], back[l.LineID]), Kind: ErrNotReturnable}
		}
	}
	return QuoteReturn(b, lines)
}

// takeBack records a return (the return half of an exchange when ex is
// set), restocks its goods and credits an invoiced order.
func (t *tx) takeBack(b *Basket, req ReturnRequest, loc string, ex *Exchange) error {
	s := t.s
	q, err := s.checkReturn(b, req.Lines, t.m.At)
	if err != nil {
		return err
	}
	ch := req.ChannelID
	if ch == "" {
		ch = b.Context.ChannelID
	}
	r := Return{
		ID: fmt.Sprintf("R%d", len(b.Order.Returns)+1), At: t.m.At, LocationID: loc, ChannelID: ch,
		Restocked: s.cfg.Orders.restockAt(loc), Lines: mergeReturnLines(req.Lines), Reason: req.Reason, Quote: q,
	}
	if ex != nil {
		settled := *ex
		due, err := settled.Total.Sub(q.Refund)
		if err != nil {
			return err
		}
		settled.Due = due
		r.Exchange = &settled
	}
	var goods []stock.ReserveLine
	for _, l := range r.Lines {
		if line, _ := b.Line(l.LineID); line.ParentID == "" {
			goods = append(goods, stock.ReserveLine{SKU: line.SKU, Quantity: l.Quantity})
		}
	}
	if s.ledger != nil && len(goods) > 0 {
		t.stock = &stock.Change{BasketID: b.ID.String(), Movements: []stock.Movement{{Kind: stock.MoveRestock, LocationID: r.Restocked, Lines: goods}}}
	}
	if err := t.add(b.recordReturn(t.m, r)); err != nil {
		return err
	}
	if err := t.returnLoyalty(b, r.ID); err != nil {
		return err
	}
	inv, invoiced := b.Order.Invoice()
	if !invoiced || !q.Refund.IsPositive() {
		return nil
	}
	where := b.Context
	where.LocationID, where.ChannelID = loc, ch
	doc, err := NewCreditNote(b, r, inv.ID, documentID(b), s.cfg.Orders.series(CreditNote, s.cfg.Retailer, where), t.m.At)
	if err != nil {
		return err
	}
	return t.issue(b, EventCreditNoted, doc)
}

// ExchangeRequest is a return plus what the shopper takes instead.
type ExchangeRequest struct {
	// Return is the goods brought back, as for [Service.Return].
	Return ReturnRequest
	// Lines are the goods taken instead, ordered in Context (the store's
	// channel where the exchange happens).
	Lines   []NewLine
	Context channel.Context
}

// Exchange is a return plus new lines, settling only the difference: the
// new lines are ordered in a new basket of the same owner (placed like
// any order: priced as of now, held and routed, carry-out handed over),
// then the return is recorded on the original order with the exchange
// attached: Due = the new order's total − the refund (negative: the
// shopper is still refunded that much). It returns the original order and
// the new one.
//
// The two writes are not one transaction, but the exchange converges: the
// new order's ID derives from the original order and the return's
// number (from the idempotency key, when the call has one), so calling
// Exchange again after a failure between them finds that order instead
// of placing another. With [WithIdempotencyKey] a retry after success
// returns the first outcome, and the key reused for another exchange is
// refused with [ErrIdempotencyMismatch]. The return is checked before
// anything is written, so a refused return orders nothing.
func (s *Service) Exchange(ctx context.Context, actor Actor, id uuid.UUID, req ExchangeRequest, opts ...CallOption) (*Basket, *Basket, error) {
	loc, err := returnLocation(actor, req.Return)
	if err != nil {
		return nil, nil, err
	}
	if len(req.Lines) == 0 {
		return nil, nil, invalid("Lines", "an exchange takes at least one line instead (a plain return is Return)")
	}
	orig, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if orig.Order == nil {
		return nil, nil, &InputError{Field: "Status", Reason: "only an order can be returned", Kind: ErrNotReturnable}
	}
	// The new order's ID is derived from the idempotency key when there is
	// one, so a retry after success finds that order and the return's
	// record answers it; without a key, from the return's number.
	var c call
	for _, o := range opts {
		o(&c)
	}
	next := uuid.NewSHA1(id, fmt.Appendf(nil, "exchange/R%d", len(orig.Order.Returns)+1))
	retried := false
	if c.key != "" {
		next = uuid.NewSHA1(id, fmt.Appendf(nil, "exchange/key/%s/%s/%s", actor.Kind, actor.ID, c.key))
		prev, err := s.Get(ctx, actor, next)
		retried = err == nil && prev.Order != nil
	}
	if !retried {
		if _, err := s.checkReturn(orig, req.Return.Lines, s.cfg.Clock.Now().UTC()); err != nil {
			return nil, nil, err
		}
	}
	placed, err := s.placeExchange(ctx, actor, orig, next, req)
	if err != nil {
		return nil, nil, err
	}
	ex := &Exchange{OrderID: placed.ID, Total: placed.Result.Totals.Total}
	// The command's identity includes what is taken instead and where, so
	// that a key reused for another exchange is refused, not replayed.
	place := req.Context.Clone()
	place.AsOf = time.Time{}
	taken := make([]string, len(req.Lines))
	for i, n := range req.Lines {
		taken[i] = fmt.Sprintf("%s/%d/%s/%s/%s", n.SKU, n.Quantity, n.Measure, n.ParentID, n.Fulfilment)
	}
	back, err := s.run(ctx, actor, id, "exchange", []any{req.Return.Lines, loc, req.Return.ChannelID, req.Return.Reason, placed.ID, taken, place.Fingerprint()}, opts,
		func(t *tx, b *Basket) error { return t.takeBack(b, req.Return, loc, ex) })
	if err != nil {
		return nil, placed, err
	}
	return back, placed, nil
}

// placeExchange orders the lines of an exchange in basket next, or finds
// the order a previous call placed there.
func (s *Service) placeExchange(ctx context.Context, actor Actor, orig *Basket, next uuid.UUID, req ExchangeRequest) (*Basket, error) {
	b, err := s.Get(ctx, actor, next)
	switch {
	case errors.Is(err, ErrNotFound):
		if b, err = s.Create(ctx, actor, CreateRequest{ID: next, Owner: orig.Owner, Context: req.Context}); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if b.Order != nil {
		return b, nil
	}
	for _, n := range req.Lines {
		if slices.ContainsFunc(b.Lines, func(l Line) bool { return l.SKU == n.SKU && l.ParentID == n.ParentID }) {
			continue // added by a call that failed later
		}
		if b, err = s.AddLine(ctx, actor, next, n); err != nil {
			return nil, err
		}
	}
	return s.PlaceOrder(ctx, actor, next)
}

// documentID names the document the basket's next event issues, so a
// re-run of the command issues the same document.
func documentID(b *Basket) uuid.UUID {
	return uuid.NewSHA1(b.ID, fmt.Appendf(nil, "document/%d", b.Version+1))
}

// issue stores doc with the write and records it on the order.
func (t *tx) issue(b *Basket, kind EventType, doc Document) error {
	if _, ok := t.s.cfg.Store.(DocumentStore); !ok {
		return notConfigured("Config.Store", "the store keeps no documents")
	}
	ref := DocumentRef{ID: doc.ID, Kind: doc.Kind, Series: doc.Series, IssuedAt: doc.IssuedAt, Total: doc.Total, ReturnID: doc.ReturnID}
	if err := t.add(b.recordDocument(t.m, kind, ref)); err != nil {
		return err
	}
	t.docs = append(t.docs, doc)
	return nil
}

// Invoice issues the invoice of an order and moves it to [Invoiced]: an
// immutable document with a number from its series' gapless,
// chronological sequence (per retailer or per store, see
// [OrderPolicy.Series]), tax broken down per rate and the lines as
// priced. The number is taken in the same write as the event, so it is
// never reused or skipped. Only the System and associates holding a grant
// on the basket invoice; the shopper reads the invoice from
// [Service.Documents].
func (s *Service) Invoice(ctx context.Context, actor Actor, id uuid.UUID, opts ...CallOption) (Document, error) {
	var issued []Document
	b, err := s.run(ctx, actor, id, "invoice", nil, opts, func(t *tx, b *Basket) error {
		if err := t.invoice(b); err != nil {
			return err
		}
		issued = t.docs
		return nil
	})
	if err != nil {
		return Document{}, err
	}
	ref, ok := b.Order.Invoice()
	if !ok {
		return Document{}, fmt.Errorf("basket: invoice of %s not recorded", id)
	}
	for _, d := range issued {
		if d.ID == ref.ID && d.Number > 0 {
			return d, nil
		}
	}
	return s.document(ctx, b.ID, ref.ID) // an idempotent retry
}

func (t *tx) invoice(b *Basket) error {
	if t.m.Actor.Kind == Shopper {
		return &InputError{Field: "Actor", Reason: "invoices are issued by the store or the system", Kind: ErrForbidden}
	}
	if b.Order == nil || b.Status != Ordered {
		return &InputError{Field: "Status", Reason: fmt.Sprintf("a %s basket cannot be invoiced", b.Status), Kind: ErrInvalidTransition}
	}
	doc, err := NewInvoice(b, documentID(b), t.s.cfg.Orders.series(Invoice, t.s.cfg.Retailer, b.Result.Context), t.m.At)
	if err != nil {
		return err
	}
	if err := t.settleLoyalty(b); err != nil {
		return err
	}
	return t.issue(b, EventInvoiced, doc)
}

// document reads one document of a basket from the store.
func (s *Service) document(ctx context.Context, basketID, docID uuid.UUID) (Document, error) {
	ds, ok := s.cfg.Store.(DocumentStore)
	if !ok {
		return Document{}, notConfigured("Config.Store", "the store keeps no documents")
	}
	docs, err := ds.Documents(ctx, []uuid.UUID{basketID})
	if err != nil {
		return Document{}, err
	}
	for _, d := range docs {
		if d.ID == docID {
			return d, nil
		}
	}
	return Document{}, fmt.Errorf("%w: document %s", ErrNotFound, docID)
}

// Documents returns the invoice and credit notes of an order the actor
// may see, in issue order.
func (s *Service) Documents(ctx context.Context, actor Actor, id uuid.UUID) ([]Document, error) {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return nil, err
	}
	ds, ok := s.cfg.Store.(DocumentStore)
	if !ok {
		return nil, notConfigured("Config.Store", "the store keeps no documents")
	}
	return ds.Documents(ctx, []uuid.UUID{id})
}
