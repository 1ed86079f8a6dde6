package stock

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Pair names one SKU at one location.
type Pair struct{ SKU, LocationID string }

// LedgerState is what playing a [Change] reads from a ledger: its stored
// state as of the change's time, once the ledger holds whatever locks
// keep that state still. [Play] never modifies what it is given.
type LedgerState interface {
	// OnHand returns the stored on-hand of p; known is false when the
	// ledger does not know the pair (which supplies nothing).
	OnHand(p Pair) (onHand int64, known bool)
	// Held returns the basket's active reservation at location, or nil.
	Held(location string) *Reservation
	// OthersHeld returns the units of every other basket's active holds
	// of p.
	OthersHeld(p Pair) int64
	// Covered returns how many units of the basket's line of p (at its
	// rank, line.HeldSince) onHand covers once the other baskets' active
	// holds ranked before it are served (see [Cover]). Play asks only for
	// a line at the rank the basket held it with when the change began,
	// or at the change's time.
	Covered(p Pair, onHand int64, line ReserveLine) (int64, error)
}

// Played is what a change did, for the ledger to write.
type Played struct {
	// OnHand is the new on-hand of every pair a movement changed (or made
	// known).
	OnHand map[Pair]int64
	// Reservations is the basket's reservation at every location a
	// movement touched; nil means it holds nothing there any more.
	Reservations map[string]*Reservation
}

// Play plays a normalized change ([Change.Normalize]) at now on a
// ledger's state, with the rules every [Ledger] follows: it checks every
// expiry, then applies each movement in order to what the earlier ones
// left, and returns what to write, or the first refusal (nothing is to be
// written then). It is pure: ledgers differ in how they read and write
// their state, never in what a movement does.
func Play(c Change, now time.Time, st LedgerState) (Played, error) {
	for i, m := range c.Movements {
		if !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt) {
			return Played{}, invalid(fmt.Sprintf("Movements[%d].ExpiresAt", i), "%s is not after now (%s)", m.ExpiresAt, now)
		}
	}
	p := &player{basket: c.BasketID, now: now, st: st,
		out: Played{OnHand: map[Pair]int64{}, Reservations: map[string]*Reservation{}}}
	for i, m := range c.Movements {
		if err := p.move(i, m); err != nil {
			return Played{}, err
		}
	}
	return p.out, nil
}

type player struct {
	basket string
	now    time.Time
	st     LedgerState
	out    Played
}

// onHand returns the on-hand of q as played so far.
func (p *player) onHand(q Pair) (int64, bool) {
	if n, ok := p.out.OnHand[q]; ok {
		return n, true
	}
	return p.st.OnHand(q)
}

// own returns the basket's reservation at loc as played so far (nil:
// none), copied from the state on first use.
func (p *player) own(loc string) *Reservation {
	if r, ok := p.out.Reservations[loc]; ok {
		return r
	}
	r := p.st.Held(loc)
	if r == nil {
		return nil
	}
	c := r.Clone()
	return &c
}

// covered returns the part of the basket's own line of q that on-hand
// covers.
func (p *player) covered(q Pair, onHand int64) (int64, error) {
	l, ok := lineOfReservation(p.own(q.LocationID), q.SKU)
	if !ok {
		return 0, nil
	}
	return p.st.Covered(q, onHand, l)
}

// available returns what the basket may take of q, its own hold
// included: the larger of on-hand minus every other basket's hold and the
// covered part of its own (the rule of [Reserver.Reserve]).
func (p *player) available(q Pair, onHand int64) (int64, error) {
	c, err := p.covered(q, onHand)
	if err != nil {
		return 0, err
	}
	return max(onHand-p.st.OthersHeld(q), c, 0), nil
}

// shortages checks each line of m against what the basket may take at
// m.LocationID.
func (p *player) shortages(m Movement) ([]Shortage, error) {
	var short []Shortage
	for _, l := range m.Lines {
		q := Pair{l.SKU, m.LocationID}
		on, known := p.onHand(q)
		if !known {
			short = append(short, Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Unknown: true})
			continue
		}
		avail, err := p.available(q, on)
		if err != nil {
			return nil, err
		}
		if l.Quantity > avail {
			short = append(short, Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Available: avail})
		}
	}
	return short, nil
}

// add changes the on-hand of q by n, making it known, or reports an
// overflow on field.
func (p *player) add(q Pair, n int64, field string) error {
	on, _ := p.onHand(q)
	if n > 0 && on > math.MaxInt64-n {
		return invalid(field, "on-hand of %s at %s would overflow", q.SKU, q.LocationID)
	}
	p.out.OnHand[q] = on + n
	return nil
}

func (p *player) move(i int, m Movement) error {
	field := func(j int) string { return fmt.Sprintf("Movements[%d].Lines[%d].Quantity", i, j) }
	switch m.Kind {
	case MoveHold:
		short, err := p.shortages(m)
		if err != nil {
			return err
		}
		if len(short) > 0 {
			return &ShortageError{Shortages: short}
		}
		old := p.own(m.LocationID)
		lines := slices.Clone(m.Lines)
		for j, l := range lines {
			lines[j].HeldSince = p.now // ranked as new unless it keeps an old line's rank
			if o, ok := lineOfReservation(old, l.SKU); ok && l.Quantity <= o.Quantity {
				lines[j].HeldSince = o.HeldSince
			}
		}
		p.out.Reservations[m.LocationID] = &Reservation{BasketID: p.basket, LocationID: m.LocationID, Lines: lines, ExpiresAt: m.ExpiresAt}

	case MoveRelease:
		r := p.own(m.LocationID)
		if len(m.Lines) == 0 {
			r = nil
		}
		for _, l := range m.Lines {
			r = shrinkReservation(r, l.SKU, l.Quantity)
		}
		p.out.Reservations[m.LocationID] = r

	case MoveDeduct:
		short, err := p.shortages(m)
		if err != nil {
			return err
		}
		if len(short) > 0 {
			return &ShortageError{Shortages: short}
		}
		r := p.own(m.LocationID)
		for _, l := range m.Lines {
			r = shrinkReservation(r, l.SKU, l.Quantity) // the held units first
			q := Pair{l.SKU, m.LocationID}
			on, _ := p.onHand(q)
			p.out.OnHand[q] = on - l.Quantity
		}
		p.out.Reservations[m.LocationID] = r

	case MoveTransfer:
		src := p.own(m.LocationID)
		for _, l := range m.Lines {
			if held, _ := lineOfReservation(src, l.SKU); held.Quantity < l.Quantity {
				return &NotFoundError{BasketID: p.basket, LocationID: m.LocationID, SKU: l.SKU}
			}
		}
		var short []Shortage
		for _, l := range m.Lines {
			q := Pair{l.SKU, m.LocationID}
			on, _ := p.onHand(q)
			c, err := p.covered(q, on)
			if err != nil {
				return err
			}
			if l.Quantity > c {
				short = append(short, Shortage{SKU: l.SKU, LocationID: m.LocationID, Requested: l.Quantity, Available: c})
			}
		}
		if len(short) > 0 {
			return &ShortageError{Shortages: short}
		}
		arriving := slices.Clone(m.Lines)
		for j, l := range m.Lines {
			src = shrinkReservation(src, l.SKU, l.Quantity)
			from := Pair{l.SKU, m.LocationID}
			on, _ := p.onHand(from)
			p.out.OnHand[from] = on - l.Quantity
			if err := p.add(Pair{l.SKU, m.To}, l.Quantity, field(j)); err != nil {
				return err
			}
			arriving[j].HeldSince = p.now // ranked as new at To
		}
		p.out.Reservations[m.LocationID] = src
		until := m.ExpiresAt
		if dst := p.own(m.To); dst != nil {
			arriving = MergeLines(dst.Lines, arriving)
			if dst.ExpiresAt.After(until) {
				until = dst.ExpiresAt // arriving goods never shorten a hold already there
			}
		}
		p.out.Reservations[m.To] = &Reservation{BasketID: p.basket, LocationID: m.To, Lines: arriving, ExpiresAt: until}

	case MoveRestock:
		for j, l := range m.Lines {
			if err := p.add(Pair{l.SKU, m.LocationID}, l.Quantity, field(j)); err != nil {
				return err
			}
		}
	}
	return nil
}

// lineOfReservation returns r's line of sku; false when r is nil or holds
// none.
func lineOfReservation(r *Reservation, sku string) (ReserveLine, bool) {
	if r == nil {
		return ReserveLine{}, false
	}
	return r.Line(sku)
}

// shrinkReservation takes q units of sku off r's line (at most the line),
// dropping an emptied line and returning nil when nothing is left.
func shrinkReservation(r *Reservation, sku string, q int64) *Reservation {
	if r == nil {
		return nil
	}
	r.Lines = slices.DeleteFunc(r.Lines, func(l ReserveLine) bool { return l.SKU == sku && l.Quantity <= q })
	for i := range r.Lines {
		if r.Lines[i].SKU == sku {
			r.Lines[i].Quantity -= q
		}
	}
	if len(r.Lines) == 0 {
		return nil
	}
	return r
}
