package basket

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/loyalty"
	"github.com/omnibasket/omnibasket/payment"
	"github.com/omnibasket/omnibasket/pricing"
	"github.com/omnibasket/omnibasket/promotion"
)

// LoyaltyBurnID is the promotion ID of the adjustments by which points
// burnt as a discount ([loyalty.Discount]) lower the lines: a line's
// Discounts show its share, and Totals.Discount includes them. It is not a
// promotion of any set, and no explanation is given for it:
// Result.Loyalty.Burn says what was burnt.
const LoyaltyBurnID = "loyalty:burn"

// LoyaltySnapshot is the loyalty part of a [Snapshot]: the programme and
// the account's balance, read once per pricing ([Service.Snapshot]).
type LoyaltySnapshot struct {
	// Scheme is the compiled programme ([Config.LoyaltyScheme]); nil
	// earns and burns nothing, and the Result has no Loyalty part.
	Scheme *loyalty.Scheme
	// Balance is the wallet's account as the [loyalty.LoyaltySource]
	// reported it; nil when the source does not know the account, could
	// not be read, or the wallet has none. Without it nothing is burnt,
	// and what the basket would earn is still shown.
	Balance *loyalty.Balance
	// Reserving says the pricing is the one an order is placed with: the
	// points are reserved right after, and the source refuses a
	// reservation beyond the balance ([loyalty.InsufficientError]), so the
	// burn is not limited by Balance.Available here. A retry after a lost
	// save, which finds the account already short of its own reservation,
	// then burns what the first attempt burnt, and reserves it again under
	// the same ID, which the source does once.
	Reserving bool
	// Unavailable is set when the source could not be read: the pricing
	// says so (LoyaltyResult.Problem) instead of failing.
	Unavailable bool
}

// LoyaltyResult is the loyalty part of a [Result]: the account, what the
// shopper asked to burn and what was burnt, and what the basket earns.
// It is set when the wallet holds a loyalty account and a programme is
// configured.
type LoyaltyResult struct {
	Account string `json:"account"`
	// Tier is the tier the basket earns at: the source's, or the wallet's
	// when the source does not know the account.
	Tier string `json:"tier,omitempty"`
	// Known says the source knows the account; Available is its balance
	// (0 when unknown).
	Known     bool  `json:"known"`
	Available int64 `json:"available"`
	// Requested is what the shopper asked to burn ([Service.UseLoyaltyPoints]).
	Requested int64 `json:"requested,omitempty"`
	// Burn is what is burnt and its value; nil when nothing was asked or
	// points cannot pay here (Problem says why). Its Mode says whether
	// the value lowered the lines (a discount: adjustments [LoyaltyBurnID])
	// or pays as a [payment.Points] tender in Result.Payment (lines and
	// tax unchanged).
	Burn *loyalty.Burn `json:"burn,omitempty"`
	// Earned is what the basket earns once paid: one line per priced
	// line, on its total after every discount (points burnt as a discount
	// included), tax included; fees do not earn.
	Earned loyalty.Earning `json:"earned"`
	// Problem says why points asked for are not burnt ("the loyalty
	// source is unavailable", "points cannot be burnt in EUR"); empty
	// otherwise.
	Problem string `json:"problem,omitempty"`
}

// BurntPoints returns the points r burns, 0 when none.
func (r *LoyaltyResult) BurntPoints() int64 {
	if r == nil || r.Burn == nil {
		return 0
	}
	return r.Burn.Points
}

// pointsTender is the tender by which points burnt as a tender pay, or
// false when r burns none that way.
func (r *Result) pointsTender() (payment.Tender, bool) {
	if r == nil || r.Loyalty == nil || r.Loyalty.Burn == nil || r.Loyalty.Burn.Mode != loyalty.Tender || r.Loyalty.Burn.Points == 0 {
		return payment.Tender{}, false
	}
	return payment.Tender{Kind: payment.Points, Code: r.Loyalty.Account, Balance: r.Loyalty.Burn.Value}, true
}

// withPoints returns tenders with the points tender of r, if any, in
// application order; tenders itself is not changed.
func withPoints(tenders []payment.Tender, r *Result) []payment.Tender {
	if t, ok := r.pointsTender(); ok {
		return withTender(tenders, t)
	}
	return tenders
}

// loyaltyTier is the tier a pricing uses, for the earn multiplier and for
// tier promotions alike: the source's (it is the truth), else the
// wallet's.
func loyaltyTier(b *Basket, ls LoyaltySnapshot) string {
	if b.Wallet.Loyalty == nil {
		return ""
	}
	if ls.Balance != nil && ls.Balance.Account == b.Wallet.Loyalty.Account {
		return ls.Balance.Tier
	}
	return b.Wallet.Loyalty.Tier
}

// loyaltyPricing is the loyalty step of one pricing: nil when the basket
// has no account or no programme is configured.
type loyaltyPricing struct {
	res  *LoyaltyResult
	mode loyalty.BurnMode
}

func newLoyaltyPricing(b *Basket, ls LoyaltySnapshot) *loyaltyPricing {
	if b.Wallet.Loyalty == nil || ls.Scheme == nil {
		return nil
	}
	w := b.Wallet.Loyalty
	lp := &loyaltyPricing{mode: ls.Scheme.BurnMode(), res: &LoyaltyResult{Account: w.Account, Tier: loyaltyTier(b, ls), Requested: w.Burn}}
	if ls.Balance != nil && ls.Balance.Account == w.Account {
		lp.res.Known, lp.res.Available = true, ls.Balance.Available
	}
	return lp
}

// burn decides the burn against due, recording a reason instead when
// points cannot pay. It returns false when nothing is burnt.
func (lp *loyaltyPricing) burn(ls LoyaltySnapshot, due pricing.Money) (bool, error) {
	r := lp.res
	switch {
	case r.Requested == 0:
		return false, nil
	case ls.Unavailable:
		r.Problem = "the loyalty source is unavailable"
		return false, nil
	case !r.Known:
		r.Problem = "the loyalty source does not know the account"
		return false, nil
	}
	balance := r.Available
	if ls.Reserving {
		balance = max(balance, r.Requested)
	}
	b, err := ls.Scheme.Burn(loyalty.BurnRequest{Balance: max(balance, 0), Requested: r.Requested, Due: due})
	if errors.Is(err, loyalty.ErrNotBurnable) {
		r.Problem = fmt.Sprintf("points cannot be burnt in %s", due.Currency())
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.Burn = &b
	return b.Points > 0, nil
}

// burnAsDiscount burns points as a discount: after the basket promotions
// and before tax, against the goods total after promotions (fees
// excluded), the value spread over the lines in proportion to their
// totals (largest remainder, ties by line ID), as adjustments
// [LoyaltyBurnID] in the basket lane. lines are changed in place.
func (lp *loyaltyPricing) burnAsDiscount(ls LoyaltySnapshot, lines []promotion.LineResult, cur pricing.Currency) error {
	if lp == nil || lp.mode != loyalty.Discount {
		return nil
	}
	due := pricing.Zero(cur)
	shares := make([]pricing.Share, len(lines))
	var err error
	for i, l := range lines {
		if due, err = due.Add(l.Total); err != nil {
			return err
		}
		shares[i] = pricing.Share{Key: l.LineID, Weight: l.Total.MinorUnits()}
	}
	burnt, err := lp.burn(ls, due)
	if err != nil || !burnt {
		return err
	}
	parts, err := pricing.Allocate(lp.res.Burn.Value, shares)
	if err != nil {
		return err
	}
	for i := range lines {
		if !parts[i].IsPositive() {
			continue
		}
		l := &lines[i]
		if l.Total, err = l.Total.Sub(parts[i]); err != nil {
			return err
		}
		l.Adjustments = append(slices.Clip(l.Adjustments), promotion.Adjustment{PromotionID: LoyaltyBurnID, Lane: promotion.Basket, Amount: parts[i]})
	}
	return nil
}

// finish burns points as a tender (against what the total leaves after
// the gift cards and vouchers, which pay before points) and computes what
// the basket earns, once the totals are known.
func (lp *loyaltyPricing) finish(ls LoyaltySnapshot, b *Basket, target channel.Context, r *Result) (*LoyaltyResult, error) {
	if lp == nil {
		return nil, nil
	}
	if lp.mode == loyalty.Tender {
		if _, err := lp.burn(ls, dueBeforePoints(b.tenders(), r.Totals.Total)); err != nil {
			return nil, err
		}
	} else if lp.mode == 0 && lp.res.Requested > 0 {
		lp.res.Problem = "the loyalty programme offers no burning"
	}
	lines := make([]loyalty.Line, 0, len(r.Lines))
	for i := range r.Lines {
		pl := &r.Lines[i]
		if !pl.Priced {
			continue
		}
		// r.Lines is in the order of b.Lines.
		lines = append(lines, loyalty.Line{ID: pl.LineID, SKU: pl.SKU, Categories: b.Lines[i].Product.Categories, Quantity: pl.Quantity, Amount: pl.Total})
	}
	e, err := ls.Scheme.Earn(lines, lp.res.Tier, target)
	if err != nil {
		return nil, fmt.Errorf("basket: loyalty earning: %w", err)
	}
	lp.res.Earned = e
	return lp.res, nil
}

// dueBeforePoints is what remains of total once the gift cards and
// vouchers among tenders have paid: what points may pay as a tender
// (they come next in application order, before cards and cash).
func dueBeforePoints(tenders []payment.Tender, total pricing.Money) pricing.Money {
	var before []payment.Tender
	for _, t := range tenders {
		if t.Kind == payment.GiftCard || t.Kind == payment.Voucher {
			before = append(before, t)
		}
	}
	if len(before) == 0 {
		return total
	}
	s, err := payment.Settle(total, before, payment.Options{CapCards: true})
	if err != nil {
		return total // the settlement shows nothing either: see settlementOf
	}
	return s.Remaining
}

// OrderLoyalty is what an order did with its loyalty account: the points
// it burnt, reserved when it was placed and committed when it was paid
// or invoiced, and the points credited to the account (earned when paid,
// given back by returns).
type OrderLoyalty struct {
	Account string `json:"account"`
	// ReservationID names the reservation of the points burnt at the
	// source; empty when the order burnt none.
	ReservationID string           `json:"reservation_id,omitempty"`
	Points        int64            `json:"points,omitempty"`
	Value         pricing.Money    `json:"value,omitzero"`
	Mode          loyalty.BurnMode `json:"mode,omitempty"`
	// Committed says the points burnt were spent at the source.
	Committed bool `json:"committed,omitempty"`
	// Credits are the points credited, in the order they were.
	Credits []LoyaltyCredit `json:"credits,omitempty"`
}

// LoyaltyCredit is points credited to the account for an order.
type LoyaltyCredit struct {
	// ID is the operation ID at the source, derived from the basket
	// ([Basket.LoyaltyEarnID], [Basket.LoyaltyReturnID]).
	ID     string `json:"id"`
	Points int64  `json:"points"`
	// ReturnID is the return that gave the points back; empty for the
	// points earned.
	ReturnID string `json:"return_id,omitempty"`
}

// Earned returns the points credited as earned (0 until paid).
func (o *OrderLoyalty) Earned() int64 {
	if o == nil {
		return 0
	}
	var n int64
	for _, c := range o.Credits {
		if c.ReturnID == "" {
			n += c.Points
		}
	}
	return n
}

// GivenBack returns the points of the burn given back by returns.
func (o *OrderLoyalty) GivenBack() int64 {
	if o == nil {
		return 0
	}
	var n int64
	for _, c := range o.Credits {
		if c.ReturnID != "" {
			n += c.Points
		}
	}
	return n
}

// The loyalty events (see [Service.UseLoyaltyPoints] and [Service.PlaceOrder]).
type (
	// LoyaltyPointsSet is the payload of [EventLoyaltyPointsSet]: the
	// points the shopper asks to burn, 0 for none.
	LoyaltyPointsSet struct {
		Points int64 `json:"points"`
	}
	// LoyaltyReserved is the payload of [EventLoyaltyReserved]: the
	// points an order burns, reserved at the source under ReservationID.
	LoyaltyReserved struct {
		Account       string           `json:"account"`
		ReservationID string           `json:"reservation_id"`
		Points        int64            `json:"points"`
		Value         pricing.Money    `json:"value"`
		Mode          loyalty.BurnMode `json:"mode"`
	}
	// LoyaltyCommitted is the payload of [EventLoyaltyCommitted]: the
	// reservation was spent at the source (the order was paid or
	// invoiced).
	LoyaltyCommitted struct {
		ReservationID string `json:"reservation_id"`
	}
	// LoyaltyCredited is the payload of [EventLoyaltyCredited]: points
	// credited to the account at the source.
	LoyaltyCredited struct {
		Account string        `json:"account"`
		Credit  LoyaltyCredit `json:"credit"`
	}
)

// LoyaltyReservationID is the ID under which the n-th reservation of the
// basket's points is made at the source (n ≥ 1): derived from the basket
// alone, so that an order retried after a lost save reserves under the
// same ID, which the source does once. A later n is used only when an
// earlier ID was released (the order failed, or was abandoned before it
// was placed) or holds other points (a lost attempt that burnt otherwise).
func (b *Basket) LoyaltyReservationID(n int) string {
	id := "omnibasket/basket/" + b.ID.String() + "/order/burn"
	if n > 1 {
		id += fmt.Sprintf("/%d", n)
	}
	return id
}

// LoyaltyEarnID is the ID under which the points an order earns are
// credited: one per basket, so that they are credited once.
func (b *Basket) LoyaltyEarnID() string {
	return "omnibasket/basket/" + b.ID.String() + "/earn"
}

// LoyaltyReturnID is the ID under which a return gives back its share of
// the points burnt.
func (b *Basket) LoyaltyReturnID(returnID string) string {
	return "omnibasket/basket/" + b.ID.String() + "/return/" + returnID + "/points"
}

// UseLoyaltyPoints records how many points the shopper asks to burn (0:
// none). Whether and how many are burnt is decided at pricing, against
// the balance, the amount due and the programme's burn policy.
func (b *Basket) UseLoyaltyPoints(m Meta, points int64) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	switch {
	case b.Wallet.Loyalty == nil:
		return Event{}, invalid("Wallet.Loyalty", "link a loyalty account before burning points")
	case points < 0:
		return Event{}, invalid("Points", "must not be negative, got %d", points)
	}
	return b.record(m, EventLoyaltyPointsSet, LoyaltyPointsSet{Points: points})
}

// reserveLoyalty records the points an order burns, reserved at the source.
func (b *Basket) reserveLoyalty(m Meta, r LoyaltyReserved) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, EventLoyaltyReserved, r)
}

// recordLoyalty records a commit or a credit made at the source.
func (b *Basket) recordLoyalty(m Meta, t EventType, payload any) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	return b.record(m, t, payload)
}

// applyLoyalty applies the loyalty events. The order's loyalty record is
// replaced, never changed in place: clones share it.
func (b *Basket) applyLoyalty(e Event, payload any) error {
	if p, ok := payload.(*LoyaltyPointsSet); ok {
		if b.Wallet.Loyalty == nil || p.Points < 0 {
			return invalid("Event.Data", "%s without a loyalty account or with negative points", e.Type)
		}
		l := *b.Wallet.Loyalty
		l.Burn = p.Points
		b.Wallet.Loyalty = &l
		return nil
	}
	if b.Order == nil {
		return invalid("Event", "%s before the order was placed", e.Type)
	}
	var o OrderLoyalty
	if b.Order.Loyalty != nil {
		o = *b.Order.Loyalty
		o.Credits = slices.Clone(o.Credits)
	}
	switch p := payload.(type) {
	case *LoyaltyReserved:
		if o.ReservationID != "" || p.ReservationID == "" || p.Points <= 0 {
			return invalid("Event.Data", "%s: a second or an empty reservation", e.Type)
		}
		o.Account, o.ReservationID, o.Points, o.Value, o.Mode = p.Account, p.ReservationID, p.Points, p.Value, p.Mode
	case *LoyaltyCommitted:
		if o.ReservationID == "" || o.ReservationID != p.ReservationID {
			return invalid("Event.Data", "%s: no reservation %q", e.Type, p.ReservationID)
		}
		o.Committed = true
	case *LoyaltyCredited:
		if p.Credit.ID == "" || p.Credit.Points <= 0 || slices.ContainsFunc(o.Credits, func(c LoyaltyCredit) bool { return c.ID == p.Credit.ID }) {
			return invalid("Event.Data", "%s: an empty or repeated credit", e.Type)
		}
		o.Account = p.Account
		o.Credits = append(o.Credits, p.Credit)
	}
	b.Order.Loyalty = &o
	return nil
}

// returnedPoints is how many of the points an order burnt its last return
// (already recorded) gives back: the share of the burn that the refunds so far are of the order's
// total, rounded down once over every return (so the parts never exceed
// the burn and a full return gives it all back), minus what earlier
// returns gave back. An order whose total was 0 (points paid it all)
// gives back by units returned instead.
func returnedPoints(order *Basket) int64 {
	o := order.Order.Loyalty
	if o == nil || o.Points == 0 {
		return 0
	}
	num, den := big.NewInt(0), big.NewInt(0)
	if total := order.Result.Totals.Total.MinorUnits(); total > 0 {
		den.SetInt64(total)
		for _, x := range order.Order.Returns {
			num.Add(num, big.NewInt(x.Quote.Refund.MinorUnits()))
		}
	} else {
		for _, l := range order.Lines {
			den.Add(den, big.NewInt(l.Quantity))
		}
		for _, x := range order.Order.Returns {
			for _, l := range x.Lines {
				num.Add(num, big.NewInt(l.Quantity))
			}
		}
	}
	if den.Sign() == 0 || num.Cmp(den) > 0 {
		num.Set(den)
	}
	num.Mul(num, big.NewInt(o.Points))
	num.Quo(num, den)
	return num.Int64() - o.GivenBack()
}

// pointsTenderError refuses a points tender given by hand: their value
// comes from the programme, on the points the shopper asks to burn.
func pointsTenderError() error {
	return invalid("Tender.Kind", "loyalty points are not tendered by hand: burn them with UseLoyaltyPoints")
}

// loyalty finds the loyalty changes: the points burnt or their value,
// and the points earned, when they differ from the previous pricing's
// (none before a first pricing, which reports problems only).
func (d *differ) loyalty() {
	if d.prev == nil || (d.prev.Loyalty == nil && d.next.Loyalty == nil) {
		return
	}
	old, next := d.prev.Loyalty, d.next.Loyalty
	if old.BurntPoints() != next.BurntPoints() || burnValue(old) != burnValue(next) {
		d.add(ChangeLoyaltyBurnt, -1, -1, -1)
	}
	if earned(old) != earned(next) {
		d.add(ChangeLoyaltyEarned, -1, -1, -1)
	}
}

func (d *differ) buildLoyalty(c *Change) {
	old, next := d.prev.Loyalty, d.next.Loyalty
	if c.Kind == ChangeLoyaltyEarned {
		c.OldQuantity, c.Quantity = earned(old), earned(next)
		return
	}
	c.OldQuantity, c.Quantity = old.BurntPoints(), next.BurntPoints()
	c.Old, c.New = burnValue(old), burnValue(next)
	if c.New.Currency().IsZero() { // nothing burnt now: worth nothing
		c.New = pricing.Zero(d.currency())
	}
	if c.Old.Currency().IsZero() && d.prev.Context.Currency == d.next.Context.Currency {
		c.Old = pricing.Zero(d.currency())
	}
}

func (d *differ) currency() pricing.Currency {
	cur, _ := pricing.LookupCurrency(d.next.Context.Currency) // a result's currency is valid
	return cur
}

func burnValue(r *LoyaltyResult) pricing.Money {
	if r == nil || r.Burn == nil || r.Burn.Points == 0 {
		return pricing.Money{}
	}
	return r.Burn.Value
}

func earned(r *LoyaltyResult) int64 {
	if r == nil {
		return 0
	}
	return r.Earned.Points
}

// points says a number of points in English, as [Change.Message] does.
func points(n int64) string {
	if n == 1 {
		return "1 point"
	}
	return fmt.Sprintf("%d points", n)
}
