package basket_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var systemActor = basket.Actor{Kind: basket.System, ID: "erp"}

// pricedCart is a cart of two lines with a coupon, priced in the web.
func pricedCart(t *testing.T, at time.Time) *basket.Basket {
	t.Helper()
	b := newCart(t)
	add(t, b, at, "MUG-STONE", 2)
	add(t, b, at, "LAMP-DESK", 1)
	_, err := b.AddCoupon(meta(at), "WELCOME10")
	require.NoError(t, err)
	price(t, b, demo.Web(at), basket.Options{})
	return b
}

// quoted is pricedCart turned into a quote by an associate, locked 48 h.
func quoted(t *testing.T, at time.Time) *basket.Basket {
	t.Helper()
	b := pricedCart(t, at)
	_, err := b.Transition(staff(at), basket.Quote, at.Add(48*time.Hour))
	require.NoError(t, err)
	return b
}

func jsonBytes(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	require.NoError(t, err)
	return string(out)
}

// TestQuoteRequestsOutsideThePolicyAreRefused: who may quote, and for how
// long, is bounded; every refusal is typed, names what is wrong and leaves
// the basket as it was.
func TestQuoteRequestsOutsideThePolicyAreRefused(t *testing.T) {
	at := demo.Start()
	sys := basket.Meta{Actor: systemActor, At: at}
	tests := []struct {
		name  string
		run   func(b *basket.Basket) error
		kind  error
		field string
	}{
		{"a shopper quotes their own basket", func(b *basket.Basket) error {
			_, err := b.Transition(meta(at), basket.Quote, at.Add(time.Hour))
			return err
		}, basket.ErrForbidden, "Actor.Kind"},
		{"a lock until year 9999", func(b *basket.Basket) error {
			_, err := b.Transition(staff(at), basket.Quote, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"a lock one second beyond the default 30 days", func(b *basket.Basket) error {
			_, err := b.Transition(sys, basket.Quote, at.Add(basket.DefaultMaxQuoteLock+time.Second))
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"a lock ending now", func(b *basket.Basket) error {
			_, err := b.Transition(staff(at), basket.Quote, at)
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"a lock in the past", func(b *basket.Basket) error {
			_, err := b.Transition(staff(at), basket.Quote, at.Add(-time.Hour))
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"a lock beyond a configured maximum", func(b *basket.Basket) error {
			_, err := b.IssueQuote(staff(at), at.Add(2*time.Hour), basket.QuotePolicy{MaxLock: time.Hour})
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"an associate where only the System quotes", func(b *basket.Basket) error {
			_, err := b.IssueQuote(staff(at), at.Add(time.Hour), basket.QuotePolicy{Issuers: []basket.ActorKind{basket.System}})
			return err
		}, basket.ErrForbidden, "Actor.Kind"},
		{"the System where nobody quotes", func(b *basket.Basket) error {
			_, err := b.IssueQuote(sys, at.Add(time.Hour), basket.QuotePolicy{Issuers: []basket.ActorKind{}})
			return err
		}, basket.ErrForbidden, "Actor.Kind"},
		{"a pricing older than the basket", func(b *basket.Basket) error {
			add(t, b, at, "CANDLE-TEA", 6) // changed since it was priced
			before := jsonBytes(t, b)
			_, err := b.Transition(staff(at), basket.Quote, at.Add(time.Hour))
			assert.JSONEq(t, before, jsonBytes(t, b))
			return err
		}, basket.ErrInvalid, "Result"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := pricedCart(t, at)
			before := jsonBytes(t, b)
			err := tt.run(b)
			require.ErrorIs(t, err, tt.kind)
			var ie *basket.InputError
			require.True(t, errors.As(err, &ie), "typed error: %v", err)
			assert.Equal(t, tt.field, ie.Field)
			if tt.field != "Result" { // that case changed the basket on purpose first
				assert.JSONEq(t, before, jsonBytes(t, b), "a refused quote changed the basket")
			}
			assert.Equal(t, basket.Cart, b.Status)
		})
	}

	t.Run("the bounds themselves are allowed", func(t *testing.T) {
		b := pricedCart(t, at)
		_, err := b.Transition(staff(at), basket.Quote, at.Add(basket.DefaultMaxQuoteLock))
		require.NoError(t, err)
		assert.Equal(t, at.Add(basket.DefaultMaxQuoteLock), b.QuoteLockedUntil)
		b = pricedCart(t, at)
		_, err = b.IssueQuote(meta(at), at.Add(time.Hour), basket.QuotePolicy{Issuers: []basket.ActorKind{basket.Shopper}})
		require.NoError(t, err, "a retailer may let shoppers quote")
	})
}

// TestQuoteIsFrozenUntilReopened: a quote is a priced offer; what it
// offers (lines, fulfilment, coupons, loyalty, merges into it) cannot
// change, with ErrQuoteFrozen (which also reads as ErrImmutable), until it
// is reopened as a cart.
func TestQuoteIsFrozenUntilReopened(t *testing.T) {
	at := demo.Start()
	tests := []struct {
		name string
		run  func(b *basket.Basket) error
	}{
		{"add a line", func(b *basket.Basket) error {
			_, _, err := b.AddLine(staff(at), basket.NewLine{SKU: "CANDLE-TEA", Quantity: 1, Product: demo.Product("CANDLE-TEA")})
			return err
		}},
		{"add to a quoted line", func(b *basket.Basket) error {
			_, _, err := b.AddLine(staff(at), basket.NewLine{SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")})
			return err
		}},
		{"lower a quantity", func(b *basket.Basket) error { _, err := b.SetQuantity(meta(at), "L0001", 1); return err }},
		{"raise a quantity", func(b *basket.Basket) error { _, err := b.SetQuantity(staff(at), "L0001", 6); return err }},
		{"remove a line", func(b *basket.Basket) error { _, err := b.RemoveLine(meta(at), "L0002"); return err }},
		{"change the fulfilment", func(b *basket.Basket) error {
			_, err := b.SetFulfilment(meta(at), "L0001", channel.ClickCollect)
			return err
		}},
		{"add a coupon", func(b *basket.Basket) error { _, err := b.AddCoupon(meta(at), "MERCI5"); return err }},
		{"remove a coupon", func(b *basket.Basket) error { _, err := b.RemoveCoupon(meta(at), "WELCOME10"); return err }},
		{"link a loyalty account", func(b *basket.Basket) error {
			_, err := b.SetLoyalty(meta(at), &basket.Loyalty{Account: "LY-1", Tier: "gold"})
			return err
		}},
		{"merge a basket into the quote", func(b *basket.Basket) error {
			src, _, err := basket.New(uuid.New(), basket.Owner{AnonymousID: "anon-1"}, demo.Web(at), basket.Cart, meta(at))
			require.NoError(t, err)
			add(t, src, at, "CANDLE-FIG", 1)
			srcBefore := jsonBytes(t, src)
			_, _, err = b.Merge(meta(at), src, basket.MergeSum)
			if err != nil {
				assert.JSONEq(t, srcBefore, jsonBytes(t, src), "a refused merge does not abandon the source either")
			}
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := quoted(t, at)
			before := jsonBytes(t, b)
			err := tt.run(b)
			require.ErrorIs(t, err, basket.ErrQuoteFrozen)
			assert.ErrorIs(t, err, basket.ErrImmutable)
			var ie *basket.InputError
			require.True(t, errors.As(err, &ie), "typed error: %v", err)
			assert.Equal(t, "Status", ie.Field)
			assert.JSONEq(t, before, jsonBytes(t, b), "a refused edit changed the quote")

			// Reopened as a cart, the same edit goes through.
			_, err = b.Transition(meta(at), basket.Cart, time.Time{})
			require.NoError(t, err)
			require.NoError(t, tt.run(b))
		})
	}

	t.Run("vouchers pay, they do not change the offer", func(t *testing.T) {
		b := quoted(t, at)
		_, err := b.AddVoucher(meta(at), "GIFT-1")
		require.NoError(t, err)
		assert.Equal(t, []string{"GIFT-1"}, b.Wallet.Vouchers)
	})
}

// TestReopenedQuoteIsNoLongerLocked: reopening a quote as a cart drops the
// lock, also under price protection (where today the quoted price was
// carried on as a "protected" one, so the lock never ended).
func TestReopenedQuoteIsNoLongerLocked(t *testing.T) {
	at := demo.Start()
	for _, policy := range []basket.Policy{basket.TargetPrice, basket.PriceProtection} {
		t.Run(policy.String(), func(t *testing.T) {
			b := quoted(t, at) // the mug is quoted at the web price, 14.00
			store := demo.Store(demo.Bellecour, at.Add(time.Hour))
			r := price(t, b, store, basket.Options{Policy: policy})
			mug, _ := r.Line("L0001")
			require.Equal(t, basket.BasisQuoteLocked, mug.Basis)
			require.Equal(t, "14.00", mug.UnitPrice.Amount())

			_, err := b.Transition(meta(at.Add(2*time.Hour)), basket.Cart, time.Time{})
			require.NoError(t, err)
			assert.True(t, b.QuoteLockedUntil.IsZero())
			r = price(t, b, demo.Store(demo.Bellecour, at.Add(2*time.Hour)), basket.Options{Policy: policy})
			mug, _ = r.Line("L0001")
			assert.Equal(t, basket.BasisTarget, mug.Basis)
			assert.Equal(t, "15.00", mug.UnitPrice.Amount(), "the store price, not the quoted one")
			assert.Contains(t, changeKinds(r.Changes), "quote-lock-expired L0001")
		})
	}

	t.Run("an expired lock is not protected either", func(t *testing.T) {
		b := quoted(t, at)
		price(t, b, demo.Store(demo.Bellecour, at.Add(time.Hour)), basket.Options{Policy: basket.PriceProtection})
		r := price(t, b, demo.Store(demo.Bellecour, at.Add(49*time.Hour)), basket.Options{Policy: basket.PriceProtection})
		mug, _ := r.Line("L0001")
		assert.Equal(t, basket.BasisTarget, mug.Basis)
		assert.Equal(t, "15.00", mug.UnitPrice.Amount())
	})
}

// TestQuoteLockNeedsItsQuantity: a locked price is only valid for the
// quantity it was quoted for. The commands freeze a quote's lines; a
// basket built or decoded around them gets the target price all the same.
func TestQuoteLockNeedsItsQuantity(t *testing.T) {
	at := demo.Start()
	store := demo.Store(demo.Bellecour, at)
	b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "cust-42"}, store, basket.Cart, meta(at))
	require.NoError(t, err)
	add(t, b, at, "CANDLE-TEA", 6)
	r := price(t, b, store, basket.Options{})
	tea, _ := r.Line("L0001")
	require.Equal(t, "6.50", tea.UnitPrice.Amount(), "the 6-unit tier")
	_, err = b.Transition(staff(at), basket.Quote, at.Add(24*time.Hour))
	require.NoError(t, err)

	later := demo.Store(demo.Bellecour, at.Add(time.Hour))
	same := price(t, b.Clone(), later, basket.Options{})
	tea, _ = same.Line("L0001")
	assert.Equal(t, basket.BasisQuoteLocked, tea.Basis, "6 units keep the quoted 6-unit price")

	fewer := b.Clone()
	fewer.Lines[0].Quantity = 1 // no command can do this to a quote
	r, err = basket.Recontextualize(fewer, later, snapshotOf(t, later), basket.Options{})
	require.NoError(t, err)
	tea, _ = r.Line("L0001")
	assert.Equal(t, basket.BasisTarget, tea.Basis)
	assert.Equal(t, "7.90", tea.UnitPrice.Amount(), "1 unit does not keep the 6-unit price")
}

func snapshotOf(t *testing.T, target channel.Context) basket.Snapshot {
	t.Helper()
	snap, err := demo.Snapshot(target.ChannelID)
	require.NoError(t, err)
	return snap
}

// TestServiceQuotes: the Service applies its configured QuotePolicy before
// any pricing, refuses edits of a quote, and reprices a reopened quote so
// the stored result is no longer locked.
func TestServiceQuotes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *basket.Config) { c.Quotes = basket.QuotePolicy{MaxLock: 7 * 24 * time.Hour} })
	b := f.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	b, err := f.svc.AddLine(ctx, shopper, b.ID, line("MUG-STONE", 2))
	require.NoError(t, err)
	now := f.clk.Now()

	refusals := []struct {
		name  string
		call  func() error
		kind  error
		field string
	}{
		{"a shopper quotes", func() error {
			_, err := f.svc.Transition(ctx, shopper, b.ID, basket.Quote, now.Add(time.Hour))
			return err
		}, basket.ErrForbidden, "Actor.Kind"},
		{"beyond the configured 7 days", func() error {
			_, err := f.svc.Transition(ctx, systemActor, b.ID, basket.Quote, now.Add(8*24*time.Hour))
			return err
		}, basket.ErrInvalid, "LockUntil"},
		{"until year 9999", func() error {
			_, err := f.svc.Transition(ctx, systemActor, b.ID, basket.Quote, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
			return err
		}, basket.ErrInvalid, "LockUntil"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := f.store.Get(ctx, b.ID)
			err := tt.call()
			require.ErrorIs(t, err, tt.kind)
			var ie *basket.InputError
			require.True(t, errors.As(err, &ie))
			assert.Equal(t, tt.field, ie.Field)
			after, _ := f.store.Get(ctx, b.ID)
			assert.JSONEq(t, jsonBytes(t, before), jsonBytes(t, after), "nothing saved")
		})
	}

	q, err := f.svc.Transition(ctx, systemActor, b.ID, basket.Quote, now.Add(7*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, basket.Quote, q.Status)

	_, err = f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 6)
	require.ErrorIs(t, err, basket.ErrQuoteFrozen)
	stored, _ := f.store.Get(ctx, b.ID)
	assert.Equal(t, q.Version, stored.Version)

	f.clk.Advance(time.Minute)
	_, err = f.svc.Recontextualize(ctx, shopper, b.ID, demo.Store(demo.Bellecour, time.Time{}))
	require.NoError(t, err, "a quote may move to a store, prices locked")
	r, err := f.svc.Transition(ctx, shopper, b.ID, basket.Cart, time.Time{})
	require.NoError(t, err, "the shopper may reopen it")
	assert.True(t, r.QuoteLockedUntil.IsZero())
	mug, _ := r.Result.Line("L0001")
	assert.Equal(t, basket.BasisTarget, mug.Basis, "priced again without the lock")
	assert.Equal(t, "15.00", mug.UnitPrice.Amount())
	assert.Equal(t, r.Version, r.Result.BasketVersion)
	_, err = f.svc.SetQuantity(ctx, shopper, b.ID, "L0001", 6)
	require.NoError(t, err, "a cart again")

	// Default policy: 30 days at most.
	d := newFixture(t)
	b = d.create(t, basket.Owner{CustomerID: "cust-42"}, shopper)
	_, err = d.svc.Transition(ctx, systemActor, b.ID, basket.Quote, d.clk.Now().Add(basket.DefaultMaxQuoteLock+time.Minute))
	require.ErrorIs(t, err, basket.ErrInvalid)
	_, err = d.svc.Transition(ctx, systemActor, b.ID, basket.Quote, d.clk.Now().Add(basket.DefaultMaxQuoteLock))
	require.NoError(t, err)
}
