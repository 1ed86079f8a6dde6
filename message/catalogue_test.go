package message_test

import (
	"errors"
	"testing"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/message"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Bad input is refused when the catalogue is built, with a typed error
// naming the locale, the key and the placeholder; no catalogue is built.
func TestNewRefusesBadSentences(t *testing.T) {
	cases := []struct {
		name        string
		opt         message.Option
		kind        error
		locale, key string
		placeholder string
	}{
		{"unknown placeholder", message.WithSentences("fr-CA", map[string]string{"change.price-changed": "{name} : {prix}"}),
			message.ErrUnknownPlaceholder, "fr-CA", "change.price-changed", "prix"},
		{"a placeholder of another key", message.WithSentences("de", map[string]string{"change.total-changed": "{name}"}),
			message.ErrUnknownPlaceholder, "de", "change.total-changed", "name"},
		{"unknown key", message.WithSentences("de", map[string]string{"change.price-change": "{name}"}),
			message.ErrUnknownKey, "de", "change.price-change", ""},
		{"unclosed brace", message.WithSentences("de", map[string]string{"change.total-changed": "Summe {new"}),
			message.ErrSyntax, "de", "change.total-changed", ""},
		{"stray brace", message.WithSentences("de", map[string]string{"change.total-changed": "Summe} {new}"}),
			message.ErrSyntax, "de", "change.total-changed", ""},
		{"brace in a placeholder", message.WithSentences("de", map[string]string{"change.total-changed": "{ne{w}"}),
			message.ErrSyntax, "de", "change.total-changed", ""},
		{"blank sentence", message.WithSentences("de", map[string]string{"change.total-changed": " "}),
			message.ErrSyntax, "de", "change.total-changed", ""},
		{"malformed locale", message.WithSentences("fr--CA", nil), message.ErrLocale, "fr--CA", "", ""},
		{"empty locale", message.WithSentences("", nil), message.ErrLocale, "", "", ""},
		{"not a language", message.WithFormat("1fr", message.CodeFormat()), message.ErrLocale, "1fr", "", ""},
		{"no decimal separator", message.WithFormat("de", message.Format{Group: "."}), message.ErrFormat, "de", "", ""},
		{"same separators", message.WithFormat("de", message.Format{Decimal: ".", Group: "."}), message.ErrFormat, "de", "", ""},
		{"a digit in a symbol", message.WithFormat("de", message.Format{Decimal: ",", Symbols: map[string]string{"EUR": "€1"}}), message.ErrFormat, "de", "", ""},
	}
	for _, c := range cases {
		cat, err := message.New(c.opt)
		assert.Nil(t, cat, c.name)
		require.Error(t, err, c.name)
		assert.ErrorIs(t, err, c.kind, c.name)
		assert.ErrorIs(t, err, message.ErrInvalid, c.name)
		var ie *message.InputError
		require.True(t, errors.As(err, &ie), c.name)
		assert.Equal(t, c.locale, ie.Locale, c.name)
		assert.Equal(t, c.key, ie.Key, c.name)
		assert.Equal(t, c.placeholder, ie.Placeholder, c.name)
		assert.Contains(t, err.Error(), c.key, c.name)
	}
}

// Several mistakes: the error is the first by key, every time, whatever
// the map's order.
func TestNewReportsTheFirstMistake(t *testing.T) {
	bad := map[string]string{"change.total-changed": "{x}", "change.line-added": "{y}", "coupon.unknown": "{z}", "mode.transfer": "{w}"}
	for range 20 {
		_, err := message.New(message.WithSentences("de", bad))
		var ie *message.InputError
		require.True(t, errors.As(err, &ie))
		assert.Equal(t, "change.line-added", ie.Key)
		assert.Equal(t, "y", ie.Placeholder)
	}
}

// A retailer rewords a French sentence, adds German for two keys with
// its own format, and relies on the fallbacks for the rest.
func TestRetailerCatalogue(t *testing.T) {
	fr := map[string]string{"change.promotion-gained": "{promotion} : vous économisez {new} {{fidélité}}"}
	cat := catalogue(t,
		message.WithSentences("fr", fr),
		message.WithSentences("de", map[string]string{
			"change.price-changed": "{name} kostet hier {new} (vorher {old})",
			"mode.carry-out":       "zum Mitnehmen",
		}),
		message.WithFormat("de", message.Format{Decimal: ",", Group: ".", Space: "\u00a0", Symbols: map[string]string{"EUR": "€"}}),
		message.WithSentences("fr-CA", map[string]string{"change.line-added": "ajouté au panier : {quantity} × {name}"}),
	)
	fr["change.promotion-gained"] = "changed after New" // the catalogue keeps its own copy
	gained := basket.Change{Kind: basket.ChangePromotionGained, PromotionName: "Remise fidélité", New: eur("5.00")}
	price := basket.Change{Kind: basket.ChangePrice, Name: "Comté", Old: eur("1234.50"), New: eur("26.50")}
	added := basket.Change{Kind: basket.ChangeLineAdded, Name: "Comté", Quantity: 2}
	fulfil := basket.Change{Kind: basket.ChangeFulfilment, Name: "Comté", NewModes: modes(channel.CarryOut, channel.Transfer)}

	assert.Equal(t, "Remise fidélité : vous économisez 5,00\u00a0€ {fidélité}", cat.Printer("fr-FR").Change(gained), "reworded, braces escaped")
	assert.Equal(t, "ajouté au panier : 2 × Comté", cat.Printer("fr-CA").Change(added), "fr-CA's own sentence")
	assert.Equal(t, "Remise fidélité : vous économisez 5,00\u00a0€ {fidélité}", cat.Printer("fr-CA").Change(gained), "fr-CA falls back to fr")
	assert.Equal(t, "Comté est à 26,50\u00a0€ ici (au lieu de 1\u202f234,50\u00a0€)", cat.Printer("fr_ca").Change(price), "fr_ca is fr-CA")
	assert.Equal(t, "Comté kostet hier 26,50\u00a0€ (vorher 1.234,50\u00a0€)", cat.Printer("de-AT").Change(price))
	assert.Equal(t, "added: 2 × Comté", cat.Printer("de").Change(added), "what German lacks is English")
	assert.Equal(t, "Comté: zum Mitnehmen + transfer", cat.Printer("de").Change(fulfil), "mode by mode")
	assert.Equal(t, []string{"de", "en", "fr", "fr-CA"}, cat.Locales())
	assert.Len(t, cat.Missing("de"), len(message.Keys())-2)
	assert.NotContains(t, cat.Missing("de"), "change.price-changed")
	assert.Equal(t, "Remise fidélité saves €5.00 here", cat.Printer("x-klingon").Change(gained), "a malformed locale is English")
}

// Keys are sorted and unique, and every placeholder a key offers is one a
// sentence can use.
func TestKeys(t *testing.T) {
	keys := message.Keys()
	for i := 1; i < len(keys); i++ {
		assert.Less(t, keys[i-1].Name, keys[i].Name)
	}
	all := map[string]string{}
	for _, k := range keys {
		s := "—"
		for _, p := range k.Placeholders {
			s += "{" + p + "}"
		}
		all[k.Name] = s
	}
	_, err := message.New(message.WithSentences("xx", all))
	require.NoError(t, err)
	assert.Contains(t, all, "promotion."+promotion.ReasonMinSubtotal.String())
}
