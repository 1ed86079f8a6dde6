package postgres

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// TestLoyaltyRoundTrip: a basket that asks to burn points, is ordered
// (points reserved), paid (committed, earned points credited) and partly
// returned (points given back) reads back from PostgreSQL as it was
// saved, and its history rebuilds it exactly.
func TestLoyaltyRoundTrip(t *testing.T) {
	for _, mode := range []loyalty.BurnMode{loyalty.Discount, loyalty.Tender} {
		t.Run(mode.String(), func(t *testing.T) {
			ctx := context.Background()
			clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
			s := newTestStore(t, clk)
			eur := func(v string) pricing.Money { return pricing.MustParse(v, "EUR") }
			book, err := pricing.NewPriceBook([]pricing.Price{
				{ListID: "fr", SKU: "bordeaux-2019", Unit: eur("35.50")},
				{ListID: "fr", SKU: "confiture", Unit: eur("6.60")},
			})
			require.NoError(t, err)
			tax, err := pricing.NewTaxTable([]pricing.TaxRule{
				{Zone: "FR", Category: "standard", Rate: pricing.MustPercent("20")},
				{Zone: "FR", Category: "food", Rate: pricing.MustPercent("5.5")},
			})
			require.NoError(t, err)
			none, err := promotion.Compile(nil)
			require.NoError(t, err)
			cat := &memory.Catalog{PriceBook: book, PromotionSet: none, TaxRules: tax,
				Sites: []stock.Location{{ID: "paris-01", Kind: stock.Store, Modes: []channel.FulfilmentMode{channel.CarryOut}}}}
			require.NoError(t, s.SetOnHand(ctx, "bordeaux-2019", "paris-01", 10))
			require.NoError(t, s.SetOnHand(ctx, "confiture", "paris-01", 10))
			points := memory.NewLoyaltyStore()
			require.NoError(t, points.SetAccount(ctx, "card-42", "2", 1157))
			scheme, err := loyalty.Compile(loyalty.Program{
				Rules: []loyalty.Rule{{ID: "base", Kind: loyalty.Base, Points: 1, Per: eur("1.00")}},
				Tiers: []loyalty.Tier{{ID: "2", Multiplier: pricing.MustRate("1.5")}},
				Burn: loyalty.BurnPolicy{Mode: mode, MinPoints: 500, Step: 100,
					Rates: []loyalty.Conversion{{Points: 100, Value: eur("1.00")}}},
			})
			require.NoError(t, err)
			svc, err := basket.NewService(basket.Config{Store: s, Prices: cat, Promotions: cat, Tax: cat, Stock: s, Locations: cat,
				Clock: clk, Loyalty: points, LoyaltyScheme: scheme})
			require.NoError(t, err)

			clerk := basket.Actor{Kind: basket.Associate, ID: "clerk-3", LocationID: "paris-01"}
			till := channel.Context{ChannelID: "store-paris-01", Kind: channel.Store, LocationID: "paris-01", Country: "FR",
				Currency: "EUR", Locale: "fr-FR", PriceLists: []string{"fr"}, TaxZone: "FR", PricesIncludeTax: true,
				StockSources: []string{"paris-01"}, FulfilmentModes: []channel.FulfilmentMode{channel.CarryOut}}
			b, err := svc.Create(ctx, clerk, basket.CreateRequest{ID: uuid.New(), Owner: basket.Owner{CustomerID: "cust-42"}, Context: till})
			require.NoError(t, err)
			_, err = svc.SetLoyalty(ctx, clerk, b.ID, &basket.Loyalty{Account: "card-42"})
			require.NoError(t, err)
			for _, l := range []basket.NewLine{
				{SKU: "bordeaux-2019", Quantity: 1, Product: basket.Product{Name: "Bordeaux 2019", TaxCategory: "standard"}},
				{SKU: "confiture", Quantity: 1, Product: basket.Product{Name: "Confiture de figues", TaxCategory: "food"}},
			} {
				_, err = svc.AddLine(ctx, clerk, b.ID, l)
				require.NoError(t, err)
			}
			b, err = svc.UseLoyaltyPoints(ctx, clerk, b.ID, 500)
			require.NoError(t, err)
			assert.Equal(t, int64(500), b.Wallet.Loyalty.Burn)
			assert.Equal(t, int64(500), b.Result.Loyalty.BurntPoints())
			b, err = svc.PlaceOrder(ctx, clerk, b.ID)
			require.NoError(t, err)
			_, err = svc.AddTender(ctx, clerk, b.ID, payment.Tender{Kind: payment.Card})
			require.NoError(t, err)
			_, err = svc.Pay(ctx, clerk, b.ID)
			require.NoError(t, err)
			b, err = svc.Return(ctx, clerk, b.ID, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: b.Lines[1].ID, Quantity: 1}}})
			require.NoError(t, err)
			require.NotNil(t, b.Order.Loyalty)
			assert.True(t, b.Order.Loyalty.Committed)
			assert.Len(t, b.Order.Loyalty.Credits, 2, "earned, then given back by the return")

			stored, err := s.Get(ctx, b.ID)
			require.NoError(t, err)
			events, err := s.Events(ctx, b.ID, 0)
			require.NoError(t, err)
			rebuilt, err := basket.Replay(events)
			require.NoError(t, err)
			want, err := json.Marshal(b)
			require.NoError(t, err)
			for what, got := range map[string]*basket.Basket{"stored": stored, "replayed": rebuilt} {
				data, err := json.Marshal(got)
				require.NoError(t, err)
				assert.JSONEq(t, string(want), string(data), what)
			}
		})
	}
}
