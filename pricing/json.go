package pricing

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// moneyJSON is the wire form: the amount as a string, never a JSON number,
// so no decoder on the other side can turn it into a float.
type moneyJSON struct {
	Amount   *string `json:"amount"`
	Currency *string `json:"currency"`
}

// MarshalJSON encodes {"amount":"12.50","currency":"EUR"}. The zero Money
// (no currency, used for "not set") encodes as null.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.cur.IsZero() {
		return []byte("null"), nil
	}
	a, c := m.Amount(), m.cur.Code()
	return json.Marshal(moneyJSON{Amount: &a, Currency: &c})
}

// UnmarshalJSON decodes {"amount":"12.50","currency":"EUR"} strictly: both
// fields present, the amount a string with no more decimals than the
// currency has, no unknown fields. null leaves m unchanged, as for every
// JSON decoder. On error m is unchanged.
func (m *Money) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w moneyJSON
	if err := dec.Decode(&w); err != nil {
		return fmt.Errorf("%w: money JSON: %v", ErrSyntax, err)
	}
	if dec.More() {
		return fmt.Errorf("%w: money JSON: trailing data", ErrSyntax)
	}
	if w.Amount == nil || w.Currency == nil {
		return fmt.Errorf("%w: money JSON needs both amount and currency", ErrSyntax)
	}
	v, err := Parse(*w.Amount, *w.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}
