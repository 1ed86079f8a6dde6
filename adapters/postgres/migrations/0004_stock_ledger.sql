-- 0004: the stock ledger's feed IDs.
--
-- A feed (stock.Feed) is applied once per ID: the first success records
-- the ID with the digest of what it stood for (stock.Feed.Digest), in the
-- feed's own transaction, so a re-delivered feed is answered as a replay
-- and the same ID with other counts as a conflict. A failed feed leaves no
-- record. applied_at_ns is the store's clock at that success (int64
-- nanoseconds, like the other instants): Prune deletes the records older
-- than postgres.FeedRetention.

CREATE TABLE stock_feeds (
    id            text COLLATE "C" PRIMARY KEY,
    digest        text NOT NULL,
    applied_at_ns bigint NOT NULL
);
CREATE INDEX stock_feeds_age_idx ON stock_feeds (applied_at_ns);
