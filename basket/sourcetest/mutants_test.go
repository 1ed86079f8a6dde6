package sourcetest

import (
	"context"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The suite's checks catch the mistakes a source makes: each mutant below
// breaks one rule of the contract and one check reports it, while the
// faithful source passes every check.

type priceFunc func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error)

func (f priceFunc) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	return f(ctx, q)
}

func TestPriceChecksCatchMutants(t *testing.T) {
	ctx := context.Background()
	d := Retailer()
	book, err := pricing.NewPriceBook(d.Prices)
	require.NoError(t, err)
	q := pricing.PriceQuery{Lists: []string{"web", "b2b", "no-such-list"}, SKUs: []string{"SCREW", "MUG", "LAMP", "NO-SUCH-SKU"}}
	require.NoError(t, CheckPrices(ctx, book, d, q), "the faithful source")

	mutants := map[string]priceFunc{
		"drops the tiers": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			ps, err := book.Prices(ctx, q)
			return slices.DeleteFunc(ps, func(p pricing.Price) bool { return p.MinQuantity > 1 }), err
		},
		"drops what is not valid now": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			ps, err := book.Prices(ctx, q)
			return slices.DeleteFunc(ps, func(p pricing.Price) bool { return !p.ValidFrom.IsZero() }), err
		},
		"answers the first SKU only": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			return book.Prices(ctx, pricing.PriceQuery{Lists: q.Lists, SKUs: q.SKUs[:1]})
		},
		"answers other lists": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			return book.Prices(ctx, pricing.PriceQuery{Lists: priceLists(d), SKUs: q.SKUs})
		},
		"sorts the caller's SKUs": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			slices.Sort(q.SKUs)
			return book.Prices(ctx, q)
		},
		"repeats an entry": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			ps, err := book.Prices(ctx, q)
			return append(ps, ps[0]), err
		},
		"rounds a precise price": func(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
			ps, err := book.Prices(ctx, q)
			for i, p := range ps {
				if p.Unit.Currency().IsZero() {
					ps[i].Unit, ps[i].Precise = pricing.MustParse("0.01", "EUR"), pricing.UnitPrice{}
				}
			}
			return ps, err
		},
	}
	for name, m := range mutants {
		assert.Error(t, CheckPrices(ctx, m, d, q), name)
	}
}

type promotionFunc func(ctx context.Context, c channel.Context) (*promotion.Set, error)

func (f promotionFunc) Promotions(ctx context.Context, c channel.Context) (*promotion.Set, error) {
	return f(ctx, c)
}

func TestPromotionChecksCatchMutants(t *testing.T) {
	ctx := context.Background()
	d := Retailer()
	want, err := promotion.Compile(d.Promotions)
	require.NoError(t, err)
	faithful := promotionFunc(func(context.Context, channel.Context) (*promotion.Set, error) { return want, nil })
	admitted := promotionFunc(func(_ context.Context, c channel.Context) (*promotion.Set, error) {
		var ps []promotion.Promotion
		for _, p := range d.Promotions {
			if admits(p, c) {
				ps = append(ps, p)
			}
		}
		return promotion.Compile(ps)
	})
	mutants := map[string]promotionFunc{
		"no promotions":               func(context.Context, channel.Context) (*promotion.Set, error) { return nil, nil },
		"coupons only where honoured": admitted,
		"changes the caller's context": func(_ context.Context, c channel.Context) (*promotion.Set, error) {
			c.PriceLists[0] = "changed"
			return want, nil
		},
		"a changed promotion": func(context.Context, channel.Context) (*promotion.Set, error) {
			ps := Retailer().Promotions
			ps[0].Effect.Percent = pricing.MustPercent("50")
			return promotion.Compile(ps)
		},
	}
	for _, c := range contexts() {
		require.NoError(t, checkPromotions(ctx, faithful, d, want, c), "the faithful source in %s", c.ChannelID)
	}
	for name, m := range mutants {
		var caught bool
		for _, c := range contexts() {
			caught = caught || checkPromotions(ctx, m, d, want, c) != nil
		}
		assert.True(t, caught, name)
	}
}

type taxFunc func(ctx context.Context, zone string) (*pricing.TaxTable, error)

func (f taxFunc) TaxTable(ctx context.Context, zone string) (*pricing.TaxTable, error) {
	return f(ctx, zone)
}

func TestTaxChecksCatchMutants(t *testing.T) {
	ctx := context.Background()
	d := Retailer()
	want, err := pricing.NewTaxTable(d.TaxRules)
	require.NoError(t, err)
	for _, z := range []string{"FR", "CH", "XX"} {
		require.NoError(t, checkTax(ctx, taxFunc(func(context.Context, string) (*pricing.TaxTable, error) { return want, nil }), want, z))
	}
	nilForUnknown := taxFunc(func(_ context.Context, zone string) (*pricing.TaxTable, error) {
		if zone == "XX" {
			return nil, nil
		}
		return want, nil
	})
	assert.Error(t, checkTax(ctx, nilForUnknown, want, "XX"), "a nil table")
	current := taxFunc(func(context.Context, string) (*pricing.TaxTable, error) {
		return pricing.NewTaxTable(slices.DeleteFunc(Retailer().TaxRules, func(r pricing.TaxRule) bool { return !r.ValidUntil.IsZero() }))
	})
	assert.Error(t, checkTax(ctx, current, want, "CH"), "a rate that changed on a date lost its history")
}

type locationFunc func(ctx context.Context, ids []string) ([]stock.Location, error)

func (f locationFunc) Locations(ctx context.Context, ids []string) ([]stock.Location, error) {
	return f(ctx, ids)
}

func TestLocationChecksCatchMutants(t *testing.T) {
	ctx := context.Background()
	d := Retailer()
	ids := []string{"wh", "nowhere", "paris"}
	faithful := locationFunc(func(_ context.Context, ids []string) ([]stock.Location, error) { return locationsFor(d, ids), nil })
	require.NoError(t, checkLocations(ctx, faithful, d, ids))
	mutants := map[string]locationFunc{
		"in the data's order": func(_ context.Context, ids []string) ([]stock.Location, error) {
			return slices.DeleteFunc(slices.Clone(d.Locations), func(l stock.Location) bool { return !slices.Contains(ids, l.ID) }), nil
		},
		"an unknown location made up": func(_ context.Context, ids []string) ([]stock.Location, error) {
			return append(locationsFor(d, ids), stock.Location{ID: "nowhere", Kind: stock.Store}), nil
		},
		"sorts the caller's IDs": func(_ context.Context, ids []string) ([]stock.Location, error) {
			slices.Sort(ids)
			return locationsFor(d, ids), nil
		},
		"loses the lead times": func(_ context.Context, ids []string) ([]stock.Location, error) {
			ls := locationsFor(d, ids)
			for i := range ls {
				ls[i].LeadTimes = nil
			}
			return ls, nil
		},
	}
	for name, m := range mutants {
		assert.Error(t, checkLocations(ctx, m, d, slices.Clone(ids)), name)
	}
}

type feeFunc func(ctx context.Context, c channel.Context) ([]basket.FeeRule, error)

func (f feeFunc) Fees(ctx context.Context, c channel.Context) ([]basket.FeeRule, error) {
	return f(ctx, c)
}

func TestFeeChecksCatchMutants(t *testing.T) {
	ctx := context.Background()
	d := Retailer()
	web := contexts()[0]
	require.NoError(t, checkFees(ctx, feeFunc(func(_ context.Context, c channel.Context) ([]basket.FeeRule, error) {
		return slices.Clone(d.Fees[c.ChannelID]), nil
	}), d, web))
	mutants := map[string]feeFunc{
		"reversed": func(_ context.Context, c channel.Context) ([]basket.FeeRule, error) {
			fs := slices.Clone(d.Fees[c.ChannelID])
			slices.Reverse(fs)
			return fs, nil
		},
		"another channel's": func(context.Context, channel.Context) ([]basket.FeeRule, error) {
			return slices.Clone(d.Fees["store-paris"]), nil
		},
	}
	for name, m := range mutants {
		assert.Error(t, checkFees(ctx, m, d, web), name)
	}
}
