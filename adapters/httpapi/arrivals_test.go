package httpapi_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The seed's scene over HTTP, the shopper's way in: the store's tag, the
// arrivals list, the associate taking the shopper up, and the basket
// handed back to the web by a check-out code, on memory and PostgreSQL.
func TestJourneySelfCheckInByStoreTag(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := uuid.New()
		h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)
		h.basket(camille, "POST", path(id, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 1}, 200)
		h.basket(camille, "POST", path(id, "/coupons"), map[string]any{"code": "WELCOME10"}, 200)

		// The store prints its tag; a shopper cannot, another store's associate neither.
		r := h.do(&lea, "GET", "/v1/locations/"+demo.Bellecour+"/tag", nil)
		require.Equal(t, 200, r.status, r)
		var tag basket.LocationTag
		r.into(t, &tag)
		assert.Equal(t, demo.Bellecour, tag.LocationID)
		assert.Equal(t, 403, h.do(&camille, "GET", "/v1/locations/"+demo.Bellecour+"/tag", nil).status)
		assert.Equal(t, 403, h.do(&malik, "GET", "/v1/locations/"+demo.Bellecour+"/tag", nil).status)

		// Another store's tag, or a stranger, change nothing.
		wrong := h.do(&camille, "POST", path(id, "/self-check-in"), map[string]any{"location_id": demo.PartDieu, "tag": tag.Tag, "method": "qr"})
		assert.Equal(t, 422, wrong.status, wrong)
		assert.Equal(t, httpapi.ProblemTypePrefix+"token-wrong-audience", wrong.problem(t).Type)
		stranger := h.do(&hugo, "POST", path(id, "/self-check-in"), map[string]any{"location_id": demo.Bellecour, "tag": tag.Tag, "method": "qr"})
		assert.Equal(t, 404, stranger.status, stranger)

		h.clk.Advance(time.Minute)
		b := h.basket(camille, "POST", path(id, "/self-check-in"), map[string]any{"location_id": demo.Bellecour, "tag": tag.Tag, "method": "nfc"}, 200)
		assert.Equal(t, demo.Bellecour, b.Context.LocationID)
		require.NotNil(t, b.Arrival)
		assert.Equal(t, "nfc", b.Arrival.Method)
		assert.Contains(t, changeKinds(b), "coupon-not-honoured", "what changed in the store")
		assert.Equal(t, 404, h.do(&lea, "GET", path(id, ""), nil).status, "the store sees the shopper, not the basket")

		r = h.do(&lea, "GET", "/v1/locations/"+demo.Bellecour+"/arrivals", nil)
		require.Equal(t, 200, r.status, r)
		var list httpapi.Arrivals
		r.into(t, &list)
		require.Len(t, list.Arrivals, 1)
		assert.Equal(t, id, list.Arrivals[0].BasketID)
		assert.Equal(t, camille.ID, list.Arrivals[0].CustomerID)
		assert.Equal(t, 403, h.do(&malik, "GET", "/v1/locations/"+demo.Bellecour+"/arrivals", nil).status)
		assert.Equal(t, 404, h.do(&malik, "POST", path(id, "/arrival/open"), nil).status, "another store cannot open it")

		b = h.basket(lea, "POST", path(id, "/arrival/open"), nil, 200)
		require.Len(t, b.Grants, 1)
		assert.Equal(t, lea.ID, b.Arrival.OpenedBy)
		h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-FIG", "quantity": 1}, 200)

		// Handed back to the web: the tablet's code, the phone's claim.
		r = h.do(&lea, "POST", path(id, "/check-out-tickets"), map[string]any{})
		require.Equal(t, 201, r.status, r)
		var ticket basket.Ticket
		r.into(t, &ticket)
		assert.Equal(t, h.clk.Now().Add(httpapi.DefaultCheckOutTicketTTL).Truncate(time.Second), ticket.ExpiresAt)
		other := h.do(&hugo, "POST", "/v1/check-outs", map[string]any{"token": ticket.Token, "channel_id": "web"})
		assert.Equal(t, 404, other.status, "another customer's basket: %s", other)

		r = h.do(&malik, "POST", path(id, "/check-out-tickets"), map[string]any{})
		assert.Equal(t, 404, r.status, "no grant, no code")
		again := h.do(&lea, "POST", path(id, "/check-out-tickets"), map[string]any{"ttl_seconds": 60})
		require.Equal(t, 201, again.status, again)
		again.into(t, &ticket)
		b = h.basket(camille, "POST", "/v1/check-outs", map[string]any{"token": ticket.Token, "channel_id": "web"}, 200)
		assert.Equal(t, "web", b.Context.ChannelID)
		assert.Empty(t, b.Grants)
		assert.Nil(t, b.Arrival)
		used := h.do(&camille, "POST", "/v1/check-outs", map[string]any{"token": ticket.Token, "channel_id": "web"})
		assert.Equal(t, httpapi.ProblemTypePrefix+"token-already-used", used.problem(t).Type)
	})
}

// The walk-in customer: an associate starts an anonymous basket, and the
// customer's phone claims it by the check-out code.
func TestJourneyWalkInBasketClaimedOnThePhone(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(lea, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"anonymous_id": "walk-in-1"}}, 201)
	h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "THROW-WOOL", "quantity": 1}, 200)
	r := h.do(&lea, "POST", path(id, "/check-out-tickets"), map[string]any{})
	require.Equal(t, 201, r.status, r)
	var ticket basket.Ticket
	r.into(t, &ticket)
	b := h.basket(hugo, "POST", "/v1/check-outs", map[string]any{"token": ticket.Token, "channel_id": "web"}, 200)
	assert.Equal(t, hugo.ID, b.Owner.CustomerID, "the basket became the customer's")
	r = h.do(&hugo, "GET", "/v1/customers/"+hugo.ID+"/baskets", nil)
	require.Equal(t, 200, r.status, r)
	assert.Contains(t, string(r.body), id.String())

	bad := h.do(&hugo, "POST", "/v1/check-outs", map[string]any{"token": "", "channel_id": "web"})
	assert.Equal(t, 400, bad.status, bad)
	expired := h.do(&lea, "POST", path(id, "/check-out-tickets"), map[string]any{"ttl_seconds": -1})
	assert.Equal(t, 400, expired.status, expired)
}

// Each basket has a few tag attempts per window: past them, 429.
func TestSelfCheckInAttemptsAreLimited(t *testing.T) {
	h := newHarness(t)
	id := uuid.New()
	h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)
	for range 5 {
		r := h.do(&camille, "POST", path(id, "/self-check-in"), map[string]any{"location_id": demo.Bellecour, "tag": "bad-tag", "method": "qr"})
		require.Equal(t, 422, r.status, r)
	}
	r := h.do(&camille, "POST", path(id, "/self-check-in"), map[string]any{"location_id": demo.Bellecour, "tag": "bad-tag", "method": "qr"})
	require.Equal(t, 429, r.status, r)
	assert.Equal(t, httpapi.ProblemTypePrefix+"too-many-attempts", r.problem(t).Type)
}
