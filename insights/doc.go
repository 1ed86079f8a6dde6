// Package insights is the lifecycle read model: fed the basket events of
// every basket (the outbox of a PostgreSQL store, the [Outbox] of a memory
// store, or replayed histories), it answers, per period and channel, how
// many baskets were started, checked in at a store, ordered, abandoned or
// merged; how many orders crossed channels (web to store, store to web);
// how long shoppers took from a store check-in to the order; which
// promotions the orders carried; and which wallet coupons a channel did not
// honour. docs/insights.md defines every figure.
//
// # The model
//
// [Model] is pure: [Model.Apply] takes one event at a time, with no clock,
// no I/O and no personal data (it reads channels, times, statuses,
// promotion IDs and coupon codes, never owners or loyalty accounts, so a
// history whose customer IDs were pseudonymised reports the same).
// [Model.Report] aggregates what it was fed over a [Period] cut into days
// or weeks:
//
//	m := insights.NewModel()
//	for _, e := range events { // any interleaving of baskets
//		if err := m.Apply(e); err != nil { … }
//	}
//	r, err := m.Report(insights.Period{From: monday, To: nextMonday, Granularity: insights.Day})
//
// It is idempotent (an event whose basket and sequence number it has seen
// is ignored, so an at-least-once feed counts each event once) and
// tolerant of baskets interleaved in any order, as long as the events of
// one basket arrive in sequence (they do, from an outbox or a history).
// Its reports are deterministic: the same events, in any interleaving,
// give the same report, sorted.
//
// # Keeping it current
//
// A [Tracker] owns a model and a position in a [Feed] (an outbox read by
// position); each [Tracker.Report] first reads what the feed gained since
// the last one, then answers. Nothing runs in the background: the report
// is as fresh as the request, and a large backlog is read once, in
// batches, by whichever call comes first ([Tracker.CatchUp] at start-up
// does it ahead of the first request).
package insights
