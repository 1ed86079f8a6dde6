package loyalty_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

func TestBurnCases(t *testing.T) {
	policy := func(f func(*loyalty.BurnPolicy)) loyalty.Program {
		p := program()
		f(&p.Burn)
		return p
	}
	noMin := policy(func(b *loyalty.BurnPolicy) { b.MinPoints = 0 })
	tests := []struct {
		name     string
		program  loyalty.Program
		req      loyalty.BurnRequest
		points   int64
		value    string // in the currency of Due
		limit    loyalty.Limit
		discount bool
	}{
		// The case: at the next visit the tier-2 account (1000 +
		// 157 points) burns 500 points = 5.00 EUR against 42.10 EUR due.
		{name: "500 points pay 5.00 EUR", program: program(),
			req: loyalty.BurnRequest{Balance: 1157, Requested: 500, Due: eur("42.10")}, points: 500, value: "5.00"},
		{name: "whole steps: 730 asked burns 700", program: program(),
			req: loyalty.BurnRequest{Balance: 1157, Requested: 730, Due: eur("42.10")}, points: 700, value: "7.00", limit: loyalty.LimitStep},
		{name: "never more than the balance", program: program(),
			req: loyalty.BurnRequest{Balance: 657, Requested: 1000, Due: eur("42.10")}, points: 600, value: "6.00", limit: loyalty.LimitBalance},
		{name: "below the minimum burns none", program: program(),
			req: loyalty.BurnRequest{Balance: 499, Requested: 500, Due: eur("42.10")}, points: 0, value: "0.00", limit: loyalty.LimitMinimum},
		{name: "an empty balance burns none", program: program(),
			req: loyalty.BurnRequest{Balance: 0, Requested: 500, Due: eur("42.10")}, points: 0, value: "0.00", limit: loyalty.LimitBalance},
		{name: "never more than the amount due", program: noMin,
			req: loyalty.BurnRequest{Balance: 5000, Requested: 5000, Due: eur("3.49")}, points: 300, value: "3.00", limit: loyalty.LimitDue},
		{name: "nothing requested, nothing burnt", program: program(),
			req: loyalty.BurnRequest{Balance: 5000, Due: eur("42.10")}, points: 0, value: "0.00"},
		{name: "nothing due, nothing burnt", program: noMin,
			req: loyalty.BurnRequest{Balance: 5000, Requested: 500, Due: eur("0.00")}, points: 0, value: "0.00", limit: loyalty.LimitDue},
		{name: "at most half the amount due, rounded down", program: policy(func(b *loyalty.BurnPolicy) {
			b.MinPoints, b.Step, b.MaxShare = 0, 0, pricing.MustRate("0.5")
		}), req: loyalty.BurnRequest{Balance: 5000, Requested: 5000, Due: eur("8.01")}, points: 400, value: "4.00", limit: loyalty.LimitMaxShare},
		{name: "a share of 1 is no cap beyond the due", program: policy(func(b *loyalty.BurnPolicy) {
			b.MinPoints, b.Step, b.MaxShare = 0, 0, pricing.MustRate("1")
		}), req: loyalty.BurnRequest{Balance: 5000, Requested: 5000, Due: eur("8.01")}, points: 801, value: "8.01", limit: loyalty.LimitDue},
		{name: "the balance wins a tie with the due", program: noMin,
			req: loyalty.BurnRequest{Balance: 400, Requested: 500, Due: eur("4.00")}, points: 400, value: "4.00", limit: loyalty.LimitBalance},
		{name: "3 points = 0.01 EUR burn in threes", program: loyalty.Program{Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, Rates: []loyalty.Conversion{{Points: 3, Value: eur("0.01")}},
		}}, req: loyalty.BurnRequest{Balance: 1000, Requested: 10, Due: eur("50.00")}, points: 9, value: "0.03", limit: loyalty.LimitStep},
		{name: "steps of 250 at 3 points a cent burn in 750s", program: loyalty.Program{Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, Step: 250, Rates: []loyalty.Conversion{{Points: 3, Value: eur("0.01")}},
		}}, req: loyalty.BurnRequest{Balance: 2000, Requested: 2000, Due: eur("50.00")}, points: 1500, value: "5.00", limit: loyalty.LimitStep},
		{name: "yen: 1 point = 1 JPY", program: loyalty.Program{Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, Rates: []loyalty.Conversion{{Points: 1, Value: pricing.MustParse("1", "JPY")}},
		}}, req: loyalty.BurnRequest{Balance: 800, Requested: 300, Due: pricing.MustParse("1250", "JPY")}, points: 300, value: "300"},
		{name: "dinar: 1000 points = 1.000 KWD", program: loyalty.Program{Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, Rates: []loyalty.Conversion{
				{Points: 1000, Value: pricing.MustParse("1.000", "KWD")}, {Points: 100, Value: eur("1.00")},
			},
		}}, req: loyalty.BurnRequest{Balance: 5000, Requested: 2500, Due: pricing.MustParse("12.345", "KWD")}, points: 2500, value: "2.500"},
		{name: "as a discount", program: policy(func(b *loyalty.BurnPolicy) { b.Mode = loyalty.Discount }),
			req: loyalty.BurnRequest{Balance: 1157, Requested: 500, Due: eur("84.30")}, points: 500, value: "5.00", discount: true},
		{name: "huge figures stay exact", program: loyalty.Program{Burn: loyalty.BurnPolicy{
			Mode: loyalty.Tender, Rates: []loyalty.Conversion{{Points: 1 << 40, Value: eur("0.01")}},
		}}, req: loyalty.BurnRequest{Balance: 1<<63 - 1, Requested: 1<<63 - 1, Due: eur("90000000000000000.00")},
			points: 8388607 << 40, value: "83886.07", limit: loyalty.LimitStep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := loyalty.Compile(tt.program)
			require.NoError(t, err)
			got, err := s.Burn(tt.req)
			require.NoError(t, err)
			assert.Equal(t, tt.points, got.Points)
			assert.Equal(t, pricing.MustParse(tt.value, tt.req.Due.Currency().Code()), got.Value)
			assert.Equal(t, tt.limit, got.Limit)
			mode := loyalty.Tender
			if tt.discount {
				mode = loyalty.Discount
			}
			assert.Equal(t, mode, got.Mode)
			assert.Equal(t, tt.req.Due.Currency(), got.Rate.Value.Currency())
		})
	}
}

func TestBurnRefusals(t *testing.T) {
	s := mustCompile(program())
	for _, req := range []loyalty.BurnRequest{
		{Balance: -1, Requested: 500, Due: eur("10.00")},
		{Balance: 1000, Requested: -500, Due: eur("10.00")},
		{Balance: 1000, Requested: 500, Due: eur("-10.00")},
		{Balance: 1000, Requested: 500},
	} {
		_, err := s.Burn(req)
		var ie *loyalty.InputError
		assert.ErrorAs(t, err, &ie, "%+v", req)
		assert.ErrorIs(t, err, loyalty.ErrInvalid, "%+v", req)
	}
	_, err := s.Burn(loyalty.BurnRequest{Balance: 1000, Requested: 500, Due: pricing.MustParse("10.00", "CHF")})
	assert.ErrorIs(t, err, loyalty.ErrNotBurnable)
	assert.NotErrorIs(t, err, loyalty.ErrInvalid)
	none := mustCompile(loyalty.Program{Rules: program().Rules})
	_, err = none.Burn(loyalty.BurnRequest{Balance: 1000, Requested: 500, Due: eur("10.00")})
	assert.ErrorIs(t, err, loyalty.ErrNotBurnable)
}
