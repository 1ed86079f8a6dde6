package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// secretBytes is the token secret of the tests that configure one
// (testSecret is its base64).
var secretBytes = []byte("0123456789abcdef0123456789abcdef")

var (
	ana = basket.Actor{Kind: basket.Shopper, ID: "ana"}
	lea = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour, Role: "associate"}
)

// syncBuffer is the server's standard output, read while it writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logLines decodes the JSON log lines written so far; each must be JSON.
func logLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range strings.Lines(out) {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "a log line is not JSON: %s", l)
		lines = append(lines, m)
	}
	return lines
}

// withMsg returns the log lines whose message is msg.
func withMsg(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// running is a server started by run in the test's process.
type running struct {
	t        *testing.T
	url      string
	reload   func() error
	inFlight func() int64
	logs     *syncBuffer
	stop     context.CancelFunc
	done     chan error
	client   *http.Client
	tokens   *httpapi.Tokens
}

// start runs the server on a free port of the loopback with the command
// line args and the environment env, and stops it when the test ends.
func start(t *testing.T, args []string, env map[string]string) *running {
	t.Helper()
	cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0"}, args...), envOf(env))
	require.NoError(t, err)
	ready := make(chan started, 1)
	cfg.started = func(s started) { ready <- s }
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{t: t, logs: &syncBuffer{}, stop: cancel, done: make(chan error, 1), client: &http.Client{Timeout: 20 * time.Second}}
	go func() { r.done <- run(ctx, cfg, r.logs) }()
	select {
	case s := <-ready:
		r.url, r.reload, r.inFlight = "http://"+s.Addr, s.Reload, s.InFlight
	case err := <-r.done:
		cancel()
		t.Fatalf("run returned before it was ready: %v\n%s", err, r.logs)
	case <-time.After(time.Minute):
		cancel()
		t.Fatalf("the server did not start\n%s", r.logs)
	}
	r.tokens, err = httpapi.NewTokens(secretBytes, clock.System{})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := r.shutdown(); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return r
}

// shutdown stops the server as SIGTERM does and returns what run
// returned; calling it again returns nil.
func (r *running) shutdown() error {
	r.stop()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(time.Minute):
		return errors.New("run did not return")
	}
}

// token is a bearer token for a with the tests' secret.
func (r *running) token(a basket.Actor) string {
	tok, err := r.tokens.Mint(a, time.Hour)
	require.NoError(r.t, err)
	return tok
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; token may be empty, body may be nil.
func (r *running) do(method, path, token string, body any) (reply, error) {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return reply{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		return reply{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := r.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	return reply{status: res.StatusCode, header: res.Header, body: data}, err
}

// must sends a request and requires the status want.
func (r *running) must(want int, method, path, token string, body any) reply {
	r.t.Helper()
	rep, err := r.do(method, path, token, body)
	require.NoError(r.t, err)
	require.Equal(r.t, want, rep.status, "%s %s: %s", method, path, rep.body)
	return rep
}

// basketAt creates a basket on the web as a shopper and adds n of sku:
// the reply of the addition.
func (r *running) basketWith(token, sku string, n int64) (reply, error) {
	rep, err := r.do("POST", "/v1/baskets", token, map[string]any{"channel_id": "web"})
	if err != nil {
		return rep, err
	}
	if rep.status != http.StatusCreated {
		return rep, fmt.Errorf("createBasket: %d %s", rep.status, rep.body)
	}
	loc := rep.header.Get("Location")
	rep, err = r.do("POST", loc+"/lines", token, map[string]any{"sku": sku, "quantity": n})
	if err == nil && rep.status != http.StatusOK {
		err = fmt.Errorf("addLine: %d %s", rep.status, rep.body)
	}
	return rep, err
}

// unitPrice reads the unit price of sku's line from a basket reply.
func unitPrice(t *testing.T, rep reply, sku string) string {
	t.Helper()
	var b struct {
		Result struct {
			Lines []struct {
				SKU  string `json:"sku"`
				Unit struct {
					Amount string `json:"amount"`
				} `json:"unit_price"`
			} `json:"lines"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &b))
	for _, l := range b.Result.Lines {
		if l.SKU == sku {
			return l.Unit.Amount
		}
	}
	t.Fatalf("no %s line in %s", sku, rep.body)
	return ""
}

func TestServe(t *testing.T) {
	r := start(t, []string{"-cors-origins", "https://tablet.example.com", "-max-body", "1024"}, map[string]string{envTokenSecret: testSecret})

	rep := r.must(200, "GET", "/healthz", "", nil)
	assert.JSONEq(t, `{"status":"ok"}`, string(rep.body))
	rep = r.must(200, "GET", "/readyz", "", nil)
	assert.JSONEq(t, `{"status":"ready","store":"memory"}`, string(rep.body))
	r.must(405, "POST", "/healthz", "", map[string]any{})
	r.must(200, "GET", "/openapi.json", "", nil)

	rep = r.must(401, "POST", "/v1/baskets", "", map[string]any{"channel_id": "web"})
	assert.Equal(t, "application/problem+json", rep.header.Get("Content-Type"))
	rep = r.must(201, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web"})
	loc := rep.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/v1/baskets/"), loc)
	r.must(200, "GET", loc, r.token(ana), nil)
	r.must(413, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web", "locale": strings.Repeat("x", 2048)})

	preflight, err := http.NewRequest("OPTIONS", r.url+"/v1/baskets", nil)
	require.NoError(t, err)
	preflight.Header.Set("Origin", "https://tablet.example.com")
	preflight.Header.Set("Access-Control-Request-Method", "POST")
	res, err := r.client.Do(preflight)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
	assert.Equal(t, "https://tablet.example.com", res.Header.Get("Access-Control-Allow-Origin"))
	preflight.Header.Set("Origin", "https://evil.example.com")
	res, err = r.client.Do(preflight)
	require.NoError(t, err)
	res.Body.Close()
	assert.Empty(t, res.Header.Get("Access-Control-Allow-Origin"))

	r.must(404, "GET", loc, r.token(basket.Actor{Kind: basket.Shopper, ID: "eve"}), nil) // another's basket is not even shown to exist

	lines := logLines(t, r.logs.String())
	up := withMsg(lines, "omnibasketd listening")
	require.Len(t, up, 1)
	assert.Equal(t, strings.TrimPrefix(r.url, "http://"), up[0]["addr"])
	assert.Equal(t, true, up[0]["ephemeral_handoff_keys"])
	assert.Equal(t, false, up[0]["ephemeral_token_secret"])
	assert.Empty(t, withMsg(lines, demoTokenMsg), "a configured secret logs no demo token")
	var created map[string]any
	for _, l := range withMsg(lines, "request") {
		if l["method"] == "POST" && l["path"] == "/v1/baskets" && l["status"] == float64(201) {
			created = l
		}
	}
	require.NotNil(t, created, "no access-log line for the created basket:\n%s", r.logs)
	assert.Greater(t, created["bytes"], float64(0))
	assert.Contains(t, created, "duration_ms")
	assert.NotContains(t, r.logs.String(), r.token(ana)[:20], "tokens are not logged")
}

// TestReloadUnderLoad reloads the prices again and again while requests
// run: none fails, each is priced with one catalogue, the last reload
// wins, and a reload that fails keeps the data.
func TestReloadUnderLoad(t *testing.T) {
	prices, err := demoData.ReadFile("demodata/prices.csv")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "prices.csv")
	writePrices := func(deskLamp string) {
		data := strings.Replace(string(prices), "LAMP-DESK,web,EUR,69.00,", "LAMP-DESK,web,EUR,"+deskLamp+",", 1)
		require.NotEqual(t, string(prices) == data, deskLamp != "69.00")
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
	}
	writePrices("69.00")
	r := start(t, []string{"-prices", path}, map[string]string{envTokenSecret: testSecret})
	tok := r.token(ana)
	rep, err := r.basketWith(tok, "LAMP-DESK", 1)
	require.NoError(t, err)
	require.Equal(t, "69.00", unitPrice(t, rep, "LAMP-DESK"))

	var failures atomic.Int64
	var served atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				rep, err := r.basketWith(tok, "LAMP-DESK", 1)
				if err != nil {
					failures.Add(1)
					t.Error(err)
					return
				}
				if p := unitPrice(t, rep, "LAMP-DESK"); p != "69.00" && p != "59.00" {
					t.Errorf("priced %s", p)
				}
				served.Add(1)
			}
		})
	}
	for i := range 20 {
		writePrices([]string{"59.00", "69.00"}[i%2])
		require.NoError(t, r.reload())
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	require.Zero(t, failures.Load())
	require.Positive(t, served.Load())

	writePrices("59.00")
	require.NoError(t, r.reload())
	rep, err = r.basketWith(tok, "LAMP-DESK", 1)
	require.NoError(t, err)
	assert.Equal(t, "59.00", unitPrice(t, rep, "LAMP-DESK"))

	require.NoError(t, os.WriteFile(path, []byte("sku,list,currency,unit_price\nLAMP-DESK,web,EUR,cheap\n"), 0o644))
	err = r.reload()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "prices.csv:2")
	rep, err = r.basketWith(tok, "LAMP-DESK", 1)
	require.NoError(t, err)
	assert.Equal(t, "59.00", unitPrice(t, rep, "LAMP-DESK"), "a failed reload keeps the data")
	failed := withMsg(logLines(t, r.logs.String()), "reload failed: keeping the data loaded before")
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0]["error"], "cheap")
}

// TestPinnedCatalogue: a request reads the catalogue it started with,
// whatever reloads happen meanwhile.
func TestPinnedCatalogue(t *testing.T) {
	src := &sources{}
	old, err := catalogOf(demo.Prices(), demo.Promotions())
	require.NoError(t, err)
	src.cur.Store(old)
	ctx := src.pin(t.Context())
	newer, err := catalogOf(demo.Prices()[:2], nil)
	require.NoError(t, err)
	src.cur.Store(newer)
	assert.Same(t, old, src.catalog(ctx))
	assert.Same(t, newer, src.catalog(t.Context()))
	assert.Same(t, newer, src.catalog(src.pin(t.Context())))
}

// TestGracefulShutdown: a shutdown turns /readyz to 503 first, lets the
// request in flight finish, then refuses connections.
func TestGracefulShutdown(t *testing.T) {
	r := start(t, []string{"-drain-delay", "300ms"}, map[string]string{envTokenSecret: testSecret})
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", r.url+"/v1/baskets", pr)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.token(ana))
	type outcome struct {
		status int
		err    error
	}
	res := make(chan outcome, 1)
	go func() {
		resp, err := r.client.Do(req)
		if err != nil {
			res <- outcome{err: err}
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		res <- outcome{status: resp.StatusCode}
	}()
	_, err = pw.Write([]byte(`{"channel_id":`))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return r.inFlight() == 1 }, 10*time.Second, time.Millisecond, "the request never reached the server")

	stopped := make(chan error, 1)
	go func() { stopped <- r.shutdown() }()
	require.Eventually(t, func() bool {
		rep, err := r.do("GET", "/readyz", "", nil)
		return err == nil && rep.status == http.StatusServiceUnavailable && strings.Contains(string(rep.body), "draining")
	}, 10*time.Second, 5*time.Millisecond, "readyz never said draining")
	rep := r.must(200, "GET", "/healthz", "", nil) // alive while draining
	assert.JSONEq(t, `{"status":"ok"}`, string(rep.body))

	time.Sleep(400 * time.Millisecond) // past the drain delay: the listener is closed
	_, err = pw.Write([]byte(`"web"}`))
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	got := <-res
	require.NoError(t, got.err)
	assert.Equal(t, http.StatusCreated, got.status, "the request in flight finished")
	require.NoError(t, <-stopped)

	_, err = net.DialTimeout("tcp", strings.TrimPrefix(r.url, "http://"), time.Second)
	assert.Error(t, err, "the listener is closed")
	lines := logLines(t, r.logs.String())
	assert.Len(t, withMsg(lines, "shutting down"), 1)
	assert.Len(t, withMsg(lines, "stopped"), 1)
}

// TestStartingAndStreams: before the shop is mounted /readyz says
// starting and the API answers 503 problems; a shutdown ends live
// streams rather than waiting for them.
func TestStartingAndStreams(t *testing.T) {
	cfg, err := parseConfig(nil, envOf(nil))
	require.NoError(t, err)
	logs := &syncBuffer{}
	srv := newServer(&cfg, slog.New(slog.NewJSONHandler(logs, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	served := make(chan error, 1)
	go func() { served <- srv.serve(ln) }()
	url := "http://" + ln.Addr().String()

	res, err := http.Get(url + "/readyz")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.JSONEq(t, `{"status":"starting"}`, string(body))
	res, err = http.Get(url + "/v1/baskets/x")
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	assert.Contains(t, string(body), `"type":"urn:omnibasket:problem:unavailable"`)

	// A stream that never ends by itself.
	streaming := make(chan struct{})
	stream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		http.NewResponseController(w).Flush()
		close(streaming)
		<-r.Context().Done()
	})
	srv.mount(stream, &shop{src: &sources{}, store: "memory"})
	req, err := http.NewRequest("GET", url+"/v1/baskets/x/events/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	streamDone := make(chan error, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, err = io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		streamDone <- err
	}()
	<-streaming
	began := time.Now()
	require.NoError(t, srv.shutdown(0, 30*time.Second))
	assert.Less(t, time.Since(began), 10*time.Second, "the stream held the shutdown")
	require.NoError(t, <-streamDone)
	require.NoError(t, <-served)
}

// TestDemoMode: with no secret, the log gives demo tokens for a shopper
// and an associate of each store, labelled demo only, and they work.
func TestDemoMode(t *testing.T) {
	r := start(t, nil, nil)
	lines := logLines(t, r.logs.String())
	up := withMsg(lines, "omnibasketd listening")
	require.Len(t, up, 1)
	assert.Equal(t, true, up[0]["ephemeral_token_secret"])
	assert.Equal(t, true, up[0]["ephemeral_handoff_keys"])
	demoTokens := map[string]string{}
	for _, l := range withMsg(lines, demoTokenMsg) {
		assert.Equal(t, "WARN", l["level"])
		demoTokens[l["actor_kind"].(string)+"@"+l["location_id"].(string)] = l["token"].(string)
	}
	assert.Len(t, demoTokens, 3)
	r.must(201, "POST", "/v1/baskets", demoTokens["shopper@"], map[string]any{"channel_id": "web"})
	rep := r.must(201, "POST", "/v1/baskets", demoTokens["associate@"+demo.PartDieu], map[string]any{"location_id": demo.PartDieu, "owner": map[string]any{"customer_id": "ana"}})
	assert.Contains(t, string(rep.body), `"location_id":"`+demo.PartDieu+`"`)
	r.must(401, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web"}) // not the tests' secret
}

// TestTokenCommand: the token command prints a token the server with the
// same secret accepts.
func TestTokenCommand(t *testing.T) {
	env := map[string]string{envTokenSecret: testSecret}
	cfg, err := parseConfig([]string{"token", "-kind", "associate", "-id", "lea", "-location", demo.Bellecour, "-role", "associate"}, envOf(env))
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), cfg, &out))
	tok := strings.TrimSpace(out.String())
	require.NotEmpty(t, tok)
	assert.Equal(t, 1, strings.Count(out.String(), "\n"), "one line: the token")

	r := start(t, nil, env)
	rep := r.must(201, "POST", "/v1/baskets", tok, map[string]any{"location_id": demo.Bellecour, "owner": map[string]any{"customer_id": "ana"}})
	assert.Contains(t, string(rep.body), `"location_id":"`+demo.Bellecour+`"`)
}

// TestStartFailures: bad data or configuration stops the start with an
// error that says where.
func TestStartFailures(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer busy.Close()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad prices", []string{"-prices", file("prices.csv", "sku,list,currency,unit_price\nLAMP-ARC,web,EUR,12.50 EUR\n")}, "prices.csv:2"},
		{"missing promotions", []string{"-promotions", filepath.Join(dir, "none.csv")}, "none.csv"},
		{"bad stock", []string{"-stock", file("stock.csv", "sku,location,on_hand\nLAMP-ARC,lyon-bellecour,-1\n")}, "stock.csv:2"},
		{"bad handoff keys", []string{"-handoff-keys", file("keys.json", `[{"id":"k1","secret":"c2hvcnQ="}]`)}, "-handoff-keys"},
		{"unknown field in handoff keys", []string{"-handoff-keys", file("keys2.json", `[{"id":"k1","secret":"c2hvcnQ=","activ_from":"2026-01-01T00:00:00Z"}]`)}, "activ_from"},
		{"bad contexts", []string{"-contexts", file("contexts.json", `[{"channel_id":"web"}]`)}, "-contexts"},
		{"secret file too short", []string{"-token-secret-file", file("secret", "c2hvcnQ=")}, "at least 32"},
		{"address in use", []string{"-addr", busy.Addr().String()}, "address already in use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseConfig(append([]string{"-addr", "127.0.0.1:0"}, tt.args...), envOf(nil))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // in case it starts after all
			defer cancel()
			err = run(ctx, cfg, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestHandoffKeysFile: keys from a file sign check-in tickets, and the
// log does not call them ephemeral.
func TestHandoffKeysFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(`[
		{"id": "2026-10", "secret": "`+testSecret+`", "active_from": "2026-10-01T00:00:00Z", "retire_at": "2030-01-01T00:00:00Z"},
		{"id": "2026-11", "secret": "`+testSecret+`", "active_from": "2026-11-01T00:00:00Z"}
	]`), 0o600))
	r := start(t, []string{"-handoff-keys", path}, map[string]string{envTokenSecret: testSecret})
	up := withMsg(logLines(t, r.logs.String()), "omnibasketd listening")
	require.Len(t, up, 1)
	assert.Equal(t, false, up[0]["ephemeral_handoff_keys"])
	rep := r.must(201, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web"})
	rep = r.must(201, "POST", rep.header.Get("Location")+"/check-in-tickets", r.token(ana), map[string]any{"location_id": demo.Bellecour, "short_code": true})
	var ticket basket.Ticket
	require.NoError(t, json.Unmarshal(rep.body, &ticket))
	r.must(200, "POST", "/v1/check-ins", r.token(lea), map[string]any{"token": ticket.Token, "method": "qr"})
}

// TestContextsFile: the contexts clients may name come from the file.
func TestContextsFile(t *testing.T) {
	at := time.Time{}
	web := demo.Web(at)
	web.ChannelID = "web-fr"
	data, err := json.Marshal([]any{web, demo.Store(demo.PartDieu, at)})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "contexts.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	r := start(t, []string{"-contexts", path}, map[string]string{envTokenSecret: testSecret})
	r.must(201, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web-fr"})
	r.must(422, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web"})
	r.must(422, "POST", "/v1/baskets", r.token(ana), map[string]any{"location_id": demo.Bellecour})
	r.must(201, "POST", "/v1/baskets", r.token(ana), map[string]any{"location_id": demo.PartDieu, "owner": map[string]any{"customer_id": "ana"}})
}

// liveChange opens the live stream of the basket at loc, waits for its
// opening snapshot, runs change, and requires the stream to deliver the
// line it adds. The server polls only every hour (-poll-every 1h), so the
// change can only come through the feed.
func liveChange(t *testing.T, r *running, loc, token string, change func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	res := openStream(t, ctx, r.url, loc, token)
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	until := func(want string) {
		t.Helper()
		for sc.Scan() {
			if sc.Text() == want {
				return
			}
		}
		t.Fatalf("the stream ended before %q: %v", want, sc.Err())
	}
	until("event: basket")
	change()
	until("event: basket.line_added")
}

// TestLiveStream: a change reaches a live stream through the in-process
// feed, without waiting for the safety-net poll.
func TestLiveStream(t *testing.T) {
	r := start(t, []string{"-poll-every", "1h"}, map[string]string{envTokenSecret: testSecret})
	loc := r.must(201, "POST", "/v1/baskets", r.token(ana), map[string]any{"channel_id": "web"}).header.Get("Location")
	liveChange(t, r, loc, r.token(ana), func() {
		r.must(200, "POST", loc+"/lines", r.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
	})
}

// openStream opens the live stream of the basket at loc on the server at
// base, with token, for as long as ctx lasts, and checks it was accepted.
func openStream(t *testing.T, ctx context.Context, base, loc, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, "GET", base+loc+"/events/stream", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode)
	return res
}
