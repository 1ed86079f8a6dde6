package basket_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A Paris cheese shop's loyalty programme, as in package loyalty's
// example: 1 point per euro, double points on cheese, tier 2 earns ×1.5,
// and 100 points pay 1.00 EUR, from 500 points, by 100s.
const paris = "paris-01"

var parisClerk = basket.Actor{Kind: basket.Associate, ID: "clerk-3", LocationID: paris}

func eur(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

func parisProgram(mode loyalty.BurnMode) *loyalty.Scheme {
	s, err := loyalty.Compile(loyalty.Program{
		Rules: []loyalty.Rule{
			{ID: "base", Name: "1 point per euro", Kind: loyalty.Base, Points: 1, Per: eur("1.00")},
			{ID: "cheese-x2", Name: "double points on cheese", Kind: loyalty.Multiplier, Factor: pricing.MustRate("2"),
				Target: loyalty.Target{Categories: []string{"cheese"}}},
		},
		Tiers: []loyalty.Tier{{ID: "2", Multiplier: pricing.MustRate("1.5")}},
		Burn: loyalty.BurnPolicy{Mode: mode, MinPoints: 500, Step: 100,
			Rates: []loyalty.Conversion{{Points: 100, Value: eur("1.00")}}},
	})
	if err != nil {
		panic(err)
	}
	return s
}

func parisProduct(sku string) basket.Product {
	switch sku {
	case "comte-250g":
		return basket.Product{Name: "Comté 250 g", Categories: []string{"cheese"}, TaxCategory: "food"}
	case "bordeaux-2019":
		return basket.Product{Name: "Bordeaux 2019", Categories: []string{"wine"}, TaxCategory: "standard"}
	case "baguette":
		return basket.Product{Name: "Baguette", Categories: []string{"bakery"}, TaxCategory: "food"}
	}
	return basket.Product{Name: "Confiture de figues", Categories: []string{"grocery"}, TaxCategory: "food"}
}

func parisStore() channel.Context {
	return channel.Context{ChannelID: "store-paris-01", Kind: channel.Store, LocationID: paris, Country: "FR", Currency: "EUR",
		Locale: "fr-FR", PriceLists: []string{"fr"}, TaxZone: "FR", PricesIncludeTax: true, StockSources: []string{paris},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}, AsOf: time.Now()}
}

type loyaltyShop struct {
	svc    *basket.Service
	points *memory.LoyaltyStore
}

// saveFailer fails the next Saves whose events include one of type on,
// after they would have been made: a crash between the source and the
// store.
type saveFailer struct {
	basket.Store
	on    basket.EventType
	fails atomic.Int32
	err   error
}

func (s *saveFailer) Save(ctx context.Context, w basket.Write) error {
	for _, e := range w.Events {
		if e.Type == s.on && s.fails.Add(-1) >= 0 {
			return s.err
		}
	}
	return s.Store.Save(ctx, w)
}

// newLoyaltyShop wires the Paris shop: card-42 is a tier-2 account
// holding 1,000 points.
func newLoyaltyShop(t testing.TB, mode loyalty.BurnMode, wrap func(basket.Store) basket.Store) *loyaltyShop {
	t.Helper()
	return newLoyaltyShopWith(t, mode, wrap, nil)
}

// newLoyaltyShopWith is newLoyaltyShop with the loyalty source the
// service sees wrapped by src, when given.
func newLoyaltyShopWith(t testing.TB, mode loyalty.BurnMode, wrap func(basket.Store) basket.Store,
	src func(loyalty.LoyaltySource) loyalty.LoyaltySource) *loyaltyShop {
	t.Helper()
	ctx := context.Background()
	book, err := pricing.NewPriceBook([]pricing.Price{
		{ListID: "fr", SKU: "comte-250g", Unit: eur("10.50")},
		{ListID: "fr", SKU: "bordeaux-2019", Unit: eur("35.50")},
		{ListID: "fr", SKU: "baguette", Unit: eur("6.95")},
		{ListID: "fr", SKU: "confiture", Unit: eur("6.60")},
	})
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "food", Rate: pricing.MustPercent("5.5")},
	})
	require.NoError(t, err)
	set, err := promotion.Compile(nil)
	require.NoError(t, err)
	cat := &memory.Catalog{PriceBook: book, PromotionSet: set, TaxRules: tax, Sites: []stock.Location{{
		ID: paris, Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut}}}}
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := memory.NewStockStore(clk)
	for _, sku := range []string{"comte-250g", "bordeaux-2019", "baguette", "confiture"} {
		require.NoError(t, st.SetOnHand(ctx, sku, paris, 100))
	}
	var store basket.Store = memory.NewBasketStore()
	if wrap != nil {
		store = wrap(store)
	}
	shop := &loyaltyShop{points: memory.NewLoyaltyStore()}
	require.NoError(t, shop.points.SetAccount(ctx, "card-42", "2", 1000))
	var source loyalty.LoyaltySource = shop.points
	if src != nil {
		source = src(source)
	}
	shop.svc, err = basket.NewService(basket.Config{Store: store, Prices: cat, Promotions: cat, Tax: cat, Stock: st, Locations: cat,
		Clock: clk, Loyalty: source, LoyaltyScheme: parisProgram(mode)})
	require.NoError(t, err)
	return shop
}

type qty struct {
	sku string
	n   int64
}

// ring opens a basket at the till for card-42 with the lines given.
func (s *loyaltyShop) ring(t testing.TB, lines ...qty) *basket.Basket {
	t.Helper()
	ctx := context.Background()
	b, err := s.svc.Create(ctx, parisClerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: parisStore()})
	require.NoError(t, err)
	b, err = s.svc.SetLoyalty(ctx, parisClerk, b.ID, &basket.Loyalty{Account: "card-42"})
	require.NoError(t, err)
	for _, l := range lines {
		b, err = s.svc.AddLine(ctx, parisClerk, b.ID, basket.NewLine{SKU: l.sku, Quantity: l.n, Product: parisProduct(l.sku)})
		require.NoError(t, err)
	}
	return b
}

func (s *loyaltyShop) balance(t testing.TB) loyalty.Balance {
	t.Helper()
	bs, err := s.points.Balances(context.Background(), []string{"card-42"})
	require.NoError(t, err)
	require.Len(t, bs, 1)
	return bs[0]
}

// pay places the order and pays what remains by card.
func (s *loyaltyShop) pay(t testing.TB, b *basket.Basket) *basket.Basket {
	t.Helper()
	ctx := context.Background()
	b, err := s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	b, err = s.svc.AddTender(ctx, parisClerk, b.ID, payment.Tender{Kind: payment.Card})
	require.NoError(t, err)
	b, err = s.svc.Pay(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	return b
}

func visit1(t testing.TB, s *loyaltyShop) *basket.Basket {
	return s.ring(t, qty{"comte-250g", 2}, qty{"bordeaux-2019", 1}, qty{"baguette", 4})
}

func visit2(t testing.TB, s *loyaltyShop) *basket.Basket {
	return s.ring(t, qty{"bordeaux-2019", 1}, qty{"confiture", 1})
}

// replayed checks that the basket's history rebuilds it exactly.
func replayed(t testing.TB, s *loyaltyShop, b *basket.Basket) {
	t.Helper()
	events, err := s.svc.History(context.Background(), parisClerk, b.ID)
	require.NoError(t, err)
	again, err := basket.Replay(events)
	require.NoError(t, err)
	want, err := json.Marshal(b)
	require.NoError(t, err)
	got, err := json.Marshal(again)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

// The real case: points earned on a tier-2 account and burnt at the next
// visit. Visit 1 spends 84.30 EUR, 21.00 of it on cheese, and earns
// (84.30 + 21.00) × 1.5 = 157.95 → 157 points, credited when paid.
// Visit 2 burns 500 points = 5.00 EUR of a 42.10 EUR basket.
func TestLoyaltyEarnedThenBurntAtTheNextVisit(t *testing.T) {
	for _, mode := range []loyalty.BurnMode{loyalty.Discount, loyalty.Tender} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			s := newLoyaltyShop(t, mode, nil)

			b := visit1(t, s)
			require.Equal(t, eur("84.30"), b.Result.Totals.Total)
			lr := b.Result.Loyalty
			require.NotNil(t, lr)
			assert.Equal(t, "2", lr.Tier, "the source's tier, the wallet has none")
			assert.True(t, lr.Known)
			assert.Equal(t, int64(1000), lr.Available)
			assert.Equal(t, int64(157), lr.Earned.Points)
			assert.Nil(t, lr.Burn)
			assert.Equal(t, int64(1000), s.balance(t).Available, "nothing is credited before payment")
			b = s.pay(t, b)
			assert.Equal(t, int64(1157), s.balance(t).Available)
			require.NotNil(t, b.Order.Loyalty)
			assert.Equal(t, []basket.LoyaltyCredit{{ID: b.LoyaltyEarnID(), Points: 157}}, b.Order.Loyalty.Credits)
			replayed(t, s, b)

			b = visit2(t, s)
			require.Equal(t, eur("42.10"), b.Result.Totals.Total)
			before := *b.Result
			// The last line added raised the points earned from 53 (35.50 × 1.5).
			i := slices.IndexFunc(before.Changes, func(c basket.Change) bool { return c.Kind == basket.ChangeLoyaltyEarned })
			require.GreaterOrEqual(t, i, 0)
			assert.Equal(t, "you earn 63 points", before.Changes[i].Message())
			assert.Equal(t, int64(53), before.Changes[i].OldQuantity)
			b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
			require.NoError(t, err)
			lr = b.Result.Loyalty
			require.NotNil(t, lr.Burn)
			assert.Equal(t, mode, lr.Burn.Mode)
			assert.Equal(t, int64(500), lr.Burn.Points)
			assert.Equal(t, eur("5.00"), lr.Burn.Value)
			assert.Equal(t, int64(1157), lr.Available)

			var burnt pricing.Money = eur("0.00")
			for _, l := range b.Result.Lines {
				for _, a := range l.Discounts {
					require.Equal(t, basket.LoyaltyBurnID, a.PromotionID)
					burnt, err = burnt.Add(a.Amount)
					require.NoError(t, err)
				}
			}
			switch mode {
			case loyalty.Discount:
				// A discount: the lines go down by 5.00 (4.21 + 0.79), and
				// so does their tax; the points earned follow the total.
				assert.Equal(t, eur("5.00"), burnt)
				assert.Equal(t, eur("37.10"), b.Result.Totals.Total)
				assert.Equal(t, eur("5.00"), b.Result.Totals.Discount)
				assert.NotEqual(t, before.Totals.Tax, b.Result.Totals.Tax)
				assert.Equal(t, int64(55), lr.Earned.Points, "37.10 × 1.5 = 55.65")
				assert.Nil(t, b.Result.Payment)
			case loyalty.Tender:
				// A tender: lines, tax and total unchanged; the points pay
				// 5.00 of it in the settlement.
				assert.Equal(t, eur("0.00"), burnt)
				assert.Equal(t, before.Totals, b.Result.Totals)
				assert.Equal(t, int64(63), lr.Earned.Points, "42.10 × 1.5 = 63.15")
				require.NotNil(t, b.Result.Payment)
				require.Len(t, b.Result.Payment.Tenders, 1)
				assert.Equal(t, payment.Points, b.Result.Payment.Tenders[0].Tender.Kind)
				assert.Equal(t, eur("5.00"), b.Result.Payment.Tenders[0].Amount)
				assert.Equal(t, eur("37.10"), b.Result.Payment.Remaining)
			}

			// The change report says it, in English and in French.
			var said []string
			for _, c := range b.Result.Changes {
				if c.Kind == basket.ChangeLoyaltyBurnt || c.Kind == basket.ChangeLoyaltyEarned {
					said = append(said, c.Message())
				}
			}
			cat, err := message.New()
			require.NoError(t, err)
			report := cat.Report(b.Result)
			if mode == loyalty.Discount {
				assert.Equal(t, []string{"500 points = 5.00 EUR", "you earn 55 points"}, said)
				assert.Contains(t, report, "vous gagnez 55 points")
			} else {
				assert.Equal(t, []string{"500 points = 5.00 EUR"}, said, "a tender changes what is earned on nothing")
			}
			assert.Contains(t, report, "500 points = 5,00\u00a0€")

			// Ordering reserves the points; paying commits them and credits
			// what was earned.
			b, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
			require.NoError(t, err)
			assert.Equal(t, loyalty.Balance{Account: "card-42", Tier: "2", Available: 657, Reserved: 500}, s.balance(t))
			require.NotNil(t, b.Order.Loyalty)
			assert.Equal(t, b.LoyaltyReservationID(1), b.Order.Loyalty.ReservationID)
			assert.Equal(t, int64(500), b.Order.Loyalty.Points)
			b, err = s.svc.AddTender(ctx, parisClerk, b.ID, payment.Tender{Kind: payment.Card})
			require.NoError(t, err)
			b, err = s.svc.Pay(ctx, parisClerk, b.ID)
			require.NoError(t, err)
			assert.True(t, b.Order.Loyalty.Committed)
			earned := lr.Earned.Points
			assert.Equal(t, loyalty.Balance{Account: "card-42", Tier: "2", Available: 1157 - 500 + earned}, s.balance(t))
			if mode == loyalty.Tender {
				paid := b.Payment.Paid.Settlement
				assert.Equal(t, eur("5.00"), paid.Tenders[0].Amount)
				assert.Equal(t, eur("37.10"), paid.Tenders[1].Amount)
			}
			replayed(t, s, b)
		})
	}
}

// Placing the order reserves under an ID derived from the basket: an
// order retried after a lost save reserves once, and abandoning a basket
// whose order was never recorded releases what its attempts reserved.
func TestLoyaltyReservationRetriedAndReleased(t *testing.T) {
	ctx := context.Background()
	var fs *saveFailer
	s := newLoyaltyShop(t, loyalty.Discount, func(st basket.Store) basket.Store {
		fs = &saveFailer{Store: st, on: basket.EventOrderPlaced, err: errors.New("connection reset")}
		return fs
	})
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.NoError(t, err)

	fs.fails.Store(1)
	_, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.Error(t, err)
	assert.Equal(t, int64(500), s.balance(t).Reserved, "reserved before the save was lost")
	cart, err := s.svc.Get(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, basket.Cart, cart.Status)

	// The caller retries: the account is 500 short of its own
	// reservation, the order burns the same points and reserves once.
	ordered, err := s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, loyalty.Balance{Account: "card-42", Tier: "2", Available: 500, Reserved: 500}, s.balance(t))
	assert.Equal(t, int64(500), ordered.Result.Loyalty.Burn.Points)
	assert.Equal(t, ordered.LoyaltyReservationID(1), ordered.Order.Loyalty.ReservationID)

	// Another basket's order is lost, and the basket abandoned.
	other := visit2(t, s)
	other, err = s.svc.UseLoyaltyPoints(ctx, parisClerk, other.ID, 500)
	require.NoError(t, err)
	fs.fails.Store(1)
	_, err = s.svc.PlaceOrder(ctx, parisClerk, other.ID)
	require.Error(t, err)
	assert.Equal(t, int64(1000), s.balance(t).Reserved)
	_, err = s.svc.Transition(ctx, parisClerk, other.ID, basket.Abandoned, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, loyalty.Balance{Account: "card-42", Tier: "2", Available: 500, Reserved: 500}, s.balance(t),
		"the abandoned basket's points are back, the order keeps its own")
}

// A save the store refuses (nothing written) releases the points at
// once, and the next attempt reserves under the basket's next ID.
func TestLoyaltyReleasedWhenTheOrderIsRefused(t *testing.T) {
	ctx := context.Background()
	var fs *saveFailer
	s := newLoyaltyShop(t, loyalty.Discount, func(st basket.Store) basket.Store {
		fs = &saveFailer{Store: st, on: basket.EventOrderPlaced, err: &basket.InputError{Field: "Write", Reason: "refused"}}
		return fs
	})
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.NoError(t, err)
	fs.fails.Store(1)
	_, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.ErrorIs(t, err, basket.ErrInvalid)
	assert.Equal(t, int64(0), s.balance(t).Reserved, "released: the order was not written")

	b, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.LoyaltyReservationID(2), b.Order.Loyalty.ReservationID)
	assert.Equal(t, int64(500), s.balance(t).Reserved)
}

// Too few points at the source when the order is placed (spent in
// another order since the cart was priced) fail the order and change
// nothing.
func TestLoyaltyInsufficientPointsFailTheOrder(t *testing.T) {
	ctx := context.Background()
	s := newLoyaltyShop(t, loyalty.Tender, nil)
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 800)
	require.NoError(t, err)
	require.Equal(t, int64(800), b.Result.Loyalty.Burn.Points)
	_, err = s.points.Reserve(ctx, loyalty.ReserveRequest{ID: "elsewhere", Account: "card-42", Points: 700})
	require.NoError(t, err)

	_, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	var short *loyalty.InsufficientError
	require.ErrorAs(t, err, &short)
	assert.Equal(t, int64(300), short.Available)
	after, err := s.svc.Get(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.Version, after.Version)
	assert.Equal(t, basket.Cart, after.Status)
	assert.Equal(t, int64(700), s.balance(t).Reserved)
}

// Paying retried after a lost save commits and credits once.
func TestLoyaltyPayRetriedCreditsOnce(t *testing.T) {
	ctx := context.Background()
	var fs *saveFailer
	s := newLoyaltyShop(t, loyalty.Tender, func(st basket.Store) basket.Store {
		fs = &saveFailer{Store: st, on: basket.EventPaid, err: errors.New("connection reset")}
		return fs
	})
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.NoError(t, err)
	b, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	b, err = s.svc.AddTender(ctx, parisClerk, b.ID, payment.Tender{Kind: payment.Card})
	require.NoError(t, err)
	fs.fails.Store(1)
	_, err = s.svc.Pay(ctx, parisClerk, b.ID)
	require.Error(t, err)
	assert.Equal(t, int64(1000-500+63), s.balance(t).Available, "committed and credited before the save was lost")
	b, err = s.svc.Pay(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(1000-500+63), s.balance(t).Available, "not twice")
	assert.True(t, b.Order.Loyalty.Committed)
	assert.Equal(t, int64(63), b.Order.Loyalty.Earned())
}

// A return gives back the refunded share of the points burnt; a full
// return all of them.
func TestLoyaltyReturnGivesPointsBack(t *testing.T) {
	ctx := context.Background()
	s := newLoyaltyShop(t, loyalty.Tender, nil)
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.NoError(t, err)
	b = s.pay(t, b)
	after := s.balance(t).Available // 1000 − 500 + 63

	// The jam (6.60 of 42.10) comes back: ⌊500 × 6.60 / 42.10⌋ = 78.
	jam := b.Lines[1].ID
	b, err = s.svc.Return(ctx, parisClerk, b.ID, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: jam, Quantity: 1}}})
	require.NoError(t, err)
	assert.Equal(t, eur("6.60"), b.Order.Returns[0].Quote.Refund)
	assert.Equal(t, int64(78), b.Order.Loyalty.GivenBack())
	assert.Equal(t, after+78, s.balance(t).Available)

	// The wine too: every point comes back, 422 more.
	b, err = s.svc.Return(ctx, parisClerk, b.ID, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: b.Lines[0].ID, Quantity: 1}}})
	require.NoError(t, err)
	assert.Equal(t, int64(500), b.Order.Loyalty.GivenBack())
	assert.Equal(t, after+500, s.balance(t).Available, "the points earned are not taken back")
	replayed(t, s, b)
}

// Refusals: no account, negative points, a points tender by hand, a
// service without loyalty.
func TestUseLoyaltyPointsRefusals(t *testing.T) {
	ctx := context.Background()
	s := newLoyaltyShop(t, loyalty.Discount, nil)
	b := visit2(t, s)
	_, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, -1)
	require.ErrorIs(t, err, basket.ErrInvalid)
	_, err = s.svc.AddTender(ctx, parisClerk, b.ID, payment.Tender{Kind: payment.Points, Code: "card-42"})
	require.ErrorIs(t, err, basket.ErrInvalid)
	b, err = s.svc.SetLoyalty(ctx, parisClerk, b.ID, nil)
	require.NoError(t, err)
	assert.Nil(t, b.Result.Loyalty)
	_, err = s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.ErrorIs(t, err, basket.ErrInvalid)
	after, err := s.svc.Get(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.Version, after.Version)

	f := newTill(t, nil)
	plain := f.basket87(t)
	_, err = f.svc.UseLoyaltyPoints(ctx, tillClerk, plain.ID, 500)
	require.ErrorIs(t, err, basket.ErrNotConfigured)
}

// downSource is a loyalty source whose balances cannot be read while
// down is set.
type downSource struct {
	loyalty.LoyaltySource
	down atomic.Bool
}

func (d *downSource) Balances(ctx context.Context, accounts []string) ([]loyalty.Balance, error) {
	if d.down.Load() {
		return nil, errors.New("loyalty system unreachable")
	}
	return d.LoyaltySource.Balances(ctx, accounts)
}

// A source that cannot be read does not stop the till: nothing is burnt,
// the result says why, and the points earned are still shown (at the
// wallet's tier); an order then burns and reserves nothing.
func TestLoyaltySourceDown(t *testing.T) {
	ctx := context.Background()
	var d *downSource
	s := newLoyaltyShopWith(t, loyalty.Discount, nil, func(src loyalty.LoyaltySource) loyalty.LoyaltySource {
		d = &downSource{LoyaltySource: src}
		return d
	})
	b := visit2(t, s)
	b, err := s.svc.UseLoyaltyPoints(ctx, parisClerk, b.ID, 500)
	require.NoError(t, err)
	require.Equal(t, int64(500), b.Result.Loyalty.BurntPoints())
	d.down.Store(true)
	b, err = s.svc.SetQuantity(ctx, parisClerk, b.ID, b.Lines[1].ID, 2)
	require.NoError(t, err)
	lr := b.Result.Loyalty
	assert.Nil(t, lr.Burn)
	assert.Equal(t, "the loyalty source is unavailable", lr.Problem)
	assert.False(t, lr.Known)
	assert.Equal(t, eur("48.70"), b.Result.Totals.Total, "35.50 + 2 × 6.60, no points")
	assert.Equal(t, int64(48), lr.Earned.Points, "tier unknown: ×1")
	i := slices.IndexFunc(b.Result.Changes, func(c basket.Change) bool { return c.Kind == basket.ChangeLoyaltyBurnt })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "0 points = 0.00 EUR", b.Result.Changes[i].Message())
	b, err = s.svc.PlaceOrder(ctx, parisClerk, b.ID)
	require.NoError(t, err)
	assert.Nil(t, b.Order.Loyalty)
	assert.Equal(t, int64(0), s.balance(t).Reserved)
}

// Property: whatever the basket, the balance and the points asked, the
// burn never exceeds what was asked, the balance or the amount due; it
// burns by 100s from 500; its value is exact; as a discount it is spread
// over the lines to the minor unit and nothing goes negative; as a
// tender nothing but the settlement changes; the totals stay exact, and
// the points earned add up.
func TestPropertyLoyaltyBurnIsExact(t *testing.T) {
	book, err := pricing.NewPriceBook([]pricing.Price{
		{ListID: "fr", SKU: "comte-250g", Unit: eur("10.50")},
		{ListID: "fr", SKU: "bordeaux-2019", Unit: eur("35.50")},
		{ListID: "fr", SKU: "baguette", Unit: eur("0.95")},
		{ListID: "fr", SKU: "confiture", Unit: eur("6.60")},
	})
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "food", Rate: pricing.MustPercent("5.5")},
	})
	require.NoError(t, err)
	skus := []string{"comte-250g", "bordeaux-2019", "baguette", "confiture"}
	sites := []stock.Location{{ID: paris, Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut}}}
	rapid.Check(t, func(t *rapid.T) {
		mode := rapid.SampledFrom([]loyalty.BurnMode{loyalty.Discount, loyalty.Tender}).Draw(t, "mode")
		inclusive := rapid.Bool().Draw(t, "inclusive")
		m := basket.Meta{Actor: parisClerk, At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
		ctx := parisStore()
		ctx.AsOf, ctx.PricesIncludeTax = m.At, inclusive
		b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "c"}, ctx, basket.Cart, m)
		require.NoError(t, err)
		for _, sku := range rapid.SliceOfNDistinct(rapid.SampledFrom(skus), 0, 4, rapid.ID).Draw(t, "skus") {
			_, _, err := b.AddLine(m, basket.NewLine{SKU: sku, Quantity: rapid.Int64Range(1, 30).Draw(t, "qty"), Product: parisProduct(sku)})
			require.NoError(t, err)
		}
		asked := rapid.Int64Range(0, 20_000).Draw(t, "asked")
		_, err = b.SetLoyalty(m, &basket.Loyalty{Account: "card-42", Burn: asked})
		require.NoError(t, err)
		bal := loyalty.Balance{Account: "card-42", Tier: rapid.SampledFrom([]string{"", "2"}).Draw(t, "tier"), Available: rapid.Int64Range(0, 20_000).Draw(t, "balance")}
		snap := basket.Snapshot{Prices: book, Tax: tax, Locations: sites, Loyalty: basket.LoyaltySnapshot{Scheme: parisProgram(mode), Balance: &bal}}
		r, err := basket.Recontextualize(b, ctx, snap, basket.Options{})
		require.NoError(t, err)
		snap.Loyalty.Scheme = nil
		plain, err := basket.Recontextualize(b, ctx, snap, basket.Options{})
		require.NoError(t, err)

		lr := r.Loyalty
		require.NotNil(t, lr)
		burn := lr.Burn
		var points int64
		value := eur("0.00")
		if burn != nil {
			points, value = burn.Points, burn.Value
		}
		assert.LessOrEqual(t, points, min(asked, bal.Available))
		assert.True(t, points == 0 || (points >= 500 && points%100 == 0), "%d points", points)
		assert.Equal(t, points, value.MinorUnits(), "100 points = 1.00 EUR, exactly")

		sum := eur("0.00")
		lineSum := eur("0.00")
		for _, l := range r.Lines {
			assert.False(t, l.Total.IsNegative() || l.Discount.IsNegative() || l.Net.IsNegative() || l.Tax.IsNegative(), "line %s", l.LineID)
			gross, err := l.Net.Add(l.Tax)
			require.NoError(t, err)
			assert.Equal(t, l.Total, gross)
			lineSum, err = lineSum.Add(l.Total)
			require.NoError(t, err)
			for _, a := range l.Discounts {
				assert.Equal(t, basket.LoyaltyBurnID, a.PromotionID)
				sum, err = sum.Add(a.Amount)
				require.NoError(t, err)
			}
		}
		assert.Equal(t, r.Totals.Total, lineSum)
		gross, err := r.Totals.Net.Add(r.Totals.Tax)
		require.NoError(t, err)
		assert.Equal(t, r.Totals.Total, gross)

		switch mode {
		case loyalty.Discount:
			assert.Equal(t, value, sum, "the discount is spread exactly")
			assert.Equal(t, value, r.Totals.Discount)
			assert.Equal(t, plain.Totals.Subtotal, r.Totals.Subtotal)
			// The value comes off the amount the prices are given in:
			// gross when they include tax, net otherwise.
			before, after := plain.Totals.Total, r.Totals.Total
			if !inclusive {
				before, after = plain.Totals.Net, r.Totals.Net
			}
			assert.LessOrEqual(t, value.MinorUnits(), before.MinorUnits())
			less, err := before.Sub(value)
			require.NoError(t, err)
			assert.Equal(t, less, after)
		case loyalty.Tender:
			assert.True(t, sum.IsZero())
			assert.Equal(t, plain.Totals, r.Totals, "a tender changes no price and no tax")
			assert.LessOrEqual(t, value.MinorUnits(), r.Totals.Total.MinorUnits())
			if points > 0 {
				require.NotNil(t, r.Payment)
				assert.Equal(t, value, r.Payment.Tenders[0].Amount)
				rest, err := r.Totals.Total.Sub(value)
				require.NoError(t, err)
				assert.Equal(t, rest, r.Payment.Remaining)
			} else {
				assert.Nil(t, r.Payment)
			}
		}
		var explained int64
		for _, x := range lr.Earned.Explanations {
			explained += x.Points
		}
		assert.Equal(t, lr.Earned.Points, explained)
		assert.GreaterOrEqual(t, lr.Earned.Points, int64(0))

		again, err := basket.Recontextualize(b, ctx, basket.Snapshot{Prices: book, Tax: tax, Locations: sites, Loyalty: basket.LoyaltySnapshot{Scheme: parisProgram(mode), Balance: &bal}}, basket.Options{})
		require.NoError(t, err)
		want, _ := json.Marshal(r)
		got, _ := json.Marshal(again)
		assert.Equal(t, string(want), string(got), "deterministic")
	})
}
