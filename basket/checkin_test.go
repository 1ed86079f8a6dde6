package basket_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withHandoff(t *testing.T) func(*basket.Config) {
	return func(c *basket.Config) {
		keys, err := handoff.NewKeyRing(handoff.Key{ID: "k1", Secret: handoff.NewSecret([]byte("0123456789abcdef0123456789abcdef")), ActiveFrom: demo.Start().Add(-time.Hour)})
		require.NoError(t, err)
		h, err := handoff.New(handoff.Config{Keys: keys, Replay: memory.NewReplayStore(c.Clock), Clock: c.Clock})
		require.NoError(t, err)
		c.Handoff, c.Retailer, c.GrantTTL = h, demo.Retailer, 2*time.Hour
	}
}

func associateAt(loc string) basket.Actor {
	return basket.Actor{Kind: basket.Associate, ID: "staff-" + loc, LocationID: loc}
}

func TestCheckInGrantsTheStoreAndRecontextualizes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err := f.svc.AddLine(ctx, shopper, b.ID, line("LAMP-ARC", 2))
	require.NoError(t, err)
	_, err = f.svc.AddCoupon(ctx, shopper, b.ID, "WELCOME10")
	require.NoError(t, err)

	ticket, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.Bellecour, TTL: 5 * time.Minute})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(ticket.Token), 120, "fits a QR code")

	assoc := associateAt(demo.Bellecour)
	_, err = f.svc.Get(ctx, assoc, b.ID)
	require.ErrorIs(t, err, basket.ErrNotFound, "no access before the check-in")

	f.clk.Advance(time.Minute)
	got, err := f.svc.CheckIn(ctx, assoc, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	assert.Equal(t, "store-"+demo.Bellecour, got.Context.ChannelID)
	assert.Equal(t, []string{"WELCOME10"}, got.Wallet.Coupons)
	require.Len(t, got.Grants, 1)
	assert.Equal(t, demo.Bellecour, got.Grants[0].LocationID)
	assert.Contains(t, changeKinds(got.Result.Changes), "coupon-not-honoured WELCOME10")

	events, err := f.svc.History(ctx, assoc, b.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.EventRecontextualized, events[len(events)-1].Type)
	assert.Equal(t, basket.EventCheckedIn, events[len(events)-2].Type)
	assert.Equal(t, assoc, events[len(events)-2].Actor, "who, recorded")

	// The associate amends the basket in store.
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("CANDLE-FIG", 3))
	require.NoError(t, err)
	_, err = f.svc.Get(ctx, associateAt(demo.PartDieu), b.ID)
	assert.ErrorIs(t, err, basket.ErrNotFound, "another store has no grant")

	// The grant ends at its expiry…
	f.clk.Advance(2*time.Hour - time.Nanosecond)
	_, err = f.svc.Get(ctx, assoc, b.ID)
	require.NoError(t, err)
	f.clk.Advance(time.Nanosecond)
	_, err = f.svc.Get(ctx, assoc, b.ID)
	assert.ErrorIs(t, err, basket.ErrNotFound, "expired grant")
}

func TestCheckOutRevokesGrants(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	assoc := associateAt(demo.PartDieu)
	// Started on the associate's tablet for a customer who gave their ID.
	b, err := f.svc.Create(ctx, assoc, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.PartDieu, time.Time{})})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, assoc, b.ID, line("PLANT-POT", 3))
	require.NoError(t, err)
	_, err = f.svc.Create(ctx, assoc, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	assert.ErrorIs(t, err, basket.ErrForbidden, "only in their own store")

	out, err := f.svc.CheckOut(ctx, shopper, b.ID, demo.Web(time.Time{}), basket.WithPolicy(basket.PriceProtection))
	require.NoError(t, err)
	assert.Empty(t, out.Grants)
	pot, _ := out.Result.Line("L0001")
	assert.Equal(t, basket.BasisProtected, pot.Basis, "never more than in store")
	_, err = f.svc.Get(ctx, assoc, b.ID)
	assert.ErrorIs(t, err, basket.ErrNotFound, "the store lost access at check-out")

	// The policy sticks: ordering later, without naming it again, keeps it.
	f.clk.Advance(time.Hour)
	ordered, err := f.svc.Transition(ctx, shopper, b.ID, basket.Ordered, time.Time{})
	require.NoError(t, err)
	pot, _ = ordered.Result.Line("L0001")
	assert.Equal(t, "17.00", pot.UnitPrice.Amount(), "protected at ordering too")
	assert.Equal(t, basket.PriceProtection, ordered.Result.Policy)
}

func TestCheckInRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	issue := func(loc string) string {
		tk, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: loc, TTL: 5 * time.Minute})
		require.NoError(t, err)
		return tk.Token
	}
	bellecour := demo.Store(demo.Bellecour, time.Time{})
	tests := []struct {
		name  string
		actor basket.Actor
		req   basket.CheckInRequest
		want  error
	}{
		{"token for another store", associateAt(demo.PartDieu), basket.CheckInRequest{Token: issue(demo.Bellecour), Target: demo.Store(demo.PartDieu, time.Time{})}, handoff.ErrWrongAudience},
		{"target elsewhere than the associate", associateAt(demo.PartDieu), basket.CheckInRequest{Token: issue(""), Target: bellecour}, basket.ErrInvalid},
		{"a shopper cannot redeem", shopper, basket.CheckInRequest{Token: issue(""), Target: bellecour}, basket.ErrForbidden},
		{"garbage token", associateAt(demo.Bellecour), basket.CheckInRequest{Token: "not-a-token", Target: bellecour}, handoff.ErrMalformed},
		{"token and code together", associateAt(demo.Bellecour), basket.CheckInRequest{Token: issue(""), ShortCode: "ABC-DEF-GHJ", Target: bellecour}, basket.ErrInvalid},
		{"a web context", associateAt(demo.Bellecour), basket.CheckInRequest{Token: issue(""), Target: demo.Web(time.Time{})}, basket.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := f.store.Get(ctx, b.ID)
			_, err := f.svc.CheckIn(ctx, tt.actor, tt.req)
			require.ErrorIs(t, err, tt.want)
			after, _ := f.store.Get(ctx, b.ID)
			assert.Equal(t, before.Version, after.Version, "nothing written")
		})
	}
	_, err := f.svc.IssueCheckIn(ctx, basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, b.ID, basket.HandoffRequest{TTL: time.Minute})
	assert.ErrorIs(t, err, basket.ErrNotFound, "only the owner issues a check-in")
}

func TestCheckInTokenIsSingleUseUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	tk, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{TTL: 5 * time.Minute})
	require.NoError(t, err)
	var ok, used atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.CheckIn(ctx, associateAt(demo.Bellecour), basket.CheckInRequest{Token: tk.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
			switch {
			case err == nil:
				ok.Add(1)
			case assert.ErrorIs(t, err, handoff.ErrAlreadyUsed):
				used.Add(1)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load(), "exactly one check-in")
	assert.Equal(t, int32(99), used.Load())
	events, err := f.store.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	var checkIns int
	for _, e := range events {
		if e.Type == basket.EventCheckedIn {
			checkIns++
		}
	}
	assert.Equal(t, 1, checkIns)
}

func TestCheckInWithShortCode(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	tk, err := f.svc.IssueCheckIn(ctx, shopper, b.ID, basket.HandoffRequest{Location: demo.PartDieu, TTL: 5 * time.Minute, ShortCode: true})
	require.NoError(t, err)
	require.NotEmpty(t, tk.ShortCode)
	got, err := f.svc.CheckIn(ctx, associateAt(demo.PartDieu), basket.CheckInRequest{ShortCode: tk.ShortCode, Method: "short-code", Target: demo.Store(demo.PartDieu, time.Time{})})
	require.NoError(t, err)
	assert.Equal(t, demo.PartDieu, got.Context.LocationID)
	_, err = f.svc.CheckIn(ctx, associateAt(demo.PartDieu), basket.CheckInRequest{Token: tk.Token, Target: demo.Store(demo.PartDieu, time.Time{})})
	assert.ErrorIs(t, err, handoff.ErrAlreadyUsed, "the QR token and the code are one grant")
}
