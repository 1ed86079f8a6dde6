// Package httpstock is a [stock.Provider] over HTTP/JSON, for stock levels
// kept by an ERP or a warehouse system, and a caching decorator for any
// stock.Provider.
//
// The main calls:
//
//	client, err := httpstock.New("https://erp.example/stock/levels", httpstock.Options{})
//	cache, err := httpstock.NewCache(client, httpstock.CacheOptions{TTL: 5 * time.Second, MaxStale: time.Minute})
//	levels, err := cache.Levels(ctx, stock.Query{SKUs: skus, Locations: chctx.StockSources})
//
// # The endpoint
//
// One POST per query, whatever the number of SKUs × locations. The request
// body lists the SKUs and the locations, each sorted and without duplicates;
// the endpoint answers for their cross product:
//
//	POST /stock/levels HTTP/1.1
//	Content-Type: application/json
//	Accept: application/json
//
//	{"skus": ["KETTLE", "TEAPOT"], "locations": ["paris-01", "wh-north"]}
//
// A 200 answer lists the levels it knows:
//
//	HTTP/1.1 200 OK
//	Content-Type: application/json
//
//	{"levels": [
//	  {"sku": "KETTLE", "location": "paris-01", "on_hand": 12, "reserved": 2},
//	  {"sku": "KETTLE", "location": "wh-north", "on_hand": 0,
//	   "next_arrival": "2026-11-25T08:00:00Z"},
//	  {"sku": "TEAPOT", "location": "wh-north", "on_hand": 40}
//	]}
//
// Fields of a level:
//
//	sku           string, required, non-empty
//	location      string, required, non-empty
//	on_hand       integer ≥ 0, required (an absent count is not 0)
//	reserved      integer ≥ 0, optional, default 0
//	next_arrival  RFC 3339 time or null, optional: when more units are announced
//
// The "levels" array is required (it may be empty). A pair that is not
// listed is unknown — here TEAPOT at paris-01 — which is distinct from a
// level with on_hand 0 (KETTLE at wh-north, known to be out) and is never
// treated as in stock. Levels for pairs that were not asked for are
// ignored; a pair listed twice, a negative or fractional count, a missing
// required field, trailing data after the object or a body larger than
// [Options.MaxResponseBytes] make the whole answer malformed. Unknown
// fields are ignored, so the schema can grow. Any status other than 2xx is
// a failure. [Request], [Response] and [WireLevel] are the Go form of the
// schema, for servers written in Go ([NewResponse] builds an answer).
//
// Endpoints that already exist with another shape plug in through
// [Options.BuildRequest] and [Options.DecodeResponse].
//
// # Failures
//
// The call's context bounds the whole call, retries included; each attempt
// is further bounded by [Options.AttemptTimeout]. Attempts that time out or
// get a 5xx status are retried, up to [Options.MaxAttempts], after an
// exponential backoff with jitter; other failures (4xx, malformed or
// truncated bodies, refused connections) are not. A circuit breaker opens
// after [Options.BreakerThreshold] consecutive failed calls and then fails
// fast, without a request, for [Options.BreakerCooldown]; one probe call
// then decides whether it closes again.
//
// When the endpoint cannot answer, Levels returns an [*Error] carrying the
// cause, the number of attempts and the last HTTP status. It matches
// [stock.ErrUnknown] with errors.Is — stock is unknown, never "in stock" —
// and its cause ([ErrCircuitOpen], [ErrStatus], [ErrMalformed],
// [ErrTooLarge], context.DeadlineExceeded …). An invalid query is refused
// before any request with an error matching stock.ErrInvalid.
//
// # Cache
//
// [Cache] decorates any stock.Provider. A level younger than
// [CacheOptions.TTL] is served without an upstream call; older ones are
// fetched again, in one batched upstream call, and concurrent identical
// fetches collapse into a single call. When the upstream fails, levels up
// to [CacheOptions.MaxStale] old are served instead; a level older than
// that is never served (the pair is then unknown). [Cache.Lookup] tells
// the age of every level it returns. Time comes from an injected
// clock.Clock.
package httpstock
