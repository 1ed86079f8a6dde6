package csv_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"testing"
	"time"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/basket/sourcetest"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/require"
)

// exportPrices writes prices in the loader's dialect, every column used.
func exportPrices(t *testing.T, ps []pricing.Price) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write([]string{"sku", "list", "currency", "unit_price", "price_per", "min_quantity", "customer_group", "valid_from", "valid_until"}))
	at := func(v time.Time) string {
		if v.IsZero() {
			return ""
		}
		return v.Format(time.RFC3339Nano)
	}
	for _, p := range ps {
		u := p.UnitPrice()
		require.NoError(t, w.Write([]string{p.SKU, p.ListID, u.Currency().Code(), u.Amount(), strconv.FormatInt(u.Per(), 10),
			strconv.FormatInt(p.MinQuantity, 10), p.CustomerGroup, at(p.ValidFrom), at(p.ValidUntil)}))
	}
	w.Flush()
	require.NoError(t, w.Error())
	return b.Bytes()
}

// TestLoadedPricesServeAService: prices exported to CSV and loaded back
// into a price book answer a Service as the source suite requires, so
// nothing of a price (tier, group, window, decimals, per) is lost on
// the way from the ERP.
func TestLoadedPricesServeAService(t *testing.T) {
	sourcetest.RunSourceTests(t, func(t *testing.T, d sourcetest.Data) sourcetest.Sources {
		prices, err := erpcsv.LoadPrices(ctx, bytes.NewReader(exportPrices(t, d.Prices)), erpcsv.Options{File: "prices.csv"})
		require.NoError(t, err)
		book, err := pricing.NewPriceBook(prices)
		require.NoError(t, err)
		return sourcetest.Sources{Prices: book}
	})
}
