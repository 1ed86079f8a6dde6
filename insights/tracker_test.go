package insights_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
)

var (
	ops   = basket.Actor{Kind: basket.System, ID: "ops"}
	lea   = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	malik = basket.Actor{Kind: basket.Associate, ID: "malik", LocationID: demo.PartDieu}
)

// sliceFeed is a feed over a fixed list of events, at positions 10, 20,
// 30 …, that counts its reads and can be made to fail.
type sliceFeed struct {
	events []basket.Event
	reads  int
	fail   error
}

func (f *sliceFeed) Read(_ context.Context, after int64, limit int) ([]insights.Positioned, error) {
	f.reads++
	if f.fail != nil {
		return nil, f.fail
	}
	out := []insights.Positioned{}
	for i, e := range f.events {
		if pos := int64(i+1) * 10; pos > after && len(out) < limit {
			out = append(out, insights.Positioned{Position: pos, Event: e})
		}
	}
	return out, nil
}

func weekPeriod() insights.Period {
	return insights.Period{From: monday, To: monday.AddDate(0, 0, 7)}
}

// TestTrackerCatchesUpInBatches: the tracker reads the feed a batch at a
// time, reports as the model fed directly does, reports progress after
// each batch, and reads only what is new the next time.
func TestTrackerCatchesUpInBatches(t *testing.T) {
	camille := newHistory(t, "camille").created(hm(0, 10, 0), web).checkIn(hm(1, 11, 0), bellecour).
		priced(hm(1, 11, 0), []string{"MERCI5"}, notHonoured("WELCOME10")).ordered(hm(1, 11, 25))
	paul := newHistory(t, "paul").created(hm(0, 21, 0), web).status(hm(0, 21, 20), basket.Abandoned)
	f := &sliceFeed{events: concat(camille, paul)}
	var seen []insights.Progress
	tr, err := insights.NewTracker(f, insights.TrackerOptions{Batch: 2, OnProgress: func(p insights.Progress) { seen = append(seen, p) }})
	require.NoError(t, err)

	r, progress, err := tr.Report(context.Background(), ops, weekPeriod())
	require.NoError(t, err)
	direct := insights.NewModel()
	feed(t, direct, f.events...)
	assert.Equal(t, week(t, direct), r)
	assert.Equal(t, insights.Progress{Position: 60, Events: 6}, progress)
	assert.Equal(t, 4, f.reads, "2 + 2 + 2 events, then none")
	assert.Equal(t, []insights.Progress{{Position: 20, Events: 2}, {Position: 40, Events: 4}, {Position: 60, Events: 6}}, seen)

	// New events: only they are read.
	late := newHistory(t, "late").created(hm(2, 9, 0), bellecour)
	f.events = append(f.events, late.events...)
	r, progress, err = tr.Report(context.Background(), lea, weekPeriod())
	require.NoError(t, err)
	assert.Equal(t, int64(3), r.Total.Started)
	assert.Equal(t, insights.Progress{Position: 70, Events: 7}, progress)
	assert.Equal(t, 5, f.reads, "one short batch")
}

// TestTrackerSkipsWhatTheModelRefuses: an unreadable event and the events
// of a basket whose beginning the feed lacks are counted as refused, and
// the rest is reported.
func TestTrackerSkipsWhatTheModelRefuses(t *testing.T) {
	good := newHistory(t, "good").created(hm(0, 9, 0), web).ordered(hm(0, 9, 30))
	broken := newHistory(t, "broken").created(hm(0, 9, 0), web)
	broken.events[0].Data = json.RawMessage(`{"context":{"kind":"teleport"}}`)
	headless := newHistory(t, "headless").created(hm(0, 9, 0), web).ordered(hm(0, 9, 30))
	f := &sliceFeed{events: append(concat(good, broken), headless.events[1])}
	tr, err := insights.NewTracker(f, insights.TrackerOptions{})
	require.NoError(t, err)
	r, progress, err := tr.Report(context.Background(), ops, weekPeriod())
	require.NoError(t, err)
	assert.Equal(t, insights.Progress{Position: 40, Events: 4, Refused: 2}, progress)
	assert.Equal(t, int64(1), r.Total.Started)
	assert.Equal(t, int64(1), r.Total.Ordered)
}

// TestTrackerKeepsWhatItReadWhenInterrupted: a failed read or an ended
// context returns the error; the next call goes on from the last
// position read.
func TestTrackerKeepsWhatItReadWhenInterrupted(t *testing.T) {
	h := newHistory(t, "h").created(hm(0, 9, 0), web).line(hm(0, 9, 1), "MUG-STONE").ordered(hm(0, 9, 2))
	f := &sliceFeed{events: h.events[:2]}
	tr, err := insights.NewTracker(f, insights.TrackerOptions{Batch: 1})
	require.NoError(t, err)
	p, err := tr.CatchUp(context.Background())
	require.NoError(t, err)
	assert.Equal(t, insights.Progress{Position: 20, Events: 2}, p)

	down := errors.New("database down")
	f.fail = down
	_, p, err = tr.Report(context.Background(), ops, weekPeriod())
	require.ErrorIs(t, err, down)
	assert.Equal(t, insights.Progress{Position: 20, Events: 2}, p)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f.fail = nil
	p, err = tr.CatchUp(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int64(20), p.Position)

	f.events = h.events
	r, p, err := tr.Report(context.Background(), ops, weekPeriod())
	require.NoError(t, err)
	assert.Equal(t, insights.Progress{Position: 30, Events: 3}, p)
	assert.Equal(t, int64(1), r.Total.Ordered)
}

// TestTrackerRefusesAFeedGoingBack: positions must increase; a feed that
// answers an old position is a broken feed, not a loop.
func TestTrackerRefusesAFeedGoingBack(t *testing.T) {
	h := newHistory(t, "h").created(hm(0, 9, 0), web)
	tr, err := insights.NewTracker(insights.FeedFunc(func(context.Context, int64, int) ([]insights.Positioned, error) {
		return []insights.Positioned{{Position: 5, Event: h.events[0]}}, nil
	}), insights.TrackerOptions{Batch: 1})
	require.NoError(t, err)
	_, err = tr.CatchUp(context.Background())
	require.ErrorContains(t, err, "went back from position 5 to 5")
}

// TestTrackerAuthorizesAndChecksFirst: shoppers are refused, and so is a
// bad period, before anything is read.
func TestTrackerAuthorizesAndChecksFirst(t *testing.T) {
	f := &sliceFeed{}
	tr, err := insights.NewTracker(f, insights.TrackerOptions{})
	require.NoError(t, err)
	cases := []struct {
		name   string
		actor  basket.Actor
		period insights.Period
		kind   error
	}{
		{"a shopper", basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}, weekPeriod(), basket.ErrForbidden},
		{"no actor", basket.Actor{}, weekPeriod(), basket.ErrInvalid},
		{"an actor without an ID", basket.Actor{Kind: basket.System}, weekPeriod(), basket.ErrInvalid},
		{"a bad period", ops, insights.Period{From: monday}, basket.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := tr.Report(context.Background(), c.actor, c.period)
			require.ErrorIs(t, err, c.kind)
			assert.Zero(t, f.reads)
		})
	}
	for _, staff := range []basket.Actor{ops, lea, malik} {
		assert.NoError(t, insights.Authorize(staff))
	}
}

func TestNewTrackerRefusesBadOptions(t *testing.T) {
	_, err := insights.NewTracker(nil, insights.TrackerOptions{})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)
	_, err = insights.NewTracker(&sliceFeed{}, insights.TrackerOptions{Batch: -1})
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

// shop is the demo retailer on a memory store whose saves are noted to an
// outbox.
type shop struct {
	*demo.Shop
	clk    *clock.Fake
	store  *memory.BasketStore
	outbox *insights.Outbox
}

func newShop(t *testing.T) *shop {
	t.Helper()
	clk := clock.NewFake(demo.Start())
	var outbox *insights.Outbox
	st := memory.NewStockStore(clk)
	store := memory.NewBasketStore(memory.WithLedger(st), memory.WithAfterSave(func(id uuid.UUID, v int64) { outbox.Note(id, v) }))
	outbox = insights.NewOutbox(store)
	s, err := demo.NewShop(context.Background(), demo.ShopOptions{Clock: clk, Store: store, Stock: st})
	require.NoError(t, err)
	return &shop{Shop: s, clk: clk, store: store, outbox: outbox}
}

// TestServiceJourneysThroughTheOutbox: real journeys on the Service, read
// through the memory store's outbox, report as their replayed histories
// do, and as the same histories with every customer ID pseudonymised.
func TestServiceJourneysThroughTheOutbox(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	svc := s.Service
	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	hugo := basket.Actor{Kind: basket.Shopper, ID: "cust-hugo"}
	line := func(sku string) basket.NewLine {
		return basket.NewLine{SKU: sku, Quantity: 1, Product: demo.Product(sku)}
	}
	c, h := uuid.New(), uuid.New()

	_, err := svc.Create(ctx, camille, basket.CreateRequest{ID: c, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
	require.NoError(t, err)
	_, err = svc.AddLine(ctx, camille, c, line("THROW-WOOL"))
	require.NoError(t, err)
	_, err = svc.AddCoupon(ctx, camille, c, "WELCOME10")
	require.NoError(t, err)
	s.clk.Advance(24 * time.Hour)
	ticket, err := svc.IssueCheckIn(ctx, camille, c, basket.HandoffRequest{TTL: 10 * time.Minute})
	require.NoError(t, err)
	_, err = svc.CheckIn(ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	s.clk.Advance(12 * time.Minute)
	_, err = svc.PlaceOrder(ctx, lea, c)
	require.NoError(t, err)

	_, err = svc.Create(ctx, malik, basket.CreateRequest{ID: h, Owner: basket.Owner{CustomerID: hugo.ID}, Context: demo.Store(demo.PartDieu, time.Time{})})
	require.NoError(t, err)
	_, err = svc.AddLine(ctx, malik, h, line("VASE-GLASS"))
	require.NoError(t, err)
	s.clk.Advance(3 * time.Hour)
	_, err = svc.CheckOut(ctx, hugo, h, demo.Web(time.Time{}))
	require.NoError(t, err)
	_, err = svc.PlaceOrder(ctx, hugo, h)
	require.NoError(t, err)

	tr, err := insights.NewTracker(s.outbox, insights.TrackerOptions{Batch: 3})
	require.NoError(t, err)
	fromOutbox, progress, err := tr.Report(ctx, ops, weekPeriod())
	require.NoError(t, err)
	assert.Zero(t, progress.Refused)

	replayed, pseudonymous := insights.NewModel(), insights.NewModel()
	for _, id := range []uuid.UUID{h, c} {
		events, err := svc.History(ctx, ops, id)
		require.NoError(t, err)
		feed(t, replayed, events...)
		scrubbed := pseudonymise(t, events, camille.ID, hugo.ID)
		require.NotEqual(t, events, scrubbed, "the customers were in the history")
		feed(t, pseudonymous, scrubbed...)
	}
	assert.Equal(t, progress.Events, replayed.Events())
	assert.Equal(t, week(t, replayed), fromOutbox)
	assert.Equal(t, week(t, replayed), week(t, pseudonymous))

	total := fromOutbox.Total
	assert.Equal(t, counts{started: 2, checkedIn: 1, ordered: 2, webToStore: 1, storeToWeb: 1, notHonoured: 1,
		wait: insights.Distribution{Count: 1, MedianSeconds: 12 * 60, P90Seconds: 12 * 60}}, countsOf(total))
	assert.Equal(t, []insights.CouponCount{{Code: "WELCOME10", Count: 1}}, channelFigures(fromOutbox, bellecour).Coupons)
	assert.Equal(t, []insights.PromotionCount{{PromotionID: "BELLECOUR-OPENING", Name: "Bellecour reopening: 20 % off textiles", Orders: 1}},
		channelFigures(fromOutbox, bellecour).Promotions)
}

// pseudonymise erases the customers from events as basket.Erasure does
// it for a store: every event scrubbed for each customer in turn.
func pseudonymise(t *testing.T, events []basket.Event, customers ...string) []basket.Event {
	t.Helper()
	out := slices.Clone(events)
	for _, c := range customers {
		x := basket.Erasure{ID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(c)), CustomerID: c}
		for i := range out {
			e, _, err := x.ScrubEvent(out[i])
			require.NoError(t, err)
			out[i] = e
		}
	}
	return out
}

// TestOutboxReadsNotedBaskets: the outbox gives positions to the events
// of the baskets noted, in sequence, once each, and pages by position.
func TestOutboxReadsNotedBaskets(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	id := uuid.New()
	_, err := s.Service.Create(ctx, camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
	require.NoError(t, err)
	_, err = s.Service.AddCoupon(ctx, camille, id, "WELCOME10")
	require.NoError(t, err)

	all, err := s.outbox.Read(ctx, 0, 100)
	require.NoError(t, err)
	history, err := s.Service.History(ctx, ops, id)
	require.NoError(t, err)
	require.Len(t, all, len(history))
	for i, p := range all {
		assert.Equal(t, int64(i+1), p.Position)
		assert.Equal(t, history[i], p.Event)
	}
	page, err := s.outbox.Read(ctx, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, all[1:2], page)
	empty, err := s.outbox.Read(ctx, int64(len(all)), 10)
	require.NoError(t, err)
	assert.Equal(t, []insights.Positioned{}, empty)

	s.outbox.Note(id, 1) // an old version: nothing new
	again, err := s.outbox.Read(ctx, 0, 100)
	require.NoError(t, err)
	assert.Equal(t, all, again)
	assert.Equal(t, len(all), s.outbox.Len())

	_, err = s.outbox.Read(ctx, 0, 0)
	assert.ErrorIs(t, err, basket.ErrInvalid)
	_, err = s.outbox.Read(ctx, -1, 1)
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

// TestOutboxKeepsANoteWhoseReadFailed: a basket whose events could not be
// read stays noted, and is read next time.
func TestOutboxKeepsANoteWhoseReadFailed(t *testing.T) {
	s := newShop(t)
	camille := basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	id := uuid.New()
	_, err := s.Service.Create(context.Background(), camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.outbox.Read(ctx, 0, 10)
	require.ErrorIs(t, err, context.Canceled)
	got, err := s.outbox.Read(context.Background(), 0, 10)
	require.NoError(t, err)
	assert.Len(t, got, 2, "created, priced")
}

// TestOutboxUnderConcurrentWriters: shoppers writing at once while a
// tracker reports; every event is read once (run with -race).
func TestOutboxUnderConcurrentWriters(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	tr, err := insights.NewTracker(s.outbox, insights.TrackerOptions{Batch: 4})
	require.NoError(t, err)
	const shoppers = 8
	var wg sync.WaitGroup
	for i := range shoppers {
		wg.Go(func() {
			a := basket.Actor{Kind: basket.Shopper, ID: "cust-" + string(rune('a'+i))}
			id := uuid.New()
			_, err := s.Service.Create(ctx, a, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: a.ID}, Context: demo.Web(time.Time{})})
			assert.NoError(t, err)
			_, err = s.Service.AddLine(ctx, a, id, basket.NewLine{SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")})
			assert.NoError(t, err)
			_, _, err = tr.Report(ctx, ops, weekPeriod())
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	r, p, err := tr.Report(ctx, ops, weekPeriod())
	require.NoError(t, err)
	assert.Equal(t, int64(shoppers), r.Total.Started)
	assert.Equal(t, int64(s.outbox.Len()), p.Events)
	assert.Zero(t, p.Refused)
}
