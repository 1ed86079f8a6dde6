package browsertest

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// page is a page that does what the tests check: a button that changes
// a text, the language it sees, and an error on demand.
const page = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>harness</title></head>
<body style="margin:0">
<p id="status">waiting</p>
<button id="go" onclick="document.getElementById('status').textContent = 'clicked'">Go</button>
<p id="lang"></p>
<p id="header"></p>
<div style="height:2000px;background:#eee">tall</div>
<script>
document.getElementById('lang').textContent = navigator.language;
fetch('/lang').then(r => r.text()).then(t => { document.getElementById('header').textContent = t; });
if (location.hash === '#throw') { setTimeout(() => { throw new Error('boom from the page'); }, 0); }
if (location.hash === '#console') { console.error('failed to load', 42); }
</script>
</body></html>`

func server(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lang" {
			_, _ = w.Write([]byte(r.Header.Get("Accept-Language")))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestTabClicksAndSpeaksItsLanguage(t *testing.T) {
	browser := Browser(t)
	srv := server(t)
	tab := Tab(t, browser, TabOptions{Width: 390, Height: 844, Scale: 2, Mobile: true, Lang: "fr-FR"})
	Do(t, tab,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#go")),
		chromedp.Click(chromedp.CSS("#go")),
		chromedp.WaitVisible(chromedp.Search(`//p[@id="status" and text()="clicked"]`)),
	)
	status, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById('status').textContent`))
	require.NoError(t, err)
	assert.Equal(t, "clicked", status)
	lang, err := chromedp.Run(tab, chromedp.Evaluate[string](`navigator.language`))
	require.NoError(t, err)
	assert.Equal(t, "fr-FR", lang)
	Do(t, tab, chromedp.WaitVisible(chromedp.Search(`//p[@id="header" and text()="fr-FR"]`)))
	month, err := chromedp.Run(tab, chromedp.Evaluate[string](`new Intl.DateTimeFormat(undefined, {month: 'long', timeZone: 'UTC'}).format(new Date(Date.UTC(2026, 0, 15)))`))
	require.NoError(t, err)
	assert.Equal(t, "janvier", month, "Intl speaks the language too")
	width, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.innerWidth`))
	require.NoError(t, err)
	assert.Equal(t, 390, width)
	ratio, err := chromedp.Run(tab, chromedp.Evaluate[float64](`window.devicePixelRatio`))
	require.NoError(t, err)
	assert.Equal(t, 2.0, ratio)
}

// Tabs are separate devices: what one stores, the other does not see.
func TestTabsAreIsolated(t *testing.T) {
	browser := Browser(t)
	srv := server(t)
	a := Tab(t, browser, TabOptions{})
	b := Tab(t, browser, TabOptions{})
	Do(t, a, chromedp.Navigate(srv.URL+"/"))
	Do(t, b, chromedp.Navigate(srv.URL+"/"))
	_, err := chromedp.Run(a, chromedp.Evaluate[chromedp.Void](`localStorage.setItem('token', 'secret'); document.cookie = 'c=1'`))
	require.NoError(t, err)
	seen, err := chromedp.Run(b, chromedp.Evaluate[string](`(localStorage.getItem('token') || '') + document.cookie`))
	require.NoError(t, err)
	assert.Empty(t, seen)
}

// A page that throws or logs an error is reported; a quiet one is not.
func TestPageErrorsAreCollected(t *testing.T) {
	browser := Browser(t)
	srv := server(t)
	for _, c := range []struct {
		hash string
		want string
	}{
		{"#throw", "boom from the page"},
		{"#console", "console.error: failed to load 42"},
		{"", ""},
	} {
		t.Run(c.hash, func(t *testing.T) {
			tab, errs := openTab(t, browser, TabOptions{})
			Do(t, tab, chromedp.Navigate(srv.URL+"/"+c.hash), chromedp.WaitVisible(chromedp.CSS("#go")))
			if c.want == "" {
				// Give a late error the time to arrive before saying none did.
				time.Sleep(300 * time.Millisecond)
				assert.Empty(t, errs.list())
				return
			}
			require.Eventually(t, func() bool { return len(errs.list()) > 0 }, 5*time.Second, 20*time.Millisecond)
			assert.Contains(t, strings.Join(errs.list(), "\n"), c.want)
		})
	}
}

func TestScreenshotIsTheWholePage(t *testing.T) {
	browser := Browser(t)
	srv := server(t)
	tab := Tab(t, browser, TabOptions{Width: 400, Height: 300})
	Do(t, tab, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#go")))
	path := filepath.Join(t.TempDir(), "deep", "dir", "page.png")
	Screenshot(t, tab, path)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err, "a PNG")
	assert.Equal(t, 400, img.Bounds().Dx())
	assert.Greater(t, img.Bounds().Dy(), 2000, "the whole page, not the viewport")
}

// Without a browser the tests skip, or fail when the gate requires one.
func TestNoBrowser(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-browser"))
	assert.Empty(t, findChromium(), "a named browser that is not there is not replaced by another")

	t.Setenv(EnvRequire, "")
	rec := &recorder{TB: t}
	run(rec, func() { Browser(rec) })
	assert.True(t, rec.skipped)
	assert.False(t, rec.failed)
	assert.Contains(t, rec.msg, "no Chromium found")

	t.Setenv(EnvRequire, "1")
	rec = &recorder{TB: t}
	run(rec, func() { Browser(rec) })
	assert.True(t, rec.failed)
	assert.False(t, rec.skipped)
	assert.Contains(t, rec.msg, "apt-get install chromium")
}

// recorder is a testing.TB that records a skip or a failure instead of
// ending the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

type stop struct{}

func (r *recorder) Helper() {}

func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	panic(stop{})
}

func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	panic(stop{})
}

// run runs f, which may end with the recorder's Skip or Fatal.
func run(r *recorder, f func()) {
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stop); !ok {
				panic(v)
			}
		}
	}()
	f()
}
