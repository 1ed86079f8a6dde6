package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/stock"
)

// Options configure an [API].
type Options struct {
	// Service is the basket service the API serves. Required.
	Service *basket.Service
	// Auth turns a request into the Actor the Service acts for. Required.
	Auth Authenticator
	// Contexts resolves a channel or location ID into the channel context
	// to serve a basket in. Required.
	Contexts ContextSource
	// Stock answers the availability endpoint; nil leaves it out of the API.
	Stock stock.Provider
	// Insights answers the lifecycle report (an *insights.Tracker); nil
	// answers it with not-configured.
	Insights InsightsSource
	// Feed notifies the live streams of basket changes; nil serves the
	// stream by polling the history every PollEvery.
	Feed Feed
	// PollEvery is the stream's polling period without a Feed, and its
	// safety net with one (default 2 s).
	PollEvery time.Duration
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// Timeout bounds each request but the live streams (default 15 s).
	Timeout time.Duration
	// CORS lets pages served from other origins call the API; the zero
	// value allows none.
	CORS CORS
	// Logger receives server faults (5xx); nil logs nothing.
	Logger *slog.Logger
}

// CORS is the cross-origin policy.
type CORS struct {
	// AllowedOrigins lists the origins allowed, exactly as browsers send
	// them ("https://tablet.example.com"); "*" allows any origin, which is
	// safe for bearer tokens but not for cookies.
	AllowedOrigins []string
	// MaxAge is how long a browser may cache a preflight answer.
	MaxAge time.Duration
}

// The defaults of [Options].
const (
	DefaultMaxBodyBytes = 1 << 20
	DefaultTimeout      = 15 * time.Second
	DefaultPollEvery    = 2 * time.Second
)

// API is the HTTP/JSON API over a basket service: an [http.Handler] a Go
// platform mounts in its own server, and the heart of cmd/omnibasketd.
type API struct {
	opts   Options
	log    *slog.Logger
	routes []route
	mux    *http.ServeMux
	doc    []byte
}

// New checks the options and builds the API.
func New(opts Options) (*API, error) {
	switch {
	case opts.Service == nil:
		return nil, errors.New("httpapi: Options.Service is required")
	case opts.Auth == nil:
		return nil, errors.New("httpapi: Options.Auth is required")
	case opts.Contexts == nil:
		return nil, errors.New("httpapi: Options.Contexts is required")
	case opts.MaxBodyBytes < 0 || opts.Timeout < 0 || opts.PollEvery < 0 || opts.CORS.MaxAge < 0:
		return nil, errors.New("httpapi: Options limits must not be negative")
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.PollEvery == 0 {
		opts.PollEvery = DefaultPollEvery
	}
	a := &API{opts: opts, log: opts.Logger, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.routes = a.allRoutes()
	for i := range a.routes {
		rt := &a.routes[i]
		a.mux.Handle(rt.pattern(), a.handler(rt))
	}
	doc, err := a.document()
	if err != nil {
		return nil, fmt.Errorf("httpapi: building the OpenAPI document: %w", err)
	}
	a.doc = doc
	return a, nil
}

// allRoutes gathers every group's routes.
func (a *API) allRoutes() []route {
	groups := [][]route{
		a.metaRoutes(),
		a.basketRoutes(),
		a.contextRoutes(),
		a.lineRoutes(),
		a.moveRoutes(), a.arrivalRoutes(),
		a.flowRoutes(), a.tillRoutes(), a.stockRoutes(), a.insightsRoutes(),
		a.lifecycleRoutes(),
		a.streamRoutes(),
		a.qrRoutes(),
	}
	return slices.Concat(groups...)
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.cors(w, r) {
		return
	}
	// Handler finds the route without setting the path values; ServeHTTP
	// sets them.
	if _, pattern := a.mux.Handler(r); pattern == "" {
		a.notRouted(w, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}

// notRouted answers 404 or 405 as problems, not as the mux's plain text.
func (a *API) notRouted(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, rt := range a.routes {
		probe := r.Clone(r.Context())
		probe.Method = rt.method
		if _, p := a.mux.Handler(probe); p == rt.pattern() {
			allowed = append(allowed, rt.method)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		a.writeProblem(w, r, ErrMethodNotAllowed)
		return
	}
	a.writeProblem(w, r, ErrNoRoute)
}

// handler wraps a route with what every operation does the same way:
// recovery, limits, authentication, decoding of conditions, encoding of
// the reply.
func (a *API) handler(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.LogAttrs(r.Context(), slog.LevelError, "handler panicked",
					slog.String("path", r.URL.Path), slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				a.writeProblem(w, r, fmt.Errorf("httpapi: panic: %v", v))
			}
		}()
		if !rt.stream {
			ctx, cancel := context.WithTimeout(r.Context(), a.opts.Timeout)
			defer cancel()
			r = r.WithContext(ctx)
			// A body that trickles in must not hold the handler past its
			// deadline, whatever the embedding server's own timeouts.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(a.opts.Timeout))
		}
		r.Body = http.MaxBytesReader(w, r.Body, a.opts.MaxBodyBytes)
		x := &exchange{api: a, w: w, r: r, route: rt, header: w.Header()}
		if !rt.public {
			actor, err := a.opts.Auth.Authenticate(r)
			if err != nil {
				a.writeProblem(w, r, err)
				return
			}
			x.actor = actor
		}
		if rt.body == nil && r.ContentLength > 0 {
			a.writeProblem(w, r, &RequestError{In: "body", Reason: "must be empty for " + rt.method + " " + rt.path})
			return
		}
		v, err := rt.serve(x)
		if err != nil {
			a.writeProblem(w, r, err)
			return
		}
		if rt.stream {
			return // the handler wrote the stream
		}
		a.reply(w, rt, v)
	})
}

// versioned is a reply that carries a basket version (its ETag).
type versioned interface{ etagVersion() int64 }

func (a *API) reply(w http.ResponseWriter, rt *route, v any) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if b, ok := v.(*basket.Basket); ok && b != nil {
		h.Set("ETag", etag(b.Version))
	} else if vv, ok := v.(versioned); ok {
		h.Set("ETag", etag(vv.etagVersion()))
	}
	status := rt.successStatus()
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	var data []byte
	var err error
	if rt.media != "" {
		var ok bool
		if data, ok = v.([]byte); !ok {
			err = fmt.Errorf("a %T is not the bytes of a %s reply", v, rt.media)
		}
	} else {
		data, err = encodeReply(v)
	}
	if err != nil {
		// A reply the API cannot encode is its own fault.
		a.log.Error("encoding a reply", slog.String("operation", rt.id), slog.Any("error", err))
		h.Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusInternalServerError)
		_ = json.NewEncoder(w).Encode(Problem{Type: ProblemTypePrefix + "internal", Kind: "internal", Title: "Internal server error", Status: 500})
		return
	}
	if rt.media != "" {
		h.Set("Content-Type", rt.media)
		h.Set("Content-Length", strconv.Itoa(len(data)))
		w.WriteHeader(status)
		_, _ = w.Write(data)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// encodeReply encodes a reply. A type that writes its own JSON (a basket)
// is asked directly: json.Marshal would scan its whole output again to
// compact it, which costs as much as writing it.
func encodeReply(v any) ([]byte, error) {
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(v)
}

// cors answers preflights and marks allowed origins; it reports whether
// the request was a preflight it answered.
func (a *API) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(a.opts.CORS.AllowedOrigins) == 0 {
		return false
	}
	allowed := slices.Contains(a.opts.CORS.AllowedOrigins, "*") || slices.Contains(a.opts.CORS.AllowedOrigins, origin)
	h := w.Header()
	h.Add("Vary", "Origin")
	if !allowed {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Expose-Headers", "ETag, Location, Retry-After")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")
		h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match, Idempotency-Key, Last-Event-ID, Accept-Language")
		if a.opts.CORS.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(a.opts.CORS.MaxAge/time.Second)))
		}
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	return false
}
