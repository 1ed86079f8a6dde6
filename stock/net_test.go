package stock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/stock"
)

// holdList is a HoldLister answering from a fixed list, counting its calls.
type holdList struct {
	holds []stock.Hold
	err   error
	calls []stock.Query
}

func (h *holdList) Holds(_ context.Context, q stock.Query) ([]stock.Hold, error) {
	h.calls = append(h.calls, q)
	return h.holds, h.err
}

func held(basket, sku, loc string, q int64, since time.Duration) stock.Hold {
	return stock.Hold{BasketID: basket, SKU: sku, LocationID: loc, Quantity: q,
		HeldSince: asOf.Add(since), ExpiresAt: asOf.Add(time.Hour)}
}

func TestNetOfHolds(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		levels []stock.Level
		holds  []stock.Hold
		want   []stock.Level
	}{
		{"no holds: the provider's levels",
			[]stock.Level{lv("a", "x", 5, 2)}, nil,
			[]stock.Level{lv("a", "x", 5, 2)}},
		{"holds covered by on-hand",
			[]stock.Level{lv("a", "x", 10, 0)}, []stock.Hold{held("A", "a", "x", 3, 0), held("B", "a", "x", 2, time.Second)},
			[]stock.Level{lv("a", "x", 10, 5)}},
		{"external reservations served first, holds by what remains",
			[]stock.Level{lv("a", "x", 10, 3)}, []stock.Hold{held("B", "a", "x", 4, time.Second), held("A", "a", "x", 5, 0)},
			[]stock.Level{lv("a", "x", 10, 10)}},
		{"holds beyond on-hand capped",
			[]stock.Level{lv("a", "x", 4, 0)}, []stock.Hold{held("A", "a", "x", 3, 0), held("B", "a", "x", 3, 0)},
			[]stock.Level{lv("a", "x", 4, 4)}},
		{"external reservations beyond on-hand",
			[]stock.Level{lv("a", "x", 2, 5)}, []stock.Hold{held("A", "a", "x", 1, 0)},
			[]stock.Level{lv("a", "x", 2, 2)}},
		{"nothing on hand",
			[]stock.Level{lv("a", "x", 0, 0)}, []stock.Hold{held("A", "a", "x", 1, 0)},
			[]stock.Level{lv("a", "x", 0, 0)}},
		{"each pair its own holds",
			[]stock.Level{lv("a", "x", 5, 1), lv("a", "y", 5, 0), lv("b", "x", 1, 0)},
			[]stock.Hold{held("A", "a", "x", 2, 0), held("A", "b", "x", 1, 0), held("B", "a", "y", 4, 0), held("C", "b", "x", 1, time.Second)},
			[]stock.Level{lv("a", "x", 5, 3), lv("a", "y", 5, 4), lv("b", "x", 1, 1)}},
		{"holds of unknown pairs stay unknown",
			[]stock.Level{lv("a", "x", 5, 0)}, []stock.Hold{held("A", "a", "y", 2, 0), held("A", "b", "x", 1, 0)},
			[]stock.Level{lv("a", "x", 5, 0)}},
		{"a hold of nothing counts nothing",
			[]stock.Level{lv("a", "x", 5, 0)}, []stock.Hold{held("A", "a", "x", 0, 0)},
			[]stock.Level{lv("a", "x", 5, 0)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lister := &holdList{holds: tt.holds}
			q := stock.Query{SKUs: []string{"a", "b"}, Locations: []string{"x", "y"}}
			got, err := stock.NetOfHolds(&erp{levels: tt.levels}, lister).Levels(ctx, q)
			require.NoError(t, err)
			require.Equal(t, tt.want, got.All())
			require.Equal(t, []stock.Query{q}, lister.calls, "holds are read once for the whole query")
		})
	}
}

// What a basket is offered through NetOfHolds: on-hand minus the units
// covered for the other baskets, its own covered hold counting as its own.
func TestNetOfHoldsOffers(t *testing.T) {
	ctx := context.Background()
	lister := &holdList{holds: []stock.Hold{held("A", "mug", "S", 1, 0)}}
	net := stock.NetOfHolds(&erp{levels: []stock.Level{lv("mug", "S", 1, 0)}}, lister)
	levels, err := net.Levels(ctx, stock.Query{SKUs: []string{"mug"}, Locations: []string{"S"}})
	require.NoError(t, err)
	own := []stock.Reservation{{BasketID: "A", LocationID: "S", ExpiresAt: asOf.Add(time.Hour),
		Lines: []stock.ReserveLine{{SKU: "mug", Quantity: 1, HeldSince: asOf}}}}
	a, _ := levels.WithoutReservations(own).Get("mug", "S")
	b, _ := levels.Get("mug", "S")
	require.Equal(t, int64(1), a.Available(), "A is offered the mug it holds")
	require.Equal(t, int64(0), b.Available(), "B is offered nothing: the source still counts the mug A holds")
}

func TestNetOfHoldsErrors(t *testing.T) {
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}

	down := errors.New("erp: timeout")
	lister := &holdList{}
	_, err := stock.NetOfHolds(&erp{err: down}, lister).Levels(ctx, q)
	require.ErrorIs(t, err, down)
	require.Empty(t, lister.calls)

	broken := errors.New("ledger: unavailable")
	_, err = stock.NetOfHolds(&erp{levels: []stock.Level{lv("a", "x", 1, 0)}}, &holdList{err: broken}).Levels(ctx, q)
	require.ErrorIs(t, err, broken, "without the holds, availability is unknown, never everything")

	// Nothing known: no holds to read.
	lister = &holdList{err: broken}
	levels, err := stock.NetOfHolds(&erp{}, lister).Levels(ctx, q)
	require.NoError(t, err)
	require.Zero(t, levels.Len())
	require.Empty(t, lister.calls)
}
