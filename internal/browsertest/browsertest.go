// Package browsertest runs the tablet and phone pages in headless Chromium
// for tests, with github.com/chromedp/chromedp: [Browser] starts one
// browser per test, [Tab] opens an isolated tab in it (its own cookies and
// storage, a viewport, a language) that fails the test when the page logs
// an error or throws, [Do] runs steps each under a time limit, and
// [Screenshot] keeps a picture of the page.
//
// Without Chromium the tests skip, so that `go test ./...` passes on a
// machine that has only Go; the gate sets OMNIBASKET_REQUIRE_BROWSER=1 so
// that there a missing browser fails instead of hiding the tests.
package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// The environment variables the package reads.
const (
	// EnvChromium names the browser binary, before the usual places.
	EnvChromium = "OMNIBASKET_CHROMIUM"
	// EnvRequire set to 1 makes a missing browser fail the test instead
	// of skipping it.
	EnvRequire = "OMNIBASKET_REQUIRE_BROWSER"
)

// Time limits.
const (
	// DefaultActionTimeout bounds each step of [Do]: a selector that never
	// matches fails in seconds, not at go test's ten minutes.
	DefaultActionTimeout = 10 * time.Second
	// DefaultTabTimeout bounds everything a tab does, when [TabOptions]
	// names no other limit.
	DefaultTabTimeout = 2 * time.Minute
)

const missing = "browser tests skipped: no Chromium found (apt-get install chromium, or set " + EnvChromium + ")"

// findChromium returns the browser's path, or "" when there is none:
// EnvChromium, else Debian's package, else the names it goes by in PATH.
func findChromium() string {
	if p := os.Getenv(EnvChromium); p != "" {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
		return ""
	}
	for _, c := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(c); err == nil {
			return path
		}
	}
	return ""
}

// Browser starts a headless Chromium for the test and returns its
// context, the parent of [Tab]s; the test's cleanup stops it. Without a
// browser the test is skipped, or fails when OMNIBASKET_REQUIRE_BROWSER=1.
//
// The flags keep a machine without network quiet and the runs
// independent: no sandbox (CI containers run as root), no GPU, no QUIC,
// no background, component or sync traffic, and a fresh profile in a
// temporary directory.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	profile := t.TempDir() // removed after the browser stops (cleanups run last first)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Run starts the browser; it must have no deadline, which
	// would stop the browser with it.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return browser
}

// TabOptions set up a tab as a device: the tablet at the counter, the
// shopper's phone.
type TabOptions struct {
	// Width and Height are the viewport in CSS pixels (default 1280×800).
	Width, Height int
	// Scale is the device pixel ratio (default 1).
	Scale float64
	// Mobile emulates a phone: the meta viewport is honoured, touch is on.
	Mobile bool
	// Lang is the browser's language, a BCP 47 tag such as "fr-FR": the
	// Accept-Language header, navigator.language and Intl's default.
	Lang string
	// Timeout bounds everything the tab does (default DefaultTabTimeout).
	Timeout time.Duration
}

// Tab opens a tab in its own browser context (cookies and storage of its
// own, as on another device) with the options' viewport and language, and
// returns its context, to use with chromedp.Run and [Do]. Every console
// error and uncaught exception of its pages fails the test at cleanup:
// pages must not throw.
func Tab(t testing.TB, browser context.Context, opts TabOptions) context.Context {
	t.Helper()
	ctx, errs := openTab(t, browser, opts)
	t.Cleanup(func() {
		for _, e := range errs.list() {
			t.Errorf("browser: %s", e)
		}
	})
	return ctx
}

// pageErrors collects what a tab's pages report as errors.
type pageErrors struct {
	mu   sync.Mutex
	errs []string
}

func (p *pageErrors) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, s)
}

func (p *pageErrors) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errs...)
}

// openTab is Tab without the report: the errors are returned to the
// caller.
func openTab(t testing.TB, browser context.Context, opts TabOptions) (context.Context, *pageErrors) {
	t.Helper()
	if opts.Width <= 0 {
		opts.Width = 1280
	}
	if opts.Height <= 0 {
		opts.Height = 800
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTabTimeout
	}
	tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancelTab)
	errs := &pageErrors{}
	// Listen opens the tab; the emulation below runs on it before any
	// page loads.
	err := chromedp.Listen(tab, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				errs.add("console.error: " + describeArgs(ev.Args))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg += " " + d.Exception.Description
			}
			if d.URL != "" {
				msg += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
			}
			errs.add("uncaught exception: " + msg)
		}
	})
	if err != nil {
		t.Fatalf("browser: opening a tab: %v", err)
	}
	viewport := []chromedp.EmulateViewportOption{chromedp.EmulateScale(opts.Scale)}
	if opts.Mobile {
		viewport = append(viewport, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(int64(opts.Width), int64(opts.Height), viewport...)}
	if opts.Lang != "" {
		steps = append(steps, language(opts.Lang))
	}
	if err := chromedp.Do(tab, steps...); err != nil {
		t.Fatalf("browser: setting up the tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, opts.Timeout)
	t.Cleanup(cancel)
	return ctx, errs
}

// language makes the tab speak lang: the header and navigator.language
// through the user agent override (which needs the user agent itself),
// Intl's formats through the locale override.
func language(lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		ua, err := chromedp.Evaluate[string]("navigator.userAgent")(ctx, t)
		if err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang}); err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: strings.ReplaceAll(lang, "-", "_")})
		return err
	})
}

// describeArgs renders console.error's arguments as the console shows
// them.
func describeArgs(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		var s string
		switch {
		case len(a.Value) > 0 && json.Unmarshal(a.Value, &s) == nil:
		case len(a.Value) > 0:
			s = string(a.Value)
		case a.Description != "":
			s = a.Description
		default:
			s = string(a.Type)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Do runs steps on a tab in order, each within DefaultActionTimeout, and
// fails the test at the first that fails, naming it by its position.
func Do(t testing.TB, tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, step := range steps {
		ctx, cancel := context.WithTimeout(tab, DefaultActionTimeout)
		_, err := chromedp.Run(ctx, step)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w (the step's limit is %s)", err, DefaultActionTimeout)
			}
			t.Fatalf("browser: step %d of %d: %v", i+1, len(steps), err)
		}
	}
}

// Screenshot writes a PNG of the whole page, beyond the viewport, to path,
// creating its directory.
func Screenshot(t testing.TB, tab context.Context, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, DefaultActionTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot %s: %v", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
}
