package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/omnibasket/omnibasket/basket"
)

// documentQueries are the statements of the document tables (migration
// 0005), with the schema quoted in.
type documentQueries struct {
	lockSeries, updateSeries, insertDocuments, documents string
}

func newDocumentQueries(schema string) documentQueries {
	r := strings.NewReplacer("{s}", schema)
	q := func(sql string) string { return r.Replace(sql) }
	return documentQueries{
		// Creates each series of $1 (sorted: rows are locked in array
		// order, the one order every transaction uses) or locks it, and
		// returns where it stands. DO UPDATE, unlike DO NOTHING, locks a
		// row that exists and returns its latest committed version.
		lockSeries: q(`INSERT INTO {s}.document_series AS d (series, last_number, last_issued_ns)
			SELECT unnest($1::text[]), 0, $2::bigint
			ON CONFLICT (series) DO UPDATE SET last_number = d.last_number
			RETURNING series, last_number, last_issued_ns`),
		updateSeries: q(`UPDATE {s}.document_series AS d SET last_number = u.n, last_issued_ns = u.at
			FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS u (series, n, at)
			WHERE d.series = u.series`),
		insertDocuments: q(`INSERT INTO {s}.documents (id, basket_id, kind, series, number, issued_at_ns, document)
			SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::jsonb[])
			ON CONFLICT (id) DO NOTHING`),
		documents: q(`SELECT document FROM {s}.documents WHERE basket_id = ANY($1::uuid[])
			ORDER BY issued_at_ns, series, number`),
	}
}

// issuedAt returns the issue time of each document in nanoseconds since
// the Unix epoch, as the series compare them, or an input error for a
// time outside that range.
func issuedAt(docs []basket.Document) ([]int64, error) {
	out := make([]int64, len(docs))
	for i, d := range docs {
		n, ok := nanos(d.IssuedAt)
		if !ok {
			return nil, &basket.InputError{Field: fmt.Sprintf("Write.Documents[%d].IssuedAt", i), Reason: "outside the years 1678 to 2262"}
		}
		out[i] = n
	}
	return out, nil
}

// numberDocuments numbers docs (issued at the instants of issued) inside
// tx: it locks their series, checks that no document is issued before
// the last of its series, takes the next numbers and stores the
// documents. It returns the numbers, in the order of docs, for the caller
// to write back once the transaction has committed. A document ID
// already stored (or twice in docs) is [basket.ErrAlreadyExists]; a
// document issued too early a [*basket.SeriesConflictError].
func (s *Store) numberDocuments(ctx context.Context, tx pgx.Tx, docs []basket.Document, issued []int64) ([]int64, error) {
	names := make([]string, len(docs))
	for i, d := range docs {
		names[i] = d.Series
	}
	slices.Sort(names)
	names = slices.Compact(names)
	type position struct{ last, lastAt int64 }
	series := make(map[string]position, len(names))
	rows, err := tx.Query(ctx, s.dq.lockSeries, names, int64(math.MinInt64))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name string
		var p position
		if err := rows.Scan(&name, &p.last, &p.lastAt); err != nil {
			rows.Close()
			return nil, err
		}
		series[name] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	numbers := make([]int64, len(docs))
	cols := struct {
		ids, baskets  []uuid.UUID
		kinds, series []string
		docs          [][]byte
	}{}
	for i, d := range docs {
		p := series[d.Series]
		if p.last > 0 && issued[i] < p.lastAt {
			return nil, &basket.SeriesConflictError{Series: d.Series, Last: fromNanos(p.lastAt)}
		}
		p.last++
		p.lastAt = issued[i]
		series[d.Series] = p
		numbers[i] = p.last
		d.Number = p.last
		data, err := json.Marshal(d)
		if err != nil {
			return nil, &basket.InputError{Field: fmt.Sprintf("Write.Documents[%d]", i), Reason: err.Error()}
		}
		cols.ids = append(cols.ids, d.ID)
		cols.baskets = append(cols.baskets, d.BasketID)
		cols.kinds = append(cols.kinds, d.Kind.String())
		cols.series = append(cols.series, d.Series)
		cols.docs = append(cols.docs, data)
	}
	lasts, ats := make([]int64, len(names)), make([]int64, len(names))
	for i, name := range names {
		lasts[i], ats[i] = series[name].last, series[name].lastAt
	}
	b := &pgx.Batch{}
	b.Queue(s.dq.updateSeries, names, lasts, ats)
	inserted := b.Queue(s.dq.insertDocuments, cols.ids, cols.baskets, cols.kinds, cols.series, numbers, issued, cols.docs)
	var stored int64
	inserted.Exec(func(tag pgconn.CommandTag) error {
		stored = tag.RowsAffected()
		return nil
	})
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, err
	}
	if stored != int64(len(docs)) {
		return nil, fmt.Errorf("%w: a document ID of this write is already stored, or listed twice", basket.ErrAlreadyExists)
	}
	return numbers, nil
}

// Documents implements [basket.DocumentStore]: the documents of
// basketIDs, sorted by IssuedAt, then Series, then Number, by one indexed
// query. They are immutable, so reading them at read committed is exact.
func (s *Store) Documents(ctx context.Context, basketIDs []uuid.UUID) ([]basket.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []basket.Document{}
	if len(basketIDs) == 0 {
		return out, nil
	}
	err := s.retry(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, s.dq.documents, basketIDs)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var data []byte
			if err := rows.Scan(&data); err != nil {
				return err
			}
			var d basket.Document
			if err := json.Unmarshal(data, &d); err != nil {
				return fmt.Errorf("decode document: %w", err)
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap(ctx, "documents", basket.ErrInvalid, err)
	}
	return out, nil
}
