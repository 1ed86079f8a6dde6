package loyalty_test

import (
	"fmt"
	"math/big"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/pricing"
)

var (
	propSKUs = []string{"a", "b", "c", "d"}
	propCats = []string{"x", "y", "z"}
)

func genTarget(t *rapid.T, label string) loyalty.Target {
	return loyalty.Target{
		SKUs:       rapid.SliceOfNDistinct(rapid.SampledFrom(propSKUs), 0, 2, rapid.ID[string]).Draw(t, label+".skus"),
		Categories: rapid.SliceOfNDistinct(rapid.SampledFrom(propCats), 0, 2, rapid.ID[string]).Draw(t, label+".cats"),
	}
}

func genProgram(t *rapid.T) loyalty.Program {
	var p loyalty.Program
	n := rapid.IntRange(0, 6).Draw(t, "rules")
	for i := range n {
		r := loyalty.Rule{ID: fmt.Sprintf("r%d", i), Target: genTarget(t, "target")}
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			r.Kind, r.Points = loyalty.Base, rapid.Int64Range(1, 10).Draw(t, "points")
			r.Per, _ = pricing.FromMinor(rapid.Int64Range(1, 1000).Draw(t, "per"), pricing.MustCurrency("EUR"))
		case 1:
			r.Kind, r.Points = loyalty.PerUnit, rapid.Int64Range(1, 20).Draw(t, "points")
		default:
			r.Kind, r.Factor = loyalty.Multiplier, pricing.MustRate(rapid.SampledFrom([]string{"1.25", "1.5", "2", "3", "10"}).Draw(t, "factor"))
		}
		if rapid.IntRange(0, 4).Draw(t, "scoped") == 0 {
			r.Kinds = []channel.Kind{channel.Web}
		}
		if rapid.IntRange(0, 4).Draw(t, "windowed") == 0 {
			r.EndsAt = now
		}
		p.Rules = append(p.Rules, r)
	}
	p.Tiers = []loyalty.Tier{
		{ID: "1", Multiplier: pricing.MustRate("1")},
		{ID: "2", Multiplier: pricing.MustRate("1.5")},
		{ID: "3", Multiplier: pricing.MustRate("2.125")},
	}
	if rapid.Bool().Draw(t, "exclude") {
		p.Exclude = loyalty.Target{Categories: []string{"z"}}
	}
	return p
}

func genLines(t *rapid.T, prefix string) []loyalty.Line {
	n := rapid.IntRange(0, 6).Draw(t, "lines")
	ls := make([]loyalty.Line, n)
	for i := range ls {
		amount, _ := pricing.FromMinor(rapid.Int64Range(0, 1_000_000).Draw(t, "amount"), pricing.MustCurrency("EUR"))
		ls[i] = loyalty.Line{
			ID:         fmt.Sprintf("%s%d", prefix, i),
			SKU:        rapid.SampledFrom(propSKUs).Draw(t, "sku"),
			Categories: rapid.SliceOfNDistinct(rapid.SampledFrom(propCats), 0, 2, rapid.ID[string]).Draw(t, "cats"),
			Quantity:   rapid.Int64Range(1, 50).Draw(t, "qty"),
			Amount:     amount,
		}
	}
	return ls
}

func earn(t *rapid.T, s *loyalty.Scheme, lines []loyalty.Line, tier string) loyalty.Earning {
	e, err := s.Earn(lines, tier, storeCtx("EUR"))
	if err != nil {
		t.Fatalf("Earn: %v", err)
	}
	return e
}

// Points are never negative, the explanations share the total exactly,
// and only earned rules carry points.
func TestPropertyEarnShares(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := mustCompile(genProgram(t))
		e := earn(t, s, genLines(t, "l"), rapid.SampledFrom([]string{"", "1", "2", "3", "9"}).Draw(t, "tier"))
		var sum int64
		for _, x := range e.Explanations {
			if x.Points < 0 || (x.Status != loyalty.Earned && x.Points != 0) {
				t.Fatalf("explanation %+v", x)
			}
			sum += x.Points
		}
		if e.Points < 0 || sum != e.Points {
			t.Fatalf("total %d, explanations sum to %d", e.Points, sum)
		}
	})
}

// The result does not depend on the order of the lines, of their
// categories, or of the rules and tiers given to Compile.
func TestPropertyEarnOrderIndependent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProgram(t)
		lines := genLines(t, "l")
		tier := rapid.SampledFrom([]string{"", "2", "3"}).Draw(t, "tier")
		want := earn(t, mustCompile(p), lines, tier)

		q := p
		q.Rules = rapid.Permutation(p.Rules).Draw(t, "rules order")
		q.Tiers = rapid.Permutation(p.Tiers).Draw(t, "tiers order")
		shuffled := rapid.Permutation(lines).Draw(t, "lines order")
		for i := range shuffled {
			shuffled[i].Categories = rapid.Permutation(shuffled[i].Categories).Draw(t, "categories order")
		}
		got := earn(t, mustCompile(q), shuffled, tier)
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("order changed the result:\n%+v\n%+v", got, want)
		}
	})
}

// Spending more on a line never earns fewer points.
func TestPropertyEarnMonotonic(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := mustCompile(genProgram(t))
		lines := genLines(t, "l")
		if len(lines) == 0 {
			return
		}
		tier := rapid.SampledFrom([]string{"", "2", "3"}).Draw(t, "tier")
		before := earn(t, s, lines, tier)
		i := rapid.IntRange(0, len(lines)-1).Draw(t, "line")
		more := slices.Clone(lines)
		extra, _ := pricing.FromMinor(rapid.Int64Range(0, 100_000).Draw(t, "extra"), more[i].Amount.Currency())
		more[i].Amount, _ = more[i].Amount.Add(extra)
		more[i].Quantity += rapid.Int64Range(0, 5).Draw(t, "extra units")
		if after := earn(t, s, more, tier); after.Points < before.Points {
			t.Fatalf("line %s from %s to %s: %d points, then %d", lines[i].ID, lines[i].Amount, more[i].Amount, before.Points, after.Points)
		}
	})
}

// Earning is exact and rounded once per basket: two baskets bought
// together earn what they earn apart, or one more point (two fractions
// that add up to a whole), never less.
func TestPropertyEarnAdditive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := mustCompile(genProgram(t))
		a, b := genLines(t, "a"), genLines(t, "b")
		tier := rapid.SampledFrom([]string{"", "2", "3"}).Draw(t, "tier")
		ea, eb := earn(t, s, a, tier), earn(t, s, b, tier)
		both := earn(t, s, append(slices.Clone(a), b...), tier)
		if d := both.Points - ea.Points - eb.Points; d < 0 || d > 1 {
			t.Fatalf("together %d, apart %d + %d", both.Points, ea.Points, eb.Points)
		}
	})
}

// Earn against a slow oracle: per line, base × (1 + Σ (factor − 1)) +
// per-unit points, times the tier, summed exactly and rounded down once.
func TestPropertyEarnOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := genProgram(t)
		lines := genLines(t, "l")
		tier := rapid.SampledFrom([]string{"", "2", "3"}).Draw(t, "tier")
		got := earn(t, mustCompile(p), lines, tier)

		in := func(tg loyalty.Target, l loyalty.Line) bool {
			if len(tg.SKUs)+len(tg.Categories) == 0 {
				return true
			}
			for _, c := range l.Categories {
				if slices.Contains(tg.Categories, c) {
					return true
				}
			}
			return slices.Contains(tg.SKUs, l.SKU)
		}
		live := func(r loyalty.Rule) bool {
			return (len(r.Kinds) == 0 || slices.Contains(r.Kinds, channel.Store)) && (r.EndsAt.IsZero() || now.Before(r.EndsAt))
		}
		total := new(big.Rat)
		for _, l := range lines {
			if len(p.Exclude.Categories) > 0 && in(p.Exclude, l) {
				continue
			}
			base, bonus, factor := new(big.Rat), new(big.Rat), big.NewRat(1, 1)
			for _, r := range p.Rules {
				if !live(r) || !in(r.Target, l) {
					continue
				}
				switch r.Kind {
				case loyalty.Base:
					base.Add(base, big.NewRat(l.Amount.MinorUnits()*r.Points, r.Per.MinorUnits()))
				case loyalty.PerUnit:
					bonus.Add(bonus, big.NewRat(l.Quantity*r.Points, 1))
				case loyalty.Multiplier:
					f, _ := new(big.Rat).SetString(r.Factor.String())
					factor.Add(factor, f.Sub(f, big.NewRat(1, 1)))
				}
			}
			total.Add(total, base.Mul(base, factor)).Add(total, bonus)
		}
		mult := map[string]string{"2": "1.5", "3": "2.125"}[tier]
		if mult != "" {
			m, _ := new(big.Rat).SetString(mult)
			total.Mul(total, m)
		}
		want := new(big.Int).Quo(total.Num(), total.Denom()).Int64()
		if got.Points != want {
			t.Fatalf("Earn = %d, oracle %s = %d", got.Points, total.FloatString(6), want)
		}
	})
}

// Burn never exceeds the balance, the request, the due or its share; is
// 0 or at least the minimum; burns whole steps; converts exactly; and is
// the most that satisfies all of that.
func TestPropertyBurn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cur := pricing.MustCurrency(rapid.SampledFrom([]string{"EUR", "JPY", "KWD"}).Draw(t, "currency"))
		val, _ := pricing.FromMinor(rapid.Int64Range(1, 1000).Draw(t, "value"), cur)
		policy := loyalty.BurnPolicy{
			Mode:      rapid.SampledFrom([]loyalty.BurnMode{loyalty.Tender, loyalty.Discount}).Draw(t, "mode"),
			Rates:     []loyalty.Conversion{{Points: rapid.Int64Range(1, 1000).Draw(t, "points"), Value: val}},
			MinPoints: rapid.Int64Range(0, 2000).Draw(t, "min"),
			Step:      rapid.Int64Range(0, 500).Draw(t, "step"),
			MaxShare:  pricing.MustRate(rapid.SampledFrom([]string{"0", "0.3", "0.5", "0.999", "1"}).Draw(t, "share")),
		}
		s := mustCompile(loyalty.Program{Burn: policy})
		due, _ := pricing.FromMinor(rapid.Int64Range(0, 10_000_000).Draw(t, "due"), cur)
		req := loyalty.BurnRequest{
			Balance:   rapid.Int64Range(0, 1_000_000).Draw(t, "balance"),
			Requested: rapid.Int64Range(0, 1_000_000).Draw(t, "requested"),
			Due:       due,
		}
		b, err := s.Burn(req)
		if err != nil {
			t.Fatal(err)
		}
		capUnits := due.MinorUnits()
		if !policy.MaxShare.IsZero() {
			c, _ := due.MulRate(policy.MaxShare, pricing.Floor)
			capUnits = c.MinorUnits()
		}
		conv := policy.Rates[0]
		step := max(policy.Step, 1)
		exact := func(n int64) bool { return n*conv.Value.MinorUnits()%conv.Points == 0 }
		ok := func(n int64) bool {
			return n <= req.Requested && n <= req.Balance && n%step == 0 && exact(n) &&
				n*conv.Value.MinorUnits()/conv.Points <= capUnits
		}
		switch {
		case b.Points < 0 || b.Value.IsNegative() || b.Mode != policy.Mode:
			t.Fatalf("burn %+v", b)
		case b.Points > 0 && (!ok(b.Points) || b.Points < policy.MinPoints):
			t.Fatalf("burn %+v breaks a constraint of %+v on %+v", b, policy, req)
		case b.Value.Currency() != cur || b.Value.MinorUnits()*conv.Points != b.Points*conv.Value.MinorUnits():
			t.Fatalf("value %s for %d points at %d = %s is not exact", b.Value, b.Points, conv.Points, conv.Value)
		case b.Value.MinorUnits() > capUnits || b.Value.MinorUnits() > due.MinorUnits():
			t.Fatalf("value %s above the cap %d (due %s)", b.Value, capUnits, due)
		case (b.Points == req.Requested) != (b.Limit == loyalty.LimitNone):
			t.Fatalf("burnt %d of %d, limit %s", b.Points, req.Requested, b.Limit)
		}
		// Maximal: no larger number of points satisfies every constraint
		// (searched down from the most points whose value fits the cap).
		best := int64(0)
		upper := min(req.Requested, req.Balance, capUnits*conv.Points/conv.Value.MinorUnits())
		for n := upper; n > 0 && n > b.Points; n-- {
			if ok(n) {
				best = n
				break
			}
		}
		if best >= max(policy.MinPoints, 1) {
			t.Fatalf("burnt %d, but %d points satisfy every constraint (%+v, %+v)", b.Points, best, policy, req)
		}
	})
}

// The window of a rule is judged at the context's as-of time only.
func TestPropertyEarnWindowFromContext(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		start := now.Add(time.Duration(rapid.Int64Range(-1000, 1000).Draw(t, "start")) * time.Second)
		p := loyalty.Program{Rules: []loyalty.Rule{{ID: "r", Kind: loyalty.PerUnit, Points: 1, StartsAt: start}}}
		ctx := storeCtx("EUR")
		ctx.AsOf = now.Add(time.Duration(rapid.Int64Range(-1000, 1000).Draw(t, "asof")) * time.Second)
		e, err := mustCompile(p).Earn([]loyalty.Line{{ID: "a", SKU: "a", Quantity: 1, Amount: eur("1.00")}}, "", ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := int64(0); !ctx.AsOf.Before(start) {
			want = 1
			if e.Points != want {
				t.Fatalf("as of %s, start %s: %d points", ctx.AsOf, start, e.Points)
			}
		} else if e.Points != want || e.Explanations[0].Reason != loyalty.ReasonNotStarted {
			t.Fatalf("as of %s, start %s: %+v", ctx.AsOf, start, e)
		}
	})
}
