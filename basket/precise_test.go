package basket_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// A trade counter: screws at 0.0125 EUR, bolts at 12.50 EUR per 1,000,
// fuel at 1.859 EUR a litre, net of tax (20 %), carried out of the depot.

func b2bContext(cur string, at time.Time) channel.Context {
	return channel.Context{
		ChannelID: "trade-counter", Kind: channel.Store, LocationID: "depot", Country: "FR", Currency: cur,
		PriceLists: []string{"trade"}, TaxZone: "FR", StockSources: []string{"depot"},
		FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}, AsOf: at,
	}
}

func unitPrice(t require.TestingT, amount, cur string, per int64) pricing.UnitPrice {
	u, err := pricing.ParseUnitPrice(amount, cur)
	require.NoError(t, err)
	if per > 1 {
		u, err = u.WithPer(per)
		require.NoError(t, err)
	}
	return u
}

// b2bSnapshot prices the SKUs of prices (each entry in the "trade" list)
// with plenty of stock at the depot.
func b2bSnapshot(t require.TestingT, prices []pricing.Price, promos ...promotion.Promotion) basket.Snapshot {
	book, err := pricing.NewPriceBook(prices)
	require.NoError(t, err)
	tax, err := pricing.NewTaxTable([]pricing.TaxRule{{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")}})
	require.NoError(t, err)
	var levels []stock.Level
	for _, p := range prices {
		if !slices.ContainsFunc(levels, func(l stock.Level) bool { return l.SKU == p.SKU }) {
			levels = append(levels, stock.Level{SKU: p.SKU, LocationID: "depot", OnHand: basket.MaxQuantity})
		}
	}
	lv, err := stock.NewLevels(levels)
	require.NoError(t, err)
	set, err := promotion.Compile(promos)
	require.NoError(t, err)
	return basket.Snapshot{Prices: book, Promotions: set, Tax: tax, Stock: lv,
		Locations: []stock.Location{{ID: "depot", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut}}}}
}

func tradePrices(t require.TestingT, cur string) []pricing.Price {
	return []pricing.Price{
		{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "0.0125", cur, 1)},
		{ListID: "trade", SKU: "BOLT", Precise: unitPrice(t, "12.50", cur, 1000)},
		{ListID: "trade", SKU: "FUEL", Precise: unitPrice(t, "1.859", cur, 1)},
		{ListID: "trade", SKU: "DRILL", Unit: pricing.MustParse("75.00", cur)},
	}
}

func tradeBasket(t require.TestingT, cur string, at time.Time, lines ...basket.NewLine) *basket.Basket {
	b, _, err := basket.New(uuid.New(), basket.Owner{CustomerID: "pro-1"}, b2bContext(cur, at), basket.Cart, meta(at))
	require.NoError(t, err)
	for _, l := range lines {
		_, _, err := b.AddLine(meta(at), l)
		require.NoError(t, err)
	}
	return b
}

func trade(sku string, qty int64) basket.NewLine {
	return basket.NewLine{SKU: sku, Quantity: qty, Product: basket.Product{Name: sku, Categories: []string{"hardware"}, TaxCategory: "standard"}}
}

// TestPreciseUnitPrices: the examples, priced by Recontextualize.
// The line amount is the exact price × quantity, rounded once with the
// options' mode; the unit prices show rounded, and exactly beside them.
func TestPreciseUnitPrices(t *testing.T) {
	at := demo.Start()
	modes := []pricing.RoundingMode{pricing.HalfEven, pricing.HalfUp, pricing.HalfDown, pricing.Up, pricing.Down, pricing.Ceiling, pricing.Floor}
	tests := []struct {
		name, cur, sku string
		qty            int64
		unit, precise  string    // UnitPrice (half-even) and PreciseUnitPrice ("" when not set)
		subtotal       [7]string // per mode, in the order of modes
	}{
		{"10,000 screws at 0.0125", "EUR", "SCREW", 10_000, "0.01", "0.0125 EUR",
			[7]string{"125.00", "125.00", "125.00", "125.00", "125.00", "125.00", "125.00"}},
		{"3 screws at 0.0125: 0.0375 rounded once", "EUR", "SCREW", 3, "0.01", "0.0125 EUR",
			[7]string{"0.04", "0.04", "0.04", "0.04", "0.03", "0.04", "0.03"}},
		{"2 screws at 0.0125: 0.025, a tie", "EUR", "SCREW", 2, "0.01", "0.0125 EUR",
			[7]string{"0.02", "0.03", "0.02", "0.03", "0.02", "0.03", "0.02"}},
		{"45 l of fuel at 1.859", "EUR", "FUEL", 45, "1.86", "1.859 EUR",
			[7]string{"83.66", "83.66", "83.65", "83.66", "83.65", "83.66", "83.65"}},
		{"2,500 bolts at 12.50 per 1,000", "EUR", "BOLT", 2_500, "0.01", "12.50 EUR per 1000",
			[7]string{"31.25", "31.25", "31.25", "31.25", "31.25", "31.25", "31.25"}},
		{"3 bolts at 12.50 per 1,000", "EUR", "BOLT", 3, "0.01", "12.50 EUR per 1000",
			[7]string{"0.04", "0.04", "0.04", "0.04", "0.03", "0.04", "0.03"}},
		{"an ordinary price: nothing precise", "EUR", "DRILL", 3, "75.00", "",
			[7]string{"225.00", "225.00", "225.00", "225.00", "225.00", "225.00", "225.00"}},
		{"3 screws at 0.0125 JPY", "JPY", "SCREW", 3, "0", "0.0125 JPY",
			[7]string{"0", "0", "0", "1", "0", "1", "0"}},
		{"100 l of fuel at 1.859 JPY", "JPY", "FUEL", 100, "2", "1.859 JPY",
			[7]string{"186", "186", "186", "186", "185", "186", "185"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tradeBasket(t, tt.cur, at, trade(tt.sku, tt.qty))
			snap := b2bSnapshot(t, tradePrices(t, tt.cur))
			for i, mode := range modes {
				r, err := basket.Recontextualize(b, b2bContext(tt.cur, at), snap, basket.Options{Rounding: mode})
				require.NoError(t, err)
				l := r.Lines[0]
				require.True(t, l.Priced, l.Problem)
				assert.Equal(t, tt.subtotal[i], l.Subtotal.Amount(), "%s", mode)
				assert.Equal(t, l.Subtotal, r.Totals.Subtotal)
				if mode == pricing.HalfEven {
					assert.Equal(t, tt.unit, l.UnitPrice.Amount())
				}
				if tt.precise == "" {
					assert.Equal(t, pricing.UnitPrice{}, l.PreciseUnitPrice)
					assert.Equal(t, pricing.UnitPrice{}, l.PreciseListPrice)
				} else {
					assert.Equal(t, tt.precise, l.PreciseUnitPrice.String())
					assert.Equal(t, l.PreciseUnitPrice, l.PreciseListPrice)
				}
				assert.Equal(t, l.UnitPriceExact(), l.ListPriceExact())
				// Net of tax: the line total is the subtotal plus 20 %,
				// taxed as a whole even under per-unit rounding.
				sub := l.Subtotal.Decimal()
				assert.True(t, l.Net.Decimal().Equal(sub))
			}
		})
	}
}

// TestPreciseLinesAreTaxedAsAWhole: under per-unit tax rounding a line at
// a precise price is taxed per line: 10,000 screws at 0.0125 (125.00 net)
// carry 25.00 of tax, not 10,000 × round(0.0025) = 0.
func TestPreciseLinesAreTaxedAsAWhole(t *testing.T) {
	at := demo.Start()
	b := tradeBasket(t, "EUR", at, trade("SCREW", 10_000), trade("DRILL", 3))
	r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, tradePrices(t, "EUR")), basket.Options{TaxRounding: pricing.PerUnit})
	require.NoError(t, err)
	screws := r.Lines[0]
	require.Equal(t, "SCREW", screws.SKU)
	assert.Equal(t, []string{"125.00", "25.00", "150.00"}, rtAmounts(screws.Net, screws.Tax, screws.Total))
	drills := r.Lines[1]
	assert.Equal(t, []string{"225.00", "45.00", "270.00"}, rtAmounts(drills.Net, drills.Tax, drills.Total))
}

// TestPromotionsSeeTheRoundedOnceSubtotal: the promotion engine works on
// the line subtotal rounded once, not on a rounded unit price × quantity.
func TestPromotionsSeeTheRoundedOnceSubtotal(t *testing.T) {
	at := demo.Start()
	tenOff := promotion.Promotion{ID: "TRADE10", Name: "10 % off hardware", Lane: promotion.Catalogue,
		Effect: promotion.Effect{Kind: promotion.PercentOff, Percent: pricing.MustPercent("10"), Target: promotion.Target{Categories: []string{"hardware"}}}}
	b3g1 := promotion.Promotion{ID: "3FOR2", Lane: promotion.Basket,
		Effect: promotion.Effect{Kind: promotion.BuyXGetY, Buy: 2, Get: 1, Percent: pricing.MustPercent("100"), Target: promotion.Target{SKUs: []string{"SCREW"}}}}
	tests := []struct {
		name               string
		promo              promotion.Promotion
		qty                int64
		subtotal, discount string
	}{
		// 10 % of 125.00, not of 10,000 × 0.01 = 100.00.
		{"percent off 10,000 screws", tenOff, 10_000, "125.00", "12.50"},
		// The free screw is the line's share: 0.04 / 3 → 0.01.
		{"buy 2 get 1 on 3 screws", b3g1, 3, "0.04", "0.01"},
		{"buy 2 get 1 on 9,999 screws", b3g1, 9_999, "124.99", "41.66"}, // 124.9875 → 124.99; a third of it
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tradeBasket(t, "EUR", at, trade("SCREW", tt.qty))
			r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, tradePrices(t, "EUR"), tt.promo), basket.Options{})
			require.NoError(t, err)
			l := r.Lines[0]
			assert.Equal(t, tt.subtotal, l.Subtotal.Amount())
			assert.Equal(t, tt.discount, l.Discount.Amount())
			require.Len(t, r.Promotions, 1)
			assert.Equal(t, tt.discount, r.Promotions[0].Amount.Amount())
		})
	}
}

// TestProtectionAndQuotesCarryThePrecisePrice: price protection compares
// the exact prices (0.0124 is below 0.0125 though both show as 0.01) and
// carries the exact one; a quote locks the exact price.
func TestProtectionAndQuotesCarryThePrecisePrice(t *testing.T) {
	at := demo.Start()
	cheap := []pricing.Price{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "0.0124", "EUR", 1)}}
	dear := []pricing.Price{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "0.0125", "EUR", 1)}}

	t.Run("protection", func(t *testing.T) {
		b := tradeBasket(t, "EUR", at, trade("SCREW", 10_000))
		r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, cheap), basket.Options{})
		require.NoError(t, err)
		_, err = b.SetResult(meta(at), r)
		require.NoError(t, err)
		later := at.Add(time.Hour)
		r, err = basket.Recontextualize(b, b2bContext("EUR", later), b2bSnapshot(t, dear), basket.Options{Policy: basket.PriceProtection})
		require.NoError(t, err)
		l := r.Lines[0]
		assert.Equal(t, basket.BasisProtected, l.Basis)
		assert.Equal(t, "0.0124 EUR", l.PreciseUnitPrice.String())
		assert.Equal(t, "0.0125 EUR", l.PreciseListPrice.String())
		assert.Equal(t, "124.00", l.Subtotal.Amount())
		assert.Equal(t, l.UnitPrice, l.ListPrice, "the rounded prices are equal: only the exact ones tell")

		// The other way round nothing is protected: the target is lower.
		b = tradeBasket(t, "EUR", at, trade("SCREW", 10_000))
		r, err = basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, dear), basket.Options{})
		require.NoError(t, err)
		_, err = b.SetResult(meta(at), r)
		require.NoError(t, err)
		r, err = basket.Recontextualize(b, b2bContext("EUR", later), b2bSnapshot(t, cheap), basket.Options{Policy: basket.PriceProtection})
		require.NoError(t, err)
		assert.Equal(t, basket.BasisTarget, r.Lines[0].Basis)
		assert.Equal(t, "124.00", r.Lines[0].Subtotal.Amount())
	})

	t.Run("quote lock", func(t *testing.T) {
		b := tradeBasket(t, "EUR", at, trade("SCREW", 3))
		r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, cheap), basket.Options{})
		require.NoError(t, err)
		_, err = b.SetResult(meta(at), r)
		require.NoError(t, err)
		_, err = b.Transition(staff(at), basket.Quote, at.Add(48*time.Hour))
		require.NoError(t, err)
		perThousand := []pricing.Price{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "13.00", "EUR", 1000)}}
		r, err = basket.Recontextualize(b, b2bContext("EUR", at.Add(time.Hour)), b2bSnapshot(t, perThousand), basket.Options{})
		require.NoError(t, err)
		l := r.Lines[0]
		assert.Equal(t, basket.BasisQuoteLocked, l.Basis)
		assert.Equal(t, "0.0124 EUR", l.PreciseUnitPrice.String())
		assert.Equal(t, "13.00 EUR per 1000", l.PreciseListPrice.String())
		assert.Equal(t, "0.04", l.Subtotal.Amount()) // 0.0372
	})

	t.Run("a result recorded before precise prices", func(t *testing.T) {
		// A legacy line has only UnitPrice: its exact price is that Money.
		l := basket.PricedLine{UnitPrice: pricing.MustParse("0.02", "EUR"), ListPrice: pricing.MustParse("0.03", "EUR")}
		assert.Equal(t, pricing.UnitPriceOf(l.UnitPrice), l.UnitPriceExact())
		assert.Equal(t, pricing.UnitPriceOf(l.ListPrice), l.ListPriceExact())
	})
}

// TestPreciseLineJSON: an ordinary line encodes exactly as before (no
// precise field); a precise one carries its exact prices and round-trips.
func TestPreciseLineJSON(t *testing.T) {
	at := demo.Start()
	b := tradeBasket(t, "EUR", at, trade("DRILL", 1), trade("BOLT", 2_500))
	r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, tradePrices(t, "EUR")), basket.Options{})
	require.NoError(t, err)
	drill, err := json.Marshal(r.Lines[0])
	require.NoError(t, err)
	assert.NotContains(t, string(drill), "precise")
	bolts, err := json.Marshal(r.Lines[1])
	require.NoError(t, err)
	assert.Contains(t, string(bolts), `"precise_unit_price":{"amount":"12.50","currency":"EUR","per":1000}`)
	var back basket.PricedLine
	require.NoError(t, json.Unmarshal(bolts, &back))
	assert.Equal(t, r.Lines[1].PreciseUnitPrice, back.PreciseUnitPrice)
	assert.Equal(t, r.Lines[1].PreciseListPrice, back.PreciseListPrice)
}

// TestInvoiceShowsThePrecisePrice: invoice and credit note lines carry the
// exact unit price they were computed from; a return re-prices the kept
// screws under the order's own precise prices.
func TestInvoiceShowsThePrecisePrice(t *testing.T) {
	at := demo.Start()
	b := tradeBasket(t, "EUR", at, trade("SCREW", 3), trade("DRILL", 1))
	snap := b2bSnapshot(t, tradePrices(t, "EUR"))
	r, err := basket.Recontextualize(b, b2bContext("EUR", at), snap, basket.Options{})
	require.NoError(t, err)
	_, err = b.SetResult(meta(at), r)
	require.NoError(t, err)
	require.NoError(t, basket.PlaceForTest(b, snap, basket.Options{}, at))

	inv, err := basket.NewInvoice(b, invoiceID, "INV-trade", at)
	require.NoError(t, err)
	require.Len(t, inv.Lines, 2)
	assert.Equal(t, "0.0125 EUR", inv.Lines[0].PreciseUnitPrice.String())
	assert.Equal(t, []string{"0.01", "0.04", "0.05"}, rtAmounts(inv.Lines[0].UnitPrice, inv.Lines[0].Net, inv.Lines[0].Total))
	assert.Equal(t, pricing.UnitPrice{}, inv.Lines[1].PreciseUnitPrice, "the drill's price is ordinary")
	checkDocument(t, inv)

	q, err := basket.QuoteReturn(b, []basket.ReturnLine{{LineID: "L0001", Quantity: 1}})
	require.NoError(t, err)
	// The 2 screws kept cost 0.025 → 0.02 net, no tax (0.004 → 0.00): the
	// refund is what the screws were paid, 0.05, less 0.02.
	assert.Equal(t, "0.03", q.Refund.Amount())
	note, err := basket.NewCreditNote(b, basket.Return{ID: "R1", Lines: []basket.ReturnLine{{LineID: "L0001", Quantity: 1}}, Quote: q}, invoiceID, noteID, "CN-trade", at)
	require.NoError(t, err)
	require.Len(t, note.Lines, 1)
	assert.Equal(t, "0.0125 EUR", note.Lines[0].PreciseUnitPrice.String())
	checkDocument(t, note)
}

// drawTradeBasket draws a basket of up to 5 lines of SKUs priced at unit
// prices of up to six decimals, sometimes per a quantity, sometimes
// ordinary; the price entries come back too.
func drawTradeBasket(t *rapid.T, at time.Time) (*basket.Basket, []pricing.Price) {
	skus := []string{"A", "B", "C", "D", "E"}
	var prices []pricing.Price
	for _, sku := range skus {
		micros := rapid.Int64Range(0, 100_000_000).Draw(t, "micros")
		u, err := pricing.UnitPriceFromDecimal(decimal.New(micros, -6), pricing.MustCurrency("EUR"))
		if err != nil {
			t.Fatal(err)
		}
		if rapid.IntRange(0, 3).Draw(t, "per") == 0 {
			if u, err = u.WithPer(rapid.SampledFrom([]int64{10, 1000, 1_000_000}).Draw(t, "per quantity")); err != nil {
				t.Fatal(err)
			}
		}
		prices = append(prices, pricing.Price{ListID: "trade", SKU: sku, Precise: u})
	}
	b, _, err := basket.New(basketID, basket.Owner{CustomerID: "pro-1"}, b2bContext("EUR", at), basket.Cart, basket.Meta{Actor: shopper, At: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, sku := range rapid.SliceOfNDistinct(rapid.SampledFrom(skus), 0, len(skus), rapid.ID[string]).Draw(t, "lines") {
		qty := rapid.SampledFrom([]int64{1, 2, 3, 7, 999, 10_000, basket.MaxQuantity}).Draw(t, "qty")
		if _, _, err := b.AddLine(basket.Meta{Actor: shopper, At: at}, trade(sku, qty)); err != nil {
			t.Fatal(err)
		}
	}
	return b, prices
}

// TestPropertyPreciseLines: whatever the prices (up to six decimals, per a
// quantity), rounding mode, tax policy and promotions, every line subtotal
// is the exact product rounded once (math/big oracle), no amount is
// negative, lines sum to the totals, and neither the order of price
// entries nor of promotions changes a byte of the result.
func TestPropertyPreciseLines(t *testing.T) {
	promos := []promotion.Promotion{
		{ID: "PCT", Lane: promotion.Catalogue, Effect: promotion.Effect{Kind: promotion.PercentOff, Percent: pricing.MustPercent("15"), Target: promotion.Target{SKUs: []string{"A", "B"}}}},
		{ID: "FIX", Lane: promotion.Catalogue, Effect: promotion.Effect{Kind: promotion.FixedPrice, Amount: pricing.MustParse("0.01", "EUR"), Target: promotion.Target{SKUs: []string{"C"}}}},
		{ID: "B2G1", Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.BuyXGetY, Buy: 2, Get: 1, Percent: pricing.MustPercent("100"), Target: promotion.Target{Categories: []string{"hardware"}}}},
		{ID: "BUNDLE", Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.BundlePrice, Amount: pricing.MustParse("1.00", "EUR"),
			Components: []promotion.Component{{Target: promotion.Target{SKUs: []string{"D"}}, Quantity: 3}, {Target: promotion.Target{SKUs: []string{"E"}}, Quantity: 1}}}},
		{ID: "OFF", Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Amount: pricing.MustParse("7.77", "EUR"), Target: promotion.Target{All: true}}},
	}
	rapid.Check(t, func(t *rapid.T) {
		at := demo.Start()
		b, prices := drawTradeBasket(t, at)
		use := rapid.SliceOfNDistinct(rapid.SampledFrom(promos), 0, len(promos), func(p promotion.Promotion) string { return p.ID }).Draw(t, "promotions")
		opts := basket.Options{
			TaxRounding: pricing.TaxRounding(rapid.IntRange(0, 2).Draw(t, "tax rounding")),
			Rounding:    pricing.RoundingMode(rapid.IntRange(0, 6).Draw(t, "rounding")),
		}
		ctx := b2bContext("EUR", at)
		ctx.PricesIncludeTax = rapid.Bool().Draw(t, "inclusive")
		r, err := basket.Recontextualize(b, ctx, b2bSnapshot(t, prices, use...), opts)
		if err != nil {
			t.Fatal(err)
		}
		checkPreciseInvariants(t, r)
		for _, l := range r.Lines {
			var u pricing.UnitPrice
			for _, p := range prices {
				if p.SKU == l.SKU {
					u = p.Precise
				}
			}
			num := new(big.Int).Mul(u.Decimal().Coefficient(), big.NewInt(l.Quantity*100))
			den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-u.Decimal().Exponent())), nil)
			den.Mul(den, big.NewInt(u.Per()))
			if want := roundOracle(num, den, opts.Rounding); l.Subtotal.MinorUnits() != want.Int64() {
				t.Fatalf("line %s: %d × %v (%s) = %s, want %s cents", l.LineID, l.Quantity, u, opts.Rounding, l.Subtotal, want)
			}
			if l.UnitPriceExact() != u {
				t.Fatalf("line %s charges %v, the list says %v", l.LineID, l.UnitPriceExact(), u)
			}
		}
		want := jsonOf(t, r)
		again, err := basket.Recontextualize(b, ctx, b2bSnapshot(t, rapid.Permutation(prices).Draw(t, "price order"), rapid.Permutation(use).Draw(t, "promotion order")...), opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := jsonOf(t, again); string(got) != string(want) {
			t.Fatalf("order changed the result:\n%s\n%s", want, got)
		}
	})
}

// roundOracle rounds num/den (both non-negative, den > 0) with mode, from
// the definitions of the modes.
func roundOracle(num, den *big.Int, mode pricing.RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	c := new(big.Int).Lsh(r, 1).Cmp(den)
	var up bool
	switch mode {
	case pricing.HalfEven:
		up = c > 0 || c == 0 && q.Bit(0) == 1
	case pricing.HalfUp:
		up = c >= 0
	case pricing.HalfDown:
		up = c > 0
	case pricing.Up, pricing.Ceiling:
		up = true
	case pricing.Down, pricing.Floor:
	default:
		panic(fmt.Sprint("mode ", mode))
	}
	if up {
		q.Add(q, big.NewInt(1))
	}
	return q
}

// checkPreciseInvariants checks the money invariants of a result whose
// lines may be priced more precisely than the currency (so UnitPrice ×
// Quantity need not be the subtotal): no negative amount, net + tax =
// total per line, adjustments = discount, subtotal − discount = the taxed
// amount, lines and fees sum to the totals.
func checkPreciseInvariants(t *rapid.T, r *basket.Result) {
	var sub, disc, net, tax, total int64
	for _, l := range r.Lines {
		if !l.Priced {
			t.Fatalf("line %s unpriced: %s", l.LineID, l.Problem)
		}
		for _, m := range []pricing.Money{l.UnitPrice, l.ListPrice, l.Subtotal, l.Discount, l.Net, l.Tax, l.Total} {
			if m.IsNegative() || m.Currency().Code() != r.Context.Currency {
				t.Fatalf("line %s: %v negative or in the wrong currency", l.LineID, m)
			}
		}
		if l.UnitPriceExact().IsNegative() || l.Net.MinorUnits()+l.Tax.MinorUnits() != l.Total.MinorUnits() {
			t.Fatalf("line %s: %+v", l.LineID, l)
		}
		var adj int64
		for _, a := range l.Discounts {
			adj += a.Amount.MinorUnits()
		}
		taxed := l.Net
		if r.Context.PricesIncludeTax {
			taxed = l.Total
		}
		if adj != l.Discount.MinorUnits() || l.Subtotal.MinorUnits()-adj != taxed.MinorUnits() {
			t.Fatalf("line %s: subtotal %s, adjustments %d, discount %s, taxed %s", l.LineID, l.Subtotal, adj, l.Discount, taxed)
		}
		sub, disc = sub+l.Subtotal.MinorUnits(), disc+l.Discount.MinorUnits()
		net, tax, total = net+l.Net.MinorUnits(), tax+l.Tax.MinorUnits(), total+l.Total.MinorUnits()
	}
	for _, f := range r.Fees {
		net, tax, total = net+f.Net.MinorUnits(), tax+f.Tax.MinorUnits(), total+f.Total.MinorUnits()
	}
	tt := r.Totals
	if tt.Subtotal.MinorUnits() != sub || tt.Discount.MinorUnits() != disc || tt.Net.MinorUnits() != net ||
		tt.Tax.MinorUnits() != tax || tt.Total.MinorUnits() != total || tt.Net.MinorUnits()+tt.Tax.MinorUnits() != tt.Total.MinorUnits() {
		t.Fatalf("totals %+v do not add up (sub %d disc %d net %d tax %d total %d)", tt, sub, disc, net, tax, total)
	}
}
