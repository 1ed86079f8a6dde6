package promotion

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

func TestExclusiveStopsTheBasketLane(t *testing.T) {
	s := mustCompile(t,
		Promotion{ID: "early", Lane: Basket, Priority: 9, Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}},
		Promotion{ID: "excl", Lane: Basket, Priority: 5, Exclusive: true, Effect: Effect{Kind: BasketPercentOff, Percent: pct("10"), Target: all()}},
		Promotion{ID: "late", Lane: Basket, Priority: 1, Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}},
		Promotion{ID: "ship", Lane: Fulfilment, Effect: Effect{Kind: FeeDiscount, Percent: pct("100")}},
	)
	ev := mustEval(t, s, []Line{ln("a", "x", 1, "101.00")}, []Fee{{ID: "f", Mode: channel.ShipToAddress, Amount: eur("5.00")}}, webCtx(), Wallet{})
	// 101.00 − 1.00 = 100.00, − 10 % = 90.00; "late" is blocked; the fee lane is not.
	if got := totals(ev); !maps.Equal(got, map[string]string{"a": "90.00", "f": "0.00"}) {
		t.Fatalf("totals %v", got)
	}
	x := explanation(t, ev, "late")
	if x.Status != Blocked || x.Reason != ReasonBlockedByExclusive || x.BlockedBy != "excl" {
		t.Fatalf("late: %+v", x)
	}
	if explanation(t, ev, "early").Status != Applied || explanation(t, ev, "ship").Status != Applied {
		t.Fatalf("early/ship not applied: %+v", ev.Explanations)
	}
	// Evaluation order: lane, priority (high first), ID.
	var order []string
	for _, x := range ev.Explanations {
		order = append(order, x.PromotionID)
	}
	if !reflect.DeepEqual(order, []string{"early", "excl", "late", "ship"}) {
		t.Fatalf("order %v", order)
	}
}

func TestExclusiveCatalogueClosesItsLinesOnly(t *testing.T) {
	s := mustCompile(t,
		Promotion{ID: "clearance", Lane: Catalogue, Priority: 5, Exclusive: true, Effect: Effect{Kind: PercentOff, Percent: pct("50"), Target: skus("boot")}},
		Promotion{ID: "all10", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: all()}},
		Promotion{ID: "boots-only", Lane: Catalogue, Effect: Effect{Kind: AmountOff, Amount: eur("1.00"), Target: skus("boot")}},
	)
	ev := mustEval(t, s, []Line{ln("a", "boot", 1, "100.00"), ln("b", "hat", 1, "20.00")}, nil, webCtx(), Wallet{})
	if got := totals(ev); !maps.Equal(got, map[string]string{"a": "50.00", "b": "18.00"}) {
		t.Fatalf("totals %v", got)
	}
	if x := explanation(t, ev, "boots-only"); x.Status != Blocked || x.BlockedBy != "clearance" {
		t.Fatalf("boots-only: %+v", x)
	}
	if x := explanation(t, ev, "all10"); x.Status != Applied || x.Amount.Amount() != "2.00" {
		t.Fatalf("all10: %+v", x)
	}
}

func TestBestOf(t *testing.T) {
	mk := func(id string, prio int64, amount string) Promotion {
		return Promotion{ID: id, Lane: Basket, Priority: prio, BestOfGroup: "g",
			Effect: Effect{Kind: BasketAmountOff, Amount: eur(amount), Target: all()}}
	}
	pctOff := Promotion{ID: "pct", Lane: Basket, BestOfGroup: "g", Effect: Effect{Kind: BasketPercentOff, Percent: pct("20"), Target: all()}}
	other := Promotion{ID: "other", Lane: Basket, Priority: 3, Effect: Effect{Kind: BasketAmountOff, Amount: eur("2.00"), Target: all()}}
	lines := []Line{ln("a", "x", 1, "30.00")}

	s := mustCompile(t, mk("five", 5, "5.00"), pctOff, mk("seven", 1, "7.00"), other)
	ev := mustEval(t, s, lines, nil, webCtx(), Wallet{})
	// Alone on 30.00: five 5.00, pct 6.00, seven 7.00 → seven wins; it
	// applies at its place (after "other"): 30 − 2 − 7 = 21.
	if got := totals(ev); got["a"] != "21.00" {
		t.Fatalf("totals %v", got)
	}
	for _, id := range []string{"five", "pct"} {
		if x := explanation(t, ev, id); x.Status != Blocked || x.Reason != ReasonBestOfLost || x.BlockedBy != "seven" {
			t.Fatalf("%s: %+v", id, x)
		}
	}
	// Ties go to the earlier member in the lane order (priority, then ID).
	s = mustCompile(t, mk("b", 0, "6.00"), mk("a", 0, "6.00"), pctOff)
	ev = mustEval(t, s, lines, nil, webCtx(), Wallet{})
	if explanation(t, ev, "a").Status != Applied || explanation(t, ev, "b").BlockedBy != "a" || explanation(t, ev, "pct").BlockedBy != "a" {
		t.Fatalf("tie: %+v", ev.Explanations)
	}
	// A member out of its window is not applicable and does not compete.
	late := mk("late", 9, "20.00")
	late.StartsAt = asOf().Add(time.Hour)
	s = mustCompile(t, late, mk("five", 5, "5.00"))
	ev = mustEval(t, s, lines, nil, webCtx(), Wallet{})
	if x := explanation(t, ev, "late"); x.Status != NotApplicable || x.Reason != ReasonNotStarted {
		t.Fatalf("late: %+v", x)
	}
	if explanation(t, ev, "five").Status != Applied {
		t.Fatalf("five: %+v", ev.Explanations)
	}
}

func TestExplanationsAndGaps(t *testing.T) {
	ctx := storeCtx()
	promos := []Promotion{
		{ID: "web", Name: "web deal", Lane: Catalogue, Channels: []string{"web-fr"}, Coupon: "WEB5", Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "lyon", Lane: Catalogue, Locations: []string{"lyon-01"}, Coupon: "LYON", Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "vip", Lane: Catalogue, CustomerGroups: []string{"vip"}, Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "old", Lane: Catalogue, EndsAt: asOf(), Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "soon", Lane: Catalogue, StartsAt: asOf().Add(time.Nanosecond), Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "usd", Lane: Basket, Effect: Effect{Kind: BasketAmountOff, Amount: pricing.MustParse("5.00", "USD"), Target: all()}},
		{ID: "code", Lane: Basket, Coupon: "SPRING", Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: cats("shoes")}},
		// A basket-wide code the shopper does not hold is not examined: at a
		// retailer with thousands of codes, every basket would list them all.
		{ID: "wide-code", Lane: Basket, Coupon: "EVERYTHING", Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}},
		{ID: "gold", Lane: Basket, LoyaltyTiers: []string{"gold", "platinum"}, Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}},
		{ID: "spend", Name: "10 % off", Lane: Basket, MinSubtotal: eur("100.00"), Effect: Effect{Kind: BasketPercentOff, Percent: pct("10"), Target: all()}},
		{ID: "shoes2", Name: "5.00 off", Lane: Basket, MinQuantity: 2, QuantityTarget: cats("shoes"), Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}},
		{ID: "b2g1", Lane: Basket, Effect: Effect{Kind: BuyXGetY, Buy: 2, Get: 1, Percent: pct("100"), Target: skus("sock")}},
		{ID: "bags", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: cats("bags")}, MinQuantity: 1, QuantityTarget: cats("shoes")},
		{ID: "budget", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("5"), Target: all()}},
		{ID: "ship", Lane: Fulfilment, Effect: Effect{Kind: FeeDiscount, Percent: pct("100")}},
		{ID: "elsewhere", Lane: Catalogue, Channels: []string{"web-de"}, Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}},
		{ID: "not-in-basket", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("5"), Target: skus("tent")}},
	}
	s := mustCompile(t, promos...)
	lines := []Line{ln("a", "boot", 1, "88.00", "shoes"), ln("b", "sock", 1, "5.00", "textile")}
	ev, err := s.EvaluateWith(lines, nil, ctx, Wallet{Coupons: []string{"web5", "LYON"}, LoyaltyTier: "silver"}, Options{Exhausted: []string{"budget"}})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, ev)
	want := map[string]struct {
		status Status
		reason Reason
		msg    string
	}{
		"web":    {NotApplicable, ReasonWrongChannel, "web deal is not offered in this channel (store-paris)"},
		"lyon":   {NotApplicable, ReasonWrongLocation, "lyon is not offered at this location (paris-01)"},
		"vip":    {NotApplicable, ReasonCustomerGroup, "vip is reserved for other customer groups"},
		"old":    {NotApplicable, ReasonExpired, "old ended on 2026-06-01T10:00:00Z"},
		"soon":   {NotApplicable, ReasonNotStarted, "soon starts on 2026-06-01T10:00:00Z"},
		"usd":    {NotApplicable, ReasonCurrency, "usd is priced in USD, not EUR"},
		"code":   {NotApplicable, ReasonMissingCoupon, "code needs the code SPRING"},
		"gold":   {NotApplicable, ReasonLoyaltyTier, "gold needs loyalty tier gold or platinum"},
		"spend":  {NotApplicable, ReasonMinSubtotal, "add 7.00 EUR more to get 10 % off"},
		"shoes2": {NotApplicable, ReasonMinQuantity, "add 1 more item of category shoes to get 5.00 off"},
		"b2g1":   {NotApplicable, ReasonMinQuantity, "add 2 more items of SKU sock to get b2g1"},
		"bags":   {NotApplicable, ReasonNoTarget, "bags needs an eligible item in the basket"},
		"budget": {NotApplicable, ReasonLimitReached, "budget has reached its limit"},
		"ship":   {NotApplicable, ReasonNoTarget, "ship needs an eligible fulfilment fee"},
	}
	if len(ev.Explanations) != len(want) {
		t.Errorf("%d explanations, want %d (not examined: elsewhere, not-in-basket, wide-code)", len(ev.Explanations), len(want))
	}
	for id, w := range want {
		x := explanation(t, ev, id)
		if x.Status != w.status || x.Reason != w.reason || x.Message != w.msg {
			t.Errorf("%s: %s %s %q, want %s %s %q", id, x.Status, x.Reason, x.Message, w.status, w.reason, w.msg)
		}
	}
	if g := explanation(t, ev, "spend").Gap; g == nil || g.Amount.Amount() != "7.00" {
		t.Errorf("spend gap %+v", g)
	}
	if g := explanation(t, ev, "shoes2").Gap; g == nil || g.Quantity != 1 || g.Category != "shoes" {
		t.Errorf("shoes2 gap %+v", g)
	}
	if hasExplanation(ev, "elsewhere") || hasExplanation(ev, "not-in-basket") {
		t.Errorf("out-of-scope promotions explained")
	}
}

func TestCoupons(t *testing.T) {
	s := mustCompile(t,
		Promotion{ID: "c-applied", Lane: Basket, Coupon: "save5", Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}},
		Promotion{ID: "c-web", Lane: Basket, Coupon: "WEBONLY", Kinds: []channel.Kind{channel.Web}, Effect: Effect{Kind: BasketAmountOff, Amount: eur("5.00"), Target: all()}},
		Promotion{ID: "c-unmet", Lane: Basket, Coupon: "BIG", MinSubtotal: eur("500.00"), Effect: Effect{Kind: BasketAmountOff, Amount: eur("50.00"), Target: all()}},
		Promotion{ID: "excl", Lane: Basket, Priority: 10, Exclusive: true, Coupon: "STAFF", Effect: Effect{Kind: BasketPercentOff, Percent: pct("30"), Target: all()}},
		Promotion{ID: "c-blocked", Lane: Basket, Coupon: "LATE", Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}},
		// One code, two promotions: one here, one web-only.
		Promotion{ID: "multi-store", Lane: Basket, Coupon: "MULTI", Kinds: []channel.Kind{channel.Store}, Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}},
		Promotion{ID: "multi-web", Lane: Basket, Coupon: "MULTI", Kinds: []channel.Kind{channel.Web}, Effect: Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}},
	)
	wallet := Wallet{Coupons: []string{" Save5 ", "webonly", "big", "nope", "save5", "late", "multi"}}
	keep := slices_clone(wallet.Coupons)
	lines := []Line{ln("a", "x", 1, "100.00")}

	ev := mustEval(t, s, lines, nil, storeCtx(), wallet)
	got := map[string]CouponStatus{}
	for _, c := range ev.Coupons {
		got[c.Code] = c.Status
	}
	want := map[string]CouponStatus{"SAVE5": CouponApplied, "WEBONLY": CouponNotHonouredHere, "BIG": CouponConditionUnmet,
		"NOPE": CouponUnknown, "LATE": CouponApplied, "MULTI": CouponApplied}
	if !maps.Equal(got, want) {
		t.Fatalf("coupons %v, want %v", got, want)
	}
	if !reflect.DeepEqual(wallet.Coupons, keep) {
		t.Fatalf("wallet changed: %v", wallet.Coupons)
	}
	for _, c := range ev.Coupons {
		switch c.Code {
		case "WEBONLY":
			if c.Reason != ReasonWrongChannel || !strings.Contains(c.Message, "stays in the wallet") {
				t.Errorf("WEBONLY: %+v", c)
			}
		case "MULTI":
			if !reflect.DeepEqual(c.PromotionIDs, []string{"multi-store", "multi-web"}) {
				t.Errorf("MULTI: %+v", c)
			}
		}
	}
	// Same wallet on the web: WEBONLY applies. Then with the staff code the
	// exclusive promotion blocks the later ones.
	ev = mustEval(t, s, lines, nil, webCtx(), Wallet{Coupons: append(slices_clone(wallet.Coupons), "staff")})
	got = map[string]CouponStatus{}
	for _, c := range ev.Coupons {
		got[c.Code] = c.Status
	}
	want = map[string]CouponStatus{"SAVE5": CouponBlocked, "WEBONLY": CouponBlocked, "BIG": CouponConditionUnmet,
		"NOPE": CouponUnknown, "LATE": CouponBlocked, "MULTI": CouponBlocked, "STAFF": CouponApplied}
	if !maps.Equal(got, want) {
		t.Fatalf("coupons %v, want %v", got, want)
	}
}

func slices_clone(xs []string) []string { return append([]string(nil), xs...) }

func TestCompileErrors(t *testing.T) {
	ok := func() Promotion {
		return Promotion{ID: "p", Lane: Basket, Effect: Effect{Kind: BasketPercentOff, Percent: pct("10"), Target: all()}}
	}
	tests := []struct {
		name   string
		mutate func(*Promotion)
		field  string
		cause  error
	}{
		{"percent above 100", func(p *Promotion) { p.Effect.Percent = pct("100.01") }, "Effect.Percent", nil},
		{"zero percent", func(p *Promotion) { p.Effect.Percent = pricing.Rate{} }, "Effect.Percent", nil},
		{"negative amount", func(p *Promotion) {
			p.Effect = Effect{Kind: AmountOff, Amount: eur("-1.00"), Target: all()}
		}, "Effect.Amount", nil},
		{"amount without currency", func(p *Promotion) { p.Effect = Effect{Kind: AmountOff, Target: all()} }, "Effect.Amount", nil},
		{"empty target", func(p *Promotion) { p.Effect.Target = Target{} }, "Effect.Target", nil},
		{"all with SKUs", func(p *Promotion) { p.Effect.Target = Target{All: true, SKUs: []string{"x"}} }, "Effect.Target", nil},
		{"empty ID", func(p *Promotion) { p.ID = "" }, "ID", nil},
		{"no lane", func(p *Promotion) { p.Lane = 0 }, "Lane", nil},
		{"fee effect in basket lane", func(p *Promotion) { p.Effect = Effect{Kind: FeeDiscount, Percent: pct("100")} }, "Lane", nil},
		{"bundle in catalogue", func(p *Promotion) {
			p.Lane = Catalogue
			p.Effect = Effect{Kind: BundlePrice, Amount: eur("1.00"), Components: []Component{{Target: all(), Quantity: 1}}}
		}, "Lane", nil},
		{"mixed currencies", func(p *Promotion) {
			p.MinSubtotal = pricing.MustParse("10.00", "USD")
			p.Effect = Effect{Kind: BasketAmountOff, Amount: eur("1.00"), Target: all()}
		}, "Effect.Amount", pricing.ErrCurrencyMismatch},
		{"window", func(p *Promotion) { p.StartsAt, p.EndsAt = asOf(), asOf() }, "EndsAt", nil},
		{"buy zero", func(p *Promotion) {
			p.Effect = Effect{Kind: BuyXGetY, Get: 1, Percent: pct("100"), Target: all()}
		}, "Effect.Buy", nil},
		{"component quantity", func(p *Promotion) {
			p.Effect = Effect{Kind: BundlePrice, Amount: eur("1.00"), Components: []Component{{Target: all()}}}
		}, "Effect.Components[0].Quantity", nil},
		{"tier with both", func(p *Promotion) {
			p.Effect = Effect{Kind: Tiered, Target: all(), Tiers: []Tier{{Threshold: eur("1.00"), Amount: eur("1.00"), Percent: pct("1")}}}
		}, "Effect.Tiers[0]", nil},
		{"unused parameter", func(p *Promotion) { p.Effect.Buy = 2 }, "Effect.Buy", nil},
		{"quantity target without quantity", func(p *Promotion) { p.QuantityTarget = all() }, "QuantityTarget", nil},
		{"min quantity without target", func(p *Promotion) { p.MinQuantity = 2 }, "QuantityTarget", nil},
		{"empty channel", func(p *Promotion) { p.Channels = []string{""} }, "Channels", nil},
		{"blank coupon", func(p *Promotion) { p.Coupon = "  " }, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := ok()
			tt.mutate(&p)
			s, err := Compile([]Promotion{p})
			if tt.field == "" {
				// A blank coupon normalises to "no coupon": valid.
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if s != nil || !errors.Is(err, ErrInvalid) {
				t.Fatalf("Compile = %v, %v", s, err)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.PromotionID != p.ID || ve.Field != tt.field {
				t.Fatalf("error %v: want field %q", err, tt.field)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("error %v does not match %v", err, tt.cause)
			}
		})
	}
	// Duplicates and groups across lanes are set-level errors.
	a, b := ok(), ok()
	if _, err := Compile([]Promotion{a, b}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "duplicate") {
		t.Fatalf("duplicate: %v", err)
	}
	b.ID, a.BestOfGroup, b.BestOfGroup = "q", "g", "g"
	b.Lane, b.Effect = Catalogue, Effect{Kind: PercentOff, Percent: pct("5"), Target: all()}
	if _, err := Compile([]Promotion{a, b}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "mixes lanes") {
		t.Fatalf("group: %v", err)
	}
	var big []Promotion
	for i := range MaxBestOfGroup + 1 {
		p := ok()
		p.ID, p.BestOfGroup = string(rune('A'+i%26))+strings.Repeat("x", i/26+1), "g"
		big = append(big, p)
	}
	if _, err := Compile(big); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("big group: %v", err)
	}
}

func TestCompileCopiesInput(t *testing.T) {
	ps := []Promotion{{ID: "p", Lane: Catalogue, Channels: []string{"web-fr"}, Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: skus("x")}}}
	s := mustCompile(t, ps...)
	lines := []Line{ln("a", "x", 1, "10.00")}
	before := mustJSON(t, mustEval(t, s, lines, nil, webCtx(), Wallet{}))
	ps[0].Channels[0] = "elsewhere"
	ps[0].Effect.Target.SKUs[0] = "y"
	ps[0].Effect.Percent = pct("90")
	if after := mustJSON(t, mustEval(t, s, lines, nil, webCtx(), Wallet{})); after != before {
		t.Fatalf("set changed with its input:\n%s\n%s", before, after)
	}
	got, ok := s.Promotion("p")
	if !ok || got.Channels[0] != "web-fr" {
		t.Fatalf("Promotion(p) = %+v", got)
	}
	got.Channels[0] = "zzz"
	if again, _ := s.Promotion("p"); again.Channels[0] != "web-fr" {
		t.Fatalf("Promotion returns shared slices")
	}
	if s.Len() != 1 || (*Set)(nil).Len() != 0 {
		t.Fatalf("Len")
	}
}

func TestEvaluateInputErrors(t *testing.T) {
	s := mustCompile(t)
	ctx := webCtx()
	tests := []struct {
		name  string
		lines []Line
		fees  []Fee
		ctx   func(*channel.Context)
		field string
		cause error
	}{
		{"duplicate line", []Line{ln("a", "x", 1, "1.00"), ln("a", "y", 1, "1.00")}, nil, nil, "lines[1].ID", nil},
		{"zero quantity", []Line{ln("a", "x", 0, "1.00")}, nil, nil, "lines[0].Quantity", nil},
		{"currency", []Line{{ID: "a", SKU: "x", Quantity: 1, UnitPrice: pricing.MustParse("1", "JPY")}}, nil, nil, "lines[0].UnitPrice", pricing.ErrCurrencyMismatch},
		{"negative", []Line{ln("a", "x", 1, "-1.00")}, nil, nil, "lines[0].UnitPrice", nil},
		{"overflow", []Line{{ID: "a", SKU: "x", Quantity: 1 << 62, UnitPrice: eur("100.00")}}, nil, nil, "lines[0].Quantity", pricing.ErrOverflow},
		{"fee mode", nil, []Fee{{ID: "f", Amount: eur("1.00")}}, nil, "fees[0].Mode", nil},
		{"ctx currency", nil, nil, func(c *channel.Context) { c.Currency = "XXX" }, "ctx.Currency", pricing.ErrUnknownCurrency},
		{"ctx as-of", nil, nil, func(c *channel.Context) { c.AsOf = time.Time{} }, "ctx.AsOf", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ctx
			if tt.ctx != nil {
				tt.ctx(&c)
			}
			_, err := s.Evaluate(tt.lines, tt.fees, c, Wallet{})
			var ie *InputError
			if !errors.Is(err, ErrInvalid) || !errors.As(err, &ie) || ie.Field != tt.field {
				t.Fatalf("err = %v, want field %s", err, tt.field)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("err = %v, want cause %v", err, tt.cause)
			}
		})
	}
	// A nil set is an empty set.
	ev, err := (*Set)(nil).Evaluate([]Line{ln("a", "x", 2, "1.50")}, nil, ctx, Wallet{Coupons: []string{"x"}})
	if err != nil || ev.Total.Amount() != "3.00" || ev.Coupons[0].Status != CouponUnknown {
		t.Fatalf("nil set: %+v %v", ev, err)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	promos, lines, ctx, w := benchData(50, 20)
	s := mustCompile(t, promos...)
	want := mustJSON(t, mustEval(t, s, lines, nil, ctx, w))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				ev, err := s.Evaluate(lines, nil, ctx, w)
				if err != nil {
					t.Error(err)
					return
				}
				if got := mustJSON(t, ev); got != want {
					t.Error("concurrent result differs")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestOtherExponents(t *testing.T) {
	jpy := func(s string) pricing.Money { return pricing.MustParse(s, "JPY") }
	kwd := func(s string) pricing.Money { return pricing.MustParse(s, "KWD") }
	s := mustCompile(t,
		Promotion{ID: "pct", Lane: Catalogue, Effect: Effect{Kind: PercentOff, Percent: pct("10"), Target: all()}},
		Promotion{ID: "jpy", Lane: Basket, MinSubtotal: jpy("2000"), Effect: Effect{Kind: BasketAmountOff, Amount: jpy("100"), Target: all()}},
		Promotion{ID: "kwd", Lane: Basket, MinSubtotal: kwd("2.000"), Effect: Effect{Kind: BasketAmountOff, Amount: kwd("0.100"), Target: all()}},
	)
	ctx := webCtx()
	ctx.Currency = "JPY"
	// 10 % of ¥1005 = 100.5 → 100 (half-even); subtotal after it 905 → 1095 missing.
	ev := mustEval(t, s, []Line{{ID: "a", SKU: "x", Quantity: 1, UnitPrice: jpy("1005")}}, nil, ctx, Wallet{})
	// The KWD threshold is never met in JPY: omitted, not explained.
	if ev.Total.Amount() != "905" || explanation(t, ev, "jpy").Message != "add 1095 JPY more to get jpy" || hasExplanation(ev, "kwd") || ev.Omitted != 1 {
		t.Fatalf("JPY: %s %+v", ev.Total, ev.Explanations)
	}
	ctx.Currency = "KWD"
	ev = mustEval(t, s, []Line{{ID: "a", SKU: "x", Quantity: 1, UnitPrice: kwd("0.055")}}, nil, ctx, Wallet{})
	// 10 % of 0.055 = 0.0055 → 0.006 (half-even); 2.000 − 0.049 = 1.951 missing.
	if ev.Total.Amount() != "0.049" || explanation(t, ev, "kwd").Message != "add 1.951 KWD more to get kwd" || hasExplanation(ev, "jpy") || ev.Omitted != 1 {
		t.Fatalf("KWD: %s %+v", ev.Total, ev.Explanations)
	}
}

func TestPromotionFromJSON(t *testing.T) {
	const doc = `[
	  {"id": "ship", "name": "free shipping from 50", "lane": "fulfilment", "kinds": ["web", "app"],
	   "min_subtotal": {"amount": "50.00", "currency": "EUR"},
	   "effect": {"kind": "fee-discount", "percent": "1", "fee_modes": ["ship-to-address"]}},
	  {"id": "b2g1", "lane": "basket", "coupon": "toys", "starts_at": "2026-05-01T00:00:00Z", "max_applications": 2,
	   "effect": {"kind": "buy-x-get-y", "buy": 2, "get": 1, "percent": "0.5", "pick": "cheapest", "target": {"categories": ["toys"]}}}
	]`
	var ps []Promotion
	if err := json.Unmarshal([]byte(doc), &ps); err != nil {
		t.Fatal(err)
	}
	s := mustCompile(t, ps...)
	lines := []Line{ln("a", "car", 3, "20.00", "toys")}
	fees := []Fee{{ID: "f", Mode: channel.ShipToAddress, Amount: eur("4.90")}}
	ev := mustEval(t, s, lines, fees, webCtx(), Wallet{Coupons: []string{"TOYS"}})
	if got := totals(ev); !maps.Equal(got, map[string]string{"a": "50.00", "f": "0.00"}) {
		t.Fatalf("totals %v %+v", got, ev.Explanations)
	}
	var bad []Promotion
	if err := json.Unmarshal([]byte(`[{"id":"x","lane":"sideways"}]`), &bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown lane: %v", err)
	}
	// Results encode to JSON with named enums.
	if j := mustJSON(t, ev); !strings.Contains(j, `"status":"applied"`) || !strings.Contains(j, `"lane":"fulfilment"`) {
		t.Fatalf("json: %s", j)
	}
}
