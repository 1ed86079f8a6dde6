package insights_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/insights"
	"github.com/omnibasket/omnibasket/promotion"
)

// counts are the scalar figures, for compact expectations.
type counts struct {
	started, checkedIn, ordered, abandoned, merged, webToStore, storeToWeb, notHonoured int64
	wait                                                                                insights.Distribution
}

func countsOf(f insights.Figures) counts {
	return counts{f.Started, f.CheckedIn, f.Ordered, f.Abandoned, f.Merged, f.WebToStore, f.StoreToWeb, f.CouponsNotHonoured, f.CheckInToOrder}
}

func minutes(n int64) int64 { return n * 60 }

// TestDocumentedExamples: the journeys of docs/insights.md, each with the
// figures it must give.
func TestDocumentedExamples(t *testing.T) {
	cases := []struct {
		name     string
		events   func(t *testing.T) []basket.Event
		total    counts
		channels map[string]counts // by channel ID; the others must be absent
		promos   map[string][]insights.PromotionCount
		coupons  map[string][]insights.CouponCount
	}{{
		name: "web to store: checked in by QR code, the web code not honoured, ordered in store",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "camille").created(hm(0, 10, 0), web).line(hm(0, 10, 1), "LAMP-ARC").
				priced(hm(0, 10, 2), []string{"WEB-LIGHT-5", "WELCOME10"}, honoured("WELCOME10")).
				checkIn(hm(1, 11, 0), bellecour).priced(hm(1, 11, 0), []string{"CANDLES-3FOR2"}, notHonoured("WELCOME10")).
				line(hm(1, 11, 15), "CANDLE-AMB").
				priced(hm(1, 11, 15), []string{"CANDLES-3FOR2", "MERCI5"}, honoured("MERCI5"), notHonoured("WELCOME10")).
				ordered(hm(1, 11, 25)).events
		},
		total: counts{started: 1, checkedIn: 1, ordered: 1, webToStore: 1, notHonoured: 1,
			wait: insights.Distribution{Count: 1, MedianSeconds: minutes(25), P90Seconds: minutes(25)}},
		channels: map[string]counts{
			"web": {started: 1},
			"store-lyon-bellecour": {checkedIn: 1, ordered: 1, webToStore: 1, notHonoured: 1,
				wait: insights.Distribution{Count: 1, MedianSeconds: minutes(25), P90Seconds: minutes(25)}},
		},
		promos: map[string][]insights.PromotionCount{"store-lyon-bellecour": {
			{PromotionID: "CANDLES-3FOR2", Name: "Promotion CANDLES-3FOR2", Orders: 1}, {PromotionID: "MERCI5", Name: "Promotion MERCI5", Orders: 1}}},
		coupons: map[string][]insights.CouponCount{"store-lyon-bellecour": {{Code: "WELCOME10", Count: 1}}},
	}, {
		name: "store to web: started on an associate's tablet (its grant is no check-in), ordered on the web",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "hugo").created(hm(1, 16, 0), partDieu).checkIn(hm(1, 16, 0), partDieu).priced(hm(1, 16, 0), nil).
				checkOut(hm(2, 9, 30), web).priced(hm(2, 9, 30), []string{"FREE-SHIP-80"}).ordered(hm(2, 9, 40)).events
		},
		total: counts{started: 1, ordered: 1, storeToWeb: 1},
		channels: map[string]counts{
			"store-lyon-part-dieu": {started: 1},
			"web":                  {ordered: 1, storeToWeb: 1},
		},
		promos: map[string][]insights.PromotionCount{"web": {{PromotionID: "FREE-SHIP-80", Name: "Promotion FREE-SHIP-80", Orders: 1}}},
	}, {
		name: "a self check-in taken up from the arrivals list is one visit; the wait runs from the arrival",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "nadia").created(hm(2, 19, 0), web).arrived(hm(3, 15, 0), partDieu).priced(hm(3, 15, 0), nil).
				checkIn(hm(3, 15, 3), partDieu).ordered(hm(3, 15, 40)).events
		},
		total: counts{started: 1, checkedIn: 1, ordered: 1, webToStore: 1,
			wait: insights.Distribution{Count: 1, MedianSeconds: minutes(40), P90Seconds: minutes(40)}},
		channels: map[string]counts{
			"web": {started: 1},
			"store-lyon-part-dieu": {checkedIn: 1, ordered: 1, webToStore: 1,
				wait: insights.Distribution{Count: 1, MedianSeconds: minutes(40), P90Seconds: minutes(40)}},
		},
	}, {
		name: "checked in at two stores: two visits; the wait runs from the latest",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "two-stores").created(hm(0, 9, 0), web).checkIn(hm(1, 10, 0), bellecour).
				checkIn(hm(1, 14, 0), partDieu).ordered(hm(1, 14, 30)).events
		},
		total: counts{started: 1, checkedIn: 2, ordered: 1, webToStore: 1,
			wait: insights.Distribution{Count: 1, MedianSeconds: minutes(30), P90Seconds: minutes(30)}},
		channels: map[string]counts{
			"web":                  {started: 1},
			"store-lyon-bellecour": {checkedIn: 1},
			"store-lyon-part-dieu": {checkedIn: 1, ordered: 1, webToStore: 1,
				wait: insights.Distribution{Count: 1, MedianSeconds: minutes(30), P90Seconds: minutes(30)}},
		},
	}, {
		name: "left the store and ordered from the app the next day: both conversions",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "jeanne").created(hm(4, 10, 0), web).checkIn(hm(4, 17, 30), partDieu).
				checkOut(hm(4, 17, 50), app).ordered(hm(5, 20, 0)).events
		},
		total: counts{started: 1, checkedIn: 1, ordered: 1, webToStore: 1, storeToWeb: 1,
			wait: insights.Distribution{Count: 1, MedianSeconds: minutes(26*60 + 30), P90Seconds: minutes(26*60 + 30)}},
		channels: map[string]counts{
			"web":                  {started: 1},
			"store-lyon-part-dieu": {checkedIn: 1},
			"app": {ordered: 1, webToStore: 1, storeToWeb: 1,
				wait: insights.Distribution{Count: 1, MedianSeconds: minutes(26*60 + 30), P90Seconds: minutes(26*60 + 30)}},
		},
	}, {
		name: "priced elsewhere ends the visit: coming back is another check-in",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "back-again").created(hm(0, 9, 0), web).checkIn(hm(0, 10, 0), bellecour).
				moved(hm(0, 12, 0), web).checkIn(hm(1, 10, 0), bellecour).events
		},
		total:    counts{started: 1, checkedIn: 2},
		channels: map[string]counts{"web": {started: 1}, "store-lyon-bellecour": {checkedIn: 2}},
	}, {
		name: "abandoned, revived and abandoned again counts twice; merged away is not abandoned",
		events: func(t *testing.T) []basket.Event {
			target := newHistory(t, "target").created(hm(0, 8, 0), web)
			return concat(target,
				newHistory(t, "paul").created(hm(0, 21, 0), web).status(hm(0, 21, 20), basket.Abandoned).
					status(hm(1, 9, 0), basket.Cart).status(hm(2, 9, 0), basket.Abandoned),
				newHistory(t, "phone").created(hm(2, 19, 0), app).mergedInto(hm(2, 19, 10), target.id))
		},
		total:    counts{started: 3, abandoned: 2, merged: 1},
		channels: map[string]counts{"web": {started: 2, abandoned: 2}, "app": {started: 1, merged: 1}},
	}, {
		name: "an order checked in at a store to be collected is no check-in",
		events: func(t *testing.T) []basket.Event {
			collect := webCollect()
			return newHistory(t, "ines").created(hm(2, 12, 0), collect).ordered(hm(2, 12, 5)).
				arrived(hm(4, 18, 0), bellecour).checkIn(hm(4, 18, 2), bellecour).events
		},
		total:    counts{started: 1, ordered: 1},
		channels: map[string]counts{"web": {started: 1, ordered: 1}},
	}, {
		name: "a coupon not honoured counts once per stay in a channel that does not honour it",
		events: func(t *testing.T) []basket.Event {
			return newHistory(t, "coupons").created(hm(0, 9, 0), web).priced(hm(0, 9, 0), nil, honoured("WELCOME10")).
				checkIn(hm(0, 10, 0), bellecour).priced(hm(0, 10, 0), nil, notHonoured("WELCOME10")).repriced(hm(0, 10, 5)).
				priced(hm(0, 10, 6), []string{"MERCI5"}, honoured("MERCI5"), notHonoured("WELCOME10")).
				checkIn(hm(0, 15, 0), partDieu).repriced(hm(0, 15, 0)).
				checkOut(hm(0, 18, 0), web).priced(hm(0, 18, 0), nil, honoured("WELCOME10"), notHonoured("MERCI5")).
				checkIn(hm(1, 10, 0), bellecour).priced(hm(1, 10, 0), nil, notHonoured("WELCOME10"), honoured("MERCI5")).events
		},
		total: counts{started: 1, checkedIn: 3, notHonoured: 4},
		channels: map[string]counts{
			"web":                  {started: 1, notHonoured: 1},
			"store-lyon-bellecour": {checkedIn: 2, notHonoured: 2},
			"store-lyon-part-dieu": {checkedIn: 1, notHonoured: 1},
		},
		coupons: map[string][]insights.CouponCount{
			"web":                  {{Code: "MERCI5", Count: 1}},
			"store-lyon-bellecour": {{Code: "WELCOME10", Count: 2}},
			"store-lyon-part-dieu": {{Code: "WELCOME10", Count: 1}},
		},
	}, {
		name: "histories from before patches and order events: a whole result, an order by status change",
		events: func(t *testing.T) []basket.Event {
			h := newHistory(t, "legacy").created(hm(0, 9, 0), web)
			r := basket.Result{BasketID: h.id, BasketVersion: 2, Context: web, Policy: basket.TargetPrice, Complete: true,
				Promotions: []promotion.Explanation{{PromotionID: "SPEND-150", Name: "15.00 off from 150.00", Lane: promotion.Basket, Status: promotion.Applied}},
				Coupons:    []promotion.CouponState{notHonoured("MERCI5")}}
			return h.add(basket.EventRecontextualized, hm(0, 9, 1), basket.Recontextualized{Context: web, Result: &r}).
				status(hm(0, 9, 30), basket.Ordered).ordered(hm(0, 9, 31)).events
		},
		total:    counts{started: 1, ordered: 1, notHonoured: 1},
		channels: map[string]counts{"web": {started: 1, ordered: 1, notHonoured: 1}},
		promos:   map[string][]insights.PromotionCount{"web": {{PromotionID: "SPEND-150", Name: "15.00 off from 150.00", Orders: 1}}},
		coupons:  map[string][]insights.CouponCount{"web": {{Code: "MERCI5", Count: 1}}},
	}, {
		name: "events the model does not read, known or not, only advance the sequence",
		events: func(t *testing.T) []basket.Event {
			h := newHistory(t, "quiet").created(hm(0, 9, 0), web).line(hm(0, 9, 1), "MUG-STONE")
			h.add("basket.invented_later", hm(0, 9, 2), map[string]any{"anything": []int{1, 2}})
			return h.add(basket.EventPaid, hm(0, 9, 3), json.RawMessage(`{"settlement":{}}`)).ordered(hm(0, 9, 4)).events
		},
		total:    counts{started: 1, ordered: 1},
		channels: map[string]counts{"web": {started: 1, ordered: 1}},
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := insights.NewModel()
			events := c.events(t)
			feed(t, m, events...)
			assert.Equal(t, int64(len(events)), m.Events())
			r := week(t, m)
			assert.Equal(t, c.total, countsOf(r.Total), "total")
			require.Len(t, r.Channels, len(c.channels), "channels: %+v", r.Channels)
			for _, f := range r.Channels {
				want, ok := c.channels[f.ID]
				require.True(t, ok, "unexpected channel %s", f.ID)
				assert.Equal(t, want, countsOf(f.Figures), "channel %s", f.ID)
				assert.Equal(t, orEmpty(c.promos[f.ID]), f.Promotions, "promotions of %s", f.ID)
				assert.Equal(t, orEmpty(c.coupons[f.ID]), f.Coupons, "coupons of %s", f.ID)
			}
		})
	}
}

func webCollect() channel.Context {
	c := web
	c.LocationID = bellecour.LocationID
	return c
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// TestRefusals: what the model refuses, with which error, leaving it as
// it was.
func TestRefusals(t *testing.T) {
	base := newHistory(t, "base").created(hm(0, 9, 0), web).line(hm(0, 9, 1), "MUG-STONE")
	other := newHistory(t, "other").created(hm(0, 9, 0), web).line(hm(0, 9, 1), "MUG-STONE").line(hm(0, 9, 2), "TEA-EARL")
	withData := func(e basket.Event, data string) basket.Event {
		e.Data = json.RawMessage(data)
		return e
	}
	next := func(typ basket.EventType, data string) basket.Event {
		return basket.Event{BasketID: base.id, Seq: 3, Type: typ, At: hm(0, 10, 0), ChannelID: "web", Data: json.RawMessage(data)}
	}
	cases := []struct {
		name  string
		event basket.Event
		gap   *insights.GapError
	}{
		{name: "a gap in a basket's events", event: other.events[2], gap: &insights.GapError{BasketID: other.id, Seen: 0, Seq: 3}},
		{name: "a gap after some events", event: func() basket.Event { e := other.events[2]; e.BasketID = base.id; e.Seq = 4; return e }(),
			gap: &insights.GapError{BasketID: base.id, Seen: 2, Seq: 4}},
		{name: "a first event that is not a creation", event: func() basket.Event { e := other.events[1]; e.Seq = 1; return e }()},
		{name: "a second creation", event: func() basket.Event { e := base.events[0]; e.Seq = 3; return e }()},
		{name: "the nil basket ID", event: func() basket.Event { e := base.events[0]; e.BasketID = [16]byte{}; return e }()},
		{name: "sequence number 0", event: func() basket.Event { e := base.events[0]; e.Seq = 0; return e }()},
		{name: "a creation that is not JSON", event: withData(other.events[0], `{"context":`)},
		{name: "a creation in an unknown kind of channel", event: withData(other.events[0], `{"context":{"channel_id":"web","kind":"teleport"}}`)},
		{name: "a creation without a channel", event: withData(other.events[0], `{"context":{"kind":"web"}}`)},
		{name: "a pricing with neither patch nor result", event: next(basket.EventRecontextualized, `{"context":{"channel_id":"web","kind":"web"}}`)},
		{name: "a pricing with both", event: next(basket.EventRecontextualized, `{"context":{"channel_id":"web","kind":"web"},"patch":{},"result":{}}`)},
		{name: "a pricing whose promotions are not a list", event: next(basket.EventRecontextualized, `{"context":{"channel_id":"web","kind":"web"},"patch":{"promotions":{}}}`)},
		{name: "a coupon of an unknown status", event: next(basket.EventRecontextualized, `{"context":{"channel_id":"web","kind":"web"},"patch":{"coupons":[{"code":"X","status":"maybe"}]}}`)},
		{name: "a check-in without a grant", event: next(basket.EventCheckedIn, `{"to":{"channel_id":"store-a","kind":"store","location_id":"a"}}`)},
		{name: "an arrival without a location", event: next(basket.EventArrived, `{"to":{"channel_id":"store-a","kind":"store","location_id":"a"}}`)},
		{name: "a check-out nowhere", event: next(basket.EventCheckedOut, `{"to":{}}`)},
		{name: "an order in a channel of no kind", event: next(basket.EventOrderPlaced, `{"terms":{"context":{"channel_id":"web"}}}`)},
		{name: "a status that is not one", event: next(basket.EventStatusChanged, `{"to":"lost"}`)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := insights.NewModel()
			feed(t, m, base.events...)
			before := week(t, m)
			err := m.Apply(c.event)
			require.Error(t, err)
			assert.ErrorIs(t, err, basket.ErrInvalid)
			if c.gap != nil {
				var gap *insights.GapError
				require.ErrorAs(t, err, &gap)
				assert.Equal(t, c.gap, gap)
			} else {
				var in *basket.InputError
				assert.ErrorAs(t, err, &in)
			}
			assert.Equal(t, before, week(t, m), "unchanged")
			assert.Equal(t, int64(2), m.Events())
			// The basket goes on from where it was.
			require.NoError(t, m.Apply(newHistory(t, "base").created(hm(0, 9, 0), web).line(hm(0, 9, 1), "MUG-STONE").ordered(hm(0, 9, 5)).events[2]))
			assert.Equal(t, int64(1), week(t, m).Total.Ordered)
		})
	}
}

// TestDuplicatesCountOnce: an event delivered again, right away or after
// later ones, changes nothing.
func TestDuplicatesCountOnce(t *testing.T) {
	h := newHistory(t, "twice").created(hm(0, 9, 0), web).checkIn(hm(0, 10, 0), bellecour).
		priced(hm(0, 10, 0), []string{"MERCI5"}, notHonoured("WELCOME10")).ordered(hm(0, 10, 30))
	m := insights.NewModel()
	for _, e := range h.events {
		require.NoError(t, m.Apply(e))
		require.NoError(t, m.Apply(e))
	}
	once := insights.NewModel()
	feed(t, once, h.events...)
	assert.Equal(t, week(t, once), week(t, m))
	feed(t, m, h.events...)
	assert.Equal(t, week(t, once), week(t, m))
	assert.Equal(t, int64(4), m.Events())
	assert.Equal(t, 1, m.Baskets())
}

// TestPeriods: the buckets a period is cut into, and what is refused.
func TestPeriods(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	type span struct{ from, to string }
	cases := []struct {
		name    string
		period  insights.Period
		buckets []span
		field   string // the refusal's field, when refused
	}{
		{name: "days in UTC by default", period: insights.Period{From: monday, To: monday.Add(50 * time.Hour)},
			buckets: []span{{"2026-11-23T00:00:00Z", "2026-11-24T00:00:00Z"}, {"2026-11-24T00:00:00Z", "2026-11-25T00:00:00Z"}, {"2026-11-25T00:00:00Z", "2026-11-25T02:00:00Z"}}},
		{name: "the first and last days cut to the period", period: insights.Period{From: monday.Add(20 * time.Hour), To: monday.Add(30 * time.Hour), Granularity: insights.Day},
			buckets: []span{{"2026-11-23T20:00:00Z", "2026-11-24T00:00:00Z"}, {"2026-11-24T00:00:00Z", "2026-11-24T06:00:00Z"}}},
		{name: "weeks run Monday to Monday", period: insights.Period{From: monday.AddDate(0, 0, -5), To: monday.AddDate(0, 0, 9), Granularity: insights.Week},
			buckets: []span{{"2026-11-18T00:00:00Z", "2026-11-23T00:00:00Z"}, {"2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"}, {"2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z"}}},
		{name: "a Paris day of 25 hours when summer time ends", period: insights.Period{From: time.Date(2026, 10, 24, 0, 0, 0, 0, paris), To: time.Date(2026, 10, 27, 0, 0, 0, 0, paris), Location: paris},
			buckets: []span{{"2026-10-24T00:00:00+02:00", "2026-10-25T00:00:00+02:00"}, {"2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00"}, {"2026-10-26T00:00:00+01:00", "2026-10-27T00:00:00+01:00"}}},
		{name: "a period given in another zone is cut in the report's", period: insights.Period{From: monday, To: monday.Add(24 * time.Hour), Location: paris},
			buckets: []span{{"2026-11-23T01:00:00+01:00", "2026-11-24T00:00:00+01:00"}, {"2026-11-24T00:00:00+01:00", "2026-11-24T01:00:00+01:00"}}},
		{name: "no start", period: insights.Period{To: monday}, field: "Period.From"},
		{name: "no end", period: insights.Period{From: monday}, field: "Period.To"},
		{name: "an empty period", period: insights.Period{From: monday, To: monday}, field: "Period.To"},
		{name: "backwards", period: insights.Period{From: monday, To: monday.Add(-time.Hour)}, field: "Period.To"},
		{name: "an unknown granularity", period: insights.Period{From: monday, To: monday.Add(time.Hour), Granularity: "month"}, field: "Period.Granularity"},
		{name: "before year 1 in UTC", period: insights.Period{From: time.Date(1, 1, 1, 0, 0, 0, 0, time.FixedZone("+01:00", 3600)), To: time.Date(1, 1, 3, 0, 0, 0, 0, time.UTC)}, field: "Period.From"},
		{name: "past year 9999 in the report's zone", period: insights.Period{From: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), To: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), Location: paris}, field: "Period.To"},
		{name: "too many days", period: insights.Period{From: monday, To: monday.AddDate(0, 0, insights.MaxBuckets+1)}, field: "Period"},
		{name: "as many days as allowed", period: insights.Period{From: monday, To: monday.AddDate(0, 0, insights.MaxBuckets)}},
	}
	m := insights.NewModel()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := m.Report(c.period)
			if c.field != "" {
				var in *basket.InputError
				require.ErrorAs(t, err, &in)
				assert.Equal(t, c.field, in.Field)
				assert.ErrorIs(t, err, basket.ErrInvalid)
				return
			}
			require.NoError(t, err)
			if c.buckets == nil {
				assert.Len(t, r.Buckets, insights.MaxBuckets)
				return
			}
			var got []span
			for _, b := range r.Buckets {
				got = append(got, span{b.From.Format(time.RFC3339), b.To.Format(time.RFC3339)})
				assert.Equal(t, []insights.ChannelFigures{}, b.Channels)
			}
			assert.Equal(t, c.buckets, got)
		})
	}
}

// TestFactsAreDatedInTheirBucket: a fact at the start of the period is in
// it, one at its end is not; each lands in its own day.
func TestFactsAreDatedInTheirBucket(t *testing.T) {
	m := insights.NewModel()
	feed(t, m,
		newHistory(t, "at-from").created(monday, web).events[0],
		newHistory(t, "before").created(monday.Add(-time.Nanosecond), web).events[0],
		newHistory(t, "at-to").created(monday.AddDate(0, 0, 7), web).events[0],
		newHistory(t, "sunday-night").created(monday.AddDate(0, 0, 7).Add(-time.Nanosecond), bellecour).events[0])
	r := week(t, m)
	assert.Equal(t, int64(2), r.Total.Started)
	assert.Equal(t, int64(1), r.Buckets[0].Total.Started)
	assert.Equal(t, []insights.ChannelFigures{{Channel: chanOf(bellecour), Figures: r.Buckets[6].Total}}, r.Buckets[6].Channels)
	assert.Equal(t, int64(1), r.Buckets[6].Total.Started)
}

// TestDistributionByNearestRank: median and 90th percentile are the
// ⌈n/2⌉-th and ⌈9n/10⌉-th smallest waits, in whole seconds.
func TestDistributionByNearestRank(t *testing.T) {
	cases := []struct {
		name  string
		waits []time.Duration
		want  insights.Distribution
	}{
		{"none", nil, insights.Distribution{}},
		{"one", []time.Duration{90 * time.Second}, insights.Distribution{Count: 1, MedianSeconds: 90, P90Seconds: 90}},
		{"two", []time.Duration{20 * time.Minute, 10 * time.Minute}, insights.Distribution{Count: 2, MedianSeconds: 600, P90Seconds: 1200}},
		{"ten", []time.Duration{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, insights.Distribution{Count: 10, MedianSeconds: 5, P90Seconds: 9}},
		{"eleven", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, insights.Distribution{Count: 11, MedianSeconds: 6, P90Seconds: 10}},
		{"fractions of a second are dropped", []time.Duration{1999 * time.Millisecond}, insights.Distribution{Count: 1, MedianSeconds: 1, P90Seconds: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := insights.NewModel()
			for i, w := range c.waits {
				if w < time.Millisecond {
					w *= time.Second
				}
				h := newHistory(t, c.name+string(rune('a'+i))).created(hm(0, 8, 0), web).checkIn(hm(0, 9, 0), bellecour).ordered(hm(0, 9, 0).Add(w))
				feed(t, m, h.events...)
			}
			assert.Equal(t, c.want, week(t, m).Total.CheckInToOrder)
		})
	}
}

// TestPromotionNameIsTheLatest: a promotion renamed between two orders is
// reported under the name of the later order, in any feeding order.
func TestPromotionNameIsTheLatest(t *testing.T) {
	first := newHistory(t, "first").created(hm(0, 9, 0), web)
	first.add(basket.EventRecontextualized, hm(0, 9, 1), basket.Recontextualized{Context: web, Patch: &basket.ResultPatch{Policy: basket.TargetPrice,
		Promotions: &[]promotion.Explanation{{PromotionID: "SPRING", Name: "Spring sale", Lane: promotion.Basket, Status: promotion.Applied}}}}).ordered(hm(0, 9, 2))
	second := newHistory(t, "second").created(hm(1, 9, 0), web)
	second.add(basket.EventRecontextualized, hm(1, 9, 1), basket.Recontextualized{Context: web, Patch: &basket.ResultPatch{Policy: basket.TargetPrice,
		Promotions: &[]promotion.Explanation{{PromotionID: "SPRING", Name: "Spring sale, extended", Lane: promotion.Basket, Status: promotion.Applied}}}}).ordered(hm(1, 9, 2))
	for _, order := range [][]*history{{first, second}, {second, first}} {
		m := insights.NewModel()
		feed(t, m, concat(order...)...)
		assert.Equal(t, []insights.PromotionCount{{PromotionID: "SPRING", Name: "Spring sale, extended", Orders: 2}}, week(t, m).Total.Promotions)
	}
}

// TestGapErrorSays: the error names the basket and what is missing.
func TestGapErrorSays(t *testing.T) {
	err := error(&insights.GapError{Seen: 4, Seq: 6})
	assert.Contains(t, err.Error(), "after event 4")
	assert.True(t, errors.Is(err, basket.ErrInvalid))
	assert.Contains(t, (&insights.GapError{Seq: 6}).Error(), "creation was not seen")
}
