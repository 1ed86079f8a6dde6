package stock_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/stock"
)

func TestLevelAvailable(t *testing.T) {
	for _, tt := range []struct {
		onHand, reserved, want int64
	}{
		{5, 2, 3}, {5, 5, 0}, {5, 7, 0}, {0, 0, 0}, {-3, 0, 0}, {4, -2, 4},
		{math.MaxInt64, math.MinInt64, math.MaxInt64}, {math.MinInt64, math.MaxInt64, 0},
	} {
		got := stock.Level{OnHand: tt.onHand, Reserved: tt.reserved}.Available()
		require.Equal(t, tt.want, got, "on hand %d reserved %d", tt.onHand, tt.reserved)
	}
}

func TestNewLevels(t *testing.T) {
	in := []stock.Level{lv("b", "x", 1, 0), lv("a", "y", 2, 1), lv("a", "x", 0, 0), lv("b", "a", 3, 4)}
	levels, err := stock.NewLevels(in)
	require.NoError(t, err)
	require.Equal(t, 4, levels.Len())
	require.Equal(t, []stock.Level{lv("a", "x", 0, 0), lv("a", "y", 2, 1), lv("b", "a", 3, 4), lv("b", "x", 1, 0)}, levels.All())

	zero, ok := levels.Get("a", "x")
	require.True(t, ok, "a pair known at zero is present")
	require.Equal(t, int64(0), zero.OnHand)
	_, ok = levels.Get("a", "z")
	require.False(t, ok, "an unknown pair is absent")

	// Immutable: changing the input or the output of All changes nothing.
	in[1].OnHand = 99
	all := levels.All()
	all[0].OnHand = 99
	got, _ := levels.Get("a", "y")
	require.Equal(t, int64(2), got.OnHand)
	got, _ = levels.Get("a", "x")
	require.Equal(t, int64(0), got.OnHand)

	var empty stock.Levels
	_, ok = empty.Get("a", "x")
	require.False(t, ok)
	require.Empty(t, empty.All())
}

func TestNewLevelsInvalid(t *testing.T) {
	for _, tt := range []struct {
		name   string
		levels []stock.Level
		field  string
	}{
		{"empty SKU", []stock.Level{lv("", "x", 1, 0)}, "levels[0].SKU"},
		{"empty location", []stock.Level{lv("a", "x", 1, 0), lv("a", "", 1, 0)}, "levels[1].LocationID"},
		{"negative on hand", []stock.Level{lv("a", "x", -1, 0)}, "levels[0].OnHand"},
		{"negative reserved", []stock.Level{lv("a", "x", 1, -1)}, "levels[0].Reserved"},
		{"duplicate pair", []stock.Level{lv("a", "x", 1, 0), lv("b", "x", 1, 0), lv("a", "x", 2, 0)}, "levels[2]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			levels, err := stock.NewLevels(tt.levels)
			require.ErrorIs(t, err, stock.ErrInvalid)
			var ie *stock.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
			require.Zero(t, levels.Len())
		})
	}
}

func TestLevelsWithoutReservations(t *testing.T) {
	levels, err := stock.NewLevels([]stock.Level{lv("a", "x", 5, 4), lv("b", "x", 5, 1), lv("a", "y", 5, 3)})
	require.NoError(t, err)
	own := []stock.Reservation{
		{BasketID: "b1", LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 3}, {SKU: "b", Quantity: 2}, {SKU: "c", Quantity: 1}}},
	}
	freed := levels.WithoutReservations(own)
	a, _ := freed.Get("a", "x")
	require.Equal(t, int64(1), a.Reserved)
	b, _ := freed.Get("b", "x")
	require.Equal(t, int64(0), b.Reserved, "never below zero")
	y, _ := freed.Get("a", "y")
	require.Equal(t, int64(3), y.Reserved, "other location untouched")
	_, ok := freed.Get("c", "x")
	require.False(t, ok, "unknown stays unknown")
	orig, _ := levels.Get("a", "x")
	require.Equal(t, int64(4), orig.Reserved, "the receiver is unchanged")
}

func TestQueryValidate(t *testing.T) {
	require.NoError(t, stock.Query{}.Validate())
	require.NoError(t, stock.Query{SKUs: []string{"a", "a"}, Locations: []string{"x"}}.Validate())
	err := stock.Query{SKUs: []string{"a", ""}}.Validate()
	require.ErrorIs(t, err, stock.ErrInvalid)
	var ie *stock.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "SKUs[1]", ie.Field)
	require.ErrorIs(t, stock.Query{Locations: []string{""}}.Validate(), stock.ErrInvalid)
}

func TestReservationActive(t *testing.T) {
	exp := asOf.Add(15 * time.Minute)
	r := stock.Reservation{ExpiresAt: exp, Lines: []stock.ReserveLine{{SKU: "a", Quantity: 2}, {SKU: "c", Quantity: 1}}}
	require.True(t, r.Active(exp.Add(-time.Nanosecond)))
	require.False(t, r.Active(exp))
	require.False(t, r.Active(exp.Add(time.Hour)))
	require.Equal(t, int64(2), r.Quantity("a"))
	require.Equal(t, int64(0), r.Quantity("b"))
	c := r.Clone()
	c.Lines[0].Quantity = 9
	require.Equal(t, int64(2), r.Quantity("a"))
}
