package pricing

import (
	"math"
	"math/bits"
)

// Amounts live in [-maxUnits, maxUnits]: excluding math.MinInt64 makes
// negation and absolute value total.
const maxUnits = math.MaxInt64

// pow10 returns 10^n for 0 ≤ n ≤ 19 as a uint64.
func pow10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func abs64(x int64) uint64 {
	if x < 0 {
		return uint64(-x)
	}
	return uint64(x)
}

func addUnits(a, b int64) (int64, bool) {
	if (b > 0 && a > maxUnits-b) || (b < 0 && a < -maxUnits-b) {
		return 0, false
	}
	return a + b, true
}

// inRange reports whether s, the wrapped sum a + b, is their true sum and
// within ±maxUnits: what addUnits checks, in a form cheap enough to inline.
func inRange(a, b, s int64) bool {
	return (a^s)&(b^s) >= 0 && s != math.MinInt64
}

func mulUnits(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi != 0 || lo > maxUnits {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

// mulDivRound returns round(a·b/d) with one rounding in the given mode,
// computed exactly on 128 bits. d must be positive.
func mulDivRound(a, b int64, d uint64, mode RoundingMode) (int64, bool) {
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(abs64(a), abs64(b))
	if hi >= d {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, d)
	// Range-check the truncated quotient before rounding: q may be
	// MaxUint64, whose increment would wrap to 0 (issue 12, item 7).
	// Rounding moves |q| by at most one, so after this check it cannot wrap.
	if q > maxUnits {
		return 0, false
	}
	if roundAway(mode, q&1 == 1, compareHalf(r, d), r != 0, neg) {
		q++
	}
	if q > maxUnits {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}
