package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/demo"
)

// TestCurlSession builds the server, starts it as a user would (the demo,
// on a free port of the loopback), and plays testdata/curl-session.sh
// against it with the demo tokens of its log: a client with curl alone
// creates a basket, adds a line, gets a check-in ticket with a short code,
// is checked in at the store and orders. Then SIGTERM stops the server
// gracefully.
func TestCurlSession(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the session is a bash script, and the server is stopped with SIGTERM")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: the curl session needs bash and curl")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("OMNIBASKET_REQUIRE_CURL") != "" {
			t.Fatal("curl is not installed, and OMNIBASKET_REQUIRE_CURL says the gate needs it")
		}
		t.Skip("curl is not installed: the curl session needs bash and curl")
	}
	bin := filepath.Join(t.TempDir(), "omnibasketd")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	srv := exec.Command(bin, "-addr", "127.0.0.1:0")
	srv.Env = cleanEnv()
	stdout, err := srv.StdoutPipe()
	require.NoError(t, err)
	var stderr syncBuffer
	srv.Stderr = &stderr
	require.NoError(t, srv.Start())
	exited := make(chan error, 1)
	waiting := false // whether a goroutine waits for the process
	t.Cleanup(func() {
		_ = srv.Process.Kill() // an error when it exited already
		if !waiting {
			_ = srv.Wait()
		}
	})

	// Read the log up to the demo tokens, then keep draining it.
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var addr string
	tokens := map[string]string{}
	var logged []string
	for (addr == "" || len(tokens) < 3) && sc.Scan() {
		line := sc.Text()
		logged = append(logged, line)
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), "a log line is not JSON: %s", line)
		switch m["msg"] {
		case "omnibasketd listening":
			addr, _ = m["addr"].(string)
		case demoTokenMsg:
			loc, _ := m["location_id"].(string)
			tokens[m["actor_kind"].(string)+"@"+loc], _ = m["token"].(string)
		}
	}
	require.NotEmpty(t, addr, "no start-up line:\n%s\n%s", strings.Join(logged, "\n"), stderr.String())
	require.Len(t, tokens, 3, "the demo logs a shopper's token and one per store")
	rest := make(chan string, 1)
	waiting = true
	go func() {
		data, _ := io.ReadAll(stdout)
		rest <- string(data)
		exited <- srv.Wait()
	}()

	script := exec.Command(bash, filepath.Join("testdata", "curl-session.sh"))
	script.Env = append(cleanEnv(),
		"OMNIBASKET_URL=http://"+addr,
		"SHOPPER_TOKEN="+tokens["shopper@"],
		"ASSOCIATE_TOKEN="+tokens["associate@"+demo.Bellecour],
		"STORE="+demo.Bellecour,
	)
	var session bytes.Buffer
	script.Stdout, script.Stderr = &session, &session
	err = script.Run()
	t.Logf("curl session:\n%s", session.String())
	require.NoError(t, err, "the curl session failed")
	require.Contains(t, session.String(), "PASS:")

	// The script is a test that can fail: an unexpected status stops it.
	bad := exec.Command(bash, filepath.Join("testdata", "curl-session.sh"))
	bad.Env = append(cleanEnv(), "OMNIBASKET_URL=http://"+addr, "SHOPPER_TOKEN=forged", "ASSOCIATE_TOKEN=forged")
	out, err = bad.CombinedOutput()
	require.Error(t, err, "the session passed with forged tokens: %s", out)
	require.Contains(t, string(out), "FAIL: POST /v1/baskets answered 401, want 201")

	require.NoError(t, srv.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "the server did not exit cleanly on SIGTERM: %s", stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not stop on SIGTERM")
	}
	log := <-rest
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"stopped"`, `"path":"/v1/check-ins","status":200`} {
		require.Contains(t, log, want)
	}
}

// cleanEnv is the environment without any OMNIBASKET_ variable, so that
// the caller's settings (a PostgreSQL URL …) do not change the demo.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return env
}
