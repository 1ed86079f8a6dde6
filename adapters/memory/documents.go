package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/omnibasket/omnibasket/basket"
)

// documentSeries is where a numbering sequence stands: its last number
// and the issue time of the document that took it.
type documentSeries struct {
	last   int64
	lastAt time.Time
}

// number numbers docs from their series without touching the store: it
// returns copies of docs with their numbers, and the series as they will
// be once the copies are stored. A document ID already stored (or twice
// in docs) is [basket.ErrAlreadyExists]; a document issued before the
// last of its series (stored, or earlier in docs) a
// [*basket.SeriesConflictError]. The caller holds s.mu.
func (s *BasketStore) number(docs []basket.Document) ([]basket.Document, map[string]documentSeries, error) {
	if len(docs) == 0 {
		return nil, nil, nil
	}
	out := make([]basket.Document, len(docs))
	series := map[string]documentSeries{}
	for i, d := range docs {
		if _, taken := s.documents[d.ID]; taken || slices.ContainsFunc(out[:i], func(x basket.Document) bool { return x.ID == d.ID }) {
			return nil, nil, fmt.Errorf("%w: document %s", basket.ErrAlreadyExists, d.ID)
		}
		sr, ok := series[d.Series]
		if !ok {
			sr = s.series[d.Series]
		}
		if sr.last > 0 && d.IssuedAt.Before(sr.lastAt) {
			return nil, nil, &basket.SeriesConflictError{Series: d.Series, Last: sr.lastAt}
		}
		sr.last++
		sr.lastAt = d.IssuedAt
		series[d.Series] = sr
		out[i] = cloneDocument(d)
		out[i].Number = sr.last
	}
	return out, series, nil
}

// Documents implements basket.DocumentStore: copies of the documents of
// basketIDs (each basket once, however often it is listed), sorted by
// IssuedAt, then Series, then Number.
func (s *BasketStore) Documents(ctx context.Context, basketIDs []uuid.UUID) ([]basket.Document, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := slices.Clone(basketIDs)
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ids = slices.Compact(ids)
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []basket.Document{}
	for _, id := range ids {
		for _, doc := range s.byBasket[id] {
			out = append(out, cloneDocument(*s.documents[doc]))
		}
	}
	slices.SortFunc(out, func(a, b basket.Document) int {
		return cmp.Or(a.IssuedAt.Compare(b.IssuedAt), cmp.Compare(a.Series, b.Series), cmp.Compare(a.Number, b.Number))
	})
	return out, nil
}

// cloneDocument returns a copy of d that shares no memory with it.
func cloneDocument(d basket.Document) basket.Document {
	d.Lines = slices.Clone(d.Lines)
	d.Taxes = slices.Clone(d.Taxes)
	d.Fees = slices.Clone(d.Fees)
	for i := range d.Fees {
		d.Fees[i].Discounts = slices.Clone(d.Fees[i].Discounts)
	}
	d.Adjustments = slices.Clone(d.Adjustments)
	d.Broken = slices.Clone(d.Broken)
	return d
}
