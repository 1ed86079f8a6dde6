package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// offDocumentHeader marks a request a test sends off the document on
// purpose (no credentials, a malformed header or body, a path that does
// not exist): the validator does not check the request, which it takes
// off before sending it, but still checks that the response is one the
// document lists for the operation (a problem with a documented status),
// or, for a path or method the document lacks, a 404 or 405 problem.
const offDocumentHeader = "X-Test-Off-Document"

// offDocument is the header pair for harness.do's headers.
var offDocument = []string{offDocumentHeader, "on purpose"}

// validatingTransport checks every request sent through it and every
// response received against the OpenAPI document doc with kin-openapi,
// an implementation independent of the generator that wrote doc, and
// reports each mismatch with t.Errorf: a request or response body that
// breaks its schema, a missing or malformed header, a response status or
// content type the operation does not list, an operation the document
// lacks. Event streams are checked for their status and content type
// only (their body never ends).
func validatingTransport(t testing.TB, doc []byte, next http.RoundTripper) http.RoundTripper {
	t.Helper()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc)
	require.NoError(t, err, "the served OpenAPI document does not load")
	require.True(t, spec.IsOpenAPI31OrLater(), "the document is OpenAPI %s, not 3.1", spec.OpenAPI)
	require.NoError(t, spec.Validate(loader.Context), "the served OpenAPI document is not valid")
	router, err := gorillamux.NewRouter(spec)
	require.NoError(t, err)
	problem := spec.Components.Schemas["Problem"]
	require.NotNil(t, problem, "the document has no Problem schema")
	return &validator{t: t, spec: spec, router: router, problem: problem.Value, next: next}
}

type validator struct {
	t       testing.TB
	spec    *openapi3.T
	router  routers.Router
	problem *openapi3.Schema
	next    http.RoundTripper
	// mu orders the failures of concurrent requests in the log.
	mu sync.Mutex
}

// anyCredentials stands for the platform's Authenticator: the document
// says bearer, and the tests' authenticator reads its own scheme, so any
// Authorization header is credentials here; a request without one is not
// what the document asks for.
func anyCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.RequestValidationInput.Request.Header.Get("Authorization") == "" {
		return errors.New("no Authorization header")
	}
	return nil
}

func (v *validator) fail(req *http.Request, format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.t.Errorf("OpenAPI: %s %s: %s", req.Method, req.URL.RequestURI(), fmt.Sprintf(format, args...))
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		_ = req.Body.Close()
	}
	send := req.Clone(req.Context())
	offDoc := send.Header.Get(offDocumentHeader) != ""
	send.Header.Del(offDocumentHeader)
	send.Body = io.NopCloser(bytes.NewReader(body))
	send.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }

	route, params, findErr := v.router.FindRoute(send)
	var in *openapi3filter.RequestValidationInput
	if findErr == nil {
		check := send.Clone(send.Context())
		check.Body = io.NopCloser(bytes.NewReader(body))
		in = &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: anyCredentials, MultiError: true, SchemaValidationOptions: formats()}}
		if !offDoc {
			if err := openapi3filter.ValidateRequest(req.Context(), in); err != nil {
				v.fail(req, "the request does not match the document (mark it %s if that is the test's point): %v", offDocumentHeader, err)
			}
		}
	} else if !offDoc && !isPreflight(send) {
		v.fail(req, "no operation of the document: %v", findErr)
	}

	res, err := v.next.RoundTrip(send)
	if err != nil {
		return nil, err
	}
	if findErr != nil {
		return v.unrouted(req, res, findErr)
	}
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true, SchemaValidationOptions: formats()}
	if ct == "text/event-stream" {
		opts.ExcludeResponseBody = true
		if !documents(route.Operation, res.StatusCode, ct) {
			v.fail(req, "answered %d %s, which the operation does not list", res.StatusCode, ct)
		}
		err := openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: opts})
		if err != nil {
			v.fail(req, "the response does not match the document: %v", err)
		}
		return res, nil
	}
	data, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return res, nil // the test sees the read error itself
	}
	if res.StatusCode != http.StatusNoContent && res.StatusCode != http.StatusNotModified && len(data) > 0 &&
		!documents(route.Operation, res.StatusCode, ct) {
		v.fail(req, "answered %d %s, which the operation does not list: %s", res.StatusCode, ct, clip(data))
	}
	err = openapi3filter.ValidateResponse(req.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(data)), Options: opts})
	if err != nil {
		v.fail(req, "the response does not match the document: %v\nbody: %s", err, clip(data))
	}
	return res, nil
}

// unrouted checks the answer to a request for no operation of the
// document: the API must refuse it with a 404 or 405 problem (or answer a
// CORS preflight).
func (v *validator) unrouted(req *http.Request, res *http.Response, findErr error) (*http.Response, error) {
	if isPreflight(req) && res.StatusCode == http.StatusNoContent {
		return res, nil
	}
	data, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	res.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return res, nil
	}
	want := http.StatusNotFound
	if errors.Is(findErr, routers.ErrMethodNotAllowed) {
		want = http.StatusMethodNotAllowed
	}
	if res.StatusCode != want || res.Header.Get("Content-Type") != "application/problem+json" {
		v.fail(req, "no operation of the document (%v), yet answered %d %s, not a %d problem: %s",
			findErr, res.StatusCode, res.Header.Get("Content-Type"), want, clip(data))
		return res, nil
	}
	var p any
	if err := json.Unmarshal(data, &p); err != nil {
		v.fail(req, "the problem is not JSON: %v", err)
		return res, nil
	}
	if err := v.problem.VisitJSON(p, append(formats(), openapi3.EnableJSONSchema2020())...); err != nil {
		v.fail(req, "the problem does not match the Problem schema: %v\nbody: %s", err, clip(data))
	}
	return res, nil
}

// formats checks the string formats kin-openapi leaves unchecked by
// default (date-time it checks itself): a UUID as google/uuid writes it.
func formats() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{openapi3.WithStringFormatValidator("uuid",
		openapi3.NewRegexpFormatValidator(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`))}
}

// documents reports whether op lists status with content type ct.
func documents(op *openapi3.Operation, status int, ct string) bool {
	r := op.Responses.Status(status)
	if r == nil || r.Value == nil {
		return false
	}
	return r.Value.Content.Get(ct) != nil
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

func clip(data []byte) string {
	if len(data) > 2000 {
		return string(data[:2000]) + "…"
	}
	return string(data)
}

// recordingTB is a testing.TB that records failures instead of failing,
// to watch the validator fail.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) failures() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

// tamper is a RoundTripper that changes the response of the real API
// before the validator sees it: drift between the server and its
// document, made on purpose.
type tamper func(res *http.Response, body map[string]any) (*http.Response, map[string]any)

func (f tamper) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if json.Unmarshal(data, &body) != nil {
		body = nil
	}
	res, body = f(res, body)
	if body != nil {
		if data, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	res.ContentLength = int64(len(data))
	res.Header.Del("Content-Length")
	return res, nil
}

// TestValidatorCatchesDrift proves the validator fails when the server
// and the document disagree, each way the document can be broken, and
// stays quiet when they agree: without it, an all-green HTTP suite would
// prove nothing about the document.
func TestValidatorCatchesDrift(t *testing.T) {
	h := newHarnessUnvalidated(t)
	doc := h.document()
	create := func(client *http.Client, headers ...string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/v1/baskets", strings.NewReader(`{"channel_id":"web"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", credentials(camille))
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := client.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		require.NoError(t, res.Body.Close())
		return res
	}
	same := tamper(func(res *http.Response, body map[string]any) (*http.Response, map[string]any) { return res, body })

	t.Run("agreement passes", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		res := create(&http.Client{Transport: validatingTransport(rec, doc, same)})
		require.Equal(t, http.StatusCreated, res.StatusCode)
		assert.Empty(t, rec.failures())
	})

	for _, c := range []struct {
		name    string
		headers []string
		tamper  tamper
		want    string
	}{
		{name: "a member of the wrong type", want: "version", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			b["version"] = "7"
			return res, b
		}},
		{name: "a member the schema lacks", want: "surprise", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			b["surprise"] = true
			return res, b
		}},
		{name: "a required member missing", want: "status", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			delete(b, "status")
			return res, b
		}},
		{name: "a value outside an enumeration", want: "status", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			b["status"] = "basket"
			return res, b
		}},
		{name: "money as a number", want: "amount", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			b["result"].(map[string]any)["totals"].(map[string]any)["total"] = map[string]any{"amount": 0, "currency": "EUR"}
			return res, b
		}},
		{name: "a status the operation does not list", want: "418", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			res.StatusCode = http.StatusTeapot
			return res, b
		}},
		{name: "a content type the operation does not list", want: "text/plain", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			res.Header.Set("Content-Type", "text/plain")
			return res, b
		}},
		{name: "an ID that is not a UUID", want: "id", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			b["id"] = "basket-1"
			return res, b
		}},
		{name: "a malformed ETag", want: "ETag", tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			res.Header.Set("ETag", "W/1")
			return res, b
		}},
		{name: "a problem breaking its schema", headers: append([]string{"Content-Type", "text/plain"}, offDocument...), want: "status",
			tamper: func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
				b["status"] = "415"
				return res, b
			}},
		{name: "an undocumented request", headers: []string{"Idempotency-Key", " "}, want: "Idempotency-Key", tamper: same},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			create(&http.Client{Transport: validatingTransport(rec, doc, c.tamper)}, c.headers...)
			failures := rec.failures()
			require.NotEmpty(t, failures, "the validator let the drift through")
			assert.Contains(t, strings.Join(failures, "\n"), c.want)
		})
	}

	t.Run("an operation the document lacks", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		client := &http.Client{Transport: validatingTransport(rec, doc, tamper(func(res *http.Response, b map[string]any) (*http.Response, map[string]any) {
			res.StatusCode = http.StatusOK // as if the server served it
			return res, b
		}))}
		req, err := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/nowhere", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", credentials(camille))
		res, err := client.Do(req)
		require.NoError(t, err)
		require.NoError(t, res.Body.Close())
		failures := strings.Join(rec.failures(), "\n")
		assert.Contains(t, failures, "no operation of the document")
		assert.Contains(t, failures, "answered 200")
	})
}
