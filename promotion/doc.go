// Package promotion is the promotion engine of omnibasket: promotions as
// plain data, compiled once into an immutable indexed [Set], and evaluated
// deterministically against a basket in a channel context, with an
// explanation for every promotion examined and a state for every wallet
// coupon.
//
// The main calls:
//
//	set, err := promotion.Compile(promos)       // validates, copies, indexes
//	ev, err := set.Evaluate(lines, fees, ctx, wallet)
//	for _, x := range ev.Explanations { fmt.Println(x.Message) }
//
// # Model
//
// A [Promotion] has a scope (channels, channel kinds, locations, customer
// groups, validity window judged against ctx.AsOf), conditions (minimum
// subtotal, minimum quantity of SKUs or categories, coupon code, loyalty
// tier), one [Effect] (percent or amount off target lines or the subtotal,
// fixed unit price, buy X get Y, bundle price, tiered spend, fee discount),
// stacking (lane, priority, exclusive, best-of group) and a limit on
// applications. Budgets are left to the caller ([Options.Exhausted]).
//
// # Pipeline
//
// Lanes run catalogue → basket → fulfilment. Within a lane the order is
// total: priority (highest first), then promotion ID. Promotions stack
// sequentially: each one works on the running prices left by the previous
// ones, so a voucher percentage applies to the price after earlier
// discounts, never to the undiscounted total. Conditions are judged on the
// prices at the entry of the lane: basket conditions see the subtotal after
// catalogue discounts, fulfilment conditions the subtotal after basket
// discounts. Every discount is capped at the price it applies to: no line,
// fee or total goes below zero however many promotions stack.
//
// An exclusive promotion that applies stops the basket and fulfilment lanes
// (later promotions of the lane are [Blocked]); in the catalogue lane it
// closes the lines it discounted to later catalogue promotions. Of a best-of
// group only the member with the largest benefit applies: each eligible
// member is tried alone on the lane-entry prices (a bounded search, at most
// [MaxBestOfGroup] members), ties go to the earlier member in the lane
// order, and the winner then applies at its own place in the lane. The other
// members are blocked by the winner even if, at its place, the winner is
// itself blocked by an exclusive promotion or gives nothing: the choice is
// made once, on the lane-entry prices, and stated in the explanations.
//
// Basket-level discounts (BasketPercentOff, BasketAmountOff, Tiered,
// BundlePrice) are computed once on the sum and allocated back to the lines
// with pricing.Allocate (largest remainder, ties by line ID), so the parts
// always sum to the discount. Percentages are rounded half-even, once per
// line for line effects and once per basket for basket effects. BuyXGetY
// and bundles work on quantities and never expand a line into units: lines
// are sorted by running unit value (line total / quantity, compared exactly,
// ties by line ID) and quantities are walked.
//
// # Precise unit prices
//
// A line priced more precisely than the currency ([Line.Precise]: 0.0125
// EUR a screw, 12.50 EUR per 1,000) enters the engine as its subtotal,
// price × quantity rounded once with [Options.Rounding] (3 screws: 0.04,
// not 3 × 0.01), and from there the engine only sees minor units. Percent
// and amount effects work on line and basket subtotals and are exact as
// for any line. Effects that work on units (fixed price, amount off per
// unit, buy X get Y, bundles, limits in units) value k of a line's q units
// at the line's share of its running total t: t·k/q rounded half-even, and
// exactly t for all q units. So the free screw of "buy 2 get 1" on 3
// screws at 0.0125 (0.04) is worth 0.01 and the shopper pays 0.03; a share
// never exceeds the line, so no effect makes a line negative, and the
// result depends on the line alone, not on its unit price's decimals.
//
// # Weighed and measured goods
//
// A [Line] marked Measured (cheese by the kg, fabric by the metre) counts
// thousandths of its unit of measure, 0.347 kg being Quantity 347, and its
// subtotal is the price per unit of measure × the measure, rounded once
// ([pricing.UnitPrice.MulMeasure]). Effects that make sense on a measure
// work on it: percent off, basket and tiered effects on its subtotal, and
// AmountOff and FixedPrice per unit of measure (0.50 off per kg, or 19.90
// per kg, on 0.347 kg: the amount × 0.347, rounded once with
// [Options.Rounding], and capped at the line as always). Effects that
// count units do not: a measured line is never a unit. Buy X get Y,
// bundle components, minimum quantities and limits in units
// (MaxApplications of a line effect) leave it out even when a category
// brings it in, and [CompileWith] refuses them outright for the SKUs it is
// told are measured ([CompileOptions.Measured], [*MeasuredError]).
//
// # Threshold promotions
//
// A threshold promotion is one of the basket or fulfilment lane that
// concerns every line (a target of All, or a fee discount), carries no
// coupon, and whose condition is a threshold. Its key is the least spend
// at which it can apply — the larger of MinSubtotal and, for a Tiered
// effect, its lowest tier — when that is above zero, and otherwise its
// MinQuantity when the quantity target is All. A retailer may run
// thousands ("spend 500, get 15 %", "free delivery from 40"), and most
// are far above any one basket: explaining each of them on every
// evaluation would make its cost and its output follow the catalogue of
// promotions, not the basket.
//
// So the basket is measured at the entry of each lane (spend: the
// lane-entry goods subtotal that conditions are judged on; quantity: the
// units of the lines that are counted, not weighed or measured), and of
// the threshold promotions whose channel, kind and location scope admits
// the context:
//
//   - those the basket meets (key ≤ measure; a spend key in another
//     currency than the context's is never met) are examined like any
//     promotion;
//   - of those it misses, per lane and per measure, the k nearest that the
//     shopper could still reach by buying more — not refused by customer
//     group, validity window, currency, loyalty tier or [Options.Exhausted]
//     — are examined too, so they are explained ("add 12.00 EUR more to
//     get …"): the nearest by key − measure, ties going to the earlier in
//     the evaluation order, listed in the evaluation order like every
//     explanation; k is [Options.NearestMisses], [DefaultNearestMisses] by
//     default;
//   - the other misses are not materialised: [Evaluation.Omitted] counts
//     them. They could not have applied, so the lines, fees and money are
//     those of an evaluation that examines every promotion.
//
// The set keeps these promotions sorted by key, per lane, measure and
// place scope (each is listed under every combination of its channels,
// kinds and locations, and a context looks in the eight combinations of
// its own and "any"), so a basket costs a binary search per list and a
// walk of about k entries, whatever the number of unmet thresholds. The
// walk is longer when many promotions refused to this shopper (another
// customer group or tier, outside their window, budget spent) lie just
// above the basket; and a promotion scoped to more than 16 combinations
// of channels, kinds and locations is kept apart and checked one by one
// at every evaluation of its lane.
//
// # Determinism
//
// Evaluation reads no clock, no globals and no map order: the same set and
// inputs give a byte-identical [Evaluation], whatever the order of lines,
// fees, wallet codes or of the promotions given to Compile. Fixed amounts in
// another currency than ctx.Currency make a promotion not applicable
// (ReasonCurrency), never converted; percentages are currency-neutral.
//
// # Coupons
//
// Codes compare after [NormalizeCoupon]: trimmed and upper-cased. Evaluate
// never removes a code from the wallet; it reports one [CouponState] per
// distinct code: applied, not honoured here (its promotions exclude this
// channel, location or currency — the code stays in the wallet), condition
// unmet, blocked, or unknown.
package promotion
