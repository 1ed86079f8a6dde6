package csv

import "time"

// DefaultProgressEvery is the default of [Options.ProgressEvery].
const DefaultProgressEvery = 10_000

// Options tune a load. The zero value reads a comma- or
// semicolon-separated file with the dialect's defaults.
type Options struct {
	// File names the input in errors ("prices.csv"); default "<input>".
	File string
	// Comma is the field separator; 0 detects it from the header line:
	// the most frequent of ',', ';' and tab outside quotes (',' when none).
	Comma rune
	// DecimalMark is '.' or ','; 0 means ',' when the separator is ';' and
	// '.' otherwise. The other mark is refused in numbers (there are no
	// thousands separators), so "1.234" is never read as 1234 nor 1,234.
	// With ',' as both separator and decimal mark, decimal values must be
	// quoted ("12,50").
	DecimalMark rune
	// ColumnNames maps header names of the file to the dialect's column
	// names, for exports whose headers cannot be changed
	// ({"Prix unitaire": "unit_price"}); both sides compare like headers.
	ColumnNames map[string]string
	// IgnoreUnknownColumns ignores columns the dialect does not define;
	// by default they are refused, so that a typo in a header ("on_hnad")
	// is not silently dropped.
	IgnoreUnknownColumns bool
	// MaxErrors is how many bad rows are collected before reading stops;
	// 0 stops at the first one.
	MaxErrors int
	// SkipInvalidRows makes the loaders return the valid rows together
	// with a [*LoadError] listing the skipped ones, as long as reading was
	// not aborted (see MaxErrors). By default a load is all or nothing:
	// any bad row and the loaders return no data.
	SkipInvalidRows bool
	// Location is the time zone of dates written without an offset;
	// nil means UTC.
	Location *time.Location
	// DateLayouts are extra time.Parse layouts tried after the built-in
	// ones, in Location ("02/01/2006" for French dates).
	DateLayouts []string
	// Progress, when set, is called every ProgressEvery data rows and once
	// when the input has been read to its end.
	Progress func(Progress)
	// ProgressEvery is the number of rows between two Progress calls;
	// default [DefaultProgressEvery].
	ProgressEvery int64
}

// Progress reports how far a load is.
type Progress struct {
	// Rows is the number of data rows read (header excluded).
	Rows int64
	// Bytes is the number of bytes of input consumed, byte-order mark
	// included.
	Bytes int64
	// Done is true for the last call, at the end of the input.
	Done bool
}
