package webui_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/webui"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
)

func get(t *testing.T, method, path string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	webui.Handler().ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Result()
}

func TestHandler(t *testing.T) {
	tests := []struct {
		method, path string
		status       int
		contentType  string
	}{
		{"GET", "/ui/", 200, "text/html; charset=utf-8"},
		{"GET", "/ui/tablet.html", 200, "text/html; charset=utf-8"},
		{"GET", "/ui/phone.html", 200, "text/html; charset=utf-8"},
		{"HEAD", "/ui/phone.html", 200, "text/html; charset=utf-8"},
		{"GET", "/ui/app.css", 200, "text/css; charset=utf-8"},
		{"GET", "/ui/tablet.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/ui/api.js", 200, "text/javascript; charset=utf-8"},
		{"GET", "/ui/messages.json", 200, "application/json"},
		{"GET", "/ui/index.html", 200, "text/html; charset=utf-8"},
		{"GET", "/ui/nothing.html", 404, ""},
		{"GET", "/ui/static/tablet.html", 404, ""},
		{"GET", "/ui/../webui.go", 404, ""},
		{"GET", "/ui/webui.go", 404, ""},
		{"GET", "/ui/sub/", 404, ""},
		{"GET", "/tablet.html", 404, ""},
		{"POST", "/ui/tablet.html", 405, ""},
		{"DELETE", "/ui/", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			res := get(t, tt.method, tt.path)
			assert.Equal(t, tt.status, res.StatusCode)
			if tt.contentType != "" {
				assert.Equal(t, tt.contentType, res.Header.Get("Content-Type"))
			}
			// Every answer, refusals included, carries the policy.
			assert.Equal(t, webui.ContentSecurityPolicy, res.Header.Get("Content-Security-Policy"))
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
			if tt.status == 405 {
				assert.Equal(t, "GET, HEAD", res.Header.Get("Allow"))
			}
		})
	}
}

// TestHandlerServesEveryFile: every embedded file is served, with its type.
func TestHandlerServesEveryFile(t *testing.T) {
	n := 0
	require.NoError(t, fs.WalkDir(webui.Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		res := get(t, "GET", "/ui/"+name)
		assert.Equal(t, 200, res.StatusCode, name)
		assert.NotEmpty(t, res.Header.Get("Content-Type"), name)
		want, err := fs.ReadFile(webui.Files(), name)
		require.NoError(t, err)
		got, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		assert.Equal(t, want, got, name)
		return nil
	}))
	assert.GreaterOrEqual(t, n, 9)
}

// TestPolicyIsStrict: no inline code, no eval, nothing from elsewhere, no
// framing.
func TestPolicyIsStrict(t *testing.T) {
	p := webui.ContentSecurityPolicy
	for _, banned := range []string{"unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "http:", "https:"} {
		assert.NotContains(t, p, banned)
	}
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
		"frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"} {
		assert.Contains(t, p, want)
	}
}

// element is an HTML element, read with encoding/xml (the pages are
// written as well-formed XHTML-style HTML for this).
type element struct {
	name     string
	attrs    map[string]string
	text     string // its own text and its descendants'
	parent   *element
	children []*element
}

func (e *element) has(name string) bool { _, ok := e.attrs[name]; return ok }

func (e *element) walk(f func(*element)) {
	f(e)
	for _, c := range e.children {
		c.walk(f)
	}
}

func parseHTML(t *testing.T, name string) *element {
	t.Helper()
	data, err := fs.ReadFile(webui.Files(), name)
	require.NoError(t, err)
	d := xml.NewDecoder(strings.NewReader(string(data)))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	root := &element{name: "#document", attrs: map[string]string{}}
	cur := root
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "%s is not well formed", name)
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &element{name: tok.Name.Local, attrs: map[string]string{}, parent: cur}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			cur.children = append(cur.children, e)
			cur = e
		case xml.EndElement:
			cur = cur.parent
		case xml.CharData:
			for e := cur; e != nil; e = e.parent {
				e.text += string(tok)
			}
		}
	}
	return root
}

func htmlFiles(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(webui.Files(), "*.html")
	require.NoError(t, err)
	require.Contains(t, names, "tablet.html")
	require.Contains(t, names, "phone.html")
	return names
}

// TestPagesAreAccessible: a language, a title, a label for every control,
// a name for every button, a live region, unique IDs, and nothing inline
// (the policy would block it).
func TestPagesAreAccessible(t *testing.T) {
	for _, name := range htmlFiles(t) {
		t.Run(name, func(t *testing.T) {
			doc := parseHTML(t, name)
			ids := map[string]bool{}
			labelled := map[string]bool{}
			var html, title *element
			live := false
			doc.walk(func(e *element) {
				if id := e.attrs["id"]; id != "" {
					assert.False(t, ids[id], "id %q twice", id)
					ids[id] = true
				}
				if e.name == "label" {
					labelled[e.attrs["for"]] = true
				}
				switch e.name {
				case "html":
					html = e
				case "title":
					title = e
				case "script":
					assert.Equal(t, "module", e.attrs["type"], "scripts are modules")
					assert.NotEmpty(t, e.attrs["src"], "no inline script")
					assert.Empty(t, strings.TrimSpace(e.text), "no inline script")
				case "style":
					t.Errorf("no inline <style>: the policy blocks it")
				}
				if e.attrs["aria-live"] != "" || e.attrs["role"] == "status" || e.attrs["role"] == "alert" {
					live = true
				}
				assert.False(t, e.has("style"), "<%s id=%q> has a style attribute: the policy blocks it", e.name, e.attrs["id"])
				for a := range e.attrs {
					assert.False(t, strings.HasPrefix(a, "on"), "<%s> has an inline handler %s", e.name, a)
				}
			})
			require.NotNil(t, html)
			assert.NotEmpty(t, html.attrs["lang"], "<html lang>")
			require.NotNil(t, title)
			assert.NotEmpty(t, strings.TrimSpace(title.text))
			doc.walk(func(e *element) {
				switch e.name {
				case "input", "select", "textarea":
					id := e.attrs["id"]
					assert.True(t, labelled[id] || e.has("aria-label") || e.has("data-i18n-label") || e.has("aria-labelledby"),
						"%s: <%s id=%q> has no label", name, e.name, id)
				case "button":
					assert.True(t, strings.TrimSpace(e.text) != "" || e.has("aria-label") || e.has("data-i18n-label"),
						"%s: a <button id=%q> has no name", name, e.attrs["id"])
					assert.NotEmpty(t, e.attrs["type"], "%s: <button id=%q> needs a type", name, e.attrs["id"])
				case "video":
					assert.True(t, e.has("aria-label") || e.has("data-i18n-label"), "%s: <video> has no name", name)
				}
			})
			if name != "index.html" {
				assert.True(t, live, "%s has no live region for updates and errors", name)
			}
		})
	}
}

// dictionaries reads messages.json: language → key → sentence.
func dictionaries(t *testing.T) map[string]map[string]string {
	t.Helper()
	data, err := fs.ReadFile(webui.Files(), "messages.json")
	require.NoError(t, err)
	var d map[string]map[string]string
	require.NoError(t, json.Unmarshal(data, &d))
	return d
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestDictionariesAgree: French and English have the same keys, no empty
// sentence, and the same placeholders in each sentence.
func TestDictionariesAgree(t *testing.T) {
	d := dictionaries(t)
	require.ElementsMatch(t, []string{"en", "fr"}, mapKeys(d))
	for key, en := range d["en"] {
		fr, ok := d["fr"][key]
		if !assert.True(t, ok, "%q has no French sentence", key) {
			continue
		}
		assert.NotEmpty(t, strings.TrimSpace(en), key)
		assert.NotEmpty(t, strings.TrimSpace(fr), key)
		assert.Equal(t, placeholders(en), placeholders(fr), "%q: the placeholders differ", key)
	}
	for key := range d["fr"] {
		assert.Contains(t, d["en"], key, "%q has no English sentence", key)
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The ways the code names keys: a literal ("ns.key"), and a dynamic key
// built from a prefix ("ns." + kind, `ns.${kind}`).
var (
	literalKey = regexp.MustCompile(`["'` + "`" + `]([a-z]+\.[a-z0-9.-]*[a-z0-9])["'` + "`" + `]`)
	dynamicKey = regexp.MustCompile(`(?:["']([a-z]+)\.["']\s*\+|` + "`" + `([a-z]+)\.\$\{)`)
)

// clientKinds are the refusals the pages name themselves: no server, no
// camera, no product chosen, and the sentences built around a problem.
var clientKinds = []string{"unknown", "server", "network", "camera", "choose-product", "shortage", "shortage-unknown", "short-lines", "short-line"}

// TestEveryKeyExists: every key the pages name, literally or from a
// prefix and a value of the API, has a sentence; every sentence is used;
// every word of the API a page says from a prefix (change kinds, modes,
// statuses, problems) is one the API has.
func TestEveryKeyExists(t *testing.T) {
	d := dictionaries(t)
	en := d["en"]
	namespaces := map[string]bool{}
	for k := range en {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	used := map[string]bool{}
	dynamic := map[string]bool{}
	files, err := fs.Glob(webui.Files(), "*.js")
	require.NoError(t, err)
	for _, name := range files {
		data, err := fs.ReadFile(webui.Files(), name)
		require.NoError(t, err)
		for _, m := range literalKey.FindAllStringSubmatch(string(data), -1) {
			key := m[1]
			ns, _, _ := strings.Cut(key, ".")
			if !namespaces[ns] || regexp.MustCompile(`\.(html|js|json|css)$`).MatchString(key) {
				continue
			}
			used[key] = true
			assert.Contains(t, en, key, "%s names %q, which has no sentence", name, key)
		}
		for _, m := range dynamicKey.FindAllStringSubmatch(string(data), -1) {
			dynamic[m[1]+m[2]] = true
		}
	}
	for _, name := range htmlFiles(t) {
		parseHTML(t, name).walk(func(e *element) {
			for _, a := range []string{"data-i18n", "data-i18n-placeholder", "data-i18n-label", "data-i18n-title"} {
				if key, ok := e.attrs[a]; ok {
					used[key] = true
					if assert.Contains(t, en, key, "%s: %s=%q has no sentence", name, a, key) && a == "data-i18n" {
						// The text in the file, shown before the
						// script runs, is the English sentence.
						assert.Equal(t, en[key], strings.TrimSpace(e.text), "%s: the text of %q", name, key)
					}
				}
			}
		})
	}

	// The words the pages say from the API's values: each value has a
	// sentence (the list is the API's, so a new kind fails here).
	var changes, modes, statuses, fstatuses []string
	for k := basket.ChangeCurrency; k <= basket.ChangeTotal; k++ {
		changes = append(changes, k.String())
	}
	for m := channel.CarryOut; m <= channel.Transfer; m++ {
		modes = append(modes, m.String())
	}
	for s := basket.Wishlist; s <= basket.Abandoned; s++ {
		statuses = append(statuses, s.String())
	}
	for s := basket.FulfilmentOpen; s <= basket.FulfilmentReleased; s++ {
		fstatuses = append(fstatuses, s.String())
	}
	complete := map[string][]string{
		"change":  changes,
		"mode":    modes,
		"status":  statuses,
		"fstatus": fstatuses,
		"method":  {"qr", "nfc"},
	}
	kinds := slices.Clone(clientKinds)
	for _, k := range httpapi.ErrorKinds() {
		kinds = append(kinds, k.Kind)
	}
	kinds = append(kinds, "internal", "timeout", "canceled")
	known := map[string][]string{"problem": kinds, "change": append(slices.Clone(changes), "other"), "method": {"qr", "nfc", "short-code", "associate"}}
	for prefix, values := range complete {
		require.True(t, dynamic[prefix], "the pages no longer build %q keys: drop it from the test", prefix)
		for _, v := range values {
			assert.Contains(t, en, prefix+"."+v, "the API says %s %q: the pages have no sentence for it", prefix, v)
		}
	}
	for key := range en {
		prefix, rest, _ := strings.Cut(key, ".")
		switch {
		case dynamic[prefix]:
			values := known[prefix]
			if values == nil {
				values = complete[prefix]
			}
			assert.Contains(t, values, rest, "%q names no %s of the API", key, prefix)
		case key == "lang.name": // read from the dictionary of each language by the switch
		default:
			assert.True(t, used[key], "%q is never used", key)
		}
	}
}

// TestContrast: the colour pairs the stylesheet puts text on reach 4.5:1
// (WCAG 2 AA for body text), for a tablet under a store's lights.
func TestContrast(t *testing.T) {
	data, err := fs.ReadFile(webui.Files(), "app.css")
	require.NoError(t, err)
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b`).FindAllStringSubmatch(string(data), -1) {
		c := m[2]
		if len(c) == 4 { // #rgb is #rrggbb
			c = "#" + strings.Repeat(c[1:2], 2) + strings.Repeat(c[2:3], 2) + strings.Repeat(c[3:4], 2)
		}
		vars[m[1]] = c
	}
	pairs := [][2]string{
		{"ink", "paper"}, {"muted", "paper"}, {"muted", "panel"}, {"ink", "panel"}, {"paper", "ink"},
		{"accent", "paper"}, {"accent-ink", "accent"}, {"good", "paper"}, {"good", "panel"},
		{"bad", "paper"}, {"bad", "bad-bg"}, {"accent", "panel"},
	}
	for _, p := range pairs {
		fg, bg := vars[p[0]], vars[p[1]]
		require.NotEmpty(t, fg, p[0])
		require.NotEmpty(t, bg, p[1])
		r := contrast(fg, bg)
		assert.GreaterOrEqual(t, r, 4.5, "--%s on --%s: %.2f:1", p[0], p[1], r)
	}
	assert.InDelta(t, 21.0, contrast("#000000", "#ffffff"), 0.01, "the formula's own check")
}

// contrast is WCAG 2's contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			panic(fmt.Sprintf("colour %s: %v", hex, err))
		}
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}
