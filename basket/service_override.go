package basket

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
	"github.com/omnibasket/omnibasket/pricing"
)

// The errors of price overrides.
var (
	// ErrApprovalRequired: the override takes more off the line than the
	// actor's role may grant alone; a manager's approval
	// ([Service.ApproveOverride]) for exactly this override is needed. A
	// [*LimitError] says by how much. Nothing changed.
	ErrApprovalRequired = errors.New("basket: override above the limit needs a manager's approval")
	// ErrNoOverride: the line has no override to remove.
	ErrNoOverride = errors.New("basket: no override on this line")
)

// LimitError is an override refused because it takes Asked off line
// LineID where the role may take at most Limit. It matches
// [ErrApprovalRequired].
type LimitError struct {
	LineID string
	Role   string
	Asked  pricing.Money
	Limit  pricing.Money
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("basket: the override takes %s off line %s, above the %q limit of %s: a manager's approval is required",
		e.Asked, e.LineID, e.Role, e.Limit)
}

// Unwrap returns [ErrApprovalRequired].
func (e *LimitError) Unwrap() error { return ErrApprovalRequired }

// DefaultApprovalTTL is how long a manager's approval stays valid when
// [OverridePolicy.ApprovalTTL] is zero: the walk to the till, not a shift.
const DefaultApprovalTTL = 5 * time.Minute

// OverridePolicy says who may override a line's price and how far.
// Associates (Actor.Role) whose role is listed may override, on a basket
// their store holds a grant on and while it is served there, up to their
// role's limit alone and beyond it with the approval of a role that
// approves, itself within its own limit. The System overrides without a
// limit (the platform vouches for it); shoppers never override.
type OverridePolicy struct {
	// Roles maps a staff role to its limit. A role not listed may not
	// override; an empty map allows no override at all.
	Roles map[string]OverrideLimit
	// Reasons are the reason codes accepted (normalised like wallet
	// codes: "PRICE-MATCH", "DAMAGED"); empty accepts any well-formed code.
	Reasons []string
	// Carry is what becomes of an override when the basket leaves the
	// store where it was granted: [EndOnLeave] (the zero value) or [Keep].
	Carry OverrideCarry
	// ApprovalTTL is how long an approval stays valid
	// ([DefaultApprovalTTL] when 0).
	ApprovalTTL time.Duration
}

// OverrideLimit is what one role may take off a line without approval,
// and whether it approves others' overrides.
type OverrideLimit struct {
	// MaxPercent is the largest reduction as a fraction of the line's
	// subtotal without the override (its price × quantity, before
	// promotions): pricing.MustPercent("10") lets the role take 10 % off,
	// rounded down to the minor unit. Zero allows no reduction alone.
	MaxPercent pricing.Rate
	// MaxAmount caps the reduction per line, one amount per currency; a
	// currency not listed has no absolute cap (MaxPercent still applies).
	MaxAmount []pricing.Money
	// Approves lets the role approve overrides above other roles' limits
	// ([Service.ApproveOverride]), within its own.
	Approves bool
}

func (p OverridePolicy) validate() error {
	for role, l := range p.Roles {
		field := "Config.Overrides.Roles[" + role + "]"
		switch {
		case role == "":
			return invalid("Config.Overrides.Roles", "a role has a name")
		case !l.MaxPercent.AtMostOne():
			return invalid(field+".MaxPercent", "%s is above 1 (100 %%)", l.MaxPercent)
		}
		for i, m := range l.MaxAmount {
			if m.Currency().IsZero() || m.IsNegative() {
				return invalid(field+".MaxAmount", "an amount in a currency, not below zero")
			}
			if slices.ContainsFunc(l.MaxAmount[:i], func(o pricing.Money) bool { return o.Currency() == m.Currency() }) {
				return invalid(field+".MaxAmount", "two amounts in %s", m.Currency())
			}
		}
	}
	for _, r := range p.Reasons {
		if err := validCode("Config.Overrides.Reasons", r); err != nil {
			return err
		}
	}
	switch {
	case p.Carry > Keep:
		return invalid("Config.Overrides.Carry", "unknown policy %d", uint8(p.Carry))
	case p.ApprovalTTL < 0:
		return invalid("Config.Overrides.ApprovalTTL", "must not be negative")
	}
	return nil
}

// limit is the most the role may take off a line whose subtotal without
// the override is base.
func (l OverrideLimit) limit(base pricing.Money) (pricing.Money, error) {
	most, err := base.MulRate(l.MaxPercent, pricing.Floor)
	if err != nil {
		return pricing.Money{}, err
	}
	for _, m := range l.MaxAmount {
		if m.Currency() == base.Currency() {
			return most.Min(m)
		}
	}
	return most, nil
}

// OverrideRequest asks to override a line's price.
type OverrideRequest struct {
	LineID string
	// Terms are what the override does: [SetPrice], [AmountOff] or
	// [PercentOff].
	Terms OverrideTerms
	// Reason is the reason code, one of [OverridePolicy.Reasons].
	Reason string
	// Approval is a manager's approval token for exactly this request
	// ([Service.ApproveOverride]), needed when the override is above the
	// actor's limit.
	Approval string
}

// normalized returns the request with its reason normalised, checked
// against the policy.
func (r OverrideRequest) normalized(p OverridePolicy) (OverrideRequest, error) {
	r.Reason = NormalizeCode(r.Reason)
	r.Terms = r.Terms.clone()
	if err := r.Terms.validate(); err != nil {
		return r, err
	}
	if err := validCode("Reason", r.Reason); err != nil {
		return r, err
	}
	if len(p.Reasons) > 0 && !slices.ContainsFunc(p.Reasons, func(c string) bool { return NormalizeCode(c) == r.Reason }) {
		return r, invalid("Reason", "%q is not a reason code of this retailer", r.Reason)
	}
	return r, nil
}

// digest identifies exactly what an approval approves: the basket, the
// line, the terms, the reason and the location where it is granted.
func (r OverrideRequest) digest(id uuid.UUID, location string) [handoff.DigestLen]byte {
	b, _ := json.Marshal(struct {
		Basket   uuid.UUID     `json:"basket"`
		Location string        `json:"location"`
		Line     string        `json:"line"`
		Terms    OverrideTerms `json:"terms"`
		Reason   string        `json:"reason"`
	}{id, location, r.LineID, r.Terms, r.Reason})
	return sha256.Sum256(append([]byte("omnibasket/override\x00"), b...))
}

// Approval is a manager's approval of one override, to hand to the
// associate's tablet (shown as a QR code, say). It is single use.
type Approval struct {
	Token     string    `json:"token"`
	Approver  string    `json:"approver"`
	ExpiresAt time.Time `json:"expires_at"`
}

// overrider checks that actor may override on b and returns their limit
// (nil for the System, which has none).
func (s *Service) overrider(actor Actor, b *Basket) (*OverrideLimit, error) {
	if len(s.cfg.Overrides.Roles) == 0 {
		return nil, notConfigured("Config.Overrides", "no role may override prices")
	}
	switch actor.Kind {
	case System:
		return nil, nil
	case Associate:
		if actor.LocationID != b.Context.LocationID {
			return nil, &InputError{Field: "Actor.LocationID", Reason: fmt.Sprintf("the basket is served at %q, not %q", b.Context.LocationID, actor.LocationID), Kind: ErrForbidden}
		}
		l, ok := s.cfg.Overrides.Roles[actor.Role]
		if !ok {
			return nil, &InputError{Field: "Actor.Role", Reason: fmt.Sprintf("role %q may not override prices", actor.Role), Kind: ErrForbidden}
		}
		return &l, nil
	}
	return nil, &InputError{Field: "Actor", Reason: "a shopper does not override prices", Kind: ErrForbidden}
}

// within checks that the override applied as a takes no more off its line
// than limit allows (nil: no limit).
func within(a AppliedOverride, role string, limit *OverrideLimit) error {
	if limit == nil {
		return nil
	}
	most, err := limit.limit(a.Base)
	if err != nil {
		return err
	}
	if c, err := a.Amount.Cmp(most); err != nil || c > 0 {
		return &LimitError{LineID: a.LineID, Role: role, Asked: a.Amount, Limit: most}
	}
	return nil
}

// newOverride is the override actor asks for on b.
func (s *Service) newOverride(actor Actor, b *Basket, req OverrideRequest, approver string) Override {
	return Override{LineID: req.LineID, Terms: req.Terms, Reason: req.Reason, GrantedBy: actor.ID, Role: actor.Role,
		ApprovedBy: approver, LocationID: b.Context.LocationID, Carry: s.cfg.Overrides.Carry}
}

// effect checks what o does once b is priced with it: it must apply and
// lower the line.
func effect(b *Basket, lineID string) (AppliedOverride, error) {
	a, ok := b.Result.Override(lineID)
	if !ok || !a.Amount.IsPositive() {
		return AppliedOverride{}, invalid("Terms", "the override does not lower line %s here (no price here, another currency, or not below its price)", lineID)
	}
	return a, nil
}

// OverridePrice sets a line's price, or takes a discount off it, with a
// reason code (see [Override] for where it sits in the pricing). The
// actor is an associate of the store serving the basket whose role is in
// [Config.Overrides] (or the System); a shopper is refused with
// [ErrForbidden], an associate without a grant on the basket gets
// [ErrNotFound] as for any command.
//
// What the override takes off the line, measured against the line's
// subtotal without it, must be within the role's limit; above it, the
// request must carry a manager's approval for exactly this override
// ([Service.ApproveOverride]), or it is refused with a [*LimitError]
// (matching [ErrApprovalRequired]) and nothing changes. An approval is
// redeemed, single use, before the command runs: one for another line,
// amount, reason or basket, expired or already used, is refused with the
// handoff sentinel ([handoff.ErrWrongSubject], [handoff.ErrExpired],
// [handoff.ErrAlreadyUsed] …), and a command that then fails needs a new
// one. With an idempotency key, a retry returns the first outcome instead
// of failing on the spent approval.
//
// The override replaces the line's previous one, is recorded as an event
// ([EventPriceOverridden]) and the basket is priced again: the change
// report says so ([ChangeOverrideApplied]) and Result.Overrides shows it
// with its reason, who granted and approved it, and its amount.
func (s *Service) OverridePrice(ctx context.Context, actor Actor, id uuid.UUID, req OverrideRequest, opts ...CallOption) (*Basket, error) {
	if err := actor.validate(); err != nil {
		return nil, err
	}
	if actor.Kind == Shopper {
		return nil, &InputError{Field: "Actor", Reason: "a shopper does not override prices", Kind: ErrForbidden}
	}
	req, err := req.normalized(s.cfg.Overrides)
	if err != nil {
		return nil, err
	}
	var c call
	for _, o := range opts {
		o(&c)
	}
	var approver string
	cmd := command{op: "override-price", basket: id, scope: id, args: []any{req.LineID, req.Terms, req.Reason, req.Approval},
		apply: func(t *tx, b *Basket) error {
			limit, err := s.overrider(actor, b)
			if err != nil {
				return err
			}
			if err := t.add(b.OverridePrice(t.m, s.newOverride(actor, b, req, approver))); err != nil {
				return err
			}
			if err := t.reprice(b, b.Context); err != nil {
				return err
			}
			a, err := effect(b, req.LineID)
			if err != nil || approver != "" {
				return err
			}
			return within(a, actor.Role, limit)
		}}
	key, d, err := s.idempotency(actor, cmd, c)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if b, done, err := s.replay(ctx, actor, *key, d); done {
			return b, err
		}
	}
	if req.Approval != "" {
		if s.cfg.Handoff == nil {
			return nil, notConfigured("Config.Handoff", "override approvals are not configured")
		}
		// The actor must hold the basket before spending anyone's approval.
		b, err := s.Get(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		claims, err := s.cfg.Handoff.RedeemApproval(ctx, req.Approval, handoff.ApprovalExpectation{
			Retailer: s.cfg.Retailer, Location: b.Context.LocationID, Basket: id, Digest: req.digest(id, b.Context.LocationID),
		})
		if err != nil {
			if key != nil && errors.Is(err, handoff.ErrAlreadyUsed) {
				// A concurrent first call with this key may have finished.
				if b, done, rerr := s.replay(ctx, actor, *key, d); done {
					return b, rerr
				}
			}
			return nil, err
		}
		approver = claims.Approver
	}
	return s.exec(ctx, actor, cmd, opts)
}

// RemoveOverride takes a line's override away (the shopper changed their
// mind about the damaged one, say) and prices the basket again. The same
// actors as for [Service.OverridePrice] may do it; no limit applies, since
// it only raises the line back to its price.
func (s *Service) RemoveOverride(ctx context.Context, actor Actor, id uuid.UUID, lineID string, opts ...CallOption) (*Basket, error) {
	if actor.Kind == Shopper {
		return nil, &InputError{Field: "Actor", Reason: "a shopper does not override prices", Kind: ErrForbidden}
	}
	return s.run(ctx, actor, id, "remove-override", []any{lineID}, opts, func(t *tx, b *Basket) error {
		if _, err := s.overrider(actor, b); err != nil {
			return err
		}
		if err := t.add(b.RemoveOverride(t.m, lineID)); err != nil {
			return err
		}
		return t.reprice(b, b.Context)
	})
}

// ApproveOverride is the manager's side of an override above an
// associate's limit: it prices the basket with the override as asked
// (req.Approval is ignored) and, when what it takes off the line is within
// the approver's own limit, returns a signed approval for exactly that
// override, valid [OverridePolicy.ApprovalTTL] at the basket's store and
// single use. The approver is an associate of the store serving the
// basket (with a grant on it) whose role approves ([OverrideLimit.Approves]),
// or the System; above their limit they get a [*LimitError] too. Nothing
// is written: the token is the state until the associate presents it to
// [Service.OverridePrice].
func (s *Service) ApproveOverride(ctx context.Context, approver Actor, id uuid.UUID, req OverrideRequest) (Approval, error) {
	if s.cfg.Handoff == nil {
		return Approval{}, notConfigured("Config.Handoff", "override approvals are not configured")
	}
	if err := approver.validate(); err != nil {
		return Approval{}, err
	}
	if approver.Kind == Shopper {
		return Approval{}, &InputError{Field: "Actor", Reason: "a shopper does not approve overrides", Kind: ErrForbidden}
	}
	req, err := req.normalized(s.cfg.Overrides)
	if err != nil {
		return Approval{}, err
	}
	b, err := s.Get(ctx, approver, id)
	if err != nil {
		return Approval{}, err
	}
	limit, err := s.overrider(approver, b)
	if err != nil {
		return Approval{}, err
	}
	if limit != nil && !limit.Approves {
		return Approval{}, &InputError{Field: "Actor.Role", Reason: fmt.Sprintf("role %q does not approve overrides", approver.Role), Kind: ErrForbidden}
	}
	// Price a copy of the basket with the override, as OverridePrice will.
	m := Meta{Actor: approver, At: s.cfg.Clock.Now().UTC()}
	trial := b.Clone()
	if _, err := trial.OverridePrice(m, s.newOverride(approver, b, req, approver.ID)); err != nil {
		return Approval{}, err
	}
	if err := s.priceNow(ctx, trial, m.At); err != nil {
		return Approval{}, err
	}
	a, err := effect(trial, req.LineID)
	if err != nil {
		return Approval{}, err
	}
	if err := within(a, approver.Role, limit); err != nil {
		return Approval{}, err
	}
	ttl := s.cfg.Overrides.ApprovalTTL
	if ttl == 0 {
		ttl = DefaultApprovalTTL
	}
	token, claims, err := s.cfg.Handoff.IssueApproval(handoff.ApprovalRequest{
		Basket: id, Audience: handoff.Audience{Retailer: s.cfg.Retailer, Location: b.Context.LocationID},
		Approver: approver.ID, Digest: req.digest(id, b.Context.LocationID), TTL: ttl,
	})
	if err != nil {
		return Approval{}, err
	}
	return Approval{Token: token, Approver: approver.ID, ExpiresAt: claims.ExpiresAt}, nil
}

// priceNow prices b in its context as of at, as a command would, without
// recording anything but the result on b itself.
func (s *Service) priceNow(ctx context.Context, b *Basket, at time.Time) error {
	target := b.Context.Clone()
	target.AsOf = at
	snap, err := s.Snapshot(ctx, b, target)
	if err != nil {
		return err
	}
	opts := s.cfg.Options
	if b.Result != nil {
		opts.Policy = b.Result.Policy
	}
	r, err := Recontextualize(b, target, snap, opts)
	if err != nil {
		return err
	}
	b.Result = r
	return nil
}

// endOverrides records, before the basket is priced in target, the end of
// the overrides that do not follow it there ([EndOnLeave] overrides
// granted at another location).
func (t *tx) endOverrides(b *Basket, target channel.Context) error {
	var ended []string
	for i := range b.Overrides {
		if o := &b.Overrides[i]; !o.inForce(target) {
			ended = append(ended, o.LineID)
		}
	}
	if len(ended) == 0 {
		return nil
	}
	return t.add(b.endOverrides(t.m, ended, target.LocationID))
}
