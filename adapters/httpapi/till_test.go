package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walkIn starts an anonymous basket at the associate's till.
func (h *harness) walkIn(associate basket.Actor) uuid.UUID {
	h.t.Helper()
	id := uuid.New()
	h.basket(associate, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"anonymous_id": "walk-in-" + id.String()[:8]}}, 201)
	return id
}

func scaleLabel(t *testing.T, grams int64) string {
	t.Helper()
	code, err := demo.ScaleLabel(grams)
	require.NoError(t, err)
	return code.String()
}

func TestTillSaleScanWeighGiftCardAndCard(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := h.walkIn(lea)
		fig := demo.Barcode("CANDLE-FIG").String()

		h.basket(lea, "POST", path(id, "/scans"), map[string]any{"code": fig}, 200, "Idempotency-Key", "scan-1")
		b := h.basket(lea, "POST", path(id, "/scans"), map[string]any{"code": fig}, 200, "Idempotency-Key", "scan-2")
		retried := h.basket(lea, "POST", path(id, "/scans"), map[string]any{"code": fig}, 200, "Idempotency-Key", "scan-2")
		assert.Equal(t, b.Version, retried.Version, "a retried scan adds the unit once")
		require.Len(t, b.Lines, 1, "scanning the same item again adds to its line")
		assert.Equal(t, "CANDLE-FIG", b.Lines[0].SKU)
		assert.Equal(t, int64(2), b.Lines[0].Quantity)

		b = h.basket(lea, "POST", path(id, "/scans"), map[string]any{"code": scaleLabel(t, 347)}, 200)
		require.Len(t, b.Lines, 2)
		comte := b.Lines[1]
		assert.Equal(t, "COMTE-18M", comte.SKU)
		assert.Equal(t, catalog.Kilogram, comte.Unit)
		assert.Equal(t, int64(347), comte.Quantity, "0.347 kg, in thousandths")
		pl, ok := b.Result.Line(comte.ID)
		require.True(t, ok)
		assert.Equal(t, inEUR("8.64"), pl.Total, "24.90 a kg × 0.347 kg, rounded once")
		assert.Equal(t, inEUR("46.64"), b.Result.Totals.Total, "two candles at 19.00 and the Comté")

		p := h.refused(&lea, "POST", path(id, "/scans"), map[string]any{"code": "3770014000012"}, 422, "invalid-barcode")
		assert.Equal(t, "code", p.Field, "a wrong check digit")
		h.refused(&lea, "POST", path(id, "/scans"), map[string]any{"code": "3770014099990"}, 422, "unknown-product")
		p = h.refused(&lea, "POST", path(id, "/scans"), map[string]any{"code": demo.Barcode("COMTE-18M").String()}, 422, "invalid-barcode")
		assert.Contains(t, p.Detail, "weight is zero", "the Comté's scale key is not a label: it weighs nothing")
		h.refused(&lea, "POST", path(id, "/scans"), map[string]any{"code": ""}, 400, "bad-request")
		assert.Equal(t, b.Version, h.version(lea, id), "refused scans change nothing")

		// The shopper pays 30.00 with the gift card and the rest by card.
		tax := b.Result.Totals.Tax
		b = h.basket(lea, "POST", path(id, "/tenders"), map[string]any{"kind": "gift-card", "code": demo.GiftCard}, 200)
		require.NotNil(t, b.Result.Payment)
		st := b.Result.Payment
		require.Len(t, st.Tenders, 1)
		assert.Equal(t, payment.GiftCard, st.Tenders[0].Tender.Kind)
		assert.Equal(t, inEUR("30.00"), st.Tenders[0].Amount)
		assert.Equal(t, inEUR("16.64"), st.Remaining)
		assert.Equal(t, tax, b.Result.Totals.Tax, "payment is not discount: tax is unchanged")
		assert.Equal(t, inEUR("46.64"), b.Result.Totals.Total)

		p = h.refused(&lea, "POST", path(id, "/tenders"), map[string]any{"kind": "card", "code": "tpe-2", "amount": map[string]any{"amount": "20.00", "currency": "EUR"}},
			422, "over-tender")
		h.refused(&lea, "POST", path(id, "/payment"), nil, 409, "not-payable")
		b = h.basket(lea, "POST", path(id, "/tenders"), map[string]any{"kind": "card", "code": "tpe-2"}, 200)
		assert.True(t, b.Result.Payment.Settled())
		require.Len(t, b.Result.Payment.Tenders, 2)
		assert.Equal(t, inEUR("16.64"), b.Result.Payment.Tenders[1].Amount, "the card pays what remains")

		b = h.basket(lea, "POST", path(id, "/order"), nil, 200)
		assert.Equal(t, basket.Ordered, b.Status)
		paid := h.basket(lea, "POST", path(id, "/payment"), nil, 200, "If-Match", etagOf(b), "Idempotency-Key", "pay-1")
		require.NotNil(t, paid.Payment)
		require.NotNil(t, paid.Payment.Paid)
		assert.True(t, paid.Payment.PaidAt.Equal(h.clk.Now()))
		again := h.basket(lea, "POST", path(id, "/payment"), nil, 200, "Idempotency-Key", "pay-1")
		assert.Equal(t, paid.Version, again.Version, "a retried payment pays once")
		h.refused(&lea, "POST", path(id, "/payment"), nil, 409, "already-paid")

		bal, err := h.shop.Vouchers.Balances(context.Background(), []string{demo.GiftCard})
		require.NoError(t, err)
		require.Len(t, bal, 1)
		assert.True(t, bal[0].Amount.IsZero(), "the gift card was debited: %s", bal[0].Amount)
	})
}

func TestTillTendersAndWallet(t *testing.T) {
	h := newHarness(t)
	id := h.walkIn(lea)
	h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "TEAPOT-CAST", "quantity": 1}, 200)
	b := h.basket(lea, "POST", path(id, "/tenders"), map[string]any{"kind": "gift-card", "code": demo.GiftCard}, 200)
	require.Len(t, b.Result.Payment.Tenders, 1)

	p := h.refused(&lea, "DELETE", path(id, "/tenders/bogus"), nil, 400, "bad-request")
	assert.Equal(t, "kind", p.Field)
	h.refused(&lea, "DELETE", path(id, "/tenders/card"), nil, 404, "unknown-tender")
	h.refused(&lea, "DELETE", path(id, "/tenders/gift-card?code=GC-0000"), nil, 404, "unknown-tender")
	b = h.basket(lea, "DELETE", path(id, "/tenders/gift-card?code="+demo.GiftCard), nil, 200, "If-Match", etagOf(b))
	assert.Nil(t, b.Result.Payment, "no tender left")

	h.refused(&lea, "POST", path(id, "/tenders"), map[string]any{"kind": "gift-card", "code": "GC-NOPE"}, 422, "voucher-unknown")
	h.refused(&lea, "POST", path(id, "/tenders"), map[string]any{"kind": "cheque"}, 400, "bad-request", offDocument...)
	h.refused(&lea, "POST", path(id, "/tenders"), map[string]any{"kind": "cash", "amount": map[string]any{"amount": "10.00", "currency": "CHF"}},
		422, "currency-mismatch")

	// The shopper saved the gift card in her wallet on the web; the till
	// tenders it in one go.
	h.basket(lea, "POST", path(id, "/vouchers"), map[string]any{"code": demo.GiftCard}, 200)
	b = h.basket(lea, "POST", path(id, "/tenders/wallet"), nil, 200)
	require.NotNil(t, b.Result.Payment)
	require.Len(t, b.Result.Payment.Tenders, 1)
	got := b.Result.Payment.Tenders[0]
	assert.Equal(t, payment.Voucher, got.Tender.Kind)
	assert.Equal(t, demo.GiftCard, got.Tender.Code)
	assert.Equal(t, inEUR("30.00"), got.Amount)
	again := h.basket(lea, "POST", path(id, "/tenders/wallet"), nil, 200)
	assert.Equal(t, b.Version, again.Version, "nothing more to tender records nothing")

	h.refused(&lea, "POST", path(id, "/payment/release"), nil, 404, "redemption-not-found")
	h.refused(&lea, "POST", path(id, "/loyalty/points"), map[string]any{"points": 100}, 501, "not-configured")
	h.refused(&camille, "POST", path(id, "/tenders/wallet"), nil, 404, "not-found")
}

// Overrides need a retailer policy, which the demo shop leaves out: this
// harness serves the demo data through a Service that has one.
// Associates may take 10 % off alone; managers approve up to half.
func newOverrideHarness(t *testing.T) *harness {
	t.Helper()
	var mem *memory.StockStore
	var store basket.Store
	h := newHarness(t, func(so *demo.ShopOptions, _ *httpapi.Options) {
		mem = memory.NewStockStore(so.Clock)
		store = memory.NewBasketStore(memory.WithLedger(mem))
		so.Store, so.Stock = store, mem
	})
	products, err := memory.NewProducts(demo.Products()...)
	require.NoError(t, err)
	labels, err := catalog.NewDecoder(demo.ScaleLayout())
	require.NoError(t, err)
	cat := h.shop.Catalog
	svc, err := basket.NewService(basket.Config{
		Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: mem, Locations: cat, Fees: cat,
		Reservations: mem, Clock: h.clk, Handoff: h.shop.Handoff, Retailer: demo.Retailer,
		Products: products, Barcodes: labels, Vouchers: h.shop.Vouchers, MaxAttempts: 20,
		Overrides: basket.OverridePolicy{
			Roles: map[string]basket.OverrideLimit{
				"associate": {MaxPercent: pricing.MustPercent("10")},
				"manager":   {MaxPercent: pricing.MustPercent("50"), Approves: true},
			},
			Reasons: []string{"DAMAGED", "PRICE-MATCH"},
		},
	})
	require.NoError(t, err)
	contexts, err := httpapi.NewContexts(h.clk, demo.Web(demo.Start()), demo.Store(demo.Bellecour, demo.Start()), demo.Store(demo.PartDieu, demo.Start()))
	require.NoError(t, err)
	api, err := httpapi.New(httpapi.Options{Service: svc, Auth: testAuth, Contexts: contexts, Stock: mem})
	require.NoError(t, err)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	h.shop.Service, h.api, h.srv = svc, api, srv
	h.client = &http.Client{Transport: validatingTransport(t, h.document(), http.DefaultTransport)}
	return h
}

func TestTillOverrideNeedsApprovalAboveTheLimit(t *testing.T) {
	h := newOverrideHarness(t)
	associate := lea
	associate.Role = "associate"
	manager := basket.Actor{Kind: basket.Associate, ID: "nora", LocationID: demo.Bellecour, Role: "manager"}
	id := h.walkIn(associate)
	b := h.basket(associate, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, 200)
	fig := b.Lines[0].ID
	override := path(id, "/lines/"+fig+"/price-override")
	twenty := map[string]any{"terms": map[string]any{"percent": "0.2"}, "reason": "damaged"}

	p := h.refused(&associate, "POST", override, twenty, 403, "approval-required")
	assert.Equal(t, fig, p.LineID)
	assert.Contains(t, p.Detail, "3.80 EUR", "what was asked off")
	assert.Equal(t, b.Version, h.version(associate, id), "a refused override changes nothing")
	h.refused(&camille, "POST", override, twenty, 403, "forbidden")
	p = h.refused(&associate, "POST", override, map[string]any{"terms": map[string]any{"percent": "0.05"}, "reason": "bored"}, 422, "invalid")
	assert.Equal(t, "reason", p.Field)
	h.refused(&associate, "POST", override, map[string]any{"terms": map[string]any{}, "reason": "damaged"}, 422, "invalid")

	// The manager approves exactly this override; the associate applies it.
	approve := path(id, "/override-approvals")
	h.refused(&associate, "POST", approve, map[string]any{"line_id": fig, "terms": twenty["terms"], "reason": "damaged"}, 403, "forbidden")
	r := h.do(&manager, "POST", approve, map[string]any{"line_id": fig, "terms": twenty["terms"], "reason": "damaged"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r)
	var approval basket.Approval
	r.into(t, &approval)
	require.NotEmpty(t, approval.Token)
	assert.Equal(t, "nora", approval.Approver)
	assert.True(t, approval.ExpiresAt.After(h.clk.Now()))

	thirty := map[string]any{"terms": map[string]any{"percent": "0.3"}, "reason": "damaged", "approval": approval.Token}
	h.refused(&associate, "POST", override, thirty, 422, "approval-wrong-subject")
	r = h.do(&manager, "POST", approve, map[string]any{"line_id": fig, "terms": twenty["terms"], "reason": "damaged"})
	require.Equal(t, http.StatusCreated, r.status, "%s", r)
	r.into(t, &approval)
	approved := map[string]any{"terms": twenty["terms"], "reason": "damaged", "approval": approval.Token}
	b = h.basket(associate, "POST", override, approved, 200, "Idempotency-Key", "ovr-1")
	assert.Equal(t, inEUR("15.20"), b.Result.Totals.Total, "19.00 less 20 %")
	require.Len(t, b.Result.Overrides, 1)
	o := b.Result.Overrides[0]
	assert.Equal(t, fig, o.LineID)
	assert.Equal(t, "DAMAGED", o.Reason)
	assert.Equal(t, "lea", o.GrantedBy)
	assert.Equal(t, "nora", o.ApprovedBy)
	assert.Equal(t, inEUR("3.80"), o.Amount)
	assert.Contains(t, changeKinds(b), basket.ChangeOverrideApplied.String())
	retry := h.basket(associate, "POST", override, approved, 200, "Idempotency-Key", "ovr-1")
	assert.Equal(t, b.Version, retry.Version, "a retry replays instead of failing on the spent approval")
	h.refused(&associate, "POST", override, approved, 422, "token-already-used")

	b = h.basket(associate, "DELETE", override, nil, 200, "If-Match", etagOf(b))
	assert.Equal(t, inEUR("19.00"), b.Result.Totals.Total)
	assert.Empty(t, b.Result.Overrides)
	h.refused(&associate, "DELETE", override, nil, 404, "no-override")

	b = h.basket(associate, "POST", override, map[string]any{"terms": map[string]any{"off": map[string]any{"amount": "1.90", "currency": "EUR"}}, "reason": "price-match"}, 200)
	assert.Equal(t, inEUR("17.10"), b.Result.Totals.Total, "10 % off is within the associate's own limit")
}

// The demo shop has no override policy: the operation is there, and says
// this server does not offer it.
func TestTillOverrideWithoutPolicy(t *testing.T) {
	h := newHarness(t)
	id := h.walkIn(lea)
	b := h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, 200)
	h.refused(&lea, "POST", path(id, "/lines/"+b.Lines[0].ID+"/price-override"),
		map[string]any{"terms": map[string]any{"percent": "0.1"}, "reason": "damaged"}, 501, "not-configured")
}

// FuzzTillRequests sends any body to the till's and the flow's commands:
// the API answers a client error or a success, never a server fault.
func FuzzTillRequests(f *testing.F) {
	h := newHarnessUnvalidated(f)
	id := h.walkIn(lea)
	b := h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, 200)
	routes := []string{
		"/scans", "/tenders", "/lines/" + b.Lines[0].ID + "/price-override", "/override-approvals", "/loyalty/points",
		"/holds", "/returns", "/exchanges",
	}
	for i, body := range []string{
		`{"code":"3770014000059"}`, `{"kind":"gift-card","code":"GC-2611-0042"}`, `{"terms":{"percent":"0.2"},"reason":"damaged"}`,
		`{"line_id":"L0001","terms":{"off":{"amount":"1.00","currency":"EUR"}},"reason":"x"}`, `{"points":-1}`,
		`{"until":"2026-11-23T10:00:00Z"}`, `{"lines":[{"line_id":"L0001","quantity":1}]}`, `{"return":{"lines":[]},"lines":[{"sku":"X","measure":"1 kg"}]}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	f.Add(uint8(1), []byte(`{"kind":"card","amount":{"amount":"1e9","currency":"EUR"}}`))
	f.Add(uint8(2), []byte(`{"terms":{"price":{"amount":"-1","currency":"JPY"}},"reason":"DAMAGED"}`))
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		p := path(id, routes[int(op)%len(routes)])
		req := httptest.NewRequest("POST", p, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", credentials(lea))
		w := httptest.NewRecorder()
		h.api.ServeHTTP(w, req)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented {
			t.Fatalf("POST %s %q: %d %s", p, body, w.Code, w.Body)
		}
	})
}
