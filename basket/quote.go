package basket

import (
	"slices"
	"time"
)

// DefaultMaxQuoteLock is how far ahead a quote may lock its prices when
// [QuotePolicy.MaxLock] is not set.
const DefaultMaxQuoteLock = 30 * 24 * time.Hour

// QuotePolicy says who may turn a basket into a quote and for how long its
// prices may be locked. The zero value is the default: associates and the
// System issue quotes (a shopper cannot quote their own basket), locked for
// at most [DefaultMaxQuoteLock]. Defaults are applied when the policy is
// read, so a Config built as a literal gets them too.
type QuotePolicy struct {
	// MaxLock bounds how long after the command a quote's price lock may
	// end; 0 or less means [DefaultMaxQuoteLock].
	MaxLock time.Duration
	// Issuers are the actor kinds that may issue quotes. nil means
	// [Associate] and [System]; an empty non-nil slice means nobody.
	Issuers []ActorKind
}

// MaxLockOrDefault returns MaxLock, or [DefaultMaxQuoteLock] when unset.
func (p QuotePolicy) MaxLockOrDefault() time.Duration {
	if p.MaxLock <= 0 {
		return DefaultMaxQuoteLock
	}
	return p.MaxLock
}

// MayIssue reports whether actors of kind k may issue quotes.
func (p QuotePolicy) MayIssue(k ActorKind) bool {
	if p.Issuers == nil {
		return k == Associate || k == System
	}
	return slices.Contains(p.Issuers, k)
}

// check refuses a quote request that the policy does not allow: an actor
// kind that may not issue quotes ([ErrForbidden]), or a lock that does not
// end after the command or ends beyond the maximum ([ErrInvalid], field
// "LockUntil"). It reads nothing but its arguments.
func (p QuotePolicy) check(m Meta, lockUntil time.Time) error {
	if !p.MayIssue(m.Actor.Kind) {
		return &InputError{Field: "Actor.Kind", Reason: "a " + m.Actor.Kind.String() + " may not issue quotes", Kind: ErrForbidden}
	}
	if !lockUntil.After(m.At) {
		return invalid("LockUntil", "a quote's price lock must end after %s", m.At.UTC().Format(time.RFC3339))
	}
	// Compared as a duration so that a far-future lockUntil cannot
	// overflow m.At.Add; Sub saturates instead.
	if maxLock := p.MaxLockOrDefault(); lockUntil.Sub(m.At) > maxLock {
		return invalid("LockUntil", "a quote's price lock may end at most %s after the command (%s), not %s",
			maxLock, m.At.Add(maxLock).UTC().Format(time.RFC3339), lockUntil.UTC().Format(time.RFC3339))
	}
	return nil
}

// IssueQuote turns a cart into a quote whose unit prices are locked until
// lockUntil, under policy p (see [QuotePolicy]). The basket must be priced
// in its current context and state (the Service prices it first), so the
// locked prices are those of the quoted quantities. While it is a quote its
// lines, coupons and loyalty account are frozen ([ErrQuoteFrozen]);
// reopening it as a cart (Transition to [Cart]) drops the lock.
func (b *Basket) IssueQuote(m Meta, lockUntil time.Time, p QuotePolicy) (Event, error) {
	if err := checkMeta(m); err != nil {
		return Event{}, err
	}
	if err := p.check(m, lockUntil); err != nil {
		return Event{}, err
	}
	if !b.Status.CanBecome(Quote) {
		return Event{}, &TransitionError{From: b.Status, To: Quote}
	}
	if b.Result == nil || b.Result.BasketVersion != b.Version || b.Result.Context.Fingerprint() != b.Context.Fingerprint() {
		return Event{}, invalid("Result", "a basket must be priced in its current context and state before it becomes a quote")
	}
	return b.record(m, EventStatusChanged, StatusChanged{From: b.Status, To: Quote, LockedUntil: lockUntil.UTC()})
}

// editable is the guard of the commands that change what a quote offers:
// lines, coupons, loyalty. A quote is frozen until it is reopened as a cart.
func (b *Basket) editable(m Meta) error {
	if err := b.mutable(m); err != nil {
		return err
	}
	if b.Status == Quote {
		return &InputError{Field: "Status", Reason: "a quote is frozen; reopen it as a cart to change it", Kind: ErrQuoteFrozen}
	}
	return nil
}
