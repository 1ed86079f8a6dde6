package memory_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/loyalty/loyaltytest"
)

func TestLoyaltyStore(t *testing.T) {
	loyaltytest.RunLoyaltySourceTests(t, func(t *testing.T) loyaltytest.Harness {
		s := memory.NewLoyaltyStore()
		return loyaltytest.Harness{Source: s, SetAccount: s.SetAccount}
	})
}

func TestLoyaltyStoreSetAccount(t *testing.T) {
	ctx := context.Background()
	s := memory.NewLoyaltyStore()
	if err := s.SetAccount(ctx, "", "1", 10); !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("empty account: %v, want ErrInvalid", err)
	}
	if err := s.SetAccount(ctx, "ann", "1", -1); !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("negative points: %v, want ErrInvalid", err)
	}
	if err := s.SetAccount(ctx, "ann", "1", 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, loyalty.ReserveRequest{ID: "o1", Account: "ann", Points: 600}); err != nil {
		t.Fatal(err)
	}
	// A feed may not take the account below what is reserved …
	if err := s.SetAccount(ctx, "ann", "2", 599); !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("points below the reserved: %v, want ErrInvalid", err)
	}
	// … but may change its tier and its points above that.
	if err := s.SetAccount(ctx, "ann", "2", 700); err != nil {
		t.Fatal(err)
	}
	bs, err := s.Balances(ctx, []string{"ann"})
	if err != nil {
		t.Fatal(err)
	}
	if want := (loyalty.Balance{Account: "ann", Tier: "2", Available: 100, Reserved: 600}); len(bs) != 1 || bs[0] != want {
		t.Fatalf("balances %+v, want %+v", bs, want)
	}
	if err := s.Credit(ctx, loyalty.CreditRequest{ID: "big", Account: "ann", Points: 1<<63 - 1}); !errors.Is(err, loyalty.ErrInvalid) {
		t.Fatalf("credit beyond int64: %v, want ErrInvalid", err)
	}
}
