package pricing

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestAllocateExamples(t *testing.T) {
	eur := MustCurrency("EUR")
	m := func(u int64) Money { return Money{units: u, cur: eur} }
	tests := []struct {
		name   string
		total  int64
		shares []Share
		want   []int64
		err    error
	}{
		{"thirds", 1000, []Share{{"a", 333}, {"b", 333}, {"c", 333}}, []int64{334, 333, 333}, nil},
		{"thirds, keys decide ties not order", 1000, []Share{{"c", 333}, {"b", 333}, {"a", 333}}, []int64{333, 333, 334}, nil},
		{"proportional", 1000, []Share{{"a", 100}, {"b", 300}}, []int64{250, 750}, nil},
		{"one cent over three", 1, []Share{{"a", 1}, {"b", 1}, {"c", 1}}, []int64{1, 0, 0}, nil},
		{"zero weight gets nothing", 500, []Share{{"a", 0}, {"b", 7}}, []int64{0, 500}, nil},
		{"100 % discount never exceeds weights", 999, []Share{{"a", 333}, {"b", 333}, {"c", 333}}, []int64{333, 333, 333}, nil},
		{"zero total", 0, []Share{{"a", 0}}, []int64{0}, nil},
		{"negative weight", 100, []Share{{"a", -1}, {"b", 2}}, nil, ErrInvalid},
		{"negative total", -100, []Share{{"a", 1}}, nil, ErrInvalid},
		{"all zero weights", 100, []Share{{"a", 0}, {"b", 0}}, nil, ErrInvalid},
		{"no shares", 100, nil, nil, ErrInvalid},
		{"duplicate keys", 100, []Share{{"a", 1}, {"a", 2}}, nil, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(m(tt.total), tt.shares)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			units := make([]int64, len(got))
			for i, g := range got {
				units[i] = g.units
			}
			assert.Equal(t, tt.want, units)
		})
	}
}

func TestAllocateProperties(t *testing.T) {
	eur := MustCurrency("EUR")
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 40).Draw(t, "n")
		shares := make([]Share, n)
		var sum int64
		for i := range shares {
			w := rapid.Int64Range(0, 1_000_000).Draw(t, "w")
			shares[i] = Share{Key: fmt.Sprintf("line-%03d", i), Weight: w}
			sum += w
		}
		if sum == 0 {
			shares[0].Weight, sum = 1, 1
		}
		total := rapid.Int64Range(0, sum).Draw(t, "total")
		parts, err := Allocate(Money{units: total, cur: eur}, shares)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		byKey := map[string]int64{}
		for i, p := range parts {
			if p.units < 0 || p.units > shares[i].Weight {
				t.Fatalf("part %d = %d outside [0, weight %d]", i, p.units, shares[i].Weight)
			}
			got += p.units
			byKey[shares[i].Key] = p.units
		}
		if got != total {
			t.Fatalf("parts sum to %d, want %d", got, total)
		}
		// Order independence: a permutation gives each key the same part.
		perm := rapid.Permutation(shares).Draw(t, "perm")
		parts2, err := Allocate(Money{units: total, cur: eur}, perm)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range parts2 {
			if byKey[perm[i].Key] != p.units {
				t.Fatalf("key %s got %d after shuffle, %d before", perm[i].Key, p.units, byKey[perm[i].Key])
			}
		}
	})
}
