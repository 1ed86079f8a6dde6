// Package memory holds in-memory implementations of omnibasket's storage
// interfaces, for tests, demos and single-process deployments. Each type is
// safe for concurrent use, takes an injected clock.Clock, and passes the
// conformance suite of the interface it implements; a deployment with
// several instances needs a shared store instead.
//
// For example, stock levels and reservations:
//
//	s := memory.NewStockStore(clock.System{})
//	_ = s.SetOnHand(ctx, "kettle", "paris-01", 3)
//	res, err := s.Reserve(ctx, stock.ReserveRequest{...})
package memory
