// Package basket is the persistent, channel-independent basket and its
// recontextualization: one basket per shopper that follows them from the web
// to a store's tablet and back, re-priced, re-promoted, re-taxed and
// re-sourced deterministically at every channel change, with a typed report
// of what changed that an associate can read to the shopper.
//
// # The pure core
//
// [Recontextualize] is a pure function of a [Basket], a target
// channel.Context and a [Snapshot] of the data involved:
//
//	r, err := basket.Recontextualize(b, storeCtx, snap, basket.Options{Policy: basket.PriceProtection})
//	for _, c := range r.Changes {
//		fmt.Println(c.Message()) // "Arc floor lamp is 159.00 EUR here (was 149.00 EUR)"
//	}
//
// It runs a fixed pipeline: unit prices (with provenance and the transition
// [Policy]) → catalogue promotions → basket promotions → fulfilment fees →
// tax → totals → fulfilment plan → change report. Same inputs give a
// byte-identical [Result] on any machine, in any price, promotion or stock
// order (lines are kept sorted by ID, an invariant [Basket.Validate]
// checks); recontextualizing into the same context twice reports nothing the
// second time. A line with no price or stock in the target is kept and
// reported, never dropped.
//
// # The aggregate
//
// A [Basket] changes only through events ([Basket.Apply]); every command
// (AddLine, SetQuantity, AddCoupon, Transition, Merge, CheckIn …) validates
// completely first and changes nothing on error. [Replay] rebuilds a basket
// from its history, exactly, and refuses a hostile one with an error rather
// than a panic. A pricing is recorded as a [ResultPatch] (what changed since
// the previous pricing), so histories grow with what commands change, not
// with the basket's size; [ReplayFrom] starts from a stored checkpoint.
// The lifecycle is Wishlist ⇄ Cart → Quote (prices locked until an expiry)
// → Ordered → Invoiced, with Abandoned; Ordered and Invoiced are final.
//
// # The shell
//
// [Service] loads a basket from a [Store], checks the actor's grant (a
// basket ID is not an authorization: the owner, or associates of a store
// the basket was checked in at), runs the command, gathers a Snapshot with
// one batched call per provider, prices the basket and saves basket and
// events atomically with a version check, retrying on conflict by re-running
// the command on a fresh read after a jittered, bounded [Backoff] (commands
// on one basket within one Service wait their turn rather than race). With
// [WithIdempotencyKey] a retried command returns its first outcome; keys
// are scoped to the caller and the basket, and a retry is authorized
// against the basket as it is now. Stores are adapters (adapters/memory,
// adapters/postgres) that pass the conformance suite in basket/baskettest.
//
// # Associate price overrides
//
// An associate serving the basket can set a line's price or take a
// discount off it, with a reason code ([Service.OverridePrice]). Each staff
// role has a limit ([Config.Overrides]: a percentage of the line's
// subtotal and an amount per currency); above it a manager approves that
// exact override with a signed, single-use token ([Service.ApproveOverride],
// the handoff machinery), or the override is refused with a
// [*LimitError] and nothing changes:
//
//	ap, err := svc.ApproveOverride(ctx, manager, id, req) // within the manager's own limit
//	req.Approval = ap.Token
//	b, err := svc.OverridePrice(ctx, associate, id, req)  // single use: a second time is handoff.ErrAlreadyUsed
//
// A set price replaces the line's price before promotions (which still
// apply on top, the common till rule); a discount comes off what the line
// costs after promotions. An override only ever lowers its line, holds for
// the quantity it was granted at, and by default ends when the basket
// leaves the store that granted it ([EndOnLeave]). Overrides are events,
// appear in the change report ([ChangeOverrideApplied],
// [ChangeOverrideRemoved], [ChangeOverrideEnded]) and in
// Result.Overrides with their reason, who granted and approved them, and
// their amount.
//
// # The product flow
//
// Statuses trigger the flow of goods (docs/flow.md has the whole picture):
//
//	order, err := svc.PlaceOrder(ctx, associate, id) // terms kept, one fulfilment order per location and mode
//	_, err = svc.Arrived(ctx, system, id, "F2")      // a transfer reached the pickup store
//	_, err = svc.Collect(ctx, associate, id, "F2")   // handed over: the hold ends, on-hand goes down
//	doc, err := svc.Invoice(ctx, associate, id)      // numbered from a gapless series
//	_, err = svc.Return(ctx, associate, id, basket.ReturnRequest{Lines: lines}) // refund = paid − kept, a credit note
//
// When the [Store] keeps a stock ledger ([LedgerStore]), every step's
// stock movements are saved in the same write as its events, so an order
// and its holds, a collection and its hand-over, a return and its restock
// are stored together or not at all. What a basket is offered is on-hand
// minus every other basket's live holds, also when on-hand is read from an
// ERP ([stock.NetOfHolds]). A return re-prices the kept lines under the
// order's own terms ([OrderTerms], [QuoteReturn]); invoices and credit
// notes are [Document]s numbered by a [DocumentStore]; [Service.CustomerView]
// shows a customer's baskets, orders, returns and documents across channels.
//
// # Weighed and measured goods
//
// A line sold by measure (cheese by the kg, fabric by the metre, fuel by
// the litre) records its unit of measure in [Line.Unit] and counts its
// quantity in whole thousandths of that unit ([MeasureDecimals]): 0.347 kg
// is Quantity 347 and Unit catalog.Kilogram. Counted goods have Unit
// catalog.Each (the zero value) and whole quantities, as before. Nothing
// is ever a float, and every integer path (stock plans, holds, the stock
// ledger, merges, stores) works unchanged: the stock levels and holds of a
// measured SKU are in the same thousandths, which a stock.Provider and a
// stock feed must therefore report (12.5 kg on hand is 12500).
//
// In JSON a measured line reads {"quantity":347,"unit":"kg"}: a quantity
// next to a unit is always in thousandths of it, the way an amount in
// minor units is in cents of its currency; "unit" is absent for counted
// goods, so their encoding is unchanged. The change report and documents
// carry the unit the same way, and [FormatQuantity] writes "0.347 kg".
//
// The price of a measured SKU is per unit of measure (24.90 EUR per kg, or
// per any quantity of it: 2.49 per 100 g); the line amount is price ×
// measure, rounded once with [Options.Rounding]
// ([pricing.UnitPrice.MulMeasure]: 0.347 kg at 24.90 is 8.6403, 8.64
// half-even). Per-unit tax rounding ([pricing.PerUnit]) taxes a measured
// line per line: it has no units whose tax a till could print.
//
// A second weighing of the same cheese is a second line (two packs, two
// labels), never a sum: [Basket.AddLine] and [Basket.Merge] do not combine
// measured lines. [Basket.SetQuantity] refuses a measured line, so that a
// whole number meant as metres is never taken as thousandths; correct a
// measure with [Basket.SetMeasure].
//
// At the API a measure is exact decimal data, never a float:
// [NewLine].Measure takes a catalog.Measure as a scale label or
// [ParseMeasure] gives it ("0.347 kg"), at most three decimals (a fourth
// is [ErrMeasureTooPrecise], 1.5 counted mugs [ErrFractionalQuantity]),
// converted exactly to the unit the catalogue sells the product in
// (grams to kilograms; [ErrUnitMismatch] otherwise). [Service.Scan] turns
// a scale's weight label into such a line; a label carrying a price is
// refused ([ErrPriceLabel]): a price set by a label is a price override.
// Promotions work on a measured line's amount (percent off, amount off or
// a fixed price per unit of measure); those that count units (buy X get
// Y, bundles, minimum quantities) never count it, and
// promotion.CompileWith refuses them for the SKUs it is told are measured.
package basket
