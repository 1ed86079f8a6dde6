package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// migrationFiles holds the schema migrations, applied in the order of their
// numeric prefix (0001_init.sql, 0002_….sql, …).
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// maxIdentifierLen is PostgreSQL's limit on identifiers (NAMEDATALEN - 1);
// longer ones are silently truncated.
const maxIdentifierLen = 63

// migration is one embedded migration file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations sorted by version.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, name := range names {
		base := path.Base(name)
		prefix, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("postgres: migration %s: name must start with a positive number and '_'", base)
		}
		b, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: strings.TrimSuffix(base, ".sql"), sql: string(b)})
	}
	slices.SortFunc(out, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("postgres: migrations %s and %s share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

// SchemaVersion is the version of the newest migration embedded in this
// package, the one [Store.Migrate] brings the schema to.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate creates the store's schema if needed and applies the embedded
// migrations it has not applied yet, recording each in the table
// schema_migrations of that schema. Everything runs in one transaction
// under a transaction-scoped advisory lock derived from the schema name,
// so that concurrent calls (several instances starting at once) apply each
// migration exactly once, and a failure leaves the schema as it was. In the
// same transaction it creates the event history's partitions for the store
// clock's month and the next (see [Store.PrepareHistory]). Calling it
// again changes nothing but that. The store never migrates implicitly: call it
// at deployment, or at start-up, with a role allowed to create tables.
func (s *Store) Migrate(ctx context.Context) error {
	if len(s.schema) > maxIdentifierLen {
		return fmt.Errorf("postgres: schema name %q is longer than %d bytes", s.schema, maxIdentifierLen)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	err = s.inTx(ctx, "migrate", func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("migrate", s.schema, "")); err != nil {
			return err
		}
		// Under the lock, so that concurrent callers do not race to create
		// the schema; and only when missing, so that a role without CREATE
		// on the database can migrate a schema an administrator made.
		var exists bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", s.schema).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA "+s.ident); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+s.ident+`.schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT version FROM "+s.ident+".schema_migrations")
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SET LOCAL search_path TO "+s.ident); err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(applied, int32(m.version)) {
				continue
			}
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO "+s.ident+".schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
				return err
			}
		}
		// The history's current and next months (see [Store.PrepareHistory]),
		// so that the first writes after a deployment do not create them.
		this := monthOf(s.clock.Now())
		_, err = s.createMonthsIn(ctx, tx, []HistoryMonth{this, monthOf(this.End())})
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate schema %s: %w", s.ident, err)
	}
	return nil
}

// DropSchema deletes the store's schema and everything in it: every basket,
// event, reservation and nonce. It is the teardown of [Store.Migrate] for
// tests, examples and decommissioned tenants, and it is irreversible; it
// takes the migration lock so that it does not interleave with a Migrate.
func (s *Store) DropSchema(ctx context.Context) error {
	return s.inTx(ctx, "drop schema", func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey("migrate", s.schema, "")); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "DROP SCHEMA IF EXISTS "+s.ident+" CASCADE")
		return err
	})
}
