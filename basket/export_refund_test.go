package basket

import "github.com/omnibasket/omnibasket/stock"

// TermsOfForTest exposes termsOf, so that tests can place an order by hand
// (status, Order and terms) while the Service's PlaceOrder is not involved.
func TermsOfForTest(snap Snapshot, r *Result, opts Options) (OrderTerms, error) {
	return termsOf(snap, r, opts)
}

// SnapshotForTest exposes OrderTerms.snapshot.
func (t OrderTerms) SnapshotForTest(plan stock.FulfilmentPlan) (Snapshot, error) {
	return t.snapshot(plan)
}
