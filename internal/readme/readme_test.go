// Package readme checks the README against the code: its quick start and
// Service walkthrough compile and print what it says they print, every
// test command it shows runs tests, and no example imports internal/.
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

// TestQuickStartCompilesAndRuns: the quick start (the pure core) and the
// Service walkthrough compile as programs of this module and print what
// the README says they print.
func TestQuickStartCompilesAndRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs")
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
	for _, program := range []struct {
		name     string
		maxLines int
	}{{"quickstart", 75}, {"walkthrough", 110}} {
		t.Run(program.name, func(t *testing.T) {
			code, want := block(t, readme, "<!-- "+program.name+" -->"), block(t, readme, "<!-- "+program.name+"-output -->")
			if strings.Contains(code, "_ = ") {
				t.Errorf("the %s discards a result with _ =: handle its error", program.name)
			}
			if n := strings.Count(strings.TrimSpace(code), "\n") + 1; n > program.maxLines {
				t.Errorf("the %s has %d lines; keep it under %d", program.name, n, program.maxLines)
			}
			got := runSnippet(t, goBin, program.name, code)
			if got != want {
				t.Errorf("the %s printed\n%s\nthe README says\n%s", program.name, got, want)
			}
		})
	}
}

// runSnippet compiles code as package name of this module without writing
// into the source tree (an overlay maps a virtual file to a temporary
// one), runs it and returns what it printed.
func runSnippet(t *testing.T, goBin, name, code string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(here, name, "main.go"): src}})
	if err != nil {
		t.Fatal(err)
	}
	ov := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ov, overlay, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goBin, "run", "-overlay", ov, "./"+name)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the %s does not run: %v\n%s", name, err, stderr.String())
	}
	return out.String()
}
