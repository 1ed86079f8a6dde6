-- 0003: idempotency keys scoped to their caller and basket; checkpoints
-- that bound the events an idempotent retry replays.
--
-- Keys recorded before this migration had no scope and cannot be
-- attributed to a caller; they are dropped (a key only matters for the
-- minutes a client retries).

DROP TABLE basket_idempotency;

CREATE TABLE basket_idempotency (
    actor_kind text COLLATE "C" NOT NULL,
    actor_id   text COLLATE "C" NOT NULL,
    scope      uuid NOT NULL,               -- the basket addressed; the nil UUID for a check-in
    key        text COLLATE "C" NOT NULL,
    digest     bytea NOT NULL,
    basket_id  uuid NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (actor_kind, actor_id, scope, key)
);

-- A copy of a basket at a version, kept every few dozen events by the
-- Service's choice (basket.Write.Checkpoint): HistoryAt reads the newest
-- one at or before a version and the events after it.
CREATE TABLE basket_checkpoints (
    basket_id uuid NOT NULL REFERENCES baskets (id),
    version   bigint NOT NULL CHECK (version > 0),
    snapshot  jsonb NOT NULL,
    PRIMARY KEY (basket_id, version)
);
