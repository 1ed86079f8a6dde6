package message_test

import (
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/stretchr/testify/assert"
)

// An associate's override, said in the shopper's language: applied,
// no longer applying, and ended when the basket left the store.
func TestOverrideChanges(t *testing.T) {
	changes := []basket.Change{
		{Kind: basket.ChangeOverrideApplied, LineID: "L0001", SKU: "LAMP-ARC", Name: "Lampadaire arc", New: eur("30.00"), Reason: "PRICE-MATCH"},
		{Kind: basket.ChangeOverrideRemoved, LineID: "L0002", SKU: "MUG-STONE", Name: "Mug en grès", Old: eur("3.00"), Reason: "DAMAGED"},
		{Kind: basket.ChangeOverrideEnded, LineID: "L0001", SKU: "LAMP-ARC", Name: "Lampadaire arc", Old: eur("1234.50"), Reason: "PRICE-MATCH", LocationID: "lyon-bellecour"},
	}
	fr := []string{
		"Lampadaire arc\u00a0: remise magasin de 30,00\u00a0€ (PRICE-MATCH)",
		"la remise magasin sur Mug en grès ne s'applique plus (elle était de 3,00\u00a0€)",
		"la remise magasin sur Lampadaire arc a pris fin quand le panier a quitté lyon-bellecour (elle était de 1\u202f234,50\u00a0€)",
	}
	en := []string{
		"Lampadaire arc: store discount of €30.00 (PRICE-MATCH)",
		"the store discount on Mug en grès no longer applies (was €3.00)",
		"the store discount on Lampadaire arc ended when the basket left lyon-bellecour (was €1,234.50)",
	}
	cat := catalogue(t)
	for i, c := range changes {
		assert.Equal(t, fr[i], cat.Printer("fr-FR").Change(c), c.Kind.String())
		assert.Equal(t, en[i], cat.Printer("en").Change(c), c.Kind.String())
	}
	assert.Equal(t, "the store discount on Lampadaire arc ended when the basket left lyon-bellecour (was 1234.50 EUR)", changes[2].Message())
}
