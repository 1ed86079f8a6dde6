package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/basket/handoff/handofftest"
	"github.com/omnibasket/omnibasket/clock"
)

func TestCodeStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	handofftest.RunCodeStoreTests(t, func(t *testing.T) handoff.CodeStore { return newTestStore(t, nil) })
}

func TestAttemptStore(t *testing.T) {
	sharedPool(t)
	t.Parallel()
	handofftest.RunAttemptStoreTests(t, func(t *testing.T) handoff.AttemptStore { return newTestStore(t, nil) })
}

// PruneHandoff deletes what expired at the store's clock and nothing live.
func TestPruneHandoff(t *testing.T) {
	clk := clock.NewFake(handofftest.Epoch)
	s := newTestStore(t, clk)
	ctx := context.Background()
	limit := handoff.Limit{Max: 5, Window: 10 * time.Minute}
	for i := range 3 {
		c := handofftest.NewCode(handofftest.Paris, handoff.CheckIn, i)
		c.ExpiresAt = handofftest.Epoch.Add(time.Duration(i+1) * time.Hour)
		ok, err := s.PutShortCode(ctx, c, 10, handofftest.Epoch)
		require.NoError(t, err)
		require.True(t, ok)
	}
	_, err := s.TakeShortCode(ctx, handofftest.Lyon, "222222222", handoff.CheckIn, limit, handofftest.Epoch)
	require.ErrorIs(t, err, handoff.ErrUnknownCode)
	for i := range 2 {
		ok, err := s.CountTagAttempt(ctx, handofftest.Basket(i), limit, handofftest.Epoch.Add(time.Duration(i)*time.Hour))
		require.NoError(t, err)
		require.True(t, ok)
	}

	p, err := s.PruneHandoff(ctx)
	require.NoError(t, err)
	assert.Equal(t, HandoffPruned{}, p, "nothing expired yet")

	clk.Set(handofftest.Epoch.Add(time.Hour + 5*time.Minute))
	p, err = s.PruneHandoff(ctx)
	require.NoError(t, err)
	assert.Equal(t, HandoffPruned{ShortCodes: 1, Windows: 1, TagAttempts: 1}, p)
	for _, table := range []string{"handoff_codes", "handoff_code_windows", "handoff_tag_attempts"} {
		var n int
		require.NoError(t, s.pool.QueryRow(ctx, "SELECT count(*) FROM "+s.ident+"."+table).Scan(&n))
		assert.Equal(t, map[string]int{"handoff_codes": 2, "handoff_code_windows": 0, "handoff_tag_attempts": 1}[table], n, table)
	}
	// The live code is still redeemable.
	c := handofftest.NewCode(handofftest.Paris, handoff.CheckIn, 2)
	_, err = s.TakeShortCode(ctx, handofftest.Paris, c.Code, handoff.CheckIn, limit, clk.Now())
	require.NoError(t, err)
}
