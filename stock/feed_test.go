package stock_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/omnibasket/omnibasket/stock"
)

func TestFeedKindString(t *testing.T) {
	require.Equal(t, "full", stock.FullFeed.String())
	require.Equal(t, "delta", stock.DeltaFeed.String())
	require.Equal(t, "feed-kind(0)", stock.FeedKind(0).String())
}

func count(sku, loc string, q int64) stock.Count {
	return stock.Count{SKU: sku, LocationID: loc, Quantity: q}
}

func TestFeedValidate(t *testing.T) {
	full := func() stock.Feed {
		return stock.Feed{ID: "f", Kind: stock.FullFeed, Locations: []string{"x", "y"}, SKUs: []string{"a", "b"},
			Counts: []stock.Count{count("a", "x", 0), count("b", "y", 3)}}
	}
	delta := func() stock.Feed {
		return stock.Feed{ID: "f", Kind: stock.DeltaFeed, Counts: []stock.Count{count("a", "x", -2), count("a", "y", 1)}}
	}
	require.NoError(t, full().Validate())
	require.NoError(t, delta().Validate())
	noSKUs := full()
	noSKUs.SKUs, noSKUs.Counts = nil, append(noSKUs.Counts, count("c", "x", 1))
	require.NoError(t, noSKUs.Validate(), "without SKUs, a full feed counts every SKU at its locations")
	empty := full()
	empty.Counts = nil
	require.NoError(t, empty.Validate(), "a full feed listing nothing found nothing")

	for _, tt := range []struct {
		name  string
		feed  func() stock.Feed
		edit  func(f *stock.Feed)
		field string
	}{
		{"no ID", full, func(f *stock.Feed) { f.ID = "" }, "ID"},
		{"no kind", full, func(f *stock.Feed) { f.Kind = 0 }, "Kind"},
		{"unknown kind", delta, func(f *stock.Feed) { f.Kind = 3 }, "Kind"},
		{"full without locations", full, func(f *stock.Feed) { f.Locations = nil }, "Locations"},
		{"delta with locations", delta, func(f *stock.Feed) { f.Locations = []string{"x"} }, "Locations"},
		{"delta with SKUs", delta, func(f *stock.Feed) { f.SKUs = []string{"a"} }, "SKUs"},
		{"empty location", full, func(f *stock.Feed) { f.Locations[1] = "" }, "Locations[1]"},
		{"empty scope SKU", full, func(f *stock.Feed) { f.SKUs[0] = "" }, "SKUs[0]"},
		{"empty SKU", delta, func(f *stock.Feed) { f.Counts[1].SKU = "" }, "Counts[1].SKU"},
		{"empty count location", delta, func(f *stock.Feed) { f.Counts[0].LocationID = "" }, "Counts[0].LocationID"},
		{"pair outside locations", full, func(f *stock.Feed) { f.Counts[1].LocationID = "z" }, "Counts[1].LocationID"},
		{"pair outside SKUs", full, func(f *stock.Feed) { f.Counts[0].SKU = "c" }, "Counts[0].SKU"},
		{"negative count", full, func(f *stock.Feed) { f.Counts[1].Quantity = -1 }, "Counts[1].Quantity"},
		{"zero delta", delta, func(f *stock.Feed) { f.Counts[1].Quantity = 0 }, "Counts[1].Quantity"},
		{"delta out of range", delta, func(f *stock.Feed) { f.Counts[0].Quantity = math.MinInt64 }, "Counts[0].Quantity"},
		{"pair twice in a delta", delta, func(f *stock.Feed) { f.Counts = append(f.Counts, count("a", "x", 5)) }, "Counts[2]"},
		{"pair twice in a full feed", full, func(f *stock.Feed) { f.Counts[0] = count("b", "y", 1) }, "Counts[1]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.feed()
			tt.edit(&f)
			err := f.Validate()
			require.ErrorIs(t, err, stock.ErrInvalid)
			var ie *stock.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tt.field, ie.Field)
		})
	}
}

func TestFeedInScope(t *testing.T) {
	f := stock.Feed{ID: "f", Kind: stock.FullFeed, Locations: []string{"x", "y"}}
	require.True(t, f.InScope("anything", "y"))
	require.False(t, f.InScope("a", "z"))
	f.SKUs = []string{"a"}
	require.True(t, f.InScope("a", "x"))
	require.False(t, f.InScope("b", "x"))
	d := stock.Feed{ID: "d", Kind: stock.DeltaFeed, Counts: []stock.Count{count("a", "x", 1)}}
	require.False(t, d.InScope("a", "x"), "a delta feed has no scope, even over its own pairs")
}

// The digest stands for the feed's kind, scope and counts, whatever their
// order or the duplicates in its scope; any other content changes it.
func TestFeedDigest(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		locs := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"x", "y", "z"}), 1, 3, rapid.ID[string]).Draw(t, "locations")
		skus := rapid.SliceOfDistinct(rapid.SampledFrom([]string{"a", "b", "c"}), rapid.ID[string]).Draw(t, "skus")
		kind := rapid.SampledFrom([]stock.FeedKind{stock.FullFeed, stock.DeltaFeed}).Draw(t, "kind")
		f := stock.Feed{ID: "f", Kind: kind}
		if kind == stock.FullFeed {
			f.Locations, f.SKUs = locs, skus
		}
		for _, loc := range locs {
			for _, sku := range []string{"a", "b", "c"} {
				if (kind == stock.DeltaFeed || f.InScope(sku, loc)) && rapid.Bool().Draw(t, "listed") {
					f.Counts = append(f.Counts, count(sku, loc, rapid.Int64Range(-5, 5).Filter(func(q int64) bool { return q != 0 }).Draw(t, "q")))
					if kind == stock.FullFeed {
						f.Counts[len(f.Counts)-1].Quantity = max(f.Counts[len(f.Counts)-1].Quantity, 0)
					}
				}
			}
		}
		require.NoError(t, f.Validate())
		g := f
		g.ID = "another ID" // not part of what the ID stands for
		g.Counts = rapid.Permutation(f.Counts).Draw(t, "counts")
		g.Locations = rapid.Permutation(f.Locations).Draw(t, "locs")
		g.SKUs = rapid.Permutation(f.SKUs).Draw(t, "skus order")
		if len(g.Locations) > 0 && rapid.Bool().Draw(t, "dupLocation") {
			g.Locations = append(g.Locations, g.Locations[0])
		}
		order := slices.Clone(g.Counts)
		require.Equal(t, f.Digest(), g.Digest())
		require.Equal(t, order, g.Counts, "Digest sorts a copy")

		// Any other content has another digest.
		others := []stock.Feed{}
		if len(f.Counts) > 0 {
			h := f
			h.Counts = slices.Clone(f.Counts)
			h.Counts[0].Quantity++
			others = append(others, h)
			h = f
			h.Counts = f.Counts[1:]
			others = append(others, h)
		}
		h := f
		h.Kind = stock.FullFeed + stock.DeltaFeed - f.Kind
		others = append(others, h)
		if kind == stock.FullFeed {
			h = f
			h.Locations = append(slices.Clone(f.Locations), "w")
			others = append(others, h)
			h = f
			h.SKUs = append(slices.Clone(f.SKUs), "d")
			others = append(others, h)
		}
		for _, o := range others {
			require.NotEqual(t, f.Digest(), o.Digest(), "%+v and %+v", f, o)
		}
	})
}

// A count split between SKU and location differently is another feed.
func TestFeedDigestFieldBoundaries(t *testing.T) {
	a := stock.Feed{ID: "f", Kind: stock.DeltaFeed, Counts: []stock.Count{count("ab", "c", 1)}}
	b := stock.Feed{ID: "f", Kind: stock.DeltaFeed, Counts: []stock.Count{count("a", "bc", 1)}}
	require.NotEqual(t, a.Digest(), b.Digest())
}

// erp is a provider answering from a fixed list, ignoring the query's
// locations as a sloppy export might; calls counts its calls.
type erp struct {
	levels []stock.Level
	err    error
	calls  int
}

func (e *erp) Levels(_ context.Context, q stock.Query) (stock.Levels, error) {
	e.calls++
	if e.err != nil {
		return stock.Levels{}, e.err
	}
	var out []stock.Level
	for _, l := range e.levels {
		if slices.Contains(q.SKUs, l.SKU) {
			out = append(out, l)
		}
	}
	return stock.NewLevels(out)
}

// feedLog is a feeder that records the feeds it is given and answers a
// replay for an ID it has seen.
type feedLog struct {
	feeds []stock.Feed
	err   error
}

func (f *feedLog) Feed(_ context.Context, feed stock.Feed) (stock.FeedReport, error) {
	if f.err != nil {
		return stock.FeedReport{}, f.err
	}
	if err := feed.Validate(); err != nil {
		return stock.FeedReport{}, err
	}
	for _, seen := range f.feeds {
		if seen.ID == feed.ID {
			return stock.FeedReport{Replayed: true}, nil
		}
	}
	f.feeds = append(f.feeds, feed)
	return stock.FeedReport{Pairs: len(feed.Counts)}, nil
}

func TestSync(t *testing.T) {
	ctx := context.Background()
	src := &erp{levels: []stock.Level{
		{SKU: "a", LocationID: "x", OnHand: 7, Reserved: 3}, // the ERP's own allocations are not the library's to hold
		{SKU: "a", LocationID: "z", OnHand: 1},              // outside the locations asked
		{SKU: "b", LocationID: "y", OnHand: 0},
		{SKU: "c", LocationID: "x", OnHand: 4}, // outside the SKUs asked
	}}
	into := &feedLog{}
	q := stock.Query{SKUs: []string{"b", "a"}, Locations: []string{"y", "x"}}
	rep, err := stock.Sync(ctx, src, into, "sync-1", q)
	require.NoError(t, err)
	require.Equal(t, stock.FeedReport{Pairs: 2}, rep)
	require.Equal(t, []stock.Feed{{ID: "sync-1", Kind: stock.FullFeed, Locations: q.Locations, SKUs: q.SKUs,
		Counts: []stock.Count{count("a", "x", 4), count("b", "y", 0)}}}, into.feeds)

	// The same ID again is the same feed: the ledger answers a replay,
	// even if the provider moved on meanwhile.
	src.levels[0].OnHand = 6
	rep, err = stock.Sync(ctx, src, into, "sync-1", q)
	require.NoError(t, err)
	require.True(t, rep.Replayed)
	require.Len(t, into.feeds, 1)

	// Whatever order the query lists, the feed it makes has one digest.
	src.levels[0].OnHand = 7
	other := &feedLog{}
	_, err = stock.Sync(ctx, src, other, "sync-1", stock.Query{SKUs: []string{"a", "b", "a"}, Locations: []string{"x", "y"}})
	require.NoError(t, err)
	require.Equal(t, into.feeds[0].Digest(), other.feeds[0].Digest())
}

func TestSyncRefuses(t *testing.T) {
	ctx := context.Background()
	q := stock.Query{SKUs: []string{"a"}, Locations: []string{"x"}}
	for _, tt := range []struct {
		name string
		id   string
		q    stock.Query
	}{
		{"no SKU", "s", stock.Query{Locations: []string{"x"}}},
		{"no location", "s", stock.Query{SKUs: []string{"a"}}},
		{"empty SKU", "s", stock.Query{SKUs: []string{""}, Locations: []string{"x"}}},
		{"no ID", "", q},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src, into := &erp{levels: []stock.Level{{SKU: "a", LocationID: "x", OnHand: 1}}}, &feedLog{}
			_, err := stock.Sync(ctx, src, into, tt.id, tt.q)
			require.ErrorIs(t, err, stock.ErrInvalid)
			require.Zero(t, src.calls, "nothing is read for a sync that cannot be fed")
			require.Empty(t, into.feeds)
		})
	}

	down := errors.New("erp: connection refused")
	into := &feedLog{}
	_, err := stock.Sync(ctx, &erp{err: down}, into, "s", q)
	require.ErrorIs(t, err, down, "a provider failure is not a count of zero")
	require.Empty(t, into.feeds)

	full := errors.New("ledger: disk full")
	_, err = stock.Sync(ctx, &erp{}, &feedLog{err: full}, "s", q)
	require.ErrorIs(t, err, full)
}

func TestConflictErrorNamesFeed(t *testing.T) {
	err := error(&stock.ConflictError{RequestKey: "erp-2026-11-23"})
	require.ErrorIs(t, err, stock.ErrConflict)
	require.Equal(t, `stock: feed "erp-2026-11-23" was already applied with other counts`, err.Error())
	err = &stock.ConflictError{BasketID: "b1", RequestKey: "k1"}
	require.Equal(t, fmt.Sprintf("stock: request key %q of basket %q was already used for a different payload", "k1", "b1"), err.Error())
}
