package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/omnibasket/omnibasket/basket"
)

// documentVersion is the version of the API the OpenAPI document
// describes (info.version): its major number changes only with a
// breaking change, which also gets a new path prefix (/v2).
const documentVersion = "1.0.0"

// The OpenAPI 3.1 objects the document is made of, reduced to the fields
// it uses; the document is generated from the route table (see
// [API.document]).
type (
	openAPI struct {
		OpenAPI    string                          `json:"openapi"`
		Info       openAPIInfo                     `json:"info"`
		Tags       []openAPITag                    `json:"tags"`
		Paths      map[string]map[string]operation `json:"paths"`
		Components openAPIComponents               `json:"components"`
	}
	openAPIInfo struct {
		Title       string         `json:"title"`
		Version     string         `json:"version"`
		Summary     string         `json:"summary"`
		Description string         `json:"description"`
		License     openAPILicense `json:"license"`
	}
	openAPILicense struct {
		Name       string `json:"name"`
		Identifier string `json:"identifier"`
	}
	openAPITag struct {
		Name string `json:"name"`
	}
	openAPIComponents struct {
		Schemas         map[string]*schema        `json:"schemas"`
		Responses       map[string]response       `json:"responses"`
		Parameters      map[string]parameter      `json:"parameters"`
		SecuritySchemes map[string]securityScheme `json:"securitySchemes"`
	}
	operation struct {
		OperationID string              `json:"operationId"`
		Tags        []string            `json:"tags"`
		Summary     string              `json:"summary,omitempty"`
		Description string              `json:"description,omitempty"`
		Parameters  []parameter         `json:"parameters,omitempty"`
		RequestBody *requestBody        `json:"requestBody,omitempty"`
		Responses   map[string]response `json:"responses"`
		// Security is always written: [] for a public operation.
		Security []map[string][]string `json:"security"`
	}
	parameter struct {
		Ref         string  `json:"$ref,omitempty"`
		Name        string  `json:"name,omitempty"`
		In          string  `json:"in,omitempty"`
		Description string  `json:"description,omitempty"`
		Required    bool    `json:"required,omitempty"`
		Schema      *schema `json:"schema,omitempty"`
	}
	requestBody struct {
		Required bool                 `json:"required"`
		Content  map[string]mediaType `json:"content"`
	}
	mediaType struct {
		Schema *schema `json:"schema"`
	}
	response struct {
		Ref         string               `json:"$ref,omitempty"`
		Description string               `json:"description,omitempty"`
		Headers     map[string]header    `json:"headers,omitempty"`
		Content     map[string]mediaType `json:"content,omitempty"`
	}
	header struct {
		Description string  `json:"description,omitempty"`
		Required    bool    `json:"required,omitempty"`
		Schema      *schema `json:"schema"`
	}
	securityScheme struct {
		Type        string `json:"type"`
		Scheme      string `json:"scheme"`
		Description string `json:"description"`
	}
)

const (
	mediaJSON    = "application/json"
	mediaProblem = "application/problem+json"
	mediaStream  = "text/event-stream"
	// etagPattern is a strong entity tag holding a basket version.
	etagPattern = `^"[0-9]+"$`
)

// document generates the OpenAPI 3.1 document of the API from its routes
// and the Go types they read and answer (see schemaGen). It fails on a
// route the document cannot describe: a type with an unknown marshaler, a
// duplicate operation ID or path, a path parameter the pattern lacks.
func (a *API) document() ([]byte, error) {
	g := newSchemaGen()
	problem, err := g.root(reflect.TypeFor[Problem]())
	if err != nil {
		return nil, err
	}
	doc := openAPI{
		OpenAPI: "3.1.0",
		Info: openAPIInfo{
			Title:   "omnibasket",
			Version: documentVersion,
			Summary: "One persistent shopping basket per shopper, across web and store channels.",
			Description: "The HTTP/JSON API of omnibasket: baskets priced and re-priced as they move between channels, " +
				"check-in at a store, orders and their fulfilment.\n\n" +
				"JSON is snake_case; times are RFC 3339; durations are whole seconds (`*_seconds`); money is " +
				"`{\"amount\":\"12.50\",\"currency\":\"EUR\"}`. A basket's ETag is its version: send it back in If-Match " +
				"to make a command fail with 412 instead of overwriting a change you have not seen. " +
				"Idempotency-Key makes a retried command return its first outcome. " +
				"Errors are RFC 9457 problems whose `type` names the error kind.",
			License: openAPILicense{Name: "Apache-2.0", Identifier: "Apache-2.0"},
		},
		Paths: map[string]map[string]operation{},
		Components: openAPIComponents{
			Responses:  problemResponses(problem),
			Parameters: headerParameters(),
			SecuritySchemes: map[string]securityScheme{
				"bearer": {Type: "http", Scheme: "bearer", Description: "The platform's credentials, read by its Authenticator."},
			},
		},
	}
	ids := map[string]bool{}
	for i := range a.routes {
		rt := &a.routes[i]
		if ids[rt.id] {
			return nil, fmt.Errorf("operation ID %q is used twice", rt.id)
		}
		ids[rt.id] = true
		if !slices.ContainsFunc(doc.Tags, func(t openAPITag) bool { return t.Name == rt.tag }) {
			doc.Tags = append(doc.Tags, openAPITag{Name: rt.tag})
		}
		p, names, err := openAPIPath(rt.path)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", rt.id, err)
		}
		op, err := describe(g, rt, names)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", rt.id, err)
		}
		item := doc.Paths[p]
		if item == nil {
			item = map[string]operation{}
			doc.Paths[p] = item
		}
		method := strings.ToLower(rt.method)
		if _, ok := item[method]; ok {
			return nil, fmt.Errorf("operation %s: %s %s is served twice", rt.id, rt.method, p)
		}
		item[method] = op
	}
	if doc.Components.Schemas, err = g.components(); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// openAPIPath turns a net/http pattern path into an OpenAPI path and its
// parameter names: "{name...}" is "{name}", and "{$}" (exactly this
// path) is dropped.
func openAPIPath(p string) (string, []string, error) {
	var names []string
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			if strings.ContainsAny(s, "{}") {
				return "", nil, fmt.Errorf("path %q: a parameter must be a whole segment", p)
			}
			continue
		}
		if s == "{$}" {
			segs[i] = ""
			continue
		}
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}"), "...")
		if name == "" || slices.Contains(names, name) {
			return "", nil, fmt.Errorf("path %q: parameter %q is empty or repeated", p, name)
		}
		names = append(names, name)
		segs[i] = "{" + name + "}"
	}
	return strings.Join(segs, "/"), names, nil
}

// describe is the operation object of a route.
func describe(g *schemaGen, rt *route, pathParams []string) (operation, error) {
	op := operation{
		OperationID: rt.id,
		Tags:        []string{rt.tag},
		Summary:     rt.summary,
		Description: rt.doc,
		Responses:   map[string]response{},
		Security:    []map[string][]string{{"bearer": {}}},
	}
	if rt.public {
		op.Security = []map[string][]string{}
	}
	for _, name := range pathParams {
		s := &schema{Type: "string", MinLength: ptr(1)}
		if name == "basket_id" {
			s = &schema{Type: "string", Format: "uuid"}
		}
		op.Parameters = append(op.Parameters, parameter{Name: name, In: "path", Required: true, Schema: s})
	}
	for _, q := range rt.query {
		switch q.kind {
		case "string", "integer", "boolean":
		default:
			return operation{}, fmt.Errorf("query parameter %s: kind %q is not string, integer or boolean", q.name, q.kind)
		}
		s := &schema{Type: q.kind, Enum: q.enum}
		if q.kind == "integer" {
			s.Format = "int64"
		}
		op.Parameters = append(op.Parameters, parameter{Name: q.name, In: "query", Description: q.doc, Required: q.required, Schema: s})
	}
	if rt.conditional {
		op.Parameters = append(op.Parameters, parameter{Ref: "#/components/parameters/IfMatch"})
	}
	if rt.idempotent {
		op.Parameters = append(op.Parameters, parameter{Ref: "#/components/parameters/IdempotencyKey"})
	}
	if rt.stream {
		op.Parameters = append(op.Parameters, parameter{Ref: "#/components/parameters/LastEventID"})
	}
	if rt.body != nil {
		t := reflect.TypeOf(rt.body)
		if t.Kind() != reflect.Pointer {
			return operation{}, fmt.Errorf("body must be a pointer to the request type, not a %s", t)
		}
		s, err := g.root(t)
		if err != nil {
			return operation{}, err
		}
		op.RequestBody = &requestBody{Required: true, Content: map[string]mediaType{mediaJSON: {Schema: s}}}
	}

	status := rt.successStatus()
	ok := response{Description: http.StatusText(status)}
	switch {
	case rt.stream:
		ok.Description = "A Server-Sent Events stream (see the operation's description)."
		ok.Content = map[string]mediaType{mediaStream: {Schema: &schema{Type: "string"}}}
	case rt.media != "":
		if rt.reply != nil || status == http.StatusNoContent {
			return operation{}, fmt.Errorf("a %s reply with a JSON reply type or status 204", rt.media)
		}
		ok.Content = map[string]mediaType{rt.media: {Schema: &schema{Type: "string"}}}
	case rt.reply != nil:
		if status == http.StatusNoContent {
			return operation{}, fmt.Errorf("status 204 with a reply")
		}
		s, err := g.root(reflect.TypeOf(rt.reply))
		if err != nil {
			return operation{}, err
		}
		ok.Content = map[string]mediaType{mediaJSON: {Schema: s}}
	}
	if versioned := carriesVersion(rt.reply); versioned || rt.conditional {
		ok.Headers = map[string]header{"ETag": {
			Description: "The basket's version, for If-Match.",
			Required:    versioned,
			Schema:      &schema{Type: "string", Pattern: etagPattern},
		}}
	}
	op.Responses[strconv.Itoa(status)] = ok
	for _, s := range errorStatuses(rt, len(pathParams) > 0) {
		op.Responses[strconv.Itoa(s)] = response{Ref: "#/components/responses/" + strconv.Itoa(s)}
	}
	return op, nil
}

// carriesVersion reports whether a reply of reply's type is answered with
// an ETag (see API.reply).
func carriesVersion(reply any) bool {
	if reply == nil {
		return false
	}
	t := reflect.TypeOf(reply)
	return t == reflect.TypeFor[*basket.Basket]() || t == reflect.TypeFor[basket.Basket]() ||
		t.Implements(reflect.TypeFor[versioned]()) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(reflect.TypeFor[versioned]()))
}

// errorStatuses are the error statuses an operation may answer: those of
// the middleware (a malformed request, a body too large or not JSON, no
// credentials), 412 when the operation is conditional, and, for an
// operation that is not public, every other status of the table of
// [ErrorKinds], so that an error kind added there is documented at once.
func errorStatuses(rt *route, hasPathParams bool) []int {
	out := []int{http.StatusBadRequest, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable}
	if rt.public && (hasPathParams || rt.body != nil) {
		out = append(out, http.StatusNotFound, http.StatusUnprocessableEntity)
	}
	if !rt.public {
		for _, k := range errorKinds() {
			switch k.Status {
			case http.StatusMethodNotAllowed, http.StatusPreconditionFailed,
				http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
				// never answered by a route, or by the routes below only
			default:
				out = append(out, k.Status)
			}
		}
	}
	if rt.conditional {
		out = append(out, http.StatusPreconditionFailed)
	}
	if rt.body != nil {
		out = append(out, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// problemResponses are the shared error responses, one per status, each
// naming the problem kinds it carries (from the table of [ErrorKinds]).
func problemResponses(problem *schema) map[string]response {
	kinds := map[int][]string{
		http.StatusInternalServerError: {"`internal`: Internal server error"},
		http.StatusServiceUnavailable:  {"`timeout`: The request took too long (retry with the same Idempotency-Key)"},
	}
	for _, k := range errorKinds() {
		kinds[k.Status] = append(kinds[k.Status], "`"+k.Kind+"`: "+k.Title)
	}
	out := map[string]response{}
	for status, ks := range kinds {
		if status == http.StatusMethodNotAllowed {
			continue // no operation answers it: the path has no such method
		}
		r := response{
			Description: http.StatusText(status) + ". Problem types (`urn:omnibasket:problem:` + kind):\n\n- " + strings.Join(ks, "\n- "),
			Content:     map[string]mediaType{mediaProblem: {Schema: problem}},
		}
		switch status {
		case http.StatusUnauthorized:
			r.Headers = map[string]header{"WWW-Authenticate": {Required: true, Schema: &schema{Type: "string"}}}
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			r.Headers = map[string]header{"Retry-After": {Description: "Seconds to wait before retrying.", Required: true,
				Schema: &schema{Type: "integer", Minimum: ptr[int64](0)}}}
		}
		out[strconv.Itoa(status)] = r
	}
	return out
}

// headerParameters are the request headers that change what a command
// does.
func headerParameters() map[string]parameter {
	return map[string]parameter{
		"IfMatch": {Name: "If-Match", In: "header",
			Description: "The basket's ETag as last read: the command fails with 412 if the basket has changed since. `*` or absent: any version.",
			Schema:      &schema{Type: "string", Pattern: `^(\*|"[0-9]+")$`}},
		"IdempotencyKey": {Name: "Idempotency-Key", In: "header",
			Description: fmt.Sprintf("A key of 1 to %d visible ASCII characters, unique per command the caller means: a retry with the same key returns the first outcome; the same key with another request is refused with 422.", MaxIdempotencyKey),
			Schema:      &schema{Type: "string", Pattern: fmt.Sprintf(`^"?[!-~]{1,%d}"?$`, MaxIdempotencyKey)}},
		"LastEventID": {Name: "Last-Event-ID", In: "header",
			Description: "The id of the last event received: the stream resumes after it.",
			Schema:      &schema{Type: "string"}},
	}
}
