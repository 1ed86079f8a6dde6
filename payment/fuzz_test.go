package payment_test

import (
	"encoding/json"
	"testing"

	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
)

// FuzzSettleJSON decodes tenders as a till or an HTTP client sends them
// and settles them: any input gets a settlement or an error, never a
// panic, and a settlement always adds up.
func FuzzSettleJSON(f *testing.F) {
	f.Add(`[{"kind":"gift-card","code":"GC-1","balance":{"amount":"50.00","currency":"CHF"}},{"kind":"card","amount":{"amount":"30.00","currency":"CHF"}},{"kind":"cash","amount":{"amount":"10.00","currency":"CHF"}}]`, int64(8763))
	f.Add(`[{"kind":"cash"}]`, int64(2))
	f.Add(`[{"kind":"points","code":"L","balance":{"amount":"-1","currency":"CHF"}}]`, int64(100))
	f.Add(`[{"kind":"voucher","code":"A","balance":{"amount":"1.00","currency":"EUR"}}]`, int64(100))
	f.Add(`[{"kind":"bitcoin"}]`, int64(0))
	f.Fuzz(func(t *testing.T, data string, due int64) {
		var tenders []payment.Tender
		if err := json.Unmarshal([]byte(data), &tenders); err != nil {
			return
		}
		d, err := pricing.FromMinor(due, pricing.MustCurrency("CHF"))
		if err != nil {
			return
		}
		s, err := payment.Settle(d, tenders, payment.Options{CapCards: true})
		if err != nil {
			return
		}
		back, err := s.Paid.Sub(s.CashRounding)
		if err == nil {
			back, err = back.Add(s.Remaining)
		}
		if err != nil || back != d || s.Remaining.IsNegative() || s.Change.IsNegative() {
			t.Fatalf("settlement does not add up: %+v", s)
		}
		if _, err := json.Marshal(s); err != nil {
			t.Fatalf("a settlement does not encode: %v", err)
		}
	})
}

// FuzzStatusText decodes a balance's status as a source sends it.
func FuzzStatusText(f *testing.F) {
	for _, s := range []string{"active", "expired", "blocked", "unknown", "", "Active"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var s payment.Status
		if err := s.UnmarshalText([]byte(text)); err != nil {
			if s != 0 {
				t.Fatalf("%q refused but changed the status to %s", text, s)
			}
			return
		}
		out, err := s.MarshalText()
		if err != nil || string(out) != text {
			t.Fatalf("%q decoded to %s, encodes back as %q (%v)", text, s, out, err)
		}
	})
}
