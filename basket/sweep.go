package basket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// DefaultInactivity is how long a cart must have been left unchanged
// before [Service.SweepAbandoned] abandons it, when [SweepOptions.Inactivity]
// is 0: the month most platforms keep a guest's cart, long after any hold
// a shopper could still mean to use.
const DefaultInactivity = 30 * 24 * time.Hour

// MinInactivity is the shortest inactivity accepted: a shopper who left
// the shop for lunch must find their cart as they left it.
const MinInactivity = time.Hour

// InactiveStore is a [Store] that lists baskets by their last change,
// which [Service.SweepAbandoned] needs. Both stores of this module
// implement it; the conformance suite (baskettest.RunLifecycleTests)
// checks it.
type InactiveStore interface {
	Store
	// Inactive returns at most q.Limit baskets whose status is one of
	// q.Statuses and whose UpdatedAt is before q.Before, after the cursor
	// q.After, oldest first (by UpdatedAt, then by ID in byte order). A
	// basket changed since a page was read may be missing from the next
	// one, or appear in it with its new time: callers re-read each basket.
	Inactive(ctx context.Context, q InactiveQuery) ([]InactiveBasket, error)
}

// InactiveQuery asks [InactiveStore.Inactive] for one page.
type InactiveQuery struct {
	Statuses []Status
	Before   time.Time
	// After is the last basket of the previous page (nil for the first):
	// the page starts strictly after its (UpdatedAt, ID).
	After *InactiveBasket
	Limit int
}

// InactiveBasket is one basket of an [InactiveStore] page, and its cursor.
type InactiveBasket struct {
	ID        uuid.UUID `json:"id"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Matches reports whether a basket belongs to the page q asks for (the
// cursor aside): stores use it to stay exact where their own index is
// coarser, and callers to re-check a basket read after the listing.
func (q InactiveQuery) Matches(b *Basket) bool {
	return slices.Contains(q.Statuses, b.Status) && b.UpdatedAt.Before(q.Before)
}

// CompareInactive orders [InactiveBasket]s as [InactiveStore.Inactive]
// returns them: by UpdatedAt, then by ID in byte order.
func CompareInactive(a, b InactiveBasket) int {
	if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
		return c
	}
	return bytes.Compare(a.ID[:], b.ID[:])
}

// SweepOptions tune [Service.SweepAbandoned].
type SweepOptions struct {
	// Inactivity is how long a basket must have been left unchanged
	// ([DefaultInactivity] when 0, at least [MinInactivity]).
	Inactivity time.Duration
	// Statuses are those swept: [Cart] when empty. Only [Cart], [Wishlist]
	// and [Quote] may be swept: an order is the retailer's, an abandoned
	// basket is already abandoned. Wishlists are left out by default
	// because shoppers keep them for months on purpose, and quotes because
	// their price lock is the retailer's offer, with its own expiry.
	Statuses []Status
	// BatchSize is how many baskets one listing returns
	// ([DefaultLifecycleBatch] when 0, at most [MaxLifecycleBatch]).
	BatchSize int
	// Max stops the sweep after abandoning that many baskets (0: no
	// limit), to spread a first sweep of a large backlog over several runs.
	Max int
	// Progress, when set, is told the totals after every batch.
	Progress func(SweepReport)
}

// SweepReport is what [Service.SweepAbandoned] did.
type SweepReport struct {
	// Before is the cut-off: baskets unchanged since before it were swept.
	Before time.Time `json:"before"`
	// Examined counts the baskets the store listed; Abandoned those
	// abandoned; Skipped those found changed when re-read (the shopper came
	// back, or another instance swept them first); Failed those whose
	// command failed (the first failure is the error returned).
	Examined  int `json:"examined"`
	Abandoned int `json:"abandoned"`
	Skipped   int `json:"skipped"`
	Failed    int `json:"failed"`
	// Batches counts the listings.
	Batches int `json:"batches"`
}

// sweepable are the statuses a sweep may abandon.
var sweepable = []Status{Wishlist, Cart, Quote}

// SweepAbandoned abandons the baskets left unchanged for longer than the
// inactivity, the oldest first: each becomes [Abandoned] with a status
// event (the System as actor) and releases its holds in the same write,
// and any loyalty points an order attempt reserved, exactly as
// [Service.Transition] to Abandoned does. Each basket is re-read and
// re-checked in its own command with the usual version check, so a
// shopper who comes back between the listing and the sweep keeps their
// cart (counted as skipped). Only the System runs it.
//
// It works in batches, reports progress after each, stops when ctx ends
// (the report says what was done until then) and is safe to run again,
// from several instances at once: a basket is abandoned once. A basket
// whose command fails is counted and passed over (the sweep goes on with
// the next; the first failure is returned with the report). A store that
// cannot list baskets by activity is [ErrNotConfigured].
func (s *Service) SweepAbandoned(ctx context.Context, actor Actor, opts SweepOptions) (SweepReport, error) {
	if err := systemOnly(actor, "only the system sweeps abandoned baskets"); err != nil {
		return SweepReport{}, err
	}
	switch {
	case opts.Inactivity == 0:
		opts.Inactivity = DefaultInactivity
	case opts.Inactivity < MinInactivity:
		return SweepReport{}, invalid("SweepOptions.Inactivity", "%s is shorter than %s", opts.Inactivity, MinInactivity)
	}
	if opts.Max < 0 {
		return SweepReport{}, invalid("SweepOptions.Max", "must not be negative")
	}
	statuses := []Status{Cart}
	if len(opts.Statuses) > 0 {
		statuses = slices.Clone(opts.Statuses)
		slices.Sort(statuses)
		statuses = slices.Compact(statuses)
		for _, st := range statuses {
			if !slices.Contains(sweepable, st) {
				return SweepReport{}, invalid("SweepOptions.Statuses", "%s baskets are never swept (only wishlist, cart and quote)", st)
			}
		}
	}
	batch, err := batchSize("SweepOptions.BatchSize", opts.BatchSize)
	if err != nil {
		return SweepReport{}, err
	}
	st, ok := s.cfg.Store.(InactiveStore)
	if !ok {
		return SweepReport{}, notConfigured("Config.Store", "the store does not list baskets by activity")
	}
	r := SweepReport{Before: s.cfg.Clock.Now().UTC().Add(-opts.Inactivity)}
	q := InactiveQuery{Statuses: statuses, Before: r.Before, Limit: batch}
	var first error
	for {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		page, err := st.Inactive(ctx, q)
		if err != nil {
			return r, err
		}
		r.Batches++
		for _, ib := range page {
			if opts.Max > 0 && r.Abandoned >= opts.Max {
				return r, first
			}
			r.Examined++
			swept, err := s.sweepOne(ctx, actor, ib.ID, q)
			switch {
			case err == nil && swept:
				r.Abandoned++
			case err == nil || errors.Is(err, ErrNotFound):
				r.Skipped++
			case ctx.Err() != nil:
				return r, ctx.Err()
			default:
				r.Failed++
				if first == nil {
					first = fmt.Errorf("basket: sweeping %s: %w", ib.ID, err)
				}
			}
		}
		if opts.Progress != nil {
			opts.Progress(r)
		}
		if len(page) < batch {
			return r, first
		}
		last := page[len(page)-1]
		q.After = &last
	}
}

// sweepOne abandons basket id if, read afresh, it still matches q; it
// reports whether it did.
func (s *Service) sweepOne(ctx context.Context, actor Actor, id uuid.UUID, q InactiveQuery) (bool, error) {
	swept := false
	cmd := command{op: "sweep-abandoned", basket: id, scope: id,
		authz: func(*Basket) error { return nil }, // the System, checked by the caller
		apply: func(t *tx, b *Basket) error {
			swept = false // a re-run on a fresh read decides again
			if !q.Matches(b) {
				return nil // active again, or no longer sweepable: nothing to write
			}
			if err := t.releaseAll(b, "abandoned"); err != nil {
				return err
			}
			if err := t.releaseLoyalty(b); err != nil {
				return err
			}
			swept = true
			return t.add(b.Transition(t.m, Abandoned, time.Time{}))
		}}
	if _, err := s.exec(ctx, actor, cmd, nil); err != nil {
		return false, err
	}
	return swept, nil
}
