package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel error kinds. Every error of this package matches one of them
// with errors.Is; the typed errors carry the details and are reached with
// errors.As.
var (
	// ErrInvalidBarcode: a scanned or typed code is not a GTIN, or not one
	// the retailer's layouts can read ([*BarcodeError] says which rule).
	ErrInvalidBarcode = errors.New("catalog: invalid barcode")
	// ErrInvalidLayout: a variable-measure layout cannot be used
	// ([*LayoutError] says which and why).
	ErrInvalidLayout = errors.New("catalog: invalid variable-measure layout")
	// ErrUnknownProduct: a SKU or barcode is not in the catalogue
	// ([*UnknownProductError] lists them).
	ErrUnknownProduct = errors.New("catalog: unknown product")
	// ErrInvalidProduct: a product's attributes cannot be sold (no name,
	// no tax category …); see [*ProductError].
	ErrInvalidProduct = errors.New("catalog: invalid product")
	// ErrDuplicateKey: one SKU or barcode names two products, in a
	// catalogue being built or in a source's answer; see [*ProductError].
	ErrDuplicateKey = errors.New("catalog: one key names two products")
)

// BarcodeRule is the rule a refused code broke, so that a till can tell a
// misread (check digit) from a code it is not configured for.
type BarcodeRule uint8

// The rules of [ParseGTIN] and [Decoder.Decode], in the order they are checked.
const (
	// RuleDigits: a GTIN is made of the digits 0-9 only.
	RuleDigits BarcodeRule = iota + 1
	// RuleLength: a GTIN has 8, 12, 13 or 14 digits.
	RuleLength
	// RuleCheckDigit: the last digit is the GS1 mod-10 check digit of the others.
	RuleCheckDigit
	// RuleValueCheck: the price/weight check digit of a variable-measure
	// code does not match its value (a misread the GTIN check let through).
	RuleValueCheck
	// RuleZeroValue: a variable-measure code carries no weight or price.
	RuleZeroValue
)

// String names the rule.
func (r BarcodeRule) String() string {
	switch r {
	case RuleDigits:
		return "digits only"
	case RuleLength:
		return "8, 12, 13 or 14 digits"
	case RuleCheckDigit:
		return "GS1 check digit"
	case RuleValueCheck:
		return "price/weight check digit"
	case RuleZeroValue:
		return "a weight or price above zero"
	}
	return "barcode-rule(?)"
}

// BarcodeError reports a refused code and the rule it broke. It matches
// [ErrInvalidBarcode].
type BarcodeError struct {
	// Code is the input as given (cut to 40 bytes: a scanner can send anything).
	Code string
	Rule BarcodeRule
	// Detail says what was found, when the rule alone does not.
	Detail string
}

func (e *BarcodeError) Error() string {
	s := fmt.Sprintf("catalog: barcode %q: breaks %s", e.Code, e.Rule)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns [ErrInvalidBarcode].
func (e *BarcodeError) Unwrap() error { return ErrInvalidBarcode }

func badCode(code string, rule BarcodeRule, format string, args ...any) error {
	if len(code) > 40 {
		code = code[:40]
	}
	return &BarcodeError{Code: code, Rule: rule, Detail: fmt.Sprintf(format, args...)}
}

// LayoutError reports a variable-measure layout [NewDecoder] refused. It
// matches [ErrInvalidLayout].
type LayoutError struct {
	// Index is the layout's position in the arguments of NewDecoder (0
	// when the error comes from encoding a code).
	Index  int
	Prefix string
	Reason string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("catalog: layout %d (prefix %q): %s", e.Index, e.Prefix, e.Reason)
}

// Unwrap returns [ErrInvalidLayout].
func (e *LayoutError) Unwrap() error { return ErrInvalidLayout }

// UnknownProductError lists the SKUs and barcodes a catalogue does not
// know, sorted and without duplicates. It matches [ErrUnknownProduct].
type UnknownProductError struct {
	SKUs     []string
	Barcodes []GTIN
}

func (e *UnknownProductError) Error() string {
	var parts []string
	if len(e.SKUs) > 0 {
		parts = append(parts, "SKU "+strings.Join(e.SKUs, ", "))
	}
	if len(e.Barcodes) > 0 {
		codes := make([]string, len(e.Barcodes))
		for i, g := range e.Barcodes {
			codes[i] = g.String()
		}
		parts = append(parts, "barcode "+strings.Join(codes, ", "))
	}
	return "catalog: unknown product: " + strings.Join(parts, "; ")
}

// Unwrap returns [ErrUnknownProduct].
func (e *UnknownProductError) Unwrap() error { return ErrUnknownProduct }

// ProductError names the product and the field that is wrong. It matches
// [ErrInvalidProduct] unless Kind says otherwise ([ErrDuplicateKey]).
type ProductError struct {
	SKU    string
	Field  string
	Reason string
	Kind   error
}

func (e *ProductError) Error() string {
	return fmt.Sprintf("catalog: product %q: %s: %s", e.SKU, e.Field, e.Reason)
}

// Unwrap returns the error kind.
func (e *ProductError) Unwrap() error {
	if e.Kind == nil {
		return ErrInvalidProduct
	}
	return e.Kind
}
