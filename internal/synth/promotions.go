package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Class is the family a promotion of the synthetic mix belongs to: what it
// targets and what condition it carries. Every promotion of the mix has
// exactly one class; see [MixShares].
type Class uint8

// The classes of the mix.
const (
	SKUOffer          Class = iota + 1 // catalogue markdown on one to three SKUs
	CategoryOffer                      // catalogue offer on one category
	TargetedBasket                     // buy X get Y, bundle, "3 shirts: 10 % off shirts"
	SpendThreshold                     // basket-wide "spend X, get Y" (amount, percent or tiers)
	QuantityThreshold                  // basket-wide "buy N units, get Y %"
	FeeThreshold                       // fulfilment "free shipping from X"
	WideCoupon                         // basket-wide discount with a coupon code
	TargetedCoupon                     // SKU or category discount with a coupon code
	FeeOffer                           // fee discount without a condition (free click & collect)
	MemberOffer                        // basket-wide discount for a customer group or loyalty tier
)

// String names the class in test failures and benchmark labels.
func (c Class) String() string {
	switch c {
	case SKUOffer:
		return "sku-offer"
	case CategoryOffer:
		return "category-offer"
	case TargetedBasket:
		return "targeted-basket"
	case SpendThreshold:
		return "spend-threshold"
	case QuantityThreshold:
		return "quantity-threshold"
	case FeeThreshold:
		return "fee-threshold"
	case WideCoupon:
		return "wide-coupon"
	case TargetedCoupon:
		return "targeted-coupon"
	case FeeOffer:
		return "fee-offer"
	case MemberOffer:
		return "member-offer"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Share is a part of the mix in permille of its promotions.
type Share struct {
	Class    Class
	Permille int
}

// MixShares returns the composition of [Catalogue.Promotions] by class, in
// permille (they sum to 1,000). The counts are exact up to rounding: n
// promotions hold round(n × share) of each class (largest remainder).
//
//	class               ‰    what a retailer's calendar holds
//	sku-offer         360    markdowns and clearance prices on one or two SKUs
//	category-offer    100    "20 % off garden", mostly one store's or channel's
//	targeted-basket    80    buy X get Y, bundles, quantity offers on a category
//	spend-threshold   140    basket-wide "spend X, get Y"   ┐
//	quantity-threshold 40    basket-wide "N units, get Y %" ├ 20 % thresholds
//	fee-threshold      20    "free shipping from X"         ┘
//	wide-coupon       160    a code for the whole basket (newsletters, apologies)
//	targeted-coupon    60    a code for SKUs or a category
//	fee-offer          20    free click & collect and the like
//	member-offer       20    "members: 5 % off everything"
//
// Attributes cut across classes (exact counts too: the national core
// described at [Catalogue.Promotions] has its own, the rest are dealt to
// the other promotions):
// 8 % are reserved for a customer group, 5 % for loyalty tiers, 10 % have a
// validity window (a quarter of them not started yet) and 0.5 % are
// exclusive (clearance prices, catalogue lane only). Thresholds outside the
// core come as ladders: each is a step of a best-of group of up to
// [promotion.MaxBestOfGroup] thresholds of its lane and scope; besides
// them, 8 % of the promotions belong to a best-of group of eight members
// of one lane, so that about 28 % of the mix is in a best-of group.
func MixShares() []Share {
	return []Share{
		{SKUOffer, 360}, {CategoryOffer, 100}, {TargetedBasket, 80},
		{SpendThreshold, 140}, {QuantityThreshold, 40}, {FeeThreshold, 20},
		{WideCoupon, 160}, {TargetedCoupon, 60}, {FeeOffer, 20}, {MemberOffer, 20},
	}
}

// Attribute shares of the mix, in permille; see [MixShares].
const (
	CustomerGroupPermille = 80
	LoyaltyTierPermille   = 50
	BestOfPermille        = 80 // besides the threshold ladders
	WindowPermille        = 100
	ExclusivePermille     = 5
)

// TypicalSubtotal is the reference the thresholds of the mix are drawn
// around: about the subtotal of a synthetic 100-line store basket
// ([Catalogue.Basket] priced in [Catalogue.Context]), in EUR minor units.
const TypicalSubtotal = 3_500_000

// TypicalUnits is the number of units of a synthetic 100-line basket
// (quantities 1 to 6), the reference of the quantity thresholds.
const TypicalUnits = 350

// Threshold spread: keys are log-uniform from ThresholdLow to ThresholdHigh
// times the typical basket, so that a basket meets a few percent of the
// thresholds in its scope and misses the rest by up to three orders of
// magnitude, as a calendar accumulating campaigns for every basket size does.
const (
	ThresholdLow  = 0.8
	ThresholdHigh = 1_000.0
)

// Scopes of the mix. The synthetic store ([Catalogue.Context]) is channel
// "store-01" of kind Store at "loc-store-01"; the others are the web shop,
// the app and StoreCount stores in all.
const (
	WebChannel = "web"
	AppChannel = "app"
	StoreCount = 80
)

// Customer groups and loyalty tiers the mix reserves promotions for.
var (
	customerGroups = []string{"members", "staff", "b2b"}
	loyaltyTiers   = []string{"silver", "gold", "platinum"}
)

// Coupon codes of the national core, held by [Catalogue.Wallet].
const (
	WelcomeCoupon  = "WELCOME10" // 10 % off the whole basket
	CategoryCoupon = "SHOES15"   // 15 % off shoes
	WebOnlyCoupon  = "WEB5"      // 5.00 off, web only: kept, not honoured in a store
)

// Promotions generates the realistic seeded mix of n promotions described
// at [MixShares]: the same seed and n give the same promotions, in the
// same order, on every machine.
//
// Scopes follow how a retailer's calendar grows. A national core of 27
// promotions, the same whatever n (fewer when n is smaller), is offered
// everywhere or in every store and concerns every synthetic basket, so
// that a 100-line store basket gets applied promotions in every lane (a
// members-only threshold, a staff offer and a web-only code among them,
// which a store shopper does not get). The rest are scoped as the calendar
// of a web shop, an app and StoreCount stores is: a part national (60 % of
// the SKU offers, 40 % of the wide coupons, 12 % of the thresholds), a
// part limited to a channel kind, the rest to one channel (web 30 %, app
// 20 %, a store 50 %, with its location). Offers on a category and
// unconditional wide offers outside the core are all local: no index can leave out an offer
// that concerns a basket in its scope, and a retailer whose calendar grows
// tenfold grows it with campaigns, stores and SKUs, not with offers on
// every basket.
//
// Spend and quantity thresholds are log-uniform between ThresholdLow and
// ThresholdHigh times [TypicalSubtotal] or [TypicalUnits]; the core's are
// below a typical basket, so that they apply.
func (c *Catalogue) Promotions(seed uint64, n int) []promotion.Promotion {
	if n <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(seed, 0x9e0))
	g := mixGen{c: c, r: r, cats: Categories()}
	deck := classDeck(r, n)
	core := g.core()
	// The core takes the first member of its class in the deck; its
	// attributes are fixed, the rest draw theirs.
	ordinal := map[Class]int{}
	coreAt := make([]int, n) // index in core, or -1
	for i, k := range deck {
		coreAt[i] = -1
		j := ordinal[k]
		ordinal[k]++
		if idx := g.coreIndex(core, k, j); idx >= 0 {
			coreAt[i] = idx
		}
	}
	var body []int
	for i := range n {
		if coreAt[i] < 0 {
			body = append(body, i)
		}
	}
	out := make([]promotion.Promotion, n)
	for i, k := range deck {
		if coreAt[i] >= 0 {
			out[i] = core[coreAt[i]].p
		} else {
			out[i] = g.body(k)
		}
		out[i].ID = fmt.Sprintf("P%05d", i)
	}
	g.attributes(out, deck, body)
	return out
}

// classDeck returns n classes in random order with exact counts.
func classDeck(r *rand.Rand, n int) []Class {
	shares := MixShares()
	counts := make([]int, len(shares))
	type rest struct{ i, rem int }
	rests := make([]rest, len(shares))
	total := 0
	for i, s := range shares {
		counts[i] = n * s.Permille / 1000
		rests[i] = rest{i, n * s.Permille % 1000}
		total += counts[i]
	}
	slices.SortStableFunc(rests, func(a, b rest) int { return b.rem - a.rem })
	for j := 0; total < n; j++ {
		counts[rests[j].i]++
		total++
	}
	deck := make([]Class, 0, n)
	for i, s := range shares {
		for range counts[i] {
			deck = append(deck, s.Class)
		}
	}
	r.Shuffle(n, func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	return deck
}

type mixGen struct {
	c    *Catalogue
	r    *rand.Rand
	cats []string
}

func (g *mixGen) money(u int64) pricing.Money {
	m, err := pricing.FromMinor(u, g.c.Currency)
	if err != nil {
		panic(err)
	}
	return m
}

func percent(p int) pricing.Rate { return pricing.MustPercent(fmt.Sprint(p)) }

func (g *mixGen) sku() string { return SKU(g.r.IntN(len(g.c.Products))) }

func (g *mixGen) skus() []string {
	out := []string{g.sku()}
	if g.r.IntN(2) == 0 {
		out = append(out, g.sku())
	}
	return out
}

func (g *mixGen) cat() string { return g.cats[g.r.IntN(len(g.cats))] }

// logUniform draws from [lo, hi) with a uniform logarithm.
func (g *mixGen) logUniform(lo, hi float64) int64 {
	return int64(math.Exp(math.Log(lo) + g.r.Float64()*(math.Log(hi)-math.Log(lo))))
}

// spendKey is a spend threshold in minor units, rounded to whole euros.
func (g *mixGen) spendKey() int64 {
	return max(100, g.logUniform(ThresholdLow*TypicalSubtotal, ThresholdHigh*TypicalSubtotal)/100*100)
}

// coreEntry is a promotion of the national core and the class it counts in.
type coreEntry struct {
	class Class
	p     promotion.Promotion
}

// core returns the national core: promotions concerning every synthetic
// store basket, at least one applying in each lane.
func (g *mixGen) core() []coreEntry {
	var out []coreEntry
	add := func(k Class, p promotion.Promotion) { out = append(out, coreEntry{k, p}) }
	cat := func(i int) promotion.Target { return promotion.Target{Categories: []string{g.cats[i%len(g.cats)]}} }
	all := promotion.Target{All: true}
	store := func() []channel.Kind { return []channel.Kind{channel.Store} } // one slice per promotion
	for i := range 6 {
		add(CategoryOffer, promotion.Promotion{Lane: promotion.Catalogue, Priority: int64(i % 3),
			Effect: promotion.Effect{Kind: promotion.PercentOff, Target: cat(i), Percent: percent(5 + 5*(i%3))}})
	}
	for i := range 2 {
		add(CategoryOffer, promotion.Promotion{Lane: promotion.Catalogue, Kinds: store(),
			Effect: promotion.Effect{Kind: promotion.AmountOff, Target: cat(6 + i), Amount: g.money(200)}})
	}
	add(TargetedBasket, promotion.Promotion{Lane: promotion.Basket, BestOfGroup: "core-multibuy",
		Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: cat(1), Buy: 2, Get: 1, Percent: percent(100)}})
	add(TargetedBasket, promotion.Promotion{Lane: promotion.Basket, BestOfGroup: "core-multibuy",
		Effect: promotion.Effect{Kind: promotion.BuyXGetY, Target: cat(1), Buy: 1, Get: 1, Percent: percent(50)}})
	add(TargetedBasket, promotion.Promotion{Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.BundlePrice,
		Amount: g.money(5_000), Components: []promotion.Component{{Target: cat(3), Quantity: 1}, {Target: cat(4), Quantity: 1}}}})
	add(TargetedBasket, promotion.Promotion{Lane: promotion.Basket, MinQuantity: 3, QuantityTarget: cat(8),
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: cat(8), Percent: percent(10)}})
	// Spend thresholds below a typical basket: a tiered ladder and two
	// amounts off, one for members only.
	add(SpendThreshold, promotion.Promotion{Lane: promotion.Basket, Effect: promotion.Effect{Kind: promotion.Tiered, Target: all,
		Tiers: []promotion.Tier{{Threshold: g.money(5_000), Amount: g.money(500)}, {Threshold: g.money(20_000), Amount: g.money(2_500)}, {Threshold: g.money(100_000), Percent: percent(5)}}}})
	add(SpendThreshold, promotion.Promotion{Lane: promotion.Basket, MinSubtotal: g.money(TypicalSubtotal / 5), Kinds: store(),
		Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: g.money(10_000)}})
	add(SpendThreshold, promotion.Promotion{Lane: promotion.Basket, MinSubtotal: g.money(TypicalSubtotal / 10), CustomerGroups: []string{"members"},
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(3)}})
	add(QuantityThreshold, promotion.Promotion{Lane: promotion.Basket, MinQuantity: TypicalUnits / 5, QuantityTarget: all,
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(2)}})
	add(FeeThreshold, promotion.Promotion{Lane: promotion.Fulfilment, MinSubtotal: g.money(5_000),
		Effect: promotion.Effect{Kind: promotion.FeeDiscount, Percent: percent(100), FeeModes: []channel.FulfilmentMode{channel.ShipToAddress}}})
	add(FeeOffer, promotion.Promotion{Lane: promotion.Fulfilment, Kinds: store(),
		Effect: promotion.Effect{Kind: promotion.FeeDiscount, Amount: g.money(100), FeeModes: []channel.FulfilmentMode{channel.Transfer}}})
	add(MemberOffer, promotion.Promotion{Lane: promotion.Basket, LoyaltyTiers: []string{"gold", "platinum"},
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(5)}})
	add(MemberOffer, promotion.Promotion{Lane: promotion.Basket, CustomerGroups: []string{"staff"},
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(15)}})
	add(WideCoupon, promotion.Promotion{Lane: promotion.Basket, Coupon: WelcomeCoupon,
		Effect: promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(10)}})
	add(WideCoupon, promotion.Promotion{Lane: promotion.Basket, Coupon: WebOnlyCoupon, Kinds: []channel.Kind{channel.Web, channel.App},
		Effect: promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: g.money(500)}})
	add(TargetedCoupon, promotion.Promotion{Lane: promotion.Catalogue, Coupon: CategoryCoupon,
		Effect: promotion.Effect{Kind: promotion.PercentOff, Target: cat(0), Percent: percent(15)}})
	for range 4 { // national markdowns; they concern a basket only by chance
		add(SKUOffer, promotion.Promotion{Lane: promotion.Catalogue, Effect: promotion.Effect{Kind: promotion.PercentOff,
			Target: promotion.Target{SKUs: g.skus()}, Percent: percent(10 + 10*g.r.IntN(4))}})
	}
	return out
}

// coreIndex returns the index in core of the j-th member of class k, or -1
// when that member belongs to the body.
func (g *mixGen) coreIndex(core []coreEntry, k Class, j int) int {
	for i := range core {
		if core[i].class != k {
			continue
		}
		if j == 0 {
			return i
		}
		j--
	}
	return -1
}

// scope is where a body promotion is offered.
type scope uint8

const (
	national scope = iota
	byKind
	byChannel
)

// place sets p's scope: national with probability nat‰, limited to a
// channel kind with probability kind‰, else to one channel: the web shop
// (30 %), the app (20 %) or one of the StoreCount stores (50 %, the
// store's channel with its location).
func (g *mixGen) place(p *promotion.Promotion, nat, kind int) scope {
	switch x := g.r.IntN(1000); {
	case x < nat:
		return national
	case x < nat+kind:
		p.Kinds = []channel.Kind{[]channel.Kind{channel.Web, channel.App, channel.Store}[g.r.IntN(3)]}
		return byKind
	}
	switch x := g.r.IntN(10); {
	case x < 3:
		p.Channels = []string{WebChannel}
	case x < 5:
		p.Channels = []string{AppChannel}
	default:
		i := 1 + g.r.IntN(StoreCount)
		p.Channels = []string{fmt.Sprintf("store-%02d", i)}
		p.Locations = []string{fmt.Sprintf("loc-store-%02d", i)}
	}
	return byChannel
}

// body returns a promotion of class k outside the core.
func (g *mixGen) body(k Class) promotion.Promotion {
	r := g.r
	all := promotion.Target{All: true}
	p := promotion.Promotion{Priority: int64(r.IntN(5))}
	switch k {
	case SKUOffer:
		p.Lane = promotion.Catalogue
		g.place(&p, 600, 200)
		t := promotion.Target{SKUs: g.skus()}
		switch r.IntN(3) {
		case 0:
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: t, Percent: percent(5 * (1 + r.IntN(10)))}
		case 1:
			p.Effect = promotion.Effect{Kind: promotion.AmountOff, Target: t, Amount: g.money(50 * (1 + r.Int64N(40)))}
		default:
			p.Effect = promotion.Effect{Kind: promotion.FixedPrice, Target: t, Amount: g.money(99 + 100*r.Int64N(100))}
		}
	case CategoryOffer:
		p.Lane = promotion.Catalogue
		g.place(&p, 0, 0)
		t := promotion.Target{Categories: []string{g.cat()}}
		if r.IntN(2) == 0 {
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: t, Percent: percent(5 * (1 + r.IntN(6)))}
		} else {
			p.Effect = promotion.Effect{Kind: promotion.AmountOff, Target: t, Amount: g.money(100 * (1 + r.Int64N(10)))}
		}
	case TargetedBasket:
		p.Lane = promotion.Basket
		// Two in three on SKUs, national or by kind like any markdown; the
		// others on a category, local.
		bySKU := r.IntN(3) > 0
		t := promotion.Target{Categories: []string{g.cat()}}
		if bySKU {
			g.place(&p, 600, 200)
			t = promotion.Target{SKUs: g.skus()}
		} else {
			g.place(&p, 0, 0)
		}
		switch r.IntN(3) {
		case 0:
			p.Effect = promotion.Effect{Kind: promotion.BuyXGetY, Target: t, Buy: 1 + r.Int64N(3), Get: 1, Percent: percent([]int{50, 100}[r.IntN(2)])}
		case 1:
			t2 := promotion.Target{Categories: []string{g.cat()}}
			if bySKU {
				t2 = promotion.Target{SKUs: g.skus()}
			}
			p.Effect = promotion.Effect{Kind: promotion.BundlePrice, Amount: g.money(1_000 + 500*r.Int64N(20)),
				Components: []promotion.Component{{Target: t, Quantity: 1}, {Target: t2, Quantity: 1}}}
		default:
			p.MinQuantity, p.QuantityTarget = 2+r.Int64N(4), t
			p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: t, Percent: percent(5 * (1 + r.IntN(4)))}
		}
	case SpendThreshold:
		p.Lane = promotion.Basket
		g.place(&p, 120, 100)
		key := g.spendKey()
		switch r.IntN(3) {
		case 0:
			p.MinSubtotal = g.money(key)
			p.Effect = promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: g.money(max(100, key/2_000*100))}
		case 1:
			p.MinSubtotal = g.money(key)
			p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(2 + r.IntN(9))}
		default:
			p.Effect = promotion.Effect{Kind: promotion.Tiered, Target: all, Tiers: []promotion.Tier{
				{Threshold: g.money(key), Amount: g.money(max(100, key/2_000*100))},
				{Threshold: g.money(key * 2), Amount: g.money(max(100, key/500*100))},
				{Threshold: g.money(key * 4), Percent: percent(10)}}}
		}
	case QuantityThreshold:
		p.Lane = promotion.Basket
		g.place(&p, 120, 100)
		p.MinQuantity = max(1, g.logUniform(ThresholdLow*TypicalUnits, ThresholdHigh*TypicalUnits))
		p.QuantityTarget = all
		p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(2 + r.IntN(5))}
	case FeeThreshold:
		p.Lane = promotion.Fulfilment
		g.place(&p, 120, 100)
		p.MinSubtotal = g.money(g.spendKey())
		p.Effect = g.feeEffect()
	case WideCoupon:
		p.Lane = promotion.Basket
		g.place(&p, 400, 300)
		p.Coupon = fmt.Sprintf("C%06d", r.IntN(1_000_000))
		if r.IntN(2) == 0 {
			p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(5 * (1 + r.IntN(4)))}
		} else {
			p.Effect = promotion.Effect{Kind: promotion.BasketAmountOff, Target: all, Amount: g.money(500 * (1 + r.Int64N(10)))}
		}
	case TargetedCoupon:
		p.Coupon = fmt.Sprintf("T%06d", r.IntN(1_000_000))
		if r.IntN(5) > 0 {
			g.place(&p, 500, 200)
			p.Lane = promotion.Catalogue
			p.Effect = promotion.Effect{Kind: promotion.PercentOff, Target: promotion.Target{SKUs: g.skus()}, Percent: percent(5 * (1 + r.IntN(6)))}
		} else {
			g.place(&p, 0, 0)
			p.Lane = promotion.Basket
			p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: promotion.Target{Categories: []string{g.cat()}}, Percent: percent(5 * (1 + r.IntN(4)))}
		}
	case FeeOffer:
		p.Lane = promotion.Fulfilment
		g.place(&p, 0, 0)
		p.Effect = g.feeEffect()
	case MemberOffer:
		p.Lane = promotion.Basket
		g.place(&p, 0, 0)
		p.Effect = promotion.Effect{Kind: promotion.BasketPercentOff, Target: all, Percent: percent(2 + r.IntN(9))}
		// The group or tier comes with the attributes; make sure it has one.
		if r.IntN(2) == 0 {
			p.CustomerGroups = []string{customerGroups[r.IntN(len(customerGroups))]}
		} else {
			p.LoyaltyTiers = []string{loyaltyTiers[r.IntN(len(loyaltyTiers))]}
		}
	}
	return p
}

func (g *mixGen) feeEffect() promotion.Effect {
	modes := []channel.FulfilmentMode{channel.ShipToAddress, channel.ClickCollect, channel.Transfer, channel.ShipFromStore}
	e := promotion.Effect{Kind: promotion.FeeDiscount, FeeModes: []channel.FulfilmentMode{modes[g.r.IntN(len(modes))]}}
	if g.r.IntN(2) == 0 {
		e.Percent = percent(100)
	} else {
		e.Amount = g.money(100 * (1 + g.r.Int64N(5)))
	}
	return e
}

// attributes deals the cross-class attributes to the body promotions
// (indexes into out), exact counts of n each.
func (g *mixGen) attributes(out []promotion.Promotion, deck []Class, body []int) {
	n := len(out)
	r := g.r
	// pick draws round(n × permille / 1000) − have body promotions that
	// satisfy ok.
	pick := func(permille, have int, ok func(i int) bool) []int {
		want := (n*permille+500)/1000 - have
		var got []int
		for _, j := range r.Perm(len(body)) {
			if len(got) >= want {
				break
			}
			if i := body[j]; ok(i) {
				got = append(got, i)
			}
		}
		slices.Sort(got)
		return got
	}
	count := func(f func(p *promotion.Promotion) bool) int {
		c := 0
		for i := range out {
			if f(&out[i]) {
				c++
			}
		}
		return c
	}
	hasGroup := func(p *promotion.Promotion) bool { return len(p.CustomerGroups) > 0 }
	hasTier := func(p *promotion.Promotion) bool { return len(p.LoyaltyTiers) > 0 }
	plain := func(i int) bool { return !hasGroup(&out[i]) && !hasTier(&out[i]) }
	// The core and the member offers carry a group or a tier already.
	for _, i := range pick(CustomerGroupPermille, count(hasGroup), plain) {
		out[i].CustomerGroups = []string{customerGroups[r.IntN(len(customerGroups))]}
	}
	for _, i := range pick(LoyaltyTierPermille, count(hasTier), plain) {
		out[i].LoyaltyTiers = slices.Clone(loyaltyTiers[r.IntN(len(loyaltyTiers)):])
	}
	// Thresholds come as ladders ("spend 50, get 5; spend 100, get 15"):
	// outside the core, every threshold is a step of a best-of group of up
	// to promotion.MaxBestOfGroup thresholds of its lane and scope, so that
	// a large basket meeting many of them gets the best step of each
	// ladder, not all of them.
	steps := map[string]int{}
	for _, i := range body {
		if k := deck[i]; k != SpendThreshold && k != QuantityThreshold && k != FeeThreshold {
			continue
		}
		p := &out[i]
		scope := "national"
		switch {
		case len(p.Channels) > 0:
			scope = p.Channels[0]
		case len(p.Kinds) > 0:
			scope = p.Kinds[0].String()
		}
		key := fmt.Sprintf("ladder-%s-%s", p.Lane, scope)
		p.BestOfGroup = fmt.Sprintf("%s-%03d", key, steps[key]/promotion.MaxBestOfGroup)
		steps[key]++
	}
	// Other best-of groups: eight members of one lane each.
	members := map[promotion.Lane]int{}
	grouped := count(func(p *promotion.Promotion) bool {
		return p.BestOfGroup != "" && !strings.HasPrefix(p.BestOfGroup, "ladder-")
	})
	for _, i := range pick(BestOfPermille, grouped, func(i int) bool { return out[i].BestOfGroup == "" }) {
		l := out[i].Lane
		out[i].BestOfGroup = fmt.Sprintf("best-%s-%03d", l, members[l]/8)
		members[l]++
	}
	asOf := AsOf()
	for k, i := range pick(WindowPermille, 0, func(int) bool { return true }) {
		days := time.Duration(1+r.IntN(60)) * 24 * time.Hour
		if k%4 == 3 { // an upcoming campaign
			out[i].StartsAt = asOf.Add(days)
		} else {
			out[i].StartsAt = asOf.Add(-days)
		}
		from := out[i].StartsAt
		if from.Before(asOf) {
			from = asOf // still running at AsOf
		}
		out[i].EndsAt = from.Add(time.Duration(1+r.IntN(60)) * 24 * time.Hour)
	}
	for _, i := range pick(ExclusivePermille, 0, func(i int) bool { return deck[i] == SKUOffer }) {
		out[i].Exclusive = true
	}
}

// Locations returns n stock locations: the synthetic store first, then
// neighbouring stores, and a warehouse last.
func (c *Catalogue) Locations(n int) []stock.Location {
	out := make([]stock.Location, n)
	for i := range out {
		out[i] = stock.Location{ID: fmt.Sprintf("loc-store-%02d", i+1), Kind: stock.Store,
			Modes:     []channel.FulfilmentMode{channel.CarryOut, channel.ClickCollect, channel.Transfer, channel.ShipFromStore},
			LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.Transfer: 24 * time.Hour}}
	}
	out[n-1] = stock.Location{ID: "loc-warehouse", Kind: stock.Warehouse,
		Modes:     []channel.FulfilmentMode{channel.ShipToAddress, channel.Transfer},
		LeadTimes: map[channel.FulfilmentMode]time.Duration{channel.ShipToAddress: 48 * time.Hour}}
	return out
}

// Stock returns levels for the lines' SKUs at every location: the store
// is short on about one line in ten, the neighbours and warehouse cover it.
func Stock(seed uint64, lines []Line, locations []stock.Location) []stock.Level {
	r := rand.New(rand.NewPCG(seed, 0x570c))
	var out []stock.Level
	for _, l := range lines {
		for i, loc := range locations {
			on := l.Quantity + int64(r.IntN(10))
			if i == 0 && r.IntN(10) == 0 {
				on = l.Quantity / 2
			}
			out = append(out, stock.Level{SKU: l.Product.SKU, LocationID: loc.ID, OnHand: on})
		}
	}
	return out
}
