package csv

import (
	"bufio"
	"bytes"
	"context"
	encsv "encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// schema is the set of columns of one kind of file.
type schema struct {
	columns  []string // canonical names
	required []string
}

// errBadRow is returned by an emit function that rejected its row after
// recording why with reader.fail.
var errBadRow = errors.New("csv: bad row")

// reader reads one file row by row and collects the problems.
type reader struct {
	opts  Options
	file  string
	cr    *encsv.Reader
	bom   int64
	mark  byte // decimal mark
	loc   *time.Location
	every int64

	header []string       // as written
	col    map[string]int // canonical name → field index
	rec    []string       // current row
	rows   int64

	errs      []*RowError
	rowFailed bool
	badRows   int
	aborted   bool
}

// utf8BOM is the UTF-8 byte-order mark some exports start with.
const utf8BOM = "\xEF\xBB\xBF"

// run reads in with the schema, calling parse on every data row and emit
// with each parsed value. It returns nil, a *LoadError, an error of emit,
// ctx.Err(), or a read error of in.
func run[T any](ctx context.Context, in io.Reader, opts Options, sch schema, parse func(*reader) (T, bool), emit func(*reader, T) error) error {
	rd, err := open(in, opts, sch)
	if err != nil {
		return err
	}
	for {
		if rd.rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		more, err := rd.next()
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if rd.rowFailed {
			if rd.stop() {
				return rd.result()
			}
			continue
		}
		v, ok := parse(rd)
		if ok {
			err := emit(rd, v)
			switch {
			case errors.Is(err, errBadRow):
				ok = false
			case err != nil:
				return err
			}
		}
		if !ok && rd.stop() {
			return rd.result()
		}
	}
	if rd.opts.Progress != nil {
		rd.opts.Progress(Progress{Rows: rd.rows, Bytes: rd.bom + rd.cr.InputOffset(), Done: true})
	}
	return rd.result()
}

// open detects the byte-order mark and the separator and reads the header.
func open(in io.Reader, opts Options, sch schema) (*reader, error) {
	rd := &reader{opts: opts, file: opts.File, loc: opts.Location, every: opts.ProgressEvery}
	if rd.file == "" {
		rd.file = "<input>"
	}
	if rd.loc == nil {
		rd.loc = time.UTC
	}
	if rd.every <= 0 {
		rd.every = DefaultProgressEvery
	}
	br := bufio.NewReaderSize(in, 64<<10)
	if b, _ := br.Peek(len(utf8BOM)); string(b) == utf8BOM {
		_, _ = br.Discard(len(utf8BOM))
		rd.bom = int64(len(utf8BOM))
	}
	comma := opts.Comma
	switch {
	case comma == 0:
		comma = detectComma(br)
	case comma == '"' || comma == '\r' || comma == '\n' || comma == utf8.RuneError || !utf8.ValidRune(comma):
		return nil, rd.fatal(1, "", fmt.Sprintf("separator %q cannot be used", comma), nil)
	}
	switch opts.DecimalMark {
	case 0:
		rd.mark = '.'
		if comma == ';' {
			rd.mark = ','
		}
	case '.', ',':
		rd.mark = byte(opts.DecimalMark)
	default:
		return nil, rd.fatal(1, "", fmt.Sprintf("decimal mark %q is neither '.' nor ','", opts.DecimalMark), nil)
	}
	rd.cr = encsv.NewReader(br)
	rd.cr.Comma = comma
	rd.cr.FieldsPerRecord = -1
	rd.cr.ReuseRecord = true
	header, err := rd.cr.Read()
	switch {
	case err == io.EOF:
		return nil, rd.fatal(1, "", "empty input: the header line is missing", nil)
	case err != nil:
		return nil, rd.readError(err)
	}
	rd.header = slices.Clone(header)
	if err := rd.bind(sch); err != nil {
		return nil, err
	}
	return rd, nil
}

// detectComma returns the most frequent candidate separator of the first
// line, outside quotes; ',' when there is none.
func detectComma(br *bufio.Reader) rune {
	var line []byte
	for n := 512; ; n *= 2 {
		n = min(n, br.Size())
		b, err := br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line = b[:i]
			break
		}
		if err != nil || n == br.Size() {
			line = b
			break
		}
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}

// normalizeName is the canonical form of a header name: trimmed, lower
// case, with spaces and hyphens turned into underscores.
func normalizeName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// bind maps the header onto the schema.
func (rd *reader) bind(sch schema) error {
	renamed := make(map[string]string, len(rd.opts.ColumnNames))
	for from, to := range rd.opts.ColumnNames {
		renamed[normalizeName(from)] = normalizeName(to)
	}
	rd.col = make(map[string]int, len(rd.header))
	for i, h := range rd.header {
		if !utf8.ValidString(h) {
			return rd.fatal(1, h, "header name is not valid UTF-8", nil)
		}
		name := normalizeName(h)
		if to, ok := renamed[name]; ok {
			name = to
		}
		if !slices.Contains(sch.columns, name) {
			if rd.opts.IgnoreUnknownColumns {
				continue
			}
			return rd.fatal(1, h, fmt.Sprintf("unknown column (the columns are %s)", strings.Join(sch.columns, ", ")), nil)
		}
		if j, dup := rd.col[name]; dup {
			return rd.fatal(1, h, fmt.Sprintf("column given twice (also field %d)", j+1), nil)
		}
		rd.col[name] = i
	}
	for _, name := range sch.required {
		if _, ok := rd.col[name]; !ok {
			return rd.fatal(1, name, "required column is missing", nil)
		}
	}
	return nil
}

// next reads the next data row. Blank rows are skipped; a row with the
// wrong number of fields or invalid UTF-8 is recorded and flagged in
// rowFailed. It returns false at the end of the input.
func (rd *reader) next() (bool, error) {
	for {
		rec, err := rd.cr.Read()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, rd.readError(err)
		}
		rd.rows++
		rd.rec, rd.rowFailed = rec, false
		if rd.opts.Progress != nil && rd.rows%rd.every == 0 {
			rd.opts.Progress(Progress{Rows: rd.rows, Bytes: rd.bom + rd.cr.InputOffset()})
		}
		if blank(rec) {
			continue
		}
		if len(rec) != len(rd.header) {
			rd.fail("", fmt.Sprintf("%d fields, but the header has %d", len(rec), len(rd.header)), nil)
			return true, nil
		}
		for i, f := range rec {
			if !utf8.ValidString(f) {
				rd.failField(i, "not valid UTF-8 (convert the file from its code page first)", nil)
				return true, nil
			}
		}
		return true, nil
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// readError turns an error of the CSV reader into a fatal *LoadError, or
// wraps an I/O error.
func (rd *reader) readError(err error) error {
	var pe *encsv.ParseError
	if errors.As(err, &pe) {
		return rd.fatal(pe.Line, "", fmt.Sprintf("CSV syntax: %v (byte %d of the line)", pe.Err, pe.Column), pe)
	}
	return fmt.Errorf("csv: reading %s: %w", rd.file, err)
}

// fatal records a problem that ends the load and returns the result.
func (rd *reader) fatal(line int, column, reason string, cause error) error {
	rd.errs = append(rd.errs, &RowError{File: rd.file, Line: line, Column: column, Reason: clipReason(reason), Err: cause})
	rd.aborted = true
	return rd.result()
}

// line returns the line of field i of the current row (of the row when i
// is negative).
func (rd *reader) line(i int) int {
	if i < 0 || i >= len(rd.rec) {
		i = 0
	}
	l, _ := rd.cr.FieldPos(i)
	return l
}

// fail records a problem of the current row in the named column ("" for
// the whole row).
func (rd *reader) fail(column, reason string, cause error) {
	i, ok := rd.col[column]
	if !ok {
		rd.add(rd.line(-1), column, reason, cause)
		return
	}
	rd.failField(i, reason, cause)
}

func (rd *reader) failField(i int, reason string, cause error) {
	rd.add(rd.line(i), rd.header[i], reason, cause)
}

// add records a problem; every row error goes through here or fatal, where
// the reason is bounded whatever wrote it.
func (rd *reader) add(line int, column, reason string, cause error) {
	rd.errs = append(rd.errs, &RowError{File: rd.file, Line: line, Column: column, Reason: clipReason(reason), Err: cause})
	rd.rowFailed = true
}

// stop counts a bad row and says whether reading ends there.
func (rd *reader) stop() bool {
	rd.badRows++
	if rd.badRows > rd.opts.MaxErrors {
		rd.aborted = true
	}
	return rd.aborted
}

// result is the outcome of the load so far: nil or a *LoadError.
func (rd *reader) result() error {
	if len(rd.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(rd.errs, func(a, b *RowError) int { return a.Line - b.Line })
	return &LoadError{File: rd.file, Errors: rd.errs, Aborted: rd.aborted}
}

// value returns the trimmed text of a column of the current row; "" when
// the column is absent.
func (rd *reader) value(column string) string {
	i, ok := rd.col[column]
	if !ok {
		return ""
	}
	return strings.TrimSpace(rd.rec[i])
}

// required returns the value of a column that must not be empty.
func (rd *reader) required(column string) (string, bool) {
	v := rd.value(column)
	if v == "" {
		rd.fail(column, "required value is empty", nil)
		return "", false
	}
	return v, true
}

// loaded returns what a loader returns after run.
func loaded[T any](out []T, err error, opts Options) ([]T, error) {
	if err == nil {
		if out == nil {
			out = []T{}
		}
		return out, nil
	}
	var le *LoadError
	if opts.SkipInvalidRows && errors.As(err, &le) && !le.Aborted {
		if out == nil {
			out = []T{}
		}
		return out, err
	}
	return nil, err
}
