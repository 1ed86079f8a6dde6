package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// testAPI is the demo retailer's API with every optional group of routes.
func testAPI(t testing.TB) *API {
	t.Helper()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(context.Background(), demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	contexts, err := NewContexts(clk, demo.Web(demo.Start()), demo.Store(demo.Bellecour, demo.Start()))
	require.NoError(t, err)
	a, err := New(Options{Service: shop.Service, Contexts: contexts, Stock: shop.Stock, Feed: NewBroker(),
		Auth: AuthenticatorFunc(func(*http.Request) (basket.Actor, error) { return basket.Actor{}, ErrUnauthenticated })})
	require.NoError(t, err)
	return a
}

// loadDocument reads a document with kin-openapi, which must find it a
// valid OpenAPI 3.1 document.
func loadDocument(t testing.TB, doc []byte) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(doc)
	require.NoError(t, err)
	require.Equal(t, "3.1.0", spec.OpenAPI)
	require.True(t, spec.IsOpenAPI31OrLater())
	require.NoError(t, spec.Validate(loader.Context))
	return spec
}

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	a := testAPI(t)
	spec := loadDocument(t, a.doc)
	assert.Equal(t, "omnibasket", spec.Info.Title)
	assert.Equal(t, documentVersion, spec.Info.Version)
	assert.Contains(t, spec.Components.Schemas, "Basket")
	assert.Contains(t, spec.Components.Schemas, "Money")
	assert.Contains(t, spec.Components.Schemas, "Problem")
}

// TestDocumentListsEveryRoute: the document has exactly the operations of
// the route table, each as the route says.
func TestDocumentListsEveryRoute(t *testing.T) {
	a := testAPI(t)
	spec := loadDocument(t, a.doc)
	ops := 0
	for _, item := range spec.Paths.Map() {
		ops += len(item.Operations())
	}
	assert.Equal(t, len(a.routes), ops, "one operation per route, no other")
	seen := map[string]bool{}
	for _, rt := range a.routes {
		t.Run(rt.id, func(t *testing.T) {
			assert.False(t, seen[rt.id], "operation ID used twice")
			seen[rt.id] = true
			p, _, err := openAPIPath(rt.path)
			require.NoError(t, err)
			item := spec.Paths.Find(p)
			require.NotNil(t, item, "no path %s", p)
			op := item.GetOperation(rt.method)
			require.NotNil(t, op, "no %s %s", rt.method, p)
			assert.Equal(t, rt.id, op.OperationID)
			assert.Equal(t, []string{rt.tag}, op.Tags)
			assert.Equal(t, rt.summary, op.Summary)

			require.NotNil(t, op.Security)
			assert.Equal(t, rt.public, len(*op.Security) == 0, "public operations need no credentials, the others bearer")

			params := map[string]*openapi3.Parameter{}
			for _, p := range op.Parameters {
				params[p.Value.In+" "+p.Value.Name] = p.Value
			}
			for _, q := range rt.query {
				require.Contains(t, params, "query "+q.name)
				assert.Equal(t, q.required, params["query "+q.name].Required)
			}
			assert.Equal(t, rt.conditional, params["header If-Match"] != nil)
			assert.Equal(t, rt.idempotent, params["header Idempotency-Key"] != nil)
			for _, seg := range strings.Split(p, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok {
					require.Contains(t, params, "path "+strings.TrimSuffix(name, "}"))
				}
			}

			assert.Equal(t, rt.body != nil, op.RequestBody != nil)
			if rt.body != nil {
				assert.True(t, op.RequestBody.Value.Required)
				assert.NotNil(t, op.RequestBody.Value.Content.Get("application/json"))
				assert.NotNil(t, op.Responses.Status(http.StatusUnsupportedMediaType))
				assert.NotNil(t, op.Responses.Status(http.StatusRequestEntityTooLarge))
			}

			ok := op.Responses.Status(rt.successStatus())
			require.NotNil(t, ok, "no %d response", rt.successStatus())
			switch {
			case rt.stream:
				assert.NotNil(t, ok.Value.Content.Get("text/event-stream"))
			case rt.media != "":
				require.NotNil(t, ok.Value.Content.Get(rt.media), "the reply's media type")
				assert.Equal(t, &openapi3.Types{"string"}, ok.Value.Content.Get(rt.media).Schema.Value.Type)
				assert.Len(t, ok.Value.Content, 1)
			case rt.reply == nil:
				assert.Empty(t, ok.Value.Content, "204 has no content")
			default:
				assert.NotNil(t, ok.Value.Content.Get("application/json"))
			}
			if carriesVersion(rt.reply) {
				require.Contains(t, ok.Value.Headers, "ETag")
				assert.True(t, ok.Value.Headers["ETag"].Value.Required)
			}
			assert.Equal(t, rt.conditional, op.Responses.Status(http.StatusPreconditionFailed) != nil)
			assert.Equal(t, !rt.public, op.Responses.Status(http.StatusUnauthorized) != nil)
			for _, status := range []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusServiceUnavailable} {
				r := op.Responses.Status(status)
				require.NotNil(t, r, "no %d response", status)
				assert.NotNil(t, r.Value.Content.Get("application/problem+json"))
			}
			assert.Nil(t, op.Responses.Default(), "every status listed, none by default: the validator catches an unlisted one")
		})
	}
}

// TestProblemResponsesNameTheirKinds: each error status's response lists
// the problem types of the table of ErrorKinds that answer it.
func TestProblemResponsesNameTheirKinds(t *testing.T) {
	spec := loadDocument(t, testAPI(t).doc)
	for _, k := range ErrorKinds() {
		if k.Status == http.StatusMethodNotAllowed {
			continue
		}
		r := spec.Components.Responses[strconv.Itoa(k.Status)]
		require.NotNil(t, r, "no response for %d", k.Status)
		assert.Contains(t, *r.Value.Description, "`"+k.Kind+"`")
		assert.NotNil(t, r.Value.Content.Get("application/problem+json"))
	}
}

func TestServedDocument(t *testing.T) {
	a := testAPI(t)
	w := httptest.NewRecorder()
	a.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	assert.JSONEq(t, string(a.doc), w.Body.String())
}

func TestDocumentIsDeterministic(t *testing.T) {
	first := testAPI(t).doc
	for range 3 {
		require.Equal(t, string(first), string(testAPI(t).doc))
	}
}

func TestDocumentRefusesBrokenRoutes(t *testing.T) {
	ok := route{method: "GET", path: "/v1/things/{thing_id}", id: "getThing", tag: "things", reply: &basket.Basket{}}
	with := func(f func(*route)) route {
		rt := ok
		f(&rt)
		return rt
	}
	for _, c := range []struct {
		name   string
		routes []route
		want   string
	}{
		{"an operation ID twice", []route{ok, with(func(rt *route) { rt.method = "POST" })}, `operation ID "getThing" is used twice`},
		{"a path and method twice", []route{ok, with(func(rt *route) { rt.id = "other" })}, "GET /v1/things/{thing_id} is served twice"},
		{"a body that is not a pointer", []route{with(func(rt *route) { rt.body = AddLine{} })}, "body must be a pointer"},
		{"a reply with an unknown marshaler", []route{with(func(rt *route) { rt.reply = basket.CheckInRequest{} })}, "basket.CheckInRequest"},
		{"a query parameter of no JSON type", []route{with(func(rt *route) { rt.query = []param{{name: "n", kind: "float"}} })}, `kind "float"`},
		{"a reply with 204", []route{with(func(rt *route) { rt.status = http.StatusNoContent })}, "204"},
		{"a media reply with a JSON reply type", []route{with(func(rt *route) { rt.media = "image/svg+xml" })}, "image/svg+xml reply with a JSON reply type"},
		{"a parameter inside a segment", []route{with(func(rt *route) { rt.path = "/v1/things-{id}" })}, "whole segment"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := (&API{routes: c.routes}).document()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
	_, err := (&API{routes: []route{with(func(rt *route) { rt.reply = basket.CheckInRequest{} })}}).document()
	var se *SchemaError
	require.ErrorAs(t, err, &se, "New fails with a typed error naming the type")
	assert.Equal(t, reflect.TypeFor[basket.CheckInRequest](), se.Type)
}

func TestOpenAPIPath(t *testing.T) {
	for _, c := range []struct {
		in, want string
		params   []string
	}{
		{"/openapi.json", "/openapi.json", nil},
		{"/v1/baskets/{basket_id}/lines/{line_id}", "/v1/baskets/{basket_id}/lines/{line_id}", []string{"basket_id", "line_id"}},
		{"/v1/files/{path...}", "/v1/files/{path}", []string{"path"}},
		{"/v1/baskets/{$}", "/v1/baskets/", nil},
	} {
		got, params, err := openAPIPath(c.in)
		require.NoError(t, err)
		assert.Equal(t, c.want, got)
		assert.Equal(t, c.params, params)
	}
	_, _, err := openAPIPath("/v1/{a}/{a}")
	assert.Error(t, err, "a parameter twice")
}

// TestBodiesMatchTheirSchemas: for any value of any type an operation
// reads or answers (basket.Basket, its results, change reports, orders …,
// drawn member by member), what json.Marshal writes is valid under the
// operation's schema in the document, as kin-openapi reads it. The HTTP
// tests check the values the journeys make; this checks the ones they do
// not reach.
func TestBodiesMatchTheirSchemas(t *testing.T) {
	if raceEnabled {
		// Nothing here runs concurrently, and kin-openapi compiling the
		// large Basket schema for each of hundreds of values takes minutes
		// under the detector; the plain pass runs it in full.
		t.Skip("a single-goroutine property: run by the pass without -race")
	}
	a := testAPI(t)
	spec := loadDocument(t, a.doc)
	done := map[reflect.Type]bool{}
	for _, rt := range a.routes {
		p, _, err := openAPIPath(rt.path)
		require.NoError(t, err)
		op := spec.Paths.Find(p).GetOperation(rt.method)
		check := func(v any, s *openapi3.SchemaRef) {
			typ := reflect.TypeOf(v)
			for typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			if done[typ] || rt.id == "getOpenAPIDocument" {
				return
			}
			done[typ] = true
			t.Run(rt.id+"/"+typ.String(), func(t *testing.T) {
				rapid.Check(t, func(r *rapid.T) {
					data, err := json.Marshal(drawValue(r, typ).Addr().Interface())
					require.NoError(r, err)
					require.NoError(r, visit(s.Value, data), "%s", data)
				})
			})
		}
		if rt.body != nil {
			check(rt.body, op.RequestBody.Value.Content.Get("application/json").Schema)
		}
		if rt.reply != nil && !rt.stream {
			check(rt.reply, op.Responses.Status(rt.successStatus()).Value.Content.Get("application/json").Schema)
		}
	}
	assert.Contains(t, done, reflect.TypeFor[basket.Basket]())
}

// TestServiceBasketMatchesItsSchema: a basket as the Service makes it, in
// a store with lines, coupons and a fulfilment plan, is valid under the
// document's Basket schema.
func TestServiceBasketMatchesItsSchema(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	spec := loadDocument(t, testAPI(t).doc)
	schema := spec.Components.Schemas["Basket"].Value
	shopper := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	b, err := shop.Service.Create(ctx, shopper, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: shopper.ID}, Context: demo.Web(demo.Start())})
	require.NoError(t, err)
	checkBasket := func(b *basket.Basket) {
		t.Helper()
		data, err := json.Marshal(b)
		require.NoError(t, err)
		require.NoError(t, visit(schema, data), "%s", data)
	}
	checkBasket(b)
	items := demo.Items()
	for _, it := range items[:min(3, len(items))] {
		b, err = shop.Service.AddLine(ctx, shopper, b.ID, basket.NewLine{SKU: it.SKU, Quantity: 2})
		require.NoError(t, err)
	}
	checkBasket(b)
	b, err = shop.Service.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, demo.Start()))
	require.NoError(t, err)
	require.NotEmpty(t, b.Result.Changes, "a move to the store reports changes")
	checkBasket(b)
	events, err := shop.Service.History(ctx, shopper, b.ID)
	require.NoError(t, err)
	eventSchema := spec.Components.Schemas["Event"].Value
	for _, e := range events {
		data, err := json.Marshal(e)
		require.NoError(t, err)
		require.NoError(t, visit(eventSchema, data), "%s", data)
	}
	assert.True(t, slices.ContainsFunc(events, func(e basket.Event) bool { return e.Type == basket.EventRecontextualized }))
}
