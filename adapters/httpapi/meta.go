package httpapi

import (
	"encoding/json"
	"net/http"
)

// metaRoutes are the API's description of itself.
func (a *API) metaRoutes() []route {
	return []route{
		{method: http.MethodGet, path: "/openapi.json", id: "getOpenAPIDocument", tag: "meta",
			summary: "This document",
			doc: "The OpenAPI 3.1 document of the API, generated from the routes the server serves and the Go types they " +
				"encode. Clients may build their types from it; the package's tests validate every request and response " +
				"they make against it.",
			reply: map[string]any{}, public: true,
			serve: func(x *exchange) (any, error) { return json.RawMessage(x.api.doc), nil }},
	}
}
