package basket

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
)

// A basket leaves the store the way it came in, by a single-use token:
// the associate's tablet shows a check-out QR code, the shopper's phone
// scans it, and the basket moves to the web under the shopper's own
// session. This is also how a basket an associate started for a walk-in
// customer becomes that customer's: the associate cannot name the
// account (that would let any associate attach a basket to anyone and so
// read their purchase history), the customer claims the basket by
// scanning the code while signed in.

// DefaultCheckOutTTL is how long a check-out code is valid when the
// request gives no TTL: long enough to find one's phone and sign in.
const DefaultCheckOutTTL = 15 * time.Minute

// IssueCheckOut gives the tablet a single-use check-out token for the
// basket (a QR code for the shopper's phone). An associate whose store
// holds a grant, or the owner, may ask; req.Location and req.ShortCode are
// ignored (a check-out token is redeemed on the web, which has no
// location). Nothing is written until it is claimed.
func (s *Service) IssueCheckOut(ctx context.Context, actor Actor, id uuid.UUID, req HandoffRequest) (Ticket, error) {
	if s.cfg.Handoff == nil {
		return Ticket{}, notConfigured("Config.Handoff", "check-out tokens are not configured")
	}
	b, err := s.Get(ctx, actor, id)
	if err != nil {
		return Ticket{}, err
	}
	if b.Status.Final() {
		return Ticket{}, &InputError{Field: "Status", Reason: "an " + b.Status.String() + " basket is not handed back to the web", Kind: ErrImmutable}
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = DefaultCheckOutTTL
	}
	token, claims, err := s.cfg.Handoff.Issue(handoff.Request{
		Basket: id, Purpose: handoff.CheckOut, TTL: ttl,
		Audience: handoff.Audience{Retailer: s.cfg.Retailer},
	})
	if err != nil {
		return Ticket{}, err
	}
	return Ticket{Token: token, ExpiresAt: claims.ExpiresAt}, nil
}

// ClaimRequest is what the shopper's phone sends after scanning a
// check-out code.
type ClaimRequest struct {
	Token string
	// Target is where the basket goes (the web shop's context).
	Target channel.Context
}

// ClaimCheckOut is the shopper's side of a check-out code, in one call:
// it redeems the token (single use), makes an anonymous basket the
// shopper's (shopper.ID is the signed-in customer), moves the basket to
// req.Target revoking every store grant, and prices it there, all in one
// atomic write. A basket of another customer is [ErrNotFound] to this
// shopper. With an idempotency key a retry returns the first outcome
// instead of failing on the spent token.
func (s *Service) ClaimCheckOut(ctx context.Context, shopper Actor, req ClaimRequest, opts ...CallOption) (*Basket, error) {
	if s.cfg.Handoff == nil {
		return nil, notConfigured("Config.Handoff", "check-out tokens are not configured")
	}
	if err := shopper.validate(); err != nil {
		return nil, err
	}
	if shopper.Kind != Shopper {
		return nil, &InputError{Field: "Actor", Reason: "a check-out code is claimed by the shopper's own session", Kind: ErrForbidden}
	}
	if req.Token == "" {
		return nil, invalid("Token", "must not be empty")
	}
	place := req.Target.Clone()
	place.AsOf = s.cfg.Clock.Now().UTC()
	if err := place.Validate(); err != nil {
		return nil, err
	}
	place.AsOf = time.Time{}
	var c call
	for _, o := range opts {
		o(&c)
	}
	cmd := command{
		op: "claim-check-out", args: []any{req.Token, place.Fingerprint()},
		authz: func(b *Basket) error {
			if b.Owner.CustomerID != "" && b.Owner.CustomerID != shopper.ID {
				return NotFound(b.ID)
			}
			return nil
		},
		apply: func(t *tx, b *Basket) error {
			attached, err := b.AttachOwner(t.m, shopper.ID)
			if err != nil {
				return err
			}
			t.events = append(t.events, attached...)
			target := b.Context.MoveTo(place)
			target.AsOf = t.m.At
			if err := t.add(b.CheckOut(t.m, target, "check-out-code")); err != nil {
				return err
			}
			return t.reprice(b, target)
		},
	}
	return s.redeemThenRun(ctx, shopper, cmd, c, opts, func() (handoff.Claims, error) {
		return s.cfg.Handoff.Redeem(ctx, req.Token, handoff.Expectation{Purpose: handoff.CheckOut, Retailer: s.cfg.Retailer})
	})
}
