package pricing

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func TestResolveChain(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	eur := func(s string) Money { return MustParse(s, "EUR") }
	book, err := NewPriceBook([]Price{
		{ListID: "default", SKU: "mug", Unit: eur("12.00")},
		{ListID: "default", SKU: "mug", Unit: MustParse("13.00", "CHF")},
		{ListID: "country-fr", SKU: "mug", Unit: eur("11.50")},
		{ListID: "country-fr", SKU: "mug", Unit: eur("10.00"), MinQuantity: 10},
		{ListID: "country-fr", SKU: "mug", Unit: eur("10.50"), CustomerGroup: "staff"},
		{ListID: "store-paris", SKU: "mug", Unit: eur("9.00"), ValidFrom: now.Add(time.Hour)},
		{ListID: "store-paris", SKU: "mug", Unit: eur("11.00"), ValidUntil: now},
		{ListID: "default", SKU: "pot", Unit: eur("30.00")},
	})
	require.NoError(t, err)
	ctx := channel.Context{Currency: "EUR", PriceLists: []string{"store-paris", "country-fr", "default"}, AsOf: now}
	tests := []struct {
		name, sku, group, currency string
		qty                        int64
		want, list                 string
		tier                       int64
		err                        error
	}{
		{name: "store entries out of window fall through", sku: "mug", qty: 1, want: "11.50", list: "country-fr"},
		{name: "tier on merged quantity", sku: "mug", qty: 10, want: "10.00", list: "country-fr", tier: 10},
		{name: "group price beats public tier", sku: "mug", qty: 10, group: "staff", want: "10.50", list: "country-fr"},
		{name: "falls back to default list", sku: "pot", qty: 1, want: "30.00", list: "default"},
		{name: "currency decides the entry", sku: "mug", qty: 1, currency: "CHF", want: "13.00", list: "default"},
		{name: "no price is an error, not zero", sku: "lamp", qty: 1, err: ErrNoPrice},
		{name: "no price in this currency", sku: "pot", qty: 1, currency: "CHF", err: ErrNoPrice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ctx
			c.CustomerGroup = tt.group
			if tt.currency != "" {
				c.Currency = tt.currency
			}
			r, err := book.Resolve(tt.sku, tt.qty, c)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				var np *NoPriceError
				require.ErrorAs(t, err, &np)
				assert.Equal(t, tt.sku, np.SKU)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, r.Unit.Amount())
			assert.Equal(t, tt.list, r.Source.ListID)
			assert.Equal(t, tt.tier, r.Source.MinQuantity)
		})
	}
	got, err := book.Prices(context.Background(), PriceQuery{Lists: []string{"default"}, SKUs: []string{"pot", "mug", "pot"}})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, "mug", got[0].SKU)
	assert.Equal(t, "pot", got[2].SKU)
}

func TestPriceBookValidation(t *testing.T) {
	eur := MustParse("1.00", "EUR")
	for name, p := range map[string]Price{
		"empty list": {SKU: "a", Unit: eur}, "empty sku": {ListID: "l", Unit: eur},
		"no currency": {ListID: "l", SKU: "a"}, "negative": {ListID: "l", SKU: "a", Unit: eur.Neg()},
		"negative tier": {ListID: "l", SKU: "a", Unit: eur, MinQuantity: -1},
		"empty window":  {ListID: "l", SKU: "a", Unit: eur, ValidFrom: time.Unix(10, 0), ValidUntil: time.Unix(10, 0)},
	} {
		_, err := NewPriceBook([]Price{p})
		assert.ErrorIs(t, err, ErrInvalid, name)
	}
	_, err := NewPriceBook([]Price{{ListID: "l", SKU: "a", Unit: eur}, {ListID: "l", SKU: "a", Unit: eur}})
	assert.ErrorIs(t, err, ErrInvalid, "duplicates")
}

// TestPriceBookRoundTrip: whatever goes into a book comes back out of
// Prices, whatever the input order (the compact form loses nothing).
func TestPriceBookRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		seen := map[string]bool{}
		var in []Price
		for range rapid.IntRange(0, 30).Draw(t, "n") {
			p := Price{
				ListID:        rapid.SampledFrom([]string{"web", "store", "default"}).Draw(t, "list"),
				SKU:           rapid.SampledFrom([]string{"A", "B", "C"}).Draw(t, "sku"),
				Unit:          Money{units: rapid.Int64Range(0, 1e6).Draw(t, "unit"), cur: rapid.SampledFrom([]Currency{MustCurrency("EUR"), MustCurrency("JPY")}).Draw(t, "cur")},
				MinQuantity:   rapid.Int64Range(0, 3).Draw(t, "tier"),
				CustomerGroup: rapid.SampledFrom([]string{"", "staff", "members"}).Draw(t, "group"),
			}
			if rapid.Bool().Draw(t, "precise") {
				u := unitPriceGen(p.Unit.cur).Draw(t, "precise price")
				if u.coef < 0 {
					u.coef = -u.coef
				}
				p.Unit, p.Precise = Money{}, u
			}
			if rapid.Bool().Draw(t, "windowed") {
				p.ValidFrom = base.Add(time.Duration(rapid.IntRange(0, 100).Draw(t, "from")) * time.Hour)
				p.ValidUntil = p.ValidFrom.Add(time.Duration(rapid.IntRange(1, 100).Draw(t, "len")) * time.Hour)
			}
			key := fmt.Sprint(p.ListID, p.SKU, p.UnitPrice().cur, p.CustomerGroup, p.MinQuantity, p.ValidFrom)
			if seen[key] {
				continue
			}
			seen[key] = true
			in = append(in, p)
		}
		book, err := NewPriceBook(in)
		if err != nil {
			t.Fatal(err)
		}
		shuffled, err := NewPriceBook(rapid.Permutation(in).Draw(t, "perm"))
		if err != nil {
			t.Fatal(err)
		}
		q := PriceQuery{Lists: []string{"web", "store", "default"}, SKUs: []string{"C", "A", "B"}}
		out, _ := book.Prices(context.Background(), q)
		out2, _ := shuffled.Prices(context.Background(), q)
		if len(out) != len(in) || !reflect.DeepEqual(out, out2) {
			t.Fatalf("got %d entries (order-dependent: %v), put %d", len(out), !reflect.DeepEqual(out, out2), len(in))
		}
		for _, p := range in {
			if !slices.ContainsFunc(out, func(o Price) bool {
				return o.ListID == p.ListID && o.SKU == p.SKU && o.UnitPrice() == p.UnitPrice() && o.MinQuantity == p.MinQuantity &&
					o.CustomerGroup == p.CustomerGroup && o.ValidFrom.Equal(p.ValidFrom) && o.ValidUntil.Equal(p.ValidUntil)
			}) {
				t.Fatalf("%+v did not come back", p)
			}
		}
	})
}

// TestPrecisePrices: a price list entry may carry six decimals or a price
// per 1,000; resolution gives it exactly (Precise) and rounded (Unit), and
// Prices gives back an ordinary price in Unit, any other in Precise.
func TestPrecisePrices(t *testing.T) {
	perThousand, err := MustParseUnitPrice("12.50", "EUR").WithPer(1000)
	require.NoError(t, err)
	book, err := NewPriceBook([]Price{
		{ListID: "b2b", SKU: "screw", Precise: MustParseUnitPrice("0.0125", "EUR")},
		{ListID: "b2b", SKU: "screw", Precise: perThousand, MinQuantity: 10_000},
		{ListID: "b2b", SKU: "fuel", Precise: MustParseUnitPrice("1.859", "EUR")},
		{ListID: "b2b", SKU: "mug", Precise: MustParseUnitPrice("12.5", "EUR")},
		{ListID: "b2b", SKU: "rice", Precise: MustParseUnitPrice("0.125", "JPY")},
	})
	require.NoError(t, err)
	ctx := channel.Context{Currency: "EUR", PriceLists: []string{"b2b"}, AsOf: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	tests := []struct {
		sku, currency  string
		qty            int64
		precise, unit  string
		per            int64
		line, lineWant string
	}{
		{sku: "screw", qty: 3, precise: "0.0125", unit: "0.01", per: 1, lineWant: "0.04"},
		{sku: "screw", qty: 10_000, precise: "12.50", unit: "0.01", per: 1000, lineWant: "125.00"},
		{sku: "fuel", qty: 45, precise: "1.859", unit: "1.86", per: 1, lineWant: "83.66"},
		{sku: "mug", qty: 2, precise: "12.50", unit: "12.50", per: 1, lineWant: "25.00"},
		{sku: "rice", currency: "JPY", qty: 300, precise: "0.125", unit: "0", per: 1, lineWant: "38"}, // 37.5 → 38
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.qty, " ", tt.sku), func(t *testing.T) {
			c := ctx
			if tt.currency != "" {
				c.Currency = tt.currency
			}
			r, err := book.Resolve(tt.sku, tt.qty, c)
			require.NoError(t, err)
			assert.Equal(t, tt.precise, r.Precise.Amount())
			assert.Equal(t, tt.per, r.Precise.Per())
			assert.Equal(t, tt.unit, r.Unit.Amount())
			line, err := r.Precise.Mul(tt.qty, HalfEven)
			require.NoError(t, err)
			assert.Equal(t, tt.lineWant, line.Amount())
		})
	}

	got, err := book.Prices(context.Background(), PriceQuery{Lists: []string{"b2b"}, SKUs: []string{"mug", "screw"}})
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, MustParse("12.50", "EUR"), got[0].Unit, "an ordinary price comes back in Unit")
	assert.Equal(t, UnitPrice{}, got[0].Precise)
	assert.Equal(t, MustParseUnitPrice("0.0125", "EUR"), got[1].Precise)
	assert.Equal(t, Money{}, got[1].Unit)
	assert.Equal(t, perThousand, got[2].UnitPrice())

	b, err := json.Marshal(got[1])
	require.NoError(t, err)
	var back Price
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, got[1], back)
	assert.Contains(t, string(b), `"precise":{"amount":"0.0125","currency":"EUR"}`)
	b, err = json.Marshal(got[0])
	require.NoError(t, err)
	assert.NotContains(t, string(b), "precise", "an ordinary entry encodes as before")

	for name, p := range map[string]Price{
		"both":     {ListID: "l", SKU: "a", Unit: MustParse("1.00", "EUR"), Precise: MustParseUnitPrice("1", "EUR")},
		"negative": {ListID: "l", SKU: "a", Precise: MustParseUnitPrice("-0.0125", "EUR")},
	} {
		_, err := NewPriceBook([]Price{p})
		assert.ErrorIs(t, err, ErrInvalid, name)
	}
	_, err = NewPriceBook([]Price{{ListID: "l", SKU: "a", Unit: MustParse("1.00", "EUR")}, {ListID: "l", SKU: "a", Precise: MustParseUnitPrice("0.99", "EUR")}})
	assert.ErrorIs(t, err, ErrInvalid, "duplicates across Unit and Precise")
}
