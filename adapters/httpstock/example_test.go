package httpstock_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/stock"
)

// An ERP endpoint following the package's schema, called through a cache.
func Example() {
	erp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req httpstock.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// The ERP knows two of the four pairs asked for.
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse([]stock.Level{
			{SKU: "KETTLE", LocationID: "paris-01", OnHand: 12, Reserved: 2},
			{SKU: "TEAPOT", LocationID: "paris-01", OnHand: 0},
		}))
	}))
	defer erp.Close()

	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	client, err := httpstock.New(erp.URL+"/stock/levels", httpstock.Options{Clock: clk})
	if err != nil {
		panic(err)
	}
	cache, err := httpstock.NewCache(client, httpstock.CacheOptions{TTL: 30 * time.Second, MaxStale: 5 * time.Minute, Clock: clk})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"KETTLE", "TEAPOT"}, Locations: []string{"paris-01", "lyon-02"}}
	if _, err := cache.Levels(ctx, q); err != nil {
		panic(err)
	}
	clk.Advance(20 * time.Second)
	answer, err := cache.Lookup(ctx, q) // served from memory
	if err != nil {
		panic(err)
	}
	for _, sku := range q.SKUs {
		for _, loc := range q.Locations {
			l, ok := answer.Levels.Get(sku, loc)
			if !ok {
				fmt.Printf("%s at %s: unknown\n", sku, loc)
				continue
			}
			age, _ := answer.Age(sku, loc)
			fmt.Printf("%s at %s: %d available (age %s)\n", sku, loc, l.Available(), age)
		}
	}
	fmt.Printf("%+v\n", cache.Stats())

	// The endpoint goes away: a direct call says "unknown", never "in stock".
	erp.Close()
	_, err = client.Levels(ctx, q)
	fmt.Println(errors.Is(err, stock.ErrUnknown))
	// Output:
	// KETTLE at paris-01: 10 available (age 20s)
	// KETTLE at lyon-02: unknown
	// TEAPOT at paris-01: 0 available (age 20s)
	// TEAPOT at lyon-02: unknown
	// {Hits:1 Misses:1 UpstreamCalls:1 Shared:0 StaleAnswers:0}
	// true
}
