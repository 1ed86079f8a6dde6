package readme

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrationsAreFrozen: docs/stability.md lists every migration of the
// PostgreSQL adapter with a hash of its bytes (or "unreleased"): a
// released migration is never edited, so a changed hash fails, and so
// does a migration the table does not list.
func TestMigrationsAreFrozen(t *testing.T) {
	raw, err := os.ReadFile("../../docs/stability.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(raw), "<!-- migrations -->")
	if !ok {
		t.Fatal("docs/stability.md has no <!-- migrations --> table")
	}
	table, _, _ = strings.Cut(table, "<!-- /migrations -->")
	listed := map[string]string{}
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasSuffix(strings.TrimSpace(cells[1]), ".sql") {
			continue
		}
		listed[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
	}
	files, err := filepath.Glob("../../adapters/postgres/migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("found %d migrations", len(files))
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := listed[name]
		if !ok {
			t.Errorf("%s is not in docs/stability.md's migration table", name)
			continue
		}
		delete(listed, name)
		if want == "unreleased" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:])[:16]; got != want {
			t.Errorf("%s was edited after its release (sha256 %s…, the table says %s…): add a new migration instead", name, got, want)
		}
	}
	for name := range listed {
		t.Errorf("docs/stability.md lists %s, which does not exist", name)
	}
}
