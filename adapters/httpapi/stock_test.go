package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// levels reads the stock of skus at locations through the API.
func (h *harness) levels(actor basket.Actor, skus, locations []string) httpapi.StockLevels {
	h.t.Helper()
	q := url.Values{"sku": skus, "location": locations}
	r := h.do(&actor, "GET", "/v1/stock?"+q.Encode(), nil)
	require.Equal(h.t, http.StatusOK, r.status, "%s", r)
	var got httpapi.StockLevels
	r.into(h.t, &got)
	return got
}

// level reads the stock of one SKU at one location through the API.
func (h *harness) level(sku, location string) httpapi.StockLevel {
	h.t.Helper()
	got := h.levels(ops, []string{sku}, []string{location})
	require.Len(h.t, got.Levels, 1)
	return got.Levels[0]
}

func TestStockLevels(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		got := h.levels(camille, []string{"LAMP-ARC", "CANDLE-FIG"}, []string{demo.PartDieu, demo.Bellecour})
		want := []httpapi.StockLevel{
			{SKU: "CANDLE-FIG", LocationID: demo.Bellecour, OnHand: 20, Available: 20},
			{SKU: "CANDLE-FIG", LocationID: demo.PartDieu, OnHand: 20, Available: 20},
			{SKU: "LAMP-ARC", LocationID: demo.Bellecour, OnHand: 1, Available: 1},
			{SKU: "LAMP-ARC", LocationID: demo.PartDieu, OnHand: 2, Available: 2},
		}
		assert.Equal(t, want, got.Levels, "sorted by SKU, then location, whatever the order asked")

		// Inès orders the lamp on Bellecour's shelf for collection: it is
		// held for her, no longer available to anyone else.
		id := uuid.New()
		h.basket(inesShopper, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web", "location_id": demo.Bellecour}, 201)
		h.basket(inesShopper, "POST", path(id, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 1}, 200)
		h.basket(inesShopper, "POST", path(id, "/order"), nil, 200)
		got = h.levels(lea, []string{"LAMP-ARC", "CANDLE-FIG"}, []string{demo.Bellecour})
		assert.Equal(t, []httpapi.StockLevel{
			{SKU: "CANDLE-FIG", LocationID: demo.Bellecour, OnHand: 20, Available: 20},
			{SKU: "LAMP-ARC", LocationID: demo.Bellecour, OnHand: 1, Reserved: 1, Available: 0},
		}, got.Levels)
	})
}

func TestStockLevelsUnknownPairsAreLeftOut(t *testing.T) {
	h := newHarness(t)
	got := h.levels(lea, []string{"COMTE-18M", "NO-SUCH-SKU"}, []string{demo.Bellecour, demo.PartDieu})
	assert.Equal(t, []httpapi.StockLevel{{SKU: "COMTE-18M", LocationID: demo.Bellecour, OnHand: 12_500, Available: 12_500}}, got.Levels,
		"the Comté is only at Bellecour's counter; an unknown SKU has no level")
	none := h.levels(lea, []string{"NO-SUCH-SKU"}, []string{demo.Bellecour})
	assert.NotNil(t, none.Levels, "an empty list, not null")
	assert.Empty(t, none.Levels)
}

func TestStockLevelsRefusesBadQueries(t *testing.T) {
	h := newHarness(t)
	many := func(n int, prefix string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = prefix + itoa(int64(i))
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		query url.Values
		field string
	}{
		{"no SKU", url.Values{"location": {demo.Bellecour}}, "sku"},
		{"no location", url.Values{"sku": {"LAMP-ARC"}}, "location"},
		{"an empty SKU", url.Values{"sku": {"LAMP-ARC", ""}, "location": {demo.Bellecour}}, "sku"},
		{"an empty location", url.Values{"sku": {"LAMP-ARC"}, "location": {""}}, "location"},
		{"too many SKUs", url.Values{"sku": many(httpapi.MaxStockSKUs+1, "SKU-"), "location": {demo.Bellecour}}, "sku"},
		{"too many locations", url.Values{"sku": {"LAMP-ARC"}, "location": many(httpapi.MaxStockLocations+1, "loc-")}, "location"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(&lea, "GET", "/v1/stock?"+tc.query.Encode(), nil, offDocument...)
			require.Equal(t, http.StatusBadRequest, r.status, "%s", r)
			p := r.problem(t)
			assert.Equal(t, httpapi.ProblemTypePrefix+"bad-request", p.Type)
			assert.Equal(t, tc.field, p.Field)
		})
	}
	at := h.levels(lea, many(httpapi.MaxStockSKUs, "SKU-"), many(httpapi.MaxStockLocations, "loc-"))
	assert.Empty(t, at.Levels, "the limits themselves are accepted")

	r := h.do(nil, "GET", "/v1/stock?sku=LAMP-ARC&location="+demo.Bellecour, nil, offDocument...)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, httpapi.ProblemTypePrefix+"unauthenticated", r.problem(t).Type)
}

// Without a stock source the API has no stock operation, and its
// document says so.
func TestStockRoutesNeedAStockSource(t *testing.T) {
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(context.Background(), demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	contexts, err := httpapi.NewContexts(clk, demo.Web(demo.Start()), demo.Store(demo.Bellecour, demo.Start()))
	require.NoError(t, err)
	api, err := httpapi.New(httpapi.Options{Service: shop.Service, Auth: testAuth, Contexts: contexts})
	require.NoError(t, err)
	srv := httptest.NewServer(api)
	defer srv.Close()

	req, err := http.NewRequest("GET", srv.URL+"/v1/stock?sku=LAMP-ARC&location="+demo.Bellecour, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", credentials(lea))
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

	res, err = http.Get(srv.URL + "/openapi.json")
	require.NoError(t, err)
	doc, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	assert.NotContains(t, string(doc), `"/v1/stock"`)
	assert.Contains(t, string(doc), `"/v1/baskets/{basket_id}/order"`)
}

// The levels the API answers are the provider's, field for field.
func TestStockLevelsAreTheProviders(t *testing.T) {
	h := newHarness(t)
	skus, locs := []string{"LAMP-ARC", "CANDLE-FIG", "BULB-E27"}, []string{demo.Bellecour, demo.PartDieu, demo.Warehouse}
	id := uuid.New()
	h.basket(lea, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"anonymous_id": "walk-in"}}, 201)
	h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "BULB-E27", "quantity": 3}, 200)
	h.basket(lea, "POST", path(id, "/holds"), map[string]any{"until": h.clk.Now().Add(time.Hour)}, 200)

	direct, err := h.shop.Stock.Levels(context.Background(), stock.Query{SKUs: skus, Locations: locs})
	require.NoError(t, err)
	got := h.levels(malik, skus, locs).Levels
	require.Len(t, got, direct.Len())
	for i, l := range direct.All() {
		assert.Equal(t, httpapi.StockLevel{SKU: l.SKU, LocationID: l.LocationID, OnHand: l.OnHand, Reserved: l.Reserved,
			Available: l.Available(), NextArrival: l.NextArrival}, got[i])
	}
	bulbs := h.level("BULB-E27", demo.Bellecour)
	assert.Equal(t, int64(3), bulbs.Reserved, "the cart's hold")
	assert.Equal(t, bulbs.OnHand-3, bulbs.Available)
}

// FuzzStockQuery sends any query string to getStock: the API answers a
// client error or the levels, never a server fault.
func FuzzStockQuery(f *testing.F) {
	for _, s := range []string{
		"sku=LAMP-ARC&location=lyon-bellecour",
		"sku=LAMP-ARC&sku=CANDLE-FIG&location=lyon-bellecour&location=lyon-part-dieu",
		"sku=&location=", "sku=%00&location=%ff", "location=x", "sku=a;b&location=c%3Bd", strings.Repeat("sku=A&", 120) + "location=x",
	} {
		f.Add(s)
	}
	api := newHarnessUnvalidated(f).api
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest("GET", "/v1/stock", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", credentials(lea))
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("GET /v1/stock?%s: %d %s", query, w.Code, w.Body)
		}
	})
}
