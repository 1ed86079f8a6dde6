package stock

import (
	"context"
	"slices"
)

// NetOfHolds composes one availability truth from two sources: on-hand
// counts read from a provider the library does not keep (an ERP over
// HTTP, a CSV export) and the live holds of every basket kept by a
// [Ledger]. What a basket is offered is then on-hand minus every other
// basket's live holds, so a unit held for one shopper's click & collect is
// never offered to another, however on-hand is fed.
//
// For each pair the provider knows, the provider's Reserved is read as
// units reserved outside the library (the ERP's own allocations, served
// first); the ledger's holds are ranked as [Cover] ranks them and covered
// by what remains; Reserved becomes the external units plus the covered
// ones, never above OnHand. Pairs the provider does not know stay
// unknown, whatever is held on them. Holds are read in one call for the
// whole query.
//
// The ledger still decides every hold against the on-hand it was fed
// ([Feeder], [Sync]): feed it from the same source, and a basket offered
// units the ledger cannot give gets a [*ShortageError] when it orders,
// never a unit promised twice.
func NetOfHolds(onHand Provider, holds HoldLister) Provider {
	return netOfHolds{onHand: onHand, holds: holds}
}

type netOfHolds struct {
	onHand Provider
	holds  HoldLister
}

func (n netOfHolds) Levels(ctx context.Context, q Query) (Levels, error) {
	levels, err := n.onHand.Levels(ctx, q)
	if err != nil {
		return Levels{}, err
	}
	if levels.Len() == 0 {
		return levels, nil
	}
	held, err := n.holds.Holds(ctx, q)
	if err != nil {
		return Levels{}, err
	}
	if len(held) == 0 {
		return levels, nil
	}
	type pair struct{ sku, loc string }
	byPair := make(map[pair][]Hold)
	for _, h := range held {
		k := pair{h.SKU, h.LocationID}
		byPair[k] = append(byPair[k], h)
	}
	sorted := slices.Clone(levels.sorted)
	for i := range sorted {
		l := &sorted[i]
		hs := byPair[pair{l.SKU, l.LocationID}]
		if len(hs) == 0 {
			continue
		}
		external := min(max(l.Reserved, 0), max(l.OnHand, 0))
		covered := coverActive(max(l.OnHand, 0)-external, hs)
		l.Reserved = external + covered
	}
	return Levels{sorted: sorted, index: levels.index, locs: levels.locs, locOf: levels.locOf}, nil
}

// coverActive returns the units of holds (already known to be active)
// that free covers: which holds are covered depends on their rank, how
// many units are covered does not.
func coverActive(free int64, holds []Hold) int64 {
	var held int64
	for _, h := range holds {
		if h.Quantity > 0 && held <= free {
			held += h.Quantity
		}
	}
	return max(min(held, free), 0)
}
