// Package qrsvg draws a QR code as a small, accessible SVG document: the
// picture the tablet shows for a check-out ticket and the store prints for
// its location tag, served by POST /v1/qr so that a token never travels in
// a URL to a third-party image service.
//
// The symbol is computed by github.com/yeqown/go-qrcode/v2, core package
// only: a maintained module, versioned as a Go v2 module, whose core
// depends on one small Reed–Solomon package (plus golang.org/x/text, which
// this module already uses, for Kanji mode). Its writer/* subpackages,
// which pull image libraries, are not imported: the bitmap is read through
// the core's [qrcode.Writer] interface and drawn here. The other
// well-known encoder, github.com/skip2/go-qrcode, has had no release since
// 2020.
//
// The drawing follows ISO/IEC 18004: medium error correction (15 % of the
// symbol can be lost: a smudged screen, a glare), a quiet zone of four
// modules, dark modules on white. Each row's runs of dark modules are
// merged into one horizontal stroke, so that the document stays a few
// kilobytes for a URL and renders without gaps (shape-rendering
// crispEdges). The viewBox is in modules and the document has no size:
// the page sizes it. The mask is chosen here, by the standard's penalty
// with a fixed tie-break, so that a text always draws the same document
// (the library's own choice varies on a tie; see remask).
package qrsvg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// Limits of [Encode].
const (
	// MaxTextBytes is the longest text encoded, in bytes: a check-out
	// ticket or a location-tag URL is a few hundred; past a kilobyte the
	// symbol (version 30 and up) is too dense for a phone at arm's length.
	MaxTextBytes = 1024
	// MaxTitleBytes is the longest title, in bytes: a sentence a screen
	// reader reads out, not a document.
	MaxTitleBytes = 256
	// QuietZone is the white margin around the symbol, in modules, that
	// the standard requires for a reader to find the finder patterns.
	QuietZone = 4
	// DefaultTitle is the title of a code whose caller gives none: an
	// image without an accessible name is skipped by screen readers.
	DefaultTitle = "QR code"
)

// The kinds of input errors, each matched by an [*InputError].
var (
	// ErrEmpty: there is no text to encode.
	ErrEmpty = errors.New("qrsvg: empty text")
	// ErrTooLong: the text or the title is over its limit.
	ErrTooLong = errors.New("qrsvg: too long")
)

// InputError says which input of [Encode] was refused and why. It matches
// its Kind ([ErrEmpty] or [ErrTooLong]), so that a caller can tell the
// shopper's mistake from a fault of the encoder.
type InputError struct {
	// Field is "text" or "title".
	Field string
	// Len is the input's length in bytes, Max its limit.
	Len, Max int
	Kind     error
}

func (e *InputError) Error() string {
	if errors.Is(e.Kind, ErrEmpty) {
		return "qrsvg: the " + e.Field + " is empty"
	}
	return fmt.Sprintf("qrsvg: the %s is %d bytes, over the limit of %d", e.Field, e.Len, e.Max)
}

// Unwrap returns the error's kind.
func (e *InputError) Unwrap() error { return e.Kind }

// An Option changes how [Encode] draws a code.
type Option func(*options)

type options struct {
	title string
}

// WithTitle sets the document's <title>, the code's accessible name ("Scan
// to take your basket with you"); it is escaped, so any text is safe.
// Without it the title is [DefaultTitle].
func WithTitle(title string) Option {
	return func(o *options) { o.title = title }
}

// Encode draws text as a QR code: an SVG document with role="img" and a
// <title>, whose viewBox is the symbol plus its quiet zone, in modules.
// Empty text, or text or a title over their limits, gets an
// [*InputError]; any other error is the encoder's fault.
func Encode(text string, opts ...Option) ([]byte, error) {
	o := options{title: DefaultTitle}
	for _, opt := range opts {
		opt(&o)
	}
	switch {
	case text == "":
		return nil, &InputError{Field: "text", Max: MaxTextBytes, Kind: ErrEmpty}
	case len(text) > MaxTextBytes:
		return nil, &InputError{Field: "text", Len: len(text), Max: MaxTextBytes, Kind: ErrTooLong}
	case len(o.title) > MaxTitleBytes:
		return nil, &InputError{Field: "title", Len: len(o.title), Max: MaxTitleBytes, Kind: ErrTooLong}
	}
	if o.title == "" {
		o.title = DefaultTitle
	}
	modules, err := symbol(text)
	if err != nil {
		return nil, err
	}
	return draw(modules, o.title), nil
}

// symbol is the QR code of text as rows of modules, true for dark, without
// the quiet zone, masked here (see remask).
func symbol(text string) ([][]bool, error) {
	qr, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("qrsvg: encoding the text: %w", err)
	}
	var w matrixWriter
	if err := qr.Save(&w); err != nil {
		return nil, fmt.Errorf("qrsvg: reading the symbol: %w", err)
	}
	if w.m == nil || w.m.Width() < 21 || w.m.Width() != w.m.Height() {
		return nil, errors.New("qrsvg: the encoder drew no symbol")
	}
	return remask(readGrid(w.m))
}

// matrixWriter is the core's Writer interface reduced to keeping the
// matrix: the package's own writers would pull image libraries.
type matrixWriter struct{ m *qrcode.Matrix }

func (w *matrixWriter) Write(m qrcode.Matrix) error {
	w.m = &m
	return nil
}

func (w *matrixWriter) Close() error { return nil }

// draw writes the document. Each row's runs of dark modules are strokes
// one module wide along the row's middle (y + 0.5): "M x y.5h n" for the
// first run of a row, "m gap 0h n" for the next ones (relative to the end
// of the previous run). Butt caps make a stroke cover exactly its
// modules.
func draw(modules [][]bool, title string) []byte {
	size := strconv.Itoa(len(modules) + 2*QuietZone)
	var b bytes.Buffer
	b.Grow(256 + 2*len(modules)*len(modules)) // about what a symbol takes
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ` + size + " " + size +
		`" role="img" shape-rendering="crispEdges"><title>`)
	_ = xml.EscapeText(&b, []byte(title)) // a bytes.Buffer never fails
	b.WriteString(`</title><rect width="` + size + `" height="` + size + `" fill="#fff"/><path fill="none" stroke="#000" d="`)
	for y, row := range modules {
		end := -1 // where the row's previous run ended; -1 before the first
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			n := 1
			for x+n < len(row) && row[x+n] {
				n++
			}
			if end < 0 {
				b.WriteByte('M')
				b.WriteString(strconv.Itoa(x + QuietZone))
				b.WriteByte(' ')
				b.WriteString(strconv.Itoa(y + QuietZone))
				b.WriteString(".5")
			} else {
				b.WriteByte('m')
				b.WriteString(strconv.Itoa(x - end))
				b.WriteString(" 0")
			}
			b.WriteByte('h')
			b.WriteString(strconv.Itoa(n))
			x += n
			end = x
		}
	}
	b.WriteString(`"/></svg>`)
	return b.Bytes()
}
