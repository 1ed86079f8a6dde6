package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/require"
)

// A harness is the demo retailer served over real HTTP, every request and
// response checked against the served OpenAPI document.
type harness struct {
	t      testing.TB
	shop   *demo.Shop
	clk    *clock.Fake
	api    *httpapi.API
	srv    *httptest.Server
	client *http.Client
}

// testAuth reads "Authorization: Test kind:id[@location][#role]": the
// tests' stand-in for the platform's identity.
var testAuth = httpapi.AuthenticatorFunc(func(r *http.Request) (basket.Actor, error) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Test ")
	if !ok {
		return basket.Actor{}, fmt.Errorf("no test credentials: %w", httpapi.ErrUnauthenticated)
	}
	var a basket.Actor
	raw, a.Role, _ = strings.Cut(raw, "#")
	raw, a.LocationID, _ = strings.Cut(raw, "@")
	kind, id, _ := strings.Cut(raw, ":")
	if err := a.Kind.UnmarshalText([]byte(kind)); err != nil {
		return basket.Actor{}, fmt.Errorf("%v: %w", err, httpapi.ErrUnauthenticated)
	}
	a.ID = id
	return a, nil
})

func credentials(a basket.Actor) string {
	s := "Test " + a.Kind.String() + ":" + a.ID
	if a.LocationID != "" {
		s += "@" + a.LocationID
	}
	if a.Role != "" {
		s += "#" + a.Role
	}
	return s
}

type harnessOption func(*demo.ShopOptions, *httpapi.Options)

func newHarness(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	h := newHarnessUnvalidated(t, opts...)
	h.client = &http.Client{Transport: validatingTransport(t, h.document(), http.DefaultTransport)}
	return h
}

// newHarnessUnvalidated is newHarness without the OpenAPI check, for
// benchmarks.
func newHarnessUnvalidated(t testing.TB, opts ...harnessOption) *harness {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	so := demo.ShopOptions{Clock: clk}
	ao := httpapi.Options{Auth: testAuth}
	for _, o := range opts {
		o(&so, &ao)
	}
	shop, err := demo.NewShop(ctx, so)
	require.NoError(t, err)
	contexts, err := httpapi.NewContexts(clk, demo.Web(demo.Start()), demo.WebCollect(demo.Bellecour, demo.Start()),
		demo.Store(demo.Bellecour, demo.Start()), demo.Store(demo.PartDieu, demo.Start()))
	require.NoError(t, err)
	ao.Service, ao.Contexts, ao.Stock = shop.Service, contexts, shop.Stock
	api, err := httpapi.New(ao)
	require.NoError(t, err)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return &harness{t: t, shop: shop, clk: clk, api: api, srv: srv, client: http.DefaultClient}
}

// document fetches the served OpenAPI document without validation.
func (h *harness) document() []byte {
	h.t.Helper()
	res, err := http.Get(h.srv.URL + "/openapi.json")
	require.NoError(h.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(h.t, err)
	require.Equal(h.t, http.StatusOK, res.StatusCode, string(data))
	return data
}

// reply is a response read in full.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// into decodes the body.
func (r reply) into(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// problem decodes a problem body, checking its media type.
func (r reply) problem(t testing.TB) httpapi.Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", r.header.Get("Content-Type"), "body: %s", r.body)
	var p httpapi.Problem
	r.into(t, &p)
	return p
}

// do sends a request as actor (nil: anonymous) with a JSON body (nil: none)
// and extra headers as name, value pairs.
func (h *harness) do(actor *basket.Actor, method, path string, body any, headers ...string) reply {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(h.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	require.NoError(h.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if actor != nil {
		req.Header.Set("Authorization", credentials(*actor))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := h.client.Do(req)
	require.NoError(h.t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	require.NoError(h.t, err)
	return reply{status: res.StatusCode, header: res.Header, body: data}
}

// basket sends a command expected to answer a basket with status want.
func (h *harness) basket(actor basket.Actor, method, path string, body any, want int, headers ...string) *basket.Basket {
	h.t.Helper()
	r := h.do(&actor, method, path, body, headers...)
	require.Equal(h.t, want, r.status, "%s %s: %s", method, path, r.body)
	var b basket.Basket
	r.into(h.t, &b)
	require.Equal(h.t, fmt.Sprintf("%q", fmt.Sprint(b.Version)), r.header.Get("ETag"))
	return &b
}

var (
	camille = basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	hugo    = basket.Actor{Kind: basket.Shopper, ID: "cust-hugo"}
	lea     = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	malik   = basket.Actor{Kind: basket.Associate, ID: "malik", LocationID: demo.PartDieu}
	ops     = basket.Actor{Kind: basket.System, ID: "ops"}
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
