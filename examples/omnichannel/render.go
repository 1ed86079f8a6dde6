package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/promotion"
)

// Step is what one moment of a journey shows.
type Step struct {
	Title        string            `json:"title"`
	Actor        string            `json:"actor"`
	Basket       *BasketView       `json:"basket,omitempty"`
	Changes      []ChangeView      `json:"changes,omitempty"`
	Reservations []ReservationView `json:"reservations,omitempty"`
	Fulfilment   []FulfilmentView  `json:"fulfilment,omitempty"`
	Return       *ReturnView       `json:"return,omitempty"`
	Documents    []DocumentView    `json:"documents,omitempty"`
	Payment      *PaymentView      `json:"payment,omitempty"`
	// Language is the locale the changes are said in, when it is the
	// shopper's rather than English.
	Language string   `json:"language,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

// PaymentView is how the tenders settle the total, amounts in the
// shopper's locale.
type PaymentView struct {
	Due       string       `json:"due"`
	Tenders   []TenderView `json:"tenders"`
	Paid      string       `json:"paid"`
	Remaining string       `json:"remaining"`
	Rounding  string       `json:"cash_rounding"`
	Change    string       `json:"change"`
}

// TenderView is one tender and what it pays.
type TenderView struct {
	Kind   string `json:"kind"`
	Code   string `json:"code,omitempty"`
	Amount string `json:"amount"`
	Left   string `json:"left,omitempty"`
}

// FulfilmentView is one fulfilment order: what one location does.
type FulfilmentView struct {
	ID        string `json:"id"`
	From      string `json:"from"`
	Mode      string `json:"mode"`
	Pickup    string `json:"pickup,omitempty"`
	Goods     string `json:"goods"`
	Status    string `json:"status"`
	ReadyAt   string `json:"ready_at"`
	HoldUntil string `json:"hold_until,omitempty"`
}

// ReturnView is a return and its refund.
type ReturnView struct {
	ID        string   `json:"id"`
	Goods     string   `json:"goods"`
	At        string   `json:"at"`
	Restocked string   `json:"restocked"`
	Paid      string   `json:"paid"`
	Kept      string   `json:"kept"`
	Returned  string   `json:"returned"`
	Clawback  string   `json:"clawback"`
	Refund    string   `json:"refund"`
	Broken    []string `json:"broken,omitempty"`
}

// DocumentView is an invoice or a credit note.
type DocumentView struct {
	Kind   string `json:"kind"`
	Number string `json:"number"`
	Total  string `json:"total"`
	Taxes  string `json:"taxes"`
}

// BasketView is the basket as a tablet or the web shop would display it.
type BasketView struct {
	ID         string       `json:"id"`
	Status     string       `json:"status"`
	Channel    string       `json:"channel"`
	Lines      []LineView   `json:"lines"`
	Fees       []FeeView    `json:"fees,omitempty"`
	Promotions []string     `json:"promotions,omitempty"`
	Coupons    []CouponView `json:"coupons,omitempty"`
	Subtotal   string       `json:"subtotal"`
	Discount   string       `json:"discount"`
	Delivery   string       `json:"delivery"`
	Tax        string       `json:"tax"`
	Total      string       `json:"total"`
}

// LineView is one line of the display.
type LineView struct {
	Line       string `json:"line"`
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Quantity   string `json:"quantity"` // "2", or "0.347 kg" for weighed goods
	Unit       string `json:"unit"`     // the unit price, "24.90/kg" for weighed goods
	Basis      string `json:"basis"`
	Discount   string `json:"discount"`
	Total      string `json:"total"`
	Fulfilment string `json:"fulfilment"`
}

// FeeView is a fulfilment fee.
type FeeView struct {
	Mode   string `json:"mode"`
	Amount string `json:"amount"`
	Total  string `json:"total"`
}

// CouponView is a wallet code and whether it counts here.
type CouponView struct {
	Code   string `json:"code"`
	Status string `json:"status"`
}

// ChangeView is one entry of the change report.
type ChangeView struct {
	Kind    string `json:"kind"`
	Line    string `json:"line,omitempty"`
	Message string `json:"message"`
}

// ReservationView is one held SKU.
type ReservationView struct {
	Location string    `json:"location"`
	SKU      string    `json:"sku"`
	Quantity int64     `json:"quantity"`
	Until    time.Time `json:"until"`
}

// snapshotStep captures the basket as priced, with its change report when
// the step is about a change.
func snapshotStep(title, actor string, b *basket.Basket, withChanges bool) Step {
	s := Step{Title: title, Actor: actor, Basket: viewOf(b)}
	if withChanges && b.Result != nil {
		for _, c := range b.Result.Changes {
			s.Changes = append(s.Changes, ChangeView{Kind: c.Kind.String(), Line: c.LineID, Message: c.Message()})
		}
	}
	return s
}

// changeStep captures the basket with everything that changed since before
// (a step made of several commands reports them all).
func changeStep(title, actor string, before *basket.Result, b *basket.Basket) Step {
	return Step{Title: title, Actor: actor, Basket: viewOf(b), Changes: changesSaid(before, b.Result, basket.Change.Message)}
}

// changesSaid is the report of what changed from before to after, each
// change said by say (in English, or in the shopper's language).
func changesSaid(before, after *basket.Result, say func(basket.Change) string) []ChangeView {
	var out []ChangeView
	for _, c := range basket.Diff(before, after) {
		out = append(out, ChangeView{Kind: c.Kind.String(), Line: c.LineID, Message: say(c)})
	}
	return out
}

func viewOf(b *basket.Basket) *BasketView {
	r := b.Result
	v := &BasketView{ID: b.ID.String(), Status: b.Status.String(), Channel: b.Context.ChannelID,
		Subtotal: r.Totals.Subtotal.String(), Discount: r.Totals.Discount.String(), Delivery: r.Totals.Fees.String(),
		Tax: r.Totals.Tax.String(), Total: r.Totals.Total.String()}
	for _, l := range r.Lines {
		lv := LineView{Line: l.LineID, SKU: l.SKU, Name: l.Name, Quantity: basket.FormatQuantity(l.Quantity, l.Unit), Basis: l.Basis.String(), Fulfilment: fulfilment(l)}
		if line, ok := b.Line(l.LineID); ok && line.ParentID != "" {
			lv.Fulfilment = "service, travels with " + line.ParentID
		}
		if l.Priced {
			lv.Unit, lv.Discount, lv.Total = l.UnitPriceExact().Amount(), l.Discount.Amount(), l.Total.Amount()
			if l.Unit.Measured() {
				lv.Unit += "/" + l.Unit.String()
			}
			if l.Basis != basket.BasisTarget {
				lv.Basis += " (here " + l.ListPrice.Amount() + ")"
			}
		} else {
			lv.Unit, lv.Discount, lv.Total = "—", "—", "—"
			lv.Basis = l.Problem
		}
		v.Lines = append(v.Lines, lv)
	}
	for _, f := range r.Fees {
		v.Fees = append(v.Fees, FeeView{Mode: f.Mode.String(), Amount: f.Amount.Amount(), Total: f.Total.Amount()})
	}
	for _, p := range r.Promotions {
		if p.Status == promotion.Applied {
			v.Promotions = append(v.Promotions, p.Message)
		}
	}
	for _, c := range r.Coupons {
		v.Coupons = append(v.Coupons, CouponView{Code: c.Code, Status: c.Status.String()})
	}
	return v
}

func fulfilment(l basket.PricedLine) string {
	var parts []string
	for _, a := range l.Fulfilment.Allocations {
		p := fmt.Sprintf("%s %s from %s", basket.FormatQuantity(a.Quantity, l.Unit), a.Mode, a.LocationID)
		if a.LeadTime > 0 {
			p += " (" + hours(a.LeadTime) + ")"
		}
		parts = append(parts, p)
	}
	switch {
	case l.Fulfilment.Unknown:
		parts = append(parts, "stock unknown")
	case l.Fulfilment.Short > 0:
		parts = append(parts, basket.FormatQuantity(l.Fulfilment.Short, l.Unit)+" short")
	}
	return strings.Join(parts, " + ")
}

func fulfilmentOf(b *basket.Basket) []FulfilmentView {
	var out []FulfilmentView
	for _, fo := range b.Order.Fulfilment {
		v := FulfilmentView{ID: fo.ID, From: fo.LocationID, Mode: fo.Mode.String(), Pickup: fo.PickupLocationID,
			Status: fo.Status.String(), ReadyAt: stamp(fo.ReadyAt)}
		if !fo.HoldUntil.IsZero() && !fo.Status.Done() {
			v.HoldUntil = stamp(fo.HoldUntil)
		}
		var goods []string
		for _, l := range fo.Lines {
			g := fmt.Sprintf("%d × %s", l.Quantity, l.Name)
			for _, sv := range l.Services {
				g += fmt.Sprintf(" (with %s)", strings.ToLower(sv.Name))
			}
			goods = append(goods, g)
		}
		v.Goods = strings.Join(goods, ", ")
		out = append(out, v)
	}
	return out
}

func returnOf(r basket.Return) *ReturnView {
	v := &ReturnView{ID: r.ID, At: r.LocationID, Restocked: r.Restocked, Paid: r.Quote.Paid.String(), Kept: r.Quote.Kept.String(),
		Returned: r.Quote.Returned.String(), Clawback: r.Quote.Clawback.String(), Refund: r.Quote.Refund.String()}
	var goods []string
	for _, l := range r.Lines {
		goods = append(goods, fmt.Sprintf("%d × line %s", l.Quantity, l.LineID))
	}
	v.Goods = strings.Join(goods, ", ")
	for _, p := range r.Quote.Broken {
		v.Broken = append(v.Broken, p.Message)
	}
	return v
}

func documentOf(d basket.Document) DocumentView {
	var taxes []string
	for _, t := range d.Taxes {
		taxes = append(taxes, fmt.Sprintf("VAT %s %% %s on %s", t.Rate.Percent(), t.Tax.Amount(), t.Net.Amount()))
	}
	return DocumentView{Kind: d.Kind.String(), Number: fmt.Sprintf("%s/%06d", d.Series, d.Number), Total: d.Total.String(), Taxes: strings.Join(taxes, "; ")}
}

func stamp(t time.Time) string { return t.Format("Mon 02 Jan 15:04 MST") }

func renderJSON(w io.Writer, js []Journey) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(js)
}

func renderText(w io.Writer, js []Journey) error {
	p := &printer{w: w}
	for i, j := range js {
		if i > 0 {
			p.line("")
		}
		p.line("══ %s ══", j.Title)
		for n, s := range j.Steps {
			p.line("")
			p.line("%d. %s", n+1, s.Title)
			p.line("   [%s]", s.Actor)
			if s.Basket != nil {
				p.basket(s.Basket)
			}
			if len(s.Changes) > 0 && s.Language != "" {
				p.line("   What changed, as the till says it to the shopper (%s):", s.Language)
			} else if len(s.Changes) > 0 {
				p.line("   What changed:")
			}
			if len(s.Changes) > 0 {
				for _, c := range s.Changes {
					p.line("     • %s", c.Message)
				}
			}
			if len(s.Fulfilment) > 0 {
				p.line("   Fulfilment orders:")
				for _, f := range s.Fulfilment {
					where := f.From
					if f.Pickup != "" && f.Pickup != f.From {
						where += " → " + f.Pickup
					}
					p.line("     %s  %s · %s · %s · %s", f.ID, f.Mode, where, f.Status, f.Goods)
					if f.HoldUntil != "" {
						p.line("         ready %s, held until %s", f.ReadyAt, f.HoldUntil)
					}
				}
			}
			if len(s.Reservations) > 0 {
				p.line("   Held stock:")
				for _, r := range s.Reservations {
					p.line("     • %d × %s at %s until %s", r.Quantity, r.SKU, r.Location, stamp(r.Until))
				}
			}
			if r := s.Return; r != nil {
				p.line("   Return %s at %s (%s), restocked at %s:", r.ID, r.At, r.Goods, r.Restocked)
				p.line("     paid %s · kept lines re-priced at the order's terms %s · refund %s", r.Paid, r.Kept, r.Refund)
				p.line("     the returned units were charged %s; promotions broken keep back %s", r.Returned, r.Clawback)
				for _, b := range r.Broken {
					p.line("     • %s", b)
				}
			}
			if v := s.Payment; v != nil {
				p.line("   Payment of %s:", v.Due)
				for _, t := range v.Tenders {
					left := ""
					if t.Left != "" {
						left = " (" + t.Left + " left on it)"
					}
					p.line("     • %s %s: %s%s", t.Kind, t.Code, t.Amount, left)
				}
				p.line("     paid %s · still due %s · cash rounding %s · change %s", v.Paid, v.Remaining, v.Rounding, v.Change)
			}
			for _, d := range s.Documents {
				p.line("   %s %s: %s (%s)", d.Kind, d.Number, d.Total, d.Taxes)
			}
			for _, n := range s.Notes {
				p.line("   ↳ %s", n)
			}
		}
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

func (p *printer) basket(v *BasketView) {
	p.line("   Basket %s… · %s · %s", v.ID[:8], v.Channel, v.Status)
	if p.err != nil {
		return
	}
	tw := tabwriter.NewWriter(p.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "   \tline\tqty\tproduct\tunit\tprice basis\tdiscount\ttotal\tfulfilment\t")
	for _, l := range v.Lines {
		fmt.Fprintf(tw, "   \t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", l.Line, l.Quantity, l.Name, l.Unit, l.Basis, l.Discount, l.Total, l.Fulfilment)
	}
	for _, f := range v.Fees {
		fmt.Fprintf(tw, "   \t\t\t%s fee\t%s\t\t\t%s\t\t\n", f.Mode, f.Amount, f.Total)
	}
	if err := tw.Flush(); err != nil {
		p.err = err
		return
	}
	p.line("   Subtotal %s · discounts %s · delivery %s · incl. VAT %s · TOTAL %s", v.Subtotal, v.Discount, v.Delivery, v.Tax, v.Total)
	for _, pr := range v.Promotions {
		p.line("   ✓ %s", pr)
	}
	for _, c := range v.Coupons {
		p.line("   wallet: %s (%s)", c.Code, c.Status)
	}
}

// hours formats a lead time the way a shop says it: "2 h", "48 h", "30 min".
func hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d h", d/time.Hour)
	}
	return fmt.Sprintf("%d min", d/time.Minute)
}
