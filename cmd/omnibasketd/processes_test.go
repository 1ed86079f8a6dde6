package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// buildDaemon builds omnibasketd once, with the go command that runs the
// test, into a directory removed when the test ends.
func buildDaemon(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds omnibasketd and starts it as processes: not with -short")
	}
	goTool := ""
	if root := os.Getenv("GOROOT"); root != "" {
		if _, err := os.Stat(filepath.Join(root, "bin", "go")); err == nil {
			goTool = filepath.Join(root, "bin", "go")
		}
	}
	if goTool == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			t.Skip("no go command to build omnibasketd with: set GOROOT or put go on PATH")
		}
		goTool = p
	}
	bin := filepath.Join(t.TempDir(), "omnibasketd")
	began := time.Now()
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build:\n%s", out)
	t.Logf("built omnibasketd in %s", time.Since(began).Round(time.Millisecond))
	return bin
}

// daemon is omnibasketd running as a process of its own; its embedded
// running serves requests (do, must, token) at its address.
type daemon struct {
	*running
	name           string
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// spawn starts bin as a process on a free port of the loopback with the
// command line args and only the OMNIBASKET_ variables of env; it is
// killed when the test ends, and its output goes to the test log if the
// test failed.
func spawn(t *testing.T, bin, name string, args []string, env map[string]string) *daemon {
	t.Helper()
	d := &daemon{name: name, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	d.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			d.cmd.Env = append(d.cmd.Env, kv)
		}
	}
	for k, v := range env {
		d.cmd.Env = append(d.cmd.Env, k+"="+v)
	}
	d.cmd.Stdout, d.cmd.Stderr = d.stdout, d.stderr
	require.NoError(t, d.cmd.Start())
	go func() {
		_ = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			t.Logf("%s: stderr:\n%s\n%s: standard output (the log):\n%s", name, d.stderr, name, d.stdout)
		}
	})
	tokens, err := httpapi.NewTokens(secretBytes, clock.System{})
	require.NoError(t, err)
	d.running = &running{t: t, client: &http.Client{Timeout: 20 * time.Second}, tokens: tokens}
	return d
}

// kill sends SIGKILL (no shutdown of any kind) and waits for the process
// to end.
func (d *daemon) kill() {
	_ = d.cmd.Process.Kill()
	<-d.exited
}

// ready waits for the process to log its address, then for /readyz to
// answer 200; it fails the test if the process ends first or the
// deadline passes.
func (d *daemon) ready(t *testing.T, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		select {
		case <-d.exited:
			t.Fatalf("%s ended before it was ready: %v\n%s", d.name, d.cmd.ProcessState, d.stderr)
		default:
		}
		if d.url == "" {
			for l := range strings.Lines(d.stdout.String()) {
				var m struct {
					Msg  string `json:"msg"`
					Addr string `json:"addr"`
				}
				if json.Unmarshal([]byte(l), &m) == nil && m.Msg == "omnibasketd listening" {
					d.url = "http://" + m.Addr
				}
			}
		}
		if d.url != "" {
			if rep, err := d.do("GET", "/readyz", "", nil); err == nil && rep.status == http.StatusOK {
				return
			}
		}
		require.True(t, time.Now().Before(deadline), "%s not ready after %s", d.name, within)
		time.Sleep(20 * time.Millisecond)
	}
}

// sse is one message of a live stream, with the time it was read.
type sse struct {
	id    string // the event's seq; empty for the basket snapshot
	event string
	at    time.Time
}

// follow opens the live stream of the basket at loc on d and hands its
// messages over until the test ends.
func follow(t *testing.T, d *daemon, loc, token string) <-chan sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	res := openStream(t, ctx, d.url, loc, token)
	out := make(chan sse, 256)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		var m sse
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "id: "):
				m.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				m.event, m.at = strings.TrimPrefix(line, "event: "), time.Now()
			case line == "" && m.event != "":
				out <- m
				m = sse{}
			}
		}
	}()
	return out
}

// await reads the stream until a message of the event type whose seq is
// above after, and returns it.
func await(t *testing.T, stream <-chan sse, event string, after int64, within time.Duration) sse {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case m, ok := <-stream:
			require.True(t, ok, "the stream ended before %s", event)
			if seq, _ := strconv.ParseInt(m.id, 10, 64); m.event == event && seq > after {
				return m
			}
		case <-timeout:
			t.Fatalf("no %s after seq %d on the stream within %s", event, after, within)
		}
	}
}

// TestProcessesOnOnePostgres: three omnibasketd processes on one
// PostgreSQL schema, sharing the check-in keys, act as one server: a
// short code issued through A is redeemed exactly once when associates
// race with it on B and C; a tablet following the basket on C sees a
// change made through A; and when A is killed (SIGKILL, no shutdown), B
// and C serve the same baskets: a change through B reaches C's stream,
// and a code issued on B is redeemed on C.
func TestProcessesOnOnePostgres(t *testing.T) {
	began := time.Now()
	env := postgresEnv(t)
	bin := buildDaemon(t)
	keys := filepath.Join(t.TempDir(), "handoff-keys.json")
	require.NoError(t, os.WriteFile(keys, []byte(`[{"id":"k1","secret":"`+testSecret+`","active_from":"`+
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)+`"}]`), 0o600))
	env[envName("handoff-keys")] = keys
	args := []string{"-poll-every", "1h"} // a stream learns of a change from the outbox only

	a := spawn(t, bin, "A", append([]string{"-migrate"}, args...), env)
	a.ready(t, 20*time.Second)
	b, c := spawn(t, bin, "B", args, env), spawn(t, bin, "C", args, env)
	b.ready(t, 20*time.Second)
	c.ready(t, 20*time.Second)
	t.Logf("three processes ready %s after the test began", time.Since(began).Round(time.Millisecond))

	// (a) A short code issued through A, raced on B and C.
	rep, err := a.basketWith(a.token(ana), "LAMP-DESK", 2)
	require.NoError(t, err)
	loc := "/v1/baskets/" + basketID(t, rep)
	code := shortCode(t, a, loc)
	const racers = 6
	won := raceCheckIns(t, code, racers, b, c)
	t.Logf("%d associates on B and C with a short code issued on A: %v", 2*racers, won)
	require.Equal(t, map[string]int{"200": 1, "422 short-code-unknown": 2*racers - 1}, won)

	// (b) The tablet follows the basket on C; the shopper changes it
	// through A.
	tablet := follow(t, c, loc, c.token(lea))
	await(t, tablet, "basket", -1, 10*time.Second)
	sent := time.Now()
	a.must(200, "POST", loc+"/lines", a.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
	answered := time.Since(sent)
	seen := await(t, tablet, "basket.line_added", 0, outboxWait)
	t.Logf("a line added through A (answered in %s) reached the tablet's stream on C %s after the request was sent",
		answered.Round(time.Millisecond), seen.at.Sub(sent).Round(time.Millisecond))
	seq, err := strconv.ParseInt(seen.id, 10, 64)
	require.NoError(t, err)

	// (c) A dies; B and C go on with the same baskets.
	a.kill()
	_, err = a.do("GET", "/healthz", "", nil)
	require.Error(t, err, "A is gone")
	sent = time.Now()
	b.must(200, "POST", loc+"/lines", b.token(lea), map[string]any{"sku": "LAMP-ARC", "quantity": 1})
	seen = await(t, tablet, "basket.line_added", seq, outboxWait)
	t.Logf("after A was killed, a line added through B reached the stream on C in %s", seen.at.Sub(sent).Round(time.Millisecond))
	assert.Contains(t, string(c.must(200, "GET", loc, c.token(lea), nil).body), `"LAMP-ARC"`)

	rep, err = b.basketWith(b.token(ana), "CANDLE-FIG", 1)
	require.NoError(t, err)
	other := "/v1/baskets/" + basketID(t, rep)
	code = shortCode(t, b, other)
	assert.Equal(t, map[string]int{"200": 1}, raceCheckIns(t, code, 1, c))
	assert.Equal(t, map[string]int{"422 short-code-unknown": 1}, raceCheckIns(t, code, 1, b), "a code is used once")
	assert.Contains(t, string(b.must(200, "GET", other, b.token(lea), nil).body), `"location_id":"`+demo.Bellecour+`"`)
	t.Logf("the test took %s", time.Since(began).Round(time.Millisecond))
}

// shortCode issues a check-in ticket with a short code for the basket at
// loc, at Bellecour, through d.
func shortCode(t *testing.T, d *daemon, loc string) string {
	t.Helper()
	rep := d.must(201, "POST", loc+"/check-in-tickets", d.token(ana), map[string]any{"location_id": demo.Bellecour, "short_code": true})
	var ticket struct {
		ShortCode string `json:"short_code"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &ticket))
	require.NotEmpty(t, ticket.ShortCode)
	return ticket.ShortCode
}

// raceCheckIns has perServer associates on each of on check in with code
// at once, and counts the outcomes: "200", or the status and problem kind.
func raceCheckIns(t *testing.T, code string, perServer int, on ...*daemon) map[string]int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	counts := map[string]int{}
	start := make(chan struct{})
	for _, d := range on {
		token := d.token(lea)
		for range perServer {
			wg.Go(func() {
				<-start
				outcome := ""
				rep, err := d.do("POST", "/v1/check-ins", token, map[string]any{"short_code": code, "method": "short-code"})
				switch {
				case err != nil:
					outcome = err.Error()
				case rep.status == http.StatusOK:
					outcome = "200"
				default:
					var problem struct {
						Kind string `json:"kind"`
					}
					_ = json.Unmarshal(rep.body, &problem)
					outcome = fmt.Sprintf("%d %s", rep.status, problem.Kind)
				}
				mu.Lock()
				counts[outcome]++
				mu.Unlock()
			})
		}
	}
	close(start)
	wg.Wait()
	return counts
}
