package basket_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A cheese shop in Zurich: a store at the main station and a Swiss web
// shop, prices in CHF, tax included (8.1 %, food 2.6 %); and one German
// web shop in EUR, for a currency change.
const zurich = "zurich-hb"

var tillClerk = basket.Actor{Kind: basket.Associate, ID: "clerk-7", LocationID: zurich}

func chf(s string) pricing.Money { return pricing.MustParse(s, "CHF") }

func chPrices() []pricing.Price {
	return []pricing.Price{
		{ListID: "ch-store", SKU: "GRUYERE", Unit: chf("39.90")},
		{ListID: "ch-store", SKU: "FENDANT", Unit: chf("29.95")},
		{ListID: "ch-store", SKU: "CHOC-BAR", Unit: chf("8.89")},
		{ListID: "ch-web", SKU: "GRUYERE", Unit: chf("37.90")},
		{ListID: "ch-web", SKU: "FENDANT", Unit: chf("29.95")},
		{ListID: "ch-web", SKU: "CHOC-BAR", Unit: chf("8.89")},
		{ListID: "de-web", SKU: "GRUYERE", Unit: pricing.MustParse("39.00", "EUR")},
		{ListID: "de-web", SKU: "FENDANT", Unit: pricing.MustParse("30.00", "EUR")},
		{ListID: "de-web", SKU: "CHOC-BAR", Unit: pricing.MustParse("9.00", "EUR")},
	}
}

func chProduct(sku string) basket.Product {
	switch sku {
	case "GRUYERE":
		return basket.Product{Name: "Gruyère AOP 1 kg", Categories: []string{"cheese"}, TaxCategory: "food"}
	case "FENDANT":
		return basket.Product{Name: "Fendant du Valais 75 cl", Categories: []string{"wine"}, TaxCategory: "standard"}
	}
	return basket.Product{Name: "Dark chocolate bar", Categories: []string{"chocolate"}, TaxCategory: "food"}
}

func zurichStore() channel.Context {
	return channel.Context{ChannelID: "store-zurich", Kind: channel.Store, LocationID: zurich, Country: "CH", Currency: "CHF",
		Locale: "de-CH", PriceLists: []string{"ch-store"}, TaxZone: "CH", PricesIncludeTax: true,
		StockSources: []string{zurich}, FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}, AsOf: time.Now()}
}

func swissWeb() channel.Context {
	return channel.Context{ChannelID: "web-ch", Kind: channel.Web, LocationID: zurich, Country: "CH", Currency: "CHF", Locale: "de-CH",
		PriceLists: []string{"ch-web"}, TaxZone: "CH", PricesIncludeTax: true,
		StockSources: []string{zurich}, FulfilmentModes: []channel.FulfilmentMode{channel.ClickCollect}, AsOf: time.Now()}
}

func germanWeb() channel.Context {
	return channel.Context{ChannelID: "web-de", Kind: channel.Web, LocationID: zurich, Country: "DE", Currency: "EUR", Locale: "de-DE",
		PriceLists: []string{"de-web"}, TaxZone: "DE", PricesIncludeTax: true,
		StockSources: []string{zurich}, FulfilmentModes: []channel.FulfilmentMode{channel.ClickCollect}, AsOf: time.Now()}
}

type tillFixture struct {
	svc      *basket.Service
	store    basket.Store
	vouchers *memory.VoucherStore
	clk      *clock.Fake
}

// newTill wires a Service for the Zurich shop; wrap, when given, wraps its
// basket store.
func newTill(t testing.TB, wrap func(basket.Store) basket.Store) *tillFixture {
	t.Helper()
	ctx := context.Background()
	book, err := pricing.NewPriceBook(chPrices())
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "CH", Category: "standard", Rate: pricing.MustPercent("8.1")},
		{Zone: "CH", Category: "food", Rate: pricing.MustPercent("2.6")},
		{Zone: "DE", Category: "standard", Rate: pricing.MustPercent("19")},
		{Zone: "DE", Category: "food", Rate: pricing.MustPercent("7")},
	})
	require.NoError(t, err)
	set, err := promotion.Compile(nil)
	require.NoError(t, err)
	cat := &memory.Catalog{PriceBook: book, PromotionSet: set, TaxRules: tax, Sites: []stock.Location{{
		ID: zurich, Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect},
		LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.CarryOut: 0, channel.ClickCollect: time.Hour}}}}
	clk := clock.NewFake(time.Date(2026, 12, 19, 15, 0, 0, 0, time.UTC))
	st := memory.NewStockStore(clk)
	for _, sku := range []string{"GRUYERE", "FENDANT", "CHOC-BAR"} {
		require.NoError(t, st.SetOnHand(ctx, sku, zurich, 50))
	}
	f := &tillFixture{vouchers: memory.NewVoucherStore(clk), clk: clk, store: memory.NewBasketStore()}
	if wrap != nil {
		f.store = wrap(f.store)
	}
	f.svc, err = basket.NewService(basket.Config{Store: f.store, Prices: cat, Promotions: cat, Tax: cat, Stock: st,
		Locations: cat, Clock: clk, Vouchers: f.vouchers})
	require.NoError(t, err)
	return f
}

// basket87 rings up 87.63 CHF at the Zurich till: a Gruyère (39.90), a
// Fendant (29.95) and two chocolate bars (2 × 8.89).
func (f *tillFixture) basket87(t testing.TB) *basket.Basket {
	t.Helper()
	ctx := context.Background()
	b, err := f.svc.Create(ctx, tillClerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{AnonymousID: "walk-in"}, Context: zurichStore()})
	require.NoError(t, err)
	for _, l := range []struct {
		sku string
		qty int64
	}{{"GRUYERE", 1}, {"FENDANT", 1}, {"CHOC-BAR", 2}} {
		b, err = f.svc.AddLine(ctx, tillClerk, b.ID, basket.NewLine{SKU: l.sku, Quantity: l.qty, Product: chProduct(l.sku)})
		require.NoError(t, err)
	}
	require.Equal(t, chf("87.63"), b.Result.Totals.Total)
	return b
}

func (f *tillFixture) issue(t testing.TB, code, balance string) {
	t.Helper()
	require.NoError(t, f.vouchers.Issue(context.Background(), code, chf(balance), time.Time{}))
}

func (f *tillFixture) left(t testing.TB, code string) pricing.Money {
	t.Helper()
	bs, err := f.vouchers.Balances(context.Background(), []string{code})
	require.NoError(t, err)
	return bs[0].Amount
}

func giftCardTender(code string) payment.Tender {
	return payment.Tender{Kind: payment.GiftCard, Code: code}
}
func cardTender(amount string) payment.Tender {
	return payment.Tender{Kind: payment.Card, Amount: chf(amount)}
}
func cashTender(amount string) payment.Tender {
	return payment.Tender{Kind: payment.Cash, Amount: chf(amount)}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestPayAtTheZurichTill is the issue's real case: 87.63 CHF paid by a
// gift card worth 50.00, 30.00 on a card and a 10 franc note; the cash
// part 7.63 is rounded to 7.65 and 2.35 is given back. And the same
// basket when the gift card was spent elsewhere in the meantime.
func TestPayAtTheZurichTill(t *testing.T) {
	cases := []struct {
		name           string
		spentMeanwhile string // debited from the gift card after it was tendered
		wantErr        error
		applied        []string
		rounding       string
		change         string
		giftCardLeft   string
	}{
		{
			name:    "gift card, card and cash",
			applied: []string{"50.00", "30.00", "7.65"}, rounding: "0.02", change: "2.35", giftCardLeft: "0.00",
		},
		{
			name: "gift card spent elsewhere meanwhile", spentMeanwhile: "20.00",
			wantErr: payment.ErrInsufficientBalance, giftCardLeft: "30.00",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			f := newTill(t, nil)
			f.issue(t, "GC-1001", "50.00")
			b := f.basket87(t)
			totals := b.Result.Totals
			for _, tn := range []payment.Tender{cashTender("10.00"), giftCardTender("gc-1001"), cardTender("30.00")} {
				var err error
				b, err = f.svc.AddTender(ctx, tillClerk, b.ID, tn)
				require.NoError(t, err)
			}
			assert.Equal(t, totals, b.Result.Totals, "tenders pay; they change neither totals nor tax")
			require.NotNil(t, b.Result.Payment)
			assert.Equal(t, chf("87.63"), b.Result.Payment.Due)
			assert.True(t, b.Result.Payment.Settled())

			b, err := f.svc.PlaceOrder(ctx, tillClerk, b.ID)
			require.NoError(t, err)
			if c.spentMeanwhile != "" {
				require.NoError(t, f.vouchers.Redeem(ctx, payment.Redemption{ID: "another-till",
					Debits: []payment.Debit{{Code: "GC-1001", Amount: chf(c.spentMeanwhile)}}}))
			}
			paid, err := f.svc.Pay(ctx, tillClerk, b.ID)
			assert.Equal(t, chf(c.giftCardLeft), f.left(t, "GC-1001"))
			if c.wantErr != nil {
				require.ErrorIs(t, err, c.wantErr)
				var be *payment.BalanceError
				require.ErrorAs(t, err, &be)
				assert.Equal(t, "GC-1001", be.Code)
				after, err := f.svc.Get(ctx, tillClerk, b.ID)
				require.NoError(t, err)
				assert.Equal(t, mustJSON(t, b), mustJSON(t, after), "the basket is unchanged")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, paid.Payment.Paid)
			s := paid.Payment.Paid.Settlement
			var got []string
			for _, a := range s.Tenders {
				got = append(got, a.Amount.Amount())
			}
			assert.Equal(t, c.applied, got)
			assert.Equal(t, []payment.Kind{payment.GiftCard, payment.Card, payment.Cash},
				[]payment.Kind{s.Tenders[0].Tender.Kind, s.Tenders[1].Tender.Kind, s.Tenders[2].Tender.Kind})
			assert.Equal(t, chf(c.rounding), s.CashRounding)
			assert.Equal(t, chf(c.change), s.Change)
			assert.Equal(t, chf("87.65"), s.Paid)
			assert.Equal(t, b.RedemptionID(), paid.Payment.Paid.RedemptionID)
			assert.Equal(t, f.clk.Now().UTC(), paid.Payment.PaidAt)
			assert.Equal(t, totals, paid.Result.Totals)

			events, err := f.svc.History(ctx, tillClerk, b.ID)
			require.NoError(t, err)
			assert.Equal(t, basket.EventPaid, events[len(events)-1].Type)
			replayed, err := basket.Replay(events)
			require.NoError(t, err)
			assert.Equal(t, mustJSON(t, paid), mustJSON(t, replayed), "the history rebuilds the paid basket")
			var decoded basket.Basket // as a store reads it back
			require.NoError(t, json.Unmarshal([]byte(mustJSON(t, paid)), &decoded))
			assert.Equal(t, mustJSON(t, paid), mustJSON(t, &decoded))

			_, err = f.svc.Pay(ctx, tillClerk, b.ID)
			assert.ErrorIs(t, err, basket.ErrAlreadyPaid)
			_, err = f.svc.RemoveTender(ctx, tillClerk, b.ID, payment.Cash, "")
			assert.ErrorIs(t, err, basket.ErrImmutable)
		})
	}
}

// TestSettlementFollowsRepricing: tenders taken on a cart follow its
// re-pricing; a channel change that lowers the total lowers the amount
// due, caps a card and leaves more change, and the history rebuilds it.
func TestSettlementFollowsRepricing(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "GC-1", "50.00")
	f.issue(t, "GC-BIG", "100.00")
	cases := []struct {
		name    string
		tenders []payment.Tender
		store   []string // amounts applied at 87.63 (store)
		web     []string // at 85.63 (web)
		capped  bool
		change  [2]string
	}{
		{"gift card, card and cash", []payment.Tender{giftCardTender("GC-1"), cardTender("30.00"), cashTender("10.00")},
			[]string{"50.00", "30.00", "7.65"}, []string{"50.00", "30.00", "5.65"}, false, [2]string{"2.35", "4.35"}},
		{"a gift card larger than the total keeps the rest", []payment.Tender{giftCardTender("GC-BIG")},
			[]string{"87.63"}, []string{"85.63"}, false, [2]string{"0.00", "0.00"}},
		{"a card for the old total is capped to the new one", []payment.Tender{cardTender("87.63")},
			[]string{"87.63"}, []string{"85.63"}, true, [2]string{"0.00", "0.00"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := f.basket87(t)
			var err error
			for _, tn := range c.tenders {
				b, err = f.svc.AddTender(ctx, tillClerk, b.ID, tn)
				require.NoError(t, err)
			}
			amounts := func(s *payment.Settlement) []string {
				var out []string
				for _, a := range s.Tenders {
					out = append(out, a.Amount.Amount())
				}
				return out
			}
			assert.Equal(t, c.store, amounts(b.Result.Payment))
			assert.Equal(t, chf(c.change[0]), b.Result.Payment.Change)

			// The shopper leaves and finishes on the Swiss web shop, where the
			// Gruyère is 2.00 cheaper.
			b, err = f.svc.Recontextualize(ctx, basket.Actor{Kind: basket.System, ID: "web"}, b.ID, swissWeb())
			require.NoError(t, err)
			require.Equal(t, chf("85.63"), b.Result.Totals.Total)
			require.NotNil(t, b.Result.Payment)
			assert.Equal(t, chf("85.63"), b.Result.Payment.Due)
			assert.Equal(t, c.web, amounts(b.Result.Payment))
			assert.Equal(t, chf(c.change[1]), b.Result.Payment.Change)
			assert.True(t, b.Result.Payment.Settled())
			last := b.Result.Payment.Tenders[len(b.Result.Payment.Tenders)-1]
			assert.Equal(t, c.capped, last.Capped)
			if last.Tender.Kind == payment.GiftCard {
				assert.Equal(t, chf("14.37"), last.Left, "the gift card keeps what the web basket does not need")
			}
			// The pure function shows the same settlement the history rebuilds.
			events, err := f.svc.History(ctx, tillClerk, b.ID)
			require.NoError(t, err)
			replayed, err := basket.Replay(events)
			require.NoError(t, err)
			assert.Equal(t, mustJSON(t, b), mustJSON(t, replayed))
		})
	}
}

// TestTendersInAnotherCurrency: after a move to a euro channel the
// Swiss-franc tenders cannot settle; the Result shows no settlement and
// paying is refused with the typed error until they are tendered again.
func TestTendersInAnotherCurrency(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	b := f.basket87(t)
	b, err := f.svc.AddTender(ctx, tillClerk, b.ID, cardTender("80.00"))
	require.NoError(t, err)
	system := basket.Actor{Kind: basket.System, ID: "web"}
	b, err = f.svc.Recontextualize(ctx, system, b.ID, germanWeb())
	require.NoError(t, err)
	assert.Equal(t, pricing.MustParse("87.00", "EUR"), b.Result.Totals.Total)
	assert.Nil(t, b.Result.Payment)
	b, err = f.svc.PlaceOrder(ctx, system, b.ID)
	require.NoError(t, err)
	_, err = f.svc.Pay(ctx, system, b.ID)
	require.ErrorIs(t, err, payment.ErrCurrencyMismatch)
	b, err = f.svc.RemoveTender(ctx, system, b.ID, payment.Card, "")
	require.NoError(t, err)
	b, err = f.svc.AddTender(ctx, system, b.ID, payment.Tender{Kind: payment.Card})
	require.NoError(t, err)
	b, err = f.svc.Pay(ctx, system, b.ID)
	require.NoError(t, err)
	assert.Equal(t, pricing.MustParse("87.00", "EUR"), b.Payment.Paid.Settlement.Paid)
}

// TestPayNeedsAnOrderSettledInFull: a cart is not paid (place it first),
// an order with something left to pay is not either, and neither debits
// anything.
func TestPayNeedsAnOrderSettledInFull(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "GC-1", "50.00")
	b := f.basket87(t)
	b, err := f.svc.AddTender(ctx, tillClerk, b.ID, giftCardTender("GC-1"))
	require.NoError(t, err)
	_, err = f.svc.Pay(ctx, tillClerk, b.ID)
	require.ErrorIs(t, err, basket.ErrNotPayable)
	b, err = f.svc.PlaceOrder(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, chf("37.63"), b.Result.Payment.Remaining)
	_, err = f.svc.Pay(ctx, tillClerk, b.ID)
	require.ErrorIs(t, err, payment.ErrNotSettled)
	assert.Equal(t, chf("50.00"), f.left(t, "GC-1"), "nothing redeemed")
	b, err = f.svc.AddTender(ctx, tillClerk, b.ID, payment.Tender{Kind: payment.Card}) // the rest by card
	require.NoError(t, err)
	b, err = f.svc.Pay(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, chf("37.63"), b.Payment.Paid.Settlement.Tenders[1].Amount)
	assert.Equal(t, chf("0.00"), f.left(t, "GC-1"))
}

// failingStore fails its next Saves with err, after they would have been
// attempted: a crash between the redemption and the save.
type failingStore struct {
	basket.Store
	fails atomic.Int32
	err   error
}

func (s *failingStore) Save(ctx context.Context, w basket.Write) error {
	if len(w.Events) > 0 && w.Events[len(w.Events)-1].Type == basket.EventPaid && s.fails.Add(-1) >= 0 {
		return s.err
	}
	return s.Store.Save(ctx, w)
}

// TestPayRetriedAfterALostSaveDebitsOnce: redeem at the source, then
// save; when the save is lost the retry redeems with the same ID, and the
// gift card is debited once. A version conflict is retried by the Service
// itself; any other failure by the caller.
func TestPayRetriedAfterALostSaveDebitsOnce(t *testing.T) {
	cases := []struct {
		name       string
		err        error
		firstFails bool
	}{
		{"the store is down once", errors.New("connection reset"), true},
		{"another writer got there first", &basket.VersionConflictError{Expected: 1, Current: 2}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			var fs *failingStore
			f := newTill(t, func(s basket.Store) basket.Store { fs = &failingStore{Store: s, err: c.err}; return fs })
			f.issue(t, "GC-1", "60.00")
			b := f.basket87(t)
			b, err := f.svc.AddTender(ctx, tillClerk, b.ID, giftCardTender("GC-1"))
			require.NoError(t, err)
			b, err = f.svc.AddTender(ctx, tillClerk, b.ID, payment.Tender{Kind: payment.Card})
			require.NoError(t, err)
			b, err = f.svc.PlaceOrder(ctx, tillClerk, b.ID)
			require.NoError(t, err)

			fs.fails.Store(1)
			paid, err := f.svc.Pay(ctx, tillClerk, b.ID)
			if c.firstFails {
				require.Error(t, err)
				assert.Equal(t, chf("0.00"), f.left(t, "GC-1"), "redeemed before the save was lost")
				unpaid, gerr := f.svc.Get(ctx, tillClerk, b.ID)
				require.NoError(t, gerr)
				assert.Nil(t, unpaid.Payment.Paid)
				paid, err = f.svc.Pay(ctx, tillClerk, b.ID) // the caller retries
			}
			require.NoError(t, err)
			assert.Equal(t, chf("0.00"), f.left(t, "GC-1"), "60.00 debited once, not twice")
			assert.Equal(t, chf("60.00"), paid.Payment.Paid.Settlement.Tenders[0].Amount)
			assert.Equal(t, chf("27.63"), paid.Payment.Paid.Settlement.Tenders[1].Amount)
		})
	}
}

// TestPayAfterALostSaveWithOtherTenders: the redemption was made, its
// save lost, and the tenders changed since: the source refuses the other
// debits under the basket's ID and says what was redeemed; giving
// the balances back lets the shopper pay under a new ID.
func TestPayAfterALostSaveWithOtherTenders(t *testing.T) {
	ctx := context.Background()
	var fs *failingStore
	f := newTill(t, func(s basket.Store) basket.Store { fs = &failingStore{Store: s, err: errors.New("crash")}; return fs })
	f.issue(t, "GC-1", "50.00")
	f.issue(t, "GC-2", "50.00")
	b := f.basket87(t)
	for _, tn := range []payment.Tender{giftCardTender("GC-1"), giftCardTender("GC-2")} {
		var err error
		b, err = f.svc.AddTender(ctx, tillClerk, b.ID, tn)
		require.NoError(t, err)
	}
	b, err := f.svc.PlaceOrder(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	fs.fails.Store(1)
	_, err = f.svc.Pay(ctx, tillClerk, b.ID)
	require.Error(t, err)
	_, err = f.svc.RemoveTender(ctx, tillClerk, b.ID, payment.GiftCard, "GC-2")
	require.NoError(t, err)
	_, err = f.svc.AddTender(ctx, tillClerk, b.ID, payment.Tender{Kind: payment.Card})
	require.NoError(t, err)
	_, err = f.svc.Pay(ctx, tillClerk, b.ID)
	var ce *payment.ConflictError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []payment.Debit{{Code: "GC-1", Amount: chf("50.00")}, {Code: "GC-2", Amount: chf("37.63")}}, ce.Existing)
	assert.Equal(t, chf("12.37"), f.left(t, "GC-2"), "the lost payment's debit stands")

	// The associate gives the balances back, and the shopper pays with the
	// gift card and a card under a new redemption ID.
	first := b.RedemptionID()
	b, err = f.svc.ReleaseRedemption(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, chf("50.00"), f.left(t, "GC-1"))
	assert.Equal(t, chf("50.00"), f.left(t, "GC-2"))
	assert.NotEqual(t, first, b.RedemptionID())
	_, err = f.svc.ReleaseRedemption(ctx, tillClerk, b.ID)
	require.ErrorIs(t, err, payment.ErrUnknownRedemption, "nothing redeemed under the new ID")
	b, err = f.svc.Pay(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.RedemptionID(), b.Payment.Paid.RedemptionID)
	assert.Equal(t, chf("0.00"), f.left(t, "GC-1"))
	assert.Equal(t, chf("50.00"), f.left(t, "GC-2"))
	assert.Equal(t, chf("37.63"), b.Payment.Paid.Settlement.Tenders[1].Amount, "by card")
	_, err = f.svc.ReleaseRedemption(ctx, tillClerk, b.ID)
	require.ErrorIs(t, err, basket.ErrAlreadyPaid)
}

// TestAddTenderRefusals: each bad tender gets its typed error and
// changes nothing.
func TestAddTenderRefusals(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "GC-OK", "10.00")
	f.issue(t, "GC-OLD", "10.00")
	require.NoError(t, f.vouchers.Issue(ctx, "GC-OLD", chf("10.00"), f.clk.Now()))
	f.issue(t, "GC-LOST", "10.00")
	require.NoError(t, f.vouchers.Block(ctx, "GC-LOST"))
	require.NoError(t, f.vouchers.Issue(ctx, "GC-EUR", pricing.MustParse("10.00", "EUR"), time.Time{}))
	b := f.basket87(t)
	cases := []struct {
		name   string
		tender payment.Tender
		kind   error
	}{
		{"unknown gift card", giftCardTender("GC-NOPE"), payment.ErrUnknownCode},
		{"expired gift card", giftCardTender("GC-OLD"), payment.ErrNotRedeemable},
		{"blocked gift card", giftCardTender("GC-LOST"), payment.ErrNotRedeemable},
		{"gift card in euros", giftCardTender("GC-EUR"), payment.ErrCurrencyMismatch},
		{"a balance given by the caller", payment.Tender{Kind: payment.GiftCard, Code: "GC-OK", Balance: chf("99.00")}, basket.ErrInvalid},
		{"malformed code", giftCardTender("GC OK"), basket.ErrInvalid},
		{"card above the total", cardTender("87.64"), payment.ErrOverTender},
		{"card in euros", payment.Tender{Kind: payment.Card, Amount: pricing.MustParse("10.00", "EUR")}, payment.ErrCurrencyMismatch},
		{"negative cash", cashTender("-5.00"), payment.ErrNegative},
		{"cash no coin makes", cashTender("10.01"), payment.ErrInvalid},
		{"loyalty points", payment.Tender{Kind: payment.Points, Code: "LOY-1"}, basket.ErrNotConfigured},
		{"unknown kind", payment.Tender{Kind: 42}, payment.ErrUnknownKind},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.AddTender(ctx, tillClerk, b.ID, c.tender)
			require.ErrorIs(t, err, c.kind)
			after, err := f.svc.Get(ctx, tillClerk, b.ID)
			require.NoError(t, err)
			assert.Equal(t, b.Version, after.Version)
			assert.Nil(t, after.Payment)
		})
	}
	t.Run("no voucher source", func(t *testing.T) {
		cfg := basket.Config{Store: f.store, Prices: memoryNoPrices{}, Tax: memoryNoTax{}, Stock: memory.NewStockStore(f.clk),
			Locations: &memory.Catalog{}, Clock: f.clk}
		svc, err := basket.NewService(cfg)
		require.NoError(t, err)
		_, err = svc.AddTender(ctx, tillClerk, b.ID, giftCardTender("GC-OK"))
		require.ErrorIs(t, err, basket.ErrNotConfigured)
	})
	t.Run("a wishlist takes no tenders", func(t *testing.T) {
		w, err := f.svc.Create(ctx, tillClerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "c-1"}, Context: zurichStore(), Status: basket.Wishlist})
		require.NoError(t, err)
		_, err = f.svc.AddTender(ctx, tillClerk, w.ID, cardTender("1.00"))
		require.ErrorIs(t, err, basket.ErrNotPayable)
	})
	t.Run("removing a tender that is not there", func(t *testing.T) {
		_, err := f.svc.RemoveTender(ctx, tillClerk, b.ID, payment.GiftCard, "GC-OK")
		require.ErrorIs(t, err, basket.ErrUnknownTender)
	})
}

// memoryNoPrices and memoryNoTax stand in for sources a test never reaches.
type memoryNoPrices struct{}

func (memoryNoPrices) Prices(context.Context, pricing.PriceQuery) ([]pricing.Price, error) {
	return nil, nil
}

type memoryNoTax struct{}

func (memoryNoTax) TaxTable(context.Context, string) (*pricing.TaxTable, error) { return nil, nil }

// TestTenderReplacesTheSameTender: a second cash tender replaces the
// first (the shopper hands over a 20 instead of a 10); removing the
// gift card gives its share back to cash.
func TestTenderReplacesTheSameTender(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "GC-1", "50.00")
	b := f.basket87(t)
	var err error
	for _, tn := range []payment.Tender{giftCardTender("GC-1"), cashTender("10.00"), cashTender("40.00")} {
		b, err = f.svc.AddTender(ctx, tillClerk, b.ID, tn)
		require.NoError(t, err)
	}
	require.Len(t, b.Payment.Tenders, 2)
	assert.Equal(t, chf("40.00"), b.Payment.Tenders[1].Amount)
	assert.Equal(t, chf("37.65"), b.Result.Payment.Tenders[1].Amount)
	assert.Equal(t, chf("2.35"), b.Result.Payment.Change)
	b, err = f.svc.RemoveTender(ctx, tillClerk, b.ID, payment.GiftCard, "gc-1")
	require.NoError(t, err)
	assert.Equal(t, chf("40.00"), b.Result.Payment.Paid)
	assert.Equal(t, chf("47.63"), b.Result.Payment.Remaining, "cash short of the total pays what was handed over")
	b, err = f.svc.RemoveTender(ctx, tillClerk, b.ID, payment.Cash, "")
	require.NoError(t, err)
	assert.Nil(t, b.Payment)
	assert.Nil(t, b.Result.Payment)
}

// TestPropertyTendersFollowTheBasket: whatever tenders are offered and
// withdrawn, in whatever order, the Result's settlement is the tenders
// applied to the total (a card above it capped), the totals and tax never
// move, and the history rebuilds the same basket.
func TestPropertyTendersFollowTheBasket(t *testing.T) {
	f := newTill(t, nil)
	f.issue(t, "GC-1", "50.00")
	f.issue(t, "GC-2", "20.00")
	f.issue(t, "V-3", "100.00")
	rapid.Check(t, func(rt *rapid.T) {
		ctx := context.Background()
		b := f.basket87(t)
		totals := b.Result.Totals
		cents := func(label string, hi int64) pricing.Money {
			m, _ := pricing.FromMinor(rapid.Int64Range(0, hi).Draw(rt, label), pricing.MustCurrency("CHF"))
			return m
		}
		for range rapid.IntRange(1, 8).Draw(rt, "commands") {
			var tn payment.Tender
			switch rapid.IntRange(0, 3).Draw(rt, "kind") {
			case 0:
				tn = payment.Tender{Kind: payment.GiftCard, Code: rapid.SampledFrom([]string{"GC-1", "GC-2"}).Draw(rt, "code"), Amount: cents("limit", 6000)}
			case 1:
				tn = payment.Tender{Kind: payment.Voucher, Code: "V-3"}
			case 2:
				tn = payment.Tender{Kind: payment.Card, Code: rapid.SampledFrom([]string{"", "visa-4242"}).Draw(rt, "card"), Amount: cents("charge", 9000)}
			default:
				tn = payment.Tender{Kind: payment.Cash, Amount: chf("5.00")}
				m, _ := tn.Amount.Mul(rapid.Int64Range(0, 30).Draw(rt, "notes"))
				tn.Amount = m
			}
			var err error
			if rapid.IntRange(0, 3).Draw(rt, "remove") == 0 {
				_, err = f.svc.RemoveTender(ctx, tillClerk, b.ID, tn.Kind, tn.Code)
				if err != nil && !errors.Is(err, basket.ErrUnknownTender) {
					rt.Fatalf("remove %v: %v", tn, err)
				}
			} else if _, err = f.svc.AddTender(ctx, tillClerk, b.ID, tn); err != nil && !errors.Is(err, payment.ErrOverTender) {
				rt.Fatalf("add %v: %v", tn, err)
			}
		}
		b, err := f.svc.Get(ctx, tillClerk, b.ID)
		if err != nil {
			rt.Fatal(err)
		}
		if b.Result.Totals != totals {
			rt.Fatalf("tenders moved the totals: %+v, was %+v", b.Result.Totals, totals)
		}
		var want *payment.Settlement
		if b.Payment != nil {
			s, err := payment.Settle(totals.Total, b.Payment.Tenders, payment.Options{CapCards: true})
			if err != nil {
				rt.Fatal(err)
			}
			want = &s
			paid, _ := s.Paid.Sub(s.CashRounding)
			if left, _ := paid.Add(s.Remaining); left != totals.Total {
				rt.Fatalf("the tenders do not add up to the total: %+v", s)
			}
		}
		if mustJSON(t, want) != mustJSON(t, b.Result.Payment) {
			rt.Fatalf("result shows %s, the tenders settle %s", mustJSON(t, b.Result.Payment), mustJSON(t, want))
		}
		events, err := f.svc.History(ctx, tillClerk, b.ID)
		if err != nil {
			rt.Fatal(err)
		}
		replayed, err := basket.Replay(events)
		if err != nil {
			rt.Fatal(err)
		}
		if mustJSON(t, replayed) != mustJSON(t, b) {
			rt.Fatalf("the history rebuilds another basket")
		}
	})
}

// FuzzReplayPayment replays histories with tenders, a payment and a
// released redemption, mutated: any history gets a basket or an error,
// deterministically, never a panic.
func FuzzReplayPayment(f *testing.F) {
	ctx := context.Background()
	var fs *failingStore
	fx := newTill(f, func(s basket.Store) basket.Store { fs = &failingStore{Store: s, err: errors.New("lost")}; return fs })
	fx.issue(f, "GC-1", "50.00")
	b := fx.basket87(f)
	for _, tn := range []payment.Tender{giftCardTender("GC-1"), cardTender("30.00"), cashTender("10.00")} {
		b, _ = fx.svc.AddTender(ctx, tillClerk, b.ID, tn)
	}
	_, _ = fx.svc.RemoveTender(ctx, tillClerk, b.ID, payment.Card, "")
	_, _ = fx.svc.AddTender(ctx, tillClerk, b.ID, payment.Tender{Kind: payment.Card})
	_, _ = fx.svc.PlaceOrder(ctx, tillClerk, b.ID)
	fs.fails.Store(1)
	_, _ = fx.svc.Pay(ctx, tillClerk, b.ID)
	_, _ = fx.svc.ReleaseRedemption(ctx, tillClerk, b.ID)
	if _, err := fx.svc.Pay(ctx, tillClerk, b.ID); err != nil {
		f.Fatal(err)
	}
	events, err := fx.store.Events(ctx, b.ID, 0)
	if err != nil {
		f.Fatal(err)
	}
	for i := len(events) - 6; i <= len(events); i++ {
		seed, err := json.Marshal(events[:i])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var history []basket.Event
		if json.Unmarshal(data, &history) != nil {
			return
		}
		got, err := basket.Replay(history)
		if err != nil {
			return
		}
		first, err := json.Marshal(got)
		if err != nil {
			return // a value no command could record
		}
		again, err := basket.Replay(history)
		if err != nil {
			t.Fatalf("replay succeeded once, then failed: %v", err)
		}
		if second, _ := json.Marshal(again); string(first) != string(second) {
			t.Fatalf("replay is not deterministic:\n%s\n%s", first, second)
		}
		if got.Payment != nil && got.Result != nil && got.Result.Payment != nil {
			s := got.Result.Payment
			if s.Remaining.IsNegative() || s.Change.IsNegative() || s.Paid.IsNegative() {
				t.Fatalf("a replayed settlement with a negative amount: %+v", s)
			}
		}
	})
}

// TestTenderWalletVouchers: the vouchers saved in the wallet on the web
// pay at the till, read in one call; those that cannot pay stay in the
// wallet untendered.
func TestTenderWalletVouchers(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "V-XMAS", "25.00")
	f.issue(t, "V-SPENT", "0.00")
	require.NoError(t, f.vouchers.Issue(ctx, "V-OLD", chf("10.00"), f.clk.Now()))
	f.issue(t, "GC-1", "5.00")
	b := f.basket87(t)
	for _, code := range []string{"v-xmas", "v-spent", "v-old", "v-typo", "gc-1"} {
		var err error
		b, err = f.svc.AddVoucher(ctx, tillClerk, b.ID, code)
		require.NoError(t, err)
	}
	b, err := f.svc.AddTender(ctx, tillClerk, b.ID, giftCardTender("GC-1")) // already tendered as a gift card
	require.NoError(t, err)
	b, err = f.svc.TenderWallet(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	require.Len(t, b.Payment.Tenders, 2)
	assert.Equal(t, payment.Tender{Kind: payment.Voucher, Code: "V-XMAS", Balance: chf("25.00")}, b.Payment.Tenders[1])
	assert.Equal(t, chf("30.00"), b.Result.Payment.Paid)
	assert.Equal(t, chf("57.63"), b.Result.Payment.Remaining)
	again, err := f.svc.TenderWallet(ctx, tillClerk, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b.Version, again.Version, "nothing more to tender, nothing recorded")
}

// TestRecontextualizeShowsTheSettlement: the pure function itself shows
// how the basket's tenders pay the total it computes, in the target.
func TestRecontextualizeShowsTheSettlement(t *testing.T) {
	ctx := context.Background()
	f := newTill(t, nil)
	f.issue(t, "GC-1", "50.00")
	b := f.basket87(t)
	b, err := f.svc.AddTender(ctx, tillClerk, b.ID, giftCardTender("GC-1"))
	require.NoError(t, err)
	b, err = f.svc.AddTender(ctx, tillClerk, b.ID, cashTender("40.00"))
	require.NoError(t, err)
	target := swissWeb()
	snap, err := f.svc.Snapshot(ctx, b, target)
	require.NoError(t, err)
	r, err := basket.Recontextualize(b, target, snap, basket.Options{})
	require.NoError(t, err)
	require.NotNil(t, r.Payment)
	assert.Equal(t, r.Totals.Total, r.Payment.Due)
	assert.Equal(t, chf("85.63"), r.Payment.Due)
	assert.Equal(t, chf("35.65"), r.Payment.Tenders[1].Amount)
	assert.Equal(t, chf("4.35"), r.Payment.Change)
	assert.Equal(t, chf("0.02"), r.Payment.CashRounding)
	b.Payment = nil
	r, err = basket.Recontextualize(b, target, snap, basket.Options{})
	require.NoError(t, err)
	assert.Nil(t, r.Payment, "no tenders, no settlement")
}
