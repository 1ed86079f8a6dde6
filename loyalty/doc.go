// Package loyalty is the loyalty-points domain of omnibasket: earn rules
// compiled once, an exact burn decision, and the [LoyaltySource] interface
// to the platform's points ledger. It is pure: no clock (time comes from
// the channel.Context's AsOf), no I/O but through the source the caller
// passes, no float.
//
// The main calls:
//
//	scheme, err := loyalty.Compile(program)            // validates, copies
//	e, err := scheme.Earn(lines, balance.Tier, ctx)    // e.Points, e.Explanations
//	b, err := scheme.Burn(loyalty.BurnRequest{Balance: balance.Available, Requested: 500, Due: due})
//	r, err := source.Reserve(ctx, loyalty.ReserveRequest{ID: orderID, Account: acct, Points: b.Points})
//
// # Earning
//
// A [Program] has base rules (Points per Per of a line's amount), per-unit
// bonus rules and multiplier bonus rules ("double points on cheese"), each
// optionally scoped to SKUs or categories, channels, channel kinds and a
// validity window; tier multipliers (tier "2" earns ×1.5); and exclusions
// (lines that never earn). The amount a line earns on is what the shopper
// pays for it: the line total after promotions, tax included ([Line]).
// Everything is summed as exact rationals and rounded down once per basket
// ([Scheme.Earn]); the explanations share that whole exactly, so a receipt
// can list them and add up.
//
// # Burning
//
// A [BurnPolicy] converts points to money per currency (100 points =
// 1.00 EUR) with a minimum, a maximum share of the amount due and a step.
// [Scheme.Burn] returns the points burnt and their exact value, never more
// than the balance, the request or the amount due. The policy's mode says
// what the value is: a Tender is a payment after tax (lines and tax
// unchanged); a Discount is a reduction before tax that the caller
// allocates over the lines like a basket promotion.
//
// # The ledger
//
// A [LoyaltySource] reads many balances in one call and changes them
// through idempotent operations keyed by the caller's IDs: reserve at
// order (all or nothing), release on abandon, commit when paid, credit
// what was earned. Package loyaltytest is its conformance suite;
// adapters/memory has a reference implementation.
package loyalty
