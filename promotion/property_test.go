package promotion

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

var (
	poolSKUs     = []string{"s1", "s2", "s3", "s4", "s5"}
	poolCats     = []string{"c1", "c2", "c3"}
	poolChannels = []string{"web", "app", "store"}
	poolCoupons  = []string{"A", "B", "C"}
	poolPercents = []string{"1", "10", "15", "33.33", "50", "70", "99.99", "100"}
)

func drawSubset(t *rapid.T, pool []string, min int, label string) []string {
	return rapid.SliceOfNDistinct(rapid.SampledFrom(pool), min, len(pool), rapid.ID[string]).Draw(t, label)
}

func drawCents(t *rapid.T, cur string, lo, hi int64, label string) pricing.Money {
	m, err := pricing.FromMinor(rapid.Int64Range(lo, hi).Draw(t, label), pricing.MustCurrency(cur))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func drawTarget(t *rapid.T, label string) Target {
	switch rapid.IntRange(0, 3).Draw(t, label+".kind") {
	case 0:
		return Target{All: true}
	case 1:
		return Target{SKUs: drawSubset(t, poolSKUs, 1, label+".skus")}
	case 2:
		return Target{Categories: drawSubset(t, poolCats, 1, label+".cats")}
	}
	return Target{SKUs: drawSubset(t, poolSKUs, 1, label+".skus"), Categories: drawSubset(t, poolCats, 1, label+".cats")}
}

func drawCtx(t *rapid.T) channel.Context {
	ctx := webCtx()
	ctx.ChannelID = rapid.SampledFrom(poolChannels).Draw(t, "channel")
	switch ctx.ChannelID {
	case "web":
		ctx.Kind = channel.Web
	case "app":
		ctx.Kind = channel.App
	default:
		ctx.Kind = channel.Store
		ctx.LocationID = rapid.SampledFrom([]string{"L1", "L2"}).Draw(t, "location")
	}
	ctx.CustomerGroup = rapid.SampledFrom([]string{"", "vip"}).Draw(t, "group")
	return ctx
}

func drawLines(t *rapid.T) []Line {
	n := rapid.IntRange(0, 6).Draw(t, "nlines")
	ids := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9"}), n, n, rapid.ID[string]).Draw(t, "lineIDs")
	lines := make([]Line, n)
	for i, id := range ids {
		lines[i] = Line{
			ID:         id,
			SKU:        rapid.SampledFrom(poolSKUs).Draw(t, "sku"),
			Categories: rapid.SliceOfNDistinct(rapid.SampledFrom(poolCats), 0, 2, rapid.ID[string]).Draw(t, "cats"),
			Quantity:   rapid.Int64Range(1, 5).Draw(t, "qty"),
			UnitPrice:  drawCents(t, "EUR", 0, 5000, "price"),
		}
	}
	return lines
}

func drawFees(t *rapid.T) []Fee {
	n := rapid.IntRange(0, 2).Draw(t, "nfees")
	fees := make([]Fee, n)
	for i := range fees {
		fees[i] = Fee{ID: fmt.Sprintf("f%d", i), Mode: channel.FulfilmentMode(rapid.IntRange(1, 5).Draw(t, "mode")), Amount: drawCents(t, "EUR", 0, 1000, "fee")}
	}
	return fees
}

func drawWallet(t *rapid.T) Wallet {
	codes := drawSubset(t, append(slices.Clone(poolCoupons), "zz"), 0, "wallet")
	for i := range codes {
		if rapid.Bool().Draw(t, "lower") {
			codes[i] = " " + string(rune(codes[i][0]|0x20)) + codes[i][1:]
		}
	}
	return Wallet{Coupons: codes, LoyaltyTier: rapid.SampledFrom([]string{"", "gold"}).Draw(t, "tier")}
}

func drawPromotion(t *rapid.T, id string) Promotion { return drawPromotionOpt(t, id, false) }

// drawPromotionOpt draws a promotion; stacking ones have no scope
// restriction and often an exclusive flag or a best-of group, so that they
// mostly compete with each other.
func drawPromotionOpt(t *rapid.T, id string, stacking bool) Promotion {
	kind := EffectKind(rapid.IntRange(int(PercentOff), int(FeeDiscount)).Draw(t, "kind"))
	p := Promotion{ID: id, Effect: Effect{Kind: kind}}
	switch kind {
	case PercentOff, AmountOff, FixedPrice:
		p.Lane = rapid.SampledFrom([]Lane{Catalogue, Basket}).Draw(t, "lane")
	case FeeDiscount:
		p.Lane = Fulfilment
	default:
		p.Lane = Basket
	}
	cur := "EUR"
	if !stacking && rapid.IntRange(0, 29).Draw(t, "usd") == 0 {
		cur = "USD"
	}
	percent := func(label string) pricing.Rate {
		return pricing.MustPercent(rapid.SampledFrom(poolPercents).Draw(t, label))
	}
	e := &p.Effect
	switch kind {
	case PercentOff, BasketPercentOff:
		e.Percent, e.Target = percent("percent"), drawTarget(t, "target")
	case AmountOff, BasketAmountOff:
		e.Amount, e.Target = drawCents(t, cur, 1, 3000, "amount"), drawTarget(t, "target")
	case FixedPrice:
		e.Amount, e.Target = drawCents(t, cur, 0, 3000, "amount"), drawTarget(t, "target")
	case BuyXGetY:
		e.Buy, e.Get = rapid.Int64Range(1, 3).Draw(t, "buy"), rapid.Int64Range(1, 2).Draw(t, "get")
		e.Percent, e.Target = percent("percent"), drawTarget(t, "target")
		e.Pick = Pick(rapid.IntRange(0, 1).Draw(t, "pick"))
	case BundlePrice:
		e.Amount = drawCents(t, cur, 0, 5000, "price")
		for i := range rapid.IntRange(1, 3).Draw(t, "ncomp") {
			e.Components = append(e.Components, Component{Target: drawTarget(t, fmt.Sprint("comp", i)), Quantity: rapid.Int64Range(1, 3).Draw(t, "cq")})
		}
	case Tiered:
		e.Target = drawTarget(t, "target")
		th := int64(0)
		for range rapid.IntRange(1, 3).Draw(t, "ntiers") {
			th += rapid.Int64Range(1, 5000).Draw(t, "threshold")
			tier := Tier{Threshold: drawCents(t, cur, th, th, "th")}
			if rapid.Bool().Draw(t, "tierPercent") {
				tier.Percent = percent("tp")
			} else {
				tier.Amount = drawCents(t, cur, 1, 3000, "ta")
			}
			e.Tiers = append(e.Tiers, tier)
		}
	case FeeDiscount:
		if rapid.Bool().Draw(t, "feePercent") {
			e.Percent = percent("percent")
		} else {
			e.Amount = drawCents(t, cur, 1, 1000, "amount")
		}
		for _, m := range rapid.SliceOfNDistinct(rapid.IntRange(1, 5), 0, 2, rapid.ID[int]).Draw(t, "modes") {
			e.FeeModes = append(e.FeeModes, channel.FulfilmentMode(m))
		}
	}
	p.Priority = rapid.Int64Range(0, 2).Draw(t, "priority")
	if stacking {
		p.Exclusive = rapid.IntRange(0, 3).Draw(t, "exclusive") == 0
		if rapid.Bool().Draw(t, "bestof") {
			p.BestOfGroup = fmt.Sprintf("g-%s-%d", p.Lane, rapid.IntRange(0, 1).Draw(t, "group"))
		}
		return p
	}
	p.Exclusive = rapid.IntRange(0, 5).Draw(t, "exclusive") == 0
	if rapid.IntRange(0, 2).Draw(t, "bestof") == 0 {
		p.BestOfGroup = fmt.Sprintf("g-%s-%d", p.Lane, rapid.IntRange(0, 1).Draw(t, "group"))
	}
	if rapid.IntRange(0, 3).Draw(t, "coupon") == 0 {
		p.Coupon = rapid.SampledFrom(poolCoupons).Draw(t, "code")
	}
	if rapid.IntRange(0, 4).Draw(t, "channels") == 0 {
		p.Channels = drawSubset(t, poolChannels, 1, "chans")
	}
	if rapid.IntRange(0, 9).Draw(t, "kinds") == 0 {
		p.Kinds = []channel.Kind{channel.Kind(rapid.IntRange(1, 3).Draw(t, "kindv"))}
	}
	if rapid.IntRange(0, 9).Draw(t, "locations") == 0 {
		p.Locations = []string{rapid.SampledFrom([]string{"L1", "L2"}).Draw(t, "loc")}
	}
	if rapid.IntRange(0, 19).Draw(t, "groups") == 0 {
		p.CustomerGroups = []string{"vip"}
	}
	if rapid.IntRange(0, 19).Draw(t, "tiers") == 0 {
		p.LoyaltyTiers = []string{"gold"}
	}
	switch rapid.IntRange(0, 19).Draw(t, "window") {
	case 0:
		p.StartsAt = asOf().Add(1)
	case 1:
		p.EndsAt = asOf()
	case 2:
		p.StartsAt, p.EndsAt = asOf().Add(-1), asOf().Add(1)
	}
	if rapid.IntRange(0, 5).Draw(t, "minsub") == 0 {
		p.MinSubtotal = drawCents(t, cur, 0, 10000, "minsub")
	}
	if rapid.IntRange(0, 5).Draw(t, "minqty") == 0 {
		p.MinQuantity, p.QuantityTarget = rapid.Int64Range(1, 6).Draw(t, "minq"), drawTarget(t, "qtarget")
	}
	if kind != BasketPercentOff && kind != BasketAmountOff && kind != Tiered {
		p.MaxApplications = rapid.Int64Range(0, 3).Draw(t, "max")
	}
	return p
}

func drawPromotions(t *rapid.T) []Promotion {
	n := rapid.IntRange(0, 8).Draw(t, "npromos")
	stacking := rapid.Bool().Draw(t, "stacking")
	ps := make([]Promotion, n)
	for i := range ps {
		ps[i] = drawPromotionOpt(t, fmt.Sprintf("p%d", i), stacking)
	}
	return ps
}

func compileT(t *rapid.T, ps []Promotion, indexed bool) *Set {
	s, err := compile(ps, indexed)
	if err != nil {
		t.Fatalf("generated promotions are invalid: %v", err)
	}
	return s
}

func evalT(t *rapid.T, s *Set, lines []Line, fees []Fee, ctx channel.Context, w Wallet) Evaluation {
	ev, err := s.Evaluate(lines, fees, ctx, w)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	checkInvariants(t, ev)
	return ev
}

func shuffled[T any](t *rapid.T, xs []T, label string) []T {
	if len(xs) < 2 {
		return slices.Clone(xs)
	}
	return rapid.Permutation(xs).Draw(t, label)
}

// TestPropertyInvariants: money invariants, determinism, independence from
// the order of lines, fees, wallet codes and promotions, and index ≡ naive.
func TestPropertyInvariants(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		promos, lines, fees, ctx, w := drawPromotions(t), drawLines(t), drawFees(t), drawCtx(t), drawWallet(t)
		s := compileT(t, promos, true)
		ev := evalT(t, s, lines, fees, ctx, w)
		want := mustJSON(t, ev)
		if again := mustJSON(t, evalT(t, s, lines, fees, ctx, w)); again != want {
			t.Fatalf("second evaluation differs:\n%s\n%s", want, again)
		}
		if naive := mustJSON(t, evalT(t, compileT(t, promos, false), lines, fees, ctx, w)); naive != want {
			t.Fatalf("naive differs:\n%s\n%s", want, naive)
		}
		lines2 := shuffled(t, lines, "lineOrder")
		for i := range lines2 {
			lines2[i].Categories = shuffled(t, lines2[i].Categories, "catOrder")
		}
		w2 := Wallet{Coupons: shuffled(t, w.Coupons, "walletOrder"), LoyaltyTier: w.LoyaltyTier}
		s2 := compileT(t, shuffled(t, promos, "promoOrder"), true)
		if got := mustJSON(t, evalT(t, s2, lines2, shuffled(t, fees, "feeOrder"), ctx, w2)); got != want {
			t.Fatalf("order changed the result:\n%s\n%s", want, got)
		}
	})
}

// TestPropertyOutOfScope: a promotion that is not examined (its channel
// scope excludes the context and its coupon is not in the wallet, or it
// targets only products absent from the basket) changes nothing at all;
// an examined promotion that does not apply, whose coupon is not in the
// wallet and that blocked nothing, changes nothing but its own explanation
// (or, for an unmet threshold promotion left unexplained, the Omitted count).
// Every unmet threshold is explained here unless it is refused to the
// shopper, so that a new near miss pushes no other one out of the list.
func TestPropertyOutOfScope(t *testing.T) {
	opt := Options{NearestMisses: 1 << 20}
	rapid.Check(t, func(t *rapid.T) {
		promos, lines, fees, ctx, w := drawPromotions(t), drawLines(t), drawFees(t), drawCtx(t), drawWallet(t)
		evalT := func(t *rapid.T, s *Set, lines []Line, fees []Fee, ctx channel.Context, w Wallet) Evaluation {
			ev, err := s.EvaluateWith(lines, fees, ctx, w, opt)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			checkInvariants(t, ev)
			return ev
		}
		baseEv := evalT(t, compileT(t, promos, true), lines, fees, ctx, w)
		base := mustJSON(t, baseEv)

		extra := drawPromotion(t, "extra")
		if extra.Coupon != "" && slices.Contains(w.Coupons, extra.Coupon) {
			extra.Coupon = "NOT-IN-WALLET"
		}
		for _, c := range w.Coupons {
			if NormalizeCoupon(c) == extra.Coupon {
				extra.Coupon = "NOT-IN-WALLET"
			}
		}
		// Outside the channel scope.
		far := extra
		far.Channels = []string{"elsewhere"}
		if got := mustJSON(t, evalT(t, compileT(t, append(slices.Clone(promos), far), true), lines, fees, ctx, w)); got != base {
			t.Fatalf("out-of-channel promotion changed the result:\n%s\n%s", base, got)
		}
		// Targeting only absent products (not wide).
		if extra.Effect.Kind != FeeDiscount {
			absent := clonePromotion(extra)
			absent.MinQuantity, absent.QuantityTarget = 0, Target{}
			if absent.Effect.Kind == BundlePrice {
				absent.Effect.Components = []Component{{Target: skus("absent"), Quantity: 1}}
			} else {
				absent.Effect.Target = skus("absent")
			}
			if got := mustJSON(t, evalT(t, compileT(t, append(slices.Clone(promos), absent), true), lines, fees, ctx, w)); got != base {
				t.Fatalf("promotion on absent products changed the result:\n%s\n%s", base, got)
			}
		}
		// Any promotion that ends up not applied changes only its own
		// explanation, unless it won its best-of group (on the lane-entry
		// prices) and was then blocked or gave nothing at its place: the
		// other members lost to it.
		ev := evalT(t, compileT(t, append(slices.Clone(promos), extra), true), lines, fees, ctx, w)
		if i := slices.IndexFunc(ev.Explanations, func(x Explanation) bool { return x.PromotionID == "extra" }); i >= 0 {
			if ev.Explanations[i].Status == Applied || slices.ContainsFunc(ev.Explanations, func(x Explanation) bool { return x.BlockedBy == "extra" }) {
				return
			}
			ev.Explanations = slices.Delete(ev.Explanations, i, i+1)
			if len(ev.Explanations) == 0 {
				ev.Explanations = nil
			}
		} else if ev.Omitted == baseEv.Omitted+1 {
			ev.Omitted-- // an unmet threshold promotion refused to the shopper
		}
		if got := mustJSON(t, ev); got != base {
			t.Fatalf("a promotion that did not apply changed the result:\n%s\n%s", base, got)
		}
	})
}

// TestPropertyPercentOracle checks percent effects against shopspring
// decimal: a catalogue percent-off gives round-half-even(p × line) per line,
// never more than the line; a basket percent voucher after it gives
// round-half-even(q × the subtotal after the catalogue discounts).
func TestPropertyPercentOracle(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		lines := drawLines(t)
		p := pricing.MustPercent(rapid.SampledFrom(poolPercents).Draw(t, "p"))
		q := pricing.MustPercent(rapid.SampledFrom(poolPercents).Draw(t, "q"))
		s := compileT(t, []Promotion{
			{ID: "cat", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: p, Target: all()}},
			{ID: "voucher", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: q, Target: all()}},
		}, true)
		ev := evalT(t, s, lines, nil, webCtx(), Wallet{})
		var after decimal.Decimal
		for _, l := range ev.Lines {
			want := p.Decimal().Mul(l.Subtotal.Decimal()).RoundBank(2)
			var got decimal.Decimal
			for _, a := range l.Adjustments {
				if a.PromotionID == "cat" {
					got = a.Amount.Decimal()
				}
			}
			if !got.Equal(want) || got.GreaterThan(l.Subtotal.Decimal()) {
				t.Fatalf("line %s: percent-off %s of %s = %s, want %s", l.LineID, p, l.Subtotal, got, want)
			}
			after = after.Add(l.Subtotal.Decimal().Sub(got))
		}
		want := q.Decimal().Mul(after).RoundBank(2)
		var got decimal.Decimal
		for _, x := range ev.Explanations {
			if x.PromotionID == "voucher" && x.Status == Applied {
				got = x.Amount.Decimal()
			}
		}
		if !got.Equal(want) {
			t.Fatalf("voucher %s on %s = %s, want %s", q, after, got, want)
		}
	})
}

// TestPropertyPercentMatchesMulRate checks the integer percent against
// pricing's Money.MulRate, which it stands for: the same amount, or the
// same error, for any rate of at most 100 % with up to 17 decimals and any
// amount, small or near the range's end.
func TestPropertyPercentMatchesMulRate(t *testing.T) {
	cur := pricing.MustCurrency("EUR")
	rapid.Check(t, func(t *rapid.T) {
		ev := &evaluator{sc: new(scratch), cur: cur}
		decimals := rapid.IntRange(0, 17).Draw(t, "decimals")
		one := decimal.New(1, int32(decimals))
		coef := rapid.Int64Range(0, one.IntPart()).Draw(t, "coef")
		r, err := pricing.ParseRate(decimal.New(coef, -int32(decimals)).String())
		if err != nil {
			t.Fatal(err)
		}
		v := rapid.OneOf(rapid.Int64Range(0, 1_000_000_00), rapid.Int64Range(0, math.MaxInt64)).Draw(t, "v")
		want, wantErr := ev.percent(v, r, ratio{})
		got, gotErr := ev.percent(v, r, ratioOf(r))
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("%s × %d = %d (%v), pricing says %d (%v)", r, v, got, gotErr, want, wantErr)
		}
	})
}

// TestAllocateMatchesPricing checks the private allocation against
// pricing.Allocate, whose semantics it mirrors, on baskets under 2^32 minor
// units (remainders packed into integer keys) and above (kept apart).
func TestAllocateMatchesPricing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	cur := pricing.MustCurrency("EUR")
	ev := &evaluator{sc: new(scratch), cur: cur}
	for range 2000 {
		n := 1 + rng.IntN(40)
		weights := make([]int64, n)
		shares := make([]pricing.Share, n)
		ls := make([]int32, n)
		var sum int64
		scale := int64(1)
		if rng.IntN(3) == 0 {
			scale = 1_000_003 // a sum beyond 2^32 minor units
		}
		for i := range weights {
			weights[i] = rng.Int64N(5000) * scale
			if rng.IntN(5) == 0 {
				weights[i] = 1000 * scale // many ties
			}
			sum += weights[i]
			shares[i] = pricing.Share{Key: fmt.Sprintf("k%03d", i), Weight: weights[i]}
			ls[i] = int32(i)
		}
		total := rng.Int64N(sum + 1)
		want, err := pricing.Allocate(ev.money(total), shares)
		if err != nil {
			if sum == 0 {
				continue
			}
			t.Fatal(err)
		}
		out := make([]int64, n)
		ev.allocate(total, ls, weights, out)
		for i := range out {
			if out[i] != want[i].MinorUnits() {
				t.Fatalf("weights %v total %d: part %d = %d, pricing.Allocate says %d", weights, total, i, out[i], want[i].MinorUnits())
			}
		}
	}
}
