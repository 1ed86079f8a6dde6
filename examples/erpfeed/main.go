// Command erpfeed shows omnibasket fed by an ERP: price lists, stock and
// promotions come from CSV exports (the price list is a French export:
// semicolons, decimal commas, French headers and dates), stock is served by
// a slow HTTP stock service behind a cache, and a web basket is
// recontextualized into a store when its shopper checks in.
//
// The stock service is simulated in-process: an httptest server on
// loopback answers the JSON schema of adapters/httpstock from the stock
// export, after an artificial delay. The run is deterministic (a fake
// clock, a fixed as-of time), so its output is a golden file:
//
//	go run ./examples/erpfeed
package main

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/adapters/httpstock"
	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/clock"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// exports are the ERP's files, embedded so that the command runs from any
// directory.
//
//go:embed testdata/prix.csv testdata/stock.csv testdata/promotions.csv
var exports embed.FS

// serviceDelay is how slow the simulated stock service is.
const serviceDelay = 150 * time.Millisecond

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "erpfeed:", err)
		os.Exit(1)
	}
}

// feeds is what the ERP exports hold.
type feeds struct {
	book   *pricing.PriceBook
	promos *promotion.Set
	levels []stock.Level // what the stock service knows
}

// load reads the three exports.
func load(ctx context.Context) (feeds, error) {
	var f feeds
	open := func(name string) (io.ReadCloser, error) { return exports.Open("testdata/" + name) }

	prix, err := open("prix.csv")
	if err != nil {
		return f, err
	}
	defer prix.Close()
	prices, err := erpcsv.LoadPrices(ctx, prix, erpcsv.Options{
		File: "prix.csv", // ';' and decimal commas are detected from the header line
		ColumnNames: map[string]string{
			"Article": "sku", "Liste de prix": "list", "Devise": "currency", "Prix TTC": "unit_price",
			"Qté mini": "min_quantity", "Groupe client": "customer_group",
			"Début validité": "valid_from", "Fin validité": "valid_until",
		},
		DateLayouts: []string{"02/01/2006"},
		Location:    time.FixedZone("CET", 3600),
	})
	if err != nil {
		return f, err
	}
	if f.book, err = pricing.NewPriceBook(prices); err != nil {
		return f, err
	}

	promos, err := open("promotions.csv")
	if err != nil {
		return f, err
	}
	defer promos.Close()
	ps, err := erpcsv.LoadPromotions(ctx, promos, erpcsv.Options{File: "promotions.csv"})
	if err != nil {
		return f, err
	}
	if f.promos, err = promotion.Compile(ps); err != nil {
		return f, err
	}

	st, err := open("stock.csv")
	if err != nil {
		return f, err
	}
	defer st.Close()
	f.levels, err = erpcsv.LoadStock(ctx, st, erpcsv.Options{File: "stock.csv"})
	return f, err
}

// stockService is the simulated ERP stock endpoint: it answers the
// httpstock JSON schema after a delay, and counts its requests.
func stockService(levels []stock.Level, requests *int) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req httpstock.Request
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		*requests++
		mu.Unlock()
		select { // the ERP is slow
		case <-time.After(serviceDelay):
		case <-r.Context().Done():
			return
		}
		var known []stock.Level
		for _, l := range levels {
			if contains(req.SKUs, l.SKU) && contains(req.Locations, l.LocationID) {
				known = append(known, l)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(httpstock.NewResponse(known))
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// run is the whole journey, printed to w.
func run(w io.Writer) error {
	ctx := context.Background()
	f, err := load(ctx)
	if err != nil {
		return err
	}
	tax, err := pricing.NewTaxTable(demo.TaxRules())
	if err != nil {
		return err
	}

	// The stock service, and a client with a cache in front of it.
	requests := 0
	srv := httptest.NewServer(stockService(f.levels, &requests))
	defer srv.Close()
	clk := clock.NewFake(demo.Start())
	client, err := httpstock.New(srv.URL+"/stock/levels", httpstock.Options{HTTPClient: srv.Client(), Clock: clk})
	if err != nil {
		return err
	}
	cache, err := httpstock.NewCache(client, httpstock.CacheOptions{TTL: time.Minute, MaxStale: 10 * time.Minute, Clock: clk})
	if err != nil {
		return err
	}

	// 09:00: a web basket. The web page, the app and the recommendation
	// widget ask for its stock at the same time: one request reaches the ERP.
	web := demo.Web(clk.Now())
	shopper := basket.Meta{Actor: basket.Actor{Kind: basket.Shopper, ID: "C-1042"}, At: clk.Now()}
	b, _, err := basket.New(uuid.MustParse("6f1c2a57-3b0e-4c1d-9a42-0d5e7c9b8a11"), basket.Owner{CustomerID: "C-1042"}, web, basket.Cart, shopper)
	if err != nil {
		return err
	}
	for _, l := range []struct {
		sku string
		qty int64
	}{
		{"LAMP-ARC", 2}, {"TEAPOT-CAST", 1}, {"TEA-EARL", 1}, {"TEA-GREEN", 1},
		{"CANDLE-FIG", 2}, {"CANDLE-AMB", 1}, {"THROW-WOOL", 1}, {"RUG-JUTE", 1}, {"BULB-E27", 4},
	} {
		if _, _, err := b.AddLine(shopper, basket.NewLine{SKU: l.sku, Quantity: l.qty, Product: demo.Product(l.sku)}); err != nil {
			return err
		}
	}
	if _, err := b.AddCoupon(shopper, "welcome10"); err != nil {
		return err
	}
	webStock, err := concurrentLookups(ctx, cache, query(b, web), 3)
	if err != nil {
		return err
	}
	webResult, err := basket.Recontextualize(b, web, snapshot(f, tax, webStock.Levels, web), basket.Options{})
	if err != nil {
		return err
	}
	if _, err := b.SetResult(shopper, webResult); err != nil {
		return err
	}

	// 09:00:40: the shopper checks in at Bellecour; the associate's tablet
	// reprices the basket for the store, with stock from the cache.
	clk.Advance(40 * time.Second)
	store := demo.Store(demo.Bellecour, clk.Now())
	storeStock, err := cache.Lookup(ctx, query(b, store))
	if err != nil {
		return err
	}
	result, err := basket.Recontextualize(b, store, snapshot(f, tax, storeStock.Levels, store), basket.Options{})
	if err != nil {
		return err
	}

	printResult(w, b, webResult, result)
	st := cache.Stats()
	fmt.Fprintf(w, "\nStock: %d levels from the ERP stock service (%v per request) through the cache:\n",
		storeStock.Levels.Len(), serviceDelay)
	fmt.Fprintf(w, "  %d lookups, %d request(s) to the ERP; the store was served from memory, oldest level %s old (TTL %s, never older than %s).\n",
		st.Hits+st.Misses, requests, storeStock.Oldest(), time.Minute, 10*time.Minute)
	return nil
}

// concurrentLookups runs n identical lookups at once, as independent
// channels of one retailer would, and returns the first answer.
func concurrentLookups(ctx context.Context, cache *httpstock.Cache, q stock.Query, n int) (httpstock.Answer, error) {
	answers := make([]httpstock.Answer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = cache.Lookup(ctx, q)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return httpstock.Answer{}, err
		}
	}
	return answers[0], nil
}

// query is the stock query of a basket in a context: its SKUs at the
// context's stock sources.
func query(b *basket.Basket, c channel.Context) stock.Query {
	var skus []string
	for _, l := range b.Lines {
		if !contains(skus, l.SKU) {
			skus = append(skus, l.SKU)
		}
	}
	return stock.Query{SKUs: skus, Locations: c.StockSources}
}

func snapshot(f feeds, tax *pricing.TaxTable, levels stock.Levels, c channel.Context) basket.Snapshot {
	return basket.Snapshot{Prices: f.book, Promotions: f.promos, Tax: tax, Stock: levels,
		Locations: demo.Sites(), Fees: demo.Fees()[c.ChannelID]}
}

// printResult prints the store result as a table, with what applied and
// what changed since the web.
func printResult(w io.Writer, b *basket.Basket, web, r *basket.Result) {
	c := r.Context
	fmt.Fprintf(w, "Maison Lumière — basket of customer %s, checked in at %s\n", b.Owner.CustomerID, c.LocationID)
	fmt.Fprintf(w, "Priced for %s (%s) as of %s; prices include tax: %t\n\n",
		c.ChannelID, c.Kind, c.AsOf.Format(time.RFC3339), c.PricesIncludeTax)

	const row = "%-5s  %-11s  %-25s %3s %9s %9s %9s %9s  %s\n"
	fmt.Fprintf(w, row, "LINE", "SKU", "PRODUCT", "QTY", "WEB UNIT", "UNIT", "DISCOUNT", "TOTAL", "FULFILMENT")
	for _, l := range r.Lines {
		was := ""
		if old, ok := web.Line(l.LineID); ok && old.Priced {
			was = old.UnitPrice.Amount()
		}
		fmt.Fprintf(w, row, l.LineID, l.SKU, l.Name, fmt.Sprint(l.Quantity), was,
			l.UnitPrice.Amount(), l.Discount.Amount(), l.Total.Amount(), fulfilment(l.Fulfilment))
	}
	for _, fee := range r.Fees {
		off := "?"
		if d, err := fee.Amount.Sub(fee.Total); err == nil {
			off = d.Amount()
		}
		fmt.Fprintf(w, row, "fee", "", fee.Mode.String(), "", "", fee.Amount.Amount(), off, fee.Total.Amount(), "")
	}
	t := r.Totals
	fmt.Fprintln(w)
	for _, x := range []struct {
		label string
		m     pricing.Money
	}{
		{"Subtotal", t.Subtotal}, {"Discounts", t.Discount.Neg()}, {"Fees", t.Fees},
		{"of which tax", t.Tax}, {"Total", t.Total},
	} {
		fmt.Fprintf(w, "%64s %12s\n", x.label, x.m)
	}
	fmt.Fprintf(w, "%64s %12s\n", "(on the web it was", web.Totals.Total.String()+")")

	fmt.Fprintln(w, "\nPromotions here:")
	for _, x := range r.Promotions {
		amount := ""
		if x.Status == promotion.Applied {
			amount = "-" + x.Amount.Amount()
		}
		fmt.Fprintf(w, "  %-18s %-14s %8s  %s\n", x.PromotionID, x.Status, amount, x.Message)
	}
	fmt.Fprintln(w, "\nCoupons in the wallet:")
	for _, s := range r.Coupons {
		fmt.Fprintf(w, "  %-18s %s\n", s.Code, s.Message)
	}
	fmt.Fprintln(w, "\nWhat changed since the web (read aloud by the associate):")
	for _, ch := range r.Changes {
		fmt.Fprintf(w, "  %-20s %s\n", ch.Kind, ch.Message())
	}
}

// fulfilment describes a line's plan: "1 carry-out, 1 transfer from
// lyon-part-dieu (1d)".
func fulfilment(p stock.LinePlan) string {
	var parts []string
	for _, a := range p.Allocations {
		s := fmt.Sprintf("%d %s from %s", a.Quantity, a.Mode, a.LocationID)
		if a.LeadTime > 0 {
			s += fmt.Sprintf(" (%s)", leadTime(a.LeadTime))
		}
		parts = append(parts, s)
	}
	if p.Short > 0 {
		s := fmt.Sprintf("%d short", p.Short)
		if p.Unknown {
			s += " (stock unknown)"
		}
		if !p.NextArrival.IsZero() {
			s += " until " + p.NextArrival.Format(time.DateOnly)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func leadTime(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return fmt.Sprintf("%dh", d/time.Hour)
}
