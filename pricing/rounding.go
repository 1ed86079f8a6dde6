package pricing

import "fmt"

// RoundingMode says how a value between two representable amounts is
// rounded. The zero value is [HalfEven], the banker's rounding that keeps
// sums unbiased.
type RoundingMode uint8

// The rounding modes.
const (
	HalfEven RoundingMode = iota // to nearest, ties to the even neighbour
	HalfUp                       // to nearest, ties away from zero
	HalfDown                     // to nearest, ties toward zero
	Up                           // away from zero
	Down                         // toward zero (truncation)
	Ceiling                      // toward +∞
	Floor                        // toward −∞
)

// String names the mode.
func (m RoundingMode) String() string {
	switch m {
	case HalfEven:
		return "half-even"
	case HalfUp:
		return "half-up"
	case HalfDown:
		return "half-down"
	case Up:
		return "up"
	case Down:
		return "down"
	case Ceiling:
		return "ceiling"
	case Floor:
		return "floor"
	}
	return fmt.Sprintf("rounding(%d)", uint8(m))
}

// Valid reports whether m is a declared mode.
func (m RoundingMode) Valid() bool { return m <= Floor }

// roundAway decides whether a truncated quotient must move one step away
// from zero. qOdd is the parity of the truncated quotient, half compares the
// discarded part with one half (-1 below, 0 equal, +1 above), inexact says
// whether anything was discarded at all, and neg is the sign of the exact
// result.
func roundAway(mode RoundingMode, qOdd bool, half int, inexact, neg bool) bool {
	if !inexact {
		return false
	}
	switch mode {
	case HalfUp:
		return half >= 0
	case HalfDown:
		return half > 0
	case Up:
		return true
	case Down:
		return false
	case Ceiling:
		return !neg
	case Floor:
		return neg
	default: // HalfEven
		return half > 0 || (half == 0 && qOdd)
	}
}

// compareHalf compares rem/den with 1/2 without overflow (0 ≤ rem < den).
func compareHalf(rem, den uint64) int {
	switch {
	case rem > den-rem:
		return 1
	case rem < den-rem:
		return -1
	}
	return 0
}
