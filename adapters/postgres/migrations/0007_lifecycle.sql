-- 0007: the data lifecycle. Idempotency records carry the time they were
-- stored, so that they can be forgotten after a retention; baskets carry
-- the time of their last change as int64 nanoseconds, so that the sweep
-- of abandoned carts lists them by an index range, exactly against the
-- injected clock (like every instant of 0001); and the idempotency
-- records of a basket are found by an index when its customer is erased.
--
-- Records stored before this migration take the migration's time: they
-- are forgotten one retention after the upgrade. Baskets take their
-- updated_at (microseconds: the nanoseconds were only in the snapshot).
-- The defaults serve binaries that predate this migration during a
-- rolling upgrade: their records take the database's clock, and their
-- baskets an activity time of 0 or of their previous write, which only
-- lists them early for the sweep; the sweep re-reads every basket and
-- judges its activity from the basket itself, so none is swept early.

ALTER TABLE basket_idempotency
    ADD COLUMN recorded_at_ns bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint;
CREATE INDEX basket_idempotency_age_idx ON basket_idempotency (recorded_at_ns);
CREATE INDEX basket_idempotency_basket_idx ON basket_idempotency (basket_id);

ALTER TABLE baskets ADD COLUMN updated_at_ns bigint NOT NULL DEFAULT 0;
UPDATE baskets SET updated_at_ns = (extract(epoch FROM updated_at) * 1000000000)::bigint;
-- Inactive(statuses, before, after): one range per status, oldest first.
CREATE INDEX baskets_activity_idx ON baskets (status, updated_at_ns, id);
