package stock_test

import (
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mapState is a ledger's state as plain data: no other basket holds
// anything, so the basket's own line is covered up to on-hand.
type mapState struct {
	onHand map[stock.Pair]int64
	held   map[string]*stock.Reservation
	others map[stock.Pair]int64
}

func (m mapState) OnHand(p stock.Pair) (int64, bool)  { n, ok := m.onHand[p]; return n, ok }
func (m mapState) Held(loc string) *stock.Reservation { return m.held[loc] }
func (m mapState) OthersHeld(p stock.Pair) int64      { return m.others[p] }
func (m mapState) Covered(p stock.Pair, onHand int64, l stock.ReserveLine) (int64, error) {
	return min(l.Quantity, max(onHand-m.others[p], 0)), nil
}

func TestPlay(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	before := now.Add(-time.Hour)
	pair := func(sku, loc string) stock.Pair { return stock.Pair{SKU: sku, LocationID: loc} }
	state := func() mapState {
		return mapState{
			onHand: map[stock.Pair]int64{pair("lamp", "wh"): 5, pair("lamp", "shop"): 1, pair("mug", "shop"): 4},
			held: map[string]*stock.Reservation{
				"wh":   {BasketID: "b", LocationID: "wh", Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 2, HeldSince: before}}, ExpiresAt: now.Add(2 * time.Hour)},
				"shop": {BasketID: "b", LocationID: "shop", Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 1, HeldSince: before}}, ExpiresAt: now.Add(72 * time.Hour)},
			},
			others: map[stock.Pair]int64{pair("mug", "shop"): 2},
		}
	}
	change := func(ms ...stock.Movement) stock.Change {
		c, err := stock.Change{BasketID: "b", Movements: ms}.Normalize()
		require.NoError(t, err)
		return c
	}

	t.Run("TransferNeverShortensTheHoldThere", func(t *testing.T) {
		got, err := stock.Play(change(stock.Movement{Kind: stock.MoveTransfer, LocationID: "wh", To: "shop",
			Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 1}}, ExpiresAt: now.Add(time.Hour)}), now, state())
		require.NoError(t, err)
		assert.Equal(t, map[stock.Pair]int64{pair("lamp", "wh"): 4, pair("lamp", "shop"): 2}, got.OnHand, "units conserved")
		shop := got.Reservations["shop"]
		assert.Equal(t, now.Add(72*time.Hour), shop.ExpiresAt, "the later expiry")
		assert.Equal(t, []stock.ReserveLine{{SKU: "lamp", Quantity: 1, HeldSince: now}, {SKU: "mug", Quantity: 1, HeldSince: before}}, shop.Lines)
		assert.Equal(t, int64(1), got.Reservations["wh"].Quantity("lamp"))
	})
	t.Run("DeductTakesTheHeldUnitsFirst", func(t *testing.T) {
		got, err := stock.Play(change(stock.Movement{Kind: stock.MoveDeduct, LocationID: "shop", Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 2}}}), now, state())
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.OnHand[pair("mug", "shop")])
		assert.Nil(t, got.Reservations["shop"], "the hold of one mug is handed over with one more available")
		_, err = stock.Play(change(stock.Movement{Kind: stock.MoveDeduct, LocationID: "shop", Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 3}}}), now, state())
		var se *stock.ShortageError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, []stock.Shortage{{SKU: "mug", LocationID: "shop", Requested: 3, Available: 2}}, se.Shortages, "two mugs are another basket's")
	})
	t.Run("HoldKeepsTheRankOfWhatItKeeps", func(t *testing.T) {
		got, err := stock.Play(change(stock.Movement{Kind: stock.MoveHold, LocationID: "wh", ExpiresAt: now.Add(time.Hour),
			Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 1}}}), now, state())
		require.NoError(t, err)
		assert.Equal(t, before, got.Reservations["wh"].Lines[0].HeldSince, "shrinking keeps the rank")
		got, err = stock.Play(change(stock.Movement{Kind: stock.MoveHold, LocationID: "wh", ExpiresAt: now.Add(time.Hour),
			Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 3}}}), now, state())
		require.NoError(t, err)
		assert.Equal(t, now, got.Reservations["wh"].Lines[0].HeldSince, "growing ranks as new")
	})
	t.Run("LaterMovementsSeeEarlierOnes", func(t *testing.T) {
		got, err := stock.Play(change(
			stock.Movement{Kind: stock.MoveRestock, LocationID: "shop", Lines: []stock.ReserveLine{{SKU: "vase", Quantity: 2}}},
			stock.Movement{Kind: stock.MoveHold, LocationID: "shop", ExpiresAt: now.Add(time.Hour), Lines: []stock.ReserveLine{{SKU: "vase", Quantity: 2}}},
		), now, state())
		require.NoError(t, err)
		assert.Equal(t, int64(2), got.OnHand[pair("vase", "shop")])
		assert.Equal(t, int64(2), got.Reservations["shop"].Quantity("vase"))
	})
	t.Run("RefusalsWriteNothing", func(t *testing.T) {
		for name, c := range map[string]stock.Change{
			"expiry not after now": change(stock.Movement{Kind: stock.MoveHold, LocationID: "wh", ExpiresAt: now, Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 1}}}),
			"not held":             change(stock.Movement{Kind: stock.MoveTransfer, LocationID: "wh", To: "shop", ExpiresAt: now.Add(time.Hour), Lines: []stock.ReserveLine{{SKU: "lamp", Quantity: 3}}}),
			"unknown pair":         change(stock.Movement{Kind: stock.MoveHold, LocationID: "wh", ExpiresAt: now.Add(time.Hour), Lines: []stock.ReserveLine{{SKU: "sofa", Quantity: 1}}}),
		} {
			got, err := stock.Play(c, now, state())
			assert.Error(t, err, name)
			assert.Equal(t, stock.Played{}, got, name)
		}
	})
}
