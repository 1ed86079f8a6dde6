package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// A platform mounts the API in its own server: its Service, its identity
// (here signed bearer tokens), and where baskets can be served.
func Example() {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	shop, _ := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	tokens, _ := httpapi.NewTokens([]byte("example-secret-example-secret-example"), clk)
	contexts, _ := httpapi.NewContexts(clk, demo.Web(demo.Start()), demo.Store(demo.Bellecour, demo.Start()))
	api, err := httpapi.New(httpapi.Options{Service: shop.Service, Auth: tokens, Contexts: contexts})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	token, _ := tokens.Mint(basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}, time.Hour)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/baskets", strings.NewReader(`{"channel_id":"web"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	fmt.Println(res.Status, res.Header.Get("ETag"), strings.HasPrefix(res.Header.Get("Location"), "/v1/baskets/"))

	// Without credentials: a problem, never a stack trace.
	res, err = http.Post(srv.URL+"/v1/baskets", "application/json", strings.NewReader(`{"channel_id":"web"}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status, res.Header.Get("Content-Type"), strings.Contains(string(body), `"type":"urn:omnibasket:problem:unauthenticated"`))
	// Output:
	// 201 Created "2" true
	// 401 Unauthorized application/problem+json true
}
