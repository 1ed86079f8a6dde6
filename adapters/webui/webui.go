package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// static holds the pages. The directory is embedded whole, so a file
// added there is served without a change here.
//
//go:embed static
var static embed.FS

// Prefix is the path the pages are served under.
const Prefix = "/ui/"

// ContentSecurityPolicy is sent with every file. The pages run only their
// own modules, style themselves only from their own stylesheet, talk only
// to their own origin, and draw QR codes as inline SVG the server made
// (img-src data: is for nothing else); the camera's stream is a media
// stream, not a fetch. Nothing may frame them: a framed tablet page could
// be clicked through by another site (clickjacking).
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; media-src 'self' blob: mediastream:; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// contentType is the type of a file the pages are made of, by its
// extension; "" for a kind of file they do not use. The types are set here
// rather than taken from the system's MIME table, which differs between
// machines (a browser refuses a module served as text/plain).
func contentType(ext string) string {
	switch ext {
	case ".html":
		return "text/html; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	}
	return ""
}

// Files returns the pages' files, rooted at the directory served under
// [Prefix] (tablet.html, phone.html, app.css …): for a platform that
// serves them itself, from its own paths or a CDN.
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the directory is embedded: it exists
	}
	return sub
}

// Handler serves the pages under [Prefix]: /ui/ is a short index of
// the two pages, /ui/tablet.html and /ui/phone.html the pages themselves.
// It answers GET and HEAD only (405 otherwise) and 404 outside its files;
// every answer carries [ContentSecurityPolicy], no sniffing and no
// referrer (a check-out code travels in the phone page's URL and must not
// leak to another site). The files are revalidated on every load, so a
// new server version is never mixed with a cached module of the old one.
func Handler() http.Handler {
	files := http.FileServerFS(Files())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-cache")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok || strings.HasSuffix(name, "/") && name != "" {
			http.NotFound(w, r)
			return
		}
		if name == "" {
			name = "index.html"
		}
		ct := contentType(path.Ext(name))
		if ct == "" || !fs.ValidPath(name) {
			http.NotFound(w, r)
			return
		}
		if _, err := fs.Stat(Files(), name); err != nil {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", ct)
		// FileServerFS redirects …/index.html to …/: serve the file by
		// its own name instead.
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		if name == "index.html" {
			r2.URL.Path = "/"
		}
		files.ServeHTTP(w, r2)
	})
}
