package promotion

import (
	"errors"
	"math/big"
	"testing"

	"github.com/omnibasket/omnibasket/pricing"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func precise(id, sku string, qty int64, unit string, per int64, cats ...string) Line {
	p := pricing.MustParseUnitPrice(unit, "EUR")
	if per > 1 {
		var err error
		if p, err = p.WithPer(per); err != nil {
			panic(err)
		}
	}
	return Line{ID: id, SKU: sku, Categories: cats, Quantity: qty, Precise: p}
}

// TestPreciseLines: a line priced more precisely than the currency enters
// as its subtotal rounded once, and every effect works on that subtotal;
// effects on units value them at the line's share, never below zero.
func TestPreciseLines(t *testing.T) {
	tests := []struct {
		name   string
		promos []Promotion
		lines  []Line
		sub    map[string]string // line ID → subtotal
		want   map[string]string // line ID → total
	}{
		{
			name:  "3 screws at 0.0125: 0.0375 rounded once to 0.04",
			lines: []Line{precise("a", "screw", 3, "0.0125", 1)},
			sub:   map[string]string{"a": "0.04"}, want: map[string]string{"a": "0.04"},
		},
		{
			name:  "10,000 screws at 0.0125 and at 12.50 per 1,000",
			lines: []Line{precise("a", "screw", 10_000, "0.0125", 1), precise("b", "bolt", 10_000, "12.50", 1000)},
			sub:   map[string]string{"a": "125.00", "b": "125.00"}, want: map[string]string{"a": "125.00", "b": "125.00"},
		},
		{
			name: "percent off the once-rounded subtotal",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 10_000, "0.0125", 1), precise("b", "screw", 3, "0.0125", 1)},
			// 12.50 off 125.00; 10 % of 0.04 = 0.004 → 0.00.
			sub: map[string]string{"a": "125.00", "b": "0.04"}, want: map[string]string{"a": "112.50", "b": "0.04"},
		},
		{
			name: "basket amount off allocated over precise and ordinary lines",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}}},
			lines: []Line{precise("a", "screw", 10_000, "0.0125", 1), ln("b", "drill", 1, "75.00")},
			// 5.00 over 125.00 and 75.00: 3.125 → 3.13 and 1.875 → 1.87 (largest remainder, ties by ID).
			sub: map[string]string{"a": "125.00", "b": "75.00"}, want: map[string]string{"a": "121.87", "b": "73.13"},
		},
		{
			name: "fixed unit price on precise units",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: FixedPrice, Amount: eur("0.01"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 10_000, "0.0125", 1)},
			sub:   map[string]string{"a": "125.00"}, want: map[string]string{"a": "100.00"},
		},
		{
			name: "fixed unit price above a precise price changes nothing",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: FixedPrice, Amount: eur("0.02"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 3, "0.0125", 1)},
			sub:   map[string]string{"a": "0.04"}, want: map[string]string{"a": "0.04"},
		},
		{
			name: "amount off per unit capped at the line",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: AmountOff, Amount: eur("0.02"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 3, "0.0125", 1)},
			sub:   map[string]string{"a": "0.04"}, want: map[string]string{"a": "0.00"},
		},
		{
			name: "buy 2 get 1: the free screw is worth the line's share, 0.04 / 3 → 0.01",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 3, "0.0125", 1)},
			sub:   map[string]string{"a": "0.04"}, want: map[string]string{"a": "0.03"},
		},
		{
			name: "buy 1 get 1 on 10,000 screws per 1,000: half the line",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 1, Get: 1, Percent: pct("100"), Target: skus("screw")}}},
			lines: []Line{precise("a", "screw", 10_000, "12.50", 1000)},
			sub:   map[string]string{"a": "125.00"}, want: map[string]string{"a": "62.50"},
		},
		{
			name: "buy 2 get 1, cheapest free: the cheaper precise line gives its unit",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: cats("fix"), Pick: Cheapest}}},
			lines: []Line{precise("a", "screw", 1, "0.0125", 1, "fix"), precise("b", "bolt", 2, "0.0124", 1, "fix")},
			// a: 0.01 (0.0125 rounded), b: 0.0248 → 0.02; b's units are
			// worth 0.01 each (0.02 / 2), a's 0.01: a tie on running unit
			// value, broken by line ID (a first).
			sub: map[string]string{"a": "0.01", "b": "0.02"}, want: map[string]string{"a": "0.00", "b": "0.02"},
		},
		{
			name: "bundle of 100 screws and a bolt for 2.00",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BundlePrice, Amount: eur("2.00"), Components: []Component{{Target: skus("screw"), Quantity: 100}, {Target: skus("bolt"), Quantity: 1}}}}},
			lines: []Line{precise("a", "screw", 100, "0.0125", 1), ln("b", "bolt", 1, "1.50")},
			// Worth 1.25 + 1.50 = 2.75: 0.75 off, allocated 1.25 : 1.50 → 0.34 and 0.41.
			sub: map[string]string{"a": "1.25", "b": "1.50"}, want: map[string]string{"a": "0.91", "b": "1.09"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := mustEval(t, mustCompile(t, tt.promos...), tt.lines, nil, storeCtx(), Wallet{})
			for _, l := range ev.Lines {
				if got := l.Subtotal.Amount(); got != tt.sub[l.LineID] {
					t.Errorf("line %s subtotal %s, want %s", l.LineID, got, tt.sub[l.LineID])
				}
			}
			if got := totals(ev); !equalMaps(got, tt.want) {
				t.Errorf("totals %v, want %v", got, tt.want)
			}
		})
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPreciseRoundingOption: the subtotal is rounded with the options'
// mode: 2 screws at 0.0125 are 0.025, a tie.
func TestPreciseRoundingOption(t *testing.T) {
	lines := []Line{precise("a", "screw", 2, "0.0125", 1)}
	for mode, want := range map[pricing.RoundingMode]string{pricing.HalfEven: "0.02", pricing.HalfUp: "0.03", pricing.Down: "0.02", pricing.Up: "0.03"} {
		ev, err := mustCompile(t).EvaluateWith(lines, nil, storeCtx(), Wallet{}, Options{Rounding: mode})
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.Lines[0].Subtotal.Amount(); got != want {
			t.Errorf("%s: %s, want %s", mode, got, want)
		}
	}
}

func TestPreciseLineInputErrors(t *testing.T) {
	both := precise("a", "screw", 1, "0.0125", 1)
	both.UnitPrice = eur("0.01")
	usd := Line{ID: "a", SKU: "screw", Quantity: 1, Precise: pricing.MustParseUnitPrice("0.0125", "USD")}
	huge := precise("a", "screw", 1<<62, "1000.0125", 1)
	tests := []struct {
		name  string
		lines []Line
		opt   Options
		field string
		err   error
	}{
		{"both prices", []Line{both}, Options{}, "lines[0].Precise", nil},
		{"negative", []Line{precise("a", "screw", 1, "-0.0125", 1)}, Options{}, "lines[0].Precise", nil},
		{"other currency", []Line{usd}, Options{}, "lines[0].Precise", pricing.ErrCurrencyMismatch},
		{"overflow", []Line{huge}, Options{}, "lines[0].Quantity", pricing.ErrOverflow},
		{"unknown rounding", []Line{precise("a", "screw", 1, "0.0125", 1)}, Options{Rounding: 42}, "opt.Rounding", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mustCompile(t).EvaluateWith(tt.lines, nil, storeCtx(), Wallet{}, tt.opt)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("error %v, want an InputError on %s", err, tt.field)
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Fatalf("error %v does not match %v", err, tt.err)
			}
		})
	}
}

// drawPreciseLines draws lines priced at unit prices of up to six
// decimals, sometimes per a quantity, sometimes ordinary.
func drawPreciseLines(t *rapid.T) []Line {
	lines := drawLines(t)
	for i := range lines {
		switch rapid.IntRange(0, 2).Draw(t, "priceKind") {
		case 0: // ordinary, as UnitPrice
		default:
			u, err := pricing.UnitPriceFromDecimal(decimal.New(rapid.Int64Range(0, 50_000_000).Draw(t, "micros"), -6), pricing.MustCurrency("EUR"))
			if err != nil {
				t.Fatal(err)
			}
			if rapid.Bool().Draw(t, "perQty") {
				if u, err = u.WithPer(rapid.SampledFrom([]int64{10, 100, 1000}).Draw(t, "per")); err != nil {
					t.Fatal(err)
				}
			}
			lines[i].UnitPrice, lines[i].Precise = pricing.Money{}, u
			lines[i].Quantity = rapid.SampledFrom([]int64{1, 2, 3, 7, 1000, 10_000}).Draw(t, "qty")
		}
	}
	return lines
}

// TestPropertyPreciseLines: with precise prices, every line's subtotal is
// the exact product rounded once (math/big oracle), the money invariants
// hold (no negative amount, Σ lines = totals, Σ allocated = discount), and
// the result does not depend on the order of lines or promotions. A
// precise price that a Money holds exactly evaluates as that Money would.
func TestPropertyPreciseLines(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		promos, lines, ctx := drawPromotions(t), drawPreciseLines(t), drawCtx(t)
		mode := rapid.SampledFrom([]pricing.RoundingMode{pricing.HalfEven, pricing.HalfUp, pricing.HalfDown, pricing.Up, pricing.Down, pricing.Ceiling, pricing.Floor}).Draw(t, "mode")
		s := compileT(t, promos, true)
		eval := func(s *Set, lines []Line) Evaluation {
			ev, err := s.EvaluateWith(lines, nil, ctx, Wallet{}, Options{Rounding: mode})
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			checkInvariants(t, ev)
			return ev
		}
		ev := eval(s, lines)
		for _, l := range lines {
			var want *big.Int
			if p := l.Precise; p.Currency().IsZero() {
				want = big.NewInt(l.UnitPrice.MinorUnits() * l.Quantity)
			} else {
				exact := new(big.Rat).SetFrac(p.Decimal().Coefficient(), big.NewInt(1))
				exact.Mul(exact, new(big.Rat).SetFrac(big.NewInt(l.Quantity*100), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-p.Decimal().Exponent())), nil)))
				exact.Quo(exact, new(big.Rat).SetInt64(p.Per()))
				want = roundRat(exact, mode)
			}
			for _, r := range ev.Lines {
				if r.LineID == l.ID && r.Subtotal.MinorUnits() != want.Int64() {
					t.Fatalf("line %s (%v × %d, %s): subtotal %s, want %s cents", l.ID, l.Precise, l.Quantity, mode, r.Subtotal, want)
				}
			}
		}
		want := mustJSON(t, ev)
		if got := mustJSON(t, eval(compileT(t, shuffled(t, promos, "promoOrder"), true), shuffled(t, lines, "lineOrder"))); got != want {
			t.Fatalf("order changed the result:\n%s\n%s", want, got)
		}
		asMoney := make([]Line, len(lines))
		exactOnly := true
		for i, l := range lines {
			asMoney[i] = l
			if l.Precise.Currency().IsZero() {
				continue
			}
			m, ok := l.Precise.Exact()
			exactOnly = exactOnly && ok
			asMoney[i].UnitPrice, asMoney[i].Precise = m, pricing.UnitPrice{}
		}
		if exactOnly {
			if got := mustJSON(t, eval(s, asMoney)); got != want {
				t.Fatalf("an exact precise price evaluates differently from its Money:\n%s\n%s", want, got)
			}
		}
	})
}

// roundRat rounds a non-negative rational to an integer with mode, from
// the definitions of the modes.
func roundRat(x *big.Rat, mode pricing.RoundingMode) *big.Int {
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if r.Sign() == 0 {
		return q
	}
	twice := new(big.Int).Lsh(r, 1)
	c := twice.Cmp(x.Denom()) // -1 below half, 0 half, +1 above
	up := false
	switch mode {
	case pricing.HalfEven:
		up = c > 0 || c == 0 && q.Bit(0) == 1
	case pricing.HalfUp:
		up = c >= 0
	case pricing.HalfDown:
		up = c > 0
	case pricing.Up, pricing.Ceiling:
		up = true
	case pricing.Down, pricing.Floor:
		up = false
	}
	if up {
		q.Add(q, big.NewInt(1))
	}
	return q
}
