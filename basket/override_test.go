package basket_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func euro(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// storePolicy: an associate takes up to 10 % (and at most 20.00 EUR) off
// a line alone; a manager up to 50 %, and approves.
func storePolicy() basket.OverridePolicy {
	return basket.OverridePolicy{
		Roles: map[string]basket.OverrideLimit{
			"associate": {MaxPercent: pricing.MustPercent("10"), MaxAmount: []pricing.Money{euro("20.00")}},
			"manager":   {MaxPercent: pricing.MustPercent("50"), Approves: true},
			"cashier":   {},
		},
		Reasons: []string{"PRICE-MATCH", "DAMAGED", "GOODWILL"},
	}
}

func withOverrides(p basket.OverridePolicy) func(*basket.Config) {
	return func(c *basket.Config) { c.Overrides = p }
}

var (
	clerk   = basket.Actor{Kind: basket.Associate, ID: "staff-17", LocationID: demo.Bellecour, Role: "associate"}
	manager = basket.Actor{Kind: basket.Associate, ID: "mgr-3", LocationID: demo.Bellecour, Role: "manager"}
)

// storeBasket is a basket an associate started at Bellecour: an arc lamp
// at 159.00 (L0001) and two mugs at 15.00 (L0002).
func storeBasket(t *testing.T, f *fixture) *basket.Basket {
	t.Helper()
	ctx := context.Background()
	b, err := f.svc.Create(ctx, clerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: demo.Store(demo.Bellecour, time.Time{})})
	require.NoError(t, err)
	_, err = f.svc.AddLine(ctx, clerk, b.ID, line("LAMP-ARC", 1))
	require.NoError(t, err)
	b, err = f.svc.AddLine(ctx, clerk, b.ID, line("MUG-STONE", 2))
	require.NoError(t, err)
	require.Equal(t, euro("159.00"), b.Result.Lines[0].Subtotal)
	return b
}

func overrideFixture(t *testing.T) *fixture {
	return newFixture(t, withHandoff(t), withOverrides(storePolicy()))
}

func priceMatch(price string) basket.OverrideRequest {
	return basket.OverrideRequest{LineID: "L0001", Terms: basket.SetPrice(euro(price)), Reason: "price-match"}
}

// An override above the limit, without and with approval, and every way
// an approval or an actor can be wrong. A refusal writes nothing.
func TestOverridePrice(t *testing.T) {
	ctx := context.Background()
	approve := func(t *testing.T, f *fixture, id uuid.UUID, req basket.OverrideRequest) string {
		t.Helper()
		ap, err := f.svc.ApproveOverride(ctx, manager, id, req)
		require.NoError(t, err)
		assert.Equal(t, "mgr-3", ap.Approver)
		assert.Equal(t, f.clk.Now().Add(basket.DefaultApprovalTTL), ap.ExpiresAt)
		return ap.Token
	}
	for _, c := range []struct {
		name string
		// do runs the command under test on the basket.
		do   func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error)
		want error
		// then checks an applied override: its amount, approver and line total.
		amount, total, approvedBy string
	}{
		{name: "within the associate's limit", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("15.00")), Reason: "DAMAGED"})
		}, amount: "15.00", total: "131.38"}, // 159.00 − 12.62 of SPEND-150 − 15.00
		{name: "15 % off is above it", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.PercentOff(pricing.MustPercent("15")), Reason: "DAMAGED"})
		}, want: basket.ErrApprovalRequired},
		{name: "above the limit without approval", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, priceMatch("129.00"))
		}, want: basket.ErrApprovalRequired},
		{name: "above the limit with a valid approval", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = approve(t, f, id, req)
			f.clk.Advance(time.Minute) // the walk to the till
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, amount: "30.00", total: "116.83", approvedBy: "mgr-3"}, // 129.00 − 12.17 of SPEND-150
		{name: "the same approval twice", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = approve(t, f, id, req)
			_, err := f.svc.OverridePrice(ctx, clerk, id, req)
			require.NoError(t, err)
			_, err = f.svc.RemoveOverride(ctx, clerk, id, "L0001")
			require.NoError(t, err)
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, want: handoff.ErrAlreadyUsed},
		{name: "an approval for another amount", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = approve(t, f, id, req)
			other := priceMatch("119.00")
			other.Approval = req.Approval
			return f.svc.OverridePrice(ctx, clerk, id, other)
		}, want: handoff.ErrWrongSubject},
		{name: "an approval for another line", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := basket.OverrideRequest{LineID: "L0002", Terms: basket.AmountOff(euro("10.00")), Reason: "DAMAGED"}
			req.Approval = approve(t, f, id, req)
			req.LineID = "L0001"
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, want: handoff.ErrWrongSubject},
		{name: "an approval for another reason", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = approve(t, f, id, req)
			req.Reason = "GOODWILL"
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, want: handoff.ErrWrongSubject},
		{name: "an expired approval", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = approve(t, f, id, req)
			f.clk.Advance(basket.DefaultApprovalTTL + handoff.DefaultSkew)
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, want: handoff.ErrExpired},
		{name: "a made-up approval", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			req := priceMatch("129.00")
			req.Approval = "not-a-token"
			return f.svc.OverridePrice(ctx, clerk, id, req)
		}, want: handoff.ErrMalformed},
		{name: "a manager above their own limit", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			_, err := f.svc.ApproveOverride(ctx, manager, id, priceMatch("59.00"))
			return nil, err
		}, want: basket.ErrApprovalRequired},
		{name: "an associate approving", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			_, err := f.svc.ApproveOverride(ctx, clerk, id, priceMatch("129.00"))
			return nil, err
		}, want: basket.ErrForbidden},
		{name: "a manager within their own limit", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, manager, id, priceMatch("99.00"))
		}, amount: "60.00", total: "99.00"}, // 129.00 in all: SPEND-150 is lost
		{name: "a shopper", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, shopper, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "GOODWILL"})
		}, want: basket.ErrForbidden},
		{name: "an associate of another store", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			other := clerk
			other.LocationID = demo.PartDieu
			return f.svc.OverridePrice(ctx, other, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "GOODWILL"})
		}, want: basket.ErrNotFound},
		{name: "a role that may not override alone", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			cashier := clerk
			cashier.Role = "cashier"
			return f.svc.OverridePrice(ctx, cashier, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "GOODWILL"})
		}, want: basket.ErrApprovalRequired},
		{name: "a role not in the policy", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			intern := clerk
			intern.Role = "intern"
			return f.svc.OverridePrice(ctx, intern, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "GOODWILL"})
		}, want: basket.ErrForbidden},
		{name: "a reason the retailer does not use", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "FRIEND"})
		}, want: basket.ErrInvalid},
		{name: "a price that is not lower", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, priceMatch("159.00"))
		}, want: basket.ErrInvalid},
		{name: "two kinds of terms", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			terms := basket.SetPrice(euro("150.00"))
			terms.Off = basket.AmountOff(euro("1.00")).Off
			return f.svc.OverridePrice(ctx, clerk, id, basket.OverrideRequest{LineID: "L0001", Terms: terms, Reason: "DAMAGED"})
		}, want: basket.ErrInvalid},
		{name: "a line not in the basket", do: func(t *testing.T, f *fixture, id uuid.UUID) (*basket.Basket, error) {
			return f.svc.OverridePrice(ctx, clerk, id, basket.OverrideRequest{LineID: "L0009", Terms: basket.AmountOff(euro("1.00")), Reason: "DAMAGED"})
		}, want: basket.ErrUnknownLine},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := overrideFixture(t)
			b := storeBasket(t, f)
			got, err := c.do(t, f, b.ID)
			if c.want != nil {
				require.ErrorIs(t, err, c.want)
				after, err := f.svc.Get(ctx, basket.Actor{Kind: basket.System, ID: "audit"}, b.ID)
				require.NoError(t, err)
				if errors.Is(c.want, handoff.ErrAlreadyUsed) {
					assert.Empty(t, after.Overrides, "the second use changed nothing")
					return
				}
				assert.Equal(t, b.Version, after.Version, "nothing written")
				assert.Empty(t, after.Overrides)
				return
			}
			require.NoError(t, err)
			a, ok := got.Result.Override("L0001")
			require.True(t, ok, "the override applied")
			assert.Equal(t, euro(c.amount), a.Amount)
			assert.Equal(t, euro("159.00"), a.Base)
			assert.Equal(t, c.approvedBy, a.ApprovedBy)
			l, _ := got.Result.Line("L0001")
			assert.Equal(t, euro(c.total), l.Total)
			assert.Contains(t, changeKinds(got.Result.Changes), "override-applied L0001")
			events, err := f.svc.History(ctx, clerk, b.ID)
			require.NoError(t, err)
			assert.Contains(t, eventTypes(events), basket.EventPriceOverridden)
		})
	}
}

// The refusal says what was asked and what the role may do.
func TestOverrideLimitError(t *testing.T) {
	f := overrideFixture(t)
	b := storeBasket(t, f)
	_, err := f.svc.OverridePrice(context.Background(), clerk, b.ID, priceMatch("129.00"))
	var le *basket.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, basket.LimitError{LineID: "L0001", Role: "associate", Asked: euro("30.00"), Limit: euro("15.90")}, *le)

	// 10 % of the 30.00 of two mugs is 3.00: a 3.00 discount is within it, 3.01 is not.
	_, err = f.svc.OverridePrice(context.Background(), clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.AmountOff(euro("3.01")), Reason: "DAMAGED"})
	require.ErrorAs(t, err, &le)
	assert.Equal(t, euro("3.00"), le.Limit)
	got, err := f.svc.OverridePrice(context.Background(), clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.AmountOff(euro("3.00")), Reason: "DAMAGED"})
	require.NoError(t, err)
	l, _ := got.Result.Line("L0002")
	assert.Equal(t, euro("24.62"), l.Total, "30.00 − 2.38 of SPEND-150 − 3.00")
}

func eventTypes(events []basket.Event) []basket.EventType {
	out := make([]basket.EventType, len(events))
	for i, e := range events {
		out[i] = e.Type
	}
	return out
}

// A set price replaces the list price before promotions; a discount comes
// off what the line costs after them. Both show in the Result with their
// reason, who granted and approved them, and their amount.
func TestOverridePipeline(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	// 159.00 + 30.00 ≥ 150.00: SPEND-150 takes 15.00 off, spread over both lines.
	require.Equal(t, euro("15.00"), b.Result.Totals.Discount)

	b, err := f.svc.OverridePrice(ctx, manager, b.ID, priceMatch("139.00"))
	require.NoError(t, err)
	lamp, _ := b.Result.Line("L0001")
	assert.Equal(t, basket.BasisOverride, lamp.Basis)
	assert.Equal(t, euro("139.00"), lamp.UnitPrice)
	assert.Equal(t, euro("159.00"), lamp.ListPrice, "the list price is still shown")
	assert.Equal(t, euro("15.00"), b.Result.Totals.Discount, "promotions still apply on top: 169.00 ≥ 150.00")
	assert.NotContains(t, changeKinds(b.Result.Changes), "price-changed L0001", "the override says it itself")

	b, err = f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.PercentOff(pricing.MustPercent("10")), Reason: "damaged"})
	require.NoError(t, err)
	mugs, _ := b.Result.Line("L0002")
	require.NotEmpty(t, mugs.Discounts)
	last := mugs.Discounts[len(mugs.Discounts)-1]
	assert.Equal(t, basket.OverrideAdjustmentID, last.PromotionID, "after the promotions")
	// The mugs' share of SPEND-150 is 15.00 × 30/169 → 2.66; 10 % of the 27.34 left is 2.73.
	assert.Equal(t, euro("2.73"), last.Amount)
	var sum int64
	for _, a := range mugs.Discounts {
		sum += a.Amount.MinorUnits()
	}
	assert.Equal(t, mugs.Discount.MinorUnits(), sum, "the adjustments are the discount")
	assert.Equal(t, mugs.Subtotal.MinorUnits()-sum, mugs.Total.MinorUnits())

	require.Len(t, b.Result.Overrides, 2)
	assert.Equal(t, "PRICE-MATCH", b.Result.Overrides[0].Reason)
	assert.Equal(t, "mgr-3", b.Result.Overrides[0].GrantedBy)
	assert.Equal(t, "manager", b.Result.Overrides[0].Role)
	assert.Equal(t, euro("20.00"), b.Result.Overrides[0].Amount)
	assert.Equal(t, "DAMAGED", b.Result.Overrides[1].Reason)
	assert.Equal(t, euro("2.73"), b.Result.Overrides[1].Amount)
	assert.Equal(t, euro("30.00"), b.Result.Overrides[1].Base)
	assert.Equal(t, demo.Bellecour, b.Result.Overrides[1].LocationID)

	// Removing it is an event and a change.
	b, err = f.svc.RemoveOverride(ctx, clerk, b.ID, "L0002")
	require.NoError(t, err)
	assert.Contains(t, changeKinds(b.Result.Changes), "override-removed L0002")
	_, err = f.svc.RemoveOverride(ctx, clerk, b.ID, "L0002")
	assert.ErrorIs(t, err, basket.ErrNoOverride)
	_, err = f.svc.RemoveOverride(ctx, shopper, b.ID, "L0001")
	assert.ErrorIs(t, err, basket.ErrForbidden)
}

// An override holds for the quantity it was granted at: ten lamps at a
// price granted for one would be another override.
func TestOverrideEndsWithAQuantityChange(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	_, err := f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.AmountOff(euro("3.00")), Reason: "DAMAGED"})
	require.NoError(t, err)
	b, err = f.svc.SetQuantity(ctx, clerk, b.ID, "L0002", 5)
	require.NoError(t, err)
	assert.Empty(t, b.Overrides)
	assert.Empty(t, b.Result.Overrides)
	c := findChange(t, b.Result.Changes, basket.ChangeOverrideRemoved)
	assert.Equal(t, "the store discount on Stoneware mug no longer applies (was 3.00 EUR)", c.Message())
}

func findChange(t *testing.T, cs []basket.Change, k basket.ChangeKind) basket.Change {
	t.Helper()
	for _, c := range cs {
		if c.Kind == k {
			return c
		}
	}
	t.Fatalf("no %s in %v", k, changeKinds(cs))
	return basket.Change{}
}

// By default an override granted in a store ends when the basket leaves
// it, as an event, and the report says so; with Keep it follows the
// basket.
func TestOverrideOnChannelChange(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		carry basket.OverrideCarry
		kept  bool
	}{{basket.EndOnLeave, false}, {basket.Keep, true}} {
		t.Run(c.carry.String(), func(t *testing.T) {
			p := storePolicy()
			p.Carry = c.carry
			f := newFixture(t, withHandoff(t), withOverrides(p))
			b := storeBasket(t, f)
			_, err := f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("10.00")), Reason: "DAMAGED"})
			require.NoError(t, err)
			b, err = f.svc.CheckOut(ctx, clerk, b.ID, demo.Web(time.Time{}))
			require.NoError(t, err)
			events, err := f.svc.History(ctx, shopper, b.ID)
			require.NoError(t, err)
			if c.kept {
				require.Len(t, b.Overrides, 1)
				a, ok := b.Result.Override("L0001")
				require.True(t, ok)
				assert.Equal(t, euro("10.00"), a.Amount)
				assert.NotContains(t, eventTypes(events), basket.EventOverrideEnded)
				return
			}
			assert.Empty(t, b.Overrides)
			assert.Empty(t, b.Result.Overrides)
			assert.Equal(t, []basket.EventType{basket.EventCheckedOut, basket.EventOverrideEnded, basket.EventRecontextualized}, eventTypes(events[len(events)-3:]))
			ch := findChange(t, b.Result.Changes, basket.ChangeOverrideEnded)
			assert.Equal(t, demo.Bellecour, ch.LocationID)
			assert.Equal(t, "the store discount on Arc floor lamp ended when the basket left lyon-bellecour (was 10.00 EUR)", ch.Message())
		})
	}
}

// Overrides survive the history: replayed, the basket and its pricing are
// the same, byte for byte.
func TestOverrideReplay(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	req := priceMatch("129.00")
	ap, err := f.svc.ApproveOverride(ctx, manager, b.ID, req)
	require.NoError(t, err)
	req.Approval = ap.Token
	_, err = f.svc.OverridePrice(ctx, clerk, b.ID, req)
	require.NoError(t, err)
	_, err = f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.PercentOff(pricing.MustPercent("5")), Reason: "GOODWILL"})
	require.NoError(t, err)
	b, err = f.svc.CheckOut(ctx, clerk, b.ID, demo.Web(time.Time{}))
	require.NoError(t, err)
	events, err := f.svc.History(ctx, shopper, b.ID)
	require.NoError(t, err)
	for n := range events {
		replayed, err := basket.Replay(events[:n+1])
		require.NoError(t, err, "event %d", n+1)
		require.NoError(t, replayed.Validate())
	}
	replayed, err := basket.Replay(events)
	require.NoError(t, err)
	assert.JSONEq(t, mustJSON(t, b), mustJSON(t, replayed))
	// Mid-way, with both overrides in force, the decoded basket keeps them.
	mid, err := basket.Replay(events[:len(events)-3])
	require.NoError(t, err)
	require.Len(t, mid.Overrides, 2)
	assert.Equal(t, "mgr-3", mid.Overrides[0].ApprovedBy)
	var decoded basket.Basket
	require.NoError(t, decoded.UnmarshalJSON([]byte(mustJSON(t, mid))))
	assert.JSONEq(t, mustJSON(t, mid), mustJSON(t, &decoded))
}

// A retried override with an idempotency key returns its first outcome
// instead of failing on the spent approval.
func TestOverrideIdempotentRetry(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	req := priceMatch("129.00")
	ap, err := f.svc.ApproveOverride(ctx, manager, b.ID, req)
	require.NoError(t, err)
	req.Approval = ap.Token
	first, err := f.svc.OverridePrice(ctx, clerk, b.ID, req, basket.WithIdempotencyKey("till-7-0042"))
	require.NoError(t, err)
	again, err := f.svc.OverridePrice(ctx, clerk, b.ID, req, basket.WithIdempotencyKey("till-7-0042"))
	require.NoError(t, err)
	assert.Equal(t, first.Version, again.Version)
}

// Overrides are refused on a quote (frozen) and without configuration.
func TestOverrideGuards(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, withHandoff(t))
	b := storeBasket(t, f)
	_, err := f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "DAMAGED"})
	assert.ErrorIs(t, err, basket.ErrNotConfigured)

	_, err = basket.NewService(basket.Config{Store: f.store, Prices: f.cfg.Prices, Tax: f.cfg.Tax, Stock: f.cfg.Stock, Locations: f.cfg.Locations, Clock: f.clk,
		Overrides: basket.OverridePolicy{Roles: map[string]basket.OverrideLimit{"associate": {MaxPercent: pricing.MustPercent("120")}}}})
	assert.ErrorIs(t, err, basket.ErrInvalid, "more than 100 %")

	f = overrideFixture(t)
	b = storeBasket(t, f)
	_, err = f.svc.Transition(ctx, clerk, b.ID, basket.Quote, f.clk.Now().Add(24*time.Hour))
	require.NoError(t, err)
	_, err = f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0001", Terms: basket.AmountOff(euro("1.00")), Reason: "DAMAGED"})
	assert.ErrorIs(t, err, basket.ErrQuoteFrozen)
}

// A return re-prices the units kept under the order's terms, overrides
// included: a set price still applies to the units kept, an amount off is
// shared out pro rata, and a line returned in full takes its override
// with it.
func TestOverrideOnReturn(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	_, err := f.svc.OverridePrice(ctx, manager, b.ID, priceMatch("139.00"))
	require.NoError(t, err)
	_, err = f.svc.OverridePrice(ctx, clerk, b.ID, basket.OverrideRequest{LineID: "L0002", Terms: basket.AmountOff(euro("3.00")), Reason: "DAMAGED"})
	require.NoError(t, err)
	order, err := f.svc.PlaceOrder(ctx, clerk, b.ID)
	require.NoError(t, err)
	require.Len(t, order.Result.Overrides, 2)

	q, err := basket.QuoteReturn(order, []basket.ReturnLine{ret("L0002", 1)})
	require.NoError(t, err)
	var mug basket.PricedLine
	for _, l := range q.KeptLines {
		if l.LineID == "L0002" {
			mug = l
		}
	}
	require.Equal(t, int64(1), mug.Quantity)
	require.NotEmpty(t, mug.Discounts)
	assert.Equal(t, basket.OverrideAdjustmentID, mug.Discounts[len(mug.Discounts)-1].PromotionID)
	assert.Equal(t, euro("1.50"), mug.Discounts[len(mug.Discounts)-1].Amount, "half the amount off for half the units")
	lamp := q.KeptLines[0]
	assert.Equal(t, euro("139.00"), lamp.UnitPrice, "the set price holds on the units kept")

	q, err = basket.QuoteReturn(order, []basket.ReturnLine{ret("L0001", 1)})
	require.NoError(t, err, "a line returned in full takes its override with it")
	require.Len(t, q.KeptLines, 1)
	assert.Equal(t, "L0002", q.KeptLines[0].LineID)
}

// Price protection does not carry an override's price beyond the store
// that granted it: the shopper leaving with a price-matched lamp pays the
// web's price at home, not the store's gesture.
func TestOverrideIsNotProtected(t *testing.T) {
	ctx := context.Background()
	f := overrideFixture(t)
	b := storeBasket(t, f)
	_, err := f.svc.OverridePrice(ctx, manager, b.ID, priceMatch("119.00"))
	require.NoError(t, err)
	b, err = f.svc.CheckOut(ctx, clerk, b.ID, demo.Web(time.Time{}), basket.WithPolicy(basket.PriceProtection))
	require.NoError(t, err)
	lamp, _ := b.Result.Line("L0001")
	assert.Equal(t, basket.BasisTarget, lamp.Basis)
	assert.Equal(t, euro("149.00"), lamp.UnitPrice)
}
