package basket

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/stock"
)

// OrderPolicy configures the product flow. The zero value is the default
// of every field.
type OrderPolicy struct {
	// CollectWindow is how long goods wait for collection once they are
	// ready at the pickup store (click & collect, transfer); 72 hours
	// when 0. After it the goods may be released as a no-show.
	CollectWindow time.Duration
	// ShipWindow is how long goods to ship stay held once ready, waiting
	// for the source to dispatch them; 14 days when 0.
	ShipWindow time.Duration
	// ReturnWindow is how long after placing an order its goods may be
	// returned, in any channel; 30 days when 0.
	ReturnWindow time.Duration
	// HoldWindow bounds how long a cart may hold stock before it is
	// ordered ([Service.Hold]); 24 hours when 0.
	HoldWindow time.Duration
	// Series says how invoices and credit notes are numbered: one
	// sequence per retailer (the default) or one per store.
	Series SeriesScope
	// Restock names the location returned units go to, given where they
	// were brought back; nil puts them back on that location's shelf.
	// Return a quarantine location to inspect them first.
	Restock func(returnedAt string) string
}

// SeriesScope says which documents share a numbering sequence.
type SeriesScope uint8

// The series scopes.
const (
	// SeriesPerRetailer numbers every invoice of the retailer in one
	// sequence ("INV-maison"), credit notes in another ("CN-maison").
	SeriesPerRetailer SeriesScope = iota
	// SeriesPerLocation gives each store (and the web, by channel) its
	// own sequences ("INV-lyon-bellecour").
	SeriesPerLocation
)

// The defaults of [OrderPolicy].
const (
	DefaultCollectWindow = 72 * time.Hour
	DefaultShipWindow    = 14 * 24 * time.Hour
	DefaultReturnWindow  = 30 * 24 * time.Hour
	DefaultHoldWindow    = 24 * time.Hour
)

func (p OrderPolicy) withDefaults() OrderPolicy {
	if p.CollectWindow <= 0 {
		p.CollectWindow = DefaultCollectWindow
	}
	if p.ShipWindow <= 0 {
		p.ShipWindow = DefaultShipWindow
	}
	if p.ReturnWindow <= 0 {
		p.ReturnWindow = DefaultReturnWindow
	}
	if p.HoldWindow <= 0 {
		p.HoldWindow = DefaultHoldWindow
	}
	return p
}

// series names the numbering sequence of a document kind for a basket.
func (p OrderPolicy) series(kind DocumentKind, retailer string, where channel.Context) string {
	prefix := "INV"
	if kind == CreditNote {
		prefix = "CN"
	}
	scope := retailer
	if p.Series == SeriesPerLocation {
		scope = where.LocationID
		if scope == "" {
			scope = where.ChannelID
		}
	}
	if scope == "" {
		scope = "default"
	}
	return prefix + "-" + scope
}

// restockAt is where units returned at a location go.
func (p OrderPolicy) restockAt(returnedAt string) string {
	if p.Restock == nil {
		return returnedAt
	}
	if to := p.Restock(returnedAt); to != "" {
		return to
	}
	return returnedAt
}

// collects reports whether the shopper collects goods of this mode at a
// store (rather than taking them now or having them shipped).
func collects(m channel.FulfilmentMode) bool {
	return m == channel.ClickCollect || m == channel.Transfer
}

// route turns a priced, orderable basket into its fulfilment orders: one
// per source location and mode, in (location, mode) order, numbered F1,
// F2 …. Each takes the units its allocations give it; a service line
// (ParentID set) travels with the first fulfilment order of its parent
// and holds no stock. Carry-out is handed over at once (collected).
func route(b *Basket, placedAt time.Time, p OrderPolicy) ([]FulfilmentOrder, error) {
	type key struct {
		loc  string
		mode channel.FulfilmentMode
	}
	services := map[string][]ServiceLine{}
	for _, l := range b.Lines {
		if l.ParentID != "" {
			services[l.ParentID] = append(services[l.ParentID], ServiceLine{LineID: l.ID, SKU: l.SKU, Name: l.Product.Name, Quantity: l.Quantity})
		}
	}
	byKey := map[key]*FulfilmentOrder{}
	var keys []key
	for _, l := range b.Lines {
		if l.ParentID != "" {
			continue
		}
		pl, ok := b.Result.Line(l.ID)
		if !ok || pl.Fulfilment.Allocated() != l.Quantity {
			return nil, &InputError{Field: "Lines", Reason: "line " + l.ID + " is not fully sourced", Kind: ErrNotOrderable}
		}
		for _, a := range pl.Fulfilment.Allocations {
			k := key{a.LocationID, a.Mode}
			fo := byKey[k]
			if fo == nil {
				fo = &FulfilmentOrder{LocationID: a.LocationID, Mode: a.Mode}
				byKey[k] = fo
				keys = append(keys, k)
			}
			fo.Lines = append(fo.Lines, FulfilmentLine{LineID: l.ID, SKU: l.SKU, Name: l.Product.Name, Quantity: a.Quantity, Unit: l.Unit})
			fo.LeadTime = max(fo.LeadTime, a.LeadTime)
		}
	}
	slices.SortFunc(keys, func(x, y key) int {
		if c := cmp.Compare(x.loc, y.loc); c != 0 {
			return c
		}
		return cmp.Compare(x.mode, y.mode)
	})
	out := make([]FulfilmentOrder, 0, len(keys))
	attached := map[string]bool{}
	for i, k := range keys {
		fo := *byKey[k]
		fo.ID = fmt.Sprintf("F%d", i+1)
		fo.ReadyAt = placedAt.Add(fo.LeadTime)
		fo.UpdatedAt = placedAt
		fo.Status = FulfilmentOpen
		switch {
		case fo.Mode == channel.CarryOut:
			fo.Status = FulfilmentCollected
		case collects(fo.Mode):
			if b.Context.LocationID == "" {
				return nil, &InputError{Field: "Context.LocationID", Reason: "a " + fo.Mode.String() + " order needs a pickup store", Kind: ErrNotOrderable}
			}
			fo.PickupLocationID = b.Context.LocationID
			fo.HoldUntil = fo.ReadyAt.Add(p.CollectWindow)
		default:
			fo.HoldUntil = fo.ReadyAt.Add(p.ShipWindow)
		}
		for j := range fo.Lines {
			id := fo.Lines[j].LineID
			if !attached[id] {
				fo.Lines[j].Services, attached[id] = services[id], true
			}
		}
		out = append(out, fo)
	}
	return out, nil
}

// orderMoves is the stock side of placing an order: carry-out units
// handed over (taken from the basket's own holds first), the other
// fulfilment orders' units held at their source until their deadline
// (replacing what the basket held there), and every other hold of the
// basket released, so that its holds become exactly the order's.
func orderMoves(basketID string, fos []FulfilmentOrder, own []stock.Reservation) *stock.Change {
	c := &stock.Change{BasketID: basketID}
	holds := map[string]*stock.Movement{}
	var holdLocs []string
	for _, fo := range fos {
		lines := fulfilmentStock(fo)
		if fo.Mode == channel.CarryOut {
			c.Movements = append(c.Movements, stock.Movement{Kind: stock.MoveDeduct, LocationID: fo.LocationID, Lines: lines})
			continue
		}
		m := holds[fo.LocationID]
		if m == nil {
			m = &stock.Movement{Kind: stock.MoveHold, LocationID: fo.LocationID}
			holds[fo.LocationID] = m
			holdLocs = append(holdLocs, fo.LocationID)
		}
		m.Lines = append(m.Lines, lines...)
		if fo.HoldUntil.After(m.ExpiresAt) {
			m.ExpiresAt = fo.HoldUntil
		}
	}
	slices.Sort(holdLocs)
	for _, loc := range holdLocs {
		c.Movements = append(c.Movements, *holds[loc])
	}
	for _, r := range own {
		if holds[r.LocationID] == nil {
			c.Movements = append(c.Movements, stock.Movement{Kind: stock.MoveRelease, LocationID: r.LocationID})
		}
	}
	if len(c.Movements) == 0 {
		return nil
	}
	return c
}

// fulfilmentStock is the goods of a fulfilment order as stock lines
// (services hold no stock).
func fulfilmentStock(fo FulfilmentOrder) []stock.ReserveLine {
	out := make([]stock.ReserveLine, 0, len(fo.Lines))
	for _, l := range fo.Lines {
		out = append(out, stock.ReserveLine{SKU: l.SKU, Quantity: l.Quantity})
	}
	return out
}
