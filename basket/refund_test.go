package basket_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The return tests run on a compact shop of their own, so that every
// figure below can be checked by hand: a web shop shipping from one store
// and a warehouse, French VAT, and a handful of promotions each test
// switches on by ID.

// rtAt is when the orders of the return tests are placed.
var rtAt = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

type rtItem struct{ sku, name, category, tax, price string }

var rtItems = []rtItem{
	{"FIG", "Fig candle", "candles", "standard", "19.00"},
	{"CEDAR", "Cedar candle", "candles", "standard", "19.00"},
	{"VANILLA", "Vanilla candle", "candles", "standard", "19.00"},
	{"AMBER", "Amber candle", "candles", "standard", "22.00"},
	{"LAMP", "Desk lamp", "lighting", "standard", "69.00"},
	{"THROW", "Wool throw", "textiles", "standard", "45.00"},
	{"MUG", "Stoneware mug", "kitchen", "standard", "14.00"},
	{"TEA", "Earl Grey 100 g", "food", "reduced", "8.50"},
	{"BOOK", "The way of tea", "books", "reduced", "28.00"},
	{"WRAP", "Gift wrapping", "services", "services", "3.00"},
}

func rtProduct(sku string) basket.Product {
	for _, it := range rtItems {
		if it.sku == sku {
			return basket.Product{Name: it.name, Categories: []string{it.category}, TaxCategory: it.tax}
		}
	}
	panic("unknown SKU " + sku)
}

func rtEUR(s string) pricing.Money { return pricing.MustParse(s, "EUR") }

// rtPrices: the "shop" list prices everything, six mugs or more are 12.00
// each; the "outlet" list sells the lamp for 60.00.
func rtPrices() []pricing.Price {
	var ps []pricing.Price
	for _, it := range rtItems {
		ps = append(ps, pricing.Price{ListID: "shop", SKU: it.sku, Unit: rtEUR(it.price)})
	}
	return append(ps,
		pricing.Price{ListID: "shop", SKU: "MUG", Unit: rtEUR("12.00"), MinQuantity: 6},
		pricing.Price{ListID: "outlet", SKU: "LAMP", Unit: rtEUR("60.00")})
}

// rtPromotions are the promotions a test can switch on, by ID.
func rtPromotions() []promotion.Promotion {
	all := promotion.Target{All: true}
	return []promotion.Promotion{
		{ID: "3FOR2", Name: "Candles: buy 2, get the cheapest third free", Lane: promotion.Basket,
			Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: promotion.Target{Categories: []string{"candles"}}, Buy: 2, Get: 1, Percent: pricing.MustPercent("100")}},
		{ID: "SPEND100", Name: "10 % off from 100.00", Lane: promotion.Basket, MinSubtotal: rtEUR("100.00"),
			Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: pricing.MustPercent("10")}},
		{ID: "LIGHT10", Name: "10 % off lighting", Lane: promotion.Catalogue,
			Effect: promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{Categories: []string{"lighting"}}, Percent: pricing.MustPercent("10")}},
		{ID: "ALL5", Name: "5 % off everything", Lane: promotion.Basket, Priority: -1,
			Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: pricing.MustPercent("5")}},
		{ID: "MUG2", Name: "2.00 off every mug", Lane: promotion.Catalogue,
			Effect: promotion.Effect{Kind: promotion.AmountOff, Target: promotion.Target{SKUs: []string{"MUG"}}, Amount: rtEUR("2.00")}},
		{ID: "TEATIME", Name: "A mug and two teas for 20.00", Lane: promotion.Basket,
			Effect: promotion.Effect{Kind: promotion.BundlePrice, Amount: rtEUR("20.00"), Components: []promotion.Component{
				{Target: promotion.Target{SKUs: []string{"MUG"}}, Quantity: 1}, {Target: promotion.Target{SKUs: []string{"TEA"}}, Quantity: 2}}}},
		{ID: "FIVEOFF", Name: "5.00 off from 30.00", Lane: promotion.Basket, MinSubtotal: rtEUR("30.00"),
			Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: rtEUR("5.00")}},
		{ID: "TIERS", Name: "5.00 off from 60.00, 15.00 off from 150.00", Lane: promotion.Basket,
			Effect: promotion.Effect{Kind: promotion.Tiered, Target: all, Tiers: []promotion.Tier{
				{Threshold: rtEUR("60.00"), Amount: rtEUR("5.00")}, {Threshold: rtEUR("150.00"), Amount: rtEUR("15.00")}}}},
		{ID: "FREESHIP", Name: "Free delivery from 50.00", Lane: promotion.Fulfilment, MinSubtotal: rtEUR("50.00"),
			Effect: promotion.Effect{Kind: promotion.FeeDiscount, Percent: pricing.MustPercent("100")}},
		{ID: "WELCOME", Name: "10 % off with code WELCOME", Lane: promotion.Basket, Coupon: "WELCOME",
			Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: pricing.MustPercent("10")}},
		{ID: "PAIR", Name: "8.00 off two items or more, alone", Lane: promotion.Basket, Exclusive: true, Priority: 10,
			MinQuantity: 2, QuantityTarget: all,
			Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: rtEUR("8.00")}},
	}
}

// rtShop is the data one test runs on.
type rtShop struct {
	promos []string         // IDs of rtPromotions switched on
	fees   bool             // charge delivery: 3.90 from the store, 4.90 from the warehouse
	store  map[string]int64 // units on hand at the store; the warehouse has plenty
	prices []pricing.Price  // replaces rtPrices when set
}

func (s rtShop) snapshot(t require.TestingT) basket.Snapshot {
	prices := s.prices
	if prices == nil {
		prices = rtPrices()
	}
	book, err := pricing.NewPriceBook(prices)
	require.NoError(t, err)
	var promos []promotion.Promotion
	for _, p := range rtPromotions() {
		if slices.Contains(s.promos, p.ID) {
			promos = append(promos, p)
		}
	}
	set, err := promotion.Compile(promos)
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{
		{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
		{Zone: "FR", Category: "reduced", Rate: pricing.MustPercent("5.5")},
		{Zone: "FR", Category: "services", Rate: pricing.MustPercent("20")},
		{Zone: "DE", Category: "standard", Rate: pricing.MustPercent("19")},
	})
	require.NoError(t, err)
	var levels []stock.Level
	for _, it := range rtItems {
		levels = append(levels, stock.Level{SKU: it.sku, LocationID: "wh", OnHand: 10_000})
		if n := s.store[it.sku]; n > 0 {
			levels = append(levels, stock.Level{SKU: it.sku, LocationID: "store", OnHand: n})
		}
	}
	lv, err := stock.NewLevels(levels)
	require.NoError(t, err)
	snap := basket.Snapshot{Prices: book, Promotions: set, Tax: tax, Stock: lv, Locations: []stock.Location{
		{ID: "store", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.ShipFromStore}, LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipFromStore: 24 * time.Hour}},
		{ID: "wh", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress}, LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour}},
		{ID: "elsewhere", Kind: stock.Warehouse, Modes: []channel.FulfilmentMode{channel.ShipToAddress}},
	}}
	if s.fees {
		snap.Fees = []basket.FeeRule{
			{Mode: channel.ShipToAddress, Amount: rtEUR("4.90"), TaxCategory: "services"},
			{Mode: channel.ShipFromStore, Amount: rtEUR("3.90"), TaxCategory: "services"},
		}
	}
	return snap
}

// rtContext is the web shop with the given price lists, at time at.
func rtContext(lists []string, inclusive bool, at time.Time) channel.Context {
	return channel.Context{ChannelID: "web-" + lists[0], Kind: channel.Web, Country: "FR", Currency: "EUR", Locale: "fr-FR",
		PriceLists: lists, TaxZone: "FR", PricesIncludeTax: inclusive, StockSources: []string{"store", "wh"},
		FulfilmentModes: []channel.FulfilmentMode{channel.ShipFromStore, channel.ShipToAddress}, AsOf: at}
}

type rtLine struct {
	sku string
	qty int64
}

func rtMeta(at time.Time) basket.Meta {
	return basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "cust-7"}, At: at}
}

// rtCart is a cart of lines priced in ctx.
func rtCart(t require.TestingT, shop rtShop, ctx channel.Context, opts basket.Options, coupons []string, lines ...rtLine) *basket.Basket {
	b, _, err := basket.New(uuid.NewSHA1(uuid.NameSpaceOID, []byte("rt-basket")), basket.Owner{CustomerID: "cust-7"}, ctx, basket.Cart, rtMeta(ctx.AsOf))
	require.NoError(t, err)
	for _, l := range lines {
		_, _, err := b.AddLine(rtMeta(ctx.AsOf), basket.NewLine{SKU: l.sku, Quantity: l.qty, Product: rtProduct(l.sku)})
		require.NoError(t, err)
	}
	for _, c := range coupons {
		_, err := b.AddCoupon(rtMeta(ctx.AsOf), c)
		require.NoError(t, err)
	}
	rtPrice(t, b, shop, ctx, opts)
	return b
}

func rtPrice(t require.TestingT, b *basket.Basket, shop rtShop, ctx channel.Context, opts basket.Options) {
	r, err := basket.Recontextualize(b, ctx, shop.snapshot(t), opts)
	require.NoError(t, err)
	_, err = b.SetResult(rtMeta(ctx.AsOf), r)
	require.NoError(t, err)
}

// rtPlace does what placing the order does to the basket, as far as money
// goes: the basket, priced now, becomes an order on the terms it was
// priced under.
func rtPlace(t require.TestingT, b *basket.Basket, shop rtShop, opts basket.Options) *basket.Basket {
	terms, err := basket.TermsOfForTest(shop.snapshot(t), b.Result, opts)
	require.NoError(t, err)
	b.Status = basket.Ordered
	b.Order = &basket.Order{PlacedAt: b.Result.Context.AsOf, Terms: terms}
	return b
}

// rtOrder is an order of lines placed in the "shop" web channel at rtAt.
func rtOrder(t require.TestingT, shop rtShop, lines ...rtLine) *basket.Basket {
	return rtPlace(t, rtCart(t, shop, rtContext([]string{"shop"}, true, rtAt), basket.Options{}, nil, lines...), shop, basket.Options{})
}

// rtReturn quotes a return and records it on the order, as the Service
// does.
func rtReturn(t require.TestingT, order *basket.Basket, lines ...basket.ReturnLine) basket.RefundQuote {
	q, err := basket.QuoteReturn(order, lines)
	require.NoError(t, err)
	order.Order.Returns = append(order.Order.Returns, basket.Return{
		ID: "R" + string(rune('1'+len(order.Order.Returns))), At: rtAt.Add(24 * time.Hour), LocationID: "wh", ChannelID: "web-shop",
		Restocked: "wh", Lines: lines, Quote: q,
	})
	return q
}

func ret(lineID string, qty int64) basket.ReturnLine {
	return basket.ReturnLine{LineID: lineID, Quantity: qty}
}

func rtAmounts(ms ...pricing.Money) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Amount()
	}
	return out
}

// TestQuoteReturnExamples pins the documented examples: the recomputation
// rule (refund = paid − what the kept lines cost under the order's terms)
// on buy-X-get-Y, spend thresholds, volume prices, plain returns and
// successive returns of one order.
func TestQuoteReturnExamples(t *testing.T) {
	type want struct {
		paid, kept, refund, returned, clawback string
		broken                                 []string // "ID before after lost"
	}
	tests := []struct {
		name    string
		shop    rtShop
		lines   []rtLine
		earlier [][]basket.ReturnLine
		ret     []basket.ReturnLine
		want    want
	}{
		{
			// 19 + 19 + 22, the cheapest candle free: 41.00 paid. Kept: two
			// candles at 19.00, no third, no free one.
			name:  "buy 2 get the 3rd free, a paid item back: the free item's value is taken back",
			shop:  rtShop{promos: []string{"3FOR2"}},
			lines: []rtLine{{"FIG", 1}, {"CEDAR", 1}, {"AMBER", 1}},
			ret:   []basket.ReturnLine{ret("L0003", 1)},
			want:  want{"41.00", "38.00", "3.00", "22.00", "19.00", []string{"3FOR2 19.00 0.00 19.00"}},
		},
		{
			name:  "buy 2 get the 3rd free, all three at the same price: nothing back",
			shop:  rtShop{promos: []string{"3FOR2"}},
			lines: []rtLine{{"FIG", 1}, {"CEDAR", 1}, {"VANILLA", 1}},
			ret:   []basket.ReturnLine{ret("L0003", 1)}, // equal prices: the lowest line ID is the free one, L0003 was paid
			want:  want{"38.00", "38.00", "0.00", "19.00", "19.00", []string{"3FOR2 19.00 0.00 19.00"}},
		},
		{
			// The fig candle was the free one: the kept candles carried none
			// of the discount, nothing is taken back, nothing given.
			name:  "buy 2 get the 3rd free, the free item back",
			shop:  rtShop{promos: []string{"3FOR2"}},
			lines: []rtLine{{"FIG", 1}, {"CEDAR", 1}, {"AMBER", 1}},
			ret:   []basket.ReturnLine{ret("L0001", 1)},
			want:  want{"41.00", "41.00", "0.00", "0.00", "0.00", nil},
		},
		{
			// 69 + 45 = 114 ≥ 100: 11.40 off (6.90 on the lamp, 4.50 on
			// the throw), 102.60 paid. Kept: the lamp alone, 69.00.
			name:  "10 % off from 100.00, a return below the threshold: the discount is gone",
			shop:  rtShop{promos: []string{"SPEND100"}},
			lines: []rtLine{{"LAMP", 1}, {"THROW", 1}},
			ret:   []basket.ReturnLine{ret("L0002", 1)},
			want:  want{"102.60", "69.00", "33.60", "40.50", "6.90", []string{"SPEND100 11.40 0.00 6.90"}},
		},
		{
			name:  "10 % off from 100.00, still above it: the discount follows the kept lines",
			shop:  rtShop{promos: []string{"SPEND100"}},
			lines: []rtLine{{"LAMP", 2}, {"THROW", 1}},
			ret:   []basket.ReturnLine{ret("L0002", 1)},
			want:  want{"164.70", "124.20", "40.50", "40.50", "0.00", nil},
		},
		{
			name:  "a plain return: exactly the line's share",
			lines: []rtLine{{"MUG", 3}, {"BOOK", 1}},
			ret:   []basket.ReturnLine{ret("L0001", 1)},
			want:  want{"70.00", "56.00", "14.00", "14.00", "0.00", nil},
		},
		{
			name:    "a second partial return of the same line",
			lines:   []rtLine{{"MUG", 5}},
			earlier: [][]basket.ReturnLine{{ret("L0001", 2)}},
			ret:     []basket.ReturnLine{ret("L0001", 3)},
			want:    want{"42.00", "0.00", "42.00", "42.00", "0.00", nil},
		},
		{
			// Six mugs at the 12.00 volume price; five cost 14.00 each.
			name:  "the volume price does not survive the volume going away",
			lines: []rtLine{{"MUG", 6}},
			ret:   []basket.ReturnLine{ret("L0001", 1)},
			want:  want{"72.00", "70.00", "2.00", "12.00", "10.00", nil},
		},
		{
			name:    "the rest of it after a volume price was lost",
			lines:   []rtLine{{"MUG", 6}},
			earlier: [][]basket.ReturnLine{{ret("L0001", 1)}},
			ret:     []basket.ReturnLine{ret("L0001", 5)},
			want:    want{"70.00", "0.00", "70.00", "60.00", "0.00", nil},
		},
		{
			// 10 % off lighting, then 5 % off everything: 207.00 − 20.70
			// − 9.32 for the lamps, 8.50 − 0.42 for the tea. Kept: 124.20
			// − 6.21, and 8.50 − 0.43. Proportional discounts follow the
			// units (a cent moves in the 5 % allocation): none is broken.
			name:  "a proportional discount follows the units",
			shop:  rtShop{promos: []string{"LIGHT10", "ALL5"}},
			lines: []rtLine{{"LAMP", 3}, {"TEA", 1}},
			ret:   []basket.ReturnLine{ret("L0001", 1)},
			want:  want{"185.06", "126.06", "59.00", "58.99", "0.00", nil},
		},
		{
			// 5.00 off from 30.00 goes all to the kept lines: the refund
			// gives back more than the throw was charged.
			name:  "an amount off now carried by the kept lines alone",
			shop:  rtShop{promos: []string{"FIVEOFF"}},
			lines: []rtLine{{"LAMP", 1}, {"THROW", 1}},
			ret:   []basket.ReturnLine{ret("L0002", 1)},
			want:  want{"109.00", "64.00", "45.00", "43.03", "0.00", nil},
		},
		{
			// Delivered from the warehouse for 4.90: returning everything
			// gives the fee back with the goods.
			name:  "everything back, the delivery fee with it",
			shop:  rtShop{fees: true},
			lines: []rtLine{{"LAMP", 1}, {"TEA", 2}},
			ret:   []basket.ReturnLine{ret("L0001", 1), ret("L0002", 2)},
			want:  want{"90.90", "0.00", "90.90", "86.00", "0.00", nil},
		},
		{
			name:  "the same line twice in one return is added up",
			lines: []rtLine{{"MUG", 4}},
			ret:   []basket.ReturnLine{ret("L0001", 1), ret("L0001", 2)},
			want:  want{"56.00", "14.00", "42.00", "42.00", "0.00", nil},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := rtOrder(t, tt.shop, tt.lines...)
			for _, e := range tt.earlier {
				rtReturn(t, order, e...)
			}
			q, err := basket.QuoteReturn(order, tt.ret)
			require.NoError(t, err)
			w := tt.want
			assert.Equal(t, []string{w.paid, w.kept, w.refund, w.returned, w.clawback}, rtAmounts(q.Paid, q.Kept, q.Refund, q.Returned, q.Clawback),
				"paid, kept, refund, returned, clawback")
			var broken []string
			for _, b := range q.Broken {
				broken = append(broken, b.PromotionID+" "+b.Before.Amount()+" "+b.After.Amount()+" "+b.Lost.Amount())
				assert.NotEmpty(t, b.Message)
			}
			assert.Equal(t, w.broken, broken)
			checkQuote(t, order, q)
		})
	}
}

// checkQuote checks the identities every quote keeps.
func checkQuote(t require.TestingT, order *basket.Basket, q basket.RefundQuote) {
	paid, kept, refund := q.Paid.MinorUnits(), q.Kept.MinorUnits(), q.Refund.MinorUnits()
	require.Equal(t, max(paid-kept, 0), refund, "refund = max(paid − kept, 0)")
	require.Equal(t, max(q.Returned.MinorUnits()-refund, 0), q.Clawback.MinorUnits(), "clawback = max(returned − refund, 0)")
	var gross int64
	for i, tx := range q.Taxes {
		require.Equal(t, tx.Gross.MinorUnits(), tx.Net.MinorUnits()+tx.Tax.MinorUnits(), "gross = net + tax at %s", tx.Rate)
		if i > 0 {
			require.Equal(t, -1, q.Taxes[i-1].Rate.Cmp(tx.Rate), "taxes sorted by rate")
		}
		gross += tx.Gross.MinorUnits()
	}
	require.Equal(t, refund, gross, "Σ taxes = refund")
	if refund == 0 {
		require.Empty(t, q.Taxes)
	}
	var keptLines int64
	for _, l := range q.KeptLines {
		keptLines += l.Total.MinorUnits()
	}
	require.LessOrEqual(t, keptLines, kept, "kept = kept lines + fees")
	require.True(t, slices.IsSortedFunc(q.Broken, func(a, b basket.BrokenPromotion) int {
		return cmpStrings(a.PromotionID, b.PromotionID)
	}))
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestQuoteReturnSplitsTheRefundPerRate: a two-rate order (tea at 5.5 %,
// a lamp at 20 %, tax included); the split per rate is what the order
// charged at that rate less what the kept lines cost at that rate, exact
// to the cent, net and tax alike.
func TestQuoteReturnSplitsTheRefundPerRate(t *testing.T) {
	order := rtOrder(t, rtShop{}, rtLine{"TEA", 3}, rtLine{"LAMP", 1})
	// The order: tea 25.50 (tax 1.33, per line), lamp 69.00 (tax 11.50).
	q, err := basket.QuoteReturn(order, []basket.ReturnLine{ret("L0001", 1), ret("L0002", 1)})
	require.NoError(t, err)
	// Kept: two teas, 17.00, tax 0.89. At 5.5 %: 8.50 = 8.06 + 0.44.
	assert.Equal(t, "77.50", q.Refund.Amount())
	require.Len(t, q.Taxes, 2)
	assert.Equal(t, []string{"0.055", "8.06", "0.44", "8.50"}, append([]string{q.Taxes[0].Rate.String()}, rtAmounts(q.Taxes[0].Net, q.Taxes[0].Tax, q.Taxes[0].Gross)...))
	assert.Equal(t, []string{"0.2", "57.50", "11.50", "69.00"}, append([]string{q.Taxes[1].Rate.String()}, rtAmounts(q.Taxes[1].Net, q.Taxes[1].Tax, q.Taxes[1].Gross)...))
	checkQuote(t, order, q)

	// A bundle across both rates: a mug (20 %) and two teas (5.5 %) for
	// 20.00. Returning the mug puts the teas back at 8.50 each: the refund
	// is less than the mug, and the 5.5 % rate gives tax back negatively.
	order = rtOrder(t, rtShop{promos: []string{"TEATIME"}}, rtLine{"MUG", 1}, rtLine{"TEA", 2})
	q = rtReturn(t, order, ret("L0001", 1))
	assert.Equal(t, []string{"20.00", "17.00", "3.00"}, rtAmounts(q.Paid, q.Kept, q.Refund))
	require.Len(t, q.Taxes, 2)
	assert.True(t, q.Taxes[0].Gross.IsNegative(), "the teas cost more kept than in the bundle")
	assert.True(t, q.Taxes[1].Gross.IsPositive())
	checkQuote(t, order, q)
	require.Len(t, q.Broken, 1)
	assert.Equal(t, "TEATIME", q.Broken[0].PromotionID)

	// The teas back too: the order is refunded in full, 20.00 over both
	// returns, each rate back to what the order charged at it.
	q2 := rtReturn(t, order, ret("L0002", 2))
	assert.Equal(t, "17.00", q2.Refund.Amount())
	perRate := map[pricing.Rate]int64{}
	for _, r := range order.Order.Returns {
		for _, tx := range r.Quote.Taxes {
			perRate[tx.Rate] += tx.Gross.MinorUnits()
		}
	}
	charged := map[pricing.Rate]int64{}
	for _, l := range order.Result.Lines {
		charged[l.TaxRate] += l.Total.MinorUnits()
	}
	assert.Equal(t, charged, perRate)
}

// TestQuoteReturnKeepsCarriedPrices: a price the order carried in (price
// protection from another channel, a quote's locked price) is the price
// the kept units keep: the terms only hold today's entries of the order's
// channel, the order's result carries the rest.
func TestQuoteReturnKeepsCarriedPrices(t *testing.T) {
	t.Run("protected", func(t *testing.T) {
		shop, protect := rtShop{}, basket.Options{Policy: basket.PriceProtection}
		b := rtCart(t, shop, rtContext([]string{"outlet", "shop"}, true, rtAt.Add(-time.Hour)), protect, nil, rtLine{"LAMP", 2})
		rtPrice(t, b, shop, rtContext([]string{"shop"}, true, rtAt), protect)
		lamp, _ := b.Result.Line("L0001")
		require.Equal(t, basket.BasisProtected, lamp.Basis)
		order := rtPlace(t, b, shop, protect)
		q := rtReturn(t, order, ret("L0001", 1))
		assert.Equal(t, []string{"120.00", "60.00", "60.00"}, rtAmounts(q.Paid, q.Kept, q.Refund))
		assert.Equal(t, basket.BasisProtected, q.KeptLines[0].Basis)
	})
	t.Run("quote-locked", func(t *testing.T) {
		outlet := rtShop{prices: []pricing.Price{{ListID: "shop", SKU: "LAMP", Unit: rtEUR("60.00")}}}
		ctx := rtContext([]string{"shop"}, true, rtAt.Add(-time.Hour))
		b := rtCart(t, outlet, ctx, basket.Options{}, nil, rtLine{"LAMP", 2})
		staff := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "erp"}, At: ctx.AsOf}
		_, err := b.Transition(staff, basket.Quote, rtAt.Add(time.Hour))
		require.NoError(t, err)
		shop := rtShop{}
		rtPrice(t, b, shop, rtContext([]string{"shop"}, true, rtAt), basket.Options{})
		lamp, _ := b.Result.Line("L0001")
		require.Equal(t, basket.BasisQuoteLocked, lamp.Basis)
		require.Equal(t, "60.00", lamp.UnitPrice.Amount())
		order := rtPlace(t, b, shop, basket.Options{})
		assert.Equal(t, []string{"69.00"}, rtAmounts(order.Order.Terms.Prices[0].Unit), "the terms hold today's entry")
		q := rtReturn(t, order, ret("L0001", 1))
		assert.Equal(t, []string{"120.00", "60.00", "60.00"}, rtAmounts(q.Paid, q.Kept, q.Refund))
		assert.Equal(t, basket.BasisQuoteLocked, q.KeptLines[0].Basis)
	})
}

// TestQuoteReturnKeepsTheSourcing: the kept units stay where the order
// sourced them; a fee is refunded only when no kept unit incurs it. Two
// lamps were in the store (shipped from it, 3.90), the third and the
// throw came from the warehouse (4.90).
func TestQuoteReturnKeepsTheSourcing(t *testing.T) {
	shop := rtShop{fees: true, store: map[string]int64{"LAMP": 2}}
	order := rtOrder(t, shop, rtLine{"LAMP", 3}, rtLine{"THROW", 1})
	require.Len(t, order.Result.Fees, 2)
	require.Equal(t, "260.80", order.Result.Totals.Total.Amount())

	// One lamp back: it is the warehouse's; the throw still comes from
	// there, so both fees stay.
	q := rtReturn(t, order, ret("L0001", 1))
	assert.Equal(t, []string{"191.80", "69.00"}, rtAmounts(q.Kept, q.Refund))
	lamp := q.KeptLines[0]
	require.Len(t, lamp.Fulfilment.Allocations, 1)
	assert.Equal(t, "store", lamp.Fulfilment.Allocations[0].LocationID)

	// The throw back: nothing comes from the warehouse any more, its fee
	// goes back with the throw.
	q = rtReturn(t, order, ret("L0002", 1))
	assert.Equal(t, []string{"141.90", "49.90"}, rtAmounts(q.Kept, q.Refund))
}

// TestQuoteReturnKeepsEachLineWhereItWas: two lines of one SKU (the gift
// wrapping of a lamp and of a throw) compete for the same stock; the kept
// one stays where the order sourced it even when the returned one frees
// a unit at an earlier source. The lamp's wrapping was the store's only
// one (shipped from the store, 3.90); the throw's came from the warehouse
// with everything else (4.90).
func TestQuoteReturnKeepsEachLineWhereItWas(t *testing.T) {
	shop := rtShop{fees: true, store: map[string]int64{"WRAP": 1}}
	ctx := rtContext([]string{"shop"}, true, rtAt)
	b := rtCart(t, shop, ctx, basket.Options{}, nil, rtLine{"LAMP", 1}, rtLine{"THROW", 1})
	for _, parent := range []string{"L0001", "L0002"} {
		_, _, err := b.AddLine(rtMeta(rtAt), basket.NewLine{SKU: "WRAP", Quantity: 1, Product: rtProduct("WRAP"), ParentID: parent})
		require.NoError(t, err)
	}
	rtPrice(t, b, shop, ctx, basket.Options{})
	order := rtPlace(t, b, shop, basket.Options{})
	wrap, _ := order.Result.Line("L0003")
	require.Equal(t, "store", wrap.Fulfilment.Allocations[0].LocationID)
	require.Equal(t, "128.80", order.Result.Totals.Total.Amount())

	// The lamp's wrapping back: the throw's stays in the warehouse, the
	// store's delivery fee goes back with it.
	q, err := basket.QuoteReturn(order, []basket.ReturnLine{ret("L0003", 1)})
	require.NoError(t, err)
	assert.Equal(t, []string{"121.90", "6.90"}, rtAmounts(q.Kept, q.Refund))
	kept, _ := (&basket.Result{Lines: q.KeptLines}).Line("L0004")
	assert.Equal(t, "wh", kept.Fulfilment.Allocations[0].LocationID)

	// The lamp back without its wrapping: the wrapping is kept, priced
	// as it was, attached to nothing.
	q, err = basket.QuoteReturn(order, []basket.ReturnLine{ret("L0001", 1)})
	require.NoError(t, err)
	assert.Equal(t, []string{"59.80", "69.00"}, rtAmounts(q.Kept, q.Refund))
}

// TestQuoteReturnRefusals: every refusal is typed, names what is wrong and
// changes nothing.
func TestQuoteReturnRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) *basket.Basket
		lines []basket.ReturnLine
		kind  error
		field string
	}{
		{"more than bought", func(t *testing.T) *basket.Basket { return rtOrder(t, rtShop{}, rtLine{"MUG", 2}) },
			[]basket.ReturnLine{ret("L0001", 3)}, basket.ErrNotReturnable, "Lines[L0001].Quantity"},
		{"more than bought, over two entries", func(t *testing.T) *basket.Basket { return rtOrder(t, rtShop{}, rtLine{"MUG", 2}) },
			[]basket.ReturnLine{ret("L0001", 1), ret("L0001", 2)}, basket.ErrNotReturnable, "Lines[L0001].Quantity"},
		{"units already returned", func(t *testing.T) *basket.Basket {
			o := rtOrder(t, rtShop{}, rtLine{"MUG", 3})
			rtReturn(t, o, ret("L0001", 2))
			return o
		}, []basket.ReturnLine{ret("L0001", 2)}, basket.ErrNotReturnable, "Lines[L0001].Quantity"},
		{"a line returned in full", func(t *testing.T) *basket.Basket {
			o := rtOrder(t, rtShop{}, rtLine{"MUG", 1}, rtLine{"TEA", 1})
			rtReturn(t, o, ret("L0002", 1))
			return o
		}, []basket.ReturnLine{ret("L0002", 1)}, basket.ErrNotReturnable, "Lines[L0002].Quantity"},
		{"unknown line", func(t *testing.T) *basket.Basket { return rtOrder(t, rtShop{}, rtLine{"MUG", 2}) },
			[]basket.ReturnLine{ret("L0009", 1)}, basket.ErrUnknownLine, "Lines[0].LineID"},
		{"zero units", func(t *testing.T) *basket.Basket { return rtOrder(t, rtShop{}, rtLine{"MUG", 2}) },
			[]basket.ReturnLine{ret("L0001", 0)}, basket.ErrInvalid, "Lines[0].Quantity"},
		{"nothing", func(t *testing.T) *basket.Basket { return rtOrder(t, rtShop{}, rtLine{"MUG", 2}) },
			nil, basket.ErrInvalid, "Lines"},
		{"a cart", func(t *testing.T) *basket.Basket {
			return rtCart(t, rtShop{}, rtContext([]string{"shop"}, true, rtAt), basket.Options{}, nil, rtLine{"MUG", 2})
		}, []basket.ReturnLine{ret("L0001", 1)}, basket.ErrNotReturnable, "Status"},
		{"ordered without its order", func(t *testing.T) *basket.Basket {
			o := rtOrder(t, rtShop{}, rtLine{"MUG", 2})
			o.Order = nil
			return o
		}, []basket.ReturnLine{ret("L0001", 1)}, basket.ErrNotReturnable, "Status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.setup(t)
			before, err := json.Marshal(b)
			require.NoError(t, err)
			_, err = basket.QuoteReturn(b, tt.lines)
			require.ErrorIs(t, err, tt.kind)
			var ie *basket.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			after, err := json.Marshal(b)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(before, after), "the order changed")
		})
	}
	_, err := basket.QuoteReturn(nil, []basket.ReturnLine{ret("L0001", 1)})
	require.ErrorIs(t, err, basket.ErrInvalid)
}

// TestTermsKeepWhatRepricingNeeds: the terms of an order hold the price
// entries of its SKUs that could apply at the order time (every tier), the
// zone's tax rules, the promotions that applied or were blocked (sorted by
// ID) and not those that were unmet, the first fee of each mode and the
// context's locations; they survive JSON, and re-price the order to the
// cent.
func TestTermsKeepWhatRepricingNeeds(t *testing.T) {
	shop := rtShop{promos: []string{"SPEND100", "3FOR2", "LIGHT10", "TIERS"}, fees: true}
	order := rtOrder(t, shop, rtLine{"MUG", 6}, rtLine{"LAMP", 1})
	terms := order.Order.Terms

	var prices []string
	for _, p := range terms.Prices {
		prices = append(prices, p.ListID+" "+p.SKU+" "+p.Unit.Amount())
	}
	assert.Equal(t, []string{"shop LAMP 69.00", "shop MUG 14.00", "shop MUG 12.00"}, prices, "the order's SKUs in its chain, every tier")
	var rules []string
	for _, r := range terms.Tax {
		rules = append(rules, r.Zone+" "+r.Category)
	}
	assert.Equal(t, []string{"FR reduced", "FR services", "FR standard"}, rules, "the order's zone only")
	var promos []string
	for _, p := range terms.Promotions {
		promos = append(promos, p.ID)
	}
	// 3FOR2 was not examined (no candles); TIERS applied (5.00 from
	// 60.00): applied ones are kept, sorted.
	assert.Equal(t, []string{"LIGHT10", "SPEND100", "TIERS"}, promos)
	var modes []channel.FulfilmentMode
	for _, f := range terms.Fees {
		modes = append(modes, f.Mode)
	}
	assert.Equal(t, []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}, modes, "in mode order")
	snap := shop.snapshot(t)
	snap.Fees = append(snap.Fees, basket.FeeRule{Mode: channel.ShipToAddress, Amount: rtEUR("9.99"), TaxCategory: "services"})
	again, err := basket.TermsOfForTest(snap, order.Result, basket.Options{})
	require.NoError(t, err)
	assert.Equal(t, terms.Fees, again.Fees, "the first rule of a mode is the one pricing used")
	var locs []string
	for _, l := range terms.Locations {
		locs = append(locs, l.ID)
	}
	assert.Equal(t, []string{"store", "wh"}, locs, "the context's sources, not every location")

	raw, err := json.Marshal(terms)
	require.NoError(t, err)
	var back basket.OrderTerms
	require.NoError(t, json.Unmarshal(raw, &back))
	reencoded, err := json.Marshal(back)
	require.NoError(t, err)
	require.Equal(t, string(raw), string(reencoded))

	// Re-pricing the whole order on its (decoded) terms gives the order.
	q, err := basket.QuoteReturn(order, []basket.ReturnLine{ret("L0001", 1)})
	require.NoError(t, err)
	order.Order.Terms = back
	q2, err := basket.QuoteReturn(order, []basket.ReturnLine{ret("L0001", 1)})
	require.NoError(t, err)
	a, _ := json.Marshal(q)
	b, _ := json.Marshal(q2)
	assert.Equal(t, string(a), string(b), "decoded terms quote identically")
}

// TestTermsLeaveUnmetPromotionsOut: a threshold not reached at the order is
// not part of its terms, a promotion blocked by an exclusive one is.
func TestTermsLeaveUnmetPromotionsOut(t *testing.T) {
	excl := promotion.Promotion{ID: "LAMPS-EXCL", Lane: promotion.Basket, Exclusive: true, Priority: 10, MinQuantity: 2,
		QuantityTarget: promotion.Target{SKUs: []string{"LAMP"}},
		Effect:         promotion.Effect{Kind: promotion.BasketAmountOff, Target: promotion.Target{All: true}, Amount: rtEUR("20.00")}}
	plain := promotion.Promotion{ID: "ALL5", Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{All: true}, Percent: pricing.MustPercent("5")}}
	unmet := promotion.Promotion{ID: "SPEND500", Lane: promotion.Basket, MinSubtotal: rtEUR("500.00"), Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{All: true}, Percent: pricing.MustPercent("20")}}
	set, err := promotion.Compile([]promotion.Promotion{excl, plain, unmet})
	require.NoError(t, err)

	shop := rtShop{}
	ctx := rtContext([]string{"shop"}, true, rtAt)
	b := rtCart(t, shop, ctx, basket.Options{}, nil, rtLine{"LAMP", 2})
	snap := shop.snapshot(t)
	snap.Promotions = set
	r, err := basket.Recontextualize(b, ctx, snap, basket.Options{})
	require.NoError(t, err)
	_, err = b.SetResult(rtMeta(rtAt), r)
	require.NoError(t, err)
	terms, err := basket.TermsOfForTest(snap, b.Result, basket.Options{})
	require.NoError(t, err)
	var ids []string
	for _, p := range terms.Promotions {
		ids = append(ids, p.ID)
	}
	assert.Equal(t, []string{"ALL5", "LAMPS-EXCL"}, ids)
	b.Status, b.Order = basket.Ordered, &basket.Order{PlacedAt: rtAt, Terms: terms}

	// One lamp back: the exclusive amount off goes, the 5 % it blocked
	// applies to the kept lamp.
	q, err := basket.QuoteReturn(b, []basket.ReturnLine{ret("L0001", 1)})
	require.NoError(t, err)
	assert.Equal(t, []string{"118.00", "65.55", "52.45"}, rtAmounts(q.Paid, q.Kept, q.Refund))
	require.Len(t, q.Broken, 1)
	assert.Equal(t, "LAMPS-EXCL", q.Broken[0].PromotionID)
	assert.Contains(t, q.Broken[0].Message, "no longer applies")

	_, err = basket.TermsOfForTest(snap, nil, basket.Options{})
	require.ErrorIs(t, err, basket.ErrInvalid)
	snap.Promotions = nil
	_, err = basket.TermsOfForTest(snap, b.Result, basket.Options{})
	require.ErrorIs(t, err, basket.ErrSnapshot, "a result's promotion missing from the snapshot")
}
