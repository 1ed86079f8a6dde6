package insights_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
	"github.com/omnibasket/omnibasket/promotion"
)

// monday is 00:00 UTC on the Monday of the demo week.
var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// The channels of the examples.
var (
	web       = demo.Web(time.Time{})
	bellecour = demo.Store(demo.Bellecour, time.Time{})
	partDieu  = demo.Store(demo.PartDieu, time.Time{})
	app       = channel.Context{ChannelID: "app", Kind: channel.App, Country: "FR", Currency: "EUR"}
)

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	require.TestingT
	Helper()
}

func chanOf(c channel.Context) insights.Channel {
	return insights.Channel{ID: c.ChannelID, Kind: c.Kind}
}

// history writes the events of one basket as the basket package records
// them: the payload types encoded to JSON, one sequence number after the
// other.
type history struct {
	t      tb
	id     uuid.UUID
	now    channel.Context
	events []basket.Event
}

func newHistory(t tb, name string) *history {
	return &history{t: t, id: uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://omnibasket.example/insights-test/"+name))}
}

func (h *history) add(typ basket.EventType, at time.Time, payload any) *history {
	h.t.Helper()
	data, err := json.Marshal(payload)
	require.NoError(h.t, err)
	h.events = append(h.events, basket.Event{BasketID: h.id, Seq: int64(len(h.events)) + 1, Type: typ, At: at,
		ChannelID: h.now.ChannelID, LocationID: h.now.LocationID,
		Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-" + h.id.String()[:8]}, Data: data})
	return h
}

func (h *history) created(at time.Time, in channel.Context) *history {
	h.now = in
	return h.add(basket.EventCreated, at, basket.Created{Owner: basket.Owner{CustomerID: "cust-" + h.id.String()[:8]}, Status: basket.Cart, Context: in})
}

func (h *history) line(at time.Time, sku string) *history {
	id := fmt.Sprintf("L%d", len(h.events))
	return h.add(basket.EventLineAdded, at, basket.LineAdded{Line: basket.Line{ID: id, SKU: sku, Quantity: 1, Product: demo.Product(sku)}})
}

// checkIn is an associate's check-in into a store (to's location).
func (h *history) checkIn(at time.Time, to channel.Context) *history {
	from := h.now
	h.now = to
	return h.add(basket.EventCheckedIn, at, basket.Handoff{From: from, To: to, Method: "qr",
		Grant: &basket.Grant{LocationID: to.LocationID, GrantedBy: "lea", ExpiresAt: at.Add(4 * time.Hour)}})
}

// arrived is a self check-in by the store's tag.
func (h *history) arrived(at time.Time, to channel.Context) *history {
	from := h.now
	h.now = to
	return h.add(basket.EventArrived, at, basket.Arrived{LocationID: to.LocationID, Method: "qr", From: from, To: to})
}

func (h *history) checkOut(at time.Time, to channel.Context) *history {
	from := h.now
	h.now = to
	return h.add(basket.EventCheckedOut, at, basket.Handoff{From: from, To: to})
}

// priced records a pricing in the current context applying promotions
// and giving coupons their statuses (code → status).
func (h *history) priced(at time.Time, promotions []string, coupons ...promotion.CouponState) *history {
	ps := []promotion.Explanation{{PromotionID: "NEVER", Name: "Never applies", Lane: promotion.Basket, Status: promotion.NotApplicable, Reason: promotion.ReasonMinSubtotal}}
	for _, id := range promotions {
		ps = append(ps, promotion.Explanation{PromotionID: id, Name: "Promotion " + id, Lane: promotion.Basket, Status: promotion.Applied})
	}
	return h.add(basket.EventRecontextualized, at, basket.Recontextualized{Context: h.now,
		Patch: &basket.ResultPatch{BasketVersion: int64(len(h.events)) + 1, Policy: basket.TargetPrice, Complete: true, Promotions: &ps, Coupons: &coupons}})
}

// repriced records a pricing whose promotions and coupons did not change
// (a patch without them).
func (h *history) repriced(at time.Time) *history {
	return h.add(basket.EventRecontextualized, at, basket.Recontextualized{Context: h.now,
		Patch: &basket.ResultPatch{BasketVersion: int64(len(h.events)) + 1, Policy: basket.TargetPrice, Complete: true}})
}

// moved is a recontextualization into another context, without check-in
// or check-out.
func (h *history) moved(at time.Time, to channel.Context) *history {
	h.now = to
	return h.repriced(at)
}

func (h *history) ordered(at time.Time) *history {
	return h.add(basket.EventOrderPlaced, at, basket.OrderPlaced{Terms: basket.OrderTerms{Context: h.now, Options: basket.Options{Policy: basket.TargetPrice}}})
}

func (h *history) status(at time.Time, to basket.Status) *history {
	return h.add(basket.EventStatusChanged, at, basket.StatusChanged{From: basket.Cart, To: to})
}

func (h *history) mergedInto(at time.Time, target uuid.UUID) *history {
	return h.add(basket.EventStatusChanged, at, basket.StatusChanged{From: basket.Cart, To: basket.Abandoned, MergedInto: &target})
}

func notHonoured(code string) promotion.CouponState {
	return promotion.CouponState{Code: code, Status: promotion.CouponNotHonouredHere, Reason: promotion.ReasonWrongChannel}
}

func honoured(code string) promotion.CouponState {
	return promotion.CouponState{Code: code, Status: promotion.CouponApplied, PromotionIDs: []string{code}}
}

// feed applies events in order and fails the test on any refusal.
func feed(t tb, m *insights.Model, events ...basket.Event) {
	t.Helper()
	for _, e := range events {
		require.NoError(t, m.Apply(e), "%s %d of %s", e.Type, e.Seq, e.BasketID)
	}
}

func concat(hs ...*history) []basket.Event {
	var out []basket.Event
	for _, h := range hs {
		out = append(out, h.events...)
	}
	return out
}

// week is the report of the demo week, by day, in UTC.
func week(t tb, m *insights.Model) insights.Report {
	t.Helper()
	r, err := m.Report(insights.Period{From: monday, To: monday.AddDate(0, 0, 7), Granularity: insights.Day})
	require.NoError(t, err)
	return r
}

// channelFigures finds a channel's figures of the whole period.
func channelFigures(r insights.Report, c channel.Context) insights.Figures {
	for _, f := range r.Channels {
		if f.Channel == chanOf(c) {
			return f.Figures
		}
	}
	return insights.Figures{}
}

func hm(day, hour, minute int) time.Time {
	return monday.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}
