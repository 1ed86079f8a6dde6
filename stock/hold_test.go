package stock_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/stock"
)

func hold(basket string, qty int64, since time.Duration) stock.Hold {
	return stock.Hold{BasketID: basket, LocationID: "x", SKU: "a", Quantity: qty,
		HeldSince: asOf.Add(since), ExpiresAt: asOf.Add(time.Hour)}
}

// TestCover is the ranking arithmetic of shrinkage: holds covered oldest
// first, ties by basket ID, expired holds left out.
func TestCover(t *testing.T) {
	now := asOf.Add(time.Minute)
	expired := hold("E", 5, -time.Hour)
	expired.ExpiresAt = now // expired at now exactly
	for _, tt := range []struct {
		name   string
		onHand int64
		holds  []stock.Hold
		want   map[string]int64 // basket → at risk, for the holds returned, in rank order
		order  []string
	}{
		{"10 of 10: both whole", 10, []stock.Hold{hold("B", 5, time.Second), hold("A", 5, 0)},
			map[string]int64{"A": 0, "B": 0}, []string{"A", "B"}},
		{"shrunk to 5: the older covered, the newer at risk", 5, []stock.Hold{hold("B", 5, time.Second), hold("A", 5, 0)},
			map[string]int64{"A": 0, "B": 5}, []string{"A", "B"}},
		{"rank by age, not by ID", 5, []stock.Hold{hold("A", 5, time.Second), hold("B", 5, 0)},
			map[string]int64{"B": 0, "A": 5}, []string{"B", "A"}},
		{"three holders, partial cover", 8, []stock.Hold{hold("C", 4, 2*time.Second), hold("A", 3, 0), hold("B", 4, time.Second)},
			map[string]int64{"A": 0, "B": 0, "C": 3}, []string{"A", "B", "C"}}, // 8 = 3 + 4 + 1 of C's 4
		{"ties broken by basket ID", 3, []stock.Hold{hold("zed", 2, 0), hold("abe", 2, 0), hold("mid", 2, 0)},
			map[string]int64{"abe": 0, "mid": 1, "zed": 2}, []string{"abe", "mid", "zed"}},
		{"expired holds do not count", 5, []stock.Hold{expired, hold("B", 5, time.Second)},
			map[string]int64{"B": 0}, []string{"B"}},
		{"nothing on hand", 0, []stock.Hold{hold("A", 2, 0), hold("B", 1, 0)},
			map[string]int64{"A": 2, "B": 1}, []string{"A", "B"}},
		{"negative on hand counts as 0", -4, []stock.Hold{hold("A", 2, 0)},
			map[string]int64{"A": 2}, []string{"A"}},
		{"zero quantity left out", 1, []stock.Hold{hold("A", 0, 0), hold("B", 2, 0)},
			map[string]int64{"B": 1}, []string{"B"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.holds)
			got := stock.Cover(tt.onHand, now, in)
			require.Equal(t, tt.holds, in, "input untouched")
			var order []string
			var covered int64
			for _, h := range got {
				order = append(order, h.BasketID)
				require.Equal(t, tt.want[h.BasketID], h.AtRisk, "at risk of %s", h.BasketID)
				covered += h.Covered()
			}
			require.Equal(t, tt.order, order)
			require.LessOrEqual(t, covered, max(tt.onHand, 0))
		})
	}
}

// Cover never covers more than on hand, covers as much as it can, and
// serves an older hold before a newer one, whatever the input order.
func TestCoverProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		onHand := rapid.Int64Range(0, 30).Draw(t, "onHand")
		n := rapid.IntRange(0, 6).Draw(t, "n")
		now := asOf.Add(10 * time.Second)
		var holds []stock.Hold
		var active int64
		for i := range n {
			h := hold(string(rune('a'+i)), rapid.Int64Range(1, 8).Draw(t, "qty"),
				time.Duration(rapid.IntRange(0, 3).Draw(t, "since"))*time.Second)
			h.ExpiresAt = asOf.Add(time.Duration(rapid.IntRange(5, 15).Draw(t, "exp")) * time.Second)
			if now.Before(h.ExpiresAt) {
				active += h.Quantity
			}
			holds = append(holds, h)
		}
		got := stock.Cover(onHand, now, holds)
		perm := rapid.Permutation(holds).Draw(t, "perm")
		require.Equal(t, got, stock.Cover(onHand, now, perm), "independent of input order")
		var covered int64
		for i, h := range got {
			require.True(t, h.AtRisk >= 0 && h.AtRisk <= h.Quantity, "0 ≤ AtRisk ≤ Quantity: %+v", h)
			covered += h.Covered()
			if i > 0 && h.Covered() > 0 {
				require.Zero(t, got[i-1].AtRisk, "%s is covered while the older %s is at risk", h.BasketID, got[i-1].BasketID)
			}
		}
		require.Equal(t, min(active, onHand), covered, "covered = min(Σ active holds, on hand)")
	})
}

func TestHoldsAtRisk(t *testing.T) {
	exp := asOf.Add(time.Hour)
	t0, t1 := asOf, asOf.Add(time.Second)
	rs := []stock.Reservation{
		{BasketID: "b1", LocationID: "y", ExpiresAt: exp, Lines: []stock.ReserveLine{
			{SKU: "a", Quantity: 2, HeldSince: t0, AtRisk: 1},
			{SKU: "b", Quantity: 2, HeldSince: t0},
			{SKU: "c", Quantity: 3, HeldSince: t1, AtRisk: 9}, // clamped to Quantity
		}},
		{BasketID: "b1", LocationID: "x", ExpiresAt: exp, Lines: []stock.ReserveLine{
			{SKU: "d", Quantity: 4, HeldSince: t1, AtRisk: 4},
			{SKU: "e", Quantity: 4, HeldSince: t0, AtRisk: 2},
		}},
	}
	got := stock.HoldsAtRisk(rs)
	want := []stock.Hold{
		{BasketID: "b1", LocationID: "x", SKU: "e", Quantity: 4, AtRisk: 2, HeldSince: t0, ExpiresAt: exp},
		{BasketID: "b1", LocationID: "y", SKU: "a", Quantity: 2, AtRisk: 1, HeldSince: t0, ExpiresAt: exp},
		{BasketID: "b1", LocationID: "x", SKU: "d", Quantity: 4, AtRisk: 4, HeldSince: t1, ExpiresAt: exp},
		{BasketID: "b1", LocationID: "y", SKU: "c", Quantity: 3, AtRisk: 3, HeldSince: t1, ExpiresAt: exp},
	}
	require.Equal(t, want, got, "oldest first, then location, then SKU")
	require.Nil(t, stock.HoldsAtRisk(rs[:0]))
	require.Nil(t, stock.HoldsAtRisk([]stock.Reservation{{BasketID: "b", LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1}}}}))
}

func TestReserveLineCovered(t *testing.T) {
	for _, tt := range []struct{ qty, atRisk, want int64 }{
		{5, 0, 5}, {5, 2, 3}, {5, 5, 0}, {5, 7, 0}, {5, -1, 5}, {0, 0, 0}, {-2, 0, 0},
	} {
		require.Equal(t, tt.want, stock.ReserveLine{SKU: "a", Quantity: tt.qty, AtRisk: tt.atRisk}.Covered(), "%+v", tt)
	}
}

// The 10/5/5 example seen by each basket through WithoutReservations: the
// provider reports the covered units as Reserved, each basket subtracts
// only its own covered units.
func TestWithoutReservationsAtRisk(t *testing.T) {
	levels, err := stock.NewLevels([]stock.Level{lv("a", "x", 5, 5)})
	require.NoError(t, err)
	a := []stock.Reservation{{BasketID: "A", LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 5}}}}
	b := []stock.Reservation{{BasketID: "B", LocationID: "x", Lines: []stock.ReserveLine{{SKU: "a", Quantity: 5, AtRisk: 5}}}}
	for _, tt := range []struct {
		name string
		own  []stock.Reservation
		want int64
	}{{"older holder", a, 5}, {"newer holder, all at risk", b, 0}, {"a third basket", nil, 0}} {
		l, ok := levels.WithoutReservations(tt.own).Get("a", "x")
		require.True(t, ok)
		require.Equal(t, tt.want, l.Available(), tt.name)
	}
	// Partial: 8 on hand, A 5 covered, B 3 of 5 covered.
	levels, err = stock.NewLevels([]stock.Level{lv("a", "x", 8, 8)})
	require.NoError(t, err)
	b[0].Lines[0].AtRisk = 2
	l, _ := levels.WithoutReservations(b).Get("a", "x")
	require.Equal(t, int64(3), l.Available())
}

func TestNormalizeClearsRank(t *testing.T) {
	req := stock.ReserveRequest{BasketID: "b", RequestKey: "k", LocationID: "x", ExpiresAt: asOf.Add(time.Hour),
		Lines: []stock.ReserveLine{{SKU: "a", Quantity: 1, HeldSince: asOf, AtRisk: 1}, {SKU: "a", Quantity: 2, AtRisk: 2}}}
	n, err := req.Normalize()
	require.NoError(t, err)
	require.Equal(t, []stock.ReserveLine{{SKU: "a", Quantity: 3}}, n.Lines, "a request has no rank and nothing at risk")
	plain := req
	plain.Lines = []stock.ReserveLine{{SKU: "a", Quantity: 3}}
	require.Equal(t, plain.PayloadDigest(), req.PayloadDigest())
}

func TestMergeLinesRank(t *testing.T) {
	t0, t1 := asOf, asOf.Add(time.Minute)
	dst := []stock.ReserveLine{{SKU: "a", Quantity: 1, HeldSince: t0, AtRisk: 1}, {SKU: "c", Quantity: 2, HeldSince: t0}}
	arriving := []stock.ReserveLine{{SKU: "a", Quantity: 2, HeldSince: t1}, {SKU: "b", Quantity: 1, HeldSince: t1}}
	got := stock.MergeLines(dst, arriving)
	require.Equal(t, []stock.ReserveLine{
		{SKU: "a", Quantity: 3, HeldSince: t1}, // merged: the newer rank
		{SKU: "b", Quantity: 1, HeldSince: t1},
		{SKU: "c", Quantity: 2, HeldSince: t0},
	}, got)
	require.Equal(t, got, stock.MergeLines(arriving, dst), "symmetric")
}
