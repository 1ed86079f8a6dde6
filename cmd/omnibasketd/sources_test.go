package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
	"github.com/omnibasket/omnibasket/stock"
)

// stockOf reads the levels of the availability endpoint.
func stockOf(t *testing.T, r *running, query string) []httpapi.StockLevel {
	t.Helper()
	rep := r.must(200, "GET", "/v1/stock?"+query, r.token(ana), nil)
	var levels httpapi.StockLevels
	require.NoError(t, json.Unmarshal(rep.body, &levels))
	return levels.Levels
}

// TestHTTPStock: with -stock-url, stock comes from the ERP: the ledger is
// synchronised from it at start-up and on reload, and availability reads
// it through the cache.
func TestHTTPStock(t *testing.T) {
	var onHand atomic.Int64
	onHand.Store(7)
	var calls atomic.Int64
	erp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var q httpstock.Request
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var levels []stock.Level
		for _, sku := range q.SKUs {
			for _, loc := range q.Locations {
				levels = append(levels, stock.Level{SKU: sku, LocationID: loc, OnHand: onHand.Load()})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse(levels))
	}))
	defer erp.Close()

	r := start(t, []string{"-stock-url", erp.URL + "/stock/levels", "-stock-ttl", "1ms"}, map[string]string{envTokenSecret: testSecret})
	require.Positive(t, calls.Load(), "the ledger was synchronised at start-up")
	levels := stockOf(t, r, "sku=LAMP-ARC&location="+demo.Bellecour)
	require.Len(t, levels, 1)
	assert.Equal(t, int64(7), levels[0].OnHand)

	onHand.Store(9)
	require.NoError(t, r.reload())
	time.Sleep(5 * time.Millisecond) // past the cache's TTL
	levels = stockOf(t, r, "sku=LAMP-ARC&location="+demo.Bellecour)
	require.Len(t, levels, 1)
	assert.Equal(t, int64(9), levels[0].OnHand)

	// The ledger was fed too: an order holds stock there.
	rep := r.must(201, "POST", "/v1/baskets", r.token(lea), map[string]any{"location_id": demo.Bellecour, "owner": map[string]any{"customer_id": "ana"}})
	loc := rep.header.Get("Location")
	r.must(200, "POST", loc+"/lines", r.token(lea), map[string]any{"sku": "LAMP-ARC", "quantity": 9})
	r.must(200, "POST", loc+"/order", r.token(lea), nil)
}

// TestStockReloadFeedsTheLedger: a reload of the stock CSV sets the
// ledger's on-hand counts to the file's, and a pair the file no longer
// lists to 0 (a full count).
func TestStockReloadFeedsTheLedger(t *testing.T) {
	path := t.TempDir() + "/stock.csv"
	write := func(rows string) {
		require.NoError(t, os.WriteFile(path, []byte("sku,location,on_hand\n"+rows), 0o644))
	}
	write("LAMP-ARC,lyon-bellecour,1\nLAMP-ARC,lyon-part-dieu,2\nLAMP-ARC,wh-venissieux,3\n")
	r := start(t, []string{"-stock", path}, map[string]string{envTokenSecret: testSecret})
	query := "sku=LAMP-ARC&location=" + demo.Bellecour + "&location=" + demo.PartDieu + "&location=" + demo.Warehouse
	onHand := func() map[string]int64 {
		byLoc := map[string]int64{}
		for _, l := range stockOf(t, r, query) {
			byLoc[l.LocationID] = l.OnHand
		}
		return byLoc
	}
	assert.Equal(t, map[string]int64{demo.Bellecour: 1, demo.PartDieu: 2, demo.Warehouse: 3}, onHand())
	write("LAMP-ARC,lyon-bellecour,5\nLAMP-ARC,lyon-part-dieu,2\n")
	require.NoError(t, r.reload())
	assert.Equal(t, map[string]int64{demo.Bellecour: 5, demo.PartDieu: 2, demo.Warehouse: 0}, onHand())
}

// postgresEnv returns the environment of a server on PostgreSQL, in a
// schema of its own that is dropped when the test ends; the test skips
// without a server.
func postgresEnv(t *testing.T) map[string]string {
	t.Helper()
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		t.Skip("OMNIBASKET_POSTGRES_URL is not set; see .ci/run for starting a local PostgreSQL")
	}
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	schema := "omnibasketd_" + hex.EncodeToString(suffix)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close) // after the drop below: cleanups run last registered first
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = postgres.New(pool, postgres.Options{Schema: schema}).DropSchema(ctx)
	})
	return map[string]string{envTokenSecret: testSecret, "OMNIBASKET_POSTGRES": url, "OMNIBASKET_POSTGRES_SCHEMA": schema}
}

// TestPostgres runs the server on PostgreSQL: migrations only when asked,
// readiness pings the database, baskets persist across restarts.
func TestPostgres(t *testing.T) {
	env := postgresEnv(t)

	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:0"}, envOf(env))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second) // in case it starts after all
	defer cancel()
	err = run(ctx, cfg, &syncBuffer{})
	require.Error(t, err, "a schema never migrated")
	assert.Contains(t, err.Error(), "-migrate")

	r := start(t, []string{"-migrate", "-poll-every", "1h"}, env)
	rep := r.must(200, "GET", "/readyz", "", nil)
	assert.JSONEq(t, `{"status":"ready","store":"postgres"}`, string(rep.body))
	rep, err = r.basketWith(r.token(ana), "LAMP-DESK", 2)
	require.NoError(t, err)
	loc := "/v1/baskets/" + basketID(t, rep)
	liveChange(t, r, loc, r.token(ana), func() { // through the outbox
		r.must(200, "POST", loc+"/lines", r.token(ana), map[string]any{"sku": "CANDLE-FIG", "quantity": 1})
	})
	checkInAndOrder(t, r, loc)
	require.NoError(t, r.shutdown())

	again := start(t, nil, env) // migrated: no -migrate needed
	rep = again.must(200, "GET", loc, again.token(ana), nil)
	assert.Contains(t, string(rep.body), `"status":"ordered"`)
	// Read back from the outbox by a new instance; the outbox delivers the
	// last events once the server's older transactions (other tests') end.
	rep2 := insightsOf(t, again)
	for deadline := time.Now().Add(10 * time.Second); rep2.Total.Ordered == 0 && time.Now().Before(deadline); rep2 = insightsOf(t, again) {
		time.Sleep(20 * time.Millisecond)
	}
	webToStore(t, rep2)
}

// TestInsightsOnMemory: the memory store feeds the insights read model
// of GET /v1/insights as it saves.
func TestInsightsOnMemory(t *testing.T) {
	r := start(t, nil, map[string]string{envTokenSecret: testSecret})
	rep, err := r.basketWith(r.token(ana), "LAMP-DESK", 2)
	require.NoError(t, err)
	checkInAndOrder(t, r, "/v1/baskets/"+basketID(t, rep))
	webToStore(t, insightsOf(t, r))
	r.must(403, "GET", "/v1/insights?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z", r.token(ana), nil)
}

// checkInAndOrder checks the web basket at loc in at Bellecour by a short
// code and orders it there.
func checkInAndOrder(t *testing.T, r *running, loc string) {
	t.Helper()
	rep := r.must(201, "POST", loc+"/check-in-tickets", r.token(ana), map[string]any{"location_id": demo.Bellecour, "short_code": true})
	var ticket struct {
		ShortCode string `json:"short_code"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &ticket))
	r.must(200, "POST", "/v1/check-ins", r.token(lea), map[string]any{"short_code": ticket.ShortCode, "method": "short-code"})
	r.must(200, "POST", loc+"/order", r.token(lea), nil)
}

// insightsOf asks the server for today's insights, as an associate.
func insightsOf(t *testing.T, r *running) insights.Report {
	t.Helper()
	day := time.Now().UTC().Truncate(24 * time.Hour)
	q := url.Values{"from": {day.Add(-24 * time.Hour).Format(time.RFC3339)}, "to": {day.Add(48 * time.Hour).Format(time.RFC3339)}}
	rep := r.must(200, "GET", "/v1/insights?"+q.Encode(), r.token(lea), nil)
	var out insights.Report
	require.NoError(t, json.Unmarshal(rep.body, &out))
	return out
}

// webToStore checks the report of one basket started on the web and
// ordered after a check-in at the store.
func webToStore(t *testing.T, rep insights.Report) {
	t.Helper()
	assert.Equal(t, int64(1), rep.Total.Started, "%+v", rep.Total)
	assert.Equal(t, int64(1), rep.Total.CheckedIn)
	assert.Equal(t, int64(1), rep.Total.Ordered)
	assert.Equal(t, int64(1), rep.Total.WebToStore)
	assert.Equal(t, int64(1), rep.Total.CheckInToOrder.Count)
}

func basketID(t *testing.T, rep reply) string {
	t.Helper()
	var b struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.Unmarshal(rep.body, &b))
	require.NotEmpty(t, b.ID)
	return b.ID
}

func TestDecodeKeys(t *testing.T) {
	ring, err := decodeKeys([]byte(`[{"id":"k1","secret":"` + testSecret + `","active_from":"2026-11-01T00:00:00Z"}]`))
	require.NoError(t, err)
	assert.NotContains(t, ring.String(), testSecret)
	for _, bad := range []string{
		`[]`, `{}`, `[{"id":"k1","secret":"c2hvcnQ="}]`, `[{"id":"k1","secret":"not base64!"}]`,
		`[{"id":"k1","secret":"` + testSecret + `","extra":1}]`, `[{"id":"k1","secret":"` + testSecret + `"}] []`,
		`[{"id":"k1","secret":"` + testSecret + `"},{"id":"k1","secret":"` + testSecret + `","active_from":"2026-01-01T00:00:00Z"}]`,
	} {
		_, err := decodeKeys([]byte(bad))
		assert.Error(t, err, bad)
		assert.NotContains(t, err.Error(), testSecret)
	}
}

func TestDecodeContexts(t *testing.T) {
	data, err := json.Marshal([]channel.Context{demo.Web(time.Time{}), demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	cs, err := decodeContexts(data)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	assert.Equal(t, "store-"+demo.Bellecour, cs[1].ChannelID)
	for bad, want := range map[string]string{
		`[]`:                   "no context",
		`[{"channel_id":"x"}]`: "context 0",
		`[{"channel_id":"web","kind":"web","country":"FR","currency":"EUR","price_lists":["web"],"tax_zone":"FR","fulfilment_modes":["ship-to-address"],"colour":"red"}]`: "colour",
	} {
		_, err := decodeContexts([]byte(bad))
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), want)
	}
}

// FuzzDecodeKeys: a key file never panics the decoder, and never shows
// its secrets in an error.
func FuzzDecodeKeys(f *testing.F) {
	f.Add([]byte(`[{"id":"k1","secret":"` + testSecret + `","active_from":"2026-11-01T00:00:00Z"}]`))
	f.Add([]byte(`[{"id":"k1","secret":"c2hvcnQ="}]`))
	f.Add([]byte(`[{"id":"","secret":null,"retire_at":"x"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ring, err := decodeKeys(data)
		if err != nil {
			if strings.Contains(err.Error(), testSecret) {
				t.Fatalf("the error shows the secret: %v", err)
			}
			return
		}
		if _, err := handoff.New(handoff.Config{Keys: ring, Replay: nopReplay{}}); err != nil {
			t.Fatalf("a ring the decoder accepts is refused: %v", err)
		}
	})
}

type nopReplay struct{}

func (nopReplay) Consume(context.Context, []byte, time.Time) error { return nil }

// FuzzDecodeContexts: a contexts file never panics the decoder, and the
// contexts it accepts are accepted by httpapi.NewContexts unless two of
// them collide.
func FuzzDecodeContexts(f *testing.F) {
	data, _ := json.Marshal([]channel.Context{demo.Web(time.Time{}), demo.Store(demo.Bellecour, time.Time{})})
	f.Add(data)
	f.Add([]byte(`[{"channel_id":"web","kind":"store"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := decodeContexts(data)
		if err != nil {
			return
		}
		if _, err := httpapi.NewContexts(fixedClock{}, cs...); err != nil && !strings.Contains(err.Error(), "two ") && !strings.Contains(err.Error(), "has two") {
			t.Fatalf("contexts the decoder accepts are refused: %v", err)
		}
	})
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return demo.Start() }
