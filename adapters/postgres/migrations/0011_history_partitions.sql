-- 0011: the event history (which is also the outbox) partitioned by
-- month, so that retention detaches and drops a whole month in one short
-- step (Store.DropHistory) instead of deleting rows one by one, and a
-- table that only grows never has to be vacuumed as a whole.
--
-- The table is partitioned by RANGE (at), one partition per UTC month,
-- named basket_events_YYYY_MM (the names Store.PrepareHistory gives). The
-- primary key must contain the partition key, so it becomes
-- (basket_id, seq, at): reads by basket use its (basket_id, seq) prefix
-- in every partition. A basket's Seq stays unique without the key: Save
-- appends events only after the compare-and-swap of the basket's row
-- (version = expected), which one transaction at a time can pass.
--
-- A default partition, basket_events_default, takes the events of a
-- month that has no partition yet, so that no write ever fails for want
-- of one (the role that writes may not be allowed to create tables).
-- Store.PrepareHistory moves such events into their month when it
-- creates it; normally the default partition stays empty, because the
-- months are prepared ahead of time.
--
-- The reference to baskets is dropped: baskets are never deleted, Save
-- writes a basket's row and its events in one transaction, and with the
-- reference every creation and drop of a month would lock the baskets
-- table.
--
-- Existing events are copied into the months they belong to, with their
-- positions and transactions: outbox cursors saved before stay valid.
-- The copy holds the migration's lock for as long as it takes; on a large
-- history, run the migration in a quiet hour (docs/stability.md).

ALTER TABLE basket_events RENAME TO basket_events_0010;
ALTER INDEX basket_events_pkey RENAME TO basket_events_0010_pkey;
ALTER INDEX basket_events_tx_idx RENAME TO basket_events_0010_tx_idx;

CREATE TABLE basket_events (
    basket_id   uuid NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0),
    position    bigint NOT NULL DEFAULT nextval('basket_events_position_seq'),
    type        text NOT NULL,
    at          timestamptz NOT NULL,
    at_nanos    integer NOT NULL DEFAULT 0 CHECK (at_nanos BETWEEN 0 AND 999),
    channel_id  text NOT NULL,
    location_id text NOT NULL DEFAULT '',
    actor       jsonb NOT NULL,
    data        jsonb NOT NULL,
    tx          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (basket_id, seq, at)
) PARTITION BY RANGE (at);
CREATE INDEX basket_events_tx_idx ON basket_events (tx, position);
ALTER SEQUENCE basket_events_position_seq OWNED BY basket_events.position;

-- Bounds are written as UTC literals and computed on timestamps without
-- a zone, so that the session's TimeZone cannot shift a month.
DO $$
DECLARE
    m timestamp;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC') FROM basket_events_0010 LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF basket_events FOR VALUES FROM (%L) TO (%L)',
            'basket_events_' || to_char(m, 'YYYY_MM'),
            to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
            to_char(m + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
    END LOOP;
END
$$;

CREATE TABLE basket_events_default PARTITION OF basket_events DEFAULT;

INSERT INTO basket_events (basket_id, seq, position, type, at, at_nanos, channel_id, location_id, actor, data, tx)
    SELECT basket_id, seq, position, type, at, at_nanos, channel_id, location_id, actor, data, tx
    FROM basket_events_0010;
DROP TABLE basket_events_0010;

-- The earliest instant of each basket's events, so that reading a basket
-- skips the months before it at execution (partition pruning), however
-- many months are kept. Save lowers it to the earliest event it writes;
-- NULL means unknown and skips nothing (a basket written by a version
-- predating this migration keeps NULL).
ALTER TABLE baskets ADD COLUMN events_from timestamptz;
UPDATE baskets b SET events_from = x.first
    FROM (SELECT basket_id, min(at) AS first FROM basket_events GROUP BY basket_id) x
    WHERE b.id = x.basket_id;
