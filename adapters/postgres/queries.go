package postgres

import "strings"

// queries holds every statement of the store, with the schema quoted in.
// Keeping the texts fixed per store lets pgx prepare and cache them.
type queries struct {
	// baskets
	createBasket, updateBasket, basketVersion, insertIdempotency, advisoryLock,
	insertEvents, insertEvent, getBasket, events, findByOwner, arrivals, idempotency, readOutbox, outboxHead,
	insertCheckpoint, checkpointAt, eventsBetween string
	// stock
	keyRecord, reservationsAt, lockLevels, lockHeldLevels, lockExpiredLevels, availability,
	deleteLines, deleteExpiredLines, deleteHeaders, deleteExpiredHeaders, upsertHeader, insertLines, upsertKey,
	extendHeader, extendLines, reservationsOf, levels, setOnHand, setNextArrival,
	expiredBaskets, pruneKeys string
	// stock ledger
	createLevels, lockChange, pairStates, setOnHands, recordFeed, feedDigest, lockFeed,
	feedAtRisk, holds, pruneFeeds string
	// handoff
	consume, pruneNonces string
	// ownerSeq is the qualified name of the owner sequence, passed as a
	// regclass parameter.
	ownerSeq string
}

// rankedHolds selects holds with the part of each that on-hand does not
// cover once the holds ranked before it (the rows before it in its pair's
// window, so those the WHERE clause keeps: the active ones) are served,
// as stock.Cover computes it.
const rankedHolds = `SELECT x.basket_id, x.location_id, x.sku, x.quantity, x.held_since_ns, x.expires_at_ns,
				GREATEST(0, x.quantity - GREATEST(0, v.on_hand - COALESCE(sum(x.quantity) OVER (
					PARTITION BY x.location_id, x.sku ORDER BY x.held_since_ns, x.basket_id
					ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::bigint)) AS at_risk
			FROM {s}.stock_reservation_lines x
			JOIN {s}.stock_levels v ON v.sku = x.sku AND v.location_id = x.location_id`

// fromMonth skips, at execution, the months of the history before the
// basket's first event (baskets.events_from, see 0011), so that reading a
// basket probes only the months it lived in, however many months are
// kept. The day of margin covers an event that a version predating 0011
// (which does not lower events_from) wrote with a clock behind the one
// that created the basket; NULL, a basket of such a version, skips
// nothing.
const fromMonth = `e.at >= COALESCE(b.events_from - interval '1 day', '-infinity')`

func newQueries(schema string) queries {
	r := strings.NewReplacer("{s}", schema)
	q := func(sql string) string { return r.Replace(sql) }
	return queries{
		createBasket: q(`INSERT INTO {s}.baskets (id, version, customer_id, status, created_at, updated_at, snapshot, arrival_location, arrival_at_ns, updated_at_ns, events_from)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`),
		// updateBasket is the compare-and-swap of a basket, accepted only
		// from a transaction later than the basket's last writer, so that
		// the basket's events are in order in the outbox (see 0008). It
		// lowers events_from to the earliest new event; NULL (unknown)
		// stays NULL (see 0011).
		updateBasket: q(`UPDATE {s}.baskets SET version = $3, customer_id = $4, status = $5, updated_at = $6, snapshot = $7,
				owner_seq = CASE WHEN customer_id IS DISTINCT FROM $4 THEN nextval($8::regclass) ELSE owner_seq END,
				arrival_location = $9, arrival_at_ns = $10, updated_at_ns = $11, last_tx = pg_current_xact_id(),
				events_from = CASE WHEN events_from IS NULL THEN NULL ELSE LEAST(events_from, $12::timestamptz) END
			WHERE id = $1 AND version = $2 AND last_tx < pg_current_xact_id()`),
		arrivals: q(`SELECT id FROM {s}.baskets WHERE arrival_location = $1 AND arrival_at_ns >= $2
			ORDER BY arrival_at_ns DESC, id`),
		basketVersion: q(`SELECT version, last_tx < pg_current_xact_id() FROM {s}.baskets WHERE id = $1`),
		insertIdempotency: q(`INSERT INTO {s}.basket_idempotency (actor_kind, actor_id, scope, key, digest, basket_id, version, recorded_at_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`),
		insertCheckpoint: q(`INSERT INTO {s}.basket_checkpoints (basket_id, version, snapshot) VALUES ($1, $2, $3)`),
		checkpointAt: q(`SELECT b.version, c.version, c.snapshot FROM {s}.baskets b
			LEFT JOIN LATERAL (SELECT version, snapshot FROM {s}.basket_checkpoints
				WHERE basket_id = b.id AND version <= $2 ORDER BY version DESC LIMIT 1) c ON true
			WHERE b.id = $1`),
		eventsBetween: q(`SELECT e.seq, e.type, e.at, e.at_nanos, e.channel_id, e.location_id, e.actor, e.data
			FROM {s}.baskets b JOIN {s}.basket_events e ON e.basket_id = b.id AND ` + fromMonth + `
			WHERE b.id = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq`),
		advisoryLock: `SELECT pg_advisory_xact_lock($1)`,
		insertEvents: q(`INSERT INTO {s}.basket_events (basket_id, seq, type, at, at_nanos, channel_id, location_id, actor, data)
			SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::integer[], $6::text[], $7::text[], $8::jsonb[], $9::jsonb[])`),
		// insertEvent is insertEvents for the usual write of one event,
		// without building and unpacking nine arrays.
		insertEvent: q(`INSERT INTO {s}.basket_events (basket_id, seq, type, at, at_nanos, channel_id, location_id, actor, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb)`),
		getBasket: q(`SELECT snapshot FROM {s}.baskets WHERE id = $1`),
		events: q(`SELECT e.seq, e.type, e.at, e.at_nanos, e.channel_id, e.location_id, e.actor, e.data
			FROM {s}.baskets b LEFT JOIN {s}.basket_events e ON e.basket_id = b.id AND e.seq > $2 AND ` + fromMonth + `
			WHERE b.id = $1 ORDER BY e.seq`),
		findByOwner: q(`SELECT id FROM {s}.baskets WHERE customer_id = $1 ORDER BY owner_seq`),
		idempotency: q(`SELECT digest, basket_id, version, recorded_at_ns FROM {s}.basket_idempotency
			WHERE actor_kind = $1 AND actor_id = $2 AND scope = $3 AND key = $4`),
		// readOutbox and outboxHead see only the events of transactions
		// below the horizon of the statement's snapshot: those have all
		// ended, committed or not, for good (see 0008).
		readOutbox: q(`SELECT tx, position, basket_id, seq, type, at, at_nanos, channel_id, location_id, actor, data
			FROM {s}.basket_events
			WHERE (tx, position) > ($1::xid8, $2::bigint) AND tx < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY tx, position LIMIT $3`),
		outboxHead: q(`SELECT tx, position FROM {s}.basket_events
			WHERE tx < pg_snapshot_xmin(pg_current_snapshot())
			ORDER BY tx DESC, position DESC LIMIT 1`),

		keyRecord: q(`SELECT digest, recorded_at_ns, location_id, expires_at_ns, skus, quantities, held_since_ns
			FROM {s}.stock_request_keys WHERE basket_id = $1 AND request_key = $2`),
		reservationsAt: q(`SELECT r.location_id, r.request_key, r.expires_at_ns, l.sku, l.quantity, l.held_since_ns
			FROM {s}.stock_reservations r
			JOIN {s}.stock_reservation_lines l ON l.basket_id = r.basket_id AND l.location_id = r.location_id
			WHERE r.basket_id = $1 AND r.location_id = ANY($2::text[])
			ORDER BY r.location_id, l.sku`),
		// The level locks: ORDER BY is applied before the locking clause,
		// so rows are locked in (sku, location) order, the one order every
		// transaction uses.
		lockLevels: q(`SELECT 1 FROM {s}.stock_levels
			WHERE (sku, location_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
			ORDER BY sku, location_id FOR NO KEY UPDATE`),
		lockHeldLevels: q(`SELECT 1 FROM {s}.stock_levels
			WHERE (sku, location_id) IN (SELECT sku, location_id FROM {s}.stock_reservation_lines
				WHERE basket_id = $1 AND location_id = ANY($2::text[]))
			ORDER BY sku, location_id FOR NO KEY UPDATE`),
		lockExpiredLevels: q(`SELECT 1 FROM {s}.stock_levels
			WHERE (sku, location_id) IN (SELECT sku, location_id FROM {s}.stock_reservation_lines
				WHERE basket_id = $1 AND expires_at_ns <= $2)
			ORDER BY sku, location_id FOR NO KEY UPDATE`),
		// availability runs in a statement after the level locks, so its
		// snapshot sees every reservation committed before the locks were
		// granted. For each SKU asked at location $1: the on-hand count (NULL
		// when the level is unknown), the units held by active reservations
		// ($3 is now) other than basket $4's, and the covered part of basket
		// $4's active line: on-hand minus the active holds ranked before it,
		// within [0, its quantity].
		availability: q(`SELECT l.on_hand,
				l.reserved
				- COALESCE((SELECT sum(x.quantity) FROM {s}.stock_reservation_lines x
					WHERE x.location_id = $1 AND x.sku = r.sku AND x.expires_at_ns <= $3), 0)::bigint
				- COALESCE((SELECT x.quantity FROM {s}.stock_reservation_lines x
					WHERE x.basket_id = $4 AND x.location_id = $1 AND x.sku = r.sku AND x.expires_at_ns > $3), 0),
				COALESCE((SELECT LEAST(o.quantity, GREATEST(0, l.on_hand - (
						SELECT COALESCE(sum(x.quantity), 0)::bigint FROM {s}.stock_reservation_lines x
						WHERE x.location_id = $1 AND x.sku = r.sku AND x.expires_at_ns > $3
							AND (x.held_since_ns, x.basket_id) < (o.held_since_ns, o.basket_id))))
					FROM {s}.stock_reservation_lines o
					WHERE o.basket_id = $4 AND o.location_id = $1 AND o.sku = r.sku AND o.expires_at_ns > $3), 0)
			FROM unnest($2::text[]) WITH ORDINALITY AS r(sku, i)
			LEFT JOIN {s}.stock_levels l ON l.location_id = $1 AND l.sku = r.sku
			ORDER BY r.i`),
		// Lines and the reserved counters change in the same statement, so
		// the counters always equal the sum of the lines.
		deleteLines: q(`WITH gone AS (
				DELETE FROM {s}.stock_reservation_lines WHERE basket_id = $1 AND location_id = ANY($2::text[])
				RETURNING sku, location_id, quantity)
			UPDATE {s}.stock_levels l SET reserved = l.reserved - g.quantity
			FROM gone g WHERE l.sku = g.sku AND l.location_id = g.location_id`),
		deleteExpiredLines: q(`WITH gone AS (
				DELETE FROM {s}.stock_reservation_lines WHERE basket_id = $1 AND expires_at_ns <= $2
				RETURNING sku, location_id, quantity)
			UPDATE {s}.stock_levels l SET reserved = l.reserved - g.quantity
			FROM gone g WHERE l.sku = g.sku AND l.location_id = g.location_id`),
		deleteHeaders:        q(`DELETE FROM {s}.stock_reservations WHERE basket_id = $1 AND location_id = ANY($2::text[])`),
		deleteExpiredHeaders: q(`DELETE FROM {s}.stock_reservations WHERE basket_id = $1 AND expires_at_ns <= $2`),
		upsertHeader: q(`INSERT INTO {s}.stock_reservations (basket_id, location_id, request_key, expires_at_ns)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (basket_id, location_id) DO UPDATE SET request_key = EXCLUDED.request_key, expires_at_ns = EXCLUDED.expires_at_ns`),
		// Lines and the reserved counters change in the same statement, so
		// the counters always equal the sum of the lines.
		insertLines: q(`WITH added AS (
				INSERT INTO {s}.stock_reservation_lines (basket_id, location_id, sku, quantity, expires_at_ns, held_since_ns)
				SELECT $1, $2, u.sku, u.quantity, $3, u.held_since
				FROM unnest($4::text[], $5::bigint[], $6::bigint[]) AS u(sku, quantity, held_since)
				RETURNING sku, location_id, quantity)
			UPDATE {s}.stock_levels l SET reserved = l.reserved + a.quantity
			FROM added a WHERE l.sku = a.sku AND l.location_id = a.location_id`),
		upsertKey: q(`INSERT INTO {s}.stock_request_keys
				(basket_id, request_key, digest, recorded_at_ns, location_id, expires_at_ns, skus, quantities, held_since_ns)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (basket_id, request_key) DO UPDATE SET digest = EXCLUDED.digest,
				recorded_at_ns = EXCLUDED.recorded_at_ns, location_id = EXCLUDED.location_id,
				expires_at_ns = EXCLUDED.expires_at_ns, skus = EXCLUDED.skus, quantities = EXCLUDED.quantities,
				held_since_ns = EXCLUDED.held_since_ns`),
		extendHeader: q(`UPDATE {s}.stock_reservations SET expires_at_ns = $3 WHERE basket_id = $1 AND location_id = $2`),
		extendLines:  q(`UPDATE {s}.stock_reservation_lines SET expires_at_ns = $3 WHERE basket_id = $1 AND location_id = $2`),
		// reservationsOf reads basket $1's reservations active at $2, each
		// line with its rank and the part of it that on-hand does not cover
		// once the active holds ranked before it are served.
		reservationsOf: q(`SELECT r.location_id, r.request_key, r.expires_at_ns, l.sku, l.quantity, l.held_since_ns,
				GREATEST(0, l.quantity - GREATEST(0, v.on_hand - (
					SELECT COALESCE(sum(x.quantity), 0)::bigint FROM {s}.stock_reservation_lines x
					WHERE x.location_id = l.location_id AND x.sku = l.sku AND x.expires_at_ns > $2
						AND (x.held_since_ns, x.basket_id) < (l.held_since_ns, l.basket_id))))
			FROM {s}.stock_reservations r
			JOIN {s}.stock_reservation_lines l ON l.basket_id = r.basket_id AND l.location_id = r.location_id
			JOIN {s}.stock_levels v ON v.sku = l.sku AND v.location_id = l.location_id
			WHERE r.basket_id = $1 AND r.expires_at_ns > $2
			ORDER BY r.location_id, l.sku`),
		levels: q(`SELECT l.sku, l.location_id, l.on_hand,
				l.reserved - COALESCE((SELECT sum(x.quantity) FROM {s}.stock_reservation_lines x
					WHERE x.location_id = l.location_id AND x.sku = l.sku AND x.expires_at_ns <= $3), 0)::bigint,
				l.next_arrival_ns
			FROM {s}.stock_levels l
			WHERE l.sku = ANY($1::text[]) AND l.location_id = ANY($2::text[])
			ORDER BY l.sku, l.location_id`),
		setOnHand: q(`INSERT INTO {s}.stock_levels (sku, location_id, on_hand) VALUES ($1, $2, $3)
			ON CONFLICT (sku, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand`),
		setNextArrival: q(`UPDATE {s}.stock_levels SET next_arrival_ns = $3 WHERE sku = $1 AND location_id = $2`),
		expiredBaskets: q(`SELECT basket_id FROM {s}.stock_reservations WHERE expires_at_ns <= $1
			GROUP BY basket_id ORDER BY min(expires_at_ns) LIMIT $2`),
		pruneKeys: q(`DELETE FROM {s}.stock_request_keys WHERE recorded_at_ns <= $1`),

		// createLevels makes the pairs $1 × $2 known at 0 when they are not,
		// in the order given (sorted by the caller, like every lock), and
		// returns those it created. A pair another transaction is creating
		// makes it wait for that one to end, never the other way round:
		// see ledger.go.
		createLevels: q(`INSERT INTO {s}.stock_levels (sku, location_id, on_hand)
			SELECT u.sku, u.loc, 0 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(sku, loc, i) ORDER BY u.i
			ON CONFLICT (sku, location_id) DO NOTHING
			RETURNING sku, location_id`),
		// lockChange locks the levels of the pairs $1 × $2 and of basket
		// $3's lines at the locations $4, in the one order.
		lockChange: q(`SELECT 1 FROM {s}.stock_levels
			WHERE (sku, location_id) IN (SELECT * FROM unnest($1::text[], $2::text[])
				UNION SELECT sku, location_id FROM {s}.stock_reservation_lines
				WHERE basket_id = $3 AND location_id = ANY($4::text[]))
			ORDER BY sku, location_id FOR NO KEY UPDATE`),
		// pairStates reads, after the locks, for each pair $1 × $2 in
		// order: the on-hand count (NULL when unknown), the units of the
		// other baskets' holds active at $5 (basket $4 is the one applying
		// a change), and those of them ranked before rank ($3, $4) and
		// before ($5, $4): the only ranks the basket's line of the pair can
		// have during a change (kept, or taken now).
		pairStates: q(`SELECT l.on_hand,
				COALESCE(sum(x.quantity), 0)::bigint,
				COALESCE(sum(x.quantity) FILTER (WHERE (x.held_since_ns, x.basket_id) < (u.since, $4::text COLLATE "C")), 0)::bigint,
				COALESCE(sum(x.quantity) FILTER (WHERE (x.held_since_ns, x.basket_id) < ($5::bigint, $4::text COLLATE "C")), 0)::bigint
			FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS u(sku, loc, since, i)
			LEFT JOIN {s}.stock_levels l ON l.sku = u.sku AND l.location_id = u.loc
			LEFT JOIN {s}.stock_reservation_lines x ON x.location_id = u.loc AND x.sku = u.sku
				AND x.expires_at_ns > $5 AND x.basket_id <> $4
			GROUP BY u.i, l.on_hand
			ORDER BY u.i`),
		setOnHands: q(`UPDATE {s}.stock_levels l SET on_hand = u.on_hand
			FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(sku, loc, on_hand)
			WHERE l.sku = u.sku AND l.location_id = u.loc`),
		// recordFeed records feed $1 with digest $2 at $3, over a record of
		// the same ID applied at or before $4 (forgotten); it affects no row
		// when the ID is remembered.
		recordFeed: q(`INSERT INTO {s}.stock_feeds (id, digest, applied_at_ns) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET digest = EXCLUDED.digest, applied_at_ns = EXCLUDED.applied_at_ns
			WHERE {s}.stock_feeds.applied_at_ns <= $4`),
		feedDigest: q(`SELECT digest FROM {s}.stock_feeds WHERE id = $1`),
		// lockFeed locks, in the one order, the levels of the pairs $1 × $2
		// and of every known pair at the locations $3 (of the SKUs $4 when
		// there are some), and returns their on-hand counts: the row
		// versions the locks were granted on.
		lockFeed: q(`SELECT sku, location_id, on_hand FROM {s}.stock_levels
			WHERE (sku, location_id) IN (SELECT * FROM unnest($1::text[], $2::text[])
				UNION SELECT sku, location_id FROM {s}.stock_levels
				WHERE location_id = ANY($3::text[]) AND (COALESCE(cardinality($4::text[]), 0) = 0 OR sku = ANY($4::text[])))
			ORDER BY sku, location_id FOR NO KEY UPDATE`),
		// feedAtRisk lists the holds active at $3 on the pairs $1 × $2 that
		// on-hand does not wholly cover, oldest first (stock.HoldsAtRisk's
		// order).
		feedAtRisk: q(`SELECT * FROM (` + rankedHolds + `
				WHERE (x.sku, x.location_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND x.expires_at_ns > $3) h
			WHERE h.at_risk > 0
			ORDER BY h.held_since_ns, h.location_id, h.sku, h.basket_id`),
		// holds lists the holds active at $3 of the SKUs $1 at the
		// locations $2 in rank order per pair.
		holds: q(rankedHolds + `
			WHERE x.sku = ANY($1::text[]) AND x.location_id = ANY($2::text[]) AND x.expires_at_ns > $3
			ORDER BY x.location_id, x.sku, x.held_since_ns, x.basket_id`),
		pruneFeeds: q(`DELETE FROM {s}.stock_feeds WHERE applied_at_ns <= $1`),

		consume: q(`INSERT INTO {s}.handoff_nonces (nonce, expires_at_ns) VALUES ($1, $2)
			ON CONFLICT (nonce) DO UPDATE SET expires_at_ns = EXCLUDED.expires_at_ns
			WHERE {s}.handoff_nonces.expires_at_ns <= $3`),
		pruneNonces: q(`DELETE FROM {s}.handoff_nonces WHERE expires_at_ns <= $1`),

		ownerSeq: schema + ".basket_owner_seq",
	}
}
