package main

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
)

// envPrefix starts the environment variable of every flag: -stock-url is
// OMNIBASKET_STOCK_URL. A flag given on the command line wins over its
// variable.
const envPrefix = "OMNIBASKET_"

// envTokenSecret holds the API's token secret itself (base64), for
// platforms that inject secrets as variables; it has no flag, so that the
// secret never shows in a process listing.
const envTokenSecret = envPrefix + "TOKEN_SECRET"

// config is what the command was asked to do.
type config struct {
	// cmd is "serve" (the server) or "token" (print a bearer token).
	cmd string

	addr            string
	postgres        string // connection URL; empty: memory
	postgresSchema  string
	migrate         bool
	prices          string // CSV files; empty: the embedded demo data
	promotions      string
	stock           string
	stockURL        string // HTTP stock service, instead of a stock CSV
	stockTTL        time.Duration
	maintenance     time.Duration // 0: no data lifecycle pass
	historyMonths   int           // months of PostgreSQL event history kept; 0: all
	handoffKeys     string        // JSON key file; empty: keys made at start-up
	contexts        string        // JSON list of channel contexts; empty: the demo's
	corsOrigins     []string
	maxBody         int64
	timeout         time.Duration
	shutdownTimeout time.Duration
	drainDelay      time.Duration
	pollEvery       time.Duration
	logLevel        slog.Level

	// The outbox relay to NATS JetStream (relay.go): natsURL empty means
	// none; natsStream empty leaves the stream to the operator.
	natsURL       string
	natsPrefix    string
	natsStream    string
	natsReplicas  int
	natsRelayName string

	// tokenSecretFile and tokenSecret are the API's token secret: a file
	// holding it, or the secret from the environment, both in base64.
	// Neither: a secret made at start-up (demo mode).
	tokenSecretFile string
	tokenSecret     []byte

	// mint is the token the token command prints.
	mint    basket.Actor
	mintTTL time.Duration

	// started, when set, is told the bound address and the reload
	// function once the server is ready (tests use it).
	started func(started)
}

// started is what run tells config.started.
type started struct {
	Addr   string
	Reload func() error
	// InFlight is the number of requests being served.
	InFlight func() int64
}

// The defaults.
const (
	defaultAddr            = "127.0.0.1:8080"
	defaultStockTTL        = 5 * time.Second
	defaultShutdownTimeout = 20 * time.Second
	defaultMintTTL         = 12 * time.Hour
	defaultNATSPrefix      = "omnibasket"
	defaultNATSStream      = "OMNIBASKET"
	defaultNATSRelayName   = "omnibasketd"
	// maxNATSReplicas is JetStream's limit on a stream's replicas.
	maxNATSReplicas = 5
	// maxStreamName is JetStream's limit on a stream name, in bytes.
	maxStreamName = 255
)

// configError is a setting that is not valid: which flag or variable, and
// why.
type configError struct {
	Setting string // "-timeout" or "OMNIBASKET_TIMEOUT"
	Reason  string
}

func (e *configError) Error() string { return e.Setting + ": " + e.Reason }

// errUsage: the command line is not one this command knows.
var errUsage = errors.New("usage")

// flagSet declares the flags of cmd ("serve" or "token") into fs, writing
// them into c.
func flagSet(cmd string, c *config) *flag.FlagSet {
	fs := flag.NewFlagSet("omnibasketd", flag.ContinueOnError)
	if cmd == "token" {
		fs = flag.NewFlagSet("omnibasketd token", flag.ContinueOnError)
	}
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.tokenSecretFile, "token-secret-file", "", "file holding the API token secret, base64 of at least 32 bytes (or set "+envTokenSecret+" to the secret); none: a secret made at start-up, and demo tokens in the log")
	if cmd == "token" {
		fs.Func("kind", "actor kind: shopper, associate or system", func(s string) error {
			return c.mint.Kind.UnmarshalText([]byte(s))
		})
		fs.StringVar(&c.mint.ID, "id", "", "actor ID: customer, session or staff ID (required)")
		fs.StringVar(&c.mint.LocationID, "location", "", "the store an associate works at (required for an associate)")
		fs.StringVar(&c.mint.Role, "role", "", "staff role (associate, manager …)")
		fs.DurationVar(&c.mintTTL, "ttl", defaultMintTTL, "how long the token is valid")
		return fs
	}
	fs.StringVar(&c.addr, "addr", defaultAddr, "listen address, host:port (port 0: any free port)")
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL connection URL; none: an in-memory store, lost at exit")
	fs.StringVar(&c.postgresSchema, "postgres-schema", "omnibasket", "PostgreSQL schema of the store")
	fs.BoolVar(&c.migrate, "migrate", false, "apply the store's migrations to the PostgreSQL schema at start-up")
	fs.StringVar(&c.prices, "prices", "", "price list CSV file (see adapters/csv); none: the demo retailer's")
	fs.StringVar(&c.promotions, "promotions", "", "promotions CSV file; none: the demo retailer's")
	fs.StringVar(&c.stock, "stock", "", "stock levels CSV file, fed into the stock ledger; none: the demo retailer's")
	fs.StringVar(&c.stockURL, "stock-url", "", "HTTP stock service (see adapters/httpstock), instead of -stock")
	fs.DurationVar(&c.stockTTL, "stock-ttl", defaultStockTTL, "how long levels of -stock-url are cached")
	fs.DurationVar(&c.maintenance, "maintenance-every", maintenanceEvery, "how often to expire idempotency records, sweep abandoned carts and prune the store (0: never)")
	fs.StringVar(&c.handoffKeys, "handoff-keys", "", `check-in key file: JSON [{"id","secret" (base64),"active_from","retire_at"}]; none: a key made at start-up`)
	fs.StringVar(&c.contexts, "contexts", "", "JSON list of channel contexts clients may name; none: the demo retailer's")
	fs.Func("cors-origins", `comma-separated origins allowed to call the API from a browser ("https://tablet.example.com", or "*")`, func(s string) error {
		c.corsOrigins = nil
		for o := range strings.SplitSeq(s, ",") {
			if o = strings.TrimSpace(o); o == "" {
				continue
			}
			if err := checkOrigin(o); err != nil {
				return err
			}
			c.corsOrigins = append(c.corsOrigins, o)
		}
		return nil
	})
	fs.Int64Var(&c.maxBody, "max-body", httpapi.DefaultMaxBodyBytes, "largest request body, in bytes")
	fs.DurationVar(&c.timeout, "timeout", httpapi.DefaultTimeout, "time limit of a request (live streams excepted)")
	fs.IntVar(&c.historyMonths, "history-months", 0, "with -postgres, keep the event history (the outbox) of the last N months: "+
		"the maintenance drops whole months that ended before, never one a relay has not passed (0: keep everything)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", defaultShutdownTimeout, "how long a shutdown waits for requests in flight")
	fs.DurationVar(&c.drainDelay, "drain-delay", 0, "how long /readyz answers 503 before a shutdown stops accepting requests")
	fs.DurationVar(&c.pollEvery, "poll-every", httpapi.DefaultPollEvery, "how often a live stream reads its basket's history as a safety net for missed notifications")
	fs.StringVar(&c.natsURL, "nats-url", "", "NATS servers, comma-separated (nats://host:4222, tls://…), to relay the PostgreSQL outbox's basket events to on JetStream "+
		"(see adapters/natsjs); needs -postgres. Every instance may set it: instances of one -nats-relay-name publish the same events, "+
		"which the stream stores once (by Nats-Msg-Id, within its 2-minute duplicate window), and share a saved position that only moves forward; none: no relay")
	fs.StringVar(&c.natsPrefix, "nats-prefix", defaultNATSPrefix, "subject prefix of the relayed events, published on <prefix>.<location>.<basket ID>.<event type>; a literal subject (omnibasket.acme), no wildcard or empty token")
	fs.StringVar(&c.natsStream, "nats-stream", defaultNATSStream, "JetStream stream the relay creates or updates at start-up to store <prefix>.> (file storage, 2-minute duplicate window; "+
		"other settings of an existing stream are replaced); empty: the stream is managed outside omnibasketd and must store <prefix>.>")
	fs.IntVar(&c.natsReplicas, "nats-replicas", 1, "replicas of -nats-stream, 1 to 5 (3 on a three-server cluster)")
	fs.StringVar(&c.natsRelayName, "nats-relay-name", defaultNATSRelayName, "name under which the relay saves its outbox position in PostgreSQL; instances with the same name share it and may relay at the same time")
	fs.Func("log-level", "debug, info, warn or error (default info)", func(s string) error {
		return c.logLevel.UnmarshalText([]byte(s))
	})
	return fs
}

// parseConfig reads the command line (without the program name) and the
// environment through getenv: flags first, then OMNIBASKET_<FLAG> for
// every flag not given, then the checks across settings.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	c := config{cmd: "serve"}
	if len(args) > 0 && args[0] == "token" {
		c.cmd, args = "token", args[1:]
	}
	fs := flagSet(c.cmd, &c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("%w: unexpected argument %q (the only command is \"token\")", errUsage, fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v := getenv(name)
		if err != nil || given[f.Name] || v == "" || (c.cmd == "token" && f.Name != "token-secret-file") {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = &configError{Setting: name, Reason: fmt.Sprintf("%q: %v", v, unwrapNum(e))}
		}
	})
	if err != nil {
		return c, err
	}
	if err := c.secretFromEnv(getenv, given["token-secret-file"]); err != nil {
		return c, err
	}
	setting := func(name string) string {
		if given[name] || getenv(envName(name)) == "" || (c.cmd == "token" && name != "token-secret-file") {
			return "-" + name
		}
		return envName(name)
	}
	if err := c.check(setting); err != nil {
		return c, err
	}
	return c, nil
}

// envName is the variable of a flag: max-body → OMNIBASKET_MAX_BODY.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// unwrapNum drops strconv's prefix ("strconv.ParseInt: parsing …") from
// a flag value's error.
func unwrapNum(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return ne.Err
	}
	return err
}

// secretFromEnv reads OMNIBASKET_TOKEN_SECRET, unless a secret file was
// named on the command line (flags win); a file named in the environment
// and a secret in the environment are ambiguous.
func (c *config) secretFromEnv(getenv func(string) string, fileFlag bool) error {
	v := getenv(envTokenSecret)
	switch {
	case v == "" || fileFlag:
		return nil
	case c.tokenSecretFile != "":
		return &configError{Setting: envTokenSecret, Reason: "set together with " + envName("token-secret-file") + "; set one of them"}
	}
	secret, err := decodeSecret(v)
	if err != nil {
		return &configError{Setting: envTokenSecret, Reason: err.Error()}
	}
	c.tokenSecret = secret
	return nil
}

// decodeSecret reads a base64 secret (standard or URL alphabet, padded or
// not) of at least httpapi.MinTokenSecret bytes.
func decodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) < httpapi.MinTokenSecret {
				return nil, fmt.Errorf("the secret is %d bytes; it must be at least %d (openssl rand -base64 32)", len(b), httpapi.MinTokenSecret)
			}
			return b, nil
		}
	}
	return nil, errors.New("the secret is not base64 (openssl rand -base64 32 makes one)")
}

// loadSecret returns the token secret: from the file when one is named,
// else from the environment; nil when neither is configured.
func (c *config) loadSecret() ([]byte, error) {
	if c.tokenSecretFile == "" {
		return c.tokenSecret, nil
	}
	data, err := os.ReadFile(c.tokenSecretFile)
	if err != nil {
		return nil, &configError{Setting: "-token-secret-file", Reason: err.Error()}
	}
	secret, err := decodeSecret(string(data))
	if err != nil {
		return nil, &configError{Setting: "-token-secret-file", Reason: c.tokenSecretFile + ": " + err.Error()}
	}
	return secret, nil
}

// check validates the settings against each other; setting names where
// a value came from.
func (c *config) check(setting func(string) string) error {
	bad := func(name, reason string) error { return &configError{Setting: setting(name), Reason: reason} }
	if c.cmd == "token" {
		switch {
		case c.mint.Kind == 0:
			return bad("kind", "required: shopper, associate or system")
		case c.mint.ID == "":
			return bad("id", "required")
		case c.mint.Kind == basket.Associate && c.mint.LocationID == "":
			return bad("location", "required for an associate: the store they work at")
		case c.mint.Kind != basket.Associate && c.mint.LocationID != "":
			return bad("location", "only an associate works at a location")
		case c.mintTTL <= 0 || c.mintTTL > httpapi.MaxTokenTTL:
			return bad("ttl", "must be positive and at most "+httpapi.MaxTokenTTL.String())
		case c.tokenSecretFile == "" && c.tokenSecret == nil:
			return bad("token-secret-file", "no secret configured: name the server's secret file, or set "+envTokenSecret+" (a server without one logs demo tokens at start-up)")
		}
		return nil
	}
	if err := checkAddr(c.addr); err != nil {
		return bad("addr", err.Error())
	}
	switch {
	case c.migrate && c.postgres == "":
		return bad("migrate", "needs -postgres: migrations are for a PostgreSQL store")
	case c.postgresSchema == "" || len(c.postgresSchema) > 63:
		return bad("postgres-schema", "must be 1 to 63 bytes")
	case c.stock != "" && c.stockURL != "":
		return bad("stock-url", "set together with -stock; stock comes from one of them")
	case c.stockTTL <= 0:
		return bad("stock-ttl", "must be positive")
	case c.maintenance < 0:
		return bad("maintenance-every", "must not be negative (0: never)")
	case c.historyMonths < 0:
		return bad("history-months", "must not be negative (0: keep everything)")
	case c.historyMonths > 0 && c.postgres == "":
		return bad("history-months", "needs -postgres: the in-memory store keeps no history beyond the process")
	case c.maxBody <= 0:
		return bad("max-body", "must be positive")
	case c.timeout <= 0:
		return bad("timeout", "must be positive")
	case c.shutdownTimeout <= 0:
		return bad("shutdown-timeout", "must be positive")
	case c.drainDelay < 0:
		return bad("drain-delay", "must not be negative")
	case c.pollEvery <= 0:
		return bad("poll-every", "must be positive")
	}
	if err := c.checkNATS(bad); err != nil {
		return err
	}
	if c.postgres != "" {
		if _, err := pgxpool.ParseConfig(c.postgres); err != nil {
			return bad("postgres", "not a PostgreSQL connection string: "+redactURL(err.Error(), c.postgres))
		}
	}
	if c.stockURL != "" {
		u, err := url.Parse(c.stockURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("stock-url", "must be an absolute http:// or https:// URL")
		}
	}
	return nil
}

// checkNATS validates the relay's settings. The prefix, stream, replicas
// and name are checked even without -nats-url: a wrong value is wrong
// before it is used.
func (c *config) checkNATS(bad func(name, reason string) error) error {
	if err := natsjs.ValidPrefix(c.natsPrefix); err != nil {
		var in *basket.InputError
		if errors.As(err, &in) {
			return bad("nats-prefix", in.Reason+" (like omnibasket.acme: no empty token, * or >, no white space)")
		}
		return bad("nats-prefix", err.Error())
	}
	if err := checkStreamName(c.natsStream); err != nil {
		return bad("nats-stream", err.Error())
	}
	switch {
	case c.natsReplicas < 1 || c.natsReplicas > maxNATSReplicas:
		return bad("nats-replicas", fmt.Sprintf("must be 1 to %d", maxNATSReplicas))
	case c.natsRelayName == "" || len(c.natsRelayName) > postgres.MaxRelayNameLen:
		return bad("nats-relay-name", fmt.Sprintf("must be 1 to %d bytes", postgres.MaxRelayNameLen))
	case c.natsURL == "":
		return nil
	case c.postgres == "":
		return bad("nats-url", "needs -postgres: the relay reads the PostgreSQL outbox, which the in-memory store does not have")
	}
	if err := checkNATSURLs(c.natsURL); err != nil {
		return bad("nats-url", err.Error())
	}
	return nil
}

// checkStreamName accepts a JetStream stream name (as nats.go checks it),
// or "" (the stream is the operator's).
func checkStreamName(name string) error {
	switch {
	case len(name) > maxStreamName:
		return fmt.Errorf("is %d bytes, at most %d", len(name), maxStreamName)
	case strings.ContainsAny(name, " \t\r\n\f.*>/\\"):
		return fmt.Errorf("%q is not a stream name: no '.', '*', '>', '/', '\\' or white space", name)
	}
	return nil
}

// checkNATSURLs accepts a comma-separated list of NATS servers as nats.go
// reads it: URLs with the scheme nats, tls, ws or wss, or host:port (nats
// then). An error names the server by its place in the list, never by its
// text, which may hold a password.
func checkNATSURLs(list string) error {
	for i, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return fmt.Errorf("server %d of the list is empty", i+1)
		}
		if !strings.Contains(s, "://") {
			s = "nats://" + s
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return fmt.Errorf("server %d of the list is not a URL like nats://nats1.example:4222", i+1)
		}
		switch u.Scheme {
		case "nats", "tls", "ws", "wss":
		default:
			return fmt.Errorf("server %d of the list has the scheme %q; want nats, tls, ws or wss", i+1, u.Scheme)
		}
		if p := u.Port(); p != "" {
			if _, err := strconv.ParseUint(p, 10, 16); err != nil {
				return fmt.Errorf("server %d of the list has a port that is not a number from 0 to 65535", i+1)
			}
		}
	}
	return nil
}

// redactURL removes a connection string from an error message that may
// quote it, password included.
func redactURL(msg, conn string) string { return strings.ReplaceAll(msg, conn, "…") }

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port (127.0.0.1:8080, :8080)", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

// checkOrigin accepts "*" or an origin as browsers send it:
// scheme://host[:port], nothing after.
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q is not an origin like https://tablet.example.com", o)
	}
	return nil
}

// usage prints the command line of both commands.
func usage(w io.Writer) {
	var c config
	fmt.Fprint(w, `omnibasketd serves the omnibasket HTTP/JSON API.

Usage:
  omnibasketd [flags]          serve the API (GET /openapi.json describes it)
  omnibasketd token [flags]    print a bearer token for the configured secret

Every flag can also be set by the variable OMNIBASKET_<FLAG> (-stock-url:
OMNIBASKET_STOCK_URL); a flag on the command line wins.

Flags of the server:
`)
	fs := flagSet("serve", &c)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprint(w, "\nFlags of token:\n")
	fs = flagSet("token", &c)
	fs.SetOutput(w)
	fs.PrintDefaults()
}
