-- 0001: baskets with their event history (the outbox) and idempotency
-- records; stock levels, reservations and request keys; handoff nonces.
--
-- Migrate runs this with search_path set to the store's schema only, so
-- every object below is created there. Identifiers compared by the code
-- (SKUs, locations, basket IDs of the stock tables) use the "C" collation:
-- byte order, the order Go's sort uses, and the fastest comparison.
-- Instants judged against the injected clock (reservation expiry, nonce
-- expiry, request-key age) are stored as int64 nanoseconds since the Unix
-- epoch so that "active at expiry - 1ns, expired at expiry" is exact.

CREATE SEQUENCE basket_owner_seq;

CREATE TABLE baskets (
    id          uuid PRIMARY KEY,
    version     bigint NOT NULL CHECK (version > 0),
    customer_id text COLLATE "C",            -- NULL for an anonymous basket
    owner_seq   bigint NOT NULL DEFAULT nextval('basket_owner_seq'),
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    snapshot    jsonb NOT NULL               -- encoding/json of *basket.Basket
);
CREATE INDEX baskets_customer_idx ON baskets (customer_id, owner_seq) WHERE customer_id IS NOT NULL;

CREATE TABLE basket_events (
    basket_id   uuid NOT NULL REFERENCES baskets (id),
    seq         bigint NOT NULL CHECK (seq > 0),
    -- position orders the outbox: Save takes a transaction-scoped advisory
    -- lock before inserting events, so positions become visible in order.
    position    bigserial NOT NULL,
    type        text NOT NULL,
    at          timestamptz NOT NULL,        -- microseconds ...
    at_nanos    integer NOT NULL DEFAULT 0 CHECK (at_nanos BETWEEN 0 AND 999), -- ... plus the rest
    channel_id  text NOT NULL,
    location_id text NOT NULL DEFAULT '',
    actor       jsonb NOT NULL,
    data        jsonb NOT NULL,
    PRIMARY KEY (basket_id, seq)
);
CREATE UNIQUE INDEX basket_events_position_idx ON basket_events (position);

CREATE TABLE basket_idempotency (
    key       text COLLATE "C" PRIMARY KEY,
    digest    bytea NOT NULL,
    basket_id uuid NOT NULL,
    version   bigint NOT NULL,
    outcome   bytea
);

CREATE TABLE stock_levels (
    sku             text COLLATE "C" NOT NULL,
    location_id     text COLLATE "C" NOT NULL,
    on_hand         bigint NOT NULL CHECK (on_hand >= 0),
    -- reserved is the sum of every reservation line of the pair, active or
    -- expired but not yet deleted; the active part is reserved minus the
    -- lines whose expiry has passed. Only changed under the row's lock, in
    -- the same statement that inserts or deletes the lines.
    reserved        bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    next_arrival_ns bigint,
    PRIMARY KEY (sku, location_id)
);

CREATE TABLE stock_reservations (
    basket_id     text COLLATE "C" NOT NULL,
    location_id   text COLLATE "C" NOT NULL,
    request_key   text COLLATE "C" NOT NULL,
    expires_at_ns bigint NOT NULL,
    PRIMARY KEY (basket_id, location_id)
);
CREATE INDEX stock_reservations_expiry_idx ON stock_reservations (expires_at_ns);

CREATE TABLE stock_reservation_lines (
    basket_id     text COLLATE "C" NOT NULL,
    location_id   text COLLATE "C" NOT NULL,
    sku           text COLLATE "C" NOT NULL,
    quantity      bigint NOT NULL CHECK (quantity > 0),
    expires_at_ns bigint NOT NULL,           -- copy of the reservation's
    PRIMARY KEY (basket_id, location_id, sku),
    FOREIGN KEY (basket_id, location_id) REFERENCES stock_reservations (basket_id, location_id),
    FOREIGN KEY (sku, location_id) REFERENCES stock_levels (sku, location_id)
);
CREATE INDEX stock_reservation_lines_pair_idx
    ON stock_reservation_lines (location_id, sku, expires_at_ns) INCLUDE (quantity);

CREATE TABLE stock_request_keys (
    basket_id      text COLLATE "C" NOT NULL,
    request_key    text COLLATE "C" NOT NULL,
    digest         text NOT NULL,            -- PayloadDigest of the first success
    recorded_at_ns bigint NOT NULL,
    -- the first outcome, returned to a replay
    location_id    text COLLATE "C" NOT NULL,
    expires_at_ns  bigint NOT NULL,
    skus           text[] NOT NULL,
    quantities     bigint[] NOT NULL,
    PRIMARY KEY (basket_id, request_key)
);
CREATE INDEX stock_request_keys_age_idx ON stock_request_keys (recorded_at_ns);

CREATE TABLE handoff_nonces (
    nonce         bytea PRIMARY KEY,
    expires_at_ns bigint NOT NULL
);
CREATE INDEX handoff_nonces_expiry_idx ON handoff_nonces (expires_at_ns);
