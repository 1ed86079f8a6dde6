package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/stock"
)

// Journey is a named sequence of steps.
type Journey struct {
	Name  string                 `json:"name"`
	Title string                 `json:"title"`
	Steps []Step                 `json:"steps"`
	Play  func() ([]Step, error) `json:"-"`
}

func journeys() []Journey {
	return []Journey{
		{Name: "web-to-store", Title: "Research online, purchase offline: Camille checks in at Bellecour", Play: webToStore},
		{Name: "store-to-web", Title: "Showrooming: Hugo starts at Part-Dieu and finishes at home", Play: storeToWeb},
		{Name: "click-collect", Title: "Click & collect: Inès's warehouse hold moves to the store", Play: clickCollect},
		{Name: "deli", Title: "At the fine-food counter: a weighed Comté, a scanned jar, paid by gift card and bank card", Play: deli},
		{Name: "sofa", Title: "The sofa scene: seen on the web, secured in store with its decoration, delivered and assembled, a cushion returned elsewhere", Play: sofa},
	}
}

func journeyNames() string {
	var names []string
	for _, j := range journeys() {
		names = append(names, j.Name)
	}
	return strings.Join(names, ", ")
}

func webToStore() ([]Step, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	var steps []Step
	id := basketID("camille")
	if _, err := e.svc.Create(e.ctx, camille, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: camille.ID}, Context: demo.Web(time.Time{})}); err != nil {
		return nil, err
	}
	for _, l := range []basket.NewLine{line("LAMP-ARC", 2), line("THROW-WOOL", 1), line("CANDLE-FIG", 2), line("CANDLE-CED", 1)} {
		e.clk.Advance(2 * time.Minute)
		if _, err := e.svc.AddLine(e.ctx, camille, id, l); err != nil {
			return nil, err
		}
	}
	b, err := e.svc.AddCoupon(e.ctx, camille, id, "welcome10")
	if err != nil {
		return nil, err
	}
	steps = append(steps, snapshotStep("Camille fills her basket on the web and enters the code WELCOME10", "shopper "+camille.ID, b, false))

	e.clk.Advance(26 * time.Hour)
	ticket, err := e.svc.IssueCheckIn(e.ctx, camille, id, basket.HandoffRequest{TTL: 10 * time.Minute})
	if err != nil {
		return nil, err
	}
	steps = append(steps, Step{Title: "Next day, at the store entrance, her app shows a check-in QR code (any Maison Lumière store, 10 minutes, single use)",
		Actor: "shopper " + camille.ID, Notes: []string{
			fmt.Sprintf("QR payload (%d characters): %s", len(ticket.Token), ticket.Token),
			"valid until " + ticket.ExpiresAt.Format(time.RFC3339),
		}})

	e.clk.Advance(time.Minute)
	_, probe := e.svc.Get(e.ctx, lea, id)
	if b, err = e.svc.CheckIn(e.ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		return nil, err
	}
	s := snapshotStep("Léa scans it on her tablet at Bellecour: the basket is recontextualized into the store", "associate lea at "+demo.Bellecour, b, true)
	s.Notes = append([]string{"before the scan, Léa's tablet could not open the basket: " + probe.Error()}, s.Notes...)
	_, again := e.svc.CheckIn(e.ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})})
	s.Notes = append(s.Notes, "scanning the same QR code again: "+again.Error())
	steps = append(steps, s)

	e.clk.Advance(5 * time.Minute)
	before := b.Result
	if _, err = e.svc.AddLine(e.ctx, lea, id, line("CANDLE-AMB", 1)); err != nil {
		return nil, err
	}
	if b, err = e.svc.AddCoupon(e.ctx, lea, id, "MERCI5"); err != nil {
		return nil, err
	}
	steps = append(steps, changeStep("Léa adds an amber candle and the store code MERCI5", "associate lea at "+demo.Bellecour, before, b))

	e.clk.Advance(3 * time.Minute)
	if b, err = e.svc.PlaceOrder(e.ctx, lea, id); err != nil {
		return nil, err
	}
	s = snapshotStep("Camille pays at the till: the order takes what is on the shelf and sends for the rest", "associate lea at "+demo.Bellecour, b, false)
	s.Fulfilment = fulfilmentOf(b)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, "paid "+b.Result.Totals.Total.String()+" by card", levelNote(e, "LAMP-ARC", demo.Bellecour, demo.PartDieu))
	_, err = e.svc.AddLine(e.ctx, lea, id, line("MUG-STONE", 1))
	s.Notes = append(s.Notes, "changing the order afterwards: "+err.Error())
	steps = append(steps, s)
	return steps, nil
}

func storeToWeb() ([]Step, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	var steps []Step
	id := basketID("hugo")
	b, err := e.svc.Create(e.ctx, malik, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: hugo.ID}, Context: demo.Store(demo.PartDieu, time.Time{})})
	if err != nil {
		return nil, err
	}
	for _, l := range []basket.NewLine{line("PLANT-POT", 3), line("VASE-GLASS", 1), line("TEA-EARL", 2)} {
		e.clk.Advance(time.Minute)
		if b, err = e.svc.AddLine(e.ctx, malik, id, l); err != nil {
			return nil, err
		}
	}
	steps = append(steps, snapshotStep("Malik starts a basket for Hugo on his tablet at Part-Dieu", "associate malik at "+demo.PartDieu, b, false))

	before := b.Result
	for _, l := range b.Lines {
		if b, err = e.svc.SetFulfilment(e.ctx, malik, id, l.ID, channel.ShipToAddress); err != nil {
			return nil, err
		}
	}
	steps = append(steps, changeStep("Hugo would rather not carry it home: every line is set to home delivery", "associate malik at "+demo.PartDieu, before, b))

	e.clk.Advance(5 * time.Hour)
	if b, err = e.svc.CheckOut(e.ctx, hugo, id, demo.Web(time.Time{}), basket.WithPolicy(basket.PriceProtection)); err != nil {
		return nil, err
	}
	s := snapshotStep("That evening Hugo opens the basket on the web (price protection: never more than in store)", "shopper "+hugo.ID, b, true)
	_, probe := e.svc.Get(e.ctx, malik, id)
	s.Notes = append(s.Notes, "the store's access ended at check-out: "+probe.Error())
	steps = append(steps, s)

	e.clk.Advance(10 * time.Minute)
	if b, err = e.svc.PlaceOrder(e.ctx, hugo, id); err != nil {
		return nil, err
	}
	s = snapshotStep("Hugo orders online for home delivery: each source gets its fulfilment order", "shopper "+hugo.ID, b, false)
	s.Fulfilment = fulfilmentOf(b)
	steps = append(steps, s)
	return steps, nil
}

func clickCollect() ([]Step, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	var steps []Step
	id := basketID("ines")
	collect := demo.WebCollect(demo.Bellecour, time.Time{})
	if _, err := e.svc.Create(e.ctx, ines, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: ines.ID}, Context: collect}); err != nil {
		return nil, err
	}
	if _, err := e.svc.AddLine(e.ctx, ines, id, line("LAMP-ARC", 2)); err != nil {
		return nil, err
	}
	if _, err := e.svc.AddLine(e.ctx, ines, id, line("BULB-E27", 2)); err != nil {
		return nil, err
	}
	b, err := e.svc.PlaceOrder(e.ctx, ines, id)
	if err != nil {
		return nil, err
	}
	s := snapshotStep("Inès orders online for collection at Bellecour: the shelf's lamp is held, the other comes from the warehouse", "shopper "+ines.ID, b, false)
	s.Fulfilment = fulfilmentOf(b)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, levelNote(e, "LAMP-ARC", demo.Bellecour, demo.Warehouse))
	steps = append(steps, s)

	e.clk.Advance(30 * time.Minute)
	walkIn := basketID("walk-in")
	if _, err := e.svc.Create(e.ctx, lea, basket.CreateRequest{ID: walkIn, Owner: basket.Owner{AnonymousID: "walk-in"}, Context: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		return nil, err
	}
	other, err := e.svc.AddLine(e.ctx, lea, walkIn, line("LAMP-ARC", 1))
	if err != nil {
		return nil, err
	}
	s = snapshotStep("Half an hour later a walk-in shopper wants the same lamp at Bellecour: the one on the shelf is Inès's", "associate lea at "+demo.Bellecour, other, false)
	s.Notes = append(s.Notes, "offered = on hand − every other basket's live holds: one truth, whatever feeds on-hand")
	steps = append(steps, s)

	e.clk.Advance(48 * time.Hour)
	if b, err = e.svc.Arrived(e.ctx, system, id, "F2"); err != nil {
		return nil, err
	}
	s = Step{Title: "Two days later the van arrives: the warehouse units move to Bellecour's shelf and are held there for Inès, in one write", Actor: "system (store receiving)"}
	s.Fulfilment = fulfilmentOf(b)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, levelNote(e, "LAMP-ARC", demo.Bellecour, demo.Warehouse))
	steps = append(steps, s)

	e.clk.Advance(3 * time.Hour)
	for _, fo := range []string{"F1", "F2"} {
		if b, err = e.svc.Collect(e.ctx, lea, id, fo); err != nil {
			return nil, err
		}
	}
	s = Step{Title: "Inès collects at Bellecour: Léa hands both parcels over; the holds end and the units leave the shelf", Actor: "associate lea at " + demo.Bellecour}
	s.Fulfilment = fulfilmentOf(b)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	_, again := e.svc.Collect(e.ctx, lea, id, "F1")
	s.Notes = append(s.Notes, levelNote(e, "LAMP-ARC", demo.Bellecour, demo.Warehouse), "handing F1 over a second time: "+again.Error())
	steps = append(steps, s)
	return steps, nil
}

func sofa() ([]Step, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	var steps []Step
	id := basketID("nadia")
	if _, err := e.svc.Create(e.ctx, nadia, basket.CreateRequest{ID: id, Owner: basket.Owner{CustomerID: nadia.ID}, Context: demo.Web(time.Time{})}); err != nil {
		return nil, err
	}
	b, err := e.svc.AddLine(e.ctx, nadia, id, line("SOFA-LINEN", 1))
	if err != nil {
		return nil, err
	}
	steps = append(steps, snapshotStep("Nadia saves the linen sofa in her web basket", "shopper "+nadia.ID, b, false))

	e.clk.Advance(50 * time.Hour)
	ticket, err := e.svc.IssueCheckIn(e.ctx, nadia, id, basket.HandoffRequest{Location: demo.PartDieu, TTL: 10 * time.Minute, ShortCode: true})
	if err != nil {
		return nil, err
	}
	e.clk.Advance(time.Minute)
	if b, err = e.svc.CheckIn(e.ctx, malik, basket.CheckInRequest{ShortCode: ticket.ShortCode, Method: "short-code", Target: demo.Store(demo.PartDieu, time.Time{})}); err != nil {
		return nil, err
	}
	sofaLine := b.Lines[0].ID
	before := b.Result
	e.clk.Advance(20 * time.Minute)
	assembly := line("ASSEMBLY", 1)
	assembly.ParentID = sofaLine
	for _, n := range []basket.NewLine{assembly, line("CUSHION-VEL", 2), line("CUSHION-LIN", 1), line("VASE-GLASS", 1)} {
		if _, err = e.svc.AddLine(e.ctx, malik, id, n); err != nil {
			return nil, err
		}
	}
	if b, err = e.svc.SetFulfilment(e.ctx, malik, id, sofaLine, channel.ShipToAddress); err != nil {
		return nil, err
	}
	steps = append(steps, changeStep("At Part-Dieu Malik opens it, adds home assembly, three cushions and a vase, and has the sofa delivered", "associate malik at "+demo.PartDieu, before, b))

	e.clk.Advance(5 * time.Minute)
	if b, err = e.svc.PlaceOrder(e.ctx, malik, id); err != nil {
		return nil, err
	}
	doc, err := e.svc.Invoice(e.ctx, malik, id)
	if err != nil {
		return nil, err
	}
	s := snapshotStep("Nadia pays: the decoration goes home with her, the warehouse delivers and assembles the sofa", "associate malik at "+demo.PartDieu, b, false)
	if b, err = e.svc.Get(e.ctx, malik, id); err != nil {
		return nil, err
	}
	s.Basket.Status = b.Status.String()
	s.Fulfilment = fulfilmentOf(b)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Documents = append(s.Documents, documentOf(doc))
	s.Notes = append(s.Notes, levelNote(e, "CUSHION-VEL", demo.PartDieu, demo.Bellecour), levelNote(e, "SOFA-LINEN", demo.Warehouse))
	steps = append(steps, s)

	e.clk.Advance(48 * time.Hour)
	if b, err = e.svc.Dispatch(e.ctx, system, id, "F2"); err != nil {
		return nil, err
	}
	s = Step{Title: "Two days later the warehouse dispatches the sofa with its assembly", Actor: "system (warehouse)"}
	s.Fulfilment = fulfilmentOf(b)
	s.Notes = append(s.Notes, levelNote(e, "SOFA-LINEN", demo.Warehouse))
	steps = append(steps, s)

	e.clk.Advance(7 * 24 * time.Hour)
	ticket, err = e.svc.IssueCheckIn(e.ctx, nadia, id, basket.HandoffRequest{Location: demo.Bellecour, TTL: 10 * time.Minute})
	if err != nil {
		return nil, err
	}
	if _, err := e.svc.CheckIn(e.ctx, lea, basket.CheckInRequest{Token: ticket.Token, Method: "qr", Target: demo.Store(demo.Bellecour, time.Time{})}); err != nil {
		return nil, err
	}
	velvet := lineOf(b, "CUSHION-VEL")
	_, tooMany := e.svc.Return(e.ctx, lea, id, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 3}}, Reason: "colour"})
	if b, err = e.svc.Return(e.ctx, lea, id, basket.ReturnRequest{Lines: []basket.ReturnLine{{LineID: velvet, Quantity: 1}}, Reason: "colour"}); err != nil {
		return nil, err
	}
	docs, err := e.svc.Documents(e.ctx, lea, id)
	if err != nil {
		return nil, err
	}
	s = Step{Title: "A week later Nadia brings a velvet cushion back to Bellecour: the three-for-two no longer holds, so the free cushion's value is kept back", Actor: "associate lea at " + demo.Bellecour}
	s.Return = returnOf(b.Order.Returns[len(b.Order.Returns)-1])
	for _, d := range docs {
		s.Documents = append(s.Documents, documentOf(d))
	}
	s.Notes = append(s.Notes, "Nadia's order QR code gave Bellecour a grant on the order: nothing was re-priced",
		"returning 3 velvet cushions first: "+tooMany.Error(), levelNote(e, "CUSHION-VEL", demo.PartDieu, demo.Bellecour))
	steps = append(steps, s)
	return steps, nil
}

func lineOf(b *basket.Basket, sku string) string {
	for _, l := range b.Lines {
		if l.SKU == sku {
			return l.ID
		}
	}
	return ""
}

func reservations(e *env, basketID string) ([]ReservationView, error) {
	rs, err := e.stock.Reservations(e.ctx, basketID)
	if err != nil {
		return nil, err
	}
	out := []ReservationView{}
	for _, r := range rs {
		for _, l := range r.Lines {
			out = append(out, ReservationView{Location: r.LocationID, SKU: l.SKU, Quantity: l.Quantity, Until: r.ExpiresAt})
		}
	}
	return out, nil
}

func levelNote(e *env, sku string, locations ...string) string {
	levels, err := e.stock.Levels(e.ctx, stock.Query{SKUs: []string{sku}, Locations: locations})
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, l := range levels.All() {
		parts = append(parts, fmt.Sprintf("%s on hand %d, reserved %d", l.LocationID, l.OnHand, l.Reserved))
	}
	return sku + " stock: " + strings.Join(parts, "; ")
}
