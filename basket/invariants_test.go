package basket_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullBasket exercises every part of the aggregate: lines with a service
// line, a fulfilment preference, coupons, vouchers, loyalty, a store grant
// and a result.
func fullBasket(t *testing.T) *basket.Basket {
	t.Helper()
	at := demo.Start()
	b := newCart(t)
	lamp := add(t, b, at, "LAMP-ARC", 2)
	_, _, err := b.AddLine(meta(at), basket.NewLine{SKU: "GIFT-WRAP", Quantity: 1, Product: demo.Product("GIFT-WRAP"), ParentID: lamp})
	require.NoError(t, err)
	mug := add(t, b, at, "MUG-STONE", 3)
	_, err = b.SetFulfilment(meta(at), mug, channel.ShipToAddress)
	require.NoError(t, err)
	for _, c := range []string{"WELCOME10", "MERCI5"} {
		_, err = b.AddCoupon(meta(at), c)
		require.NoError(t, err)
	}
	for _, v := range []string{"GIFT-2", "GIFT-1"} {
		_, err = b.AddVoucher(meta(at), v)
		require.NoError(t, err)
	}
	_, err = b.SetLoyalty(meta(at), &basket.Loyalty{Account: "LY-9", Tier: "gold"})
	require.NoError(t, err)
	store := demo.Store(demo.Bellecour, at)
	_, err = b.CheckIn(staff(at), store, "associate", basket.Grant{LocationID: demo.Bellecour, GrantedBy: "staff-1", ExpiresAt: at.Add(time.Hour)})
	require.NoError(t, err)
	price(t, b, store, basket.Options{})
	require.NoError(t, b.Validate())
	return b
}

// TestValidateRefusesEveryBrokenInvariant: one case per invariant. A basket
// that breaks it is refused by Validate, by Recontextualize (before
// anything else, and without touching the basket) and by json.Unmarshal
// (leaving the target as it was), with an ErrInvalid InputError naming the
// field, and lines by their ID.
func TestValidateRefusesEveryBrokenInvariant(t *testing.T) {
	at := demo.Start()
	tests := []struct {
		name    string
		corrupt func(b *basket.Basket)
		field   string
	}{
		{"nil ID", func(b *basket.Basket) { b.ID = uuid.Nil }, "ID"},
		{"no creation event", func(b *basket.Basket) { b.Version = 0 }, "Version"},
		{"owner with both IDs", func(b *basket.Basket) { b.Owner.AnonymousID = "anon-1" }, "Owner"},
		{"owner with no ID", func(b *basket.Basket) { b.Owner = basket.Owner{} }, "Owner"},
		{"unknown status", func(b *basket.Basket) { b.Status = 0 }, "Status"},
		{"quote without a lock", func(b *basket.Basket) { b.Status = basket.Quote }, "QuoteLockedUntil"},
		{"cart with a lock", func(b *basket.Basket) { b.QuoteLockedUntil = at.Add(time.Hour) }, "QuoteLockedUntil"},
		{"invalid context", func(b *basket.Basket) { b.Context.Currency = "euro" }, "Context.Currency"},
		{"line numbering below 1", func(b *basket.Basket) { b.NextLine = 0 }, "NextLine"},
		{"too many lines", func(b *basket.Basket) {
			for i := len(b.Lines); i <= basket.MaxLines; i++ {
				b.Lines = append(b.Lines, basket.Line{ID: fmt.Sprintf("L%04d", i+1), SKU: "MUG-STONE", Quantity: 1, Product: demo.Product("MUG-STONE")})
			}
			b.NextLine = basket.MaxLines + 2
		}, "Lines"},
		{"quantity above MaxQuantity", func(b *basket.Basket) { b.Lines[2].Quantity = basket.MaxQuantity + 1 }, "Lines[L0003].Quantity"},
		{"zero quantity", func(b *basket.Basket) { b.Lines[2].Quantity = 0 }, "Lines[L0003].Quantity"},
		{"negative quantity", func(b *basket.Basket) { b.Lines[0].Quantity = -2 }, "Lines[L0001].Quantity"},
		{"duplicate line ID", func(b *basket.Basket) { b.Lines[2].ID = "L0002"; b.Lines[2].ParentID = "" }, "Lines[L0002].ID"},
		{"lines out of order", func(b *basket.Basket) { b.Lines[1], b.Lines[2] = b.Lines[2], b.Lines[1] }, "Lines[L0002].ID"},
		{"malformed line ID", func(b *basket.Basket) { b.Lines[2].ID = "mug" }, "Lines[2].ID"},
		{"line ID with extra zeros", func(b *basket.Basket) { b.Lines[2].ID = "L00003" }, "Lines[2].ID"},
		{"line ID zero", func(b *basket.Basket) { b.Lines[0].ID = "L0000"; b.Lines[1].ParentID = "L0000" }, "Lines[0].ID"},
		{"line ID not yet issued", func(b *basket.Basket) { b.NextLine = 3 }, "Lines[L0003].ID"},
		{"empty SKU", func(b *basket.Basket) { b.Lines[2].SKU = "" }, "Lines[L0003].SKU"},
		{"SKU with spaces", func(b *basket.Basket) { b.Lines[2].SKU = " MUG-STONE" }, "Lines[L0003].SKU"},
		{"product without name", func(b *basket.Basket) { b.Lines[2].Product.Name = "" }, "Lines[L0003].Product.Name"},
		{"product without tax category", func(b *basket.Basket) { b.Lines[2].Product.TaxCategory = "" }, "Lines[L0003].Product.TaxCategory"},
		{"duplicate category", func(b *basket.Basket) { b.Lines[2].Product.Categories = []string{"kitchen", "kitchen"} }, "Lines[L0003].Product.Categories"},
		{"empty category", func(b *basket.Basket) { b.Lines[2].Product.Categories = []string{""} }, "Lines[L0003].Product.Categories"},
		{"unknown fulfilment mode", func(b *basket.Basket) { b.Lines[2].Fulfilment = 42 }, "Lines[L0003].Fulfilment"},
		{"service of a missing line", func(b *basket.Basket) { b.Lines[1].ParentID = "L0009" }, "Lines[L0002].ParentID"},
		{"service of a service", func(b *basket.Basket) { b.Lines[2].ParentID = "L0002" }, "Lines[L0003].ParentID"},
		{"service of itself", func(b *basket.Basket) { b.Lines[2].ParentID = "L0003" }, "Lines[L0003].ParentID"},
		{"coupon not normalised", func(b *basket.Basket) { b.Wallet.Coupons[0] = "merci5" }, "Wallet.Coupons[0]"},
		{"coupons out of order", func(b *basket.Basket) { b.Wallet.Coupons = []string{"WELCOME10", "MERCI5"} }, "Wallet.Coupons[1]"},
		{"duplicate voucher", func(b *basket.Basket) { b.Wallet.Vouchers = []string{"GIFT-1", "GIFT-1"} }, "Wallet.Vouchers[1]"},
		{"loyalty without account", func(b *basket.Basket) { b.Wallet.Loyalty.Account = "" }, "Wallet.Loyalty.Account"},
		{"grant without location", func(b *basket.Basket) { b.Grants[0].LocationID = "" }, "Grants[0].LocationID"},
		{"grant without expiry", func(b *basket.Basket) { b.Grants[0].ExpiresAt = time.Time{} }, "Grants[" + demo.Bellecour + "].ExpiresAt"},
		{"duplicate grant", func(b *basket.Basket) { b.Grants = append(b.Grants, b.Grants[0]) }, "Grants[" + demo.Bellecour + "]"},
		{"result of another basket", func(b *basket.Basket) { r := *b.Result; r.BasketID = uuid.New(); b.Result = &r }, "Result.BasketID"},
		{"result from the future", func(b *basket.Basket) { r := *b.Result; r.BasketVersion = b.Version + 1; b.Result = &r }, "Result.BasketVersion"},
		{"result lines out of order", func(b *basket.Basket) {
			r := *b.Result
			r.Lines = append([]basket.PricedLine{r.Lines[1], r.Lines[0]}, r.Lines[2:]...)
			b.Result = &r
		}, "Result.Lines[L0001]"},
	}
	// Values that cannot even be encoded are broken in the JSON form
	// instead; the decoder reports them with its own typed error.
	raw := map[string]struct {
		edit func(m map[string]any)
		kind error
	}{
		"unknown status":          {func(m map[string]any) { delete(m, "status") }, basket.ErrInvalid},
		"unknown fulfilment mode": {func(m map[string]any) { m["lines"].([]any)[2].(map[string]any)["fulfilment"] = "teleport" }, channel.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(t *testing.T, err error) {
				t.Helper()
				require.ErrorIs(t, err, basket.ErrInvalid)
				var ie *basket.InputError
				require.True(t, errors.As(err, &ie), "typed error: %v", err)
				assert.Equal(t, tt.field, ie.Field)
			}
			valid := fullBasket(t)
			b := valid.Clone()
			tt.corrupt(b)

			t.Run("Validate", func(t *testing.T) { check(t, b.Validate()) })

			t.Run("Recontextualize", func(t *testing.T) {
				before := b.Clone()
				web := demo.Web(at.Add(time.Hour))
				r, err := basket.Recontextualize(b, web, snapshotOf(t, web), basket.Options{})
				check(t, err)
				assert.Nil(t, r)
				assert.Equal(t, before, b, "the basket is untouched")
				// Before anything else: even with no target and no data.
				_, err = basket.Recontextualize(b, channel.Context{}, basket.Snapshot{}, basket.Options{Policy: 9})
				check(t, err)
			})

			t.Run("json.Unmarshal", func(t *testing.T) {
				var data []byte
				check := check
				if r, ok := raw[tt.name]; ok {
					var m map[string]any
					require.NoError(t, json.Unmarshal([]byte(jsonBytes(t, valid)), &m))
					r.edit(m)
					var err error
					data, err = json.Marshal(m)
					require.NoError(t, err)
					check = func(t *testing.T, err error) { t.Helper(); require.ErrorIs(t, err, r.kind) }
				} else {
					data = []byte(jsonBytes(t, b))
				}
				into := fullBasket(t)
				before := jsonBytes(t, into)
				check(t, json.Unmarshal(data, into))
				assert.JSONEq(t, before, jsonBytes(t, into), "a refused decoding leaves the target as it was")
				var fresh basket.Basket
				check(t, json.Unmarshal(data, &fresh))
			})
		})
	}
}

// TestValidBasketsRoundTripThroughJSON: every state the commands produce,
// from the bare creation on, decodes back to itself (this is what a store
// keeping JSON snapshots relies on), and so does a basket of the largest
// legal size, and a quantity of exactly MaxQuantity.
func TestValidBasketsRoundTripThroughJSON(t *testing.T) {
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
	step(b.SetQuantity(meta(at), "L0001", basket.MaxQuantity))
	step(b.AddCoupon(meta(at), "welcome10"))
	step(b.AddVoucher(meta(at), "gift-123"))
	step(b.SetLoyalty(meta(at), &basket.Loyalty{Account: "LY-9", Tier: "gold"}))
	step(b.Transition(meta(at), basket.Cart, time.Time{}))
	step(b.SetQuantity(meta(at), "L0001", 3))
	snap, err := demo.Snapshot("web")
	require.NoError(t, err)
	r, err := basket.Recontextualize(b, demo.Web(at), snap, basket.Options{})
	require.NoError(t, err)
	step(b.SetResult(meta(at), r))
	step(b.Transition(staff(at), basket.Quote, at.Add(time.Hour)))
	step(b.Transition(meta(at), basket.Cart, time.Time{}))
	step(b.RemoveLine(meta(at), "L0001"))

	for n := 1; n <= len(events); n++ {
		state, err := basket.Replay(events[:n])
		require.NoError(t, err)
		data := jsonBytes(t, state)
		var decoded basket.Basket
		require.NoError(t, json.Unmarshal([]byte(data), &decoded), "state after %d events: %s", n, data)
		assert.JSONEq(t, data, jsonBytes(t, &decoded), "state after %d events", n)
	}

	big := newCart(t)
	for i := range basket.MaxLines {
		_, _, err := big.AddLine(meta(at), basket.NewLine{SKU: fmt.Sprintf("SKU-%d", i), Quantity: 1, Product: demo.Product("MUG-STONE")})
		require.NoError(t, err)
	}
	var decoded basket.Basket
	require.NoError(t, json.Unmarshal([]byte(jsonBytes(t, big)), &decoded))
	assert.Len(t, decoded.Lines, basket.MaxLines)
	assert.Equal(t, "L1000", decoded.Lines[basket.MaxLines-1].ID)
}

// TestValidateAllocatesNothing: Validate runs at the start of every
// pricing, so checking a valid basket costs no allocation.
func TestValidateAllocatesNothing(t *testing.T) {
	b := fullBasket(t)
	allocs := testing.AllocsPerRun(100, func() {
		if err := b.Validate(); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs)
}
