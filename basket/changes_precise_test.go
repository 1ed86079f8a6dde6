package basket_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiffReportsTheExactUnitPrice: a unit price more precise than the
// currency changes although both round to the same cent, and the report
// says it exactly: OldPrecise and NewPrecise hold what Old and New
// cannot, and the sentence reads them. An ordinary price leaves them zero.
// A measured line's price is said per its unit of measure.
func TestDiffReportsTheExactUnitPrice(t *testing.T) {
	at := demo.Start()
	screw := func(amount string, per int64) []pricing.Price {
		return []pricing.Price{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, amount, "EUR", per)}}
	}
	ordinary := func(sku, amount string) pricing.Price {
		return pricing.Price{ListID: "trade", SKU: sku, Unit: pricing.MustParse(amount, "EUR")}
	}
	measured := func(sku string, litres int64, unit catalog.Unit) basket.NewLine {
		l := trade(sku, 0)
		l.Quantity, l.Measure = 0, catalog.Measure{Value: litres, Unit: unit}
		return l
	}
	tests := []struct {
		name          string
		lines         []basket.NewLine
		before, after []pricing.Price
		opts          basket.Options
		between       func(t *testing.T, b *basket.Basket) // a command between the two pricings
		kind          basket.ChangeKind
		line          string
		reported      bool
		old, new      string // Old and New, "" for the zero Money
		oldP, newP    string // OldPrecise and NewPrecise, "" for the zero UnitPrice
		unit          catalog.Unit
		message       string
	}{
		{name: "a screw from 0.0125 to 0.0120: both 0.01", lines: []basket.NewLine{trade("SCREW", 10_000)},
			before: screw("0.0125", 1), after: screw("0.0120", 1), kind: basket.ChangePrice, line: "L0001", reported: true,
			old: "0.01", new: "0.01", oldP: "0.0125 EUR", newP: "0.012 EUR", message: "SCREW is 0.012 EUR here (was 0.0125 EUR)"},
		{name: "to a price per 1,000", lines: []basket.NewLine{trade("SCREW", 10_000)},
			before: screw("0.0125", 1), after: screw("12.40", 1000), kind: basket.ChangePrice, line: "L0001", reported: true,
			old: "0.01", new: "0.01", oldP: "0.0125 EUR", newP: "12.40 EUR per 1000", message: "SCREW is 12.40 EUR per 1000 here (was 0.0125 EUR)"},
		{name: "from a precise price to an ordinary one: only the old is precise", lines: []basket.NewLine{trade("SCREW", 10_000)},
			before: screw("0.0125", 1), after: []pricing.Price{ordinary("SCREW", "0.02")}, kind: basket.ChangePrice, line: "L0001", reported: true,
			old: "0.01", new: "0.02", oldP: "0.0125 EUR", message: "SCREW is 0.02 EUR here (was 0.0125 EUR)"},
		{name: "a whole number of cents per 1,000 is still a price per a quantity", lines: []basket.NewLine{trade("SCREW", 10_000)},
			before: screw("12.50", 1000), after: screw("13.00", 1000), kind: basket.ChangePrice, line: "L0001", reported: true,
			old: "0.01", new: "0.01", oldP: "12.50 EUR per 1000", newP: "13.00 EUR per 1000", message: "SCREW is 13.00 EUR per 1000 here (was 12.50 EUR per 1000)"},
		{name: "an ordinary price: nothing precise", lines: []basket.NewLine{trade("DRILL", 1)},
			before: []pricing.Price{ordinary("DRILL", "75.00")}, after: []pricing.Price{ordinary("DRILL", "79.00")}, kind: basket.ChangePrice, line: "L0001", reported: true,
			old: "75.00", new: "79.00", message: "DRILL is 79.00 EUR here (was 75.00 EUR)"},
		{name: "12.50 per 1,000 is 0.0125 each: no change", lines: []basket.NewLine{trade("SCREW", 10_000)},
			before: screw("0.0125", 1), after: screw("12.50", 1000), kind: basket.ChangePrice, line: "L0001"},
		{name: "protected at the lower exact price", lines: []basket.NewLine{trade("SCREW", 10_000)}, opts: basket.Options{Policy: basket.PriceProtection},
			before: screw("0.0124", 1), after: screw("0.0125", 1), kind: basket.ChangePriceProtected, line: "L0001", reported: true,
			old: "0.01", new: "0.01", oldP: "0.0124 EUR", newP: "0.0125 EUR", message: "SCREW stays at 0.0124 EUR (price here 0.0125 EUR)"},
		{name: "a quote keeps its exact price", lines: []basket.NewLine{trade("SCREW", 3)},
			before: screw("0.0124", 1), after: screw("13.00", 1000), kind: basket.ChangeQuoteLockKept, line: "L0001", reported: true,
			between: func(t *testing.T, b *basket.Basket) {
				_, err := b.Transition(staff(at), basket.Quote, at.Add(48*time.Hour))
				require.NoError(t, err)
			},
			old: "0.01", new: "0.01", oldP: "0.0124 EUR", newP: "13.00 EUR per 1000", message: "SCREW keeps its quoted price 0.0124 EUR (price here 13.00 EUR per 1000)"},
		{name: "priced again at a precise price", lines: []basket.NewLine{trade("SCREW", 3), trade("DRILL", 1)},
			before: []pricing.Price{ordinary("DRILL", "75.00")}, after: append(screw("0.0125", 1), ordinary("DRILL", "75.00")),
			kind: basket.ChangeLineRepriced, line: "L0001", reported: true, new: "0.01", newP: "0.0125 EUR", message: "SCREW is priced again at 0.0125 EUR"},
		{name: "a line added carries its exact price", lines: []basket.NewLine{trade("DRILL", 1)},
			before: []pricing.Price{ordinary("DRILL", "75.00")}, after: []pricing.Price{ordinary("DRILL", "75.00"), {ListID: "trade", SKU: "BOLT", Precise: unitPrice(t, "12.50", "EUR", 1000)}},
			between: func(t *testing.T, b *basket.Basket) {
				_, _, err := b.AddLine(meta(at), trade("BOLT", 2_500))
				require.NoError(t, err)
			},
			kind: basket.ChangeLineAdded, line: "L0002", reported: true, new: "0.01", newP: "12.50 EUR per 1000", message: "added: 2500 × BOLT"},
		{name: "a line removed carries the exact price it had", lines: []basket.NewLine{trade("SCREW", 3), trade("DRILL", 1)},
			before: append(screw("0.0125", 1), ordinary("DRILL", "75.00")), after: append(screw("0.0125", 1), ordinary("DRILL", "75.00")),
			between: func(t *testing.T, b *basket.Basket) {
				_, err := b.RemoveLine(meta(at), "L0001")
				require.NoError(t, err)
			},
			kind: basket.ChangeLineRemoved, line: "L0001", reported: true, old: "0.01", oldP: "0.0125 EUR", message: "removed: 3 × SCREW"},
		{name: "fuel by the litre, precise", lines: []basket.NewLine{measured("FUEL", 45, catalog.Litre)},
			before: []pricing.Price{{ListID: "trade", SKU: "FUEL", Precise: unitPrice(t, "1.859", "EUR", 1)}},
			after:  []pricing.Price{{ListID: "trade", SKU: "FUEL", Precise: unitPrice(t, "1.899", "EUR", 1)}},
			kind:   basket.ChangePrice, line: "L0001", reported: true, unit: catalog.Litre,
			old: "1.86", new: "1.90", oldP: "1.859 EUR", newP: "1.899 EUR", message: "FUEL is 1.899 EUR/l here (was 1.859 EUR/l)"},
		{name: "cheese by the kg, an ordinary price said per kg", lines: []basket.NewLine{measured("COMTE", 347, catalog.Kilogram)},
			before: []pricing.Price{ordinary("COMTE", "24.90")}, after: []pricing.Price{ordinary("COMTE", "26.90")},
			kind: basket.ChangePrice, line: "L0001", reported: true, unit: catalog.Kilogram,
			old: "24.90", new: "26.90", message: "COMTE is 26.90 EUR/kg here (was 24.90 EUR/kg)"},
	}
	amount := func(m pricing.Money) string {
		if m.Currency().IsZero() {
			return ""
		}
		return m.Amount()
	}
	said := func(u pricing.UnitPrice) string {
		if u.Currency().IsZero() {
			return ""
		}
		return u.String()
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tradeBasket(t, "EUR", at, tt.lines...)
			r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, tt.before), basket.Options{})
			require.NoError(t, err)
			_, err = b.SetResult(meta(at), r)
			require.NoError(t, err)
			if tt.between != nil {
				tt.between(t, b)
			}
			later := at.Add(time.Hour)
			next, err := basket.Recontextualize(b, b2bContext("EUR", later), b2bSnapshot(t, tt.after), tt.opts)
			require.NoError(t, err)
			assert.Equal(t, basket.Diff(r, next), next.Changes)

			var found []basket.Change
			for _, c := range next.Changes {
				if c.Kind == tt.kind && c.LineID == tt.line {
					found = append(found, c)
				}
			}
			if !tt.reported {
				assert.Empty(t, found, "%v", changeKinds(next.Changes))
				return
			}
			require.Len(t, found, 1, "%v", changeKinds(next.Changes))
			c := found[0]
			assert.Equal(t, []string{tt.old, tt.new, tt.oldP, tt.newP}, []string{amount(c.Old), amount(c.New), said(c.OldPrecise), said(c.NewPrecise)})
			assert.Equal(t, tt.unit, c.Unit)
			assert.Equal(t, tt.message, c.Message())
			if tt.oldP == "" && tt.old != "" {
				assert.Equal(t, pricing.UnitPriceOf(c.Old), c.OldExact(), "an ordinary price is Old exactly")
			}
			if tt.newP != "" {
				assert.Equal(t, c.NewPrecise, c.NewExact())
			}

			// On the wire: the exact prices only where they are set, and
			// back to the same change.
			raw, err := json.Marshal(c)
			require.NoError(t, err)
			assert.Equal(t, tt.oldP != "", strings.Contains(string(raw), `"old_precise":`), string(raw))
			assert.Equal(t, tt.newP != "", strings.Contains(string(raw), `"new_precise":`), string(raw))
			var back basket.Change
			require.NoError(t, json.Unmarshal(raw, &back))
			assert.Equal(t, c, back)
		})
	}
}

// TestPreciseChangeJSON: the wire form of a precise price change, field
// by field; a change recorded before precise prices (no precise fields)
// decodes to zero ones and reads as it did.
func TestPreciseChangeJSON(t *testing.T) {
	c := basket.Change{Kind: basket.ChangePrice, LineID: "L0001", SKU: "SCREW", Name: "Wood screw 4×30",
		Old: pricing.MustParse("0.01", "EUR"), New: pricing.MustParse("0.01", "EUR"),
		OldPrecise: pricing.MustParseUnitPrice("0.0125", "EUR"), NewPrecise: unitPrice(t, "12.00", "EUR", 1000)}
	raw, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"price-changed","line_id":"L0001","sku":"SCREW","name":"Wood screw 4×30",
		"old":{"amount":"0.01","currency":"EUR"},"new":{"amount":"0.01","currency":"EUR"},
		"old_precise":{"amount":"0.0125","currency":"EUR"},"new_precise":{"amount":"12.00","currency":"EUR","per":1000},
		"message":"Wood screw 4×30 is 12.00 EUR per 1000 here (was 0.0125 EUR)"}`, string(raw))
	var back basket.Change
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, c, back)

	var legacy basket.Change
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"price-changed","name":"Mug","old":{"amount":"15.00","currency":"EUR"},"new":{"amount":"16.00","currency":"EUR"},"message":"ignored"}`), &legacy))
	assert.Equal(t, pricing.UnitPrice{}, legacy.OldPrecise)
	assert.Equal(t, pricing.UnitPrice{}, legacy.NewPrecise)
	assert.Equal(t, "Mug is 16.00 EUR here (was 15.00 EUR)", legacy.Message())

	bad := []byte(`{"kind":"price-changed","old_precise":{"amount":"0.0000001","currency":"EUR"},"message":""}`)
	require.ErrorIs(t, json.Unmarshal(bad, &back), pricing.ErrTooPrecise, "a stored precise price is read strictly")
}
