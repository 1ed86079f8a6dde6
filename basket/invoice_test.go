package basket_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

var (
	invoiceID = uuid.MustParse("0b6f3f9e-4d0e-4a54-9a52-7d7c1c2f0a01")
	noteID    = uuid.MustParse("0b6f3f9e-4d0e-4a54-9a52-7d7c1c2f0a02")
	issuedAt  = rtAt.Add(2 * time.Hour)
)

func taxRow(t basket.TaxAmount) []string {
	return []string{t.Rate.Percent(), t.Net.Amount(), t.Tax.Amount(), t.Gross.Amount()}
}

// TestNewInvoice: the invoice of a two-rate order delivered from the
// warehouse: its lines and fee as priced, tax per rate over both (the fee
// at 20 %), and the order's totals.
func TestNewInvoice(t *testing.T) {
	order := rtOrder(t, rtShop{fees: true}, rtLine{"TEA", 3}, rtLine{"LAMP", 1})
	d, err := basket.NewInvoice(order, invoiceID, "INV-web", issuedAt)
	require.NoError(t, err)

	assert.Equal(t, basket.Invoice, d.Kind)
	assert.Equal(t, invoiceID, d.ID)
	assert.Equal(t, "INV-web", d.Series)
	assert.Zero(t, d.Number, "the store numbers it")
	assert.Equal(t, issuedAt, d.IssuedAt)
	assert.Equal(t, order.ID, d.BasketID)
	assert.Equal(t, "cust-7", d.CustomerID)
	assert.Equal(t, "web-shop", d.ChannelID)
	assert.Empty(t, d.LocationID)

	require.Len(t, d.Lines, 2)
	tea := d.Lines[0]
	assert.Equal(t, []string{"L0001", "TEA", "Earl Grey 100 g"}, []string{tea.LineID, tea.SKU, tea.Name})
	assert.Equal(t, int64(3), tea.Quantity)
	assert.Equal(t, []string{"8.50", "0.00", "24.17", "1.33", "25.50"}, rtAmounts(tea.UnitPrice, tea.Discount, tea.Net, tea.Tax, tea.Total))
	assert.Equal(t, pricing.MustPercent("5.5"), tea.TaxRate)
	require.Len(t, d.Fees, 1)
	assert.Equal(t, []string{"4.08", "0.82", "4.90"}, rtAmounts(d.Fees[0].Net, d.Fees[0].Tax, d.Fees[0].Total))

	require.Len(t, d.Taxes, 2)
	assert.Equal(t, []string{"5.5", "24.17", "1.33", "25.50"}, taxRow(d.Taxes[0]))
	assert.Equal(t, []string{"20", "61.58", "12.32", "73.90"}, taxRow(d.Taxes[1]), "the lamp and the delivery")
	assert.Equal(t, []string{"85.75", "13.65", "99.40"}, rtAmounts(d.Net, d.Tax, d.Total))
	assert.Equal(t, "0.00", d.Adjustment.Amount())
	checkDocument(t, d)
}

// TestNewCreditNote: the buy-2-get-the-3rd-free return. The credit note
// lists the amber candle as the order charged it (22.00); the refund is
// 3.00, the 19.00 the free candle no longer earns is the adjustment, with
// the broken promotion that explains it, per rate too.
func TestNewCreditNote(t *testing.T) {
	order := rtOrder(t, rtShop{promos: []string{"3FOR2"}}, rtLine{"FIG", 1}, rtLine{"CEDAR", 1}, rtLine{"AMBER", 1})
	rtReturn(t, order, ret("L0003", 1))
	r := order.Order.Returns[0]
	r.LocationID, r.ChannelID = "store", "store-channel"
	d, err := basket.NewCreditNote(order, r, invoiceID, noteID, "CN-store", issuedAt)
	require.NoError(t, err)

	assert.Equal(t, basket.CreditNote, d.Kind)
	assert.Equal(t, []string{"store-channel", "store", "R1"}, []string{d.ChannelID, d.LocationID, d.ReturnID})
	assert.Equal(t, invoiceID, d.Corrects)
	assert.Zero(t, d.Number)
	require.Len(t, d.Lines, 1)
	l := d.Lines[0]
	assert.Equal(t, []string{"L0003", "AMBER"}, []string{l.LineID, l.SKU})
	assert.Equal(t, []string{"22.00", "0.00", "18.33", "3.67", "22.00"}, rtAmounts(l.UnitPrice, l.Discount, l.Net, l.Tax, l.Total))
	assert.Empty(t, d.Fees)
	require.Len(t, d.Taxes, 1)
	assert.Equal(t, []string{"20", "2.50", "0.50", "3.00"}, taxRow(d.Taxes[0]))
	assert.Equal(t, []string{"2.50", "0.50", "3.00", "-19.00"}, rtAmounts(d.Net, d.Tax, d.Total, d.Adjustment))
	require.Len(t, d.Adjustments, 1)
	assert.Equal(t, []string{"20", "-15.83", "-3.17", "-19.00"}, taxRow(d.Adjustments[0]))
	require.Len(t, d.Broken, 1)
	assert.Equal(t, "3FOR2", d.Broken[0].PromotionID)
	checkDocument(t, d)

	// A partial return of a line: the units at their share of the line.
	order = rtOrder(t, rtShop{promos: []string{"LIGHT10"}}, rtLine{"LAMP", 3})
	rtReturn(t, order, ret("L0001", 2))
	d, err = basket.NewCreditNote(order, order.Order.Returns[0], invoiceID, noteID, "CN-web", issuedAt)
	require.NoError(t, err)
	l = d.Lines[0]
	assert.Equal(t, int64(2), l.Quantity)
	assert.Equal(t, []string{"69.00", "13.80", "103.50", "20.70", "124.20"}, rtAmounts(l.UnitPrice, l.Discount, l.Net, l.Tax, l.Total))
	assert.Equal(t, "web-shop", d.ChannelID)
	assert.Equal(t, []string{"124.20", "0.00"}, rtAmounts(d.Total, d.Adjustment))
	assert.Empty(t, d.Adjustments)
	checkDocument(t, d)
}

// TestDocumentRefusals: a document is built only for an order, from a
// complete pricing, and a credit note only for a return that refunds
// something; every refusal is typed and names the culprit.
func TestDocumentRefusals(t *testing.T) {
	order := func(t *testing.T) *basket.Basket {
		return rtOrder(t, rtShop{promos: []string{"3FOR2"}}, rtLine{"FIG", 1}, rtLine{"CEDAR", 1}, rtLine{"AMBER", 1})
	}
	invoices := []struct {
		name  string
		edit  func(b *basket.Basket) (uuid.UUID, string, time.Time)
		field string
	}{
		{"a cart", func(b *basket.Basket) (uuid.UUID, string, time.Time) {
			b.Status, b.Order = basket.Cart, nil
			return invoiceID, "INV", issuedAt
		}, "Status"},
		{"ordered without its order", func(b *basket.Basket) (uuid.UUID, string, time.Time) {
			b.Order = nil
			return invoiceID, "INV", issuedAt
		}, "Status"},
		{"no result", func(b *basket.Basket) (uuid.UUID, string, time.Time) {
			b.Result = nil
			return invoiceID, "INV", issuedAt
		}, "Result"},
		{"an incomplete result", func(b *basket.Basket) (uuid.UUID, string, time.Time) {
			r := *b.Result
			r.Complete = false
			b.Result = &r
			return invoiceID, "INV", issuedAt
		}, "Result"},
		{"no ID", func(*basket.Basket) (uuid.UUID, string, time.Time) { return uuid.Nil, "INV", issuedAt }, "ID"},
		{"no series", func(*basket.Basket) (uuid.UUID, string, time.Time) { return invoiceID, "", issuedAt }, "Series"},
		{"no time", func(*basket.Basket) (uuid.UUID, string, time.Time) { return invoiceID, "INV", time.Time{} }, "IssuedAt"},
		{"invoiced already", func(b *basket.Basket) (uuid.UUID, string, time.Time) {
			b.Order.Documents = []basket.DocumentRef{{ID: invoiceID, Kind: basket.Invoice, Series: "INV", IssuedAt: issuedAt}}
			return noteID, "INV", issuedAt
		}, "Order.Documents"},
	}
	for _, tt := range invoices {
		t.Run("invoice: "+tt.name, func(t *testing.T) {
			b := order(t)
			id, series, at := tt.edit(b)
			_, err := basket.NewInvoice(b, id, series, at)
			requireInputError(t, err, basket.ErrInvalid, tt.field)
		})
	}
	_, err := basket.NewInvoice(nil, invoiceID, "INV", issuedAt)
	require.ErrorIs(t, err, basket.ErrInvalid)

	notes := []struct {
		name  string
		edit  func(t *testing.T, b *basket.Basket, r *basket.Return) uuid.UUID
		kind  error
		field string
	}{
		{"nothing refunded", func(t *testing.T, _ *basket.Basket, r *basket.Return) uuid.UUID {
			q, err := basket.QuoteReturn(order(t), []basket.ReturnLine{ret("L0001", 1)}) // the free candle
			require.NoError(t, err)
			require.True(t, q.Refund.IsZero())
			r.Lines, r.Quote = []basket.ReturnLine{ret("L0001", 1)}, q
			return invoiceID
		}, basket.ErrInvalid, "Return.Quote.Refund"},
		{"no invoice", func(*testing.T, *basket.Basket, *basket.Return) uuid.UUID { return uuid.Nil }, basket.ErrInvalid, "Corrects"},
		{"no return ID", func(_ *testing.T, _ *basket.Basket, r *basket.Return) uuid.UUID { r.ID = ""; return invoiceID }, basket.ErrInvalid, "Return.ID"},
		{"another return's quote", func(_ *testing.T, _ *basket.Basket, r *basket.Return) uuid.UUID {
			r.Lines = []basket.ReturnLine{ret("L0002", 1)}
			return invoiceID
		}, basket.ErrInvalid, "Return.Quote.Returned"},
		{"a line not in the order", func(_ *testing.T, _ *basket.Basket, r *basket.Return) uuid.UUID {
			r.Lines = []basket.ReturnLine{ret("L0009", 1)}
			return invoiceID
		}, basket.ErrUnknownLine, "Return.Lines[L0009]"},
		{"more units than ordered", func(_ *testing.T, _ *basket.Basket, r *basket.Return) uuid.UUID {
			r.Lines = []basket.ReturnLine{ret("L0003", 2)}
			return invoiceID
		}, basket.ErrInvalid, "Return.Lines[L0003].Quantity"},
		{"not an order", func(_ *testing.T, b *basket.Basket, _ *basket.Return) uuid.UUID {
			b.Status = basket.Cart
			return invoiceID
		}, basket.ErrInvalid, "Status"},
	}
	for _, tt := range notes {
		t.Run("credit note: "+tt.name, func(t *testing.T) {
			b := order(t)
			rtReturn(t, b, ret("L0003", 1))
			r := b.Order.Returns[0]
			inv := tt.edit(t, b, &r)
			_, err := basket.NewCreditNote(b, r, inv, noteID, "CN", issuedAt)
			requireInputError(t, err, tt.kind, tt.field)
		})
	}
}

func requireInputError(t *testing.T, err error, kind error, field string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var ie *basket.InputError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, field, ie.Field)
}

// checkDocument checks the identities a document states: Net + Tax =
// Total = Σ Taxes.Gross, Gross = Net + Tax per rate, taxes sorted by rate,
// Σ lines and fees + Adjustment = Total, and at each rate the lines and
// fees at that rate plus that rate's adjustment make its tax entry.
func checkDocument(t require.TestingT, d basket.Document) {
	type sums struct{ net, tax, gross int64 }
	parts := map[pricing.Rate]sums{}
	add := func(r pricing.Rate, net, tax, gross pricing.Money) {
		s := parts[r]
		s.net, s.tax, s.gross = s.net+net.MinorUnits(), s.tax+tax.MinorUnits(), s.gross+gross.MinorUnits()
		parts[r] = s
	}
	var lines int64
	for _, l := range d.Lines {
		require.Equal(t, l.Total.MinorUnits(), l.Net.MinorUnits()+l.Tax.MinorUnits(), "line %s: net + tax", l.LineID)
		add(l.TaxRate, l.Net, l.Tax, l.Total)
		lines += l.Total.MinorUnits()
	}
	for _, f := range d.Fees {
		add(f.TaxRate, f.Net, f.Tax, f.Total)
		lines += f.Total.MinorUnits()
	}
	var adj int64
	for i, a := range d.Adjustments {
		require.Equal(t, a.Gross.MinorUnits(), a.Net.MinorUnits()+a.Tax.MinorUnits(), "adjustment at %s", a.Rate)
		if i > 0 {
			require.Equal(t, -1, d.Adjustments[i-1].Rate.Cmp(a.Rate), "adjustments sorted by rate")
		}
		add(a.Rate, a.Net, a.Tax, a.Gross)
		adj += a.Gross.MinorUnits()
	}
	require.Equal(t, d.Adjustment.MinorUnits(), adj, "Σ adjustments = adjustment")
	require.Equal(t, d.Total.MinorUnits(), lines+d.Adjustment.MinorUnits(), "Σ lines + fees + adjustment = total")

	var net, tax, gross int64
	taxes := map[pricing.Rate]sums{}
	for i, x := range d.Taxes {
		require.Equal(t, x.Gross.MinorUnits(), x.Net.MinorUnits()+x.Tax.MinorUnits(), "gross = net + tax at %s", x.Rate)
		if i > 0 {
			require.Equal(t, -1, d.Taxes[i-1].Rate.Cmp(x.Rate), "taxes sorted by rate")
		}
		taxes[x.Rate] = sums{x.Net.MinorUnits(), x.Tax.MinorUnits(), x.Gross.MinorUnits()}
		net, tax, gross = net+x.Net.MinorUnits(), tax+x.Tax.MinorUnits(), gross+x.Gross.MinorUnits()
	}
	require.Equal(t, d.Total.MinorUnits(), gross, "Σ taxes = total")
	require.Equal(t, d.Total.MinorUnits(), d.Net.MinorUnits()+d.Tax.MinorUnits(), "net + tax = total")
	require.Equal(t, []int64{d.Net.MinorUnits(), d.Tax.MinorUnits()}, []int64{net, tax})
	for r, p := range parts {
		if p != (sums{}) {
			require.Equal(t, p, taxes[r], "at %s%%: lines, fees and adjustment make the tax entry", r.Percent())
		}
	}
	for r, x := range taxes {
		require.Equal(t, x, parts[r], "at %s%%: the tax entry is lines, fees and adjustment", r.Percent())
	}
}

// TestDocumentsAddUp: for any order and any returns, the invoice and every
// credit note add up (see checkDocument); a credit note refunds the quote,
// its lines are what the returned units were charged; and once everything
// is back, the credit notes refund the invoice's total exactly.
func TestDocumentsAddUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		order, _ := drawOrder(t)
		inv, err := basket.NewInvoice(order, invoiceID, "INV", issuedAt)
		if err != nil {
			t.Fatal(err)
		}
		checkDocument(t, inv)
		if inv.Total != order.Result.Totals.Total || len(inv.Lines) != len(order.Result.Lines) {
			t.Fatalf("invoice total %s, %d lines; the order %s, %d lines", inv.Total, len(inv.Lines), order.Result.Totals.Total, len(order.Result.Lines))
		}
		out := map[string]int64{}
		var ids []string
		for _, l := range order.Lines {
			out[l.ID] = l.Quantity
			ids = append(ids, l.ID)
		}
		var credited int64
		for left := true; left; {
			lines := drawReturn(t, out, ids)
			q := rtReturn(t, order, lines...)
			for _, l := range lines {
				out[l.LineID] -= l.Quantity
			}
			left = false
			for _, n := range out {
				left = left || n > 0
			}
			r := order.Order.Returns[len(order.Order.Returns)-1]
			d, err := basket.NewCreditNote(order, r, inv.ID, noteID, "CN", issuedAt)
			if !q.Refund.IsPositive() {
				if err == nil {
					t.Fatalf("a credit note for a refund of %s", q.Refund)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			checkDocument(t, d)
			var lineTotal int64
			for _, l := range d.Lines {
				lineTotal += l.Total.MinorUnits()
			}
			if d.Total != q.Refund || lineTotal != q.Returned.MinorUnits() {
				t.Fatalf("credit note %s with lines %d; quote refund %s, returned %s", d.Total, lineTotal, q.Refund, q.Returned)
			}
			credited += d.Total.MinorUnits()
		}
		if credited != inv.Total.MinorUnits() {
			t.Fatalf("credited %d of an invoice of %s", credited, inv.Total)
		}
	})
}
