// Package stock answers "can this basket be had, from where, how, and
// hold it for me": stock levels, fulfilment plans and reservations that
// never oversell.
//
// Three parts, all behind small interfaces so that the storage is the
// caller's choice (adapters/memory provides an in-memory one):
//
//   - A [Provider] returns [Levels] (on hand, reserved, available, next
//     arrival) for many SKUs × locations in one call. A pair it does not
//     know is absent — "unknown" — which is distinct from a level with
//     OnHand 0, and is never treated as in stock.
//   - [Plan] turns basket lines into a [FulfilmentPlan]: per line,
//     allocations across the channel context's ordered stock sources, split
//     allowed, each with a fulfilment mode and a lead time; what cannot be
//     sourced is reported as Short, never dropped. It is pure and
//     deterministic.
//   - A [Reserver] holds units for a basket at a location: all or nothing,
//     idempotent per request key, replaceable and transferable atomically,
//     with expiry judged at read time against an injected clock.
//   - A [Ledger] is the one truth about units: a Provider and a Reserver
//     that also takes batches of on-hand counts ([Feed]: full counts or
//     deltas, each applied once; [Sync] from any provider), lists every
//     basket's holds ([HoldLister]) and applies the movements of the
//     product flow ([Change]: hold, release, hand over, transfer, restock)
//     all or nothing, by the rules of [Play]. [NetOfHolds] nets an outside
//     on-hand source (an ERP read live) of the ledger's holds, so a unit
//     held for one basket is never offered to another.
//
// The main calls:
//
//	levels, err := provider.Levels(ctx, stock.Query{SKUs: skus, Locations: chctx.StockSources})
//	plan, err := stock.Plan(demands, chctx, locations, levels)
//	res, err := reserver.Reserve(ctx, stock.ReserveRequest{
//		BasketID: id, RequestKey: key, LocationID: chctx.LocationID,
//		Lines: lines, ExpiresAt: now.Add(15 * time.Minute),
//	})
//
// # Planning rules
//
// Sources are ctx.StockSources in order. Lines are taken in LineID order
// and lines of the same SKU compete for the same units (demand is summed per
// SKU, the lower LineID served first); each line takes what it can from the
// first usable source, then the next.
//
// The mode of a source is the first of these that both ctx.Allows and the
// [Location] lists in its Modes:
//
//   - the context's own location (ctx.LocationID): CarryOut in a physical
//     channel (store, kiosk), then ClickCollect, then its shipping mode;
//   - another location, when the context has a location: Transfer to it,
//     then its shipping mode;
//   - the shipping mode is ShipFromStore for a [Store] and ShipToAddress
//     for a [Warehouse] or a [DarkStore].
//
// A line's Preferred mode, when some source offers a mode of the same group,
// restricts the line to that group — CarryOut; ClickCollect or Transfer
// (collect here); ShipToAddress or ShipFromStore (delivery) — so that a
// shopper in a store who wants home delivery is only sourced through
// shipping sources, the rest being Short. A preference no source can serve
// is ignored. Lead times come from [Location.LeadTimes].
//
// # Shrinkage
//
// A stock feed may lower on-hand below what reservations hold. Holds are
// then ranked oldest first ([ReserveLine.HeldSince], ties by basket ID)
// and covered in that order; the rest of each is at risk
// ([ReserveLine.AtRisk], listed by [HoldsAtRisk], ranked by [Cover]). A
// basket planning with levels.WithoutReservations(own) sees on-hand minus
// what other baskets' holds cover, which is exactly what Reserve will
// grant it: no unit is offered to two baskets. See [Reserver].
//
// # Errors
//
// Every error matches a sentinel with errors.Is — [ErrInvalid],
// [ErrInsufficientStock] (alias [ErrOutOfStock]), [ErrUnknown],
// [ErrNotFound], [ErrConflict] — and carries details reachable with
// errors.As: [*InputError], [*ShortageError], [*NotFoundError],
// [*ConflictError]. Bad input changes nothing. Context cancellation errors
// of the calls that take a context.Context are returned as they are.
//
// The package does no I/O and never reads the wall clock: time comes from
// channel.Context.AsOf or from the clock a [Reserver] implementation is
// given. Quantities are whole units in int64.
package stock
