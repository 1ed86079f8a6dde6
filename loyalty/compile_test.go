package loyalty_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

func TestCompileRefusesInvalidPrograms(t *testing.T) {
	base := loyalty.Rule{ID: "base", Kind: loyalty.Base, Points: 1, Per: eur("1.00")}
	rule := func(f func(*loyalty.Rule)) loyalty.Program {
		r := base
		f(&r)
		return loyalty.Program{Rules: []loyalty.Rule{r}}
	}
	burn := func(f func(*loyalty.BurnPolicy)) loyalty.Program {
		p := program()
		f(&p.Burn)
		return p
	}
	tests := []struct {
		name   string
		p      loyalty.Program
		ruleID string
		field  string
	}{
		{"empty ID", rule(func(r *loyalty.Rule) { r.ID = "" }), "", "ID"},
		{"duplicate ID", loyalty.Program{Rules: []loyalty.Rule{base, base}}, "base", "ID"},
		{"no kind", rule(func(r *loyalty.Rule) { r.Kind = 0 }), "base", "Kind"},
		{"base without points", rule(func(r *loyalty.Rule) { r.Points = 0 }), "base", "Points"},
		{"base without amount", rule(func(r *loyalty.Rule) { r.Per = pricing.Money{} }), "base", "Per"},
		{"base per zero", rule(func(r *loyalty.Rule) { r.Per = eur("0.00") }), "base", "Per"},
		{"base with a factor", rule(func(r *loyalty.Rule) { r.Factor = pricing.MustRate("2") }), "base", "Factor"},
		{"per-unit with an amount", rule(func(r *loyalty.Rule) { r.Kind = loyalty.PerUnit }), "base", "Per"},
		{"per-unit negative", rule(func(r *loyalty.Rule) { r.Kind, r.Per, r.Points = loyalty.PerUnit, pricing.Money{}, -1 }), "base", "Points"},
		{"multiplier of 1", rule(func(r *loyalty.Rule) {
			r.Kind, r.Per, r.Points, r.Factor = loyalty.Multiplier, pricing.Money{}, 0, pricing.MustRate("1")
		}), "base", "Factor"},
		{"multiplier with points", rule(func(r *loyalty.Rule) {
			r.Kind, r.Per, r.Factor = loyalty.Multiplier, pricing.Money{}, pricing.MustRate("2")
		}), "base", "Points"},
		{"empty SKU", rule(func(r *loyalty.Rule) { r.Target.SKUs = []string{"a", ""} }), "base", "Target.SKUs"},
		{"empty category", rule(func(r *loyalty.Rule) { r.Target.Categories = []string{""} }), "base", "Target.Categories"},
		{"empty channel", rule(func(r *loyalty.Rule) { r.Channels = []string{""} }), "base", "Channels[0]"},
		{"unknown channel kind", rule(func(r *loyalty.Rule) { r.Kinds = []channel.Kind{9} }), "base", "Kinds[0]"},
		{"window backwards", rule(func(r *loyalty.Rule) { r.StartsAt, r.EndsAt = now, now }), "base", "EndsAt"},
		{"empty excluded SKU", loyalty.Program{Exclude: loyalty.Target{SKUs: []string{""}}}, "", "Exclude.SKUs"},
		{"tier without ID", loyalty.Program{Tiers: []loyalty.Tier{{Multiplier: pricing.MustRate("2")}}}, "", "Tiers[0].ID"},
		{"duplicate tier", loyalty.Program{Tiers: []loyalty.Tier{
			{ID: "2", Multiplier: pricing.MustRate("2")}, {ID: "2", Multiplier: pricing.MustRate("3")},
		}}, "", "Tiers[1].ID"},
		{"tier ×0", loyalty.Program{Tiers: []loyalty.Tier{{ID: "2"}}}, "", "Tiers[0].Multiplier"},
		{"burn without mode", burn(func(b *loyalty.BurnPolicy) { b.Mode = 0 }), "", "Burn.Mode"},
		{"burn without rates", burn(func(b *loyalty.BurnPolicy) { b.Rates = nil }), "", "Burn.Rates"},
		{"burn minimum negative", burn(func(b *loyalty.BurnPolicy) { b.MinPoints = -1 }), "", "Burn.MinPoints"},
		{"burn share above 1", burn(func(b *loyalty.BurnPolicy) { b.MaxShare = pricing.MustRate("1.01") }), "", "Burn.MaxShare"},
		{"burn step negative", burn(func(b *loyalty.BurnPolicy) { b.Step = -100 }), "", "Burn.Step"},
		{"rate without points", burn(func(b *loyalty.BurnPolicy) { b.Rates[0].Points = 0 }), "", "Burn.Rates[0].Points"},
		{"rate worth nothing", burn(func(b *loyalty.BurnPolicy) { b.Rates[0].Value = eur("0.00") }), "", "Burn.Rates[0].Value"},
		{"two rates for a currency", burn(func(b *loyalty.BurnPolicy) {
			b.Rates = append(b.Rates, loyalty.Conversion{Points: 50, Value: eur("1.00")})
		}), "", "Burn.Rates[1].Value"},
		{"step and rate beyond range", burn(func(b *loyalty.BurnPolicy) {
			b.Step = 1<<62 + 1
			b.Rates[0] = loyalty.Conversion{Points: 1<<62 - 1, Value: eur("0.01")}
		}), "", "Burn.Rates[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loyalty.Compile(tt.p)
			assert.Nil(t, s)
			require.ErrorIs(t, err, loyalty.ErrInvalid)
			var ve *loyalty.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.ruleID, ve.RuleID)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestCompileReportsEveryProblem(t *testing.T) {
	_, err := loyalty.Compile(loyalty.Program{
		Rules: []loyalty.Rule{{ID: "b", Kind: loyalty.Base}, {ID: "a", Kind: loyalty.PerUnit}},
		Tiers: []loyalty.Tier{{ID: "gold"}},
	})
	var joined interface{ Unwrap() []error }
	require.ErrorAs(t, err, &joined)
	var fields []string
	for _, e := range joined.Unwrap() {
		var ve *loyalty.ValidationError
		require.True(t, errors.As(e, &ve))
		fields = append(fields, ve.RuleID+":"+ve.Field)
	}
	assert.Equal(t, []string{"a:Points", "b:Points", "b:Per", ":Tiers[0].Multiplier"}, fields)
}

// Compile copies: changing the programme afterwards changes nothing, and
// Program returns the normalised copy.
func TestCompileCopies(t *testing.T) {
	p := program()
	p.Rules[1].Target.Categories = []string{"cheese", "cheese", "butter"}
	s := mustCompile(p)
	before, err := s.Earn(visit1(), "2", storeCtx("EUR"))
	require.NoError(t, err)
	p.Rules[1].Target.Categories[0] = "wine"
	p.Tiers[1].Multiplier = pricing.MustRate("10")
	p.Burn.Rates[0].Points = 1
	after, err := s.Earn(visit1(), "2", storeCtx("EUR"))
	require.NoError(t, err)
	assert.Equal(t, before, after)
	got := s.Program()
	assert.Equal(t, []string{"butter", "cheese"}, got.Rules[1].Target.Categories)
	assert.Equal(t, int64(100), got.Burn.Rates[0].Points)
	got.Rules[0].ID = "changed"
	assert.Equal(t, "base", s.Program().Rules[0].ID)
}
