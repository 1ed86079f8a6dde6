package main

import (
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/stock"
)

// deli is the till at Bellecour's fine-food counter: a weighed cheese
// scanned from the scale's label, a jar scanned from its EAN-13, a typo
// refused, and a basket paid by gift card and bank card, with the change
// report read to the shopper in her language.
func deli() ([]Step, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	words, err := message.New()
	if err != nil {
		return nil, err
	}
	var steps []Step
	id := basketID("jeanne")
	b, err := e.svc.Create(e.ctx, lea, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: jeanne.ID}, Context: demo.Store(demo.Bellecour, time.Time{})})
	if err != nil {
		return nil, err
	}
	before := b.Result
	label, err := demo.ScaleLabel(347)
	if err != nil {
		return nil, err
	}
	e.clk.Advance(time.Minute)
	if _, err = e.svc.Scan(e.ctx, lea, id, label.String()); err != nil {
		return nil, err
	}
	honey := demo.Barcode("HONEY-LAV")
	for _, code := range []string{honey.String(), demo.Barcode("CHOC-BOX").String()} {
		if b, err = e.svc.Scan(e.ctx, lea, id, code); err != nil {
			return nil, err
		}
	}
	printer := words.Printer(b.Context.Locale)
	s := Step{Title: "Jeanne asks for a piece of Comté at Bellecour's counter: Léa weighs it, scans the scale's label, a jar of honey and a praline box",
		Actor: "associate lea at " + demo.Bellecour, Basket: viewOf(b), Language: b.Context.Locale, Changes: changesSaid(before, b.Result, printer.Change)}
	_, typo := e.svc.AddLine(e.ctx, lea, id, basket.NewLine{SKU: "COMTE-24M", Quantity: 1})
	s.Notes = append(s.Notes,
		"the scale printed "+ean13(label.String())+": Comté AOP 18 months, 0.347 kg at 24.90 EUR/kg, rounded once to the cent",
		"the honey's EAN-13 "+ean13(honey.String())+" names HONEY-LAV in the catalogue",
		"a typo on the tablet is refused, not added unpriced: "+typo.Error())
	steps = append(steps, s)

	e.clk.Advance(2 * time.Minute)
	if _, err = e.svc.AddTender(e.ctx, lea, id, payment.Tender{Kind: payment.GiftCard, Code: giftCard}); err != nil {
		return nil, err
	}
	if _, err = e.svc.AddTender(e.ctx, lea, id, payment.Tender{Kind: payment.Card, Code: "TPE-2"}); err != nil {
		return nil, err
	}
	if _, err = e.svc.PlaceOrder(e.ctx, lea, id); err != nil {
		return nil, err
	}
	if b, err = e.svc.Pay(e.ctx, lea, id); err != nil {
		return nil, err
	}
	s = snapshotStep("Jeanne pays with the gift card she was given and her bank card for the rest", "associate lea at "+demo.Bellecour, b, false)
	s.Payment = paymentOf(b.Result.Payment, printer)
	left, err := e.vouchers.Balances(e.ctx, []string{giftCard})
	if err != nil {
		return nil, err
	}
	lv, err := e.stock.Levels(e.ctx, stock.Query{SKUs: []string{"COMTE-18M"}, Locations: []string{demo.Bellecour}})
	if err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, "left on gift card "+giftCard+": "+left[0].Amount.String()+" (the tender is payment, not a discount: tax is unchanged)")
	for _, l := range lv.All() {
		s.Notes = append(s.Notes, "Comté left at the counter: "+basket.FormatQuantity(l.OnHand, demo.Measured(l.SKU)))
	}
	_, again := e.svc.Pay(e.ctx, lea, id)
	s.Notes = append(s.Notes, "paying twice: "+again.Error())
	steps = append(steps, s)
	return steps, nil
}

// ean13 writes a GTIN-13 as printed under its bars, without the GTIN-14's
// leading zero.
func ean13(gtin14 string) string { return strings.TrimPrefix(gtin14, "0") }

// paymentOf shows a settlement the way the till's screen does, amounts in
// the shopper's locale.
func paymentOf(s *payment.Settlement, p *message.Printer) *PaymentView {
	if s == nil {
		return nil
	}
	v := &PaymentView{Due: p.Money(s.Due), Paid: p.Money(s.Paid), Remaining: p.Money(s.Remaining), Change: p.Money(s.Change), Rounding: p.Money(s.CashRounding)}
	for _, a := range s.Tenders {
		t := TenderView{Kind: a.Tender.Kind.String(), Code: a.Tender.Code, Amount: p.Money(a.Amount)}
		if a.Tender.Kind.BalanceBound() {
			t.Left = p.Money(a.Left)
		}
		v.Tenders = append(v.Tenders, t)
	}
	return v
}
