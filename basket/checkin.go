package basket

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket/handoff"
	"github.com/omnibasket/omnibasket/channel"
)

// DefaultGrantTTL is how long a check-in lets a store's associates serve a
// basket when Config.GrantTTL is zero: a long visit, not a standing right.
const DefaultGrantTTL = 4 * time.Hour

// HandoffRequest asks for a token the shopper shows (QR code, NFC tag) or
// reads aloud (short code) to move the basket to a store.
type HandoffRequest struct {
	// Location restricts the token to one store; empty means any store of
	// the retailer.
	Location string
	// TTL is the token's lifetime (a few minutes is typical).
	TTL time.Duration
	// ShortCode also issues a human-typable code for the same grant;
	// it requires Location.
	ShortCode bool
}

// Ticket is what the shopper's device displays.
type Ticket struct {
	Token     string    `json:"token"`
	ShortCode string    `json:"short_code,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IssueCheckIn gives the basket's owner a single-use check-in token (and
// optionally a short code for the same grant). Nothing is written: the
// token itself is the state until it is redeemed.
func (s *Service) IssueCheckIn(ctx context.Context, actor Actor, id uuid.UUID, req HandoffRequest) (Ticket, error) {
	if s.cfg.Handoff == nil {
		return Ticket{}, notConfigured("Config.Handoff", "check-in tokens are not configured")
	}
	if _, err := s.Get(ctx, actor, id); err != nil {
		return Ticket{}, err
	}
	if actor.Kind == Associate {
		return Ticket{}, &InputError{Field: "Actor", Reason: "the shopper issues their own check-in", Kind: ErrForbidden}
	}
	// An order can be checked in too: the shopper shows it at a store to
	// return goods, and the store gets a grant on it (nothing is re-priced).
	token, claims, err := s.cfg.Handoff.Issue(handoff.Request{
		Basket: id, Purpose: handoff.CheckIn, TTL: req.TTL,
		Audience: handoff.Audience{Retailer: s.cfg.Retailer, Location: req.Location},
	})
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{Token: token, ExpiresAt: claims.ExpiresAt}
	if req.ShortCode {
		if t.ShortCode, err = s.cfg.Handoff.IssueShortCode(ctx, claims); err != nil {
			return Ticket{}, err
		}
	}
	return t, nil
}

// CheckInRequest is what the associate's tablet sends: the scanned token or
// the typed short code, and the store context to serve the basket in.
type CheckInRequest struct {
	Token     string
	ShortCode string
	// Method is how the shopper was identified ("qr", "nfc", "short-code").
	Method string
	// Target is the store's channel context; its LocationID must be the
	// associate's.
	Target channel.Context
}

// CheckIn is the associate's side of a check-in, in one call: it redeems
// the token (single use: a second or concurrent redemption fails with
// handoff.ErrAlreadyUsed), grants the associate's store access to the
// basket, moves it into the store and prices it there, all recorded as
// events in one atomic write. An order (Ordered, Invoiced) checked in
// keeps its context and prices: the store only gets its grant, to take a
// return or collect goods. The move takes from req.Target what belongs
// to the place (channel, location, currency, price lists, tax zone, stock
// sources, fulfilment modes) and keeps what belongs to the shopper
// (customer group, locale); see [channel.Context.MoveTo].
//
// With an idempotency key, a retry of the same check-in (same token or
// short code, method and target, whenever it is sent) returns the first
// outcome instead of failing on the spent token; the key is scoped to the
// associate. The token is consumed first, so a check-in that then fails
// (the basket was ordered meanwhile, say) needs a new token.
func (s *Service) CheckIn(ctx context.Context, associate Actor, req CheckInRequest, opts ...CallOption) (*Basket, error) {
	if s.cfg.Handoff == nil {
		return nil, notConfigured("Config.Handoff", "check-in tokens are not configured")
	}
	if err := associate.validate(); err != nil {
		return nil, err
	}
	if associate.Kind != Associate {
		return nil, &InputError{Field: "Actor", Reason: "a check-in is redeemed by a store associate", Kind: ErrForbidden}
	}
	if req.Target.LocationID != associate.LocationID {
		return nil, invalid("Target.LocationID", "the associate works at %q, not %q", associate.LocationID, req.Target.LocationID)
	}
	if (req.Token == "") == (req.ShortCode == "") {
		return nil, invalid("CheckInRequest", "exactly one of Token and ShortCode")
	}
	place := req.Target.Clone()
	place.AsOf = s.cfg.Clock.Now().UTC() // the Service prices as of the command time
	if err := place.Validate(); err != nil {
		return nil, err
	}
	place.AsOf = time.Time{} // and a retry a second later is the same command
	var c call
	for _, o := range opts {
		o(&c)
	}
	ttl := s.grantTTL()
	cmd := command{
		op: "check-in", args: []any{req.Token, req.ShortCode, req.Method, place.Fingerprint()},
		authz: func(*Basket) error { return nil }, // the redeemed token is the proof
		apply: func(t *tx, b *Basket) error {
			grant := Grant{LocationID: associate.LocationID, GrantedBy: associate.ID, ExpiresAt: t.m.At.Add(ttl)}
			if b.Status.Final() {
				return t.add(b.checkInOrder(t.m, req.Method, grant))
			}
			target := b.Context.MoveTo(place)
			target.AsOf = t.m.At
			if err := t.add(b.CheckIn(t.m, target, req.Method, grant)); err != nil {
				return err
			}
			return t.reprice(b, target)
		},
	}
	expect := handoff.Expectation{Purpose: handoff.CheckIn, Retailer: s.cfg.Retailer, Location: associate.LocationID}
	return s.redeemThenRun(ctx, associate, cmd, c, opts, func() (handoff.Claims, error) {
		if req.Token != "" {
			return s.cfg.Handoff.Redeem(ctx, req.Token, expect)
		}
		return s.cfg.Handoff.RedeemShortCode(ctx, req.ShortCode, expect)
	})
}

// redeemThenRun runs a command whose basket a single-use token names:
// a retry under the command's idempotency key is answered from its record
// (even once the token is spent), otherwise the token is redeemed and the
// command runs on the basket it names.
func (s *Service) redeemThenRun(ctx context.Context, actor Actor, cmd command, c call, opts []CallOption,
	redeem func() (handoff.Claims, error)) (out *Basket, err error) {
	ctx, obs := s.obs.command(ctx, cmd.op, actor, uuid.Nil)
	defer func() { obs.end(out, err) }()
	key, d, err := s.idempotency(actor, cmd, c)
	if err != nil {
		return nil, err
	}
	if key != nil {
		if b, done, err := s.replay(ctx, actor, *key, d); done {
			obs.replay()
			return b, err
		}
	}
	claims, err := redeem()
	if err != nil {
		if key != nil && errors.Is(err, handoff.ErrAlreadyUsed) {
			// A concurrent first call with this key may have finished.
			if b, done, rerr := s.replay(ctx, actor, *key, d); done {
				obs.replay()
				return b, rerr
			}
		}
		return nil, err
	}
	cmd.basket = claims.Basket
	obs.id = claims.Basket
	return s.execObserved(ctx, &obs, actor, cmd, opts)
}

// CheckOut moves the basket out of the store into target (the web shop for
// a showrooming shopper finishing at home), revoking every store grant, and
// prices it there as of the command time (target.AsOf is ignored). Like a
// check-in, the move keeps what belongs to the shopper. The owner or an
// associate holding a grant may do it.
func (s *Service) CheckOut(ctx context.Context, actor Actor, id uuid.UUID, target channel.Context, opts ...CallOption) (*Basket, error) {
	place := target.Clone()
	place.AsOf = time.Time{} // never part of the command's identity
	return s.run(ctx, actor, id, "check-out", []any{place.Fingerprint()}, opts, func(t *tx, b *Basket) error {
		target := b.Context.MoveTo(place)
		target.AsOf = t.m.At
		if err := t.add(b.CheckOut(t.m, target, "check-out")); err != nil {
			return err
		}
		return t.reprice(b, target)
	})
}
