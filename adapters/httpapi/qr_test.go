package httpapi_test

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/internal/qrsvg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kin-openapi decodes a body by its media type and knows no SVG: the
// validator reads one as the text it is (the document says a string), so
// that a drawQRCode reply is checked like any other.
func init() {
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.PlainBodyDecoder)
}

// svgDoc is what a page reads of the reply: the root, its role and title.
type svgDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	Role    string   `xml:"role,attr"`
	ViewBox string   `xml:"viewBox,attr"`
	Title   string   `xml:"title"`
}

// Any signed-in caller gets the code of the text as an SVG document, the
// same document the encoder draws, validated against the OpenAPI
// document (image/svg+xml, a string) by the harness.
func TestDrawQRCode(t *testing.T) {
	h := newHarness(t)
	text := "https://shop.example.com/ui/phone.html?location=lyon-bellecour&tag=AQHc0n3yQ8tX4l_6m1v2bF0kWw"
	for _, c := range []struct {
		name      string
		body      map[string]any
		wantTitle string
	}{
		{"a shopper, with a title", map[string]any{"text": text, "title": "Scan to take your basket with you"}, "Scan to take your basket with you"},
		{"without a title", map[string]any{"text": text}, qrsvg.DefaultTitle},
		{"markup in the title stays text", map[string]any{"text": "x", "title": `<script>alert(1)</script> & co`}, `<script>alert(1)</script> & co`},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(&camille, "POST", "/v1/qr", c.body)
			require.Equal(t, http.StatusOK, r.status, "%s", r)
			assert.Equal(t, "image/svg+xml", r.header.Get("Content-Type"))
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"), "a ticket's code is not cached")
			want, err := qrsvg.Encode(c.body["text"].(string), qrsvg.WithTitle(c.wantTitle))
			require.NoError(t, err)
			assert.Equal(t, string(want), string(r.body))
			var doc svgDoc
			require.NoError(t, xml.Unmarshal(r.body, &doc))
			assert.Equal(t, "img", doc.Role)
			assert.Equal(t, c.wantTitle, doc.Title)
			assert.NotContains(t, string(r.body), "<script")
		})
	}
	r := h.do(&lea, "POST", "/v1/qr", map[string]any{"text": "ticket"})
	assert.Equal(t, http.StatusOK, r.status, "an associate too: %s", r)
}

func TestDrawQRCodeRefusals(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct {
		name   string
		actor  bool
		body   any
		status int
		kind   string
		field  string
		off    bool
	}{
		{"no credentials", false, map[string]any{"text": "x"}, 401, "unauthenticated", "", true},
		{"empty text", true, map[string]any{"text": ""}, 400, "bad-request", "text", false},
		{"no text", true, map[string]any{"title": "t"}, 400, "bad-request", "text", true},
		{"text over 1024 bytes", true, map[string]any{"text": strings.Repeat("é", 513)}, 400, "bad-request", "text", false},
		{"title over 256 bytes", true, map[string]any{"text": "x", "title": strings.Repeat("t", qrsvg.MaxTitleBytes+1)}, 400, "bad-request", "title", false},
		{"unknown field", true, map[string]any{"text": "x", "size": 10}, 400, "bad-request", "size", true},
		{"text not a string", true, map[string]any{"text": 7}, 400, "bad-request", "text", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			actor := &camille
			if !c.actor {
				actor = nil
			}
			var headers []string
			if c.off {
				headers = offDocument
			}
			r := h.do(actor, "POST", "/v1/qr", c.body, headers...)
			require.Equal(t, c.status, r.status, "%s", r)
			p := r.problem(t)
			assert.Equal(t, httpapi.ProblemTypePrefix+c.kind, p.Type)
			assert.Equal(t, c.field, p.Field)
		})
	}
}

// TestDrawQRCodeIsDocumentedAsSVG: the validator knows the reply's media
// type: the same bytes answered as JSON are caught.
func TestDrawQRCodeIsDocumentedAsSVG(t *testing.T) {
	h := newHarnessUnvalidated(t)
	rec := &recordingTB{TB: t}
	client := &http.Client{Transport: validatingTransport(rec, h.document(), tamper(func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
		res.Header.Set("Content-Type", "application/json")
		return res, b
	}))}
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/qr", bytes.NewReader([]byte(`{"text":"x"}`)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", credentials(camille))
	res, err := client.Do(req)
	require.NoError(t, err)
	require.NoError(t, res.Body.Close())
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, strings.Join(rec.failures(), "\n"), "application/json")
}

// FuzzDrawQRCode sends any body to drawQRCode: the answer is an SVG
// document or a client error as a problem, never a server fault.
func FuzzDrawQRCode(f *testing.F) {
	h := newHarnessUnvalidated(f)
	for _, s := range []string{`{"text":"x"}`, `{"text":"https://shop.example.com/ui/phone.html?location=lyon-bellecour&tag=AQ","title":"Scan"}`,
		`{"text":""}`, `{"text":"\u0000\ud800","title":"</title>"}`, `{"text":"` + strings.Repeat("9", 1024) + `"}`, `{}`, `null`, `[]`, `"x"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/v1/qr", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", credentials(camille))
		w := httptest.NewRecorder()
		h.api.ServeHTTP(w, req)
		switch {
		case w.Code == http.StatusOK:
			require.Equal(t, "image/svg+xml", w.Header().Get("Content-Type"))
			require.NoError(t, xml.Unmarshal(w.Body.Bytes(), new(svgDoc)), "%s", w.Body)
		case w.Code >= 400 && w.Code < 500:
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"), "%d %s", w.Code, w.Body)
		default:
			t.Fatalf("%q: %d %s", body, w.Code, w.Body)
		}
	})
}
