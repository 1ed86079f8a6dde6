package basket

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/payment"
)

// Erasure on request. A customer who asks for their personal data to be
// erased (GDPR art. 17) is erased from every basket that was theirs: the
// baskets they own, and the anonymous baskets merged into those (their
// own sessions before they signed in). What identifies or describes the
// person is replaced, everywhere it is stored, by one pseudonym per
// request; what the law requires the retailer to keep (orders, invoices
// and credit notes, with their amounts, taxes, numbers and dates) is kept
// whole, so the books still add up and every history still replays to the
// same totals. The functions deciding what changes are the methods of
// [Erasure], pure and shared by every store, so all stores scrub alike.
//
// Replaced by the pseudonym: the owner (customer ID, anonymous session
// ID), the ID of every shopper acting in the basket's history, the loyalty
// account (wallet, pricing, order, points tender) and the customer ID of
// invoices and credit notes. Cleared: the free text of returns (the
// shopper's reason). Deleted: the idempotency records of the baskets and
// those the customer sent. Kept: lines, prices, promotions, taxes, totals,
// payments' amounts, gift-card and voucher codes (bearer instruments, not
// a person), associates' IDs, stores, times, document numbers and series.

// ErasurePrefix starts every pseudonym. A customer ID that starts with it
// is refused as the subject of an erasure: it is one already.
const ErasurePrefix = "erased-"

// maxErasurePasses bounds how often [Service.Erase] looks again for the
// customer's ID, which a command of another instance in flight during the
// erasure may have written back.
const maxErasurePasses = 3

// Erasure is one request to erase a customer's personal data.
type Erasure struct {
	// ID names the request, and makes its pseudonym ([Erasure.Pseudonym]):
	// the same request run twice writes the same pseudonym. Take a random
	// one per request (uuid.New); a platform that keeps it next to the
	// customer's ID in its own records can link the pseudonymised baskets
	// back to the person, which the law then counts as pseudonymisation,
	// not anonymisation.
	ID uuid.UUID `json:"id"`
	// CustomerID is the customer erased.
	CustomerID string `json:"customer_id"`
}

// Validate refuses an erasure without an ID or a customer, or of a
// pseudonym.
func (x Erasure) Validate() error {
	switch {
	case x.ID == uuid.Nil:
		return invalid("Erasure.ID", "must be set (a random UUID per request)")
	case x.CustomerID == "":
		return invalid("Erasure.CustomerID", "must not be empty")
	case strings.HasPrefix(x.CustomerID, ErasurePrefix):
		return invalid("Erasure.CustomerID", "is a pseudonym already")
	}
	return nil
}

// Pseudonym is what replaces every identity of the shopper in the baskets
// erased: [ErasurePrefix] and the request's ID. It says nothing of the
// customer, and stays one value across their baskets, so counts per
// shopper (conversions, returning shoppers) survive the erasure.
func (x Erasure) Pseudonym() string { return ErasurePrefix + x.ID.String() }

// ErasesRecord reports whether erasing basket id deletes the idempotency
// record r: a record of that basket, or one the customer sent as a
// shopper. Records only answer retries for a day: deleting them loses no
// history, and their digests could otherwise be matched against guesses of
// what the customer sent.
func (x Erasure) ErasesRecord(r IdempotencyRecord, id uuid.UUID) bool {
	return r.BasketID == id || r.Key.ActorKind == Shopper && r.Key.ActorID == x.CustomerID
}

// ScrubBasket returns b with the shopper's personal data replaced, and
// whether anything changed (when nothing did, it returns b itself). b is
// never modified. Replaying the scrubbed history gives the scrubbed
// basket: Replay(ScrubEvent(e) for e in h) = ScrubBasket(Replay(h)).
func (x Erasure) ScrubBasket(b *Basket) (*Basket, bool) {
	s := scrubber{p: x.Pseudonym()}
	c := b.Clone()
	s.owner(&c.Owner)
	c.Wallet.Loyalty = s.loyalty(c.Wallet.Loyalty)
	c.Result = s.result(c.Result)
	if c.Order != nil {
		c.Order.Loyalty = s.orderLoyalty(c.Order.Loyalty)
		if slices.ContainsFunc(c.Order.Returns, func(r Return) bool { return r.Reason != "" }) {
			c.Order.Returns = slices.Clone(c.Order.Returns)
			for i := range c.Order.Returns {
				s.text(&c.Order.Returns[i].Reason)
			}
		}
	}
	if c.Payment != nil {
		c.Payment.Tenders = s.tenders(c.Payment.Tenders)
		if p := c.Payment.Paid; p != nil {
			paid := *p
			paid.Settlement = s.settlement(paid.Settlement)
			c.Payment.Paid = &paid
		}
	}
	if !s.changed {
		return b, false
	}
	return c, true
}

// ScrubEvent returns e with the shopper's personal data replaced: the ID
// of a shopper actor, and in the payload the owner, the loyalty account
// and the free text of a return. It reports whether anything changed;
// an event that changes is re-encoded, one that does not keeps its bytes.
// An event that does not decode is an error matching [ErrInvalid].
func (x Erasure) ScrubEvent(e Event) (Event, bool, error) {
	s := scrubber{p: x.Pseudonym()}
	if e.Actor.Kind == Shopper {
		s.id(&e.Actor.ID)
	}
	actorChanged := s.changed
	s.changed = false
	payload, err := e.Decode()
	if err != nil {
		return Event{}, false, err
	}
	switch p := payload.(type) {
	case *Created:
		s.owner(&p.Owner)
	case *OwnerAttached:
		s.id(&p.CustomerID)
	case *LoyaltySet:
		p.Loyalty = s.loyalty(p.Loyalty)
	case *Recontextualized:
		p.Result = s.result(p.Result)
		if p.Patch != nil && p.Patch.Loyalty != nil {
			patch := *p.Patch
			patch.Loyalty = s.loyaltyResult(patch.Loyalty)
			p.Patch = &patch
		}
	case *TenderAdded:
		s.tender(&p.Tender)
	case *TenderRemoved:
		if p.Kind == payment.Points {
			s.id(&p.Code)
		}
	case *Paid:
		p.Settlement = s.settlement(p.Settlement)
	case *LoyaltyReserved:
		s.id(&p.Account)
	case *LoyaltyCredited:
		s.id(&p.Account)
	case *Returned:
		s.text(&p.Return.Reason)
	}
	if s.changed {
		data, err := json.Marshal(payload)
		if err != nil {
			// It decoded, yet no command could have written it.
			return Event{}, false, invalid("Event.Data", "%s %d of %s does not encode again: %v", e.Type, e.Seq, e.BasketID, err)
		}
		e.Data = data
	}
	return e, actorChanged || s.changed, nil
}

// ScrubDocument returns d with its customer replaced by the pseudonym, and
// whether it changed. Everything else of an invoice or credit note (its
// number, series, dates, lines, taxes and totals) is kept: the retailer
// must keep them for years, and none of it identifies the shopper.
func (x Erasure) ScrubDocument(d Document) (Document, bool) {
	s := scrubber{p: x.Pseudonym()}
	s.id(&d.CustomerID)
	return d, s.changed
}

// scrubber replaces values by the pseudonym p, copying what it changes
// (the values it is given may be shared with other baskets' clones), and
// remembers whether anything changed.
type scrubber struct {
	p       string
	changed bool
}

func (s *scrubber) id(v *string) {
	if *v != "" && *v != s.p {
		*v, s.changed = s.p, true
	}
}

func (s *scrubber) text(v *string) {
	if *v != "" {
		*v, s.changed = "", true
	}
}

func (s *scrubber) owner(o *Owner) {
	s.id(&o.CustomerID)
	s.id(&o.AnonymousID)
}

func (s *scrubber) loyalty(l *Loyalty) *Loyalty {
	if l == nil || l.Account == s.p {
		return l
	}
	c := *l
	s.id(&c.Account)
	return &c
}

func (s *scrubber) loyaltyResult(l *LoyaltyResult) *LoyaltyResult {
	if l == nil || l.Account == "" || l.Account == s.p {
		return l
	}
	c := *l
	s.id(&c.Account)
	return &c
}

func (s *scrubber) orderLoyalty(l *OrderLoyalty) *OrderLoyalty {
	if l == nil || l.Account == "" || l.Account == s.p {
		return l
	}
	c := *l
	s.id(&c.Account)
	return &c
}

// tender replaces the code of a points tender: the loyalty account.
// Other codes stay: a gift card's or voucher's number is a bearer
// instrument, not a person, and a card's reference is a terminal slot or
// the last four digits, which the settlement's order depends on.
func (s *scrubber) tender(t *payment.Tender) {
	if t.Kind == payment.Points {
		s.id(&t.Code)
	}
}

func (s *scrubber) tenders(ts []payment.Tender) []payment.Tender {
	if !slices.ContainsFunc(ts, s.scrubs) {
		return ts
	}
	c := slices.Clone(ts)
	for i := range c {
		s.tender(&c[i])
	}
	slices.SortStableFunc(c, payment.Compare)
	return c
}

func (s *scrubber) scrubs(t payment.Tender) bool {
	return t.Kind == payment.Points && t.Code != "" && t.Code != s.p
}

func (s *scrubber) settlement(st payment.Settlement) payment.Settlement {
	if !slices.ContainsFunc(st.Tenders, func(a payment.Applied) bool { return s.scrubs(a.Tender) }) {
		return st
	}
	st.Tenders = slices.Clone(st.Tenders)
	for i := range st.Tenders {
		s.tender(&st.Tenders[i].Tender)
	}
	slices.SortStableFunc(st.Tenders, func(a, b payment.Applied) int { return payment.Compare(a.Tender, b.Tender) })
	return st
}

func (s *scrubber) result(r *Result) *Result {
	if r == nil {
		return nil
	}
	changed := s.changed
	s.changed = false
	c := *r
	c.Loyalty = s.loyaltyResult(c.Loyalty)
	if c.Payment != nil {
		st := s.settlement(*c.Payment)
		c.Payment = &st
	}
	if !s.changed {
		s.changed = changed
		return r
	}
	return &c
}

// ErasureStore is a [Store] that erases personal data in place, which
// [Service.Erase] needs. Both stores of this module implement it; the
// conformance suite (baskettest.RunLifecycleTests) checks it.
type ErasureStore interface {
	Store
	// EraseBasket rewrites every stored copy of basket id with x's pure
	// functions, in one atomic write: the basket ([Erasure.ScrubBasket]),
	// each event of its history, which is also the outbox
	// ([Erasure.ScrubEvent]), its checkpoints (ScrubBasket) and its
	// documents ([Erasure.ScrubDocument]); and it deletes the idempotency
	// records [Erasure.ErasesRecord] names. The basket's version does not
	// change, its owner index follows the new owner, and outbox positions
	// stay. It counts what changed; running it again changes nothing. An
	// unknown basket is [ErrNotFound]; a stored event that does not decode
	// fails the whole write.
	EraseBasket(ctx context.Context, x Erasure, id uuid.UUID) (ErasureCounts, error)
}

// ErasureCounts counts what an erasure changed.
type ErasureCounts struct {
	Baskets            int `json:"baskets"`
	Events             int `json:"events"`
	Checkpoints        int `json:"checkpoints"`
	Documents          int `json:"documents"`
	IdempotencyRecords int `json:"idempotency_records"`
}

// Add returns the sum of c and o.
func (c ErasureCounts) Add(o ErasureCounts) ErasureCounts {
	return ErasureCounts{Baskets: c.Baskets + o.Baskets, Events: c.Events + o.Events, Checkpoints: c.Checkpoints + o.Checkpoints,
		Documents: c.Documents + o.Documents, IdempotencyRecords: c.IdempotencyRecords + o.IdempotencyRecords}
}

// ErasureReceipt is the record of an erasure, for the retailer's register
// of requests: it names the request and the pseudonym, never the customer.
type ErasureReceipt struct {
	ID        uuid.UUID `json:"id"`
	Pseudonym string    `json:"pseudonym"`
	At        time.Time `json:"at"`
	// Baskets are those erased by this run, in byte order; empty when the
	// customer had nothing left to erase (a second run of a request).
	Baskets []uuid.UUID `json:"baskets"`
	// Erased counts what this run changed.
	Erased ErasureCounts `json:"erased"`
}

// Erase erases a customer's personal data from every basket that was
// theirs: those they own ([Store.FindByOwner]) and, through the history of
// those, the anonymous baskets merged into them. Each basket is erased in
// one write of the store ([ErasureStore]), under its turn in this
// Service; a command of another instance in flight may still write the
// customer's ID back, so Erase looks again, up to three times, until no
// basket of the customer is left. Afterwards no query by the customer's
// ID finds anything, invoices and credit notes keep their amounts and
// numbers, and every history replays to the same totals. Only the System
// runs it.
//
// Running the same request again changes nothing (an empty receipt); so
// does any other request for the customer. An interrupted erasure (ctx
// ended, a store failure) has erased some baskets whole and not touched
// the others: run it again. Copies outside the store (events already
// relayed from the outbox, logs, the platform's own records) are the
// platform's to erase: the receipt lists the baskets so that consumers
// can find theirs.
func (s *Service) Erase(ctx context.Context, actor Actor, x Erasure) (ErasureReceipt, error) {
	if err := systemOnly(actor, "only the system erases personal data"); err != nil {
		return ErasureReceipt{}, err
	}
	if err := x.Validate(); err != nil {
		return ErasureReceipt{}, err
	}
	st, ok := s.cfg.Store.(ErasureStore)
	if !ok {
		return ErasureReceipt{}, notConfigured("Config.Store", "the store does not erase personal data")
	}
	rc := ErasureReceipt{ID: x.ID, Pseudonym: x.Pseudonym(), At: s.cfg.Clock.Now().UTC(), Baskets: []uuid.UUID{}}
	for pass := 0; pass < maxErasurePasses; pass++ {
		ids, err := s.erasable(ctx, x.CustomerID)
		if err != nil || len(ids) == 0 {
			return rc, err
		}
		for _, id := range ids {
			c, err := s.eraseOne(ctx, st, x, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return rc, err
			}
			rc.Erased = rc.Erased.Add(c)
			if i, found := slices.BinarySearchFunc(rc.Baskets, id, compareIDs); !found {
				rc.Baskets = slices.Insert(rc.Baskets, i, id)
			}
		}
	}
	if ids, err := s.erasable(ctx, x.CustomerID); err != nil || len(ids) > 0 {
		return rc, errors.Join(err, fmt.Errorf("%w: commands kept writing the customer's baskets during the erasure; run it again", ErrVersionConflict))
	}
	return rc, nil
}

// eraseOne erases one basket under its turn, so that no command of this
// Service writes it meanwhile.
func (s *Service) eraseOne(ctx context.Context, st ErasureStore, x Erasure, id uuid.UUID) (ErasureCounts, error) {
	done, err := s.turns.wait(ctx, id)
	if err != nil {
		return ErasureCounts{}, err
	}
	defer done()
	return st.EraseBasket(ctx, x, id)
}

// erasable lists the baskets holding the customer's data: those they own,
// then the baskets merged into them, found in their histories.
func (s *Service) erasable(ctx context.Context, customerID string) ([]uuid.UUID, error) {
	ids, err := s.cfg.Store.FindByOwner(ctx, customerID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	seen := map[uuid.UUID]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for i := 0; i < len(ids); i++ {
		es, err := s.cfg.Store.Events(ctx, ids[i], 0)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			if e.Type != EventMerged {
				continue
			}
			var m Merged
			if err := json.Unmarshal(e.Data, &m); err != nil {
				return nil, invalid("Event.Data", "%s %d of %s: %v", e.Type, e.Seq, e.BasketID, err)
			}
			if !seen[m.Source] && m.Source != uuid.Nil {
				seen[m.Source] = true
				ids = append(ids, m.Source)
			}
		}
	}
	return ids, nil
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
