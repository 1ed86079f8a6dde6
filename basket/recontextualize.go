package basket

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
	"github.com/omnibasket/omnibasket/stock"
)

// Policy says which unit price carried-over lines get in the target.
type Policy uint8

// The transition policies. A quote whose lock has not expired keeps its
// prices under either policy.
const (
	// TargetPrice charges the target channel's price (the default).
	TargetPrice Policy = iota
	// PriceProtection charges the lower of the carried and the target unit
	// price, so a shopper never pays more per unit after a check-in.
	// Promotions are still those of the target channel. A carried price is
	// only valid for the quantity it was granted at: it is protected only
	// while the SKU's quantity (merged over the basket's lines, as tiers are
	// computed) is at least the tier threshold of the price list entry it
	// came from ([PricedLine.GrantedQuantity]), so a volume-tier price does
	// not survive the volume going away. A price
	// that was only charged because a quote locked it is not protected
	// either: reopening or expiry ends the lock under both policies. Nor
	// is a price an associate set ([SetPrice]): an override lasts as its
	// own policy says ([OverrideCarry]), not beyond.
	PriceProtection
)

// String names the policy.
func (p Policy) String() string {
	switch p {
	case TargetPrice:
		return "target-price"
	case PriceProtection:
		return "price-protection"
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// MarshalText encodes the policy by name.
func (p Policy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes a policy by name.
func (p *Policy) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, TargetPrice, PriceProtection, "Policy")
	if err == nil {
		*p = v
	}
	return err
}

// FeeRule is a fulfilment fee of the target channel: charged once per
// basket when at least one line is fulfilled in Mode.
type FeeRule struct {
	Mode        channel.FulfilmentMode `json:"mode"`
	Amount      pricing.Money          `json:"amount"`
	TaxCategory string                 `json:"tax_category"`
}

// Snapshot is all the data one pricing needs, gathered beforehand (the
// Service does it in one batched call per provider). Recontextualize reads
// nothing else.
type Snapshot struct {
	Prices     *pricing.PriceBook
	Promotions *promotion.Set // nil: no promotions
	Tax        *pricing.TaxTable
	Stock      stock.Levels
	Locations  []stock.Location
	Fees       []FeeRule
	// Holds are the basket's own active reservations as the Reserver
	// reads them, with the part of each line at risk; Stock already
	// counts their covered part as available to the basket. Holds at
	// risk are reported (Result.HoldsAtRisk, a hold-at-risk change).
	Holds []stock.Reservation
	// Loyalty is the loyalty programme and the wallet account's balance.
	Loyalty LoyaltySnapshot
}

// Options tune one pricing. The zero value is the default: target prices,
// tax rounded per line, half-even.
type Options struct {
	Policy      Policy              `json:"policy"`
	TaxRounding pricing.TaxRounding `json:"tax_rounding"`
	// Rounding is the mode of every rounding of the pricing: the tax, and
	// the amount of a line whose unit price is more precise than the
	// currency (price × quantity ÷ per, rounded once: 3 screws at 0.0125
	// EUR cost 0.04 half-even, not 3 × 0.01), and the amount of a measured
	// line (0.347 kg at 24.90 EUR per kg: 8.6403, 8.64 half-even).
	Rounding pricing.RoundingMode `json:"rounding"`
	// NearestMisses is how many unmet basket-wide thresholds per lane and
	// measure the result explains, the nearest first; 0 means
	// [promotion.DefaultNearestMisses], a negative number none. The others
	// are counted in [Result.OmittedPromotions].
	NearestMisses int `json:"nearest_misses,omitempty"`
}

// Recontextualize prices basket b in the target context from the snapshot.
// It is a pure function: no clock (the time is target.AsOf), no I/O, no
// randomness; the same inputs give a byte-identical Result whatever the
// order of lines, price entries or promotions. The pipeline is fixed:
//
//  1. unit price per line from the target's price-list chain (tiers on the
//     quantity merged per SKU), then the transition policy, then an
//     associate's set price if lower ([Override]); the line's
//     subtotal is that price × quantity, rounded once when the price is
//     more precise than the currency ([Options.Rounding]), and everything
//     after is in minor units;
//  2. catalogue promotions, 3. basket promotions (on the subtotal after
//     step 2, allocated back to lines), 4. fulfilment fees and fee
//     promotions (fees follow the fulfilment plan of step 7, which depends
//     on stock only and is therefore computed first); associates' override
//     discounts come off what lines cost after the basket promotions, and
//     loyalty points burnt as a discount after them, on the goods
//     total they leave ([LoyaltySnapshot], [LoyaltyBurnID]);
//  5. tax per line by category in the target's zone, prices inclusive or
//     exclusive per the target; 6. totals, then points burnt as a tender
//     (the settlement, after gift cards and vouchers) and the points the
//     lines earn (Result.Loyalty);
//  7. the fulfilment plan per line across the target's stock sources;
//  8. the change report against the basket's previous result.
//
// A line without a price or tax rate in the target is kept, reported and
// left out of the totals (Result.Complete is false); it is never dropped.
//
// A carried price (protected, or locked by a quote) applies only while the
// SKU's merged quantity is at least the merged quantity of the previous
// result, the one that price was charged for. A basket that breaks an
// invariant ([Basket.Validate]) is refused before anything else.
func Recontextualize(b *Basket, target channel.Context, snap Snapshot, opts Options) (*Result, error) {
	var wm workingMemory
	return recontextualize(b, target, snap, opts, &wm)
}

// workingMemory holds the stages' working memory for a basket of up to
// stackLines lines. [Recontextualize] keeps it on the goroutine's stack,
// which the next call finds in the cache, where fresh heap memory costs
// about as much to write as the work done on it (docs/capacity.md).
type workingMemory struct {
	demands  [stackLines]stock.Demand
	promo    [stackLines]promotion.Line
	tax      [stackLines + stackFees]pricing.TaxLine
	taxed    [stackLines + stackFees]pricing.Taxed
	merged   [3 * stackLines]int64
	pricedAt [stackLines]int32
}

// stackLines is the largest basket whose working memory Recontextualize
// keeps on the stack, and stackFees the fees beside it: nearly every
// basket, in some 40 KB of frame.
const (
	stackLines = 128
	stackFees  = 8
)

// recontextualize is [Recontextualize] with its working memory in wm, or
// on the heap when wm is nil or the basket larger than it.
func recontextualize(b *Basket, target channel.Context, snap Snapshot, opts Options, wm *workingMemory) (*Result, error) {
	if b == nil {
		return nil, invalid("Basket", "must not be nil")
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	if err := target.Validate(); err != nil {
		return nil, err
	}
	if snap.Prices == nil || snap.Tax == nil {
		return nil, &InputError{Field: "Snapshot", Reason: "prices and tax are required", Kind: ErrSnapshot}
	}
	if opts.Policy > PriceProtection || !opts.Rounding.Valid() || opts.TaxRounding > pricing.PerDocument {
		return nil, invalid("Options", "unknown policy or rounding")
	}
	cur, err := pricing.LookupCurrency(target.Currency)
	if err != nil {
		return nil, &InputError{Field: "Context.Currency", Reason: err.Error(), Kind: ErrInvalid}
	}
	lines := b.Lines // sorted by line ID: Validate checked it
	if wm != nil && len(lines) > stackLines {
		wm = nil
	}
	var demands []stock.Demand
	var promoLines []promotion.Line
	var taxLines []pricing.TaxLine
	var taxedBuf []pricing.Taxed
	var mergedBuf []int64
	if wm != nil {
		demands, promoLines, mergedBuf = wm.demands[:len(lines)], wm.promo[:0], wm.merged[:]
	} else {
		demands, promoLines = make([]stock.Demand, len(lines)), make([]promotion.Line, 0, len(lines))
	}

	r := &Result{
		BasketID: b.ID, BasketVersion: b.Version, Context: target.Clone(), Policy: opts.Policy,
		Lines: make([]PricedLine, len(lines)), Complete: true,
	}

	// 7 first: the plan depends on stock alone, and fees (4) depend on it.
	for i, l := range lines {
		demands[i] = stock.Demand{LineID: l.ID, SKU: l.SKU, Quantity: l.Quantity, Preferred: l.Fulfilment}
	}
	plan, err := stock.Plan(demands, target, snap.Locations, snap.Stock)
	if err != nil {
		return nil, fmt.Errorf("%w: fulfilment plan: %w", ErrSnapshot, err)
	}
	r.Plan = plan

	// 1. Unit prices.
	merged := mergedQuantities(lines, mergedBuf)
	prices := snap.Prices.For(target)
	rates := snap.Tax.Zone(target.TaxZone, target.AsOf)
	var prevLines []PricedLine // sorted by line ID, like lines
	if b.Result != nil {
		prevLines = b.Result.Lines
	}
	p, pc := 0, 0
	quoteLocked := b.Status == Quote && target.AsOf.Before(b.QuoteLockedUntil)
	// legacyGranted stands in for GrantedQuantity in results recorded
	// before it existed: the merged quantity per SKU they were charged for.
	var legacyGranted map[string]int64
	if len(prevLines) > 0 && (quoteLocked || opts.Policy == PriceProtection) && prevLines[0].GrantedQuantity == 0 {
		legacyGranted = make(map[string]int64, len(prevLines))
		for i := range prevLines {
			legacyGranted[prevLines[i].SKU] += prevLines[i].Quantity
		}
	}
	// pricedAt[k] is the index in r.Lines of promoLines[k]: the promotion
	// engine lists lines as it was given them, so the stages after it find
	// each line by position rather than by ID.
	var pricedAt []int32
	if wm != nil {
		pricedAt = wm.pricedAt[:0]
	} else {
		pricedAt = make([]int32, 0, len(lines))
	}
	ovs := newOverridePricing(b, target) // associates' overrides in force here
	zero := pricing.Zero(cur)
	for i, l := range lines {
		// r.Lines is freshly zeroed: the fields are written in place, since a
		// composite literal would build some 500 bytes aside and copy them.
		pl := &r.Lines[i]
		pl.LineID, pl.SKU, pl.Name, pl.Quantity, pl.Unit = l.ID, l.SKU, l.Product.Name, l.Quantity, l.Unit
		// The plan lists lines in line-ID order too: a cursor, with the
		// lookup as the fallback for IDs of different lengths.
		if pc < len(plan.Lines) && plan.Lines[pc].LineID == l.ID {
			pl.Fulfilment = plan.Lines[pc]
			pc++
		} else if lp, ok := plan.Line(l.ID); ok {
			pl.Fulfilment = lp
		}
		res, err := prices.Resolve(l.SKU, merged[i])
		if err != nil {
			if !errors.Is(err, pricing.ErrNoPrice) {
				return nil, err
			}
			pl.Problem, r.Complete = "no price in this channel", false
			unpriced(pl, zero)
			continue
		}
		rate, err := rates.Rate(l.Product.TaxCategory)
		if err != nil {
			pl.Problem, r.Complete = fmt.Sprintf("no tax rate for category %q here", l.Product.TaxCategory), false
			unpriced(pl, zero)
			continue
		}
		pl.Priced, pl.Source, pl.TaxRate = true, res.Source, rate
		charged := res.Precise
		pl.Basis, pl.GrantedQuantity = BasisTarget, max(res.Source.MinQuantity, 1)
		// prevLines is walked alongside: a comparison per line, and one
		// per line of prevLines passed over.
		var old *PricedLine
		for ; p < len(prevLines); p++ {
			if c := compareLineIDs(prevLines[p].LineID, l.ID); c >= 0 {
				if c == 0 {
					old = &prevLines[p]
					p++
				}
				break
			}
		}
		if old != nil && old.Priced && old.UnitPrice.Currency() == cur {
			granted := old.GrantedQuantity
			if granted == 0 {
				granted = legacyGranted[l.SKU]
			}
			switch {
			case merged[i] < granted:
				// The carried price was granted for more units than the
				// basket now holds: it does not follow the volume down.
			case quoteLocked:
				charged, pl.Basis, pl.GrantedQuantity = old.UnitPriceExact(), BasisQuoteLocked, granted
			case opts.Policy == PriceProtection && old.Basis != BasisQuoteLocked && old.Basis != BasisOverride && lowerPrice(old.UnitPriceExact(), res.Precise):
				charged, pl.Basis, pl.GrantedQuantity = old.UnitPriceExact(), BasisProtected, granted
			}
		}
		if charged, err = ovs.price(pl, charged, opts.Rounding); err != nil {
			return nil, err
		}
		if pl.ListPrice, pl.PreciseListPrice, err = displayPrice(res.Precise, opts.Rounding); err != nil {
			return nil, err
		}
		if pl.UnitPrice, pl.PreciseUnitPrice, err = displayPrice(charged, opts.Rounding); err != nil {
			return nil, err
		}
		if pl.Subtotal, err = lineAmount(charged, l.Quantity, l.Unit, opts.Rounding); err != nil {
			return nil, err
		}
		pline := promotion.Line{ID: l.ID, SKU: l.SKU, Categories: l.Product.Categories, Quantity: l.Quantity, UnitPrice: pl.UnitPrice, Measured: l.Unit.Measured()}
		if !pl.PreciseUnitPrice.Currency().IsZero() {
			pline.UnitPrice, pline.Precise = pricing.Money{}, charged
		}
		promoLines = append(promoLines, pline)
		pricedAt = append(pricedAt, int32(i))
	}

	// 4. Fees for the modes the plan uses on priced lines.
	fees, feeRates, err := fulfilmentFees(r, snap.Fees, cur, rates)
	if err != nil {
		return nil, err
	}

	// 2–4. Promotions.
	wallet := promotion.Wallet{Coupons: slices.Clone(b.Wallet.Coupons), LoyaltyTier: loyaltyTier(b, snap.Loyalty)}
	var eval promotion.Evaluation
	// The engine rounds a precise line's subtotal as step 1 did.
	popts := promotion.Options{Rounding: opts.Rounding, NearestMisses: opts.NearestMisses}
	if snap.Promotions != nil {
		if eval, err = snap.Promotions.EvaluateWith(promoLines, fees, target, wallet, popts); err != nil {
			return nil, err
		}
	} else {
		none, err := promotion.Compile(nil)
		if err != nil {
			return nil, err
		}
		if eval, err = none.EvaluateWith(promoLines, fees, target, wallet, popts); err != nil {
			return nil, err
		}
	}
	r.Promotions, r.OmittedPromotions, r.Coupons = eval.Explanations, eval.Omitted, eval.Coupons
	// 3½. Associates' override discounts, on what lines cost after promotions.
	if err := ovs.discount(r, &eval, opts.Rounding); err != nil {
		return nil, err
	}
	// Points burnt as a discount: after the basket promotions, before tax.
	lp := newLoyaltyPricing(b, snap.Loyalty)
	if err := lp.burnAsDiscount(snap.Loyalty, eval.Lines, cur); err != nil {
		return nil, err
	}

	// 5. Tax, on line totals after discounts and on fees after fee discounts.
	if n := len(promoLines) + len(eval.Fees); wm != nil && n <= len(wm.tax) {
		taxLines, taxedBuf = wm.tax[:0], wm.taxed[:0]
	} else {
		taxLines, taxedBuf = make([]pricing.TaxLine, 0, n), make([]pricing.Taxed, 0, n)
	}
	// eval.Lines lists the priced lines in promoLines order, so each is
	// r.Lines[pricedAt[k]]; the search is the fallback should an engine
	// ever list them otherwise.
	lineAt := func(k int, id string) *PricedLine {
		if k < len(pricedAt) && r.Lines[pricedAt[k]].LineID == id {
			return &r.Lines[pricedAt[k]]
		}
		i, _ := slices.BinarySearchFunc(r.Lines, id, func(l PricedLine, id string) int { return compareLineIDs(l.LineID, id) })
		return &r.Lines[i]
	}
	for k, lr := range eval.Lines {
		pl := lineAt(k, lr.LineID)
		pl.Discounts = lr.Adjustments
		if pl.Discount, err = pl.Subtotal.Sub(lr.Total); err != nil {
			return nil, err
		}
		// A precise unit price makes per-unit tax rounding tax the line as a
		// whole (pricing.PerUnit): its units have no tax of their own; nor
		// do a measured line's (taxUnits).
		taxLines = append(taxLines, pricing.TaxLine{Key: pl.LineID, Amount: lr.Total, Quantity: taxUnits(pl), Rate: pl.TaxRate, Unit: pl.PreciseUnitPrice})
	}
	for _, f := range eval.Fees {
		j := slices.IndexFunc(fees, func(x promotion.Fee) bool { return x.ID == f.FeeID })
		if j < 0 {
			return nil, fmt.Errorf("basket: promotion engine returned unknown fee %q", f.FeeID)
		}
		r.Fees = append(r.Fees, PricedFee{FeeID: f.FeeID, Mode: fees[j].Mode, Amount: f.Amount, Discounts: f.Adjustments, TaxRate: feeRates[j]})
		taxLines = append(taxLines, pricing.TaxLine{Key: "fee:" + f.FeeID, Amount: f.Total, Quantity: 1, Rate: feeRates[j]})
	}
	taxed, err := pricing.AppendTax(taxedBuf, taxLines, pricing.TaxPolicy{Inclusive: target.PricesIncludeTax, Rounding: opts.TaxRounding, Mode: opts.Rounding})
	if err != nil {
		return nil, err
	}

	// 6. Totals. Every amount here is in cur (lines, fees and their tax are
	// priced in it), so they are added in minor units with no call per
	// amount; an amount in another currency or a sum out of range (errors
	// of Money.Add) sends the totals the long way, through Money.Add. The
	// currency is checked once, on the engine's: every amount added derives
	// from its amounts, in its currency (a line's subtotal is in it, or Sub
	// above failed; tax is in the currency of what it taxes).
	var sums [6]int64 // subtotal, discount, fees, net, tax, total
	fast := eval.Total.Currency() == cur
	add := func(k int, m *pricing.Money) {
		u := m.MinorUnits()
		s := sums[k] + u
		fast = fast && (sums[k]^s)&(u^s) >= 0 && s != math.MinInt64
		sums[k] = s
	}
	for i := range eval.Lines {
		pl, tx := lineAt(i, eval.Lines[i].LineID), &taxed[i]
		pl.Net, pl.Tax, pl.Total = tx.Net, tx.Tax, tx.Gross
		add(0, &pl.Subtotal)
		add(1, &pl.Discount)
	}
	for i := range r.Fees {
		tx := &taxed[len(eval.Lines)+i]
		r.Fees[i].Net, r.Fees[i].Tax, r.Fees[i].Total = tx.Net, tx.Tax, tx.Gross
		add(2, &tx.Gross)
	}
	for i := range taxed {
		tx := &taxed[i]
		add(3, &tx.Net)
		add(4, &tx.Tax)
		add(5, &tx.Gross)
	}
	t := Totals{Subtotal: zero, Discount: zero, Fees: zero, Net: zero, Tax: zero, Total: zero}
	if fast {
		for k, dst := range [...]*pricing.Money{&t.Subtotal, &t.Discount, &t.Fees, &t.Net, &t.Tax, &t.Total} {
			if *dst, err = pricing.FromMinor(sums[k], cur); err != nil {
				return nil, err
			}
		}
	} else {
		sum := func(dst *pricing.Money, m pricing.Money) {
			if err == nil {
				*dst, err = dst.Add(m)
			}
		}
		for i, lr := range eval.Lines {
			pl := lineAt(i, lr.LineID)
			sum(&t.Subtotal, pl.Subtotal)
			sum(&t.Discount, pl.Discount)
		}
		for i := range r.Fees {
			sum(&t.Fees, taxed[len(eval.Lines)+i].Gross)
		}
		for _, tx := range taxed {
			sum(&t.Net, tx.Net)
			sum(&t.Tax, tx.Tax)
			sum(&t.Total, tx.Gross)
		}
		if err != nil {
			return nil, err
		}
	}
	r.Totals = t
	// Points burnt as a tender, and earned on the lines as totalled.
	if r.Loyalty, err = lp.finish(snap.Loyalty, b, target, r); err != nil {
		return nil, err
	}
	r.Payment = settlementOf(b.tenders(), r) // tenders pay the total; they never change it

	for _, h := range stock.HoldsAtRisk(snap.Holds) {
		r.HoldsAtRisk = append(r.HoldsAtRisk, HoldAtRisk{LocationID: h.LocationID, SKU: h.SKU, Quantity: h.Quantity, AtRisk: h.AtRisk, HeldSince: h.HeldSince.UTC()})
	}

	// 8. What changed for the shopper.
	r.Changes = Diff(b.Result, r)
	return r, nil
}

// unpriced gives a line left unpriced its money fields, zero in the
// currency. A priced line gets every one of them from the stages (its
// prices here, its discount and tax after the promotions), so only these
// are written twice over.
func unpriced(pl *PricedLine, zero pricing.Money) {
	pl.ListPrice, pl.UnitPrice, pl.Subtotal, pl.Discount, pl.Net, pl.Tax, pl.Total = zero, zero, zero, zero, zero, zero, zero
}

// mergedQuantities returns, per line, the quantity of its SKU merged over
// all the lines (tiers are computed on it). Lines are grouped by SKU in a
// small open-addressing table of line indexes rather than a map: buf holds
// the table and the result when it is large enough (its contents are
// overwritten), one allocation otherwise, and no string is hashed twice.
// The hash decides where a SKU is looked for, never a result.
func mergedQuantities(lines []Line, buf []int64) []int64 {
	size := 1
	for size < 2*len(lines) {
		size <<= 1
	}
	if len(lines)+size > len(buf) {
		buf = make([]int64, len(lines)+size)
	} else {
		buf = buf[:len(lines)+size]
		clear(buf)
	}
	// merged[i] is, after the first pass, the group's total for the first
	// line of a SKU and −(1 + that line's index) for the others.
	merged, slots := buf[:len(lines)], buf[len(lines):] // a slot holds 1 + a first line's index
	for i := range lines {
		sku := lines[i].SKU
		for k := strHash(sku) & uint64(size-1); ; k = (k + 1) & uint64(size-1) {
			if slots[k] == 0 {
				slots[k], merged[i] = int64(i+1), lines[i].Quantity
				break
			}
			if f := slots[k] - 1; lines[f].SKU == sku {
				merged[f] += lines[i].Quantity
				merged[i] = -slots[k]
				break
			}
		}
	}
	for i, m := range merged {
		if m < 0 {
			merged[i] = merged[-m-1]
		}
	}
	return merged
}

// displayPrice splits a unit price into what a PricedLine shows: the price
// of one unit in minor units, rounded with mode, and the exact price when
// that rounding is not exact (zero otherwise, so that ordinary lines keep
// their encoding).
func displayPrice(u pricing.UnitPrice, mode pricing.RoundingMode) (pricing.Money, pricing.UnitPrice, error) {
	if m, exact := u.Exact(); exact {
		return m, pricing.UnitPrice{}, nil
	}
	m, err := u.Round(mode)
	return m, u, err
}

// lowerPrice reports whether a is below b, exactly (0.0124 is below 0.0125
// though both show as 0.01); prices in different currencies never are.
func lowerPrice(a, b pricing.UnitPrice) bool {
	c, err := a.Cmp(b)
	return err == nil && c < 0
}

// fulfilmentFees returns the fees of the modes used by priced lines, in
// mode order, with their tax rates.
func fulfilmentFees(r *Result, rules []FeeRule, cur pricing.Currency, rates pricing.ZoneRates) ([]promotion.Fee, []pricing.Rate, error) {
	// The modes used, as a set of bits (one word per 64 modes), read back
	// in mode order: a line's allocations are a few, the lines many.
	var used [4]uint64
	for i := range r.Lines {
		l := &r.Lines[i]
		if !l.Priced {
			continue
		}
		for _, a := range l.Fulfilment.Allocations {
			used[a.Mode/64] |= 1 << (a.Mode % 64)
		}
	}
	var fees []promotion.Fee
	var feeRates []pricing.Rate
	for w, bs := range used {
		for ; bs != 0; bs &= bs - 1 {
			m := channel.FulfilmentMode(64*w + bits.TrailingZeros64(bs))
			for _, rule := range rules {
				if rule.Mode != m {
					continue
				}
				if rule.Amount.Currency() != cur {
					return nil, nil, &InputError{Field: "Snapshot.Fees", Reason: fmt.Sprintf("fee for %s is in %s, the context in %s", m, rule.Amount.Currency(), cur), Kind: ErrSnapshot}
				}
				rate, err := rates.Rate(rule.TaxCategory)
				if err != nil {
					return nil, nil, &InputError{Field: "Snapshot.Fees", Reason: err.Error(), Kind: ErrSnapshot}
				}
				fees = append(fees, promotion.Fee{ID: m.String(), Mode: m, Amount: rule.Amount})
				feeRates = append(feeRates, rate)
				break
			}
		}
	}
	return fees, feeRates, nil
}
