package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// An exchange is one request being served: the request, the caller's
// identity and the helpers every handler needs to read its input the same
// way.
type exchange struct {
	api   *API
	w     http.ResponseWriter
	r     *http.Request
	actor basket.Actor
	route *route
	// header is set by handlers that answer with extra headers (Location).
	header http.Header
}

func (x *exchange) ctx() context.Context { return x.r.Context() }

// basketID reads the {basket_id} path segment.
func (x *exchange) basketID() (uuid.UUID, error) { return x.uuidPath("basket_id") }

func (x *exchange) uuidPath(name string) (uuid.UUID, error) {
	raw := x.r.PathValue(name)
	id, err := uuid.Parse(raw)
	if err != nil || len(raw) != 36 {
		return uuid.Nil, &RequestError{In: "path", Field: name, Reason: "must be a UUID like 0b8e2f4c-2d0a-4f5e-9c1a-7d3b5e6f8a90"}
	}
	return id, nil
}

// path reads a non-empty path segment.
func (x *exchange) path(name string) (string, error) {
	v := x.r.PathValue(name)
	if v == "" {
		return "", &RequestError{In: "path", Field: name, Reason: "must not be empty"}
	}
	return v, nil
}

// decode reads the JSON body strictly into v (see decodeJSON).
func (x *exchange) decode(v any) error { return decodeJSON(x.r, v) }

// callOptions turns the Idempotency-Key and If-Match headers into Service
// call options, refusing malformed ones.
func (x *exchange) callOptions() ([]basket.CallOption, error) {
	var opts []basket.CallOption
	if k, ok, err := idempotencyKey(x.r); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, basket.WithIdempotencyKey(k))
	}
	if v, ok, err := ifMatch(x.r); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, basket.WithIfVersion(v))
	}
	return opts, nil
}

// intQuery reads an optional integer query parameter within [min, max].
func (x *exchange) intQuery(name string, def, min, max int64) (int64, error) {
	raw := x.r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < min || n > max {
		return 0, &RequestError{In: "query", Field: name, Reason: "must be an integer from " + strconv.FormatInt(min, 10) + " to " + strconv.FormatInt(max, 10)}
	}
	return n, nil
}

// MaxIdempotencyKey is the longest Idempotency-Key accepted, in bytes.
const MaxIdempotencyKey = 255

func idempotencyKey(r *http.Request) (string, bool, error) {
	vs := r.Header.Values("Idempotency-Key")
	switch {
	case len(vs) == 0:
		return "", false, nil
	case len(vs) > 1:
		return "", false, &RequestError{In: "header", Field: "Idempotency-Key", Reason: "must be sent once"}
	}
	k := strings.TrimSpace(vs[0])
	// The IETF draft sends the key as a structured-field string: "…".
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		k = k[1 : len(k)-1]
	}
	if k == "" || len(k) > MaxIdempotencyKey || strings.ContainsFunc(k, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		return "", false, &RequestError{In: "header", Field: "Idempotency-Key", Reason: "must be 1 to 255 visible ASCII characters"}
	}
	return k, true, nil
}

// ifMatch reads If-Match as a basket version. "*" means any version.
func ifMatch(r *http.Request) (int64, bool, error) {
	raw := strings.TrimSpace(r.Header.Get("If-Match"))
	if raw == "" || raw == "*" {
		return 0, false, nil
	}
	v, ok := parseETag(raw)
	if !ok {
		return 0, false, &RequestError{In: "header", Field: "If-Match", Reason: `must be the basket's ETag, like "7"`}
	}
	return v, true, nil
}

// etag is the basket version as a strong entity tag.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// parseETag reads a strong entity tag made by etag. A weak tag never
// matches under If-Match's strong comparison, so it is refused.
func parseETag(s string) (int64, bool) {
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, false
	}
	v, err := strconv.ParseInt(s[1:len(s)-1], 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}
