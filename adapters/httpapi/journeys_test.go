package httpapi_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/adapters/postgres"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The three journeys of examples/omnichannel, played through the public
// HTTP API only, on memory and on PostgreSQL. Each is also played with
// direct Service calls on a twin shop; the API must give the same totals,
// change reports and fulfilment orders as the library it serves.

func onPostgres(t *testing.T) harnessOption {
	url := os.Getenv("OMNIBASKET_POSTGRES_URL")
	if url == "" {
		t.Skip("OMNIBASKET_POSTGRES_URL is not set; see .ci/run for starting a local PostgreSQL")
	}
	return func(so *demo.ShopOptions, _ *httpapi.Options) {
		ctx := context.Background()
		// The store judges spent tokens and holds by the shop's clock.
		store, err := postgres.Open(ctx, url, postgres.Options{Schema: "httpapi_" + strings.ReplaceAll(uuid.NewString()[:13], "-", ""), Clock: so.Clock})
		require.NoError(t, err)
		require.NoError(t, store.Migrate(ctx))
		t.Cleanup(func() {
			_ = store.DropSchema(context.Background())
			store.Close()
		})
		so.Store, so.Stock, so.Replay = store, store, store
	}
}

func stores(t *testing.T, play func(t *testing.T, opts ...harnessOption)) {
	t.Run("memory", func(t *testing.T) { play(t) })
	t.Run("postgres", func(t *testing.T) { play(t, onPostgres(t)) })
}

// twin is the same retailer driven directly, for comparison.
func twin(t *testing.T) (*basket.Service, *clock.Fake) {
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(context.Background(), demo.ShopOptions{Clock: clk})
	require.NoError(t, err)
	return shop.Service, clk
}

func path(id uuid.UUID, rest string) string { return "/v1/baskets/" + id.String() + rest }

func changeKinds(b *basket.Basket) []string {
	var kinds []string
	for _, c := range b.Result.Changes {
		kinds = append(kinds, c.Kind.String())
	}
	return kinds
}

func TestJourneyWebToStore(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := uuid.New()
		b := h.basket(camille, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web"}, 201)
		assert.Equal(t, "web", b.Context.ChannelID)
		for _, l := range []struct {
			sku string
			qty int64
		}{{"LAMP-ARC", 2}, {"THROW-WOOL", 1}, {"CANDLE-FIG", 2}, {"CANDLE-CED", 1}} {
			h.clk.Advance(2 * time.Minute)
			b = h.basket(camille, "POST", path(id, "/lines"), map[string]any{"sku": l.sku, "quantity": l.qty}, 200)
			assert.Equal(t, l.sku, b.Lines[len(b.Lines)-1].SKU, "lines are kept in the order they were added")
		}
		b = h.basket(camille, "POST", path(id, "/coupons"), map[string]any{"code": "welcome10"}, 200)
		webTotal := b.Result.Totals.Total

		h.clk.Advance(26 * time.Hour)
		r := h.do(&camille, "POST", path(id, "/check-in-tickets"), map[string]any{"ttl_seconds": 600})
		require.Equal(t, 201, r.status, r)
		var ticket basket.Ticket
		r.into(t, &ticket)
		require.NotEmpty(t, ticket.Token)

		h.clk.Advance(time.Minute)
		probe := h.do(&lea, "GET", path(id, ""), nil)
		assert.Equal(t, 404, probe.status, "before the scan the store cannot open the basket")
		assert.Equal(t, httpapi.ProblemTypePrefix+"not-found", probe.problem(t).Type)

		b = h.basket(lea, "POST", "/v1/check-ins", map[string]any{"token": ticket.Token, "method": "qr"}, 200)
		assert.Equal(t, demo.Bellecour, b.Context.LocationID)
		assert.NotEmpty(t, b.Result.Changes, "the check-in reports what changed in the store")
		again := h.do(&lea, "POST", "/v1/check-ins", map[string]any{"token": ticket.Token, "method": "qr"})
		assert.GreaterOrEqual(t, again.status, 400, "a QR code is single use: %s", again)
		assert.Less(t, again.status, 500)

		h.clk.Advance(5 * time.Minute)
		h.basket(lea, "POST", path(id, "/lines"), map[string]any{"sku": "CANDLE-AMB", "quantity": 1}, 200)
		b = h.basket(lea, "POST", path(id, "/coupons"), map[string]any{"code": "MERCI5"}, 200)
		h.clk.Advance(3 * time.Minute)
		ordered := h.basket(lea, "POST", path(id, "/order"), nil, 200)
		assert.Equal(t, basket.Ordered, ordered.Status)
		late := h.do(&lea, "POST", path(id, "/lines"), map[string]any{"sku": "MUG-STONE", "quantity": 1})
		assert.Equal(t, 409, late.status, "an order is immutable: %s", late)

		// The same journey through the library directly.
		svc, clk := twin(t)
		ctx := context.Background()
		_, err := svc.Create(ctx, camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
		require.NoError(t, err)
		for _, n := range []basket.NewLine{line("LAMP-ARC", 2), line("THROW-WOOL", 1), line("CANDLE-FIG", 2), line("CANDLE-CED", 1)} {
			clk.Advance(2 * time.Minute)
			_, err = svc.AddLine(ctx, camille, id, n)
			require.NoError(t, err)
		}
		direct, err := svc.AddCoupon(ctx, camille, id, "welcome10")
		require.NoError(t, err)
		assert.Equal(t, direct.Result.Totals.Total, webTotal)
		clk.Advance(26 * time.Hour)
		tk, err := svc.IssueCheckIn(ctx, camille, id, basket.HandoffRequest{TTL: 10 * time.Minute})
		require.NoError(t, err)
		clk.Advance(time.Minute)
		checked, err := svc.CheckIn(ctx, lea, basket.CheckInRequest{Token: tk.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
		require.NoError(t, err)
		clk.Advance(5 * time.Minute)
		_, err = svc.AddLine(ctx, lea, id, line("CANDLE-AMB", 1))
		require.NoError(t, err)
		withCoupon, err := svc.AddCoupon(ctx, lea, id, "MERCI5")
		require.NoError(t, err)
		clk.Advance(3 * time.Minute)
		directOrder, err := svc.PlaceOrder(ctx, lea, id)
		require.NoError(t, err)

		assert.Equal(t, withCoupon.Result.Totals, b.Result.Totals)
		assert.Equal(t, directOrder.Result.Totals, ordered.Result.Totals)
		assert.Equal(t, directOrder.Order.Fulfilment, ordered.Order.Fulfilment)
		assert.NotEmpty(t, checked.Result.Changes)
	})
}

func TestJourneyStoreToWeb(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		id := uuid.New()
		b := h.basket(malik, "POST", "/v1/baskets", map[string]any{"id": id, "owner": map[string]any{"customer_id": hugo.ID}}, 201)
		assert.Equal(t, demo.PartDieu, b.Context.LocationID, "an associate's basket starts in their store")
		for _, l := range []struct {
			sku string
			qty int64
		}{{"PLANT-POT", 3}, {"VASE-GLASS", 1}, {"TEA-EARL", 2}} {
			h.clk.Advance(time.Minute)
			b = h.basket(malik, "POST", path(id, "/lines"), map[string]any{"sku": l.sku, "quantity": l.qty}, 200)
		}
		for _, l := range b.Lines {
			b = h.basket(malik, "PATCH", path(id, "/lines/"+l.ID), map[string]any{"fulfilment": channel.ShipToAddress.String()}, 200,
				"If-Match", etagOf(b))
		}
		for _, l := range b.Lines {
			assert.Equal(t, channel.ShipToAddress, l.Fulfilment)
		}

		h.clk.Advance(5 * time.Hour)
		b = h.basket(hugo, "POST", path(id, "/check-out"), map[string]any{"channel_id": "web", "policy": "price-protection"}, 200)
		assert.Equal(t, "web", b.Context.ChannelID)
		assert.Empty(t, b.Grants, "the store's access ends at check-out")
		assert.Equal(t, 404, h.do(&malik, "GET", path(id, ""), nil).status)
		h.clk.Advance(10 * time.Minute)
		ordered := h.basket(hugo, "POST", path(id, "/order"), nil, 200)
		assert.Equal(t, basket.Ordered, ordered.Status)
		assert.NotEmpty(t, ordered.Order.Fulfilment)

		svc, clk := twin(t)
		ctx := context.Background()
		_, err := svc.Create(ctx, malik, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: hugo.ID}, Context: demo.Store(demo.PartDieu, time.Time{})})
		require.NoError(t, err)
		var d *basket.Basket
		for _, n := range []basket.NewLine{line("PLANT-POT", 3), line("VASE-GLASS", 1), line("TEA-EARL", 2)} {
			clk.Advance(time.Minute)
			d, err = svc.AddLine(ctx, malik, id, n)
			require.NoError(t, err)
		}
		for _, l := range d.Lines {
			_, err = svc.SetFulfilment(ctx, malik, id, l.ID, channel.ShipToAddress)
			require.NoError(t, err)
		}
		clk.Advance(5 * time.Hour)
		_, err = svc.CheckOut(ctx, hugo, id, demo.Web(time.Time{}), basket.WithPolicy(basket.PriceProtection))
		require.NoError(t, err)
		clk.Advance(10 * time.Minute)
		d, err = svc.PlaceOrder(ctx, hugo, id)
		require.NoError(t, err)
		assert.Equal(t, d.Result.Totals, ordered.Result.Totals)
		assert.Equal(t, d.Order.Fulfilment, ordered.Order.Fulfilment)
	})
}

func TestJourneyClickCollect(t *testing.T) {
	stores(t, func(t *testing.T, opts ...harnessOption) {
		h := newHarness(t, opts...)
		ines := basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
		id := uuid.New()
		h.basket(ines, "POST", "/v1/baskets", map[string]any{"id": id, "channel_id": "web", "location_id": demo.Bellecour}, 201)
		h.basket(ines, "POST", path(id, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 2}, 200)
		h.basket(ines, "POST", path(id, "/lines"), map[string]any{"sku": "BULB-E27", "quantity": 2}, 200)
		b := h.basket(ines, "POST", path(id, "/order"), nil, 200)
		require.Len(t, b.Order.Fulfilment, 2, "the shelf's lamp is held, the other comes from the warehouse")

		// A walk-in at Bellecour cannot have Inès's lamp.
		h.clk.Advance(30 * time.Minute)
		walkIn := uuid.New()
		h.basket(lea, "POST", "/v1/baskets", map[string]any{"id": walkIn, "owner": map[string]any{"anonymous_id": "walk-in"}}, 201)
		other := h.basket(lea, "POST", path(walkIn, "/lines"), map[string]any{"sku": "LAMP-ARC", "quantity": 1}, 200)
		require.Len(t, other.Result.Lines, 1)
		for _, a := range other.Result.Lines[0].Fulfilment.Allocations {
			assert.NotEqual(t, demo.Bellecour, a.LocationID, "the lamp on Bellecour's shelf is Inès's")
		}

		h.clk.Advance(48 * time.Hour)
		h.basket(ops, "POST", path(id, "/fulfilments/F2/arrived"), nil, 200)
		h.clk.Advance(3 * time.Hour)
		for _, fo := range []string{"F1", "F2"} {
			b = h.basket(lea, "POST", path(id, "/fulfilments/"+fo+"/collected"), nil, 200)
		}
		for _, f := range b.Order.Fulfilment {
			assert.Equal(t, "collected", f.Status.String(), "fulfilment %s", f.ID)
		}
		again := h.do(&lea, "POST", path(id, "/fulfilments/F1/collected"), nil)
		assert.Equal(t, 409, again.status, "handing a parcel over twice: %s", again)
	})
}

func line(sku string, qty int64) basket.NewLine {
	return basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)}
}

func etagOf(b *basket.Basket) string { return `"` + strings.TrimSpace(itoa(b.Version)) + `"` }

func TestAShopperCannotChooseTheirCustomerGroup(t *testing.T) {
	h := newHarness(t)
	r := h.do(&camille, "POST", "/v1/baskets", map[string]any{"channel_id": "web", "customer_group": "staff"})
	require.Equal(t, 403, r.status, "%s", r)
	p := r.problem(t)
	assert.Equal(t, httpapi.ProblemTypePrefix+"forbidden", p.Type)
	assert.Equal(t, "customer_group", p.Field)
	b := h.basket(lea, "POST", "/v1/baskets", map[string]any{"owner": map[string]any{"customer_id": camille.ID}, "customer_group": "staff"}, 201)
	assert.Equal(t, "staff", b.Context.CustomerGroup, "an associate serving the customer may")
}

func TestResolveContext(t *testing.T) {
	h := newHarness(t)
	var c channel.Context
	r := h.do(&camille, "GET", "/v1/contexts?channel_id=web", nil)
	require.Equal(t, 200, r.status, "%s", r)
	r.into(t, &c)
	assert.Equal(t, "EUR", c.Currency)
	assert.Empty(t, c.LocationID)
	assert.Equal(t, h.clk.Now(), c.AsOf, "as of now")

	r = h.do(&camille, "GET", "/v1/contexts?channel_id=web&location_id="+demo.Bellecour, nil)
	require.Equal(t, 200, r.status, "%s", r)
	r.into(t, &c)
	assert.Equal(t, []channel.FulfilmentMode{channel.ClickCollect, channel.Transfer}, c.FulfilmentModes, "click & collect at Bellecour")

	r = h.do(&lea, "GET", "/v1/contexts", nil)
	require.Equal(t, 200, r.status, "%s", r)
	r.into(t, &c)
	assert.Equal(t, channel.Store, c.Kind, "an associate's own store")
	assert.Equal(t, demo.Bellecour, c.LocationID)

	r = h.do(&camille, "GET", "/v1/contexts?location_id=paris-opera", nil)
	assert.Equal(t, 422, r.status, "%s", r)
	assert.Equal(t, httpapi.ProblemTypePrefix+"unknown-context", r.problem(t).Type)
	r = h.do(&camille, "GET", "/v1/contexts", nil)
	assert.Equal(t, 400, r.status, "%s", r)
	assert.Equal(t, "channel_id", r.problem(t).Field)
}
