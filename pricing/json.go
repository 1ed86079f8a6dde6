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
// (no currency, used for "not set") encodes as null. The bytes are
// appended directly: an amount is digits, a point and a sign, and a code
// three ASCII letters, so nothing needs escaping, and a basket's hundreds
// of amounts cost no reflection.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.cur.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, 48)
	b = append(b, `{"amount":"`...)
	b = m.appendAmount(b)
	b = append(b, `","currency":"`...)
	b = append(b, m.cur.code[:]...)
	return append(b, `"}`...), nil
}

// canonicalMoney decodes exactly the form MarshalJSON writes, without a
// JSON decoder; ok is false for anything else (spaces, another key order,
// escapes, a bad amount), which the strict decoder then reads or refuses.
func canonicalMoney(b []byte) (m Money, ok bool) {
	const head, mid, tail = `{"amount":"`, `","currency":"`, `"}`
	if !bytes.HasPrefix(b, []byte(head)) || !bytes.HasSuffix(b, []byte(tail)) {
		return Money{}, false
	}
	body := b[len(head) : len(b)-len(tail)]
	i := bytes.Index(body, []byte(mid))
	if i < 0 {
		return Money{}, false
	}
	amount, code := body[:i], body[i+len(mid):]
	if len(code) != 3 || bytes.ContainsAny(amount, `"\`) {
		return Money{}, false
	}
	v, err := Parse(string(amount), string(code))
	if err != nil {
		return Money{}, false
	}
	return v, true
}

// UnmarshalJSON decodes {"amount":"12.50","currency":"EUR"} strictly: both
// fields present, the amount a string with no more decimals than the
// currency has, no unknown fields. null leaves m unchanged, as for every
// JSON decoder. On error m is unchanged.
func (m *Money) UnmarshalJSON(b []byte) error {
	if v, ok := canonicalMoney(b); ok {
		*m = v
		return nil
	}
	return m.unmarshalStrict(b)
}

// unmarshalStrict is UnmarshalJSON through a strict JSON decoder: any
// spacing and key order, unknown fields refused.
func (m *Money) unmarshalStrict(b []byte) error {
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
