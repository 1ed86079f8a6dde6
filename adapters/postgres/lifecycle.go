package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket"
)

var (
	_ basket.IdempotencyExpirer = (*Store)(nil)
	_ basket.InactiveStore      = (*Store)(nil)
	_ basket.ErasureStore       = (*Store)(nil)
)

// lifecycleQueries are the statements of the data lifecycle (migration
// 0007), with the schema quoted in. They run rarely, so they are built per
// call rather than kept in the store; pgx caches them by their text.
type lifecycleQueries struct {
	expireIdempotency, inactive, lockBasket, basketEvents, updateEvents, checkpoints, updateCheckpoints,
	updateBasket, documents, updateDocuments, deleteIdempotency string
}

func (s *Store) lifecycleQueries() lifecycleQueries {
	r := strings.NewReplacer("{s}", s.ident)
	q := func(sql string) string { return r.Replace(sql) }
	return lifecycleQueries{
		// Rows another expiry is deleting are skipped, not waited for:
		// concurrent runs share the work.
		expireIdempotency: q(`DELETE FROM {s}.basket_idempotency WHERE (actor_kind, actor_id, scope, key) IN (
				SELECT actor_kind, actor_id, scope, key FROM {s}.basket_idempotency WHERE recorded_at_ns < $1
				ORDER BY recorded_at_ns LIMIT $2 FOR UPDATE SKIP LOCKED)`),
		inactive: q(`SELECT id, updated_at_ns FROM {s}.baskets
			WHERE status = ANY($1::text[]) AND updated_at_ns < $2 AND (updated_at_ns, id) > ($3, $4)
			ORDER BY updated_at_ns, id LIMIT $5`),
		// The basket's row lock, the one Save's compare-and-swap takes: a
		// save waits for the erasure to commit (and may then write the
		// customer back from its older read, which Service.Erase finds).
		lockBasket: q(`SELECT snapshot, customer_id FROM {s}.baskets WHERE id = $1 FOR UPDATE`),
		basketEvents: q(`SELECT seq, type, at, at_nanos, channel_id, location_id, actor, data
			FROM {s}.basket_events WHERE basket_id = $1 ORDER BY seq`),
		// Positions stay: the outbox order is unchanged, and consumers
		// past an event do not read it again.
		updateEvents: q(`UPDATE {s}.basket_events e SET actor = u.actor, data = u.data
			FROM unnest($2::bigint[], $3::jsonb[], $4::jsonb[]) AS u (seq, actor, data)
			WHERE e.basket_id = $1 AND e.seq = u.seq`),
		checkpoints: q(`SELECT version, snapshot FROM {s}.basket_checkpoints WHERE basket_id = $1 ORDER BY version`),
		updateCheckpoints: q(`UPDATE {s}.basket_checkpoints c SET snapshot = u.snapshot
			FROM unnest($2::bigint[], $3::jsonb[]) AS u (version, snapshot)
			WHERE c.basket_id = $1 AND c.version = u.version`),
		updateBasket: q(`UPDATE {s}.baskets SET snapshot = $2, customer_id = $3 WHERE id = $1`),
		documents:    q(`SELECT document FROM {s}.documents WHERE basket_id = $1 ORDER BY issued_at_ns, series, number`),
		updateDocuments: q(`UPDATE {s}.documents d SET document = u.document
			FROM unnest($1::uuid[], $2::jsonb[]) AS u (id, document) WHERE d.id = u.id`),
		// basket.Erasure.ErasesRecord, by the basket's index and the
		// primary key's prefix.
		deleteIdempotency: q(`DELETE FROM {s}.basket_idempotency
			WHERE basket_id = $1 OR (actor_kind = 'shopper' AND actor_id = $2)`),
	}
}

// ExpireIdempotency implements [basket.IdempotencyExpirer] by the records'
// age index, in one statement.
func (s *Store) ExpireIdempotency(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, &basket.InputError{Field: "limit", Reason: fmt.Sprintf("must be positive, got %d", limit)}
	}
	sql := s.lifecycleQueries().expireIdempotency
	var n int64
	err := s.retry(ctx, func(ctx context.Context) error {
		tag, err := s.pool.Exec(ctx, sql, clampNanos(before), limit)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, wrap(ctx, "expire idempotency records", basket.ErrInvalid, err)
	}
	return int(n), nil
}

// Inactive implements [basket.InactiveStore] by the activity index: one
// range scan per status, in nanoseconds, exact against the clock.
func (s *Store) Inactive(ctx context.Context, q basket.InactiveQuery) ([]basket.InactiveBasket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		return nil, &basket.InputError{Field: "InactiveQuery.Limit", Reason: fmt.Sprintf("must be positive, got %d", q.Limit)}
	}
	statuses := make([]string, len(q.Statuses))
	for i, st := range q.Statuses {
		statuses[i] = st.String()
	}
	afterNS, afterID := clampNanos(time.Time{}), uuid.Nil
	if q.After != nil {
		afterNS, afterID = clampNanos(q.After.UpdatedAt), q.After.ID
	}
	sql := s.lifecycleQueries().inactive
	var page []basket.InactiveBasket
	err := s.retry(ctx, func(ctx context.Context) error {
		page = page[:0]
		rows, err := s.pool.Query(ctx, sql, statuses, clampNanos(q.Before), afterNS, afterID, q.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ib basket.InactiveBasket
			var ns int64
			if err := rows.Scan(&ib.ID, &ns); err != nil {
				return err
			}
			ib.UpdatedAt = fromNanos(ns)
			page = append(page, ib)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap(ctx, "list inactive baskets", basket.ErrInvalid, err)
	}
	return page, nil
}

// EraseBasket implements [basket.ErasureStore] in one transaction under
// the basket's row lock: the events (the outbox), the checkpoints, the
// snapshot with its customer column, the documents, then the idempotency
// records. Everything is read and scrubbed in Go by the basket package's
// functions, so the memory store and this one scrub alike.
func (s *Store) EraseBasket(ctx context.Context, x basket.Erasure, id uuid.UUID) (basket.ErasureCounts, error) {
	if err := ctx.Err(); err != nil {
		return basket.ErasureCounts{}, err
	}
	if err := x.Validate(); err != nil {
		return basket.ErasureCounts{}, err
	}
	lq := s.lifecycleQueries()
	var n basket.ErasureCounts
	err := s.inTx(ctx, "erase", func(ctx context.Context, tx pgx.Tx) error {
		n = basket.ErasureCounts{}
		var snap []byte
		var customer *string
		if err := tx.QueryRow(ctx, lq.lockBasket, id).Scan(&snap, &customer); err != nil {
			return err
		}
		if err := s.eraseEvents(ctx, tx, lq, x, id, &n); err != nil {
			return err
		}
		if err := s.eraseCheckpoints(ctx, tx, lq, x, id, &n); err != nil {
			return err
		}
		b := new(basket.Basket)
		if err := json.Unmarshal(snap, b); err != nil {
			return fmt.Errorf("decode basket %s: %w", id, err)
		}
		if scrubbed, changed := x.ScrubBasket(b); changed {
			data, err := json.Marshal(scrubbed)
			if err != nil {
				return err
			}
			var owner *string
			if c := scrubbed.Owner.CustomerID; c != "" {
				owner = &c
			}
			if _, err := tx.Exec(ctx, lq.updateBasket, id, data, owner); err != nil {
				return err
			}
			n.Baskets++
		}
		if err := s.eraseDocuments(ctx, tx, lq, x, id, &n); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, lq.deleteIdempotency, id, x.CustomerID)
		if err != nil {
			return err
		}
		n.IdempotencyRecords = int(tag.RowsAffected())
		return nil
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return basket.ErasureCounts{}, basket.NotFound(id)
	}
	if err != nil {
		return basket.ErasureCounts{}, wrap(ctx, "erase basket "+id.String(), basket.ErrInvalid, err)
	}
	return n, nil
}

func (s *Store) eraseEvents(ctx context.Context, tx pgx.Tx, lq lifecycleQueries, x basket.Erasure, id uuid.UUID, n *basket.ErasureCounts) error {
	rows, err := tx.Query(ctx, lq.basketEvents, id)
	if err != nil {
		return err
	}
	var (
		seqs         []int64
		actors, data [][]byte
	)
	for rows.Next() {
		var (
			seq              int64
			typ, ch, loc     string
			at               time.Time
			nano             int32
			actor, eventData []byte
		)
		if err := rows.Scan(&seq, &typ, &at, &nano, &ch, &loc, &actor, &eventData); err != nil {
			rows.Close()
			return err
		}
		e, err := decodeEvent(id, seq, typ, at, nano, ch, loc, actor, eventData)
		if err != nil {
			rows.Close()
			return err
		}
		scrubbed, changed, err := x.ScrubEvent(e)
		if err != nil {
			rows.Close()
			return err
		}
		if !changed {
			continue
		}
		a, err := json.Marshal(scrubbed.Actor)
		if err != nil {
			rows.Close()
			return err
		}
		seqs, actors, data = append(seqs, seq), append(actors, a), append(data, []byte(scrubbed.Data))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if len(seqs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, lq.updateEvents, id, seqs, actors, data); err != nil {
		return err
	}
	n.Events = len(seqs)
	return nil
}

func (s *Store) eraseCheckpoints(ctx context.Context, tx pgx.Tx, lq lifecycleQueries, x basket.Erasure, id uuid.UUID, n *basket.ErasureCounts) error {
	rows, err := tx.Query(ctx, lq.checkpoints, id)
	if err != nil {
		return err
	}
	type row struct {
		version int64
		snap    []byte
	}
	cps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.version, &x.snap)
		return x, err
	})
	if err != nil {
		return err
	}
	var (
		versions []int64
		snaps    [][]byte
	)
	for _, cp := range cps {
		b := new(basket.Basket)
		if err := json.Unmarshal(cp.snap, b); err != nil {
			return fmt.Errorf("decode checkpoint %d of %s: %w", cp.version, id, err)
		}
		scrubbed, changed := x.ScrubBasket(b)
		if !changed {
			continue
		}
		data, err := json.Marshal(scrubbed)
		if err != nil {
			return err
		}
		versions, snaps = append(versions, cp.version), append(snaps, data)
	}
	if len(versions) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, lq.updateCheckpoints, id, versions, snaps); err != nil {
		return err
	}
	n.Checkpoints = len(versions)
	return nil
}

func (s *Store) eraseDocuments(ctx context.Context, tx pgx.Tx, lq lifecycleQueries, x basket.Erasure, id uuid.UUID, n *basket.ErasureCounts) error {
	rows, err := tx.Query(ctx, lq.documents, id)
	if err != nil {
		return err
	}
	raw, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return err
	}
	var (
		ids  []uuid.UUID
		docs [][]byte
	)
	for _, r := range raw {
		var d basket.Document
		if err := json.Unmarshal(r, &d); err != nil {
			return fmt.Errorf("decode a document of %s: %w", id, err)
		}
		scrubbed, changed := x.ScrubDocument(d)
		if !changed {
			continue
		}
		data, err := json.Marshal(scrubbed)
		if err != nil {
			return err
		}
		ids, docs = append(ids, d.ID), append(docs, data)
	}
	if len(ids) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, lq.updateDocuments, ids, docs); err != nil {
		return err
	}
	n.Documents = len(ids)
	return nil
}
