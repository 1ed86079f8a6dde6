package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/basket"
)

func TestRelayPosition(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()

	c, err := s.RelayPosition(ctx, "nats")
	require.NoError(t, err)
	assert.Equal(t, Cursor{}, c, "a relay that never saved starts at the beginning")

	require.NoError(t, s.SaveRelayPosition(ctx, "nats", Cursor{Tx: 900, Position: 12}))
	require.NoError(t, s.SaveRelayPosition(ctx, "nats", Cursor{Tx: 1000, Position: 3}))
	require.NoError(t, s.SaveRelayPosition(ctx, "nats", Cursor{Tx: 1000, Position: 2}), "a stale save is no error")
	c, err = s.RelayPosition(ctx, "nats")
	require.NoError(t, err)
	assert.Equal(t, Cursor{Tx: 1000, Position: 3}, c, "the position only moves forward")

	other, err := s.RelayPosition(ctx, "kafka")
	require.NoError(t, err)
	assert.Equal(t, Cursor{}, other, "each relay name has its own position")

	big := Cursor{Tx: 1<<63 + 5, Position: 1<<62 + 1}
	require.NoError(t, s.SaveRelayPosition(ctx, "big", big))
	c, err = s.RelayPosition(ctx, "big")
	require.NoError(t, err)
	assert.Equal(t, big, c, "64-bit transaction IDs survive the round trip")

	for name, call := range map[string]func() error{
		"empty name": func() error { return s.SaveRelayPosition(ctx, "", Cursor{Tx: 2000}) },
		"long name": func() error {
			return s.SaveRelayPosition(ctx, strings.Repeat("n", MaxRelayNameLen+1), Cursor{Tx: 2000})
		},
		"negative position": func() error { return s.SaveRelayPosition(ctx, "nats", Cursor{Tx: 2000, Position: -1}) },
		"read empty name":   func() error { _, err := s.RelayPosition(ctx, ""); return err },
	} {
		err := call()
		var in *basket.InputError
		assert.ErrorAs(t, err, &in, name)
		assert.ErrorIs(t, err, basket.ErrInvalid, name)
	}
	c, err = s.RelayPosition(ctx, "nats")
	require.NoError(t, err)
	assert.Equal(t, Cursor{Tx: 1000, Position: 3}, c, "refused saves change nothing")

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, s.SaveRelayPosition(cctx, "nats", Cursor{Tx: 3000}), context.Canceled)
}

// Whatever the order of the saves, concurrent ones included, the stored
// position is the latest cursor saved.
func TestRelayPositionIsTheMaximum(t *testing.T) {
	s := newTestStore(t, nil)
	t.Parallel()
	ctx := context.Background()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		name := fmt.Sprintf("relay-%d", n)
		cursors := rapid.SliceOfN(rapid.Custom(func(t *rapid.T) Cursor {
			return Cursor{Tx: rapid.Uint64Range(0, 50).Draw(t, "tx"), Position: rapid.Int64Range(0, 50).Draw(t, "pos")}
		}), 1, 8).Draw(t, "saves")
		var wg sync.WaitGroup
		errs := make([]error, len(cursors))
		for i, c := range cursors {
			wg.Go(func() { errs[i] = s.SaveRelayPosition(ctx, name, c) })
		}
		wg.Wait()
		want := cursors[0]
		for i, c := range cursors {
			require.NoError(t, errs[i])
			if c.Compare(want) > 0 {
				want = c
			}
		}
		got, err := s.RelayPosition(ctx, name)
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
}
