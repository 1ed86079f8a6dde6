package basket

import (
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/pricing"
)

// NewInvoice builds the invoice of an order: its lines and fees as priced
// and paid (b.Result), the tax broken down per rate over lines and fees,
// sorted by rate (every rate of the order, even one whose amounts came to
// zero), and Net, Tax and Total the order's totals, so Σ Taxes.Gross =
// Total = Net + Tax. The customer is the basket's owner (empty for an
// anonymous shopper); the channel and location are the order's. Number
// stays 0: the store numbers the document when it is saved.
//
// It is pure. A basket that is not an order ([Ordered] or [Invoiced] with
// its Order), without a complete result, or already invoiced, and an
// empty ID, series or time, give an [*InputError] matching [ErrInvalid].
func NewInvoice(b *Basket, id uuid.UUID, series string, at time.Time) (Document, error) {
	cur, err := documentOrder(b, id, series, at)
	if err != nil {
		return Document{}, err
	}
	for _, ref := range b.Order.Documents {
		if ref.Kind == Invoice {
			return Document{}, invalid("Order.Documents", "the order is already invoiced (%s)", ref.ID)
		}
	}
	r := b.Result
	d := Document{
		ID: id, Kind: Invoice, Series: series, IssuedAt: at,
		BasketID: b.ID, CustomerID: b.Owner.CustomerID, ChannelID: r.Context.ChannelID, LocationID: r.Context.LocationID,
		Lines: make([]DocumentLine, 0, len(r.Lines)), Fees: slices.Clone(r.Fees),
		Net: r.Totals.Net, Tax: r.Totals.Tax, Total: r.Totals.Total, Adjustment: pricing.Zero(cur),
	}
	for _, l := range r.Lines {
		d.Lines = append(d.Lines, DocumentLine{LineID: l.LineID, SKU: l.SKU, Name: l.Name, Quantity: l.Quantity, Unit: l.Unit,
			UnitPrice: l.UnitPrice, PreciseUnitPrice: l.PreciseUnitPrice, Discount: l.Discount, TaxRate: l.TaxRate, Net: l.Net, Tax: l.Tax, Total: l.Total})
	}
	var s rateSums
	if err := s.addResult(r, 1); err != nil {
		return Document{}, err
	}
	d.Taxes = s.amounts(true)
	if err := checkDocumentTotals(&d); err != nil {
		return Document{}, err
	}
	return d, nil
}

// NewCreditNote builds the credit note of a return of order b that
// refunds something: the returned units at what the order charged for them
// (per line the order's discount, net, tax and total pro rata to the units
// returned, each rounded half to even, net the rest of the total, as in
// [RefundQuote.Returned]), the refund split per tax rate as quoted
// (ret.Quote.Taxes), Total the refund and Net and Tax the sums of its
// split. What the refund differs from the returned units is the
// Adjustment, per rate in Adjustments, with the broken promotions that
// explain it: Σ Lines.Total + Adjustment = Total, and at each rate the
// lines plus the adjustment make the tax entry. The channel and location
// are where the goods came back (the order's channel when the return names
// none); Corrects is the invoice, ReturnID the return. Fees are not listed:
// a fee the kept lines no longer incur is part of the adjustment. Number
// stays 0: the store numbers it.
//
// It is pure. A basket that is not an order, a return whose refund is
// zero (no credit note for nothing), a return whose lines or quote do not
// belong to the order (unknown line: [ErrUnknownLine]), and an empty
// invoice, ID, series or time give an [*InputError].
func NewCreditNote(b *Basket, ret Return, invoice uuid.UUID, id uuid.UUID, series string, at time.Time) (Document, error) {
	cur, err := documentOrder(b, id, series, at)
	if err != nil {
		return Document{}, err
	}
	q := ret.Quote
	switch {
	case invoice == uuid.Nil:
		return Document{}, invalid("Corrects", "a credit note corrects an invoice")
	case ret.ID == "":
		return Document{}, invalid("Return.ID", "must not be empty")
	case q.Refund.Currency() != cur || !q.Refund.IsPositive():
		return Document{}, invalid("Return.Quote.Refund", "%s: a credit note refunds a positive amount in %s", q.Refund, cur)
	}
	d := Document{
		ID: id, Kind: CreditNote, Series: series, IssuedAt: at,
		BasketID: b.ID, CustomerID: b.Owner.CustomerID, ChannelID: ret.ChannelID, LocationID: ret.LocationID,
		Taxes: slices.Clone(q.Taxes), Net: pricing.Zero(cur), Tax: pricing.Zero(cur), Total: q.Refund,
		Broken: slices.Clone(q.Broken), Corrects: invoice, ReturnID: ret.ID,
	}
	if d.ChannelID == "" {
		d.ChannelID = b.Result.Context.ChannelID
	}
	var merged []ReturnLine
	for _, l := range ret.Lines {
		if i := slices.IndexFunc(merged, func(m ReturnLine) bool { return m.LineID == l.LineID }); i >= 0 {
			merged[i].Quantity += l.Quantity
		} else {
			merged = append(merged, l)
		}
	}
	slices.SortFunc(merged, func(x, y ReturnLine) int { return compareLineIDs(x.LineID, y.LineID) })
	var s rateSums
	lines := pricing.Zero(cur)
	for _, l := range merged {
		pl, ok := b.Result.Line(l.LineID)
		if !ok {
			return Document{}, &InputError{Field: "Return.Lines[" + l.LineID + "]", Reason: "not a line of the order", Kind: ErrUnknownLine}
		}
		if l.Quantity <= 0 || l.Quantity > pl.Quantity {
			return Document{}, invalid("Return.Lines["+l.LineID+"].Quantity", "%d of the %d units ordered", l.Quantity, pl.Quantity)
		}
		dl := DocumentLine{LineID: pl.LineID, SKU: pl.SKU, Name: pl.Name, Quantity: l.Quantity, Unit: pl.Unit, UnitPrice: pl.UnitPrice, PreciseUnitPrice: pl.PreciseUnitPrice, TaxRate: pl.TaxRate}
		if dl.Discount, err = prorata(pl.Discount, l.Quantity, pl.Quantity); err != nil {
			return Document{}, err
		}
		if dl.Tax, err = prorata(pl.Tax, l.Quantity, pl.Quantity); err != nil {
			return Document{}, err
		}
		if dl.Total, err = prorata(pl.Total, l.Quantity, pl.Quantity); err != nil {
			return Document{}, err
		}
		if dl.Net, err = dl.Total.Sub(dl.Tax); err != nil {
			return Document{}, err
		}
		if lines, err = lines.Add(dl.Total); err != nil {
			return Document{}, err
		}
		if err := s.add(dl.TaxRate, dl.Net, dl.Tax, dl.Total, -1); err != nil {
			return Document{}, err
		}
		d.Lines = append(d.Lines, dl)
	}
	if len(d.Lines) == 0 {
		return Document{}, invalid("Return.Lines", "nothing is returned")
	}
	if lines != q.Returned {
		return Document{}, invalid("Return.Quote.Returned", "%s, but the returned lines were charged %s: the quote is not this return's", q.Returned, lines)
	}
	for _, t := range d.Taxes {
		if d.Net, err = d.Net.Add(t.Net); err != nil {
			return Document{}, err
		}
		if d.Tax, err = d.Tax.Add(t.Tax); err != nil {
			return Document{}, err
		}
		if err := s.add(t.Rate, t.Net, t.Tax, t.Gross, 1); err != nil {
			return Document{}, err
		}
	}
	if d.Adjustment, err = q.Refund.Sub(lines); err != nil {
		return Document{}, err
	}
	d.Adjustments = s.amounts(false)
	if err := checkDocumentTotals(&d); err != nil {
		return Document{}, err
	}
	return d, nil
}

// documentOrder checks what every document of order b needs and returns
// the order's currency.
func documentOrder(b *Basket, id uuid.UUID, series string, at time.Time) (pricing.Currency, error) {
	switch {
	case b == nil:
		return pricing.Currency{}, invalid("Basket", "must not be nil")
	case !b.Status.Final() || b.Order == nil:
		return pricing.Currency{}, invalid("Status", "a %s basket is not an order", b.Status)
	case b.Result == nil || !b.Result.Complete:
		return pricing.Currency{}, invalid("Result", "an order's documents need its complete pricing")
	case id == uuid.Nil:
		return pricing.Currency{}, invalid("ID", "must not be the nil UUID")
	case series == "":
		return pricing.Currency{}, invalid("Series", "must not be empty")
	case at.IsZero():
		return pricing.Currency{}, invalid("IssuedAt", "must be set")
	}
	cur, err := pricing.LookupCurrency(b.Result.Context.Currency)
	if err != nil {
		return pricing.Currency{}, &InputError{Field: "Result.Context.Currency", Reason: err.Error(), Kind: ErrInvalid}
	}
	return cur, nil
}

// checkDocumentTotals checks the identities a document states: Net + Tax
// = Total = Σ Taxes.Gross, Gross = Net + Tax on each rate, and Σ lines
// and fees + Adjustment = Total. Only an order whose result does not add
// up, or a quote that is not the return's, fails them.
func checkDocumentTotals(d *Document) error {
	var net, tax, gross, parts int64
	for _, t := range d.Taxes {
		if t.Net.MinorUnits()+t.Tax.MinorUnits() != t.Gross.MinorUnits() {
			return invalid("Taxes", "at %s%%: net %s + tax %s is not %s", t.Rate.Percent(), t.Net, t.Tax, t.Gross)
		}
		net, tax, gross = net+t.Net.MinorUnits(), tax+t.Tax.MinorUnits(), gross+t.Gross.MinorUnits()
	}
	for _, l := range d.Lines {
		parts += l.Total.MinorUnits()
	}
	for _, f := range d.Fees {
		parts += f.Total.MinorUnits()
	}
	total := d.Total.MinorUnits()
	switch {
	case net != d.Net.MinorUnits() || tax != d.Tax.MinorUnits() || gross != total || net+tax != total:
		return invalid("Taxes", "net %s, tax %s and total %s do not match the split per rate", d.Net, d.Tax, d.Total)
	case parts+d.Adjustment.MinorUnits() != total:
		return invalid("Lines", "lines and fees (%d minor units) and the adjustment %s do not make the total %s", parts, d.Adjustment, d.Total)
	}
	return nil
}
