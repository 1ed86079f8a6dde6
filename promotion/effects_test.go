package promotion

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/channel"
)

func TestEffects(t *testing.T) {
	tests := []struct {
		name   string
		promos []Promotion
		lines  []Line
		fees   []Fee
		want   map[string]string // line or fee ID → total
		disc   string
	}{
		{
			name: "percent off target lines, rounded half-even per line",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: cats("shoes")}}},
			// 10 % of 99.99 = 9.999 → 10.00; 10 % of 0.25 = 0.025 → 0.02 (half-even).
			lines: []Line{ln("a", "boot", 3, "33.33", "shoes"), ln("b", "sock", 1, "0.25", "shoes"), ln("c", "hat", 1, "20.00", "hats")},
			want:  map[string]string{"a": "89.99", "b": "0.23", "c": "20.00"},
			disc:  "10.02",
		},
		{
			name: "amount off per unit, capped at the price",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: AmountOff, Amount: eur("2.00"), Target: skus("x", "y")}}},
			lines: []Line{ln("a", "x", 3, "1.50"), ln("b", "y", 2, "5.00")},
			want:  map[string]string{"a": "0.00", "b": "6.00"},
			disc:  "8.50",
		},
		{
			name: "fixed unit price never raises a price",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: FixedPrice, Amount: eur("5.00"), Target: cats("sale")}}},
			lines: []Line{ln("a", "x", 3, "7.99", "sale"), ln("b", "y", 2, "4.00", "sale")},
			want:  map[string]string{"a": "15.00", "b": "8.00"},
			disc:  "8.97",
		},
		{
			name: "fixed price limited to 2 units: the most valuable ones",
			promos: []Promotion{{ID: "p", Lane: Catalogue, MaxApplications: 2,
				Effect: Effect{Kind: FixedPrice, Amount: eur("1.00"), Target: all()}}},
			lines: []Line{ln("a", "x", 3, "2.00"), ln("b", "y", 1, "9.00")},
			// b's unit (9.00 → 1.00) then one unit of a (2.00 → 1.00).
			want: map[string]string{"a": "5.00", "b": "1.00"},
			disc: "9.00",
		},
		{
			name: "basket percent off computed once and allocated",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BasketPercentOff, Percent: pct("10"), Target: all()}}},
			// 10 % of 60.01 = 6.001 → 6.00; parts 99.98/199.97/300.05 cents → 1.00, 2.00, 3.00.
			lines: []Line{ln("a", "x", 1, "10.00"), ln("b", "y", 1, "20.00"), ln("c", "z", 1, "30.01")},
			want:  map[string]string{"a": "9.00", "b": "18.00", "c": "27.01"},
			disc:  "6.00",
		},
		{
			name: "10.00 off over three equal lines: 3.34 + 3.33 + 3.33, extra cent by line ID",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BasketAmountOff, Amount: eur("10.00"), Target: all()}}},
			lines: []Line{ln("c", "z", 3, "3.33"), ln("a", "x", 3, "3.33"), ln("b", "y", 3, "3.33")},
			want:  map[string]string{"a": "6.65", "b": "6.66", "c": "6.66"},
			disc:  "10.00",
		},
		{
			name: "basket amount larger than the basket stops at zero",
			promos: []Promotion{
				{ID: "p1", Lane: Basket, Effect: Effect{Kind: BasketAmountOff, Amount: eur("30.00"), Target: all()}},
				{ID: "p2", Lane: Basket, Effect: Effect{Kind: BasketAmountOff, Amount: eur("30.00"), Target: all()}},
			},
			lines: []Line{ln("a", "x", 1, "10.00"), ln("b", "y", 1, "15.00")},
			want:  map[string]string{"a": "0.00", "b": "0.00"},
			disc:  "25.00",
		},
		{
			name: "100 % then 15 % leaves the line at zero, not negative",
			promos: []Promotion{
				{ID: "p1", Lane: Catalogue, Priority: 2, Effect: Effect{Kind: PercentOff, Percent: pct("100"), Target: all()}},
				{ID: "p2", Lane: Catalogue, Priority: 1, Effect: Effect{Kind: PercentOff, Percent: pct("15"), Target: all()}},
				{ID: "p3", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("15"), Target: all()}},
			},
			lines: []Line{ln("a", "x", 2, "10.00")},
			want:  map[string]string{"a": "0.00"},
			disc:  "20.00",
		},
		{
			name: "a 70 % voucher applies to the price after the catalogue discount",
			promos: []Promotion{
				{ID: "sale", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("50"), Target: all()}},
				{ID: "voucher", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("70"), Target: all()}},
			},
			lines: []Line{ln("a", "x", 1, "100.00")},
			want:  map[string]string{"a": "15.00"},
			disc:  "85.00",
		},
		{
			name: "buy 2 get 1 at 50 %, most expensive",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("50"), Pick: MostExpensive, Target: cats("t")}}},
			lines: []Line{ln("a", "x", 2, "10.00", "t"), ln("b", "y", 1, "30.00", "t"), ln("c", "z", 3, "1.00", "t")},
			// 6 units → 2 groups → the 2 most expensive units: b (30.00) and one of a (10.00), at 50 %.
			want: map[string]string{"a": "15.00", "b": "15.00", "c": "3.00"},
			disc: "20.00",
		},
		{
			name: "buy 1 get 1 free limited to one application",
			promos: []Promotion{{ID: "p", Lane: Basket, MaxApplications: 1,
				Effect: Effect{Kind: BuyXGetY, Buy: 1, Get: 1, Percent: pct("100"), Target: skus("x")}}},
			lines: []Line{ln("a", "x", 6, "4.00")},
			want:  map[string]string{"a": "20.00"},
			disc:  "4.00",
		},
		{
			name: "buy X get Y on an averaged unit value after a catalogue discount",
			promos: []Promotion{
				{ID: "cat", Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: eur("0.01"), Target: all()}},
				{ID: "bxgy", Lane: Basket, Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: all()}},
			},
			// 3 × (3.34 − 0.01) = 9.99; one unit free = 9.99 / 3 = 3.33.
			lines: []Line{ln("a", "x", 3, "3.34")},
			want:  map[string]string{"a": "6.66"},
			disc:  "3.36",
		},
		{
			name: "bundle: phone + case for 100.00, the most expensive case, allocated by value",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BundlePrice, Amount: eur("100.00"), Components: []Component{
					{Target: skus("phone"), Quantity: 1}, {Target: cats("case"), Quantity: 1}}}}},
			lines: []Line{ln("p", "phone", 1, "90.00"), ln("c1", "case-a", 1, "20.00", "case"), ln("c2", "case-b", 1, "15.00", "case")},
			// value 110.00 → 10.00 off: 1000·9000/11000 = 818.18, 1000·2000/11000 = 181.81 → 818 + 182.
			want: map[string]string{"p": "81.82", "c1": "18.18", "c2": "15.00"},
			disc: "10.00",
		},
		{
			name: "bundle formed as often as the quantities allow, on quantities",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BundlePrice, Amount: eur("5.00"), Components: []Component{
					{Target: skus("burger"), Quantity: 1}, {Target: skus("fries"), Quantity: 2}}}}},
			lines: []Line{ln("b", "burger", 1000000, "4.00"), ln("f", "fries", 1000001, "1.50")},
			// 500,000 bundles (fries run out) of 4.00 + 2 × 1.50 = 7.00 for 5.00 →
			// 1,000,000.00 off, allocated 4:3 over the bundled 2,000,000.00 of
			// burgers and 1,500,000.00 of fries: 571,428.57 + 428,571.43.
			want: map[string]string{"b": "3428571.43", "f": "1071430.07"},
			disc: "1000000.00",
		},
		{
			name: "tiered: spend 100 get 10, spend 200 get 25",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: Tiered, Target: all(), Tiers: []Tier{
					{Threshold: eur("200.00"), Amount: eur("25.00")}, {Threshold: eur("100.00"), Amount: eur("10.00")}}}}},
			lines: []Line{ln("a", "x", 1, "150.00")},
			want:  map[string]string{"a": "140.00"},
			disc:  "10.00",
		},
		{
			name: "tiered top tier",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: Tiered, Target: all(), Tiers: []Tier{
					{Threshold: eur("100.00"), Amount: eur("10.00")}, {Threshold: eur("200.00"), Percent: pct("12.5")}}}}},
			lines: []Line{ln("a", "x", 1, "150.00"), ln("b", "y", 1, "100.00")},
			// 12.5 % of 250.00 = 31.25: 18.75 + 12.50.
			want: map[string]string{"a": "131.25", "b": "87.50"},
			disc: "31.25",
		},
		{
			name: "free shipping over 50, twice, never negative",
			promos: []Promotion{
				{ID: "f1", Lane: Fulfilment, MinSubtotal: eur("50.00"), Effect: Effect{Kind: FeeDiscount, Percent: pct("100")}},
				{ID: "f2", Lane: Fulfilment, Effect: Effect{Kind: FeeDiscount, Amount: eur("10.00"), FeeModes: []channel.FulfilmentMode{channel.ShipToAddress}}},
			},
			lines: []Line{ln("a", "x", 1, "60.00")},
			fees:  []Fee{{ID: "ship", Mode: channel.ShipToAddress, Amount: eur("4.99")}, {ID: "cc", Mode: channel.ClickCollect, Amount: eur("1.00")}},
			want:  map[string]string{"a": "60.00", "ship": "0.00", "cc": "0.00"},
			disc:  "5.99",
		},
		{
			name: "fee discount by amount on one mode",
			promos: []Promotion{
				{ID: "f", Lane: Fulfilment, Effect: Effect{Kind: FeeDiscount, Amount: eur("3.00"), FeeModes: []channel.FulfilmentMode{channel.ShipToAddress}}},
			},
			lines: []Line{ln("a", "x", 1, "10.00")},
			fees:  []Fee{{ID: "ship", Mode: channel.ShipToAddress, Amount: eur("4.99")}, {ID: "cc", Mode: channel.ClickCollect, Amount: eur("1.00")}},
			want:  map[string]string{"a": "10.00", "ship": "1.99", "cc": "1.00"},
			disc:  "3.00",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustCompile(t, tt.promos...)
			ev := mustEval(t, s, tt.lines, tt.fees, webCtx(), Wallet{})
			if got := totals(ev); !maps.Equal(got, tt.want) {
				t.Errorf("totals = %v, want %v\n%+v", got, tt.want, ev.Explanations)
			}
			if ev.Discount.Amount() != tt.disc {
				t.Errorf("discount = %s, want %s", ev.Discount, tt.disc)
			}
		})
	}
}

func permutations[T any](xs []T) [][]T {
	if len(xs) <= 1 {
		return [][]T{slices.Clone(xs)}
	}
	var out [][]T
	for i := range xs {
		rest := append(slices.Clone(xs[:i]), xs[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]T{xs[i]}, p...))
		}
	}
	return out
}

func TestBuy3Get1AllPermutations(t *testing.T) {
	s := mustCompile(t, Promotion{ID: "b3g1", Lane: Basket,
		Effect: Effect{Kind: BuyXGetY, Buy: 3, Get: 1, Percent: pct("100"), Target: cats("toys")}})
	cases := []struct {
		name  string
		lines []Line
		want  map[string]string
	}{
		{
			name:  "4 units, one group, cheapest unit free",
			lines: []Line{ln("a", "car", 1, "10.00", "toys"), ln("b", "ball", 2, "5.00", "toys"), ln("c", "kite", 1, "7.00", "toys"), ln("d", "book", 1, "1.00", "books")},
			want:  map[string]string{"a": "10.00", "b": "5.00", "c": "7.00", "d": "1.00"},
		},
		{
			name:  "9 units, two groups, the two cheapest across lines",
			lines: []Line{ln("a", "car", 4, "10.00", "toys"), ln("b", "ball", 1, "5.00", "toys"), ln("c", "kite", 4, "7.00", "toys")},
			want:  map[string]string{"a": "40.00", "b": "0.00", "c": "21.00"},
		},
		{
			name:  "equal unit prices: the tie goes to the smaller line ID",
			lines: []Line{ln("z", "car", 1, "5.00", "toys"), ln("y", "ball", 1, "5.00", "toys"), ln("x", "kite", 2, "8.00", "toys")},
			want:  map[string]string{"x": "16.00", "y": "0.00", "z": "5.00"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var first string
			n := 0
			for _, p := range permutations(tc.lines) {
				ev := mustEval(t, s, p, nil, webCtx(), Wallet{})
				if got := totals(ev); !maps.Equal(got, tc.want) {
					t.Fatalf("order %v: totals %v, want %v", lineIDs(p), got, tc.want)
				}
				j := mustJSON(t, ev)
				if first == "" {
					first = j
				} else if j != first {
					t.Fatalf("order %v: result differs", lineIDs(p))
				}
				n++
			}
			if want := factorial(len(tc.lines)); n != want {
				t.Fatalf("%d permutations, want %d", n, want)
			}
		})
	}
}

func factorial(n int) int {
	if n <= 1 {
		return 1
	}
	return n * factorial(n-1)
}

func lineIDs(ls []Line) []string {
	ids := make([]string, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return ids
}

func TestThreeThirdsAllocation(t *testing.T) {
	s := mustCompile(t, Promotion{ID: "ten", Lane: Basket,
		Effect: Effect{Kind: BasketAmountOff, Amount: eur("10.00"), Target: all()}})
	base := []Line{ln("l1", "a", 1, "3.34"), ln("l2", "b", 1, "3.33"), ln("l3", "c", 1, "3.33")}
	for _, p := range permutations(base) {
		ev := mustEval(t, s, p, nil, webCtx(), Wallet{})
		// The whole basket is 10.00: everything goes, exactly.
		want := []string{"3.34", "3.33", "3.33"}
		for i, l := range ev.Lines {
			if got := l.Adjustments[0].Amount.Amount(); got != want[i] || !l.Total.IsZero() {
				t.Fatalf("line %s: adjustment %s total %s, want %s and 0", l.LineID, got, l.Total, want[i])
			}
		}
	}
	// 10.00 over three lines of 10.00 (1/3 each): 3.34 + 3.33 + 3.33 = 10.00.
	ev := mustEval(t, s, []Line{ln("c", "z", 1, "10.00"), ln("b", "y", 1, "10.00"), ln("a", "x", 1, "10.00")}, nil, webCtx(), Wallet{})
	var got []string
	var sum int64
	for _, l := range ev.Lines {
		got = append(got, l.Adjustments[0].Amount.Amount())
		sum += l.Adjustments[0].Amount.MinorUnits()
	}
	if !reflect.DeepEqual(got, []string{"3.34", "3.33", "3.33"}) || sum != 1000 {
		t.Fatalf("parts %v sum %d", got, sum)
	}
}
