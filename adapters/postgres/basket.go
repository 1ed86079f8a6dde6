package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/omnibasket/omnibasket/basket"
)

// OutboxEvent is a basket event with its place in the outbox.
type OutboxEvent struct {
	// Cursor is the event's place: the outbox is read in cursor order,
	// and a consumer goes on from the cursor of the last event it handled.
	Cursor Cursor
	// Event is the basket event as [Store.Events] returns it.
	Event basket.Event
}

// errTxOrder is a compare-and-swap refused because the basket's last
// write came from a later transaction than the writer's: the writer took
// its transaction ID before that one committed. Its events would come
// before that write's in the outbox, so the transaction is run again, with
// a new, larger ID (see [Store.ReadOutbox]).
var errTxOrder = errors.New("postgres: the basket was written by a later transaction")

// encodedWrite is one basket of a Write, ready for the database.
type encodedWrite struct {
	w        basket.Write
	snapshot []byte
	customer *string
	// eventsFrom is the earliest At of the write's events (nil without
	// events): the basket's events_from is lowered to it (see 0011).
	eventsFrom *time.Time
}

// eventColumns are the events of a Write as one array per column, inserted
// with a single unnest.
type eventColumns struct {
	basketIDs []uuid.UUID
	seqs      []int64
	types     []string
	ats       []time.Time
	nanos     []int32
	channels  []string
	locations []string
	actors    [][]byte
	data      [][]byte
}

func (c *eventColumns) add(e basket.Event) error {
	actor, err := json.Marshal(e.Actor)
	if err != nil {
		return &basket.InputError{Field: "Event.Actor", Reason: err.Error()}
	}
	data := []byte(e.Data)
	if len(bytes.TrimSpace(data)) == 0 {
		data = []byte("null")
	}
	c.basketIDs = append(c.basketIDs, e.BasketID)
	c.seqs = append(c.seqs, e.Seq)
	c.types = append(c.types, string(e.Type))
	c.ats = append(c.ats, e.At)
	c.nanos = append(c.nanos, int32(e.At.Nanosecond()%1000))
	c.channels = append(c.channels, e.ChannelID)
	c.locations = append(c.locations, e.LocationID)
	c.actors = append(c.actors, actor)
	c.data = append(c.data, data)
	return nil
}

// Save implements [basket.Store], [basket.LedgerStore] and
// [basket.DocumentStore]. In one transaction it inserts (version 0) or
// compares and swaps (UPDATE … WHERE version = expected) every basket of
// w, in basket ID order so that concurrent multi-basket writes cannot
// deadlock; records w.Idempotency (INSERT … ON CONFLICT DO NOTHING: a
// concurrent writer of the same key waits for the first to commit, then
// finds it used); applies w.Stock to the store's ledger (a stock failure
// is returned as the ledger's typed error); numbers and stores
// w.Documents under a lock on each series, taken this late so that
// writers of one series wait for each other only for the end of their
// transactions; and appends the events, which the outbox delivers once the
// transaction has ended (see [Store.ReadOutbox]): no lock is shared by the
// writers of different baskets. Any refusal rolls the whole transaction
// back, stock and numbers included; the numbers are written back into
// w.Documents once the transaction has committed.
func (s *Store) Save(ctx context.Context, w basket.Write) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.Validate(); err != nil {
		return err
	}
	issued, err := issuedAt(w.Documents)
	if err != nil {
		return err
	}
	writes := make([]encodedWrite, 0, 1+len(w.Also))
	var events eventColumns
	for _, x := range append([]basket.Write{w}, w.Also...) {
		snap, err := json.Marshal(x.Basket)
		if err != nil {
			return &basket.InputError{Field: "Write.Basket", Reason: err.Error()}
		}
		ew := encodedWrite{w: x, snapshot: snap}
		if c := x.Basket.Owner.CustomerID; c != "" {
			ew.customer = &c
		}
		for _, e := range x.Events {
			if err := events.add(e); err != nil {
				return err
			}
			if ew.eventsFrom == nil || e.At.Before(*ew.eventsFrom) {
				ew.eventsFrom = &e.At
			}
		}
		writes = append(writes, ew)
	}
	locked := slices.Clone(writes)
	slices.SortStableFunc(locked, func(a, b encodedWrite) int {
		return bytes.Compare(a.w.Basket.ID[:], b.w.Basket.ID[:])
	})
	var numbers []int64
	save := func(ctx context.Context, tx pgx.Tx) error {
		numbers = nil
		for _, x := range locked {
			if err := s.saveBasket(ctx, tx, x); err != nil {
				return err
			}
		}
		if rec := w.Idempotency; rec != nil {
			k := rec.Key
			tag, err := tx.Exec(ctx, s.q.insertIdempotency, k.ActorKind.String(), k.ActorID, k.Basket, k.Key, rec.Digest[:], rec.BasketID, rec.Version, clampNanos(rec.At))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return basket.ErrIdempotencyKeyUsed
			}
		}
		if w.Checkpoint {
			if _, err := tx.Exec(ctx, s.q.insertCheckpoint, w.Basket.ID, w.Basket.Version, writes[0].snapshot); err != nil {
				return err
			}
		}
		if w.Stock != nil {
			if _, err := s.applyChange(ctx, tx, *w.Stock); err != nil {
				return err
			}
		}
		if len(w.Documents) > 0 {
			var err error
			if numbers, err = s.numberDocuments(ctx, tx, w.Documents, issued); err != nil {
				return err
			}
		}
		if len(events.seqs) == 1 {
			_, err := tx.Exec(ctx, s.q.insertEvent, events.basketIDs[0], events.seqs[0], events.types[0], events.ats[0], events.nanos[0],
				events.channels[0], events.locations[0], events.actors[0], events.data[0])
			return err
		}
		_, err := tx.Exec(ctx, s.q.insertEvents, events.basketIDs, events.seqs, events.types, events.ats, events.nanos,
			events.channels, events.locations, events.actors, events.data)
		return err
	}
	if err := s.inTx(ctx, "save", save); err != nil {
		return wrap(ctx, "save basket "+w.Basket.ID.String(), basket.ErrInvalid, err)
	}
	for i, n := range numbers {
		w.Documents[i].Number = n
	}
	return nil
}

func (s *Store) saveBasket(ctx context.Context, tx pgx.Tx, x encodedWrite) error {
	b := x.w.Basket
	where, when := arrivalColumns(b)
	if x.w.ExpectedVersion == 0 {
		tag, err := tx.Exec(ctx, s.q.createBasket, b.ID, b.Version, x.customer, b.Status.String(), b.CreatedAt, b.UpdatedAt, x.snapshot, where, when, clampNanos(b.UpdatedAt), x.eventsFrom)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s", basket.ErrAlreadyExists, b.ID)
		}
		return nil
	}
	tag, err := tx.Exec(ctx, s.q.updateBasket, b.ID, x.w.ExpectedVersion, b.Version, x.customer, b.Status.String(), b.UpdatedAt, x.snapshot, s.q.ownerSeq, where, when, clampNanos(b.UpdatedAt), x.eventsFrom)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var current int64
	var inOrder bool
	switch err := tx.QueryRow(ctx, s.q.basketVersion, b.ID).Scan(&current, &inOrder); {
	case errors.Is(err, pgx.ErrNoRows):
		return basket.NotFound(b.ID)
	case err != nil:
		return err
	case current == x.w.ExpectedVersion && !inOrder:
		return errTxOrder
	}
	return &basket.VersionConflictError{ID: b.ID, Expected: x.w.ExpectedVersion, Current: current}
}

// arrivalColumns are the arrival columns of b: NULL without an arrival.
func arrivalColumns(b *basket.Basket) (*string, *int64) {
	if b.Arrival == nil {
		return nil, nil
	}
	ns := b.Arrival.At.UnixNano()
	return &b.Arrival.LocationID, &ns
}

// Arrivals implements [basket.ArrivalStore] by the arrival columns' index.
func (s *Store) Arrivals(ctx context.Context, locationID string, since time.Time) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	err := s.retry(ctx, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, s.q.arrivals, locationID, since.UnixNano())
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "list arrivals", basket.ErrInvalid, err)
	}
	return ids, nil
}

// Get implements [basket.Store]: it decodes the stored JSON snapshot.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (*basket.Basket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var snap []byte
	err := s.retry(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.q.getBasket, id).Scan(&snap)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, basket.NotFound(id)
	}
	if err != nil {
		return nil, wrap(ctx, "get basket "+id.String(), basket.ErrInvalid, err)
	}
	b := new(basket.Basket)
	if err := json.Unmarshal(snap, b); err != nil {
		return nil, fmt.Errorf("postgres: decode basket %s: %w", id, err)
	}
	return b, nil
}

// Events implements [basket.Store]: the basket's events with Seq > after,
// in order, or [basket.ErrNotFound] if there is no such basket.
func (s *Store) Events(ctx context.Context, id uuid.UUID, after int64) ([]basket.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []basket.Event
	var found bool
	err := s.retry(ctx, func(ctx context.Context) error {
		out, found = out[:0], false
		rows, err := s.pool.Query(ctx, s.q.events, id, after)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			found = true
			var (
				seq              *int64
				typ, ch, loc     *string
				at               *time.Time
				nano             *int32
				actor, eventData []byte
			)
			if err := rows.Scan(&seq, &typ, &at, &nano, &ch, &loc, &actor, &eventData); err != nil {
				return err
			}
			if seq == nil { // the basket, without events after `after`
				continue
			}
			e, err := decodeEvent(id, *seq, *typ, *at, *nano, *ch, *loc, actor, eventData)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap(ctx, "events of basket "+id.String(), basket.ErrInvalid, err)
	}
	if !found {
		return nil, basket.NotFound(id)
	}
	if out == nil {
		out = []basket.Event{}
	}
	return out, nil
}

func decodeEvent(id uuid.UUID, seq int64, typ string, at time.Time, nano int32, ch, loc string, actor, data []byte) (basket.Event, error) {
	e := basket.Event{
		BasketID: id, Seq: seq, Type: basket.EventType(typ),
		At:        at.UTC().Add(time.Duration(nano)),
		ChannelID: ch, LocationID: loc, Data: json.RawMessage(data),
	}
	if err := json.Unmarshal(actor, &e.Actor); err != nil {
		return basket.Event{}, fmt.Errorf("decode actor of event %d of %s: %w", seq, id, err)
	}
	return e, nil
}

// FindByOwner implements [basket.Store]: the IDs of the baskets whose
// customer is customerID, in the order they became that customer's
// (creation order, in practice).
func (s *Store) FindByOwner(ctx context.Context, customerID string) ([]uuid.UUID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	err := s.retry(ctx, func(ctx context.Context) error {
		rows, err := s.pool.Query(ctx, s.q.findByOwner, customerID)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	if err != nil {
		return nil, wrap(ctx, "find baskets by owner", basket.ErrInvalid, err)
	}
	if ids == nil {
		ids = []uuid.UUID{}
	}
	return ids, nil
}

// Idempotency implements [basket.Store].
func (s *Store) Idempotency(ctx context.Context, key basket.IdempotencyKey) (basket.IdempotencyRecord, error) {
	if err := ctx.Err(); err != nil {
		return basket.IdempotencyRecord{}, err
	}
	rec := basket.IdempotencyRecord{Key: key}
	var digest []byte
	var at int64
	err := s.retry(ctx, func(ctx context.Context) error {
		return s.pool.QueryRow(ctx, s.q.idempotency, key.ActorKind.String(), key.ActorID, key.Basket, key.Key).Scan(&digest, &rec.BasketID, &rec.Version, &at)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return basket.IdempotencyRecord{}, fmt.Errorf("%w: no idempotency record under this key", basket.ErrNotFound)
	}
	if err != nil {
		return basket.IdempotencyRecord{}, wrap(ctx, "idempotency record", basket.ErrInvalid, err)
	}
	if len(digest) != len(rec.Digest) {
		return basket.IdempotencyRecord{}, fmt.Errorf("postgres: idempotency record with a %d-byte digest", len(digest))
	}
	copy(rec.Digest[:], digest)
	if at != clampNanos(time.Time{}) {
		rec.At = fromNanos(at)
	}
	return rec, nil
}

// HistoryAt implements [basket.Store]: the newest checkpoint at or before
// version and the events after it up to version, by two indexed range
// queries, whatever the history's length. Both are append-only, so reading
// them at read committed cannot mix versions. When retention
// ([Store.DropHistory]) has dropped some of those events, it fails with
// [ErrHistoryDropped] rather than return a history with a hole.
func (s *Store) HistoryAt(ctx context.Context, id uuid.UUID, version int64) (*basket.Basket, []basket.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	var (
		checkpoint *basket.Basket
		events     []basket.Event
		current    int64
		from       int64 // the checkpoint's version, 0 without one
	)
	err := s.inTx(ctx, "history", func(ctx context.Context, tx pgx.Tx) error {
		checkpoint, events, from = nil, nil, 0
		var cpVersion *int64
		var snap []byte
		if err := tx.QueryRow(ctx, s.q.checkpointAt, id, version).Scan(&current, &cpVersion, &snap); err != nil {
			return err
		}
		if version < 1 || version > current {
			return nil
		}
		if cpVersion != nil {
			checkpoint = new(basket.Basket)
			if err := json.Unmarshal(snap, checkpoint); err != nil {
				return fmt.Errorf("decode checkpoint %d of %s: %w", *cpVersion, id, err)
			}
			from = *cpVersion
		}
		rows, err := tx.Query(ctx, s.q.eventsBetween, id, from, version)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				seq              int64
				typ, ch, loc     string
				at               time.Time
				nano             int32
				actor, eventData []byte
			)
			if err := rows.Scan(&seq, &typ, &at, &nano, &ch, &loc, &actor, &eventData); err != nil {
				return err
			}
			e, err := decodeEvent(id, seq, typ, at, nano, ch, loc, actor, eventData)
			if err != nil {
				return err
			}
			events = append(events, e)
		}
		return rows.Err()
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, basket.NotFound(id)
	}
	if err != nil {
		return nil, nil, wrap(ctx, "history of basket "+id.String(), basket.ErrInvalid, err)
	}
	if version < 1 || version > current {
		return nil, nil, &basket.InputError{Field: "version", Reason: fmt.Sprintf("%d is not a version of basket %s (1…%d)", version, id, current)}
	}
	if int64(len(events)) != version-from {
		return nil, nil, fmt.Errorf("%w: basket %s has %d of the %d events after version %d up to %d", ErrHistoryDropped, id, len(events), version-from, from, version)
	}
	return checkpoint, events, nil
}

// ReadOutbox returns up to limit events after the cursor after, in
// cursor order: the transactional outbox of every basket change. A
// consumer keeps the cursor of the last event it has processed and passes
// it as after on its next call (the zero Cursor to start from the
// beginning):
//
//	for {
//		batch, err := store.ReadOutbox(ctx, cursor, 100)
//		// publish batch, then persist cursor = batch[len(batch)-1].Cursor
//	}
//
// Every event that commits is read exactly once by such a loop, and the
// events of a basket in their order (Seq), without a lock shared by the
// writers. An event carries the ID of the transaction that wrote it, and
// ReadOutbox returns only events of transactions below the horizon of its
// snapshot (pg_snapshot_xmin: every transaction below it has ended,
// committed or rolled back), in (transaction, position) order. No
// transaction can commit below the horizon later, so nothing can appear
// behind a consumer's cursor. A basket accepts a write only from a
// transaction later than its last writer's (otherwise Save runs the
// transaction again, with a new ID), so the order of a basket's events is
// the order of their transactions. The order of events of different
// baskets is the order in which their transactions began to write, not
// the one in which they committed.
//
// The cost moves from writers to readers' latency: an event is delivered
// once every transaction that began writing before it has ended, in any
// schema or database of the server. A long write transaction (a bulk
// import, a session left idle in transaction: set
// idle_in_transaction_session_timeout) holds every event written after it
// back until it ends; nothing is lost or reordered. For the same reason
// an event saved a moment ago may not be returned yet: a consumer polls
// (see [Store.Follow]) rather than expecting its own writes. Within a
// save the order is that of its events; positions have gaps (rolled-back
// transactions). Delivery is at least once if the consumer persists its
// cursor after publishing.
func (s *Store) ReadOutbox(ctx context.Context, after Cursor, limit int) ([]OutboxEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, &basket.InputError{Field: "limit", Reason: fmt.Sprintf("must be positive, got %d", limit)}
	}
	if err := validCursor("after", after); err != nil {
		return nil, err
	}
	var out []OutboxEvent
	err := s.retry(ctx, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, s.q.readOutbox, after.Tx, after.Position, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c                Cursor
				seq              int64
				id               uuid.UUID
				typ, ch, loc     string
				at               time.Time
				nano             int32
				actor, eventData []byte
			)
			if err := rows.Scan(&c.Tx, &c.Position, &id, &seq, &typ, &at, &nano, &ch, &loc, &actor, &eventData); err != nil {
				return err
			}
			e, err := decodeEvent(id, seq, typ, at, nano, ch, loc, actor, eventData)
			if err != nil {
				return err
			}
			out = append(out, OutboxEvent{Cursor: c, Event: e})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, wrap(ctx, "read outbox", basket.ErrInvalid, err)
	}
	if out == nil {
		out = []OutboxEvent{}
	}
	return out, nil
}
