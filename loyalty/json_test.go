package loyalty_test

import (
	"encoding"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/loyalty"
)

// What a Result would carry: snake_case, money as objects, enums by name.
// 31.5 + 31.5 points: the leftover unit goes to the earlier rule.
func TestEarningAndBurnJSON(t *testing.T) {
	s := mustCompile(program())
	e, err := s.Earn(visit1()[:1], "2", storeCtx("EUR"))
	require.NoError(t, err)
	got, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"points": 63, "tier": "2", "multiplier": "1.5",
		"amount": {"amount": "21.00", "currency": "EUR"},
		"explanations": [
			{"rule_id": "base", "name": "1 point per euro", "kind": "base", "status": "earned", "reason": "none", "points": 32,
			 "amount": {"amount": "21.00", "currency": "EUR"}, "quantity": 2, "line_ids": ["l1"]},
			{"rule_id": "cheese-x2", "name": "double points on cheese", "kind": "multiplier", "status": "earned", "reason": "none", "points": 31,
			 "amount": {"amount": "21.00", "currency": "EUR"}, "quantity": 2, "line_ids": ["l1"], "factor": "2"}
		]}`, string(got))

	b, err := s.Burn(loyalty.BurnRequest{Balance: 1157, Requested: 730, Due: eur("42.10")})
	require.NoError(t, err)
	got, err = json.Marshal(b)
	require.NoError(t, err)
	assert.JSONEq(t, `{"mode": "tender", "points": 700, "value": {"amount": "7.00", "currency": "EUR"},
		"rate": {"points": 100, "value": {"amount": "1.00", "currency": "EUR"}}, "limit": "step"}`, string(got))
}

func TestEnumsByName(t *testing.T) {
	type enum interface {
		encoding.TextMarshaler
		String() string
	}
	for _, tt := range []struct {
		v    enum
		back encoding.TextUnmarshaler
	}{
		{loyalty.Multiplier, new(loyalty.RuleKind)},
		{loyalty.Discount, new(loyalty.BurnMode)},
		{loyalty.NotApplicable, new(loyalty.Status)},
		{loyalty.ReasonExpired, new(loyalty.Reason)},
		{loyalty.LimitMaxShare, new(loyalty.Limit)},
		{loyalty.Committed, new(loyalty.State)},
	} {
		text, err := tt.v.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, tt.v.String(), string(text))
		require.NoError(t, tt.back.UnmarshalText(text))
		assert.Equal(t, tt.v.String(), tt.back.(interface{ String() string }).String())
		assert.ErrorIs(t, tt.back.UnmarshalText([]byte("bogus")), loyalty.ErrInvalid)
	}
	_, err := loyalty.RuleKind(0).MarshalText()
	assert.ErrorIs(t, err, loyalty.ErrInvalid)
	_, err = loyalty.BurnMode(7).MarshalText()
	assert.ErrorIs(t, err, loyalty.ErrInvalid)
}

func TestDecodeProgramIsStrict(t *testing.T) {
	for name, in := range map[string]string{
		"unknown field":    `{"rules": [], "points_per_euro": 1}`,
		"trailing data":    `{"rules": []} {"rules": []}`,
		"float points":     `{"rules": [{"id": "b", "kind": "base", "points": 1.5}]}`,
		"number as money":  `{"rules": [{"id": "b", "kind": "base", "points": 1, "per": 1.0}]}`,
		"float factor":     `{"rules": [{"id": "m", "kind": "multiplier", "factor": 1.5}]}`,
		"unknown kind":     `{"rules": [{"id": "b", "kind": "bonus"}]}`,
		"unknown currency": `{"rules": [{"id": "b", "kind": "base", "points": 1, "per": {"amount": "1.00", "currency": "XXX"}}]}`,
		"not an object":    `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loyalty.DecodeProgram([]byte(in))
			var ie *loyalty.InputError
			require.ErrorAs(t, err, &ie)
			assert.ErrorIs(t, err, loyalty.ErrInvalid)
		})
	}
	big := make([]byte, loyalty.MaxProgramJSON+1)
	_, err := loyalty.DecodeProgram(big)
	assert.ErrorIs(t, err, loyalty.ErrInvalid)
}
