-- 0009: where each outbox relay (adapters/natsjs) has got to. A relay
-- saves the cursor of the last event its broker acknowledged, with every
-- event before it, so that a restarted relay goes on from there: it never
-- skips an event and at worst publishes again the few after it, which the
-- broker's duplicate window drops. One row per relay name; the cursor only
-- moves forward (see Store.SaveRelayPosition).

CREATE TABLE outbox_relays (
    name       text PRIMARY KEY CHECK (name <> ''),
    tx         xid8 NOT NULL,
    position   bigint NOT NULL CHECK (position >= 0),
    saved_at_ns bigint NOT NULL
);
