-- 0010: the state behind handoff short codes and location tags, shared by
-- every instance on the database (it lived in one process's memory, so a
-- location's short-code traffic had to go to one instance): the live short
-- codes of each location with the claims they stand for, each location's
-- window of failed guesses, and the recent location-tag attempts of each
-- basket. Every instant is judged against the injected clock passed in by
-- the caller (never SQL now()), as int64 nanoseconds since the Unix epoch
-- like the instants of 0001. Writers to one location take a
-- transaction-scoped advisory lock on it (see adapters/postgres/handoff.go).

CREATE TABLE handoff_codes (
    retailer_id   text COLLATE "C" NOT NULL,
    location_id   text COLLATE "C" NOT NULL,
    code          text COLLATE "C" NOT NULL,
    expires_at_ns bigint NOT NULL,          -- live while the caller's now is before it
    -- The claims the code stands for; their audience is the code's location.
    basket_id          uuid NOT NULL,
    purpose            smallint NOT NULL,
    key_id             text NOT NULL,
    nonce              bytea NOT NULL,
    issued_at_ns       bigint NOT NULL,
    claims_expire_at_ns bigint NOT NULL,
    PRIMARY KEY (retailer_id, location_id, code)
);
CREATE INDEX handoff_codes_expiry_idx ON handoff_codes (expires_at_ns);

-- One row per location with an open window of failed guesses (or one that
-- closed and was not pruned yet: a window is open while now < window_end_ns).
CREATE TABLE handoff_code_windows (
    retailer_id   text COLLATE "C" NOT NULL,
    location_id   text COLLATE "C" NOT NULL,
    window_end_ns bigint NOT NULL,
    failures      integer NOT NULL CHECK (failures > 0),
    PRIMARY KEY (retailer_id, location_id)
);
CREATE INDEX handoff_code_windows_end_idx ON handoff_code_windows (window_end_ns);

-- The counted location-tag attempts of a basket within its sliding window;
-- the row is useless from expires_at_ns on (its last attempt left the window).
CREATE TABLE handoff_tag_attempts (
    basket_id     uuid PRIMARY KEY,
    attempts_ns   bigint[] NOT NULL,
    expires_at_ns bigint NOT NULL
);
CREATE INDEX handoff_tag_attempts_expiry_idx ON handoff_tag_attempts (expires_at_ns);
