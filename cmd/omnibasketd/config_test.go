package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
)

// testSecret is a valid token secret in base64 (32 bytes).
var testSecret = base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, c config)
		// errSetting is the setting a configError names; errUsage and
		// errText match other errors.
		errSetting string
		errUsage   bool
		errText    string
	}{
		{name: "defaults: the demo on localhost", check: func(t *testing.T, c config) {
			assert.Equal(t, "serve", c.cmd)
			assert.Equal(t, "127.0.0.1:8080", c.addr)
			assert.Equal(t, "", c.postgres)
			assert.False(t, c.migrate)
			assert.Equal(t, "omnibasket", c.postgresSchema)
			assert.Equal(t, int64(httpapi.DefaultMaxBodyBytes), c.maxBody)
			assert.Equal(t, httpapi.DefaultTimeout, c.timeout)
			assert.Equal(t, defaultShutdownTimeout, c.shutdownTimeout)
			assert.Equal(t, defaultStockTTL, c.stockTTL)
			assert.Equal(t, slog.LevelInfo, c.logLevel)
			assert.Nil(t, c.corsOrigins)
			assert.True(t, c.demo())
			assert.Equal(t, "", c.natsURL, "no relay unless asked")
			assert.Equal(t, []string{"omnibasket", "OMNIBASKET", "omnibasketd"}, []string{c.natsPrefix, c.natsStream, c.natsRelayName})
			assert.Equal(t, 1, c.natsReplicas)
		}},
		{name: "relay flags", args: []string{"-postgres", "postgres://db/shop", "-nats-url", "nats://n1:4222, tls://user:pw@n2:4222,n3:4222",
			"-nats-prefix", "omnibasket.acme", "-nats-stream", "ACME", "-nats-replicas", "3", "-nats-relay-name", "acme-eu"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "nats://n1:4222, tls://user:pw@n2:4222,n3:4222", c.natsURL)
				assert.Equal(t, []string{"omnibasket.acme", "ACME", "acme-eu"}, []string{c.natsPrefix, c.natsStream, c.natsRelayName})
				assert.Equal(t, 3, c.natsReplicas)
			}},
		{name: "relay from the environment, the stream left to the operator", env: map[string]string{"OMNIBASKET_POSTGRES": "postgres://db/shop",
			"OMNIBASKET_NATS_URL": "nats://n1:4222", "OMNIBASKET_NATS_STREAM": "", "OMNIBASKET_NATS_REPLICAS": "5"},
			args: []string{"-nats-stream", ""},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "nats://n1:4222", c.natsURL)
				assert.Equal(t, "", c.natsStream)
				assert.Equal(t, 5, c.natsReplicas)
			}},
		{name: "flags", args: []string{"-addr", ":9090", "-postgres", "postgres://u:p@db:5432/shop", "-migrate", "-postgres-schema", "tenant1",
			"-prices", "p.csv", "-promotions", "q.csv", "-stock", "s.csv", "-handoff-keys", "keys.json", "-contexts", "ctx.json",
			"-cors-origins", "https://tablet.example.com, http://localhost:3000", "-max-body", "2048", "-timeout", "3s",
			"-shutdown-timeout", "1m", "-drain-delay", "5s", "-log-level", "debug"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, ":9090", c.addr)
				assert.Equal(t, "postgres://u:p@db:5432/shop", c.postgres)
				assert.True(t, c.migrate)
				assert.Equal(t, "tenant1", c.postgresSchema)
				assert.Equal(t, []string{"p.csv", "q.csv", "s.csv", "keys.json", "ctx.json"}, []string{c.prices, c.promotions, c.stock, c.handoffKeys, c.contexts})
				assert.Equal(t, []string{"https://tablet.example.com", "http://localhost:3000"}, c.corsOrigins)
				assert.Equal(t, int64(2048), c.maxBody)
				assert.Equal(t, 3*time.Second, c.timeout)
				assert.Equal(t, time.Minute, c.shutdownTimeout)
				assert.Equal(t, 5*time.Second, c.drainDelay)
				assert.Equal(t, slog.LevelDebug, c.logLevel)
			}},
		{name: "environment", env: map[string]string{"OMNIBASKET_ADDR": "0.0.0.0:80", "OMNIBASKET_POSTGRES": "postgres://db/shop",
			"OMNIBASKET_MIGRATE": "true", "OMNIBASKET_STOCK_URL": "https://erp.example/stock/levels", "OMNIBASKET_STOCK_TTL": "30s",
			"OMNIBASKET_CORS_ORIGINS": "*", "OMNIBASKET_MAX_BODY": "4096", "OMNIBASKET_LOG_LEVEL": "warn"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "0.0.0.0:80", c.addr)
				assert.Equal(t, "postgres://db/shop", c.postgres)
				assert.True(t, c.migrate)
				assert.Equal(t, "https://erp.example/stock/levels", c.stockURL)
				assert.Equal(t, 30*time.Second, c.stockTTL)
				assert.Equal(t, []string{"*"}, c.corsOrigins)
				assert.Equal(t, int64(4096), c.maxBody)
				assert.Equal(t, slog.LevelWarn, c.logLevel)
			}},
		{name: "a flag wins over its variable", args: []string{"-addr", "127.0.0.1:1234", "-migrate=false", "-postgres", "postgres://flag/db"},
			env: map[string]string{"OMNIBASKET_ADDR": "0.0.0.0:80", "OMNIBASKET_MIGRATE": "true", "OMNIBASKET_POSTGRES": "postgres://env/db"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "127.0.0.1:1234", c.addr)
				assert.False(t, c.migrate)
				assert.Equal(t, "postgres://flag/db", c.postgres)
			}},
		{name: "an empty variable is unset", env: map[string]string{"OMNIBASKET_ADDR": ""},
			check: func(t *testing.T, c config) { assert.Equal(t, defaultAddr, c.addr) }},
		{name: "token secret from the environment", env: map[string]string{envTokenSecret: testSecret},
			check: func(t *testing.T, c config) {
				assert.Equal(t, []byte("0123456789abcdef0123456789abcdef"), c.tokenSecret)
				assert.False(t, c.demo())
			}},
		{name: "a secret file flag wins over the secret variable", args: []string{"-token-secret-file", "secret.txt"},
			env: map[string]string{envTokenSecret: "not even base64", "OMNIBASKET_TOKEN_SECRET_FILE": "other.txt"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "secret.txt", c.tokenSecretFile)
				assert.Nil(t, c.tokenSecret)
			}},
		{name: "token command", args: []string{"token", "-kind", "associate", "-id", "lea", "-location", "lyon-bellecour", "-role", "manager", "-ttl", "1h"},
			env: map[string]string{envTokenSecret: testSecret, "OMNIBASKET_ID": "ignored: only the secret comes from the environment"},
			check: func(t *testing.T, c config) {
				assert.Equal(t, "token", c.cmd)
				assert.Equal(t, basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: "lyon-bellecour", Role: "manager"}, c.mint)
				assert.Equal(t, time.Hour, c.mintTTL)
			}},

		{name: "bad duration in a variable", env: map[string]string{"OMNIBASKET_TIMEOUT": "soon"}, errSetting: "OMNIBASKET_TIMEOUT", errText: `"soon"`},
		{name: "bad boolean in a variable", env: map[string]string{"OMNIBASKET_MIGRATE": "maybe"}, errSetting: "OMNIBASKET_MIGRATE"},
		{name: "bad number in a variable", env: map[string]string{"OMNIBASKET_MAX_BODY": "1MB"}, errSetting: "OMNIBASKET_MAX_BODY", errText: "parse error"},
		{name: "bad duration in a flag", args: []string{"-timeout", "soon"}, errUsage: true, errText: "-timeout"},
		{name: "unknown flag", args: []string{"-verbose"}, errUsage: true, errText: "-verbose"},
		{name: "unknown command", args: []string{"serve"}, errUsage: true, errText: `"serve"`},
		{name: "migrate without postgres", args: []string{"-migrate"}, errSetting: "-migrate", errText: "-postgres"},
		{name: "migrate without postgres, from the environment", env: map[string]string{"OMNIBASKET_MIGRATE": "1"}, errSetting: "OMNIBASKET_MIGRATE"},
		{name: "stock from two sources", args: []string{"-stock", "s.csv"}, env: map[string]string{"OMNIBASKET_STOCK_URL": "http://erp/stock"},
			errSetting: "OMNIBASKET_STOCK_URL", errText: "one of them"},
		{name: "stock URL not http", args: []string{"-stock-url", "ftp://erp/stock"}, errSetting: "-stock-url"},
		{name: "stock URL relative", args: []string{"-stock-url", "/stock"}, errSetting: "-stock-url"},
		{name: "address without port", args: []string{"-addr", "localhost"}, errSetting: "-addr", errText: "host:port"},
		{name: "address with a bad port", args: []string{"-addr", ":99999"}, errSetting: "-addr", errText: "65535"},
		{name: "origin with a path", args: []string{"-cors-origins", "https://tablet.example.com/app"}, errUsage: true, errText: "origin"},
		{name: "origin without scheme", env: map[string]string{"OMNIBASKET_CORS_ORIGINS": "tablet.example.com"}, errSetting: "OMNIBASKET_CORS_ORIGINS"},
		{name: "body limit zero", args: []string{"-max-body", "0"}, errSetting: "-max-body"},
		{name: "timeout negative", args: []string{"-timeout", "-1s"}, errSetting: "-timeout"},
		{name: "shutdown timeout zero", env: map[string]string{"OMNIBASKET_SHUTDOWN_TIMEOUT": "0s"}, errSetting: "OMNIBASKET_SHUTDOWN_TIMEOUT"},
		{name: "drain delay negative", args: []string{"-drain-delay", "-1s"}, errSetting: "-drain-delay"},
		{name: "poll period zero", args: []string{"-poll-every", "0s"}, errSetting: "-poll-every"},
		{name: "stock TTL zero", args: []string{"-stock-ttl", "0s"}, errSetting: "-stock-ttl"},
		{name: "schema too long", args: []string{"-postgres-schema", strings.Repeat("s", 64)}, errSetting: "-postgres-schema"},
		{name: "log level unknown", args: []string{"-log-level", "loud"}, errUsage: true, errText: "-log-level"},
		{name: "postgres URL broken, password not shown", args: []string{"-postgres", "postgres://u:hunter2@db:notaport/shop"},
			errSetting: "-postgres", errText: "not a PostgreSQL connection string"},
		{name: "relay without postgres", args: []string{"-nats-url", "nats://n1:4222"}, errSetting: "-nats-url", errText: "-postgres"},
		{name: "relay without postgres, from the environment", env: map[string]string{"OMNIBASKET_NATS_URL": "nats://n1:4222"}, errSetting: "OMNIBASKET_NATS_URL"},
		{name: "relay URL with another scheme, password not shown", args: []string{"-postgres", "postgres://db/shop", "-nats-url", "nats://n1:4222,http://u:hunter2@n2:8222"},
			errSetting: "-nats-url", errText: "server 2"},
		{name: "relay URL with a bad port", args: []string{"-postgres", "postgres://db/shop", "-nats-url", "nats://u:hunter2@n1:99999"},
			errSetting: "-nats-url", errText: "65535"},
		{name: "relay URL list with a hole", args: []string{"-postgres", "postgres://db/shop", "-nats-url", "nats://n1:4222,,nats://n2:4222"},
			errSetting: "-nats-url", errText: "empty"},
		{name: "relay URL with a path", args: []string{"-postgres", "postgres://db/shop", "-nats-url", "nats://n1:4222/stream"},
			errSetting: "-nats-url", errText: "server 1"},
		{name: "prefix with a wildcard", args: []string{"-nats-prefix", "omnibasket.*"}, errSetting: "-nats-prefix", errText: "literal subject"},
		{name: "prefix with an empty token", env: map[string]string{"OMNIBASKET_NATS_PREFIX": "omnibasket..acme"}, errSetting: "OMNIBASKET_NATS_PREFIX"},
		{name: "prefix ending in a dot", args: []string{"-nats-prefix", "omnibasket."}, errSetting: "-nats-prefix"},
		{name: "prefix empty", args: []string{"-nats-prefix", ""}, errSetting: "-nats-prefix", errText: "empty"},
		{name: "stream name with a dot", args: []string{"-nats-stream", "omnibasket.events"}, errSetting: "-nats-stream", errText: "stream name"},
		{name: "stream name too long", args: []string{"-nats-stream", strings.Repeat("S", 256)}, errSetting: "-nats-stream", errText: "255"},
		{name: "no replica", args: []string{"-nats-replicas", "0"}, errSetting: "-nats-replicas"},
		{name: "negative history", args: []string{"-postgres", "postgres://db/shop", "-history-months", "-1"}, errSetting: "-history-months", errText: "negative"},
		{name: "history retention in memory", env: map[string]string{"OMNIBASKET_HISTORY_MONTHS": "13"}, errSetting: "OMNIBASKET_HISTORY_MONTHS", errText: "needs -postgres"},
		{name: "too many replicas", env: map[string]string{"OMNIBASKET_NATS_REPLICAS": "7"}, errSetting: "OMNIBASKET_NATS_REPLICAS", errText: "1 to 5"},
		{name: "relay name empty", args: []string{"-nats-relay-name", ""}, errSetting: "-nats-relay-name"},
		{name: "relay name too long", args: []string{"-nats-relay-name", strings.Repeat("r", postgres.MaxRelayNameLen+1)}, errSetting: "-nats-relay-name", errText: "200"},
		{name: "secret too short", env: map[string]string{envTokenSecret: base64.StdEncoding.EncodeToString([]byte("short"))},
			errSetting: envTokenSecret, errText: "at least 32"},
		{name: "secret not base64", env: map[string]string{envTokenSecret: "correct horse battery staple"}, errSetting: envTokenSecret, errText: "base64"},
		{name: "secret and secret file both in the environment", env: map[string]string{envTokenSecret: testSecret, "OMNIBASKET_TOKEN_SECRET_FILE": "s.txt"},
			errSetting: envTokenSecret, errText: "one of them"},
		{name: "token without kind", args: []string{"token", "-id", "lea"}, env: map[string]string{envTokenSecret: testSecret}, errSetting: "-kind"},
		{name: "token with a bad kind", args: []string{"token", "-kind", "robot", "-id", "x"}, errUsage: true, errText: "robot"},
		{name: "token without ID", args: []string{"token", "-kind", "shopper"}, env: map[string]string{envTokenSecret: testSecret}, errSetting: "-id"},
		{name: "associate token without location", args: []string{"token", "-kind", "associate", "-id", "lea"}, env: map[string]string{envTokenSecret: testSecret},
			errSetting: "-location", errText: "associate"},
		{name: "shopper token with a location", args: []string{"token", "-kind", "shopper", "-id", "ana", "-location", "x"}, env: map[string]string{envTokenSecret: testSecret},
			errSetting: "-location"},
		{name: "token TTL zero", args: []string{"token", "-kind", "shopper", "-id", "ana", "-ttl", "0s"}, env: map[string]string{envTokenSecret: testSecret},
			errSetting: "-ttl"},
		{name: "token TTL too long", args: []string{"token", "-kind", "shopper", "-id", "ana", "-ttl", "200h"}, env: map[string]string{envTokenSecret: testSecret},
			errSetting: "-ttl", errText: "168h"},
		{name: "token without a secret", args: []string{"token", "-kind", "shopper", "-id", "ana"}, errSetting: "-token-secret-file", errText: envTokenSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseConfig(tt.args, envOf(tt.env))
			switch {
			case tt.errSetting != "":
				var ce *configError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.errSetting, ce.Setting, err.Error())
				assert.NotContains(t, err.Error(), "hunter2")
			case tt.errUsage:
				require.ErrorIs(t, err, errUsage)
			default:
				require.NoError(t, err)
				tt.check(t, c)
				return
			}
			assert.Contains(t, err.Error(), tt.errText)
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	_, err := parseConfig([]string{"-h"}, envOf(nil))
	require.ErrorIs(t, err, flag.ErrHelp)
	var b strings.Builder
	usage(&b)
	for _, s := range []string{"-postgres", "-stock-url", "-handoff-keys", "-token-secret-file", "OMNIBASKET_STOCK_URL", "token", "-location",
		"-nats-url", "-nats-prefix", "-nats-stream", "-nats-replicas", "-nats-relay-name"} {
		assert.Contains(t, b.String(), s)
	}
}

func TestLoadSecretFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	require.NoError(t, os.WriteFile(good, []byte(testSecret+"\n"), 0o600))
	short := filepath.Join(dir, "short")
	require.NoError(t, os.WriteFile(short, []byte("c2hvcnQ=\n"), 0o600))

	c := config{tokenSecretFile: good}
	secret, err := c.loadSecret()
	require.NoError(t, err)
	assert.Equal(t, []byte("0123456789abcdef0123456789abcdef"), secret)

	for path, want := range map[string]string{short: "at least 32", filepath.Join(dir, "missing"): "no such file"} {
		c := config{tokenSecretFile: path}
		_, err := c.loadSecret()
		var ce *configError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "-token-secret-file", ce.Setting)
		assert.Contains(t, err.Error(), want)
	}
	none := config{}
	secret, err = none.loadSecret()
	require.NoError(t, err)
	assert.Nil(t, secret, "no secret configured: demo mode")
}

// FuzzParseConfig: whatever the command line and environment, parsing
// never panics, and a configuration it accepts passes its own checks.
func FuzzParseConfig(f *testing.F) {
	f.Add("-addr\x00:8080\x00-timeout\x003s", "OMNIBASKET_MIGRATE", "true")
	f.Add("token\x00-kind\x00associate\x00-id\x00lea\x00-location\x00x", envTokenSecret, testSecret)
	f.Add("-cors-origins\x00https://a.example,*", "OMNIBASKET_STOCK_URL", "http://erp/stock")
	f.Add("-postgres\x00postgres://db/shop\x00-nats-prefix\x00omnibasket.acme", "OMNIBASKET_NATS_URL", "nats://n1:4222,tls://n2")
	f.Fuzz(func(t *testing.T, args, key, value string) {
		var argv []string
		if args != "" {
			argv = strings.Split(args, "\x00")
		}
		c, err := parseConfig(argv, envOf(map[string]string{key: value}))
		if err != nil {
			var ce *configError
			if !errors.As(err, &ce) && !errors.Is(err, errUsage) && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			return
		}
		if c.cmd == "serve" {
			if c.timeout <= 0 || c.maxBody <= 0 || c.shutdownTimeout <= 0 || c.stockTTL <= 0 || c.drainDelay < 0 || checkAddr(c.addr) != nil {
				t.Fatalf("accepted %+v", c)
			}
			if c.natsURL != "" && (c.postgres == "" || checkNATSURLs(c.natsURL) != nil) {
				t.Fatalf("accepted a relay to %q on %q", c.natsURL, c.postgres)
			}
			if natsjs.ValidPrefix(c.natsPrefix) != nil || checkStreamName(c.natsStream) != nil || c.natsReplicas < 1 || c.natsRelayName == "" {
				t.Fatalf("accepted relay settings %q %q %d %q", c.natsPrefix, c.natsStream, c.natsReplicas, c.natsRelayName)
			}
			for _, o := range c.corsOrigins {
				if checkOrigin(o) != nil {
					t.Fatalf("accepted origin %q", o)
				}
			}
		}
	})
}
