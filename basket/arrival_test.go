package basket_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// storeTag is the location tag a store posts today.
func (f *fixture) storeTag(t testing.TB, location string) string {
	t.Helper()
	tag, err := f.svc.LocationTag(context.Background(), associateAt(location), location)
	require.NoError(t, err)
	assert.Equal(t, location, tag.LocationID)
	assert.True(t, !f.clk.Now().Before(tag.ValidFrom) && f.clk.Now().Before(tag.ExpiresAt), "the current rotation")
	return tag.Tag
}

func TestLocationTagIsTheStores(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	_, err := f.svc.LocationTag(ctx, shopper, demo.Bellecour)
	require.ErrorIs(t, err, basket.ErrForbidden)
	_, err = f.svc.LocationTag(ctx, associateAt(demo.PartDieu), demo.Bellecour)
	require.ErrorIs(t, err, basket.ErrForbidden)
	sys, err := f.svc.LocationTag(ctx, basket.Actor{Kind: basket.System, ID: "printer"}, demo.Bellecour)
	require.NoError(t, err)
	assert.Equal(t, f.storeTag(t, demo.Bellecour), sys.Tag, "one tag per store and rotation, whoever prints it")
	unconfigured := newFixture(t)
	_, err = unconfigured.svc.LocationTag(ctx, associateAt(demo.Bellecour), demo.Bellecour)
	require.ErrorIs(t, err, basket.ErrNotConfigured)
}

func selfCheckIn(tag, location string) basket.SelfCheckInRequest {
	return basket.SelfCheckInRequest{Tag: tag, Method: "qr", Target: demo.Store(location, time.Time{})}
}

// The scene of the seed, shopper first: the shopper scans the store's
// tag, the basket moves in and is re-priced, the shopper waits on the
// arrivals list without the store seeing the basket, and the associate
// who opens the arrival gets the grant.
func TestSelfCheckInArrivalsAndOpening(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	_, err = f.svc.AddCoupon(ctx, shopper, b.ID, "WELCOME10")
	require.NoError(t, err)

	f.clk.Advance(time.Minute)
	got, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(f.storeTag(t, demo.Bellecour), demo.Bellecour))
	require.NoError(t, err)
	assert.Equal(t, "store-"+demo.Bellecour, got.Context.ChannelID, "moved into the store")
	assert.Empty(t, got.Grants, "a tag grants nothing")
	require.NotNil(t, got.Arrival)
	assert.Equal(t, basket.Arrival{LocationID: demo.Bellecour, At: f.clk.Now().UTC(), Method: "qr"}, *got.Arrival)
	assert.Contains(t, changeKinds(got.Result.Changes), "coupon-not-honoured WELCOME10", "the report says what changed in the store")

	assoc := associateAt(demo.Bellecour)
	_, err = f.svc.Get(ctx, assoc, b.ID)
	require.ErrorIs(t, err, basket.ErrNotFound, "the store does not see the basket before opening the arrival")
	view, err := f.svc.CustomerView(ctx, assoc, "cust-42", basket.CustomerPage{})
	require.NoError(t, err)
	assert.Empty(t, view.Entries, "nor the customer's history")

	list, err := f.svc.Arrivals(ctx, assoc, demo.Bellecour)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, b.ID, list[0].BasketID)
	assert.Equal(t, "cust-42", list[0].CustomerID)
	assert.Equal(t, 1, list[0].Lines)
	require.NotNil(t, list[0].Total)
	assert.Empty(t, list[0].OpenedBy, "waiting")
	other, err := f.svc.Arrivals(ctx, associateAt(demo.PartDieu), demo.PartDieu)
	require.NoError(t, err)
	assert.Empty(t, other, "another store's list")

	_, err = f.svc.OpenArrival(ctx, associateAt(demo.PartDieu), b.ID)
	require.ErrorIs(t, err, basket.ErrNotFound, "another store cannot open it")

	f.clk.Advance(time.Minute)
	opened, err := f.svc.OpenArrival(ctx, assoc, b.ID)
	require.NoError(t, err)
	require.Len(t, opened.Grants, 1)
	assert.Equal(t, assoc.ID, opened.Grants[0].GrantedBy)
	assert.Equal(t, assoc.ID, opened.Arrival.OpenedBy)
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("CANDLE-FIG", 1))
	require.NoError(t, err, "the associate serves the basket")
	view, err = f.svc.CustomerView(ctx, assoc, "cust-42", basket.CustomerPage{})
	require.NoError(t, err)
	assert.NotEmpty(t, view.Entries, "and reads the customer's history")
	list, err = f.svc.Arrivals(ctx, assoc, demo.Bellecour)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, assoc.ID, list[0].OpenedBy, "the list says who took the shopper up")

	events, err := f.svc.History(ctx, shopper, b.ID)
	require.NoError(t, err)
	var types []basket.EventType
	for _, e := range events {
		types = append(types, e.Type)
	}
	assert.Subset(t, types, []basket.EventType{basket.EventArrived, basket.EventCheckedIn})
	replayed, err := basket.Replay(events)
	require.NoError(t, err)
	now, err := f.svc.Get(ctx, shopper, b.ID)
	require.NoError(t, err)
	assert.Equal(t, now.Arrival, replayed.Arrival, "the arrival is rebuilt from the history")

	// Checking out ends the arrival: the shopper left.
	_, err = f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(time.Time{}))
	require.NoError(t, err)
	list, err = f.svc.Arrivals(ctx, assoc, demo.Bellecour)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestSelfCheckInRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	tag := f.storeTag(t, demo.Bellecour)
	before, err := f.svc.Get(ctx, shopper, b.ID)
	require.NoError(t, err)

	tests := []struct {
		name  string
		actor basket.Actor
		req   basket.SelfCheckInRequest
		want  error
	}{
		{"another store's tag", shopper, selfCheckIn(tag, demo.PartDieu), handoff.ErrWrongAudience},
		{"not the owner", basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, selfCheckIn(tag, demo.Bellecour), basket.ErrNotFound},
		{"an associate", associateAt(demo.Bellecour), selfCheckIn(tag, demo.Bellecour), basket.ErrForbidden},
		{"a tampered tag", shopper, selfCheckIn(tag[:len(tag)-2]+"AA", demo.Bellecour), handoff.ErrBadSignature},
		{"no method", shopper, basket.SelfCheckInRequest{Tag: tag, Target: demo.Store(demo.Bellecour, time.Time{})}, basket.ErrInvalid},
		{"the web is no store", shopper, basket.SelfCheckInRequest{Tag: tag, Method: "nfc", Target: demo.Web(time.Time{})}, basket.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.SelfCheckIn(ctx, tc.actor, b.ID, tc.req)
			require.ErrorIs(t, err, tc.want)
			after, err := f.svc.Get(ctx, shopper, b.ID)
			require.NoError(t, err)
			assert.Equal(t, before.Version, after.Version, "nothing changed")
		})
	}

	t.Run("an old rotation", func(t *testing.T) {
		f := newFixture(t, withHandoff(t))
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		yesterday := f.storeTag(t, demo.Bellecour)
		f.clk.Advance(24 * time.Hour)
		_, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(yesterday, demo.Bellecour))
		require.ErrorIs(t, err, handoff.ErrExpired)
		_, err = f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(f.storeTag(t, demo.Bellecour), demo.Bellecour))
		require.NoError(t, err, "today's tag")
	})

	t.Run("attempts are limited per basket", func(t *testing.T) {
		f := newFixture(t, withHandoff(t))
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		c := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		tag := f.storeTag(t, demo.Bellecour)
		for range handoff.DefaultTagAttempts {
			_, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(tag, demo.Bellecour))
			require.NoError(t, err)
		}
		_, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(tag, demo.Bellecour))
		require.ErrorIs(t, err, handoff.ErrTooManyAttempts)
		_, err = f.svc.SelfCheckIn(ctx, shopper, c.ID, selfCheckIn(tag, demo.Bellecour))
		require.NoError(t, err, "another basket")

		// Someone who only knows the ID spends nothing of the owner's.
		for range 10 {
			_, err := f.svc.SelfCheckIn(ctx, basket.Actor{Kind: basket.Shopper, ID: "intruder"}, c.ID, selfCheckIn(tag, demo.Bellecour))
			require.ErrorIs(t, err, basket.ErrNotFound)
		}
		_, err = f.svc.SelfCheckIn(ctx, shopper, c.ID, selfCheckIn(tag, demo.Bellecour))
		require.NoError(t, err)
	})

	t.Run("arrivals are the store's", func(t *testing.T) {
		_, err := f.svc.Arrivals(ctx, shopper, demo.Bellecour)
		require.ErrorIs(t, err, basket.ErrForbidden)
		_, err = f.svc.Arrivals(ctx, associateAt(demo.PartDieu), demo.Bellecour)
		require.ErrorIs(t, err, basket.ErrForbidden)
		_, err = f.svc.OpenArrival(ctx, shopper, b.ID)
		require.ErrorIs(t, err, basket.ErrForbidden)
	})

	t.Run("an arrival lasts the grant period", func(t *testing.T) {
		f := newFixture(t, withHandoff(t))
		b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
		_, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(f.storeTag(t, demo.Bellecour), demo.Bellecour))
		require.NoError(t, err)
		f.clk.Advance(2 * time.Hour) // the fixture's GrantTTL
		list, err := f.svc.Arrivals(ctx, associateAt(demo.Bellecour), demo.Bellecour)
		require.NoError(t, err)
		assert.Empty(t, list)
		_, err = f.svc.OpenArrival(ctx, associateAt(demo.Bellecour), b.ID)
		require.ErrorIs(t, err, basket.ErrNotFound)
	})
}

// An order is not moved by a self check-in: the shopper has come to
// collect it, and the store sees them arrive.
func TestSelfCheckInWithAnOrder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("CANDLE-FIG", 1))
	require.NoError(t, err)
	ordered, err := f.svc.PlaceOrder(ctx, shopper, b.ID)
	require.NoError(t, err)
	got, err := f.svc.SelfCheckIn(ctx, shopper, b.ID, selfCheckIn(f.storeTag(t, demo.Bellecour), demo.Bellecour))
	require.NoError(t, err)
	assert.Equal(t, ordered.Context, got.Context, "an order keeps its context and prices")
	assert.Equal(t, ordered.Result, got.Result)
	list, err := f.svc.Arrivals(ctx, associateAt(demo.Bellecour), demo.Bellecour)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, basket.Ordered, list[0].Status)
	assert.True(t, list[0].PlacedAt.Before(list[0].ArrivedAt) || list[0].PlacedAt.Equal(list[0].ArrivedAt), "ordered before arriving: come to collect")
	assert.Equal(t, ordered.Order.PlacedAt, list[0].PlacedAt)
}

// The walk-in customer: the associate starts an anonymous basket, hands it
// over as a check-out code, and the customer's phone claims it: it becomes
// theirs and moves to the web.
func TestCheckOutCodeAttachesAnAnonymousBasket(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	assoc := associateAt(demo.Bellecour)
	b, err := f.svc.Create(ctx, assoc, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{AnonymousID: "walk-in-1"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)

	ticket, err := f.svc.IssueCheckOut(ctx, assoc, b.ID, basket.HandoffRequest{})
	require.NoError(t, err)
	assert.Equal(t, f.clk.Now().Add(basket.DefaultCheckOutTTL).Truncate(time.Second), ticket.ExpiresAt)
	_, err = f.svc.IssueCheckOut(ctx, associateAt(demo.PartDieu), b.ID, basket.HandoffRequest{})
	require.ErrorIs(t, err, basket.ErrNotFound, "no grant, no code")

	_, err = f.svc.ClaimCheckOut(ctx, assoc, basket.ClaimRequest{Token: ticket.Token, Target: demo.Web(time.Time{})})
	require.ErrorIs(t, err, basket.ErrForbidden, "the shopper's own session claims it")

	newcomer := basket.Actor{Kind: basket.Shopper, ID: "cust-new"}
	got, err := f.svc.ClaimCheckOut(ctx, newcomer, basket.ClaimRequest{Token: ticket.Token, Target: demo.Web(time.Time{})}, basket.WithIdempotencyKey("claim-1"))
	require.NoError(t, err)
	assert.Equal(t, "cust-new", got.Owner.CustomerID)
	assert.Equal(t, demo.Web(time.Time{}).ChannelID, got.Context.ChannelID)
	assert.Empty(t, got.Grants, "the store lets go")
	ids, err := f.svc.FindByOwner(ctx, newcomer, "cust-new")
	require.NoError(t, err)
	assert.Contains(t, ids, b.ID)

	again, err := f.svc.ClaimCheckOut(ctx, newcomer, basket.ClaimRequest{Token: ticket.Token, Target: demo.Web(time.Time{})}, basket.WithIdempotencyKey("claim-1"))
	require.NoError(t, err, "a retry with the key gets the first outcome")
	assert.Equal(t, got.Version, again.Version)
	_, err = f.svc.ClaimCheckOut(ctx, newcomer, basket.ClaimRequest{Token: ticket.Token, Target: demo.Web(time.Time{})})
	require.ErrorIs(t, err, handoff.ErrAlreadyUsed, "single use")
}

func TestCheckOutCodeRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	ticket, err := f.svc.IssueCheckOut(ctx, shopper, b.ID, basket.HandoffRequest{TTL: time.Minute})
	require.NoError(t, err)
	_, err = f.svc.ClaimCheckOut(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, basket.ClaimRequest{Token: ticket.Token, Target: demo.Web(time.Time{})})
	require.ErrorIs(t, err, basket.ErrNotFound, "another customer's basket")
	got, err := f.svc.Get(ctx, shopper, b.ID)
	require.NoError(t, err)
	assert.Equal(t, "cust-42", got.Owner.CustomerID, "unchanged")

	late, err := f.svc.IssueCheckOut(ctx, shopper, b.ID, basket.HandoffRequest{TTL: time.Minute})
	require.NoError(t, err)
	f.clk.Advance(2 * time.Minute)
	_, err = f.svc.ClaimCheckOut(ctx, shopper, basket.ClaimRequest{Token: late.Token, Target: demo.Web(time.Time{})})
	require.ErrorIs(t, err, handoff.ErrExpired)

	checkIn, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{TTL: time.Minute})
	require.NoError(t, err)
	_, err = f.svc.ClaimCheckOut(ctx, shopper, basket.ClaimRequest{Token: checkIn.Token, Target: demo.Web(time.Time{})})
	require.ErrorIs(t, err, handoff.ErrWrongPurpose, "a check-in code is not a check-out code")
}
