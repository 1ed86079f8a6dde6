package basket

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/catalog"
	"github.com/omnibasket/omnibasket/channel"
)

// New starts a basket for owner in a channel context. The ID is the
// caller's (a UUID from the platform, so that retries create one basket).
func New(id uuid.UUID, owner Owner, ctx channel.Context, status Status, m Meta) (*Basket, Event, error) {
	switch {
	case id == uuid.Nil:
		return nil, Event{}, invalid("ID", "must not be the nil UUID")
	case status != Wishlist && status != Cart:
		return nil, Event{}, invalid("Status", "a basket starts as a wishlist or a cart, not %s", status)
	}
	if err := owner.validate(); err != nil {
		return nil, Event{}, err
	}
	if err := ctx.Validate(); err != nil {
		return nil, Event{}, err
	}
	if err := checkMeta(m); err != nil {
		return nil, Event{}, err
	}
	b := &Basket{ID: id}
	b.Context = ctx // so the creation event carries the channel
	e, err := b.record(m, EventCreated, Created{Owner: owner, Status: status, Context: ctx.Clone()})
	if err != nil {
		return nil, Event{}, err
	}
	return b, e, nil
}

func checkMeta(m Meta) error {
	if err := m.Actor.validate(); err != nil {
		return err
	}
	if m.At.IsZero() {
		return invalid("Meta.At", "the command time must be set")
	}
	return nil
}

// mutable is the guard of every command that changes the basket; the
// commands that change what a quote offers use [Basket.editable].
func (b *Basket) mutable(m Meta) error {
	if err := checkMeta(m); err != nil {
		return err
	}
	if b.Status.Final() {
		return &InputError{Field: "Status", Reason: "an " + b.Status.String() + " basket cannot change", Kind: ErrImmutable}
	}
	return nil
}

// NewLine describes a line to add: counted goods by Quantity, weighed
// and measured goods by Measure (exactly one of them).
type NewLine struct {
	SKU      string
	Quantity int64
	// Measure is the quantity of weighed or measured goods, exactly as a
	// scale label or [ParseMeasure] gives it: 0.347 kg is {347, 3,
	// catalog.Kilogram}. It makes a measured line in its unit (in the
	// catalogue's unit when the Service has one, converted exactly), and
	// leaves Quantity 0. A Measure in catalog.Each is a count and must be
	// whole ([ErrFractionalQuantity]).
	Measure    catalog.Measure
	Product    Product
	ParentID   string
	Fulfilment channel.FulfilmentMode
}

func (n NewLine) validate() error {
	if _, _, err := n.quantity(); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(n.SKU) == "" || n.SKU != strings.TrimSpace(n.SKU):
		return invalid("SKU", "must be non-empty without surrounding spaces")
	case n.Product.Name == "":
		return invalid("Product.Name", "must not be empty")
	case n.Product.TaxCategory == "":
		return invalid("Product.TaxCategory", "must not be empty")
	case n.Fulfilment != 0 && !n.Fulfilment.Valid():
		return invalid("Fulfilment", "unknown mode %d", uint8(n.Fulfilment))
	}
	for i, c := range n.Product.Categories {
		if c == "" || slices.Contains(n.Product.Categories[:i], c) {
			return invalid("Product.Categories", "empty or duplicate category %q", c)
		}
	}
	return nil
}

// AddLine adds a line, or adds to the quantity of the line with the same
// SKU, attributes and parent (one line per product, whatever the channel it
// was added in). It returns the ID of the line that holds the quantity. A
// measured line (NewLine.Measure) is always a line of its own: a second
// weighing is a second pack, not a sum.
func (b *Basket) AddLine(m Meta, n NewLine) (string, Event, error) {
	if err := b.editable(m); err != nil {
		return "", Event{}, err
	}
	if err := n.validate(); err != nil {
		return "", Event{}, err
	}
	if n.ParentID != "" {
		p, ok := b.Line(n.ParentID)
		if !ok {
			return "", Event{}, &InputError{Field: "ParentID", Reason: n.ParentID, Kind: ErrUnknownLine}
		}
		if p.ParentID != "" {
			return "", Event{}, invalid("ParentID", "a service line cannot have services of its own")
		}
	}
	qty, unit, _ := n.quantity() // validated above
	for _, l := range b.Lines {
		if !unit.Measured() && !l.Unit.Measured() && l.SKU == n.SKU && l.ParentID == n.ParentID && l.Product.equal(n.Product) {
			q := l.Quantity + qty
			if q > MaxQuantity {
				return "", Event{}, invalid("Quantity", "%d + %d exceeds %d", l.Quantity, qty, MaxQuantity)
			}
			e, err := b.record(m, EventQuantitySet, QuantitySet{LineID: l.ID, From: l.Quantity, To: q})
			return l.ID, e, err
		}
	}
	if len(b.Lines) >= MaxLines {
		return "", Event{}, invalid("Lines", "a basket holds at most %d lines", MaxLines)
	}
	p := n.Product
	p.Categories = slices.Clone(p.Categories)
	line := Line{ID: lineID(b.NextLine), SKU: n.SKU, Quantity: qty, Unit: unit, Product: p, ParentID: n.ParentID, Fulfilment: n.Fulfilment}
	e, err := b.record(m, EventLineAdded, LineAdded{Line: line})
	return line.ID, e, err
}

// SetQuantity sets a line's quantity (1…MaxQuantity); use RemoveLine to
// remove it. Setting the current quantity is refused as a no-op command
// would add a meaningless event. A measured line is refused
// ([ErrUnitMismatch]): its measure is set with [Basket.SetMeasure], so that
// a whole number meant as metres is never read as thousandths.
func (b *Basket) SetQuantity(m Meta, lineID string, qty int64) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	l, ok := b.Line(lineID)
	if !ok {
		return Event{}, &InputError{Field: "LineID", Reason: lineID, Kind: ErrUnknownLine}
	}
	if l.Unit.Measured() {
		return Event{}, &InputError{Field: "Quantity", Reason: "line " + lineID + " is sold by the " + l.Unit.String() + ": set its measure", Kind: ErrUnitMismatch}
	}
	if qty < 1 || qty > MaxQuantity {
		return Event{}, invalid("Quantity", "%d is outside 1…%d", qty, MaxQuantity)
	}
	if qty == l.Quantity {
		return Event{}, invalid("Quantity", "line %s already has quantity %d", lineID, qty)
	}
	return b.record(m, EventQuantitySet, QuantitySet{LineID: lineID, From: l.Quantity, To: qty})
}

// RemoveLine removes a line and the service lines attached to it.
func (b *Basket) RemoveLine(m Meta, lineID string) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	if _, ok := b.Line(lineID); !ok {
		return Event{}, &InputError{Field: "LineID", Reason: lineID, Kind: ErrUnknownLine}
	}
	var children []string
	for _, l := range b.Lines {
		if l.ParentID == lineID {
			children = append(children, l.ID)
		}
	}
	return b.record(m, EventLineRemoved, LineRemoved{LineID: lineID, Children: children})
}

// NormalizeCode is how coupon and voucher codes are compared: trimmed and
// upper-cased, so "summer10 " and "SUMMER10" are one code.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

func validCode(field, code string) error {
	if code == "" || len(code) > 64 {
		return invalid(field, "a code has 1 to 64 characters")
	}
	for _, r := range code {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return invalid(field, "%q has a character outside A-Z 0-9 - _", code)
		}
	}
	return nil
}

// AddCoupon puts a coupon code in the wallet. Whether a channel honours it
// is decided at pricing; the wallet keeps it either way.
func (b *Basket) AddCoupon(m Meta, code string) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	code = NormalizeCode(code)
	if err := validCode("Coupon", code); err != nil {
		return Event{}, err
	}
	if _, found := slices.BinarySearch(b.Wallet.Coupons, code); found {
		return Event{}, &InputError{Field: "Coupon", Reason: code, Kind: ErrDuplicateCoupon}
	}
	return b.record(m, EventCouponAdded, CodeChanged{Code: code})
}

// RemoveCoupon takes a code out of the wallet.
func (b *Basket) RemoveCoupon(m Meta, code string) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	code = NormalizeCode(code)
	if _, found := slices.BinarySearch(b.Wallet.Coupons, code); !found {
		return Event{}, invalid("Coupon", "%q is not in the wallet", code)
	}
	return b.record(m, EventCouponRemoved, CodeChanged{Code: code})
}

// AddVoucher keeps a gift-voucher code in the wallet for payment. Vouchers
// are a means of payment, not a discount: they do not change prices.
func (b *Basket) AddVoucher(m Meta, code string) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	code = NormalizeCode(code)
	if err := validCode("Voucher", code); err != nil {
		return Event{}, err
	}
	if _, found := slices.BinarySearch(b.Wallet.Vouchers, code); found {
		return Event{}, invalid("Voucher", "%q is already in the wallet", code)
	}
	return b.record(m, EventVoucherAdded, CodeChanged{Code: code})
}

// SetLoyalty links (or, with nil, unlinks) a loyalty account.
func (b *Basket) SetLoyalty(m Meta, l *Loyalty) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	if l != nil {
		if l.Account == "" {
			return Event{}, invalid("Loyalty.Account", "must not be empty")
		}
		if l.Burn < 0 {
			return Event{}, invalid("Loyalty.Burn", "must not be negative, got %d", l.Burn)
		}
		c := *l
		l = &c
	}
	return b.record(m, EventLoyaltySet, LoyaltySet{Loyalty: l})
}

// SetFulfilment records the shopper's preferred fulfilment mode for a line
// (0 clears it). Whether the mode is possible is decided at pricing.
func (b *Basket) SetFulfilment(m Meta, lineID string, mode channel.FulfilmentMode) (Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, err
	}
	if _, ok := b.Line(lineID); !ok {
		return Event{}, &InputError{Field: "LineID", Reason: lineID, Kind: ErrUnknownLine}
	}
	if mode != 0 && !mode.Valid() {
		return Event{}, invalid("Fulfilment", "unknown mode %d", uint8(mode))
	}
	return b.record(m, EventFulfilmentSet, FulfilmentSet{LineID: lineID, Mode: mode})
}

// Transition moves the basket through its lifecycle. lockUntil is required
// for Quote (prices are locked until then) and ignored otherwise; a move to
// Quote is [Basket.IssueQuote] under the default [QuotePolicy] (only
// associates and the System, lock at most [DefaultMaxQuoteLock] ahead).
// Moving a quote back to Cart drops its price lock. Ordering requires a
// complete, current pricing: every line priced and sourced in the basket's
// context ([ErrNotOrderable] otherwise).
func (b *Basket) Transition(m Meta, to Status, lockUntil time.Time) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	if !to.Valid() {
		return Event{}, invalid("Status", "unknown status %d", uint8(to))
	}
	if to == Quote {
		return b.IssueQuote(m, lockUntil, QuotePolicy{})
	}
	if !b.Status.CanBecome(to) {
		return Event{}, &TransitionError{From: b.Status, To: to}
	}
	if to == Ordered {
		if err := b.orderable(); err != nil {
			return Event{}, err
		}
	}
	return b.record(m, EventStatusChanged, StatusChanged{From: b.Status, To: to})
}

func (b *Basket) orderable() error {
	switch {
	case len(b.Lines) == 0:
		return &InputError{Field: "Lines", Reason: "the basket is empty", Kind: ErrNotOrderable}
	case b.Result == nil || b.Result.Context.Fingerprint() != b.Context.Fingerprint() || b.Result.BasketVersion != b.Version:
		return &InputError{Field: "Result", Reason: "the basket must be priced in its current context and state", Kind: ErrNotOrderable}
	}
	for _, l := range b.Result.Lines {
		if !l.Priced {
			return &InputError{Field: "Lines", Reason: "line " + l.LineID + " has no price here", Kind: ErrNotOrderable}
		}
		if l.Fulfilment.Short > 0 || l.Fulfilment.Unknown {
			return &InputError{Field: "Lines", Reason: "line " + l.LineID + " cannot be fulfilled in full", Kind: ErrNotOrderable}
		}
	}
	return nil
}

// SetResult records a pricing of the basket (from [Recontextualize]) and
// moves the basket to the result's context. The result must price this
// basket as it is now.
func (b *Basket) SetResult(m Meta, r *Result) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	if r == nil || r.BasketID != b.ID || r.BasketVersion != b.Version {
		return Event{}, invalid("Result", "the result does not price version %d of basket %s", b.Version, b.ID)
	}
	// The result is stamped with the version it priced; once recorded the
	// basket is one version further, and so is the result it holds.
	rc := *r
	rc.BasketVersion = b.Version + 1
	e := Recontextualized{Context: r.Context.Clone(), Patch: diffResult(b.Result, &rc)}
	if e.Patch == nil {
		e.Result = &rc // a result a patch cannot express is recorded whole
	}
	return b.record(m, EventRecontextualized, e)
}

// MergePolicy says how quantities combine when two baskets hold one SKU.
type MergePolicy uint8

// The merge policies.
const (
	// MergeSum adds the quantities (the shopper meant both).
	MergeSum MergePolicy = iota + 1
	// MergeMax keeps the larger quantity (the same intent saved twice).
	MergeMax
)

// String names the policy.
func (p MergePolicy) String() string {
	switch p {
	case MergeSum:
		return "sum"
	case MergeMax:
		return "max"
	}
	return "merge-policy(?)"
}

// MarshalText encodes the policy by name.
func (p MergePolicy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText decodes a policy by name.
func (p *MergePolicy) UnmarshalText(b []byte) error {
	v, err := parseEnum(b, MergeSum, MergeMax, "MergePolicy")
	if err == nil {
		*p = v
	}
	return err
}

// Merge brings the lines and wallet of src (typically the anonymous basket
// of a shopper who just signed in) into b. Lines with the same SKU, product
// and no parent combine by policy; other lines are added in src's line
// order with new IDs (service lines follow their parent; measured lines,
// each a weighed pack, are never combined); coupons and
// vouchers are united without duplicates. The result is deterministic. It
// returns the events for b and for src (which is abandoned, pointing at b).
// Proof that the caller holds both baskets is the Service's job.
func (b *Basket) Merge(m Meta, src *Basket, policy MergePolicy) (Event, Event, error) {
	if err := b.editable(m); err != nil {
		return Event{}, Event{}, err
	}
	switch {
	case src == nil || src.ID == b.ID:
		return Event{}, Event{}, invalid("Source", "a basket cannot be merged into itself")
	case policy != MergeSum && policy != MergeMax:
		return Event{}, Event{}, invalid("Policy", "unknown merge policy")
	case src.Status.Final():
		return Event{}, Event{}, &TransitionError{From: src.Status, To: Abandoned}
	case !src.Status.CanBecome(Abandoned):
		return Event{}, Event{}, &TransitionError{From: src.Status, To: Abandoned}
	}
	mg := Merged{Source: src.ID, Policy: policy}
	next := b.NextLine
	newIDs := map[string]string{}
	qty := map[string]int64{} // line ID in b → merged quantity
	lines := len(b.Lines)
	for _, sl := range src.Lines {
		if sl.ParentID == "" {
			if i := slices.IndexFunc(b.Lines, func(l Line) bool {
				return l.ParentID == "" && !l.Unit.Measured() && !sl.Unit.Measured() && l.SKU == sl.SKU && l.Product.equal(sl.Product)
			}); i >= 0 {
				l := b.Lines[i]
				q := max(l.Quantity, sl.Quantity)
				if policy == MergeSum {
					q = l.Quantity + sl.Quantity
				}
				if q > MaxQuantity {
					q = MaxQuantity
				}
				if q != l.Quantity {
					qty[l.ID] = q
				}
				newIDs[sl.ID] = l.ID
				continue
			}
		}
		parent := ""
		if sl.ParentID != "" {
			var ok bool
			if parent, ok = newIDs[sl.ParentID]; !ok {
				continue // its parent was not brought over
			}
		}
		if lines >= MaxLines {
			return Event{}, Event{}, invalid("Lines", "the merged basket would exceed %d lines", MaxLines)
		}
		nl := sl
		nl.ID, nl.ParentID = lineID(next), parent
		nl.Product.Categories = slices.Clone(sl.Product.Categories)
		next++
		lines++
		newIDs[sl.ID] = nl.ID
		mg.Added = append(mg.Added, nl)
	}
	for _, l := range b.Lines {
		if q, ok := qty[l.ID]; ok {
			mg.Quantities = append(mg.Quantities, QuantitySet{LineID: l.ID, From: l.Quantity, To: q})
		}
	}
	for _, c := range src.Wallet.Coupons {
		if _, found := slices.BinarySearch(b.Wallet.Coupons, c); !found {
			mg.Coupons = append(mg.Coupons, c)
		}
	}
	for _, v := range src.Wallet.Vouchers {
		if _, found := slices.BinarySearch(b.Wallet.Vouchers, v); !found {
			mg.Vouchers = append(mg.Vouchers, v)
		}
	}
	into := b.ID
	srcNext := src.Clone()
	se, err := srcNext.record(m, EventStatusChanged, StatusChanged{From: src.Status, To: Abandoned, MergedInto: &into})
	if err != nil {
		return Event{}, Event{}, err
	}
	be, err := b.record(m, EventMerged, mg)
	if err != nil {
		return Event{}, Event{}, err
	}
	*src = *srcNext
	return be, se, nil
}

// CheckIn moves the basket into a store's channel and grants that store's
// associates access until grant.ExpiresAt. The caller (the Service) has
// verified and consumed the shopper's token; method records how ("qr",
// "nfc", "short-code", "associate"). Price the basket afterwards.
func (b *Basket) CheckIn(m Meta, to channel.Context, method string, grant Grant) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	if err := to.Validate(); err != nil {
		return Event{}, err
	}
	switch {
	case !to.Kind.IsPhysical():
		return Event{}, invalid("Context.Kind", "a check-in is into a store or kiosk, not %s", to.Kind)
	case grant.LocationID != to.LocationID:
		return Event{}, invalid("Grant.LocationID", "the grant is for %q, the check-in at %q", grant.LocationID, to.LocationID)
	case !grant.ExpiresAt.After(m.At):
		return Event{}, invalid("Grant.ExpiresAt", "the grant must end after the check-in")
	}
	g := grant
	g.ExpiresAt = g.ExpiresAt.UTC()
	return b.record(m, EventCheckedIn, Handoff{From: b.Context.Clone(), To: to.Clone(), Method: method, Grant: &g})
}

// checkInOrder grants a store access to an order the shopper checked in
// there (to return goods, say); the order keeps its context.
func (b *Basket) checkInOrder(m Meta, method string, grant Grant) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	if !b.Status.Final() {
		return Event{}, invalid("Status", "a %s basket is checked in with CheckIn", b.Status)
	}
	if !grant.ExpiresAt.After(m.At) || grant.LocationID == "" {
		return Event{}, invalid("Grant", "a grant names a store and ends after the check-in")
	}
	g := grant
	g.ExpiresAt = g.ExpiresAt.UTC()
	return b.record(m, EventCheckedIn, Handoff{From: b.Context.Clone(), To: b.Context.Clone(), Method: method, Grant: &g})
}

// CheckOut moves the basket into another channel (typically back to the
// web or app) and revokes every store grant. Price the basket afterwards.
func (b *Basket) CheckOut(m Meta, to channel.Context, method string) (Event, error) {
	if err := b.mutable(m); err != nil {
		return Event{}, err
	}
	if err := to.Validate(); err != nil {
		return Event{}, err
	}
	return b.record(m, EventCheckedOut, Handoff{From: b.Context.Clone(), To: to.Clone(), Method: method})
}
