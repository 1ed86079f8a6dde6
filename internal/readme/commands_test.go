package readme

import (
	"bytes"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// goCommand is one `go test …` the README shows.
type goCommand struct {
	text  string
	pkgs  []string // ./pricing, ./stock/...
	flags map[string]string
}

// inlineCode matches a code span; fenced blocks are read line by line.
var inlineCode = regexp.MustCompile("`([^`\n]+)`")

// checkedDocs are the pages whose commands are checked: the README and
// the stability promise, which name the tests that keep them.
var checkedDocs = []string{"../../README.md", "../../docs/stability.md"}

// readmeCommands returns every `go test` command of the checked pages: in
// code spans (the guarantees, the benchmarks) and on lines of fenced
// blocks.
func readmeCommands(t *testing.T) []goCommand {
	t.Helper()
	var texts []string
	for _, doc := range checkedDocs {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, docCommands(string(raw))...)
	}
	return parseCommands(t, texts)
}

// docCommands returns the `go test` commands of one Markdown page.
func docCommands(doc string) []string {
	var texts []string
	fenced := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			if cmd, _, _ := strings.Cut(strings.TrimSpace(line), "#"); strings.HasPrefix(cmd, "go test ") {
				texts = append(texts, strings.TrimSpace(cmd))
			}
			continue
		}
		for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
			if strings.HasPrefix(m[1], "go test ") {
				texts = append(texts, m[1])
			}
		}
	}
	return texts
}

// parseCommands reads the packages and flags of each command.
func parseCommands(t *testing.T, texts []string) []goCommand {
	t.Helper()
	var out []goCommand
	for _, text := range texts {
		words, err := shellWords(text)
		if err != nil {
			t.Errorf("README command %q: %v", text, err)
			continue
		}
		c := goCommand{text: text, flags: map[string]string{}}
		for i := 2; i < len(words); i++ {
			w := words[i]
			switch {
			case strings.HasPrefix(w, "./"):
				c.pkgs = append(c.pkgs, w)
			case slices.Contains([]string{"-run", "-bench", "-fuzz", "-fuzztime", "-benchtime", "-timeout", "-count"}, w) && i+1 < len(words):
				c.flags[w] = words[i+1]
				i++
			case strings.HasPrefix(w, "-"):
				c.flags[w] = ""
			}
		}
		out = append(out, c)
	}
	return out
}

// shellWords splits a command as sh would, for the quoting the README
// uses: single and double quotes, no escapes outside them.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote")
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

// lister caches `go test -list .` per package: the names of its tests,
// benchmarks, fuzz targets and examples. Packages are listed at most
// once, concurrently.
type lister struct {
	goBin string
	mu    sync.Mutex
	names map[string]*listing
}

type listing struct {
	once  sync.Once
	names []string
	err   error
}

func (l *lister) list(t *testing.T, pkg string) []string {
	t.Helper()
	l.mu.Lock()
	e, ok := l.names[pkg]
	if !ok {
		e = &listing{}
		l.names[pkg] = e
	}
	l.mu.Unlock()
	e.once.Do(func() {
		cmd := exec.Command(l.goBin, "test", "-list", ".", pkg)
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		if err != nil {
			e.err = fmt.Errorf("go test -list . %s: %v\n%s", pkg, err, out)
			return
		}
		for _, line := range strings.Split(string(out), "\n") {
			if line != "" && !strings.HasPrefix(line, "ok ") && !strings.HasPrefix(line, "?") {
				e.names = append(e.names, line)
			}
		}
	})
	if e.err != nil {
		t.Fatal(e.err)
	}
	return e.names
}

// expand turns ./stock/... into the packages it names.
func (l *lister) expand(t *testing.T, pkg string) []string {
	t.Helper()
	if !strings.HasSuffix(pkg, "/...") {
		return []string{pkg}
	}
	cmd := exec.Command(l.goBin, "list", pkg)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	var pkgs []string
	for _, p := range strings.Fields(string(out)) {
		pkgs = append(pkgs, "./"+strings.TrimPrefix(p, "github.com/omnibasket/omnibasket/"))
	}
	return pkgs
}

// alternatives splits a pattern at its top-level | (outside parentheses
// and brackets), so that each alternative can be checked on its own.
func alternatives(pattern string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range pattern {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, pattern[start:i])
				start = i + 1
			}
		}
	}
	return append(out, pattern[start:])
}

// matching returns the names with prefix (Test, Benchmark, Fuzz) that
// every alternative of the top-level pattern matches, or an error naming
// an alternative that matches none.
func matching(names []string, pattern, prefix string) ([]string, error) {
	var all []string
	for _, alt := range alternatives(pattern) {
		re, err := regexp.Compile(alt)
		if err != nil {
			return nil, fmt.Errorf("%q is not a regular expression: %v", alt, err)
		}
		var hit []string
		for _, n := range names {
			if strings.HasPrefix(n, prefix) && re.MatchString(n) {
				hit = append(hit, n)
			}
		}
		if len(hit) == 0 {
			return nil, fmt.Errorf("%q matches no %s", alt, prefix)
		}
		all = append(all, hit...)
	}
	return all, nil
}

// TestReadmeCommandsSelectTests: every `go test` command of the README
// (and of docs/stability.md) runs something. A -run pattern (each of its alternatives, each level
// of a subtest path) matches real tests in every package named, a -bench
// pattern real benchmarks; a -fuzz pattern matches exactly one fuzz
// target and has a -fuzztime budget; no pattern holds the `\|` of a
// Markdown table, which Go's regexp reads as a literal bar.
func TestReadmeCommandsSelectTests(t *testing.T) {
	if testing.Short() {
		t.Skip("lists the tests of many packages")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	cmds := readmeCommands(t)
	if len(cmds) < 40 {
		t.Fatalf("found %d go test commands in the README; the parser lost some", len(cmds))
	}
	l := &lister{goBin: goBin, names: map[string]*listing{}}
	for _, c := range cmds {
		t.Run(strings.TrimPrefix(c.text, "go test "), func(t *testing.T) {
			t.Parallel()
			if strings.Contains(c.text, `\`) {
				t.Fatalf("%s: a backslash in a command (a table's \\| is a literal | to Go's regexp: write the command outside a table)", c.text)
			}
			if len(c.pkgs) == 0 {
				t.Fatalf("%s: names no package", c.text)
			}
			run, hasRun := c.flags["-run"]
			bench, hasBench := c.flags["-bench"]
			fuzz, hasFuzz := c.flags["-fuzz"]
			if hasFuzz {
				if _, ok := c.flags["-fuzztime"]; !ok {
					t.Errorf("%s: a fuzz command needs a -fuzztime budget (an execution count such as 20000x)", c.text)
				}
				if run != "^$" {
					t.Errorf("%s: a fuzz command should skip the unit tests with -run '^$'", c.text)
				}
				if len(c.pkgs) != 1 {
					t.Fatalf("%s: go test -fuzz takes one package", c.text)
				}
				targets, err := matching(l.list(t, c.pkgs[0]), fuzz, "Fuzz")
				if err != nil || len(targets) != 1 {
					t.Errorf("%s: -fuzz must match exactly one fuzz target, matches %v (%v)", c.text, targets, err)
				}
			}
			for _, pkg := range c.pkgs {
				for _, p := range l.expand(t, pkg) {
					names := l.list(t, p)
					if hasBench {
						if _, err := matching(names, bench, "Benchmark"); err != nil && bench != "." {
							t.Errorf("%s: in %s, -bench %v", c.text, p, err)
						}
					}
					if !hasRun || run == "^$" {
						if !hasBench && !hasFuzz && len(names) == 0 && !strings.HasSuffix(pkg, "/...") {
							t.Errorf("%s: %s has no test", c.text, p)
						}
						continue
					}
					top, sub, _ := strings.Cut(run, "/")
					if _, err := matching(names, top, "Test"); err != nil {
						t.Errorf("%s: in %s, -run %v", c.text, p, err)
						continue
					}
					if sub != "" {
						checkSubtests(t, goBin, c, p, run)
					}
				}
			}
		})
	}
}

// checkSubtests runs a command whose pattern names subtests (they only
// exist at run time) and requires a subtest at every level of the
// pattern to have run.
func checkSubtests(t *testing.T, goBin string, c goCommand, pkg, run string) {
	t.Helper()
	cmd := exec.Command(goBin, "test", "-run", run, "-v", "-count=1", pkg)
	cmd.Dir = "../.."
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", c.text, err, out.String())
	}
	depth := strings.Count(run, "/")
	for _, line := range strings.Split(out.String(), "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "--- PASS: "); ok && strings.Count(name, "/") >= depth {
			return
		}
	}
	t.Errorf("%s: no subtest at depth %d passed; it runs no test", c.text, depth)
}

// TestShellWords pins the splitter the command check relies on.
func TestShellWords(t *testing.T) {
	for in, want := range map[string][]string{
		`go test ./pricing -run 'Parse|Exact'`:                     {"go", "test", "./pricing", "-run", "Parse|Exact"},
		`go test ./basket -run '^$' -fuzz FuzzReplay -fuzztime 1x`: {"go", "test", "./basket", "-run", "^$", "-fuzz", "FuzzReplay", "-fuzztime", "1x"},
		`go test ./x -run "A B"`:                                   {"go", "test", "./x", "-run", "A B"},
		`go test ./x -run ''`:                                      {"go", "test", "./x", "-run", ""},
	} {
		got, err := shellWords(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("shellWords(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := shellWords(`go test -run 'open`); err == nil {
		t.Error("an unterminated quote is accepted")
	}
	if got := alternatives("Parse|Exact|(A|B)x|[|]"); !slices.Equal(got, []string{"Parse", "Exact", "(A|B)x", "[|]"}) {
		t.Errorf("alternatives = %q", got)
	}
	if _, err := matching([]string{"TestParse", "TestExact"}, `Parse\|Exact`, "Test"); err == nil {
		t.Error(`the literal bar of a table cell ("Parse\|Exact") matches`)
	}
}

// TestExamplesImportNoInternal: a newcomer copies an example into their
// own module, where internal/ packages cannot be imported. No program
// under examples/ (nor its tests) and no Example function outside
// internal/ imports one.
func TestExamplesImportNoInternal(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const internal = "github.com/omnibasket/omnibasket/internal/"
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}} {{join .Imports " "}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./examples/...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./examples/...: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 4 {
		t.Fatalf("go list found %d example programs", len(lines))
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, internal) {
				t.Errorf("%s imports %s", fields[0], imp)
			}
		}
	}

	var examples int
	err = filepath.WalkDir("../..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "internal" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "../.." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Contains(src, []byte("\nfunc Example")) {
			return nil
		}
		examples++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, internal) {
				t.Errorf("%s has an Example and imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if examples < 20 {
		t.Fatalf("found %d files with Example functions; the walk lost some", examples)
	}
}
