package csv_test

import (
	"errors"
	"strings"
	"testing"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// fuzzOptions derives load options from a fuzzed byte.
func fuzzOptions(mode uint8) erpcsv.Options {
	o := erpcsv.Options{File: "fuzz.csv", IgnoreUnknownColumns: mode&1 != 0}
	if mode&2 != 0 {
		o.MaxErrors, o.SkipInvalidRows = 3, true
	}
	switch mode >> 2 & 3 {
	case 1:
		o.DecimalMark = ','
	case 2:
		o.DecimalMark = '.'
	case 3:
		o.Comma = ';'
	}
	return o
}

// checkLoad checks what every loader promises: no data with an error
// unless rows were skipped, and a typed error.
func checkLoad[T any](t *testing.T, out []T, err error, opts erpcsv.Options) {
	t.Helper()
	if err == nil {
		if out == nil {
			t.Fatal("nil data without an error")
		}
		return
	}
	var le *erpcsv.LoadError
	if !errors.As(err, &le) || !errors.Is(err, erpcsv.ErrInvalid) || len(le.Errors) == 0 {
		t.Fatalf("error %v (%T) is not a *LoadError with row errors", err, err)
	}
	for _, re := range le.Errors {
		if re.Line < 1 || re.File != "fuzz.csv" || re.Reason == "" {
			t.Fatalf("row error without a place or reason: %+v", re)
		}
		// Values are quoted as bounded excerpts: a message never grows
		// with the input.
		if msg := re.Error(); len(msg) > 512 {
			t.Fatalf("row error of %d bytes: %.600q", len(msg), msg)
		}
	}
	if out != nil && (!opts.SkipInvalidRows || le.Aborted) {
		t.Fatalf("data returned with error %v", err)
	}
}

func FuzzPrices(f *testing.F) {
	f.Add([]byte(docSample(f, "A French\n// export:")), uint8(0))
	f.Add([]byte(badPrices), uint8(2))
	f.Add([]byte("\uFEFFsku,list,currency,unit_price,min_quantity,customer_group,valid_from,valid_until\nA,l,EUR,1.00,2,g,2026-01-01,2026-02-01T00:00:00+01:00\n"), uint8(0))
	f.Add([]byte("sku;list;currency;unit_price\nA;l;JPY;12\nA;l;KWD;0,125\n"), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := fuzzOptions(mode)
		prices, err := erpcsv.LoadPrices(ctx, strings.NewReader(string(data)), opts)
		checkLoad(t, prices, err, opts)
		if prices != nil {
			if _, err := pricing.NewPriceBook(prices); err != nil {
				t.Fatalf("NewPriceBook refuses the loaded prices: %v", err)
			}
		}
		n := 0
		_ = erpcsv.ForEachPrice(ctx, strings.NewReader(string(data)), opts, func(p pricing.Price) error {
			n++
			if _, err := pricing.NewPriceBook([]pricing.Price{p}); err != nil {
				t.Fatalf("a streamed price is invalid: %v", err)
			}
			return nil
		})
		if n < len(prices) {
			t.Fatalf("streamed %d prices, loaded %d", n, len(prices))
		}
	})
}

func FuzzStock(f *testing.F) {
	f.Add([]byte(docSample(f, "row with on_hand 0.")), uint8(0))
	f.Add([]byte("sku;location;on_hand;reserved;next_arrival\nA;x;12,000;3;2026-11-30 09:00\nA;x;1;;\nB;y;-1;;\n"), uint8(2))
	f.Add([]byte("sku,location,on_hand\nA,x,\"1\n\"\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := fuzzOptions(mode)
		levels, err := erpcsv.LoadStock(ctx, strings.NewReader(string(data)), opts)
		checkLoad(t, levels, err, opts)
		if levels != nil {
			if _, err := stock.NewLevels(levels); err != nil {
				t.Fatalf("NewLevels refuses the loaded levels: %v", err)
			}
		}
		_ = erpcsv.ForEachStock(ctx, strings.NewReader(string(data)), opts, func(l stock.Level) error {
			if _, err := stock.NewLevels([]stock.Level{l}); err != nil {
				t.Fatalf("a streamed level is invalid: %v", err)
			}
			return nil
		})
	})
}

func FuzzPromotions(f *testing.F) {
	f.Add([]byte(docSample(f, "A sample file with every effect:")), uint8(0))
	f.Add([]byte("id;effect;currency;categories;percent;tiers;skus;starts_at;ends_at;exclusive;priority;pick;buy;get\n"+
		"P1;Percent Off;;textiles;12,5;;;2026-11-01;2026-12-01;oui;-3;;;\n"+
		"P2;tiered;eur;;;100,00:5%|250,00:12,5 %;*;;;non;;;;\n"+
		"P3;buy_x_get_y;;candles;50;;;;;;;Most Expensive;2;1\n"), uint8(0))
	f.Add([]byte("id,effect,skus,percent,lane,best_of_group\nA,percent-off,*,10,,g\nB,basket-percent-off,*,5,,g\nA,percent-off,*,20,,\n"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		opts := fuzzOptions(mode)
		promos, err := erpcsv.LoadPromotions(ctx, strings.NewReader(string(data)), opts)
		checkLoad(t, promos, err, opts)
		if promos != nil {
			if _, err := promotion.Compile(promos); err != nil {
				t.Fatalf("Compile refuses the loaded promotions: %v", err)
			}
		}
		_ = erpcsv.ForEachPromotion(ctx, strings.NewReader(string(data)), opts, func(p promotion.Promotion) error {
			if _, err := promotion.Compile([]promotion.Promotion{p}); err != nil {
				t.Fatalf("a streamed promotion is invalid: %v", err)
			}
			return nil
		})
	})
}
