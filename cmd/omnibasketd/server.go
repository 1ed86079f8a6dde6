package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/webui"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
)

// run serves until ctx is done (or, for the token command, prints the
// token), logging JSON lines to stdout.
func run(ctx context.Context, cfg config, stdout io.Writer) error {
	if cfg.cmd == "token" {
		return printToken(cfg, stdout)
	}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: cfg.logLevel}))
	clk := clock.System{}
	secret, err := cfg.loadSecret()
	if err != nil {
		return err
	}
	demoMode := secret == nil
	if demoMode {
		secret = make([]byte, httpapi.MinTokenSecret)
		if _, err := rand.Read(secret); err != nil {
			return err
		}
	}
	auth, err := httpapi.NewTokens(secret, clk)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := newServer(&cfg, log)
	served := make(chan error, 1)
	go func() { served <- srv.serve(ln) }()
	stop := func() error {
		err := srv.shutdown(0, cfg.shutdownTimeout)
		return errors.Join(err, <-served)
	}

	sh, err := openShop(ctx, &cfg, log, clk)
	if err != nil {
		return errors.Join(err, stop())
	}
	defer sh.close()
	var relay *outboxRelay
	if cfg.natsURL != "" {
		if relay, err = newOutboxRelay(ctx, &cfg, log); err != nil {
			return errors.Join(err, stop())
		}
		defer relay.close() // after the relay's goroutine ends (following.Wait)
	}
	followCtx, stopFollowing := context.WithCancel(context.WithoutCancel(ctx))
	var following sync.WaitGroup
	following.Go(func() { sh.follow(followCtx) })
	if cfg.maintenance > 0 {
		m := newMaintenance(sh.service, log)
		m.every, m.prune = cfg.maintenance, sh.prune
		following.Go(func() { m.run(followCtx) })
	}
	if relay != nil {
		srv.relay.Store(relay)
		following.Go(func() { relay.run(followCtx) })
	}
	following.Go(func() {
		if _, err := sh.insights.CatchUp(followCtx); err != nil && followCtx.Err() == nil {
			log.Warn("insights: reading the event backlog failed; the first report reads it", slog.Any("error", err))
		}
	})
	defer following.Wait() // before the pool closes
	defer stopFollowing()
	contexts, err := httpapi.NewContexts(clk, sh.contexts...)
	if err != nil {
		return errors.Join(err, stop())
	}
	api, err := httpapi.New(httpapi.Options{
		Service: sh.service, Auth: auth, Contexts: contexts, Stock: sh.available, Feed: sh.feed, PollEvery: cfg.pollEvery, Insights: sh.insights,
		MaxBodyBytes: cfg.maxBody, Timeout: cfg.timeout, CORS: httpapi.CORS{AllowedOrigins: cfg.corsOrigins}, Logger: log,
	})
	if err != nil {
		return errors.Join(err, stop())
	}
	if demoMode {
		srv.demo.Store(newDemoSignIn(auth, clk, sh))
	}
	srv.mount(api, sh)
	log.Info("omnibasketd listening", slog.String("addr", ln.Addr().String()), slog.String("store", sh.store),
		slog.Bool("ephemeral_handoff_keys", sh.ephemeralKeys), slog.Bool("ephemeral_token_secret", demoMode),
		slog.Int("contexts", len(sh.contexts)))
	if sh.ephemeralKeys {
		log.Warn("check-in keys were made at start-up: unfit for production (tickets die with the process, instances do not share them); use -handoff-keys")
	}
	if demoMode {
		if err := logDemoTokens(log, auth, sh); err != nil {
			return errors.Join(err, stop())
		}
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	reload := func() error { return sh.src.reload(context.WithoutCancel(ctx)) }
	if cfg.started != nil {
		cfg.started(started{Addr: ln.Addr().String(), Reload: reload, InFlight: srv.inFlight.Load})
	}
wait:
	for {
		select {
		case <-hup:
			log.Info("SIGHUP: reloading the data")
			_ = reload() // a failure is logged and keeps the data
		case err := <-served:
			return err
		case <-ctx.Done():
			break wait
		}
	}
	err = srv.shutdown(cfg.drainDelay, cfg.shutdownTimeout)
	if serr := <-served; serr != nil {
		err = errors.Join(err, serr)
	}
	log.Info("stopped")
	return err
}

// demoTokenMsg labels the demo tokens in the log.
const demoTokenMsg = "DEMO ONLY bearer token: the secret was made at start-up; unfit for production (set -token-secret-file)"

// demoTokenTTL is how long the demo tokens of the log are valid.
const demoTokenTTL = 24 * time.Hour

// logDemoTokens logs a bearer token for a shopper and for an associate of
// each store of the contexts, for trying the API with curl.
func logDemoTokens(log *slog.Logger, auth *httpapi.Tokens, sh *shop) error {
	actors := []basket.Actor{{Kind: basket.Shopper, ID: "demo-shopper"}}
	var stores []string
	for _, c := range sh.contexts {
		if c.Kind.IsPhysical() && !slices.Contains(stores, c.LocationID) {
			stores = append(stores, c.LocationID)
			actors = append(actors, basket.Actor{Kind: basket.Associate, ID: "demo-associate-" + c.LocationID, LocationID: c.LocationID, Role: "associate"})
		}
	}
	for _, a := range actors {
		tok, err := auth.Mint(a, demoTokenTTL)
		if err != nil {
			return err
		}
		log.Warn(demoTokenMsg,
			slog.String("actor_kind", a.Kind.String()), slog.String("actor_id", a.ID), slog.String("location_id", a.LocationID),
			slog.String("token", tok))
	}
	return nil
}

// printToken prints a bearer token for cfg.mint signed with the
// configured secret.
func printToken(cfg config, stdout io.Writer) error {
	secret, err := cfg.loadSecret()
	if err != nil {
		return err
	}
	auth, err := httpapi.NewTokens(secret, clock.System{})
	if err != nil {
		return err
	}
	tok, err := auth.Mint(cfg.mint, cfg.mintTTL)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}

// server is the HTTP server around the API: health and readiness, the
// access log, the catalogue pinned to each request, and a graceful
// shutdown. It listens before the shop is open, so that /healthz answers
// and /readyz says "starting" while migrations and data loads run.
type server struct {
	log  *slog.Logger
	http *http.Server
	// app is the API and its shop once mounted; nil while starting.
	app atomic.Pointer[app]
	// draining is set when a shutdown begins: /readyz answers 503 so that
	// load balancers stop sending requests before the listener closes.
	draining atomic.Bool
	// streams ends the live streams when the shutdown begins: they would
	// otherwise hold it until its deadline.
	streams    context.Context
	endStreams context.CancelFunc
	inFlight   atomic.Int64
	// pages are the tablet and phone pages (package webui); demo is the
	// demo sign-in, set only in demo mode.
	pages http.Handler
	demo  atomic.Pointer[demoSignIn]
	// relay is the outbox relay to NATS JetStream, reported by /readyz;
	// nil without -nats-url.
	relay atomic.Pointer[outboxRelay]
}

// app is what the server serves once started.
type app struct {
	api  http.Handler
	shop *shop
}

// readHeaderTimeout bounds how long a client may take to send a request's
// headers (slow-loris clients).
const readHeaderTimeout = 10 * time.Second

func newServer(cfg *config, log *slog.Logger) *server {
	s := &server{log: log}
	s.streams, s.endStreams = context.WithCancel(context.Background())
	s.pages = webui.Handler()
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		// A request's body must arrive within the request's time limit;
		// there is no write timeout, for the live streams.
		ReadTimeout:    cfg.timeout,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s
}

// mount starts serving the API.
func (s *server) mount(api http.Handler, sh *shop) { s.app.Store(&app{api: api, shop: sh}) }

// serve accepts connections on ln until shutdown.
func (s *server) serve(ln net.Listener) error {
	if err := s.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// shutdown drains the server: /readyz turns 503 at once, new requests are
// still served for drainDelay (while load balancers notice), then the
// listener closes, live streams end, and requests in flight finish within
// timeout; those still running then are cut.
func (s *server) shutdown(drainDelay, timeout time.Duration) error {
	s.draining.Store(true)
	s.log.Info("shutting down", slog.String("drain_delay", drainDelay.String()), slog.Int64("in_flight", s.inFlight.Load()))
	time.Sleep(drainDelay)
	s.endStreams()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if err != nil {
		s.log.Error("requests still running at the shutdown deadline were cut", slog.Int64("in_flight", s.inFlight.Load()), slog.Any("error", err))
		_ = s.http.Close()
	}
	return err
}

// ServeHTTP serves health and readiness, and the API around them, with
// one access-log line per request.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	rec := &recorder{ResponseWriter: w}
	probe := r.URL.Path == "/healthz" || r.URL.Path == "/readyz"
	defer func() {
		level := slog.LevelInfo
		if probe {
			level = slog.LevelDebug // probes every few seconds would drown the log
		}
		status := rec.code()
		if rec.status == 0 && r.Context().Err() != nil {
			status = 499 // the client went away before an answer
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000), slog.Int64("bytes", rec.bytes))
	}()
	switch {
	case r.URL.Path == "/healthz":
		s.healthz(rec, r)
	case r.URL.Path == "/readyz":
		s.readyz(rec, r)
	case isPagePath(r.URL.Path):
		s.servePages(rec, r)
	default:
		s.serveAPI(rec, r)
	}
}

func (s *server) serveAPI(w http.ResponseWriter, r *http.Request) {
	a := s.app.Load()
	if a == nil {
		unavailable(w, r, "The server is starting")
		return
	}
	ctx := a.shop.src.pin(r.Context())
	if strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(s.streams, cancel)()
	}
	a.api.ServeHTTP(w, r.WithContext(ctx))
}

// probeMethod answers 405 to a probe with another method than GET or HEAD.
func probeMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"status": "method not allowed"})
	return false
}

// healthz: the process is alive and serving.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if probeMethod(w, r) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}
}

// readyPingTimeout bounds the store check of /readyz.
const readyPingTimeout = 2 * time.Second

// readyz: the server takes requests: it has started, is not draining, and
// its store answers. With -nats-url it also reports the outbox relay,
// which does not change the answer (see relayHealth).
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if !probeMethod(w, r) {
		return
	}
	a := s.app.Load()
	switch {
	case s.draining.Load():
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	case a == nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyPingTimeout)
	defer cancel()
	if a.shop.ping != nil {
		if err := a.shop.ping(ctx); err != nil {
			s.log.Warn("readiness: the store does not answer", slog.String("store", a.shop.store), slog.Any("error", err))
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "store unreachable", "store": a.shop.store})
			return
		}
	}
	if rel := s.relay.Load(); rel != nil {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "store": a.shop.store, "relay": rel.health(ctx)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "store": a.shop.store})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v) // maps of strings and relayHealth always encode
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// unavailable answers 503 as the API's problems do.
func unavailable(w http.ResponseWriter, r *http.Request, title string) {
	data, _ := json.Marshal(httpapi.Problem{Type: httpapi.ProblemTypePrefix + "unavailable", Kind: "unavailable",
		Title: title, Status: http.StatusServiceUnavailable, Instance: r.URL.Path})
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Retry-After", strconv.Itoa(1))
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write(append(data, '\n'))
}

// recorder remembers the status and size of a response for the access
// log. It passes flushes on (live streams) and unwraps for
// http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher.
func (r *recorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

// Unwrap gives http.ResponseController the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// code is the status sent; 200 when the handler wrote nothing (net/http
// sends 200 then).
func (r *recorder) code() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}
