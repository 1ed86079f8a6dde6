// Package postgres keeps omnibasket's state in PostgreSQL (through pgx), so
// that every instance of a deployment serves the same baskets, stock
// reservations and single-use check-in tokens. One [Store] implements
//
//   - [basket.Store]: baskets as a JSON snapshot plus indexed columns, their
//     append-only event history, idempotency records;
//   - a transactional event outbox over that history ([Store.ReadOutbox]);
//   - [stock.Ledger]: stock levels fed by the retailer in batches
//     ([Store.Feed], full or delta, each applied once) or pair by pair
//     ([Store.SetOnHand], [Store.SetNextArrival]), reservations that never
//     oversell, every basket's holds ([Store.Holds]) and the movements of
//     the product flow ([Store.Apply]);
//   - [basket.LedgerStore] and [basket.DocumentStore]: Save applies
//     Write.Stock to that ledger and numbers Write.Documents (invoices,
//     credit notes) in the same transaction as the basket write;
//   - [handoff.ReplayStore]: the nonces of redeemed check-in tokens;
//   - [handoff.CodeStore] and [handoff.AttemptStore]: live short codes with
//     each location's window of failed guesses, and each basket's
//     location-tag attempts, shared by every instance ([Store.PruneHandoff]
//     trims them);
//   - the saved positions of outbox relays ([Store.RelayPosition],
//     [Store.SaveRelayPosition]), such as adapters/natsjs's, kept with the
//     outbox they follow.
//
// Every conformance suite of the module (basket/baskettest,
// stock/stocktest, basket/handoff/handofftest) runs against it.
//
// # Opening and migrating
//
//	store, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), postgres.Options{Schema: "shop"})
//	if err != nil { … }
//	defer store.Close()
//	if err := store.Migrate(ctx); err != nil { … } // at deployment or start-up
//
// Or [New] over a pgxpool.Pool the program already has. Opening never
// changes the database: the embedded migrations (migrations/0001_init.sql,
// …) are applied only by an explicit [Store.Migrate], which is idempotent
// and safe when several instances call it at once. All tables live in one
// schema, [Options.Schema] ("omnibasket" by default), always quoted, so
// that tenants or tests can each have their own. The role needs the usual
// DML rights on that schema, plus CREATE for Migrate. The server must be
// PostgreSQL 13 or later: the outbox orders events by 64-bit transaction
// IDs (xid8, pg_current_xact_id).
//
// # Concurrency guarantees
//
// Every method is safe for concurrent use by goroutines and by any number
// of processes sharing the database; no guarantee relies on in-process
// locking. Transactions run at READ COMMITTED; the guarantees come from
// conditional writes, row locks and transaction-scoped advisory locks:
//
//   - Save is all or nothing (baskets, events, idempotency record, merged
//     baskets of Write.Also). Its version check is an UPDATE … WHERE
//     version = expected: of concurrent writers from the same version,
//     exactly one succeeds and the others get a [*basket.VersionConflictError]
//     with the current version. Baskets are locked in ID order. An
//     idempotency key is a primary key: of concurrent writes with the same
//     key, one commits and the others get [basket.ErrIdempotencyKeyUsed].
//   - The outbox delivers every committed event exactly once to a consumer
//     that goes on from its [Cursor], each basket's events in order,
//     without a lock shared by writers: an event is delivered once every
//     transaction older than its own has ended (see [Store.ReadOutbox] for
//     how, and what it costs).
//   - Reservations never oversell: each basket's calls are serialized by an
//     advisory lock on the basket, and the stock rows involved are locked
//     in (SKU, location) order before availability is read, so competing
//     reservations of a SKU are decided one after the other by the
//     database; a reserved-units counter per row changes in the same
//     statement as the reservation lines. Expiry is judged when read,
//     against [Options.Clock], passed to each query (SQL now() is never
//     used), so an expired reservation holds nothing whether or not
//     [Store.Prune] has deleted it yet.
//   - A nonce is consumed by one INSERT … ON CONFLICT: exactly one of
//     concurrent consumers succeeds.
//   - An order and its holds, a collection and its hand-over, a return and
//     its restock commit together or not at all: Save runs the stock
//     movements inside its transaction. Document series are row-locked in
//     name order, so numbers are gapless, unique and in issue-time order
//     across processes; a write that fails consumes no number.
//
// A transaction aborted by a serialization failure (40001) or a deadlock
// (40P01) is retried with bounded exponential backoff and jitter
// ([Options.MaxRetries]); with the lock orders above, neither is expected.
// A connection lost mid-transaction rolls it back entirely and is not
// retried.
//
// # History and retention
//
// The events table, which is also the outbox, is partitioned by UTC month
// (migration 0011). [Store.PrepareHistory] creates the coming months ahead
// of time (omnibasketd's maintenance does, two months ahead; Migrate
// creates the current and the next); an event whose month has no
// partition yet waits in a default partition until PrepareHistory moves
// it into its month, so no write ever fails for want of one. Creating and
// dropping months needs the role that owns the tables. Retention drops
// whole months with [Store.DropHistory] in a step that holds the table for
// milliseconds, never by deleting rows, and never a month that a saved
// relay position ([Store.SaveRelayPosition]) has not passed:
//
//	store.PrepareHistory(ctx, now.AddDate(0, 2, 0))
//	dropped, err := store.DropHistory(ctx, now.AddDate(0, -13, 0), nil) // keep 13 months
//
// Reading a basket probes only the months from its first event on (each
// basket records that instant), so reads do not grow with the months
// kept. Baskets, their checkpoints and everything else are kept; only the
// events of dropped months go ([Store.HistoryAt] then reports
// [ErrHistoryDropped] for a version it can no longer rebuild).
//
// # Errors
//
// Refusals are the domain's errors: [basket.ErrNotFound],
// [basket.ErrAlreadyExists], [*basket.VersionConflictError],
// [basket.ErrIdempotencyKeyUsed], [basket.ErrInvalid]; the stock package's
// [*stock.InputError], [*stock.ShortageError], [*stock.NotFoundError],
// [*stock.ConflictError]; [handoff.ErrAlreadyUsed]. Database failures are
// wrapped with %w: the *pgconn.PgError (or network error) stays reachable
// with errors.As, a value PostgreSQL refuses (SQLSTATE class 22, such as a
// NUL byte in an ID) also matches the domain's ErrInvalid, and a call whose
// context ended also matches the context's error.
//
// # Time
//
// Instants the store judges (reservation expiry, request-key age, nonce
// expiry) are kept as int64 nanoseconds since the Unix epoch, so that
// "active at expiry − 1 ns, expired at expiry" holds exactly; reservation
// times outside the years 1678 to 2262 are refused as invalid input. Event
// times keep their nanoseconds too.
//
// # Tests and examples
//
// The tests need a server: they run when OMNIBASKET_POSTGRES_URL is set
// (.ci/run starts a local PostgreSQL and sets it) and are skipped
// otherwise, each in its own throw-away schema. The package example has no
// Output comment, so `go test` compiles it but does not run it.
package postgres
