package synth

import (
	"fmt"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// Wallet is the wallet of a regular shopper of the synthetic retailer: the
// national core's coupon codes (one of them web-only, so a store keeps it
// without honouring it), a code no promotion has, and the gold loyalty
// tier. Benchmarks use it so that the coupon and loyalty paths are timed.
func Wallet() promotion.Wallet {
	return promotion.Wallet{Coupons: []string{WelcomeCoupon, CategoryCoupon, WebOnlyCoupon, "NOSUCHCODE"}, LoyaltyTier: "gold"}
}

// Fees returns the fulfilment fees of a synthetic store basket: home
// delivery and a transfer from a neighbouring store, both of which fee
// promotions of the mix discount.
func (c *Catalogue) Fees() []promotion.Fee {
	money := func(u int64) pricing.Money { m, _ := pricing.FromMinor(u, c.Currency); return m }
	return []promotion.Fee{
		{ID: "fee-ship", Mode: channel.ShipToAddress, Amount: money(590)},
		{ID: "fee-transfer", Mode: channel.Transfer, Amount: money(250)},
	}
}

// PromotionLines prices lines in ctx through the catalogue's price chain,
// as the promotion engine receives them. It builds a price book of the
// whole catalogue, so call it once per workload, not per evaluation.
func (c *Catalogue) PromotionLines(ctx channel.Context, lines []Line) ([]promotion.Line, error) {
	book, err := pricing.NewPriceBook(c.Prices)
	if err != nil {
		return nil, err
	}
	prices := book.For(ctx)
	out := make([]promotion.Line, len(lines))
	for i, l := range lines {
		r, err := prices.Resolve(l.Product.SKU, l.Quantity)
		if err != nil {
			return nil, fmt.Errorf("synth: line %s: %w", l.ID, err)
		}
		out[i] = promotion.Line{ID: l.ID, SKU: l.Product.SKU, Categories: l.Product.Categories, Quantity: l.Quantity, UnitPrice: r.Unit}
	}
	return out, nil
}
