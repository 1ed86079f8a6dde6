package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/webui"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// TestPagesServed: the root sends a browser to the pages, which are
// served with their policy, next to the API.
func TestPagesServed(t *testing.T) {
	r := start(t, nil, map[string]string{envTokenSecret: testSecret})
	r.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	rep := r.must(http.StatusFound, "GET", "/", "", nil)
	assert.Equal(t, webui.Prefix, rep.header.Get("Location"))
	rep = r.must(http.StatusFound, "GET", "/ui", "", nil)
	assert.Equal(t, webui.Prefix, rep.header.Get("Location"))
	for _, page := range []string{"tablet.html", "phone.html"} {
		rep = r.must(200, "GET", "/ui/"+page, "", nil)
		assert.Equal(t, "text/html; charset=utf-8", rep.header.Get("Content-Type"))
		assert.Equal(t, webui.ContentSecurityPolicy, rep.header.Get("Content-Security-Policy"))
		assert.Contains(t, string(rep.body), `<script type="module"`)
	}
	r.must(405, "POST", "/", "", map[string]any{})
	r.must(404, "GET", "/ui/nothing.js", "", nil)
	r.must(200, "GET", "/openapi.json", "", nil) // the API is still there

	// With a real secret there is no demo sign-in: the platform signs
	// people in, and the pages ask for a token.
	rep = r.must(404, "POST", "/demo/sign-in", "", map[string]any{"kind": "shopper", "id": "ana"})
	assert.Equal(t, "application/problem+json", rep.header.Get("Content-Type"))
	r.must(404, "GET", "/demo/stores", "", nil)
}

// TestDemoSignIn: in demo mode anyone signs in as a shopper, or as an
// associate of a store of the server, and the token works on the API.
func TestDemoSignIn(t *testing.T) {
	r := start(t, nil, nil)
	var stores struct {
		Stores []demoStore `json:"stores"`
		Places []demoStore `json:"places"`
	}
	require.NoError(t, json.Unmarshal(r.must(200, "GET", "/demo/stores", "", nil).body, &stores))
	assert.Equal(t, []demoStore{
		{LocationID: demo.Bellecour, Name: "Lyon Bellecour", ChannelID: "store-" + demo.Bellecour},
		{LocationID: demo.PartDieu, Name: "Lyon Part-Dieu", ChannelID: "store-" + demo.PartDieu},
	}, stores.Stores)
	assert.Len(t, stores.Places, len(demo.Sites()))
	var products struct {
		Products []demoProduct `json:"products"`
	}
	require.NoError(t, json.Unmarshal(r.must(200, "GET", "/demo/products", "", nil).body, &products))
	require.NotEmpty(t, products.Products)
	assert.Equal(t, demoProduct{SKU: "LAMP-ARC", Name: "Arc floor lamp", Category: "lighting"}, products.Products[0])
	for _, p := range products.Products {
		assert.NotEqual(t, "ASSEMBLY", p.SKU, "a store service is not sold on the web")
	}

	signIn := func(body map[string]any) signInReply {
		var reply signInReply
		require.NoError(t, json.Unmarshal(r.must(200, "POST", "/demo/sign-in", "", body).body, &reply))
		assert.Equal(t, body["id"], reply.ID)
		return reply
	}
	ana := signIn(map[string]any{"kind": "shopper", "id": "ana"})
	assert.Equal(t, "shopper", ana.Kind)
	var b struct {
		Owner basket.Owner `json:"owner"`
	}
	require.NoError(t, json.Unmarshal(r.must(201, "POST", "/v1/baskets", ana.Token, map[string]any{"channel_id": "web"}).body, &b))
	assert.Equal(t, "ana", b.Owner.CustomerID, "the token is ana's")

	lea := signIn(map[string]any{"kind": "associate", "id": "lea", "location_id": demo.Bellecour})
	assert.Equal(t, demo.Bellecour, lea.LocationID)
	r.must(200, "GET", "/v1/locations/"+demo.Bellecour+"/arrivals", lea.Token, nil)
	r.must(403, "GET", "/v1/locations/"+demo.PartDieu+"/arrivals", lea.Token, nil) // another store's list

	tests := []struct {
		name   string
		body   string
		ctype  string
		status int
		kind   string
	}{
		{"unknown kind", `{"kind":"system","id":"root"}`, "application/json", 422, "invalid"},
		{"no id", `{"kind":"shopper","id":""}`, "application/json", 422, "invalid"},
		{"upper case id", `{"kind":"shopper","id":"Ana"}`, "application/json", 422, "invalid"},
		{"id too long", `{"kind":"shopper","id":"` + strings.Repeat("a", maxDemoID+1) + `"}`, "application/json", 422, "invalid"},
		{"shopper at a store", `{"kind":"shopper","id":"ana","location_id":"lyon-bellecour"}`, "application/json", 422, "invalid"},
		{"associate nowhere", `{"kind":"associate","id":"lea"}`, "application/json", 422, "unknown-context"},
		{"associate at the warehouse", `{"kind":"associate","id":"lea","location_id":"wh-venissieux"}`, "application/json", 422, "unknown-context"},
		{"unknown field", `{"kind":"shopper","id":"ana","role":"manager"}`, "application/json", 400, "bad-request"},
		{"not JSON", `kind=shopper`, "application/json", 400, "bad-request"},
		{"two values", `{"kind":"shopper","id":"ana"}{}`, "application/json", 400, "bad-request"},
		{"form", `kind=shopper&id=ana`, "application/x-www-form-urlencoded", 415, "unsupported-media-type"},
		{"too large", `{"kind":"shopper","id":"` + strings.Repeat("a", maxSignInBody) + `"}`, "application/json", 413, "body-too-large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest("POST", r.url+"/demo/sign-in", strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", tt.ctype)
			res, err := r.client.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, tt.status, res.StatusCode)
			assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
			var p httpapi.Problem
			require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
			assert.Equal(t, tt.kind, p.Kind)
			assert.Equal(t, httpapi.ProblemTypePrefix+tt.kind, p.Type)
		})
	}
	rep := r.must(405, "GET", "/demo/sign-in", "", nil)
	assert.Equal(t, "POST", rep.header.Get("Allow"))
	r.must(404, "GET", "/demo/other", "", nil)
}

// FuzzDemoSignIn: whatever the body, the sign-in never panics, and what it
// accepts is a shopper, or an associate of one of its stores, with an ID
// of the allowed form, that tokens can be minted for.
func FuzzDemoSignIn(f *testing.F) {
	for _, seed := range []string{
		`{"kind":"shopper","id":"ana"}`,
		`{"kind":"associate","id":"lea","location_id":"lyon-bellecour"}`,
		`{"kind":"associate","id":"lea","location_id":"paris"}`,
		`{"kind":"system","id":"x"}`,
		`{"kind":"shopper","id":"a\u0000"}`,
		`{}`, `[]`, `null`, ``, `{"kind":"shopper","id":"ana"} {}`,
	} {
		f.Add([]byte(seed))
	}
	tokens, err := httpapi.NewTokens(secretBytes, clock.System{})
	require.NoError(f, err)
	d := &demoSignIn{tokens: tokens, clk: clock.System{}, stores: []demoStore{{LocationID: demo.Bellecour}, {LocationID: demo.PartDieu}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := d.actor(body)
		if err != nil {
			assert.Equal(t, basket.Actor{}, a)
			return
		}
		switch a.Kind {
		case basket.Shopper:
			assert.Empty(t, a.LocationID)
		case basket.Associate:
			assert.Contains(t, []string{demo.Bellecour, demo.PartDieu}, a.LocationID)
		default:
			t.Fatalf("signed in a %v", a.Kind)
		}
		assert.LessOrEqual(t, len(a.ID), maxDemoID)
		assert.Regexp(t, `^[a-z0-9._-]+$`, a.ID)
		_, err = tokens.Mint(a, demoSignInTTL)
		assert.NoError(t, err)
	})
}
