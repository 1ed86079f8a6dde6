package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
)

// The data lifecycle over HTTP, for the System only, on memory and
// PostgreSQL: a cart left a month is swept, idempotency keys are
// forgotten after a day, and a customer is erased with a receipt that
// does not name her.
func TestLifecycleOverHTTP(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := uuid.New()
		h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201, "Idempotency-Key", "create-1")
		h.basket(camille, "POST", path(id, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 1}, 200)

		request := map[string]any{"id": "5a1c0de5-0000-4000-8000-000000000017", "customer_id": camille.ID}
		for p, body := range map[string]any{"/v1/maintenance/idempotency-expiry": map[string]any{},
			"/v1/maintenance/abandoned-sweep": map[string]any{}, "/v1/erasures": request} {
			r := h.do(&camille, "POST", p, body)
			assert.Equal(t, 403, r.status, "%s: %s", p, r)
			assert.Equal(t, httpapi.ProblemTypePrefix+"forbidden", r.problem(t).Type)
			assert.Equal(t, 403, h.do(&lea, "POST", p, body).status, p)
		}

		// Tomorrow the key is forgotten; in a month the cart is abandoned.
		h.clk.Advance(25 * time.Hour)
		r := h.do(&ops, "POST", "/v1/maintenance/idempotency-expiry", map[string]any{})
		require.Equal(t, 200, r.status, r)
		var expiry basket.ExpiryReport
		r.into(t, &expiry)
		assert.Equal(t, 1, expiry.Deleted)
		assert.Equal(t, 422, h.do(&ops, "POST", "/v1/maintenance/idempotency-expiry", map[string]any{"retention_seconds": 60}).status)
		assert.Equal(t, 400, h.do(&ops, "POST", "/v1/maintenance/idempotency-expiry", map[string]any{"retention_seconds": -1}).status)

		r = h.do(&ops, "POST", "/v1/maintenance/abandoned-sweep", map[string]any{})
		require.Equal(t, 200, r.status, r)
		var sweep basket.SweepReport
		r.into(t, &sweep)
		assert.Zero(t, sweep.Abandoned, "a day is not a month")
		h.clk.Advance(30 * 24 * time.Hour)
		r = h.do(&ops, "POST", "/v1/maintenance/abandoned-sweep", map[string]any{"statuses": []string{"cart", "wishlist"}, "max": 10})
		require.Equal(t, 200, r.status, r)
		r.into(t, &sweep)
		assert.Equal(t, 1, sweep.Abandoned)
		assert.Equal(t, basket.Abandoned, h.basket(camille, "GET", path(id, ""), nil, 200).Status)
		assert.Equal(t, 422, h.do(&ops, "POST", "/v1/maintenance/abandoned-sweep", map[string]any{"statuses": []string{"ordered"}}).status)
		assert.Equal(t, 400, h.do(&ops, "POST", "/v1/maintenance/abandoned-sweep", map[string]any{"max": httpapi.MaxSweepPerRequest + 1}).status)
		assert.Equal(t, 400, h.do(&ops, "POST", "/v1/maintenance/abandoned-sweep", map[string]any{"statuses": []string{"lost"}}, offDocument...).status)

		r = h.do(&ops, "POST", "/v1/erasures", request)
		require.Equal(t, 200, r.status, r)
		assert.NotContains(t, string(r.body), camille.ID, "the receipt does not name her")
		var rc basket.ErasureReceipt
		r.into(t, &rc)
		assert.Equal(t, []uuid.UUID{id}, rc.Baskets)
		assert.Equal(t, "erased-5a1c0de5-0000-4000-8000-000000000017", rc.Pseudonym)
		assert.Equal(t, 404, h.do(&camille, "GET", path(id, ""), nil).status, "not hers any more")
		r = h.do(&ops, "GET", path(id, "/events"), nil)
		require.Equal(t, 200, r.status, r)
		assert.NotContains(t, string(r.body), camille.ID)

		r = h.do(&ops, "POST", "/v1/erasures", request)
		require.Equal(t, 200, r.status, r)
		r.into(t, &rc)
		assert.Empty(t, rc.Baskets, "erasing again changes nothing")
		assert.Equal(t, 422, h.do(&ops, "POST", "/v1/erasures", map[string]any{"id": uuid.Nil, "customer_id": camille.ID}).status, "a request needs its id")
		assert.Equal(t, 400, h.do(&ops, "POST", "/v1/erasures", map[string]any{"id": "x", "customer_id": camille.ID}, offDocument...).status)
	})
}

// FuzzLifecycleRequests sends any body to the lifecycle operations, as the
// System and as a shopper: a client error or a success, never a server
// fault, every error a problem document.
func FuzzLifecycleRequests(f *testing.F) {
	h := newHarnessUnvalidated(f)
	h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": uuid.New(), "channel_id": "web"}, 201)
	paths := []string{"/v1/maintenance/idempotency-expiry", "/v1/maintenance/abandoned-sweep", "/v1/erasures"}
	for i, s := range []string{`{}`, `{"retention_seconds":86400}`, `{"inactive_seconds":3600,"statuses":["cart","quote"],"max":5}`,
		`{"id":"5a1c0de5-0000-4000-8000-000000000017","customer_id":"cust-camille"}`, `{"retention_seconds":9223372036854775807}`,
		`{"statuses":[null]}`, `{"id":"00000000-0000-0000-0000-000000000000","customer_id":""}`, `null`, `[]`} {
		f.Add(uint8(i), true, []byte(s))
	}
	f.Fuzz(func(t *testing.T, p uint8, system bool, body []byte) {
		target := paths[int(p)%len(paths)]
		req := httptest.NewRequest("POST", "http://api"+target, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		actor := camille
		if system {
			actor = ops
		}
		req.Header.Set("Authorization", credentials(actor))
		w := httptest.NewRecorder()
		h.api.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("POST %s %q: %d %s", target, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			require.Equal(t, "application/problem+json", w.Header().Get("Content-Type"), "%d %s", w.Code, w.Body)
		}
		if !system {
			// Only the System: a shopper is refused (a malformed body
			// may be refused first).
			require.Contains(t, []int{http.StatusBadRequest, http.StatusForbidden}, w.Code, "%s", w.Body)
		}
	})
}
