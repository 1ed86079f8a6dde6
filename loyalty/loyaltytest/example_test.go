package loyaltytest_test

import (
	"context"
	"fmt"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/loyalty/loyaltytest"
)

// An adapter's test builds a fresh harness per test: the source and how
// to open an account in it. The contract the suite checks, on the memory
// store: a reservation takes the points all or nothing, and the same ID
// reserves once.
func Example() {
	ctx := context.Background()
	s := memory.NewLoyaltyStore()
	h := loyaltytest.Harness{Source: s, SetAccount: s.SetAccount}
	_ = h.SetAccount(ctx, "LOY-1", "2", 800)

	req := loyalty.ReserveRequest{ID: "order-1/burn", Account: "LOY-1", Points: 500}
	_, err1 := h.Source.Reserve(ctx, req)
	_, err2 := h.Source.Reserve(ctx, req)
	_, short := h.Source.Reserve(ctx, loyalty.ReserveRequest{ID: "order-2/burn", Account: "LOY-1", Points: 500})
	bs, _ := h.Source.Balances(ctx, []string{"LOY-1"})
	fmt.Println(err1, err2, short != nil)
	fmt.Println(bs[0].Available)
	// Output:
	// <nil> <nil> true
	// 300
}
