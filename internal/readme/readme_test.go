// Package readme checks that the README's quick start compiles and prints
// what the README says it prints.
package readme

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// block returns the fenced code block that follows marker in the README.
func block(t *testing.T, readme, marker string) string {
	t.Helper()
	_, after, ok := strings.Cut(readme, marker)
	if !ok {
		t.Fatalf("README has no %s marker", marker)
	}
	_, body, ok := strings.Cut(after, "```")
	if !ok {
		t.Fatalf("no code block after %s", marker)
	}
	_, body, _ = strings.Cut(body, "\n") // drop the language tag
	code, _, ok := strings.Cut(body, "```")
	if !ok {
		t.Fatalf("unterminated code block after %s", marker)
	}
	return code
}

func TestQuickStartCompilesAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	code, want := block(t, readme, "<!-- quickstart -->"), block(t, readme, "<!-- quickstart-output -->")

	// Compile the snippet as a package of this module without writing into
	// the source tree: an overlay maps a virtual file to a temporary one.
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(here, "quickstart", "main.go"): src}})
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimSpace(code), "\n") + 1; n > 45 {
		t.Errorf("the quick start has %d lines; keep it short", n)
	}
	cmd := exec.Command(goBin, "run", "-overlay", ov, "./quickstart")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quick start does not run: %v\n%s", err, stderr.String())
	}
	if got := out.String(); got != want {
		t.Errorf("quick start printed\n%s\nthe README says\n%s", got, want)
	}
}
