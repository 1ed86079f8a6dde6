package csv_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// docSample returns the indented sample that follows marker in doc.go, so
// that the documentation is tested.
func docSample(t testing.TB, marker string) string {
	t.Helper()
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(src), marker)
	if !ok {
		t.Fatalf("marker %q not in doc.go", marker)
	}
	var b strings.Builder
	lines := strings.Split(after, "\n")[1:]
	for _, l := range lines[1:] { // lines[0] is the "//" before the sample
		sample, ok := strings.CutPrefix(l, "//\t")
		if !ok {
			break
		}
		b.WriteString(sample + "\n")
	}
	if b.Len() == 0 {
		t.Fatalf("empty sample after %q", marker)
	}
	return b.String()
}

func TestDocSamplesLoad(t *testing.T) {
	prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(docSample(t, "A French\n// export:")), erpcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pricing.NewPriceBook(prices); err != nil || len(prices) != 3 || prices[1].Unit != eur("6.50") {
		t.Fatalf("%+v %v", prices, err)
	}
	levels, err := erpcsv.LoadStock(ctx, strings.NewReader(docSample(t, "row with on_hand 0.")), erpcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stock.NewLevels(levels); err != nil || len(levels) != 2 {
		t.Fatalf("%+v %v", levels, err)
	}
	promos, err := erpcsv.LoadPromotions(ctx, strings.NewReader(docSample(t, "A sample file with every effect:")), erpcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := promotion.Compile(promos); err != nil {
		t.Fatal(err)
	}
	var kinds []promotion.EffectKind
	for _, p := range promos {
		kinds = append(kinds, p.Effect.Kind)
	}
	for k := promotion.PercentOff; k.Valid(); k++ {
		if !slices.Contains(kinds, k) {
			t.Errorf("the sample has no %s promotion", k)
		}
	}
	byID := func(id string) promotion.Promotion {
		i := slices.IndexFunc(promos, func(p promotion.Promotion) bool { return p.ID == id })
		if i < 0 {
			t.Fatalf("no promotion %s", id)
		}
		return promos[i]
	}
	tea := byID("TEA-TIME")
	wantComponents := []promotion.Component{
		{Target: promotion.Target{SKUs: []string{"TEAPOT-CAST"}}, Quantity: 1},
		{Target: promotion.Target{SKUs: []string{"TEA-EARL", "TEA-GREEN"}}, Quantity: 2},
	}
	if tea.Lane != promotion.Basket || tea.Effect.Amount != eur("69.00") || len(tea.Effect.Components) != 2 ||
		!slices.Equal(tea.Effect.Components[1].Target.SKUs, wantComponents[1].Target.SKUs) || tea.Effect.Components[1].Quantity != 2 {
		t.Fatalf("TEA-TIME %+v", tea)
	}
	tiers := byID("SPEND-MORE").Effect.Tiers
	if len(tiers) != 2 || tiers[1].Threshold != eur("200.00") || tiers[1].Amount != eur("25.00") {
		t.Fatalf("tiers %+v", tiers)
	}
	ship := byID("FREE-SHIP-80")
	if ship.Lane != promotion.Fulfilment || !slices.Equal(ship.Effect.FeeModes, []channel.FulfilmentMode{channel.ShipToAddress, channel.ShipFromStore}) ||
		ship.MinSubtotal != eur("80.00") || ship.Effect.Percent != pricing.MustPercent("100") || !slices.Equal(ship.Kinds, []channel.Kind{channel.Web}) {
		t.Fatalf("FREE-SHIP-80 %+v", ship)
	}
	if w := byID("WELCOME10"); !w.Effect.Target.All || w.Coupon != "WELCOME10" || w.Lane != promotion.Basket {
		t.Fatalf("WELCOME10 %+v", w)
	}
	if l := byID("LIGHT-5"); l.Lane != promotion.Catalogue || !slices.Equal(l.Effect.Target.Categories, []string{"lighting"}) {
		t.Fatalf("LIGHT-5 %+v", l)
	}
}

func TestPromotionsFrenchDialect(t *testing.T) {
	in := "id;effect;currency;categories;percent;tiers;skus;starts_at;ends_at;exclusive;priority;pick;buy;get\n" +
		"P1;Percent Off;;textiles;12,5;;;2026-11-01;2026-12-01;oui;-3;;;\n" +
		"P2;tiered;eur;;;100,00:5%|250,00:12,5 %;*;;;non;;;;\n" +
		"P3;buy_x_get_y;;candles;50;;;;;;;Most Expensive;2;1\n"
	promos, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p := promos[0]; p.Effect.Percent != pricing.MustPercent("12.5") || !p.Exclusive || p.Priority != -3 || p.EndsAt.Month() != 12 {
		t.Fatalf("P1 %+v", p)
	}
	if tiers := promos[1].Effect.Tiers; tiers[1].Percent != pricing.MustPercent("12.5") || tiers[1].Threshold != eur("250.00") {
		t.Fatalf("P2 tiers %+v", tiers)
	}
	if p := promos[2]; p.Effect.Pick != promotion.MostExpensive || p.Effect.Buy != 2 || p.Effect.Get != 1 {
		t.Fatalf("P3 %+v", p)
	}
}

func TestPromotionErrorsPointAtColumns(t *testing.T) {
	const header = "id,effect,lane,currency,skus,categories,percent,amount,buy,get,components,tiers,fee_modes,kinds,min_quantity,quantity_skus,ends_at,starts_at,best_of_group\n"
	for _, tc := range []struct {
		name, row, column, reason string
	}{
		{"unknown effect", "X,half-off,,,*,,50,,,,,,,,,,,,", "effect", "not one of"},
		{"percent above 100", "X,percent-off,,,*,,150,,,,,,,,,,,,", "percent", "above 100"},
		{"percent missing", "X,percent-off,,,*,,,,,,,,,,,,,,", "percent", "above 0"},
		{"amount without currency", "X,amount-off,,,*,,,2.00,,,,,,,,,,,", "currency", "required when amount"},
		{"unknown currency", "X,amount-off,,EUX,*,,,2.00,,,,,,,,,,,", "currency", "unknown currency"},
		{"too precise amount", "X,amount-off,,EUR,*,,,2.005,,,,,,,,,,,", "amount", "decimals"},
		{"no target", "X,percent-off,,,,,10,,,,,,,,,,,,", "skus", "empty target"},
		{"star with SKUs", "X,percent-off,,,*|A,,10,,,,,,,,,,,,", "skus", "cannot be combined"},
		{"star with categories", "X,percent-off,,,*,shoes,10,,,,,,,,,,,,", "skus", "All excludes"},
		{"empty list entry", "X,percent-off,,,A||B,,10,,,,,,,,,,,,", "skus", "empty entry"},
		{"wrong lane", "X,bundle-price,catalogue,EUR,,,,9.00,,,\"sku=A:1\",,,,,,,,", "lane", "catalogue promotion cannot"},
		{"unknown lane", "X,percent-off,sideways,,*,,10,,,,,,,,,,,,", "lane", "not one of"},
		{"buy missing", "X,buy-x-get-y,,,,candles,100,,,1,,,,,,,,,", "buy", "between 1"},
		{"unused amount", "X,percent-off,,EUR,*,,10,3.00,,,,,,,,,,,", "amount", "not used"},
		{"bad component", "X,bundle-price,,EUR,,,,9.00,,,sku=A,,,,,,,,", "components", "TARGET:QUANTITY"},
		{"bad component target", "X,bundle-price,,EUR,,,,9.00,,,colour=red:1,,,,,,,,", "components", "want sku="},
		{"zero component", "X,bundle-price,,EUR,,,,9.00,,,sku=A:0,,,,,,,,", "components", "between 1"},
		{"bad tier", "X,tiered,,EUR,*,,,,,,,100.00,,,,,,,", "tiers", "THRESHOLD:AMOUNT"},
		{"tier percent too high", "X,tiered,,EUR,*,,,,,,,100.00:120%,,,,,,,", "tiers", "above 100"},
		{"unknown fee mode", "X,fee-discount,,,,,100,,,,,,teleport,,,,,,", "fee_modes", "not one of"},
		{"unknown kind", "X,percent-off,,,*,,10,,,,,,,shop,,,,,", "kinds", "not one of"},
		{"quantity without target", "X,percent-off,,,*,,10,,,,,,,,2,,,,", "quantity_skus", "empty target"},
		{"window", "X,percent-off,,,*,,10,,,,,,,,,,2026-01-01,2026-02-01,", "ends_at", "after StartsAt"},
		{"missing id", ",percent-off,,,*,,10,,,,,,,,,,,,", "id", "required value is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := erpcsv.LoadPromotions(ctx, strings.NewReader(header+tc.row+"\n"), erpcsv.Options{File: "promos.csv"})
			_, errs := rowErrors(t, err)
			expectRowError(t, errs[0], "promos.csv", 2, tc.column, tc.reason)
		})
	}
}

func TestLoadPromotionsAcrossRows(t *testing.T) {
	in := "id,effect,skus,percent,lane,best_of_group\n" +
		"A,percent-off,*,10,,g\n" +
		"B,basket-percent-off,*,5,,g\n" + // group g mixes lanes
		"A,percent-off,*,20,,\n" + // duplicate ID
		"C,percent-off,*,15,,\n"
	_, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{File: "p.csv", MaxErrors: 5})
	_, errs := rowErrors(t, err)
	if len(errs) != 2 {
		t.Fatalf("%v", err)
	}
	expectRowError(t, errs[0], "p.csv", 3, "best_of_group", "mixes lanes")
	expectRowError(t, errs[1], "p.csv", 4, "id", `"A" is already defined on line 2`)

	promos, err := erpcsv.LoadPromotions(ctx, strings.NewReader(in), erpcsv.Options{MaxErrors: 5, SkipInvalidRows: true})
	if _, errs := rowErrors(t, err); len(errs) != 2 {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range promos {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"A", "C"}) {
		t.Fatalf("kept %v, want A and C", ids)
	}
	if _, err := promotion.Compile(promos); err != nil {
		t.Fatal(err)
	}
	// Streaming checks rows alone.
	n := 0
	err = erpcsv.ForEachPromotion(ctx, strings.NewReader(in), erpcsv.Options{}, func(promotion.Promotion) error { n++; return nil })
	if err != nil || n != 4 {
		t.Fatalf("%d, %v", n, err)
	}
}
