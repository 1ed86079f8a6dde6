package message_test

import (
	"strings"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/stretchr/testify/assert"
)

// TestMeasuredQuantities: a weighed or measured line's quantity is said
// as its measure and unit, with the locale's decimal separator; counted
// goods are said as before.
func TestMeasuredQuantities(t *testing.T) {
	cat := catalogue(t)
	en, fr := cat.Printer("en-GB"), cat.Printer("fr-FR")
	for _, c := range []struct {
		change basket.Change
		en, fr string
	}{
		{basket.Change{Kind: basket.ChangeLineAdded, Name: "Comté", Quantity: 347, Unit: catalog.Kilogram},
			"added: 0.347 kg × Comté", "ajouté : 0,347 kg × Comté"},
		{basket.Change{Kind: basket.ChangeLineRemoved, Name: "Comté", Quantity: 347, Unit: catalog.Kilogram},
			"removed: 0.347 kg × Comté", "retiré : 0,347 kg × Comté"},
		{basket.Change{Kind: basket.ChangeQuantity, Name: "Lin", OldQuantity: 2500, Quantity: 3000, Unit: catalog.Metre},
			"Lin: quantity 3 m (was 2.5 m)", "Lin : quantité 3 m (au lieu de 2,5 m)"},
		{basket.Change{Kind: basket.ChangeLineShort, Name: "Lin", Quantity: 2500, Missing: 1300, Unit: catalog.Metre},
			"Lin: 1.2 of 2.5 m available", "Lin : seulement 1,2 sur 2,5 m en stock"},
		{basket.Change{Kind: basket.ChangeLineShort, Name: "Mug", Quantity: 5, Missing: 2},
			"Mug: 3 of 5 available", "Mug : seulement 3 sur 5 en stock"},
		{basket.Change{Kind: basket.ChangeLineAdded, Name: "Huile", Quantity: 1250, Unit: catalog.Litre},
			"added: 1.25 l × Huile", "ajouté : 1,25 l × Huile"},
	} {
		assert.Equal(t, c.en, en.Change(c.change))
		assert.Equal(t, strings.Replace(c.fr, " :", "\u00a0:", 1), fr.Change(c.change)) // a no-break space before the colon
		assert.Equal(t, c.en, c.change.Message(), "the English of basket.Change.Message")
	}
}
