package loyalty_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

// pts is an explanation's rule ID, status, reason and points, for tables.
type pts struct {
	rule   string
	status loyalty.Status
	reason loyalty.Reason
	points int64
}

func summary(e loyalty.Earning) []pts {
	out := []pts{}
	for _, x := range e.Explanations {
		out = append(out, pts{x.RuleID, x.Status, x.Reason, x.Points})
	}
	return out
}

func TestEarnCases(t *testing.T) {
	withRules := func(extra ...loyalty.Rule) loyalty.Program {
		p := program()
		p.Rules = append(p.Rules, extra...)
		return p
	}
	tests := []struct {
		name    string
		program loyalty.Program
		lines   []loyalty.Line
		tier    string
		ctx     channel.Context
		want    int64
		explain []pts
	}{
		{
			// The case: (84.30 + 21.00 of double points) × 1.5 =
			// 157.95, rounded down once: 157. Base 126.45 → 126, cheese
			// 31.5 → 31.
			name: "tier 2 with a double-points cheese line", program: program(), lines: visit1(), tier: "2", ctx: storeCtx("EUR"),
			want:    157,
			explain: []pts{{"base", loyalty.Earned, 0, 126}, {"cheese-x2", loyalty.Earned, 0, 31}},
		},
		{
			name: "no tier earns ×1: 105.30 → 105", program: program(), lines: visit1(), ctx: storeCtx("EUR"),
			want:    105,
			explain: []pts{{"base", loyalty.Earned, 0, 84}, {"cheese-x2", loyalty.Earned, 0, 21}},
		},
		{
			name: "a tier the programme does not list earns ×1", program: program(), lines: visit1(), tier: "platinum", ctx: storeCtx("EUR"),
			want:    105,
			explain: []pts{{"base", loyalty.Earned, 0, 84}, {"cheese-x2", loyalty.Earned, 0, 21}},
		},
		{
			name: "rounded once per basket, not per line: 0.50 + 0.50 earns 1", program: program(), ctx: storeCtx("EUR"),
			lines: []loyalty.Line{
				{ID: "a", SKU: "mint", Quantity: 1, Amount: eur("0.50")},
				{ID: "b", SKU: "gum", Quantity: 1, Amount: eur("0.50")},
			},
			want:    1,
			explain: []pts{{"base", loyalty.Earned, 0, 1}},
		},
		{
			name: "a gift card earns nothing, whatever the rules", ctx: storeCtx("EUR"), tier: "2",
			program: withRules(loyalty.Rule{ID: "per-item", Kind: loyalty.PerUnit, Points: 5}),
			lines: []loyalty.Line{
				{ID: "a", SKU: "gift-50", Categories: []string{"gift-card", "cheese"}, Quantity: 1, Amount: eur("50.00")},
				{ID: "b", SKU: "brie", Categories: []string{"cheese"}, Quantity: 1, Amount: eur("10.00")},
			},
			// (10 base + 10 cheese + 5 per item) × 1.5 = 37.5.
			want: 37,
			explain: []pts{
				{"base", loyalty.Earned, 0, 15}, {"per-item", loyalty.Earned, 0, 7}, {"cheese-x2", loyalty.Earned, 0, 15},
			},
		},
		{
			name: "per-unit bonus counts units, not lines", ctx: storeCtx("EUR"),
			program: withRules(loyalty.Rule{ID: "coffee-pods", Kind: loyalty.PerUnit, Points: 3, Target: loyalty.Target{SKUs: []string{"pods-10"}}}),
			lines:   []loyalty.Line{{ID: "a", SKU: "pods-10", Quantity: 7, Amount: eur("24.50")}},
			want:    45, // 24.5 + 21
			explain: []pts{{"base", loyalty.Earned, 0, 24}, {"coffee-pods", loyalty.Earned, 0, 21}},
		},
		{
			name: "the leftover unit goes to the largest fraction, ties to the earlier rule", ctx: storeCtx("EUR"),
			program: loyalty.Program{Rules: []loyalty.Rule{
				{ID: "a-base", Kind: loyalty.Base, Points: 1, Per: eur("1.00")},
				{ID: "b-base", Kind: loyalty.Base, Points: 1, Per: eur("1.00"), Target: loyalty.Target{SKUs: []string{"tea"}}},
			}},
			lines: []loyalty.Line{
				{ID: "1", SKU: "cake", Quantity: 1, Amount: eur("7.00")},
				{ID: "2", SKU: "tea", Quantity: 1, Amount: eur("3.50")},
			},
			want:    14, // 10.5 + 3.5
			explain: []pts{{"a-base", loyalty.Earned, 0, 11}, {"b-base", loyalty.Earned, 0, 3}},
		},
		{
			name: "a store-only bonus is listed but does not earn on the web", ctx: webCtx(),
			program: withRules(loyalty.Rule{ID: "store-week", Kind: loyalty.Multiplier, Factor: pricing.MustRate("3"), Kinds: []channel.Kind{channel.Store}}),
			lines:   []loyalty.Line{{ID: "a", SKU: "wine", Quantity: 1, Amount: eur("20.00")}},
			want:    20,
			explain: []pts{{"base", loyalty.Earned, 0, 20}, {"store-week", loyalty.NotApplicable, loyalty.ReasonWrongChannel, 0}},
		},
		{
			name: "validity window judged against the context's as-of time", ctx: storeCtx("EUR"),
			program: withRules(
				loyalty.Rule{ID: "ended", Kind: loyalty.PerUnit, Points: 100, EndsAt: now},
				loyalty.Rule{ID: "later", Kind: loyalty.PerUnit, Points: 100, StartsAt: now.Add(time.Nanosecond)},
				loyalty.Rule{ID: "today", Kind: loyalty.PerUnit, Points: 2, StartsAt: now, EndsAt: now.Add(24 * time.Hour)},
				loyalty.Rule{ID: "other-shop", Kind: loyalty.PerUnit, Points: 100, Channels: []string{"store-lyon-02"}},
			),
			lines: []loyalty.Line{{ID: "a", SKU: "wine", Quantity: 1, Amount: eur("20.00")}},
			want:  22,
			explain: []pts{
				{"base", loyalty.Earned, 0, 20},
				{"ended", loyalty.NotApplicable, loyalty.ReasonExpired, 0},
				{"later", loyalty.NotApplicable, loyalty.ReasonNotStarted, 0},
				{"other-shop", loyalty.NotApplicable, loyalty.ReasonWrongChannel, 0},
				{"today", loyalty.Earned, 0, 2},
			},
		},
		{
			name: "a base rule of another currency does not convert", ctx: storeCtx("CHF"),
			program: program(),
			lines:   []loyalty.Line{{ID: "a", SKU: "gruyere", Categories: []string{"cheese"}, Quantity: 1, Amount: pricing.MustParse("30.00", "CHF")}},
			want:    0,
			explain: []pts{{"base", loyalty.NotApplicable, loyalty.ReasonCurrency, 0}, {"cheese-x2", loyalty.Earned, 0, 0}},
		},
		{
			name: "yen have no decimals: 1 point per 100 JPY on 1,250 JPY", ctx: storeCtx("JPY"),
			program: loyalty.Program{Rules: []loyalty.Rule{{ID: "base", Kind: loyalty.Base, Points: 1, Per: pricing.MustParse("100", "JPY")}}},
			lines:   []loyalty.Line{{ID: "a", SKU: "matcha", Quantity: 1, Amount: pricing.MustParse("1250", "JPY")}},
			want:    12,
			explain: []pts{{"base", loyalty.Earned, 0, 12}},
		},
		{
			name: "no line: nothing earned, no rule listed", ctx: storeCtx("EUR"),
			program: program(), tier: "2",
			want: 0, explain: []pts{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loyalty.Compile(tt.program)
			require.NoError(t, err)
			got, err := s.Earn(tt.lines, tt.tier, tt.ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Points)
			assert.Equal(t, tt.explain, summary(got))
			var sum int64
			for _, x := range got.Explanations {
				sum += x.Points
			}
			assert.Equal(t, got.Points, sum, "explanations share the total exactly")
		})
	}
}

// The explanation carries what a message catalogue needs to render a
// sentence, without the programme.
func TestEarnExplanationData(t *testing.T) {
	got, err := mustCompile(program()).Earn(visit1(), "2", storeCtx("EUR"))
	require.NoError(t, err)
	assert.Equal(t, "2", got.Tier)
	assert.Equal(t, pricing.MustRate("1.5"), got.Multiplier)
	assert.Equal(t, eur("84.30"), got.Amount)
	assert.Equal(t, []loyalty.Explanation{
		{RuleID: "base", Name: "1 point per euro", Kind: loyalty.Base, Status: loyalty.Earned, Points: 126,
			Amount: eur("84.30"), Quantity: 7, LineIDs: []string{"l1", "l2", "l3"}},
		{RuleID: "cheese-x2", Name: "double points on cheese", Kind: loyalty.Multiplier, Status: loyalty.Earned, Points: 31,
			Amount: eur("21.00"), Quantity: 2, LineIDs: []string{"l1"}, Factor: pricing.MustRate("2")},
	}, got.Explanations)
}

func TestEarnRefusesBadInput(t *testing.T) {
	s := mustCompile(program())
	bad := storeCtx("EUR")
	bad.AsOf = time.Time{}
	tests := []struct {
		name  string
		lines []loyalty.Line
		ctx   channel.Context
		field string
		cause error
	}{
		{"invalid context", visit1(), bad, "ctx", channel.ErrInvalid},
		{"empty line ID", []loyalty.Line{{SKU: "a", Quantity: 1, Amount: eur("1.00")}}, storeCtx("EUR"), "lines.ID", nil},
		{"duplicate line ID", append(visit1(), loyalty.Line{ID: "l2", SKU: "x", Quantity: 1, Amount: eur("1.00")}), storeCtx("EUR"), "lines[l2].ID", nil},
		{"zero quantity", []loyalty.Line{{ID: "a", SKU: "a", Amount: eur("1.00")}}, storeCtx("EUR"), "lines[a].Quantity", nil},
		{"negative amount", []loyalty.Line{{ID: "a", SKU: "a", Quantity: 1, Amount: eur("-1.00")}}, storeCtx("EUR"), "lines[a].Amount", nil},
		{"another currency", []loyalty.Line{{ID: "a", SKU: "a", Quantity: 1, Amount: pricing.MustParse("1.00", "USD")}}, storeCtx("EUR"), "lines[a].Amount", pricing.ErrCurrencyMismatch},
		{"no amount", []loyalty.Line{{ID: "a", SKU: "a", Quantity: 1}}, storeCtx("EUR"), "lines[a].Amount", pricing.ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Earn(tt.lines, "2", tt.ctx)
			var ie *loyalty.InputError
			require.ErrorAs(t, err, &ie)
			assert.ErrorIs(t, err, loyalty.ErrInvalid)
			assert.Equal(t, tt.field, ie.Field)
			if tt.cause != nil {
				assert.ErrorIs(t, err, tt.cause)
			}
		})
	}
}

func TestEarnOverflowIsAnError(t *testing.T) {
	s := mustCompile(loyalty.Program{Rules: []loyalty.Rule{{ID: "huge", Kind: loyalty.PerUnit, Points: 1 << 62}}})
	_, err := s.Earn([]loyalty.Line{{ID: "a", SKU: "a", Quantity: 4, Amount: eur("1.00")}}, "", storeCtx("EUR"))
	assert.ErrorIs(t, err, pricing.ErrOverflow)
	assert.ErrorIs(t, err, loyalty.ErrInvalid)
	assert.False(t, errors.Is(err, loyalty.ErrNotFound))
}

// A nil scheme is a retailer without a programme: nothing earned, nothing
// burnt, input still checked.
func TestNilScheme(t *testing.T) {
	var s *loyalty.Scheme
	e, err := s.Earn(visit1(), "2", storeCtx("EUR"))
	require.NoError(t, err)
	assert.Equal(t, int64(0), e.Points)
	assert.Empty(t, e.Explanations)
	assert.Equal(t, eur("84.30"), e.Amount)
	_, err = s.Earn([]loyalty.Line{{ID: "a", Quantity: 0, Amount: eur("1.00")}}, "", storeCtx("EUR"))
	assert.ErrorIs(t, err, loyalty.ErrInvalid)
	_, err = s.Burn(loyalty.BurnRequest{Balance: 1000, Requested: 500, Due: eur("10.00")})
	assert.ErrorIs(t, err, loyalty.ErrNotBurnable)
	assert.Equal(t, loyalty.Program{}, s.Program())
}
