-- 0008: an outbox without a global lock. Each event records the
-- transaction that wrote it (xid8: 64 bits, never wraps around), and
-- readers take only the events of transactions that have ended, below the
-- horizon pg_snapshot_xmin(pg_current_snapshot()), in (tx, position)
-- order: no transaction can later commit below that horizon, so a reader
-- that goes on from its last (tx, position) never skips an event, and
-- writers no longer queue on an advisory lock to commit one at a time.
--
-- Each basket records the transaction of its last write: a write is
-- accepted only from a later transaction (last_tx < pg_current_xact_id()),
-- so that the events of one basket are in order in (tx, position) too.
--
-- Rows written before this migration take transaction 0: old events keep
-- their position order, before every new one, so a position a consumer
-- saved is the cursor (0, position). The defaults also serve binaries that
-- predate this migration during a rolling upgrade (their events get their
-- transaction), but their readers assume the lock: stop outbox consumers
-- of earlier versions before writers of this one start (docs/stability.md).

ALTER TABLE basket_events ADD COLUMN tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE basket_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id();
-- The readers' order; it replaces the position index, which no query uses
-- any more.
CREATE INDEX basket_events_tx_idx ON basket_events (tx, position);
DROP INDEX basket_events_position_idx;

ALTER TABLE baskets ADD COLUMN last_tx xid8 NOT NULL DEFAULT '0';
ALTER TABLE baskets ALTER COLUMN last_tx SET DEFAULT pg_current_xact_id();
