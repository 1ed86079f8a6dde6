package memory_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/basket/baskettest"
)

func TestBasketStore(t *testing.T) {
	baskettest.RunStoreTests(t, func(t *testing.T) basket.Store { return memory.NewBasketStore() })
}
