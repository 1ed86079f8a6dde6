package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
	"github.com/omnibasket/omnibasket/clock"
)

func TestReplayStore(t *testing.T) {
	handofftest.RunReplayStoreTests(t, func(t *testing.T) (handoff.ReplayStore, *clock.Fake) {
		clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		return memory.NewReplayStore(clk), clk
	})
}

func TestReplayStoreBadInputChangesNothing(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := memory.NewReplayStore(clk)
	exp := clk.Now().Add(time.Minute)
	if err := s.Consume(context.Background(), nil, exp); !errors.Is(err, handoff.ErrInvalid) {
		t.Fatalf("empty nonce: %v, want ErrInvalid", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Consume(ctx, []byte("n"), exp); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want context.Canceled", err)
	}
	if s.Len() != 0 {
		t.Fatalf("Len = %d after refused calls, want 0", s.Len())
	}
	if err := s.Consume(context.Background(), []byte("n"), exp); err != nil {
		t.Fatalf("first real consume: %v", err)
	}
}

func TestReplayStorePrunesExpired(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	s := memory.NewReplayStore(clk)
	ctx := context.Background()
	for i := range 5000 {
		exp := clk.Now().Add(time.Second)
		if err := s.Consume(ctx, []byte{byte(i), byte(i >> 8), 1}, exp); err != nil {
			t.Fatal(err)
		}
		clk.Advance(10 * time.Millisecond) // about 100 nonces live at a time
	}
	if n := s.Len(); n > 2048 {
		t.Fatalf("Len = %d with about 100 live nonces: expired ones are not pruned", n)
	}
}
