package webui_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/omnibasket/omnibasket/adapters/webui"
)

// A platform serves the pages next to the API it mounts, on the same
// origin: the pages call /v1/… with the bearer token of the person signed
// in.
func Example() {
	mux := http.NewServeMux()
	mux.Handle(webui.Prefix, webui.Handler())
	// mux.Handle("/v1/", api) — the httpapi handler, on the same origin.

	res := httptest.NewRecorder()
	mux.ServeHTTP(res, httptest.NewRequest("GET", "/ui/tablet.html", nil))
	fmt.Println(res.Code, res.Header().Get("Content-Type"))
	// Output: 200 text/html; charset=utf-8
}
