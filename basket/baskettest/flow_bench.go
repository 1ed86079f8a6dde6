package baskettest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
)

// BenchmarkPlaceOrder measures [basket.Service.PlaceOrder] on the store of
// the harness with workers goroutines: each order is a 20-line basket at
// Bellecour routed across three locations (carry-out from the shelf,
// transfers from Part-Dieu, delivery from the warehouse), priced as of
// now, its terms kept, five fulfilment orders recorded and its stock held
// and handed over in the same write. The baskets are built before the
// timer starts; it reports orders/s.
func BenchmarkPlaceOrder(b *testing.B, h FlowHarness, workers int) {
	ctx := context.Background()
	h.Clock.Set(demo.Start())
	var counts []stock.Count
	skus := benchSKUs()
	for _, sku := range skus {
		for _, loc := range []string{demo.Bellecour, demo.PartDieu, demo.Warehouse} {
			q := int64(1 << 40)
			if loc == demo.Bellecour && sku.transfer {
				q = 0 // sent from Part-Dieu
			}
			counts = append(counts, stock.Count{SKU: sku.sku, LocationID: loc, Quantity: q})
		}
	}
	if _, err := h.Ledger.Feed(ctx, stock.Feed{ID: "bench", Kind: stock.FullFeed, Locations: []string{demo.Bellecour, demo.PartDieu, demo.Warehouse}, Counts: counts}); err != nil {
		b.Fatal(err)
	}
	cat, err := demo.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	svc, err := basket.NewService(basket.Config{Store: h.Store, Prices: cat, Promotions: cat, Tax: cat, Stock: h.Ledger,
		Locations: cat, Fees: cat, Clock: h.Clock, Retailer: demo.Retailer})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]uuid.UUID, b.N)
	store := demo.Store(demo.Bellecour, demo.Start())
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "bench"}, At: demo.Start()}
	for i := range ids {
		ids[i] = uuid.New()
		bk, created, err := basket.New(ids[i], basket.Owner{CustomerID: "bench"}, store, basket.Cart, m)
		if err != nil {
			b.Fatal(err)
		}
		events := []basket.Event{created}
		for _, s := range skus {
			_, e, err := bk.AddLine(m, basket.NewLine{SKU: s.sku, Quantity: 1, Product: demo.Product(s.sku), Fulfilment: s.mode})
			if err != nil {
				b.Fatal(err)
			}
			events = append(events, e)
		}
		if err := h.Store.Save(ctx, basket.Write{Basket: bk, Events: events}); err != nil {
			b.Fatal(err)
		}
	}
	system := basket.Actor{Kind: basket.System, ID: "bench"}
	elapsed := RunWorkers(b, workers, func(_ int, n int64) error {
		o, err := svc.PlaceOrder(ctx, system, ids[n-1])
		if err != nil {
			return err
		}
		if len(o.Order.Fulfilment) < 3 {
			return errFewLocations
		}
		return nil
	})
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
}

type benchSKU struct {
	sku      string
	transfer bool // out at Bellecour: sent from Part-Dieu
	mode     channel.FulfilmentMode
}

// benchSKUs is the 20-line order: 10 lines carried out, 5 transferred
// from Part-Dieu, 5 delivered from the warehouse.
func benchSKUs() []benchSKU {
	var out []benchSKU
	for _, it := range demo.Items() {
		if it.Category == "services" || it.Category == "furniture" || len(out) == 20 {
			continue
		}
		s := benchSKU{sku: it.SKU}
		switch n := len(out); {
		case n >= 15:
			s.mode = channel.ShipToAddress
		case n >= 10:
			s.transfer = true
		}
		out = append(out, s)
	}
	return out
}

type benchError string

func (e benchError) Error() string { return string(e) }

const errFewLocations = benchError("baskettest: the benchmark order was not routed across three locations")
