package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/omnibasket/omnibasket/adapters/natsjs"
	"github.com/omnibasket/omnibasket/adapters/postgres"
)

// relayRetry is how long the relay waits after a failure (a publish not
// acknowledged, the database unreachable) before trying again: long
// enough that an outage logs a line a second at most, short enough that
// events flow again within a second of its end.
const relayRetry = time.Second

// relayReconnectWait is how long the NATS connection waits between two
// attempts to reach a server; it tries for ever.
const relayReconnectWait = time.Second

// relayPoolConns bounds the relay's own connections to PostgreSQL: it
// reads and saves one thing at a time, and its pool being apart from the
// requests' means that neither waits for a connection the other holds.
const relayPoolConns = 2

// Bounds of the retries of the stream's creation at start-up.
const (
	streamRetryFirst = time.Second
	streamRetryMax   = 30 * time.Second
	streamTimeout    = 10 * time.Second
)

// outboxRelay carries the PostgreSQL outbox to a NATS JetStream stream
// (package natsjs) while the server runs. Every instance may run one under
// the same name: the stream drops the copies by message ID and the saved
// position only moves forward (see the natsjs package doc), so a standby
// needs no election and a lost instance stops nothing.
type outboxRelay struct {
	cfg   *config
	log   *slog.Logger
	pool  *pgxpool.Pool
	store *postgres.Store
	nc    *nats.Conn
	relay *natsjs.Relay

	// failures and failing are the Progress callback's memory of the last
	// report, for logging each failure and the recovery; the relay calls
	// it from its one goroutine.
	failures uint64
	failing  bool
}

// newOutboxRelay opens the relay's connections; neither NATS nor
// PostgreSQL needs to answer yet (the relay waits for them, and says so
// in the log).
func newOutboxRelay(ctx context.Context, cfg *config, log *slog.Logger) (_ *outboxRelay, err error) {
	pc, err := pgxpool.ParseConfig(cfg.postgres)
	if err != nil {
		return nil, &configError{Setting: "-postgres", Reason: "not a PostgreSQL connection string: " + redactURL(err.Error(), cfg.postgres)}
	}
	pc.MaxConns = relayPoolConns
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("relay: postgres: %w", err)
	}
	defer func() {
		if err != nil {
			pool.Close()
		}
	}()
	r := &outboxRelay{cfg: cfg, log: log.With(slog.String("relay", cfg.natsRelayName)), pool: pool,
		store: postgres.New(pool, postgres.Options{Schema: cfg.postgresSchema})}
	r.nc, err = nats.Connect(cfg.natsURL,
		nats.Name("omnibasketd relay "+cfg.natsRelayName),
		nats.MaxReconnects(-1), nats.RetryOnFailedConnect(true), nats.ReconnectWait(relayReconnectWait),
		nats.ConnectHandler(func(nc *nats.Conn) {
			r.log.Info("relay: connected to NATS", slog.String("server", redactNATS(nc.ConnectedUrlRedacted())))
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			r.log.Info("relay: reconnected to NATS", slog.String("server", redactNATS(nc.ConnectedUrlRedacted())))
		}),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				r.log.Warn("relay: lost the NATS connection; reconnecting", slog.Any("error", err))
			}
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			r.log.Warn("relay: reaching NATS failed; retrying", slog.String("retry_in", relayReconnectWait.String()), slog.Any("error", err))
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("relay: NATS: %w", err)
	}
	r.relay, err = natsjs.NewRelay(natsjs.RelayConfig{Outbox: r.store, Conn: r.nc, Name: cfg.natsRelayName, Prefix: cfg.natsPrefix,
		Retry: relayRetry, Progress: r.progress})
	if err != nil {
		r.nc.Close()
		return nil, fmt.Errorf("relay: %w", err)
	}
	return r, nil
}

// run creates or updates the stream, then relays until ctx is done.
func (r *outboxRelay) run(ctx context.Context) {
	r.log.Info("relay starting", slog.String("nats", redactNATS(r.cfg.natsURL)), slog.String("stream", r.cfg.natsStream),
		slog.String("subjects", r.cfg.natsPrefix+".>"), slog.Int("replicas", r.cfg.natsReplicas))
	if r.ensureStream(ctx) {
		_ = r.relay.Run(ctx) // ctx's error: the server stops
	}
	s := r.relay.Stats()
	r.log.Info("relay stopped", slog.String("position", s.Position.String()), slog.Uint64("published", s.Published),
		slog.Uint64("duplicates", s.Duplicates), slog.Uint64("failures", s.Failures))
}

// ensureStream creates or updates the stream (unless the operator keeps
// it: -nats-stream ""), retrying with a growing delay until it succeeds
// or ctx is done (false).
func (r *outboxRelay) ensureStream(ctx context.Context) bool {
	if r.cfg.natsStream == "" {
		return ctx.Err() == nil
	}
	js, err := jetstream.New(r.nc)
	if err != nil { // only a bad option can fail, and none is given
		r.log.Error("relay: JetStream", slog.Any("error", err))
		return false
	}
	sc := natsjs.StreamConfig(r.cfg.natsStream, r.cfg.natsPrefix, r.cfg.natsReplicas)
	wait := streamRetryFirst
	for {
		cctx, cancel := context.WithTimeout(ctx, streamTimeout)
		_, err := js.CreateOrUpdateStream(cctx, sc)
		cancel()
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			r.log.Info("relay: stream ready", slog.String("stream", sc.Name), slog.String("subjects", strings.Join(sc.Subjects, " ")),
				slog.Int("replicas", sc.Replicas), slog.String("duplicate_window", sc.Duplicates.String()))
			return true
		}
		r.log.Warn("relay: creating or updating the stream failed; retrying", slog.String("stream", sc.Name),
			slog.String("retry_in", wait.String()), slog.Any("error", err))
		sleep(ctx, wait)
		wait = min(2*wait, streamRetryMax)
	}
}

// progress logs each failure of the relay (it retries after relayRetry),
// the first batch after failures, and each batch at debug level.
func (r *outboxRelay) progress(s natsjs.RelayStats) {
	switch {
	case s.Failures > r.failures:
		r.failures, r.failing = s.Failures, true
		r.log.Warn("relay: publishing the outbox failed; retrying", slog.String("retry_in", relayRetry.String()),
			slog.Uint64("failures", s.Failures), slog.String("position", s.Position.String()), slog.Any("error", s.LastError))
	case r.failing:
		r.failing = false
		r.log.Info("relay: publishing again", slog.String("position", s.Position.String()), slog.Uint64("published", s.Published),
			slog.Uint64("failures", s.Failures))
	default:
		r.log.Debug("relay: batch published", slog.String("position", s.Position.String()), slog.Uint64("published", s.Published),
			slog.Uint64("duplicates", s.Duplicates))
	}
}

// relayHealth is the relay's part of /readyz. It never makes the server
// unready: the API works without NATS, and taking every instance out of
// the load balancer because the stream is away would stop the shops for
// nothing; an operator alerts on caught_up and failures instead.
type relayHealth struct {
	Name      string `json:"name"`
	Stream    string `json:"stream,omitempty"`
	Connected bool   `json:"connected"`
	// Position is the outbox cursor the relay last saved ("tx:position"),
	// OutboxHead the last one the outbox delivers now; CaughtUp: the relay
	// has published everything up to the head.
	Position   string `json:"position"`
	OutboxHead string `json:"outbox_head,omitempty"`
	CaughtUp   bool   `json:"caught_up"`
	// Published, Duplicates and Failures count since the server started.
	Published  uint64 `json:"published"`
	Duplicates uint64 `json:"duplicates"`
	Failures   uint64 `json:"failures"`
	LastError  string `json:"last_error,omitempty"`
}

// health reports the relay's counters, and reads the outbox head within
// ctx (left out if it cannot).
func (r *outboxRelay) health(ctx context.Context) relayHealth {
	s := r.relay.Stats()
	h := relayHealth{Name: r.cfg.natsRelayName, Stream: r.cfg.natsStream, Connected: r.nc.IsConnected(),
		Position: s.Position.String(), Published: s.Published, Duplicates: s.Duplicates, Failures: s.Failures}
	if s.LastError != nil {
		h.LastError = s.LastError.Error()
	}
	if head, err := r.store.OutboxHead(ctx); err == nil {
		h.OutboxHead, h.CaughtUp = head.String(), s.Position.Compare(head) >= 0
	}
	return h
}

// close closes the connections, once run has returned.
func (r *outboxRelay) close() {
	r.nc.Close()
	r.pool.Close()
}

// redactNATS returns a list of NATS URLs with their credentials (a
// user and password, or a token in the user's place) hidden, for the log.
func redactNATS(list string) string {
	var out []string
	for s := range strings.SplitSeq(list, ",") {
		s = strings.TrimSpace(s)
		if !strings.Contains(s, "://") {
			s = "nats://" + s
		}
		u, err := url.Parse(s)
		if err != nil {
			out = append(out, "(unreadable)")
			continue
		}
		if u.User != nil {
			u.User = url.User("redacted")
		}
		out = append(out, u.String())
	}
	return strings.Join(out, ",")
}
