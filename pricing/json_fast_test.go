package pricing

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// The hand-written encoder and the canonical decoder are fast paths: they
// must agree exactly with the reflective encoding and the strict decoder.

func TestMoneyJSONFastPathsAgree(t *testing.T) {
	curs := Currencies()
	rapid.Check(t, func(t *rapid.T) {
		m := Money{units: rapid.Int64Range(-maxUnits, maxUnits).Draw(t, "units"), cur: rapid.SampledFrom(curs).Draw(t, "cur")}
		a, c := m.Amount(), m.cur.Code()
		want, err := json.Marshal(moneyJSON{Amount: &a, Currency: &c})
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.MarshalJSON()
		if err != nil || string(got) != string(want) {
			t.Fatalf("MarshalJSON %s, want %s (%v)", got, want, err)
		}
		fast, ok := canonicalMoney(got)
		var strict Money
		if !ok || strict.unmarshalStrict(got) != nil || fast != strict || fast != m {
			t.Fatalf("decode %s: fast %v (%v), strict %v", got, fast, ok, strict)
		}
	})
}

func TestMoneyJSONTable(t *testing.T) {
	for _, tc := range []struct {
		m    Money
		want string
	}{
		{MustParse("12.50", "EUR"), `{"amount":"12.50","currency":"EUR"}`},
		{MustParse("-0.05", "CHF"), `{"amount":"-0.05","currency":"CHF"}`},
		{MustParse("1000", "JPY"), `{"amount":"1000","currency":"JPY"}`},
		{MustParse("0.001", "KWD"), `{"amount":"0.001","currency":"KWD"}`},
		{MustParse("0", "EUR"), `{"amount":"0.00","currency":"EUR"}`},
		{Money{}, `null`},
	} {
		got, err := json.Marshal(tc.m)
		if err != nil || string(got) != tc.want {
			t.Errorf("%v: %s, want %s (%v)", tc.m, got, tc.want, err)
		}
	}
}

// FuzzMoneyJSONFastPath: for any JSON document, the canonical decoder
// either declines or decodes exactly what the strict decoder does.
func FuzzMoneyJSONFastPath(f *testing.F) {
	f.Add([]byte(`{"amount":"12.50","currency":"EUR"}`))
	f.Add([]byte(`{"amount":"12.5","currency":"EUR"}`))
	f.Add([]byte(`{"amount":"-0","currency":"JPY"}`))
	f.Add([]byte(`{"amount":"1","currency":"EU\u0052"}`))
	f.Add([]byte(`{"amount":"1","currency":"EUR","x":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		fast, ok := canonicalMoney(b)
		if !ok {
			return
		}
		var strict Money
		if err := strict.unmarshalStrict(b); err != nil || strict != fast {
			t.Fatalf("%s: fast %v, strict %v (%v)", b, fast, strict, err)
		}
	})
}
