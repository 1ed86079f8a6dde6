package basket_test

import (
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

// staff is an associate of Bellecour acting at time at: quotes are issued
// by associates or the System, never by the shopper.
func staff(at time.Time) basket.Meta {
	return basket.Meta{Actor: basket.Actor{Kind: basket.Associate, ID: "staff-1", LocationID: demo.Bellecour}, At: at}
}

func newCart(t *testing.T) *basket.Basket {
	t.Helper()
	at := demo.Start()
	b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "cust-42"}, demo.Web(at), basket.Cart, meta(at))
	require.NoError(t, err)
	return b
}

func TestCommandsRefuseBadInputAndChangeNothing(t *testing.T) {
	at := demo.Start()
	tests := []struct {
		name string
		run  func(b *basket.Basket) error
		kind error
	}{
		{"zero quantity", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "MUG-STONE", Quantity: 0, Product: demo.Product("MUG-STONE")})
			return err
		}, basket.ErrInvalid},
		{"quantity above the bound", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "MUG-STONE", Quantity: basket.MaxQuantity + 1, Product: demo.Product("MUG-STONE")})
			return err
		}, basket.ErrInvalid},
		{"merge overflows the bound", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "LAMP-ARC", Quantity: basket.MaxQuantity, Product: demo.Product("LAMP-ARC")})
			return err
		}, basket.ErrInvalid},
		{"empty SKU", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: " ", Quantity: 1, Product: demo.Product("MUG-STONE")})
			return err
		}, basket.ErrInvalid},
		{"no tax category", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "X", Quantity: 1, Product: basket.Product{Name: "x"}})
			return err
		}, basket.ErrInvalid},
		{"unknown parent", func(b *basket.Basket) error {
			_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: "L0099"})
			return err
		}, basket.ErrUnknownLine},
		{"unknown line quantity", func(b *basket.Basket) error { _, err := b.SetQuantity(meta(at), "L0099", 2); return err }, basket.ErrUnknownLine},
		{"quantity unchanged", func(b *basket.Basket) error { _, err := b.SetQuantity(meta(at), "L0001", 2); return err }, basket.ErrInvalid},
		{"negative quantity", func(b *basket.Basket) error { _, err := b.SetQuantity(meta(at), "L0001", -1); return err }, basket.ErrInvalid},
		{"remove unknown line", func(b *basket.Basket) error { _, err := b.RemoveLine(meta(at), "L0099"); return err }, basket.ErrUnknownLine},
		{"duplicate coupon", func(b *basket.Basket) error { _, err := b.AddCoupon(meta(at), " welcome10 "); return err }, basket.ErrDuplicateCoupon},
		{"coupon with spaces inside", func(b *basket.Basket) error { _, err := b.AddCoupon(meta(at), "A B"); return err }, basket.ErrInvalid},
		{"remove absent coupon", func(b *basket.Basket) error { _, err := b.RemoveCoupon(meta(at), "NOPE"); return err }, basket.ErrInvalid},
		{"unknown fulfilment mode", func(b *basket.Basket) error { _, err := b.SetFulfilment(meta(at), "L0001", 42); return err }, basket.ErrInvalid},
		{"loyalty without account", func(b *basket.Basket) error { _, err := b.SetLoyalty(meta(at), &basket.Loyalty{}); return err }, basket.ErrInvalid},
		{"command without time", func(b *basket.Basket) error { _, err := b.AddCoupon(basket.Meta{Actor: shopper}, "X"); return err }, basket.ErrInvalid},
		{"associate without location", func(b *basket.Basket) error {
			_, err := b.AddCoupon(basket.Meta{Actor: basket.Actor{Kind: basket.Associate, ID: "a-1"}, At: at}, "X")
			return err
		}, basket.ErrInvalid},
		{"quote without lock", func(b *basket.Basket) error { _, err := b.Transition(staff(at), basket.Quote, at); return err }, basket.ErrInvalid},
		{"order an unpriced basket", func(b *basket.Basket) error {
			_, err := b.Transition(meta(at), basket.Ordered, time.Time{})
			return err
		}, basket.ErrNotOrderable},
		{"result of another version", func(b *basket.Basket) error {
			_, err := b.SetResult(meta(at), &basket.Result{BasketID: b.ID, BasketVersion: 1})
			return err
		}, basket.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newCart(t)
			add(t, b, at, "LAMP-ARC", 2)
			_, err := b.AddCoupon(meta(at), "WELCOME10")
			require.NoError(t, err)
			before, _ := json.Marshal(b)
			err = tt.run(b)
			require.ErrorIs(t, err, tt.kind)
			var ie *basket.InputError
			assert.True(t, errors.As(err, &ie) || errors.Is(err, basket.ErrInvalidTransition), "typed error: %v", err)
			after, _ := json.Marshal(b)
			assert.JSONEq(t, string(before), string(after), "a refused command changed the basket")
		})
	}
}

func TestAddLineMergesAndServicesFollowTheirParent(t *testing.T) {
	at := demo.Start()
	b := newCart(t)
	lamp := add(t, b, at, "LAMP-ARC", 1)
	assert.Equal(t, lamp, add(t, b, at, "LAMP-ARC", 2), "same SKU and attributes: one line")
	l, _ := b.Line(lamp)
	assert.Equal(t, int64(3), l.Quantity)
	wrap, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: lamp})
	require.NoError(t, err)
	_, _, err = b.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: wrap})
	require.ErrorIs(t, err, basket.ErrInvalid, "no services of services")
	mug := add(t, b, at, "MUG-STONE", 1)
	e, err := b.RemoveLine(meta(at), lamp)
	require.NoError(t, err)
	assert.Equal(t, basket.EventLineRemoved, e.Type)
	_, ok := b.Line(wrap)
	assert.False(t, ok, "the gift wrap went with its lamp")
	_, ok = b.Line(mug)
	assert.True(t, ok)
	assert.Equal(t, "L0004", add(t, b, at, "LAMP-ARC", 1), "line IDs are never reused")
}

func TestLifecycle(t *testing.T) {
	all := []basket.Status{basket.Wishlist, basket.Cart, basket.Quote, basket.Ordered, basket.Invoiced, basket.Abandoned}
	allowed := map[[2]basket.Status]bool{
		{basket.Wishlist, basket.Cart}: true, {basket.Wishlist, basket.Abandoned}: true,
		{basket.Cart, basket.Wishlist}: true, {basket.Cart, basket.Quote}: true, {basket.Cart, basket.Ordered}: true, {basket.Cart, basket.Abandoned}: true,
		{basket.Quote, basket.Cart}: true, {basket.Quote, basket.Ordered}: true, {basket.Quote, basket.Abandoned}: true,
		{basket.Ordered, basket.Invoiced}: true,
		{basket.Abandoned, basket.Cart}:   true,
	}
	for _, from := range all {
		for _, to := range all {
			assert.Equal(t, allowed[[2]basket.Status{from, to}], from.CanBecome(to), "%s → %s", from, to)
		}
	}
}

func TestOrderedIsImmutableAndQuoteLocksPrices(t *testing.T) {
	at := demo.Start()
	b := newCart(t)
	add(t, b, at, "MUG-STONE", 2)
	price(t, b, demo.Web(at), basket.Options{})
	_, err := b.Transition(staff(at), basket.Quote, at.Add(48*time.Hour))
	require.NoError(t, err)

	// In store the mug costs 15.00, but the quote locked 14.00 for 48 hours.
	r := price(t, b, demo.Store(demo.Bellecour, at.Add(time.Hour)), basket.Options{})
	mug, _ := r.Line("L0001")
	assert.Equal(t, basket.BasisQuoteLocked, mug.Basis)
	assert.Equal(t, "14.00", mug.UnitPrice.Amount())
	assert.Equal(t, "15.00", mug.ListPrice.Amount())
	assert.Equal(t, basket.ChangeQuoteLockKept, r.Changes[0].Kind)

	// After expiry the store price applies again, and the report says why.
	r = price(t, b, demo.Store(demo.Bellecour, at.Add(49*time.Hour)), basket.Options{})
	mug, _ = r.Line("L0001")
	assert.Equal(t, basket.BasisTarget, mug.Basis)
	assert.Equal(t, "15.00", mug.UnitPrice.Amount())
	assert.Subset(t, changeKinds(r.Changes), []string{"price-changed L0001", "quote-lock-expired L0001"})

	_, err = b.Transition(meta(at), basket.Ordered, time.Time{})
	require.NoError(t, err)
	before, _ := json.Marshal(b)
	_, _, err = b.AddLine(meta(at), basket.NewLine{SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")})
	assert.ErrorIs(t, err, basket.ErrImmutable)
	_, err = b.AddCoupon(meta(at), "X")
	assert.ErrorIs(t, err, basket.ErrImmutable)
	_, err = b.Transition(meta(at), basket.Cart, time.Time{})
	assert.ErrorIs(t, err, basket.ErrImmutable)
	_, err = b.Transition(meta(at), basket.Invoiced, time.Time{})
	require.NoError(t, err)
	_, err = b.Transition(meta(at), basket.Ordered, time.Time{})
	assert.ErrorIs(t, err, basket.ErrImmutable)
	assert.Equal(t, basket.Invoiced, b.Status)
	after, _ := json.Marshal(b)
	assert.NotEqual(t, string(before), string(after), "only the invoice transition changed it")
}

func TestOrderNeedsCompleteCurrentPricing(t *testing.T) {
	at := demo.Start()
	b := newCart(t)
	add(t, b, at, "ASSEMBLY", 1) // a store-only service: no web price
	price(t, b, demo.Web(at), basket.Options{})
	_, err := b.Transition(meta(at), basket.Ordered, time.Time{})
	require.ErrorIs(t, err, basket.ErrNotOrderable)
	assert.False(t, b.Result.Complete)
	l, _ := b.Result.Line("L0001")
	assert.False(t, l.Priced)
	assert.Equal(t, basket.ChangeLineUnpriced, b.Result.Changes[0].Kind, "reported, and the line is kept")
	require.Len(t, b.Lines, 1)

	add(t, b, at, "LAMP-ARC", 1) // now the pricing is stale
	price(t, b, demo.Store(demo.Bellecour, at), basket.Options{})
	add(t, b, at, "MUG-STONE", 1)
	_, err = b.Transition(meta(at), basket.Ordered, time.Time{})
	require.ErrorIs(t, err, basket.ErrNotOrderable, "priced before the last change")
	price(t, b, demo.Store(demo.Bellecour, at), basket.Options{})
	_, err = b.Transition(meta(at), basket.Ordered, time.Time{})
	require.NoError(t, err)
}

func TestReplayRebuildsTheBasket(t *testing.T) {
	at := demo.Start()
	b, created, err := basket.New(uuid.New(), basket.Owner{AnonymousID: "anon-1"}, demo.Web(at), basket.Wishlist, meta(at))
	require.NoError(t, err)
	events := []basket.Event{created}
	step := func(e basket.Event, err error) {
		t.Helper()
		require.NoError(t, err)
		events = append(events, e)
	}
	_, e, err := b.AddLine(meta(at), basket.NewLine{SKU: "LAMP-ARC", Quantity: 1, Product: demo.Product("LAMP-ARC")})
	step(e, err)
	_, e, err = b.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: "L0001"})
	step(e, err)
	step(b.SetQuantity(meta(at), "L0001", 3))
	step(b.AddCoupon(meta(at), "welcome10"))
	step(b.AddVoucher(meta(at), "gift-123"))
	step(b.SetLoyalty(meta(at), &basket.Loyalty{Account: "LY-9", Tier: "gold"}))
	step(b.SetFulfilment(meta(at), "L0001", channel.ShipToAddress))
	step(b.Transition(meta(at), basket.Cart, time.Time{}))
	snap, err := demo.Snapshot("web")
	require.NoError(t, err)
	r, err := basket.Recontextualize(b, demo.Web(at), snap, basket.Options{})
	require.NoError(t, err)
	step(b.SetResult(meta(at), r))
	step(b.RemoveCoupon(meta(at), "WELCOME10"))

	// Through JSON, as a store would keep them.
	data, err := json.Marshal(events)
	require.NoError(t, err)
	var decoded []basket.Event
	require.NoError(t, json.Unmarshal(data, &decoded))
	replayed, err := basket.Replay(decoded)
	require.NoError(t, err)
	want, _ := json.Marshal(b)
	got, _ := json.Marshal(replayed)
	assert.JSONEq(t, string(want), string(got))

	// History out of order is refused.
	_, err = basket.Replay(append(decoded[:2:2], decoded[3:]...))
	assert.ErrorIs(t, err, basket.ErrVersionConflict)
	_, err = basket.Replay(decoded[1:])
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

func TestMerge(t *testing.T) {
	at := demo.Start()
	mine := newCart(t)
	add(t, mine, at, "LAMP-ARC", 1)
	add(t, mine, at, "MUG-STONE", 2)
	_, err := mine.AddCoupon(meta(at), "WELCOME10")
	require.NoError(t, err)

	anon, _, err := basket.New(uuid.New(), basket.Owner{AnonymousID: "anon-7"}, demo.Web(at), basket.Cart, meta(at))
	require.NoError(t, err)
	add(t, anon, at, "MUG-STONE", 3)
	add(t, anon, at, "CANDLE-FIG", 1)
	_, _, err = anon.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: "L0002"})
	require.NoError(t, err)
	_, err = anon.AddCoupon(meta(at), "WELCOME10")
	require.NoError(t, err)
	_, err = anon.AddCoupon(meta(at), "SPRING")
	require.NoError(t, err)

	for _, tt := range []struct {
		policy basket.MergePolicy
		mugs   int64
	}{{basket.MergeSum, 5}, {basket.MergeMax, 3}} {
		t.Run(tt.policy.String(), func(t *testing.T) {
			b, src := mine.Clone(), anon.Clone()
			be, se, err := b.Merge(meta(at), src, tt.policy)
			require.NoError(t, err)
			assert.Equal(t, basket.EventMerged, be.Type)
			assert.Equal(t, basket.EventStatusChanged, se.Type)
			assert.Equal(t, basket.Abandoned, src.Status)
			mug, _ := b.Line("L0002")
			assert.Equal(t, tt.mugs, mug.Quantity)
			candle, _ := b.Line("L0003")
			assert.Equal(t, "CANDLE-FIG", candle.SKU)
			wrap, _ := b.Line("L0004")
			assert.Equal(t, "GIFT-WRAP", wrap.SKU)
			assert.Equal(t, "L0003", wrap.ParentID, "the service follows its parent's new ID")
			assert.Equal(t, []string{"SPRING", "WELCOME10"}, b.Wallet.Coupons, "union without duplicates")

			again, src2 := mine.Clone(), anon.Clone()
			be2, _, err := again.Merge(meta(at), src2, tt.policy)
			require.NoError(t, err)
			assert.JSONEq(t, string(be.Data), string(be2.Data), "deterministic")
		})
	}
	_, _, err = mine.Merge(meta(at), mine, basket.MergeSum)
	assert.ErrorIs(t, err, basket.ErrInvalid)
}
