package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/internal/demo"
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
	if b, err = e.svc.Transition(e.ctx, lea, id, basket.Ordered, time.Time{}); err != nil {
		return nil, err
	}
	s = snapshotStep("Camille pays at the till: the basket becomes an order", "associate lea at "+demo.Bellecour, b, false)
	s.Notes = append(s.Notes, "paid "+b.Result.Totals.Total.String()+" by card")
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
	if b, err = e.svc.Transition(e.ctx, hugo, id, basket.Ordered, time.Time{}); err != nil {
		return nil, err
	}
	steps = append(steps, snapshotStep("Hugo orders online for home delivery", "shopper "+hugo.ID, b, false))
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
	b, err := e.svc.AddLine(e.ctx, ines, id, line("BULB-E27", 2))
	if err != nil {
		return nil, err
	}
	s := snapshotStep("Inès orders online for collection at Bellecour", "shopper "+ines.ID, b, false)

	// Hold what the plan takes from each location until the collection day.
	hold := e.clk.Now().Add(72 * time.Hour)
	perLocation := map[string][]stock.ReserveLine{}
	for _, l := range b.Result.Plan.Lines {
		for _, a := range l.Allocations {
			perLocation[a.LocationID] = append(perLocation[a.LocationID], stock.ReserveLine{SKU: l.SKU, Quantity: a.Quantity})
		}
	}
	for _, loc := range []string{demo.Bellecour, demo.Warehouse} {
		if len(perLocation[loc]) == 0 {
			continue
		}
		if _, err := e.stock.Reserve(e.ctx, stock.ReserveRequest{BasketID: id.String(), RequestKey: "order-" + loc, LocationID: loc, Lines: perLocation[loc], ExpiresAt: hold}); err != nil {
			return nil, err
		}
	}
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, levelNote(e, "LAMP-ARC"))
	steps = append(steps, s)

	e.clk.Advance(48 * time.Hour)
	if err := e.stock.SetOnHand(e.ctx, "LAMP-ARC", demo.Bellecour, 2); err != nil { // the transfer van arrived
		return nil, err
	}
	moved, err := e.stock.Transfer(e.ctx, stock.TransferRequest{BasketID: id.String(), RequestKey: "arrived", From: demo.Warehouse, To: demo.Bellecour, ExpiresAt: hold})
	if err != nil {
		return nil, err
	}
	s = Step{Title: "Two days later the lamp arrives at Bellecour: the warehouse hold moves to the store in one step", Actor: "system"}
	s.Notes = append(s.Notes, fmt.Sprintf("transfer: %d line(s) now held at %s until %s", len(moved.Lines), moved.LocationID, moved.ExpiresAt.Format(time.RFC3339)))
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	s.Notes = append(s.Notes, levelNote(e, "LAMP-ARC"))
	steps = append(steps, s)

	e.clk.Advance(3 * time.Hour)
	ticket, err := e.svc.IssueCheckIn(e.ctx, ines, id, basket.HandoffRequest{Location: demo.Bellecour, TTL: 10 * time.Minute, ShortCode: true})
	if err != nil {
		return nil, err
	}
	e.clk.Advance(time.Minute)
	before := b.Result
	if b, err = e.svc.CheckIn(e.ctx, lea, basket.CheckInRequest{ShortCode: strings.ToLower(ticket.ShortCode), Method: "short-code", Target: demo.Store(demo.Bellecour, time.Time{})},
		basket.WithPolicy(basket.PriceProtection)); err != nil {
		return nil, err
	}
	s = changeStep("Inès reads her code aloud to Léa ("+ticket.ShortCode+"): her held units are hers to carry out, at the web unit prices she ordered at", "associate lea at "+demo.Bellecour, before, b)
	steps = append(steps, s)

	e.clk.Advance(2 * time.Minute)
	if b, err = e.svc.Transition(e.ctx, lea, id, basket.Ordered, time.Time{}); err != nil {
		return nil, err
	}
	if err := e.stock.Release(e.ctx, id.String(), demo.Bellecour); err != nil {
		return nil, err
	}
	s = snapshotStep("Collected and paid; the hold is released as the goods leave the shelf", "associate lea at "+demo.Bellecour, b, false)
	if s.Reservations, err = reservations(e, id.String()); err != nil {
		return nil, err
	}
	steps = append(steps, s)
	return steps, nil
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

func levelNote(e *env, sku string) string {
	levels, err := e.stock.Levels(e.ctx, stock.Query{SKUs: []string{sku}, Locations: []string{demo.Bellecour, demo.Warehouse}})
	if err != nil {
		return err.Error()
	}
	var parts []string
	for _, l := range levels.All() {
		parts = append(parts, fmt.Sprintf("%s on hand %d, reserved %d", l.LocationID, l.OnHand, l.Reserved))
	}
	return sku + " stock: " + strings.Join(parts, "; ")
}
