// Package memory holds in-memory implementations of omnibasket's storage
// interfaces, for tests, demos and single-process deployments. Each type is
// safe for concurrent use, takes an injected clock.Clock, and passes the
// conformance suite of the interface it implements; a deployment with
// several instances needs a shared store instead.
//
// The default wiring of a [basket.Service]: a [StockStore] is the stock
// ledger (on-hand fed in batches, every basket's holds, the movements of
// the product flow), and the [BasketStore] applies each order's stock
// movements to it in the same write as the basket, and numbers invoices
// and credit notes:
//
//	st := memory.NewStockStore(clock.System{})
//	_, _ = st.Feed(ctx, stock.Feed{ID: "opening", Kind: stock.FullFeed, Locations: []string{"paris-01"},
//		Counts: []stock.Count{{SKU: "kettle", LocationID: "paris-01", Quantity: 3}}})
//	baskets := memory.NewBasketStore(memory.WithLedger(st))
//	svc, err := basket.NewService(basket.Config{Store: baskets, Stock: st, …})
package memory
