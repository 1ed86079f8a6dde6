package pricing

import (
	"cmp"
	"math/bits"
	"slices"
)

// Share is one recipient of an allocation: a stable key (a line ID) and a
// non-negative weight (normally the line amount in minor units).
type Share struct {
	Key    string
	Weight int64
}

// Allocate splits total over shares in proportion to their weights, on
// whole minor units, by the largest-remainder method: every share first gets
// the floor of its exact part, then the units left over go one each to the
// shares with the largest remainders, ties broken by key (so the result does
// not depend on the order of shares). The parts always sum exactly to total,
// are returned in the order of shares, and when 0 ≤ total ≤ Σ weights no part
// exceeds its weight.
//
// Errors (matching [ErrInvalid]): no shares, a negative total, a negative
// weight, all weights zero with a non-zero total, duplicate keys; weights
// whose sum exceeds 2^64−1 match [ErrOverflow].
func Allocate(total Money, shares []Share) ([]Money, error) {
	if total.cur.IsZero() {
		return nil, invalid("total", "zero currency")
	}
	if len(shares) == 0 {
		return nil, invalid("shares", "nothing to allocate over")
	}
	if total.units < 0 {
		return nil, invalid("total", "%s is negative", total)
	}
	var sum uint64
	for _, s := range shares {
		if s.Weight < 0 {
			return nil, invalid("shares", "weight of %q is negative", s.Key)
		}
		var carry uint64
		sum, carry = bits.Add64(sum, uint64(s.Weight), 0)
		if carry != 0 {
			return nil, &InputError{Field: "shares", Reason: "sum of weights overflows", Kind: ErrOverflow}
		}
	}
	out := make([]Money, len(shares))
	if total.units == 0 {
		for i := range out {
			out[i] = Money{cur: total.cur}
		}
		return out, checkUniqueKeys(shares)
	}
	if sum == 0 {
		return nil, invalid("shares", "all weights are zero")
	}
	type rest struct {
		idx int
		rem uint64
	}
	rests := make([]rest, len(shares))
	left := uint64(total.units)
	for i, s := range shares {
		hi, lo := bits.Mul64(uint64(total.units), uint64(s.Weight))
		q, r := bits.Div64(hi, lo, sum) // hi < sum because weight ≤ sum
		out[i] = Money{units: int64(q), cur: total.cur}
		rests[i] = rest{idx: i, rem: r}
		left -= q
	}
	slices.SortFunc(rests, func(a, b rest) int {
		if c := cmp.Compare(b.rem, a.rem); c != 0 {
			return c
		}
		return cmp.Compare(shares[a.idx].Key, shares[b.idx].Key)
	})
	if err := checkUniqueKeys(shares); err != nil {
		return nil, err
	}
	for i := uint64(0); i < left; i++ {
		out[rests[i].idx].units++
	}
	return out, nil
}

func checkUniqueKeys(shares []Share) error {
	if len(shares) < 2 {
		return nil
	}
	keys := make([]string, len(shares))
	for i, s := range shares {
		keys[i] = s.Key
	}
	slices.Sort(keys)
	for i := 1; i < len(keys); i++ {
		if keys[i] == keys[i-1] {
			return invalid("shares", "duplicate key %q", keys[i])
		}
	}
	return nil
}
