package qrsvg

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFormatWords: the format information of level M for each mask, as
// the standard's table (ISO/IEC 18004 table C.1) lists it.
func TestFormatWords(t *testing.T) {
	for p, want := range []int{
		0b101010000010010, 0b101000100100101, 0b101111001111100, 0b101101101001011,
		0b100010111111001, 0b100000011001110, 0b100111110010111, 0b100101010100000,
	} {
		assert.Equal(t, want, formatWord(p), "mask %d: %015b", p, formatWord(p))
	}
}

// TestPenalty scores symbols whose penalties are counted by hand.
func TestPenalty(t *testing.T) {
	square := func(n int, dark func(x, y int) bool) [][]bool {
		c := make([][]bool, n)
		for y := range c {
			c[y] = make([]bool, n)
			for x := range c[y] {
				c[y][x] = dark(x, y)
			}
		}
		return c
	}
	for _, c := range []struct {
		name string
		sym  [][]bool
		want int
	}{
		// 42 runs of 21 (3 + 16 each), 400 blocks of 2×2, no dark
		// module: 10 × 10 for a 50 % deviation.
		{"all light", square(21, func(x, y int) bool { return false }), 42*19 + 400*3 + 100},
		// No run, no block, no finder-like pattern, 221 of 441 dark.
		{"checkerboard", square(21, func(x, y int) bool { return (x+y)%2 == 0 }), 0},
		// Stripes one module high: each row is a run of 21, the columns
		// alternate, no 2×2 block, 231 of 441 dark (under 5 % off half).
		{"rows", square(21, func(x, y int) bool { return y%2 == 0 }), 21*19 + 0 + 0},
		// One finder-like row (1011101 then 0000) in a checkerboard of
		// 11: a run of 4 light modules is no penalty, the pattern is 40,
		// and the column runs stay short.
		{"finder-like", square(11, func(x, y int) bool {
			if y == 0 {
				return []bool{true, false, true, true, true, false, true, false, false, false, false}[x]
			}
			return (x+y)%2 == 1
		}), 40},
	} {
		assert.Equal(t, c.want, penalty(c.sym), c.name)
	}
}

// TestAlignmentCentres: the positions of ISO/IEC 18004 table E.1 for
// versions of every row length, and version 32, the one irregular step.
func TestAlignmentCentres(t *testing.T) {
	for version, want := range map[int][]int{
		1:  nil,
		2:  {6, 18},
		6:  {6, 34},
		7:  {6, 22, 38},
		14: {6, 26, 46, 66},
		21: {6, 28, 50, 72, 94},
		28: {6, 26, 50, 74, 98, 122},
		32: {6, 34, 60, 86, 112, 138},
		36: {6, 24, 50, 76, 102, 128, 154},
		40: {6, 30, 58, 86, 114, 142, 170},
	} {
		assert.Equal(t, want, alignmentCentres(17+4*version), "version %d", version)
	}
}
