package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/require"
)

// BenchmarkAddLine compares AddLine through the HTTP API on loopback with
// the same call made directly on the Service, in one run, on distinct
// baskets (memory store). Each iteration adds one line to a basket of its
// own, so no basket grows with b.N. Reported: ns/op of each, their ratio
// (http-overhead-%), requests per second and the latency quantiles of the
// HTTP side.
//
//	go test ./adapters/httpapi -run '^$' -bench AddLine -benchmem -benchtime 2000x
func BenchmarkAddLine(b *testing.B) {
	const baskets = 256
	ctx := context.Background()

	b.Run("direct", func(b *testing.B) {
		h := newBenchHarness(b)
		ids := h.startBaskets(b, baskets)
		svc := h.shop.Service
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			id := ids[i%baskets]
			if _, err := svc.AddLine(ctx, camille, id, basket.NewLine{SKU: benchSKU(i), Quantity: 1}); err != nil {
				b.Fatal(err)
			}
			if i%baskets == baskets-1 {
				b.StopTimer()
				ids = h.startBaskets(b, baskets)
				b.StartTimer()
			}
		}
	})

	b.Run("handler", func(b *testing.B) {
		// The API's own work without a network: the handler serves a
		// recorder in the benchmark's goroutine.
		h := newBenchHarness(b)
		ids := h.startBaskets(b, baskets)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			id := ids[i%baskets]
			req := httptest.NewRequest("POST", "/v1/baskets/"+id.String()+"/lines", bytes.NewReader(fmt.Appendf(nil, `{"sku":%q,"quantity":1}`, benchSKU(i))))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", credentials(camille))
			w := httptest.NewRecorder()
			h.api.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if i%baskets == baskets-1 {
				b.StopTimer()
				ids = h.startBaskets(b, baskets)
				b.StartTimer()
			}
		}
	})

	b.Run("http", func(b *testing.B) {
		h := newBenchHarness(b)
		ids := h.startBaskets(b, baskets)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
		lat := make([]time.Duration, 0, b.N)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := 0; i < b.N; i++ {
			id := ids[i%baskets]
			body := fmt.Appendf(nil, `{"sku":%q,"quantity":1}`, benchSKU(i))
			req, _ := http.NewRequest("POST", h.srv.URL+"/v1/baskets/"+id.String()+"/lines", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", credentials(camille))
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			lat = append(lat, time.Since(t0))
			if res.StatusCode != 200 {
				b.Fatalf("status %d", res.StatusCode)
			}
			if i%baskets == baskets-1 {
				b.StopTimer()
				ids = h.startBaskets(b, baskets)
				b.StartTimer()
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		slices.Sort(lat)
		b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
}

// BenchmarkLoopbackFloor is what any HTTP exchange of the same shape
// costs on this machine, with no library logic: the same client, a
// net/http server answering a fixed body of the size of addLine's reply.
// http − floor − direct (BenchmarkAddLine) is what the API's own work
// adds: authentication, decoding, the reply's encoding.
func BenchmarkLoopbackFloor(b *testing.B) {
	h := newBenchHarness(b)
	ids := h.startBaskets(b, 1)
	sample, err := h.shop.Service.AddLine(context.Background(), camille, ids[0], basket.NewLine{SKU: "CANDLE-FIG", Quantity: 1})
	require.NoError(b, err)
	reply, err := json.Marshal(sample)
	require.NoError(b, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	}))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/baskets/"+ids[0].String()+"/lines", bytes.NewReader(fmt.Appendf(nil, `{"sku":%q,"quantity":1}`, benchSKU(i))))
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	b.ReportMetric(float64(len(reply)), "reply-bytes")
}

// benchSKU cycles over SKUs sold on the web.
func benchSKU(i int) string {
	skus := [...]string{"CANDLE-FIG", "CANDLE-CED", "THROW-WOOL", "MUG-STONE", "VASE-GLASS", "TEA-EARL"}
	return skus[i%len(skus)]
}

type benchHarness struct{ *harness }

func newBenchHarness(b *testing.B) *benchHarness { return &benchHarness{newHarnessUnvalidated(b)} }

// startBaskets creates n empty web baskets for camille.
func (h *benchHarness) startBaskets(b *testing.B, n int) []uuid.UUID {
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
		_, err := h.shop.Service.Create(context.Background(), camille, basket.CreateRequest{ID: ids[i],
			Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
		require.NoError(b, err)
	}
	return ids
}
