-- 0006: the arrivals list. A shopper who checks in by a store's location
-- tag is on that store's arrivals list (basket.Arrival); the columns copy
-- the snapshot's arrival so that the list is an index range scan, not a
-- scan of every snapshot. NULL when the basket has no arrival. The time is
-- int64 nanoseconds since the Unix epoch, like every instant judged against
-- the injected clock (see 0001): "since" is exact.

ALTER TABLE baskets
    ADD COLUMN arrival_location text COLLATE "C",
    ADD COLUMN arrival_at_ns    bigint;

CREATE INDEX baskets_arrival_idx ON baskets (arrival_location, arrival_at_ns DESC)
    WHERE arrival_location IS NOT NULL;
