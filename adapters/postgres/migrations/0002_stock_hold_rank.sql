-- 0002: rank stock holds, so that shrinkage never promises a unit twice.
--
-- When a stock feed lowers on_hand below what active reservations hold,
-- the holds of a SKU at a location are covered oldest first: by
-- held_since_ns (the store's clock when the line was taken, int64
-- nanoseconds like the other instants), ties broken by basket_id in byte
-- order. The uncovered part of a hold is reported at risk (see
-- stock.Reserver).
--
-- Lines held before this migration are ranked at the first success of the
-- request key that set them when it is still recorded, else before every
-- later hold (0). Lines inserted without a rank (by a binary that predates
-- this migration, during a rolling upgrade) take the database's clock.

ALTER TABLE stock_reservation_lines ADD COLUMN held_since_ns bigint;

UPDATE stock_reservation_lines l SET held_since_ns = COALESCE((
    SELECT k.recorded_at_ns
    FROM stock_reservations r
    JOIN stock_request_keys k ON k.basket_id = r.basket_id AND k.request_key = r.request_key
    WHERE r.basket_id = l.basket_id AND r.location_id = l.location_id), 0);

ALTER TABLE stock_reservation_lines
    ALTER COLUMN held_since_ns SET DEFAULT (extract(epoch FROM clock_timestamp()) * 1000000000)::bigint,
    ALTER COLUMN held_since_ns SET NOT NULL;

-- The rank walk: the holds of a pair in rank order, with what they hold.
CREATE INDEX stock_reservation_lines_rank_idx
    ON stock_reservation_lines (location_id, sku, held_since_ns, basket_id) INCLUDE (quantity, expires_at_ns);

-- The rank of each line of a request key's first outcome, returned to a
-- replay (NULL for keys recorded before this migration: the key's
-- recorded_at_ns stands for every line).
ALTER TABLE stock_request_keys ADD COLUMN held_since_ns bigint[];
