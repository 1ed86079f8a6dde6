package insights_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/insights"
	"github.com/omnibasket/omnibasket/promotion"
)

// drawn is a random set of basket histories and what the generator knows
// they did.
type drawn struct {
	histories []*history
	starts    []time.Time // of each basket
	orders    []time.Time // of the baskets ordered
}

var (
	contexts   = []channel.Context{web, app, bellecour, partDieu}
	stores     = []channel.Context{bellecour, partDieu}
	remote     = []channel.Context{web, app}
	promoIDs   = []string{"CANDLES-3FOR2", "MERCI5", "SPEND-150", "WEB-LIGHT-5"}
	codes      = []string{"MERCI5", "WELCOME10"}
	couponKind = []promotion.CouponStatus{promotion.CouponApplied, promotion.CouponNotHonouredHere, promotion.CouponConditionUnmet}
)

// drawHistories draws up to 6 baskets living from a day before the demo
// week to a day after it, each a random walk across channels.
func drawHistories(t *rapid.T) drawn {
	var d drawn
	n := rapid.IntRange(1, 6).Draw(t, "baskets")
	for i := range n {
		h := newHistory(t, fmt.Sprintf("basket-%d", i))
		at := monday.Add(time.Duration(rapid.Int64Range(-24, 8*24).Draw(t, "start hour")) * time.Hour)
		h.created(at, rapid.SampledFrom(contexts).Draw(t, "created in"))
		d.starts = append(d.starts, at)
		if h.now.Kind.IsPhysical() && rapid.Bool().Draw(t, "associate's grant") {
			h.checkIn(at, h.now)
		}
		ordered, ended := false, false
		for range rapid.IntRange(0, 12).Draw(t, "steps") {
			at = at.Add(time.Duration(rapid.Int64Range(0, 30*60).Draw(t, "minutes later")) * time.Minute)
			switch rapid.IntRange(0, 9).Draw(t, "step") {
			case 0:
				h.checkIn(at, rapid.SampledFrom(stores).Draw(t, "store"))
			case 1:
				h.arrived(at, rapid.SampledFrom(stores).Draw(t, "store"))
			case 2:
				h.checkOut(at, rapid.SampledFrom(remote).Draw(t, "to"))
			case 3:
				h.moved(at, rapid.SampledFrom(contexts).Draw(t, "to"))
			case 4:
				promos := rapid.SliceOfNDistinct(rapid.SampledFrom(promoIDs), 0, len(promoIDs), rapid.ID[string]).Draw(t, "promotions")
				var coupons []promotion.CouponState
				for _, code := range rapid.SliceOfNDistinct(rapid.SampledFrom(codes), 0, len(codes), rapid.ID[string]).Draw(t, "codes") {
					coupons = append(coupons, promotion.CouponState{Code: code, Status: rapid.SampledFrom(couponKind).Draw(t, "coupon status")})
				}
				h.priced(at, promos, coupons...)
			case 5:
				h.repriced(at)
			case 6:
				h.line(at, "MUG-STONE")
			case 7:
				if !ordered && !ended {
					if rapid.Bool().Draw(t, "merged") {
						h.mergedInto(at, newHistory(t, "merge-target").id)
						ended = true
					} else {
						h.status(at, basket.Abandoned)
						h.status(at, basket.Cart)
					}
				}
			default:
				if !ordered && !ended {
					h.ordered(at)
					ordered = true
					d.orders = append(d.orders, at)
				}
			}
		}
		d.histories = append(d.histories, h)
	}
	return d
}

// interleave delivers the histories' events in a random interleaving
// that keeps each basket's order, with random redeliveries of events
// already delivered.
func interleave(t *rapid.T, hs []*history) []basket.Event {
	next := make([]int, len(hs))
	var out []basket.Event
	for {
		var open []int
		for i, h := range hs {
			if next[i] < len(h.events) {
				open = append(open, i)
			}
		}
		if len(open) == 0 {
			return out
		}
		i := rapid.SampledFrom(open).Draw(t, "basket")
		out = append(out, hs[i].events[next[i]])
		next[i]++
		if rapid.IntRange(0, 4).Draw(t, "redeliver") == 0 {
			out = append(out, rapid.SampledFrom(out).Draw(t, "again"))
		}
	}
}

func drawPeriod(t *rapid.T) insights.Period {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	from := monday.Add(time.Duration(rapid.Int64Range(-36, 48).Draw(t, "from hour")) * time.Hour)
	return insights.Period{From: from, To: from.Add(time.Duration(rapid.Int64Range(1, 10*24).Draw(t, "hours")) * time.Hour),
		Granularity: rapid.SampledFrom([]insights.Granularity{insights.Day, insights.Week}).Draw(t, "granularity"),
		Location:    rapid.SampledFrom([]*time.Location{time.UTC, paris}).Draw(t, "zone")}
}

func report(t require.TestingT, m *insights.Model, p insights.Period) insights.Report {
	r, err := m.Report(p)
	require.NoError(t, err)
	return r
}

// TestPropertyInterleavingAndRedeliveryDoNotMatter: any interleaving of
// the baskets, with any events delivered again, reports what the
// histories fed one after the other report.
func TestPropertyInterleavingAndRedeliveryDoNotMatter(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := drawHistories(t)
		p := drawPeriod(t)
		sequential := insights.NewModel()
		feed(t, sequential, concat(d.histories...)...)
		mixed := insights.NewModel()
		feed(t, mixed, interleave(t, d.histories)...)
		assert.Equal(t, report(t, sequential, p), report(t, mixed, p))
		assert.Equal(t, sequential.Events(), mixed.Events())
	})
}

// TestPropertyReplayingTwiceIsOnce: feeding every event a second time
// changes no report.
func TestPropertyReplayingTwiceIsOnce(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := drawHistories(t)
		p := drawPeriod(t)
		m := insights.NewModel()
		events := concat(d.histories...)
		feed(t, m, events...)
		once := report(t, m, p)
		feed(t, m, events...)
		assert.Equal(t, once, report(t, m, p))
		assert.Equal(t, int64(len(events)), m.Events())
	})
}

// TestPropertyFiguresAddUp: no count is negative; the channels of a
// bucket add up to its total, the buckets to the period's total, and the
// period's channels to it too; the counts match what the generator did.
func TestPropertyFiguresAddUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		d := drawHistories(t)
		p := drawPeriod(t)
		m := insights.NewModel()
		feed(t, m, interleave(t, d.histories)...)
		r := report(t, m, p)

		checkSum(t, "period channels", r.Total, channelsOf(r.Channels))
		var buckets []insights.Figures
		for _, b := range r.Buckets {
			checkSum(t, "bucket "+b.From.String(), b.Total, channelsOf(b.Channels))
			buckets = append(buckets, b.Total)
		}
		checkSum(t, "buckets", r.Total, buckets)

		inPeriod := func(ts []time.Time) (n int64) {
			for _, at := range ts {
				if !at.Before(p.From) && at.Before(p.To) {
					n++
				}
			}
			return n
		}
		assert.Equal(t, inPeriod(d.starts), r.Total.Started)
		assert.Equal(t, inPeriod(d.orders), r.Total.Ordered)
	})
}

func channelsOf(cs []insights.ChannelFigures) []insights.Figures {
	var out []insights.Figures
	for _, c := range cs {
		out = append(out, c.Figures)
	}
	return out
}

// checkSum checks that parts add up to whole, and that every figure is
// sane.
func checkSum(t *rapid.T, what string, whole insights.Figures, parts []insights.Figures) {
	var sum counts
	promos, codes := map[string]int64{}, map[string]int64{}
	for _, f := range append(parts, whole) {
		c := countsOf(f)
		for _, n := range []int64{c.started, c.checkedIn, c.ordered, c.abandoned, c.merged, c.webToStore, c.storeToWeb, c.notHonoured, c.wait.Count} {
			assert.GreaterOrEqual(t, n, int64(0), what)
		}
		assert.LessOrEqual(t, c.webToStore, c.ordered, what)
		assert.LessOrEqual(t, c.storeToWeb, c.ordered, what)
		assert.LessOrEqual(t, c.wait.Count, c.ordered, what)
		assert.LessOrEqual(t, c.wait.MedianSeconds, c.wait.P90Seconds, what)
		assert.GreaterOrEqual(t, c.wait.MedianSeconds, int64(0), what)
		var codeSum int64
		for _, x := range f.Coupons {
			codeSum += x.Count
		}
		assert.Equal(t, c.notHonoured, codeSum, what+": coupons by code")
		for _, x := range f.Promotions {
			assert.LessOrEqual(t, x.Orders, c.ordered, what)
		}
	}
	for _, f := range parts {
		c := countsOf(f)
		sum.started += c.started
		sum.checkedIn += c.checkedIn
		sum.ordered += c.ordered
		sum.abandoned += c.abandoned
		sum.merged += c.merged
		sum.webToStore += c.webToStore
		sum.storeToWeb += c.storeToWeb
		sum.notHonoured += c.notHonoured
		sum.wait.Count += c.wait.Count
		for _, x := range f.Promotions {
			promos[x.PromotionID] += x.Orders
		}
		for _, x := range f.Coupons {
			codes[x.Code] += x.Count
		}
	}
	want := countsOf(whole)
	want.wait = insights.Distribution{Count: want.wait.Count}
	assert.Equal(t, want, sum, what)
	for _, x := range whole.Promotions {
		assert.Equal(t, x.Orders, promos[x.PromotionID], what+": "+x.PromotionID)
		delete(promos, x.PromotionID)
	}
	assert.Empty(t, promos, what+": promotions only in parts")
	for _, x := range whole.Coupons {
		assert.Equal(t, x.Count, codes[x.Code], what+": "+x.Code)
		delete(codes, x.Code)
	}
	assert.Empty(t, codes, what+": codes only in parts")
}
