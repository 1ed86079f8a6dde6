package stock

import (
	"cmp"
	"slices"
	"time"
)

// Hold is one basket's hold of one SKU at one location: the unit that
// shrinkage ranks (see [Reserver]). [Cover] ranks the holds of a pair and
// sets their AtRisk; [HoldsAtRisk] lists the lines of reservations that
// are at risk as holds.
type Hold struct {
	// BasketID holds the units.
	BasketID string `json:"basket_id"`
	// LocationID and SKU name the pair held.
	LocationID string `json:"location_id"`
	SKU        string `json:"sku"`
	// Quantity is the number of units held.
	Quantity int64 `json:"quantity"`
	// HeldSince ranks the hold: older first (see [ReserveLine.HeldSince]).
	HeldSince time.Time `json:"held_since,omitzero"`
	// ExpiresAt ends the hold: it is active while now < ExpiresAt.
	ExpiresAt time.Time `json:"expires_at"`
	// AtRisk is the part of Quantity that on-hand does not cover, 0 ≤
	// AtRisk ≤ Quantity.
	AtRisk int64 `json:"at_risk"`
}

// Covered returns the units of the hold that on-hand covers: Quantity −
// AtRisk, within [0, Quantity].
func (h Hold) Covered() int64 {
	return ReserveLine{Quantity: h.Quantity, AtRisk: h.AtRisk}.Covered()
}

// compareRank orders the holds of one pair: older HeldSince first, then
// BasketID in byte order. A basket has one hold per pair, so the order is
// total.
func compareRank(a, b Hold) int {
	if c := a.HeldSince.Compare(b.HeldSince); c != 0 {
		return c
	}
	return cmp.Compare(a.BasketID, b.BasketID)
}

// Cover ranks the holds of one SKU at one location and covers them from
// onHand, the rule every [Reserver] follows under shrinkage: the holds
// active at now (now < ExpiresAt, Quantity > 0) are taken oldest first
// (HeldSince, then BasketID), each covered by what remains of onHand up to
// its Quantity; the rest of each is AtRisk. It returns those active holds
// in rank order with AtRisk set, leaving out expired holds (they hold
// nothing); a negative onHand counts as 0. The input is not modified and
// its order does not matter. The holds should all be of the same pair and
// of distinct baskets; Cover does not group them.
func Cover(onHand int64, now time.Time, holds []Hold) []Hold {
	out := make([]Hold, 0, len(holds))
	for _, h := range holds {
		if h.Quantity > 0 && now.Before(h.ExpiresAt) {
			out = append(out, h)
		}
	}
	slices.SortFunc(out, compareRank)
	left := max(onHand, 0)
	for i := range out {
		covered := min(out[i].Quantity, left)
		left -= covered
		out[i].AtRisk = out[i].Quantity - covered
	}
	return out
}

// HoldsAtRisk lists, as holds, the lines of rs that are at risk (AtRisk >
// 0), oldest hold first, then by location, SKU and basket: the order in
// which a basket reports them. It returns nil when every line is whole.
// Pass the reservations just read from [Reserver.Reservations]: AtRisk is
// computed when they are read.
//
//	own, err := reserver.Reservations(ctx, basketID)
//	for _, h := range stock.HoldsAtRisk(own) {
//		// h.AtRisk of h.Quantity units of h.SKU at h.LocationID are no longer covered
//	}
func HoldsAtRisk(rs []Reservation) []Hold {
	var out []Hold
	for _, r := range rs {
		for _, l := range r.Lines {
			if l.AtRisk <= 0 {
				continue
			}
			out = append(out, Hold{
				BasketID: r.BasketID, LocationID: r.LocationID, SKU: l.SKU,
				Quantity: l.Quantity, HeldSince: l.HeldSince, ExpiresAt: r.ExpiresAt,
				AtRisk: min(l.AtRisk, max(l.Quantity, 0)),
			})
		}
	}
	slices.SortFunc(out, func(a, b Hold) int {
		if c := a.HeldSince.Compare(b.HeldSince); c != 0 {
			return c
		}
		if c := cmp.Compare(a.LocationID, b.LocationID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.SKU, b.SKU); c != 0 {
			return c
		}
		return cmp.Compare(a.BasketID, b.BasketID)
	})
	return out
}
