package insights

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// Granularity is how a report cuts its period: into calendar days or ISO
// weeks (Monday to Sunday) of the period's time zone.
type Granularity string

// The granularities.
const (
	Day  Granularity = "day"
	Week Granularity = "week"
)

// Valid reports whether g is a granularity.
func (g Granularity) Valid() bool { return g == Day || g == Week }

// MaxBuckets bounds the days or weeks of one report (two years of days):
// a report is read by a person, and its cost follows its buckets.
const MaxBuckets = 731

// Period is what a report covers: the instants from From (included) to To
// (excluded), cut at the day or week boundaries of Location.
type Period struct {
	From, To time.Time
	// Granularity is Day when empty.
	Granularity Granularity
	// Location is the time zone whose midnights cut the days (UTC when
	// nil): a store's Tuesday is its own.
	Location *time.Location
}

func (p Period) normalized() (Period, []time.Time, error) {
	if p.Granularity == "" {
		p.Granularity = Day
	}
	if p.Location == nil {
		p.Location = time.UTC
	}
	switch {
	case p.From.IsZero():
		return p, nil, &basket.InputError{Field: "Period.From", Reason: "must be set"}
	case p.To.IsZero():
		return p, nil, &basket.InputError{Field: "Period.To", Reason: "must be set"}
	case !p.From.Before(p.To):
		return p, nil, &basket.InputError{Field: "Period.To", Reason: fmt.Sprintf("must be after From (%s), got %s", p.From.Format(time.RFC3339), p.To.Format(time.RFC3339))}
	case !inRange(p.From, p.Location):
		return p, nil, &basket.InputError{Field: "Period.From", Reason: fmt.Sprintf("must be within the years %d to %d, got %s", minYear, maxYear, p.From.Format(time.RFC3339))}
	case !inRange(p.To, p.Location):
		return p, nil, &basket.InputError{Field: "Period.To", Reason: fmt.Sprintf("must be within the years %d to %d, got %s", minYear, maxYear, p.To.Format(time.RFC3339))}
	case !p.Granularity.Valid():
		return p, nil, &basket.InputError{Field: "Period.Granularity", Reason: fmt.Sprintf("must be %q or %q, got %.32q", Day, Week, p.Granularity)}
	}
	p.From, p.To = p.From.In(p.Location), p.To.In(p.Location)
	cuts := []time.Time{p.From}
	for next := p.boundaryAfter(p.From); next.Before(p.To); next = p.boundaryAfter(next) {
		if len(cuts) == MaxBuckets {
			return p, nil, &basket.InputError{Field: "Period", Reason: fmt.Sprintf("more than %d %ss: choose a shorter period or a coarser granularity", MaxBuckets, p.Granularity)}
		}
		cuts = append(cuts, next)
	}
	return p, append(cuts, p.To), nil
}

// The years a period may cover: a report's instants must encode as RFC
// 3339 (four-digit years) in UTC and in the period's time zone alike.
const (
	minYear = 1
	maxYear = 9999
)

func inRange(t time.Time, loc *time.Location) bool {
	for _, y := range []int{t.UTC().Year(), t.In(loc).Year()} {
		if y < minYear || y > maxYear {
			return false
		}
	}
	return true
}

// boundaryAfter is the first midnight (Monday midnight for weeks) of the
// period's time zone after t. Calendar arithmetic keeps it a midnight
// across daylight-saving changes, when a day lasts 23 or 25 hours.
func (p Period) boundaryAfter(t time.Time) time.Time {
	y, m, d := t.Date()
	step := 1
	if p.Granularity == Week {
		step = 7 - (int(t.Weekday())+6)%7 // days to next Monday
	}
	return time.Date(y, m, d+step, 0, 0, 0, 0, p.Location)
}

// Report is the lifecycle of the baskets over a period: the figures of the
// whole period, per channel, and per day or week. Every figure is defined
// in docs/insights.md; counts are of facts (a start, a check-in, an order
// …) dated in the period, attributed to the channel they happened in.
type Report struct {
	From        time.Time   `json:"from"`
	To          time.Time   `json:"to"`
	Granularity Granularity `json:"granularity"`
	// TimeZone names the zone that cuts the days ("UTC", "Europe/Paris").
	TimeZone string `json:"time_zone"`
	// Total is the whole period over every channel.
	Total Figures `json:"total"`
	// Channels are the whole period per channel, sorted by channel ID
	// then kind; a channel with no fact in the period is left out.
	Channels []ChannelFigures `json:"channels"`
	// Buckets are the days or weeks, in order, empty ones included; the
	// first and last are cut to the period.
	Buckets []Bucket `json:"buckets"`
}

// Bucket is one day or week of a report.
type Bucket struct {
	From     time.Time        `json:"from"`
	To       time.Time        `json:"to"`
	Total    Figures          `json:"total"`
	Channels []ChannelFigures `json:"channels"`
}

// ChannelFigures are the figures of one channel.
type ChannelFigures struct {
	Channel
	Figures
}

// Figures are the lifecycle counts of a channel, or of all channels, over
// a bucket or a period. Counts of all channels are the sums of the
// channels' counts.
type Figures struct {
	// Started counts baskets created.
	Started int64 `json:"started"`
	// CheckedIn counts store visits begun: a check-in (QR, NFC, short
	// code, associate) or a self check-in by the store's tag, when the
	// basket was not already checked in at that store.
	CheckedIn int64 `json:"checked_in"`
	// Ordered counts orders placed.
	Ordered int64 `json:"ordered"`
	// Abandoned counts baskets given up (their status became abandoned,
	// by a shopper, an associate or the sweeper); Merged those that ended
	// merged into another basket, which are not abandoned.
	Abandoned int64 `json:"abandoned"`
	Merged    int64 `json:"merged"`
	// WebToStore counts orders of baskets started in a remote channel
	// (web, app, call centre, marketplace) and checked in at a store
	// before the order; StoreToWeb orders placed in a remote channel by
	// baskets started or checked in at a store. An order can be both.
	WebToStore int64 `json:"web_to_store"`
	StoreToWeb int64 `json:"store_to_web"`
	// CheckInToOrder is how long orders came after the start of the
	// basket's latest store visit, over the orders with one.
	CheckInToOrder Distribution `json:"check_in_to_order"`
	// Promotions are the promotions applied to the orders when they were
	// placed, the most frequent first (then by ID).
	Promotions []PromotionCount `json:"promotions"`
	// CouponsNotHonoured counts wallet coupons that a pricing found not
	// honoured in its channel (the code excludes the channel, location or
	// currency; it stays in the wallet), once per basket and code each
	// time the basket is priced in a channel that does not honour it;
	// Coupons breaks it down by code, the most frequent first.
	CouponsNotHonoured int64         `json:"coupons_not_honoured"`
	Coupons            []CouponCount `json:"coupons"`
}

// Distribution is a distribution of durations, in whole seconds: how many,
// the median and the 90th percentile (nearest rank: the smallest duration
// at least half, or nine tenths, of them do not exceed). All zero when
// Count is.
type Distribution struct {
	Count         int64 `json:"count"`
	MedianSeconds int64 `json:"median_seconds"`
	P90Seconds    int64 `json:"p90_seconds"`
}

// PromotionCount is how many orders a promotion was applied to. Name is
// the promotion's name on the latest of those orders.
type PromotionCount struct {
	PromotionID string `json:"promotion_id"`
	Name        string `json:"name"`
	Orders      int64  `json:"orders"`
}

// CouponCount is how many times a coupon code was not honoured.
type CouponCount struct {
	Code  string `json:"code"`
	Count int64  `json:"count"`
}

// Report aggregates the facts dated in p. Figures are attributed to the
// bucket and channel of the fact: a start to the channel the basket was
// created in, a check-in to the store, an order (and its conversion, its
// wait since check-in, its promotions) to the channel it was placed in,
// an abandonment to the channel the basket was in, a coupon not honoured
// to the channel that did not honour it. An invalid period is an
// [*basket.InputError] (matching [basket.ErrInvalid]).
func (m *Model) Report(p Period) (Report, error) {
	p, cuts, err := p.normalized()
	if err != nil {
		return Report{}, err
	}
	total, channels := newTally(), map[Channel]*tally{}
	buckets := make([]bucketTally, len(cuts)-1)
	for i := range buckets {
		buckets[i] = bucketTally{total: newTally(), channels: map[Channel]*tally{}}
	}
	for i := range m.facts {
		f := &m.facts[i]
		if f.at.Before(p.From) || !f.at.Before(p.To) {
			continue
		}
		b := &buckets[sort.Search(len(cuts)-1, func(j int) bool { return f.at.Before(cuts[j+1]) })]
		for _, t := range []*tally{total, of(channels, f.ch), b.total, of(b.channels, f.ch)} {
			t.add(f)
		}
	}
	r := Report{From: p.From, To: p.To, Granularity: p.Granularity, TimeZone: p.Location.String(),
		Total: total.figures(), Channels: figuresOf(channels), Buckets: make([]Bucket, len(buckets))}
	for i, b := range buckets {
		r.Buckets[i] = Bucket{From: cuts[i], To: cuts[i+1], Total: b.total.figures(), Channels: figuresOf(b.channels)}
	}
	return r, nil
}

type bucketTally struct {
	total    *tally
	channels map[Channel]*tally
}

// tally accumulates the facts of one cell of a report.
type tally struct {
	started, checkedIn, ordered, abandoned, merged int64
	webToStore, storeToWeb, notHonoured            int64
	waits                                          []time.Duration
	promotions                                     map[string]*promotionTally
	codes                                          map[string]int64
}

type promotionTally struct {
	name   string
	at     time.Time // of the order the name was read on
	basket uuid.UUID
	orders int64
}

func newTally() *tally {
	return &tally{promotions: map[string]*promotionTally{}, codes: map[string]int64{}}
}

func of(m map[Channel]*tally, c Channel) *tally {
	t := m[c]
	if t == nil {
		t = newTally()
		m[c] = t
	}
	return t
}

func (t *tally) add(f *fact) {
	switch f.kind {
	case factStarted:
		t.started++
	case factCheckedIn:
		t.checkedIn++
	case factAbandoned:
		t.abandoned++
	case factMerged:
		t.merged++
	case factNotHonoured:
		t.notHonoured++
		t.codes[f.code]++
	case factOrdered:
		t.ordered++
		if f.webToStore {
			t.webToStore++
		}
		if f.storeToWeb {
			t.storeToWeb++
		}
		if f.visited {
			t.waits = append(t.waits, f.sinceVisit)
		}
		for _, p := range f.promotions {
			pt := t.promotions[p.id]
			if pt == nil {
				pt = &promotionTally{}
				t.promotions[p.id] = pt
			}
			pt.orders++
			// The name on the latest order, whatever order the facts
			// came in.
			if c := f.at.Compare(pt.at); pt.orders == 1 || c > 0 || c == 0 && bytes.Compare(f.basket[:], pt.basket[:]) > 0 {
				pt.name, pt.at, pt.basket = p.name, f.at, f.basket
			}
		}
	}
}

func (t *tally) figures() Figures {
	f := Figures{Started: t.started, CheckedIn: t.checkedIn, Ordered: t.ordered, Abandoned: t.abandoned, Merged: t.merged,
		WebToStore: t.webToStore, StoreToWeb: t.storeToWeb, CouponsNotHonoured: t.notHonoured,
		CheckInToOrder: distribution(t.waits),
		Promotions:     make([]PromotionCount, 0, len(t.promotions)), Coupons: make([]CouponCount, 0, len(t.codes))}
	for id, p := range t.promotions {
		f.Promotions = append(f.Promotions, PromotionCount{PromotionID: id, Name: p.name, Orders: p.orders})
	}
	slices.SortFunc(f.Promotions, func(a, b PromotionCount) int {
		if c := cmp.Compare(b.Orders, a.Orders); c != 0 {
			return c
		}
		return strings.Compare(a.PromotionID, b.PromotionID)
	})
	for code, n := range t.codes {
		f.Coupons = append(f.Coupons, CouponCount{Code: code, Count: n})
	}
	slices.SortFunc(f.Coupons, func(a, b CouponCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return f
}

// distribution summarizes durations in whole seconds (rounded down), by
// nearest rank.
func distribution(ds []time.Duration) Distribution {
	n := len(ds)
	if n == 0 {
		return Distribution{}
	}
	secs := make([]int64, n)
	for i, d := range ds {
		secs[i] = int64(d / time.Second)
	}
	slices.Sort(secs)
	rank := func(percent int) int64 { return secs[(percent*n+99)/100-1] } // ⌈percent·n/100⌉-th
	return Distribution{Count: int64(n), MedianSeconds: rank(50), P90Seconds: rank(90)}
}

func figuresOf(m map[Channel]*tally) []ChannelFigures {
	out := make([]ChannelFigures, 0, len(m))
	for c, t := range m {
		out = append(out, ChannelFigures{Channel: c, Figures: t.figures()})
	}
	slices.SortFunc(out, func(a, b ChannelFigures) int { return a.Channel.compare(b.Channel) })
	return out
}
