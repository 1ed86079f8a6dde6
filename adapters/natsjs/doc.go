// Package natsjs carries the PostgreSQL outbox's basket events to a NATS
// JetStream stream, and hands them to the systems that act on them (a
// warehouse, a store's fulfilment screen, analytics).
//
// # Relay
//
// A [Relay] reads the outbox in cursor order ([postgres.Store.ReadOutbox],
// through the small [Outbox] interface, so that this package imports no
// database driver) and publishes each event to one stream, then saves its
// position in the database ([postgres.Store.SaveRelayPosition]) once the
// stream has acknowledged every event up to it. A restarted relay goes on
// from the saved position: it never skips an event, and at worst publishes
// again the events of a batch that was in flight. Each message carries the
// event's identity, "<basket ID>:<seq>", as its Nats-Msg-Id, so the
// stream's duplicate window ([StreamConfig]: two minutes unless changed)
// drops such a republished event. Several relays may run with the same
// name (a standby beside the active one): they publish the same messages,
// which the stream keeps once, and the saved position only moves forward.
//
// The events of one basket reach the stream in their order (Seq): an
// event is published only once the stream has acknowledged the previous
// event of its basket in the batch, and after a failed publish (a stream
// leader lost, a timeout) the relay starts again from the first event not
// acknowledged, so nothing of that basket was sent after it. Events of
// different baskets are pipelined.
//
// # Subjects
//
// An event is published on
//
//	<prefix>.<location>.<basket ID>.<event type>
//
// where prefix is the relay's (one per retailer, say "omnibasket.acme"),
// location is the event's location ID or "-" when it has none, and the
// event type is basket's, for instance "basket.fulfilment_ordered" (two
// tokens). A location ID byte other than an ASCII letter, digit, '-' or
// '_' is written %XX (so "-" itself is "%2D"): see [Subject]. A store
// system subscribes to "omnibasket.acme.lyon-bellecour.>", a fulfilment
// service to "omnibasket.acme.*.*.basket.fulfilment_ordered", an auditor
// of one basket to "omnibasket.acme.*.<basket ID>.>".
//
// # Consuming
//
// [Consume] runs a durable pull consumer and calls a handler per event,
// in stream order, acknowledging each once the handler returned nil; a
// handler error, or a handler slower than the consumer's AckWait, gets the
// event delivered again. Delivery is therefore at least once, and the
// downstream system makes it exactly once by the event's identity: it
// keeps, per basket, the Seq of the last event it acted on (in the same
// transaction as the effect), acts on the event whose Seq is the next
// one, skips an event whose Seq is not above it (a redelivery, a copy
// republished after the duplicate window), and returns an error for an
// event beyond the next (a redelivery overtaken by later events of the
// basket, or several processes sharing the durable consumer), which gets
// it delivered again after the missing one. One number per basket is
// enough: the stream holds each basket's events in order.
// [Delivery.StreamSeq] identifies the stored message itself.
//
// # Tests
//
// The tests start NATS servers in-process (github.com/nats-io/nats-server,
// a test-only dependency) as a three-node cluster and play faults: the
// stream leader killed during the relay, the relay restarted mid-batch, a
// consumer paused longer than its AckWait. They read PostgreSQL and are
// skipped when OMNIBASKET_POSTGRES_URL is unset.
package natsjs
