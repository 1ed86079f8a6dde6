package httpapi_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
)

// withInsights serves the lifecycle report of the harness's own store,
// as cmd/omnibasketd does on memory: the store notes its saves to an
// outbox that a tracker reads.
func withInsights(t testing.TB) harnessOption {
	return func(so *demo.ShopOptions, ao *httpapi.Options) {
		var outbox *insights.Outbox
		st := memory.NewStockStore(so.Clock)
		store := memory.NewBasketStore(memory.WithLedger(st), memory.WithAfterSave(func(id uuid.UUID, v int64) { outbox.Note(id, v) }))
		outbox = insights.NewOutbox(store)
		tracker, err := insights.NewTracker(outbox, insights.TrackerOptions{})
		require.NoError(t, err)
		so.Store, so.Stock, ao.Insights = store, st, tracker
	}
}

// theWeek is the demo week's query, with extra parameters.
func theWeek(extra ...string) string {
	q := url.Values{"from": {"2026-11-23T00:00:00Z"}, "to": {"2026-11-30T00:00:00Z"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Add(extra[i], extra[i+1])
	}
	return "/v1/insights?" + q.Encode()
}

func (h *harness) insights(actor basket.Actor, query string) httpapi.Insights {
	h.t.Helper()
	r := h.do(&actor, "GET", query, nil)
	require.Equal(h.t, http.StatusOK, r.status, r)
	var in httpapi.Insights
	r.into(h.t, &in)
	return in
}

// TestInsightsOfAJourney: a web-to-store journey played over HTTP shows
// in the report the staff read, in the shape the OpenAPI document
// describes (the harness validates every response).
func TestInsightsOfAJourney(t *testing.T) {
	h := newHarness(t, withInsights(t))
	id := uuid.New()
	h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)
	h.basket(camille, "POST", path(id, "/lines"), map[string]any{"sku": "THROW-WOOL", "quantity": 1}, 200)
	h.basket(camille, "POST", path(id, "/coupons"), map[string]any{"code": "welcome10"}, 200)
	h.clk.Advance(26 * time.Hour)
	r := h.do(&camille, "POST", path(id, "/check-in-tickets"), map[string]any{"ttl_seconds": 600})
	require.Equal(t, 201, r.status, r)
	var ticket basket.Ticket
	r.into(t, &ticket)
	h.basket(lea, "POST", "/v1/check-ins", map[string]any{"token": ticket.Token, "method": "qr"}, 200)
	h.clk.Advance(18 * time.Minute)
	h.basket(lea, "POST", path(id, "/order"), nil, 200)

	in := h.insights(ops, theWeek())
	history, err := h.shop.Service.History(t.Context(), ops, id)
	require.NoError(t, err)
	assert.Equal(t, insights.Progress{Position: int64(len(history)), Events: int64(len(history))}, in.Feed)
	assert.Equal(t, insights.Day, in.Granularity)
	assert.Equal(t, "UTC", in.TimeZone)
	require.Len(t, in.Buckets, 7)
	total := in.Total
	assert.Equal(t, [6]int64{1, 1, 1, 1, 0, 1}, [6]int64{total.Started, total.CheckedIn, total.Ordered, total.WebToStore, total.StoreToWeb, total.CouponsNotHonoured})
	assert.Equal(t, insights.Distribution{Count: 1, MedianSeconds: 18 * 60, P90Seconds: 18 * 60}, total.CheckInToOrder)
	tuesday := in.Buckets[1]
	require.Len(t, tuesday.Channels, 1)
	assert.Equal(t, "store-lyon-bellecour", tuesday.Channels[0].ID)
	assert.Equal(t, []insights.CouponCount{{Code: "WELCOME10", Count: 1}}, tuesday.Channels[0].Coupons)

	// An associate reads the same; by week, in Paris time.
	weekly := h.insights(lea, theWeek("granularity", "week", "time_zone", "Europe/Paris"))
	assert.Equal(t, "Europe/Paris", weekly.TimeZone)
	require.Len(t, weekly.Buckets, 2, "Monday 01:00 in Paris to the next Monday 01:00")
	assert.Equal(t, "2026-11-23T01:00:00+01:00", weekly.Buckets[0].From.Format(time.RFC3339))
	assert.Equal(t, total, weekly.Total)
	assert.Equal(t, in.Feed, weekly.Feed, "nothing new to read")
}

// TestInsightsRefusals: who may not read it, and the queries refused.
func TestInsightsRefusals(t *testing.T) {
	h := newHarness(t, withInsights(t))
	h.refused(&camille, "GET", theWeek(), nil, 403, "forbidden")
	h.refused(nil, "GET", theWeek(), nil, 401, "unauthenticated", offDocument...)
	cases := []struct {
		query  string
		status int
		kind   string
		field  string
		off    bool // off the document: a parameter missing or out of its enumeration
	}{
		{"/v1/insights?to=2026-11-30T00:00:00Z", 400, "bad-request", "from", true},
		{"/v1/insights?from=2026-11-23&to=2026-11-30T00:00:00Z", 400, "bad-request", "from", false},
		{"/v1/insights?from=2026-11-23T00:00:00Z&to=tomorrow", 400, "bad-request", "to", false},
		{theWeek("from", "2026-11-24T00:00:00Z"), 400, "bad-request", "from", false},
		{theWeek("granularity", "month"), 400, "bad-request", "granularity", true},
		{theWeek("time_zone", "Mars/Olympus_Mons"), 400, "bad-request", "time_zone", false},
		{theWeek("time_zone", "../../etc/passwd"), 400, "bad-request", "time_zone", false},
		{theWeek("time_zone", "Local"), 400, "bad-request", "time_zone", false},
		{"/v1/insights?from=2026-11-30T00:00:00Z&to=2026-11-23T00:00:00Z", 422, "invalid", "period.to", false},
		{"/v1/insights?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", 422, "invalid", "period", false},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			var headers []string
			if c.off {
				headers = offDocument
			}
			p := h.refused(&ops, "GET", c.query, nil, c.status, c.kind, headers...)
			assert.Equal(t, c.field, strings.ToLower(p.Field))
		})
	}
}

// TestInsightsNotConfigured: a server without a tracker documents the
// operation and answers it with not-configured.
func TestInsightsNotConfigured(t *testing.T) {
	h := newHarness(t)
	h.refused(&ops, "GET", theWeek(), nil, 501, "not-configured")
}

// FuzzInsightsQuery sends any query string to getInsights: the API
// answers a report or a client error, never a server fault.
func FuzzInsightsQuery(f *testing.F) {
	for _, s := range []string{
		"from=2026-11-23T00:00:00Z&to=2026-11-30T00:00:00Z",
		"from=2026-11-23T00:00:00%2B01:00&to=2026-11-30T00:00:00Z&granularity=week&time_zone=Europe/Paris",
		"from=&to=", "from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z", "time_zone=%00", "granularity=day&granularity=week",
		"from=2026-11-23T00:00:00Z&to=2026-11-23T00:00:00.000000001Z&time_zone=" + strings.Repeat("A", 100),
	} {
		f.Add(s)
	}
	api := newHarnessUnvalidated(f, withInsights(f)).api
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest("GET", "/v1/insights", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", credentials(ops))
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("GET /v1/insights?%s: %d %s", query, w.Code, w.Body)
		}
	})
}
