package httpapi

import (
	"net/http"
)

// A route is one operation of the API: how it is reached, what it reads and
// answers (the OpenAPI document is generated from these fields, and every
// test request and response is validated against that document), and the
// function that serves it.
type route struct {
	method string // GET, POST, PUT, PATCH or DELETE
	// path is a net/http pattern path: "/v1/baskets/{basket_id}/lines".
	path    string
	id      string // the OpenAPI operationId: "addLine"
	tag     string // the group in the document: "baskets", "lines", …
	summary string
	doc     string // the operation's description, Markdown

	// body is a pointer to the request body type (nil: no body).
	body any
	// reply is the success body's type as a value or pointer (nil: no body,
	// status is 204).
	reply any
	// status is the success status: 200 when 0.
	status int
	// query lists the query parameters.
	query []param

	// conditional: the operation honours If-Match (412 on a stale
	// version) and its reply carries the basket version as an ETag.
	conditional bool
	// idempotent: the operation honours Idempotency-Key.
	idempotent bool
	// stream: the reply is text/event-stream.
	stream bool
	// media, when set, is the reply's media type instead of JSON
	// ("image/svg+xml"): serve returns the body as a []byte, documented
	// as a string of that type.
	media string
	// public: served without authentication.
	public bool

	serve func(x *exchange) (any, error)
}

// param is a query parameter.
type param struct {
	name string
	doc  string
	// kind is the JSON Schema type: "string", "integer" or "boolean".
	kind     string
	required bool
	enum     []string
}

func (rt route) successStatus() int {
	switch {
	case rt.status != 0:
		return rt.status
	case rt.reply == nil && !rt.stream && rt.media == "":
		return http.StatusNoContent
	}
	return http.StatusOK
}

// pattern is the net/http ServeMux pattern of the route.
func (rt route) pattern() string { return rt.method + " " + rt.path }
