// Command apiclient is a small Go client of omnibasket's HTTP API, built
// only from the shapes of its OpenAPI document (client.go imports nothing
// of omnibasket). It plays a check-in: a shopper fills a web basket, asks
// for a check-in code for the Bellecour store, an associate types the code
// on the tablet, reads the change report and places the order.
//
//	go run ./examples/apiclient                      # against an in-process demo server
//	go run ./examples/apiclient -server http://127.0.0.1:8080 \
//	    -shopper-token "$SHOPPER" -associate-token "$ASSOCIATE"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpapi"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
)

func main() {
	server := flag.String("server", "", "the API's base URL; empty starts an in-process demo server")
	shopper := flag.String("shopper-token", "", "a shopper's bearer token (with -server)")
	associate := flag.String("associate-token", "", "a Bellecour associate's bearer token (with -server)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *server, *shopper, *associate); err != nil {
		fmt.Fprintln(os.Stderr, "apiclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, server, shopperToken, associateToken string) error {
	if server == "" {
		srv, shopper, associate, err := demoServer(ctx)
		if err != nil {
			return err
		}
		defer srv.Close()
		server, shopperToken, associateToken = srv.URL, shopper, associate
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	phone := &Client{Base: server, Token: shopperToken, HTTP: hc}
	tablet := &Client{Base: server, Token: associateToken, HTTP: hc}

	b, err := phone.CreateBasket(ctx, "web", "apiclient-create-1")
	if err != nil {
		return fmt.Errorf("creating the basket: %w", err)
	}
	for i, sku := range []string{"LAMP-ARC", "CANDLE-FIG"} {
		if b, err = phone.AddLine(ctx, b, sku, 1, fmt.Sprintf("apiclient-add-%d", i)); err != nil {
			return fmt.Errorf("adding %s: %w", sku, err)
		}
	}
	fmt.Fprintf(w, "phone: %d lines on the web, %s (version %d)\n", len(b.Lines), b.Result.Totals.Total, b.Version)

	stale := *b
	stale.Version--
	_, err = phone.AddLine(ctx, &stale, "MUG-STONE", 1, "")
	var p *Problem
	if !errors.As(err, &p) || p.Status != http.StatusPreconditionFailed {
		return fmt.Errorf("a stale If-Match should be refused with 412, got %v", err)
	}
	fmt.Fprintf(w, "phone: a change based on version %d is refused: %d %s\n", stale.Version, p.Status, p.Type)

	ticket, err := phone.IssueTicket(ctx, b, "lyon-bellecour")
	if err != nil {
		return fmt.Errorf("issuing the ticket: %w", err)
	}
	fmt.Fprintf(w, "phone: check-in code %d characters long, QR token %d characters\n", len(ticket.ShortCode), len(ticket.Token))

	b, err = tablet.CheckIn(ctx, ticket.ShortCode, "apiclient-check-in-1")
	if err != nil {
		return fmt.Errorf("checking in: %w", err)
	}
	fmt.Fprintf(w, "tablet: checked in at %s, now %s\n", b.Context.LocationID, b.Result.Totals.Total)
	for _, c := range b.Result.Changes {
		fmt.Fprintf(w, "tablet:   %s\n", c.Message)
	}
	if b, err = tablet.PlaceOrder(ctx, b, "apiclient-order-1"); err != nil {
		return fmt.Errorf("placing the order: %w", err)
	}
	fmt.Fprintf(w, "tablet: order placed (%s), %d fulfilment orders\n", b.Status, len(b.Order.Fulfilment))
	for _, f := range b.Order.Fulfilment {
		fmt.Fprintf(w, "tablet:   %s %s from %s\n", f.ID, f.Mode, f.LocationID)
	}
	return nil
}

// demoServer serves the demo retailer in process, on a fake clock set to
// the demo's day, and mints a token for Camille and one for Léa.
func demoServer(ctx context.Context) (*httptest.Server, string, string, error) {
	clk := clock.NewFake(demo.Start())
	shop, err := demo.NewShop(ctx, demo.ShopOptions{Clock: clk})
	if err != nil {
		return nil, "", "", err
	}
	tokens, err := httpapi.NewTokens([]byte("apiclient-demo-secret-apiclient-demo"), clk)
	if err != nil {
		return nil, "", "", err
	}
	contexts, err := httpapi.NewContexts(clk, demo.Web(demo.Start()), demo.Store(demo.Bellecour, demo.Start()), demo.Store(demo.PartDieu, demo.Start()))
	if err != nil {
		return nil, "", "", err
	}
	api, err := httpapi.New(httpapi.Options{Service: shop.Service, Auth: tokens, Contexts: contexts, Stock: shop.Stock})
	if err != nil {
		return nil, "", "", err
	}
	shopper, err := tokens.Mint(basket.Actor{Kind: basket.Shopper, ID: "cust-camille"}, time.Hour)
	if err != nil {
		return nil, "", "", err
	}
	associate, err := tokens.Mint(basket.Actor{Kind: basket.Associate, ID: "lea", LocationID: demo.Bellecour}, time.Hour)
	if err != nil {
		return nil, "", "", err
	}
	return httptest.NewServer(api), shopper, associate, nil
}
