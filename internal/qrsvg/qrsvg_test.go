package qrsvg_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/internal/qrsvg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	qrcode "github.com/yeqown/go-qrcode/v2"
	"pgregory.net/rapid"
)

// document is an SVG document as encoding/xml reads it back.
type document struct {
	XMLName        xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox        string   `xml:"viewBox,attr"`
	Role           string   `xml:"role,attr"`
	ShapeRendering string   `xml:"shape-rendering,attr"`
	Title          string   `xml:"title"`
	Rects          []struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D           string `xml:"d,attr"`
		Fill        string `xml:"fill,attr"`
		Stroke      string `xml:"stroke,attr"`
		StrokeWidth string `xml:"stroke-width,attr"`
	} `xml:"path"`
	// Other catches any element the drawing should not have.
	Other []struct {
		XMLName xml.Name
	} `xml:",any"`
}

// readSVG parses svg strictly (every token, to the end: well-formed XML)
// and returns it with its modules re-read from the path, dark = true,
// including the quiet zone, as rows[y][x]. It fails the test on anything
// a QR reader or a browser could read differently from what the library
// computed: a stroke off a module's middle, a run that does not start
// and end on module edges, a second path, a fill.
func readSVG(t require.TestingT, svg []byte) (document, [][]bool) {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "well-formed XML: %s", svg)
	}
	var doc document
	require.NoError(t, xml.Unmarshal(svg, &doc))
	require.Empty(t, doc.Other, "no element but title, rect and path")
	require.Len(t, doc.Paths, 1, "one path")
	require.Len(t, doc.Rects, 1, "one background")
	p := doc.Paths[0]
	require.Equal(t, "none", p.Fill, "strokes only: a fill would paint between runs")
	require.Equal(t, "#000", p.Stroke)
	require.Contains(t, []string{"", "1"}, p.StrokeWidth, "one module wide")

	fields := strings.Fields(doc.ViewBox)
	require.Len(t, fields, 4, "viewBox %q", doc.ViewBox)
	require.Equal(t, []string{"0", "0"}, fields[:2])
	size, err := strconv.Atoi(fields[2])
	require.NoError(t, err)
	require.Equal(t, fields[2], fields[3], "square")
	require.Equal(t, doc.Rects[0].Width, fields[2])
	require.Equal(t, doc.Rects[0].Height, fields[2])
	require.Equal(t, "#fff", doc.Rects[0].Fill)

	rows := make([][]bool, size)
	for i := range rows {
		rows[i] = make([]bool, size)
	}
	// A tiny interpreter of the path commands the drawing may use.
	var x, y float64
	d := p.D
	num := func() float64 {
		i := 0
		for i < len(d) && (d[i] == '-' || d[i] == '.' || (d[i] >= '0' && d[i] <= '9')) {
			i++
		}
		v, err := strconv.ParseFloat(d[:i], 64)
		require.NoError(t, err, "a number at %q", d)
		d = strings.TrimPrefix(d[i:], " ")
		return v
	}
	for d != "" {
		cmd := d[0]
		d = d[1:]
		switch cmd {
		case 'M':
			x = num()
			y = num()
		case 'm':
			x += num()
			y += num()
		case 'h':
			n := num()
			row := y - 0.5
			switch {
			case n < 1 || n != float64(int(n)):
				require.Failf(t, "a run of whole modules", "not %v", n)
			case x != float64(int(x)) || row != float64(int(row)):
				require.Failf(t, "a run from a module's edge along its middle", "not (%v, %v)", x, y)
			case row < 0 || int(row) >= size || x < 0 || int(x+n) > size:
				require.Fail(t, "a run inside the viewBox")
			}
			for i := int(x); i < int(x+n); i++ {
				if rows[int(row)][i] {
					require.Failf(t, "a module drawn twice", "(%d, %v)", i, row)
				}
				rows[int(row)][i] = true
			}
			x += n
		default:
			require.Failf(t, "unexpected path command", "%q", cmd)
		}
	}
	return doc, rows
}

// libSymbol is the symbol go-qrcode computes for a text, asked
// independently of the package: its modules and which carry data, as
// [y][x].
type libSymbol struct{ dark, data [][]bool }

func librarySymbol(t require.TestingT, text string) libSymbol {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	require.NoError(t, err)
	var w matrixWriter
	require.NoError(t, qr.Save(&w))
	return w.sym
}

type matrixWriter struct{ sym libSymbol }

func (w *matrixWriter) Write(m qrcode.Matrix) error {
	w.sym.dark = m.Bitmap()
	w.sym.data = make([][]bool, m.Height())
	for y := range w.sym.data {
		w.sym.data[y] = make([]bool, m.Width())
	}
	m.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) { w.sym.data[y][x] = v.Type() == qrcode.QRType_DATA })
	return nil
}
func (w *matrixWriter) Close() error { return nil }

// masks are the eight mask patterns of ISO/IEC 18004 table 10, as
// functions of the row i and the column j.
var masks = [8]func(i, j int) bool{
	func(i, j int) bool { return (i+j)%2 == 0 },
	func(i, j int) bool { return i%2 == 0 },
	func(i, j int) bool { return j%3 == 0 },
	func(i, j int) bool { return (i+j)%3 == 0 },
	func(i, j int) bool { return (i/2+j/3)%2 == 0 },
	func(i, j int) bool { return i*j%2+i*j%3 == 0 },
	func(i, j int) bool { return (i*j%2+i*j%3)%2 == 0 },
	func(i, j int) bool { return ((i+j)%2+i*j%3)%2 == 0 },
}

// readFormat reads both copies of the format information of a symbol
// without its quiet zone, as a reader does (ISO/IEC 18004 §7.9, the most
// significant bit first): they must agree and be a valid codeword.
func readFormat(t require.TestingT, sym [][]bool) (level string, mask int) {
	n := len(sym)
	bit := func(x, y int) int {
		if sym[y][x] {
			return 1
		}
		return 0
	}
	var first, second int
	for _, xy := range [][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5}, {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}} {
		first = first<<1 | bit(xy[0], xy[1])
	}
	for i := range 7 {
		second = second<<1 | bit(8, n-1-i)
	}
	for i := range 8 {
		second = second<<1 | bit(n-8+i, 8)
	}
	require.Equal(t, first, second, "both copies of the format information agree")
	level, mask, ok := formatInfo(first)
	require.True(t, ok, "the format information %015b is a valid BCH codeword", first)
	return level, mask
}

// requireSameSymbol checks that the drawn modules are the library's
// symbol inside a quiet zone of light modules: the same function patterns
// module for module, and the same data once each is unmasked with the
// mask its format information names (the package picks the mask itself,
// deterministically, where the library may pick another on a tie).
func requireSameSymbol(t require.TestingT, want libSymbol, drawn [][]bool) {
	q := qrsvg.QuietZone
	n := len(want.dark)
	require.Equal(t, n+2*q, len(drawn), "the symbol plus its quiet zone")
	sym := make([][]bool, n)
	for y, row := range drawn {
		for x, dark := range row {
			inside := y >= q && y < q+n && x >= q && x < q+n
			if !inside && dark {
				require.Failf(t, "a dark module in the quiet zone", "(%d, %d)", x, y)
			}
		}
		if y >= q && y < q+n {
			sym[y-q] = row[q : q+n]
		}
	}
	drawnLevel, drawnMask := readFormat(t, sym)
	libLevel, libMask := readFormat(t, want.dark)
	require.Equal(t, libLevel, drawnLevel)
	// The library types alignment patterns as data but never masks
	// them: they are compared as they are.
	data := make([][]bool, n)
	for y := range data {
		data[y] = append([]bool(nil), want.data[y]...)
	}
	for _, cy := range qrsvg.AlignmentCentres(n) {
		for _, cx := range qrsvg.AlignmentCentres(n) {
			if want.data[cy][cx] {
				for y := cy - 2; y <= cy+2; y++ {
					for x := cx - 2; x <= cx+2; x++ {
						data[y][x] = false
					}
				}
			}
		}
	}
	format := map[[2]int]bool{}
	for _, xy := range [][2]int{{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {7, 8}, {8, 8}, {8, 7}, {8, 5}, {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0}} {
		format[xy] = true
	}
	for i := range 7 {
		format[[2]int{8, n - 1 - i}] = true
	}
	for i := range 8 {
		format[[2]int{n - 8 + i, 8}] = true
	}
	for y := range n {
		for x := range n {
			got, lib := sym[y][x], want.dark[y][x]
			switch {
			case format[[2]int{x, y}]:
				continue // read above
			case data[y][x]:
				got = got != masks[drawnMask](y, x)
				lib = lib != masks[libMask](y, x)
			}
			if got != lib {
				require.Failf(t, "a module differs from the library's", "(%d, %d) data %v: drawn %v, library %v (masks %d and %d)",
					x, y, data[y][x], got, lib, drawnMask, libMask)
			}
		}
	}
}

var examples = []struct{ name, text string }{
	{"location tag URL", "https://shop.example.com/ui/phone.html?location=lyon-bellecour&tag=AQHc0n3yQ8tX4l_6m1v2bF0kWw"},
	{"check-out token", "AQIBAAAAZ5xQ3wAAAAAAAAAAcGFydC1kaWV1bGVhX2JlbGxlY291cnR0b2tlbnNpZ25lZA"},
	{"digits", "0123456789012345"},
	{"alphanumeric", "HTTPS://EXAMPLE.COM/A B$%*+-./:"},
	{"accents and emoji", "Café crème ☕ — à bientôt"},
	{"kanji", "漢字テスト"},
	{"one byte", "x"},
	{"the longest", strings.Repeat("https://shop.example.com/", qrsvg.MaxTextBytes/25) + strings.Repeat("z", qrsvg.MaxTextBytes%25)},
}

// TestEncodeDrawsTheLibrarysSymbol decodes what Encode draws: the modules
// re-read from the SVG path are the library's, module for module, in a
// four-module quiet zone.
func TestEncodeDrawsTheLibrarysSymbol(t *testing.T) {
	for _, c := range examples {
		t.Run(c.name, func(t *testing.T) {
			svg, err := qrsvg.Encode(c.text)
			require.NoError(t, err)
			doc, drawn := readSVG(t, svg)
			requireSameSymbol(t, librarySymbol(t, c.text), drawn)
			assert.Equal(t, "img", doc.Role)
			assert.Equal(t, "crispEdges", doc.ShapeRendering)
			assert.Equal(t, qrsvg.DefaultTitle, doc.Title)
		})
	}
}

// TestEncodeUsesMediumErrorCorrection reads the format information the
// symbol carries beside its top-left finder, as a reader does, and finds
// level M; the second copy (bottom-left and top-right) agrees.
func TestEncodeUsesMediumErrorCorrection(t *testing.T) {
	for _, c := range examples {
		t.Run(c.name, func(t *testing.T) {
			svg, err := qrsvg.Encode(c.text)
			require.NoError(t, err)
			_, drawn := readSVG(t, svg)
			q := qrsvg.QuietZone
			sym := make([][]bool, 0, len(drawn)-2*q)
			for _, row := range drawn[q : len(drawn)-q] {
				sym = append(sym, row[q:len(row)-q])
			}
			level, mask := readFormat(t, sym)
			assert.Equal(t, "M", level)
			assert.Less(t, mask, 8)
		})
	}
}

// formatInfo decodes a 15-bit format information word: the error
// correction level and the mask pattern, if the word is one of the 32
// valid codewords (BCH(15,5), generator 10100110111, XOR 101010000010010).
func formatInfo(word int) (level string, mask int, ok bool) {
	for data := range 32 {
		rem := data << 10
		for bit := 14; bit >= 10; bit-- {
			if rem&(1<<bit) != 0 {
				rem ^= 0b10100110111 << (bit - 10)
			}
		}
		if (data<<10|rem)^0b101010000010010 == word {
			return [4]string{"M", "L", "H", "Q"}[data>>3], data & 7, true
		}
	}
	return "", 0, false
}

func TestEncodeRefusesBadInput(t *testing.T) {
	for _, c := range []struct {
		name, text, title string
		kind              error
		field             string
	}{
		{"empty text", "", "", qrsvg.ErrEmpty, "text"},
		{"text one byte too long", strings.Repeat("a", qrsvg.MaxTextBytes+1), "", qrsvg.ErrTooLong, "text"},
		{"text of multi-byte letters over the byte limit", strings.Repeat("é", qrsvg.MaxTextBytes/2+1), "", qrsvg.ErrTooLong, "text"},
		{"title one byte too long", "x", strings.Repeat("t", qrsvg.MaxTitleBytes+1), qrsvg.ErrTooLong, "title"},
	} {
		t.Run(c.name, func(t *testing.T) {
			svg, err := qrsvg.Encode(c.text, qrsvg.WithTitle(c.title))
			require.ErrorIs(t, err, c.kind)
			assert.Nil(t, svg)
			var in *qrsvg.InputError
			require.ErrorAs(t, err, &in)
			assert.Equal(t, c.field, in.Field)
			other := qrsvg.ErrEmpty
			if errors.Is(c.kind, qrsvg.ErrEmpty) {
				other = qrsvg.ErrTooLong
			}
			assert.NotErrorIs(t, err, other)
			assert.Contains(t, err.Error(), c.field)
		})
	}
	for _, limit := range []struct{ text, title string }{
		{strings.Repeat("a", qrsvg.MaxTextBytes), ""},
		{"x", strings.Repeat("t", qrsvg.MaxTitleBytes)},
	} {
		_, err := qrsvg.Encode(limit.text, qrsvg.WithTitle(limit.title))
		assert.NoError(t, err, "a limit is allowed")
	}
}

// TestTitleIsTextWhateverItHolds: the title is the accessible name, and
// markup in it stays text: the document has no element it did not draw.
func TestTitleIsTextWhateverItHolds(t *testing.T) {
	for _, title := range []string{
		"Scan to take your basket with you",
		`</title><script>alert("x")</script><title>`,
		"Tom & Jerry's <b>basket</b>",
		"]]><!-- -->",
		"line\nbreak\ttab",
	} {
		svg, err := qrsvg.Encode("x", qrsvg.WithTitle(title))
		require.NoError(t, err)
		doc, _ := readSVG(t, svg)
		assert.Equal(t, title, doc.Title)
		assert.NotContains(t, string(svg), "<script")
	}
	svg, err := qrsvg.Encode("x", qrsvg.WithTitle(""))
	require.NoError(t, err)
	doc, _ := readSVG(t, svg)
	assert.Equal(t, qrsvg.DefaultTitle, doc.Title, "an empty title is no accessible name: the default stands in")
}

// TestTitleCannotBreakTheDocument: a title of bytes that XML cannot carry
// (invalid UTF-8, control characters) is replaced, never written raw.
func TestTitleCannotBreakTheDocument(t *testing.T) {
	svg, err := qrsvg.Encode("x", qrsvg.WithTitle("a\x00b\xffc\x1b"))
	require.NoError(t, err)
	doc, _ := readSVG(t, svg)
	assert.Equal(t, "a\uFFFDb\uFFFDc\uFFFD", doc.Title)
}

// TestEncodeStaysSmall: runs are merged, so a location tag's code costs
// a few bytes per dark module, not a rectangle each (about 30 bytes).
func TestEncodeStaysSmall(t *testing.T) {
	for _, c := range examples {
		svg, err := qrsvg.Encode(c.text)
		require.NoError(t, err)
		dark := 0
		for _, row := range librarySymbol(t, c.text).dark {
			for _, d := range row {
				if d {
					dark++
				}
			}
		}
		assert.Less(t, len(svg), 300+4*dark, "%s: %d bytes for %d dark modules", c.name, len(svg), dark)
	}
}

// TestEncodeIsDeterministic: the same text draws the same document, run
// after run, including a text on which the library's masks tie (it then
// returns one symbol or another, by goroutine timing).
func TestEncodeIsDeterministic(t *testing.T) {
	texts := []string{"\xe9\x02\x01M\tH\x02\xe2\n"}
	for _, c := range examples {
		texts = append(texts, c.text)
	}
	for _, text := range texts {
		first, err := qrsvg.Encode(text, qrsvg.WithTitle("t"))
		require.NoError(t, err)
		for range 30 {
			again, err := qrsvg.Encode(text, qrsvg.WithTitle("t"))
			require.NoError(t, err)
			require.Equal(t, string(first), string(again), "%q", text)
		}
	}
}

// TestEveryEncodingIsWellFormed: for any text within the limit (any
// bytes, valid UTF-8 or not) and any title, the document is well-formed
// XML whose viewBox is a QR symbol's size (17 + 4 × version modules,
// version 1 to 40) plus the quiet zone, and whose modules are the
// library's.
func TestEveryEncodingIsWellFormed(t *testing.T) {
	rapid.Check(t, func(r *rapid.T) {
		var text string
		switch rapid.IntRange(0, 2).Draw(r, "alphabet") {
		case 0:
			text = rapid.StringN(1, 200, qrsvg.MaxTextBytes).Draw(r, "text")
		case 1:
			text = string(rapid.SliceOfN(rapid.Byte(), 1, qrsvg.MaxTextBytes).Draw(r, "bytes"))
		default:
			text = rapid.StringOfN(rapid.RuneFrom([]rune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")), 1, qrsvg.MaxTextBytes, qrsvg.MaxTextBytes).Draw(r, "alphanumeric")
		}
		title := rapid.StringN(0, 40, qrsvg.MaxTitleBytes).Draw(r, "title")
		svg, err := qrsvg.Encode(text, qrsvg.WithTitle(title))
		require.NoError(r, err)
		doc, drawn := readSVG(r, svg)
		side := len(drawn) - 2*qrsvg.QuietZone
		version := (side - 17) / 4
		require.Equal(r, side, 17+4*version, "a QR symbol's side")
		require.True(r, version >= 1 && version <= 40, "version %d", version)
		require.Equal(r, fmt.Sprintf("0 0 %d %d", len(drawn), len(drawn)), doc.ViewBox)
		requireSameSymbol(r, librarySymbol(r, text), drawn)
	})
}
