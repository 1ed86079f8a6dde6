package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/stock"
)

// Problem is an error response as RFC 9457 defines it
// (application/problem+json), with the API's extension members: the field
// and the line at fault, for a stale If-Match the current version, and
// for a stock shortage the SKUs and locations short. docs/api-errors.md
// tells clients how to read it.
type Problem struct {
	// Type is a stable URI naming the error kind,
	// "urn:omnibasket:problem:<kind>"; clients switch on it, never on
	// Title or Detail.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	// Detail says what went wrong with this request, in English.
	Detail string `json:"detail,omitempty"`
	// Instance is the path of the request.
	Instance string `json:"instance,omitempty"`
	// Kind is the last segment of Type, for clients that prefer a word.
	Kind string `json:"kind"`
	// Field is the input at fault: a body field ("sku"), a header
	// ("If-Match"), a path or query parameter.
	Field string `json:"field,omitempty"`
	// LineID is the basket line at fault.
	LineID string `json:"line_id,omitempty"`
	// CurrentVersion is the basket's version when If-Match named another.
	CurrentVersion *int64 `json:"current_version,omitempty"`
	// Shortages lists, for an out-of-stock problem, every SKU and
	// location that could not supply what was asked, so that a tablet
	// can say which article is missing where without parsing Detail.
	Shortages []ProblemShortage `json:"shortages,omitempty"`
}

// ProblemShortage is one SKU at one location that is short: the
// [Problem.Shortages] extension member, from a [stock.Shortage].
type ProblemShortage struct {
	SKU        string `json:"sku"`
	LocationID string `json:"location_id"`
	Requested  int64  `json:"requested"`
	// Available is 0 when the level is unknown.
	Available int64 `json:"available"`
	// Missing is Requested − Available.
	Missing int64 `json:"missing"`
	// Unknown is true when the location's level of the SKU is not known,
	// which is never taken for being in stock.
	Unknown bool `json:"unknown,omitempty"`
}

// ProblemTypePrefix starts every [Problem.Type].
const ProblemTypePrefix = "urn:omnibasket:problem:"

// ErrorKind is one row of the table from error kinds to responses: an
// error matching Err (with errors.Is) is answered with Status and the
// problem type ProblemTypePrefix+Kind.
type ErrorKind struct {
	Err    error
	Status int
	Kind   string
	Title  string
}

// ErrorKinds returns the table from every exported error kind of the
// library to its HTTP status and problem type, in the order it is matched
// (the first row an error matches wins, so specific kinds come before the
// kinds they wrap). An error matching no row is a 500; the text of a 5xx
// error is logged, never shown to the client, and neither is its field
// or line. docs/api-errors.md lists the table and explains its choices.
func ErrorKinds() []ErrorKind { return errorKinds() }

// problemFor turns an error into the Problem the client sees.
func problemFor(err error) Problem {
	p := Problem{Status: http.StatusInternalServerError, Kind: "internal", Title: "Internal server error"}
	for _, k := range errorKinds() {
		if errors.Is(err, k.Err) {
			p.Status, p.Kind, p.Title = k.Status, k.Kind, k.Title
			if k.Status < 500 {
				// A server fault's text may name hosts, tables or keys:
				// only the log sees it.
				p.Detail = err.Error()
			}
			break
		}
	}
	if p.Status >= 500 {
		// A deadline or a cancellation explains a server-side failure
		// better than the failure itself (a provider cut short by the
		// request's timeout is not a broken provider).
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			p.Status, p.Kind, p.Title = http.StatusServiceUnavailable, "timeout", "The request took too long"
			p.Detail = "the request did not finish within the server's time limit; it may be retried with the same Idempotency-Key"
		case errors.Is(err, context.Canceled):
			p.Status, p.Kind, p.Title = 499, "canceled", "The client went away"
		}
	}
	p.Type = ProblemTypePrefix + p.Kind
	if p.Status >= 500 {
		return p // no field or line of the server's own data
	}
	var stale *basket.StaleVersionError
	var short *stock.ShortageError
	p.Field = fieldOf(err)
	if errors.As(err, &stale) {
		v := stale.Current
		p.CurrentVersion = &v
	}
	if errors.As(err, &short) {
		p.Shortages = make([]ProblemShortage, len(short.Shortages))
		for i, s := range short.Shortages {
			p.Shortages[i] = ProblemShortage{SKU: s.SKU, LocationID: s.LocationID, Requested: s.Requested,
				Available: s.Available, Missing: s.Missing(), Unknown: s.Unknown}
		}
	}
	p.LineID = lineOf(err)
	return p
}

// writeProblem answers with p, logging server faults.
func (a *API) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	p.Instance = r.URL.Path
	if p.Status >= 500 {
		a.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="omnibasket"`)
	}
	if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", strconv.Itoa(1))
	}
	status := p.Status
	if status == 499 {
		return // nobody is listening
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
