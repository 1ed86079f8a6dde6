package qrsvg

import (
	"errors"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// The mask is chosen here, not by the library: go-qrcode scores its eight
// masks in eight goroutines and keeps the first lowest score to arrive,
// so that on a tie (a few texts in a hundred) the same text gives one
// symbol or another from run to run. Both scan, but a code that changes
// on every request defeats caching, golden files and reproducible
// tests. The library's symbol is unmasked (its data modules are typed),
// and the mask of lowest ISO/IEC 18004 penalty is applied, the lowest
// pattern number winning a tie.

// A grid is a symbol being masked: dark modules and which of them carry
// data (the mask applies to those only), as [y][x].
type grid struct {
	dark, data [][]bool
}

// readGrid copies the library's matrix.
func readGrid(m *qrcode.Matrix) grid {
	n := m.Width()
	g := grid{dark: make([][]bool, n), data: make([][]bool, n)}
	for y := range n {
		g.dark[y] = make([]bool, n)
		g.data[y] = make([]bool, n)
	}
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		g.dark[y][x] = v.IsSet()
		g.data[y][x] = v.Type() == qrcode.QRType_DATA
	})
	// The library types its alignment patterns as data (but never masks
	// them): they are function patterns, left as they are.
	for _, y := range alignmentCentres(n) {
		for _, x := range alignmentCentres(n) {
			if g.data[y][x] {
				for dy := -2; dy <= 2; dy++ {
					for dx := -2; dx <= 2; dx++ {
						g.data[y+dy][x+dx] = false
					}
				}
			}
		}
	}
	return g
}

// alignmentCentres are the rows (and the columns) of the alignment
// patterns' centres of a symbol of side n (ISO/IEC 18004 annex E), in
// increasing order; those that would overlap a finder pattern are not
// drawn (their centre is not a data module).
func alignmentCentres(n int) []int {
	version := (n - 17) / 4
	if version < 2 {
		return nil
	}
	count := version/7 + 2
	step := (version*8 + count*3 + 5) / (count*4 - 4) * 2
	out := make([]int, count)
	out[0] = 6
	for i, pos := count-1, n-7; i >= 1; i, pos = i-1, pos-step {
		out[i] = pos
	}
	return out
}

// maskBit reports whether mask pattern p inverts the module at row y,
// column x (ISO/IEC 18004 table 10, i = row, j = column).
func maskBit(p, x, y int) bool {
	switch p {
	case 0:
		return (y+x)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (y+x)%3 == 0
	case 4:
		return (y/2+x/3)%2 == 0
	case 5:
		return (y*x)%2+(y*x)%3 == 0
	case 6:
		return ((y*x)%2+(y*x)%3)%2 == 0
	}
	return ((y+x)%2+(y*x)%3)%2 == 0
}

// formatPositions are where the 15 bits of the format information go,
// most significant first, as (x, y): beside the top-left finder, and the
// copy split between the bottom-left and top-right finders (n is the
// symbol's side).
func formatPositions(n int) (first, second [15][2]int) {
	first = [15][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5}, {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}}
	for i := range 7 {
		second[i] = [2]int{8, n - 1 - i}
	}
	for i := range 8 {
		second[7+i] = [2]int{n - 8 + i, 8}
	}
	return first, second
}

// formatMask is XORed into the format information so that it is never
// all light.
const formatMask = 0b101010000010010

// formatWord is the format information of level M (00) and mask pattern
// p: five data bits and their BCH(15,5) remainder.
func formatWord(p int) int {
	data := 0b00<<3 | p
	rem := data << 10
	for bit := 14; bit >= 10; bit-- {
		if rem&(1<<bit) != 0 {
			rem ^= 0b10100110111 << (bit - 10)
		}
	}
	return (data<<10 | rem) ^ formatMask
}

var errFormat = errors.New("qrsvg: the encoder's format information is not level M")

// remask replaces the library's mask with the one of lowest penalty.
func remask(g grid) ([][]bool, error) {
	n := len(g.dark)
	first, _ := formatPositions(n)
	word := 0
	for _, xy := range first {
		word <<= 1
		if g.dark[xy[1]][xy[0]] {
			word |= 1
		}
	}
	used := -1
	for p := range 8 {
		if formatWord(p) == word {
			used = p
		}
	}
	if used < 0 {
		return nil, errFormat
	}
	var best [][]bool
	bestScore := 0
	for p := range 8 {
		c := make([][]bool, n)
		for y := range n {
			c[y] = make([]bool, n)
			for x := range n {
				c[y][x] = g.dark[y][x]
				if g.data[y][x] && maskBit(used, x, y) != maskBit(p, x, y) {
					c[y][x] = !c[y][x]
				}
			}
		}
		writeFormat(c, formatWord(p))
		if s := penalty(c); best == nil || s < bestScore {
			best, bestScore = c, s
		}
	}
	return best, nil
}

// writeFormat writes both copies of the format information.
func writeFormat(c [][]bool, word int) {
	first, second := formatPositions(len(c))
	for i := range 15 {
		bit := word&(1<<(14-i)) != 0
		c[first[i][1]][first[i][0]] = bit
		c[second[i][1]][second[i][0]] = bit
	}
}

// penalty is the ISO/IEC 18004 §7.8.3 score of a masked symbol: runs of
// five or more modules of one colour, 2×2 blocks, finder-like patterns,
// and the balance of dark and light. Lower reads better.
func penalty(c [][]bool) int {
	n := len(c)
	at := func(x, y int, columns bool) bool {
		if columns {
			return c[x][y]
		}
		return c[y][x]
	}
	score := 0
	for _, columns := range []bool{false, true} {
		for y := range n {
			run := 1
			for x := 1; x <= n; x++ {
				if x < n && at(x, y, columns) == at(x-1, y, columns) {
					run++
					continue
				}
				if run >= 5 {
					score += 3 + run - 5
				}
				run = 1
			}
			// 1:1:3:1:1 with four light modules on one side.
			bits := 0 // the last 11 modules, the latest lowest
			for x := range n {
				bits = bits << 1 & 0b11111111111
				if at(x, y, columns) {
					bits |= 1
				}
				if x >= 10 && (bits == 0b10111010000 || bits == 0b00001011101) {
					score += 40
				}
			}
		}
	}
	dark := 0
	for y := range n {
		for x := range n {
			if c[y][x] {
				dark++
			}
			if x+1 < n && y+1 < n && c[y][x] == c[y][x+1] && c[y][x] == c[y+1][x] && c[y][x] == c[y+1][x+1] {
				score += 3
			}
		}
	}
	// 10 points for every full 5 % the dark share is away from half.
	total := n * n
	dev := dark*20 - total*10
	if dev < 0 {
		dev = -dev
	}
	score += dev / total * 10
	return score
}
