package httpapi_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Hostile requests get a 4xx problem and change nothing.

func TestHostileBodiesAreRefusedAndChangeNothing(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)
	before := h.do(&camille, "GET", path(id, ""), nil).body

	for _, tc := range []struct {
		name        string
		contentType string
		body        []byte
		status      int
		kind        string
		field       string
	}{
		{"10 MB body", "application/json", append(append([]byte(`{"sku":"`), bytes.Repeat([]byte("A"), 10<<20)...), `","quantity":1}`...), 413, "body-too-large", ""},
		{"deep JSON", "application/json", []byte(strings.Repeat("[", 100_000)), 400, "bad-request", ""},
		{"deep JSON under a field", "application/json", []byte(`{"sku":"LAMP-ARC","product":` + strings.Repeat(`{"a":`, 64) + `1` + strings.Repeat("}", 64) + `}`), 400, "bad-request", ""},
		{"text body", "text/plain", []byte(`{"sku":"LAMP-ARC","quantity":1}`), 415, "unsupported-media-type", ""},
		{"no content type", "", []byte(`{"sku":"LAMP-ARC","quantity":1}`), 415, "unsupported-media-type", ""},
		{"another charset", "application/json; charset=latin1", []byte(`{"sku":"LAMP-ARC","quantity":1}`), 415, "unsupported-media-type", ""},
		{"unknown field", "application/json", []byte(`{"sku":"LAMP-ARC","quantity":1,"price":"0.01"}`), 400, "bad-request", "price"},
		{"two values", "application/json", []byte(`{"sku":"LAMP-ARC","quantity":1}{"sku":"LAMP-ARC","quantity":1}`), 400, "bad-request", ""},
		{"wrong type", "application/json", []byte(`{"sku":"LAMP-ARC","quantity":"1"}`), 400, "bad-request", "quantity"},
		{"not JSON", "application/json", []byte(`sku=LAMP-ARC`), 400, "bad-request", ""},
		{"empty", "application/json", nil, 400, "bad-request", ""},
		{"truncated", "application/json", []byte(`{"sku":"LAMP-ARC","quan`), 400, "bad-request", ""},
		{"huge quantity", "application/json", []byte(`{"sku":"LAMP-ARC","quantity":99999999999999999999}`), 400, "bad-request", "quantity"},
		{"negative quantity", "application/json", []byte(`{"sku":"LAMP-ARC","quantity":-3}`), 422, "invalid", "quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", h.srv.URL+path(id, "/lines"), bytes.NewReader(tc.body))
			require.NoError(t, err)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			req.Header.Set("Authorization", credentials(camille))
			req.Header.Set("X-Test-Off-Document", "on purpose")
			res, err := h.client.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			data, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			r := reply{status: res.StatusCode, header: res.Header, body: data}
			require.Equal(t, tc.status, r.status, "%s", r)
			p := r.problem(t)
			assert.Equal(t, httpapi.ProblemTypePrefix+tc.kind, p.Type)
			if tc.field != "" {
				assert.Equal(t, tc.field, p.Field)
			}
			assert.Less(t, len(data), 4<<10, "a refusal does not echo the body back")
		})
	}
	assert.Equal(t, string(before), string(h.do(&camille, "GET", path(id, ""), nil).body), "the basket is as it was")
}

// A client that sends its headers and then trickles its body is cut off
// at the request's time limit, with a 408, whatever the server around
// the handler allows.
func TestSlowClientsAreCutOff(t *testing.T) {
	h := newHarnessUnvalidated(t, func(_ *demo.ShopOptions, o *httpapi.Options) { o.Timeout = 300 * time.Millisecond })
	id := uuid.New()
	h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)

	conn, err := net.Dial("tcp", strings.TrimPrefix(h.srv.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	body := `{"sku":"LAMP-ARC","quantity":1}`
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		path(id, "/lines"), credentials(camille), len(body))
	require.NoError(t, err)
	start := time.Now()
	go func() {
		for i := range len(body) {
			if _, err := conn.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, http.StatusRequestTimeout, res.StatusCode)
	assert.Less(t, time.Since(start), 3*time.Second, "cut off at the limit, not when the body ends (3.2 s)")
	b := h.basket(camille, "GET", path(id, ""), nil, 200)
	assert.Empty(t, b.Lines, "nothing was added")
}

// FuzzRequests sends any method, path and body to the API: it answers a
// client error or a success, never a server fault, and every error is a
// problem document.
func FuzzRequests(f *testing.F) {
	h := newHarnessUnvalidated(f)
	id := h.walkIn(lea)
	b := h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, 200)
	methods := []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"}
	suffixes := []string{"", "/lines", "/lines/" + b.Lines[0].ID, "/coupons", "/coupons/MERCI5", "/vouchers", "/loyalty", "/transitions",
		"/recontextualize", "/check-out", "/merge", "/check-in-tickets", "/order", "/events", "/documents", "/scans", "/tenders",
		"/tenders/card", "/payment", "/invoice", "/fulfilments/F1/collected"}
	seeds := []string{`{"sku":"LAMP-ARC","quantity":1}`, `{"code":"MERCI5"}`, `{"to":"quote","lock_until":"2026-12-01T00:00:00Z"}`,
		`{"channel_id":"web","policy":"price-protection"}`, `{"quantity":2}`, `{"fulfilment":"ship-to-address"}`, `{"account":"L-1","tier":"gold"}`,
		`{"source_basket_id":"00000000-0000-0000-0000-000000000000","policy":"sum"}`, `{"ttl_seconds":-1}`, `null`, `[]`, `{}`}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i*7), []byte(s), "")
	}
	f.Add(uint8(1), uint8(0), []byte(`{}`), "/../../etc/passwd")
	f.Add(uint8(0), uint8(13), []byte(nil), "?after=-1&limit=100000")
	f.Fuzz(func(t *testing.T, m, s uint8, body []byte, extra string) {
		target := "/v1/baskets/" + id.String() + suffixes[int(s)%len(suffixes)] + extra
		req, err := http.NewRequest(methods[int(m)%len(methods)], "http://api"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", credentials(lea))
		w := httptest.NewRecorder()
		h.api.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("%s %s %q: %d %s", req.Method, target, body, w.Code, w.Body)
		}
		if w.Code >= 400 && req.Method != "HEAD" {
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"), "%s %s: %d %s", req.Method, target, w.Code, w.Body)
		}
	})
}
