package basket

import (
	"encoding/json"
	"testing"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/stock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModes(t *testing.T) {
	m := ModesOf(stock.LinePlan{Allocations: []stock.Allocation{{Mode: channel.Transfer}, {Mode: channel.CarryOut}, {Mode: channel.Transfer}}})
	assert.Equal(t, []channel.FulfilmentMode{channel.CarryOut, channel.Transfer}, m.List())
	assert.Equal(t, "carry-out + transfer", m.String())
	b, err := json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `["carry-out","transfer"]`, string(b))
	var back Modes
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, m, back)
	assert.Error(t, json.Unmarshal([]byte(`["teleport"]`), &back))
}

// A change survives JSON: values that do not apply stay out, a 0 % tax
// rate (a legitimate rate) stays in for a tax change.
func TestChangeJSONRoundTrip(t *testing.T) {
	for _, c := range []Change{
		{Kind: ChangeTax, LineID: "L0001", Name: "Tea", OldRate: pricing.Rate{}, NewRate: pricing.MustPercent("5.5")},
		{Kind: ChangePrice, LineID: "L0002", Name: "Mug", Old: pricing.MustParse("14.00", "EUR"), New: pricing.MustParse("0.00", "EUR")},
		{Kind: ChangeFulfilment, LineID: "L0003", Name: "Lamp", OldModes: 1 << channel.ShipToAddress, NewModes: 1<<channel.CarryOut | 1<<channel.Transfer},
		{Kind: ChangeCouponNotHonoured, Coupon: "WEB10", Detail: "web only"},
	} {
		b, err := json.Marshal(c)
		require.NoError(t, err)
		var back Change
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.Equal(t, c, back, string(b))
		assert.Contains(t, string(b), `"message":`)
		if c.Kind != ChangeTax {
			assert.NotContains(t, string(b), "rate")
		}
	}
	b, _ := json.Marshal(Change{Kind: ChangeTax, OldRate: pricing.Rate{}, NewRate: pricing.MustPercent("20")})
	assert.Contains(t, string(b), `"old_rate":"0"`)
	b, _ = json.Marshal(Change{Kind: ChangeLineShort, Quantity: 2, Missing: 1})
	assert.NotContains(t, string(b), `"old"`)
}
