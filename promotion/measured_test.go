package promotion

import (
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/pricing"
	"pgregory.net/rapid"
)

// weighed is a measured line: q thousandths of a unit of measure at a
// price per unit of measure.
func weighed(id, sku string, q int64, perUnit string, cats ...string) Line {
	return Line{ID: id, SKU: sku, Categories: cats, Quantity: q, UnitPrice: eur(perUnit), Measured: true}
}

// TestMeasuredLines: the cheese at the deli counter, 0.347 kg at 24.90 per
// kg, under the effects that make sense on a measure, and the ones that
// count units, which leave it alone.
func TestMeasuredLines(t *testing.T) {
	cheese := weighed("a", "COMTE", 347, "24.90", "cheese")
	tests := []struct {
		name   string
		promos []Promotion
		lines  []Line
		sub    map[string]string
		want   map[string]string
		reason map[string]Reason // promotion ID → reason when not applied
	}{
		{
			name:  "0.347 kg at 24.90 is 8.6403, rounded once to 8.64",
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "8.64"},
		},
		{
			name:  "a precise price per kg: 0.347 kg at 24.905 is 8.642035 → 8.64",
			lines: []Line{{ID: "a", SKU: "COMTE", Quantity: 347, Precise: pricing.MustParseUnitPrice("24.905", "EUR"), Measured: true}},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "8.64"},
		},
		{
			name: "20 % off cheese: 1.728 → 1.73 off 8.64",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: PercentOff, Percent: pct("20"), Target: cats("cheese")}}},
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "6.91"},
		},
		{
			name: "2.00 off per kg: 0.694 → 0.69 off",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: AmountOff, Amount: eur("2.00"), Target: skus("COMTE")}}},
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "7.95"},
		},
		{
			name: "19.90 per kg: 6.9053 → 6.91, so 1.73 off",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: FixedPrice, Amount: eur("19.90"), Target: skus("COMTE")}}},
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "6.91"},
		},
		{
			name: "50.00 off per kg is capped at the line",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: AmountOff, Amount: eur("50.00"), Target: skus("COMTE")}}},
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "0.00"},
		},
		{
			name: "a fixed price per kg above the price changes nothing",
			promos: []Promotion{{ID: "p", Lane: Catalogue,
				Effect: Effect{Kind: FixedPrice, Amount: eur("30.00"), Target: skus("COMTE")}}},
			lines: []Line{cheese},
			sub:   map[string]string{"a": "8.64"}, want: map[string]string{"a": "8.64"},
			reason: map[string]Reason{"p": ReasonNoBenefit},
		},
		{
			name: "a basket amount off is allocated over the cheese and the wine",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}}},
			lines: []Line{cheese, ln("b", "WINE", 1, "11.36")},
			// 1.00 over 8.64 and 11.36 (20.00): 0.432 and 0.568 → 0.43, 0.57.
			sub: map[string]string{"a": "8.64", "b": "11.36"}, want: map[string]string{"a": "8.21", "b": "10.79"},
		},
		{
			name: "buy 2 get 1 on cheese reached by category counts the two counted cheeses only",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: cats("cheese")}}},
			// 347 thousandths are not 347 cheeses: 2 counted units do not make a group.
			lines: []Line{cheese, ln("b", "BRIE", 2, "7.50", "cheese")},
			sub:   map[string]string{"a": "8.64", "b": "15.00"}, want: map[string]string{"a": "8.64", "b": "15.00"},
			reason: map[string]Reason{"p": ReasonMinQuantity},
		},
		{
			name: "buy 1 get 1 on weighed cheese alone has no target",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BuyXGetY, Buy: 1, Get: 1, Percent: pct("100"), Target: cats("cheese")}}},
			lines: []Line{cheese, weighed("b", "BEAUFORT", 512, "29.90", "cheese")},
			sub:   map[string]string{"a": "8.64", "b": "15.31"}, want: map[string]string{"a": "8.64", "b": "15.31"},
			reason: map[string]Reason{"p": ReasonNoTarget},
		},
		{
			name: "a minimum of 2 units of cheese is not met by 0.347 kg and one brie",
			promos: []Promotion{{ID: "p", Lane: Basket, MinQuantity: 2, QuantityTarget: cats("cheese"),
				Effect: Effect{Kind: BasketPercentOff, Percent: pct("10"), Target: all()}}},
			lines: []Line{cheese, ln("b", "BRIE", 1, "7.50", "cheese")},
			sub:   map[string]string{"a": "8.64", "b": "7.50"}, want: map[string]string{"a": "8.64", "b": "7.50"},
			reason: map[string]Reason{"p": ReasonMinQuantity},
		},
		{
			name: "a bundle of a cheese and a wine leaves the weighed cheese out",
			promos: []Promotion{{ID: "p", Lane: Basket,
				Effect: Effect{Kind: BundlePrice, Amount: eur("10.00"), Components: []Component{{Target: cats("cheese"), Quantity: 1}, {Target: skus("WINE"), Quantity: 1}}}}},
			lines: []Line{cheese, ln("b", "WINE", 1, "11.36")},
			sub:   map[string]string{"a": "8.64", "b": "11.36"}, want: map[string]string{"a": "8.64", "b": "11.36"},
			reason: map[string]Reason{"p": ReasonMinQuantity},
		},
		{
			name: "10 % off cheese limited to 1 unit: the brie, not the weighed cheese",
			promos: []Promotion{{ID: "p", Lane: Catalogue, MaxApplications: 1,
				Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: cats("cheese")}}},
			lines: []Line{cheese, ln("b", "BRIE", 2, "7.50", "cheese")},
			sub:   map[string]string{"a": "8.64", "b": "15.00"}, want: map[string]string{"a": "8.64", "b": "14.25"},
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
			for id, want := range tt.want {
				if got := totals(ev)[id]; got != want {
					t.Errorf("line %s total %s, want %s", id, got, want)
				}
			}
			for id, r := range tt.reason {
				if x := explanation(t, ev, id); x.Status == Applied || x.Reason != r {
					t.Errorf("%s: %s %s, want not applied for %s", id, x.Status, x.Reason, r)
				}
			}
		})
	}
}

// TestMeasuredRounding: a fixed price and an amount per kg follow the
// evaluation's rounding mode, like the subtotal they come off.
func TestMeasuredRounding(t *testing.T) {
	s := mustCompile(t, Promotion{ID: "p", Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: eur("0.50"), Target: skus("COMTE")}})
	for _, c := range []struct {
		mode      pricing.RoundingMode
		sub, want string
	}{
		// 8.6403 and 0.1735.
		{pricing.HalfEven, "8.64", "8.47"},
		{pricing.Up, "8.65", "8.47"},
		{pricing.Down, "8.64", "8.47"},
		{pricing.HalfUp, "8.64", "8.47"},
	} {
		ev, err := s.EvaluateWith([]Line{weighed("a", "COMTE", 347, "24.90")}, nil, storeCtx(), Wallet{}, Options{Rounding: c.mode})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, ev)
		if got := ev.Lines[0].Subtotal.Amount(); got != c.sub {
			t.Errorf("%s: subtotal %s, want %s", c.mode, got, c.sub)
		}
		if got := ev.Lines[0].Total.Amount(); got != c.want {
			t.Errorf("%s: total %s, want %s", c.mode, got, c.want)
		}
	}
}

// TestCompileRefusesUnitsOfMeasuredSKUs: told which SKUs are weighed,
// Compile refuses every promotion that would count their units, naming the
// promotion, the field and the SKU, and accepts the ones that work on a
// measure.
func TestCompileRefusesUnitsOfMeasuredSKUs(t *testing.T) {
	opts := CompileOptions{Measured: []string{"FABRIC", "COMTE", "COMTE"}}
	refused := []struct {
		p     Promotion
		field string
		use   string
	}{
		{Promotion{ID: "b2g1", Lane: Basket, Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: skus("COMTE", "BRIE")}},
			"Effect.Target.SKUs", "buy-x-get-y"},
		{Promotion{ID: "bundle", Lane: Basket, Effect: Effect{Kind: BundlePrice, Amount: eur("10.00"),
			Components: []Component{{Target: skus("WINE"), Quantity: 1}, {Target: skus("COMTE"), Quantity: 1}}}},
			"Effect.Components[1].Target.SKUs", "bundle-price"},
		{Promotion{ID: "min2", Lane: Basket, MinQuantity: 2, QuantityTarget: skus("FABRIC"),
			Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}},
			"QuantityTarget.SKUs", "min-quantity"},
		{Promotion{ID: "max1", Lane: Catalogue, MaxApplications: 1,
			Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: skus("FABRIC")}},
			"Effect.Target.SKUs", "max-applications"},
	}
	for _, r := range refused {
		s, err := CompileWith([]Promotion{r.p}, opts)
		if s != nil || !errors.Is(err, ErrInvalid) || !errors.Is(err, ErrMeasuredUnits) {
			t.Fatalf("%s: got %v, %v; want a refusal", r.p.ID, s, err)
		}
		var ve *ValidationError
		var me *MeasuredError
		if !errors.As(err, &ve) || !errors.As(err, &me) {
			t.Fatalf("%s: %v is not a ValidationError caused by a MeasuredError", r.p.ID, err)
		}
		sku := "COMTE"
		if r.use == "min-quantity" || r.use == "max-applications" {
			sku = "FABRIC"
		}
		if ve.PromotionID != r.p.ID || ve.Field != r.field || me.PromotionID != r.p.ID || me.SKU != sku || me.Use != r.use {
			t.Errorf("%s: %+v / %+v, want field %s, SKU %s, use %s", r.p.ID, ve, me, r.field, sku, r.use)
		}
		// Without the option the same promotion compiles: the refusal is the option's.
		if _, err := Compile([]Promotion{r.p}); err != nil {
			t.Errorf("%s without Measured: %v", r.p.ID, err)
		}
	}
	accepted := []Promotion{
		{ID: "pct", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("20"), Target: skus("COMTE")}},
		{ID: "off-per-kg", Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: eur("2.00"), Target: skus("COMTE")}},
		{ID: "fixed-per-kg", Lane: Catalogue, Effect: Effect{Kind: FixedPrice, Amount: eur("19.90"), Target: skus("COMTE")}},
		{ID: "basket", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: skus("COMTE", "FABRIC")}},
		{ID: "b2g1-cat", Lane: Basket, Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: cats("cheese")}},
	}
	if _, err := CompileWith(accepted, opts); err != nil {
		t.Fatalf("CompileWith(accepted): %v", err)
	}
	// Several refusals at once: one error each, in promotion ID order.
	ps := []Promotion{refused[3].p, refused[0].p}
	_, err := CompileWith(ps, opts)
	var ids []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ve *ValidationError
		if errors.As(e, &ve) {
			ids = append(ids, ve.PromotionID)
		}
	}
	if !slices.Equal(ids, []string{"b2g1", "max1"}) {
		t.Errorf("refused %v, want [b2g1 max1]", ids)
	}
}

// TestMeasuredProperties: a measured line's subtotal is its exact price ×
// measure rounded once in every mode (checked with big.Rat), nothing goes
// negative, and the evaluation does not depend on the order of lines.
func TestMeasuredProperties(t *testing.T) {
	promos := []Promotion{
		{ID: "pct", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("15"), Target: cats("deli")}},
		{ID: "off", Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: eur("3.00"), Target: skus("M0")}},
		{ID: "fix", Lane: Catalogue, Effect: Effect{Kind: FixedPrice, Amount: eur("9.99"), Target: skus("M1")}},
		{ID: "b1g1", Lane: Basket, Effect: Effect{Kind: BuyXGetY, Buy: 1, Get: 1, Percent: pct("50"), Target: cats("deli")}},
		{ID: "basket", Lane: Basket, Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}},
	}
	s := mustCompile(t, promos...)
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "lines")
		mode := pricing.RoundingMode(rapid.IntRange(0, int(pricing.Floor)).Draw(t, "mode"))
		lines := make([]Line, n)
		for i := range lines {
			price := pricing.MustParse(rapid.SampledFrom([]string{"0.01", "1.99", "24.90", "12.99", "1.85", "99.95"}).Draw(t, "price"), "EUR")
			l := Line{ID: string(rune('a' + i)), SKU: rapid.SampledFrom([]string{"M0", "M1", "C0"}).Draw(t, "sku"),
				Categories: []string{"deli"}, UnitPrice: price}
			if l.Measured = rapid.Bool().Draw(t, "measured"); l.Measured {
				l.Quantity = rapid.Int64Range(1, 100_000_000).Draw(t, "thousandths")
			} else {
				l.Quantity = rapid.Int64Range(1, 50).Draw(t, "units")
			}
			lines[i] = l
		}
		ev, err := s.EvaluateWith(lines, nil, storeCtx(), Wallet{}, Options{Rounding: mode})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, ev)
		for i, l := range lines {
			sub := ev.Lines[i].Subtotal.MinorUnits()
			if !l.Measured {
				continue
			}
			exact := new(big.Rat).SetFrac(big.NewInt(l.UnitPrice.MinorUnits()*l.Quantity), big.NewInt(1000))
			lo := new(big.Int).Quo(exact.Num(), exact.Denom()) // floor: positive
			if exact.IsInt() {
				if sub != lo.Int64() {
					t.Fatalf("%s: subtotal %d, exact %s", l.ID, sub, exact.RatString())
				}
				continue
			}
			want := lo.Int64()
			frac := new(big.Rat).Sub(exact, new(big.Rat).SetInt(lo))
			half := frac.Cmp(big.NewRat(1, 2))
			switch mode {
			case pricing.Up, pricing.Ceiling:
				want++
			case pricing.HalfUp:
				if half >= 0 {
					want++
				}
			case pricing.HalfDown:
				if half > 0 {
					want++
				}
			case pricing.HalfEven:
				if half > 0 || half == 0 && want%2 == 1 {
					want++
				}
			}
			if sub != want {
				t.Fatalf("%s: %d thousandths at %s in %s: subtotal %d, want %d", l.ID, l.Quantity, l.UnitPrice, mode, sub, want)
			}
		}
		// Order independence: reversed lines give the same evaluation.
		rev := slices.Clone(lines)
		slices.Reverse(rev)
		ev2, err := s.EvaluateWith(rev, nil, storeCtx(), Wallet{}, Options{Rounding: mode})
		if err != nil {
			t.Fatal(err)
		}
		if a, b := mustJSON(t, ev), mustJSON(t, ev2); a != b {
			t.Fatalf("order dependence:\n%s\n%s", a, b)
		}
	})
}
