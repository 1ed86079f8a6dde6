package basket

import (
	"context"

	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// The tracing decorators of the data sources (see observer.instrument):
// each call runs in a provider span of its own, timed and counted.

// traced runs call in the span of provider p.
func traced[A, R any](o *observer, ctx context.Context, p providerName, call func(context.Context, A) (R, error), arg A) (R, error) {
	ctx, c := o.provider(ctx, p)
	r, err := call(ctx, arg)
	c.endProvider(err)
	return r, err
}

// tracedErr is [traced] for a call that returns only an error.
func tracedErr[A any](o *observer, ctx context.Context, p providerName, call func(context.Context, A) error, arg A) error {
	ctx, c := o.provider(ctx, p)
	err := call(ctx, arg)
	c.endProvider(err)
	return err
}

type tracedPrices struct {
	o   *observer
	src pricing.PriceSource
}

func (t tracedPrices) Prices(ctx context.Context, q pricing.PriceQuery) ([]pricing.Price, error) {
	return traced(t.o, ctx, provPrices, t.src.Prices, q)
}

type tracedPromotions struct {
	o   *observer
	src PromotionSource
}

func (t tracedPromotions) Promotions(ctx context.Context, ch channel.Context) (*promotion.Set, error) {
	return traced(t.o, ctx, provPromotions, t.src.Promotions, ch)
}

type tracedTax struct {
	o   *observer
	src TaxSource
}

func (t tracedTax) TaxTable(ctx context.Context, zone string) (*pricing.TaxTable, error) {
	return traced(t.o, ctx, provTax, t.src.TaxTable, zone)
}

type tracedLocations struct {
	o   *observer
	src LocationSource
}

func (t tracedLocations) Locations(ctx context.Context, ids []string) ([]stock.Location, error) {
	return traced(t.o, ctx, provLocations, t.src.Locations, ids)
}

type tracedFees struct {
	o   *observer
	src FeeSource
}

func (t tracedFees) Fees(ctx context.Context, ch channel.Context) ([]FeeRule, error) {
	return traced(t.o, ctx, provFees, t.src.Fees, ch)
}

type tracedProducts struct {
	o   *observer
	src catalog.ProductSource
}

func (t tracedProducts) Products(ctx context.Context, q catalog.Query) ([]catalog.Product, error) {
	return traced(t.o, ctx, provProducts, t.src.Products, q)
}

type tracedLoyalty struct {
	o   *observer
	src loyalty.LoyaltySource
}

func (t tracedLoyalty) Balances(ctx context.Context, accounts []string) ([]loyalty.Balance, error) {
	return traced(t.o, ctx, provLoyaltyBalances, t.src.Balances, accounts)
}

func (t tracedLoyalty) Reserve(ctx context.Context, req loyalty.ReserveRequest) (loyalty.Reservation, error) {
	return traced(t.o, ctx, provLoyaltyReserve, t.src.Reserve, req)
}

func (t tracedLoyalty) Release(ctx context.Context, id string) (loyalty.Reservation, error) {
	return traced(t.o, ctx, provLoyaltyRelease, t.src.Release, id)
}

func (t tracedLoyalty) Commit(ctx context.Context, id string) (loyalty.Reservation, error) {
	return traced(t.o, ctx, provLoyaltyCommit, t.src.Commit, id)
}

func (t tracedLoyalty) Credit(ctx context.Context, req loyalty.CreditRequest) error {
	return tracedErr(t.o, ctx, provLoyaltyCredit, t.src.Credit, req)
}

type tracedVouchers struct {
	o   *observer
	src payment.VoucherSource
}

func (t tracedVouchers) Balances(ctx context.Context, codes []string) ([]payment.Balance, error) {
	return traced(t.o, ctx, provVoucherBalances, t.src.Balances, codes)
}

func (t tracedVouchers) Redeem(ctx context.Context, r payment.Redemption) error {
	return tracedErr(t.o, ctx, provVoucherRedeem, t.src.Redeem, r)
}

func (t tracedVouchers) Reverse(ctx context.Context, redemptionID string) error {
	return tracedErr(t.o, ctx, provVoucherReverse, t.src.Reverse, redemptionID)
}
