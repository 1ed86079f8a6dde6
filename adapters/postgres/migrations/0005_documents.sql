-- 0005: invoices and credit notes, numbered from gapless sequences.
--
-- A PostgreSQL sequence cannot number documents: a value drawn by a
-- transaction that rolls back is lost (a gap), and values are drawn in
-- start order, not commit order. A series is a row instead, holding the
-- last number taken and the issue time of the document that took it. Save
-- locks it (INSERT … ON CONFLICT DO UPDATE … RETURNING, which creates the
-- row or locks the existing one) in the same transaction as the basket
-- write that issues the documents, so a number is taken only by a
-- document that commits, and writers of one series take numbers one after
-- the other, in issue-time order.

CREATE TABLE document_series (
    series         text COLLATE "C" PRIMARY KEY,
    last_number    bigint NOT NULL CHECK (last_number >= 0),
    last_issued_ns bigint NOT NULL         -- int64 nanoseconds since the Unix epoch
);

CREATE TABLE documents (
    id           uuid PRIMARY KEY,
    basket_id    uuid NOT NULL REFERENCES baskets (id),
    kind         text NOT NULL,
    series       text COLLATE "C" NOT NULL REFERENCES document_series (series),
    number       bigint NOT NULL CHECK (number > 0),
    issued_at_ns bigint NOT NULL,
    document     jsonb NOT NULL,           -- encoding/json of basket.Document, with its number
    UNIQUE (series, number)
);
-- Documents(basket IDs), in the order it returns them.
CREATE INDEX documents_basket_idx ON documents (basket_id, issued_at_ns, series, number);
