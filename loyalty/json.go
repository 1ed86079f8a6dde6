package loyalty

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxProgramJSON bounds the JSON [DecodeProgram] accepts, so that a
// hostile or broken file is refused before it is read into memory.
const MaxProgramJSON = 1 << 20

// DecodeProgram reads a programme from JSON strictly: no unknown field, no
// trailing data, money as {"amount":"1.00","currency":"EUR"}, factors and
// multipliers as strings ("1.5"), kinds and modes by name. It only
// decodes: pass the result to [Compile] to validate it. Every error
// matches [ErrInvalid] (and the pricing or channel error that caused it).
//
//	{"rules": [{"id": "base", "kind": "base", "points": 1, "per": {"amount": "1.00", "currency": "EUR"}}],
//	 "tiers": [{"id": "2", "multiplier": "1.5"}],
//	 "burn": {"mode": "tender", "rates": [{"points": 100, "value": {"amount": "1.00", "currency": "EUR"}}]}}
func DecodeProgram(data []byte) (Program, error) {
	if len(data) > MaxProgramJSON {
		return Program{}, invalid("program", "%d bytes is more than %d", len(data), MaxProgramJSON)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Program
	if err := dec.Decode(&p); err != nil {
		return Program{}, &InputError{Field: "program", Reason: fmt.Sprintf("JSON: %v", err), Err: err}
	}
	if dec.More() {
		return Program{}, invalid("program", "trailing data after the JSON object")
	}
	return p, nil
}
