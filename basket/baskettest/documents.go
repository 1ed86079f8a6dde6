package baskettest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/omnibasket/omnibasket/basket"
	"github.com/omnibasket/omnibasket/pricing"
)

// Document returns a complete document of b (one line, one tax rate, in
// EUR) of the given kind and series, issued at issuedAt, with a fresh ID
// and Number 0 for the store to assign.
func Document(b *basket.Basket, kind basket.DocumentKind, series string, issuedAt time.Time) basket.Document {
	eur := func(s string) pricing.Money { return pricing.MustParse(s, "EUR") }
	rate := pricing.MustRate("0.2")
	return basket.Document{
		ID: uuid.New(), Kind: kind, Series: series, IssuedAt: issuedAt,
		BasketID: b.ID, CustomerID: b.Owner.CustomerID, ChannelID: b.Context.ChannelID, LocationID: b.Context.LocationID,
		Lines: []basket.DocumentLine{{
			LineID: "l-1", SKU: "mug", Name: "Mug", Quantity: 2, UnitPrice: eur("6.00"), Discount: eur("0.00"),
			TaxRate: rate, Net: eur("10.00"), Tax: eur("2.00"), Total: eur("12.00"),
		}},
		Taxes: []basket.TaxAmount{{Rate: rate, Net: eur("10.00"), Tax: eur("2.00"), Gross: eur("12.00")}},
		Net:   eur("10.00"), Tax: eur("2.00"), Total: eur("12.00"),
	}
}

// issue returns a write that changes b (a coupon) and issues docs.
func issue(t testing.TB, b *basket.Basket, docs ...basket.Document) basket.Write {
	t.Helper()
	w := change(t, b, fmt.Sprintf("DOC-%d", b.Version+1))
	w.Documents = docs
	return w
}

func docJSON(t testing.TB, d basket.Document) string {
	t.Helper()
	data, err := json.Marshal(d)
	require.NoError(t, err)
	return string(data)
}

// documentsOf reads the documents of ids.
func documentsOf(t testing.TB, s basket.DocumentStore, ids ...uuid.UUID) []basket.Document {
	t.Helper()
	docs, err := s.Documents(context.Background(), ids)
	require.NoError(t, err)
	return docs
}

func numbers(docs []basket.Document) []int64 {
	out := make([]int64, len(docs))
	for i, d := range docs {
		out[i] = d.Number
	}
	return out
}

// testDocumentsWithoutDocumentStore checks that a store that keeps no
// documents refuses a write carrying some and writes nothing. It is part
// of [RunStoreTests].
func testDocumentsWithoutDocumentStore(t *testing.T, s basket.Store) {
	if _, ok := s.(basket.DocumentStore); ok {
		t.Skip("the store keeps documents: see RunDocumentStoreTests")
	}
	ctx := context.Background()
	b, w := NewBasket(t, "c-1")
	require.NoError(t, s.Save(ctx, w))
	stored := b.Clone()
	x := change(t, b, "INVOICE")
	x.Documents = []basket.Document{Document(x.Basket, basket.Invoice, "INV", at())}
	k := Key(basket.Shopper, "c-1", b.ID, "invoice")
	x.Idempotency = &basket.IdempotencyRecord{Key: k, BasketID: b.ID, Version: b.Version}
	assert.ErrorIs(t, s.Save(ctx, x), basket.ErrNotConfigured)
	unchanged(t, s, stored, k)
}

// RunDocumentStoreTests checks a [basket.DocumentStore]: documents are
// numbered 1, 2, 3 … per series in the write that issues them and the
// numbers written back into the Write; numbering is gapless and unique
// under concurrent writers and follows issue times; a document issued
// before its series' last is a [*basket.SeriesConflictError] and a failed
// write consumes no number; documents are read back sorted, as copies.
// newStore is called once per test and must return an empty store.
func RunDocumentStoreTests(t *testing.T, newStore func(t *testing.T) basket.DocumentStore, opts ...Options) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	o = o.withDefaults()
	ctx := context.Background()

	t.Run("NumbersPerSeries", func(t *testing.T) {
		s := newStore(t)
		a, wa := NewBasket(t, "c-1")
		b, wb := NewBasket(t, "c-2")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wb))
		steps := []struct {
			b      *basket.Basket
			kinds  []basket.DocumentKind
			series []string
			want   []int64
		}{
			{a, []basket.DocumentKind{basket.Invoice}, []string{"INV"}, []int64{1}},
			{b, []basket.DocumentKind{basket.Invoice}, []string{"INV"}, []int64{2}},
			// A credit note series is independent of the invoices'.
			{a, []basket.DocumentKind{basket.CreditNote}, []string{"CN"}, []int64{1}},
			// Several documents of one write, in one series or several.
			{b, []basket.DocumentKind{basket.Invoice, basket.CreditNote, basket.Invoice}, []string{"INV", "CN", "INV"}, []int64{3, 2, 4}},
			{a, []basket.DocumentKind{basket.Invoice}, []string{"INV-lyon"}, []int64{1}},
		}
		var want []basket.Document
		for i, st := range steps {
			at := at().Add(time.Duration(i) * time.Minute)
			docs := make([]basket.Document, len(st.kinds))
			for j := range docs {
				docs[j] = Document(st.b, st.kinds[j], st.series[j], at)
			}
			w := issue(t, st.b, docs...)
			require.NoError(t, s.Save(ctx, w), "step %d", i)
			assert.Equal(t, st.want, numbers(w.Documents), "step %d: numbers written back into the Write", i)
			want = append(want, w.Documents...)
		}
		got := documentsOf(t, s, a.ID, b.ID)
		slices.SortStableFunc(want, func(x, y basket.Document) int {
			return cmp.Or(x.IssuedAt.Compare(y.IssuedAt), cmp.Compare(x.Series, y.Series), cmp.Compare(x.Number, y.Number))
		})
		require.Len(t, got, len(want))
		for i := range want {
			assert.JSONEq(t, docJSON(t, want[i]), docJSON(t, got[i]), "document %d stored as written, with its number", i)
		}
	})

	t.Run("DocumentsSortedAndCopies", func(t *testing.T) {
		s := newStore(t)
		a, wa := NewBasket(t, "c-1")
		b, wb := NewBasket(t, "c-2")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wb))
		t0 := at()
		// Written out of the read order: by basket, with series and times
		// interleaved, and two documents of one series at the same instant.
		wA := issue(t, a,
			Document(a, basket.Invoice, "S-b", t0.Add(2*time.Second)),
			Document(a, basket.Invoice, "S-a", t0.Add(time.Second)),
		)
		require.NoError(t, s.Save(ctx, wA))
		wB := issue(t, b,
			Document(b, basket.Invoice, "S-b", t0.Add(2*time.Second)),
			Document(b, basket.Invoice, "S-a", t0.Add(2*time.Second)),
			Document(b, basket.CreditNote, "S-a", t0.Add(2*time.Second)),
		)
		require.NoError(t, s.Save(ctx, wB))
		got := documentsOf(t, s, b.ID, uuid.New(), a.ID, b.ID)
		type key struct {
			basket uuid.UUID
			series string
			number int64
		}
		var keys []key
		for _, d := range got {
			keys = append(keys, key{d.BasketID, d.Series, d.Number})
		}
		assert.Equal(t, []key{
			{a.ID, "S-a", 1}, // t0+1s
			{b.ID, "S-a", 2}, // t0+2s: S-a before S-b, then by number
			{b.ID, "S-a", 3},
			{a.ID, "S-b", 1},
			{b.ID, "S-b", 2},
		}, keys, "sorted by IssuedAt, Series, Number; each basket once")

		assert.Len(t, documentsOf(t, s, a.ID), 2)
		assert.Empty(t, documentsOf(t, s, uuid.New()), "an unknown basket has none")
		assert.Empty(t, documentsOf(t, s))

		// Neither the caller's Write nor a read shares memory with the store.
		want := docJSON(t, got[0])
		wA.Documents[1].Lines[0].Name = "MUTATED"
		wA.Documents[1].Taxes[0].Net = pricing.MustParse("99.00", "EUR")
		got[0].Lines[0].Name = "MUTATED"
		got[0].Taxes = append(got[0].Taxes[:0], basket.TaxAmount{})
		assert.JSONEq(t, want, docJSON(t, documentsOf(t, s, a.ID, b.ID)[0]))
	})

	t.Run("IssuedBeforeLastConflicts", func(t *testing.T) {
		s := newStore(t)
		a, wa := NewBasket(t, "c-1")
		b, wb := NewBasket(t, "c-2")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wb))
		last := at().Add(time.Hour)
		require.NoError(t, s.Save(ctx, issue(t, a, Document(a, basket.Invoice, "INV", last))))
		stored := b.Clone()
		for _, c := range []struct {
			name string
			docs []basket.Document
		}{
			{"Alone", []basket.Document{Document(b, basket.Invoice, "INV", last.Add(-time.Nanosecond))}},
			// Within one write too: the second is before the first.
			{"AfterAnotherOfTheWrite", []basket.Document{
				Document(b, basket.Invoice, "INV", last.Add(time.Minute)),
				Document(b, basket.Invoice, "INV", last.Add(time.Second)),
			}},
			// A valid document of another series does not save it.
			{"WithAnotherSeries", []basket.Document{
				Document(b, basket.CreditNote, "CN", last.Add(-time.Hour)),
				Document(b, basket.Invoice, "INV", last.Add(-time.Hour)),
			}},
		} {
			t.Run(c.name, func(t *testing.T) {
				w := issue(t, b.Clone(), c.docs...)
				k := Key(basket.Shopper, "c-2", b.ID, "invoice-"+c.name)
				w.Idempotency = &basket.IdempotencyRecord{Key: k, BasketID: b.ID, Version: 2}
				err := s.Save(ctx, w)
				require.ErrorIs(t, err, basket.ErrVersionConflict, "the Service re-runs the command with a fresh time")
				var sc *basket.SeriesConflictError
				require.ErrorAs(t, err, &sc)
				assert.Equal(t, "INV", sc.Series)
				if c.name == "AfterAnotherOfTheWrite" {
					assert.True(t, sc.Last.Equal(last.Add(time.Minute)), "last is the write's own earlier document: %s", sc.Last)
				} else {
					assert.True(t, sc.Last.Equal(last), "last is %s, got %s", last, sc.Last)
				}
				assert.Equal(t, []int64{0, 0}[:len(w.Documents)], numbers(w.Documents), "no number written back")
				unchanged(t, s, stored, k)
			})
		}
		assert.Empty(t, documentsOf(t, s, b.ID))
		assert.Len(t, documentsOf(t, s, a.ID), 1)

		// At the same instant as the last is not before it; nor is later.
		same := issue(t, b, Document(b, basket.Invoice, "INV", last), Document(b, basket.CreditNote, "CN", last.Add(-time.Hour)))
		require.NoError(t, s.Save(ctx, same))
		assert.Equal(t, []int64{2, 1}, numbers(same.Documents), "the refused writes consumed no number")
	})

	t.Run("FailedWriteConsumesNoNumber", func(t *testing.T) {
		s := newStore(t)
		a, wa := NewBasket(t, "c-1")
		b, wb := NewBasket(t, "c-2")
		require.NoError(t, s.Save(ctx, wa))
		require.NoError(t, s.Save(ctx, wb))
		require.NoError(t, s.Save(ctx, issue(t, a, Document(a, basket.Invoice, "INV", at()))))
		stale := b.Clone()
		require.NoError(t, s.Save(ctx, change(t, b, "MOVED")))

		// A stale write, alone or with a stale basket beside it.
		lost := issue(t, stale.Clone(), Document(stale, basket.Invoice, "INV", at().Add(time.Minute)))
		require.ErrorIs(t, s.Save(ctx, lost), basket.ErrVersionConflict)
		assert.Zero(t, lost.Documents[0].Number, "the Write keeps Number 0 for its retry")
		also := issue(t, a.Clone(), Document(a, basket.Invoice, "INV", at().Add(2*time.Minute)))
		also.Also = []basket.Write{change(t, stale.Clone(), "ABANDON")}
		require.ErrorIs(t, s.Save(ctx, also), basket.ErrVersionConflict)
		assert.Zero(t, also.Documents[0].Number)
		// A document ID already stored.
		dup := issue(t, b.Clone(), Document(b, basket.Invoice, "INV", at().Add(3*time.Minute)))
		dup.Documents[0].ID = documentsOf(t, s, a.ID)[0].ID
		require.ErrorIs(t, s.Save(ctx, dup), basket.ErrAlreadyExists)
		twice := issue(t, b.Clone(), Document(b, basket.Invoice, "INV", at().Add(3*time.Minute)))
		twice.Documents = append(twice.Documents, twice.Documents[0])
		twice.Documents[1].Series = "OTHER"
		require.ErrorIs(t, s.Save(ctx, twice), basket.ErrAlreadyExists, "one ID twice in a write")
		// An invalid document.
		bad := issue(t, b.Clone(), Document(b, basket.Invoice, "INV", at().Add(3*time.Minute)))
		bad.Documents[0].Number = 7
		require.ErrorIs(t, s.Save(ctx, bad), basket.ErrInvalid)

		assert.Len(t, documentsOf(t, s, a.ID), 1)
		assert.Empty(t, documentsOf(t, s, b.ID))
		// The retry, on a fresh read, gets the number the lost write
		// would have had; the other series was never started.
		cur, err := s.Get(ctx, b.ID)
		require.NoError(t, err)
		retry := issue(t, cur, lost.Documents[0], Document(cur, basket.Invoice, "OTHER", at().Add(time.Minute)))
		retry.Documents[0].IssuedAt = at().Add(4 * time.Minute)
		require.NoError(t, s.Save(ctx, retry))
		assert.Equal(t, []int64{2, 1}, numbers(retry.Documents))
	})

	t.Run("NumberingRace", func(t *testing.T) {
		// Racers each issue an invoice for their own basket in one series,
		// with the time of a shared clock, re-running the command on a
		// fresh read after a conflict as the Service does. The series ends
		// at exactly 1…n, in issue-time order.
		s := newStore(t)
		n := o.DocumentRacers
		ids := make([]uuid.UUID, n)
		for i := range ids {
			b, w := NewBasket(t, fmt.Sprintf("c-%d", i))
			require.NoError(t, s.Save(ctx, w))
			ids[i] = b.ID
		}
		var tick atomic.Int64
		now := func() time.Time { return at().Add(time.Duration(tick.Add(1)) * time.Millisecond) }
		written := make([]int64, n)
		var conflicts atomic.Int64
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				docID := uuid.New()
				for range 100 * n {
					cur, err := s.Get(ctx, id)
					if err != nil {
						t.Error(err)
						return
					}
					before := cur.Version
					e, err := cur.AddCoupon(meta(), "INVOICED")
					if err != nil {
						t.Error(err)
						return
					}
					d := Document(cur, basket.Invoice, "INV-race", now())
					d.ID = docID // a retry issues the same document again
					w := basket.Write{Basket: cur, ExpectedVersion: before, Events: []basket.Event{e}, Documents: []basket.Document{d}}
					switch err := s.Save(ctx, w); {
					case err == nil:
						written[i] = w.Documents[0].Number
						return
					case errors.Is(err, basket.ErrVersionConflict):
						conflicts.Add(1)
					default:
						t.Error(err)
						return
					}
				}
				t.Errorf("racer %d never got through", i)
			}()
		}
		wg.Wait()
		docs := documentsOf(t, s, ids...)
		require.Len(t, docs, n, "one invoice per basket")
		for i, d := range docs {
			assert.Equal(t, int64(i+1), d.Number, "in IssuedAt order, numbers are 1…%d with no gap or duplicate", n)
		}
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		slices.Sort(written)
		assert.Equal(t, want, written, "each racer's Write got its stored number")
		t.Logf("%d invoices, %d conflicts re-run", n, conflicts.Load())
	})
}
