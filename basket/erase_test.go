package basket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
)

var erasure = basket.Erasure{ID: uuid.MustParse("0e1a5e00-0000-4000-8000-000000000017"), CustomerID: "cust-42"}

func event(t testing.TB, typ basket.EventType, actor basket.Actor, payload any) basket.Event {
	t.Helper()
	data, err := json.Marshal(payload)
	require.NoError(t, err)
	return basket.Event{BasketID: basketID, Seq: 1, Type: typ, At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
		ChannelID: "web", Actor: actor, Data: data}
}

// The documented examples of what an erasure scrubs in an event, and what
// it keeps.
func TestScrubEvent(t *testing.T) {
	p := erasure.Pseudonym()
	sess := basket.Actor{Kind: basket.Shopper, ID: "sess-9"}
	clerk := basket.Actor{Kind: basket.Associate, ID: "clerk-3", LocationID: paris}
	at := parisStore()
	at.AsOf = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		in        basket.Event
		actor     basket.Actor
		payload   any // the payload expected after, nil when unchanged
		unchanged bool
	}{
		{"a customer's creation", event(t, basket.EventCreated, shopper, basket.Created{Owner: basket.Owner{CustomerID: "cust-42"}, Status: basket.Cart, Context: at}),
			basket.Actor{Kind: basket.Shopper, ID: p}, &basket.Created{Owner: basket.Owner{CustomerID: p}, Status: basket.Cart, Context: at}, false},
		{"an anonymous session's creation", event(t, basket.EventCreated, sess, basket.Created{Owner: basket.Owner{AnonymousID: "sess-9"}, Status: basket.Cart, Context: at}),
			basket.Actor{Kind: basket.Shopper, ID: p}, &basket.Created{Owner: basket.Owner{AnonymousID: p}, Status: basket.Cart, Context: at}, false},
		{"the owner attached", event(t, basket.EventOwnerAttached, sess, basket.OwnerAttached{CustomerID: "cust-42"}),
			basket.Actor{Kind: basket.Shopper, ID: p}, &basket.OwnerAttached{CustomerID: p}, false},
		{"a loyalty account, by an associate who stays named", event(t, basket.EventLoyaltySet, clerk, basket.LoyaltySet{Loyalty: &basket.Loyalty{Account: "card-42", Tier: "2"}}),
			clerk, &basket.LoyaltySet{Loyalty: &basket.Loyalty{Account: p, Tier: "2"}}, false},
		{"a points tender", event(t, basket.EventTenderRemoved, clerk, basket.TenderRemoved{Kind: payment.Points, Code: "card-42"}),
			clerk, &basket.TenderRemoved{Kind: payment.Points, Code: p}, false},
		{"a gift card is not a person", event(t, basket.EventTenderAdded, clerk, basket.TenderAdded{Tender: payment.Tender{Kind: payment.GiftCard, Code: "GC-1"}}),
			clerk, nil, true},
		{"a return's free text", event(t, basket.EventReturned, clerk, basket.Returned{Return: basket.Return{ID: "R1", Reason: "my husband hates it"}}),
			clerk, &basket.Returned{Return: basket.Return{ID: "R1"}}, false},
		{"a release's reason is the system's code", event(t, basket.EventFulfilmentReleased, basket.Actor{Kind: basket.System, ID: "ops"},
			basket.FulfilmentChanged{ID: "F1", Reason: "no-show"}), basket.Actor{Kind: basket.System, ID: "ops"}, nil, true},
		{"a line", event(t, basket.EventLineAdded, clerk, basket.LineAdded{Line: basket.Line{ID: "L0001", SKU: "baguette", Quantity: 1}}),
			clerk, nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, changed, err := erasure.ScrubEvent(c.in)
			require.NoError(t, err)
			assert.Equal(t, !c.unchanged || c.in.Actor != c.actor, changed)
			assert.Equal(t, c.actor, got.Actor)
			if c.payload == nil {
				assert.Equal(t, string(c.in.Data), string(got.Data), "an unchanged payload keeps its bytes")
			} else {
				v, err := got.Decode()
				require.NoError(t, err)
				assert.Equal(t, c.payload, v)
			}
			again, changed, err := erasure.ScrubEvent(got)
			require.NoError(t, err)
			assert.False(t, changed, "scrubbing twice is scrubbing once")
			assert.Equal(t, got, again)
		})
	}
	_, _, err := erasure.ScrubEvent(basket.Event{Type: "basket.unknown", Data: []byte(`{}`)})
	assert.ErrorIs(t, err, basket.ErrInvalid)
}

func TestErasureValidate(t *testing.T) {
	for _, c := range []struct {
		x  basket.Erasure
		ok bool
	}{
		{erasure, true},
		{basket.Erasure{CustomerID: "cust-42"}, false},
		{basket.Erasure{ID: erasure.ID}, false},
		{basket.Erasure{ID: erasure.ID, CustomerID: erasure.Pseudonym()}, false},
	} {
		err := c.x.Validate()
		if c.ok {
			assert.NoError(t, err)
		} else {
			assert.ErrorIs(t, err, basket.ErrInvalid, "%+v", c.x)
		}
	}
	assert.Equal(t, "erased-0e1a5e00-0000-4000-8000-000000000017", erasure.Pseudonym())
}

// secretsOf are the personal data the generated histories write.
var secretsOf = []string{"cust-42", "sess-42", "card-42", "the colour is wrong"}

// Property: whatever a customer did (anonymous baskets merged into
// theirs, loyalty points burnt as a discount or a tender, orders paid,
// invoiced and returned), scrubbing commutes with replaying (the scrubbed
// history replays to the scrubbed basket, byte for byte), keeps every
// money total, document number and amount, leaves no personal data, and
// scrubbing twice is scrubbing once.
func TestPropertyErasure(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		mode := rapid.SampledFrom([]loyalty.BurnMode{loyalty.Discount, loyalty.Tender}).Draw(rt, "mode")
		shop := newLoyaltyShop(t, mode, nil)
		require.NoError(rt, shop.points.SetAccount(ctx, "card-42", "2", 5000))
		ops := basket.Actor{Kind: basket.System, ID: "ops"}
		me := basket.Actor{Kind: basket.Shopper, ID: "cust-42"}
		sess := basket.Actor{Kind: basket.Shopper, ID: "sess-42"}
		var ids []uuid.UUID
		for range rapid.IntRange(1, 3).Draw(rt, "baskets") {
			anonymous := rapid.Bool().Draw(rt, "anonymous")
			id, owner, actor := uuid.New(), basket.Owner{CustomerID: "cust-42"}, rapid.SampledFrom([]basket.Actor{me, parisClerk}).Draw(rt, "by")
			if anonymous {
				owner, actor = basket.Owner{AnonymousID: "sess-42"}, sess
			}
			_, err := shop.svc.Create(ctx, actor, basket.CreateRequest{ID: id, Owner: owner, Context: parisStore()})
			require.NoError(rt, err)
			ids = append(ids, id)
			if rapid.Bool().Draw(rt, "loyal") {
				_, err := shop.svc.SetLoyalty(ctx, actor, id, &basket.Loyalty{Account: "card-42"})
				require.NoError(rt, err)
				_, err = shop.svc.UseLoyaltyPoints(ctx, actor, id, rapid.Int64Range(500, 3000).Draw(rt, "burn"))
				require.NoError(rt, err)
			}
			for range rapid.IntRange(1, 6).Draw(rt, "steps") {
				// Refusals (points without an account, a merge of a
				// basket merged already) are part of the history's
				// shape; they write nothing.
				switch rapid.IntRange(0, 4).Draw(rt, "op") {
				case 0, 1:
					sku := rapid.SampledFrom([]string{"comte-250g", "bordeaux-2019", "baguette", "confiture"}).Draw(rt, "sku")
					_, _ = shop.svc.AddLine(ctx, actor, id, basket.NewLine{SKU: sku, Quantity: rapid.Int64Range(1, 4).Draw(rt, "qty"), Product: parisProduct(sku)})
				case 2:
					_, _ = shop.svc.SetLoyalty(ctx, actor, id, &basket.Loyalty{Account: "card-42"})
				case 3:
					_, _ = shop.svc.UseLoyaltyPoints(ctx, actor, id, rapid.Int64Range(0, 3000).Draw(rt, "points"))
				case 4:
					if len(ids) > 1 && !anonymous {
						from := ids[rapid.IntRange(0, len(ids)-2).Draw(rt, "from")]
						_, _ = shop.svc.Merge(ctx, ops, basket.MergeRequest{Target: id, Source: from, SourceHolder: sess, Policy: basket.MergeSum})
					}
				}
			}
			if anonymous || !rapid.Bool().Draw(rt, "order") {
				continue
			}
			// The order's life, each step taken or not: paid by card,
			// invoiced, a unit returned with the shopper's words.
			if _, err := shop.svc.PlaceOrder(ctx, ops, id); err != nil {
				continue
			}
			if rapid.Bool().Draw(rt, "pay") {
				_, err := shop.svc.AddTender(ctx, ops, id, payment.Tender{Kind: payment.Card, Code: "4242"})
				require.NoError(rt, err)
				_, err = shop.svc.Pay(ctx, ops, id)
				require.NoError(rt, err)
			}
			if rapid.Bool().Draw(rt, "invoice") {
				_, err := shop.svc.Invoice(ctx, ops, id)
				require.NoError(rt, err)
			}
			if rapid.Bool().Draw(rt, "return") {
				b, err := shop.svc.Get(ctx, ops, id)
				require.NoError(rt, err)
				_, err = shop.svc.Return(ctx, ops, id, basket.ReturnRequest{LocationID: paris, Reason: "the colour is wrong",
					Lines: []basket.ReturnLine{{LineID: b.Lines[0].ID, Quantity: 1}}})
				require.NoError(rt, err)
			}
		}
		x := basket.Erasure{ID: uuid.MustParse("0e1a5e00-0000-4000-8000-000000000017"), CustomerID: "cust-42"}
		for _, id := range ids {
			b, err := shop.svc.Get(ctx, ops, id)
			require.NoError(rt, err)
			events, err := shop.svc.History(ctx, ops, id)
			require.NoError(rt, err)
			scrubbed := make([]basket.Event, len(events))
			for i, e := range events {
				s, _, err := x.ScrubEvent(e)
				require.NoError(rt, err)
				again, changed, err := x.ScrubEvent(s)
				require.NoError(rt, err)
				require.False(rt, changed, "event %d scrubbed twice changes again", e.Seq)
				require.Equal(rt, s, again)
				scrubbed[i] = s
			}
			want, changed := x.ScrubBasket(b)
			if _, twice := x.ScrubBasket(want); twice {
				rt.Fatalf("the basket scrubbed twice changes again")
			}
			replayed, err := basket.Replay(scrubbed)
			require.NoError(rt, err)
			require.JSONEq(rt, eraseJSON(rt, want), eraseJSON(rt, replayed), "the scrubbed history replays to the scrubbed basket")
			require.Equal(rt, moneyOf(rt, b), moneyOf(rt, want), "every total, payment, order and refund is kept")
			all := eraseJSON(rt, want) + eraseJSON(rt, scrubbed)
			for _, s := range secretsOf {
				require.NotContains(rt, all, s)
			}
			require.True(rt, changed, "every basket has a shopper to scrub")

			docs, err := shop.svc.Documents(ctx, ops, id)
			require.NoError(rt, err)
			for _, d := range docs {
				sd, _ := x.ScrubDocument(d)
				require.NotContains(rt, eraseJSON(rt, sd), "cust-42")
				sd.CustomerID = d.CustomerID
				require.Equal(rt, eraseJSON(rt, d), eraseJSON(rt, sd), "a document keeps everything but its customer")
			}
		}
	})
}

func eraseJSON(t require.TestingT, v any) string {
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// moneyOf is everything about money in a basket: totals and lines as
// priced, the settlement, the payment, the order's returns and documents.
func moneyOf(t require.TestingT, b *basket.Basket) string {
	var v struct {
		Totals    any
		Lines     any
		Settled   any
		Tenders   []string
		Paid      any
		Refunds   []any
		Documents any
	}
	if r := b.Result; r != nil {
		v.Totals, v.Lines = r.Totals, r.Lines
		if r.Payment != nil {
			v.Settled = []any{r.Payment.Due, r.Payment.Paid, r.Payment.Remaining}
			for _, a := range r.Payment.Tenders {
				v.Tenders = append(v.Tenders, a.Tender.Kind.String()+" "+a.Amount.String())
			}
		}
	}
	if b.Payment != nil && b.Payment.Paid != nil {
		v.Paid = b.Payment.Paid.Settlement.Paid
	}
	if b.Order != nil {
		for _, r := range b.Order.Returns {
			v.Refunds = append(v.Refunds, r.Quote)
		}
		v.Documents = b.Order.Documents
	}
	return eraseJSON(t, v)
}

// FuzzScrubEvent: any stored event, however hostile, is scrubbed or
// refused with ErrInvalid, never a panic; a scrubbed event decodes, and
// scrubbing it again changes nothing.
func FuzzScrubEvent(f *testing.F) {
	for _, c := range []struct {
		typ  basket.EventType
		data string
	}{
		{basket.EventCreated, `{"owner":{"customer_id":"cust-42"},"status":"cart","context":{}}`},
		{basket.EventLoyaltySet, `{"loyalty":{"account":"card-42","tier":"2"}}`},
		{basket.EventTenderAdded, `{"tender":{"kind":"points","code":"card-42"}}`},
		{basket.EventReturned, `{"return":{"id":"R1","reason":"too big"}}`},
		{basket.EventRecontextualized, `{"context":{},"patch":{"loyalty":{"account":"card-42","known":true,"available":10}}}`},
		{basket.EventPaid, `{"settlement":{"tenders":[{"tender":{"kind":"points","code":"card-42"},"amount":{"amount":"1.00","currency":"EUR"}}]}}`},
		{basket.EventOwnerAttached, `{"customer_id":""}`},
		{"basket.nope", `null`},
	} {
		f.Add(string(c.typ), c.data, uint8(basket.Shopper), "cust-42")
	}
	f.Fuzz(func(t *testing.T, typ, data string, kind uint8, actorID string) {
		e := basket.Event{BasketID: basketID, Seq: 1, Type: basket.EventType(typ), Data: json.RawMessage(data),
			Actor: basket.Actor{Kind: basket.ActorKind(kind), ID: actorID}}
		got, changed, err := erasure.ScrubEvent(e)
		if err != nil {
			assert.ErrorIs(t, err, basket.ErrInvalid)
			return
		}
		if !changed {
			assert.Equal(t, e, got)
		}
		payload, err := got.Decode()
		require.NoError(t, err, "a scrubbed event decodes")
		again, twice, err := erasure.ScrubEvent(got)
		require.NoError(t, err)
		assert.False(t, twice)
		assert.Equal(t, got, again)
		if got.Actor.Kind == basket.Shopper && got.Actor.ID != "" {
			assert.Equal(t, erasure.Pseudonym(), got.Actor.ID)
		}
		if r, ok := payload.(*basket.Returned); ok && r.Return.Reason != "" {
			t.Errorf("a return's reason survived: %s", got.Data)
		}
	})
}

// racing is a store where a command of another instance, which read a
// basket before its erasure, saves after it: the customer's ID comes back
// with the write.
type racing struct {
	basket.ErasureStore
	once   bool
	always bool // every erasure is raced
	races  int
}

func (s *racing) EraseBasket(ctx context.Context, x basket.Erasure, id uuid.UUID) (basket.ErasureCounts, error) {
	stale, err := s.Get(ctx, id)
	if err != nil {
		return basket.ErasureCounts{}, err
	}
	n, err := s.ErasureStore.EraseBasket(ctx, x, id)
	if err != nil || s.once && !s.always {
		return n, err
	}
	s.once = true
	s.races++
	before := stale.Version
	e, err := stale.AddCoupon(basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: stale.Owner.CustomerID}, At: stale.UpdatedAt}, fmt.Sprint("RACE-", s.races))
	if err != nil {
		return n, err
	}
	return n, s.Save(ctx, basket.Write{Basket: stale, ExpectedVersion: before, Events: []basket.Event{e}})
}

func TestEraseLooksAgainAfterARacingWrite(t *testing.T) {
	ctx := context.Background()
	var store *racing
	shop, _ := lifecycleShop(t, func(s basket.Store) basket.Store {
		store = &racing{ErasureStore: s.(basket.ErasureStore)}
		return store
	})
	id := cart(t, shop, "cust-42")
	rc, err := shop.Service.Erase(ctx, ops, erasure)
	require.NoError(t, err)
	require.True(t, store.once, "the racing write happened")
	assert.Equal(t, []uuid.UUID{id}, rc.Baskets)
	assert.Equal(t, 2, rc.Erased.Baskets, "erased, written back, erased again")
	left, err := store.FindByOwner(ctx, "cust-42")
	require.NoError(t, err)
	assert.Empty(t, left)
	b, err := store.Get(ctx, id)
	require.NoError(t, err)
	events, err := store.Events(ctx, id, 0)
	require.NoError(t, err)
	assert.NotContains(t, eraseJSON(t, b)+eraseJSON(t, events), "cust-42")
	assert.Equal(t, basket.EventCouponAdded, events[len(events)-1].Type, "the racing command is kept, scrubbed")
}

func TestEraseGivesUpWhenWritesKeepComing(t *testing.T) {
	ctx := context.Background()
	var store *racing
	shop, _ := lifecycleShop(t, func(s basket.Store) basket.Store {
		store = &racing{ErasureStore: s.(basket.ErasureStore), always: true}
		return store
	})
	cart(t, shop, "cust-42")
	rc, err := shop.Service.Erase(ctx, ops, erasure)
	assert.ErrorIs(t, err, basket.ErrVersionConflict, "run it again")
	assert.Equal(t, 3, rc.Erased.Baskets, "three passes")
}
