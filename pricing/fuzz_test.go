package pricing

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// FuzzParse: parsing never panics, and whatever parses formats back to a
// string that parses to the same amount (parse ∘ format = identity).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12.50", "-0.05", "1e-2000000000", "92233720368547758.07", ".5", "+", "0000.000", "9999999999999999999"} {
		f.Add(s, "EUR")
	}
	f.Add("1.234", "KWD")
	f.Add("100", "JPY")
	f.Fuzz(func(t *testing.T, s, code string) {
		m, err := Parse(s, code)
		if err != nil {
			return
		}
		back, err := Parse(m.Amount(), code)
		if err != nil || back != m {
			t.Fatalf("Parse(%q) = %v, but its text %q parses to %v, %v", s, m, m.Amount(), back, err)
		}
	})
}

// FuzzMoneyJSON: decoding never panics, never changes the target on error,
// and round-trips.
func FuzzMoneyJSON(f *testing.F) {
	f.Add([]byte(`{"amount":"12.50","currency":"EUR"}`))
	f.Add([]byte(`{"amount":12.5,"currency":"EUR"}`))
	f.Add([]byte(`{"amount":"1e3","currency":"JPY"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := MustParse("7.00", "USD")
		m := orig
		if err := json.Unmarshal(b, &m); err != nil {
			if m != orig {
				t.Fatalf("failed decode changed the value to %v", m)
			}
			return
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back Money
		if err := json.Unmarshal(out, &back); err != nil || back != m {
			t.Fatalf("round trip %s → %v, %v", out, back, err)
		}
	})
}

func TestParseFormatIdentity(t *testing.T) {
	curs := Currencies()
	rapid.Check(t, func(t *rapid.T) {
		cur := rapid.SampledFrom(curs).Draw(t, "cur")
		u := rapid.Int64Range(-maxUnits, maxUnits).Draw(t, "units")
		m := Money{units: u, cur: cur}
		back, err := Parse(m.Amount(), cur.Code())
		if err != nil || back != m {
			t.Fatalf("%v → %q → %v, %v", m, m.Amount(), back, err)
		}
		d, err := FromDecimal(m.Decimal(), cur)
		if err != nil || d != m {
			t.Fatalf("decimal round trip %v → %v, %v", m, d, err)
		}
	})
}
