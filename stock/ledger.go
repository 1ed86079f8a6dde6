package stock

import (
	"context"
	"fmt"
	"time"
)

// MoveKind is what one [Movement] does to a basket's holds and to on-hand.
type MoveKind uint8

// The movement kinds. The zero value is invalid.
const (
	// MoveHold sets the basket's hold at LocationID to Lines until
	// ExpiresAt, replacing any active hold it has there (whose units count
	// as available to it). It takes only what the location can give the
	// basket, and ranks the lines, exactly as [Reserver.Reserve] does. The
	// reservation it sets has no RequestKey (Apply takes none).
	MoveHold MoveKind = iota + 1
	// MoveRelease ends the basket's hold of Lines at LocationID (each line
	// shrinks by its quantity, at most to nothing, keeping its rank), or
	// the whole hold when Lines is empty. Releasing what is not held is
	// not an error.
	MoveRelease
	// MoveDeduct hands Lines over to the shopper at LocationID: on-hand
	// goes down by each quantity, the units held for the basket there
	// first (its hold shrinks by as much, keeping its rank), then units
	// available to it. Handing over more than the basket holds plus what
	// is available is a [*ShortageError]; what the basket may hand over is
	// what [Reserver.Reserve] would grant it, so after shrinkage only the
	// covered part of its hold counts, never units covered for another
	// basket.
	MoveDeduct
	// MoveTransfer sends held units from LocationID to To: the basket's
	// hold and on-hand at LocationID go down by each quantity, on-hand at
	// To goes up by as much and the units are held there for the basket
	// until ExpiresAt (added to any hold it has at To; the arriving lines
	// are ranked as new; the reservation at To lasts until the later of
	// its expiry and ExpiresAt, so goods arriving never shorten a hold
	// already there, and takes no RequestKey). A pair unknown at To becomes known with the units that
	// arrive. Units not held at LocationID are a [*NotFoundError] naming
	// the SKU; held units that on-hand no longer covers (see [Reserver]
	// on shrinkage) are not there to send: a [*ShortageError] at
	// LocationID. It conserves units: what leaves one location arrives at
	// the other.
	MoveTransfer
	// MoveRestock adds Lines to on-hand at LocationID (a return put back
	// on the shelf, or into a quarantine location). An unknown pair
	// becomes known with those units.
	MoveRestock
)

// String names the kind.
func (k MoveKind) String() string {
	switch k {
	case MoveHold:
		return "hold"
	case MoveRelease:
		return "release"
	case MoveDeduct:
		return "deduct"
	case MoveTransfer:
		return "transfer"
	case MoveRestock:
		return "restock"
	}
	return fmt.Sprintf("move-kind(%d)", uint8(k))
}

// Movement is one step of a [Change].
type Movement struct {
	Kind MoveKind
	// LocationID is where the step happens (the source of a transfer).
	LocationID string
	// To is the destination of a transfer; empty for every other kind.
	To string
	// Lines are merged per SKU; quantities are positive. HeldSince and
	// AtRisk are ignored.
	Lines []ReserveLine
	// ExpiresAt ends the hold a MoveHold sets or a MoveTransfer lands;
	// zero for every other kind.
	ExpiresAt time.Time
}

// Change is a basket's stock movements, applied in order and atomically:
// every movement or none. It is how an order turns its fulfilment plan
// into holds at every location involved (and hands carry-out units over),
// how goods arrive at a pickup store, are collected, are released, and
// how returned units go back on a shelf.
type Change struct {
	// BasketID owns the holds.
	BasketID string
	// Movements are applied one after the other: a later movement sees
	// what an earlier one did.
	Movements []Movement
}

// Validate reports the first malformed part as an [*InputError]: an empty
// basket or location, an unknown kind, a transfer without a destination
// (or to its own source), a hold or transfer without a future-looking
// ExpiresAt set, ExpiresAt or To set on a kind that has none, a hold,
// deduct, transfer or restock without lines, an empty SKU, a quantity not
// positive. Whether ExpiresAt is after now is for the [Ledger] to check
// with its clock.
func (c Change) Validate() error {
	if c.BasketID == "" {
		return invalid("BasketID", "must not be empty")
	}
	if len(c.Movements) == 0 {
		return invalid("Movements", "at least one movement is required")
	}
	for i, m := range c.Movements {
		f := func(s string) string { return fmt.Sprintf("Movements[%d].%s", i, s) }
		switch {
		case m.Kind < MoveHold || m.Kind > MoveRestock:
			return invalid(f("Kind"), "unknown movement kind %d", uint8(m.Kind))
		case m.LocationID == "":
			return invalid(f("LocationID"), "must not be empty")
		case m.Kind == MoveTransfer && m.To == "":
			return invalid(f("To"), "a transfer needs a destination")
		case m.Kind == MoveTransfer && m.To == m.LocationID:
			return invalid(f("To"), "same location as LocationID (%q)", m.To)
		case m.Kind != MoveTransfer && m.To != "":
			return invalid(f("To"), "only a transfer has a destination")
		case (m.Kind == MoveHold || m.Kind == MoveTransfer) && m.ExpiresAt.IsZero():
			return invalid(f("ExpiresAt"), "a %s needs an expiry", m.Kind)
		case m.Kind != MoveHold && m.Kind != MoveTransfer && !m.ExpiresAt.IsZero():
			return invalid(f("ExpiresAt"), "a %s has no expiry", m.Kind)
		case m.Kind != MoveRelease && len(m.Lines) == 0:
			return invalid(f("Lines"), "a %s needs at least one line", m.Kind)
		}
		for j, l := range m.Lines {
			switch {
			case l.SKU == "":
				return invalid(f(fmt.Sprintf("Lines[%d].SKU", j)), "must not be empty")
			case l.Quantity <= 0:
				return invalid(f(fmt.Sprintf("Lines[%d].Quantity", j)), "must be positive, got %d", l.Quantity)
			}
		}
		if _, overflow := mergeLines(m.Lines); overflow != "" {
			return invalid(f("Lines"), "total quantity of %q overflows", overflow)
		}
	}
	return nil
}

// Normalize validates the change and returns a copy whose movement lines
// are merged per SKU and sorted by SKU, with HeldSince and AtRisk cleared.
func (c Change) Normalize() (Change, error) {
	if err := c.Validate(); err != nil {
		return Change{}, err
	}
	out := Change{BasketID: c.BasketID, Movements: make([]Movement, len(c.Movements))}
	for i, m := range c.Movements {
		m.Lines, _ = mergeLines(m.Lines)
		for j := range m.Lines {
			m.Lines[j].HeldSince, m.Lines[j].AtRisk = time.Time{}, 0
		}
		out.Movements[i] = m
	}
	return out, nil
}

// HoldLister lists the live holds of every basket on some pairs: what an
// availability composed from another on-hand source ([NetOfHolds]) must
// subtract so that no unit is offered to two baskets.
type HoldLister interface {
	// Holds returns the active holds (now < ExpiresAt) of every basket on
	// every SKU × location pair of q, sorted by location, SKU, then rank
	// (HeldSince, BasketID), with AtRisk computed against the ledger's
	// on-hand as [Cover] does.
	Holds(ctx context.Context, q Query) ([]Hold, error)
}

// Ledger is the one truth about units: on-hand counts fed from outside
// ([Feeder]), the holds of every basket ([Reserver], [HoldLister]) and
// the movements orders make ([Ledger.Apply]). Implementations enforce the
// [Reserver] invariants for every movement too: nothing is ever promised
// twice, on-hand never goes below zero, and a change is all or nothing.
// The conformance suite is stock/stocktest.
type Ledger interface {
	Provider
	Reserver
	HoldLister
	Feeder
	// Apply applies every movement of c in order, or none. A hold or
	// deduct that the location cannot give the basket returns a
	// [*ShortageError] listing every short pair of that movement; a
	// transfer of units not held a [*NotFoundError]; an expiry not after
	// now an [*InputError]. Checks run in this order: malformed input
	// ([Change.Validate]), then every expiry against now, then the
	// movements one by one. It returns the basket's active reservations
	// afterwards, sorted by location, with AtRisk computed as
	// [Reserver.Reservations] does.
	//
	// Apply is not idempotent by itself: the basket store applies a
	// change in the same transaction as the basket write that records it
	// (basket.Write.Stock), whose version check makes it happen once.
	Apply(ctx context.Context, c Change) ([]Reservation, error)
}
