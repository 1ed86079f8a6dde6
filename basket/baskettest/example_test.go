package baskettest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

// An adapter's test runs the suite with a constructor of fresh stores:
//
//	func TestStore(t *testing.T) {
//		baskettest.RunStoreTests(t, func(t *testing.T) basket.Store { return mystore.New(t) })
//	}
//
// The suite's baskets live in baskettest.Context(), a valid web context,
// which adapter tests can reuse for their own cases:
func Example() {
	store := memory.NewBasketStore()
	m := basket.Meta{Actor: basket.Actor{Kind: basket.System, ID: "adapter-test"}, At: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	b, created, err := basket.New(uuid.MustParse("00000000-0000-4000-8000-000000000001"), basket.Owner{CustomerID: "c-1"}, baskettest.Context(), basket.Cart, m)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(store.Save(context.Background(), basket.Write{Basket: b, Events: []basket.Event{created}}))
	err = store.Save(context.Background(), basket.Write{Basket: b, Events: []basket.Event{created}})
	fmt.Println(err)
	// Output:
	// <nil>
	// basket: already exists
}
