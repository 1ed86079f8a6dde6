// Command omnibasketd serves the omnibasket HTTP/JSON API (package
// adapters/httpapi) for platforms, tablets and POS systems that are not
// written in Go.
//
//	go run ./cmd/omnibasketd
//
// starts the demo retailer, Maison Lumière, on 127.0.0.1:8080: baskets in
// memory, prices, promotions and stock from CSV files embedded in the
// binary, check-in keys and an API token secret made at start-up (the log
// says they are unfit for production, and gives demo bearer tokens for a
// shopper and an associate of each store). GET /openapi.json describes
// every operation; /healthz and /readyz are for probes.
//
// The store tablet and the shopper's phone pages (package adapters/webui)
// are at /ui/tablet.html and /ui/phone.html; / leads there. In demo mode
// they sign people in with POST /demo/sign-in (any shopper, or an
// associate of any store; GET /demo/stores and /demo/products list what
// to choose from); with a configured secret /demo/ does not exist and the
// pages ask for a bearer token.
//
// Flags, or the variables OMNIBASKET_<FLAG> (a flag wins over its
// variable), choose the rest:
//
//	-postgres URL [-migrate]       baskets, stock ledger and spent check-in
//	                               tokens in PostgreSQL (migrations only with -migrate)
//	-prices, -promotions, -stock   CSV files (see adapters/csv)
//	-stock-url URL                 stock from an HTTP service (see adapters/httpstock)
//	-handoff-keys FILE             check-in keys: [{"id", "secret" (base64), "active_from"}]
//	-token-secret-file FILE        API token secret, base64 (or OMNIBASKET_TOKEN_SECRET)
//	-contexts FILE                 channel contexts clients may name (JSON list)
//	-maintenance-every D           how often every instance expires idempotency
//	                               records, sweeps abandoned carts and prunes the
//	                               store (default 10m; 0: never; docs/data-lifecycle.md)
//	-history-months N              with -postgres, keep N months of event history:
//	                               the maintenance drops older months whole (0: all)
//	-nats-url URLS                 relay the PostgreSQL outbox to NATS JetStream
//	                               (adapters/natsjs); with -nats-prefix, -nats-stream,
//	                               -nats-replicas, -nats-relay-name. Every instance may
//	                               relay: the stream stores each event once
//	-addr, -cors-origins, -max-body, -timeout, -shutdown-timeout, -drain-delay,
//	-poll-every, -log-level
//
// With -nats-url, the basket events of the outbox are published to a
// JetStream stream (created or updated at start-up unless -nats-stream is
// empty) on <prefix>.<location>.<basket ID>.<event type>, from the
// position saved under -nats-relay-name; the relay goes on through NATS
// and database outages, logging each failure, and /readyz reports its
// position and last error.
//
// GET /v1/insights reports the baskets' lifecycle (docs/insights.md) from
// the store's event feed: the memory store's saves, or the PostgreSQL
// outbox, read from its start when the server starts, so every instance
// answers the same.
//
// Tax rules, sites, fees and the product catalogue are the demo
// retailer's; prices, promotions and stock come from the files. Stock is
// fed into the stock ledger (memory or PostgreSQL) as a full count at
// start-up and on every reload, so the file, or the stock service, is the
// truth of on-hand and the ledger the truth of what baskets hold.
//
// SIGHUP reloads the CSV files (or synchronises the stock service) without
// dropping a request: requests in flight finish on the data they started
// with, and a reload that fails keeps the old data and logs why.
// SIGINT or SIGTERM shut down gracefully: /readyz turns 503, then requests
// in flight finish. Logs are JSON lines (log/slog) on standard output, one
// per request.
//
//	omnibasketd token -kind associate -id lea -location lyon-bellecour
//
// prints a bearer token for the configured secret (Authorization: Bearer …).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		usage(os.Stdout)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "omnibasketd:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "Run omnibasketd -h for the flags.")
		}
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "omnibasketd:", err)
		os.Exit(1)
	}
}
