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
package basket
