package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

var update = flag.Bool("update", false, "rewrite demodata/*.csv from the demo package")

// TestDemoDataIsTheDemo keeps the embedded CSV files equal to what
// the demo package holds: the files are exported from it (go test
// ./cmd/omnibasketd -run DemoData -update rewrites them), and reading
// them back gives the demo's prices, promotions and stock.
func TestDemoDataIsTheDemo(t *testing.T) {
	files := map[string][]byte{
		"prices.csv":     exportPrices(t, demo.Prices()),
		"promotions.csv": exportPromotions(t, demo.Promotions()),
		"stock.csv":      exportStock(demo.Stock()),
	}
	if *update {
		for name, data := range files {
			require.NoError(t, os.WriteFile(filepath.Join("demodata", name), data, 0o644))
		}
		t.Skip("demodata/*.csv rewritten; they are embedded at build time, so run the test again to check them")
	}
	for name, want := range files {
		path := filepath.Join("demodata", name)
		got, err := demoData.ReadFile("demodata/" + name)
		require.NoError(t, err, "run go test -run DemoData -update to create it")
		require.Equal(t, string(want), string(got), "%s differs from the demo package (go test -run DemoData -update rewrites it)", path)
	}

	ctx := t.Context()
	prices, err := loadCSV(ctx, "", "prices.csv", erpcsv.LoadPrices)
	require.NoError(t, err)
	requireSameJSON(t, demo.Prices(), prices)
	promos, err := loadCSV(ctx, "", "promotions.csv", erpcsv.LoadPromotions)
	require.NoError(t, err)
	requireSameJSON(t, demo.Promotions(), promos)
	levels, err := loadCSV(ctx, "", "stock.csv", erpcsv.LoadStock)
	require.NoError(t, err)
	requireSameJSON(t, demo.Stock(), levels)
}

// requireSameJSON compares through JSON, where 150.00 EUR is one value
// whatever its internal form.
func requireSameJSON(t *testing.T, want, got any) {
	t.Helper()
	w, err := json.MarshalIndent(want, "", " ")
	require.NoError(t, err)
	g, err := json.MarshalIndent(got, "", " ")
	require.NoError(t, err)
	require.Equal(t, string(w), string(g))
}

func writeCSV(rows [][]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.WriteAll(rows) // a bytes.Buffer does not fail
	return b.Bytes()
}

func exportPrices(t *testing.T, ps []pricing.Price) []byte {
	rows := [][]string{{"sku", "list", "currency", "unit_price", "min_quantity", "customer_group"}}
	for _, p := range ps {
		if !p.ValidFrom.IsZero() || !p.ValidUntil.IsZero() || !p.Precise.Currency().IsZero() {
			t.Fatalf("export the new fields of price %s/%s", p.ListID, p.SKU)
		}
		rows = append(rows, []string{p.SKU, p.ListID, p.Unit.Currency().Code(), p.Unit.Amount(), count(p.MinQuantity), p.CustomerGroup})
	}
	return writeCSV(rows)
}

func exportStock(ls []stock.Level) []byte {
	rows := [][]string{{"sku", "location", "on_hand"}}
	for _, l := range ls {
		rows = append(rows, []string{l.SKU, l.LocationID, strconv.FormatInt(l.OnHand, 10)})
	}
	return writeCSV(rows)
}

func count(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func exportPromotions(t *testing.T, ps []promotion.Promotion) []byte {
	rows := [][]string{{"id", "name", "effect", "lane", "currency", "kinds", "locations", "coupon", "min_subtotal",
		"skus", "categories", "percent", "amount", "buy", "get", "pick", "components", "fee_modes"}}
	for _, p := range ps {
		e := p.Effect
		if len(p.Channels) > 0 || len(p.CustomerGroups) > 0 || len(p.LoyaltyTiers) > 0 || !p.StartsAt.IsZero() || !p.EndsAt.IsZero() ||
			p.MinQuantity != 0 || p.Priority != 0 || p.Exclusive || p.BestOfGroup != "" || p.MaxApplications != 0 || len(e.Tiers) > 0 {
			t.Fatalf("export the new fields of promotion %s", p.ID)
		}
		var cur string
		for _, m := range []pricing.Money{p.MinSubtotal, e.Amount} {
			if !m.Currency().IsZero() {
				cur = m.Currency().Code()
			}
		}
		var kinds, modes []string
		for _, k := range p.Kinds {
			kinds = append(kinds, k.String())
		}
		for _, m := range e.FeeModes {
			modes = append(modes, m.String())
		}
		var components []string
		for _, c := range e.Components {
			components = append(components, target(c.Target)+":"+strconv.FormatInt(c.Quantity, 10))
		}
		skus, categories := strings.Join(e.Target.SKUs, "|"), strings.Join(e.Target.Categories, "|")
		if e.Target.All {
			skus = "*"
		}
		var pick string
		if e.Kind == promotion.BuyXGetY {
			pick = e.Pick.String()
		}
		rows = append(rows, []string{p.ID, p.Name, e.Kind.String(), p.Lane.String(), cur, strings.Join(kinds, "|"),
			strings.Join(p.Locations, "|"), p.Coupon, amount(p.MinSubtotal), skus, categories, percent(e.Percent), amount(e.Amount),
			count(e.Buy), count(e.Get), pick, strings.Join(components, "|"), strings.Join(modes, "|")})
	}
	return writeCSV(rows)
}

// target writes a bundle component's target as the CSV dialect does.
func target(tg promotion.Target) string {
	if tg.All {
		return "*"
	}
	var parts []string
	if len(tg.SKUs) > 0 {
		parts = append(parts, "sku="+strings.Join(tg.SKUs, ","))
	}
	if len(tg.Categories) > 0 {
		parts = append(parts, "category="+strings.Join(tg.Categories, ","))
	}
	return strings.Join(parts, "+")
}

func amount(m pricing.Money) string {
	if m.Currency().IsZero() {
		return ""
	}
	return m.Amount()
}

func percent(r pricing.Rate) string {
	if r.IsZero() {
		return ""
	}
	return r.Percent()
}
