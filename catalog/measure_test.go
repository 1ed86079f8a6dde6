package catalog_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// The layouts of the table tests: a deli's weight labels on 21, price
// labels on 28, price labels with a 4-digit price check on 24 and a
// 5-digit one on 22, yen price labels on 25.
var (
	cheeseByKg   = catalog.Layout{Prefix: "21", ItemDigits: 5, Embeds: catalog.Weight, ValueDigits: 5, Decimals: 3, Unit: catalog.Kilogram}
	priceEUR     = catalog.Layout{Prefix: "28", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Decimals: 2, Currency: pricing.MustCurrency("EUR")}
	checked4     = catalog.Layout{Prefix: "24", ItemDigits: 5, ValueCheck: true, Embeds: catalog.Price, ValueDigits: 4, Decimals: 2, Currency: pricing.MustCurrency("EUR")}
	checked5     = catalog.Layout{Prefix: "22", ItemDigits: 4, ValueCheck: true, Embeds: catalog.Price, ValueDigits: 5, Decimals: 2, Currency: pricing.MustCurrency("EUR")}
	priceJPY     = catalog.Layout{Prefix: "25", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Currency: pricing.MustCurrency("JPY")}
	gramsAnyTwo  = catalog.Layout{Prefix: "2", ItemDigits: 6, Embeds: catalog.Weight, ValueDigits: 5, Unit: catalog.Gram}
	storeLayouts = []catalog.Layout{cheeseByKg, priceEUR, checked4, checked5, priceJPY}
)

func TestDecode(t *testing.T) {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	for _, tc := range []struct {
		name    string
		layouts []catalog.Layout
		code    string
		key     string
		embeds  catalog.Embed
		weight  string // Measure.String()
		price   pricing.Money
	}{
		{"cheese weighed at 0.347 kg", storeLayouts, "2112345003474", "02112345000008", catalog.Weight, "0.347 kg", pricing.Money{}},
		{"price label 4.20 EUR", storeLayouts, "2801234004202", "02801234000006", catalog.Price, "", eur("4.20")},
		{"price 28.75 with a 4-digit price check", storeLayouts, "2412345928754", "02412345000009", catalog.Price, "", eur("28.75")},
		{"price 146.85 with a 5-digit price check", storeLayouts, "2212346146856", "02212340000000", catalog.Price, "", eur("146.85")},
		{"yen price label", storeLayouts, "2512345019800", "02512345000006", catalog.Price, "", pricing.MustParse("1980", "JPY")},
		{"one-digit prefix, grams", []catalog.Layout{gramsAnyTwo}, "2012345003477", "02012345000001", catalog.Weight, "347 g", pricing.Money{}},
		{"EAN-13 is itself", storeLayouts, "4006381333931", "04006381333931", 0, "", pricing.Money{}},
		{"GTIN-14 of a weight label is a weight label", storeLayouts, "02112345003474", "02112345000008", catalog.Weight, "0.347 kg", pricing.Money{}},
		{"EAN-8 is itself", storeLayouts, "96385074", "00000096385074", 0, "", pricing.Money{}},
		{"prefix 20 unclaimed: a store's own fixed item", storeLayouts, "2012345123458", "02012345123458", 0, "", pricing.Money{}},
		{"UPC-A starting with 2 is not an EAN-13 prefix 2x", storeLayouts, "212345678909", "00212345678909", 0, "", pricing.Money{}},
		{"no layouts: a weight label is just a GTIN", nil, "2112345003474", "02112345003474", 0, "", pricing.Money{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := catalog.NewDecoder(tc.layouts...)
			require.NoError(t, err)
			s, err := d.Decode(tc.code)
			require.NoError(t, err)
			assert.Equal(t, tc.key, s.Key.String())
			assert.Equal(t, catalog.MustGTIN(tc.code), s.Code)
			assert.Equal(t, tc.embeds, s.Embeds)
			switch tc.embeds {
			case catalog.Weight:
				assert.Equal(t, tc.weight, s.Weight.String())
			case catalog.Price:
				assert.Equal(t, tc.price, s.Price)
			}
			back, err := d.Encode(s)
			require.NoError(t, err)
			assert.Equal(t, s.Code, back, "a decoded scan encodes back to its code")
		})
	}
	var none *catalog.Decoder
	s, err := none.Decode("2112345003474")
	require.NoError(t, err)
	assert.Equal(t, s.Code, s.Key, "a nil decoder reads plain GTINs")
	assert.Nil(t, none.Layouts())
}

func TestDecodeRefuses(t *testing.T) {
	d, err := catalog.NewDecoder(storeLayouts...)
	require.NoError(t, err)
	for _, tc := range []struct {
		name, code string
		rule       catalog.BarcodeRule
	}{
		{"misread price: the GTIN check was recomputed, the price check was not", "2412345828757", catalog.RuleValueCheck},
		{"zero weight", "2112345000008", catalog.RuleZeroValue},
		{"weight label with a wrong check digit", "2112345003475", catalog.RuleCheckDigit},
		{"not digits", "21123450O3474", catalog.RuleDigits},
		{"too short", "211234500347", catalog.RuleCheckDigit}, // 12 digits: read as a UPC-A, whose check fails
		{"too long", "021123450034740", catalog.RuleLength},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Decode(tc.code)
			require.ErrorIs(t, err, catalog.ErrInvalidBarcode)
			var be *catalog.BarcodeError
			require.ErrorAs(t, err, &be)
			assert.Equal(t, tc.rule, be.Rule, err.Error())
		})
	}
}

func TestNewDecoderRefuses(t *testing.T) {
	with := func(l catalog.Layout, change func(*catalog.Layout)) catalog.Layout {
		change(&l)
		return l
	}
	for _, tc := range []struct {
		name    string
		layouts []catalog.Layout
		index   int
		reason  string
	}{
		{"prefix outside 20-29", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Prefix = "30" })}, 0, "prefix"},
		{"prefix 3", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Prefix = "3"; l.ItemDigits = 6 })}, 0, "prefix"},
		{"three-digit prefix", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Prefix = "210"; l.ItemDigits = 4 })}, 0, "prefix"},
		{"not a digit", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Prefix = "2x" })}, 0, "prefix"},
		{"digits do not add up", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.ItemDigits = 6 })}, 0, "not the 12"},
		{"no item digits", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.ItemDigits = 0; l.ValueDigits = 10 })}, 0, "item reference"},
		{"no value digits", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.ItemDigits = 10; l.ValueDigits = 0 })}, 0, "value needs"},
		{"value check on 3 digits", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.ValueCheck = true; l.ItemDigits = 6; l.ValueDigits = 3 })}, 0, "4- or 5-digit"},
		{"weight counted each", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Unit = catalog.Each })}, 0, "measured unit"},
		{"weight with a currency", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Currency = pricing.MustCurrency("EUR") })}, 0, "no currency"},
		{"price without currency", []catalog.Layout{with(priceEUR, func(l *catalog.Layout) { l.Currency = pricing.Currency{} })}, 0, "needs a currency"},
		{"price finer than the currency", []catalog.Layout{with(priceJPY, func(l *catalog.Layout) { l.Decimals = 2 })}, 0, "decimals"},
		{"price in a unit", []catalog.Layout{with(priceEUR, func(l *catalog.Layout) { l.Unit = catalog.Kilogram })}, 0, "no unit"},
		{"no embed", []catalog.Layout{with(priceEUR, func(l *catalog.Layout) { l.Embeds = 0 })}, 0, "Weight or a Price"},
		{"too many decimals", []catalog.Layout{with(cheeseByKg, func(l *catalog.Layout) { l.Decimals = 7 })}, 0, "0 to 6"},
		{"two layouts on 21", []catalog.Layout{priceEUR, cheeseByKg, with(priceEUR, func(l *catalog.Layout) { l.Prefix = "21" })}, 2, "already claimed"},
		{"2 claims all of 20-29", []catalog.Layout{cheeseByKg, gramsAnyTwo}, 1, "already claimed"},
		{"2 then 28", []catalog.Layout{gramsAnyTwo, priceEUR}, 1, "already claimed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := catalog.NewDecoder(tc.layouts...)
			assert.Nil(t, d)
			require.ErrorIs(t, err, catalog.ErrInvalidLayout)
			var le *catalog.LayoutError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.index, le.Index)
			assert.Contains(t, le.Reason, tc.reason)
		})
	}
}

func TestDecoderKeepsItsOwnLayouts(t *testing.T) {
	ls := []catalog.Layout{cheeseByKg}
	d, err := catalog.NewDecoder(ls...)
	require.NoError(t, err)
	ls[0].Decimals = 0
	got := d.Layouts()
	got[0].Unit = catalog.Gram
	s, err := d.Decode("2112345003474")
	require.NoError(t, err)
	assert.Equal(t, "0.347 kg", s.Weight.String())
}

func TestMeasureString(t *testing.T) {
	for _, tc := range []struct {
		m    catalog.Measure
		want string
	}{
		{catalog.Measure{Value: 347, Decimals: 3, Unit: catalog.Kilogram}, "0.347 kg"},
		{catalog.Measure{Value: 12345, Decimals: 3, Unit: catalog.Kilogram}, "12.345 kg"},
		{catalog.Measure{Value: 5, Decimals: 3, Unit: catalog.Litre}, "0.005 l"},
		{catalog.Measure{Value: 250, Unit: catalog.Gram}, "250 g"},
		{catalog.Measure{Value: 150, Decimals: 2, Unit: catalog.Metre}, "1.50 m"},
	} {
		assert.Equal(t, tc.want, tc.m.String())
	}
}

// The GS1 price/weight check digits, from their definition (§7.9.3): the
// weighted products computed arithmetically, not read from the tables the
// package uses.
func gs1ValueCheck(v string) byte {
	w2m := func(d int) int { p := 2 * d; return ((p-p/10)%10 + 10) % 10 }
	w3 := func(d int) int { return 3 * d % 10 }
	w5p := func(d int) int { p := 5 * d; return (p + p/10) % 10 }
	w5m := func(d int) int { p := 5 * d; return ((p-p/10)%10 + 10) % 10 }
	d := func(i int) int { return int(v[i] - '0') }
	if len(v) == 4 {
		return byte('0' + (w2m(d(0))+w2m(d(1))+w3(d(2))+w5m(d(3)))*3%10)
	}
	target := (10 - (w5p(d(0))+w2m(d(1))+w5m(d(2))+w5p(d(3))+w2m(d(4)))%10) % 10
	for c := range 10 {
		if w5m(c) == target {
			return byte('0' + c)
		}
	}
	panic("5- is not a permutation")
}

func TestValueCheckDigitMatchesGS1(t *testing.T) {
	// The worked examples of the GS1 General Specifications.
	assert.Equal(t, byte('9'), gs1ValueCheck("2875"))
	assert.Equal(t, byte('6'), gs1ValueCheck("14685"))
	rapid.Check(t, func(t *rapid.T) {
		l := rapid.SampledFrom([]catalog.Layout{checked4, checked5}).Draw(t, "layout")
		item := rapid.StringMatching("[0-9]{"+strconv.Itoa(l.ItemDigits)+"}").Draw(t, "item")
		v := rapid.StringMatching("[0-9]{"+strconv.Itoa(l.ValueDigits)+"}").Filter(func(s string) bool { return strings.Trim(s, "0") != "" }).Draw(t, "value")
		n, _ := strconv.ParseInt(v, 10, 64)
		g, err := l.Encode(item, n)
		if err != nil {
			t.Fatal(err)
		}
		at := 1 + len(l.Prefix) + l.ItemDigits
		if got, want := g.String()[at], gs1ValueCheck(v); got != want {
			t.Fatalf("value %s: check digit %c, GS1 says %c", v, got, want)
		}
	})
}

// genLayout draws any valid layout.
func genLayout(t *rapid.T) catalog.Layout {
	l := catalog.Layout{Prefix: "2"}
	if rapid.Bool().Draw(t, "two-digit prefix") {
		l.Prefix += strconv.Itoa(rapid.IntRange(0, 9).Draw(t, "second digit"))
	}
	rest := 12 - len(l.Prefix)
	if l.ValueCheck = rapid.Bool().Draw(t, "value check"); l.ValueCheck {
		l.ValueDigits = rapid.IntRange(4, 5).Draw(t, "value digits")
		rest--
	} else {
		l.ValueDigits = rapid.IntRange(1, rest-1).Draw(t, "value digits")
	}
	l.ItemDigits = rest - l.ValueDigits
	if rapid.Bool().Draw(t, "price") {
		l.Embeds = catalog.Price
		l.Currency = rapid.SampledFrom([]pricing.Currency{pricing.MustCurrency("EUR"), pricing.MustCurrency("JPY"), pricing.MustCurrency("KWD"), pricing.MustCurrency("CHF")}).Draw(t, "currency")
		l.Decimals = rapid.IntRange(0, l.Currency.Exponent()).Draw(t, "decimals")
	} else {
		l.Embeds = catalog.Weight
		l.Unit = rapid.SampledFrom([]catalog.Unit{catalog.Kilogram, catalog.Gram, catalog.Metre, catalog.Litre}).Draw(t, "unit")
		l.Decimals = rapid.IntRange(0, 6).Draw(t, "decimals")
	}
	return l
}

// Encode then decode is the identity for every layout: the key is the
// code with the value zeroed, the value comes back exactly, and the scan
// encodes back to the code. Any single-digit change of the value is
// refused when the layout has a value check.
func TestLayoutRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLayout(t)
		d, err := catalog.NewDecoder(l)
		if err != nil {
			t.Fatalf("a generated layout is refused: %v", err)
		}
		item := rapid.StringMatching("[0-9]{"+strconv.Itoa(l.ItemDigits)+"}").Draw(t, "item")
		max := int64(1)
		for range l.ValueDigits {
			max *= 10
		}
		v := rapid.Int64Range(1, max-1).Draw(t, "value")
		code, err := l.Encode(item, v)
		if err != nil {
			t.Fatal(err)
		}
		s, err := d.Decode(code.String()[1:]) // as an EAN-13
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		key := code.String()[:1+len(l.Prefix)+l.ItemDigits]
		if k := s.Key.String(); k[:len(key)] != key || strings.Trim(k[len(key):13], "0") != "" {
			t.Fatalf("%s keys as %s", code, k)
		}
		if _, err := catalog.ParseGTIN(s.Key.String()); err != nil {
			t.Fatalf("key %s is not a GTIN: %v", s.Key, err)
		}
		if s.Embeds != l.Embeds {
			t.Fatalf("%s decodes a %s", code, s.Embeds)
		}
		switch l.Embeds {
		case catalog.Weight:
			if want := (catalog.Measure{Value: v, Decimals: l.Decimals, Unit: l.Unit}); s.Weight != want {
				t.Fatalf("%s weighs %s, want %s", code, s.Weight, want)
			}
		case catalog.Price:
			minor := v
			for range l.Currency.Exponent() - l.Decimals {
				minor *= 10
			}
			if want, _ := pricing.FromMinor(minor, l.Currency); s.Price != want {
				t.Fatalf("%s costs %s, want %s", code, s.Price, want)
			}
		}
		back, err := d.Encode(s)
		if err != nil || back != code {
			t.Fatalf("%s encodes back to %s (%v)", code, back, err)
		}
		if !l.ValueCheck {
			return
		}
		// A misread value digit, with the GTIN check digit made valid again.
		digits := code.String()[1:13]
		at := len(digits) - l.ValueDigits + rapid.IntRange(0, l.ValueDigits-1).Draw(t, "misread position")
		nd := byte('0' + rapid.IntRange(0, 9).Filter(func(x int) bool { return byte('0'+x) != digits[at] }).Draw(t, "misread digit"))
		body := digits[:at] + string(nd) + digits[at+1:]
		for c := byte('0'); c <= '9'; c++ {
			if _, err := catalog.ParseGTIN(body + string(c)); err == nil {
				_, err := d.Decode(body + string(c))
				var be *catalog.BarcodeError
				if !assert.ErrorAs(t, err, &be) || be.Rule != catalog.RuleValueCheck {
					t.Fatalf("misread %s%c (from %s) was not refused by the value check: %v", body, c, code, err)
				}
			}
		}
	})
}

func TestEncodeRefuses(t *testing.T) {
	for name, f := range map[string]func() (catalog.GTIN, error){
		"item too short":  func() (catalog.GTIN, error) { return cheeseByKg.Encode("1234", 347) },
		"item not digits": func() (catalog.GTIN, error) { return cheeseByKg.Encode("1234x", 347) },
		"value too long":  func() (catalog.GTIN, error) { return cheeseByKg.Encode("12345", 100000) },
		"zero value":      func() (catalog.GTIN, error) { return cheeseByKg.Encode("12345", 0) },
		"invalid layout":  func() (catalog.GTIN, error) { return catalog.Layout{Prefix: "21"}.Encode("12345", 1) },
		"price finer than the layout": func() (catalog.GTIN, error) {
			d, _ := catalog.NewDecoder(catalog.Layout{Prefix: "28", ItemDigits: 5, Embeds: catalog.Price, ValueDigits: 5, Decimals: 1, Currency: pricing.MustCurrency("EUR")})
			return d.Encode(catalog.Scan{Key: catalog.MustGTIN("2801234000006"), Embeds: catalog.Price, Price: pricing.MustParse("4.25", "EUR")})
		},
		"weight in another unit": func() (catalog.GTIN, error) {
			d, _ := catalog.NewDecoder(cheeseByKg)
			return d.Encode(catalog.Scan{Key: catalog.MustGTIN("2112345000008"), Embeds: catalog.Weight, Weight: catalog.Measure{Value: 347, Unit: catalog.Gram}})
		},
		"no layout for the key": func() (catalog.GTIN, error) {
			d, _ := catalog.NewDecoder(cheeseByKg)
			return d.Encode(catalog.Scan{Key: catalog.MustGTIN("2801234000006"), Embeds: catalog.Price, Price: pricing.MustParse("4.20", "EUR")})
		},
		"plain scan whose key is not its code": func() (catalog.GTIN, error) {
			return (*catalog.Decoder)(nil).Encode(catalog.Scan{Code: catalog.MustGTIN("96385074"), Key: catalog.MustGTIN("4006381333931")})
		},
	} {
		t.Run(name, func(t *testing.T) {
			g, err := f()
			assert.ErrorIs(t, err, catalog.ErrInvalidLayout)
			assert.True(t, g.IsZero())
		})
	}
}
