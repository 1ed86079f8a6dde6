package basket

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/pricing"
)

// CustomerPage asks for one page of a customer's view.
type CustomerPage struct {
	// Limit is the page size: [DefaultCustomerPage] when 0, at most
	// [MaxCustomerPage].
	Limit int
	// After is the cursor of the previous page (its Next); empty for the
	// first page.
	After string
}

// The page sizes of [Service.CustomerView].
const (
	DefaultCustomerPage = 20
	MaxCustomerPage     = 100
)

// CustomerView is one page of everything a customer has done across
// channels: baskets, orders with their fulfilment and returns, invoices
// and credit notes, newest first.
type CustomerView struct {
	CustomerID string          `json:"customer_id"`
	Entries    []CustomerEntry `json:"entries"`
	// Next is the cursor of the next page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// CustomerEntry is one basket of the customer as the store tablet and
// customer service show it.
type CustomerEntry struct {
	BasketID   uuid.UUID `json:"basket_id"`
	Status     Status    `json:"status"`
	ChannelID  string    `json:"channel_id"`
	LocationID string    `json:"location_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// Lines counts the basket's lines; Total is its last priced total
	// (the amount ordered, for an order), absent when never priced.
	Lines int            `json:"lines"`
	Total *pricing.Money `json:"total,omitempty"`
	// PlacedAt, Fulfilment and Returns describe an order.
	PlacedAt   time.Time         `json:"placed_at,omitzero"`
	Fulfilment []FulfilmentOrder `json:"fulfilment,omitempty"`
	Returns    []Return          `json:"returns,omitempty"`
	// Refunded is the sum of the order's refunds.
	Refunded *pricing.Money `json:"refunded,omitempty"`
	// Documents are its invoice and credit notes, with their numbers.
	Documents []Document `json:"documents,omitempty"`
}

// CustomerView returns one page of a customer's baskets, orders, returns
// and documents across channels, newest first (by creation), with status,
// channel, totals and dates. Only the customer, the System, and the
// associates of a store where the customer is checked in (a live grant
// on one of their baskets) may read it; anyone else gets an empty view,
// as if the customer had nothing, so customer IDs cannot be probed.
func (s *Service) CustomerView(ctx context.Context, actor Actor, customerID string, page CustomerPage) (CustomerView, error) {
	if err := actor.validate(); err != nil {
		return CustomerView{}, err
	}
	if customerID == "" {
		return CustomerView{}, invalid("customerID", "must not be empty")
	}
	limit := page.Limit
	switch {
	case limit < 0 || limit > MaxCustomerPage:
		return CustomerView{}, invalid("CustomerPage.Limit", "%d: between 1 and %d, or 0 for %d", limit, MaxCustomerPage, DefaultCustomerPage)
	case limit == 0:
		limit = DefaultCustomerPage
	}
	view := CustomerView{CustomerID: customerID, Entries: []CustomerEntry{}}
	ids, err := s.cfg.Store.FindByOwner(ctx, customerID)
	if err != nil {
		return CustomerView{}, err
	}
	slices.Reverse(ids) // newest first
	start := 0
	if page.After != "" {
		after, err := uuid.Parse(page.After)
		if err != nil {
			return CustomerView{}, invalid("CustomerPage.After", "not a cursor of this view")
		}
		i := slices.Index(ids, after)
		if i < 0 {
			return CustomerView{}, invalid("CustomerPage.After", "not a cursor of this view")
		}
		start = i + 1
	}
	allowed, err := s.mayViewCustomer(ctx, actor, customerID, ids)
	if err != nil || !allowed {
		return view, err
	}
	end := min(start+limit, len(ids))
	pageIDs := ids[start:end]
	entries := make([]CustomerEntry, 0, len(pageIDs))
	for _, id := range pageIDs {
		b, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			return CustomerView{}, err
		}
		entries = append(entries, entryOf(b))
	}
	if ds, ok := s.cfg.Store.(DocumentStore); ok && len(pageIDs) > 0 {
		docs, err := ds.Documents(ctx, pageIDs)
		if err != nil {
			return CustomerView{}, err
		}
		for _, d := range docs {
			if i := slices.IndexFunc(entries, func(e CustomerEntry) bool { return e.BasketID == d.BasketID }); i >= 0 {
				entries[i].Documents = append(entries[i].Documents, d)
			}
		}
	}
	view.Entries = entries
	if end < len(ids) {
		view.Next = ids[end-1].String()
	}
	return view, nil
}

// mayViewCustomer applies the view's access rule. An associate may read
// it while one of the customer's baskets has a live grant for their store.
func (s *Service) mayViewCustomer(ctx context.Context, actor Actor, customerID string, ids []uuid.UUID) (bool, error) {
	switch actor.Kind {
	case System:
		return true, nil
	case Shopper:
		return actor.ID == customerID, nil
	}
	now := s.cfg.Clock.Now()
	for _, id := range ids {
		b, err := s.cfg.Store.Get(ctx, id)
		if err != nil {
			return false, err
		}
		for _, g := range b.Grants {
			if g.LocationID == actor.LocationID && now.Before(g.ExpiresAt) {
				return true, nil
			}
		}
	}
	return false, nil
}

func entryOf(b *Basket) CustomerEntry {
	e := CustomerEntry{
		BasketID: b.ID, Status: b.Status, ChannelID: b.Context.ChannelID, LocationID: b.Context.LocationID,
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt, Lines: len(b.Lines),
	}
	if b.Result != nil {
		t := b.Result.Totals.Total
		e.Total = &t
	}
	if o := b.Order; o != nil {
		e.PlacedAt, e.Fulfilment, e.Returns = o.PlacedAt, o.Fulfilment, o.Returns
		if e.Total != nil {
			sum := pricing.Zero(e.Total.Currency())
			for _, r := range o.Returns {
				if next, err := sum.Add(r.Quote.Refund); err == nil {
					sum = next
				}
			}
			e.Refunded = &sum
		}
	}
	return e
}
