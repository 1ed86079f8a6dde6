package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/omnibasket/omnibasket/clock"
)

// envURL names the variable holding the test server's connection string.
const envURL = "OMNIBASKET_POSTGRES_URL"

const skipMessage = "OMNIBASKET_POSTGRES_URL is not set; see .ci/run for starting a local PostgreSQL"

// testDB is the pool every test of the package shares; each test has its
// own schema.
var testDB struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testDB.pool != nil {
		testDB.pool.Close()
	}
	os.Exit(code)
}

// sharedPool skips tb when no server is configured.
func sharedPool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	url := os.Getenv(envURL)
	if url == "" {
		tb.Skip(skipMessage)
	}
	testDB.once.Do(func() {
		cfg, err := pgxpool.ParseConfig(url)
		if err != nil {
			testDB.err = err
			return
		}
		cfg.MaxConns = 24
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err == nil {
			err = pool.Ping(ctx)
		}
		testDB.pool, testDB.err = pool, err
	})
	if testDB.err != nil {
		tb.Fatalf("connecting to %s: %v", envURL, testDB.err)
	}
	return testDB.pool
}

// newTestSchemaName returns a fresh schema name.
func newTestSchemaName(tb testing.TB) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	return "omnibasket_test_" + hex.EncodeToString(b[:])
}

// newTestStore returns a migrated store in a fresh schema, dropped when the
// test ends, after checking the store's invariants. clk may be nil.
func newTestStore(tb testing.TB, clk clock.Clock) *Store {
	tb.Helper()
	pool := sharedPool(tb)
	s := New(pool, Options{Schema: newTestSchemaName(tb), Clock: clk})
	tb.Cleanup(func() {
		if _, err := pool.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+s.ident+" CASCADE"); err != nil {
			tb.Errorf("dropping %s: %v", s.ident, err)
		}
	})
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { checkInvariants(tb, s) }) // runs before the drop
	return s
}

// checkInvariants fails tb if the stored state breaks what the store's
// guarantees rest on: a reserved counter different from the sum of its
// lines, a reservation without lines or whose lines disagree on expiry, a
// basket whose version is not its last event.
func checkInvariants(tb testing.TB, s *Store) {
	tb.Helper()
	ctx := context.Background()
	checks := []struct{ what, sql string }{
		{"reserved counter ≠ Σ reservation lines", `SELECT l.sku || ' at ' || l.location_id || ': ' || l.reserved || ' vs ' || COALESCE(sum(x.quantity), 0)
			FROM {s}.stock_levels l LEFT JOIN {s}.stock_reservation_lines x ON x.sku = l.sku AND x.location_id = l.location_id
			GROUP BY l.sku, l.location_id, l.reserved HAVING l.reserved <> COALESCE(sum(x.quantity), 0)`},
		{"reservation without lines", `SELECT r.basket_id || ' at ' || r.location_id FROM {s}.stock_reservations r
			WHERE NOT EXISTS (SELECT FROM {s}.stock_reservation_lines x WHERE x.basket_id = r.basket_id AND x.location_id = r.location_id)`},
		{"line expiry ≠ reservation expiry", `SELECT x.basket_id || ' at ' || x.location_id FROM {s}.stock_reservation_lines x
			JOIN {s}.stock_reservations r USING (basket_id, location_id) WHERE x.expires_at_ns <> r.expires_at_ns`},
		// Retention (DropHistory) may have dropped the first events of a
		// basket created before the oldest event kept, or all of them.
		{"basket version ≠ last event, or a hole in its history", `SELECT b.id::text || ': ' || b.version || ' vs ' || COALESCE(max(e.seq), 0) || ' (' || count(e.seq) || ' events from ' || COALESCE(min(e.seq), 0) || ')'
			FROM {s}.baskets b LEFT JOIN {s}.basket_events e ON e.basket_id = b.id
			CROSS JOIN (SELECT min(at) AS since FROM {s}.basket_events) kept
			GROUP BY b.id, b.version, b.created_at, kept.since
			HAVING b.version <> COALESCE(max(e.seq), b.version) OR count(e.seq) <> COALESCE(max(e.seq) - min(e.seq) + 1, 0)
				OR (COALESCE(min(e.seq), 0) <> 1 AND b.created_at >= COALESCE(kept.since, 'infinity'))`},
	}
	for _, c := range checks {
		rows, err := s.pool.Query(ctx, strings.ReplaceAll(c.sql, "{s}", s.ident))
		if err != nil {
			tb.Errorf("invariant %q: %v", c.what, err)
			continue
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				tb.Errorf("invariant %q: %v", c.what, err)
				break
			}
			tb.Errorf("invariant broken: %s: %s", c.what, v)
		}
		rows.Close()
	}
}
