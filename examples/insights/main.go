// Command insights plays a week of Maison Lumière's shoppers on the
// in-memory adapters and prints the lifecycle report the staff would read:
// per day and channel, the baskets started, checked in at a store,
// ordered, abandoned or merged; the orders that crossed channels; the time
// from check-in to order; the promotions the orders carried; the coupons a
// channel did not honour.
//
// The report is built as a server builds it: the memory store notes every
// save to an insights.Outbox, and an insights.Tracker reads that outbox
// into its model when asked for a report.
//
// Usage:
//
//	go run ./examples/insights          # the week, as tables
//	go run ./examples/insights -json    # the report as JSON
//
// The output is deterministic: a fixed clock, fixed IDs, a fixed key.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // the report's days are Lyon's, on any machine

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/adapters/memory"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/insights"
)

func main() {
	asJSON := flag.Bool("json", false, "print the report as JSON")
	flag.Parse()
	if err := run(os.Stdout, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "insights:", err)
		os.Exit(1)
	}
}

// run plays the week and prints its report.
func run(w io.Writer, asJSON bool) error {
	ctx := context.Background()
	clk := clock.NewFake(demo.Start())
	var outbox *insights.Outbox
	stock := memory.NewStockStore(clk)
	store := memory.NewBasketStore(memory.WithLedger(stock),
		memory.WithAfterSave(func(id uuid.UUID, version int64) { outbox.Note(id, version) }))
	outbox = insights.NewOutbox(store)
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk, Store: store, Stock: stock})
	if err != nil {
		return err
	}
	if err := play(ctx, &week{shop: shop, clk: clk}); err != nil {
		return err
	}

	tracker, err := insights.NewTracker(outbox, insights.TrackerOptions{})
	if err != nil {
		return err
	}
	lyon, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, lyon)
	report, progress, err := tracker.Report(ctx, ops, insights.Period{From: monday, To: monday.AddDate(0, 0, 7), Granularity: insights.Day, Location: lyon})
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	fmt.Fprintf(w, "Maison Lumière, %s to %s (%s), by %s: %d events read from the outbox, %d refused\n",
		report.From.Format("Mon 2 Jan"), report.To.AddDate(0, 0, -1).Format("Mon 2 Jan 2006"), report.TimeZone, report.Granularity,
		progress.Events, progress.Refused)
	return render(w, report)
}

// render prints the report as tables.
func render(w io.Writer, r insights.Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "\nCounts, by day and channel")
	fmt.Fprintln(tw, "day\tchannel\tstarted\tchecked in\tordered\tabandoned\tmerged\tweb→store\tstore→web\tcoupons not honoured\t")
	for _, b := range r.Buckets {
		day := b.From.Format("Mon 02")
		if len(b.Channels) == 0 {
			fmt.Fprintf(tw, "%s\t—\t%s\n", day, strings.Repeat("·\t", 8))
		}
		for _, c := range b.Channels {
			counts(tw, day, c.ID, c.Figures)
			day = ""
		}
	}
	for _, c := range r.Channels {
		counts(tw, "week", c.ID, c.Figures)
	}
	counts(tw, "week", "all", r.Total)
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nFrom check-in to order, by the channel of the order")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "channel\torders after a check-in\tmedian\t90th percentile\t")
	for _, c := range r.Channels {
		if d := c.CheckInToOrder; d.Count > 0 {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t\n", c.ID, d.Count, seconds(d.MedianSeconds), seconds(d.P90Seconds))
		}
	}
	d := r.Total.CheckInToOrder
	fmt.Fprintf(tw, "all\t%d\t%s\t%s\t\n", d.Count, seconds(d.MedianSeconds), seconds(d.P90Seconds))
	if err := tw.Flush(); err != nil {
		return err
	}

	fmt.Fprintln(w, "\nPromotions on the orders, by the channel of the order")
	for _, c := range r.Channels {
		for _, p := range c.Promotions {
			fmt.Fprintf(w, "  %-22s %-18s %d× %s\n", c.ID, p.PromotionID, p.Orders, p.Name)
		}
	}
	fmt.Fprintln(w, "\nCoupons not honoured, by channel")
	for _, c := range r.Channels {
		var codes []string
		for _, x := range c.Coupons {
			codes = append(codes, fmt.Sprintf("%s %d×", x.Code, x.Count))
		}
		if len(codes) > 0 {
			fmt.Fprintf(w, "  %-22s %s\n", c.ID, strings.Join(codes, ", "))
		}
	}
	return nil
}

func counts(tw io.Writer, day, ch string, f insights.Figures) {
	fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", day, ch, f.Started, f.CheckedIn, f.Ordered, f.Abandoned, f.Merged,
		f.WebToStore, f.StoreToWeb, f.CouponsNotHonoured)
}

func seconds(s int64) string {
	d := time.Duration(s) * time.Second
	h, m, sec := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%d h %02d min", h, m)
	case h > 0:
		return fmt.Sprintf("%d h", h)
	case m > 0 && sec > 0:
		return fmt.Sprintf("%d min %02d s", m, sec)
	case m > 0:
		return fmt.Sprintf("%d min", m)
	default:
		return fmt.Sprintf("%d s", sec)
	}
}

var (
	camille = basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}
	hugo    = basket.Actor{Kind: basket.Shopper, ID: "cust-hugo"}
	ines    = basket.Actor{Kind: basket.Shopper, ID: "cust-ines"}
	nadia   = basket.Actor{Kind: basket.Shopper, ID: "cust-nadia"}
	paul    = basket.Actor{Kind: basket.Shopper, ID: "cust-paul"}
	ops     = basket.Actor{Kind: basket.System, ID: "maison-lumiere-ops"}
	lea     = basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}
	malik   = basket.Actor{Kind: basket.Associate, ID: "malik", LocationID: demo.PartDieu}
)
