package main

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

// week is the retailer the journeys play on, and its clock.
type week struct {
	shop *demo.Shop
	clk  *clock.Fake
	err  error // the first failure; every step after it does nothing
}

// at moves the clock to a local time of the week: day 0 is Monday 23
// November 2026, in Lyon (UTC+1 in November).
func (w *week) at(day, hour, minute int) {
	t := time.Date(2026, 11, 23+day, hour-1, minute, 0, 0, time.UTC)
	if t.Before(w.clk.Now()) {
		w.fail(fmt.Errorf("the journeys go back in time to %s", t))
		return
	}
	w.clk.Set(t)
}

func (w *week) fail(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

// do runs one step unless an earlier one failed.
func (w *week) do(step string, fn func() error) {
	if w.err != nil {
		return
	}
	if err := fn(); err != nil {
		w.fail(fmt.Errorf("%s: %w", step, err))
	}
}

func (w *week) create(actor basket.Actor, id uuid.UUID, owner basket.Owner, in channel.Context, lines ...basket.NewLine) {
	w.do("create "+id.String(), func() error {
		ctx := context.Background()
		if _, err := w.shop.Service.Create(ctx, actor, basket.CreateRequest{ID: id, Owner: owner, Context: in}); err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := w.shop.Service.AddLine(ctx, actor, id, l); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *week) coupon(actor basket.Actor, id uuid.UUID, code string) {
	w.do("coupon "+code, func() error {
		_, err := w.shop.Service.AddCoupon(context.Background(), actor, id, code)
		return err
	})
}

// checkIn is the QR check-in: the shopper's app shows a code, the
// associate scans it.
func (w *week) checkIn(shopper, associate basket.Actor, id uuid.UUID) {
	w.do("check in", func() error {
		ctx := context.Background()
		ticket, err := w.shop.Service.IssueCheckIn(ctx, shopper, id, basket.HandoffRequest{TTL: 10 * time.Minute})
		if err != nil {
			return err
		}
		_, err = w.shop.Service.CheckIn(ctx, associate, basket.CheckInRequest{Token: ticket.Token, Method: "qr",
			Target: demo.Store(associate.LocationID, time.Time{})})
		return err
	})
}

// selfCheckIn is the check-in by the store's tag, then taken up by an
// associate from the arrivals list: one visit.
func (w *week) selfCheckIn(shopper, associate basket.Actor, id uuid.UUID) {
	w.do("self check-in", func() error {
		ctx := context.Background()
		tag, err := w.shop.Service.LocationTag(ctx, associate, associate.LocationID)
		if err != nil {
			return err
		}
		if _, err := w.shop.Service.SelfCheckIn(ctx, shopper, id, basket.SelfCheckInRequest{Tag: tag.Tag, Method: "qr",
			Target: demo.Store(associate.LocationID, time.Time{})}); err != nil {
			return err
		}
		w.clk.Advance(3 * time.Minute)
		_, err = w.shop.Service.OpenArrival(ctx, associate, id)
		return err
	})
}

func (w *week) order(actor basket.Actor, id uuid.UUID) {
	w.do("order", func() error {
		_, err := w.shop.Service.PlaceOrder(context.Background(), actor, id)
		return err
	})
}

// basketID derives a stable ID for a journey's basket.
func basketID(name string) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://omnibasket.example/insights/"+name))
}

func line(sku string, qty int64) basket.NewLine {
	return basket.NewLine{SKU: sku, Quantity: qty, Product: demo.Product(sku)}
}

// play runs the week's journeys, in time order.
func play(ctx context.Context, w *week) error {
	svc := w.shop.Service
	web := demo.Web(time.Time{})
	camilleID, walkInID, paulID := basketID("camille"), basketID("walk-in"), basketID("paul")
	hugoID, inesID, nadiaID, phoneID, jeanneID := basketID("hugo"), basketID("ines"), basketID("nadia"), basketID("nadia-phone"), basketID("jeanne")
	jeanne := basket.Actor{Kind: basket.Shopper, ID: "cust-jeanne"}
	phone := basket.Actor{Kind: basket.Shopper, ID: "anon-5e1f"}

	// Monday. Camille fills a web basket with the web code WELCOME10; a
	// walk-in buys candles at Bellecour; Paul gives up his web basket.
	w.at(0, 10, 0)
	w.create(camille, camilleID, basket.Owner{CustomerID: camille.ID}, web,
		line("LAMP-ARC", 1), line("THROW-WOOL", 1), line("CANDLE-FIG", 2), line("CANDLE-CED", 1))
	w.coupon(camille, camilleID, "WELCOME10")
	w.at(0, 11, 0)
	w.create(lea, walkInID, basket.Owner{AnonymousID: "walk-in"}, demo.Store(demo.Bellecour, time.Time{}), line("CANDLE-AMB", 3))
	w.at(0, 11, 5)
	w.order(lea, walkInID)
	w.at(0, 21, 0)
	w.create(paul, paulID, basket.Owner{CustomerID: paul.ID}, web, line("MIRROR-ROUND", 1))
	w.at(0, 21, 20)
	w.do("abandon", func() error {
		_, err := svc.Transition(ctx, paul, paulID, basket.Abandoned, time.Time{})
		return err
	})

	// Tuesday. Camille checks in at Bellecour by QR code: her web code is
	// not honoured there, Léa adds the store code MERCI5, Camille orders
	// 25 minutes later. Malik starts a basket for Hugo at Part-Dieu.
	w.at(1, 11, 0)
	w.checkIn(camille, lea, camilleID)
	w.at(1, 11, 15)
	w.coupon(lea, camilleID, "MERCI5")
	w.at(1, 11, 25)
	w.order(lea, camilleID)
	w.at(1, 16, 0)
	w.create(malik, hugoID, basket.Owner{CustomerID: hugo.ID}, demo.Store(demo.PartDieu, time.Time{}),
		line("PLANT-POT", 3), line("VASE-GLASS", 1), line("TEA-EARL", 2))

	// Wednesday. Hugo finishes at home on the web; Inès orders online for
	// collection at Bellecour; Nadia starts a basket on the web, and one
	// on her phone before signing in, which is merged into it.
	w.at(2, 9, 30)
	w.do("check out", func() error {
		_, err := svc.CheckOut(ctx, hugo, hugoID, web)
		return err
	})
	w.at(2, 9, 40)
	w.order(hugo, hugoID)
	w.at(2, 12, 0)
	w.create(ines, inesID, basket.Owner{CustomerID: ines.ID}, demo.WebCollect(demo.Bellecour, time.Time{}), line("LAMP-DESK", 1), line("BULB-E27", 2))
	w.order(ines, inesID)
	w.at(2, 19, 0)
	w.create(nadia, nadiaID, basket.Owner{CustomerID: nadia.ID}, web, line("CUSHION-LIN", 2), line("CUSHION-VEL", 1))
	w.coupon(nadia, nadiaID, "WELCOME10")
	w.create(phone, phoneID, basket.Owner{AnonymousID: phone.ID}, web, line("CANDLE-TEA", 1))
	w.at(2, 19, 10)
	w.do("merge", func() error {
		_, err := svc.Merge(ctx, ops, basket.MergeRequest{Target: nadiaID, Source: phoneID, SourceHolder: phone, Policy: basket.MergeSum})
		return err
	})

	// Thursday. Nadia checks herself in at Part-Dieu by the store's tag;
	// Malik takes her up from the arrivals list; she orders 40 minutes
	// after arriving.
	w.at(3, 15, 0)
	w.selfCheckIn(nadia, malik, nadiaID)
	w.at(3, 15, 40)
	w.order(malik, nadiaID)

	// Friday. Jeanne, who started on the web, checks in at Part-Dieu but
	// leaves without buying; on Saturday she orders from her phone.
	w.at(4, 10, 0)
	w.create(jeanne, jeanneID, basket.Owner{CustomerID: jeanne.ID}, web, line("RUG-JUTE", 1), line("CUSHION-LIN", 1))
	w.at(4, 17, 30)
	w.checkIn(jeanne, malik, jeanneID)
	w.at(4, 17, 50)
	w.do("leave the store", func() error {
		_, err := svc.CheckOut(ctx, jeanne, jeanneID, web)
		return err
	})
	w.at(5, 20, 0)
	w.order(jeanne, jeanneID)
	return w.err
}
