package baskettest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/pricing"
)

// testTillStateRoundTrips stores a basket with what a store till adds to
// one (a weighed line in thousandths of its unit, a counted line, an
// associate's override, a loyalty account with points to burn) and checks
// that the store gives back exactly that basket, and a history that
// rebuilds it: a store that dropped a line's unit would turn 0.347 kg
// into 347 pieces.
func testTillStateRoundTrips(t *testing.T, s basket.Store) {
	ctx := context.Background()
	b, w := NewBasket(t, "c-till")
	require.NoError(t, s.Save(ctx, w))
	save := func(e basket.Event, err error) {
		t.Helper()
		require.NoError(t, err)
		require.NoError(t, s.Save(ctx, basket.Write{Basket: b.Clone(), ExpectedVersion: b.Version - 1, Events: []basket.Event{e}}))
	}
	cheese := basket.Product{Name: "Comté AOP 18 months", Categories: []string{"cheese"}, TaxCategory: "reduced"}
	weighed, e, err := b.AddLine(meta(), basket.NewLine{SKU: "COMTE-18M", Measure: catalog.Measure{Value: 347, Decimals: 3, Unit: catalog.Kilogram}, Product: cheese})
	save(e, err)
	_, e, err = b.AddLine(meta(), basket.NewLine{SKU: "HONEY-LAV", Quantity: 2, Product: basket.Product{Name: "Lavender honey", TaxCategory: "reduced"}})
	save(e, err)
	price := pricing.MustParse("19.90", "EUR")
	save(b.OverridePrice(meta(), basket.Override{LineID: weighed, Terms: basket.SetPrice(price), Reason: "DAMAGED", GrantedBy: "baskettest", At: at()}))
	save(b.SetLoyalty(meta(), &basket.Loyalty{Account: "LOY-1", Tier: "2"}))
	save(b.UseLoyaltyPoints(meta(), 500))

	got, err := s.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.JSONEq(t, string(mustJSON(t, b)), string(mustJSON(t, got)))
	line, ok := got.Line(weighed)
	require.True(t, ok)
	assert.Equal(t, int64(347), line.Quantity)
	assert.Equal(t, catalog.Kilogram, line.Unit, "a weighed line keeps its unit")

	history, err := s.Events(ctx, b.ID, 0)
	require.NoError(t, err)
	replayed, err := basket.Replay(history)
	require.NoError(t, err)
	assert.JSONEq(t, string(mustJSON(t, b)), string(mustJSON(t, replayed)), "the history rebuilds the till's basket")
}
