// Package httpapi serves a [basket.Service] over HTTP and JSON, so that
// platforms, store tablets and POS systems not written in Go can do
// everything the library does. It is a driving adapter: each operation
// translates a request into one Service call and the result into a
// response, and holds no business rule of its own.
//
// A Go platform mounts the handler in its own server:
//
//	api, err := httpapi.New(httpapi.Options{
//		Service:  svc,                 // the *basket.Service
//		Auth:     platformAuth,        // request → basket.Actor
//		Contexts: contexts,            // channel or store ID → channel.Context
//	})
//	mux.Handle("/", api)
//
// Everyone else runs cmd/omnibasketd, which wraps the same handler.
//
// # The contract
//
//   - The OpenAPI 3.1 document is served at /openapi.json. It is generated
//     from the route table the handler is served from and from the Go types
//     it encodes (code-first): the domain types are the wire types, so a
//     field added to basket.Basket is in the document the moment it is in
//     the response. Generation is not trusted on its own word: every request
//     and response of the package's HTTP tests is validated against the
//     served document by kin-openapi, an independent implementation, so the
//     document cannot drift from what the server does.
//   - Identity is the platform's: an [Authenticator] turns a request into a
//     [basket.Actor]; [Tokens] (HMAC-signed bearer tokens) and [Keys]
//     (static API keys) are reference implementations, and
//     [AuthenticatorFunc] plugs OIDC or session cookies.
//   - A basket's ETag is its version. If-Match on a command makes it
//     conditional: a stale version gets 412 and changes nothing.
//   - Idempotency-Key on a command makes a retry return the first outcome;
//     the same key with another payload gets 422.
//   - Errors are RFC 9457 application/problem+json, with a stable type per
//     error kind (see [ErrorKinds]), the field and the line at fault.
//   - JSON is snake_case, times are RFC 3339, durations are seconds, money
//     is {"amount":"12.50","currency":"EUR"}.
//   - Lists are paged (after/limit cursors); bodies are limited
//     ([Options.MaxBodyBytes]), strict (unknown fields refused, depth
//     bounded) and must be application/json; each request has a deadline
//     ([Options.Timeout]); CORS is opt-in ([Options.CORS]).
//   - GET /v1/baskets/{id}/events/stream is a Server-Sent Events stream of
//     the basket's events, resumable with Last-Event-ID, fed by a [Feed].
package httpapi
