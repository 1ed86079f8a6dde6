package basket_test

import (
	"encoding/json"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/demo"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPrecisePricesSurviveStoredPatches: a history replays precise prices
// exactly, through JSON, when a price becomes precise and when it becomes
// ordinary again (a cleared field must not read back as "unchanged").
func TestPrecisePricesSurviveStoredPatches(t *testing.T) {
	at := demo.Start()
	b := tradeBasket(t, "EUR", at, trade("SCREW", 3))
	steps := [][]pricing.Price{
		{{ListID: "trade", SKU: "SCREW", Unit: pricing.MustParse("0.02", "EUR")}},
		{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "0.0125", "EUR", 1)}},
		{{ListID: "trade", SKU: "SCREW", Precise: unitPrice(t, "12.40", "EUR", 1000)}},
		{{ListID: "trade", SKU: "SCREW", Unit: pricing.MustParse("0.01", "EUR")}},
	}
	var prev *basket.Result
	for i, prices := range steps {
		r, err := basket.Recontextualize(b, b2bContext("EUR", at), b2bSnapshot(t, prices), basket.Options{})
		require.NoError(t, err)
		if prev != nil {
			p := basket.DiffResultForTest(prev, r)
			require.NotNil(t, p, "step %d", i)
			data, err := json.Marshal(p)
			require.NoError(t, err)
			var stored basket.ResultPatch
			require.NoError(t, json.Unmarshal(data, &stored))
			rebuilt, err := basket.ApplyPatchForTest(prev, r.Context, &stored)
			require.NoError(t, err)
			assert.Equal(t, jsonBytes(t, r), jsonBytes(t, rebuilt), "step %d", i)
		}
		prev = r
	}
}
